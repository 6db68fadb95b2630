"""The catalogue of primitive operations: each forward function beside its VJP.

Chapter 3 (:ref:`ch3-engine`).  A vector-Jacobian product (VJP) takes the
gradient ``g = dL/dout`` arriving at an operation's output and returns
``dL/dinput = g^T (dout/dinput)`` for each input, without ever forming the
Jacobian.  Every op here is two named functions and one line that registers
them; the reverse-mode engine (:mod:`companion.engine`) and the layers of later
chapters call these same VJPs, so each formula lives in one place.

Each input has its own VJP, ``vjp(g, out, *inputs, **params) -> gradient``
shaped like that input (as in HIPS autograd), so the engine computes only the
gradients some tensor needs: ``X @ W`` with a constant ``X`` never pays for ``dX``.

Broadcasting follows numpy's rule: shapes are aligned from the right, and each
pair of sizes must be equal or one of them 1.  One operand may stretch to the
other's shape (a bias ``(M,)`` over a batch ``(N, M)``, a scalar over anything),
or both may stretch (``(3, 1) * (1, 4)`` gives the ``(3, 4)`` outer product, as
in numpy and PyTorch); each VJP undoes the stretch of its own input with
:func:`sum_to_shape`.  Incompatible shapes, such as ``(3,)`` with ``(4,)``, raise
a :class:`~companion.errors.ShapeError`.  Stretching both ways is also how
``(64,)`` with ``(64, 1)`` silently becomes ``(64, 64)``: the result's shape is
worth a look whenever both operands are vectors of different ranks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import ShapeError, require_labels

__all__ = ["Primitive", "PRIMITIVES", "register", "sum_to_shape", "broadcast_shape",
           "check_axis"]


@dataclass(frozen=True)
class Primitive:
    """An op of the catalogue: its name, forward function and one VJP per input.

    ``forward_with_residual``, when an op has one, returns ``(out, residual)``: a
    value the forward pass computed anyway and the VJP needs (JAX calls these
    residuals).  The engine stores it and passes it to the VJPs as
    ``residual=``; a VJP called without it recomputes it.
    """

    name: str
    forward: Callable
    vjps: tuple
    forward_with_residual: Callable | None = None

    @property
    def n_inputs(self) -> int:
        return len(self.vjps)


PRIMITIVES: dict[str, Primitive] = {}


def register(name: str, forward: Callable, *vjps: Callable,
             forward_with_residual: Callable | None = None) -> Primitive:
    """Add an op to the catalogue: its forward function, then the VJP for each input."""
    if name in PRIMITIVES:
        raise ValueError(f"op {name!r} is already registered")
    PRIMITIVES[name] = Primitive(name, forward, tuple(vjps), forward_with_residual)
    return PRIMITIVES[name]


# The hot paths reduce with the ufuncs themselves: ``g.sum(axis=0)`` and ``a.max()`` go
# through a Python wrapper in numpy, which costs as much as the sum of a small array.
_add_reduce, _max_reduce = np.add.reduce, np.maximum.reduce
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # by itemsize


# ---------------------------------------------------------------- broadcasting

def broadcast_shape(op: str, a_shape: tuple, b_shape: tuple) -> tuple:
    """The result shape of a binary op under numpy's broadcasting rule.

    Shapes are aligned from the right; each pair of sizes must be equal or one
    of them 1 (a missing leading axis counts as 1).  ``(N, M)`` with ``(M,)``
    gives ``(N, M)``; ``(3, 1)`` with ``(1, 4)`` gives ``(3, 4)``.  Anything else,
    such as ``(3,)`` with ``(4,)``, raises :class:`ShapeError` naming ``op``.
    """
    if a_shape == b_shape:
        return a_shape
    try:
        return np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        raise ShapeError(op, {"a": a_shape, "b": b_shape},
                         "broadcasting aligns the shapes from the right and needs each "
                         "pair of sizes equal or one of them 1; reshape an operand "
                         "(e.g. a[:, None]) or fix its size") from None


def sum_to_shape(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``g`` down to ``shape``.

    The forward pass copied an operand along the broadcast axes; each copy
    received part of the gradient, and the operand's gradient is their sum:
    over the leading axes that broadcasting added, and over the axes where
    ``shape`` has size 1 (kept, with size 1).  ``shape`` must broadcast to
    ``g.shape``; anything else is a :class:`ShapeError`, never a wrong sum.
    """
    if g.shape == shape:
        return g
    shape = tuple(shape)
    if g.shape[1:] == shape:  # the common case: a bias broadcast over the rows of a batch
        return _add_reduce(g, axis=0)
    extra = g.ndim - len(shape)
    if extra < 0 or any(n not in (1, m) for n, m in zip(shape, g.shape[extra:])):
        raise ShapeError("sum_to_shape", {"g": g.shape, "target": shape},
                         "the target must broadcast to g's shape (it is the shape of an "
                         "operand that was broadcast to make g)")
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if ones:
        g = g.sum(axis=ones, keepdims=True)
    return g


