"""Softmax, cross-entropy and the multiclass SVM loss, each with its gradient.

Chapter 6 (:ref:`ch6-softmax`).  For scores ``z`` (one row per sample) and the
softmax ``a = softmax(z)``:

* the softmax Jacobian of one row is ``da_i/dz_j = a_i (I_ij - a_j)``, i.e.
  ``diag(a) - a a^T`` (:func:`softmax_jacobian`);
* with the cross-entropy ``L = -(1/N) sum_i log a_{i, y_i}`` the chain through both
  collapses to ``dL/dz = (a - one_hot(y)) / N`` (:func:`softmax_cross_entropy`).

Everything is computed stably from ``log_softmax`` (subtract the row maximum,
then log-sum-exp), so scores of size 10,000 give finite losses and gradients.
The gradient formulas live in the catalogue (:mod:`companion.vjps`); these
functions validate the input and call them.
"""

from __future__ import annotations

import numpy as np

from . import vjps
from .errors import ShapeError, require_finite, require_labels

__all__ = [
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_linear_jacobian",
    "cross_entropy",
    "softmax_cross_entropy",
    "svm_loss",
    "l2_penalty",
]


def _scores(op: str, scores) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    require_finite(op, "scores", scores,
                   reason="non-finite scores usually come from a diverging training "
                          "run (lower the learning rate) or from non-finite inputs")
    return scores


def _scores_and_labels(op: str, scores, y):
    """The checks of a loss's inputs, made once: finite scores (N, C), labels (N,) in range."""
    scores = _scores(op, scores)
    if scores.ndim != 2:
        raise ShapeError(op, {"scores": scores.shape}, "scores must be (N, C): one row per sample")
    y = require_labels(op, y, scores.shape[1], of=("scores", scores.shape))
    return scores, y


def softmax(z, axis: int = -1) -> np.ndarray:
    """``exp(z_i) / sum_j exp(z_j)`` along ``axis``, computed as
    ``exp(z_i - m) / sum_j exp(z_j - m)`` with ``m = max_j z_j`` (eq. ``ch6-eq-softmax-stable``)."""
    z = _scores("softmax", z)
    vjps.check_axis("softmax", z.shape, axis)
    return vjps.softmax(z, axis=axis)


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """``z_i - log sum_j exp(z_j)`` along ``axis``, stably (the maximum is subtracted first)."""
    z = _scores("log_softmax", z)
    vjps.check_axis("log_softmax", z.shape, axis)
    return vjps.log_softmax(z, axis=axis)


def softmax_jacobian(z) -> np.ndarray:
    """Jacobian of ``a = softmax(z)`` for one vector ``z`` (C,): ``diag(a) - a a^T`` (C, C).

    Entry ``(i, j)`` is ``a_i (I_ij - a_j)`` (eq. ``ch6-eq-softmax-jacobian``).
    """
    z = _scores("softmax_jacobian", z)
    if z.ndim != 1:
        raise ShapeError("softmax_jacobian", {"z": z.shape},
                         "the Jacobian is for one vector of scores (C,)")
    a = vjps.softmax(z)
    return np.diag(a) - np.outer(a, a)


def softmax_linear_jacobian(W, x) -> np.ndarray:
    """Jacobian of ``x -> softmax(W x)`` (m, n) in O(mn): ``a * W - a (a^T W)``.

    The chain rule gives ``(diag(a) - a a^T) W``, an O(m^2 n) product; distributed,
    ``diag(a) W`` is a row scaling and ``a (a^T W)`` an outer product
    (chapter 9, eq. ``ch9-eq-cheap``).  ``W`` is (m, n), ``x`` is (n,).
    """
    W = _scores("softmax_linear_jacobian", W)
    x = _scores("softmax_linear_jacobian", x)
    if W.ndim != 2 or x.shape != W.shape[1:]:
        raise ShapeError("softmax_linear_jacobian", {"W": W.shape, "x": x.shape},
                         "W must be (m, n) and x (n,): the scores are W @ x")
    a = vjps.softmax(W @ x)
    return a[:, None] * W - np.outer(a, a @ W)


def cross_entropy(probs, y) -> float:
    """Mean over rows of ``-log probs[i, y_i]``, for probabilities ``probs`` (N, C).

    Prefer :func:`softmax_cross_entropy` on scores: taking the log of a
    probability that underflowed to 0 gives infinity.
    """
    op = "cross_entropy"
    probs, y = _scores_and_labels(op, probs, y)
    if np.any(probs < 0) or np.any(probs > 1):
        raise ValueError(f"{op}: probs must lie in [0, 1]; pass scores to "
                         "softmax_cross_entropy instead")
    with np.errstate(divide="ignore"):
        return float(-np.log(probs[np.arange(y.size), y]).mean())


def softmax_cross_entropy(scores, y):
    """Mean softmax cross-entropy and its gradient (eq. ``ch6-eq-delta``).

    Inputs: ``scores`` (N, C), integer labels ``y`` (N,) in ``0..C-1``.
    Returns: ``(loss, dscores)`` with ``dscores = (softmax(scores) - one_hot(y)) / N`` (N, C).
    """
    scores, y = _scores_and_labels("softmax_cross_entropy", scores, y)
    return _softmax_cross_entropy(scores, y)


def _softmax_cross_entropy(scores: np.ndarray, y: np.ndarray):
    """:func:`softmax_cross_entropy` without the checks (the caller made them).

    The log-softmax is computed once; its exponential, the softmax, is kept from
    the forward pass and handed to the VJP, which would otherwise compute it again.
    """
    loss, probs = vjps.softmax_cross_entropy_with_probs(scores, y=y)
    return float(loss), vjps.softmax_cross_entropy_vjp(1.0, loss, scores, y=y, residual=probs)


def svm_loss(scores, y, margin: float = 1.0):
    """Multiclass SVM (hinge) loss, mean over rows, and its gradient.

    ``L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i y_i} + margin)``; each
    violated margin adds ``1/N`` to ``dscores[i, j]`` and ``-1/N`` to ``dscores[i, y_i]``.
    Inputs: ``scores`` (N, C), integer labels ``y`` (N,). Returns ``(loss, dscores)``.
    """
    scores, y = _scores_and_labels("svm_loss", scores, y)
    loss = vjps.svm_loss(scores, y=y, margin=margin)
    return float(loss), vjps.svm_loss_vjp(1.0, loss, scores, y=y, margin=margin)


def l2_penalty(reg: float, *weights):
    """``reg * sum_W ||W||^2`` and its gradient ``2 reg W`` for each ``W`` (eq. ``ch7-eq-reg``)."""
    value = reg * sum(float(np.sum(W * W)) for W in weights)
    return value, [2.0 * reg * W for W in weights]
