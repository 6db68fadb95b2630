"""Hypothesis strategies shared by the package tests.

One place for how to draw an op's inputs: ``INPUTS`` has one entry per catalogue
op, each drawing ``(args, params)``; the engine's tests and the block tests of
chapter 9 both use it.
"""

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# ---------------------------------------------------------------------------------------
# One entry per catalogue op: how to draw its inputs. Values stay away from kinks (relu at 0,
# ties of maximum) and from where an op is undefined (log of x <= 0, division by ~0), where a
# finite difference straddles two formulas.
mag = st.floats(0.2, 2.0)
signed = mag.flatmap(lambda v: st.sampled_from([v, -v]))
positive = st.floats(0.2, 3.0)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)


def arr(shape, elements=signed):
    return hnp.arrays(np.float64, shape, elements=elements)


def same_shape_pair(elements_b=signed):
    return small_shapes.flatmap(lambda s: st.tuples(arr(s), arr(s, elements_b)))


def bias_pair():  # (N, M) with (M,): the broadcast the engine allows
    return st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
        lambda nm: st.tuples(arr(nm), arr((nm[1],))))


def outer_pair(elements_b=signed):  # (n, 1) with (1, m): both operands stretch
    return st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
        lambda nm: st.tuples(arr((nm[0], 1)), arr((1, nm[1]), elements_b)))


def matmul_pair():
    def build(dims):
        n, k, m, kind = dims
        a_shape = {"mm": (n, k), "mv": (n, k), "vm": (k,), "vv": (k,)}[kind]
        b_shape = {"mm": (k, m), "mv": (k,), "vm": (k, m), "vv": (k,)}[kind]
        return st.tuples(arr(a_shape), arr(b_shape))
    return st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4),
                     st.sampled_from(["mm", "mv", "vm", "vv"])).flatmap(build)


def untied_pair():
    return same_shape_pair().filter(lambda ab: np.all(np.abs(ab[0] - ab[1]) > 1e-3))


def one(elements=signed):
    return small_shapes.flatmap(lambda s: arr(s, elements)).map(lambda a: (a,))


def with_axis():
    return hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3).flatmap(
        lambda s: st.tuples(arr(s), st.sampled_from([None] + list(range(len(s)))),
                            st.booleans()))


def scores_and_labels():
    def build(nc):
        n, c = nc
        return st.tuples(arr((n, c)), hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(build).map(
        lambda sy: ((sy[0],), {"y": sy[1]}))


INPUTS = {
    "add": st.one_of(same_shape_pair(), bias_pair(), outer_pair()).map(lambda ab: (ab, {})),
    "sub": st.one_of(same_shape_pair(), bias_pair(), outer_pair()).map(lambda ab: (ab, {})),
    "mul": st.one_of(same_shape_pair(), bias_pair(), outer_pair()).map(lambda ab: (ab, {})),
    "div": st.one_of(same_shape_pair(), outer_pair(positive)).map(lambda ab: (ab, {})),
    "maximum": st.one_of(untied_pair(), outer_pair().filter(
        lambda ab: np.all(np.abs(ab[0] - ab[1]) > 1e-3))).map(lambda ab: (ab, {})),
    "matmul": matmul_pair().map(lambda ab: (ab, {})),
    "neg": one().map(lambda a: (a, {})),
    "power": st.tuples(one(positive), st.sampled_from([2.0, 3.0, -1.0, 0.5])).map(
        lambda ap: (ap[0], {"p": ap[1]})),
    "rpow": st.tuples(one(), st.sampled_from([2.0, 0.5, math.e])).map(
        lambda ab: (ab[0], {"base": ab[1]})),
    "abs": one().map(lambda a: (a, {})),  # signed: |x| >= 0.2, away from the kink
    "exp": one().map(lambda a: (a, {})),
    "log": one(positive).map(lambda a: (a, {})),
    "sigmoid": one().map(lambda a: (a, {})),
    "tanh": one().map(lambda a: (a, {})),
    "relu": one().map(lambda a: (a, {})),
    "sum": with_axis().map(lambda t: ((t[0],), {"axis": t[1], "keepdims": t[2]})),
    "mean": with_axis().map(lambda t: ((t[0],), {"axis": t[1], "keepdims": t[2]})),
    "reshape": small_shapes.flatmap(lambda s: arr(s)).map(lambda a: ((a,), {"shape": (-1,)})),
    "transpose": one().map(lambda a: (a, {})),
    "getitem": hnp.array_shapes(min_dims=1, max_dims=2, min_side=2, max_side=4).flatmap(
        lambda s: st.tuples(arr(s), st.sampled_from(
            [0, -1, slice(1, None), (Ellipsis, 0), [0, 0, 1]]))).map(
        lambda ai: ((ai[0],), {"index": ai[1]})),
    "softmax": with_axis().map(lambda t: ((t[0],), {"axis": -1 if t[1] is None else t[1]})),
    "log_softmax": with_axis().map(lambda t: ((t[0],), {"axis": -1 if t[1] is None else t[1]})),
    "softmax_cross_entropy": scores_and_labels(),
    # hinge kinks: keep every margin s_j - s_y + 1 away from 0
    "svm_loss": scores_and_labels().filter(lambda sy: np.all(np.abs(
        sy[0][0] - sy[0][0][np.arange(sy[1]["y"].size), sy[1]["y"]][:, None] + 1.0) > 1e-3)),
}
