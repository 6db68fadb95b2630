"""Reverse passes with a block of upstream gradients: whole Jacobians through the engine.

Chapter 9 (:ref:`ch9-jacobian-six-ways`).  ``t.backward(g)`` pulls one upstream
gradient back through the graph.  :func:`vjp_block` pulls a whole block of them in
one pass: ``G`` of shape ``(k,) + root.shape`` holds one upstream gradient per row,
and each op's VJP from the catalogue (:mod:`companion.vjps`) is applied to all the rows
at once.  With ``G`` the identity, row ``i`` of the result is row ``i`` of the
Jacobian (:func:`jacobian`).

A dense identity makes every stage ``k`` times as expensive as one pass.  For
``softmax(W x)`` the matmul stage multiplies an ``m x m`` block by ``W``, O(m^2 n).
So :func:`jacobian` carries the block in factored form while it can: ``B = diag(d)
+ U V^T`` (:class:`DiagPlusLowRank`).  The identity is ``diag(1)``.  An elementwise
stage scales the block's columns.  Softmax, whose Jacobian is ``diag(a) - a a^T``,
adds one to the rank.  The matmul stage then returns ``diag(d) W + U (V^T W)``, an
``O(mn)`` product.  For ``softmax(W x)`` this is exactly the ``O(mn)`` formula
``a * W - a (a^T W)`` (eq. ``ch9-eq-cheap``): the engine finds it by itself.  An op
with no rule for the factored form gets the block as a dense array.

Every rule is checked in ``tests/test_blocks.py`` against the dense block and
against ``k`` single reverse passes.
"""

from __future__ import annotations

import numpy as np

from .engine import Tensor, topological_order
from .errors import ShapeError, require_finite

__all__ = ["DiagPlusLowRank", "vjp_block", "jacobian"]


class DiagPlusLowRank:
    """A square block of upstream gradients ``diag(d) + U V^T``, kept factored.

    Row ``i`` is the upstream gradient number ``i``; column ``j`` is entry ``j`` of the
    tensor the block arrives at (a vector with ``len(d)`` entries).  ``U`` and ``V``
    have shape ``(len(d), r)``; ``r`` grows by one at each softmax.
    """

    __slots__ = ("d", "U", "V")

    def __init__(self, d, U=None, V=None):
        self.d = np.asarray(d, dtype=np.float64)
        if self.d.ndim != 1:
            raise ShapeError("DiagPlusLowRank", {"d": self.d.shape}, "d must be a vector")
        empty = np.empty((self.d.size, 0))
        self.U = empty if U is None else np.asarray(U, dtype=np.float64)
        self.V = empty if V is None else np.asarray(V, dtype=np.float64)
        if self.U.shape != self.V.shape or self.U.shape[:1] != self.d.shape or self.U.ndim != 2:
            raise ShapeError("DiagPlusLowRank", {"d": self.d.shape, "U": self.U.shape,
                                                 "V": self.V.shape},
                             "U and V must both have shape (len(d), r)")

    @property
    def shape(self) -> tuple:
        return (self.d.size, self.d.size)

    @property
    def rank(self) -> int:
        """The rank ``r`` of the low-rank part."""
        return self.U.shape[1]

    def dense(self) -> np.ndarray:
        """The block as an ``(m, m)`` array."""
        B = self.U @ self.V.T
        B[np.diag_indices(self.d.size)] += self.d
        return B

    def __add__(self, other: "DiagPlusLowRank") -> "DiagPlusLowRank":
        return DiagPlusLowRank(self.d + other.d, np.hstack([self.U, other.U]),
                               np.hstack([self.V, other.V]))

    def scale_columns(self, s) -> "DiagPlusLowRank":
        """``B diag(s)``: the VJP of an elementwise stage with local derivatives ``s``."""
        return DiagPlusLowRank(self.d * s, self.U, self.V * s[:, None])

    def softmax_vjp(self, a) -> "DiagPlusLowRank":
        """``B (diag(a) - a a^T) = B diag(a) - (B a) a^T``: the softmax VJP of every row."""
        Ba = self.d * a + self.U @ (self.V.T @ a)
        return DiagPlusLowRank(self.d * a, np.hstack([self.U, -Ba[:, None]]),
                               np.hstack([self.V * a[:, None], a[:, None]]))

    def times(self, M) -> np.ndarray:
        """``B M = diag(d) M + U (V^T M)``, a dense ``(m, n)`` array in ``O(mn(1 + r))``."""
        out = self.d[:, None] * M
        if not self.rank:
            return out
        from scipy.linalg.blas import dger as _dger  # here: companion's import loads no second BLAS

        R = self.V.T @ M
        # U R as r rank-one updates made in place (BLAS dger), without an m x n temporary;
        # a matrix product with an inner dimension of 1 is BLAS's slowest case.
        for j in range(self.rank):
            out = _dger(1.0, R[j], self.U[:, j], a=out.T, overwrite_a=1).T  # out.T is Fortran-ordered
        return out


