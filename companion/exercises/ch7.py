"""Graders for the exercises of chapter 7 (see :mod:`companion.exercises`).

The network is the chapter's: ``Z1 = X W1 + b1``, ``A1 = act(Z1)``,
``scores = A1 W2 + b2``, mean softmax cross-entropy plus ``reg (|W1|^2 + |W2|^2)``.
Every case uses four different sizes N, D, H, C (a transposed answer has the wrong
shape), weights of size 1 and nonzero biases (every term of every formula matters).
"""

from __future__ import annotations

import numpy as np

from companion import losses
from companion.exercises import register

__all__: list[str] = []


def _params(rng, D, H, C):
    return {"W1": rng.standard_normal((D, H)), "b1": 0.5 * rng.standard_normal(H),
            "W2": rng.standard_normal((H, C)), "b2": 0.5 * rng.standard_normal(C)}


def _labels(rng, N, C):
    y = rng.integers(0, C, size=N)
    y[:C] = np.arange(C)  # every class present
    return y


def _network_cases(rng, with_reg=True):
    cases = []
    for N, D, H, C, reg in ((5, 4, 6, 3, 0.0), (7, 3, 5, 4, 0.1)):
        args = (_params(rng, D, H, C), rng.standard_normal((N, D)), _labels(rng, N, C))
        cases.append(args + (reg,) if with_reg else args)
    return cases


def _backward(params, X, A1, dZ1_of, dscores, reg):
    """The steps after the loss, with the activation's derivative passed in."""
    dW2 = A1.T @ dscores + 2 * reg * params["W2"]
    db2 = dscores.sum(axis=0)
    dZ1 = dZ1_of(dscores @ params["W2"].T)
    dW1 = X.T @ dZ1 + 2 * reg * params["W1"]
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2


# -- ch7-ex-tanh: a tanh hidden layer ---------------------------------------------------------

def _tanh_case(params, X, y, reg):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.tanh(Z1)
    scores = A1 @ params["W2"] + params["b2"]
    return Z1, A1, losses.softmax_cross_entropy(scores, y)[1]


def _tanh_wrong_derivative(params, X, y, reg):
    Z1, A1, dscores = _tanh_case(params, X, y, reg)
    return _backward(params, X, A1, lambda dA1: dA1 * (1 - Z1 * Z1), dscores, reg)


def _tanh_transposed(params, X, y, reg):
    dW1, db1, dW2, db2 = tanh_gradients(params, X, y, reg)
    return dW1.T, db1, dW2, db2


def _tanh_relu_mask(params, X, y, reg):
    Z1, A1, dscores = _tanh_case(params, X, y, reg)
    return _backward(params, X, A1, lambda dA1: dA1 * (Z1 > 0), dscores, reg)


@register("ch7-ex-tanh", cases=_network_cases, names=("dW1", "db1", "dW2", "db2"),
          hint="the only new line is the derivative of tanh; write it with the saved A1",
          wrong=[(_tanh_wrong_derivative, "dW1"), (_tanh_transposed, "transposed"),
                 (_tanh_relu_mask, "values are wrong")])
def tanh_gradients(params, X, y, reg):
    """(dW1, db1, dW2, db2) of the network with A1 = tanh(Z1): dZ1 = dA1 * (1 - A1**2)."""
    Z1, A1, dscores = _tanh_case(params, X, y, reg)
    return _backward(params, X, A1, lambda dA1: dA1 * (1 - A1 * A1), dscores, reg)


# -- ch7-ex-svm: dscores of the multiclass SVM loss ------------------------------------------

def _svm_cases(rng):
    # scores of size 2: margins are almost never within rounding of the hinge's kink
    return [(2.0 * rng.standard_normal((6, 4)), _labels(rng, 6, 4)),
            (2.0 * rng.standard_normal((5, 3)), _labels(rng, 5, 3))]


def _svm_without_one_over_n(scores, y):
    return scores.shape[0] * svm_dscores(scores, y)


def _svm_flipped(scores, y):
    return -svm_dscores(scores, y)


def _svm_without_label_column(scores, y):
    dscores = svm_dscores(scores, y)
    dscores[np.arange(scores.shape[0]), y] = 0.0
    return dscores


@register("ch7-ex-svm", cases=_svm_cases,
          hint="each positive margin sends +1/N to its own column and -1/N to the label's",
          wrong=[(_svm_without_one_over_n, "factor"), (_svm_flipped, "sign"),
                 (_svm_without_label_column, "values are wrong")])
