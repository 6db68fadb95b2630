"""The tests use the package as a reader would (issue 16, item 7).

No test reaches into a private name of the package (``E._record``, ``t._params``):
a test of a private detail breaks when the detail changes, and it teaches readers
to do the same.  No test module imports another: what tests share lives in
``strategies.py`` (Hypothesis strategies) and ``helpers.py``.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
TEST_FILES = sorted(TESTS.glob("test_*.py"))


def private_names(tree):
    """``(line, name)`` of every ``x._name`` and every ``from companion... import _name``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            yield node.lineno, node.attr
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("companion"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield node.lineno, alias.name


def imported_test_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("test_"):
            yield node.lineno, node.module
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("test_"):
                    yield node.lineno, alias.name


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_no_private_names_and_no_test_module_imports(path):
    tree = ast.parse(path.read_text())
    private = list(private_names(tree))
    assert not private, (f"{path.name} uses private names {private}: test through the public "
                         "API, or add a small public accessor to the package")
    imported = list(imported_test_modules(tree))
    assert not imported, (f"{path.name} imports test modules {imported}: move what is shared "
                          "into tests/strategies.py or tests/helpers.py")


def test_the_checks_catch_what_they_should():
    source = ("from test_engine import INPUTS\nfrom companion.layers import _affine_forward\n"
              "out = E._record(p, (x,), {})\nr = loss._params['residual']\nx.__class__\n")
    tree = ast.parse(source)
    assert [name for _, name in private_names(tree)] == ["_affine_forward", "_record", "_params"]
    assert [name for _, name in imported_test_modules(tree)] == ["test_engine"]
