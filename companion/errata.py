"""The errata of the five source documents, as data, with a numerical check for each formula slip.

Appendix (:ref:`errata-intro`).  The chapters list, in their corrections tables,
the slips they found in the source notes: formula slips (a dropped minus sign, a
wrong index, a missing factor, a garbled matrix) and text slips (a mistranslation,
a wrong word).  This module collects them once, without duplicates, as
:class:`Erratum` records in ``ERRATA``.

Every formula slip carries a ``check``: a function of no arguments that evaluates,
at a fixed seeded point,

* the slip's formula as written (``written``),
* the corrected formula (``corrected``),
* and the truth, computed independently (``reference``): central differences from
  :mod:`companion.numeric`, the package's losses and layers, the engine, or a
  direct evaluation of the side of the equation that is right.

and returns an :class:`ErratumCheck`.  The check passes (``ok``) when the corrected
value matches the reference and the written one does not, so each check can fail:
its points are chosen where the slip shows (never ``x = 1`` for ``3x`` against
``3x^2``, never a tie or a kink unless the slip is about one).

Example::

    >>> from companion.errata import check_all
    >>> all(check.ok for _, check in check_all())
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import engine as E
from . import losses
from .numeric import numerical_gradient, numerical_jacobian

__all__ = [
    "SOURCES",
    "ErratumCheck",
    "Erratum",
    "ERRATA",
    "formula_errata",
    "text_errata",
    "errata_of",
    "check_all",
    "CATEGORIES",
    "CHECKS",
    "load",
    "counts",
    "listing",
]

#: The five source documents: file prefix -> title.
SOURCES = {
    "000": "2.8 神经网络中几个实用的梯度计算",
    "001": "Step by step: the math behind neural networks",
    "002": "Vector Matrix and Tensor Derivatives",
    "003": "矩阵求导方法",
    "004": "Gradient for Neural Network",
}

KINDS = ("formula", "text")

#: What a finding is, counted separately in the appendix.
CATEGORIES = ("slip", "imprecision", "ambiguity", "remark")


# -- the check and the erratum -----------------------------------------------------------------

def _fmt(value) -> str:
    """A number to 4 significant digits; ``0`` for round-off below 1e-9; ``inf``/``nan`` as such."""
    v = float(value)
    if not np.isfinite(v):
        return str(v)
    v = float(f"{v:.4g}")
    if abs(v) < 1e-9:
        v = 0.0
    return f"{v:.4g}"


def _fmt_array(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _fmt(a)
    if a.size <= 6:
        return "[" + ", ".join(_fmt(v) for v in a.ravel()) + "]"
    return f"(array of shape {a.shape})"


@dataclass(frozen=True, eq=False)
class ErratumCheck:
    """The three values of one formula slip, evaluated at one point.

    Attributes
    ----------
    written : float or ndarray, what the formula as written gives.
    corrected : float or ndarray, what the corrected formula gives.
    reference : float or ndarray, the truth, computed independently.
    rtol, atol : the tolerances of :meth:`matches` (central differences are good to
        about 1e-9 here, so 1e-6 leaves room without hiding any slip).

    A value matches the reference only if it has the same shape, is finite and is
    close entry by entry: a vector written where a number is meant never matches.
    """

    written: Any
    corrected: Any
    reference: Any
    rtol: float = 1e-6
    atol: float = 1e-8

    def matches(self, value) -> bool:
        """True if ``value`` has the reference's shape, is finite and equals it to tolerance.

        A string stands for a formula that cannot be evaluated (shapes that do not fit),
        and never matches.
        """
        if isinstance(value, str):
            return False
        value = np.asarray(value, dtype=np.float64)
        reference = np.asarray(self.reference, dtype=np.float64)
        if value.shape != reference.shape or not np.all(np.isfinite(value)):
            return False
        return bool(np.allclose(value, reference, rtol=self.rtol, atol=self.atol))

    @property
    def written_matches(self) -> bool:
        """Does the formula as written give the right value? (It must not.)"""
        return self.matches(self.written)

    @property
    def corrected_matches(self) -> bool:
        """Does the corrected formula give the right value? (It must.)"""
        return self.matches(self.corrected)

    @property
    def ok(self) -> bool:
        """The slip is confirmed and the correction holds."""
        return self.corrected_matches and not self.written_matches

    def summary(self) -> str:
        """One deterministic line: the written value against the reference, and the verdict.

        For arrays of the same shape it shows the entry where the written formula is
        furthest from the reference; for different shapes, both values.
        """
        r = np.asarray(self.reference, dtype=np.float64)
        w = None if isinstance(self.written, str) else np.asarray(self.written, dtype=np.float64)
        if w is None:
            text = f"written {self.written}"
        elif w.shape != r.shape:
            text = (f"written {_fmt_array(w)} (shape {w.shape}) vs reference "
                    f"{_fmt_array(r)} (shape {r.shape})")
        elif w.ndim == 0:
            text = f"written {_fmt(w)} vs reference {_fmt(r)}"
        else:
            with np.errstate(invalid="ignore"):
                gap = np.abs(w - r)
            gap = np.where(np.isfinite(gap), gap, np.inf)
            at = np.unravel_index(int(np.argmax(gap)), w.shape)
            where = ", ".join(str(int(i)) for i in at)
            text = f"written[{where}] {_fmt(w[at])} vs reference[{where}] {_fmt(r[at])}"
        if self.ok:
            verdict = "confirmed; corrected matches"
        elif self.written_matches:
            verdict = "CHECK FAILED: the written formula matches the reference"
        else:
            verdict = "CHECK FAILED: the corrected formula does not match the reference"
        return f"{text} -> {verdict}"


@dataclass(frozen=True)
class Erratum:
    """One finding in one source document, as recorded in ``errata.yaml``.

    Attributes
    ----------
    key : str, a short unique id: the source's prefix, a place, a slug
        (``"000-2.8.7-minus"``); a formula's check in ``CHECKS`` is keyed by it.
    source : str, the document's title, one of ``SOURCES``.
    place : str, where in the document (section, line).
    kind : ``"formula"`` (with a numerical check) or ``"text"``.
    category : ``"slip"`` (the source is wrong), ``"imprecision"`` (carried over from the
        original, or loose wording), ``"ambiguity"`` (symbols lost, so the text can be read
        more than one way), or ``"remark"`` (not an error: a point easy to misread).
    as_written : str, what the document has (LaTeX between ``$``, or quoted text).
    corrected : str, the corrected form.
    chapter : str, the folder in ``book/`` of the chapter that discusses it.
    see_also : tuple of str, other chapters that discuss the same finding.
    """

    key: str
    source: str
    place: str
    kind: str
    category: str
    as_written: str
    corrected: str
    chapter: str
    see_also: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Erratum {self.key}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"Erratum {self.key}: category must be one of {CATEGORIES}, "
                             f"got {self.category!r}")
        if self.source not in SOURCES.values():
            raise ValueError(f"Erratum {self.key}: unknown source {self.source!r}")

    @property
    def prefix(self) -> str:
        """The source's prefix, ``"000"`` to ``"004"``."""
        return self.key.split("-", 1)[0]

    @property
    def check(self) -> Callable[[], ErratumCheck] | None:
        """The numerical check of a formula finding (None for a text finding)."""
        return CHECKS.get(self.key)


