"""The vector chain rule as a product of Jacobians, and what the order of that product costs.

Chapter 2 (:ref:`ch2-cost`).  For a chain ``x = v_0 -> v_1 -> ... -> v_K`` of
``K`` stages with stage Jacobians ``J_l = d v_l / d v_{l-1}`` of shape
``(n_l, n_{l-1})``, the chain rule gives

.. math:: \\frac{\\partial v_K}{\\partial v_0} = J_K J_{K-1} \\cdots J_1 .

Matrix multiplication is associative, so the product can be taken from the
input side (forward accumulation: ``J_2 J_1``, then ``J_3 (J_2 J_1)``, ...) or
from the output side (reverse accumulation, what backpropagation does:
``J_K J_{K-1}``, then ``(J_K J_{K-1}) J_{K-2}``, ...).  The result is the same;
the number of multiply-adds is not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import ShapeError

__all__ = ["chain_product", "accumulation_cost", "check_chain"]

_ORDERS = ("forward", "reverse")


def check_chain(jacobians: Sequence) -> list[np.ndarray]:
    """Check that ``J_1, ..., J_K`` (input side first) can be chained; return them as arrays.

    ``J_l`` must have shape ``(n_l, n_{l-1})``: its number of columns is the
    number of rows of ``J_{l-1}``.
    """
    Js = [np.asarray(J, dtype=np.float64) for J in jacobians]
    if not Js:
        raise ValueError("check_chain: the chain needs at least one Jacobian")
    for i, J in enumerate(Js):
        if J.ndim != 2:
            raise ShapeError("chain_product", {f"J_{i + 1}": J.shape},
                             "each stage's Jacobian must be a matrix (n_i, n_{i-1})")
    for i in range(1, len(Js)):
        if Js[i].shape[1] != Js[i - 1].shape[0]:
            raise ShapeError("chain_product", {f"J_{i}": Js[i - 1].shape,
                                               f"J_{i + 1}": Js[i].shape},
                             f"J_{i + 1} must have as many columns as J_{i} has rows "
                             f"(stage {i + 1} reads the {Js[i - 1].shape[0]} outputs of "
                             f"stage {i})")
    return Js


def chain_product(jacobians: Sequence, order: str = "reverse") -> tuple[np.ndarray, int]:
    """The Jacobian of the whole chain, ``J_K ... J_1``, and the multiply-adds it took.

    Parameters
    ----------
    jacobians : ``[J_1, ..., J_K]``, the input-side stage first; ``J_l`` of shape
        ``(n_l, n_{l-1})``.
    order : ``"forward"`` (from the input side) or ``"reverse"`` (from the output side).

    Returns
    -------
    J : ndarray ``(n_K, n_0)``.
    cost : int, multiply-adds (an ``(a, b) @ (b, c)`` product costs ``a * b * c``).
    """
    if order not in _ORDERS:
        raise ValueError(f"chain_product: order must be 'forward' or 'reverse', got {order!r}")
    Js = check_chain(jacobians)
    cost = 0
    if order == "forward":
        P = Js[0]
        for J in Js[1:]:
            cost += J.shape[0] * J.shape[1] * P.shape[1]
            P = J @ P
    else:
        P = Js[-1]
        for J in reversed(Js[:-1]):
            cost += P.shape[0] * P.shape[1] * J.shape[1]
            P = P @ J
    return P, cost


def accumulation_cost(sizes: Sequence[int], order: str = "reverse") -> int:
    """Multiply-adds to form the Jacobian of a chain with dimensions ``n_0, n_1, ..., n_K``.

    Forward: ``sum_{l>=2} n_l n_{l-1} n_0`` (eq. ``ch2-eq-cost-forward``); reverse:
    ``sum_{l<=K-1} n_K n_l n_{l-1}`` (eq. ``ch2-eq-cost-reverse``).
    For ``R^n -> R`` (``n_K = 1``) reverse accumulation is the cheaper order: for
    ``[n, n, n, 1]`` it costs ``2 n^2`` against ``n^3 + n^2``, a ratio of ``(n + 1) / 2``;
    for ``R -> R^m`` (``n_0 = 1``) it is the other way round.
    """
    if order not in _ORDERS:
        raise ValueError(f"accumulation_cost: order must be 'forward' or 'reverse', "
                         f"got {order!r}")
    n = [int(s) for s in sizes]
    if len(n) < 2 or min(n) < 1:
        raise ValueError("accumulation_cost: sizes must list n_0, ..., n_k (k >= 1), each >= 1")
    k = len(n) - 1
    if order == "forward":
        return sum(n[i] * n[i - 1] * n[0] for i in range(2, k + 1))
    return sum(n[k] * n[i] * n[i - 1] for i in range(1, k))
