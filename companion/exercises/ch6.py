"""Graders for the exercises of chapter 6 (see :mod:`companion.exercises`)."""

from __future__ import annotations

import numpy as np

from companion.exercises import register
from companion.vjps import sigmoid, softmax

__all__: list[str] = []


# --- ch6-ex-soft: soft targets -------------------------------------------------------

def _soft_cases(rng):
    # targets whose entries do not sum to 1 (so that a - t cannot pass), then one that does
    return [(rng.standard_normal(5), 2.5 * rng.dirichlet(np.ones(5))),
            (rng.standard_normal(3), 0.4 * rng.dirichlet(np.ones(3))),
            (rng.standard_normal(6), rng.dirichlet(np.ones(6)))]


def _soft_forgot_the_sum(z, t):
    return softmax(z) - t              # right only when sum(t) = 1


def _soft_sign(z, t):
    return t - np.sum(t) * softmax(z)


@register("ch6-ex-soft", cases=_soft_cases,
          wrong=[(_soft_forgot_the_sum, "values"), (_soft_sign, "sign")],
          hint="the derivation of a - t used sum_j t_j = 1 once; keep that sum.")
def soft_target_gradient(z, t):
    """The gradient of L = -sum_j t_j log softmax(z)_j for any t >= 0: (sum t) a - t."""
    return np.sum(t) * softmax(z) - t


# --- ch6-ex-bce: the sigmoid as a two-class softmax ---------------------------------

def _bce_cases(rng):
    # scores in both columns (not only (z, 0)), soft targets in [0, 1], N != 2
    return [(rng.standard_normal((4, 2)), rng.uniform(0.0, 1.0, size=4)),
            (2.0 * rng.standard_normal((3, 2)), rng.uniform(0.0, 1.0, size=3))]


def _bce_no_mean(Z, t):
    d = sigmoid(Z[:, 0] - Z[:, 1]) - t
    return np.stack([d, -d], axis=1)


def _bce_sign(Z, t):
    d = sigmoid(Z[:, 0] - Z[:, 1]) - t
    return np.stack([-d, d], axis=1) / len(t)


def _bce_first_column_only(Z, t):
    d = sigmoid(Z[:, 0] - Z[:, 1]) - t
    return np.stack([d, np.zeros_like(d)], axis=1) / len(t)


@register("ch6-ex-bce", cases=_bce_cases,
          wrong=[(_bce_no_mean, "factor"), (_bce_sign, "sign"),
                 (_bce_first_column_only, "values")],
          hint="the loss depends on both scores of each row, through their difference.")
def two_class_gradient(Z, t):
    """Gradient of the mean binary cross-entropy of a = sigmoid(Z[:, 0] - Z[:, 1])
    with respect to the scores Z (N, 2): rows (a_i - t_i, t_i - a_i) / N."""
    d = sigmoid(Z[:, 0] - Z[:, 1]) - t
    return np.stack([d, -d], axis=1) / len(t)


# --- ch6-ex-vjp: the softmax VJP without the matrix --------------------------------

def _vjp_cases(rng):
    cases = []
    for C in (4, 7, 30):
        a = softmax(2.0 * rng.standard_normal(C))
        cases.append((rng.standard_normal(C), a))
    return cases


def _vjp_elementwise(g, a):
    return g * a * (1 - a)             # the diagonal of the Jacobian only


def _vjp_sign(g, a):
    return a * (np.dot(g, a) - g)


@register("ch6-ex-vjp", cases=_vjp_cases,
          wrong=[(_vjp_elementwise, "values"), (_vjp_sign, "sign")],
          hint="the off-diagonal part -a a^T contributes too.")
def softmax_vjp(g, a):
    """g^T (diag(a) - a a^T) as a vector shaped like a, in O(C): a * (g - g.a)."""
    return a * (g - np.dot(g, a))


# --- ch6-ex-temperature ----------------------------------------------------------------

def _temperature_cases(rng):
    return [(rng.standard_normal(5), np.eye(5)[1], 0.5),
            (rng.standard_normal(4), rng.dirichlet(np.ones(4)), 3.0),
            (rng.standard_normal(6), np.eye(6)[4], 7.0)]


def _temperature_forgot_tau(z, t, tau):
    return softmax(z / tau) - t


def _temperature_plain_softmax(z, t, tau):
    return (softmax(z) - t) / tau


@register("ch6-ex-temperature", cases=_temperature_cases,
          wrong=[(_temperature_forgot_tau, "factor"), (_temperature_plain_softmax, "values")],
          hint="the probabilities are softmax(z / tau), not softmax(z).")
def temperature_gradient(z, t, tau):
    """Gradient of L = -sum_j t_j log softmax(z / tau)_j: (softmax(z / tau) - t) / tau."""
    return (softmax(z / tau) - t) / tau


# --- ch6-ex-distill: distillation at a high temperature -----------------------------

def _distill_cases(rng):
    # logits with clearly different means, so that the uncentred formula cannot pass
    return [(rng.standard_normal(5) + 1.5, rng.standard_normal(5) - 0.5, 100.0),
            (rng.standard_normal(4) - 2.0, rng.standard_normal(4), 1000.0),
            (rng.standard_normal(7), rng.standard_normal(7) + 3.0, 50.0)]


def _distill_uncentred(z, v, tau):
    return (z - v) / (len(z) * tau)


def _distill_no_C(z, v, tau):
    return ((z - z.mean()) - (v - v.mean())) / tau


@register("ch6-ex-distill", cases=_distill_cases,
          wrong=[(_distill_uncentred, "values"), (_distill_no_C, "factor")],
          hint="softmax ignores a common shift of its scores: what does that do to "
               "the first-order expansion?")
def distill_approximation(z, v, tau):
    """First-order approximation of softmax(z / tau) - softmax(v / tau) for large tau:
    ((z - mean z) - (v - mean v)) / (C tau)."""
    return ((z - z.mean()) - (v - v.mean())) / (len(z) * tau)


# --- ch6-ex-lse: log-sum-exp ---------------------------------------------------------

def _lse_cases(rng):
    return [(rng.standard_normal(4),), (3.0 * rng.standard_normal(5),),
            (rng.standard_normal(3),)]


def _lse_diagonal_hessian(z):
    a = softmax(z)
    return a, np.diag(a * (1 - a))


def _lse_sign(z):
    a = softmax(z)
    return a, np.outer(a, a) - np.diag(a)


@register("ch6-ex-lse", cases=_lse_cases, names=("gradient", "Hessian"),
          wrong=[(_lse_diagonal_hessian, "Hessian"), (_lse_sign, "sign")])
def lse_gradient_and_hessian(z):
    """The gradient (C,) and the Hessian (C, C) of lse(z) = log sum_k exp(z_k):
    softmax(z) and diag(a) - a a^T."""
    a = softmax(z)
    return a, np.diag(a) - np.outer(a, a)