# -- helpers for the checks --------------------------------------------------------------------

def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _partial(f: Callable, x: np.ndarray, j) -> float:
    """The partial derivative of ``f`` in the one coordinate ``x[j]``, by central differences."""
    def along(t):
        moved = np.array(x, dtype=np.float64, copy=True)
        moved[j] = t[0]
        return f(moved)
    return float(numerical_gradient(along, np.array([x[j]]))[0])


def _one_hot(label: int, n: int) -> np.ndarray:
    t = np.zeros(n)
    t[label] = 1.0
    return t


def _sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def _cross_entropy(a, label: int) -> float:
    """``-log a_label`` for one probability vector, with the package's cross-entropy."""
    return losses.cross_entropy(np.asarray(a)[None, :], np.array([label]))


def _softmax_ce(z, label: int) -> float:
    return _cross_entropy(losses.softmax(z), label)


def _two_layer(seed: int, N: int, D: int, M: int, C: int):
    """A small two-layer ReLU network (seed 003's ``S1 = X W1 + b1``, ``S2 = relu(S1) W2 + b2``).

    The seeds are chosen so that the first-layer scores are far from the ReLU's kink
    (central differences never straddle it) and some units are off.
    """
    rng = _rng(seed)
    X = rng.standard_normal((N, D))
    W1 = rng.standard_normal((D, M))
    b1 = rng.standard_normal(M)
    S1 = X @ W1 + b1
    if np.min(np.abs(S1)) < 0.01 or np.all(S1 > 0):
        raise ValueError(f"_two_layer: seed {seed} puts a score near the kink or no unit off")
    W2 = rng.standard_normal((M, C))
    b2 = rng.standard_normal(C)
    y = rng.integers(0, C, size=N)
    return X, W1, b1, W2, b2, y


