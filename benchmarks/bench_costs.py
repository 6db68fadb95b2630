"""The package's speed targets (chapter 9, "The cost of derivatives"), as one table of ratios.

    python benchmarks/bench_costs.py [--repeats 21] [--course]

Every ratio compares two computations run in this one process, interleaved
(a, b, a, b, ...), on the same data; each time is a median over the repeats.
Rows:

* engine: forward+backward of a two-layer softmax classifier written with the
  engine's general ops, over the same network written by hand in numpy and
  over the same graph in PyTorch eager, on one thread (``benchmarks/bench_engine.py``,
  issue 16).  Targets: at most 1.0x PyTorch at every size (rows left out without
  torch); at most 1.15x and 1.10x numpy at the two large sizes.
* numerical_jacobian, batched, of ``softmax(W x)`` at n = m = 1000, over the
  analytic ``(diag(a) - a a^T) W``.  Target: at most 2.5x.  A row without a target
  times f alone on the 2n probes: no implementation that calls f can beat it.
* numerical_jacobian at n = m = 10: the coordinate loop over the batched call.
  Target: at least 10x.
* the full Jacobian of ``softmax(W x)`` at n = m = 1000 through the engine, by one
  reverse pass with the identity block of upstream gradients
  (:func:`companion.blocks.jacobian`), over the O(mn) formula ``a * W - a (a^T W)``
  (:func:`companion.losses.softmax_linear_jacobian`).  Target: at most 3x.  The
  identity is carried factored, as ``diag(d) + U V^T``; two rows without a target
  show what the dense identity block and m single reverse passes cost.
* the directional gradient check against the full one at 10,000 parameters:
  the evaluations of f actually made (counted), and the verdicts on planted bugs.
  Target: the same verdict on every bug with at least 100x fewer evaluations.
* with ``--course``: wall time of ``pytest --nbval`` and of the strict book
  build, run as subprocesses.  Target: at most 2 minutes each.

The exit status is 0 only if every target is met.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from companion import engine as E
from companion.blocks import jacobian
from companion.gradcheck import check_directional, check_gradient
from companion.losses import softmax_linear_jacobian
from companion.numeric import numerical_jacobian
from companion.vjps import softmax

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import SIZES, TORCH_TARGET, blas_info, torch  # noqa: E402
from bench_engine import measure as measure_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def interleaved(fa, fb, repeats: int, min_time: float = 2e-3) -> tuple[float, float]:
    """Median seconds per call of ``fa`` and of ``fb``, measured alternately."""
    start = time.perf_counter()
    fa()
    once = time.perf_counter() - start
    inner = max(1, int(min_time / max(once, 1e-7)))
    ta, tb = [], []
    for _ in range(repeats):
        for fn, out in ((fa, ta), (fb, tb)):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            out.append((time.perf_counter() - start) / inner)
    return float(np.median(ta)), float(np.median(tb))


def softmax_problem(n: int, m: int, seed: int = 0):
    """W (m, n), x (n,), f(x) = softmax(W x), its batched form, and three Jacobian formulas."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((m, n)) / np.sqrt(n)
    x = rng.standard_normal(n)

    def f(x):
        return softmax(W @ x)

    def f_batch(X):  # (k, n) -> (k, m): one softmax per row
        return softmax(X @ W.T)

    def jac_dense():  # O(m^2 n): the Jacobian of softmax, then the chain rule
        a = f(x)
        return (np.diag(a) - np.outer(a, a)) @ W

    def jac_fast():  # O(mn): diag(a) W scales rows; a (a^T W) is an outer product
        return softmax_linear_jacobian(W, x)

    W_t = E.Tensor(W, requires_grad=False)

    def jac_block(structured=True):  # one reverse pass through the engine with G = I
        x_t = E.Tensor(x)
        return jacobian(E.softmax(W_t @ x_t), x_t, structured=structured)

    def jac_engine_loop():  # m reverse passes, one per output
        xt = E.Tensor(x)
        out = E.softmax(E.Tensor(W, requires_grad=False) @ xt)
        rows = np.empty((m, n))
        eye = np.eye(m)
        for i in range(m):
            xt.zero_grad()
            out.backward(eye[i])
            rows[i] = xt.grad
        return rows

    return x, f, f_batch, jac_dense, jac_fast, jac_block, jac_engine_loop


