"""The course bundle, and the download menu's links to it and to the whole book as a PDF.

After an html build, ``downloads/backprop-course.zip`` holds what a student needs to run
the course at home: every notebook of ``book/`` in its folder, with its stored outputs;
the ``companion`` package as a wheel; a ``requirements.txt`` for running the notebooks
(its pins copied from the repository's, so the two cannot drift apart); the licences;
and a README that says how to start.

Each page's download menu (sphinx-book-theme's "download-buttons" group) gains two
entries: the bundle, and the whole book as one PDF (``downloads/backprop-course.pdf``,
made by ``_ext/book_pdf.py``).
"""

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from sphinx.errors import ExtensionError
from zh_edition import is_chinese  # _ext/, the Chinese edition's extension

ROOT = Path(__file__).resolve().parents[1]
DOWNLOADS = "downloads"
ZIP_NAME = "backprop-course.zip"
PDF_NAME = "backprop-course.pdf"
FOLDER = "backprop-course"  # the folder the zip unpacks into

# What the notebooks need to run in JupyterLab, by name in the repository's
# requirements.txt. myst-nb (the notebooks call myst_nb.glue) brings Sphinx,
# docutils and myst-parser with it: they are pinned as the book pins them.
RUN_PACKAGES = [
    "jupyterlab", "ipykernel", "ipython", "jupyter_client", "nbformat", "nbclient",
    "numpy", "scipy", "matplotlib", "scikit-learn", "threadpoolctl", "tqdm",
    "myst-nb", "sphinx", "docutils", "myst-parser",
]

README = """\
# Backprop, derived and checked: the course notebooks

What is where:

- `book/`: one folder per chapter (`01_jacobians/`, ...) and the appendices;
  each page of the course is a notebook, stored with its outputs.
- `{wheel}`: the `companion` package the notebooks import.
- `requirements.txt`: the exact versions that run the notebooks, and the package.
- `LICENSE-TEXT` (text and figures, CC BY 4.0), `LICENSE` (code, MIT).

To run them you need Python 3.11 or newer. Unzip, make a virtual environment in
the unpacked folder, install, and start JupyterLab:

    unzip backprop-course.zip
    cd backprop-course
    python3 -m venv .venv
    source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
    pip install -r requirements.txt
    jupyter lab

JupyterLab opens in your browser: go into `book/01_jacobians/` and open
`1_gradients.ipynb`, then Run > Run All Cells. Next time, activate the
environment again and run `jupyter lab`.
"""


def run_requirements(wheel_name: str) -> str:
    """The bundle's requirements.txt: RUN_PACKAGES with the repository's pins, then the wheel."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(0)
    missing = [n for n in RUN_PACKAGES if n.lower().replace("_", "-") not in pins]
    if missing:
        raise ExtensionError(f"course_bundle: requirements.txt pins no version of {missing}; "
                             "pin them there (name==version) or drop them from RUN_PACKAGES")
    lines = [pins[n.lower().replace("_", "-")] for n in RUN_PACKAGES]
    return ("# What the course notebooks need, pinned as the course's repository pins it.\n"
            + "\n".join(lines) + f"\n# the course's own package\n./{wheel_name}\n")


def build_wheel(into: Path) -> Path:
    """Build the companion wheel from a copy of the package (no build/ left in the repo)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "companion", src / "companion",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT"):
            shutil.copy2(ROOT / name, src / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "--quiet", "--disable-pip-version-check", "-w", str(into), str(src)],
                       check=True)
    return next(into.glob("companion-*.whl"))


def write_bundle(app, exception):
    # the Chinese edition (zh/) links to the English edition's downloads
    if exception is not None or app.builder.format != "html" or is_chinese(app.config):
        return
    out = Path(app.outdir) / DOWNLOADS
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        with zipfile.ZipFile(out / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{FOLDER}/README.md", README.format(wheel=wheel.name))
            zf.writestr(f"{FOLDER}/requirements.txt", run_requirements(wheel.name))
            zf.write(wheel, f"{FOLDER}/{wheel.name}")
            for name in ("LICENSE", "LICENSE-TEXT"):
                zf.write(ROOT / name, f"{FOLDER}/{name}")
            for nb in sorted((ROOT / "book").rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in nb.parts:
                    zf.write(nb, f"{FOLDER}/{nb.relative_to(ROOT).as_posix()}")


MENU = {
    "en": {"page": "This page ({})", "zip": "Course notebooks (.zip)",
           "zip_tip": "Every notebook, the package, and how to run them",
           "pdf": "Whole book (.pdf)", "pdf_tip": "The whole book as one PDF"},
    "zh": {"page": "本页 ({})", "zip": "课程笔记本 (.zip)",
           "zip_tip": "全部笔记本、程序包及运行方法",
           "pdf": "全书 (.pdf，英文版)", "pdf_tip": "整本书（英文版）的 PDF"},
}


def add_download_entries(app, pagename, templatename, context, doctree):
    """Append the bundle and the book's PDF to the theme's download menu of this page."""
    words = MENU["zh" if is_chinese(app.config) else "en"]
    # the downloads folder is at the English edition's root, one level above zh/
    root = "../" * pagename.count("/") + ("../" if is_chinese(app.config) else "")
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            # the theme's entries (".ipynb", ".md", ".pdf") are about this page only
            for button in group["buttons"]:
                if button.get("text", "").startswith("."):
                    button["text"] = words["page"].format(button["text"])
            group["buttons"] += [
                {"type": "link", "url": f"{root}{DOWNLOADS}/{ZIP_NAME}",
                 "text": words["zip"], "icon": "fas fa-file-zipper",
                 "tooltip": words["zip_tip"], "label": "download-course-zip-button"},
                {"type": "link", "url": f"{root}{DOWNLOADS}/{PDF_NAME}",
                 "text": words["pdf"], "icon": "fas fa-book",
                 "tooltip": words["pdf_tip"], "label": "download-book-pdf-button"},
            ]


def setup(app):
    # after sphinx-book-theme's add_header_buttons (priority 501) has made the menu
    app.connect("html-page-context", add_download_entries, priority=510)
    app.connect("build-finished", write_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
