"""Every analytic Jacobian of chapter 1 against numerical_jacobian, over random shapes and
values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from companion import jacobians as jac
from companion.errors import ShapeError
from companion.gradcheck import check_jacobian

# Entries are 0 or at least 0.1 in size. A central difference's rounding error is about
# eps * |f| / h, relative to the size of f, not of the entry: an entry of 1e-8 beside entries of
# 1 is below what finite differences resolve, and its elementwise relative error is large even
# when the formula is right (hypothesis finds such examples at once).
magnitudes = st.floats(0.1, 3)
away_from_zero = magnitudes.flatmap(lambda v: st.sampled_from([v, -v]))
values = st.one_of(st.just(0.0), away_from_zero)
sizes = st.integers(1, 6)


def vec(n, elements=values):
    return hnp.arrays(np.float64, (n,), elements=elements)


def assert_jacobian(f, x, J):
    result = check_jacobian(f, x, J)
    assert result.ok, str(result)


@settings(max_examples=100, deadline=None)
@given(sizes, sizes, st.data())
def test_matvec_and_vecmat(m, n, data):
    W = data.draw(hnp.arrays(np.float64, (m, n), elements=values))
    x = data.draw(vec(n))
    assert_jacobian(lambda v: W @ v, x, jac.matvec_jacobian(W, x))
    r = data.draw(vec(m))  # a row vector for z = r W
    assert_jacobian(lambda v: v @ W, r, jac.vecmat_jacobian(r, W))
    assert jac.vecmat_jacobian(r, W).shape == (n, m)


@settings(max_examples=100, deadline=None)
@given(sizes.flatmap(vec))
def test_identity_and_elementwise(x):
    assert_jacobian(lambda v: v, x, jac.identity_jacobian(x))
    assert_jacobian(np.tanh, x, jac.elementwise_jacobian(lambda v: 1 - np.tanh(v) ** 2, x))
    assert_jacobian(np.sin, x, jac.elementwise_jacobian(np.cos, x))


@settings(max_examples=100, deadline=None)
@given(sizes, st.data())
def test_elementwise_binary_operators(n, data):
    w = data.draw(vec(n))
    x = data.draw(vec(n, away_from_zero))
    ops = [
        (jac.add_jacobians, np.add),
        (jac.sub_jacobians, np.subtract),
        (jac.mul_jacobians, np.multiply),
        (jac.div_jacobians, np.divide),
    ]
    for jacobians, op in ops:
        Jw, Jx = jacobians(w, x)
        assert_jacobian(lambda v: op(v, x), w, Jw)
        assert_jacobian(lambda v: op(w, v), x, Jx)
        # an elementwise operator's Jacobians are diagonal
        for J in (Jw, Jx):
            np.testing.assert_array_equal(J, np.diag(np.diag(J)))


@settings(max_examples=100, deadline=None)
@given(sizes.flatmap(vec), values)
def test_scalar_expansion_and_sums(x, z):
    z = np.float64(z)
    for jacobians, f in ((jac.scalar_add_jacobians, lambda a, b: a + b),
                         (jac.scalar_mul_jacobians, lambda a, b: a * b),
                         (jac.scaled_sum_jacobians, lambda a, b: np.sum(a * b))):
        Jx, Jz = jacobians(x, z)
        assert_jacobian(lambda v: f(v, z), x, Jx)
        assert_jacobian(lambda s: f(x, s), np.array(z), Jz)
    assert_jacobian(np.sum, x, jac.sum_jacobian(x))


def test_denominator_layout_is_the_transpose_and_undoes_itself():
    J = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(jac.denominator_layout(J), J.T)
    np.testing.assert_array_equal(jac.denominator_layout(jac.denominator_layout(J)), J)
    T = np.zeros((2, 3, 4, 5))  # output (2, 3), input (4, 5)
    assert jac.denominator_layout(T, in_ndim=2).shape == (4, 5, 2, 3)
    with pytest.raises(ShapeError, match="in_ndim=3 must be between 0 and J.ndim=2"):
        jac.denominator_layout(J, in_ndim=3)


@pytest.mark.parametrize("call, message", [
    (lambda: jac.matvec_jacobian(np.ones((3, 4)), np.ones(5)),
     r"matvec_jacobian: got W \(3, 4\), x \(5,\); z = W x needs x of shape \(W.shape\[1\],\) "
     r"= \(4,\)"),
    (lambda: jac.vecmat_jacobian(np.ones(3), np.ones((4, 2))),
     r"vecmat_jacobian: got x \(3,\), W \(4, 2\); z = x W needs x of shape \(W.shape\[0\],\)"),
    (lambda: jac.matvec_jacobian(np.ones(3), np.ones(3)), r"got W \(3,\); W must be a matrix"),
    (lambda: jac.mul_jacobians(np.ones(3), np.ones(4)),
     r"mul_jacobians: got w \(3,\), x \(4,\); an elementwise operator needs"),
    (lambda: jac.scalar_mul_jacobians(np.ones(3), np.ones(3)), r"z must be a scalar"),
    (lambda: jac.elementwise_jacobian(np.sum, np.ones(3)),
     r"fprime must act entry by entry"),
    (lambda: jac.identity_jacobian(np.ones((2, 2))), r"x must be a vector"),
])
def test_wrong_shapes_raise_shape_error(call, message):
    with pytest.raises(ShapeError, match=message):
        call()


def test_division_by_zero_and_non_finite_input_are_refused():
    with pytest.raises(ValueError, match=r"x is zero at entries \[1\]"):
        jac.div_jacobians(np.ones(3), np.array([1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match="W has 1 non-finite entry"):
        jac.matvec_jacobian(np.array([[1.0, np.nan]]), np.ones(2))


def test_results_do_not_alias_inputs():
    W = np.ones((2, 2))
    J = jac.matvec_jacobian(W, np.ones(2))
    J[0, 0] = 5.0
    assert W[0, 0] == 1.0
