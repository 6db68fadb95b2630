import numpy as np
import pytest

from companion.dimensions import check_formula, fitting_products, formula_shape, gradient_formula
from companion.errors import ShapeError


def test_shapes_pick_the_gradient_formulas_of_a_matrix_product():
    # Y = X W with X (N, D), W (D, C): seed 003's sizes made distinct (N=2, D=4, C=3)
    shapes = {"X": (2, 4), "W": (4, 3), "dY": (2, 3)}
    assert gradient_formula("dX", shapes["X"], dY=shapes["dY"], W=shapes["W"]) == "dY @ W.T"
    assert gradient_formula("dW", shapes["W"], X=shapes["X"], dY=shapes["dY"]) == "X.T @ dY"
    # and the formulas are right, numerically
    rng = np.random.default_rng(0)
    X, W, dY = (rng.standard_normal(shapes[k]) for k in ("X", "W", "dY"))
    from companion.numeric import numerical_vjp
    np.testing.assert_allclose(dY @ W.T, numerical_vjp(lambda v: v @ W, X, dY), rtol=1e-7)
    np.testing.assert_allclose(X.T @ dY, numerical_vjp(lambda v: X @ v, W, dY), rtol=1e-7)


def test_column_convention_of_cs231n():
    # D = W X with W (5, 10), X (10, 3): dW = dD X^T, dX = W^T dD
    assert gradient_formula("dW", (5, 10), dD=(5, 3), X=(10, 3)) == "dD @ X.T"
    assert gradient_formula("dX", (10, 3), W=(5, 10), dD=(5, 3)) == "W.T @ dD"


def test_coinciding_sizes_are_ambiguous_and_no_fit_is_an_error():
    with pytest.raises(ValueError, match="several products"):
        gradient_formula("dX", (3, 3), dY=(3, 3), W=(3, 3))
    with pytest.raises(ShapeError, match=r"no product of dY, W"):
        gradient_formula("dX", (7, 7), dY=(2, 3), W=(4, 3))
    assert len(fitting_products((3, 3), dY=(3, 3), W=(3, 3))) > 1


def test_formula_shape_and_its_errors():
    assert formula_shape("A @ B.T @ C", A=(2, 3), B=(4, 3), C=(4, 5)) == (2, 5)
    with pytest.raises(ShapeError, match=r"in 'A @ B', A has 3 columns but B has 4 rows"):
        formula_shape("A @ B", A=(2, 3), B=(4, 3))
    with pytest.raises(ValueError, match="unknown name 'Z'"):
        formula_shape("A @ Z", A=(2, 3))


def test_check_formula_names_the_fit():
    assert check_formula("dout @ x.T", "dW", (5, 10), dout=(5, 3), x=(10, 3)) == (5, 10)
    with pytest.raises(ShapeError, match=r"dW must have the shape \(5, 10\), but dout @ x is not "
                                         r"defined: .*; dout \(5, 3\) @ x.T \(3, 10\) gives that"):
        check_formula("dout @ x", "dW", (5, 10), dout=(5, 3), x=(10, 3))
    with pytest.raises(ShapeError, match=r"dW must have the shape \(4, 3\), but dY.T @ X gives "
                                         r"\(3, 4\); X.T \(4, 2\) @ dY \(2, 3\) gives that"):
        check_formula("dY.T @ X", "dW", (4, 3), X=(2, 4), dY=(2, 3))


def test_check_formula_does_not_guess_when_sizes_coincide():
    with pytest.raises(ShapeError, match=r"2 products have that shape \(X @ dY, X.T @ dY\), so "
                                         r"the shapes cannot decide"):
        check_formula("dY.T @ X", "dW", (3, 4), X=(3, 3), dY=(3, 4))


def test_error_in_a_longer_product_names_the_product_so_far():
    with pytest.raises(ShapeError, match=r"got dS2 @ W2.T \(8, 6\), M1 \(5, 2\); in 'dS2 @ W2.T @ "
                                         r"M1', dS2 @ W2.T has 6 columns but M1 has 5 rows"):
        formula_shape("dS2 @ W2.T @ M1", dS2=(8, 4), W2=(6, 4), M1=(5, 2))
