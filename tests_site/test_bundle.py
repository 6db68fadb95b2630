"""The course bundle (downloads/backprop-course.zip) runs at home, and every page links it.

The build writes the bundle (_ext/course_bundle.py). These tests open it as a student
would: unzip it into a temporary folder, make a fresh virtual environment there,
`pip install -r requirements.txt` from inside the unpacked folder (PyPI, or pip's cache),
and execute two chapter notebooks with that environment's `jupyter execute`. The
environment never sees this repository: PYTHONPATH is dropped and Jupyter's data folder
is a temporary one, so `companion` can only come from the bundle's wheel.
Then each page's download menu must offer the bundle and the whole book as a PDF.
"""

import io
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from site_paths import ARTIFACTS, ROOT, toc_pages
from site_paths import SITE as HTML  # the downloads sit at the English root

ZIP = HTML / "downloads" / "backprop-course.zip"
ZIP_HREF, PDF_HREF = "downloads/backprop-course.zip", "downloads/backprop-course.pdf"
FOLDER = "backprop-course"
# chapter 1's first page (glue, figures) and chapter 7's training (scikit-learn's digits)
RUN = ["book/01_jacobians/1_gradients.ipynb", "book/07_two_layer_network/3_training.ipynb"]
INSTALL_TIMEOUT = 600   # s for pip install (about 30 s with pip's cache)
RUN_TIMEOUT = 60        # s for one notebook (about 3-6 s here)
# printed once by matplotlib on a machine that never ran it: not a fault of the notebook
FIRST_RUN_NOTICES = ("Matplotlib is building the font cache",)


def _bundle():
    assert ZIP.exists(), f"no {ZIP}: run `jupyter-book build .` (the build writes the bundle)"
    return zipfile.ZipFile(ZIP)


def _notebooks_of_the_book():
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def test_the_bundle_holds_every_notebook_the_wheel_requirements_and_readme():
    with _bundle() as zf:
        names = set(zf.namelist())
        missing = [nb for nb in _notebooks_of_the_book() if f"{FOLDER}/{nb}" not in names]
        assert not missing, f"notebooks missing from the bundle: {missing}"
        for nb in _notebooks_of_the_book():   # stored outputs kept, byte for byte
            assert zf.read(f"{FOLDER}/{nb}") == (ROOT / nb).read_bytes(), f"{nb} differs"
        wheels = [n for n in names if re.fullmatch(rf"{FOLDER}/companion-[^/]+\.whl", n)]
        assert len(wheels) == 1, f"expected one companion wheel, found {wheels}"
        for name in ("README.md", "requirements.txt", "LICENSE", "LICENSE-TEXT"):
            assert f"{FOLDER}/{name}" in names, f"no {name} in the bundle"
        requirements = zf.read(f"{FOLDER}/requirements.txt").decode()
        readme = zf.read(f"{FOLDER}/README.md").decode()
        wheel = zf.read(wheels[0])
    with zipfile.ZipFile(io.BytesIO(wheel)) as whl:
        assert "companion/errata.yaml" in whl.namelist(), \
            "the wheel lacks companion/errata.yaml: list it in pyproject's package-data"
    # every pin equals the repository's, so the bundle installs what the book was run with
    repo_pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt")
                                .read_text(), flags=re.M))
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", requirements, flags=re.M))
    for name in ("jupyterlab", "ipykernel", "numpy", "scipy", "matplotlib", "scikit-learn",
                 "myst-nb"):
        assert name in pins, f"the bundle's requirements.txt does not pin {name}"
    differ = {n: (v, repo_pins.get(n)) for n, v in pins.items() if repo_pins.get(n) != v}
    assert not differ, f"bundle pins differ from requirements.txt (bundle, repo): {differ}"
    for test_only in ("pytest", "nbval", "playwright", "jupyter-book", "hypothesis"):
        assert test_only not in pins, f"{test_only} is for building or testing, not running"
    assert f"./{wheels[0].split('/')[-1]}" in requirements.splitlines(), \
        "requirements.txt must install the wheel by its local path"
    for step in ("python3 -m venv", "pip install -r requirements.txt", "jupyter lab"):
        assert step in readme, f"the bundle's README does not say `{step}`"


