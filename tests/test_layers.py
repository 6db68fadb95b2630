"""Layers: every backward against numerical_vjp; shapes refused; dout and cache left alone."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from companion import layers as L
from companion.errors import ShapeError
from companion.numeric import numerical_vjp

values = st.floats(0.1, 2.0).flatmap(lambda v: st.sampled_from([v, -v]))
dims = st.integers(1, 5)


def arr(shape):
    return hnp.arrays(np.float64, shape, elements=values)


@settings(max_examples=100, deadline=None)
@given(dims, dims, dims, st.data())
def test_affine_backward_matches_numerics(N, D, M, data):
    x, W, b = data.draw(arr((N, D))), data.draw(arr((D, M))), data.draw(arr((M,)))
    out, cache = L.affine_forward(x, W, b)
    dout = data.draw(arr(out.shape))
    dout0 = dout.copy()
    cache0 = [c.copy() for c in cache]
    dx, dW, db = L.affine_backward(dout, cache)
    np.testing.assert_allclose(dx, numerical_vjp(lambda v: L.affine_forward(v, W, b)[0], x,
                                                 dout), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dW, numerical_vjp(lambda v: L.affine_forward(x, v, b)[0], W,
                                                 dout), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(db, dout.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(db, numerical_vjp(lambda v: L.affine_forward(x, W, v)[0], b,
                                                 dout), rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(dout, dout0)
    for c, c0 in zip(cache, cache0):
        np.testing.assert_array_equal(c, c0)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
@settings(max_examples=100, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), data=st.data())
def test_activation_backward_matches_numerics(name, shape, data):
    forward = getattr(L, f"{name}_forward")
    backward = getattr(L, f"{name}_backward")
    x = data.draw(arr(shape))
    out, cache = forward(x)
    dout = data.draw(arr(shape))
    dout0 = dout.copy()
    cache0 = cache.copy()
    dx = backward(dout, cache)
    np.testing.assert_allclose(dx, numerical_vjp(lambda v: forward(v)[0], x, dout),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(dout, dout0)
    np.testing.assert_array_equal(cache, cache0)


def test_affine_shape_errors_name_the_rule():
    with pytest.raises(ShapeError, match=r"affine_forward: got x \(4, 3\), W \(5, 2\), b \(2,\);"
                                         r" x W \+ b needs x \(N, D\), W \(D, M\), b \(M,\)"):
        L.affine_forward(np.zeros((4, 3)), np.zeros((5, 2)), np.zeros(2))
    with pytest.raises(ShapeError, match="x must be"):
        L.affine_forward(np.zeros(3), np.zeros((3, 2)), np.zeros(2))
    _, cache = L.affine_forward(np.zeros((4, 3)), np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ShapeError, match=r"affine_backward: got dout \(4, 3\), out \(4, 2\)"):
        L.affine_backward(np.zeros((4, 3)), cache)
    _, cache = L.relu_forward(np.zeros(3))
    with pytest.raises(ShapeError, match="relu_backward"):
        L.relu_backward(np.zeros((3, 1)), cache)


def test_affine_refuses_non_finite_input():
    with pytest.raises(ValueError, match="x has 1 non-finite entry"):
        L.affine_forward(np.array([[np.nan, 1.0]]), np.ones((2, 2)), np.ones(2))


def test_relu_mask_comes_from_the_input_with_zero_at_zero():
    _, cache = L.relu_forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(L.relu_backward(np.ones(3), cache), [0.0, 0.0, 1.0])
