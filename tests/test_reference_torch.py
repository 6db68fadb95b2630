"""An independent second reference: PyTorch's autograd (optional; skipped where torch is absent).

The core tests need only numpy; these compare the package with a framework that
shares none of its code.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from companion import engine as E  # noqa: E402
from companion import losses  # noqa: E402
from companion.engine import Tensor  # noqa: E402


@pytest.mark.parametrize("shape", [(1, 2), (5, 3), (64, 10), (8, 10000)])
def test_softmax_cross_entropy_agrees_with_torch(shape):
    rng = np.random.default_rng(0)
    scores = rng.standard_normal(shape) * 10
    y = rng.integers(0, shape[1], shape[0])
    loss, dscores = losses.softmax_cross_entropy(scores, y)
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(s, torch.tensor(y))
    ref.backward()
    assert abs(loss - ref.item()) <= 1e-12 * max(1.0, abs(ref.item()))
    np.testing.assert_allclose(dscores, s.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_engine_two_layer_gradients_agree_with_torch():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((16, 7))
    y = rng.integers(0, 4, 16)
    arrays = [rng.standard_normal((7, 9)), rng.standard_normal(9),
              rng.standard_normal((9, 4)), rng.standard_normal(4)]
    W1, b1, W2, b2 = (Tensor(a) for a in arrays)
    E.softmax_cross_entropy(E.relu(Tensor(X, requires_grad=False) @ W1 + b1) @ W2 + b2,
                            y).backward()
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    scores = torch.relu(torch.tensor(X) @ t[0] + t[1]) @ t[2] + t[3]
    torch.nn.functional.cross_entropy(scores, torch.tensor(y)).backward()
    for ours, theirs in zip((W1, b1, W2, b2), t):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


# -- the API differences of issue 16 (torch-free versions: test_api_differences.py) --------
def _torch_grad(fn, *arrays):
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    fn(*ts).sum().backward()
    return [t.grad.numpy() for t in ts]


def test_power_zero_gradient_agrees_with_torch():
    x = Tensor([0.0, -2.0, 3.0])
    (x ** 0).sum().backward()
    (ref,) = _torch_grad(lambda t: t ** 0, x.data)
    np.testing.assert_array_equal(x.grad, ref)


def test_rpow_and_abs_agree_with_torch():
    data = np.array([-1.5, 0.0, 2.0])
    t = Tensor(data)
    (2 ** t).sum().backward()
    (ref,) = _torch_grad(lambda u: 2 ** u, data)
    np.testing.assert_allclose(t.grad, ref, rtol=1e-15)
    t = Tensor(data)
    abs(t).sum().backward()
    (ref,) = _torch_grad(torch.abs, data)
    np.testing.assert_array_equal(t.grad, ref)


def test_broadcasting_both_ways_agrees_with_torch():
    rng = np.random.default_rng(2)
    a_data, b_data = rng.standard_normal((3, 1)), rng.standard_normal((1, 4))
    a, b = Tensor(a_data), Tensor(b_data)
    out = a * b - E.maximum(a, b)
    out.sum().backward()
    ref = _torch_grad(lambda u, v: u * v - torch.maximum(u, v), a_data, b_data)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(a.grad, ref[0], rtol=1e-14)
    np.testing.assert_allclose(b.grad, ref[1], rtol=1e-14)


def test_affine_on_images_agrees_with_torch_flatten_then_linear():
    from companion import layers

    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 5)), rng.standard_normal(5)
    out, cache = layers.affine_forward(x, W, b)
    dx, dW, db = layers.affine_backward(np.ones((2, 5)), cache)
    ref = _torch_grad(lambda u, V, c: torch.flatten(u, 1) @ V + c, x, W, b)
    for ours, theirs in zip((dx, dW, db), ref):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)


def test_indexing_gradient_agrees_with_torch():
    data = np.arange(8.0).reshape(4, 2)
    for index in (1, slice(1, 3), [0, 0, 2]):
        x = Tensor(data)
        (x[index] * 3.0).sum().backward()
        (ref,) = _torch_grad(lambda t: t[index] * 3.0, data)
        np.testing.assert_array_equal(x.grad, ref)
    t = torch.tensor([[2.5]], dtype=torch.float64)
    assert Tensor([[2.5]]).item() == t.item() and float(Tensor(2.5)) == float(t)
    assert len(Tensor(data)) == len(torch.tensor(data))
