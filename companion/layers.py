"""Layers with the cs231n interface: ``out, cache = *_forward(...)`` and
``grads = *_backward(dout, cache)``.

Chapter 4 (:ref:`ch4-layers`).  Samples are in rows: ``x`` is ``(N, D)``.  Every
backward function calls the VJPs of the catalogue (:mod:`companion.vjps`), the
same functions the engine uses, so each formula lives in one place.  No
backward writes into ``dout`` or into anything in the cache.
"""

from __future__ import annotations

import numpy as np

from . import vjps
from .errors import ShapeError, require_finite

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
]


def _matching_dout(op: str, dout, shape) -> np.ndarray:
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != tuple(shape):
        raise ShapeError(op, {"dout": dout.shape, "out": tuple(shape)},
                         "dout is dL/dout and must have the shape of the layer's output")
    return dout


def affine_forward(x, W, b):
    """``out = x W + b`` (eq. ``ch4-eq-affine``), the bias broadcast over the rows.

    Inputs: ``x`` (N, D), ``W`` (D, M), ``b`` (M,).  As in cs231n, ``x`` may
    also be (N, d1, ..., dk), e.g. a batch of images: each sample is then
    flattened to a row of ``D = d1 * ... * dk`` entries first.
    Returns: ``out`` (N, M) and ``cache = (x, W, b)``, ``x`` in its own shape.
    """
    op = "affine_forward"
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if x.ndim < 2 or W.ndim != 2 or b.ndim != 1:
        raise ShapeError(op, {"x": x.shape, "W": W.shape, "b": b.shape},
                         "x must be (N, D) or (N, d1, ..., dk), W (D, M) and b (M,)")
    rows = x.reshape(x.shape[0], -1)  # (N, D): a view, one sample per row
    if rows.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        flat = "" if x.ndim == 2 else f" (x flattened to {rows.shape})"
        raise ShapeError(op, {"x": x.shape, "W": W.shape, "b": b.shape},
                         f"x W + b needs x (N, D), W (D, M), b (M,): here D must be "
                         f"{W.shape[0]} and M must be {W.shape[1]}{flat}")
    for name, a in (("x", x), ("W", W), ("b", b)):
        _require_finite_input(op, name, a)
    return _affine_forward(x, W, b)


def _affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """:func:`affine_forward` without the checks, for callers that made them once."""
    return x.reshape(x.shape[0], -1) @ W + b, (x, W, b)


def _require_finite_input(op: str, name: str, a) -> None:
    """Refuse a NaN or infinity in a layer's input, with its likely cause."""
    require_finite(op, name, a, reason="a NaN or infinity here usually comes from "
                   "a diverging training run (lower the learning rate) or from "
                   "the data (check it with np.isfinite)")


def _affine_cache(cache):
    """``(x, W, b)`` from an :func:`affine_forward` cache, or a clear error."""
    if not (isinstance(cache, tuple) and len(cache) == 3
            and all(isinstance(a, np.ndarray) for a in cache)
            and cache[0].ndim >= 2 and cache[1].ndim == 2 and cache[2].ndim == 1):
        got = (f"a tuple of {len(cache)}" if isinstance(cache, tuple)
               else type(cache).__name__)
        raise TypeError("affine_backward: cache must be the (x, W, b) returned by "
                        f"affine_forward, got {got}; pass the cache of the same "
                        "layer's forward call")
    return cache


def affine_backward(dout, cache):
    """Gradients of ``out = x W + b`` (eqs. ``ch4-eq-dX``, ``ch4-eq-dW``, ``ch4-eq-db``).

    ``dx = dout W^T`` (N, D), ``dW = x^T dout`` (D, M), ``db = sum over rows of dout`` (M,).
    For an input ``x`` of shape (N, d1, ..., dk), ``dx`` has that shape too.
    """
    x, W, b = _affine_cache(cache)
    rows = x.reshape(x.shape[0], -1)
    dout = _matching_dout("affine_backward", dout, (x.shape[0], W.shape[1]))
    dx = vjps.matmul_vjp_a(dout, None, rows, W).reshape(x.shape)
    dW = vjps.matmul_vjp_b(dout, None, rows, W)
    db = vjps.add_vjp_b(dout, None, None, b)  # undo the broadcast of b over the N rows
    return dx, dW, db


def relu_forward(x):
    """``out = max(x, 0)``; cache ``x``. Shapes: any -> same."""
    x = np.asarray(x, dtype=np.float64)
    return vjps.relu(x), x


def relu_backward(dout, cache):
    """``dx = dout * [x > 0]`` (the mask from the input; 0 at x = 0)."""
    x = cache
    dout = _matching_dout("relu_backward", dout, x.shape)
    return vjps.relu_vjp(dout, None, x)


def sigmoid_forward(x):
    """``out = 1 / (1 + e^{-x})``; cache ``out``. Shapes: any -> same."""
    out = vjps.sigmoid(np.asarray(x, dtype=np.float64))
    return out, out


def sigmoid_backward(dout, cache):
    """``dx = dout * out (1 - out)``: sigma' from the output."""
    out = cache
    dout = _matching_dout("sigmoid_backward", dout, out.shape)
    return vjps.sigmoid_vjp(dout, out, None)


def tanh_forward(x):
    """``out = tanh x``; cache ``out``. Shapes: any -> same."""
    out = vjps.tanh(np.asarray(x, dtype=np.float64))
    return out, out


def tanh_backward(dout, cache):
    """``dx = dout * (1 - out^2)``."""
    out = cache
    dout = _matching_dout("tanh_backward", dout, out.shape)
    return vjps.tanh_vjp(dout, out, None)
