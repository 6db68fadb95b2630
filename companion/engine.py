"""A reverse-mode automatic differentiation engine over numpy arrays.

Chapter 3 (:ref:`ch3-engine`).  A :class:`Tensor` holds a float64 array (a
0-d array for the scalar circuits of chapter 3), the tensors it was computed
from, and the catalogue entry (:mod:`companion.vjps`) of the op that computed
it.  ``t.backward()`` visits the graph in reverse topological order and, at
each node, calls the op's VJP to send the node's gradient to its inputs; a
tensor used on several paths receives the sum of their gradients.

The module reads top to bottom: the :class:`Tensor`; :func:`apply`, which runs
an op of the catalogue forward and records it; :func:`topological_order`; and
:func:`reverse_steps`, the one reverse pass, a generator that every backward
pass of the package consumes (``backward``, ``backward_steps``,
:func:`reverse_pass`, and the block pass of :mod:`companion.blocks`).

Design notes:

* The engine knows no op by name: what an op computes, its symbol and its shape
  rule come from its :class:`~companion.vjps.Primitive`.
* The topological sort is iterative: no recursion limit, so graphs of 100,000
  nodes work.
* A node stores data, never closures, so a graph holds no reference cycle and
  is freed as soon as its last tensor is dropped.
* Gradients accumulate: a second ``backward()`` adds to ``.grad`` (as in
  PyTorch); call :meth:`Tensor.zero_grad` on the inputs first for fresh values.
  Where a gradient accumulates its shape is checked against the tensor's: a
  VJP that returns a wrong shape raises :class:`~companion.errors.ShapeError`.
"""

from __future__ import annotations

import operator
from itertools import count
from typing import NamedTuple

import numpy as np

from .errors import ShapeError
from .vjps import PRIMITIVES as ops
from .vjps import SYMBOLS, Primitive

# Every tensor gets the next number at creation. An op's inputs exist before its output,
# so sorting the tensors of a graph by this number is a topological order.
_creation = count()


