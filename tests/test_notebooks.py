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
        assert any(p.exists() for p in matches), \
            f"_toc.yml lists {entry}, which does not exist: create it or fix the line"
    for nb in NOTEBOOKS:
        doc = nb.relative_to(ROOT).with_suffix("").as_posix()
        assert doc in entries, \
            f"{doc} is not in _toc.yml: add `- file: {doc}` under its chapter's sections:"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_is_stored_executed_with_python3_kernel(path):
    nb = json.loads(path.read_text())
    fix = f"run `jupyter execute --inplace {path.relative_to(ROOT).as_posix()}` and save"
    assert nb["metadata"]["kernelspec"]["name"] == "python3", f"another kernel: {fix}"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code: write the page as MyST Markdown (.md) instead"
    unrun = [i for i, c in code_cells(nb) if c.get("execution_count") is None]
    assert not unrun, f"cells {unrun} were saved without being run: {fix}"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"cells were not run once, top to bottom: {fix}"
    assert sum(len(c.get("outputs", [])) for c in code) >= len(code) // 2, \
        f"most code cells have no stored output (saved without outputs?): {fix}"


def _lines(field):
    # nbformat stores multi-line text either as one string or as a list of lines
    return [field] if isinstance(field, str) else list(field)


# Cells are numbered as JupyterLab shows them: from 1, over all cells, Markdown and code.
def code_cells(nb):
    """(cell number, cell) of each code cell."""
    return [(i, c) for i, c in enumerate(nb["cells"], start=1) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_outputs_are_deterministic_text(path):
    nb = json.loads(path.read_text())
    rerun = f"then run `jupyter execute --inplace {path.relative_to(ROOT).as_posix()}`"
    for i, cell in code_cells(nb):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", \
                f"cell {i} stored an error: fix the code, {rerun}"
            assert out.get("name") != "stderr", \
                f"cell {i} wrote to stderr (a warning?): remove its cause, {rerun}"
            text = "".join(_lines(out.get("data", {}).get("text/plain", ""))
                           + _lines(out.get("text", "")))
            assert not re.search(r"at 0x[0-9a-f]{6,}|<Figure size", text), \
                f"cell {i} stored a memory address or a figure repr: print a " \
                "value, not an object, and end a figure cell with `plt.show()`"


# Random numbers come from the generator the first cell seeds, so that every run prints
# the same: np.random.randn(3), np.random.seed(...), default_rng() all draw elsewhere.
UNSEEDED = re.compile(r"\bnp\.random\.(?!default_rng\()\w+\(|\bdefault_rng\(\s*\)")


def unseeded_draws(nb):
    """(cell number, call) of each draw that does not come from a seeded generator."""
    return [(i, m.group(0)) for i, cell in code_cells(nb)
            for m in UNSEEDED.finditer("".join(cell["source"]))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_random_numbers_come_from_a_seeded_generator(path):
    found = unseeded_draws(json.loads(path.read_text()))
    assert not found, "; ".join(f"cell {i} calls {call}" for i, call in found) + \
        ": draw from rng = np.random.default_rng(0) defined in the first cell " \
        "(rng.standard_normal(3), rng.integers(...)), or from default_rng(<a seed>)"


def test_the_unseeded_draw_check_catches_what_it_should():
    def cell(source):
        return {"cells": [{"cell_type": "code", "source": source}]}
    for source in ["print(np.random.randn(3))", "np.random.seed(1)",
                   "g = np.random.default_rng()", "x = np.random.normal(size=3)"]:
        assert unseeded_draws(cell(source)), source
    for source in ["rng = np.random.default_rng(0)", "data = np.random.default_rng(24)",
                   "rng.standard_normal(3)", "np.random.default_rng(seed)"]:
        assert not unseeded_draws(cell(source)), source


# What a figure cell's last line returns is printed above the figure on the site:
# "Text(0.5, 1.0, 'title')" after ax.set_title(...), "[<matplotlib.lines.Line2D ...>]".
STRAY_REPR = re.compile(r"^(?:\[?<matplotlib\.|Text\(|<(?:Axes|Figure)\b|\[?<Axes|"
                        r"[A-Z][A-Za-z]*(?:Text|Line2D|Collection|Image|Legend|Axes)\()")


def stray_reprs(nb):
    """(cell number, text) of each object repr a code cell left as its result."""
    found = []
    for i, cell in code_cells(nb):
        for out in cell.get("outputs", []):
            if out["output_type"] != "execute_result":
                continue
            text = "".join(_lines(out.get("data", {}).get("text/plain", ""))).strip()
            if STRAY_REPR.search(text):
                found.append((i, text[:60]))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_no_figure_cell_prints_a_matplotlib_repr(path):
    found = stray_reprs(json.loads(path.read_text()))
    assert not found, "; ".join(
        f"cell {i} prints {text!r} above its output: end the cell with `plt.show()`"
        for i, text in found)


def test_the_stray_repr_check_catches_what_it_should():
    def result(text):
        return {"cells": [{"cell_type": "code", "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": text}}]}]}
    for text in ["Text(0.5, 1.0, 'Loss')", "[<matplotlib.lines.Line2D at 0x7f>]",
                 "<matplotlib.legend.Legend at 0x7f>", "<Axes: title={'center': 'L'}>"]:
        assert stray_reprs(result(text)), text
    for text in ["array([1., 2.])", "0.25", "'text'", "(5, 3)"]:
        assert not stray_reprs(result(text)), text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "book").as_posix())
