import numpy as np
import pytest
from helpers import loss_of_param

from companion.errors import ShapeError
from companion.gradcheck import check_gradient
from companion.twolayer import TwoLayerNet


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(4, 10, 3, std=1e-1, seed=seed)
    X = rng.standard_normal((5, 4)) * 10
    y = rng.integers(0, 3, 5)
    return net, X, y


@pytest.mark.parametrize("reg", [0.0, 0.05])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_gradients_pass_a_gradient_check(name, reg):
    net, X, y = small_problem()
    _, grads = net.loss(X, y, reg=reg)
    loss_of = loss_of_param(net, name, X, y, reg)
    result = check_gradient(loss_of, net.params[name], grads[name], measure="normwise")
    assert result.ok, str(result)


def test_a_missing_two_in_the_regularization_gradient_is_caught():
    net, X, y = small_problem()
    reg = 0.5  # large enough that the penalty's gradient shows
    _, grads = net.loss(X, y, reg=reg)
    wrong = grads["W1"] - reg * net.params["W1"]  # reg W instead of 2 reg W
    loss_of = loss_of_param(net, "W1", X, y, reg)
    assert check_gradient(loss_of, net.params["W1"], grads["W1"]).ok
    assert not check_gradient(loss_of, net.params["W1"], wrong).ok


def test_scores_shape_and_loss_with_regularization():
    net, X, y = small_problem()
    assert net.loss(X).shape == (5, 3)
    loss0, _ = net.loss(X, y)
    loss1, _ = net.loss(X, y, reg=0.1)
    penalty = 0.1 * (np.sum(net.params["W1"] ** 2) + np.sum(net.params["W2"] ** 2))
    assert loss1 == pytest.approx(loss0 + penalty)


def test_training_lowers_the_loss_and_fits_a_separable_problem(capsys):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like quadrants: needs the hidden layer
    net = TwoLayerNet(2, 32, 2, std=0.5, seed=1)
    history = net.train(X, y, X, y, learning_rate=0.5, epochs=60, batch_size=16,
                        print_every=20, progress=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["train_acc"][-1] > 0.9
    assert len(history["val_acc"]) == 60
    assert history["learning_rate"][1] == pytest.approx(0.5 * 0.95)
    out = capsys.readouterr()
    assert out.out.count("\n") == 3 and out.out.startswith("epoch  20/60: loss ")
    assert out.err == ""  # no progress bar when stderr is not a terminal


def test_bad_input_gets_clear_errors():
    net, X, y = small_problem()
    with pytest.raises(ValueError, match=r"labels must lie in 0..2; entries \[0\] are \[3\]"):
        net.loss(X, np.array([3, 0, 0, 0, 0]))
    with pytest.raises(TypeError, match="labels y must be integers"):
        net.loss(X, y.astype(float))
    X_nan = X.copy()
    X_nan[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"X has 1 non-finite entry at \(1, 2\)=nan"):
        net.loss(X_nan, y)
    with pytest.raises(ShapeError, match=r"X must be \(N, 4\)"):
        net.loss(X[:, :3], y)
    with pytest.raises(ShapeError, match="one label per row of X"):
        net.loss(X, y[:4])
