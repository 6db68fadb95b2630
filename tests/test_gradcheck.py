"""Gradient checks must pass on right gradients and fail on every planted bug."""

import numpy as np
import pytest

from companion.errors import ShapeError
from companion.gradcheck import (
    CheckResult,
    check_directional,
    check_gradient,
    check_jacobian,
    check_vjp,
    norm_rel_error,
    rel_error,
)



def quadratic_problem(seed=0):
    """A (5, 5), not symmetric (a missing transpose shows), and a point x0 (5,)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((5, 5)), rng.standard_normal(5)


A, x0 = quadratic_problem()
N = 4


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def quadratic(x):
    return x @ A @ x


# (name, analytic gradient of quadratic at x). Only the first is right.
GRADIENTS = {
    "right": lambda x: (A + A.T) @ x,
    "sign flipped": lambda x: -(A + A.T) @ x,
    "transpose missing": lambda x: 2 * A @ x,
    "factor 2 missing": lambda x: 0.5 * (A + A.T) @ x,
}


def test_rel_error_is_cs231n_definition():
    assert rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    assert rel_error([0.0], [0.0]) == 0.0
    assert rel_error([1e-9], [0.0]) == pytest.approx(1e-9 / 1e-8)  # the 1e-8 floor


def test_norm_rel_error_is_small_when_one_entry_of_many_is_off():
    a = np.ones(10_000)
    b = a.copy()
    b[0] = 1.5
    assert rel_error(a, b) == pytest.approx(0.5 / 2.5)
    assert norm_rel_error(a, b) == pytest.approx(0.5 / (100 + np.linalg.norm(b)))


def test_comparisons_refuse_to_broadcast():
    with pytest.raises(ShapeError, match=r"rel_error: got a \(3,\), b \(3, 1\)"):
        rel_error(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ShapeError, match="norm_rel_error"):
        norm_rel_error(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("name", GRADIENTS)
@pytest.mark.parametrize("check", [check_gradient, check_directional])
def test_checks_pass_right_gradient_and_catch_each_planted_bug(name, check):
    result = check(quadratic, x0, GRADIENTS[name](x0))
    assert result.ok is (name == "right"), str(result)
    assert bool(result) is result.ok
    if name != "right":
        assert result.error > 1e-2


def test_normwise_measure_is_available_and_catches_a_bug():
    assert check_gradient(quadratic, x0, GRADIENTS["right"](x0), measure="normwise").ok
    assert not check_gradient(quadratic, x0, GRADIENTS["sign flipped"](x0),
                              measure="normwise").ok
    with pytest.raises(ValueError, match="measure must be one of"):
        check_gradient(quadratic, x0, x0, measure="max")


def test_evaluation_counts():
    x = np.zeros(1000)
    f = lambda v: np.sum(v**2)  # noqa: E731
    assert check_gradient(f, x, 2 * x).n_evals == 2000
    assert check_directional(f, x, 2 * x, n_directions=4).n_evals == 8


def test_check_jacobian_passes_and_fails():
    J = np.diag(np.cos(x0))
    assert check_jacobian(np.sin, x0, J).ok
    assert not check_jacobian(np.sin, x0, J.T + 0.1).ok
    with pytest.raises(ShapeError, match=r"numerator layout has shape f\(x\).shape \+ x.shape"):
        check_jacobian(np.sin, x0, np.zeros((5, 4)))


def test_result_prints_as_one_line():
    ok = CheckResult(True, 3.2e-11, 1e-6, "full gradient (elementwise)", 10)
    bad = CheckResult(False, 0.5, 1e-6, "full gradient (elementwise)", 10)
    assert str(ok) == ("full gradient (elementwise) check: rel error 3.2e-11 <= tol 1e-06 "
                       "(10 evaluations of f) -> PASS")
    assert str(bad).endswith("-> FAIL") and "\n" not in str(bad)


@pytest.mark.parametrize("check", [check_gradient, check_directional])
def test_float32_is_refused_with_the_reason(check):
    x32 = x0.astype(np.float32)
    with pytest.raises(TypeError, match="x is float32; a gradient check needs float64"):
        check(quadratic, x32, GRADIENTS["right"](x0))
    with pytest.raises(TypeError, match="grad is float32"):
        check(quadratic, x0, GRADIENTS["right"](x0).astype(np.float32))
    with pytest.raises(TypeError, match=r"f\(x\) is float32.*Compute f in float64 throughout"):
        check(lambda v: np.float32(quadratic(v)), x0, GRADIENTS["right"](x0))


def test_checks_refuse_wrong_gradient_shape():
    with pytest.raises(ShapeError, match=r"got x \(5,\), grad \(5, 1\)"):
        check_gradient(quadratic, x0, x0[:, None])
    with pytest.raises(ShapeError, match=r"check_directional: got x \(5,\), grad \(4,\)"):
        check_directional(quadratic, x0, x0[:4])


def test_checks_refuse_non_finite_gradient():
    g = GRADIENTS["right"](x0)
    g[2] = np.nan
    with pytest.raises(ValueError, match="grad has 1 non-finite entry"):
        check_gradient(quadratic, x0, g)
    with pytest.raises(ValueError, match="grad has 1 non-finite entry"):
        check_directional(quadratic, x0, g)


def test_checks_leave_inputs_alone():
    x = x0.copy()
    g = GRADIENTS["right"](x)
    g_copy = g.copy()
    check_gradient(quadratic, x, g)
    check_directional(quadratic, x, g)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g_copy)


def test_directional_check_is_seeded():
    g = GRADIENTS["transpose missing"](x0)
    assert check_directional(quadratic, x0, g, seed=3) == check_directional(quadratic, x0, g,
                                                                            seed=3)


def test_matrix_argument_with_missing_one_over_n(rng):
    # L(W) = mean over N samples of ||X W||^2 / 2: a forgotten 1/N is caught.
    X = rng.standard_normal((N, 3))
    W = rng.standard_normal((3, 2))
    loss = lambda W_: 0.5 * np.sum((X @ W_) ** 2) / N  # noqa: E731
    right = X.T @ (X @ W) / N
    assert check_gradient(loss, W, right).ok
    assert not check_gradient(loss, W, right * N).ok
    assert not check_directional(loss, W, right * N).ok


def test_check_vjp_passes_a_right_backward_and_catches_a_missing_transpose(rng):
    from companion.layers import affine_backward, affine_forward

    x = rng.standard_normal((4, 3))
    W = rng.standard_normal((3, 3))  # square: a missing transpose still fits the shape
    b = rng.standard_normal(3)
    _, cache = affine_forward(x, W, b)
    f = lambda v: affine_forward(v, W, b)[0]  # noqa: E731
    assert check_vjp(f, x, lambda d: affine_backward(d, cache)[0]).ok
    bad = check_vjp(f, x, lambda d: d @ W)  # dout W instead of dout W^T
    assert not bad.ok and bad.method == "VJP (elementwise)"
    assert bad.n_evals == 24 + 1  # 2 per entry of x, and one to learn f's output shape
    with pytest.raises(ShapeError, match=r"a VJP returns a gradient shaped like x"):
        check_vjp(f, x, lambda d: d.T)


def test_directional_method_name_is_singular_for_one_direction():
    g = GRADIENTS["right"](x0)
    assert check_directional(quadratic, x0, g, n_directions=1).method == "directional (1 direction)"
