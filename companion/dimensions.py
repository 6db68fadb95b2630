"""Dimension analysis: let the shapes pick the formula.

Chapter 4 (:ref:`ch4-dimensions`).  The gradient of a scalar loss with respect
to a matrix has that matrix's shape, and in ``Y = X W`` it can only be built
from the upstream gradient ``dY`` and the other factor.  Among the products of
the two, each possibly transposed, usually exactly one has the right shape:

>>> fitting_products((2, 4), dY=(2, 3), W=(4, 3))
['dY @ W.T']

:func:`check_formula` evaluates the shape of a formula written as text
(``"X.T @ dY"``) and raises a :class:`~companion.errors.ShapeError` naming the
shapes when it cannot be the gradient, with the product that would fit.
"""

from __future__ import annotations

from itertools import permutations

from .errors import ShapeError

__all__ = ["formula_shape", "fitting_products", "gradient_formula", "check_formula"]


def _term_shape(term: str, shapes: dict) -> tuple:
    name, transposed = (term[:-2], True) if term.endswith(".T") else (term, False)
    if name not in shapes:
        raise ValueError(f"unknown name {name!r} in formula; known: {sorted(shapes)}")
    shape = tuple(shapes[name])
    if len(shape) != 2:
        raise ShapeError("formula_shape", {name: shape}, "dimension analysis works on matrices")
    return shape[::-1] if transposed else shape


def formula_shape(expr: str, **shapes) -> tuple:
    """The shape of a product like ``"dY @ W.T"`` given each name's shape.

    Terms are names, optionally followed by ``.T``, joined by ``@``.  Raises
    :class:`ShapeError` when two neighbouring factors do not fit.
    """
    terms = [t.strip() for t in expr.split("@")]
    result = _term_shape(terms[0], shapes)
    for i, term in enumerate(terms[1:], start=1):
        right = _term_shape(term, shapes)
        left = " @ ".join(terms[:i])  # the product so far, whose shape is `result`
        if result[1] != right[0]:
            raise ShapeError("formula_shape", {left: result, term: right},
                             f"in {expr!r}, {left} has {result[1]} columns but {term} has "
                             f"{right[0]} rows")
        result = (result[0], right[1])
    return result


def fitting_products(target_shape, **shapes) -> list[str]:
    """Every product of two of the named matrices, each maybe transposed, of shape
    ``target_shape``."""
    for name in shapes:  # a vector or a 3-d array is refused, not silently skipped
        _term_shape(name, shapes)
    found = []
    for a, b in permutations(shapes, 2):
        for ta in ("", ".T"):
            for tb in ("", ".T"):
                expr = f"{a}{ta} @ {b}{tb}"
                try:
                    if formula_shape(expr, **shapes) == tuple(target_shape):
                        found.append(expr)
                except ShapeError:
                    pass
    return found


def gradient_formula(target_name: str, target_shape, **shapes) -> str:
    """The one product of the named matrices that has the shape of the gradient ``target_name``.

    Raises :class:`ShapeError` if none fits, and ``ValueError`` if several do
    (then some sizes coincide: dimension analysis needs distinct sizes, e.g. N != D).
    """
    found = fitting_products(target_shape, **shapes)
    if not found:
        raise ShapeError("gradient_formula", {target_name: tuple(target_shape), **shapes},
                         f"no product of {', '.join(shapes)} (each maybe transposed) has the "
                         f"shape {tuple(target_shape)}")
    if len(found) > 1:
        raise ValueError(f"gradient_formula: several products have the shape "
                         f"{tuple(target_shape)} of {target_name}: {found}; some sizes "
                         "coincide, so choose distinct sizes to let the shapes decide")
    return found[0]


def check_formula(expr: str, target_name: str, target_shape, **shapes) -> tuple:
    """Check that the formula ``expr`` has the shape of the gradient ``target_name``.

    Returns the shape when it fits; otherwise raises :class:`ShapeError` saying
    what the formula gives and which product would fit, e.g.
    ``dW must have the shape of W (5, 10); dout (5, 3) @ x.T (3, 10) gives that``.
    """
    target_shape = tuple(target_shape)
    try:
        got = formula_shape(expr, **shapes)
    except ShapeError as err:
        got, problem = None, err.rule
    if got == target_shape:
        return got
    fits = fitting_products(target_shape, **shapes)
    if len(fits) == 1:
        parts = [f"{term.strip()} {_term_shape(term.strip(), shapes)}"
                 for term in fits[0].split("@")]
        hint = f"; {' @ '.join(parts)} gives that"
    elif fits:  # sizes coincide: the shapes cannot tell which product is meant
        hint = (f"; {len(fits)} products have that shape ({', '.join(fits)}), so the shapes "
                "cannot decide: check with distinct sizes")
    else:
        hint = ""
    what = f"{expr} gives {got}" if got is not None else f"{expr} is not defined: {problem}"
    raise ShapeError("check_formula", shapes,
                     f"{target_name} must have the shape {target_shape}, but {what}{hint}")
