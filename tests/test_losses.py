import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from companion import losses
from companion.errors import ShapeError
from companion.numeric import numerical_gradient, numerical_jacobian


def scores_labels(draw_n=st.integers(1, 6), draw_c=st.integers(2, 6)):
    def build(nc):
        n, c = nc
        return st.tuples(hnp.arrays(np.float64, (n, c), elements=st.floats(-5, 5)),
                         hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return st.tuples(draw_n, draw_c).flatmap(build)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5)))
def test_softmax_jacobian_is_diag_a_minus_a_a_transpose(z):
    a = losses.softmax(z)
    J = losses.softmax_jacobian(z)
    np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(J, numerical_jacobian(losses.softmax, z), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-12)  # outputs always sum to 1


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**31))
def test_softmax_linear_jacobian_is_the_chain_rule_product(m, n, seed):
    rng = np.random.default_rng(seed)
    W, x = rng.standard_normal((m, n)), rng.standard_normal(n)
    J = losses.softmax_linear_jacobian(W, x)
    np.testing.assert_allclose(J, losses.softmax_jacobian(W @ x) @ W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(J, numerical_jacobian(lambda v: losses.softmax(W @ v), x),
                               rtol=1e-6, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(scores_labels())
def test_softmax_cross_entropy_gradient_is_a_minus_t_over_n(sy):
    scores, y = sy
    loss, dscores = losses.softmax_cross_entropy(scores, y)
    N, C = scores.shape
    onehot = np.eye(C)[y]
    np.testing.assert_allclose(dscores, (losses.softmax(scores) - onehot) / N, atol=1e-15)
    num = numerical_gradient(lambda s: losses.softmax_cross_entropy(s, y)[0], scores)
    np.testing.assert_allclose(dscores, num, rtol=1e-6, atol=1e-9)
    assert loss == pytest.approx(losses.cross_entropy(losses.softmax(scores), y), rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(scores_labels())
def test_svm_loss_gradient_matches_numerics_away_from_kinks(sy):
    scores, y = sy
    margins = scores - scores[np.arange(y.size), y][:, None] + 1.0
    if np.any(np.abs(margins) < 1e-3):
        return  # a kink: the hinge has no derivative there
    loss, dscores = losses.svm_loss(scores, y)
    num = numerical_gradient(lambda s: losses.svm_loss(s, y)[0], scores)
    np.testing.assert_allclose(dscores, num, rtol=1e-6, atol=1e-9)


def test_svm_loss_on_a_hand_example():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = np.array([0, 1, 2])
    loss, _ = losses.svm_loss(scores, y)
    assert loss == pytest.approx((2.9 + 0.0 + 12.9) / 3)  # cs231n's worked example


@pytest.mark.parametrize("C", [1000, 10000])
def test_huge_logits_give_finite_losses_and_gradients(C):
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((4, C)) * 1000.0
    loss, dscores = losses.softmax_cross_entropy(scores, np.array([0, 1, 2, 3]))
    assert np.isfinite(loss) and np.all(np.isfinite(dscores))
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-12)
    assert np.all(np.isfinite(losses.log_softmax(scores)))
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert not np.all(np.isfinite(naive))  # the naive formula overflows


def test_bad_labels_and_scores_are_refused():
    s = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels must lie in 0..2; entries \[1\] are \[3\]"):
        losses.softmax_cross_entropy(s, np.array([0, 3]))
    with pytest.raises(TypeError, match="labels y must be integers"):
        losses.softmax_cross_entropy(s, np.array([0.0, 1.0]))
    with pytest.raises(ShapeError, match="one label per row"):
        losses.svm_loss(s, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="scores has 1 non-finite entry"):
        losses.softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match=r"probs must lie in \[0, 1\]"):
        losses.cross_entropy(np.array([[2.0, -1.0]]), np.array([0]))
    with pytest.raises(ShapeError, match="one vector of scores"):
        losses.softmax_jacobian(np.zeros((2, 2)))


def test_l2_penalty_and_its_gradient():
    rng = np.random.default_rng(1)
    W1, W2 = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    value, (g1, g2) = losses.l2_penalty(0.3, W1, W2)
    assert value == pytest.approx(0.3 * (np.sum(W1**2) + np.sum(W2**2)))
    np.testing.assert_allclose(g1, numerical_gradient(
        lambda w: losses.l2_penalty(0.3, w, W2)[0], W1), rtol=1e-7)


def test_svm_gradient_has_no_negative_zeros():
    _, dscores = losses.svm_loss(np.array([[5.0, 0.0, 0.0]]), np.array([0]))
    assert not np.any(np.signbit(dscores))  # every margin satisfied: all +0.0


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
                  elements=st.floats(-3, 3)), st.floats(0.0, 2.0))
def test_l2_penalty_gradient_matches_numerics(W, reg):
    _, (grad,) = losses.l2_penalty(reg, W)
    np.testing.assert_allclose(grad, numerical_gradient(
        lambda w: np.float64(losses.l2_penalty(reg, w)[0]), W), rtol=1e-6, atol=1e-8)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)),
                  elements=st.floats(-700, 700)), st.sampled_from([0, 1, -1]))
def test_vjps_softmax_is_exp_of_log_softmax(z, axis):
    from companion import vjps

    a = vjps.softmax(z, axis=axis)
    np.testing.assert_allclose(a, np.exp(vjps.log_softmax(z, axis=axis)), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(a.sum(axis=axis), 1.0, rtol=1e-13)
    assert not np.shares_memory(a, z)  # a new array: the input is never written


def test_vjps_softmax_of_integers_and_of_minus_infinity():
    from companion import vjps

    a = vjps.softmax(np.array([[0, 1, 2]]))  # integer scores give float probabilities
    assert a.dtype == np.float64
    np.testing.assert_allclose(a, np.exp([[0, 1, 2]]) / np.exp([0, 1, 2]).sum(), rtol=1e-15)
    np.testing.assert_array_equal(vjps.softmax(np.array([0.0, -np.inf])), [1.0, 0.0])
