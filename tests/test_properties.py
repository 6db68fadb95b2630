"""Properties that hold across the whole package, enumerated so that nothing new slips by.

* Every public name of every module either has a wrong-shape case here, which must
  raise ShapeError, or an exemption that says why it has no wrong shape.  Adding a
  public function without either fails ``test_every_public_name_is_covered``.
* Functions that compute gradients never write into their inputs.
"""

import importlib

import matplotlib

matplotlib.use("Agg")  # package tests only; notebooks keep the inline backend

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import companion  # noqa: E402
from companion import (  # noqa: E402
    blocks,
    chainrule,
    circuits,
    dimensions,
    engine,
    gradcheck,
    jacobians,
    layers,
    losses,
    network,
    numeric,
    plots,
    vjps,
)
from companion.engine import Tensor  # noqa: E402
from companion.errors import ShapeError  # noqa: E402
from companion.network import Network  # noqa: E402
from companion.numeric import numerical_gradient  # noqa: E402
from companion.twolayer import TwoLayerNet  # noqa: E402
from helpers import loss_of_param  # noqa: E402

Z2, Z3, Z23, Z32 = np.zeros(2), np.zeros(3), np.zeros((2, 3)), np.zeros((3, 2))
Z33 = np.ones((3, 3))
T23 = Tensor(np.zeros((2, 3)))
LABELS = np.array([0, 1])