def _scores(X, W1, b1, W2, b2):
    S1 = X @ W1 + b1
    return S1, np.maximum(S1, 0.0) @ W2 + b2


# -- 000: 2.8 useful gradient computations -----------------------------------------------------

def _check_000_281_index() -> ErratumCheck:
    rng = _rng(281)
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)
    i, j = 1, 2

    def row_i(v):  # z_i = sum_k W_ik x_k
        return W[i] @ v

    written = numerical_gradient(row_i, x)  # d(...)/dx: a row of 4 numbers
    corrected = _partial(row_i, x, j)  # d(...)/dx_j: one number
    reference = numerical_jacobian(lambda v: W @ v, x)[i, j]  # (dz/dx)_ij
    return ErratumCheck(written, corrected, reference)


def _check_000_285_index() -> ErratumCheck:
    rng = _rng(285)
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)
    i, j, k = 1, 2, 1
    J_zW = numerical_jacobian(lambda w: w @ x, W)  # (3, 3, 4): dz_k / dW_ij
    written = J_zW[:, i, j]  # dz/dW_ij: the whole vector
    corrected = J_zW[k, i, j]  # dz_k/dW_ij
    # the right side, sum_l x_l dW_kl/dW_ij, with dW_kl/dW_ij = [k = i][l = j]
    reference = sum(x[l] * float(k == i) * float(l == j) for l in range(4))
    return ErratumCheck(written, corrected, reference)


def _check_000_285_label() -> ErratumCheck:
    rng = _rng(2851)
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)
    delta = rng.standard_normal(3)  # dJ/dz
    i, j = 2, 1
    written = x[j] * np.eye(3)[i]  # the vector with x_j in position i, labelled dJ/dW_ij
    corrected = delta[i] * x[j]
    reference = numerical_gradient(lambda w: delta @ (w @ x), W)[i, j]  # J = delta . z
    return ErratumCheck(written, corrected, reference)


def _check_000_287_symbol() -> ErratumCheck:
    theta = _rng(2870).standard_normal(4)
    written = theta  # the left side as written: theta_i itself
    corrected = np.exp(theta) / np.sum(np.exp(theta))  # y_hat_i
    reference = losses.softmax(theta)
    return ErratumCheck(written, corrected, reference)


def _check_000_287_minus() -> ErratumCheck:
    theta = _rng(2871).standard_normal(4)
    label = 2
    y, y_hat = _one_hot(label, 4), losses.softmax(theta)
    written = np.sum(y * np.log(y_hat))
    corrected = -np.sum(y * np.log(y_hat))
    reference = _cross_entropy(y_hat, label)
    return ErratumCheck(written, corrected, reference)


