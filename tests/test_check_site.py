"""scripts/check_site.py must flag a page that would need the network."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_site.py"
spec = importlib.util.spec_from_file_location("check_site", SCRIPT)
check_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_site)


def make_site(tmp_path, pages, mathjax=True):
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html)
    if mathjax:
        (tmp_path / "_static" / "mathjax").mkdir(parents=True)
        (tmp_path / "_static" / "mathjax" / "tex-chtml.js").write_text("")


LOCAL = '<script src="../_static/mathjax/tex-chtml.js"></script><span class="math">x</span>'


def test_good_site_passes(tmp_path, monkeypatch):
    monkeypatch.setattr(check_site, "toc_pages", lambda: ["book/a"])
    make_site(tmp_path, {"book/a": LOCAL})
    assert check_site.main(tmp_path) == 0


def test_cdn_script_missing_page_and_missing_mathjax_fail(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(check_site, "toc_pages", lambda: ["book/a", "book/b", "book/c"])
    make_site(tmp_path, {
        "book/a": LOCAL + '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/tex.js"></script>',
        "book/c": '<span class="math">x</span>',
    }, mathjax=False)
    assert check_site.main(tmp_path) == 1
    out = capsys.readouterr().out
    assert "book/a: loads https://cdn.jsdelivr.net/npm/mathjax@3/tex.js from another host" in out
    assert "book/b: no page" in out
    assert "book/c: has formulas but does not load the site's own MathJax" in out
    assert "MathJax is not served from the site" in out
