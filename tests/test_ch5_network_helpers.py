"""Chapter 5's helpers in the book's notation: the loss from a layer's weighted input and the
loss as a function of one parameter, against the Network's own loss and backward pass."""

import numpy as np
import pytest

from companion.errors import ShapeError
from companion.gradcheck import check_gradient
from companion.network import Network, layer_values, loss_from_layer, loss_of_parameter
from companion.numeric import numerical_gradient


def _data(net, N, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((net.sizes[0], N))
    if net.cost == "quadratic":
        return X, rng.uniform(size=(net.sizes[-1], N))
    return X, rng.integers(0, net.sizes[-1], N)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_the_loss_from_every_layer_is_the_networks_loss(cost, activation):
    net = Network([3, 4, 5, 2], activation, cost, seed=1)
    X, T = _data(net, 6, 2)
    zs, acts = layer_values(net, X)
    assert zs[0] is None and np.array_equal(acts[0], X)
    for l in range(1, 4):
        assert zs[l].shape == acts[l].shape == (net.sizes[l], 6)
        assert np.isclose(loss_from_layer(net, l, zs[l], T), net.cost_value(X, T))


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_the_gradient_of_the_loss_from_a_layer_is_its_error(cost):
    net = Network([3, 4, 5, 2], "sigmoid", cost, seed=3)
    X, T = _data(net, 1, 4)
    zs, _ = layer_values(net, X)
    grad_b, _ = net.backprop(X, T if cost == "quadratic" else int(T[0]))
    for l in range(1, 4):  # one sample: delta^(l) = grad of b^(l) (BP3)
        numeric = numerical_gradient(lambda z, l=l: loss_from_layer(net, l, z, T), zs[l])
        np.testing.assert_allclose(numeric, grad_b[l - 1], rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_the_loss_of_a_parameter_takes_W_in_the_books_layout(cost):
    net = Network([3, 4, 2], "sigmoid", cost, seed=5)
    X, T = _data(net, 5, 6)
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    grad_b, grad_w = net.backprop_batch(X, T)
    for l in (1, 2):
        W = net.weights[l - 1].T  # a transposed view: not C-contiguous
        assert check_gradient(loss_of_parameter(net, X, T, "W", l), W, grad_w[l - 1].T).ok
        assert check_gradient(loss_of_parameter(net, X, T, "b", l), net.biases[l - 1],
                              grad_b[l - 1]).ok
    after = [w for w in net.weights] + [b for b in net.biases]
    assert all(np.array_equal(p, q) for p, q in zip(before, after))


def test_wrong_shapes_and_layers_are_refused():
    net = Network([3, 4, 2], seed=0)
    X, T = _data(net, 2, 0)
    with pytest.raises(ShapeError):
        loss_of_parameter(net, X, T, "W", 1)(net.weights[0])  # seed 004's layout: (3, 4)
    with pytest.raises(ShapeError):
        loss_from_layer(net, 1, np.zeros((3, 2)), T)
    with pytest.raises(ValueError):
        loss_from_layer(net, 3, np.zeros((2, 2)), T)
    with pytest.raises(ValueError):
        loss_of_parameter(net, X, T, "w", 1)


def test_numerical_derivatives_of_a_transposed_view_are_not_zero():
    # regression: a Fortran-ordered private copy made reshape(-1) a copy, so the probes
    # never moved x and every derivative came out 0
    A = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 2), A.T), 2 * A.T)
