"""A reverse-mode automatic differentiation engine over numpy arrays.

Chapter 3 (:ref:`ch3-engine`).  A :class:`Tensor` holds a float64 array (a
0-d array for the scalar circuits of chapter 3), the tensors it was computed
from, and the catalogue entry (:mod:`companion.vjps`) of the op that computed
it.  ``t.backward()`` visits the graph in reverse topological order and, at
each node, calls the op's VJP to send the node's gradient to its inputs; a
tensor used on several paths receives the sum of their gradients.

Design notes:

* The topological sort is iterative: no recursion limit, so graphs of 100,000
  nodes work.
* A node stores data, never closures, so a graph holds no reference cycle and
  is freed as soon as its last tensor is dropped.
* :meth:`Tensor.backward_steps` is the backward pass as a generator of
  :class:`Step` records, one per op, for watching a circuit stage by stage.
* Gradients accumulate: a second ``backward()`` adds to ``.grad`` (as in
  PyTorch); call :meth:`Tensor.zero_grad` on the inputs first for fresh values.
"""

from __future__ import annotations

import operator as _operator
from itertools import count
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from .errors import ShapeError
from .vjps import PRIMITIVES, Primitive, broadcast_shape, check_axis

__all__ = [
    "SYMBOLS",
    "Tensor",
    "Step",
    "apply",
    "topological_order",
    "reverse_pass",
    "exp",
    "log",
    "sigmoid",
    "tanh",
    "relu",
    "maximum",
    "sum",
    "mean",
    "reshape",
    "transpose",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
    "svm_loss",
]

_BINARY_BROADCASTING = {"add", "sub", "mul", "div", "maximum"}
# Every tensor gets the next number at creation. An op's inputs exist before its output,
# so sorting the tensors of a graph by this number is a topological order.
_creation = count()
# How an op is written in step printouts and on circuit diagrams (one table for both).
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "*-1", "matmul": "@",
           "power": "**", "rpow": "c**", "abs": "abs", "maximum": "max", "sigmoid": "σ",
           "transpose": "T"}


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
    parents : tuple of Tensor, the op's inputs.
    """

    __slots__ = ("data", "grad", "requires_grad", "name", "_prim", "_parents", "_inputs", "_params",
                 "_index", "__weakref__")

    def __init__(self, data, requires_grad: bool = True, name: str | None = None):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._prim: Primitive | None = None
        self._parents: tuple[Tensor, ...] = ()
        self._inputs: tuple = ()  # the parents' data, as the op's forward saw it
        self._params: dict = {}
        self._index = next(_creation)

    # -- description ------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

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
            return SYMBOLS.get(self._prim.name, self._prim.name)
        return "input" if self.requires_grad else "const"

    def named(self, name: str) -> "Tensor":
        """Give this tensor a name (for printouts and diagrams) and return it: ``(x + y).named("q")``."""
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
        return apply("getitem", self, index=index)

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

    # -- arithmetic ----------------------------------------------------------------
    def __add__(self, other):
        return _record(_ADD, (self, other if type(other) is Tensor else _as_tensor(other)), {})

    def __radd__(self, other):
        return _record(_ADD, (other if type(other) is Tensor else _as_tensor(other), self), {})

    def __sub__(self, other):
        return _record(_SUB, (self, other if type(other) is Tensor else _as_tensor(other)), {})

    def __rsub__(self, other):
        return _record(_SUB, (other if type(other) is Tensor else _as_tensor(other), self), {})

    def __mul__(self, other):
        return _record(_MUL, (self, other if type(other) is Tensor else _as_tensor(other)), {})

    def __rmul__(self, other):
        return _record(_MUL, (other if type(other) is Tensor else _as_tensor(other), self), {})

    def __truediv__(self, other):
        return _record(_DIV, (self, other if type(other) is Tensor else _as_tensor(other)), {})

    def __rtruediv__(self, other):
        return _record(_DIV, (other if type(other) is Tensor else _as_tensor(other), self), {})

    def __neg__(self):
        return _record(_NEG, (self,), {})

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise TypeError("Tensor ** Tensor is not supported: the exponent must be a "
                            "constant number; write exp(b * log(a)) for a variable exponent")
        return apply("power", self, p=float(p))

    def __rpow__(self, base):
        """``base ** t`` for a constant number ``base > 0``; gradient ``log(base) * base ** t``."""
        base = float(base)
        if not base > 0:
            raise ValueError(f"base ** t needs a positive constant base (its gradient is "
                             f"log(base) * base ** t), got {base}; write exp(t * log(c)) "
                             f"with c > 0 instead")
        return apply("rpow", self, base=base)

    def __abs__(self):
        return apply("abs", self)

    def abs(self):
        """``|t|`` entrywise; gradient ``sign(t)`` (0 at 0, as in PyTorch)."""
        return apply("abs", self)

    def __matmul__(self, other):
        return _record(_MATMUL, (self, other if type(other) is Tensor else _as_tensor(other)), {})

    def __rmatmul__(self, other):
        return _record(_MATMUL, (other if type(other) is Tensor else _as_tensor(other), self), {})

    @property
    def T(self):
        return apply("transpose", self)

    def sum(self, axis=None, keepdims=False):
        return apply("sum", self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return apply("mean", self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return apply("reshape", self, shape=tuple(shape))

    def exp(self):
        return apply("exp", self)

    def log(self):
        return apply("log", self)

    def sigmoid(self):
        return apply("sigmoid", self)

    def tanh(self):
        return apply("tanh", self)

    def relu(self):
        return apply("relu", self)

    # -- backward ------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget the gradient accumulated by earlier ``backward()`` calls."""
        self.grad = None

    def backward(self, grad=None) -> None:
        """Fill ``.grad`` on every tensor this one depends on (that requires grad).

        ``grad`` is the gradient arriving at this tensor; it may be omitted only
        when this tensor is a scalar (it is then ``1``).  Gradients are added to
        any ``.grad`` left by an earlier call.
        """
        # The loop of _reverse without the generator and the Step records: this is
        # the hot path of every training step, so it does the least per node.
        grads = {self: _root_grad(self, grad)}
        pop = grads.pop
        for node in reversed(topological_order(self)):
            g = pop(node, None)
            if g is None:
                continue
            _store_grad(node, g)
            if node._prim is not None:
                _send(node, g, grads)

    def backward_steps(self, grad=None):
        """The backward pass as a generator: one :class:`Step` per op, output first.

        Each node's total gradient is added to its ``.grad`` as the pass reaches it.
        """
        for node, received, sent in _reverse(self, grad):
            _store_grad(node, received)
            if node._prim is not None:
                yield Step(node, received, sent)