def check_axis(op: str, shape: tuple, axis) -> None:
    """Raise :class:`ShapeError` unless every axis in ``axis`` exists for ``shape``."""
    if axis is None:
        return
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    bad = [a for a in axes if not -len(shape) <= a < len(shape)]
    if bad:
        raise ShapeError(op, {"x": shape}, f"axis {bad[0]} does not exist for an array with "
                         f"{len(shape)} axes")


# ---------------------------------------------------------------- arithmetic

def add(a, b):
    return a + b


def add_vjp_a(g, out, a, b):
    return g if g.shape == a.shape else sum_to_shape(g, a.shape)  # add distributes g unchanged to both inputs


def add_vjp_b(g, out, a, b):
    return g if g.shape == b.shape else sum_to_shape(g, b.shape)


register("add", add, add_vjp_a, add_vjp_b)


def sub(a, b):
    return a - b


def sub_vjp_a(g, out, a, b):
    return g if g.shape == a.shape else sum_to_shape(g, a.shape)


def sub_vjp_b(g, out, a, b):
    return sum_to_shape(-g, b.shape)


register("sub", sub, sub_vjp_a, sub_vjp_b)


def mul(a, b):
    return a * b


def mul_vjp_a(g, out, a, b):
    # multiply swaps: a's gradient is g times b
    return sum_to_shape(g * b, a.shape)


def mul_vjp_b(g, out, a, b):
    return sum_to_shape(g * a, b.shape)


register("mul", mul, mul_vjp_a, mul_vjp_b)


def div(a, b):
    return a / b


def div_vjp_a(g, out, a, b):
    return sum_to_shape(g / b, a.shape)


def div_vjp_b(g, out, a, b):
    return sum_to_shape(-g * out / b, b.shape)  # d(a/b)/db = -a/b^2 = -out/b


register("div", div, div_vjp_a, div_vjp_b)


def neg(a):
    return -a


def neg_vjp(g, out, a):
    return -g


register("neg", neg, neg_vjp)


def power(a, *, p):
    return a**p


def power_vjp(g, out, a, *, p):
    if p == 0:
        # a ** 0 = 1 is a constant: gradient 0 everywhere, also at a = 0, where the
        # formula p * a ** (p - 1) would give 0 * inf = NaN (PyTorch also gives 0).
        return np.zeros(np.broadcast_shapes(np.shape(g), np.shape(a)))
    return g * p * a ** (p - 1)


register("power", power, power_vjp)


def rpow(a, *, base):
    """``base ** a`` entrywise, for a constant ``base > 0`` (Python's ``2 ** t``)."""
    return np.power(base, a)


def rpow_vjp(g, out, a, *, base):
    # d(c^a)/da = log(c) c^a = log(c) * out.
    return g * out * np.log(base)


register("rpow", rpow, rpow_vjp)


def abs_(a):
    """``|a|`` entrywise."""
    return np.abs(a)


def abs_vjp(g, out, a):
    # d|a|/da = sign(a): +1, -1, and the subgradient 0 at a = 0 (as PyTorch).
    return g * np.sign(a)


