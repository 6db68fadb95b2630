"""Check the built website: every page exists, MathJax is served locally, nothing loads from a CDN.

Run after `jupyter-book build .`:  python scripts/check_site.py [_build/html]
Exits non-zero, naming each problem, when the site would need the network or lacks a page.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Attributes that make a browser fetch something when the page loads.
LOADS = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""",
                   re.I)


def toc_pages():
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", text, flags=re.M)


def main(html_dir: Path) -> int:
    problems = []
    if not (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists():
        problems.append("MathJax is not served from the site (_static/mathjax/tex-chtml.js)")
    for page in toc_pages():
        path = html_dir / f"{page}.html"
        if not path.exists():
            problems.append(f"{page}: no page {path.relative_to(html_dir)}")
            continue
        html = path.read_text(encoding="utf-8")
        for url in LOADS.findall(html):
            if re.match(r"(https?:)?//", url):
                problems.append(f"{page}: loads {url} from another host")
        if 'class="math' in html and "_static/mathjax/tex-chtml.js" not in html:
            problems.append(f"{page}: has formulas but does not load the site's own MathJax")
    for problem in problems:
        print("site check:", problem)
    print(f"site check: {len(toc_pages())} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"))