def _cross_entropy_outer(seed: int, label: int) -> ErratumCheck:
    """Two sources drop the same minus sign: they write ``d(-sum y log y_hat) / d y_hat``
    as ``y / y_hat``; it is ``-y / y_hat`` (000-2.8.7-outer and 004-ce-outer-minus)."""
    y_hat = losses.softmax(_rng(seed).standard_normal(4))
    y = _one_hot(label, 4)
    written = y / y_hat
    corrected = -y / y_hat
    reference = numerical_gradient(lambda a: _cross_entropy(a, label), y_hat)
    return ErratumCheck(written, corrected, reference)


def _check_000_287_outer() -> ErratumCheck:
    return _cross_entropy_outer(seed=2872, label=1)


def _check_000_287_softmax_derivative() -> ErratumCheck:
    theta = _rng(2873).standard_normal(4)
    J = numerical_jacobian(losses.softmax, theta)  # J[i, k] = d y_hat_i / d theta_k
    n = theta.size
    # as written, the left side is d y_hat_i / d theta_i for every k: the diagonal, repeated
    written = np.repeat(np.diag(J)[:, None], n, axis=1)
    y_hat = losses.softmax(theta)
    corrected = y_hat[:, None] * (np.eye(n) - y_hat[None, :])  # y_hat_i (delta_ik - y_hat_k)
    return ErratumCheck(written, corrected, J)


def _check_000_287_line_h() -> ErratumCheck:
    theta = _rng(2874).standard_normal(4)
    label = 3
    y, y_hat = _one_hot(label, 4), losses.softmax(theta)
    others = np.array([np.sum(np.delete(y, i)) for i in range(4)])  # sum_{k != i} y_k
    written = y * (1 - y_hat) + others * y_hat
    corrected = -y * (1 - y_hat) + others * y_hat
    reference = numerical_gradient(lambda t: _softmax_ce(t, label), theta)
    return ErratumCheck(written, corrected, reference)


# -- 001: Step by step, part 3 -----------------------------------------------------------------

def _check_001_exponent() -> ErratumCheck:
    x, y = 1.7, -0.6

    def dfdx(f):
        return _partial(lambda v: f(v[0], v[1]), np.array([x, y]), 0)

    written = dfdx(lambda a, b: 3 * a * b)  # f = 3xy
    corrected = dfdx(lambda a, b: 3 * a**2 * b)  # f = 3x^2 y
    reference = 6 * y * x  # the partial the article itself states, "6yx"
    return ErratumCheck(written, corrected, reference)


# -- 002: Vector Matrix and Tensor Derivatives (cs231n) ----------------------------------------

def _check_002_prediction() -> ErratumCheck:
    x, y, h = 4.0, -3.0, 0.01  # the note's point

    def f(a, b):
        return a * b

    dfdx = _partial(lambda v: f(v[0], v[1]), np.array([x, y]), 0)
    written = f(x, y)  # the left side as written: f(x, y), the value before the nudge
    corrected = f(x + h, y)  # the value at the nudged point
    reference = f(x, y) + h * dfdx  # the prediction on the right side
    return ErratumCheck(written, corrected, reference)


def _check_002_max_tie() -> ErratumCheck:
    x = y = 1.3  # a tie
    direction = np.array([1.0, 1.0])
    written = np.array([float(x >= y), float(y >= x)]) @ direction
    corrected = np.array([0.5, 0.5]) @ direction
    # the change of max(x, y) along (1, 1): max(x + t, y + t) = max(x, y) + t
    reference = numerical_gradient(lambda t: max(x + t[0], y + t[0]), np.zeros(1))[0]
    return ErratumCheck(written, corrected, reference)


