"""Derivatives by central differences: the reference every formula is checked against.

Chapter 1 (:ref:`ch1-numeric`).  For a function ``f`` and a point ``x``,

.. math:: \\frac{\\partial f}{\\partial x_i}(x) \\approx
          \\frac{f(x + h e_i) - f(x - h e_i)}{2h},

whose error is :math:`O(h^2)` from truncation plus :math:`O(\\epsilon / h)` from
rounding.  Everything is computed in float64 on a private copy of ``x``: the
caller's array is never modified.

Each function evaluates ``f`` twice per coordinate of ``x``.  When ``f``
accepts a batch (``batched=True``: ``f`` maps an array of shape
``(k,) + x.shape`` to ``(k,) + out_shape``), all probes go through one call per
chunk instead of a Python loop over coordinates.

``f`` may return an array, a number or a :class:`~companion.engine.Tensor`
(its values are used).

Shapes follow numerator layout, like ``jax.jacobian``: the Jacobian of
``f: x -> y`` has shape ``y.shape + x.shape``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import math

import numpy as np

from .errors import FINITE_DIFFERENCES, ShapeError, all_finite, require_finite

__all__ = ["numerical_gradient", "numerical_jacobian", "numerical_vjp", "DEFAULT_STEP"]

#: Default step: near the cube root of float64's epsilon, where the O(h^2)
#: truncation error and the O(eps/h) rounding error of central differences meet.
DEFAULT_STEP = 1e-5

# Probes per batched call: at most this many float64 entries of input at once.
_BATCH_ENTRIES = 2**23
_SIGNS = np.array([[1.0], [-1.0]])  # x + h e_i, then x - h e_i


def _private_copy(op: str, x) -> np.ndarray:
    x = np.array(x, dtype=np.float64, copy=True, order="C")  # C order: reshape(-1) is a view
    require_finite(op, "x", x, reason=FINITE_DIFFERENCES)
    return x


def _check_step(op: str, h: float) -> float:
    h = float(h)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"{op}: the step h must be a positive finite number, got {h}")
    return h


def _evaluate(op: str, f: Callable, x: np.ndarray, where: str, check: bool = True) -> np.ndarray:
    y = np.asarray(f(x), dtype=np.float64)
    if np.may_share_memory(y, x):
        # f returned a view of its argument (an identity, a reshape): the next probe
        # rewrites x, so keep a copy of this value.
        y = y.copy()
    if check:
        require_finite(op, f"f at {where}", y, reason=FINITE_DIFFERENCES)
    return y


def _difference_quotients(
    op: str, f: Callable, x: np.ndarray, h: float, batched: bool
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(coords, Q)``: ``Q[k]`` approximates ``df/dx_i`` for the ``k``-th
    flat coordinate ``i`` in ``coords``; ``Q`` has shape ``(len(coords),) + out_shape``."""
    n = x.size
    flat = x.reshape(-1)  # a view on the private copy
    if not batched:
        for i in range(n):
            old = flat[i]
            up, down = old + h, old - h
            flat[i] = up
            y_up = _evaluate(op, f, x, f"x + h e_{i}")
            flat[i] = down
            y_down = _evaluate(op, f, x, f"x - h e_{i}")
            flat[i] = old
            if y_up.shape != y_down.shape:
                raise ShapeError(op, {"f(x + h e_i)": y_up.shape, "f(x - h e_i)": y_down.shape},
                                 "f must return the same shape at every point")
            # Divide by the step actually taken: (old + h) - (old - h) is not always 2h.
            yield slice(i, i + 1), ((y_up - y_down) / (up - down))[None]
        return
    chunk = max(1, min(n, _BATCH_ENTRIES // (2 * n)))
    out_shape = None
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        k = stop - start
        probes = np.empty((2 * k, n))
        probes[:] = flat  # every probe starts at x; probes i and k + i then move
        # coordinate start + i: entry (i, start + i) of each (k, n) half, number
        # start + i (n + 1) of the half's flat view, so one strided (2, k) view reaches
        # all the moved entries without fancy indexing.
        moved = probes.reshape(2, k * n)[:, start::n + 1]
        moved += h * _SIGNS
        y = _evaluate(op, f, probes.reshape((2 * k,) + x.shape), "", check=False)
        if y.ndim < 1 or y.shape[0] != 2 * k:
            raise ShapeError(op, {"batch of probes": (2 * k,) + x.shape, "f(batch)": y.shape},
                             "with batched=True, f must map (k,) + x.shape to (k,) + out_shape")
        if out_shape is None:
            out_shape = y.shape[1:]
        elif y.shape[1:] != out_shape:
            raise ShapeError(op, {"f per probe, first batch": out_shape,
                                  f"f per probe, probes {start}..{stop - 1}": y.shape[1:]},
                             "f must return the same shape at every point")
        Q = np.subtract(y[:k], y[k:])
        steps = moved[0] - moved[1]  # the steps actually taken: not always exactly 2h
        Q /= steps.reshape((k,) + (1,) * (y.ndim - 1))
        # Q is finite exactly when every f value was (up to an overflowing difference),
        # so the values are searched for a NaN or infinity only when Q has one.
        if not all_finite(Q):
            require_finite(op, f"f at the batch of probes {start}..{stop - 1}", y,
                           reason=FINITE_DIFFERENCES)
        yield slice(start, stop), Q


def numerical_jacobian(f: Callable, x, h: float = DEFAULT_STEP, *, batched: bool = False):
    """Numerical Jacobian of ``f`` at ``x`` by central differences (numerator layout).

    ``J[i..., j...] = d f(x)[i...] / d x[j...]``: shape ``np.shape(f(x)) + np.shape(x)``.
    For ``f: R^n -> R^m`` this is the ``m x n`` matrix of chapter 1, eq.
    :math:`J_{ij} = \\partial f_i / \\partial x_j`.

    Parameters
    ----------
    f : callable, maps an array shaped like ``x`` to an array (any shape).
    x : array_like, the point; never modified.
    h : float, the step.
    batched : bool, if True ``f`` maps ``(k,) + x.shape`` to ``(k,) + out_shape``.

    Returns
    -------
    J : ndarray of shape ``out_shape + x.shape``.
    """
    op = "numerical_jacobian"
    h = _check_step(op, h)
    x = _private_copy(op, x)
    if x.size == 0:
        raise ShapeError(op, {"x": x.shape}, "x must have at least one entry")
    blocks = [q for _, q in _difference_quotients(op, f, x, h, batched)]
    Q = blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=0)  # (n,) + out_shape
    out_shape = Q.shape[1:]
    # Move the probe axis last (np.moveaxis, without its argument checking).
    return Q.transpose(tuple(range(1, Q.ndim)) + (0,)).reshape(out_shape + x.shape)


def numerical_vjp(f: Callable, x, dout, h: float = DEFAULT_STEP, *, batched: bool = False):
    """Numerical vector-Jacobian product: the gradient of ``sum(f(x) * dout)`` w.r.t. ``x``.

    ``dx[j...] = sum_i dout[i...] * d f(x)[i...] / d x[j...]``, i.e. ``J^T dout``
    (cs231n's ``eval_numerical_gradient_array``).  Only one coordinate's
    difference is held at a time, so memory stays ``O(x.size + dout.size)``.

    Parameters
    ----------
    f : callable, maps an array shaped like ``x`` to an array shaped like ``dout``.
    x : array_like, the point; never modified.
    dout : array_like, the upstream gradient, shape ``np.shape(f(x))``.

    Returns
    -------
    dx : ndarray, shape ``np.shape(x)``.
    """
    op = "numerical_vjp"
    h = _check_step(op, h)
    x = _private_copy(op, x)
    dout = np.array(dout, dtype=np.float64)
    require_finite(op, "dout", dout, reason=FINITE_DIFFERENCES)
    dx = np.empty(x.size)
    for coords, Q in _difference_quotients(op, f, x, h, batched):
        if Q.shape[1:] != dout.shape:
            raise ShapeError(op, {"f(x)": Q.shape[1:], "dout": dout.shape},
                             "dout must have the shape of f(x)")
        dx[coords] = np.tensordot(Q, dout, axes=dout.ndim)
    return dx.reshape(x.shape)


def numerical_gradient(f: Callable, x, h: float = DEFAULT_STEP, *, batched: bool = False):
    """Numerical gradient of a scalar function ``f`` at ``x``: shaped like ``x``.

    ``grad[j...] = d f(x) / d x[j...]``.  ``f`` must return a scalar (shape
    ``()``); for a vector-valued ``f`` use :func:`numerical_jacobian` or
    :func:`numerical_vjp`.
    """
    op = "numerical_gradient"
    h = _check_step(op, h)
    x = _private_copy(op, x)
    grad = np.empty(x.size)
    for coords, Q in _difference_quotients(op, f, x, h, batched):
        if Q.shape[1:] != ():
            raise ShapeError(op, {"f(x)": Q.shape[1:]},
                             "a gradient needs a scalar f (shape ()); for a vector f use "
                             "numerical_jacobian or numerical_vjp")
        grad[coords] = Q
    return grad.reshape(x.shape)
