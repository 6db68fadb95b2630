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

An op owns everything about itself.  Its :class:`Primitive` carries, besides the
forward function and the VJPs, the symbol that printouts and circuit diagrams
show, the rule its input shapes must obey, and how its VJPs take a block of
upstream gradients with a leading axis (chapter 9).  Ops of the same kind share
these through a :class:`Kind`: :data:`ELEMENTWISE`, :data:`BROADCASTING`,
:data:`ALONG_AXIS`.  The engine, the block pass and the circuit diagrams read
them from the primitive and never test an op's name.

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

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import ShapeError, require_labels

__all__ = ["Primitive", "PRIMITIVES", "register", "sum_to_shape", "broadcast_shape",  # noqa: RUF022
           "check_axis"]


# ---------------------------------------------------------------- the catalogue

@dataclass(frozen=True)
class Kind:
    """What the ops of one kind share (see :func:`register`).

    ``check(name, shapes, params)`` raises :class:`ShapeError` for input shapes
    the op refuses.  ``batch(vjp, i)`` turns the VJP for input ``i`` into one
    that takes a block ``G`` of upstream gradients, one per row of a new leading
    axis, and returns one gradient per row (chapter 9).  ``elementwise`` ops
    compute each output entry from the same entry of their inputs, so their VJP
    is ``g * s`` for a vector ``s`` of local derivatives.
    """

    check: Callable | None = None
    batch: Callable | None = None
    elementwise: bool = False


@dataclass(frozen=True)
class Primitive:
    """An op of the catalogue: everything the package knows about it.

    Attributes
    ----------
    name : str, the key in :data:`PRIMITIVES`.
    forward : the function ``forward(*inputs, **params) -> out``.
    vjps : one function per input, ``vjp(g, out, *inputs, **params)``.
    symbol : str, how step printouts and circuit diagrams write the op (``"*"``).
    check : ``check(name, shapes, params)``, or None: raises :class:`ShapeError`
        for input shapes the op refuses, before the forward function runs.
    batched_vjps : tuple or None, one per input: the VJP applied to a block
        ``G`` of shape ``(k,) + out.shape``, returning ``(k,) + input.shape``.
        None: the block pass applies the VJP to one row at a time.
    elementwise : bool, each output entry depends only on the same entry of
        each input (after broadcasting): the VJP is ``g * s``.
    factored_vjps : tuple or None, one per input: the VJP applied to a factored
        block ``diag(d) + U V^T`` arriving at a vector output
        (:class:`companion.blocks.DiagPlusLowRank`); each returns a block, or
        None where it has no cheaper rule than the dense one.
    forward_with_residual : returns ``(out, residual)``: a value the forward
        pass computed anyway and the VJP needs (JAX calls these residuals).
        The engine stores it and passes it to the VJPs as ``residual=``; a VJP
        called without it recomputes it.
    gate : str or None, a format of the op's parameters for the text of a
        circuit-diagram gate (``"**{p:g}"`` shows ``**2``).
    ordered : bool, a diagram writes a constant first operand before ``x``
        (``2/x``, ``1-x``); otherwise the constant follows the symbol (``*2``).
    """

    name: str
    forward: Callable
    vjps: tuple
    symbol: str
    check: Callable | None = None
    batched_vjps: tuple | None = None
    elementwise: bool = False
    factored_vjps: tuple | None = None
    forward_with_residual: Callable | None = None
    gate: str | None = None
    ordered: bool = False

    @property
    def n_inputs(self) -> int:
        return len(self.vjps)


class Catalogue(dict):
    """The ops by name; also readable as attributes: ``PRIMITIVES.mul``."""

    def __setitem__(self, name: str, prim: Primitive) -> None:
        super().__setitem__(name, prim)
        # Also an attribute, so that the engine's ``ops.mul`` is an ordinary (fast)
        # attribute lookup; __getattr__ below then runs only for a name not registered.
        setattr(self, name, prim)

    def __getattr__(self, name: str) -> Primitive:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no op {name!r} in the catalogue; the ops are "
                                 f"{', '.join(self)}") from None


#: The catalogue: every op's :class:`Primitive`, by name.
PRIMITIVES: dict[str, Primitive] = Catalogue()
#: How each op is written in step printouts and on circuit diagrams, by name.
SYMBOLS: dict[str, str] = {}


