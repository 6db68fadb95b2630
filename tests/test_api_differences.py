"""Where the package used to differ from numpy, PyTorch and cs231n (issue 16, item 5).

Each fact is written here from its definition or checked against central
differences, so it is tested without PyTorch; ``test_reference_torch.py``
checks the same facts against PyTorch where it is installed.
"""

import math

import numpy as np
import pytest

from companion import engine as E
from companion import layers as L
from companion.engine import Tensor
from companion.errors import ShapeError
from companion.numeric import numerical_gradient, numerical_vjp
from companion.vjps import sum_to_shape


def test_power_zero_has_zero_gradient_also_at_zero():
    # d(x^0)/dx = 0 everywhere: x^0 is the constant 1 (not 0 * x^-1 = 0 * inf at 0).
    x = Tensor([0.0, -2.0, 3.0])
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_rpow_value_and_gradient_log2_times_2_to_the_t():
    t = Tensor([-1.0, 0.0, 1.5])
    y = 2 ** t
    np.testing.assert_allclose(y.data, [0.5, 1.0, 2.0 ** 1.5])
    y.sum().backward()
    np.testing.assert_allclose(t.grad, math.log(2.0) * 2.0 ** t.data, rtol=1e-15)
    numeric = numerical_gradient(lambda v: np.sum(2.0 ** v), t.data)
    np.testing.assert_allclose(t.grad, numeric, rtol=1e-8)


def test_rpow_refuses_a_base_without_a_logarithm():
    with pytest.raises(ValueError, match=r"base \*\* t needs a positive constant base .*got "
                                         r"-2.0; write exp\(t \* log\(c\)\) with c > 0"):
        (-2) ** Tensor([1.0])


def test_abs_gradient_is_sign_with_zero_at_zero():
    x = Tensor([-3.0, 0.0, 0.5])
    y = abs(x)
    np.testing.assert_array_equal(y.data, [3.0, 0.0, 0.5])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])
    assert x.abs().op == "abs"


def test_broadcasting_both_ways_gives_the_outer_shape_and_reduces_each_gradient():
    rng = np.random.default_rng(0)
    a_data, b_data = rng.standard_normal((3, 1)), rng.standard_normal((1, 4))
    for op in (np.add, np.subtract, np.multiply, np.maximum):
        a, b = Tensor(a_data), Tensor(b_data)
        out = {np.add: a + b, np.subtract: a - b, np.multiply: a * b,
               np.maximum: E.maximum(a, b)}[op]
        assert out.shape == (3, 4), f"{op.__name__}: (3, 1) with (1, 4) must give (3, 4)"
        np.testing.assert_allclose(out.data, op(a_data, b_data))
        g = rng.standard_normal((3, 4))
        out.backward(g)
        np.testing.assert_allclose(
            a.grad, numerical_vjp(lambda v: op(v, b_data), a_data, g), rtol=1e-7)
        np.testing.assert_allclose(
            b.grad, numerical_vjp(lambda v: op(a_data, v), b_data, g), rtol=1e-7)


def test_outer_product_of_the_softmax_jacobian_by_broadcasting():
    a = Tensor([0.2, 0.3, 0.5])
    outer = a.reshape(3, 1) * a.reshape(1, 3)
    np.testing.assert_allclose(outer.data, np.outer(a.data, a.data))


def test_sum_to_shape_reduces_both_ways():
    g = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(sum_to_shape(g, (3, 1)), g.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(sum_to_shape(g, (1, 4)), g.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(sum_to_shape(g, (4,)), g.sum(axis=0))
    np.testing.assert_array_equal(sum_to_shape(g, ()), g.sum())
    with pytest.raises(ShapeError, match=r"sum_to_shape: got g \(3, 4\), target \(2, 4\)"):
        sum_to_shape(g, (2, 4))


def test_incompatible_shapes_still_raise_naming_op_shapes_and_rule():
    with pytest.raises(ShapeError, match=r"^mul: got a \(3, 2\), b \(3,\); broadcasting aligns "
                                         r"the shapes from the right"):
        Tensor(np.ones((3, 2))) * Tensor(np.ones(3))


def test_affine_forward_flattens_each_sample_as_cs231n():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 5, 6))  # two "images"
    W, b = rng.standard_normal((120, 3)), rng.standard_normal(3)
    out, cache = L.affine_forward(x, W, b)
    np.testing.assert_allclose(out, x.reshape(2, 120) @ W + b)
    assert cache[0].shape == x.shape
    dout = rng.standard_normal((2, 3))
    dx, dW, db = L.affine_backward(dout, cache)
    assert dx.shape == x.shape, "dx comes back in the input's shape"
    np.testing.assert_allclose(
        dx, numerical_vjp(lambda v: L.affine_forward(v, W, b)[0], x, dout), rtol=1e-6)
    np.testing.assert_allclose(dW, x.reshape(2, 120).T @ dout)
    np.testing.assert_allclose(db, dout.sum(axis=0))


def test_affine_forward_names_the_flattened_shape_when_d_is_wrong():
    with pytest.raises(ShapeError, match=r"affine_forward: got x \(2, 3, 4\), W \(10, 5\), "
                                         r"b \(5,\); .*D must be 10 and M must be 5 \(x "
                                         r"flattened to \(2, 12\)\)"):
        L.affine_forward(np.ones((2, 3, 4)), np.ones((10, 5)), np.ones(5))
