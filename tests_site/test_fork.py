"""An instructor's fork: add chapter 10 from the template as the README says, and test it.

The fork is a copy of the repository's tracked files in a temporary folder.  Chapter 10,
"The Huber loss", is made by the steps of README.md's "Writing a chapter" (the same
commands), with a little real content: the loss, its derivative, and their check.  The
fork must pass the author's checks; then four usual mistakes must each fail with a
message that says the fix.  About 2-3 minutes; no build of this repository needed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from site_paths import ROOT

CHAPTER = "book/10_huber"
SECTION = f"{CHAPTER}/1_huber.ipynb"
TIMES: dict[str, float] = {}

# README.md, "Writing a chapter", steps 1-2, word for word (run with bash in the fork).
COPY_AND_RENAME = """
cp -r templates/chapter book/10_huber
mv book/10_huber/grader.py companion/exercises/ch10.py
mv book/10_huber/1_topic.ipynb book/10_huber/1_huber.ipynb
sed -i -e 's/NN_name/10_huber/g' -e 's/chN/ch10/g' -e 's/1_topic/1_huber/g' \
    -e 's/TITLE/The Huber loss/g' -e 's/TOPIC/The Huber loss and its derivative/g' \
    book/10_huber/* companion/exercises/ch10.py
"""

TOC_LINES = """      - file: book/10_huber/index
        sections:
          - file: book/10_huber/1_huber
          - file: book/10_huber/exercises
"""

INTRO_LINE = ("10. {doc}`The Huber loss <10_huber/index>`: a loss that is quadratic near\n"
              "   zero and linear beyond, and its clipped derivative.\n")

HUBER_FORMULA = r"""(ch10-formula)=
## The loss and its derivative

For a residual $r$ and a threshold $\delta > 0$ the Huber loss is quadratic near zero
and linear beyond {cite}`parr2018matrix`:

$$
L_\delta(r) = \begin{cases} r^2 / 2, & |r| \le \delta, \\
\delta \, (|r| - \delta / 2), & |r| > \delta, \end{cases}
$$ (ch10-eq-huber)

so its derivative is the residual clipped to $[-\delta, \delta]$:

$$
L_\delta'(r) = \min(\max(r, -\delta), \delta) .
$$ (ch10-eq-gradient)"""

HUBER_CHECK = """def huber(r, delta=1.0):
    small = np.abs(r) <= delta
    return np.where(small, r**2 / 2, delta * (np.abs(r) - delta / 2))


def f(r):
    return np.sum(huber(r))


def grad_f(r):
    return np.clip(r, -1.0, 1.0)


x = 3 * rng.standard_normal(8)
computed, numerical = grad_f(x), numerical_gradient(f, x)
print(check_table([("Huber gradient, eq. ch10-eq-gradient", computed, numerical)]))
assert np.allclose(computed, numerical, rtol=1e-6, atol=1e-9)"""


def run(fork, label, *command, env=None):
    """Run a command in the fork; return (exit status, stdout + stderr)."""
    env = {**os.environ, "PYTHONPATH": str(fork), "BOOK_PDF": "0", **(env or {})}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=fork, env=env, capture_output=True, text=True)
    TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr


def pytest_in(fork, label, *args, env=None):
    return run(fork, label, sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
               "-n", "0", *args, env=env)


def set_cell(path, number, source):
    """Replace the source of cell `number` (from 1, as JupyterLab counts)."""
    nb = json.loads(path.read_text())
    nb["cells"][number - 1]["source"] = source
    path.write_text(json.dumps(nb, indent=1) + "\n")


@pytest.fixture(scope="module")
def fork(tmp_path_factory):
    fork = tmp_path_factory.mktemp("fork")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (fork / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, fork / name)
    axe = ROOT / "tests_site" / "axe" / "node_modules"
    if axe.exists():
        (fork / "tests_site" / "axe" / "node_modules").symlink_to(axe)
    # steps 1-2: copy the template in, rename, replace the placeholders
    subprocess.run(["bash", "-euc", COPY_AND_RENAME], cwd=fork, check=True)
    # step 3: the grader module joins the import line of companion/exercises/__init__.py
    init = fork / "companion" / "exercises" / "__init__.py"
    text, n = re.subn(r"(from companion\.exercises import ch1,[^#\n]*?)(\s+#)",
                      r"\1, ch10\2", init.read_text())
    assert n == 1, "the README's step 3 no longer matches companion/exercises/__init__.py"
    init.write_text(text)
    # step 4: _toc.yml lists the chapter after the last one; the intro lists it too
    toc = fork / "_toc.yml"
    text, n = re.subn(r"(          - file: book/09_cost/exercises\n)", r"\g<1>" + TOC_LINES,
                      toc.read_text())
    assert n == 1, "the README's step 4 no longer matches _toc.yml"
    toc.write_text(text)
    intro = fork / "book" / "intro.md"
    text, n = re.subn(r"(\n9\. \{doc\}[^\n]*\n(?:   [^\n]*\n)*)", r"\g<1>" + INTRO_LINE,
                      intro.read_text())
    assert n == 1, "the README's step 4 no longer matches book/intro.md's chapter list"
    intro.write_text(text)
    # step 5: the content (the template's example replaced by the Huber loss)
    section = fork / SECTION
    set_cell(section, 3, HUBER_FORMULA)
    set_cell(section, 4, HUBER_CHECK)
    # step 6: save each notebook executed
    for nb in ("1_huber.ipynb", "exercises.ipynb"):
        status, out = run(fork, "execute", "jupyter", "execute", "--inplace",
                          f"{CHAPTER}/{nb}")
        assert status == 0, out[-3000:]
    yield fork
    # the time of each part, for whoever keeps CI short
    times = ", ".join(f"{k} {v:.0f} s" for k, v in TIMES.items())
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "fork_times.txt").write_text(times + "\n")
    print(f"\nfork test times: {times}")


def test_the_new_chapter_passes_every_check(fork):
    status, out = pytest_in(fork, "package tests", "-q", "tests/test_notebooks.py",
                            "tests/test_exercises.py")
    assert status == 0, out[-3000:]
    assert "[ch10-ex-example]" in run(fork, "package tests", sys.executable, "-m", "pytest",
                                      "-q", "--co", "tests/test_exercises.py")[1], \
        "chapter 10's exercise has no grader: README's step 3 was not enough"
    status, out = pytest_in(fork, "nbval", "-q", "--nbval", CHAPTER)
    assert status == 0, out[-3000:]
    status, out = run(fork, "strict build", "jupyter-book", "build", ".", "--all", "-W",
                      "-n", "--keep-going")
    assert status == 0, out[-3000:]
    status, out = run(fork, "site tests", sys.executable, "-m", "pytest", "-q",
                      "tests_site/test_layout.py", "tests_site/test_links.py",
                      "tests_site/test_pages.py", "-k", "not screenshots and not printed "
                      "and not search and not menu", env={"SITE_PAGES": CHAPTER})
    assert status == 0, out[-3000:]


def mistake_on(fork, path, edit):
    """Apply `edit(path)` to a file of the fork; return a function that undoes it."""
    original = path.read_bytes()
    edit(path)
    return lambda: path.write_bytes(original)


def test_a_notebook_saved_without_outputs_fails_with_the_fix(fork):
    def clear(path):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        path.write_text(json.dumps(nb, indent=1))
    undo = mistake_on(fork, fork / SECTION, clear)
    try:
        status, out = pytest_in(fork, "mistakes", "-q", "tests/test_notebooks.py")
    finally:
        undo()
    assert status != 0
    assert f"run `jupyter execute --inplace {SECTION}` and save" in out, out[-2000:]


def test_an_unseeded_random_output_fails_with_the_fix(fork):
    undo = mistake_on(fork, fork / SECTION,
                      lambda p: set_cell(p, 4, HUBER_CHECK + "\nprint(np.random.randn(3))"))
    try:
        status, out = pytest_in(fork, "mistakes", "-q", "tests/test_notebooks.py")
    finally:
        undo()
    assert status != 0
    assert "cell 4 calls np.random.randn(" in out, out[-2000:]
    assert "draw from rng = np.random.default_rng(0) defined in the first cell" in out


def test_a_broken_cross_reference_fails_the_build_naming_cell_and_line(fork):
    undo = mistake_on(fork, fork / SECTION, lambda p: set_cell(
        p, 6, "See {ref}`ch10-missing` for more.\n\nThe exercises come next."))
    try:
        status, out = run(fork, "strict build (mistake)", "jupyter-book", "build", ".",
                          "-W", "-n", "--keep-going")
    finally:
        undo()
    assert status != 0
    assert f"{SECTION}, cell 6 (Markdown), line 1: WARNING: undefined label: " \
           "'ch10-missing'" in out, out[-3000:]
    assert "define it with `(label)=` on the line above a heading" in out


def test_a_stray_repr_fails_with_the_fix(fork):
    def stray(path):
        # the figure cell ends in ax.set_title(...) without plt.show(), and is run again
        nb = json.loads(path.read_text())
        source = "".join(nb["cells"][5 - 1]["source"])
        set_cell(path, 5, source.replace("ax.legend()\nplt.show()",
                                         "ax.legend()\nax.set_title('A function')"))
        status, out = run(fork, "mistakes", "jupyter", "execute", "--inplace", SECTION)
        assert status == 0, out[-2000:]
    undo = mistake_on(fork, fork / SECTION, stray)
    try:
        status, out = pytest_in(fork, "mistakes", "-q", "tests/test_notebooks.py")
    finally:
        undo()
    assert status != 0
    assert "cell 5 prints \"Text(0.5, 1.0, 'A function')\"" in out, out[-2000:]
    assert "end the cell with `plt.show()`" in out