# name -> a call with a wrong shape, which must raise ShapeError
SHAPE_CASES = {
    "blocks.DiagPlusLowRank": lambda: blocks.DiagPlusLowRank(Z3, Z23.T, Z23),
    "blocks.vjp_block": lambda: blocks.vjp_block(Tensor(Z2) * 2.0, Z23, []),
    "chainrule.chain_product": lambda: chainrule.chain_product([Z23, Z23]),
    "chainrule.check_chain": lambda: chainrule.check_chain([Z3]),
    "circuits.draw_circuit": lambda: circuits.draw_circuit(Tensor(Z2) * 2.0, grad=Z3),
    "dimensions.formula_shape": lambda: dimensions.formula_shape("A @ B", A=(2, 3), B=(2, 3)),
    "dimensions.fitting_products": lambda: dimensions.fitting_products((2, 2), a=(2,), b=(2, 2)),
    "dimensions.gradient_formula": lambda: dimensions.gradient_formula("d", (5, 5), a=(2, 3),
                                                                        b=(3, 4)),
    "dimensions.check_formula": lambda: dimensions.check_formula("a @ b", "d", (2, 4),
                                                                 a=(2, 3), b=(2, 4)),
    "engine.Tensor": lambda: Tensor(Z2).backward(Z3),
    "engine.apply": lambda: engine.apply("add", Z2, np.zeros(3)),
    "engine.reverse_pass": lambda: list(engine.reverse_pass(Tensor(Z2), Z3)),
    "engine.maximum": lambda: engine.maximum(Tensor(Z2), Z3),
    "engine.sum": lambda: engine.sum(T23, axis=2),
    "engine.mean": lambda: engine.mean(T23, axis=-3),
    "engine.reshape": lambda: engine.reshape(T23, (4,)),
    "engine.softmax": lambda: engine.softmax(T23, axis=5),
    "engine.log_softmax": lambda: engine.log_softmax(T23, axis=2),
    "engine.softmax_cross_entropy": lambda: engine.softmax_cross_entropy(Tensor(Z3), [0]),
    "engine.svm_loss": lambda: engine.svm_loss(T23, [0, 1, 2]),
    "gradcheck.rel_error": lambda: gradcheck.rel_error(Z2, Z3),
    "gradcheck.norm_rel_error": lambda: gradcheck.norm_rel_error(Z23, Z32),
    "gradcheck.check_gradient": lambda: gradcheck.check_gradient(np.sum, Z3, Z2),
    "gradcheck.check_jacobian": lambda: gradcheck.check_jacobian(np.sin, Z3, Z33[:2]),
    "gradcheck.check_directional": lambda: gradcheck.check_directional(np.sum, Z3, Z2),
    "gradcheck.check_vjp": lambda: gradcheck.check_vjp(np.sin, Z3, lambda d: d[:2]),
    "jacobians.matvec_jacobian": lambda: jacobians.matvec_jacobian(Z23, Z2),
    "jacobians.vecmat_jacobian": lambda: jacobians.vecmat_jacobian(Z3, Z23),
    "jacobians.identity_jacobian": lambda: jacobians.identity_jacobian(Z23),
    "jacobians.elementwise_jacobian": lambda: jacobians.elementwise_jacobian(np.sum, Z3),
    "jacobians.add_jacobians": lambda: jacobians.add_jacobians(Z2, Z3),
    "jacobians.sub_jacobians": lambda: jacobians.sub_jacobians(Z2, Z3),
    "jacobians.mul_jacobians": lambda: jacobians.mul_jacobians(Z2, Z3),
    "jacobians.div_jacobians": lambda: jacobians.div_jacobians(Z2, np.ones(3)),
    "jacobians.scalar_add_jacobians": lambda: jacobians.scalar_add_jacobians(Z3, Z2),
    "jacobians.scalar_mul_jacobians": lambda: jacobians.scalar_mul_jacobians(Z3, Z2),
    "jacobians.sum_jacobian": lambda: jacobians.sum_jacobian(Z23),
    "jacobians.scaled_sum_jacobians": lambda: jacobians.scaled_sum_jacobians(Z23, 1.0),
    "jacobians.denominator_layout": lambda: jacobians.denominator_layout(Z23, in_ndim=3),
    "layers.affine_forward": lambda: layers.affine_forward(Z23, Z23, Z3),
    "layers.affine_backward": lambda: layers.affine_backward(
        Z23, layers.affine_forward(Z23, Z32, Z2)[1]),
    "layers.relu_forward": None,  # any shape is valid: listed in EXEMPT
    "layers.relu_backward": lambda: layers.relu_backward(Z3, layers.relu_forward(Z2)[1]),
    "layers.sigmoid_backward": lambda: layers.sigmoid_backward(Z3, layers.sigmoid_forward(Z2)[1]),
    "layers.tanh_backward": lambda: layers.tanh_backward(Z3, layers.tanh_forward(Z2)[1]),
    "losses.softmax": lambda: losses.softmax(Z23, axis=2),
    "losses.log_softmax": lambda: losses.log_softmax(Z23, axis=-3),
    "losses.softmax_jacobian": lambda: losses.softmax_jacobian(Z23),
    "losses.softmax_linear_jacobian": lambda: losses.softmax_linear_jacobian(Z23, Z2),
    "losses.cross_entropy": lambda: losses.cross_entropy(np.full((2, 3), 0.3), [0, 1, 2]),
    "losses.softmax_cross_entropy": lambda: losses.softmax_cross_entropy(Z3, [0]),
    "losses.svm_loss": lambda: losses.svm_loss(Z23, np.array([0])),
    "network.Network": lambda: Network([3, 2]).backprop_batch(Z23, np.array([0, 1])),
    "numeric.numerical_gradient": lambda: numeric.numerical_gradient(np.sin, Z3),
    "numeric.numerical_jacobian": lambda: numeric.numerical_jacobian(np.sin, np.zeros(0)),
    "numeric.numerical_vjp": lambda: numeric.numerical_vjp(np.sin, Z3, Z2),
    "plots.jacobian_heatmap": lambda: plots.jacobian_heatmap(np.zeros((2, 2, 2))),
    "twolayer.TwoLayerNet": lambda: TwoLayerNet(3, 4, 2).loss(Z32, LABELS),
    "vjps.sum_to_shape": lambda: vjps.sum_to_shape(Z23, (4,)),
    "vjps.broadcast_shape": lambda: vjps.broadcast_shape("add", (3,), (2, 4)),
    "vjps.check_axis": lambda: vjps.check_axis("sum", (2, 3), 2),
    "network.layer_values": lambda: network.layer_values(Network([3, 4, 2], seed=0),
                                                         np.ones((4, 5))),
    "network.loss_from_layer": lambda: network.loss_from_layer(Network([3, 4, 2], seed=0), 1,
                                                               np.ones((3, 5)), np.ones((2, 5))),
    "network.loss_of_parameter": lambda: network.loss_of_parameter(
        Network([3, 4, 2], seed=0), np.ones((3, 5)), np.ones((2, 5)), "W", 1)(np.ones((3, 4))),
}
SHAPE_CASES = {k: v for k, v in SHAPE_CASES.items() if v is not None}

