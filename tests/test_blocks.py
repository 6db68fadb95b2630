"""Reverse passes with a block of upstream gradients (companion.blocks, chapter 9)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import INPUTS

from companion import blocks
from companion import engine as E
from companion.blocks import DiagPlusLowRank, jacobian, vjp_block
from companion.engine import Tensor
from companion.errors import ShapeError
from companion.numeric import numerical_jacobian
from companion.vjps import PRIMITIVES


def one_pass_per_row(root, G, inputs):
    """The reference: one ordinary backward() per row of G."""
    rows = [[] for _ in inputs]
    for g in G:
        for t in inputs:
            t.zero_grad()
        root.backward(g)
        for r, t in zip(rows, inputs):
            r.append(np.zeros(t.shape) if t.grad is None else t.grad)
    return [np.array(r) for r in rows]


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=60, deadline=None)
@given(data=st.data(), k=st.integers(1, 4))
def test_every_op_pulls_a_block_as_k_single_passes(name, data, k):
    inputs, params = data.draw(INPUTS[name])
    tensors = [Tensor(np.asarray(a, dtype=np.float64)) for a in inputs]
    params = {key: (np.asarray(v) if key == "y" else v) for key, v in params.items()}
    out = E.apply(name, *tensors, **params)
    G = data.draw(hnp.arrays(np.float64, (k,) + out.shape, elements=st.floats(-2, 2)))
    blocked = vjp_block(out, G, tensors)
    expected = one_pass_per_row(out, G, tensors)
    for got, want, t in zip(blocked, expected, tensors):
        assert got.shape == (k,) + t.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def graphs(rng, n, m):
    """Vector-valued graphs that exercise every rule of the factored block."""
    W = Tensor(rng.standard_normal((m, n)), requires_grad=False)
    V = Tensor(rng.standard_normal((n, m)), requires_grad=False)
    c = rng.uniform(0.5, 1.5, m)
    return {
        "softmax(W x)": lambda x: E.softmax(W @ x),
        "softmax(x V)": lambda x: E.softmax(x @ V),
        "elementwise chain": lambda x: E.sigmoid(E.tanh(W @ x) * c + 0.3) ** 2.0,
        "two softmaxes": lambda x: E.softmax(E.softmax(W @ x) * 3.0 - E.exp(W @ x)),
        "softmax of a log": lambda x: E.log(E.softmax(W @ x) + 1.0) / c,
        "max and relu": lambda x: E.maximum(E.relu(W @ x), E.softmax(W @ x)),
        "x used twice": lambda x: E.softmax(W @ x) * E.sum(x * x) - (W @ x) / 3.0,
        "scalar broadcast": lambda x: E.softmax(W @ x) * E.mean(x) + E.sum(x),
        "2-d stage": lambda x: E.softmax(E.reshape(E.reshape(W @ x, (1, m)).T, (m,))),
    }


@pytest.mark.parametrize("structured", [True, False])
@pytest.mark.parametrize("sizes", [(4, 6), (7, 3), (1, 5), (5, 1)])
def test_jacobian_matches_finite_differences(sizes, structured):
    n, m = sizes
    rng = np.random.default_rng(n * 10 + m)
    x0 = rng.standard_normal(n)
    for name, build in graphs(rng, n, m).items():
        x = Tensor(x0)
        J = jacobian(build(x), x, structured=structured)
        expected = numerical_jacobian(lambda v: build(Tensor(v)).data, x0)
        assert J.shape == (m, n)
        np.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-8, err_msg=name)


def test_structured_and_dense_blocks_agree_to_rounding():
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal(6)
    for name, build in graphs(rng, 6, 4).items():
        x = Tensor(x0)
        out = build(x)
        np.testing.assert_allclose(jacobian(out, x), jacobian(out, x, structured=False),
                                   rtol=1e-10, atol=1e-13, err_msg=name)


def test_softmax_of_wx_never_builds_an_m_by_m_block(monkeypatch):
    # The factored identity goes through softmax (rank 1) and the matmul returns
    # diag(a) W - a (a^T W): no dense (m, m) block exists at any stage.
    def refuse(self):
        raise AssertionError("a factored block was made dense")

    monkeypatch.setattr(DiagPlusLowRank, "dense", refuse)
    rng = np.random.default_rng(0)
    W, x0 = rng.standard_normal((50, 30)), rng.standard_normal(30)
    x = Tensor(x0)
    J = jacobian(E.softmax(Tensor(W, requires_grad=False) @ x), x)
    a = E.softmax(Tensor(W @ x0)).data
    np.testing.assert_allclose(J, a[:, None] * W - np.outer(a, a @ W), rtol=1e-12, atol=1e-15)


def test_diag_plus_low_rank_algebra_matches_dense_matrices():
    rng = np.random.default_rng(1)
    m, r = 5, 2
    B = DiagPlusLowRank(rng.standard_normal(m), rng.standard_normal((m, r)),
                        rng.standard_normal((m, r)))
    C = DiagPlusLowRank(rng.standard_normal(m), rng.standard_normal((m, 1)),
                        rng.standard_normal((m, 1)))
    D = np.diag(B.d) + B.U @ B.V.T
    np.testing.assert_allclose(B.dense(), D)
    assert B.shape == (m, m) and B.rank == r and (B + C).rank == r + 1
    np.testing.assert_allclose((B + C).dense(), D + C.dense())
    s = rng.standard_normal(m)
    np.testing.assert_allclose(B.scale_columns(s).dense(), D @ np.diag(s))
    a = np.exp(rng.standard_normal(m))
    a /= a.sum()
    np.testing.assert_allclose(B.softmax_vjp(a).dense(), D @ (np.diag(a) - np.outer(a, a)))
    M = rng.standard_normal((m, 3))
    np.testing.assert_allclose(B.times(M), D @ M)
    np.testing.assert_allclose(DiagPlusLowRank(np.ones(3)).dense(), np.eye(3))


def test_several_targets_intermediates_and_unreached_inputs():
    rng = np.random.default_rng(2)
    W = Tensor(rng.standard_normal((3, 4)))
    x, unused = Tensor(rng.standard_normal(4)), Tensor(rng.standard_normal(2))
    z = W @ x
    out = E.softmax(z)
    JW, Jx, Jz, Ju = jacobian(out, [W, x, z, unused])
    assert JW.shape == (3, 3, 4) and Jx.shape == (3, 4) and Jz.shape == (3, 3)
    assert np.array_equal(Ju, np.zeros((3, 2)))
    a = out.data
    np.testing.assert_allclose(Jz, np.diag(a) - np.outer(a, a), atol=1e-15)
    np.testing.assert_allclose(Jx, Jz @ W.data, atol=1e-14)
    np.testing.assert_allclose(JW, np.einsum("ij,k->ijk", Jz, x.data), atol=1e-14)
    assert W.grad is None and x.grad is None  # no .grad is touched
    scalar = E.sum(out * out)
    assert jacobian(scalar, x).shape == (4,)
    np.testing.assert_allclose(jacobian(scalar, x), numerical_jacobian(
        lambda v: np.sum(E.softmax(Tensor(W.data @ v)).data ** 2), x.data), rtol=1e-6)


def test_bad_blocks_and_targets_are_refused_with_the_reason():
    x = Tensor(np.ones(3))
    out = E.softmax(x * 2.0)
    with pytest.raises(ShapeError, match=r"vjp_block: got root \(3,\), G \(2, 2\); G must have "
                                         r"shape \(k,\) \+ root.shape"):
        vjp_block(out, np.ones((2, 2)), x)
    with pytest.raises(ValueError, match="vjp_block: G has 1 non-finite"):
        vjp_block(out, np.array([[1.0, np.nan, 0.0]]), x)
    with pytest.raises(ValueError, match=r"constant \(requires_grad=False\) has no gradient"):
        jacobian(out, Tensor(np.ones(3), requires_grad=False))
    with pytest.raises(TypeError, match="wrt must be Tensors of the graph, got ndarray"):
        jacobian(out, np.ones(3))
    with pytest.raises(ShapeError, match="U and V must both have shape"):
        DiagPlusLowRank(np.ones(3), np.ones((3, 1)), np.ones((3, 2)))
    assert blocks.__all__ == ["DiagPlusLowRank", "vjp_block", "jacobian"]


def test_an_op_without_a_batching_rule_is_pulled_row_by_row():
    # A user's op: the block falls back to one catalogue VJP call per row.
    from companion.vjps import register

    register("cumsum_test", lambda a: np.cumsum(a, axis=-1),
             lambda g, out, a: np.cumsum(g[..., ::-1], axis=-1)[..., ::-1])
    try:
        rng = np.random.default_rng(4)
        x = Tensor(rng.standard_normal(4))
        out = E.softmax(E.apply("cumsum_test", x))
        G = rng.standard_normal((3, 4))
        np.testing.assert_allclose(vjp_block(out, G, x), one_pass_per_row(out, G, [x])[0],
                                   rtol=1e-12)
        np.testing.assert_allclose(jacobian(out, x), numerical_jacobian(
            lambda v: E.softmax(Tensor(np.cumsum(v))).data, x.data), rtol=1e-6, atol=1e-9)
    finally:
        del PRIMITIVES["cumsum_test"]
