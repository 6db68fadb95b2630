"""The analytic Jacobians of chapter 1, each as an explicit matrix.

Numerator layout throughout (:ref:`ch1-layout`): the Jacobian of ``z = f(x)``
with ``x`` of shape ``(n,)`` and ``z`` of shape ``(m,)`` is the ``m x n`` matrix
``J[i, j] = dz_i / dx_j``; for a scalar ``s`` it is the row ``ds/dx`` of the book,
stored with shape ``(n,)``, the same numbers as the gradient.  This is the shape
:func:`companion.numeric.numerical_jacobian` returns, so every function here can be
checked against it directly.

These matrices are for seeing the structure; a backward pass never builds
them (chapter 2 explains why).  Functions of two arguments return a pair: the
Jacobian with respect to each.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import ShapeError, require_finite

__all__ = [
    "matvec_jacobian",
    "vecmat_jacobian",
    "identity_jacobian",
    "elementwise_jacobian",
    "add_jacobians",
    "sub_jacobians",
    "mul_jacobians",
    "div_jacobians",
    "scalar_add_jacobians",
    "scalar_mul_jacobians",
    "sum_jacobian",
    "scaled_sum_jacobians",
    "denominator_layout",
]


def _array(op: str, name: str, a, ndim: int) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != ndim:
        kind = {0: "a scalar", 1: "a vector", 2: "a matrix"}[ndim]
        raise ShapeError(op, {name: a.shape}, f"{name} must be {kind} ({ndim}-d)")
    require_finite(op, name, a)
    return a


def _pair(op: str, w, x) -> tuple[np.ndarray, np.ndarray]:
    w = _array(op, "w", w, 1)
    x = _array(op, "x", x, 1)
    if w.shape != x.shape:
        raise ShapeError(op, {"w": w.shape, "x": x.shape},
                         "an elementwise operator needs w and x of the same shape "
                         "(a scalar operand is scalar expansion: see scalar_add_jacobians)")
    return w, x


def matvec_jacobian(W, x) -> np.ndarray:
    """Jacobian of ``z = W x`` with respect to ``x``: ``W`` itself (eq. ``ch1-eq-Wx``).

    ``z_i = sum_k W_ik x_k``, so ``dz_i / dx_j = W_ij``.

    Shapes: ``W`` (m, n), ``x`` (n,) -> J (m, n).
    """
    op = "matvec_jacobian"
    W = _array(op, "W", W, 2)
    x = _array(op, "x", x, 1)
    if W.shape[1] != x.shape[0]:
        raise ShapeError(op, {"W": W.shape, "x": x.shape},
                         f"z = W x needs x of shape (W.shape[1],) = ({W.shape[1]},)")
    return W.copy()


def vecmat_jacobian(x, W) -> np.ndarray:
    """Jacobian of ``z = x W`` (``x`` a row vector) with respect to ``x``: ``W^T``
    (eq. ``ch1-eq-xW``).

    ``z_j = sum_k x_k W_kj``, so ``dz_j / dx_i = W_ij`` and ``J = W^T``.

    Shapes: ``x`` (n,), ``W`` (n, m) -> J (m, n).
    """
    op = "vecmat_jacobian"
    x = _array(op, "x", x, 1)
    W = _array(op, "W", W, 2)
    if W.shape[0] != x.shape[0]:
        raise ShapeError(op, {"x": x.shape, "W": W.shape},
                         f"z = x W needs x of shape (W.shape[0],) = ({W.shape[0]},)")
    return W.T.copy()


def identity_jacobian(x) -> np.ndarray:
    """Jacobian of ``z = x``: the identity ``I`` (eq. ``ch1-eq-identity``).

    Shapes: ``x`` (n,) -> J (n, n).
    """
    x = _array("identity_jacobian", "x", x, 1)
    return np.eye(x.size)


def elementwise_jacobian(fprime: Callable, x) -> np.ndarray:
    """Jacobian of ``z = f(x)`` applied entry by entry: ``diag(f'(x))``
    (eq. ``ch1-eq-elementwise``).

    ``z_i = f(x_i)`` depends on ``x_i`` alone, so only the diagonal survives.

    Shapes: ``x`` (n,), ``fprime(x)`` (n,) -> J (n, n).
    """
    op = "elementwise_jacobian"
    x = _array(op, "x", x, 1)
    d = np.asarray(fprime(x.copy()), dtype=np.float64)
    if d.shape != x.shape:
        raise ShapeError(op, {"x": x.shape, "fprime(x)": d.shape},
                         "fprime must act entry by entry: fprime(x) has the shape of x")
    require_finite(op, "fprime(x)", d)
    return np.diag(d)


def add_jacobians(w, x) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = w + x``: ``(I, I)`` (eq. ``ch1-eq-binary``).

    Shapes: (n,), (n,) -> (n, n) each.
    """
    w, x = _pair("add_jacobians", w, x)
    return np.eye(w.size), np.eye(x.size)


def sub_jacobians(w, x) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = w - x``: ``(I, -I)`` (eq. ``ch1-eq-binary``).

    Shapes: (n,), (n,) -> (n, n) each.
    """
    w, x = _pair("sub_jacobians", w, x)
    return np.eye(w.size), -np.eye(x.size)


def mul_jacobians(w, x) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = w * x`` (entrywise): ``(diag(x), diag(w))`` (eq. ``ch1-eq-binary``).

    Shapes: (n,), (n,) -> (n, n) each.
    """
    w, x = _pair("mul_jacobians", w, x)
    return np.diag(x), np.diag(w)


def div_jacobians(w, x) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = w / x`` (entrywise): ``(diag(1/x), diag(-w/x^2))``
    (eq. ``ch1-eq-binary``).

    Shapes: (n,), (n,) -> (n, n) each.  ``x`` must have no zero entry.
    """
    op = "div_jacobians"
    w, x = _pair(op, w, x)
    zeros = np.flatnonzero(x == 0)
    if zeros.size:
        raise ValueError(f"{op}: x is zero at entries {zeros.tolist()}; w / x is undefined there")
    return np.diag(1.0 / x), np.diag(-w / x**2)


def _vector_and_scalar(op: str, x, z) -> tuple[np.ndarray, float]:
    x = _array(op, "x", x, 1)
    z = _array(op, "z", z, 0)
    return x, float(z)


def scalar_add_jacobians(x, z) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = x + z`` with a scalar ``z`` expanded to every entry
    (eq. ``ch1-eq-scalar``).

    The book writes the scalar ``alpha``.  ``du/dx = I`` (n, n) and ``du/dz = 1`` (a column
    of ones, shape (n,)).
    """
    x, _ = _vector_and_scalar("scalar_add_jacobians", x, z)
    return np.eye(x.size), np.ones(x.size)


def scalar_mul_jacobians(x, z) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``u = x z`` with a scalar ``z`` (eq. ``ch1-eq-scalar``).

    The book writes the scalar ``alpha``.  ``du/dx = z I`` (n, n) and ``du/dz = x``
    (shape (n,)).
    """
    x, z = _vector_and_scalar("scalar_mul_jacobians", x, z)
    return z * np.eye(x.size), x.copy()


def sum_jacobian(x) -> np.ndarray:
    """Jacobian of ``s = sum(x)``: the row of ones ``1^T`` (eq. ``ch1-eq-sum``).

    Shapes: ``x`` (n,) -> (n,).
    """
    x = _array("sum_jacobian", "x", x, 1)
    return np.ones(x.size)


def scaled_sum_jacobians(x, z) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``s = sum(x z)`` with a scalar ``z`` (eq. ``ch1-eq-sum``).

    The book writes the scalar ``alpha``.  ``ds/dx = z 1^T`` (shape (n,)) and
    ``ds/dz = sum(x)`` (shape ()).
    """
    x, z = _vector_and_scalar("scaled_sum_jacobians", x, z)
    return np.full(x.size, z), np.array(x.sum())


def denominator_layout(J, in_ndim: int = 1) -> np.ndarray:
    """Convert a numerator-layout Jacobian to denominator layout (eq. ``ch1-eq-layouts``).

    Numerator layout has shape ``out_shape + in_shape``; denominator layout puts
    the input's axes first: ``in_shape + out_shape``.  For ``f: R^n -> R^m``
    this is the transpose, ``(m, n) -> (n, m)``.  The operation is its own
    inverse when the input and output have the same number of axes.
    """
    J = np.asarray(J)
    if not 0 <= in_ndim <= J.ndim:
        raise ShapeError("denominator_layout", {"J": J.shape},
                         f"in_ndim={in_ndim} must be between 0 and J.ndim={J.ndim}")
    out_ndim = J.ndim - in_ndim
    return np.moveaxis(J, tuple(range(out_ndim)), tuple(range(in_ndim, J.ndim))).copy()
