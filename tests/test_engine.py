"""The reverse-mode engine and its VJP catalogue."""

import gc
import math
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import INPUTS, arr

from companion import engine as E
from companion.engine import Tensor
from companion.errors import ShapeError
from companion.numeric import numerical_vjp
from companion.vjps import PRIMITIVES, sum_to_shape


def test_every_catalogue_op_has_a_test_case():
    assert set(INPUTS) == set(PRIMITIVES), (
        f"ops without a test case: {set(PRIMITIVES) - set(INPUTS)}; "
        f"cases for ops that do not exist: {set(INPUTS) - set(PRIMITIVES)}")


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_vjp_matches_numerical_vjp_and_dot_product_test(name, data):
    prim = PRIMITIVES[name]
    inputs, params = data.draw(INPUTS[name])
    inputs = tuple(np.asarray(a, dtype=np.float64) for a in inputs)
    originals = [a.copy() for a in inputs]
    out = np.asarray(prim.forward(*inputs, **params))
    g = data.draw(arr(out.shape))
    sent = [vjp(g, out, *inputs, **params) for vjp in prim.vjps]
    assert prim.n_inputs == len(inputs)
    rng = np.random.default_rng(0)
    for i, (a, da) in enumerate(zip(inputs, sent)):
        assert np.shape(da) == a.shape, f"{name}: gradient {i} has the wrong shape"

        def f_i(v, i=i):
            args = list(inputs)
            args[i] = v
            return prim.forward(*args, **params)

        np.testing.assert_allclose(da, numerical_vjp(f_i, a, g), rtol=1e-6, atol=1e-8)
        # dot-product test: <J v, g> = <v, J^T g> for a random direction v
        v = rng.standard_normal(a.shape)
        h = 1e-6
        jv = (np.asarray(f_i(a + h * v)) - np.asarray(f_i(a - h * v))) / (2 * h)
        assert np.sum(jv * g) == pytest.approx(np.sum(v * da), rel=1e-5, abs=1e-7)
    for a, a0 in zip(inputs, originals):
        np.testing.assert_array_equal(a, a0)  # a VJP never writes into its inputs


def test_sum_to_shape_undoes_broadcasting():
    g = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sum_to_shape(g, (3,)), [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(sum_to_shape(g, (2, 1)), [[3.0], [12.0]])
    assert sum_to_shape(g, ()) == 15.0
    assert sum_to_shape(g, (2, 3)) is g


# --------------------------------------------------------------------------- seed 002
def test_add_then_multiply_circuit():
    x, y, z = Tensor(-2.0), Tensor(5.0), Tensor(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)


def test_sigmoid_neuron_matches_the_staged_code():
    w = [2.0, -3.0, -3.0]
    x = [-1.0, -2.0]
    # the seed's staged code, by hand
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1 + math.exp(-dot))
    ddot = (1 - f) * f
    dx = [w[0] * ddot, w[1] * ddot]
    dw = [x[0] * ddot, x[1] * ddot, 1.0 * ddot]
    # the same neuron in the engine
    W = [Tensor(v) for v in w]
    X = [Tensor(v) for v in x]
    out = E.sigmoid(W[0] * X[0] + W[1] * X[1] + W[2])
    out.backward()
    assert out.data == pytest.approx(f) and f == pytest.approx(0.7311, abs=1e-4)
    assert [t.grad for t in X] == pytest.approx(dx)
    assert [t.grad for t in W] == pytest.approx(dw)
    assert dx == pytest.approx([0.3932, -0.5898], abs=1e-4)


def test_staged_example_by_hand_engine_and_numerics_agree():
    def sig(v):
        return 1.0 / (1 + math.exp(-v))

    x, y = 3.0, -4.0
    sigy = sig(y); num = x + sigy; sigx = sig(x); xpy = x + y  # noqa: E702
    xpysqr = xpy**2; den = sigx + xpysqr; invden = 1.0 / den; f = num * invden  # noqa: E702
    dnum = invden; dinvden = num; dden = (-1.0 / den**2) * dinvden  # noqa: E702
    dsigx = dden; dxpysqr = dden; dxpy = 2 * xpy * dxpysqr  # noqa: E702
    dx = dxpy; dy = dxpy  # noqa: E702
    dx += (1 - sigx) * sigx * dsigx
    dx += dnum
    dsigy = dnum
    dy += (1 - sigy) * sigy * dsigy
    X, Y = Tensor(x), Tensor(y)
    F = (X + E.sigmoid(Y)) / (E.sigmoid(X) + (X + Y) ** 2)
    F.backward()
    assert F.data == pytest.approx(f)
    assert (X.grad, Y.grad) == pytest.approx((dx, dy), rel=1e-12)
    fn = lambda v: (v[0] + sig(v[1])) / (sig(v[0]) + (v[0] + v[1]) ** 2)  # noqa: E731
    num_grad = numerical_vjp(fn, np.array([x, y]), 1.0)
    np.testing.assert_allclose(num_grad, [dx, dy], rtol=1e-8)


