"""Gradient checks: an analytic derivative against central differences.

Chapter 8 (:ref:`ch8-fd`), first used in chapter 1 (:ref:`ch1-checks`).  Four
checks, from the most to the least expensive:

* :func:`check_jacobian`: a full analytic Jacobian against
  :func:`~companion.numeric.numerical_jacobian`;
* :func:`check_gradient`: the gradient of a scalar ``f`` against
  :func:`~companion.numeric.numerical_gradient` (two evaluations of ``f`` per entry of ``x``);
* :func:`check_vjp`: a vector-Jacobian product ``J^T dout`` for a random (or given)
  upstream gradient ``dout`` against :func:`~companion.numeric.numerical_vjp`;
* :func:`check_directional`: the dot-product check.  Along a random unit
  direction ``v`` the directional derivative
  ``(f(x + h v) - f(x - h v)) / 2h`` must equal ``<grad, v>``: two evaluations
  per direction, whatever the size of ``x``.

Each returns a :class:`CheckResult`, true when the check passed, printable as
one line.  Checks refuse float32 and float16: their rounding error (about
``1e-7 / h``) swamps any tolerance a check could use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import FINITE_DIFFERENCES, ShapeError, require_finite
from .numeric import DEFAULT_STEP, numerical_gradient, numerical_jacobian, numerical_vjp

__all__ = [
    "CheckResult",
    "rel_error",
    "norm_rel_error",
    "check_gradient",
    "check_jacobian",
    "check_directional",
    "check_vjp",
    "DEFAULT_TOL",
]

# Why a non-finite analytic derivative is refused (before any f is evaluated).
_ANALYTIC_NAN = ("an analytic derivative with a NaN or infinity cannot be checked; "
                 "look for a division by zero or an overflow in its formula")

#: Default tolerance on the relative error, for float64 with the default step.
DEFAULT_TOL = 1e-6


def _same_shape(op: str, a, b, names=("a", "b")):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ShapeError(op, {names[0]: a.shape, names[1]: b.shape},
                         f"{names[0]} and {names[1]} must have the same shape "
                         "(no broadcasting in a comparison)")
    return a.astype(np.float64), b.astype(np.float64)


def rel_error(a, b) -> float:
    """Largest elementwise relative error, cs231n's definition.

    ``max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)``.  ``a`` and ``b`` must have
    the same shape.  Below about 1e-7 means agreement in float64; above 1e-2
    almost always means a wrong formula.
    """
    a, b = _same_shape("rel_error", a, b)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def norm_rel_error(a, b) -> float:
    """Normwise relative error ``||a - b|| / max(1e-8, ||a|| + ||b||)`` (Frobenius norms).

    Robust to tiny entries: an entry far smaller than the rest carries a large
    elementwise relative error from rounding alone, which hardly moves the norms.
    It does not excuse a kink that a probe crosses: that error is real and can
    still exceed a tight tolerance (chapter 7 shows one).
    """
    a, b = _same_shape("norm_rel_error", a, b)
    return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))


_MEASURES = {"elementwise": rel_error, "normwise": norm_rel_error}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a gradient check.

    Attributes
    ----------
    ok : bool, whether ``error <= tol``.
    error : float, the relative error measured.
    tol : float, the tolerance it was held to.
    method : str, which check ran.
    n_evals : int, how many times ``f`` was evaluated.
    worst : tuple or None, the index of the entry that disagrees most (as
        PyTorch's gradcheck reports it), with ``analytic`` and ``numeric``, its
        two values; None for the directional check.
    hint : str, advice printed under a FAIL (e.g. to try the normwise measure).
    """

    ok: bool
    error: float
    tol: float
    method: str
    n_evals: int
    worst: tuple | None = None
    analytic: float | None = None
    numeric: float | None = None
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "PASS" if self.ok else "FAIL"
        relation = "<=" if self.ok else ">"
        line = (f"{self.method} check: rel error {self.error:.1e} {relation} tol {self.tol:.0e}"
                f" ({self.n_evals} evaluations of f) -> {verdict}")
        if self.ok or self.worst is None:
            return line
        line += (f"\n  worst entry {self.worst}: analytic {self.analytic:.6g}, "
                 f"numeric {self.numeric:.6g}")
        return line + (f"\n  {self.hint}" if self.hint else "")