def vjp_block(root: Tensor, G, wrt):
    """One reverse pass from ``root`` with a block ``G`` of upstream gradients.

    Parameters
    ----------
    root : Tensor, the output of a recorded computation.
    G : array_like of shape ``(k,) + root.shape``: ``k`` upstream gradients, one per row.
    wrt : Tensor, or a list/tuple of Tensors, that ``root`` depends on.

    Returns
    -------
    ndarray of shape ``(k,) + t.shape`` for a single ``t = wrt`` (a tuple of them for a
    list): row ``i`` is ``G[i]`` pulled back to ``t``, as ``root.backward(G[i])``
    would leave in ``t.grad``.  No ``.grad`` is touched.
    """
    G = np.array(G, dtype=np.float64)
    if G.ndim < 1 or G.shape[1:] != root.data.shape:
        raise ShapeError("vjp_block", {"root": root.data.shape, "G": G.shape},
                         "G must have shape (k,) + root.shape: one upstream gradient per row")
    require_finite("vjp_block", "G", G)
    targets = _targets("vjp_block", wrt)
    found = _pull(root, G, targets)
    out = tuple(_finish(found.get(t), G.shape[0], t) for t in targets)
    return out[0] if isinstance(wrt, Tensor) else out


def jacobian(root: Tensor, wrt, structured: bool = True):
    """The Jacobian of ``root`` with respect to ``wrt``, by one reverse pass with ``G = I``.

    Returns an array of shape ``root.shape + t.shape`` (numerator layout, as
    :func:`companion.numeric.numerical_jacobian`), or a tuple of them for a list ``wrt``.
    ``structured=True`` starts from the identity in factored form
    (:class:`DiagPlusLowRank`) when ``root`` is a vector, so that stages with a rule for
    it never build an ``m x m`` block; ``structured=False`` pulls the dense identity.
    """
    targets = _targets("jacobian", wrt)
    m = root.data.size
    if structured and root.data.ndim == 1:
        start = DiagPlusLowRank(np.ones(m))
    else:
        start = np.eye(m).reshape((m,) + root.data.shape)
    found = _pull(root, start, targets)
    out = tuple(_finish(found.get(t), m, t).reshape(root.data.shape + t.data.shape)
                for t in targets)
    return out[0] if isinstance(wrt, Tensor) else out


def _targets(op: str, wrt) -> list:
    targets = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    for t in targets:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: wrt must be Tensors of the graph, got {type(t).__name__}")
        if not t.requires_grad:
            raise ValueError(f"{op}: a constant (requires_grad=False) has no gradient")
    return targets


def _finish(block, k: int, t: Tensor) -> np.ndarray:
    if block is None:  # root does not depend on t
        return np.zeros((k,) + t.data.shape)
    return _dense(block)


def _pull(root: Tensor, start, targets: list) -> dict:
    """The reverse pass over blocks: the block that reaches each target."""
    wanted = set(targets)
    blocks, found = {root: start}, {}
    for node in reversed(topological_order(root)):
        B = blocks.pop(node, None)
        if B is None:
            continue
        if node in wanted:
            found[node] = B
        if node._prim is None:
            continue
        for i, parent in enumerate(node._parents):
            if not parent.requires_grad:
                continue
            if isinstance(B, DiagPlusLowRank):
                sent = _structured_vjp(node, i, B)
            else:
                sent = _dense_vjp(node, i, B)
            old = blocks.get(parent)
            blocks[parent] = sent if old is None else _add(old, sent)
    return found