def test_max_routes_and_splits_a_tie():
    a, b = Tensor(4.0), Tensor(2.0)
    (E.maximum(a, b) * 3.0).backward()
    assert (a.grad, b.grad) == (3.0, 0.0)
    x = Tensor(1.5)
    E.maximum(x, x).backward()  # max(x, x) = x: derivative 1, from two halves
    assert x.grad == 1.0
    c, d = Tensor(2.0), Tensor(2.0)
    E.maximum(c, d).backward()
    assert (c.grad, d.grad) == (0.5, 0.5)


# --------------------------------------------------------------------------- engine rules
def test_x_times_x_is_2x():
    x = Tensor(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    v = Tensor([1.0, -2.0])
    (v * v).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, -4.0])


def test_gradient_accumulates_over_paths_and_over_calls():
    x = Tensor(2.0)
    y = x * 3.0 + x**2  # dy/dx = 3 + 2x = 7
    y.backward()
    assert x.grad == 7.0
    y.backward()  # documented: a second call adds
    assert x.grad == 14.0
    x.zero_grad()
    y2 = x * 3.0 + x**2
    y2.backward()
    assert x.grad == 7.0


def test_constants_get_no_gradient():
    x = Tensor([1.0, 2.0])
    c = Tensor([3.0, 4.0], requires_grad=False)
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    assert c.grad is None


def test_bias_gradient_is_summed_over_the_batch():
    X = Tensor(np.arange(6.0).reshape(3, 2))
    b = Tensor([1.0, -1.0])
    ((X + b) ** 2).sum().backward()
    np.testing.assert_allclose(b.grad, (2 * (X.data + b.data)).sum(axis=0))


def test_two_layer_network_gradients_match_numerics():
    rng = np.random.default_rng(0)
    Xd, W1d, W2d = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), \
        rng.standard_normal((5, 2))
    W1, W2 = Tensor(W1d), Tensor(W2d)
    loss = (E.tanh(Tensor(Xd, requires_grad=False) @ W1) @ W2).mean()
    loss.backward()

    def f(w1):
        return np.mean(np.tanh(Xd @ w1) @ W2d)

    np.testing.assert_allclose(W1.grad, numerical_vjp(f, W1d, 1.0), rtol=1e-6, atol=1e-9)


def test_deep_graph_of_100000_nodes():
    x = Tensor(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_graph_has_no_reference_cycle():
    gc.disable()
    try:
        x = Tensor(np.ones(3))
        y = (E.sigmoid(x * 2.0) + x).sum()
        y.backward()
        ref = weakref.ref(y)
        inner = weakref.ref(y.parents[0])
        del y
        assert ref() is None and inner() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_backward_of_non_scalar_needs_a_gradient():
    x = Tensor([1.0, 2.0])
    y = x * 2.0
    with pytest.raises(ValueError, match=r"needs a scalar, but this tensor has shape \(2,\)"):
        y.backward()
    with pytest.raises(ShapeError, match=r"backward: got tensor \(2,\), grad \(3,\)"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])


def test_shape_errors_name_the_op_and_rule():
    with pytest.raises(ShapeError, match=r"add: got a \(3,\), b \(4,\); broadcasting aligns the "
                                         r"shapes from the right and needs each pair of sizes "
                                         r"equal or one of them 1; reshape an operand"):
        Tensor(np.zeros(3)) + Tensor(np.zeros(4))
    with pytest.raises(ShapeError, match=r"matmul: got a \(2, 3\), b \(4, 5\); a @ b needs "
                                         r"a.shape\[-1\] == b.shape\[0\] \(3 != 4\)"):
        Tensor(np.zeros((2, 3))) @ Tensor(np.zeros((4, 5)))
    with pytest.raises(ShapeError, match="mul: got a"):
        Tensor(np.zeros(3)) * np.zeros(4)
    with pytest.raises(ShapeError, match=r"maximum: got a \(2, 3\), b \(2,\)"):
        E.maximum(np.zeros((2, 3)), Tensor(np.zeros(2)))