def svm_dscores(scores, y):
    """The gradient (N, C) of the mean hinge loss (1/N) sum_i sum_{j != y_i} max(0, m_ij)."""
    N = scores.shape[0]
    rows = np.arange(N)
    margins = scores - scores[rows, y][:, None] + 1.0
    margins[rows, y] = 0.0
    dscores = (margins > 0).astype(float) / N
    dscores[rows, y] = -dscores.sum(axis=1)
    return dscores


# -- ch7-ex-input: the gradient with respect to the input ------------------------------------

def _input_cases(rng):
    return _network_cases(rng, with_reg=False)


def _relu_case(params, X, y):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    scores = A1 @ params["W2"] + params["b2"]
    return Z1, A1, losses.softmax_cross_entropy(scores, y)[1]


def _input_without_mask(params, X, y):
    Z1, A1, dscores = _relu_case(params, X, y)
    return (dscores @ params["W2"].T) @ params["W1"].T


def _input_without_one_over_n(params, X, y):
    return X.shape[0] * input_gradient(params, X, y)


def _input_with_W1(params, X, y):
    Z1, A1, dscores = _relu_case(params, X, y)
    return ((dscores @ params["W2"].T) * (Z1 > 0)) @ params["W1"]  # (N, H) @ (D, H) fails


@register("ch7-ex-input", cases=_input_cases,
          hint="go back one more step than for dW1: X enters as A1 enters the second layer",
          wrong=[(_input_without_mask, "values are wrong"),
                 (_input_without_one_over_n, "factor"), (_input_with_W1, "raised")])
def input_gradient(params, X, y):
    """dL/dX (N, D) of the mean cross-entropy: (dA1 * [Z1 > 0]) @ W1.T."""
    Z1, A1, dscores = _relu_case(params, X, y)
    return ((dscores @ params["W2"].T) * (Z1 > 0)) @ params["W1"].T


# -- ch7-ex-symmetry: the gradients at the all-zero start ------------------------------------

def _zero_start_cases(rng):
    # unequal class counts, so that the bias gradient is not zero
    return [(rng.standard_normal((10, 4)), np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2]), 5, 3),
            (rng.standard_normal((7, 6)), np.array([3, 1, 3, 0, 3, 2, 1]), 3, 4)]


def _zero_start_flipped(X, y, H, C):
    dW1, db1, dW2, db2 = zero_start_gradients(X, y, H, C)
    return dW1, db1, dW2, -db2


def _zero_start_frequencies(X, y, H, C):
    dW1, db1, dW2, db2 = zero_start_gradients(X, y, H, C)
    return dW1, db1, dW2, -np.bincount(y, minlength=C) / X.shape[0]


@register("ch7-ex-symmetry", cases=_zero_start_cases, names=("dW1", "db1", "dW2", "db2"),
          hint="with zero scores the softmax is uniform; average A2 - T over the batch",
          wrong=[(_zero_start_flipped, "sign"), (_zero_start_frequencies, "db2")])
def zero_start_gradients(X, y, H, C):
    """(dW1, db1, dW2, db2) at W1 = 0, b1 = 0, W2 = 0, b2 = 0: only db2 = 1/C - counts/N."""
    N, D = X.shape
    db2 = 1.0 / C - np.bincount(y, minlength=C) / N
    return np.zeros((D, H)), np.zeros(H), np.zeros((H, C)), db2


# -- ch7-ex-batch: the 1/N applied at the end --------------------------------------------------

def _late(params, X, y, reg, divide, divide_penalty):
    Z1, A1, dscores = _relu_case(params, X, y)
    N = X.shape[0]
    unscaled = N * dscores  # A2 - T
    data = _backward(params, X, A1, lambda dA1: dA1 * (Z1 > 0), unscaled, 0.0)
    scale = 1.0 / N if divide else 1.0
    pen = {"W1": 2 * reg * params["W1"], "W2": 2 * reg * params["W2"]}
    out = []
    for name, g in zip(("W1", "b1", "W2", "b2"), data):
        p = pen.get(name, 0.0)
        out.append((g + p) * scale if divide_penalty else g * scale + p)
    return tuple(out)


def _late_without_one_over_n(params, X, y, reg):
    return _late(params, X, y, reg, divide=False, divide_penalty=False)


def _late_penalty_divided(params, X, y, reg):
    return _late(params, X, y, reg, divide=True, divide_penalty=True)


@register("ch7-ex-batch", cases=_network_cases, names=("dW1", "db1", "dW2", "db2"),
          hint="divide only the data part by N; the penalty's 2 reg W is not a mean",
          wrong=[(_late_without_one_over_n, "factor"), (_late_penalty_divided, "values are wrong")])
def late_scaled_gradients(params, X, y, reg):
    """The four gradients from the unscaled A2 - T, each data gradient divided by N at the end."""
    return _late(params, X, y, reg, divide=True, divide_penalty=False)