class Counted:
    """Wrap ``f`` and count its evaluations (one per call, or one per row of a batch)."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def planted_bugs(n: int, seed: int = 0):
    """A scalar function of n parameters, its gradient, and gradients with planted bugs."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(n)
    x = rng.standard_normal(n)

    def f(x):  # sum_i c_i x_i^2 / 2 + sum_i sin(x_i) + (sum_i x_i)^2 / (2n)
        return 0.5 * np.sum(c * x * x) + np.sum(np.sin(x)) + np.sum(x) ** 2 / (2 * n)

    right = c * x + np.cos(x) + np.sum(x) / n
    bugs = {
        "correct": right,
        "sign of the cosine": c * x - np.cos(x) + np.sum(x) / n,
        "a factor 2 too many": 2 * c * x + np.cos(x) + np.sum(x) / n,
        "coupling term dropped": c * x + np.cos(x),
        "one entry wrong": right + np.where(np.arange(n) == n // 2, 1.0, 0.0),
    }
    return f, x, bugs


def course_times() -> list[tuple[str, float]]:
    rows = []
    for label, cmd in (("pytest --nbval (whole course)", [sys.executable, "-m", "pytest",
                                                          "--nbval", "-q", "-x"]),
                       ("jupyter-book build (strict)", ["jupyter-book", "build", ".", "--all",
                                                        "-W", "-n", "--keep-going"])):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
            seconds = float("inf")
        rows.append((label, seconds))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--course", action="store_true",
                        help="also time pytest --nbval and the book build (about 2 minutes)")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"{platform.processor() or 'cpu'}, BLAS: {blas_info()}")
    rows = []  # (what, measured, target, unit, met)

    if torch is not None:
        torch.set_num_threads(1)
    with threadpool_limits(limits=1):  # one thread, as bench_engine.py measures
        for size, target in SIZES:
            t = measure_engine(size, args.repeats)
            ratio = t["engine"] / t["numpy"]
            rows.append((f"engine / numpy, (N, D, H, C) = {size}", ratio, target, "x",
                         target is None or ratio <= target))
            if t["torch"] is not None:
                ratio = t["engine"] / t["torch"]
                rows.append((f"engine / PyTorch eager, (N, D, H, C) = {size}", ratio,
                             TORCH_TARGET, "x", ratio <= TORCH_TARGET))

    x, f, f_batch, jac_dense, jac_fast, jac_block, jac_engine_loop = softmax_problem(1000, 1000)
    J = jac_fast()
    for name, fn in (("dense", jac_dense), ("block", jac_block),
                     ("numeric", lambda: numerical_jacobian(f_batch, x, batched=True))):
        assert np.allclose(fn(), J, atol=1e-8), name
    t_an, t_num = interleaved(jac_dense, lambda: numerical_jacobian(f_batch, x, batched=True),
                              max(5, args.repeats // 3))
    rows.append(("numerical_jacobian batched / (diag(a) - a a^T) W, n = m = 1000",
                 t_num / t_an, 2.5, "x", t_num / t_an <= 2.5))
    probes = np.concatenate([x + 1e-5 * np.eye(x.size), x - 1e-5 * np.eye(x.size)])
    t_an2, t_f = interleaved(jac_dense, lambda: f_batch(probes), max(5, args.repeats // 3))
    rows.append(("  (no target) f alone on those 2n probes, the floor of the row above",
                 t_f / t_an2, None, "x", True))

    x10, f10, f10_batch, *_ = softmax_problem(10, 10)
    assert np.allclose(numerical_jacobian(f10, x10),
                       numerical_jacobian(f10_batch, x10, batched=True), atol=1e-12)
    t_loop, t_batch = interleaved(lambda: numerical_jacobian(f10, x10),
                                  lambda: numerical_jacobian(f10_batch, x10, batched=True),
                                  args.repeats)
    rows.append(("numerical_jacobian loop / batched, n = m = 10 (speed-up)",
                 t_loop / t_batch, 10.0, "x faster", t_loop / t_batch >= 10.0))

    t_fast, t_block = interleaved(jac_fast, jac_block, args.repeats)
    rows.append(("Jacobian, engine, one pass with G = I (factored) / a*W - a(a^T W), n = m = 1000",
                 t_block / t_fast, 3.0, "x", t_block / t_fast <= 3.0))
    assert np.allclose(jac_block(False), J, atol=1e-12)
    t_fast2, t_dense = interleaved(jac_fast, lambda: jac_block(False), max(5, args.repeats // 3))
    rows.append(("  (no target) the same pass with a dense G = I, O(m^2 n)",
                 t_dense / t_fast2, None, "x", True))
    assert np.allclose(jac_engine_loop(), J, atol=1e-12)
    t_fast3, t_loop_engine = interleaved(jac_fast, jac_engine_loop, 3)
    rows.append(("  (no target) m single reverse passes through the engine",
                 t_loop_engine / t_fast3, None, "x", True))

    n = 10_000
    fb, xb, bugs = planted_bugs(n)
    same, evals_full, evals_dir = True, 0, 0
    for name, grad in bugs.items():
        cf, cd = Counted(fb), Counted(fb)
        full = check_gradient(cf, xb, grad)
        directional = check_directional(cd, xb, grad)
        assert full.n_evals == cf.calls and directional.n_evals == cd.calls
        same &= bool(full) == bool(directional) == (name == "correct")
        evals_full, evals_dir = cf.calls, cd.calls
    fewer = evals_full / evals_dir
    rows.append((f"gradient check evaluations, full / directional, n = {n:,} "
                 f"({len(bugs) - 1} planted bugs, same verdicts: {same})",
                 fewer, 100.0, "x fewer", same and fewer >= 100))

    if args.course:
        for label, seconds in course_times():
            rows.append((label, seconds, 120.0, "s", seconds <= 120.0))

    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'measured':>10}  {'target':>10}")
    for what, value, target, unit, met in rows:
        bound = ">=" if "faster" in unit or "fewer" in unit else "<="
        if target is None:
            print(f"{what:{width}}  {value:9.2f}{unit[0]}")
            continue
        print(f"{what:{width}}  {value:9.2f}{unit[0]}  {bound}{target:8.2f}{unit[0]}  "
              f"{'ok' if met else 'MISSED'}")
    return 0 if all(r[4] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
