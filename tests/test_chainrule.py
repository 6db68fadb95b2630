import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.chainrule import accumulation_cost, chain_product
from companion.errors import ShapeError
from companion.numeric import numerical_jacobian


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=6), st.integers(0, 2**32 - 1))
def test_both_orders_give_the_same_jacobian_at_the_predicted_cost(sizes, seed):
    rng = np.random.default_rng(seed)
    Js = [rng.standard_normal((sizes[i], sizes[i - 1])) for i in range(1, len(sizes))]
    expected = np.linalg.multi_dot(Js[::-1]) if len(Js) > 1 else Js[0]
    for order in ("forward", "reverse"):
        P, cost = chain_product(Js, order)
        np.testing.assert_allclose(P, expected, rtol=1e-10, atol=1e-12)
        assert cost == accumulation_cost(sizes, order)


def test_chain_rule_for_a_composition_against_numerics():
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    x = rng.standard_normal(3)
    h = W1 @ x
    J1 = W1
    J2 = np.diag(1 - np.tanh(h) ** 2)
    J3 = W2
    P, _ = chain_product([J1, J2, J3])
    np.testing.assert_allclose(P, numerical_jacobian(lambda v: W2 @ np.tanh(W1 @ v), x),
                               rtol=1e-7, atol=1e-9)


def test_reverse_is_cheap_for_scalar_output_and_forward_for_scalar_input():
    assert accumulation_cost([1000, 1000, 1000, 1], "reverse") == 1000 * 1000 + 1000 * 1000
    assert accumulation_cost([1000, 1000, 1000, 1], "forward") == 1000**3 + 1000 * 1000
    assert accumulation_cost([1, 1000, 1000, 1000], "forward") < \
        accumulation_cost([1, 1000, 1000, 1000], "reverse")


def test_mismatched_chain_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"J_2 must have as many columns as J_1 has rows"):
        chain_product([np.zeros((3, 2)), np.zeros((4, 5))])
    with pytest.raises(ValueError, match="order must be"):
        chain_product([np.eye(2)], order="sideways")
