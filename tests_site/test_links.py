"""A link check of the built HTML: no broken internal link or anchor."""

import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from site_paths import HTML


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if key in attrs and attrs[key] is not None:
                self.links.append(attrs[key])


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def skipped_pdf(target):
    # a build run with BOOK_PDF=0 (a quick check of one chapter) prints no whole-book PDF,
    # though every page links it; test_pdf.py fails if a full build has none
    return os.environ.get("BOOK_PDF") == "0" and target.name == "backprop-course.pdf"


def test_no_broken_internal_link_or_anchor():
    pages = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)
    if not pages:
        pytest.fail(f"no built site at {HTML}")
    parsed = {p: parse(p) for p in pages}
    broken = []
    for page, collector in parsed.items():
        for link in collector.links:
            url = urlparse(link)
            if url.scheme or link.startswith(("//", "mailto:", "data:", "javascript:")):
                continue
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists() and not skipped_pdf(target):
                broken.append(f"{page.relative_to(HTML)}: {link} (no file)")
                continue
            if url.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{page.relative_to(HTML)}: {link} (no anchor)")
    assert broken == [], "\n".join(broken[:30])
