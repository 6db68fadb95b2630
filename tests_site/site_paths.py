"""Paths and the table of contents, shared by the site tests."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "artifacts"


def toc_pages():
    """The documents listed in _toc.yml, e.g. ``book/01_jacobians``."""
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", text, flags=re.M)