def register(name: str, forward: Callable, *vjps: Callable, symbol: str | None = None,
             kind: Kind = Kind(), check: Callable | None = None,
             batched: tuple | None = None, factored: tuple | None = None,
             forward_with_residual: Callable | None = None, gate: str | None = None,
             ordered: bool = False) -> Primitive:
    """Add an op to the catalogue: its forward function, then the VJP for each input.

    ``symbol`` defaults to the name; ``kind`` supplies the shape check, the
    batching rule and ``elementwise`` (``check=`` and ``batched=`` override
    them).  Returns the :class:`Primitive`.
    """
    if name in PRIMITIVES:
        raise ValueError(f"op {name!r} is already registered")
    if batched is None and kind.batch is not None:
        batched = tuple(kind.batch(vjp, i) for i, vjp in enumerate(vjps))
    PRIMITIVES[name] = Primitive(
        name, forward, tuple(vjps), symbol or name, check=check or kind.check,
        batched_vjps=batched, elementwise=kind.elementwise, factored_vjps=factored,
        forward_with_residual=forward_with_residual, gate=gate, ordered=ordered)
    SYMBOLS[name] = PRIMITIVES[name].symbol
    return PRIMITIVES[name]


# ---------------------------------------------------------------- shapes and axes

def normalize_axes(axis, shape: tuple, op: str = "axis") -> tuple:
    """``axis`` (None, an int or a tuple; negative counts from the end) as a
    tuple of axes of ``shape`` in ``0..ndim-1``; None means every axis.

    Raises :class:`ShapeError` naming ``op`` for an axis that does not exist.
    """
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    bad = [a for a in axes if not -ndim <= a < ndim]
    if bad:
        raise ShapeError(op, {"x": shape},
                         f"axis {bad[0]} does not exist for an array with {ndim} axes")
    return tuple(int(a) % ndim for a in axes)


def check_axis(op: str, shape: tuple, axis) -> None:
    """Raise :class:`ShapeError` unless every axis in ``axis`` exists for ``shape``."""
    normalize_axes(axis, shape, op)


def broadcast_shape(op: str, a_shape: tuple, b_shape: tuple) -> tuple:
    """The result shape of a binary op under numpy's broadcasting rule.

    Shapes are aligned from the right; each pair of sizes must be equal or one
    of them 1 (a missing leading axis counts as 1).  ``(N, M)`` with ``(M,)``
    gives ``(N, M)``; ``(3, 1)`` with ``(1, 4)`` gives ``(3, 4)``.  Anything else,
    such as ``(3,)`` with ``(4,)``, raises :class:`ShapeError` naming ``op``.
    """
    if a_shape == b_shape:
        return a_shape
    n = max(len(a_shape), len(b_shape))
    a = (1,) * (n - len(a_shape)) + tuple(a_shape)  # a missing leading axis counts as 1
    b = (1,) * (n - len(b_shape)) + tuple(b_shape)
    if any(m != k and m != 1 and k != 1 for m, k in zip(a, b)):
        raise ShapeError(op, {"a": a_shape, "b": b_shape},
                         "broadcasting aligns the shapes from the right and needs each "
                         "pair of sizes equal or one of them 1; reshape an operand "
                         "(e.g. a[:, None]) or fix its size")
    return tuple(k if m == 1 else m for m, k in zip(a, b))


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
        return g.sum(axis=0)
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


# The shape checks of the kinds and of single ops: check(name, shapes, params).

def _check_broadcasting(name, shapes, params):
    broadcast_shape(name, *shapes)


def _check_axis_param(name, shapes, params):
    if "axis" in params:
        check_axis(name, shapes[0], params["axis"])


def _check_matmul(name, shapes, params):
    a, b = shapes
    if not (1 <= len(a) <= 2 and 1 <= len(b) <= 2):
        raise ShapeError(name, {"a": a, "b": b}, "a @ b needs vectors or matrices (1-d or 2-d)")
    if a[-1] != b[0]:
        raise ShapeError(name, {"a": a, "b": b},
                         f"a @ b needs a.shape[-1] == b.shape[0] ({a[-1]} != {b[0]})")


def _check_reshape(name, shapes, params):
    shape, new = shapes[0], tuple(params["shape"])
    try:
        np.empty(shape, dtype=np.bool_).reshape(new)
    except ValueError:
        raise ShapeError(name, {"x": shape, "new shape": new},
                         f"a reshape keeps the number of entries ({int(np.prod(shape))})"
                         ) from None


# The batching rules of the kinds: batch(vjp, i) -> the VJP for a block of gradients.

