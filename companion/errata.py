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
from typing import Any

import numpy as np

from . import engine as E
from . import losses
from .network import Network
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
        """True if ``value`` has the reference's shape, is finite and equals it to tolerance."""
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
        w = np.asarray(self.written, dtype=np.float64)
        r = np.asarray(self.reference, dtype=np.float64)
        if w.shape != r.shape:
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
            verdict = "slip confirmed; corrected matches"
        elif self.written_matches:
            verdict = "CHECK FAILED: the written formula matches the reference"
        else:
            verdict = "CHECK FAILED: the corrected formula does not match the reference"
        return f"{text} -> {verdict}"


@dataclass(frozen=True)
class Erratum:
    """One slip of one source document.

    Attributes
    ----------
    key : str, a short unique id: the source's file prefix, a place, a slug
        (``"000-2.8.7-minus"``).
    source : str, the document's title, one of ``SOURCES``.
    place : str, where in the document (section, line).
    kind : ``"formula"`` or ``"text"``.
    as_written : str, the slip as the document has it (LaTeX between ``$``, or quoted text).
    corrected : str, the corrected form.
    chapter : str, the chapter notebook (``book/<chapter>.ipynb``) that discusses it.
    check : callable returning an :class:`ErratumCheck`, for formula slips; None for text.
    see_also : tuple of str, other chapters that list the same slip.
    """

    key: str
    source: str
    place: str
    kind: str
    as_written: str
    corrected: str
    chapter: str
    check: Callable[[], ErratumCheck] | None = None
    see_also: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Erratum {self.key}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.source not in SOURCES.values():
            raise ValueError(f"Erratum {self.key}: unknown source {self.source!r}")
        if (self.kind == "formula") != (self.check is not None):
            raise ValueError(f"Erratum {self.key}: a formula slip needs a check, a text slip "
                             "has none")

    @property
    def prefix(self) -> str:
        """The source's file prefix, ``"000"`` to ``"004"``."""
        return self.key.split("-", 1)[0]


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
    row_i = lambda v: W[i] @ v  # z_i = sum_k W_ik x_k
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


def _check_000_287_outer() -> ErratumCheck:
    y_hat = losses.softmax(_rng(2872).standard_normal(4))
    label = 1
    y = _one_hot(label, 4)
    written = y / y_hat
    corrected = -y / y_hat
    reference = numerical_gradient(lambda a: _cross_entropy(a, label), y_hat)
    return ErratumCheck(written, corrected, reference)


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
    dfdx = lambda f: _partial(lambda v: f(v[0], v[1]), np.array([x, y]), 0)
    written = dfdx(lambda a, b: 3 * a * b)  # f = 3xy
    corrected = dfdx(lambda a, b: 3 * a**2 * b)  # f = 3x^2 y
    reference = 6 * y * x  # the partial the article itself states, "6yx"
    return ErratumCheck(written, corrected, reference)




# -- 002: Vector Matrix and Tensor Derivatives (cs231n) ----------------------------------------

def _check_002_prediction() -> ErratumCheck:
    x, y, h = 4.0, -3.0, 0.01  # the note's point
    f = lambda a, b: a * b
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
    dot = lambda v: v[0] * x[0] + v[1] * x[1] + v[2]

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
    L = lambda x: np.sum(G * (x @ W))  # a loss whose dL/dY is G
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


def _check_003_dS1_operator() -> ErratumCheck:
    # N = M, so that the matrix product of the written form is even defined
    X, W1, b1, W2, b2, y = _two_layer(3004, N=3, D=2, M=3, C=2)
    S1, S2 = _scores(X, W1, b1, W2, b2)
    dS2 = losses.softmax_cross_entropy(S2, y)[1]
    mask = (S1 > 0).astype(np.float64)
    written = (dS2 @ W2.T) @ mask
    corrected = (dS2 @ W2.T) * mask
    reference = numerical_gradient(
        lambda s: losses.softmax_cross_entropy(np.maximum(s, 0.0) @ W2 + b2, y)[0], S1)
    return ErratumCheck(written, corrected, reference)


