"""Graders for the exercises of chapter 2 (see :mod:`companion.exercises`).

Each grader is the worked solution of its exercise, registered with the inputs to try
(non-square ``W``, no zero entries, every ``z_i`` away from a kink) and planted wrong
answers that the tests feed to it.
"""

from __future__ import annotations

import numpy as np

from companion.chainrule import accumulation_cost
from companion.exercises import register

__all__: list[str] = []


def _sigmoid(t):
    return 1 / (1 + np.exp(-t))


def _dtanh(z):
    return 1 - np.tanh(z) ** 2


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


# -- ch2-ex-softplus: a = softplus(W x + b) ------------------------------------------------

def _softplus_cases(rng):
    # m != n, so that a transposed Jacobian has the wrong shape
    return [(rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(3)),
            (rng.standard_normal((4, 2)), rng.standard_normal(2), rng.standard_normal(4))]


def _softplus_denominator(W, x, b):
    s = _sigmoid(W @ x + b)
    return (s[:, None] * W).T, np.diag(s)       # da/dx in denominator layout


def _softplus_db_vector(W, x, b):
    s = _sigmoid(W @ x + b)
    return s[:, None] * W, s                    # da/db as a vector, not diag(s)


def _softplus_no_activation(W, x, b):
    return W.copy(), np.eye(len(b))             # the softplus stage forgotten


@register("ch2-ex-softplus", cases=_softplus_cases, names=("da/dx", "da/db"),
          wrong=[(_softplus_denominator, "transposed"), (_softplus_db_vector, "shape"),
                 (_softplus_no_activation, "values are wrong")],
          hint="the derivative of softplus(z) = ln(1 + e^z) is the sigmoid of z")
def softplus_jacobians(W, x, b):
    """(da/dx, da/db) = (diag(sigma(z)) W, diag(sigma(z))) for a = softplus(z), z = W x + b."""
    s = _sigmoid(W @ x + b)
    return s[:, None] * W, np.diag(s)


# -- ch2-ex-order: forward, reverse and cheapest multiply-adds of a chain -------------------

def _cheapest_bracketing(sizes):
    # best[i, j]: fewest multiply-adds to form J_j ... J_i (the matrix-chain programme)
    K = len(sizes) - 1
    best = {(i, i): 0 for i in range(1, K + 1)}
    for length in range(2, K + 1):
        for i in range(1, K - length + 2):
            j = i + length - 1
            best[i, j] = min(best[i, p] + best[p + 1, j] + sizes[j] * sizes[p] * sizes[i - 1]
                             for p in range(i, j))
    return best[1, K]


def _order_cases(rng):
    # a tie, a bottleneck where a mixed order wins, and chains where the two ends differ
    return [([10, 1000, 1000, 10],), ([100, 1000, 1, 1000, 100],), ([3, 7, 2, 9, 4, 1],),
            ([1, 6, 5, 8],), (list(rng.integers(2, 30, size=6)),)]


def _order_swapped(sizes):
    return [accumulation_cost(sizes, "reverse"), accumulation_cost(sizes, "forward"),
            _cheapest_bracketing(sizes)]


def _order_ends_only(sizes):
    fwd, rev = accumulation_cost(sizes, "forward"), accumulation_cost(sizes, "reverse")
    return [fwd, rev, min(fwd, rev)]            # the mixed orders forgotten


@register("ch2-ex-order", cases=_order_cases,
          wrong=[(_order_swapped, "entry"), (_order_ends_only, "entry (2,)")],
          hint="entry 0 is forward accumulation (from the input), entry 1 reverse, "
               "entry 2 the best over every bracketing")
def chain_costs(sizes):
    """[forward, reverse, cheapest] multiply-adds to form J_K ... J_1 for widths n_0 ... n_K."""
    return np.array([accumulation_cost(sizes, "forward"), accumulation_cost(sizes, "reverse"),
                     _cheapest_bracketing(sizes)], dtype=np.float64)


# -- ch2-ex-vjp: the gradient of sum(tanh(W x)) --------------------------------------------

def _vjp_cases(rng):
    return [(rng.standard_normal((6, 4)), rng.standard_normal(4)),
            (rng.standard_normal((3, 5)), rng.standard_normal(5))]


def _vjp_sign(W, x):
    return (np.tanh(W @ x) ** 2 - 1) @ W


def _vjp_no_tanh(W, x):
    return np.ones(W.shape[0]) @ W              # tanh' forgotten


def _vjp_row(W, x):
    return ((1 - np.tanh(W @ x) ** 2) @ W)[None, :]


@register("ch2-ex-vjp", cases=_vjp_cases,
          wrong=[(_vjp_sign, "sign"), (_vjp_no_tanh, "values are wrong"), (_vjp_row, "shape")],
          hint="tanh'(z) = 1 - tanh(z)^2, one factor per entry of z = W x")