def _same_vjp(vjp, i):
    # g * s, or g / a, broadcasts over a leading axis of g as it is.
    return vjp


def _lift_input(vjp, i):
    # Input i is passed as k stacked copies (a view, no copy), aligned with G's
    # axes, so that the sum over broadcast axes (sum_to_shape) keeps one row each.
    def batched(G, out, *inputs, **params):
        x = inputs[i]
        k = G.shape[0]
        args = list(inputs)
        args[i] = np.broadcast_to(x, (k,) + (1,) * (out.ndim - x.ndim) + x.shape)
        return vjp(G, out, *args, **params).reshape((k,) + x.shape)
    return batched


def _shift_axis(vjp, i):
    # The reduction axes move one to the right, past the block's leading axis.
    default = inspect.signature(vjp).parameters["axis"].default

    def batched(G, out, x, axis=default, **params):
        axes = tuple(a + 1 for a in normalize_axes(axis, x.shape))
        return vjp(G, out, np.broadcast_to(x, G.shape[:1] + x.shape), axis=axes, **params)
    return batched


#: Entrywise functions of one input (exp, tanh, ...): any shape; VJP ``g * s``.
ELEMENTWISE = Kind(batch=_same_vjp, elementwise=True)
#: Entrywise functions of two inputs under numpy's broadcasting (``+``, ``*``, max, ...).
BROADCASTING = Kind(check=_check_broadcasting, batch=_lift_input, elementwise=True)
#: Reductions and normalisations along ``axis=`` (sum, mean, softmax, ...).
ALONG_AXIS = Kind(check=_check_axis_param, batch=_shift_axis)


# ---------------------------------------------------------------- arithmetic

def add(a, b):
    """``a + b``, broadcast, eq. :eq:`ch3-eq-add`."""
    return a + b


def add_vjp_a(g, out, a, b):
    """``g``, summed down to a's shape: add passes the gradient on unchanged."""
    return sum_to_shape(g, a.shape)


def add_vjp_b(g, out, a, b):
    """``g``, summed down to b's shape."""
    return sum_to_shape(g, b.shape)


register("add", add, add_vjp_a, add_vjp_b, symbol="+", kind=BROADCASTING)


def sub(a, b):
    """``a - b``, broadcast."""
    return a - b


def sub_vjp_a(g, out, a, b):
    """``g``, summed down to a's shape."""
    return sum_to_shape(g, a.shape)


def sub_vjp_b(g, out, a, b):
    """``-g``, summed down to b's shape."""
    return sum_to_shape(-g, b.shape)


register("sub", sub, sub_vjp_a, sub_vjp_b, symbol="-", kind=BROADCASTING, ordered=True)


def mul(a, b):
    """``a * b`` entrywise, broadcast, eq. :eq:`ch3-eq-mul`."""
    return a * b


def mul_vjp_a(g, out, a, b):
    """``g * b``, summed to a's shape: multiply swaps."""
    return sum_to_shape(g * b, a.shape)


def mul_vjp_b(g, out, a, b):
    """``g * a``, summed to b's shape."""
    return sum_to_shape(g * a, b.shape)


register("mul", mul, mul_vjp_a, mul_vjp_b, symbol="*", kind=BROADCASTING)


def div(a, b):
    """``a / b`` entrywise, broadcast."""
    return a / b


def div_vjp_a(g, out, a, b):
    """``g / b``, summed down to a's shape."""
    return sum_to_shape(g / b, a.shape)


def div_vjp_b(g, out, a, b):
    """``-g a / b^2 = -g out / b``, summed down to b's shape,
    eq. :eq:`ch3-eq-unary`."""
    return sum_to_shape(-g * out / b, b.shape)


register("div", div, div_vjp_a, div_vjp_b, symbol="/", kind=BROADCASTING, ordered=True)


def neg(a):
    """``-a``."""
    return -a


def neg_vjp(g, out, a):
    """``-g``."""
    return -g


register("neg", neg, neg_vjp, symbol="*-1", kind=ELEMENTWISE)


def power(a, *, p):
    """``a ** p`` entrywise, for a constant number ``p``."""
    return a**p


def power_vjp(g, out, a, *, p):
    """``g * p * a ** (p - 1)``; for ``p = 0`` exactly 0, also at ``a = 0``."""
    if p == 0:
        # a ** 0 = 1 is a constant: gradient 0 everywhere, also at a = 0, where the
        # formula p * a ** (p - 1) would give 0 * inf = NaN (PyTorch also gives 0).
        return np.zeros(np.broadcast_shapes(np.shape(g), np.shape(a)))
    return g * p * a ** (p - 1)


