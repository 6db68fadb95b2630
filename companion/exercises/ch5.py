"""Graders for the exercises of chapter 5 (see :mod:`companion.exercises`).

The chapter stacks a batch's samples as columns and writes a layer as
z^(l) = W^(l) a^(l-1) + b^(l), with W^(l) of shape (n_l, n_{l-1}).
"""

from __future__ import annotations

import numpy as np

from companion import vjps
from companion.exercises import register

__all__: list[str] = []


def _sigmoid_prime(z):
    s = vjps.sigmoid(z)
    return s * (1.0 - s)


# -- ch5-ex-tanh: BP1 for a tanh output layer -------------------------------------------------

def _tanh_cases(rng):
    # a strictly inside (-1, 1) and away from 0, t != a: no factor can vanish by accident
    def case(shape):
        a = rng.uniform(0.1, 0.9, shape) * rng.choice([-1.0, 1.0], shape)
        return a, rng.uniform(-0.5, 0.5, shape)

    return [case((3, 1)), case((2, 5))]


def _tanh_sigmoid_derivative(a, t):
    return (a - t) * a * (1 - a)             # sigma' = a (1 - a) belongs to the sigmoid


def _tanh_target_minus_output(a, t):
    return (t - a) * (1 - a * a)


@register("ch5-ex-tanh", cases=_tanh_cases,
          wrong=[(_tanh_sigmoid_derivative, "values are wrong"),
                 (_tanh_target_minus_output, "sign")],
          hint="BP1 is the gradient of the loss with respect to a^(K) times tanh'(z^(K)), "
               "written with a^(K) = tanh(z^(K)).")
def delta_output_tanh(a, t):
    """delta^(K) = (a^(K) - t) * (1 - a^(K)^2) for a tanh output and the quadratic loss."""
    return (a - t) * (1 - a * a)


# -- ch5-ex-transpose: BP2 with and without its transpose -------------------------------------

def _bp2_cases(rng):
    # a square layer first: there the missing transpose runs and gives wrong numbers
    return [(rng.standard_normal((4, 4)), rng.standard_normal((4, 1)),
             rng.standard_normal((4, 1))),
            (rng.standard_normal((2, 4)), rng.standard_normal((2, 1)),
             rng.standard_normal((4, 1))),
            (rng.standard_normal((3, 5)), rng.standard_normal((3, 6)),
             rng.standard_normal((5, 6)))]


def _bp2_no_transpose(W_next, delta_next, z):
    return (W_next @ delta_next) * _sigmoid_prime(z)


def _bp2_no_sigma_prime(W_next, delta_next, z):
    return W_next.T @ delta_next


@register("ch5-ex-transpose", cases=_bp2_cases,
          wrong=[(_bp2_no_transpose, "values are wrong"),
                 (_bp2_no_sigma_prime, "values are wrong")],
          hint="entry k of delta^(l) sums W^(l+1)_jk delta^(l+1)_j over the destination j "
               "(the row index of W^(l+1)), then multiplies by sigma'(z^(l)_k).")
def bp2(W_next, delta_next, z):
    """BP2 for the sigmoid: delta^(l) = (W^(l+1)^T delta^(l+1)) * sigma'(z^(l))."""
    return (W_next.T @ delta_next) * _sigmoid_prime(z)


# -- ch5-ex-no-sigma-prime: which gradients survive a missing sigma' --------------------------

def _layers_cases(rng):
    return [(2,), (3,), (5,)]


def _all_right(K):
    return np.ones(K)


def _only_first_right(K):
    return np.eye(1, K).ravel()


@register("ch5-ex-no-sigma-prime", cases=_layers_cases,
          wrong=[(_all_right, "values are wrong"), (_only_first_right, "values are wrong")],
          hint="which layers' errors come from BP2, and which from BP1 alone?")
def layers_still_right(K):
    """1.0 for each layer l = 1 .. K whose dL/dW^(l) stays right without sigma' in BP2."""
    right = np.zeros(K)
    right[-1] = 1.0                          # only delta^(K) comes from BP1 alone
    return right


# -- ch5-ex-ones: the bias as one more weight -------------------------------------------------

def _ones_cases(rng):
    return [(rng.standard_normal((3, 7)), rng.standard_normal((2, 7))),
            (rng.standard_normal((5, 2)), rng.standard_normal((2, 2)))]


def _ones_without_bias(A_prev, Delta):
    return Delta @ A_prev.T                  # BP4b alone: the bias column is missing


def _ones_transposed(A_prev, Delta):
    return np.vstack([A_prev, np.ones((1, A_prev.shape[1]))]) @ Delta.T


@register("ch5-ex-ones", cases=_ones_cases,
          wrong=[(_ones_without_bias, "shape"), (_ones_transposed, "transposed")])
