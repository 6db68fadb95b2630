"""Graders for the exercises of chapter 4 (see :mod:`companion.exercises`).

Every case uses sizes that are all different (so that a transposed or misordered
product has the wrong shape) and generic random values (no symmetric matrices),
except where an exercise is about what happens when sizes coincide.
"""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []


# ch4-ex-square: L = sum of the squared entries of Z = X W.

def _square_cases(rng):
    return [(rng.standard_normal((5, 3)), rng.standard_normal((3, 4))),
            (rng.standard_normal((4, 2)), rng.standard_normal((2, 6)))]


def _square_no_two(X, W):
    return X.T @ X @ W, X @ W @ W.T          # the factor 2 of the square forgotten


def _square_swapped(X, W):
    return 2 * X @ W @ W.T, 2 * X.T @ X @ W  # dL/dX where dL/dW belongs


@register("ch4-ex-square", cases=_square_cases, names=("dL/dW", "dL/dX"),
          wrong=[(_square_no_two, "factor"), (_square_swapped, "shape")])
def square_loss_grads(X, W):
    """(dL/dW, dL/dX) for L = sum_ij (XW)_ij^2: (2 X^T X W, 2 X W W^T)."""
    G = 2 * X @ W                            # dL/dZ
    return X.T @ G, G @ W.T


# ch4-ex-axb: Z = A X B, given G = dL/dZ.

def _axb_cases(rng):
    cases = []
    for m, n, p, q in [(2, 3, 4, 5), (4, 2, 5, 3)]:
        cases.append((rng.standard_normal((m, n)), rng.standard_normal((n, p)),
                      rng.standard_normal((p, q)), rng.standard_normal((m, q))))
    return cases


def _axb_sign(A, X, B, G):
    return tuple(-g for g in axb_grads(A, X, B, G))


def _axb_untransposed(A, X, B, G):
    return A.T @ G @ B.T, G @ X.T @ B.T, X.T @ A.T @ G   # dA: B.T and X.T swapped


@register("ch4-ex-axb", cases=_axb_cases, names=("dL/dX", "dL/dA", "dL/dB"),
          wrong=[(_axb_sign, "sign"), (_axb_untransposed, "raised")])
def axb_grads(A, X, B, G):
    """(dL/dX, dL/dA, dL/dB) for Z = A X B: (A^T G B^T, G B^T X^T, X^T A^T G)."""
    return A.T @ G @ B.T, G @ B.T @ X.T, X.T @ A.T @ G


# ch4-ex-transposed: Z = X W^T + b with W of shape (M, D), as in nn.Linear.

def _transposed_cases(rng):
    cases = []
    for N, D, M in [(5, 3, 4), (2, 6, 3)]:
        cases.append((rng.standard_normal((N, D)), rng.standard_normal((M, D)),
                      rng.standard_normal(M), rng.standard_normal((N, M))))
    return cases


def _transposed_row_formula(X, W, b, G):
    return G @ W, X.T @ G                    # dW of Z = X W, not of Z = X W^T


@register("ch4-ex-transposed", cases=_transposed_cases, names=("dL/dX", "dL/dW"),
          wrong=[(_transposed_row_formula, "transposed")])
def linear_transposed_grads(X, W, b, G):
    """(dL/dX, dL/dW) for Z = X W^T + b: (G W, G^T X)."""
    return G @ W, G.T @ X


# ch4-ex-bias-shape: the bias gradient, for a bias stored as (M,) or as (1, M).

def _bias_cases(rng):
    return [(rng.standard_normal((5, 4)), rng.standard_normal(4)),
            (rng.standard_normal((5, 4)), rng.standard_normal((1, 4))),
            (rng.standard_normal((3, 6)), rng.standard_normal(6))]


def _bias_no_sum(G, b):
    return G.copy()                          # a separate bias for every sample


def _bias_sum_all(G, b):
    return np.full(np.shape(b), G.sum())     # one bias shared by every output


def _bias_flat(G, b):
    return G.sum(axis=0)                     # right numbers, (M,) even for (1, M)


@register("ch4-ex-bias-shape", cases=_bias_cases,
          wrong=[(_bias_no_sum, "shape"), (_bias_sum_all, "wrong"), (_bias_flat, "shape")],
          hint="entry j of the gradient collects column j of G, and nothing else.")
def bias_grad(G, b):
    """dL/db for Z = X W + b, shaped like b: the column sums of G."""
    return G.sum(axis=0).reshape(np.shape(b))


# ch4-ex-bug: dW for Z = X W; the first case has N = D = M, where shapes cannot decide.

def _bug_cases(rng):
    return [(rng.standard_normal((3, 3)), rng.standard_normal((3, 3))),
            (rng.standard_normal((5, 3)), rng.standard_normal((5, 4)))]


def _bug_as_written(X, G):
    return G @ X.T                           # the buggy line of the exercise


def _bug_transposed(X, G):
    return G.T @ X


@register("ch4-ex-bug", cases=_bug_cases,
          wrong=[(_bug_as_written, "wrong"), (_bug_transposed, "transposed")],
          hint=("with N = D = M every product of X and G has the shape of dW, so the "
                "shapes cannot tell; derive entry (p, q) of dW and compare."))
def weight_grad(X, G):
    """dL/dW for Z = X W given X (N, D) and G = dL/dZ (N, M): X^T G."""
    return X.T @ G


# ch4-ex-quadratic: L = tr(X^T A X) with A square and not symmetric.

def _quadratic_cases(rng):
    return [(rng.standard_normal((4, 4)), rng.standard_normal((4, 3))),
            (rng.standard_normal((3, 3)), rng.standard_normal((3, 5)))]


def _quadratic_symmetric(A, X):
    return 2 * A @ X                         # right only for a symmetric A


def _quadratic_one_term(A, X):
    return A @ X                             # the first occurrence of X only


@register("ch4-ex-quadratic", cases=_quadratic_cases,
          wrong=[(_quadratic_symmetric, "wrong"), (_quadratic_one_term, "wrong")],
          hint="X occurs twice; each occurrence gives one term of dL.")
def quadratic_grad(A, X):
    """dL/dX for L = tr(X^T A X): (A + A^T) X."""
    return (A + A.T) @ X


# ch4-ex-kron: the Jacobian of vec(X W) with respect to vec(W), columns stacked.

def _kron_cases(rng):
    return [(rng.standard_normal((4, 3)), 2), (rng.standard_normal((2, 5)), 3)]


def _kron_row_major(X, M):
    return np.kron(X, np.eye(M))             # the Jacobian for rows stacked


def _kron_wrt_X(X, M):
    return np.kron(np.eye(M), X).T           # shape (DM, NM): denominator layout


@register("ch4-ex-kron", cases=_kron_cases,
          wrong=[(_kron_row_major, "wrong"), (_kron_wrt_X, "transposed")],
          hint=("vec stacks the columns: entry (i, j) of Z sits at position i + N j "
                "(from 0), and column j of Z = X W is X times column j of W."))
def vec_jacobian_W(X, M):
    """d vec(X W) / d vec(W) for X (N, D) and W (D, M): I_M kron X, shape (NM, DM)."""
    return np.kron(np.eye(M), X)
