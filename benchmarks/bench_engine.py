"""The engine's forward and backward pass against PyTorch eager and against hand-written numpy.

    python benchmarks/bench_engine.py [--repeats 41]

The graph (issue 16, "Speed"): a two-layer softmax classifier written with the
engine's general ops, no fused loss,

    logp = log_softmax(relu(X @ W1 + b1) @ W2 + b2, axis=1)
    loss = -mean(logp[range(N), y])

with X and y constants (``requires_grad=False``) and W1, b1, W2, b2 parameters.
The same graph runs in PyTorch eager (float64, CPU), and the same network with
its gradients written out by hand in numpy (the cs231n way).  Everything runs
in this one process, interleaved (numpy, engine, PyTorch, numpy, ...), on the
same data, on ONE thread: threadpoolctl limits numpy's BLAS and
``torch.set_num_threads(1)`` PyTorch's (PyTorch's spinning OpenMP workers
otherwise steal the cores from the next numpy call and the ratios swing by
10x).  Each time is the median over the repeats; the ratios are engine /
PyTorch and engine / numpy.

Targets: engine <= 1.0x PyTorch eager at every size; engine <= 1.15x hand numpy
at (256, 784, 256, 10) and <= 1.10x at (1024, 3072, 512, 10) (the two small
sizes are reported: there a step is Python bookkeeping, not arithmetic).

PyTorch is optional (``pip install -r requirements-reference.txt``): without it
the script prints the numpy column and says why the PyTorch column is missing.
The exit status is 0 only if every target that could be measured is met.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from companion import engine as E
from companion.engine import Tensor

try:
    import torch
except ImportError:  # optional: the PyTorch column is then left out
    torch = None

# (N, D, H, C) and the target of engine / hand numpy (None: reported, no target).
SIZES = [((4, 3, 5, 3), None), ((64, 64, 128, 10), None),
         ((256, 784, 256, 10), 1.15), ((1024, 3072, 512, 10), 1.10)]
TORCH_TARGET = 1.0  # engine / PyTorch eager, at every size


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
    """The same network through the engine's general ops; params are persistent Tensors."""
    for p in params:
        p.zero_grad()
    W1, b1, W2, b2 = params
    X = Tensor(X, requires_grad=False)
    logp = E.log_softmax(E.relu(X @ W1 + b1) @ W2 + b2, axis=1)
    loss = -logp[np.arange(len(y)), y].mean()
    loss.backward()
    return loss.item(), tuple(p.grad for p in params)


def torch_step(X, y, params):
    """The same graph in PyTorch eager; X, y and params are torch tensors (float64)."""
    for p in params:
        p.grad = None
    W1, b1, W2, b2 = params
    logp = torch.log_softmax(torch.relu(X @ W1 + b1) @ W2 + b2, dim=1)
    loss = -logp[torch.arange(len(y)), y].mean()
    loss.backward()
    return loss.item(), tuple(p.grad for p in params)


def make(size, seed=0):
    N, D, H, C = size
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    arrays = (rng.standard_normal((D, H)) * np.sqrt(2.0 / D), np.zeros(H),
              rng.standard_normal((H, C)) * np.sqrt(1.0 / H), np.zeros(C))
    return X, y, arrays


def measure(size, repeats):
    """Median seconds per step: ``{"numpy": t, "engine": t, "torch": t or None}``.

    The three steps are first checked to agree (loss and every gradient).
    """
    X, y, arrays = make(size)
    steps = {"numpy": lambda: numpy_step(X, y, *arrays)}
    params = [Tensor(a) for a in arrays]
    steps["engine"] = lambda: engine_step(X, y, params)
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        params_t = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        steps["torch"] = lambda: torch_step(Xt, yt, params_t)
    loss_np, grads_np = steps["numpy"]()
    for name, step in steps.items():
        loss, grads = step()
        assert np.isclose(loss, loss_np, rtol=1e-12), (name, loss, loss_np)
        for ours, ref in zip(grads, grads_np):
            np.testing.assert_allclose(np.asarray(ours), ref, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} disagrees with hand numpy")
    # Small sizes need many calls per sample for a readable clock.
    inner = max(1, int(2e-3 / max(1e-7, _once(steps["numpy"]))))
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            times[name].append(_timed(step, inner))
    medians = {name: float(np.median(t)) for name, t in times.items()}
    medians.setdefault("torch", None)
    return medians


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
    rows = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
            f"{i.get('num_threads')} threads)" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    return "; ".join(rows) or "no BLAS reported"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ratio(t_engine, t_ref, target) -> tuple[str, bool]:
    """The ratio as printed, with its verdict, and whether it meets ``target``."""
    ratio = t_engine / t_ref
    if target is None:
        return f"{ratio:6.2f}x (report)  ", True
    met = ratio <= target
    return f"{ratio:6.2f}x <= {target:4.2f}x {'ok' if met else 'MISSED'}", met


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)
        versions = f"torch {torch.__version__} (1 thread)"
    else:
        versions = ("torch not installed: no PyTorch column "
                    "(pip install -r requirements-reference.txt)")
    ok = True
    with threadpool_limits(limits=1):
        print(f"{cpu_model()}, {platform.machine()}")
        print(f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {blas_info()}")
        print(versions)
        print(f"{'(N, D, H, C)':>22} {'numpy':>10} {'engine':>10} {'PyTorch':>10}  "
              f"{'engine / PyTorch':<24} engine / numpy")
        for size, numpy_target in SIZES:
            t = measure(size, args.repeats)
            vs_numpy, met = _ratio(t["engine"], t["numpy"], numpy_target)
            ok &= met
            if t["torch"] is None:
                torch_time, vs_torch = f"{'-':>8}  ", f"{'(torch not installed)':<24}"
            else:
                torch_time = f"{t['torch'] * 1e6:8.1f}us"
                vs_torch, met = _ratio(t["engine"], t["torch"], TORCH_TARGET)
                ok &= met
            print(f"{str(size):>22} {t['numpy'] * 1e6:8.1f}us {t['engine'] * 1e6:8.1f}us "
                  f"{torch_time}  {vs_torch:<24} {vs_numpy}".rstrip())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
