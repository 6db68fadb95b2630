"""Engine forward+backward of a two-layer ReLU network with softmax loss, against hand-written
numpy.

    python benchmarks/bench_engine.py [--repeats 30]

Both versions run in this one process, interleaved (numpy, engine, numpy, engine, ...),
on the same data; each reported time is the median over the repeats, and the
ratio is engine / numpy.  Targets (issue "vector chain rule and staged
backpropagation"): at most 2.0x at (N, D, H, C) = (4, 3, 5, 3), 1.3x at
(64, 64, 128, 10), 1.1x at (256, 784, 256, 10) and (1024, 3072, 512, 10).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from companion import engine as E
from companion.engine import Tensor

SIZES = [((4, 3, 5, 3), 2.0), ((64, 64, 128, 10), 1.3), ((256, 784, 256, 10), 1.1),
         ((1024, 3072, 512, 10), 1.1)]


def numpy_step(X, y, W1, b1, W2, b2):
    """The network and its gradients written out by hand (the cs231n way)."""
    N = X.shape[0]
    h = X @ W1 + b1
    a = np.maximum(h, 0.0)
    s = a @ W2 + b2
    shifted = s - s.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(N), y].mean()
    ds = np.exp(logp)
    ds[np.arange(N), y] -= 1.0
    ds /= N
    dW2 = a.T @ ds
    db2 = ds.sum(axis=0)
    dh = (ds @ W2.T) * (h > 0)
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return loss, (dW1, db1, dW2, db2)


def engine_step(X, y, params):
    """The same network through the engine; params are persistent Tensors."""
    for p in params:
        p.zero_grad()
    W1, b1, W2, b2 = params
    scores = E.relu(Tensor(X, requires_grad=False) @ W1 + b1) @ W2 + b2
    loss = E.softmax_cross_entropy(scores, y)
    loss.backward()
    return loss.data, tuple(p.grad for p in params)


def make(size, seed=0):
    N, D, H, C = size
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    arrays = (rng.standard_normal((D, H)) * np.sqrt(2.0 / D), np.zeros(H),
              rng.standard_normal((H, C)) * np.sqrt(1.0 / H), np.zeros(C))
    return X, y, arrays


def measure(size, repeats):
    X, y, arrays = make(size)
    params = [Tensor(a) for a in arrays]
    loss_np, grads_np = numpy_step(X, y, *arrays)
    loss_en, grads_en = engine_step(X, y, params)
    assert np.isclose(loss_np, loss_en)
    for a, b in zip(grads_np, grads_en):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # Small sizes need many calls per sample for a readable clock.
    inner = max(1, int(2e-3 / max(1e-7, _once(lambda: numpy_step(X, y, *arrays)))))
    t_np, t_en = [], []
    for _ in range(repeats):
        t_np.append(_timed(lambda: numpy_step(X, y, *arrays), inner))
        t_en.append(_timed(lambda: engine_step(X, y, params), inner))
    return float(np.median(t_np)), float(np.median(t_en))


def _once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _timed(fn, inner):
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    rows = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
            f"{i.get('num_threads')} threads)" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    return "; ".join(rows) or "no BLAS reported"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, BLAS: {blas_info()}")
    print(f"{'(N, D, H, C)':>22} {'numpy':>11} {'engine':>11} {'ratio':>7} {'target':>7}")
    ok = True
    for size, target in SIZES:
        t_np, t_en = measure(size, args.repeats)
        ratio = t_en / t_np
        ok &= ratio <= target
        print(f"{str(size):>22} {t_np * 1e6:9.1f}us {t_en * 1e6:9.1f}us {ratio:6.2f}x "
              f"{target:6.1f}x {'ok' if ratio <= target else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