# name -> why no input shape can be wrong for it
EXEMPT = {
    "chainrule.accumulation_cost": "takes a list of sizes, not arrays (bad sizes: ValueError)",
    "circuits.circuit_layout": "takes any graph of tensors",
    "circuits.gate_label": "takes any tensor",
    "engine.SYMBOLS": "a table, not a function",
    "engine.Step": "a record of a backward step",
    "engine.topological_order": "takes any tensor",
    "engine.exp": "elementwise: every shape is valid",
    "engine.log": "elementwise: every shape is valid",
    "engine.sigmoid": "elementwise: every shape is valid",
    "engine.tanh": "elementwise: every shape is valid",
    "engine.relu": "elementwise: every shape is valid",
    "engine.transpose": "every shape can be transposed",
    "errata.SOURCES": "a table of the source documents",
    "errata.ErratumCheck": "a record of a check's numbers",
    "errata.Erratum": "a record of one slip",
    "errata.ERRATA": "the list of slips (each formula slip is checked in test_errata)",
    "errata.formula_errata": "takes no arrays",
    "errata.text_errata": "takes no arrays",
    "errata.errata_of": "takes a source prefix",
    "errata.check_all": "takes no arrays",
    "errors.ShapeError": "the error itself",
    "errors.require_finite": "checks values of any shape",
    "errors.all_finite": "checks values of any shape",
    "errors.require_labels": "checks label values of any shape",
    "errors.format_shapes": "formats a message",
    "errors.label_hint": "reads labels of any shape, to suggest a fix",
    "errors.NonFiniteError": "an error class",
    "errors.FINITE_DIFFERENCES": "a message",
    "twolayer.DEFAULT_REG": "a number",
    "twolayer.TrainingDiverged": "an error class",
    "twolayer.TrainingWarning": "a warning class",
    "gradcheck.CheckResult": "a record of a verdict",
    "gradcheck.DEFAULT_TOL": "a constant",
    "layers.relu_forward": "elementwise: every shape is valid",
    "layers.sigmoid_forward": "elementwise: every shape is valid",
    "layers.tanh_forward": "elementwise: every shape is valid",
    "losses.l2_penalty": "a penalty on weights of any shapes",
    "network.ACTIVATIONS": "a table, not a function",
    "network.sigmoid_prime": "elementwise: every shape is valid",
    "notebook.check_table": "takes check results, not arrays",
    "errata.CATEGORIES": "a table of the kinds of finding",
    "errata.CHECKS": "the table of checks (each is run in test_errata)",
    "errata.counts": "takes no arrays",
    "errata.listing": "takes a source prefix",
    "errata.load": "reads the data file",
    "notebook.setup": "takes no arrays",
    "twolayer.DigitsSplit": "a record of a data split",
    "twolayer.load_digits_split": "takes no arrays",
    "notebook.describe_figure": "takes a matplotlib figure",
    "numeric.DEFAULT_STEP": "a constant",
    "vjps.Primitive": "a record of an op",
    "vjps.PRIMITIVES": "the catalogue (its ops are checked in test_engine)",
    "vjps.register": "registers an op",
    "blocks.jacobian": "takes a recorded graph, whose shapes were checked as it was recorded",
}