register("power", power, power_vjp, symbol="**", kind=ELEMENTWISE, gate="**{p:g}")


def rpow(a, *, base):
    """``base ** a`` entrywise, for a constant ``base > 0`` (Python's ``2 ** t``)."""
    return np.power(base, a)


def rpow_vjp(g, out, a, *, base):
    """``g * log(base) * base ** a = g * log(base) * out``."""
    return g * out * np.log(base)


register("rpow", rpow, rpow_vjp, symbol="c**", kind=ELEMENTWISE)


def abs_(a):
    """``|a|`` entrywise."""
    return np.abs(a)


def abs_vjp(g, out, a):
    """``g * sign(a)``: +1, -1, and the subgradient 0 at ``a = 0`` (as PyTorch)."""
    return g * np.sign(a)


register("abs", abs_, abs_vjp, symbol="abs", kind=ELEMENTWISE)


def matmul(a, b):
    """``a @ b`` for vectors and matrices: ``(n, k) @ (k, m) -> (n, m)``,
    eq. :eq:`ch4-eq-affine`; a vector ``(k,)`` on either side drops that axis."""
    return a @ b


# Dimension analysis picks each product: da has the shape of a, db the shape of b.
def matmul_vjp_a(g, out, a, b):
    """``dA = G B^T``, eq. :eq:`ch4-eq-move`: ``(n, m) @ (m, k) -> (n, k)``;
    ``outer(g, b)`` for a vector ``b``, ``B g`` for a vector ``a``."""
    if b.ndim == 1:
        return g * b if a.ndim == 1 else np.outer(g, b)  # (n,)@(n,) or (m, n)@(n,)
    return b @ g if a.ndim == 1 else g @ b.T  # (n,)@(n, m) or (n, k)@(k, m)


def matmul_vjp_b(g, out, a, b):
    """``dB = A^T G``, eq. :eq:`ch4-eq-move`: ``(k, n) @ (n, m) -> (k, m)``;
    ``outer(a, g)`` for a vector ``a``, eq. :eq:`ch4-eq-outer`."""
    if a.ndim == 1:
        return g * a if b.ndim == 1 else np.outer(a, g)
    return a.T @ g


def matmul_batched_a(G, out, a, b):
    """:func:`matmul_vjp_a` for every row of ``G`` of shape ``(k,) + out.shape``."""
    return G[..., None] * b if b.ndim == 1 else G @ b.T


def matmul_batched_b(G, out, a, b):
    """:func:`matmul_vjp_b` for every row of ``G`` of shape ``(k,) + out.shape``."""
    if a.ndim == 2:
        return a.T @ G if b.ndim == 2 else G @ a
    return G[:, None, :] * a[:, None] if b.ndim == 2 else G[:, None] * a


def matmul_factored_a(B, out, a, b):
    """``B W^T`` for ``out = x W`` with a vector ``x``: O(mn) on a factored block."""
    return B.times(b.T) if b.ndim == 2 else None


def matmul_factored_b(B, out, a, b):
    """``B W`` for ``out = W x``, eq. :eq:`ch9-eq-cheap`: O(mn) on a factored block."""
    return B.times(a) if a.ndim == 2 else None


register("matmul", matmul, matmul_vjp_a, matmul_vjp_b, symbol="@", check=_check_matmul,
         batched=(matmul_batched_a, matmul_batched_b),
         factored=(matmul_factored_a, matmul_factored_b))


# ---------------------------------------------------------------- elementwise functions

def exp(a):
    """``e^a`` entrywise, eq. :eq:`ch3-eq-unary`."""
    return np.exp(a)


def exp_vjp(g, out, a):
    """``g * e^a = g * out``: the derivative is the output."""
    return g * out


register("exp", exp, exp_vjp, kind=ELEMENTWISE)


def log(a):
    """``log a`` entrywise."""
    return np.log(a)


def log_vjp(g, out, a):
    """``g / a``."""
    return g / a


register("log", log, log_vjp, kind=ELEMENTWISE)


