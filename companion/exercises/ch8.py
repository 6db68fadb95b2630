"""Graders for the exercises of chapter 8 (see :mod:`companion.exercises`).

The exercises of chapter 8 are about checks rather than formulas, so each learner's
function returns the numbers a check is built from: a predicted best step, the VJP of a
permutation of axes, the part of a vector orthogonal to a direction, one-sided slopes at
a kink, a forward-difference gradient.
"""

from __future__ import annotations

import numpy as np

from companion import losses
from companion.exercises import register

__all__: list[str] = []

_EPS = float(np.finfo(np.float64).eps)


# -- ch8-ex-step: the best step for log x, and the error at the default step -------------------

def _step_cases(rng):
    # small probabilities, moderate ones, and values above 1 (never near x = 1, where log x = 0)
    return [(rng.uniform(0.5e-3, 2e-3, 5),), (rng.uniform(0.05, 0.2, 4),),
            (rng.uniform(5.0, 50.0, 3),)]


def _step_no_three_halves(x):
    return x * (_EPS * np.abs(np.log(x))) ** (1 / 3), 1e-10 / (3 * x**2)


def _step_not_scaled(x):
    return np.full_like(x, _EPS ** (1 / 3)), 1e-10 / (3 * x**2)


def _step_error_half(x):
    return log_best_step(x)[0], 1e-10 / (6 * x**2)       # |f'''| = 2 / x^3 taken as 1 / x^3


@register("ch8-ex-step", cases=_step_cases,
          names=("the best step", "the relative truncation error at h = 1e-5"),
          wrong=[(_step_no_three_halves, "factor"),
                 (_step_not_scaled, "the best step: the values"),
                 (_step_error_half, "the relative truncation error")])
def log_best_step(x):
    """(h*, error at h = 1e-5) for central differences of f = log at x (arrays like x).

    h* = (3 eps |f(x)| / |f'''(x)|)^(1/3) with |f'''| = 2 / x^3, eq. ``ch8-eq-step``; the
    relative truncation error h^2 |f'''| / (6 |f'|) = h^2 / (3 x^2).
    """
    h_best = (3 * _EPS * np.abs(np.log(x)) * x**3 / 2) ** (1 / 3)
    h = 1e-5
    return h_best, h**2 / (3 * x**2)


# -- ch8-ex-dout: the VJP of a permutation of axes ----------------------------------------------

def _dout_cases(rng):
    return [(rng.standard_normal((4, 3)), (1, 0)),
            (rng.standard_normal((3, 4, 2)), (1, 2, 0)),    # u = x.transpose(1, 2, 0), x (2, 3, 4)
            (rng.standard_normal((4, 2, 3)), (2, 0, 1))]


def _dout_reshape(dout, axes):
    shape = tuple(dout.shape[i] for i in np.argsort(axes))
    return dout.reshape(shape)                            # the right shape, the wrong places


def _dout_same_permutation(dout, axes):
    return np.transpose(dout, axes)                       # right for a 2-D transpose only


@register("ch8-ex-dout", cases=_dout_cases,
          wrong=[(_dout_reshape, "values"), (_dout_same_permutation, "shape")])
def permute_vjp(dout, axes):
    """The VJP of u = np.transpose(x, axes): dout moved back by the inverse permutation."""
    return np.transpose(dout, np.argsort(axes))


# -- ch8-ex-directions: the part of u orthogonal to v --------------------------------------------

def _orth_cases(rng):
    return [(rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
            (rng.standard_normal(4), 3.0 * rng.standard_normal(4)),
            (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))]


def _orth_unnormalised(u, v):
    return u - np.sum(u * v) * v                          # v taken as if it were a unit vector


def _orth_projection(u, v):
    return np.sum(u * v) / np.sum(v * v) * v              # the part along v, not orthogonal to it


@register("ch8-ex-directions", cases=_orth_cases,
          wrong=[(_orth_unnormalised, "values"), (_orth_projection, "values")],
          hint="subtract from u its projection <u, v> v / <v, v>.")
def orthogonal_part(u, v):
    """u minus its projection on v: the part of u orthogonal to v (same shape as u)."""
    return u - np.sum(u * v) / np.sum(v * v) * v


# -- ch8-ex-kink: one-sided slopes -------------------------------------------------------------

def _relu_sum(x):
    return float(np.sum(np.maximum(x, 0.0)))


def _abs_sum(x):
    return float(np.sum(np.abs(x)))


def _smooth(x):
    return float(np.sum(np.sin(x) * x))


def _svm_at_kink():
    y = np.array([0, 2, 1])
    scores = np.array([[0.3, -0.9, 0.1], [1.2, 0.4, -0.5], [-0.2, 0.6, 0.9]])
    scores[0, 1] = scores[0, 0] - 1.0                     # the margin (0, 1) exactly on its kink
    return (lambda s: losses.svm_loss(s, y)[0]), scores


def _kink_cases(rng):
    x_relu = rng.standard_normal(5)
    x_relu[1] = 0.0
    x_abs = rng.standard_normal((2, 3))
    x_abs[0, 1] = 0.0
    svm, scores = _svm_at_kink()
    return [(_relu_sum, x_relu, (1,), 1e-5),
            (_abs_sum, x_abs, (0, 1), 1e-5),
            (svm, scores, (0, 1), 1e-5),
            (svm, scores, (0, 0), 1e-5),
            (_smooth, rng.standard_normal(4), (2,), 1e-6)]


def _kink_swapped(f, x, index, h):
    left, right = one_sided_slopes(f, x, index, h)
    return np.array([right, left])


def _kink_central(f, x, index, h):
    central = np.mean(one_sided_slopes(f, x, index, h))   # what a central difference reports
    return np.array([central, central])


@register("ch8-ex-kink", cases=_kink_cases, tol=1e-6,
          wrong=[(_kink_swapped, "values"), (_kink_central, "entry")])
def one_sided_slopes(f, x, index, h):
    """[left, right]: (f(x) - f(x - h e)) / h and (f(x + h e) - f(x)) / h, e the unit entry index.

    ``x`` is not modified.
    """
    e = np.zeros_like(x, dtype=float)
    e[index] = 1.0
    f0 = f(x)
    return np.array([(f0 - f(x - h * e)) / h, (f(x + h * e) - f0) / h])


# -- ch8-ex-forward: a forward-difference gradient ------------------------------------------------

def _softplus_sum(x):
    return float(np.sum(np.logaddexp(0.0, x)))


def _forward_cases(rng):
    return [(_smooth, rng.standard_normal((3, 4)), 1e-6),
            (_softplus_sum, rng.standard_normal(5), 1e-6),
            (lambda W: float(np.sum((W @ np.arange(1.0, 4.0)) ** 2)),
             rng.standard_normal((2, 3)), 1e-7)]


def _forward_half(f, x, h):
    return forward_difference_gradient(f, x, h) / 2       # the central difference's 2h


def _forward_backwards(f, x, h):
    return -forward_difference_gradient(f, x, h)          # f(x) - f(x + h) on top


@register("ch8-ex-forward", cases=_forward_cases,
          wrong=[(_forward_half, "factor"), (_forward_backwards, "sign")])
def forward_difference_gradient(f, x, h):
    """The gradient of a scalar f at x by forward differences: n + 1 evaluations of f."""
    x = np.array(x, dtype=float)
    f0 = f(x)                                             # shared by every entry
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up = x.copy()
        up[i] += h
        grad[i] = (f(up) - f0) / (up[i] - x[i])          # the step actually taken
    return grad