def public_names():
    for module_name in companion.__all__:
        if module_name == "ShapeError":
            continue
        module = importlib.import_module(f"companion.{module_name}")
        for name in module.__all__:
            yield f"{module_name}.{name}"


def test_every_public_name_is_covered():
    names = set(public_names())
    assert not set(SHAPE_CASES) & set(EXEMPT)
    missing = names - set(SHAPE_CASES) - set(EXEMPT)
    assert not missing, f"public names with no wrong-shape test and no exemption: {missing}"
    stale = (set(SHAPE_CASES) | set(EXEMPT)) - names
    assert not stale, f"cases for names that are not public: {stale}"


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_wrong_shapes_raise_shape_error_naming_the_shapes(name):
    with pytest.raises(ShapeError) as info:
        SHAPE_CASES[name]()
    message = str(info.value)
    assert "got " in message and "(" in message, message  # names the shapes it received


# ------------------------------------------------------------------- inputs left alone
def frozen(*arrays):
    """Read-only copies: any write into them raises instead of passing silently."""
    out = []
    for a in arrays:
        a = np.array(a)
        a.flags.writeable = False
        out.append(a)
    return out


@pytest.mark.parametrize("name", sorted(vjps.PRIMITIVES))
def test_no_vjp_writes_into_the_upstream_gradient(name):
    prim = vjps.PRIMITIVES[name]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) + 3.0  # positive: log is defined
    params = {}
    inputs = [a] * prim.n_inputs
    if name == "matmul":
        inputs = [a, rng.standard_normal((4, 2))]
    if name in ("softmax_cross_entropy", "svm_loss"):
        params = {"y": np.array([0, 1, 2])}
    if name == "power":
        params = {"p": 2.0}
    if name == "reshape":
        params = {"shape": (12,)}
    if name == "getitem":
        params = {"index": (slice(1, None), [0, 0])}
    if name == "rpow":
        params = {"base": 2.0}
    inputs = frozen(*inputs)
    out = prim.forward(*inputs, **params)
    (g,) = frozen(rng.standard_normal(np.shape(out)))
    for vjp in prim.vjps:
        vjp(g, out, *inputs, **params)  # raises if it writes into g or an input


def test_losses_network_and_two_layer_net_leave_their_inputs_alone():
    rng = np.random.default_rng(1)
    scores, = frozen(rng.standard_normal((4, 3)))
    y, = frozen(np.array([0, 2, 1, 1]))
    losses.softmax_cross_entropy(scores, y)
    losses.svm_loss(scores, y)
    losses.softmax_jacobian(scores[0])
    net = Network([3, 5, 3], "tanh", "cross_entropy", seed=2)
    weights = [w.copy() for w in net.weights]
    X, = frozen(rng.standard_normal((3, 4)))
    net.backprop_batch(X, y)
    net.backprop(X[:, :1], 1)
    for w, w0 in zip(net.weights, weights):
        np.testing.assert_array_equal(w, w0)
    two = TwoLayerNet(3, 5, 3, std=0.1)
    params = {k: v.copy() for k, v in two.params.items()}
    two.loss(X.T.copy(), y, reg=0.1)
    Xr, = frozen(rng.standard_normal((4, 3)))
    two.loss(Xr, y, reg=0.1)
    for k in params:
        np.testing.assert_array_equal(two.params[k], params[k])


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 5), st.integers(2, 4),
       st.floats(0.0, 0.5), st.integers(0, 10_000))
def test_two_layer_net_gradients_match_numerics(N, D, H, C, reg, seed):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(D, H, C, std=0.5, seed=seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    S1 = X @ net.params["W1"] + net.params["b1"]
    if np.min(np.abs(S1)) < 1e-3:
        return  # a ReLU kink within reach of the probes: no derivative to compare
    _, grads = net.loss(X, y, reg=reg)
    for name, value in net.params.items():
        loss_of = loss_of_param(net, name, X, y, reg)
        np.testing.assert_allclose(grads[name], numerical_gradient(loss_of, value),
                                   rtol=1e-5, atol=1e-8)