def _add(a, b):
    if isinstance(a, DiagPlusLowRank) and isinstance(b, DiagPlusLowRank):
        return a + b
    return _dense(a) + _dense(b)


def _dense(B):
    return B.dense() if isinstance(B, DiagPlusLowRank) else B


# ------------------------------------------------------------------ the factored block

_ELEMENTWISE = {"neg", "power", "exp", "log", "sigmoid", "tanh", "relu"}
_ELEMENTWISE_BINARY = {"add", "sub", "mul", "div", "maximum"}


def _structured_vjp(node: Tensor, i: int, B: DiagPlusLowRank):
    prim, out, inputs, params = node._prim, node.data, node._inputs, node._params
    name = prim.name
    if name in _ELEMENTWISE or (name in _ELEMENTWISE_BINARY and inputs[i].shape == out.shape):
        # The VJP of an elementwise stage is g * s; the catalogue VJP of a row of ones is s.
        return B.scale_columns(prim.vjps[i](np.ones(out.shape), out, *inputs, **params))
    if name == "softmax":
        return B.softmax_vjp(out)
    if name == "matmul" and out.ndim == 1:
        a, b = inputs
        if i == 1 and a.ndim == 2:  # out = W x: rows g -> W^T g, for the block B W
            return B.times(a)
        if i == 0 and b.ndim == 2:  # out = x W: rows g -> W g, for the block B W^T
            return B.times(b.T)
    return _dense_vjp(node, i, B.dense())


# ------------------------------------------------------------------ the dense block

def _dense_vjp(node: Tensor, i: int, G: np.ndarray) -> np.ndarray:
    """The VJP of ``node``'s op for input ``i``, applied to every row of ``G``."""
    prim, out, inputs, params = node._prim, node.data, node._inputs, node._params
    vjp, name, k = prim.vjps[i], prim.name, G.shape[0]
    if out.ndim == 0:
        # A VJP is linear in g: for a scalar output, row j is G[j] times the VJP of 1.
        one = vjp(np.float64(1.0), out, *inputs, **params)
        return np.multiply.outer(G, one)
    if name in _ELEMENTWISE:
        return vjp(G, out, *inputs, **params)  # g * s broadcasts over the rows
    if name in _ELEMENTWISE_BINARY or name == "reshape":
        # Input i is passed as k stacked copies (a view, no copy), aligned with G's axes,
        # so that the sum over broadcast axes (sum_to_shape) keeps one gradient per row.
        args = list(inputs)
        x = inputs[i]
        lifted = (k,) + (1,) * (out.ndim - x.ndim) + x.shape
        args[i] = np.broadcast_to(x, lifted)
        return vjp(G, out, *args, **params).reshape((k,) + x.shape)
    if name in ("sum", "mean"):
        x = inputs[i]
        axis = params.get("axis")
        axes = tuple(range(1, x.ndim + 1)) if axis is None else tuple(
            a % x.ndim + 1 for a in ((axis,) if isinstance(axis, int) else axis))
        return vjp(G, out, np.broadcast_to(x, (k,) + x.shape), axis=axes,
                   keepdims=params.get("keepdims", False))
    if name in ("softmax", "log_softmax"):
        axis = params.get("axis", -1)
        return vjp(G, out, *inputs, axis=axis + 1 if axis >= 0 else axis)
    if name == "transpose":
        return G.transpose((0,) + tuple(range(G.ndim - 1, 0, -1)))
    if name == "matmul":
        a, b = inputs
        if i == 0:  # dA = g b^T, or g b for a vector b
            return G[..., None] * b if b.ndim == 1 else G @ b.T
        if a.ndim == 2:  # dB = A^T g
            return a.T @ G if b.ndim == 2 else G @ a
        return G[:, None, :] * a[:, None] if b.ndim == 2 else G[:, None] * a
    # An op without a batching rule: one row at a time (always right, k calls).
    return np.stack([vjp(g, out, *inputs, **params) for g in G])
