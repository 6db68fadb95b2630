"""Messages written for their context, naming the fix (issue 16, item 8)."""

import numpy as np
import pytest

from companion import layers as L
from companion import losses
from companion.errors import NonFiniteError
from companion.gradcheck import check_gradient, check_jacobian, check_vjp
from companion.numeric import numerical_gradient


def tiny_beside_large():
    """f(v) = 500 v0^2 + v1^3 at (1, 1e-3): gradient (1000, 3e-6)."""
    return (lambda v: 500.0 * v[0] ** 2 + v[1] ** 3), np.array([1.0, 1e-3])


def test_a_fail_names_the_worst_entry_with_both_values_and_suggests_normwise():
    f, x = tiny_beside_large()
    wrong = np.array([1000.0, 3.03e-6])  # off by 1% on the tiny entry only
    result = check_gradient(f, x, wrong)
    lines = str(result).splitlines()
    assert not result.ok and result.worst == (1,)
    assert result.analytic == 3.03e-6 and result.numeric == pytest.approx(3e-6, rel=1e-3)
    assert lines[1].startswith("  worst entry (1,): analytic 3.03e-06, numeric ")
    assert 'try measure="normwise"' in lines[3]
    assert all(len(line) <= 80 for line in lines[1:])
    assert check_gradient(f, x, wrong, measure="normwise").ok


def test_no_normwise_hint_where_the_worst_entry_is_not_tiny():
    result = check_gradient(lambda v: np.sum(v ** 2), np.array([1.0, 2.0]),
                            np.array([2.0, 5.0]))
    assert str(result).splitlines()[1:] == ["  worst entry (1,): analytic 5, numeric 4"]
    assert result.hint == ""


def test_jacobian_and_vjp_fails_name_the_worst_entry():
    x = np.array([1.0, 2.0])
    result = check_jacobian(lambda v: 2 * v, x, np.array([[2.0, 0.0], [0.0, 2.5]]))
    assert result.worst == (1, 1) and result.analytic == 2.5
    result = check_vjp(lambda v: 2 * v, x, lambda d: 2 * d + np.array([0.0, 1.0]))
    assert result.worst == (1,)


@pytest.mark.parametrize("check, name", [(check_gradient, "grad"), (check_jacobian, "jac")])
def test_a_gradient_function_where_its_value_is_expected_says_call_it(check, name):
    with pytest.raises(TypeError, match=rf"{check.__name__}: {name} is a function; pass its "
                                        rf"value at x \(call it: {name}\(x\)\)"):
        check(lambda v: np.sum(v ** 2), np.ones(3), lambda v: 2 * v)


def test_finite_differences_are_named_only_where_they_are_involved():
    with pytest.raises(NonFiniteError, match="finite differences need finite values"):
        numerical_gradient(np.sum, np.array([1.0, np.nan]))
    with pytest.raises(NonFiniteError, match=r"affine_forward: W has 1 non-finite entry .*"
                                             r"diverging training run \(lower the learning "
                                             r"rate\) .*check it with np\.isfinite\)$") as info:
        L.affine_forward(np.ones((2, 2)), np.array([[np.inf, 1.0], [1.0, 1.0]]), np.ones(2))
    assert "finite differences" not in str(info.value)
    with pytest.raises(NonFiniteError, match=r"softmax_cross_entropy: scores has 1 non-finite "
                                             r"entry .*lower the learning rate") as info:
        losses.softmax_cross_entropy(np.array([[np.inf, 0.0]]), np.array([0]))
    assert "finite differences" not in str(info.value)


def test_affine_backward_with_a_wrong_cache_says_which_cache_to_pass():
    with pytest.raises(TypeError, match=r"affine_backward: cache must be the \(x, W, b\) "
                                        r"returned by affine_forward, got a tuple of 2; pass "
                                        r"the cache of the same layer's forward call"):
        L.affine_backward(np.ones((2, 3)), (np.ones((2, 2)), np.ones((2, 3))))
    _, relu_cache = L.relu_forward(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"got ndarray"):
        L.affine_backward(np.ones((2, 3)), relu_cache)
