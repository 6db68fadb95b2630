"""The catalogue of primitive operations: each forward function beside its VJP.

Chapter 3 (:ref:`ch3-engine`).  A vector-Jacobian product (VJP) takes the
gradient ``g = dL/dout`` arriving at an operation's output and returns
``dL/dinput = g^T (dout/dinput)`` for each input, without ever forming the
Jacobian.  Every op here is two named functions and one line that registers
them; the reverse-mode engine (:mod:`companion.engine`) and the layers of later
chapters call these same VJPs, so each formula lives in one place.

A VJP has the signature ``vjp(g, out, *inputs, **params) -> tuple`` with one
gradient per input, each shaped like that input.

Broadcasting: a binary op may stretch one operand to the other's shape (a bias
``(M,)`` over a batch ``(N, M)``, a scalar over anything), never both; the VJP
undoes the stretch with :func:`sum_to_shape`.  ``(64,)`` with ``(64, 1)`` would
give a ``(64, 64)`` result and is refused with a :class:`~companion.errors.ShapeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import ShapeError

__all__ = ["Primitive", "PRIMITIVES", "register", "sum_to_shape", "broadcast_shape"]


@dataclass(frozen=True)
class Primitive:
    """An op of the catalogue: its name, forward function, VJP and arity."""

    name: str
    forward: Callable
    vjp: Callable
    n_inputs: int


PRIMITIVES: dict[str, Primitive] = {}


def register(name: str, forward: Callable, vjp: Callable, n_inputs: int) -> Primitive:
    """Add an op to the catalogue (one visible line per op, below)."""
    if name in PRIMITIVES:
        raise ValueError(f"op {name!r} is already registered")
    PRIMITIVES[name] = Primitive(name, forward, vjp, n_inputs)
    return PRIMITIVES[name]


# ---------------------------------------------------------------- broadcasting

def broadcast_shape(op: str, a_shape: tuple, b_shape: tuple) -> tuple:
    """The result shape of a binary op, if one operand stretches to the other's shape.

    Allowed: equal shapes; one shape broadcasting to the other (``(N, M)`` with
    ``(M,)``, ``(N, M)`` with ``(N, 1)``, anything with ``()``).  Refused: both
    stretching, as ``(64,)`` with ``(64, 1)`` -> ``(64, 64)``.
    """
    if a_shape == b_shape:
        return a_shape
    try:
        out = np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        out = None
    if out is None or out not in (a_shape, b_shape):
        raise ShapeError(op, {"a": a_shape, "b": b_shape},
                         "the shapes must be equal, or one must broadcast to the other "
                         "(a bias (M,) over (N, M)); broadcasting both ways "
                         f"would give {out} and is refused" if out else
                         "the shapes must be equal, or one must broadcast to the other")
    return out


def sum_to_shape(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``g`` down to ``shape``.

    The forward pass copied an operand along the broadcast axes; each copy
    received part of the gradient, and the operand's gradient is their sum:
    over the leading axes that broadcasting added, and over the axes where
    ``shape`` has size 1 (kept, with size 1).
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if ones:
        g = g.sum(axis=ones, keepdims=True)
    return g


# ---------------------------------------------------------------- arithmetic

def add(a, b):
    return a + b


def add_vjp(g, out, a, b):
    return sum_to_shape(g, a.shape), sum_to_shape(g, b.shape)


register("add", add, add_vjp, 2)


def sub(a, b):
    return a - b


def sub_vjp(g, out, a, b):
    return sum_to_shape(g, a.shape), sum_to_shape(-g, b.shape)


register("sub", sub, sub_vjp, 2)


def mul(a, b):
    return a * b


def mul_vjp(g, out, a, b):
    # Multiply swaps and scales: each input's gradient is g times the *other* input.
    return sum_to_shape(g * b, a.shape), sum_to_shape(g * a, b.shape)


register("mul", mul, mul_vjp, 2)


def div(a, b):
    return a / b


def div_vjp(g, out, a, b):
    return sum_to_shape(g / b, a.shape), sum_to_shape(-g * out / b, b.shape)


register("div", div, div_vjp, 2)


def neg(a):
    return -a


def neg_vjp(g, out, a):
    return (-g,)


register("neg", neg, neg_vjp, 1)


def power(a, *, p):
    return a**p


def power_vjp(g, out, a, *, p):
    return (g * p * a ** (p - 1),)


register("power", power, power_vjp, 1)


def matmul(a, b):
    return a @ b


def matmul_vjp(g, out, a, b):
    # Dimension analysis picks each product: da has a's shape, db has b's.
    if a.ndim == 1 and b.ndim == 1:  # inner product: g is a scalar
        return g * b, g * a
    if a.ndim == 1:  # (n,) @ (n, m) -> (m,)
        return b @ g, np.outer(a, g)
    if b.ndim == 1:  # (m, n) @ (n,) -> (m,)
        return np.outer(g, b), a.T @ g
    return g @ b.T, a.T @ g  # (n, k) @ (k, m) -> (n, m)


register("matmul", matmul, matmul_vjp, 2)


# ---------------------------------------------------------------- elementwise functions

def exp(a):
    return np.exp(a)


def exp_vjp(g, out, a):
    return (g * out,)


register("exp", exp, exp_vjp, 1)


def log(a):
    return np.log(a)


def log_vjp(g, out, a):
    return (g / a,)


register("log", log, log_vjp, 1)


def sigmoid(a):
    # Two branches so that neither exp overflows: for a < 0, e^a / (1 + e^a).
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_vjp(g, out, a):
    return (g * out * (1.0 - out),)  # sigma' = sigma (1 - sigma), from the output


register("sigmoid", sigmoid, sigmoid_vjp, 1)


def tanh(a):
    return np.tanh(a)


def tanh_vjp(g, out, a):
    return (g * (1.0 - out * out),)


register("tanh", tanh, tanh_vjp, 1)


def relu(a):
    return np.maximum(a, 0.0)


def relu_vjp(g, out, a):
    # The mask comes from the input: relu'(a) = 1 where a > 0, and 0 at a = 0 by convention.
    return (g * (a > 0),)


register("relu", relu, relu_vjp, 1)


def maximum(a, b):
    return np.maximum(a, b)


def maximum_vjp(g, out, a, b):
    # Max routes the gradient to the larger input.  At a tie each input gets half:
    # max(x, x) = x has derivative 1, so the two shares must add up to 1 (the seed's
    # "both get 1" would double it), and the split keeps max(a, b) = max(b, a).
    to_a = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
    return sum_to_shape(g * to_a, a.shape), sum_to_shape(g * (1.0 - to_a), b.shape)


register("maximum", maximum, maximum_vjp, 2)


# ---------------------------------------------------------------- reductions and shape

def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)


def sum_(a, *, axis=None, keepdims=False):
    return np.sum(a, axis=axis, keepdims=keepdims)


def sum_vjp(g, out, a, *, axis=None, keepdims=False):
    # Sum copies the gradient back to every summed entry (the add gate, many inputs).
    if not keepdims:
        g = np.expand_dims(g, _axes(axis, a.ndim))
    return (np.broadcast_to(g, a.shape).copy(),)


register("sum", sum_, sum_vjp, 1)


def mean(a, *, axis=None, keepdims=False):
    return np.mean(a, axis=axis, keepdims=keepdims)


def mean_vjp(g, out, a, *, axis=None, keepdims=False):
    count = int(np.prod([a.shape[i] for i in _axes(axis, a.ndim)]))
    (da,) = sum_vjp(g, out, a, axis=axis, keepdims=keepdims)
    return (da / count,)


register("mean", mean, mean_vjp, 1)


def reshape(a, *, shape):
    return np.reshape(a, shape)


def reshape_vjp(g, out, a, *, shape):
    return (np.reshape(g, a.shape),)


register("reshape", reshape, reshape_vjp, 1)


def transpose(a):
    return np.transpose(a)


def transpose_vjp(g, out, a):
    return (np.transpose(g),)


register("transpose", transpose, transpose_vjp, 1)