def grad_sum_tanh(W, x):
    """grad_x L for L = sum(tanh(W x)): (1 - tanh^2(W x)) @ W, shaped like x."""
    return (1 - np.tanh(W @ x) ** 2) @ W


# -- ch2-ex-softmax: the Jacobian of softmax(W x) -------------------------------------------

def _softmax_cases(rng):
    return [(rng.standard_normal((4, 3)), rng.standard_normal(3)),
            (rng.standard_normal((3, 5)), rng.standard_normal(5))]


def _softmax_diagonal(W, x):
    return np.diag(_softmax(W @ x)) @ W         # the diagonal shortcut


def _softmax_transposed(W, x):
    a = _softmax(W @ x)
    return ((np.diag(a) - np.outer(a, a)) @ W).T


@register("ch2-ex-softmax", cases=_softmax_cases,
          wrong=[(_softmax_diagonal, "values are wrong"), (_softmax_transposed, "transposed")],
          hint="every a_i depends on every z_q through the denominator")
def softmax_jacobian(W, x):
    """d softmax(W x) / dx = (diag(a) - a a^T) W, with a = softmax(W x); shape (m, n)."""
    a = _softmax(W @ x)
    return (np.diag(a) - np.outer(a, a)) @ W


# -- ch2-ex-denominator: the chain rule for columns ----------------------------------------

def _denominator_cases(rng):
    return [(rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(3)),
            (rng.standard_normal((4, 2)), rng.standard_normal(2), rng.standard_normal(4))]


def _denominator_numerator(W, x, g):
    d = _dtanh(W @ x)
    return d[:, None] * W, W.T @ (d * g)        # the Jacobian left in numerator layout


def _denominator_no_tanh(W, x, g):
    d = _dtanh(W @ x)
    return W.T * d[None, :], W.T @ g            # tanh' forgotten in the VJP


@register("ch2-ex-denominator", cases=_denominator_cases,
          names=("da/dx (denominator layout)", "grad_x L"),
          wrong=[(_denominator_numerator, "transposed"),
                 (_denominator_no_tanh, "values are wrong")])
def column_form(W, x, g):
    """(W^T diag(1 - tanh^2 z), W^T ((1 - tanh^2 z) * g)) for a = tanh(z), z = W x."""
    d = _dtanh(W @ x)
    return W.T * d[None, :], W.T @ (d * g)


# -- ch2-ex-leaky: the gradient of a leaky ReLU neuron's squared error ----------------------

def _leaky_cases(rng):
    cases = []
    for N, D, alpha in [(8, 3, 0.1), (6, 4, 0.3)]:
        while True:                             # active and inactive samples, none at the kink
            X = rng.standard_normal((N, D))
            w = rng.standard_normal(D)
            b = float(rng.standard_normal())
            z = X @ w + b
            if np.min(np.abs(z)) > 1e-3 and 0 < np.sum(z > 0) < N:
                break
        cases.append((w, b, X, rng.standard_normal(N), alpha))
    return cases


def _leaky_as_relu(w, b, X, t, alpha):
    z = X @ w + b
    e = (z > 0) * (np.maximum(alpha * z, z) - t)    # the negative side treated as dead
    return 2 / len(t) * (X.T @ e), 2 / len(t) * np.sum(e)


def _leaky_no_two(w, b, X, t, alpha):
    z = X @ w + b
    e = np.where(z > 0, 1.0, alpha) * (np.maximum(alpha * z, z) - t)
    return 1 / len(t) * (X.T @ e), 1 / len(t) * np.sum(e)


def _leaky_sign(w, b, X, t, alpha):
    z = X @ w + b
    e = np.where(z > 0, 1.0, alpha) * (t - np.maximum(alpha * z, z))
    return 2 / len(t) * (X.T @ e), 2 / len(t) * np.sum(e)


@register("ch2-ex-leaky", cases=_leaky_cases, names=("grad_w L", "dL/db"),
          wrong=[(_leaky_as_relu, "values are wrong"), (_leaky_no_two, "factor"),
                 (_leaky_sign, "sign")],
          hint="the slope of max(alpha z, z) is alpha, not 0, where z < 0")
def leaky_neuron_grad(w, b, X, t, alpha):
    """(grad_w L, dL/db) = (2/N X^T e, 2/N sum(e)), e_i = phi'(z_i) (phi(z_i) - t_i)."""
    z = X @ w + b
    e = np.where(z > 0, 1.0, alpha) * (np.maximum(alpha * z, z) - t)
    return 2 / len(t) * (X.T @ e), 2 / len(t) * np.sum(e)