def sigmoid(a):
    """``sigma(a) = 1 / (1 + e^-a)`` entrywise, without overflow for any ``a``."""
    # Two branches so that neither exp overflows: for a < 0, e^a / (1 + e^a).
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_vjp(g, out, a):
    """``g * sigma (1 - sigma)``, from the output, eq. :eq:`ch3-eq-sigmoid-derivative`."""
    return g * out * (1.0 - out)


register("sigmoid", sigmoid, sigmoid_vjp, symbol="σ", kind=ELEMENTWISE)


def tanh(a):
    """``tanh a`` entrywise."""
    return np.tanh(a)


def tanh_vjp(g, out, a):
    """``g * (1 - tanh^2 a) = g * (1 - out^2)``, from the output."""
    return g * (1.0 - out * out)


register("tanh", tanh, tanh_vjp, kind=ELEMENTWISE)


def relu(a):
    """``max(a, 0)`` entrywise."""
    return np.maximum(a, 0.0)


def relu_vjp(g, out, a):
    """``g * [a > 0]``: 0 at ``a = 0`` by convention, eq. :eq:`ch2-eq-relu`."""
    return g * (a > 0)


register("relu", relu, relu_vjp, kind=ELEMENTWISE)


def maximum(a, b):
    """``max(a, b)`` entrywise, broadcast, eq. :eq:`ch3-eq-max`."""
    return np.maximum(a, b)


def _share_of_a(a, b):
    # Max routes the gradient to the larger input.  At a tie each input gets half:
    # max(x, x) = x has derivative 1, so the two shares must add up to 1 (the seed's
    # "both get 1" would double it), and the split keeps max(a, b) = max(b, a).
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def maximum_vjp_a(g, out, a, b):
    """``g`` where ``a > b``, ``g / 2`` at a tie, eq. :eq:`ch3-eq-tie`, else 0;
    summed down to a's shape."""
    return sum_to_shape(g * _share_of_a(a, b), a.shape)


def maximum_vjp_b(g, out, a, b):
    """``g`` where ``b > a``, ``g / 2`` at a tie, else 0; summed down to b's shape."""
    return sum_to_shape(g * (1.0 - _share_of_a(a, b)), b.shape)


register("maximum", maximum, maximum_vjp_a, maximum_vjp_b, symbol="max", kind=BROADCASTING)


# ---------------------------------------------------------------- reductions and shape

def sum_(a, *, axis=None, keepdims=False):
    """The sum of ``a`` over ``axis`` (every axis by default), eq. :eq:`ch1-eq-sum`."""
    return a.sum(axis=axis, keepdims=keepdims)


def sum_vjp(g, out, a, *, axis=None, keepdims=False):
    """``g`` copied back to every summed entry: shape ``a.shape``, eq. :eq:`ch4-eq-db`."""
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)  # the summed axes back, with size 1
    return np.full(a.shape, g)  # g broadcast to every entry it summed


register("sum", sum_, sum_vjp, kind=ALONG_AXIS)


def mean(a, *, axis=None, keepdims=False):
    """The mean of ``a`` over ``axis`` (every axis by default)."""
    return a.mean(axis=axis, keepdims=keepdims)


def mean_vjp(g, out, a, *, axis=None, keepdims=False):
    """``g / count`` copied back to every averaged entry: shape ``a.shape``."""
    count = math.prod(a.shape[i] for i in normalize_axes(axis, a.shape))  # entries averaged
    return sum_vjp(g / count, out, a, axis=axis, keepdims=keepdims)


register("mean", mean, mean_vjp, kind=ALONG_AXIS)


def reshape(a, *, shape):
    """The entries of ``a`` in a new ``shape`` (the same number of entries)."""
    return np.reshape(a, shape)


def reshape_vjp(g, out, a, *, shape):
    """``g`` reshaped back to ``a.shape``."""
    return np.reshape(g, a.shape)


register("reshape", reshape, reshape_vjp, check=_check_reshape,
         batched=(_lift_input(reshape_vjp, 0),))


def transpose(a):
    """``a.T``: the axes reversed."""
    return np.transpose(a)


def transpose_vjp(g, out, a):
    """``g.T``: the axes reversed back."""
    return np.transpose(g)


def transpose_batched(G, out, a):
    """:func:`transpose_vjp` for every row of ``G``: all axes but the first reversed."""
    return G.transpose((0,) + tuple(range(G.ndim - 1, 0, -1)))


register("transpose", transpose, transpose_vjp, symbol="T", batched=(transpose_batched,))


def getitem(a, *, index):
    """``a[index]``: the entries that an int, a slice, a tuple of them or an
    integer array picks."""
    return a[index]