def _store_grad(node: "Tensor", received) -> None:
    g = received if node.grad is None else node.grad + received
    if type(g) is not np.ndarray:
        g = np.asarray(g, dtype=np.float64)
    if node._prim is None:
        # An input's gradient is what users hold and update with; it may be the very
        # array another input received (a + b sends g to both), so make it read-only.
        g.setflags(write=False)
    node.grad = g


def reverse_pass(root: Tensor, grad=None):
    """Reverse accumulation from ``root``, touching no ``.grad``: a generator of :class:`Step`.

    Yields one step per tensor that ``root`` depends on (inputs included, with
    nothing sent), in reverse topological order, so that each tensor's
    gradient is complete when it is yielded.  ``grad`` is the gradient at
    ``root`` (default 1 for a scalar).
    """
    for node, received, sent in _reverse(root, grad):
        yield Step(node, received, sent)


def _reverse(root: Tensor, grad):
    """The loop of :func:`reverse_pass`, yielding plain ``(node, received, sent)`` tuples."""
    grads = {root: _root_grad(root, grad)}  # keyed by the tensors themselves (identity hash)
    pop = grads.pop
    for node in reversed(topological_order(root)):
        g = pop(node, None)
        if g is not None:
            yield node, g, (() if node._prim is None else _send(node, g, grads))