def test_notebook_calls_the_notebook_setup(path):
    nb = json.loads(path.read_text())
    source = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "companion.notebook.setup()" in source or "notebook.setup()" in source, \
        "the first code cell must call companion.notebook.setup() (see the template)"


# Chapter prose speaks of mathematics; how the pages are tested and run is the README's job.
TOOLING = re.compile(r"\bnbval\b|\bpytest\b|\bkernels?\b(?! function)|\.ipynb\b|\bsetup cell\b|"
                     r"notebook\.setup|\bstored outputs?\b|\bJupyter\b", re.I)
CHAPTER_PAGES = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.parent.name)]


def page_id(path):
    """``01_jacobians/1_gradients.ipynb``: a chapter page's test id."""
    return path.relative_to(ROOT / "book").as_posix()


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=page_id)
def test_chapter_prose_has_no_words_about_tooling(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "markdown":
            continue
        found = TOOLING.findall("".join(cell["source"]))
        assert not found, f"cell {i} (Markdown) speaks of tooling: {found}; say it in " \
            "terms of the mathematics (how to run the course belongs in the README)"


def _headings(text):
    """Markdown headings outside fenced blocks, as (level, title)."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", ":::")):
            fenced = not fenced if line.strip() in ("```", ":::") or not fenced else fenced
            continue
        m = re.match(r"^(#{1,6}) (.*)", line)
        if m and not fenced:
            found.append((len(m.group(1)), m.group(2)))
    return found


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=page_id)
def test_a_page_has_one_title(path):
    # one H1 per page: a second one would be numbered as a page of its own
    nb = json.loads(path.read_text())
    text = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    titles = [t for level, t in _headings(text) if level == 1]
    assert len(titles) == 1, f"{len(titles)} top-level headings: {titles}; keep one " \
        "`# Title` in the first cell and make the others `## Section`"
    # the title also stands in the site menu of every page, where no formula is typeset
    assert "$" not in titles[0], \
        f"a formula in the page title: {titles[0]}; name it in words instead"


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("[0-9][0-9]_*/index.md")),
                         ids=lambda p: p.parent.name)
def test_an_opening_page_has_no_numbered_sections(path):
    # the chapter's pages are its sections (N.1, N.2, ...); a heading on the opening page
    # would take the number N.1
    levels = [level for level, _ in _headings(path.read_text())]
    assert levels.count(1) == 1 and max(levels) == 1, f"heading levels {levels}: keep " \
        "only the `# Title`; put sections on pages of their own, or use **bold** text"


def test_the_intro_lists_every_chapter_in_order():
    # the intro's chapter list is written by hand; a chapter added to _toc.yml must join it
    chapters = [e.split("/")[1] for e in toc_files()
                if re.fullmatch(r"book/\d\d_[a-z0-9_]+/index", e)]
    listed = re.findall(r"^\d+\. \{doc\}`[^<`]*<(\d\d_[a-z0-9_]+)/index>`",
                        (ROOT / "book" / "intro.md").read_text(), flags=re.M)
    assert chapters, "no chapter in _toc.yml"
    assert listed == chapters, (
        f"book/intro.md lists the chapters {listed}, _toc.yml has {chapters}: add a line "
        "`N. {doc}`Title <NN_name/index>`: what it does` to the intro's list")


def _page_texts():
    # the prose of every page: Markdown cells of notebooks, and MyST pages
    for path in sorted((ROOT / "book").rglob("*")):
        if path.suffix == ".ipynb" and ".ipynb_checkpoints" not in path.parts:
            cells = json.loads(path.read_text())["cells"]
            yield path, "\n".join("".join(c["source"]) for c in cells
                                  if c["cell_type"] == "markdown")
        elif path.suffix == ".md":
            yield path, path.read_text()


def _labels_of_headings_with_math(text):
    # `(label)=` followed by a heading that contains $...$
    return set(re.findall(r"^\((\S+)\)=\s*\n(?:\s*\n)*#+ [^\n]*\$", text, flags=re.M))


def test_a_reference_to_a_heading_with_math_gives_its_own_text():
    # {ref}`label` shows the heading's text, and a heading's formula shows as raw TeX there
    pages = list(_page_texts())
    labels = set().union(*(_labels_of_headings_with_math(t) for _, t in pages))
    assert "ch6-chain" in labels  # the search finds the headings it is meant to find
    bare = [f"{p.relative_to(ROOT).as_posix()}: {{ref}}`{m}`" for p, t in pages
            for m in re.findall(r"\{ref\}`([^`<>]+)`", t) if m.strip() in labels]
    assert not bare, (
        "these references show a heading's formula as raw TeX: " + "; ".join(bare)
        + ". Give the link its own words: {ref}`the section on ... <label>`")