register("abs", abs_, abs_vjp)


def matmul(a, b):
    return a @ b


# Dimension analysis picks each product: da has the shape of a, db the shape of b.
def matmul_vjp_a(g, out, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else np.outer(g, b)  # (n,)@(n,) or (m, n)@(n,)
    return b @ g if a.ndim == 1 else g @ b.T  # (n,)@(n, m) or (n, k)@(k, m)


def matmul_vjp_b(g, out, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else np.outer(a, g)
    return a.T @ g


register("matmul", matmul, matmul_vjp_a, matmul_vjp_b)


# ---------------------------------------------------------------- elementwise functions

def exp(a):
    return np.exp(a)


def exp_vjp(g, out, a):
    return g * out


register("exp", exp, exp_vjp)


def log(a):
    return np.log(a)


def log_vjp(g, out, a):
    return g / a


register("log", log, log_vjp)


def sigmoid(a):
    # Two branches so that neither exp overflows: for a < 0, e^a / (1 + e^a).
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_vjp(g, out, a):
    return g * out * (1.0 - out)  # sigma' = sigma (1 - sigma), from the output


register("sigmoid", sigmoid, sigmoid_vjp)


def tanh(a):
    return np.tanh(a)


def tanh_vjp(g, out, a):
    return g * (1.0 - out * out)


register("tanh", tanh, tanh_vjp)


def relu(a):
    return np.maximum(a, 0.0)


def relu_vjp(g, out, a):
    # The mask comes from the input: relu'(a) = 1 where a > 0, and 0 at a = 0 by convention.
    return g * (a > 0)


register("relu", relu, relu_vjp)


def maximum(a, b):
    return np.maximum(a, b)


def _share_of_a(a, b):
    # Max routes the gradient to the larger input.  At a tie each input gets half:
    # max(x, x) = x has derivative 1, so the two shares must add up to 1 (the seed's
    # "both get 1" would double it), and the split keeps max(a, b) = max(b, a).
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def maximum_vjp_a(g, out, a, b):
    return sum_to_shape(g * _share_of_a(a, b), a.shape)


def maximum_vjp_b(g, out, a, b):
    return sum_to_shape(g * (1.0 - _share_of_a(a, b)), b.shape)


register("maximum", maximum, maximum_vjp_a, maximum_vjp_b)


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
    return np.broadcast_to(g, a.shape).copy()


register("sum", sum_, sum_vjp)


def mean(a, *, axis=None, keepdims=False):
    return np.mean(a, axis=axis, keepdims=keepdims)


def mean_vjp(g, out, a, *, axis=None, keepdims=False):
    count = int(np.prod([a.shape[i] for i in _axes(axis, a.ndim)]))
    return sum_vjp(g, out, a, axis=axis, keepdims=keepdims) / count


register("mean", mean, mean_vjp)


def reshape(a, *, shape):
    return np.reshape(a, shape)


def reshape_vjp(g, out, a, *, shape):
    return np.reshape(g, a.shape)


register("reshape", reshape, reshape_vjp)


def transpose(a):
    return np.transpose(a)


def transpose_vjp(g, out, a):
    return np.transpose(g)


register("transpose", transpose, transpose_vjp)


def getitem(a, *, index):
    """``a[index]``: the entries that an int, a slice, a tuple of them or an
    integer array picks."""
    return a[index]


def getitem_vjp(g, out, a, *, index):
    # Indexing copies some entries of a: each gets back the gradient of its copy,
    # every other entry gets 0.  np.add.at adds (never overwrites), so an entry
    # picked twice, as in a[[0, 0]], receives the sum of both gradients.
    da = np.zeros(a.shape)
    np.add.at(da, index, g)
    return da


register("getitem", getitem, getitem_vjp)


# ---------------------------------------------------------------- losses

def _check_labels(op: str, scores, y):
    if scores.ndim != 2:
        raise ShapeError(op, {"scores": scores.shape}, "scores must be (N, C): one row per sample")
    if y.shape != (scores.shape[0],):
        raise ShapeError(op, {"scores": scores.shape, "y": y.shape},
                         f"y must hold one label per row of scores: shape ({scores.shape[0]},)")
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels y must be integers, got dtype {y.dtype}")
    # One reduction tests both bounds: seen as unsigned integers, negative labels are huge.
    if y.size and _max_reduce(y.view(_UNSIGNED[y.itemsize])) >= scores.shape[1]:
        require_labels(op, y, scores.shape[1])  # names the bad entries


def log_softmax(scores, axis=-1):
    """``log softmax`` along ``axis``, stably: subtract the maximum first (log-sum-exp)."""
    shifted = scores - _max_reduce(scores, axis=axis, keepdims=True)
    return shifted - np.log(_add_reduce(np.exp(shifted), axis=axis, keepdims=True))


def log_softmax_vjp(g, out, scores, axis=-1):
    # d log a_i / d z_j = I_ij - a_j, so J^T g = g - a * sum(g), with a = exp(out).
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


register("log_softmax", log_softmax, log_softmax_vjp)


def softmax(scores, axis=-1):
    """``exp(z_i - m) / sum_j exp(z_j - m)`` along ``axis``, with ``m`` the maximum.

    The stable formula of chapter 6 (eq. ``ch6-eq-softmax-stable``): one exponential
    per entry, computed in place on the shifted copy (``exp(log_softmax(z))``
    would take two).
    """
    e = scores - _max_reduce(scores, axis=axis, keepdims=True)
    if e.dtype.kind != "f":
        e = e.astype(np.float64)
    np.exp(e, out=e)
    e /= _add_reduce(e, axis=axis, keepdims=True)
    return e


def softmax_vjp(g, out, scores, axis=-1):
    # J = diag(a) - a a^T applied without forming it: J^T g = a * (g - <g, a>), O(C) per row.
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


register("softmax", softmax, softmax_vjp)


def softmax_cross_entropy(scores, *, y):
    """Mean over the N rows of ``-log softmax(scores)[i, y_i]``; scores (N, C), y (N,) ints."""
    return softmax_cross_entropy_with_probs(scores, y=y)[0]


def softmax_cross_entropy_with_probs(scores, *, y):
    """The loss and, as the residual its VJP needs, the softmax probabilities."""
    _check_labels("softmax_cross_entropy", scores, y)
    logp = log_softmax(scores)
    return -_add_reduce(logp[np.arange(y.size), y]) / y.size, np.exp(logp)


def softmax_cross_entropy_vjp(g, out, scores, *, y, residual=None):
    # The chain through softmax and cross-entropy collapses to (softmax - one_hot) / N.
    probs = np.exp(log_softmax(scores)) if residual is None else residual
    scale = float(g) / y.size  # g is the loss's gradient: one number
    dscores = probs * scale  # a new array: the residual itself is never written
    dscores[np.arange(y.size), y] -= scale
    return dscores


register("softmax_cross_entropy", softmax_cross_entropy, softmax_cross_entropy_vjp,
         forward_with_residual=softmax_cross_entropy_with_probs)


def svm_loss(scores, *, y, margin=1.0):
    """Multiclass hinge loss, mean over rows: ``sum_{j != y_i} max(0, s_ij - s_iy_i + margin)``."""
    _check_labels("svm_loss", scores, y)
    return _svm_margins(scores, y, margin).sum() / y.size


def _svm_margins(scores, y, margin):
    rows = np.arange(y.size)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return margins


def svm_loss_vjp(g, out, scores, *, y, margin=1.0):
    # Each violated margin sends +1 to its class and -1 to the correct class.
    # At a kink (a margin exactly 0) the gradient taken is 0.
    rows = np.arange(y.size)
    d = (_svm_margins(scores, y, margin) > 0).astype(np.float64)
    d[rows, y] = 0.0 - d.sum(axis=1)  # 0.0 - x, not -x: no negative zeros
    return d * (g / y.size)


register("svm_loss", svm_loss, svm_loss_vjp)