def augmented_gradient(A_prev, Delta):
    """dL/d[W^(l) b^(l)] = Delta^(l) [A^(l-1); 1^T]^T, shape (n_l, n_{l-1} + 1)."""
    A_aug = np.vstack([A_prev, np.ones((1, A_prev.shape[1]))])
    return Delta @ A_aug.T


# -- ch5-ex-linear: a linear output layer -----------------------------------------------------

def _linear_cases(rng):
    def case(n0, n1, n2, N):
        return (rng.standard_normal((n1, n0)), rng.standard_normal((n1, 1)),
                rng.standard_normal((n2, n1)), rng.standard_normal((n2, 1)),
                rng.standard_normal((N, n0)), rng.standard_normal((N, n2)))

    return [case(3, 4, 2, 5), case(4, 3, 2, 6)]


def _linear_gradients(W1, b1, W2, b2, X, T, output=None, scale=None):
    A0, N = X.T, X.shape[0]                  # samples as columns
    Z1 = W1 @ A0 + b1
    A1 = vjps.sigmoid(Z1)
    Z2 = W2 @ A1 + b2
    A2 = Z2 if output is None else output(Z2)
    Delta2 = (A2 - T.T) / (N if scale is None else scale)     # BP1b, sigma' = 1
    if output is not None:
        Delta2 = Delta2 * _sigmoid_prime(Z2)
    Delta1 = (W2.T @ Delta2) * _sigmoid_prime(Z1)               # BP2b
    return (Delta1 @ A0.T, Delta1.sum(axis=1, keepdims=True),   # BP4b, BP3b
            Delta2 @ A1.T, Delta2.sum(axis=1, keepdims=True))


def _linear_sigmoid_output(W1, b1, W2, b2, X, T):
    return _linear_gradients(W1, b1, W2, b2, X, T, output=vjps.sigmoid)


def _linear_no_mean(W1, b1, W2, b2, X, T):
    return _linear_gradients(W1, b1, W2, b2, X, T, scale=1.0)


def _linear_transposed_weights(W1, b1, W2, b2, X, T):
    dW1, db1, dW2, db2 = _linear_gradients(W1, b1, W2, b2, X, T)
    return dW1.T, db1, dW2.T, db2            # A Delta^T: the row form's layout


@register("ch5-ex-linear", cases=_linear_cases, names=("dW1", "db1", "dW2", "db2"),
          wrong=[(_linear_sigmoid_output, "values are wrong"), (_linear_no_mean, "factor"),
                 (_linear_transposed_weights, "transposed")])
def linear_output_gradients(W1, b1, W2, b2, X, T):
    """Gradients of the mean quadratic loss of a sigmoid hidden layer and a linear output.

    ``X`` (N, n_0) and ``T`` (N, n_2) hold one sample per row; the network works on the
    columns A^(0) = X^T.  Returns (dL/dW^(1), dL/db^(1), dL/dW^(2), dL/db^(2)), each shaped
    like its parameter.
    """
    return _linear_gradients(W1, b1, W2, b2, X, T)


# -- ch5-ex-chain: the Jacobian from one layer's weighted input to the output's --------------

def _chain_cases(rng):
    def case(widths):                        # n_l, n_{l+1}, ..., n_K
        Ws = [rng.standard_normal((m, n)) for n, m in zip(widths[:-1], widths[1:])]
        zs = [rng.standard_normal((n, 1)) for n in widths[:-1]]
        return Ws, zs

    return [case([3, 5, 4, 2]), case([4, 2, 3])]


def _chain_without_sigma_prime(Ws, zs):
    J = np.eye(len(zs[0]))
    for W in Ws:
        J = W @ J
    return J


def _chain_transposed(Ws, zs):
    return dzK_dzl(Ws, zs).T


def _chain_wrong_order(Ws, zs):
    J = np.eye(len(zs[0]))
    for W, z in zip(Ws, zs):
        J = J @ (W * _sigmoid_prime(z).T)    # multiplies on the wrong side
    return J


@register("ch5-ex-chain", cases=_chain_cases,
          wrong=[(_chain_without_sigma_prime, "values are wrong"),
                 (_chain_transposed, "transposed"), (_chain_wrong_order, "raised")],
          hint="each link z^(k) -> z^(k+1) has the Jacobian W^(k+1) diag(sigma'(z^(k))).")
def dzK_dzl(Ws, zs):
    """dz^(K)/dz^(l) = W^(K) D^(K-1) ... W^(l+1) D^(l), D^(k) = diag(sigma'(z^(k))).

    ``Ws`` is [W^(l+1), ..., W^(K)] and ``zs`` is [z^(l), ..., z^(K-1)] (columns).
    """
    J = np.eye(len(zs[0]))
    for W, z in zip(Ws, zs):
        J = W @ (_sigmoid_prime(z) * J)      # D^(k) J, then W^(k+1)
    return J