def _check_003_dW1_order() -> ErratumCheck:
    # D = N, so that the mask (N, M) can be applied after the product X^T (...) (D, M)
    X, W1, b1, W2, b2, y = _two_layer(3005, N=3, D=3, M=4, C=2)
    S1, S2 = _scores(X, W1, b1, W2, b2)
    dS2 = losses.softmax_cross_entropy(S2, y)[1]
    mask = (S1 > 0).astype(np.float64)
    written = (X.T @ dS2 @ W2.T) * mask
    corrected = X.T @ ((dS2 @ W2.T) * mask)
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
    next_z = lambda a: w.T @ a + b  # z^{l+1} from a^l
    cost_of_next = lambda z: 0.5 * np.sum((_sigma(z) - t) ** 2)  # C as a function of z^{l+1}
    cost = lambda z: cost_of_next(next_z(_sigma(z)))  # C as a function of z^l
    delta_next = numerical_gradient(cost_of_next, next_z(_sigma(z_l)))
    dz_dz = numerical_jacobian(lambda z: next_z(_sigma(z)), z_l)  # dz^{l+1}_j / dz^l_k
    dz_da = numerical_jacobian(next_z, _sigma(z_l))  # dz^{l+1}_j / da^l_k = w_kj
    sigma_prime = _sigma(z_l) * (1 - _sigma(z_l))
    written = (dz_dz.T @ delta_next) * sigma_prime  # sigma' inside the Jacobian and outside
    corrected = (dz_da.T @ delta_next) * sigma_prime
    reference = numerical_gradient(cost, z_l)
    return ErratumCheck(written, corrected, reference)






def _check_004_ce_outer() -> ErratumCheck:
    a = losses.softmax(_rng(4004).standard_normal(4))
    label = 0
    t = _one_hot(label, 4)
    written = t / a
    corrected = -t / a
    reference = numerical_gradient(lambda q: _cross_entropy(q, label), a)
    return ErratumCheck(written, corrected, reference)


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

_S0, _S1, _S2, _S3, _S4 = (SOURCES[k] for k in ("000", "001", "002", "003", "004"))