def _check_002_circuit() -> ErratumCheck:
    point = np.array([-2.0, 5.0, -4.0])  # the note's x, y, z

    def value_and_gradient(f):
        return np.concatenate([[f(point)], numerical_gradient(f, point)])

    written = value_and_gradient(lambda v: (v[0] + v[1]) * v[0])
    corrected = value_and_gradient(lambda v: (v[0] + v[1]) * v[2])
    # the circuit the note's code computes, q = x + y, f = q * z, run on the engine
    x, y, z = (E.Tensor(v) for v in point)
    f = (x + y) * z
    f.backward()
    reference = np.array([f.data, x.grad, y.grad, z.grad], dtype=np.float64)
    return ErratumCheck(written, corrected, reference)


def _check_002_neuron() -> ErratumCheck:
    w = np.array([2.0, -3.0, -3.0])
    x = np.array([-1.0, -2.0])  # the note's weights and data

    def dot(v):
        return v[0] * x[0] + v[1] * x[1] + v[2]

    def value_and_gradient(f):
        return np.concatenate([[f(w)], numerical_gradient(f, w)])

    written = value_and_gradient(lambda v: 1.0 / (1.0 + np.exp(dot(v))))
    corrected = value_and_gradient(lambda v: 1.0 / (1.0 + np.exp(-dot(v))))
    # the note's code (f = sigmoid(dot), ddot = (1 - f) f), run on the engine
    W = E.Tensor(w)
    f = E.sigmoid(E.sum(W * np.array([x[0], x[1], 1.0])))
    f.backward()
    reference = np.concatenate([[f.data], W.grad])
    return ErratumCheck(written, corrected, reference)


def _check_002_sigmoid() -> ErratumCheck:
    at = np.array([1.0])  # the note's input, whose output it gives as 0.73

    def value_and_derivative(f):
        return np.array([f(at)[0], numerical_gradient(lambda t: f(t)[0], at)[0]])

    written = value_and_derivative(lambda t: 1.0 / (1.0 + np.exp(t)))
    corrected = value_and_derivative(lambda t: 1.0 / (1.0 + np.exp(-t)))
    # the engine's sigmoid, whose derivative is the note's (1 - sigma) sigma
    t = E.Tensor(at[0])
    s = E.sigmoid(t)
    s.backward()
    reference = np.array([s.data, t.grad], dtype=np.float64)
    return ErratumCheck(written, corrected, reference)


# -- 003: matrix derivatives and a two-layer network -------------------------------------------

def _matrix_product_setup(seed: int):
    rng = _rng(seed)
    X = rng.standard_normal((2, 2))  # N = 2, D = 2, C = 3, as in the note
    W = rng.standard_normal((2, 3))
    G = rng.standard_normal((2, 3))  # dL/dY

    def L(x):  # a loss whose dL/dY is G
        return np.sum(G * (x @ W))

    return X, W, G, L


def _check_003_expansion_row() -> ErratumCheck:
    X, W, G, L = _matrix_product_setup(3001)
    written = np.sum(G[1, :] * W[0, :])  # dL/dy_{2,j} in the first row too
    corrected = np.sum(G[0, :] * W[0, :])
    reference = numerical_gradient(L, X)[0, 0]
    return ErratumCheck(written, corrected, reference)


def _check_003_dX_entry() -> ErratumCheck:
    X, W, G, L = _matrix_product_setup(3002)
    G_printed = G.copy()
    G_printed[0, 2] = G[0, 1]  # entry (1, 3) printed as dL/dy_{1,2}
    written = G_printed @ W.T
    corrected = G @ W.T
    reference = numerical_gradient(L, X)
    return ErratumCheck(written, corrected, reference)


def _check_003_relu_factor() -> ErratumCheck:
    X, W1, b1, W2, b2, y = _two_layer(3003, N=3, D=2, M=4, C=3)
    S1, S2 = _scores(X, W1, b1, W2, b2)
    dS2 = losses.softmax_cross_entropy(S2, y)[1]
    dH = dS2 @ W2.T  # dL/dS_1relu
    slope = (S1 > 0).astype(np.float64)  # dS_1relu/dS_1, entry by entry
    with np.errstate(divide="ignore", invalid="ignore"):
        written = dH * (1.0 / slope)  # times dS_1/dS_1relu = 1 / slope: none where a unit is off
    corrected = dH * slope
    reference = numerical_gradient(
        lambda s: losses.softmax_cross_entropy(np.maximum(s, 0.0) @ W2 + b2, y)[0], S1)
    return ErratumCheck(written, corrected, reference)