class Tensor:
    """A value in a computation graph.

    Parameters
    ----------
    data : array_like, stored as a float64 array (shape ``()`` for a scalar); a float64
        ndarray is used as it is, without a copy (the engine never writes into data).
    requires_grad : bool, default True: ``backward()`` fills this tensor's ``.grad``.
        Plain numbers and arrays mixed into an expression become constants
        (``requires_grad=False``).
    name : str, optional, a label for printing and circuit diagrams.

    Attributes
    ----------
    data : ndarray, the value.
    grad : ndarray or None, ``dL/d(this tensor)``, shaped like ``data``, after ``backward()``.
        An input's gradient is read-only: one gradient array may be shared by
        several tensors (``a + b`` hands the same gradient to both), so writing
        into it raises instead of silently changing the others; copy it to
        modify it.  Treat an intermediate tensor's gradient as read-only too.
    op : str or None, the name of the op that made this tensor (None for an input).
    primitive : the :class:`~companion.vjps.Primitive` of that op, or None.
    parents : tuple of Tensor, the op's inputs.
    """

    __slots__ = (
        "__weakref__",
        "_index",
        "_inputs",
        "_params",
        "_parents",
        "_prim",
        "data",
        "grad",
        "name",
        "requires_grad",
    )

    def __init__(self, data, requires_grad: bool = True, name: str | None = None):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._prim: Primitive | None = None  # the op that made this tensor (set by apply)
        self._parents: tuple[Tensor, ...] = ()  # its inputs
        self._inputs: tuple = ()  # the parents' data, as the op's forward saw it
        self._params: dict = {}  # the op's parameters, and its residual if it keeps one
        self._index = next(_creation)

    # -- description ------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def primitive(self) -> Primitive | None:
        return self._prim

    @property
    def op(self) -> str | None:
        return self._prim.name if self._prim is not None else None

    @property
    def parents(self) -> tuple:
        return self._parents

    @property
    def params(self) -> dict:
        return {k: v for k, v in self._params.items() if k != "residual"}

    @property
    def label(self) -> str:
        """The name if given, else the op's symbol, else ``"const"``/``"input"``."""
        if self.name:
            return self.name
        if self._prim is not None:
            return self._prim.symbol
        return "input" if self.requires_grad else "const"

    def named(self, name: str) -> Tensor:
        """Give this tensor a name (for printouts and diagrams) and return it.

        ``(x + y).named("q")``
        """
        self.name = name
        return self

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, suppress_small=True)
        extra = f", op={self.op!r}" if self._prim is not None else ""
        name = f", name={self.name!r}" if self.name else ""
        return f"Tensor({body}{extra}{name})"

    # -- as an array ---------------------------------------------------------------
    def item(self) -> float:
        """The value of a one-entry tensor as a Python float (no gradient)."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one entry, but this one has shape "
                             f"{self.data.shape}; index it first, e.g. t[0].item(), or "
                             f"use t.numpy() for all the values")
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def numpy(self) -> np.ndarray:
        """The values as a read-only view of ``data`` (no copy, no gradient).

        Read-only because the graph holds the same array; ``t.numpy().copy()``
        gives an array you may write into.
        """
        view = self.data.view()
        view.flags.writeable = False
        return view

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar) is undefined; "
                            "use t.item() for its value")
        return len(self.data)

    def __getitem__(self, index):
        """``t[index]``, recorded in the graph: its gradient scatters back into zeros.

        Ints, slices, ``None``, ``...``, tuples of them and integer or boolean
        arrays work as in numpy.
        """
        if isinstance(index, Tensor):
            index = index.data.astype(np.intp)
        return apply(ops.getitem, self, index=index)

    def __array__(self, dtype=None, copy=None):
        # np.asarray(t): the values, without the graph (as numpy.asarray of any
        # array-like).  Never an object array holding Tensors.
        if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
            raise ValueError("a Tensor holds float64 values; casting them needs a copy")
        out = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return out.copy() if copy else out

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # ndarray + Tensor, np.maximum(t, 0), np.exp(t), ...: the engine's op, recorded.
        op = _UFUNC_OPS.get(ufunc)
        if op is None or method != "__call__" or kwargs:
            extra = (f" (with {', '.join(kwargs)})" if kwargs else
                     f" ({method})" if method != "__call__" else "")
            raise TypeError(
                f"numpy's {ufunc.__name__}{extra} is not recorded by the engine, so it "
                f"cannot give a gradient; use an op of companion.engine (+, *, @, "
                f"maximum, exp, log, tanh, abs, ...), or call np.{ufunc.__name__} on "
                f"t.data for plain values without a gradient")
        if ufunc is not np.power:
            inputs = [_as_tensor(a) for a in inputs]
        return op(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        # np.sum(t), np.dot(A, t), ...: the engine's function where there is one.
        engine_function = _ARRAY_FUNCTIONS.get(func)
        if engine_function is None:
            raise TypeError(
                f"np.{func.__name__} is not recorded by the engine, so it cannot give "
                f"a gradient; use an op of companion.engine (t.sum(), t.mean(), A @ t, "
                f"t.reshape(...), t.T, ...), or call np.{func.__name__} on t.data for "
                f"plain values without a gradient")
        return engine_function(*args, **kwargs)

    # -- arithmetic: each operator is an op of the catalogue -----------------------
    def __add__(self, other):
        return apply(ops.add, self, other)

    def __radd__(self, other):
        return apply(ops.add, other, self)

    def __sub__(self, other):
        return apply(ops.sub, self, other)

    def __rsub__(self, other):
        return apply(ops.sub, other, self)

    def __mul__(self, other):
        return apply(ops.mul, self, other)

    def __rmul__(self, other):
        return apply(ops.mul, other, self)

    def __truediv__(self, other):
        return apply(ops.div, self, other)

    def __rtruediv__(self, other):
        return apply(ops.div, other, self)

    def __neg__(self):
        return apply(ops.neg, self)

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise TypeError("Tensor ** Tensor is not supported: the exponent must be a "
                            "constant number; write exp(b * log(a)) for a variable exponent")
        return apply(ops.power, self, p=float(p))

    def __rpow__(self, base):
        """``base ** t`` for a constant number ``base > 0``; gradient ``log(base) * base ** t``."""
        base = float(base)
        if not base > 0:
            raise ValueError(f"base ** t needs a positive constant base (its gradient is "
                             f"log(base) * base ** t), got {base}; write exp(t * log(c)) "
                             f"with c > 0 instead")
        return apply(ops.rpow, self, base=base)

    def __abs__(self):
        return apply(ops.abs, self)

    def abs(self):
        """``|t|`` entrywise; gradient ``sign(t)`` (0 at 0, as in PyTorch)."""
        return apply(ops.abs, self)

    def __matmul__(self, other):
        return apply(ops.matmul, self, other)

    def __rmatmul__(self, other):
        return apply(ops.matmul, other, self)

    @property
    def T(self):
        return apply(ops.transpose, self)

    def sum(self, axis=None, keepdims=False):
        return apply(ops.sum, self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return apply(ops.mean, self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return apply(ops.reshape, self, shape=tuple(shape))

    def exp(self):
        return apply(ops.exp, self)

    def log(self):
        return apply(ops.log, self)

    def sigmoid(self):
        return apply(ops.sigmoid, self)

    def tanh(self):
        return apply(ops.tanh, self)

    def relu(self):
        return apply(ops.relu, self)

    # -- backward ------------------------------------------------------------------
    def call_vjp(self, vjp, g):
        """``vjp(g, out, *inputs, **params)`` with what this tensor's op saved.

        ``out`` is this tensor's value, ``inputs`` the parents' values as the
        forward pass saw them, ``params`` the op's parameters (and its residual).
        ``vjp`` is one of the op's VJPs, or a function with the same signature
        (the block pass of chapter 9 passes the op's batched VJPs).
        """
        return vjp(g, self.data, *self._inputs, **self._params)

    def zero_grad(self) -> None:
        """Forget the gradient accumulated by earlier ``backward()`` calls."""
        self.grad = None

    def backward(self, grad=None) -> None:
        """Fill ``.grad`` on every tensor this one depends on (that requires grad).

        ``grad`` is the gradient arriving at this tensor; it may be omitted only
        when this tensor is a scalar (it is then ``1``).  Gradients are added to
        any ``.grad`` left by an earlier call.
        """
        for step in reverse_steps(self, _root_grad(self, grad)):
            _store_grad(step.node, step.received)

    def backward_steps(self, grad=None):
        """The backward pass as a generator: one :class:`Step` per op, output first.

        Each node's total gradient is added to its ``.grad`` as the pass reaches it.
        """
        for step in reverse_steps(self, _root_grad(self, grad)):
            _store_grad(step.node, step.received)
            if step.node.primitive is not None:
                yield step


def _store_grad(node: Tensor, received) -> None:
    g = np.asarray(received if node.grad is None else node.grad + received, dtype=np.float64)
    if node._prim is None:
        # An input's gradient is what users hold and update with; it may be the very
        # array another input received (a + b sends g to both), so make it read-only.
        g.setflags(write=False)
    node.grad = g


def _root_grad(root: Tensor, grad) -> np.ndarray:
    """The gradient that starts the pass: 1 for a scalar, else ``grad``, checked
    against the root's shape."""
    if grad is None:
        if root.data.shape != ():
            raise ValueError(
                f"backward() without a gradient needs a scalar, but this tensor has shape "
                f"{root.data.shape}; pass the upstream gradient, e.g. "
                f"t.backward(np.ones({root.data.shape}))")
        return np.array(1.0)
    grad = np.array(grad, dtype=np.float64)
    if grad.shape != root.data.shape:
        raise ShapeError("backward", {"tensor": root.data.shape, "grad": grad.shape},
                         "the upstream gradient must have the tensor's shape")
    return grad


# -- recording an op ----------------------------------------------------------------
def apply(op, *args, **params) -> Tensor:
    """Run catalogue op ``op`` (its name, or its :class:`~companion.vjps.Primitive`)
    forward on ``args`` and record it in the graph.

    Plain numbers and arrays among ``args`` become constants.  The op's shape
    rule runs first, so a wrong shape raises :class:`ShapeError` naming the op.
    """
    prim = op if isinstance(op, Primitive) else ops[op]
    return _record(prim, tuple([_as_tensor(a) for a in args]), params)


def _as_tensor(a) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor(a, requires_grad=False)


def _record(prim: Primitive, parents: tuple, params: dict) -> Tensor:
    """The tensor that ``prim`` computes from ``parents``, with its place in the graph."""
    inputs = tuple([p.data for p in parents])
    if prim.check is not None:
        prim.check(prim.name, [x.shape for x in inputs], params)
    if prim.forward_with_residual is not None:
        # Keep what the VJP needs from the forward pass instead of recomputing it.
        data, residual = prim.forward_with_residual(*inputs, **params)
        params = {**params, "residual": residual}
    else:
        data = prim.forward(*inputs, **params)
    out = Tensor(data, requires_grad=any(p.requires_grad for p in parents))
    out._prim = prim
    out._parents = parents
    out._inputs = inputs
    out._params = params
    return out


# -- the reverse pass -----------------------------------------------------------------
def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` depends on (through tensors that require grad), inputs first.

    An iterative search (a stack, no recursion) collects them; sorting by
    creation order then puts every tensor after the tensors it was computed from.
    """
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in seen and parent.requires_grad:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=lambda t: t._index)


class Step(NamedTuple):
    """One stage of the backward pass: a node, the gradient it received, what it sent.

    ``sent[i]`` is the gradient sent along the edge to ``node.parents[i]``
    (``None`` for a constant, whose gradient is never computed); an input sends
    nothing (``sent == ()``).
    """

    node: Tensor
    received: np.ndarray
    sent: tuple

    def __str__(self) -> str:
        def fmt(a):
            return np.array2string(np.asarray(a), precision=4, suppress_small=True)

        if self.node.op is None:
            return f"{self.node.label} received {fmt(self.received)} (an input: its gradient)"
        ins = ", ".join(f"{p.label}: {fmt(s)}" for p, s in zip(self.node.parents, self.sent)
                        if s is not None)
        return f"{self.node.label} received {fmt(self.received)}, sent {ins}"


def _vjp(node: Tensor, i: int, g):
    """What ``node``'s op sends to its input ``i`` when ``g`` arrives."""
    return node._prim.vjps[i](g, node.data, *node._inputs, **node._params)


def reverse_steps(root: Tensor, seed, vjp=_vjp, add=operator.add, batch_axes: int = 0):
    """The reverse pass: a generator of one :class:`Step` per tensor ``root`` depends on.

    ``seed`` is the gradient at ``root``.  The tensors come in reverse
    topological order, so each one's gradient is complete when it is yielded:
    its total over every path from ``root`` (eq. :eq:`ch3-eq-multipath`).  Every
    backward pass of the package is this loop; the block pass of chapter 9
    passes its own ``vjp(node, i, g)`` and ``add(a, b)`` and ``batch_axes=1``
    (each gradient there has a leading axis of ``k`` rows).

    Raises :class:`ShapeError` naming the op and the input when a VJP returns a
    gradient whose shape is not its input's.
    """
    grads = {root: seed}  # running totals, keyed by the tensors themselves
    for node in reversed(topological_order(root)):
        g = grads.pop(node, None)
        if g is None:
            continue
        sent = []
        for i, parent in enumerate(node._parents):
            if not parent.requires_grad:
                sent.append(None)  # a constant: its gradient is never computed
                continue
            pg = vjp(node, i, g)
            if getattr(pg, "shape", ())[batch_axes:] != parent.data.shape:
                _wrong_gradient_shape(node, i, pg, batch_axes)
            # Accumulate over every path from the root (never overwrite): x * x is 2x.
            grads[parent] = pg if parent not in grads else add(grads[parent], pg)
            sent.append(pg)
        yield Step(node, g, tuple(sent))


def _wrong_gradient_shape(node: Tensor, i: int, gradient, batch_axes: int) -> None:
    shape = tuple(getattr(gradient, "shape", ()))[batch_axes:]
    parent = node.parents[i]
    raise ShapeError(node.op, {f"input {i} ({parent.label})": parent.data.shape,
                               "the gradient its VJP returned": shape},
                     f"a VJP must return a gradient shaped like its input; fix the "
                     f"VJP for input {i} registered for the op {node.op!r}")


def reverse_pass(root: Tensor, grad=None):
    """Reverse accumulation from ``root``, touching no ``.grad``: a generator of :class:`Step`.

    Yields one step per tensor that ``root`` depends on (inputs included, with
    nothing sent), in reverse topological order, so that each tensor's
    gradient is complete when it is yielded.  ``grad`` is the gradient at
    ``root`` (default 1 for a scalar).
    """
    yield from reverse_steps(root, _root_grad(root, grad))


# -- functions ----------------------------------------------------------------------
def exp(x):
    """``e^x`` entrywise; VJP ``g * e^x``."""
    return apply(ops.exp, x)


def log(x):
    """``log x`` entrywise; VJP ``g / x``."""
    return apply(ops.log, x)


def sigmoid(x):
    """``1 / (1 + e^{-x})``; VJP ``g * sigma (1 - sigma)``."""
    return apply(ops.sigmoid, x)


def tanh(x):
    """``tanh x``; VJP ``g * (1 - tanh^2 x)``."""
    return apply(ops.tanh, x)


def relu(x):
    """``max(x, 0)``; VJP ``g * [x > 0]`` (0 at x = 0)."""
    return apply(ops.relu, x)


def maximum(a, b):
    """Entrywise ``max(a, b)``; the gradient goes to the larger input, split in half at a tie."""
    return apply(ops.maximum, a, b)


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes by default); VJP copies ``g`` to every summed entry."""
    return apply(ops.sum, x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; VJP copies ``g / count`` to every entry."""
    return apply(ops.mean, x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    """Same entries, new shape; VJP reshapes ``g`` back."""
    return apply(ops.reshape, x, shape=tuple(shape))


def transpose(x):
    """Reverse the axes (``x.T``); VJP transposes ``g`` back."""
    return apply(ops.transpose, x)


def softmax(x, axis=-1):
    """``exp(x_i) / sum_j exp(x_j)`` along ``axis``; VJP ``a * (g - <g, a>)``."""
    return apply(ops.softmax, x, axis=axis)


def log_softmax(x, axis=-1):
    """``x_i - log sum_j exp(x_j)`` along ``axis``; VJP ``g - a * sum(g)``."""
    return apply(ops.log_softmax, x, axis=axis)


def softmax_cross_entropy(scores, y):
    """Mean softmax cross-entropy of ``scores`` (N, C) against integer labels ``y`` (N,).

    VJP: ``g * (softmax(scores) - one_hot(y)) / N`` (chapter 6).
    """
    return apply(ops.softmax_cross_entropy, scores, y=np.asarray(y))


def svm_loss(scores, y, margin=1.0):
    """Mean multiclass hinge loss of ``scores`` (N, C) against integer labels ``y`` (N,)."""
    return apply(ops.svm_loss, scores, y=np.asarray(y), margin=float(margin))


# -- numpy functions on Tensors ------------------------------------------------------
def _dot(a, b):
    """``np.dot`` on Tensors: the matrix product, for vectors and matrices."""
    return _as_tensor(a) @ _as_tensor(b)


def _numpy_reduction(engine_function):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if dtype is not None or out is not None or kwargs:
            name = engine_function.__name__
            raise TypeError(f"np.{name} of a Tensor takes only axis= and keepdims=; "
                            f"write t.{name}(axis=..., keepdims=...)")
        return engine_function(a, axis=axis, keepdims=keepdims)
    return reduce


def _numpy_reshape(a, shape=None, **kwargs):
    if kwargs:  # order=, copy=: no engine equivalent
        raise TypeError(f"np.reshape of a Tensor takes only the new shape, got "
                        f"{', '.join(kwargs)}; write t.reshape(shape)")
    return reshape(a, (shape,) if isinstance(shape, int) else shape)


def _numpy_transpose(a, axes=None):
    if axes is not None:
        raise TypeError("np.transpose of a Tensor reverses all axes; axes= is not "
                        "supported: write t.T")
    return transpose(a)


# numpy's names for the engine's ops (Tensor.__array_ufunc__, __array_function__).
_UFUNC_OPS = {np.add: operator.add, np.subtract: operator.sub,
              np.multiply: operator.mul, np.true_divide: operator.truediv,
              np.matmul: operator.matmul, np.negative: operator.neg,
              np.power: operator.pow, np.absolute: operator.abs,
              np.maximum: maximum, np.exp: exp, np.log: log, np.tanh: tanh}


def _shape_of(a):
    return np.shape(a.data if isinstance(a, Tensor) else a)


def _ndim_of(a):
    return len(_shape_of(a))


_ARRAY_FUNCTIONS = {np.shape: _shape_of, np.ndim: _ndim_of,
                    np.sum: _numpy_reduction(sum), np.mean: _numpy_reduction(mean),
                    np.dot: _dot, np.reshape: _numpy_reshape,
                    np.transpose: _numpy_transpose}


__all__ = ["SYMBOLS", "Tensor", "Step", "apply", "topological_order", "reverse_pass"] + [
    function.__name__ for function in (exp, log, sigmoid, tanh, relu, maximum, sum, mean,
                                       reshape, transpose, softmax, log_softmax,
                                       softmax_cross_entropy, svm_loss)]
