"""Serve the built site on 127.0.0.1 and drive Debian's Chromium through Playwright.

Run after `jupyter-book build .`:   python -m pytest tests_site
Chromium comes from Debian (`apt-get install chromium`, /usr/bin/chromium; set
CHROMIUM to use another binary): Playwright's own browser download cannot run here.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from site_paths import ARTIFACTS, EDITION, HTML, SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site at {HTML}: run `jupyter-book build .` first")
    # the whole site, both editions: a zh page links the English downloads (../downloads)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    edition = "/zh" if EDITION == "zh" else ""
    yield f"http://127.0.0.1:{server.server_address[1]}{edition}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium not found: install Debian's package (apt-get install chromium) "
                    "or set CHROMIUM to the browser's path")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts():
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