def _check_003_mask_operator() -> ErratumCheck:
    # N, D, M, C all different: read as matrix products, the written forms do not even have
    # compatible shapes; the corrected dL/dW1 matches central differences
    X, W1, b1, W2, b2, y = _two_layer(3005, N=3, D=2, M=4, C=5)
    S1, S2 = _scores(X, W1, b1, W2, b2)
    dS2 = losses.softmax_cross_entropy(S2, y)[1]
    mask = (S1 > 0).astype(np.float64)
    upstream = dS2 @ W2.T                                  # (N, M)
    written = (f"undefined: X^T dS2 W2^T is {(X.T @ upstream).shape}, "
               f"and its product with the mask {mask.shape} needs N = M")
    corrected = X.T @ (upstream * mask)
    reference = numerical_gradient(
        lambda w: losses.softmax_cross_entropy(_scores(X, w, b1, W2, b2)[1], y)[0], W1)
    return ErratumCheck(written, corrected, reference)


# -- 004: Gradient for Neural Network (after Nielsen) ------------------------------------------

def _check_004_bp2() -> ErratumCheck:
    rng = _rng(4001)
    w = rng.standard_normal((3, 2))  # w^{l+1}: 3 neurons in layer l, 2 in layer l+1
    b = rng.standard_normal(2)
    t = rng.random(2)
    z_l = rng.standard_normal(3)

    def next_z(a):  # z^{l+1} from a^l
        return w.T @ a + b

    def cost_of_next(z):  # C as a function of z^{l+1}
        return 0.5 * np.sum((_sigma(z) - t) ** 2)

    def cost(z):  # C as a function of z^l
        return cost_of_next(next_z(_sigma(z)))

    delta_next = numerical_gradient(cost_of_next, next_z(_sigma(z_l)))
    dz_dz = numerical_jacobian(lambda z: next_z(_sigma(z)), z_l)  # dz^{l+1}_j / dz^l_k
    dz_da = numerical_jacobian(next_z, _sigma(z_l))  # dz^{l+1}_j / da^l_k = w_kj
    sigma_prime = _sigma(z_l) * (1 - _sigma(z_l))
    written = (dz_dz.T @ delta_next) * sigma_prime  # sigma' inside the Jacobian and outside
    corrected = (dz_da.T @ delta_next) * sigma_prime
    reference = numerical_gradient(cost, z_l)
    return ErratumCheck(written, corrected, reference)


def _check_004_ce_outer() -> ErratumCheck:
    return _cross_entropy_outer(seed=4004, label=0)


def _check_004_ce_sum() -> ErratumCheck:
    z = _rng(4005).standard_normal(4)
    label = 2
    t, a = _one_hot(label, 4), losses.softmax(z)
    I = np.eye(4)
    written = np.array([np.sum(t * (I[:, i] - a[i])) for i in range(4)])  # sum_j t_j (I_ji - a_i)
    corrected = -written
    reference = numerical_gradient(lambda s: _softmax_ce(s, label), z)
    return ErratumCheck(written, corrected, reference)


# -- the errata --------------------------------------------------------------------------------

