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
