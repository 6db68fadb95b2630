import matplotlib

matplotlib.use("Agg")  # package tests only

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from companion import engine as E  # noqa: E402
from companion.circuits import circuit_layout, draw_circuit, gate_label  # noqa: E402
from companion.engine import Tensor  # noqa: E402


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_circuit_shows_each_wire_value_and_gradient():
    x, y, z = Tensor(-2.0, name="x"), Tensor(5.0, name="y"), Tensor(-4.0, name="z")
    f = (x + y) * z
    ax = draw_circuit(f)
    shown = texts(ax)
    # values on the wires x, y, z, q and the output, and the gradients flowing back
    for value in ["-2.00", "5.00", "-4.00", "3.00", "-12.00", "1.00"]:
        assert value in shown
    assert shown.count("-4.00") == 4  # z's value; the gradients on the x, y and q wires
    assert {"+", "*", "x", "y", "z"} <= set(shown)
    assert x.grad is None and f.grad is None  # drawing runs no backward()
    plt.close("all")


def test_long_wires_get_waypoints_and_gates_follow_their_inputs():
    x, y = Tensor(3.0, name="x"), Tensor(-4.0, name="y")
    f = (x + E.sigmoid(y)) / (E.sigmoid(x) + (x + y) ** 2)
    positions, wires = circuit_layout(f)
    columns = {key: c for key, (c, _) in positions.items()}
    for parent, child, _, points in wires:
        span = columns[id(child)] - columns[id(parent)]
        assert span >= 1
        assert len(points) == span + 1  # one waypoint per column crossed
    # no waypoint sits on a gate of its column
    gates = {(c, r) for (c, r) in positions.values()}
    for *_, points in wires:
        for point in points[1:-1]:
            assert point not in gates
    assert columns[id(f)] == max(columns.values())


def test_gate_labels_fold_scalar_constants():
    x = Tensor(2.0)
    assert gate_label(x + 1) == "+1"
    assert gate_label(1 / x) == "1/x"
    assert gate_label(x * -1) == "*-1"
    assert gate_label(x**2) == "**2"
    assert gate_label(E.exp(x)) == "exp"
    assert gate_label(E.maximum(x, Tensor(1.0))) == "max"


def test_drawing_needs_a_scalar_or_a_gradient():
    v = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="needs a scalar"):
        draw_circuit(v * 2.0)
    ax = draw_circuit(v * 2.0, grad=[1.0, 1.0])
    assert "2" in texts(ax)  # a non-scalar wire shows its shape
    plt.close("all")


def test_a_tensor_used_twice_by_one_gate_gets_two_visible_wires():
    x = Tensor(3.0, name="x")
    ax = draw_circuit((x * x).named("f"))
    shown = texts(ax)
    assert shown.count("3.00") == 4  # two wires, each with value 3 and gradient 3
    assert "9.00" in shown and "f" in shown
    plt.close("all")


def test_steps_and_diagrams_use_one_symbol_table():
    x = Tensor(1.0, name="x")
    f = E.sigmoid(-x)
    labels = [s.node.label for s in f.backward_steps()]
    assert labels == ["σ", "*-1"] == [gate_label(f), gate_label(f.parents[0])]
