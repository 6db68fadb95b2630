"""Words of article text on each built page (prose, code and outputs), longest first.

    python scripts/page_words.py _build/html [--limit 5000]

A page a reader finishes in one sitting stays under the limit; the site tests assert it.
"""

from __future__ import annotations

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path

LIMIT = 5000


class _Article(HTMLParser):
    """Collects the text inside <article>, skipping scripts, styles and MathJax sources."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth > 0 and not self.skip:
            self.parts.append(data)


def article_words(html_file: Path) -> int:
    parser = _Article()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return len(" ".join(parser.parts).split())


def page_words(html_root: Path, docs: list[str]) -> dict[str, int]:
    return {doc: article_words(html_root / f"{doc}.html") for doc in docs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("--limit", type=int, default=LIMIT)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests_site"))
    from site_paths import toc_pages

    counts = page_words(args.html, toc_pages())
    for doc, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"{n:7d}  {'OVER ' if n > args.limit else ''}{doc}")
    return int(any(n > args.limit for n in counts.values()))


if __name__ == "__main__":
    sys.exit(main())