def _verdict(analytic, numeric, error: float, tol: float, method: str, n_evals: int,
             measure: str) -> CheckResult:
    """A :class:`CheckResult`, naming the worst entry and, where it helps, a measure."""
    diff = np.abs(analytic - numeric)
    if measure == "elementwise":
        per_entry = diff / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    else:
        per_entry = diff
    worst = np.unravel_index(int(np.argmax(per_entry)), np.shape(per_entry))
    worst = tuple(int(i) for i in worst)
    a, n = float(analytic[worst]), float(numeric[worst])
    hint = ""
    largest = float(np.max(np.abs(numeric)))
    if measure == "elementwise" and max(abs(a), abs(n)) < 1e-3 * largest:
        hint = (f"this entry is tiny next to the largest ({largest:.1e}): its rounding\n"
                f"  error alone can fail; try measure=\"normwise\"")
    return CheckResult(error <= tol, error, tol, method, n_evals, worst, a, n, hint)


def _refuse_function(op: str, name: str, value) -> None:
    if callable(value):
        raise TypeError(f"{op}: {name} is a function; pass its value at x "
                        f"(call it: {name}(x)); check_vjp is the check that takes "
                        f"a function")


def _refuse_low_precision(op: str, **arrays) -> None:
    for name, a in arrays.items():
        dtype = np.asarray(a).dtype
        if dtype.kind == "f" and dtype.itemsize < 8:
            if name == "f(x)":  # casting the result would keep all of f's rounding
                advice = ("Compute f in float64 throughout (its inputs, constants and "
                          "parameters), not only its result.")
            else:
                advice = f"Cast with np.asarray({name}, dtype=np.float64)."
            raise TypeError(
                f"{op}: {name} is {dtype}; a gradient check needs float64. With "
                f"{dtype} (epsilon {np.finfo(dtype).eps:.1e}) the rounding error of a "
                f"central difference, about epsilon / h, swamps the check's tolerance. "
                + advice
            )


def _float64_f(op: str, f: Callable) -> Callable:
    """Wrap ``f`` so that a float32 result is refused instead of silently checked."""

    def wrapped(x):
        y = f(x)
        _refuse_low_precision(op, **{"f(x)": y})
        return y

    return wrapped


def _measure(op: str, measure: str):
    if measure not in _MEASURES:
        raise ValueError(f"{op}: measure must be one of {sorted(_MEASURES)}, got {measure!r}")
    return _MEASURES[measure]


def _full_check_arguments(op: str, x, name: str, analytic, measure: str):
    """What check_gradient and check_jacobian refuse, once: a function passed
    instead of its value, low precision, an unknown measure.
    Returns ``(x, analytic, error_of)``, the arrays as float64 and the measure."""
    _refuse_function(op, name, analytic)
    _refuse_low_precision(op, **{"x": x, name: analytic})
    error_of = _measure(op, measure)
    return np.asarray(x, dtype=np.float64), np.asarray(analytic), error_of


def check_gradient(f: Callable, x, grad, *, h: float = DEFAULT_STEP, tol: float = DEFAULT_TOL,
                   measure: str = "elementwise", batched: bool = False) -> CheckResult:
    """Full check of the analytic gradient ``grad`` of a scalar ``f`` at ``x``.

    Compares ``grad`` (shape of ``x``) with
    :func:`~companion.numeric.numerical_gradient`, entry by
    entry (``measure="elementwise"``, :func:`rel_error`) or as a whole
    (``measure="normwise"``, :func:`norm_rel_error`).  Costs ``2 * x.size``
    evaluations of ``f``.
    """
    op = "check_gradient"
    x, grad, error_of = _full_check_arguments(op, x, "grad", grad, measure)
    if grad.shape != x.shape:
        raise ShapeError(op, {"x": x.shape, "grad": grad.shape},
                         "the gradient of a scalar f has the shape of x")
    require_finite(op, "grad", grad, reason=_ANALYTIC_NAN)
    numeric = numerical_gradient(_float64_f(op, f), x, h, batched=batched)
    error = error_of(grad, numeric)
    return _verdict(grad, numeric, error, tol, f"full gradient ({measure})", 2 * x.size,
                    measure)


def check_jacobian(f: Callable, x, jac, *, h: float = DEFAULT_STEP, tol: float = DEFAULT_TOL,
                   measure: str = "elementwise", batched: bool = False) -> CheckResult:
    """Full check of an analytic Jacobian ``jac`` (numerator layout) of ``f`` at ``x``.

    ``jac`` must have shape ``np.shape(f(x)) + np.shape(x)``, as
    :func:`~companion.numeric.numerical_jacobian` returns.  Costs ``2 * x.size``
    evaluations of ``f``.
    """
    op = "check_jacobian"
    x, jac, error_of = _full_check_arguments(op, x, "jac", jac, measure)
    require_finite(op, "jac", jac, reason=_ANALYTIC_NAN)
    numeric = numerical_jacobian(_float64_f(op, f), x, h, batched=batched)
    if jac.shape != numeric.shape:
        raise ShapeError(op, {"jac": jac.shape, "f(x)": numeric.shape[: numeric.ndim - x.ndim],
                              "x": x.shape},
                         "a Jacobian in numerator layout has shape f(x).shape + x.shape = "
                         f"{numeric.shape}")
    error = error_of(jac, numeric)
    return _verdict(jac, numeric, error, tol, f"full Jacobian ({measure})", 2 * x.size,
                    measure)


