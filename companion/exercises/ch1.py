"""Graders for the exercises of chapter 1 (see :mod:`companion.exercises`).

Each grader is the worked solution of its exercise, registered with the inputs to
try (never square where a transpose could hide, never symmetric, no entry 0 or 1)
and the wrong answers that the tests plant.
"""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []


def _nonzero(rng, n):
    """n entries with 0.5 <= |v_i| <= 2, random signs: no 0, and 1 only by accident."""
    return rng.uniform(0.5, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)


# -- ch1-ex-bias: z = W x + b ------------------------------------------------------------------

def _bias_cases(rng):
    # m != n and no symmetric W, so that a transposed or mis-shaped answer cannot pass
    return [(rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(3)),
            (rng.standard_normal((2, 4)), rng.standard_normal(4), rng.standard_normal(2))]


def _bias_wrong_shape(W, x, b):
    return np.ones_like(b)            # the "derivative is 1" slip: a vector, not I


def _bias_wrong_x(W, x, b):
    return np.eye(len(b)), W.T        # dz/dx in denominator layout


@register("ch1-ex-bias", cases=_bias_cases, names=("dz/db", "dz/dx"),
          wrong=[(_bias_wrong_shape, "return 2 results"), (_bias_wrong_x, "transposed")])
def bias_jacobians(W, x, b):
    """The Jacobians of z = W x + b with respect to b and to x: (I_m, W)."""
    return np.eye(len(b)), W.copy()


# -- ch1-ex-square: u = x * x ------------------------------------------------------------------

def _square_cases(rng):
    return [(_nonzero(rng, 4),), (_nonzero(rng, 6),)]


def _square_only_one(x):
    return np.diag(x)                 # one operand's Jacobian only: the overwrite bug


def _square_vector(x):
    return 2 * x                      # the diagonal, not the matrix


@register("ch1-ex-square", cases=_square_cases,
          wrong=[(_square_only_one, "factor"), (_square_vector, "shape")])
def square_jacobian(x):
    """The Jacobian of u = x * x (entrywise): diag(2 x), shape (n, n)."""
    return np.diag(2 * x)


# -- ch1-ex-diagonal: u = diag(a) x ------------------------------------------------------------

def _diagonal_cases(rng):
    return [(_nonzero(rng, 4), rng.standard_normal(4)),
            (_nonzero(rng, 3), rng.standard_normal(3))]


def _diagonal_vectors(a, x):
    return a.copy(), a.copy()         # the diagonals, not the Jacobians


def _diagonal_wrong_operand(a, x):
    return np.diag(a), np.diag(x)     # the elementwise rule applied to the wrong operand


@register("ch1-ex-diagonal", cases=_diagonal_cases, names=("as A x", "as a * x"),
          wrong=[(_diagonal_vectors, "shape"), (_diagonal_wrong_operand, "values are wrong")])
def diagonal_jacobians(a, x):
    """The Jacobian of u = diag(a) x, by eq. ch1-eq-Wx and by eq. ch1-eq-binary: diag(a) twice."""
    return np.diag(a), np.diag(a)


# -- ch1-ex-quadratic: q = x^T A x -------------------------------------------------------------

def _quadratic_cases(rng):
    # A is not symmetric, so that 2 A x (right only for a symmetric A) cannot pass
    return [(rng.standard_normal((4, 4)), rng.standard_normal(4)),
            (rng.standard_normal((3, 3)), rng.standard_normal(3))]


def _quadratic_symmetric_rule(A, x):
    return 2 * x @ A                  # right only when A = A^T


def _quadratic_one_term(A, x):
    return A @ x                      # x_j counted once, not twice


@register("ch1-ex-quadratic", cases=_quadratic_cases,
          hint="A is not symmetric here, and x appears twice in x^T A x.",
          wrong=[(_quadratic_symmetric_rule, "values are wrong"),
                 (_quadratic_one_term, "values are wrong")])
def quadratic_gradient(A, x):
    """The gradient of q(x) = x^T A x, shaped like x: (A + A^T) x."""
    return (A + A.T) @ x


# -- ch1-ex-layout: z = x W in both layouts ----------------------------------------------------

def _layout_cases(rng):
    # W is never square, so that the shape alone tells the two layouts apart
    return [(rng.standard_normal(4), rng.standard_normal((4, 3))),
            (rng.standard_normal(2), rng.standard_normal((2, 5)))]


def _layout_swapped(x, W):
    return W.copy(), W.T.copy()       # the two layouts exchanged


@register("ch1-ex-layout", cases=_layout_cases,
          names=("numerator layout", "denominator layout"),
          wrong=[(_layout_swapped, "transposed")])
def xW_jacobians(x, W):
    """The Jacobian of z = x W (x a row) in numerator layout, W^T, and denominator layout, W."""
    return W.T.copy(), W.copy()


# -- ch1-ex-steepest: the best step of a given length ------------------------------------------

def _steepest_cases(rng):
    # gradients of different lengths (none of length 1), steps of different lengths
    return [(3.0 * rng.standard_normal(3), 0.1), (0.2 * rng.standard_normal(5), 0.01),
            (rng.standard_normal(4) + 2.0, 0.05)]


def _steepest_unnormalised(grad, length):
    return -length * grad             # the gradient step, not a step of this length


def _steepest_uphill(grad, length):
    return length * grad / np.linalg.norm(grad)


@register("ch1-ex-steepest", cases=_steepest_cases,
          wrong=[(_steepest_unnormalised, "factor"), (_steepest_uphill, "sign")])
def steepest_step(grad, length):
    """The step of this length that lowers L most to first order: -length grad / |grad|."""
    return -length * grad / np.linalg.norm(grad)
