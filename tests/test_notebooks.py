"""Every chapter notebook is stored the way the book and nbval need it.

The site renders the outputs stored in each notebook (execute_notebooks: off) and
`pytest --nbval` re-runs the notebook and compares them, so a notebook saved
without outputs would publish an empty chapter and test nothing.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


def toc_files():
    # _toc.yml lists files as `file: book/name` (no suffix); a light parse keeps PyYAML optional.
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", text, flags=re.M)


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "book/ holds no notebook"


def test_every_toc_entry_exists_and_every_notebook_is_listed():
    entries = toc_files()
    for entry in entries:
        matches = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(p.exists() for p in matches), f"_toc.yml lists {entry}, which does not exist"
    for nb in NOTEBOOKS:
        assert nb.relative_to(ROOT).with_suffix("").as_posix() in entries, f"{nb} not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_is_stored_executed_with_python3_kernel(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a chapter notebook has code cells"
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unrun, f"code cells {unrun} were saved without being run"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "cells were not run once, top to bottom"
    assert sum(len(c.get("outputs", [])) for c in code) >= len(code) // 2, \
        "most code cells have no stored output: was the notebook saved without outputs?"


def _lines(field):
    # nbformat stores multi-line text either as one string or as a list of lines
    return [field] if isinstance(field, str) else list(field)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_outputs_are_deterministic_text(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"code cell {i} stored an error"
            assert out.get("name") != "stderr", f"code cell {i} wrote to stderr (a warning?)"
            text = "".join(_lines(out.get("data", {}).get("text/plain", "")) + _lines(out.get("text", "")))
            assert not re.search(r"at 0x[0-9a-f]{6,}|<Figure size", text), \
                f"code cell {i} stored a memory address or a figure repr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_calls_the_notebook_setup(path):
    nb = json.loads(path.read_text())
    source = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "companion.notebook.setup()" in source or "notebook.setup()" in source


# Chapter prose speaks of mathematics; how the pages are tested and run is the README's job.
TOOLING = re.compile(r"\bnbval\b|\bpytest\b|\bkernels?\b|\.ipynb\b|\bsetup cell\b|"
                     r"notebook\.setup|\bstored outputs?\b|\bJupyter\b", re.I)
CHAPTER_PAGES = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.parent.name)]


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_chapter_prose_has_no_words_about_tooling(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        found = TOOLING.findall("".join(cell["source"]))
        assert not found, f"markdown cell {i} speaks of tooling: {found}"
