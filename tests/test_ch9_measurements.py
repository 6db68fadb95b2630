"""Chapter 9 and its appendix: measured times are reported, never asserted.

A cell that measures seconds or bytes is tagged ``nbval-ignore-output`` (its printout
differs from run to run) and holds no ``assert``: what a timing shows depends on the
machine, so only counts, shapes and equal results are asserted, in other cells.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([*(ROOT / "book" / "09_cost").glob("*.ipynb"),
                *(ROOT / "book" / "appendix_performance").glob("*.ipynb")])
MEASURES = re.compile(r"(?<!def )\b(seconds|interleaved_times|peak_kilobytes)\(|"
                      r"time\.perf_counter\(|tracemalloc\.start\(")


def _code_cells(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            yield "".join(cell["source"]), cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_measuring_cells_are_ignored_by_nbval_and_assert_nothing(path):
    for source, tags in _code_cells(path):
        body = "\n".join(line for line in source.splitlines()
                         if not line.lstrip().startswith("#"))
        if MEASURES.search(body):
            assert "nbval-ignore-output" in tags, f"{path.name}: untagged timing:\n{source}"
        if "nbval-ignore-output" in tags:
            assert not re.search(r"^\s*assert\b", body, flags=re.M), \
                f"{path.name}: a measuring cell asserts:\n{source}"


def test_the_pages_exist():
    names = {p.relative_to(ROOT / "book").as_posix() for p in PAGES}
    assert {"09_cost/1_forward_reverse.ipynb", "09_cost/3_memory.ipynb",
            "appendix_performance/1_six_ways.ipynb"} <= names
