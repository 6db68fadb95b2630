"""companion.numeric against functions whose derivatives are known exactly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from companion.errors import ShapeError
from companion.numeric import numerical_gradient, numerical_jacobian, numerical_vjp

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
values = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def arrays(shape):
    return hnp.arrays(np.float64, shape, elements=values)


@settings(max_examples=100, deadline=None)
@given(shapes.flatmap(arrays))
def test_gradient_of_sum_of_sines_is_cosine(x):
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-7, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_jacobian_of_linear_map_is_the_matrix(m, n, data):
    A = data.draw(arrays((m, n)))
    x = data.draw(arrays((n,)))
    J = numerical_jacobian(lambda v: A @ v, x)
    assert J.shape == (m, n)
    np.testing.assert_allclose(J, A, rtol=1e-7, atol=1e-8)


def test_jacobian_shape_is_output_shape_then_input_shape():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3))
    A = rng.standard_normal((4, 5, 2, 3))
    # y[a, b] = sum_ij A[a, b, i, j] x[i, j]: the Jacobian is A itself.
    J = numerical_jacobian(lambda v: np.tensordot(A, v, axes=2), x)
    assert J.shape == (4, 5, 2, 3)
    np.testing.assert_allclose(J, A, rtol=1e-7, atol=1e-8)


def test_jacobian_of_scalar_function_of_scalar():
    J = numerical_jacobian(lambda v: v**3, np.array(2.0))
    assert J.shape == ()
    assert abs(J - 12.0) < 1e-8


@settings(max_examples=100, deadline=None)
@given(shapes.flatmap(arrays), st.data())
def test_vjp_equals_jacobian_transpose_times_dout(x, data):
    f = lambda v: np.tanh(v) * v.sum()  # noqa: E731  (every output depends on every input)
    dout = data.draw(arrays(x.shape))
    J = numerical_jacobian(f, x)
    expected = np.tensordot(dout, J, axes=dout.ndim)
    np.testing.assert_allclose(numerical_vjp(f, x, dout), expected, rtol=1e-9, atol=1e-9)


def test_batched_mode_agrees_with_the_loop_and_calls_f_once():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((6, 5))
    x = rng.standard_normal(5)
    calls = []

    def batched(X):  # X: (k, 5) -> (k, 6)
        calls.append(X.shape)
        return np.tanh(X @ W.T)

    J_batched = numerical_jacobian(batched, x, batched=True)
    assert calls == [(10, 5)]  # one call with all 2n probes
    J_loop = numerical_jacobian(lambda v: np.tanh(W @ v), x)
    np.testing.assert_allclose(J_batched, J_loop, rtol=1e-8, atol=1e-10)
    g = numerical_gradient(lambda X: np.tanh(X @ W.T).sum(axis=-1), x, batched=True)
    np.testing.assert_allclose(g, J_loop.sum(axis=0), rtol=1e-9)
    dout = rng.standard_normal(6)
    np.testing.assert_allclose(numerical_vjp(batched, x, dout, batched=True), dout @ J_loop,
                               rtol=1e-9)


def test_batched_mode_splits_large_inputs_into_chunks(monkeypatch):
    import companion.numeric as numeric

    monkeypatch.setattr(numeric, "_BATCH_ENTRIES", 40)  # 2 probes of 20 entries per call
    x = np.linspace(-1, 1, 20)
    calls = []

    def batched(X):
        calls.append(X.shape[0])
        return np.sin(X)

    J = numerical_jacobian(batched, x, batched=True)
    assert calls == [2] * 20
    np.testing.assert_allclose(J, np.diag(np.cos(x)), atol=1e-9)


def test_inputs_are_never_modified():
    x = np.array([0.5, -1.0, 2.0])
    dout = np.array([1.0, 2.0, 3.0])
    x0, dout0 = x.copy(), dout.copy()
    numerical_gradient(lambda v: np.sum(v**2), x)
    numerical_jacobian(lambda v: v**2, x)
    numerical_vjp(lambda v: v**2, x, dout)
    numerical_jacobian(lambda X: X**2, x, batched=True)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, dout0)


def test_function_returning_a_view_of_its_argument():
    # identity and reshape return views of x; each probe's value must be kept before the next
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_jacobian(lambda v: v, x).reshape(6, 6), np.eye(6),
                               atol=1e-9)
    dout = np.arange(6.0)
    np.testing.assert_allclose(numerical_vjp(lambda v: v.reshape(-1), x, dout),
                               dout.reshape(2, 3), atol=1e-9)


def test_float32_input_is_differentiated_in_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2, rtol=1e-9)


def test_non_finite_input_is_refused_with_the_entries():
    x = np.array([1.0, np.inf, np.nan])
    for call in (lambda: numerical_gradient(np.sum, x),
                 lambda: numerical_jacobian(np.sin, x),
                 lambda: numerical_vjp(np.sin, x, np.ones(3))):
        with pytest.raises(ValueError, match=r"x has 2 non-finite entries at \(1,\)=inf, "
                                             r"\(2,\)=nan"):
            call()


def test_non_finite_output_is_refused_naming_the_probe():
    with pytest.raises(ValueError, match=r"f at x - h e_0 has 1 non-finite entry"):
        numerical_gradient(lambda v: np.sum(np.sqrt(v)) if v[0] >= 0 else np.nan, np.zeros(2))


def test_non_finite_dout_is_refused():
    with pytest.raises(ValueError, match="dout has 1 non-finite"):
        numerical_vjp(np.sin, np.zeros(2), np.array([1.0, np.nan]))


def test_gradient_of_vector_function_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"numerical_gradient: got f\(x\) \(3,\); a gradient "
                                         r"needs a scalar f"):
        numerical_gradient(np.sin, np.zeros(3))


def test_vjp_with_wrong_dout_shape_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"got f\(x\) \(3,\), dout \(3, 1\); dout must have the "
                                         r"shape of f\(x\)"):
        numerical_vjp(np.sin, np.zeros(3), np.ones((3, 1)))


def test_batched_function_with_wrong_leading_axis_is_a_shape_error():
    with pytest.raises(ShapeError, match="with batched=True, f must map"):
        numerical_jacobian(lambda X: X.sum(axis=0), np.zeros(3), batched=True)


def test_function_changing_output_shape_is_a_shape_error():
    with pytest.raises(ShapeError, match="same shape at every point"):
        numerical_jacobian(lambda v: np.zeros(2) if v[0] > 0 else np.zeros(3), np.zeros(1))


@pytest.mark.parametrize("h", [0.0, -1e-5, np.nan])
def test_bad_step_is_refused(h):
    with pytest.raises(ValueError, match="the step h must be a positive finite number"):
        numerical_gradient(np.sum, np.zeros(2), h)


def test_central_difference_error_is_second_order():
    # Halving h divides the truncation error by about 4 (f = exp, f''' = exp).
    x = np.array(0.3)
    errors = [abs(numerical_gradient(lambda v: np.exp(v), x, h) - np.exp(0.3))
              for h in (1e-2, 5e-3)]
    assert 3.5 < errors[0] / errors[1] < 4.5


@pytest.mark.parametrize("entries", [2**23, 40, 120])
def test_batched_jacobian_of_matrix_input_and_output_matches_the_loop(monkeypatch, entries):
    import companion.numeric as numeric

    # x has 20 entries: all coordinates in one call; one a call; three a call (a short last one)
    monkeypatch.setattr(numeric, "_BATCH_ENTRIES", entries)
    rng = np.random.default_rng(3)
    A, x = rng.standard_normal((3, 2, 20)), rng.standard_normal((4, 5))

    def f(v):  # (4, 5) -> (3, 2)
        return np.sin(A @ v.reshape(-1))

    def f_batch(V):  # (k, 4, 5) -> (k, 3, 2)
        return np.sin(np.einsum("ijn,kn->kij", A, V.reshape(len(V), -1)))

    J = numerical_jacobian(f_batch, x, batched=True)
    assert J.shape == (3, 2, 4, 5)
    np.testing.assert_allclose(J, numerical_jacobian(f, x), rtol=1e-8, atol=1e-10)
    analytic = np.cos(A @ x.reshape(-1))[..., None] * A
    np.testing.assert_allclose(J.reshape(3, 2, 20), analytic, rtol=1e-7, atol=1e-9)


def test_batched_function_changing_its_output_shape_is_refused(monkeypatch):
    import companion.numeric as numeric

    monkeypatch.setattr(numeric, "_BATCH_ENTRIES", 8)  # 2 coordinates (4 probes) per call
    calls = []

    def f(X):  # (k, 4) -> (k, 4) on the first call, (k, 3) afterwards
        calls.append(1)
        return X if len(calls) == 1 else X[:, :3]

    with pytest.raises(ShapeError, match=r"numerical_jacobian.*\(4,\).*\(3,\).*same shape"):
        numerical_jacobian(f, np.zeros(4), batched=True)


def test_batched_identity_returning_its_argument():
    x = np.arange(6.0).reshape(2, 3)
    J = numerical_jacobian(lambda V: V, x, batched=True)
    np.testing.assert_allclose(J.reshape(6, 6), np.eye(6), atol=1e-9)
