"""Errors that name what went wrong, in the words of dimension analysis.

A wrong shape is never broadcast into a silently wrong number: it raises
:class:`ShapeError`, whose message names the operation, the shapes it received
and the rule those shapes break.  Non-finite input is refused by
:func:`require_finite`, which says which entries are bad.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ShapeError", "all_finite", "require_finite", "require_labels", "label_hint",
           "format_shapes", "FINITE_DIFFERENCES", "NonFiniteError"]


def format_shapes(shapes: dict) -> str:
    """``{"W": (3, 4), "x": (5,)}`` -> ``"W (3, 4), x (5,)"``."""
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())


class ShapeError(ValueError):
    """A shape that breaks an operation's rule.

    Parameters
    ----------
    op : str
        The operation, e.g. ``"linear_jacobian"``.
    shapes : dict
        The shapes received, by argument name.
    rule : str
        The rule they were expected to satisfy, e.g.
        ``"z = W x needs x of shape (W.shape[1],) = (4,)"``.
    """

    def __init__(self, op: str, shapes: dict, rule: str):
        self.op = op
        self.shapes = {name: tuple(shape) for name, shape in shapes.items()}
        self.rule = rule
        super().__init__(f"{op}: got {format_shapes(self.shapes)}; {rule}")

    def __reduce__(self):
        return (type(self), (self.op, self.shapes, self.rule))


class NonFiniteError(ValueError):
    """A NaN or an infinity where finite values are needed (see :func:`require_finite`)."""


def all_finite(a: np.ndarray) -> bool:
    """True if every entry of the float array ``a`` is finite.

    A large array is first summed, in one pass and without a boolean copy: the
    sum is finite only if every entry is (a NaN or an infinity makes it NaN or
    infinite); only when it is not (or overflowed) are the entries examined.
    """
    if a.size > 4096:
        with np.errstate(over="ignore", invalid="ignore"):
            s = np.add.reduce(a, axis=None)
        if math.isfinite(s) if a.dtype.kind == "f" else bool(np.isfinite(s)):
            return True
    return bool(np.isfinite(a).all())


#: Why :mod:`companion.numeric` and the gradient checks refuse a NaN or infinity.
FINITE_DIFFERENCES = "finite differences need finite values"


def require_finite(op: str, name: str, array, *, limit: int = 5,
                   reason: str = "a NaN or infinity would spread to every result "
                                 "computed from it; find where it came from") -> None:
    """Raise :class:`NonFiniteError` (a ``ValueError``) naming the non-finite entries of
    ``array``, if any.

    The message ends with ``reason``, written for the caller's context: the
    finite-difference functions pass :data:`FINITE_DIFFERENCES` (the
    difference of a NaN is NaN: a wrong number with no warning), a layer
    names the likely cause (a diverging training run) and the fix.
    """
    a = np.asarray(array)
    if a.dtype.kind not in "fc":
        return
    if all_finite(a):
        return
    bad = ~np.isfinite(a)
    if not bad.any():
        return
    where = np.argwhere(bad)
    shown = ", ".join(
        f"{tuple(int(i) for i in idx)}={a[tuple(idx)]}" for idx in where[:limit]
    )
    more = f" and {len(where) - limit} more" if len(where) > limit else ""
    raise NonFiniteError(
        f"{op}: {name} has {len(where)} non-finite entr{'y' if len(where) == 1 else 'ies'} "
        f"at {shown}{more}; {reason}"
    )


def label_hint(y, n_classes: int) -> str:
    """A "did you mean" for labels in a common wrong encoding, or ``""``.

    Recognised: one-hot rows (``y`` of shape (N, C) with one 1 per row), labels
    counted from 1 (``1..C``), and whole numbers stored as floats.
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf" or y.size == 0:
        return ""
    if y.ndim == 2 and y.shape[1] == n_classes and np.all((y == 0) | (y == 1)) \
            and np.all(y.sum(axis=1) == 1):
        return " (y looks one-hot: did you mean y.argmax(axis=1)?)"
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return " (the labels are whole numbers stored as floats: did you mean y.astype(int)?)"
    if y.dtype.kind in "iu" and y.min() == 1 and y.max() == n_classes:
        return f" (the labels run from 1 to {n_classes}: did you mean y - 1?)"
    return ""


def require_labels(op: str, y, n_classes: int, *, of: tuple | None = None,
                   per: str = "row") -> np.ndarray:
    """Check class labels once: integer dtype, one per sample, each in ``0..n_classes-1``.

    Returns ``y`` as an array.  ``of=(name, shape)`` names the data the labels
    belong to (e.g. ``("X", X.shape)``); ``per`` says how that data holds its
    samples: ``"row"`` (one label per row, ``shape[0]`` of them) or ``"column"``
    (``shape[1]``).  Without ``of`` the shape is not checked.

    A label out of range would index the wrong class or wrap around (``-1`` is the
    last class in numpy): a wrong loss with no warning, so it is refused here.
    Every refusal of labels in a common wrong encoding (one-hot rows, labels
    counted from 1, whole numbers stored as floats) ends with a "did you mean"
    (:func:`label_hint`).
    """
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels y must be integers (class indices 0..{n_classes - 1}), "
                        f"got dtype {y.dtype}{label_hint(y, n_classes)}")
    if of is not None:
        name, shape = of
        n = shape[0] if per == "row" else shape[1]
        if y.shape != (n,):
            raise ShapeError(op, {name: shape, "y": y.shape},
                             f"one label per {per} of {name}" + label_hint(y, n_classes))
    bad = np.flatnonzero((y < 0) | (y >= n_classes))
    if bad.size:
        raise ValueError(f"{op}: labels must lie in 0..{n_classes - 1}; entries "
                         f"{bad[:5].tolist()} are {y.ravel()[bad[:5]].tolist()}"
                         f"{label_hint(y, n_classes)}")
    return y
