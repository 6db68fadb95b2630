"""Each op lives in one place: its Primitive in the catalogue (issue 16, items 1, 2, 4).

* engine.py, blocks.py and circuits.py name no op of the catalogue;
* one reverse generator: every backward pass goes through it, and a VJP that
  returns a wrong shape raises ShapeError naming the op and the input;
* every forward and VJP function of the catalogue has a docstring.
"""

import ast
import inspect
import io
import tokenize
from pathlib import Path

import numpy as np
import pytest

import companion
from companion import blocks, vjps
from companion import engine as E
from companion.engine import Tensor
from companion.errors import ShapeError
from companion.vjps import PRIMITIVES, register

PACKAGE = Path(companion.__file__).parent
NO_OP_NAMES = ["engine.py", "blocks.py", "circuits.py"]


def string_literals(path: Path):
    """(line number, value) of every string literal in a Python file (docstrings too)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        if token.type == tokenize.STRING:
            value = ast.literal_eval(token.string) if not token.string.startswith(
                ("f", "F", "rf", "fr")) else token.string
            yield token.start[0], value


@pytest.mark.parametrize("filename", NO_OP_NAMES)
def test_the_engine_blocks_and_circuits_name_no_op(filename):
    names = set(PRIMITIVES)
    hits = [f"{filename}:{line}: {value!r}" for line, value in string_literals(PACKAGE / filename)
            if isinstance(value, str) and value in names]
    assert not hits, ("these lines name an op of the catalogue; read what they need from the "
                      "op's Primitive instead (companion/vjps.py: symbol, check, kind, "
                      "batched or factored VJPs):\n" + "\n".join(hits))


def test_the_grep_finds_an_op_name_where_there_is_one(tmp_path):
    # The test above could pass by finding nothing: it must see a literal op name.
    source = tmp_path / "probe.py"
    source.write_text('x = 1\nif op == "matmul":\n    pass\nSYMBOL = {"sum": "+"}\n')
    found = [(line, v) for line, v in string_literals(source) if v in PRIMITIVES]
    assert found == [(2, "matmul"), (4, "sum")]


def test_one_reverse_generator():
    # backward, backward_steps, reverse_pass and the block pass contain no loop of their own
    # over the graph: each one calls reverse_steps.
    # (the block pass is read as the whole of blocks.py, which has no other graph walk)
    consumers = [E.Tensor.backward, E.Tensor.backward_steps, E.reverse_pass, blocks]
    for consumer in consumers:
        source = inspect.getsource(consumer)
        name = getattr(consumer, "__qualname__", consumer.__name__)
        assert "reverse_steps(" in source, f"{name} must consume reverse_steps"
        assert "topological_order(" not in source, (
            f"{name} walks the graph itself; consume reverse_steps instead")
    reverse_loops = [name for name, f in vars(E).items() if inspect.isfunction(f)
                     and "reversed(topological_order(" in inspect.getsource(f)]
    assert reverse_loops == ["reverse_steps"], reverse_loops


def test_blocks_read_no_private_field_of_the_engine():
    source = (PACKAGE / "blocks.py").read_text(encoding="utf-8")
    private = [f"line {n}: {line.strip()}" for n, line in enumerate(source.splitlines(), 1)
               if any(f".{field}" in line for field in ("_prim", "_parents", "_inputs",
                                                        "_params", "_index"))]
    assert not private, "blocks.py reads the engine's private fields:\n" + "\n".join(private)


@pytest.fixture
def wrong_op():
    # A deliberately wrong op: the VJP returns a (3, 3) gradient for a (3,) input.
    prim = register("wrong_shape_test", lambda a: 2.0 * a,
                    lambda g, out, a: np.outer(g, a))
    yield prim
    del PRIMITIVES["wrong_shape_test"]


@pytest.mark.parametrize("run", [
    lambda root: root.backward(),
    lambda root: list(root.backward_steps()),
    lambda root: list(E.reverse_pass(root)),
])
def test_a_vjp_returning_a_wrong_shape_raises_naming_the_op_and_the_input(wrong_op, run):
    x = Tensor(np.arange(3.0), name="x")
    root = E.apply(wrong_op, x).sum()
    with pytest.raises(ShapeError) as info:
        run(root)
    message = str(info.value)
    assert message.startswith("wrong_shape_test: "), message
    assert "input 0 (x) (3,)" in message and "(3, 3)" in message, message
    assert "fix the VJP for input 0" in message, message
    assert x.grad is None  # never given the (3, 3) gradient


def test_the_block_pass_checks_shapes_too(wrong_op):
    x = Tensor(np.arange(3.0), name="x")
    root = E.apply(wrong_op, x)
    with pytest.raises(ShapeError, match="wrong_shape_test: .*input 0 \\(x\\)"):
        blocks.vjp_block(root, np.eye(3), x)


def test_a_primitive_carries_its_symbol_used_by_printouts_and_diagrams():
    from companion.circuits import gate_label

    x = Tensor(2.0, name="x")
    assert E.SYMBOLS["mul"] == PRIMITIVES.mul.symbol == "*"
    assert [gate_label(t) for t in (x * 3.0, 1.0 / x, x ** 2, x - 1.0)] == \
        ["*3", "1/x", "**2", "-1"]
    assert (x * 3.0).label == "*" and E.exp(x).label == "exp"


def test_catalogue_attribute_lookup_names_the_ops_when_it_fails():
    assert PRIMITIVES.matmul is PRIMITIVES["matmul"]
    with pytest.raises(AttributeError, match="no op 'matmull' in the catalogue; the ops are add"):
        _ = PRIMITIVES.matmull


def test_axis_normalisation_is_written_once():
    # One function turns an axis argument into axes; the others call it.
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "% ndim" not in source.replace("int(a) % ndim", "") and "% x.ndim" not in \
            source and "% a.ndim" not in source, f"{path.name} normalises axes itself; " \
            "call companion.vjps.normalize_axes"
    assert vjps.normalize_axes(-1, (2, 3)) == (1,)
    assert vjps.normalize_axes(None, (2, 3)) == (0, 1)
    with pytest.raises(ShapeError, match="sum: got x \\(2, 3\\); axis 2 does not exist"):
        vjps.normalize_axes(2, (2, 3), "sum")


CATALOGUE_FUNCTIONS = sorted({f.__name__: f for prim in PRIMITIVES.values()
                              for f in (prim.forward, *prim.vjps, *(prim.batched_vjps or ()),
                                        *(prim.factored_vjps or ()))
                              if f.__module__ == "companion.vjps" and
                              not f.__qualname__.startswith("_")}.items())


@pytest.mark.parametrize("name, function", CATALOGUE_FUNCTIONS, ids=[n for n, _ in
                                                                       CATALOGUE_FUNCTIONS])
def test_every_catalogue_function_has_a_docstring(name, function):
    assert function.__doc__ and function.__doc__.strip(), (
        f"vjps.{name} has no docstring; write its formula and shapes, and the book's "
        f"equation label where the book has one (:eq:`chN-eq-...`)")


def test_the_docstrings_cite_the_books_equations_that_exist():
    book = PACKAGE.parent / "book"
    text = "".join(p.read_text(encoding="utf-8") for p in book.rglob("*")
                   if p.suffix in (".md", ".ipynb"))
    cited = {label for _, f in CATALOGUE_FUNCTIONS
             for label in _labels(f.__doc__)}
    assert len(cited) >= 15, cited
    missing = sorted(label for label in cited if f"({label})" not in text)
    assert not missing, f"docstrings cite equation labels the book does not have: {missing}"


def _labels(doc: str):
    parts = doc.split(":eq:`")[1:]
    return [p.split("`")[0] for p in parts]


def test_the_engine_keeps_no_tricks():
    source = (PACKAGE / "engine.py").read_text(encoding="utf-8")
    for trick in ("__new__", "type(other) is Tensor", "_ACCEPTED_SHAPES", "pop = ", "push = "):
        assert trick not in source, f"engine.py uses {trick!r}: write it plainly"