def check_directional(f: Callable, x, grad, *, n_directions: int = 3, h: float = DEFAULT_STEP,
                      tol: float = DEFAULT_TOL, seed: int = 0) -> CheckResult:
    """Dot-product check of the gradient ``grad`` of a scalar ``f`` along random directions.

    For ``n_directions`` random unit vectors ``v`` (seeded), compares the
    central difference ``(f(x + h v) - f(x - h v)) / 2h`` with ``<grad, v>``; the
    error is the largest relative error over the directions.  Costs
    ``2 * n_directions`` evaluations of ``f``, independent of ``x.size``.
    """
    op = "check_directional"
    _refuse_function(op, "grad", grad)
    _refuse_low_precision(op, x=x, grad=grad)
    if int(n_directions) < 1:
        raise ValueError(f"{op}: n_directions must be at least 1, got {n_directions}")
    x = np.array(x, dtype=np.float64, copy=True)
    require_finite(op, "x", x, reason=FINITE_DIFFERENCES)
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != x.shape:
        raise ShapeError(op, {"x": x.shape, "grad": grad.shape},
                         "the gradient of a scalar f has the shape of x")
    require_finite(op, "grad", grad, reason=_ANALYTIC_NAN)
    f64 = _float64_f(op, f)
    rng = np.random.default_rng(seed)
    numeric, analytic = [], []
    for _ in range(int(n_directions)):
        v = rng.standard_normal(x.shape)
        v /= np.linalg.norm(v)
        up = np.asarray(f64(x + h * v), dtype=np.float64)
        down = np.asarray(f64(x - h * v), dtype=np.float64)
        if up.shape != ():
            raise ShapeError(op, {"f(x)": up.shape}, "a gradient check needs a scalar f")
        require_finite(op, "f along a direction", np.stack([up, down]),
                       reason=FINITE_DIFFERENCES)
        numeric.append((up - down) / (2 * h))
        analytic.append(np.sum(grad * v))
    error = rel_error(np.array(analytic), np.array(numeric))
    k = int(n_directions)
    return CheckResult(error <= tol, error, tol,
                       f"directional ({k} direction{'' if k == 1 else 's'})", 2 * k)


def check_vjp(f: Callable, x, vjp, dout=None, *, h: float = DEFAULT_STEP,
              tol: float = DEFAULT_TOL, measure: str = "elementwise", seed: int = 0,
              batched: bool = False) -> CheckResult:
    """Check a backward function: ``vjp(dout)`` must equal ``J^T dout`` for ``f`` at ``x``.

    ``vjp`` is either a function mapping an upstream gradient shaped like
    ``f(x)`` to a gradient shaped like ``x`` (e.g. ``lambda d: affine_backward(d,
    cache)[0]``), or the array that the analytic formula gave for this ``dout``.
    ``dout`` defaults to a seeded random array, so no entry of the VJP can hide
    behind a zero upstream gradient (pass ``dout`` when ``vjp`` is an array).
    Compared with :func:`~companion.numeric.numerical_vjp`; costs ``2 * x.size``
    evaluations of ``f``.
    """
    op = "check_vjp"
    _refuse_low_precision(op, x=x)
    error_of = _measure(op, measure)
    x = np.asarray(x, dtype=np.float64)
    f64 = _float64_f(op, f)
    extra = 0
    if dout is None:  # one evaluation to learn the output's shape
        dout = np.random.default_rng(seed).standard_normal(np.shape(f64(x)))
        extra = 1
    _refuse_low_precision(op, dout=dout)
    if callable(vjp):
        analytic = np.asarray(vjp(np.array(dout, dtype=np.float64)))
    else:
        _refuse_low_precision(op, vjp=vjp)
        analytic = np.asarray(vjp)
    if analytic.shape != x.shape:
        raise ShapeError(op, {"x": x.shape, "vjp(dout)": analytic.shape},
                         "a VJP returns a gradient shaped like x")
    require_finite(op, "vjp(dout)", analytic, reason=_ANALYTIC_NAN)
    numeric = numerical_vjp(f64, x, dout, h, batched=batched)
    error = error_of(analytic, numeric)
    return _verdict(analytic, numeric, error, tol, f"VJP ({measure})", 2 * x.size + extra,
                    measure)
