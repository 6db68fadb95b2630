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

from .engine import Tensor, reverse_steps
from .errors import ShapeError, require_finite

__all__ = ["DiagPlusLowRank", "vjp_block", "jacobian"]  # noqa: RUF022 (reading order)


class DiagPlusLowRank:
    """A square block of upstream gradients ``diag(d) + U V^T``, kept factored.

    Row ``i`` is the upstream gradient number ``i``; column ``j`` is entry ``j`` of the
    tensor the block arrives at (a vector with ``len(d)`` entries).  ``U`` and ``V``
    have shape ``(len(d), r)``; ``r`` grows by one at each softmax.
    """

    __slots__ = ("U", "V", "d")

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

    def __add__(self, other: DiagPlusLowRank) -> DiagPlusLowRank:
        return DiagPlusLowRank(self.d + other.d, np.hstack([self.U, other.U]),
                               np.hstack([self.V, other.V]))

    def scale_columns(self, s) -> DiagPlusLowRank:
        """``B diag(s)``: the VJP of an elementwise stage with local derivatives ``s``."""
        return DiagPlusLowRank(self.d * s, self.U, self.V * s[:, None])

    def softmax_vjp(self, a) -> DiagPlusLowRank:
        """``B (diag(a) - a a^T) = B diag(a) - (B a) a^T``: the softmax VJP of every row."""
        Ba = self.d * a + self.U @ (self.V.T @ a)
        return DiagPlusLowRank(self.d * a, np.hstack([self.U, -Ba[:, None]]),
                               np.hstack([self.V * a[:, None], a[:, None]]))

    def times(self, M) -> np.ndarray:
        """``B M = diag(d) M + U (V^T M)``, a dense ``(m, n)`` array in ``O(mn(1 + r))``."""
        return self.d[:, None] * M + self.U @ (self.V.T @ M)


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
    found = {}
    for step in reverse_steps(root, start, vjp=_block_vjp, add=_add, batch_axes=1):
        if step.node in wanted:
            found[step.node] = step.received
    return found


def _add(a, b):
    if isinstance(a, DiagPlusLowRank) and isinstance(b, DiagPlusLowRank):
        return a + b
    return _dense(a) + _dense(b)


def _dense(B):
    return B.dense() if isinstance(B, DiagPlusLowRank) else B


def _block_vjp(node: Tensor, i: int, B):
    """What ``node``'s op sends to input ``i`` when the block ``B`` arrives."""
    if isinstance(B, DiagPlusLowRank):
        sent = _factored_vjp(node, i, B)
        if sent is not None:
            return sent
        B = B.dense()
    return _dense_vjp(node, i, B)


# ------------------------------------------------------------------ the factored block

def _factored_vjp(node: Tensor, i: int, B: DiagPlusLowRank):
    """The op's rule for a factored block, or None where it has none."""
    prim = node.primitive
    if prim.elementwise and node.parents[i].data.shape == node.data.shape:
        # The VJP of an elementwise stage is g * s; the catalogue VJP of a row of ones is s.
        return B.scale_columns(node.call_vjp(prim.vjps[i], np.ones(node.data.shape)))
    if prim.factored_vjps is not None:
        return node.call_vjp(prim.factored_vjps[i], B)
    return None


# ------------------------------------------------------------------ the dense block

def _dense_vjp(node: Tensor, i: int, G: np.ndarray) -> np.ndarray:
    """The VJP of ``node``'s op for input ``i``, applied to every row of ``G``."""
    prim = node.primitive
    if node.data.ndim == 0:
        # A VJP is linear in g: for a scalar output, row j is G[j] times the VJP of 1.
        return np.multiply.outer(G, node.call_vjp(prim.vjps[i], np.float64(1.0)))
    if prim.batched_vjps is not None:
        return node.call_vjp(prim.batched_vjps[i], G)
    # An op without a batching rule: one row at a time (always right, k calls).
    return np.stack([node.call_vjp(prim.vjps[i], g) for g in G])
