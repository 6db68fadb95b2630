"""Graders for the exercises of chapter 9 (see :mod:`companion.exercises`).

Most exercises of chapter 9 ask for counts (multiply-adds, evaluations, floats, arrays),
which are exact: the learner's function returns them as numbers, and the grader tries
widths where a count that drops or adds a term cannot come out right by chance.
"""

from __future__ import annotations

import math

import numpy as np

from companion import losses, vjps
from companion.exercises import register

__all__: list[str] = []


def _products(widths):
    return [int(a) * int(b) for a, b in zip(widths[:-1], widths[1:])]


# ------------------------------------------------------------------ ch9-ex-count
def _count_cases(rng):
    # All widths different within a chain, n_0 != n_k, and a narrow waist (2, 1, 1000, 3)
    # where accumulation and passes disagree about the cheaper direction.
    return [([2, 200, 200, 50],), ([2, 1, 1000, 3],), ([5, 4, 3, 2],), ([3, 7, 2, 6, 4],)]


def _count_passes_swapped(widths):
    per_pass = sum(_products(widths))
    fwd, rev = chain_costs(widths)[:2]
    return fwd, rev, widths[-1] * per_pass, widths[0] * per_pass


def _count_passes_as_accumulation(widths):
    fwd, rev = chain_costs(widths)[:2]
    return fwd, rev, fwd, rev          # forgets the first product J_1 I of the passes


@register("ch9-ex-count", cases=_count_cases,
          names=("forward accumulation", "reverse accumulation", "JVP passes", "VJP passes"),
          wrong=[(_count_passes_swapped, "JVP passes"),
                 (_count_passes_as_accumulation, "JVP passes")])
def chain_costs(widths):
    """Multiply-adds of a chain's full Jacobian, four ways (eqs. ch2-eq-cost-*, ch9-eq-passes).

    ``widths`` lists ``n_0, ..., n_k``.  Returns ``(forward accumulation, reverse
    accumulation, n_0 JVP passes, n_k VJP passes)``.
    """
    n = [int(w) for w in widths]
    k = len(n) - 1
    forward = sum(n[i] * n[i - 1] * n[0] for i in range(2, k + 1))
    reverse = sum(n[k] * n[i] * n[i - 1] for i in range(1, k))
    per_pass = sum(_products(n))
    return forward, reverse, n[0] * per_pass, n[k] * per_pass


# ------------------------------------------------------------- ch9-ex-two-passes
def _two_passes_cases(rng):
    # N = 1 first, then N > 1 (a forgotten N shows as a factor), K = 1 (B = F) and K = 5.
    return [([784, 64, 10], 1), ([6, 5, 4, 3], 7), ([3, 10], 2), ([128] * 5 + [10], 256)]


def _two_passes_first_layer_error(widths, N):
    F = N * sum(_products(widths))
    return F, 2 * F                    # also propagates an error to the input X


def _two_passes_without_N(widths, N):
    F = sum(_products(widths))
    return F, F + sum(_products(widths)[1:])


@register("ch9-ex-two-passes", cases=_two_passes_cases, names=("F", "B"),
          wrong=[(_two_passes_first_layer_error, "B:"), (_two_passes_without_N, "factor")])
def gradient_multiply_adds(widths, N):
    """``(F, B)``: multiply-adds of the forward and the backward pass (eq. ch9-eq-two-passes).

    ``F = N sum_l n_{l-1} n_l``; ``B = F + N sum_{l >= 2} n_{l-1} n_l``.
    """
    products = _products(widths)
    return int(N) * sum(products), int(N) * (sum(products) + sum(products[1:]))


# ------------------------------------------------------------ ch9-ex-directional
def _directional_cases(rng):
    return [([784, 64, 10], 3), ([6, 5, 4, 3], 1), ([128] * 5 + [10], 10)]


def _directional_no_biases(widths, r):
    full, directional, gradients = check_evaluations(widths, r)
    return 2 * sum(_products(widths)), directional, gradients


def _directional_inverted(widths, r):
    full, directional, gradients = check_evaluations(widths, r)
    F, B = gradient_multiply_adds(widths, 1)
    return full, directional, 2 * r * (F + B) / F


@register("ch9-ex-directional", cases=_directional_cases,
          names=("full check", "directional check", "directional check in gradients"),
          wrong=[(_directional_no_biases, "full check"),
                 (_directional_inverted, "in gradients")])
