"""The two editions: English at the site's root, Simplified Chinese under zh/.

The page tests (test_pages.py, test_layout.py) run on the Chinese pages too, with
SITE_EDITION=zh (.ci/run does both).  Here: the switch between the editions, what is
Chinese about the Chinese one, its search, its formulas, and catalogues that hold
today's English.
"""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_paths import ROOT, SITE, toc_pages
from translation import ENGLISH_PAGES  # scripts/translation.py: pages that stay English

ZH = SITE / "zh"
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Page(HTMLParser):
    """The parts of a built page these tests read."""

    def __init__(self):
        super().__init__()
        self.lang, self.switch, self.h1 = None, None, ""
        self.display_math = []
        self.prose = []  # text outside code, math and scripts
        self._in_h1 = self._in_math = 0
        self._skip = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and "btn-language-switch" in classes:
            self.switch = attrs.get("href")
        if tag == "h1" and not self.h1:
            self._in_h1 = 1
        if tag == "div" and "math" in classes:
            self._in_math = 1
            self.display_math.append("")
        if tag in ("pre", "code", "script", "style", "textarea") or \
                (tag == "span" and "math" in classes):
            self._skip.append(tag)

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag == "h1":
            self._in_h1 = 0
        if tag == "div":
            self._in_math = 0

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._in_math:
            self.display_math[-1] += data
        elif not self._skip:
            self.prose.append(data)


def read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_chinese_edition_was_built():
    assert (ZH / "book" / "intro.html").exists(), \
        "no zh/ in the built site: build with `jupyter-book build .` (BOOK_EDITIONS=en " \
        "skips the Chinese edition)"


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_every_page_links_the_same_page_of_the_other_edition(edition):
    here, there = (SITE, ZH) if edition == "en" else (ZH, SITE)
    wrong = []
    for doc in toc_pages():
        page = read(here / f"{doc}.html")
        if page.switch is None:
            wrong.append(f"{doc}: no language switch")
            continue
        target = ((here / doc).parent / page.switch).resolve()
        if target != (there / f"{doc}.html").resolve():
            wrong.append(f"{doc}: the switch leads to {target}")
    assert not wrong, "\n".join(wrong) + "\n(the switch is _ext/zh_edition.py's)"


def test_the_chinese_pages_are_chinese():
    untranslated = []
    for doc in toc_pages():
        page = read(ZH / f"{doc}.html")
        assert page.lang == "zh-CN", f"{doc}: <html lang={page.lang!r}>"
        if not doc.startswith(ENGLISH_PAGES) and not CJK.search(page.h1):
            untranslated.append(f"{doc}: {page.h1.strip()!r}")
    assert not untranslated, "titles left in English (translate them in " \
        "locale/zh_CN/LC_MESSAGES/<page>.po):\n" + "\n".join(untranslated)


def test_no_display_formula_of_the_chinese_edition_was_broken():
    # Sphinx re-parses a translated formula as text behind "::" unless
    # _ext/zh_edition.py puts it in place; the build itself would not warn
    broken = []
    for doc in toc_pages():
        for tex in read(ZH / f"{doc}.html").display_math:
            if "::" in tex:
                broken.append(f"{doc}: {tex.strip()[:60]!r}")
    assert not broken, "display formulas destroyed in the zh build:\n" + "\n".join(broken)


RAW_MARKUP = re.compile(r"\*\*|\{(?:ref|doc|numref|eq|glue|cite)[a-z:]*\}`|\]\(")


def test_no_markup_shows_as_text_on_a_chinese_page():
    # a translation whose bold, role or link Markdown could not read shows it raw; a
    # source quoted with its own stray ** shows it in both editions
    raw = []
    for doc in toc_pages():
        if doc.startswith(ENGLISH_PAGES):
            continue  # English, and signatures with **kwargs
        english = " ".join(read(SITE / f"{doc}.html").prose)
        text = " ".join(read(ZH / f"{doc}.html").prose)
        found = list(RAW_MARKUP.finditer(text))
        if len(found) > len(RAW_MARKUP.findall(english)):
            raw += [f"{doc}: ...{text[max(0, m.start() - 30):m.end() + 30]}..."
                    for m in found]
    assert not raw, "markup shown as text (fix the translation in its .po; bold: " \
        "**重点**。 with the punctuation outside):\n" + "\n".join(raw[:20])


def test_the_switch_keeps_the_readers_place(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site_url}/zh/book/01_jacobians/2_jacobians.html#ch1-layout",
              wait_until="load")
    assert page.locator("a.btn-language-switch").is_visible(), \
        "the language switch is hidden on a phone"
    page.locator("a.btn-language-switch").click()
    page.wait_for_url("**/book/01_jacobians/2_jacobians.html#ch1-layout")
    assert "/zh/" not in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#ch1-layout").count() == 1
    page.locator("a.btn-language-switch").click()
    page.wait_for_url("**/zh/book/01_jacobians/2_jacobians.html#ch1-layout")
    # the theme's own words are Chinese too
    footer = page.locator(".prev-next-area").inner_text()
    assert "上一页" in footer or "下一页" in footer, footer
    page.close()


@pytest.mark.parametrize("word", ["梯度", "雅可比矩阵", "反向传播"])
def test_search_in_the_chinese_edition_finds_chinese_words(browser, site_url, word):
    page = browser.new_page()
    page.goto(f"{site_url}/zh/search.html?q={word}", wait_until="load")
    page.wait_for_selector("#search-results li, ul.search li", timeout=30_000)
    hits = page.eval_on_selector_all("#search-results li a, ul.search li a",
                                     "els => els.map(e => e.getAttribute('href'))")
    assert any("book/0" in (h or "") for h in hits), \
        f"{word}: no chapter page found ({hits[:5]}); is jieba installed " \
        "(requirements.txt)? Without it the index holds no Chinese word"
    page.close()


def test_the_catalogues_hold_todays_english(tmp_path):
    # every message of the English pages, as Sphinx extracts it now, is in its catalogue;
    # otherwise the Chinese page shows that paragraph in English
    out = tmp_path / "i18n"
    env = {**os.environ, "BOOK_PDF": "0", "BOOK_EDITIONS": "en"}
    subprocess.run(["jupyter-book", "build", str(ROOT), "--all", "--builder", "custom",
                    "--custom-builder", "gettext", "--path-output", str(out)],
                   check=True, env=env, capture_output=True)
    from babel.messages.pofile import read_po

    locale = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
    stale = []
    for pot in sorted((out / "_build" / "gettext").rglob("*.pot")):
        page = pot.relative_to(out / "_build" / "gettext").with_suffix("")
        po = locale / page.with_suffix(".po")
        with pot.open("rb") as f:
            wanted = {m.id for m in read_po(f) if m.id}
        have = set()
        if po.exists():
            with po.open("rb") as f:
                have = {m.id for m in read_po(f) if m.id and not m.fuzzy}
        missing = wanted - have
        if missing:
            stale.append(f"{page}: {len(missing)} messages, e.g. {sorted(missing)[0][:70]!r}")
    assert not stale, "the English changed since the catalogues were updated; run " \
        f"`{sys.executable} scripts/translation.py update` and translate:\n" + "\n".join(stale)
