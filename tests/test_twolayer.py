import math
import re
import time
import warnings

import numpy as np
import pytest
from helpers import loss_of_param

from companion.errors import ShapeError
from companion.gradcheck import check_gradient
from companion.twolayer import TrainingDiverged, TrainingWarning, TwoLayerNet


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
    assert history["learning_rate"][1] == pytest.approx(0.5 * 0.99)  # the default decay
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


def moons():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    return X[:400], y[:400], X[400:], y[400:]


def test_the_defaults_learn_the_two_moons_quickly():
    X, y, X_test, y_test = moons()
    net = TwoLayerNet(2, 32, 2)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        net.train(X, y, progress=False)
    seconds = time.perf_counter() - start
    accuracy = net.accuracy(X_test, y_test)
    assert accuracy >= 0.9, f"default training reached only {accuracy:.2f} on make_moons"
    assert seconds < 2.0, f"default training took {seconds:.1f} s; keep it under 2 s"


def test_reg_has_the_same_default_in_loss_and_train():
    import inspect

    loss_default = inspect.signature(TwoLayerNet.loss).parameters["reg"].default
    train_default = inspect.signature(TwoLayerNet.train).parameters["reg"].default
    assert loss_default == train_default


def test_a_loss_stuck_at_log_c_warns():
    X, y, _, _ = moons()
    net = TwoLayerNet(2, 32, 2, std=1e-4)  # the old defaults: no learning
    with pytest.warns(TrainingWarning, match=r"the loss ended at 0\.69\d\d, within 1e-3 of "
                                             r"log C = 0\.6931, .* has not learned"):
        net.train(X, y, learning_rate=0.1, learning_rate_decay=0.95, epochs=20,
                  progress=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow on the way
def test_divergence_raises_with_the_history_attached():
    X, y, _, _ = moons()
    net = TwoLayerNet(2, 32, 2)
    with pytest.raises(TrainingDiverged, match=r"loss became non-finite at epoch \d+ \(the "
                                               r"history .*\); lower learning_rate \(was "
                                               r"1e\+08\)$") as info:
        net.train(X, y, learning_rate=1e8, progress=False)
    history = info.value.history
    assert len(history["loss"]) == info.value.epoch - 1
    assert all(math.isfinite(v) for v in history["loss"])


@pytest.mark.parametrize("call, error, message", [
    (lambda X, y: TwoLayerNet(2.0, 8, 2), TypeError,
     r"input_size must be a whole number, got 2\.0 \(float\); write e\.g\. TwoLayerNet"),
    (lambda X, y: TwoLayerNet(2, 0, 2), ValueError, r"hidden_size must be at least 1, got 0"),
    (lambda X, y: TwoLayerNet(2, 8, 2).train(X, y, X), ValueError,
     r"X_val was given without y_val; pass both, train\(X, y, X_val, y_val\), or neither"),
    (lambda X, y: TwoLayerNet(2, 8, 2).train(X, y + 1), ValueError,
     r"labels must lie in 0\.\.1; .*\(the labels run from 1 to 2: did you mean y - 1\?\)"),
    (lambda X, y: TwoLayerNet(2, 8, 2).train(X, np.eye(2)[y]), TypeError,
     r"\(y looks one-hot: did you mean y\.argmax\(axis=1\)\?\)"),
    (lambda X, y: TwoLayerNet(2, 8, 2).train(X, np.eye(2, dtype=int)[y]), ShapeError,
     r"one label per row of X \(y looks one-hot: did you mean y\.argmax\(axis=1\)\?\)"),
    (lambda X, y: TwoLayerNet(2, 8, 2).loss(X, y * 1.0), TypeError,
     r"whole numbers stored as floats: did you mean y\.astype\(int\)\?"),
])
def test_newcomer_mistakes_get_messages_that_say_the_fix(call, error, message):
    X, y, _, _ = moons()
    with pytest.raises(error, match=message):
        call(X, y)


def test_progress_is_tqdms_bar_on_stderr_and_keeps_stdout_lines(capsys):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 2, 40)
    TwoLayerNet(2, 4, 2).train(X, y, epochs=3, print_every=1, progress=True)
    out = capsys.readouterr()
    # tqdm's own format: "train: 100%|█████| 3/3 [00:00<00:00, ...epoch/s, loss=0.6...]"
    assert re.search(r"train: 100%\|[^|]*\| 3/3 \[.*epoch/s, loss=\d\.\d{4}\]", out.err), \
        f"no finished tqdm bar on stderr: {out.err!r}"
    assert [line[:9] for line in out.out.splitlines()] == ["epoch   1", "epoch   2", "epoch   3"]
    TwoLayerNet(2, 4, 2).train(X, y, epochs=3)  # stderr is not a terminal: no bar
    assert capsys.readouterr().err == ""