def _send(node: Tensor, g, grads: dict) -> tuple:
    """Apply the VJPs of ``node``'s op to its gradient ``g``; add what each parent receives
    to ``grads``.  Returns what was sent along each edge (None to a constant)."""
    out, inputs, params = node.data, node._inputs, node._params
    if len(inputs) == 1:  # the common unary case, without a list
        parent = node._parents[0]
        if not parent.requires_grad:
            return (None,)
        vjp = node._prim.vjps[0]
        pg = vjp(g, out, inputs[0], **params) if params else vjp(g, out, inputs[0])
        old = grads.get(parent)
        # Accumulate over every path from the output (never overwrite): x * x is 2x.
        grads[parent] = pg if old is None else old + pg
        return (pg,)
    sent = []
    for parent, vjp in zip(node._parents, node._prim.vjps):
        if not parent.requires_grad:
            sent.append(None)  # a constant: its gradient is never computed
            continue
        pg = vjp(g, out, *inputs, **params) if params else vjp(g, out, *inputs)
        sent.append(pg)
        old = grads.get(parent)
        grads[parent] = pg if old is None else old + pg
    return tuple(sent)


def _root_grad(root: Tensor, grad) -> np.ndarray:
    """The gradient that starts the pass: 1 for a scalar, else ``grad`` checked against the shape."""
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


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` depends on (through tensors that require grad), inputs first.

    An iterative search (a stack, no recursion) collects them; sorting by
    creation order then puts every tensor after the tensors it was computed from.
    """
    seen = {root}
    stack = [root]
    pop, push, add = stack.pop, stack.append, seen.add
    while stack:
        for parent in pop()._parents:
            if parent not in seen and parent.requires_grad:
                add(parent)
                push(parent)
    return sorted(seen, key=_creation_index)


_creation_index = attrgetter("_index")


# (op, shape_a, shape_b) of binary ops already checked: a training loop checks each pair once.
_ACCEPTED_SHAPES: set = set()


_AXIS_OPS = {"sum", "mean", "softmax", "log_softmax"}


def _check_params(prim: Primitive, tensors, params) -> None:
    """Shape checks that depend on an op's parameters (axis, new shape)."""
    shape = tensors[0].data.shape
    if prim.name in _AXIS_OPS:
        check_axis(prim.name, shape, params.get("axis", -1))
    elif prim.name == "reshape":
        try:
            np.empty(shape, dtype=np.bool_).reshape(params["shape"])
        except ValueError:
            raise ShapeError("reshape", {"x": shape, "new shape": tuple(params["shape"])},
                             f"a reshape keeps the number of entries ({int(np.prod(shape))})"
                             ) from None


def _check_shapes(name: str, a: tuple, b: tuple) -> None:
    """Refuse the shapes of a binary op with a ShapeError, or remember them as accepted."""
    if name in _BINARY_BROADCASTING:
        broadcast_shape(name, a, b)  # raises ShapeError if refused
    elif name == "matmul":
        if not (1 <= len(a) <= 2 and 1 <= len(b) <= 2):
            raise ShapeError("matmul", {"a": a, "b": b},
                             "a @ b needs vectors or matrices (1-d or 2-d)")
        if a[-1] != b[0]:
            raise ShapeError("matmul", {"a": a, "b": b},
                             f"a @ b needs a.shape[-1] == b.shape[0] ({a[-1]} != {b[0]})")
    _ACCEPTED_SHAPES.add((name, a, b))


def _as_tensor(a) -> Tensor:
    return a if type(a) is Tensor or isinstance(a, Tensor) else Tensor(a, requires_grad=False)


def apply(op: str, *args, **params) -> Tensor:
    """Run catalogue op ``op`` forward on ``args`` and record it in the graph."""
    if len(args) == 1:
        return _record(PRIMITIVES[op], (_as_tensor(args[0]),), params)
    return _record(PRIMITIVES[op], tuple([_as_tensor(a) for a in args]), params)


def _record(prim: Primitive, tensors: tuple, params: dict) -> Tensor:
    first = tensors[0]
    if len(tensors) == 2:
        second = tensors[1]
        a, b = first.data.shape, second.data.shape
        if (a != b or prim is _MATMUL) and (prim.name, a, b) not in _ACCEPTED_SHAPES:
            _check_shapes(prim.name, a, b)
        inputs = (first.data, second.data)
        requires_grad = first.requires_grad or second.requires_grad
    elif len(tensors) == 1:
        inputs = (first.data,)
        requires_grad = first.requires_grad
    else:
        inputs = tuple([t.data for t in tensors])
        requires_grad = any([t.requires_grad for t in tensors])
    if params and prim.name in _PARAM_CHECKED:
        _check_params(prim, tensors, params)
    if prim.forward_with_residual is not None:
        # Keep what the VJP needs from the forward pass instead of recomputing it.
        data, residual = prim.forward_with_residual(*inputs, **params)
        params = {**params, "residual": residual}
    elif params:
        data = prim.forward(*inputs, **params)
    else:
        data = prim.forward(*inputs)
    out = _new_tensor(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
    out.grad = None
    out.name = None
    out.requires_grad = requires_grad
    out._prim = prim
    out._parents = tensors
    out._inputs = inputs
    out._params = params
    out._index = next(_creation)
    return out


_new_tensor = Tensor.__new__
_PARAM_CHECKED = _AXIS_OPS | {"reshape"}
_ADD, _SUB, _MUL, _DIV, _NEG, _MATMUL = (PRIMITIVES[k] for k in
                                         ("add", "sub", "mul", "div", "neg", "matmul"))


def _dot(a, b):
    """``np.dot`` on Tensors: the matrix product, for vectors and matrices."""
    return _as_tensor(a) @ _as_tensor(b)


# -- functions ----------------------------------------------------------------------
def exp(x):
    """``e^x`` entrywise; VJP ``g * e^x``."""
    return apply("exp", x)


def log(x):
    """``log x`` entrywise; VJP ``g / x``."""
    return apply("log", x)


def sigmoid(x):
    """``1 / (1 + e^{-x})``; VJP ``g * sigma (1 - sigma)``."""
    return apply("sigmoid", x)


def tanh(x):
    """``tanh x``; VJP ``g * (1 - tanh^2 x)``."""
    return apply("tanh", x)


def relu(x):
    """``max(x, 0)``; VJP ``g * [x > 0]`` (0 at x = 0)."""
    return apply("relu", x)


def maximum(a, b):
    """Entrywise ``max(a, b)``; the gradient goes to the larger input, split in half at a tie."""
    return apply("maximum", a, b)


def sum(x, axis=None, keepdims=False):  # noqa: A001  (mirrors numpy's name)
    """Sum over ``axis`` (all axes by default); VJP copies ``g`` to every summed entry."""
    return apply("sum", x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; VJP copies ``g / count`` to every entry."""
    return apply("mean", x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    """Same entries, new shape; VJP reshapes ``g`` back."""
    return apply("reshape", x, shape=tuple(shape))


def transpose(x):
    """Reverse the axes (``x.T``); VJP transposes ``g`` back."""
    return apply("transpose", x)


def softmax(x, axis=-1):
    """``exp(x_i) / sum_j exp(x_j)`` along ``axis``; VJP ``a * (g - <g, a>)``."""
    return apply("softmax", x, axis=axis)


def log_softmax(x, axis=-1):
    """``x_i - log sum_j exp(x_j)`` along ``axis``; VJP ``g - a * sum(g)``."""
    return apply("log_softmax", x, axis=axis)


def softmax_cross_entropy(scores, y):
    """Mean softmax cross-entropy of ``scores`` (N, C) against integer labels ``y`` (N,).

    VJP: ``g * (softmax(scores) - one_hot(y)) / N`` (chapter 6).
    """
    return apply("softmax_cross_entropy", scores, y=np.asarray(y))


def svm_loss(scores, y, margin=1.0):
    """Mean multiclass hinge loss of ``scores`` (N, C) against integer labels ``y`` (N,)."""
    return apply("svm_loss", scores, y=np.asarray(y), margin=float(margin))


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
_UFUNC_OPS = {np.add: _operator.add, np.subtract: _operator.sub,
              np.multiply: _operator.mul, np.true_divide: _operator.truediv,
              np.matmul: _operator.matmul, np.negative: _operator.neg,
              np.power: _operator.pow, np.absolute: _operator.abs,
              np.maximum: maximum, np.exp: exp, np.log: log, np.tanh: tanh}
def _shape_of(a):
    return np.shape(a.data if isinstance(a, Tensor) else a)


def _ndim_of(a):
    return len(_shape_of(a))


_ARRAY_FUNCTIONS = {np.shape: _shape_of, np.ndim: _ndim_of,
                    np.sum: _numpy_reduction(sum), np.mean: _numpy_reduction(mean),
                    np.dot: _dot, np.reshape: _numpy_reshape,
                    np.transpose: _numpy_transpose}