def getitem_vjp(g, out, a, *, index):
    """Zeros of ``a.shape`` with ``g`` added at ``index`` (twice-picked entries get both)."""
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
    require_labels(op, y, scores.shape[1], of=("scores", scores.shape))


def log_softmax(scores, axis=-1):
    """``z_i - m - log sum_k e^(z_k - m)`` along ``axis``, with ``m`` the maximum:
    log-sum-exp, stable for any scores, eq. :eq:`ch6-eq-lse`.  Shape unchanged."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_vjp(g, out, scores, axis=-1):
    """``g - a * sum(g)`` along ``axis``, with ``a = exp(out)`` the softmax:
    ``d log a_i / d z_j = 1[i = j] - a_j``."""
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


register("log_softmax", log_softmax, log_softmax_vjp, kind=ALONG_AXIS)


def softmax(scores, axis=-1):
    """``exp(z_i - m) / sum_k exp(z_k - m)`` along ``axis``, with ``m`` the maximum.

    The stable formula of chapter 6, eq. :eq:`ch6-eq-softmax-stable`: one exponential
    per entry, computed in place on the shifted copy (``exp(log_softmax(z))``
    would take two).  Shape unchanged.
    """
    e = scores - np.max(scores, axis=axis, keepdims=True)
    if e.dtype.kind != "f":
        e = e.astype(np.float64)
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def softmax_vjp(g, out, scores, axis=-1):
    """``a * (g - <g, a>)`` along ``axis``, ``a = out``: the Jacobian
    ``diag(a) - a a^T``, eq. :eq:`ch6-eq-softmax-jacobian` applied in O(C) per row."""
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


def softmax_factored(B, out, scores, axis=-1):
    """``B (diag(a) - a a^T)``: a factored block gains one to its rank."""
    return B.softmax_vjp(out)


register("softmax", softmax, softmax_vjp, kind=ALONG_AXIS, factored=(softmax_factored,))


def softmax_cross_entropy(scores, *, y):
    """Mean over the N rows of ``-log softmax(scores)[i, y_i]``; scores (N, C), y (N,)
    integers in ``0..C-1``; a scalar, eq. :eq:`ch6-eq-cross-entropy`."""
    return softmax_cross_entropy_with_probs(scores, y=y)[0]


def softmax_cross_entropy_with_probs(scores, *, y):
    """The loss and, as the residual its VJP needs, the softmax probabilities (N, C)."""
    _check_labels("softmax_cross_entropy", scores, y)
    logp = log_softmax(scores)
    return -np.sum(logp[np.arange(y.size), y]) / y.size, np.exp(logp)


def softmax_cross_entropy_vjp(g, out, scores, *, y, residual=None):
    """``g * (softmax(scores) - one_hot(y)) / N``, shape (N, C), eq. :eq:`ch6-eq-delta`."""
    # The chain through softmax and cross-entropy collapses to (softmax - one_hot) / N.
    probs = np.exp(log_softmax(scores)) if residual is None else residual
    scale = float(g) / y.size  # g is the loss's gradient: one number
    dscores = probs * scale  # a new array: the residual itself is never written
    dscores[np.arange(y.size), y] -= scale
    return dscores


register("softmax_cross_entropy", softmax_cross_entropy, softmax_cross_entropy_vjp,
         forward_with_residual=softmax_cross_entropy_with_probs)


def svm_loss(scores, *, y, margin=1.0):
    """Multiclass hinge loss, mean over rows: ``sum_{j != y_i} max(0, s_ij - s_iy_i + margin)``;
    scores (N, C), y (N,) integers; a scalar, eq. :eq:`ch6-eq-svm`."""
    _check_labels("svm_loss", scores, y)
    return _svm_margins(scores, y, margin).sum() / y.size


def _svm_margins(scores, y, margin):
    rows = np.arange(y.size)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return margins


def svm_loss_vjp(g, out, scores, *, y, margin=1.0):
    """``g / N`` times: +1 at each violated margin, minus their count at the correct
    class; shape (N, C).  A margin exactly 0 (a kink) counts as not violated."""
    rows = np.arange(y.size)
    d = (_svm_margins(scores, y, margin) > 0).astype(np.float64)
    d[rows, y] = 0.0 - d.sum(axis=1)  # 0.0 - x, not -x: no negative zeros
    return d * (g / y.size)


register("svm_loss", svm_loss, svm_loss_vjp)
