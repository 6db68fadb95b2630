"""The Chinese edition's catalogues (locale/zh_CN): complete, faithful to the markup, in
the glossary's terms.  The checks are scripts/translation.py's, which translators run
on one page while they work; here they run on every page.
"""

import re
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import translation  # noqa: E402  (scripts/translation.py)

TOC_PAGES = re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)",
                       (ROOT / "_toc.yml").read_text(), flags=re.M)
CATALOGUES = translation.catalogues()
TERMS = translation.glossary()


def test_every_page_has_a_catalogue():
    have = {translation.page_of(po) for po in CATALOGUES}
    missing = [doc for doc in TOC_PAGES if doc not in have]
    assert not missing, f"pages without a catalogue: {missing}; run " \
        "`python scripts/translation.py update` and translate them"


def test_the_glossary_is_read_whole():
    # the glossary page's table is the one source of the terms; a change to its layout
    # must not silently empty the check
    english = {e for term in TERMS for e in term.english}
    assert len(TERMS) >= 36 and {"gradient", "Jacobian matrix", "backpropagation"} <= english
    assert {t.english[0]: t.chinese for t in TERMS}["chain rule"] == "链式法则"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: translation.page_of(p))
def test_catalogue_is_complete_and_keeps_markup_and_terms(po):
    problems, translated, prose = translation.check_catalogue(po, TERMS)
    assert not problems, f"{len(problems)} problems (fix with scripts/translation.py " \
        "dump / load, see its docstring):\n" + "\n".join(map(str, problems[:10]))
    if not translation.page_of(po).startswith(translation.ENGLISH_PAGES):
        assert translated == prose > 0


def write_catalogue(path, pairs):
    catalog = Catalog(locale="zh_CN")
    for msgid, msgstr in pairs:
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog)
    return path


def test_the_check_catches_what_a_translator_can_get_wrong(tmp_path, monkeypatch):
    monkeypatch.setattr(translation, "LOCALE", tmp_path)
    po = write_catalogue(tmp_path / "book" / "x.po", [
        ("The gradient of $f$ is `dx`.", "$f$ 的梯度是 `dx`。"),              # fine
        ("Take $x = 1$ here.", "这里取 $x=1$。"),                             # math changed
        ("See {ref}`the layout <ch1-layout>`.", "见{ref}`布局 <ch1-leyout>`。"),  # target
        ("Call `check_vjp`.", "调用 check_vjp。"),                             # code lost
        ("The chain rule gives it.", "由链规则得出。"),                        # glossary
        ("An untranslated sentence.", ""),                                   # missing
        ("\nf(x) = x^2\n", ""),                                              # math only
    ])
    problems, translated, prose = translation.check_catalogue(po, TERMS)
    found = sorted(p.what.split(":")[0].split(" ")[0] for p in problems)
    assert found == ["code", "glossary", "math", "not", "roles"], problems
    assert (translated, prose) == (5, 6)