ERRATA: tuple[Erratum, ...] = (
    # 000 ---------------------------------------------------------------------------------------
    Erratum("000-2.8.1-index", _S0, "§2.8.1, the middle step of $(\\partial z/\\partial x)_{ij}$",
            "formula",
            "$\\frac{\\partial \\sum_k W_{ik} x_k}{\\partial x}$",
            "$\\frac{\\partial \\sum_k W_{ik} x_k}{\\partial x_j} = W_{ij}$ (the index $j$ was "
            "dropped; as written it is a row of $m$ numbers)",
            "01_jacobians", _check_000_281_index),
    Erratum("000-2.8.4-scaling", _S0, "§2.8.4, after $\\operatorname{diag}(f'(x))$", "text",
            "矩阵乘以一个diagonal矩阵也就是每个元素进行幅度变换 (multiplying by a diagonal "
            "matrix scales each element)",
            "exact for a vector ($\\delta \\operatorname{diag}(d) = \\delta \\odot d$); a matrix "
            "has its columns (diagonal on the right) or rows (on the left) scaled",
            "01_jacobians"),
    Erratum("000-2.8.5-index", _S0, "§2.8.5, $\\partial z / \\partial W_{ij}$", "formula",
            "$\\frac{\\partial z}{\\partial W_{ij}} = \\sum_l x_l "
            "\\frac{\\partial W_{kl}}{\\partial W_{ij}}$",
            "$\\frac{\\partial z_k}{\\partial W_{ij}} = \\sum_l x_l "
            "\\frac{\\partial W_{kl}}{\\partial W_{ij}} = [k = i]\\, x_j$ "
            "(the index $k$ was dropped)",
            "04_matrix_gradients", _check_000_285_index),
    Erratum("000-2.8.5-label", _S0, "§2.8.5, the displayed vector", "formula",
            "the vector with $x_j$ in position $i$, labelled "
            "$\\frac{\\partial J}{\\partial W_{ij}}$",
            "that vector is $\\frac{\\partial z}{\\partial W_{ij}} = x_j e_i$; "
            "$\\frac{\\partial J}{\\partial W_{ij}} = \\delta_i x_j$ is a number",
            "04_matrix_gradients", _check_000_285_label),
    Erratum("000-2.8.7-symbol", _S0, "§2.8.7, the definition of the softmax", "formula",
            "$\\theta_i = \\frac{e^{\\theta_i}}{\\sum_k e^{\\theta_k}}$",
            "$\\hat y_i = \\frac{e^{\\theta_i}}{\\sum_k e^{\\theta_k}}$",
            "06_softmax_cross_entropy", _check_000_287_symbol),
    Erratum("000-2.8.7-minus", _S0, "§2.8.7, the loss", "formula",
            "$J = \\sum_i y_i \\log \\hat y_i$",
            "$J = -\\sum_i y_i \\log \\hat y_i$",
            "06_softmax_cross_entropy", _check_000_287_minus),
    Erratum("000-2.8.7-outer", _S0, "§2.8.7, the outer factor", "formula",
            "$\\frac{\\partial J}{\\hat y_i} = \\frac{y_i}{\\hat y_i}$",
            "$\\frac{\\partial J}{\\partial \\hat y_i} = -\\frac{y_i}{\\hat y_i}$",
            "06_softmax_cross_entropy", _check_000_287_outer),
    Erratum("000-2.8.7-softmax-derivative", _S0, "§2.8.7, the softmax derivative", "formula",
            "$\\frac{\\partial \\hat y_i}{\\theta_i}$ $= \\hat y_i (1 - \\hat y_k)$ if $i = k$, "
            "$-\\hat y_i \\hat y_k$ if $i \\neq k$",
            "$\\frac{\\partial \\hat y_i}{\\partial \\theta_k} = "
            "\\hat y_i (\\delta_{ik} - \\hat y_k)$",
            "06_softmax_cross_entropy", _check_000_287_softmax_derivative),
    Erratum("000-2.8.7-line-h", _S0, "§2.8.7, the first line after the sum is split",
            "formula",
            "$\\frac{\\partial J}{\\theta_i} = y_i (1 - \\hat y_i) + "
            "\\sum_{k \\neq i} y_k \\hat y_i$",
            "$\\frac{\\partial J}{\\partial \\theta_i} = -y_i (1 - \\hat y_i) + "
            "\\sum_{k \\neq i} y_k \\hat y_i$ (the next line silently fixes it)",
            "06_softmax_cross_entropy", _check_000_287_line_h),
    # 001 ---------------------------------------------------------------------------------------
    Erratum("001-grad-exponent", _S1, "gradient of a scalar function, the example", "formula",
            "$f(x, y) = 3x\\,y$, and then $3x$ as the change of $f$ with respect to $y$",
            "$f(x, y) = 3x^2 y$ (a lost superscript; the stated $\\partial f/\\partial x = 6yx$ "
            "needs it), so $\\partial f / \\partial y = 3x^2$",
            "01_jacobians", _check_001_exponent),
    Erratum("001-representing-garbled", _S1, "representing functions", "text",
            "\"f(x，y)f(x)和 g(x，y)g(x)\" (garbled)",
            "$f(x, y)$ becomes $f(\\mathbf{x})$ and $g(x, y)$ becomes $g(\\mathbf{x})$, with "
            "$\\mathbf{x} = [x_1, x_2]^\\top$",
            "01_jacobians"),
    Erratum("001-equal-counts", _S1, "representing functions, last sentence", "text",
            "通常，函数的数量和变量的数量是相同的，因此每个变量都有一个解 (the numbers of "
            "functions and variables are usually equal, \"so each variable has a solution\")",
            "$m = n$ is common (elementwise stages) but not required; the Jacobian of "
            "$f: \\mathbb{R}^n \\to \\mathbb{R}^m$ is $m \\times n$",
            "01_jacobians"),
    Erratum("001-jacobian-determinant", _S1, "element-wise binary operators, $w + x$", "text",
            "两个雅可比行列式的对角线都是 1 (the diagonals of the two Jacobian *determinants* "
            "are 1)",
            "the Jacobian *matrices* of $w + x$ are $I$; a determinant is a number",
            "01_jacobians"),
    Erratum("001-sum-garbled", _S1, "gradient of a vector sum", "text",
            "\"y = sum(*)x*)\" (garbled)",
            "$y = \\operatorname{sum}(\\mathbf{x})$",
            "01_jacobians"),
    Erratum("001-chain-only-scalars", _S1, "the chain-rule section, opening", "text",
            "the multivariable chain rule of part 2 \"only works for scalars\" (这只对标量有效)",
            "it holds for each scalar output $f_i$ of any number of variables; the vector "
            "chain rule is the $m$ copies stacked",
            "02_chain_rule"),
    Erratum("001-chain-gradient-word", _S1, "the chain-rule section, captions of Images 31 to 33",
            "text",
            "\"find its gradient\"; \"Gradient of $\\mathbf{y} = \\mathbf{f}(\\mathbf{g}(x))$\"",
            "$\\mathbf{y}$ has two outputs, so its derivative is a $2 \\times 1$ Jacobian; a "
            "gradient is the $1 \\times n$ row of a scalar function",
            "02_chain_rule"),
    Erratum("001-special-case-garbled", _S1, "the special case of the vector chain rule", "text",
            "\"f 纯粹是 g 的函数 … (每个函数 f 恰好匹配 1 个函数 g ) )\" (garbled)",
            "each $f_i$ depends on $g_i$ alone, which needs $m = k$; then "
            "$\\partial f / \\partial g = \\operatorname{diag}(f'(g))$",
            "02_chain_rule"),
    Erratum("001-off-diagonal-zero", _S1, "the special case, same sentence", "text",
            "对角线以外的一切都变为零 (everything off the diagonal becomes zero)",
            "only in $\\partial f / \\partial g$; the answer "
            "$\\operatorname{diag}(f'(g))\\, \\partial g / \\partial x$ is as dense as "
            "$\\partial g / \\partial x$",
            "02_chain_rule"),
    # 002 ---------------------------------------------------------------------------------------
    Erratum("002-prediction", _S2, "梯度 (gradient), the prediction", "formula",
            "$f(x,y) = f(x) + h\\,\\frac{df(x)}{dx}$",
            "$f(x + h, y) \\approx f(x, y) + h\\,\\frac{\\partial f}{\\partial x}$",
            "03_circuits", _check_002_prediction),
    Erratum("002-gradient-delta", _S2, "梯度, the gradient vector", "text",
            "the gradient written $\\Delta f$",
            "$\\nabla f = [\\partial f / \\partial x, \\partial f / \\partial y] = [y, x]$",
            "03_circuits"),
    Erratum("002-one-variable", _S2, "梯度, the add and max gates", "text",
            "$f(x) = x + y$, $f(x) = \\max(x, y)$",
            "$f(x, y)$: functions of two variables",
            "03_circuits"),
    Erratum("002-add-rate", _S2, "梯度, the add gate", "text",
            "这个值的增长比率只于实际的值 x 和 y 有关系 (the rate of increase depends only on "
            "the values of $x$ and $y$)",
            "the rate is 1, independent of $x$ and $y$",
            "03_circuits"),
    Erratum("002-max-tie", _S2, "梯度, the max gate at a tie", "formula",
            "$\\frac{\\partial f}{\\partial x} = \\mathbb{1}(x \\ge y)$, "
            "$\\frac{\\partial f}{\\partial y} = \\mathbb{1}(y \\ge x)$: both 1 at a tie",
            "$\\tfrac12$ each at a tie (any split summing to 1 is a subgradient)",
            "03_circuits", _check_002_max_tie),
    Erratum("002-circuit-z", _S2, "复合连锁法则 (chain rule), the example", "formula",
            "$f(x, y, z) = (x + y)\\,x$",
            "$f(x, y, z) = (x + y)\\,z$, the circuit its code computes",
            "03_circuits", _check_002_circuit),
    Erratum("002-neuron-minus", _S2, "Sigmoid, the neuron", "formula",
            "$f(w, x) = \\frac{1}{1 + e^{w_0 x_0 + w_1 x_1 + w_2}}$",
            "$f(w, x) = \\frac{1}{1 + e^{-(w_0 x_0 + w_1 x_1 + w_2)}}$; only this gives 0.73",
            "03_circuits", _check_002_neuron),
    Erratum("002-kernel-function", _S2, "Sigmoid, after the neuron", "text",
            "Sigmod激活函数是一个2维的核函数 (a two-dimensional kernel function)",
            "a neuron with a two-dimensional input",
            "03_circuits"),
    Erratum("002-missing-fc", _S2, "Sigmoid, the list of gates", "text",
            "$f_a(x) = ax$, then 函数$f_a$分别表示上式中的常数 c 和 a ($f_a$ stands for the "
            "constants $c$ and $a$)",
            "add the missing gate $f_c(x) = c + x$, with derivative 1",
            "03_circuits"),
    Erratum("002-sigmoid-minus", _S2, "Sigmoid, the sigmoid function", "formula",
            "$\\partial(x) = \\frac{1}{1 + e^{x}}$ ($\\partial$ standing for $\\sigma$)",
            "$\\sigma(x) = \\frac{1}{1 + e^{-x}}$, the function its derivation differentiates",
            "03_circuits", _check_002_sigmoid),
    Erratum("002-max-pattern-number", _S2, "反向传播模式 (patterns), the max gate", "text",
            "因为 1.0 大于 -1 (because 1.0 is larger than $-1$)",
            "because $z = 2$ is larger than $w = -1$",
            "03_circuits"),
    Erratum("002-dataset-size", _S2, "反向传播模式, the multiply gate", "text",
            "数据集的大小对梯度有较大的影响 (the size of the data set affects the gradient)",
            "the scale of the inputs does: inputs $\\times 1000$ give weight gradients "
            "$\\times 1000$",
            "03_circuits"),
    Erratum("002-dimension-expressions", _S2, "梯度计算中的向量运算, the dimension-analysis tip",
            "text",
            "我们无需记住他们的维度 (no need to remember their *dimensions*)",
            "no need to remember the *expressions* for dW and dX, because the shapes "
            "re-derive them",
            "04_matrix_gradients"),
    Erratum("002-exactly-one-way", _S2, "梯度计算中的向量运算, same tip", "text",
            "总是存在一种方法可以计算出维度 (there is always a way to make the dimensions work "
            "out; the original: exactly one way)",
            "exactly one only when the sizes are distinct; with $N = D$ two products fit "
            "$dW$, with all sizes equal eight do",
            "04_matrix_gradients"),
    # 003 ---------------------------------------------------------------------------------------
    Erratum("003-expansion-row", _S3, "证明 (proof), the expansion of "
            "$\\partial L / \\partial x_{1,1}$", "formula",
            "$\\frac{\\partial L}{\\partial Y}$ with $\\frac{\\partial L}{\\partial y_{2,j}}$ in "
            "both rows, then $= \\sum_j \\frac{\\partial L}{\\partial y_{1,j}} w_{1,j}$",
            "first row $\\frac{\\partial L}{\\partial y_{1,j}}$; as printed the product is "
            "$\\sum_j \\frac{\\partial L}{\\partial y_{2,j}} w_{1,j}$",
            "04_matrix_gradients", _check_003_expansion_row),
    Erratum("003-dX-entry", _S3, "证明, $\\frac{\\partial L}{\\partial X} = "
            "\\frac{\\partial L}{\\partial Y} W^\\top$", "formula",
            "entry $(1, 3)$ of $\\frac{\\partial L}{\\partial Y}$ written "
            "$\\frac{\\partial L}{\\partial y_{1,2}}$",
            "$\\frac{\\partial L}{\\partial y_{1,3}}$",
            "04_matrix_gradients", _check_003_dX_entry),
    Erratum("003-reciprocal", _S3, "两层神经网络的梯度求导, the task", "text",
            "求四个参数的倒数 (the *reciprocals* of the four parameters)",
            "导数: their *derivatives* $\\partial L / \\partial W_1, \\dots$",
            "07_two_layer_network"),
    Erratum("003-lost-word", _S3, "两层神经网络的梯度求导, the computation graph", "text",
            "hiddenlayer中有一个**函数relu (a word lost)",
            "the hidden layer has an *activation* function, the ReLU",
            "07_two_layer_network"),
    Erratum("003-svm-probabilities", _S3, "两层神经网络的梯度求导, the output layer", "text",
            "outputlayer最终输出的是样本属于每一类的概率 … 由SVM或者Softmax求得 (it outputs "
            "the probability of each class, with SVM or Softmax)",
            "it outputs scores $S_2$; only the softmax turns them into probabilities, the SVM "
            "loss uses the scores",
            "07_two_layer_network"),
    Erratum("003-relu-factor", _S3, "$\\partial L / \\partial S_1$, the chain rule "
            "(fractions as extracted)", "formula",
            "$\\frac{\\partial L}{\\partial S_{1\\mathrm{relu}}} "
            "\\frac{\\partial S_1}{\\partial S_{1\\mathrm{relu}}}$",
            "$\\frac{\\partial L}{\\partial S_{1\\mathrm{relu}}} "
            "\\frac{\\partial S_{1\\mathrm{relu}}}{\\partial S_1}$, applied as "
            "$\\odot [S_1 > 0]$ (the inverted factor does not exist where a unit is off)",
            "07_two_layer_network", _check_003_relu_factor),
    Erratum("003-dS1-operator", _S3, "$\\partial L / \\partial S_1$, the result", "formula",
            "$\\frac{\\partial L}{\\partial S_2} W_2^\\top (S_1 > 0)$, read as a matrix product",
            "$\\frac{\\partial L}{\\partial S_2} W_2^\\top \\odot [S_1 > 0]$",
            "07_two_layer_network", _check_003_dS1_operator),
    Erratum("003-dW1-order", _S3, "$\\partial L / \\partial W_1$", "formula",
            "$X^\\top \\frac{\\partial L}{\\partial S_2} W_2^\\top (S_1 > 0)$, the mask applied "
            "last",
            "$X^\\top \\big(\\frac{\\partial L}{\\partial S_2} W_2^\\top \\odot [S_1 > 0]\\big)$: "
            "the mask before the product with $X^\\top$",
            "07_two_layer_network", _check_003_dW1_order),
    Erratum("003-reg-gradient", _S3, "$\\partial L / \\partial W_1$ and "
            "$\\partial L / \\partial W_2$ beside the code's loss", "text",
            "the derivation's loss has no penalty, so its $dW$ formulas lack the "
            "$2\\,\\mathrm{reg}\\,W$ terms; the code adds them",
            "with the penalty $\\mathrm{reg}(\\lVert W_1 \\rVert^2 + \\lVert W_2 \\rVert^2)$ "
            "each $dW$ gains $2\\,\\mathrm{reg}\\,W$ (not a slip in either, a gap between them)",
            "07_two_layer_network"),
    Erratum("003-dS2-scale", _S3, "the code's dS2", "text",
            "the variable `dS2` holds $P - Y$",
            "$P - Y = N\\,\\partial L / \\partial S_2$; the code divides by $N$ later, "
            "which is equivalent (a naming point, not a wrong formula)",
            "07_two_layer_network"),
    Erratum("004-bp2-sigma-twice", _S4, "the derivation of BP2", "formula",
            "$\\big(\\sum_j \\frac{\\partial C}{\\partial z^{l+1}_j} "
            "\\frac{\\partial z^{l+1}_j}{\\partial z^l_k}\\big) \\sigma'(z^l_k)$",
            "the inner factor is $\\frac{\\partial z^{l+1}_j}{\\partial a^l_k} = w^{l+1}_{kj}$; "
            "as written $\\sigma'$ is counted twice",
            "05_backprop_equations", _check_004_bp2),
    Erratum("004-batch-1-over-m", _S4, "Batch Gradient, BP3b and BP4b and the remark after "
            "them", "text",
            "BP3b and BP4b carry $\\frac1m$; the remark says that in an implementation the "
            "$1/m$ is done at the $\\nabla_a C$ stage",
            "an alternative, not an addition: the $1/m$ goes either into BP3b/BP4b (with "
            "$\\delta_x$ the per-sample error) or into $\\nabla_a C$, never both ($1/m^2$)",
            "05_backprop_equations"),
    Erratum("004-ce-outer-minus", _S4, "Softmax Output + Cross Entropy, line 2", "formula",
            "$\\frac{\\partial C}{\\partial a^L_j} = \\frac{t_j}{a^L_j}$",
            "$\\frac{\\partial C}{\\partial a^L_j} = -\\frac{t_j}{a^L_j}$",
            "05_backprop_equations", _check_004_ce_outer,
            see_also=("06_softmax_cross_entropy",)),
    Erratum("004-ce-sum-sign", _S4, "Softmax Output + Cross Entropy, lines 3 and 4", "formula",
            "$\\sum_j t_j (I_{ji} - a^L_i) = a^L_i - t_i$",
            "$-\\sum_j t_j (I_{ji} - a^L_i) = a^L_i - t_i$ (as written the sum is "
            "$t_i - a^L_i$)",
            "05_backprop_equations", _check_004_ce_sum,
            see_also=("06_softmax_cross_entropy",)),
    Erratum("004-n-columns", _S4, "Batch Gradient, after BP4b", "text",
            "输入从一个 column vector 变为 n 个 column vector (the input becomes $n$ column "
            "vectors)",
            "$m$ columns, the batch size ($n$ is the number of output neurons)",
            "05_backprop_equations"),
)


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
