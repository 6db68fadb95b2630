"""Paths and the table of contents, shared by the site tests."""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
# SITE_EDITION=zh runs the page tests on the Chinese edition (the same pages under zh/)
EDITION = os.environ.get("SITE_EDITION", "en")
if EDITION not in ("en", "zh"):
    raise SystemExit(f"SITE_EDITION={EDITION!r}: use en (the default) or zh")
HTML = SITE / "zh" if EDITION == "zh" else SITE
ARTIFACTS = ROOT / "artifacts"


def toc_pages():
    """The documents listed in _toc.yml, e.g. ``book/01_jacobians``."""
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", text, flags=re.M)


def chapters():
    """The chapter folders, e.g. ``book/01_jacobians``, in the order of the contents."""
    found = []
    for doc in toc_pages():
        m = re.match(r"(book/\d\d_[^/]+)/index$", doc)
        if m:
            found.append(m.group(1))
    return found


# scripts/page_words.py counts the words of a built page; the site tests import it from there
sys.path.insert(0, str(ROOT / "scripts"))