@pytest.fixture(scope="module")
def unpacked_env(tmp_path_factory):
    """The bundle unpacked, with a fresh venv where its requirements are installed."""
    where = tmp_path_factory.mktemp("bundle")
    with _bundle() as zf:
        zf.extractall(where)
    folder = where / FOLDER
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
    env["JUPYTER_DATA_DIR"] = str(where / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(where / "jupyter-config")
    subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
    bin_dir = folder / ".venv" / ("Scripts" if os.name == "nt" else "bin")
    started = time.monotonic()
    done = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-r", "requirements.txt"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert done.returncode == 0, \
        f"pip install -r requirements.txt failed in the unpacked bundle:\n{done.stderr[-3000:]}"
    print(f"\nbundle: pip install -r requirements.txt took {time.monotonic() - started:.0f} s")
    return folder, bin_dir, env


def _execute(folder, bin_dir, env, notebook):
    """`jupyter execute` one notebook of the unpacked bundle; the executed copy."""
    out = "executed-" + Path(notebook).stem   # written beside the notebook
    started = time.monotonic()
    done = subprocess.run(
        [str(bin_dir / "jupyter"), "execute", "--kernel_name=python3", f"--output={out}",
         notebook], cwd=folder, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    took = time.monotonic() - started
    assert done.returncode == 0, f"{notebook} failed in the bundle:\n{done.stderr[-3000:]}"
    return nbformat.read(folder / Path(notebook).parent / f"{out}.ipynb", as_version=4), took


def test_the_kernel_runs_in_the_bundles_environment(unpacked_env):
    folder, bin_dir, env = unpacked_env
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, companion, companion.errata\n"
        "print(sys.executable)\nprint(companion.__file__)\n"
        "print(len(companion.errata.load()))")])
    nbformat.write(probe, folder / "probe.ipynb")
    executed, _ = _execute(folder, bin_dir, env, "probe.ipynb")
    printed = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    lines = printed.split("\n")
    assert len(lines) >= 3, f"the probe printed {printed!r} (outputs {executed.cells[0].outputs})"
    venv = str(folder / ".venv")
    assert lines[0].startswith(venv), f"the kernel is not the bundle's Python: {lines[0]}"
    assert lines[1].startswith(venv) and "site-packages" in lines[1], \
        f"companion is not the wheel installed in the venv: {lines[1]}"
    assert int(lines[2]) > 0, "the wheel's errata.yaml gave no errata"


@pytest.mark.parametrize("notebook", RUN)
def test_a_chapter_notebook_runs_from_the_unpacked_bundle(unpacked_env, notebook):
    folder, bin_dir, env = unpacked_env
    executed, took = _execute(folder, bin_dir, env, notebook)
    print(f"\nbundle: {notebook} ran in {took:.1f} s")
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "a code cell did not run"
    problems = []
    for i, cell in enumerate(code):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                problems.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            elif out.get("name") == "stderr" and not out["text"].startswith(FIRST_RUN_NOTICES):
                problems.append(f"cell {i} wrote to stderr: {out['text'][:300]}")
    assert not problems, f"{notebook} in the bundle:\n" + "\n".join(problems)


def _menu_hrefs(doc):
    """The hrefs of the download menu's entries on a built page, by their text."""
    html = (HTML / f"{doc}.html").read_text(encoding="utf-8")
    menu = re.search(r'<div class="dropdown dropdown-download-buttons">(.*?)</ul>', html, re.S)
    assert menu, f"{doc}: no download menu"
    return {re.sub(r"<[^>]+>|\s+", " ", text).strip(): href for href, text in
            re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', menu.group(1), re.S)}


def test_every_download_menu_offers_the_bundle_and_the_whole_book(site_url):
    checked = set()
    for doc in toc_pages():
        up = "../" * doc.count("/")
        entries = _menu_hrefs(doc)
        assert entries.get("Course notebooks (.zip)") == up + ZIP_HREF, \
            f"{doc}: the menu's bundle entry is {entries}; expected {up + ZIP_HREF}"
        # the PDF is made by _ext/book_pdf.py: here only its address is checked
        assert entries.get("Whole book (.pdf)") == up + PDF_HREF, \
            f"{doc}: the menu's PDF entry is {entries}; expected {up + PDF_HREF}"
        url = urllib.parse.urljoin(f"{site_url}/{doc}.html", entries["Course notebooks (.zip)"])
        if url not in checked:
            with urllib.request.urlopen(url) as response:
                assert response.status == 200, f"{url}: HTTP {response.status}"
                assert response.read() == ZIP.read_bytes(), f"{url} is not the bundle"
            checked.add(url)
    assert checked == {f"{site_url}/{ZIP_HREF}"}, checked


def test_the_download_menu_works_by_keyboard_on_a_phone(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site_url}/book/01_jacobians/1_gradients.html", wait_until="load")
    toggle = page.locator(".dropdown-download-buttons button.dropdown-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    reached = []
    for _ in range(8):   # arrow down through the menu until the bundle's entry has focus
        page.keyboard.press("ArrowDown")
        reached.append(page.evaluate("() => document.activeElement.textContent.trim()"))
        if reached[-1] == "Course notebooks (.zip)":
            break
    assert reached[-1] == "Course notebooks (.zip)", \
        f"the bundle's entry is not reachable by the arrow keys; focus went {reached}"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused entry shows no outline: see course.css's menu rule"
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "download-menu-phone.png"))
    for text in ("Course notebooks (.zip)", "Whole book (.pdf)"):
        item = page.locator(".dropdown-download-buttons .dropdown-menu a", has_text=text)
        assert item.is_visible(), f"{text}: not shown in the opened menu"
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, \
            f"{text}: the entry runs past a 390 px screen ({box}); let the menu wrap"
        cut = item.evaluate("e => e.scrollWidth > e.clientWidth + 1")
        assert not cut, f"{text}: the entry's text is cut off at 390 px"
    page.close()
