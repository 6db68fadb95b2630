"""A Tensor behaves like an array to Python and numpy (issue 16, item 8)."""

import numpy as np
import pytest

from companion import engine as E
from companion.engine import Tensor
from companion.gradcheck import check_gradient, check_vjp
from companion.numeric import numerical_gradient, numerical_jacobian


def test_item_and_float_give_the_value_of_one_entry():
    t = Tensor([[2.5]])
    assert t.item() == 2.5 and isinstance(t.item(), float)
    assert float(Tensor(-1.0)) == -1.0
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one entry, but this one "
                                         r"has shape \(3,\); index it first, e\.g\. t\[0\]"):
        Tensor([1.0, 2.0, 3.0]).item()


def test_numpy_is_a_read_only_view_of_the_values():
    t = Tensor([1.0, 2.0])
    values = t.numpy()
    assert isinstance(values, np.ndarray) and np.shares_memory(values, t.data)
    with pytest.raises(ValueError, match="read-only"):
        values[0] = 5.0
    assert t.data[0] == 1.0


def test_len_counts_the_first_axis_and_refuses_a_scalar():
    assert len(Tensor(np.zeros((4, 2)))) == 4
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor .*use t\.item\(\)"):
        len(Tensor(3.0))


@pytest.mark.parametrize("index", [1, -1, slice(1, 3), (slice(None), 0), [0, 0, 2],
                                   np.array([True, False, True, False])])
def test_indexing_is_differentiable_and_scatters_into_zeros(index):
    data = np.arange(8.0).reshape(4, 2)
    x = Tensor(data)
    y = x[index]
    np.testing.assert_array_equal(y.data, data[index])
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(g)
    expected = np.zeros_like(data)
    np.add.at(expected, index, g)  # an entry picked twice receives both gradients
    np.testing.assert_array_equal(x.grad, expected)
    J = numerical_jacobian(lambda v: v[index], data)
    np.testing.assert_allclose(x.grad, np.tensordot(g, J, axes=g.ndim), atol=1e-9)


def test_numpy_functions_on_tensors_run_the_engine_ops():
    t = Tensor([-1.0, 0.5, 2.0])
    A = np.arange(9.0).reshape(3, 3)
    for result, expected in [(np.sum(t), 1.5), (np.mean(t), 0.5),
                             (np.maximum(t, 0), [0.0, 0.5, 2.0]),
                             (np.dot(A, t), A @ t.data), (A @ t, A @ t.data),
                             (A + t, A + t.data), (np.exp(t), np.exp(t.data)),
                             (np.float64(2.0) * t, 2 * t.data)]:
        assert isinstance(result, Tensor), f"expected a Tensor, got {type(result).__name__}"
        np.testing.assert_allclose(result.data, expected)
    np.dot(A, t).sum().backward()
    np.testing.assert_allclose(t.grad, A.sum(axis=0))


@pytest.mark.parametrize("call, message", [
    (lambda t: np.sin(t), r"numpy's sin is not recorded by the engine, so it cannot give a "
                          r"gradient; use an op of companion\.engine .*call np\.sin on t\.data"),
    (lambda t: np.concatenate([t, t]), r"np\.concatenate is not recorded by the engine"),
    (lambda t: np.sum(t, dtype=np.float32), r"np\.sum of a Tensor takes only axis= and "
                                            r"keepdims=; write t\.sum\(axis=\.\.\., "),
    (lambda t: np.add(t, 1.0, out=np.empty(3)), r"numpy's add \(with out\) is not recorded"),
])
def test_other_numpy_functions_raise_saying_what_to_write(call, message):
    with pytest.raises(TypeError, match=message):
        call(Tensor([1.0, 2.0, 3.0]))


def test_asarray_gives_the_values_never_an_object_array():
    values = np.asarray(Tensor([1.0, 2.0]))
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [1.0, 2.0])
    assert np.array([Tensor(1.0), Tensor(2.0)]).dtype == np.float64


def test_numerical_derivatives_and_checks_accept_a_function_returning_a_tensor():
    def f(v):
        return E.sum(Tensor(v, requires_grad=False) ** 2)

    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(numerical_gradient(f, x), 2 * x, rtol=1e-9)
    np.testing.assert_allclose(numerical_jacobian(lambda v: Tensor(v) * 3.0, x),
                               3 * np.eye(2), rtol=1e-9)
    assert check_gradient(f, x, 2 * x)
    assert check_vjp(lambda v: Tensor(v) * 3.0, x, lambda d: Tensor(3.0 * d))