def check_evaluations(widths, r):
    """Evaluations of the loss made by the full and the directional check of a network.

    The network has weights and biases, ``n = sum_l (n_{l-1} + 1) n_l`` parameters.
    Returns ``(2 n, 2 r, 2 r F / (F + B))``: the last is the directional check's cost in
    gradients, one evaluation being one forward pass (eq. ch9-eq-two-passes).
    """
    n = sum(_products(widths)) + sum(int(w) for w in widths[1:])
    F, B = gradient_multiply_adds(widths, 1)
    return 2 * n, 2 * int(r), 2 * int(r) * F / (F + B)


# ---------------------------------------------------------------- ch9-ex-memory
def _memory_cases(rng):
    return [([784, 64, 10], 256), ([5, 3], 2), ([4, 9, 7, 2], 11)]


def _memory_without_input(widths, N):
    kept, params = memory_floats(widths, N)
    return kept - int(N) * int(widths[0]), params


def _memory_without_biases(widths, N):
    kept, params = memory_floats(widths, N)
    return kept, sum(_products(widths))


@register("ch9-ex-memory", cases=_memory_cases, names=("activations kept", "parameters"),
          wrong=[(_memory_without_input, "activations kept"),
                 (_memory_without_biases, "parameters")])
def memory_floats(widths, N):
    """Floats reverse mode keeps for a batch of ``N``, and the network's parameters.

    ``(N sum_{l=0}^{K} n_l, sum_l (n_{l-1} + 1) n_l)`` (eq. ch9-eq-activation-floats, with
    the biases counted among the parameters).
    """
    return int(N) * sum(int(w) for w in widths), \
        sum(_products(widths)) + sum(int(w) for w in widths[1:])


# ------------------------------------------------------------ ch9-ex-checkpoint
def _checkpoint_cases(rng):
    # s divides K in every case; s = 1 and s = K are the two ends of the V.
    return [(64, 8), (100, 10), (36, 4), (12, 12), (12, 1), (30, 6)]


def _checkpoint_recompute_ends(K, s):
    return 2 * K, K // s + s           # recomputes each segment's end as well


def _checkpoint_forgets_segment(K, s):
    return 2 * K - K // s, K // s + 1  # counts the checkpoints only


@register("ch9-ex-checkpoint", cases=_checkpoint_cases,
          names=("layer evaluations", "arrays alive at most"),
          wrong=[(_checkpoint_recompute_ends, "layer evaluations"),
                 (_checkpoint_forgets_segment, "arrays alive")])
def checkpoint_costs(K, s):
    """Layer evaluations and activation arrays alive at most, checkpoints every ``s`` layers.

    For ``s`` dividing ``K``: ``(2K - K/s, K/s + s)`` (eq. ch9-eq-checkpoint).
    """
    segments = math.ceil(K / s)
    return 2 * K - segments, segments + s


# ------------------------------------------------------------- ch9-ex-jvp-block
def _jvp_block_cases(rng):
    # m != n != k, so that a transposed or mis-shaped answer cannot pass
    return [(rng.standard_normal((5, 7)), rng.standard_normal(7), rng.standard_normal((7, 3))),
            (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 6)))]


def _jvp_block_no_outer(W, x, V):
    a = vjps.softmax(W @ x)
    return a[:, None] * (W @ V)        # forgets the - a (a^T U) term


def _jvp_block_sign(W, x, V):
    return -jvp_block(W, x, V)


@register("ch9-ex-jvp-block", cases=_jvp_block_cases,
          wrong=[(_jvp_block_no_outer, "values are wrong"), (_jvp_block_sign, "sign")],
          hint="with U = W V, column j of J V is a * (u_j - <a, u_j>)")
def jvp_block(W, x, V):
    """``J V`` for ``f(x) = softmax(W x)``: ``a * U - a (a^T U)`` with ``U = W V`` (m, k)."""
    a = vjps.softmax(W @ x)
    U = W @ V
    return a[:, None] * U - np.outer(a, a @ U)


# ---------------------------------------------------------- ch9-ex-engine-block
def _engine_block_cases(rng):
    return [(rng.standard_normal((6, 4)), rng.standard_normal(4)),
            (rng.standard_normal((3, 5)), rng.standard_normal(5))]


def _engine_block_ones(W, x):
    # upstream ones instead of the identity: every row is 1^T J = 0
    return np.zeros(W.shape)


def _engine_block_transposed(W, x):
    return jacobian_by_copies(W, x).T


@register("ch9-ex-engine-block", cases=_engine_block_cases,
          wrong=[(_engine_block_ones, "values are wrong"),
                 (_engine_block_transposed, "transposed")])
def jacobian_by_copies(W, x):
    """The Jacobian of ``softmax(W x)`` (m, n), as one backward call on ``m`` copies of ``x``
    would give it; here by the O(mn) formula ``a * W - a (a^T W)``."""
    return losses.softmax_linear_jacobian(W, x)
