"""BP1-BP4 against numerical gradients; batch against per-sample; rows against columns."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import engine as E
from companion.engine import Tensor
from companion.errors import ShapeError
from companion.gradcheck import check_gradient
from companion.network import Network, layer_values
from companion.numeric import numerical_gradient


def data_for(net, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((net.sizes[0], m))
    if net.cost == "quadratic":
        return X, rng.standard_normal((net.sizes[-1], m))
    return X, rng.integers(0, net.sizes[-1], m)


def numeric_grads(net, X, T):
    def cost_with(params, l, value):
        old = params[l]
        params[l] = value
        try:
            return np.float64(net.cost_value(X, T))
        finally:
            params[l] = old

    gw = [numerical_gradient(lambda v, l=l: cost_with(net.weights, l, v), w)
          for l, w in enumerate(net.weights)]
    gb = [numerical_gradient(lambda v, l=l: cost_with(net.biases, l, v), b)
          for l, b in enumerate(net.biases)]
    return gb, gw


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(1, 4),
       st.sampled_from(["sigmoid", "tanh"]), st.sampled_from(["quadratic", "cross_entropy"]),
       st.integers(0, 1000))
def test_bp1_to_bp4_match_numerical_gradients(sizes, m, activation, cost, seed):
    if cost == "cross_entropy" and sizes[-1] < 2:
        sizes = sizes[:-1] + [2]
    net = Network(sizes, activation, cost, seed=seed)
    X, T = data_for(net, m, seed)
    gb, gw = net.backprop_batch(X, T)
    nb, nw = numeric_grads(net, X, T)
    for a, b in zip(gb + gw, nb + nw):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_batch_gradient_is_the_mean_of_single_sample_gradients(cost):
    net = Network([3, 5, 4], "sigmoid", cost, seed=2)
    X, T = data_for(net, 7, 3)
    gb, gw = net.backprop_batch(X, T)
    singles = [net.backprop(X[:, [i]], T[i] if T.ndim == 1 else T[:, [i]]) for i in range(7)]
    for l in range(2):
        np.testing.assert_allclose(gw[l], np.mean([s[1][l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(gb[l], np.mean([s[0][l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        assert gw[l].shape == net.weights[l].shape and gb[l].shape == net.biases[l].shape


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_column_convention_equals_row_convention_through_the_engine(activation):
    # Row convention (cs231n, seed 003): X_rows (m, n0), Z = X_rows W + b^T, W = w^l itself.
    net = Network([4, 6, 3], activation, "cross_entropy", seed=5)
    X, y = data_for(net, 8, 6)
    gb, gw = net.backprop_batch(X, y)
    act = {"sigmoid": E.sigmoid, "tanh": E.tanh, "relu": E.relu}[activation]
    W1, W2 = Tensor(net.weights[0]), Tensor(net.weights[1])
    b1, b2 = Tensor(net.biases[0][:, 0]), Tensor(net.biases[1][:, 0])
    scores = act(Tensor(X.T, requires_grad=False) @ W1 + b1) @ W2 + b2
    E.softmax_cross_entropy(scores, y).backward()
    np.testing.assert_allclose(W1.grad, gw[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(W2.grad, gw[1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b1.grad[:, None], gb[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b2.grad[:, None], gb[1], rtol=1e-12, atol=1e-14)


def planted_bp2(net, bug):
    """The hidden layer's weight gradient with a wrong BP2."""
    from companion.vjps import sigmoid_vjp

    def grad_w0(X, T):
        zs, acts = layer_values(net, X)  # zs[l] is z^(l); zs[0] is None
        aL = acts[-1]
        delta = sigmoid_vjp((aL - T) / X.shape[1], aL, zs[-1])
        w = net.weights[1]
        if bug == "transpose":  # Nielsen's w_jk form used with w_kj weights (square w)
            back = w.T @ delta
        else:
            back = w @ delta
        if bug == "no sigma prime":
            delta0 = back
        else:
            delta0 = sigmoid_vjp(back, acts[1], zs[1])
        return acts[0] @ delta0.T
    return grad_w0


@pytest.mark.parametrize("bug", ["transpose", "no sigma prime"])
def test_planted_wrong_bp2_is_caught(bug):
    net = Network([3, 4, 4], "sigmoid", "quadratic", seed=7)  # square w^2, so w.T fits
    X, T = data_for(net, 5, 8)

    def cost_of(w0):
        old = net.weights[0]
        net.weights[0] = w0
        try:
            return np.float64(net.cost_value(X, T))
        finally:
            net.weights[0] = old

    right = net.backprop_batch(X, T)[1][0]
    assert check_gradient(cost_of, net.weights[0], right).ok
    wrong = planted_bp2(net, bug)(X, T)
    assert not check_gradient(cost_of, net.weights[0], wrong).ok


def test_bad_input_gets_clear_errors():
    net = Network([3, 4, 2], "sigmoid", "cross_entropy")
    with pytest.raises(ShapeError, match=r"inputs are columns: x must be \(3, m\)"):
        net.backprop_batch(np.zeros((4, 3)), np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"labels must lie in 0..1; entries \[1\] are \[2\]"):
        net.backprop_batch(np.zeros((3, 2)), np.array([0, 2]))
    with pytest.raises(ShapeError, match="one label per column of x"):
        net.backprop_batch(np.zeros((3, 2)), np.array([0, 1, 1]))
    with pytest.raises(ShapeError, match="one sample is a column"):
        net.backprop(np.zeros((3, 2)), 0)
    with pytest.raises(ValueError, match="must be one-hot"):
        net.backprop_batch(np.zeros((3, 1)), np.array([[0.5], [0.5]]))
    with pytest.raises(ValueError, match="x has 1 non-finite entry"):
        net.feedforward(np.array([[np.nan], [0.0], [0.0]]))
    with pytest.raises(ValueError, match="activation must be one of"):
        Network([2, 2], activation="softsign")