#: The numerical check of each formula finding, by its id.
CHECKS: dict[str, Callable[[], ErratumCheck]] = {
    "000-2.8.1-index": _check_000_281_index,
    "000-2.8.5-index": _check_000_285_index,
    "000-2.8.5-label": _check_000_285_label,
    "000-2.8.7-symbol": _check_000_287_symbol,
    "000-2.8.7-minus": _check_000_287_minus,
    "000-2.8.7-outer": _check_000_287_outer,
    "000-2.8.7-softmax-derivative": _check_000_287_softmax_derivative,
    "000-2.8.7-line-h": _check_000_287_line_h,
    "001-grad-exponent": _check_001_exponent,
    "002-prediction": _check_002_prediction,
    "002-max-tie": _check_002_max_tie,
    "002-circuit-z": _check_002_circuit,
    "002-neuron-minus": _check_002_neuron,
    "002-sigmoid-minus": _check_002_sigmoid,
    "003-expansion-row": _check_003_expansion_row,
    "003-dX-entry": _check_003_dX_entry,
    "003-relu-factor": _check_003_relu_factor,
    "003-mask-operator": _check_003_mask_operator,
    "004-bp2-sigma-twice": _check_004_bp2,
    "004-ce-outer-minus": _check_004_ce_outer,
    "004-ce-sum-sign": _check_004_ce_sum,
}

DATA = Path(__file__).with_name("errata.yaml")


def load(path: Path | None = None) -> tuple[Erratum, ...]:
    """The records of ``errata.yaml`` (or of ``path``), in order, with every formula
    finding's check present."""
    path = DATA if path is None else Path(path)
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    errata = []
    for prefix, items in records.items():
        for item in items:
            item = dict(item)
            key = item.pop("id")
            if not key.startswith(f"{prefix}-"):
                raise ValueError(f"{path.name}: {key} is listed under source {prefix}")
            errata.append(Erratum(key, SOURCES[prefix], see_also=tuple(item.pop("see_also", ())),
                                  **item))
    keys = [e.key for e in errata]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: an id is used twice")
    formula = {e.key for e in errata if e.kind == "formula"}
    if formula != set(CHECKS):
        raise ValueError(f"{path.name}: formula findings without a check "
                         f"{sorted(formula - set(CHECKS))}, checks without a finding "
                         f"{sorted(set(CHECKS) - formula)}")
    return tuple(errata)


ERRATA: tuple[Erratum, ...] = load()


def formula_errata() -> list[Erratum]:
    """The formula slips, each with a numerical check, in the order of ``ERRATA``."""
    return [e for e in ERRATA if e.kind == "formula"]


def text_errata() -> list[Erratum]:
    """The text slips (wording, translation, garbled text), which have no check."""
    return [e for e in ERRATA if e.kind == "text"]


def errata_of(prefix: str) -> list[Erratum]:
    """The errata of one source, by its file prefix (``"000"`` to ``"004"``)."""
    if prefix not in SOURCES:
        raise ValueError(f"errata_of: prefix must be one of {sorted(SOURCES)}, got {prefix!r}")
    return [e for e in ERRATA if e.prefix == prefix]


def check_all() -> list[tuple[Erratum, ErratumCheck]]:
    """Run every formula slip's check: a list of ``(erratum, check)``, in order."""
    return [(e, e.check()) for e in formula_errata()]


def counts() -> dict[str, dict[str, int]]:
    """How many findings of each category, by kind: ``{category: {"formula": n, "text": n}}``."""
    out = {c: {k: 0 for k in KINDS} for c in CATEGORIES}
    for e in ERRATA:
        out[e.category][e.kind] += 1
    return out


def listing(prefix: str, kind: str) -> str:
    """The findings of one source and kind as a MyST list, one entry each, for the appendix.

    A list rather than a table: five columns of formulas do not fit a book's column.
    """
    lines = []
    for e in errata_of(prefix):
        if e.kind != kind:
            continue
        chapters = ", ".join("{doc}`/book/" + c + "/index`" for c in (e.chapter, *e.see_also))
        lines += [f"- **{e.place}** (`{e.key}`), {_ARTICLE[e.category]}; see {chapters}",
                  f"  - as written: {e.as_written}",
                  f"  - corrected: {e.corrected}"]
    return "\n".join(lines)


_ARTICLE = {"slip": "a slip", "imprecision": "an imprecision", "ambiguity": "an ambiguity",
            "remark": "a remark, not an error"}
