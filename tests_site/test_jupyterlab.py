"""A chapter runs in JupyterLab: `jupyter lab`, Run All Cells in the browser, no error.

The README's install command pins JupyterLab; this test starts `jupyter lab` the way a
reader would (on 127.0.0.1, a free port and a random token), opens a chapter notebook in
headless Chromium, runs every cell through the Run menu and checks that each code cell
was executed, in order, with no traceback and nothing on stderr.

The server's root is a temporary folder holding only a copy of the notebook, its stored
outputs cleared (so every execution count and output on the page comes from this run),
and JupyterLab's settings, workspaces and runtime files go to temporary folders too:
nothing is written back to book/ or to the user's Jupyter settings. The kernel imports
`companion` from the editable install of requirements.txt. This test needs neither the
built site nor the `site_url` fixture.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from site_paths import ROOT

NOTEBOOK = "book/01_jacobians/1_gradients.ipynb"

SERVER_START_TIMEOUT = 60      # s until the server answers /api/status
PAGE_TIMEOUT = 60_000          # ms until the notebook and its kernel are ready
START_TIMEOUT = 20             # s until Run All Cells has started a cell
RUN_TIMEOUT = 90               # s for Run All Cells to finish

# JupyterLab user settings for the test's own settings folder: no autosave, every cell in
# the DOM (no windowing, so every prompt can be read), no news or update check.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter():
    """The `jupyter` command of the Python running the tests (where pip put it)."""
    beside = Path(sys.executable).with_name("jupyter")
    found = str(beside) if beside.exists() else shutil.which("jupyter")
    if not found:
        pytest.fail("no `jupyter` command: run `pip install -r requirements.txt`")
    return found


def _copy_cleared(src: Path, dest: Path):
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return sum(cell.cell_type == "code" for cell in nb.cells)


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)        # the server shuts its kernels down
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the server and its kernels
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`jupyter lab` on a temporary root holding a cleared copy of NOTEBOOK."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root, settings = tmp / "root", tmp / "settings"
    n_code = _copy_cleared(ROOT / NOTEBOOK, root / NOTEBOOK)
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))

    port, token = _free_port(), secrets.token_hex(24)
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [_jupyter(), "lab", "--no-browser",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
         "--LabApp.news_url=None"]
        # CI and this machine run as root, where jupyter refuses to start without it
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def server_log():
        log.flush()
        return (tmp / "server.log").read_text()[-3000:]

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode} before answering:\n"
                            + server_log())
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer on {base} within "
                            f"{SERVER_START_TIMEOUT} s:\n" + server_log())
            time.sleep(0.25)
        yield {"base": base, "token": token, "root": root, "n_code": n_code, "log": server_log}
    finally:
        _stop(proc)
        log.close()


# The kernel's status as the status bar shows it: "Python 3 (ipykernel) | Idle" once the
# kernel is connected. (The toolbar's execution indicator also says "idle" before the
# kernel has started, while the status bar still reads "No Kernel | Initializing".)
_KERNEL_JS = """() => {
  for (const el of document.querySelectorAll('.jp-StatusBar-TextItem')) {
    const m = el.textContent.trim().match(/^(.+) \\| (\\w+)$/);
    if (m) return {kernel: m[1], status: m[2]};
  }
  return {kernel: null, status: null};
}"""

# The prompt text of every code cell ("[3]:", "[*]:", "[ ]:") and the kernel's status.
_STATE_JS = """() => {
  const prompts = [...document.querySelectorAll(
      '.jp-NotebookPanel .jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
  return {prompts, kernel: (""" + _KERNEL_JS + """)()};
}"""

# Every error a cell can show: stderr outputs (JupyterLab renders tracebacks with this
# MIME type too) and any rendered text with a traceback or an error name.
_ERRORS_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll(
      '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    found.push('stderr: ' + el.innerText.slice(0, 800));
  for (const el of document.querySelectorAll('.jp-Notebook .jp-OutputArea-output .jp-RenderedText'))
    if (/Traceback|Error/.test(el.innerText)) found.push('output: ' + el.innerText.slice(0, 800));
  return found;
}"""


def _count(prompt):
    m = re.fullmatch(r"\[(\d+)\]:?", prompt)
    return int(m.group(1)) if m else None


def test_chapter_runs_in_jupyterlab(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT)
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    try:
        page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
        try:
            page.wait_for_function(
                "n => document.querySelectorAll("
                "'.jp-NotebookPanel .jp-Notebook .jp-CodeCell').length === n",
                arg=lab["n_code"], timeout=PAGE_TIMEOUT)
        except Exception:
            pytest.fail(f"the notebook's {lab['n_code']} code cells did not appear within "
                        f"{PAGE_TIMEOUT // 1000} s; server log:\n" + lab["log"]())
        try:
            page.wait_for_function(
                "() => { const k = (" + _KERNEL_JS + ")();"
                " return k.status === 'Idle' && k.kernel !== 'No Kernel'; }",
                timeout=PAGE_TIMEOUT)
        except Exception:
            pytest.fail(f"the kernel did not start and become idle within "
                        f"{PAGE_TIMEOUT // 1000} s (status bar: {page.evaluate(_KERNEL_JS)}); "
                        "server log:\n" + lab["log"]())

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        # Done when the first cell has started, no cell is queued or running ("[*]") and
        # the kernel is idle, twice in a row half a second apart. After an error JupyterLab
        # cancels the cells below it, so this also ends on a failing cell.
        started, stable, state, began = time.monotonic(), 0, None, False
        while True:
            state = page.evaluate(_STATE_JS)
            prompts = state["prompts"]
            began = began or any(p not in ("[ ]:", "[ ]") for p in prompts)
            busy = any("*" in p for p in prompts) or state["kernel"]["status"] != "Idle"
            stable = stable + 1 if (began and not busy) else 0
            if stable >= 2:
                break
            if not began and time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"Run All Cells started no cell within {START_TIMEOUT} s: "
                            f"prompts {prompts}, kernel {state['kernel']}")
            if time.monotonic() - started > RUN_TIMEOUT:
                pytest.fail(f"Run All Cells did not finish within {RUN_TIMEOUT} s: "
                            f"prompts {prompts}, kernel {state['kernel']}")
            time.sleep(0.5)

        errors = page.evaluate(_ERRORS_JS)
        assert errors == [], "a cell failed in JupyterLab:\n" + "\n".join(errors)
        counts = [_count(p) for p in state["prompts"]]
        assert len(counts) == lab["n_code"]
        assert None not in counts, f"code cells without an execution count: {state['prompts']}"
        assert counts == list(range(1, len(counts) + 1)), (
            f"cells not executed once each, top to bottom, in one kernel: {counts}")
        assert console_errors == [], f"JavaScript errors in JupyterLab: {console_errors}"
    finally:
        context.close()
    # nothing written into the copy either (no save, no autosave)
    saved = nbformat.read(lab["root"] / NOTEBOOK, as_version=4)
    assert all(c.execution_count is None for c in saved.cells if c.cell_type == "code")
