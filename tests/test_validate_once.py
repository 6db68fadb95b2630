"""Validate once, at the public boundary (issue 16, item 3).

Public functions check their input once and call kernels that do not check it
again: a training run scans its data for NaNs once, not at every layer of every
batch, and the softmax cross-entropy computes its log-softmax once.
"""

import numpy as np
import pytest

from companion import errors, losses, network, twolayer, vjps
from companion.twolayer import TwoLayerNet


@pytest.fixture
def rng():
    return np.random.default_rng(16)


def count_calls(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper that counts its calls; return the counts."""
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_training_scans_each_input_once_not_at_every_layer(monkeypatch, rng):
    X, y = rng.standard_normal((384, 8)), rng.integers(0, 3, 384)
    X_val, y_val = rng.standard_normal((50, 8)), rng.integers(0, 3, 50)
    scans = count_calls(monkeypatch, errors, "all_finite")
    label_checks = [count_calls(monkeypatch, module, "require_labels")
                    for module in (twolayer, losses, network)]
    # 6 batches of 64 in each of 16 epochs: 96 batches (the run measured in issue 16
    # made 694 scans, 7 per batch plus 6 per accuracy)
    TwoLayerNet(8, 16, 3).train(X, y, X_val, y_val, epochs=16, batch_size=64,
                                progress=False)
    assert len(scans) == 2, (f"{len(scans)} finiteness scans for X and X_val; check the "
                             "inputs once in train() and call the unchecked kernels after")
    label_checks = sum(label_checks, [])
    assert len(label_checks) == 2, (f"{len(label_checks)} label checks for y and y_val; "
                                    "check them once in train()")


def test_softmax_cross_entropy_computes_log_softmax_once_and_saves_the_softmax(
        monkeypatch, rng):
    scores, y = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    expected = losses.softmax_cross_entropy(scores, y)
    log_softmaxes = count_calls(monkeypatch, vjps, "log_softmax")
    vjp_calls = count_calls(monkeypatch, vjps, "softmax_cross_entropy_vjp")
    loss, dscores = losses.softmax_cross_entropy(scores, y)
    assert len(log_softmaxes) == 1, (f"log_softmax computed {len(log_softmaxes)} times; "
                                     "pass the forward's softmax to the VJP as its residual")
    (_, kwargs), = vjp_calls
    probs = np.exp(vjps.log_softmax(scores))
    assert kwargs.get("residual") is not None, "the VJP recomputed the softmax"
    np.testing.assert_allclose(kwargs["residual"], probs, rtol=1e-15)
    assert loss == expected[0]
    np.testing.assert_array_equal(dscores, expected[1])


@pytest.mark.parametrize("op, call", [
    ("softmax_cross_entropy", lambda s, y: losses.softmax_cross_entropy(s, y)),
    ("svm_loss", lambda s, y: losses.svm_loss(s, y)),
    ("cross_entropy", lambda s, y: losses.cross_entropy(losses.softmax(s), y)),
    ("TwoLayerNet.loss", lambda s, y: TwoLayerNet(4, 3, 4).loss(s, y)),
])
def test_every_label_check_gives_the_same_messages(op, call, rng):
    scores = rng.standard_normal((3, 4))
    with pytest.raises(TypeError, match=rf"^{op}: labels y must be integers \(class indices "
                                        r"0\.\.3\), got dtype float64 \(the labels are whole "
                                        r"numbers stored as floats: did you mean "
                                        r"y\.astype\(int\)\?\)$"):
        call(scores, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(errors.ShapeError, match=r"one label per row of (scores|X)$"):
        call(scores, np.array([0, 1]))
    with pytest.raises(ValueError, match=rf"^{op}: labels must lie in 0\.\.3; entries \[0\] "
                                         r"are \[-1\]$"):
        call(scores, np.array([-1, 1, 2]))
    with pytest.raises(ValueError, match=r"the labels run from 1 to 4: did you mean y - 1\?"):
        call(scores, np.array([1, 4, 2]))