def test_variable_exponent_is_refused_with_advice():
    with pytest.raises(TypeError, match=r"exp\(b \* log\(a\)\)"):
        Tensor(2.0) ** Tensor(3.0)


def test_backward_steps_visit_ops_from_the_output():
    x, y, z = Tensor(-2.0, name="x"), Tensor(5.0, name="y"), Tensor(-4.0, name="z")
    f = (x + y) * z
    steps = [str(s) for s in f.backward_steps()]
    assert steps == ["* received 1., sent +: -4., z: 3.", "+ received -4., sent x: -4., y: -4."]


def test_softmax_cross_entropy_refuses_bad_labels():
    scores = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"labels must lie in 0..3; entries \[1\] are \[4\]"):
        E.softmax_cross_entropy(scores, [0, 4, 1])
    with pytest.raises(TypeError, match="labels y must be integers"):
        E.softmax_cross_entropy(scores, [0.0, 1.0, 1.0])
    with pytest.raises(ShapeError, match=r"one label per row of scores"):
        E.softmax_cross_entropy(scores, [0, 1])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_negative_labels_are_refused_for_every_integer_width(dtype):
    # The bounds are tested with one reduction over the labels seen as unsigned.
    scores = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"entries \[2\] are \[-1\]"):
        E.softmax_cross_entropy(scores, np.array([0, 3, -1], dtype=dtype))
    with pytest.raises(ValueError, match=r"entries \[0\] are \[-128\]"):
        E.svm_loss(scores, np.array([-128, 3, 0], dtype=dtype))
    strided = np.array([0, 9, 3, 9, 1, 9], dtype=dtype)[::2]  # a view, not contiguous
    expected = np.log(4.0)
    assert np.isclose(E.softmax_cross_entropy(scores, strided).data, expected)
    unsigned = np.array([0, 3, 1], dtype=np.uint8)
    assert np.isclose(E.softmax_cross_entropy(scores, unsigned).data, expected)


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    scores = Tensor(np.array([[1000.0, 0.0, -1000.0], [0.0, 10000.0, 0.0]]))
    loss = E.softmax_cross_entropy(scores, [0, 0])
    loss.backward()
    assert np.isfinite(loss.data) and loss.data == pytest.approx(10000.0 / 2)
    assert np.all(np.isfinite(scores.grad))


def test_input_gradients_are_read_only_so_shared_arrays_cannot_be_corrupted():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    (a + b).sum().backward()  # the add gate hands one array to both inputs
    with pytest.raises(ValueError, match="read-only"):
        a.grad[0] = 5.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    a.grad = a.grad * 0.5  # out-of-place updates are fine
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_engine_does_not_copy_or_modify_the_data_it_wraps():
    X = np.arange(6.0).reshape(2, 3)
    t = Tensor(X)
    assert np.shares_memory(t.data, X)
    (t * t).sum().backward()
    np.testing.assert_array_equal(X, np.arange(6.0).reshape(2, 3))


def test_named_returns_the_tensor_and_input_steps_say_what_they_are():
    x = Tensor(2.0, name="x")
    q = (x * 3.0).named("q")
    assert q.name == "q" and q.op == "mul"
    steps = [str(s) for s in E.reverse_pass(q)]
    assert steps == ["q received 1., sent x: 3.", "x received 3. (an input: its gradient)"]


def test_residual_of_the_forward_pass_is_kept_for_the_vjp_and_not_modified(monkeypatch):
    from companion import vjps

    scores = Tensor(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]))
    calls = []
    original = vjps.log_softmax

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(vjps, "log_softmax", counted)
    loss = E.softmax_cross_entropy(scores, [1, 2])
    assert len(calls) == 1 and "residual" not in loss.params
    loss.backward()
    assert len(calls) == 1, "the VJP recomputed the softmax: keep the forward's as residual"
    first = scores.grad.copy()
    recomputed = vjps.softmax_cross_entropy_vjp(1.0, None, scores.data, y=np.array([1, 2]))
    np.testing.assert_allclose(first, recomputed, rtol=1e-15)
    loss.backward()  # the same residual again: unchanged if the first VJP wrote nothing
    np.testing.assert_array_equal(scores.grad, 2 * first)
