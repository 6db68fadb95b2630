"""The Chinese edition's message catalogues: update them, translate them, check them.

The Chinese edition (site folder ``zh/``) is the same Sphinx build as the English one
with ``language: zh_CN``: every paragraph, heading, caption, table cell, alt text and
exercise title of the English pages is a *message*, and its translation lives in
``locale/zh_CN/LC_MESSAGES/<page>.po``.  Code, outputs and figures are shared.

Commands (run from the repository's root)::

    python scripts/translation.py update          # after the English text changed
    python scripts/translation.py check [PO ...]  # what is missing or broken
    python scripts/translation.py dump PO TXT     # a page's messages as plain text
    python scripts/translation.py load TXT PO     # ... and the translated text back

``update`` extracts the messages of the English pages (Sphinx's gettext builder, in its
own folder ``_build/i18n``) and merges them into the catalogues with ``sphinx-intl``:
a new paragraph arrives untranslated, a changed one is marked *fuzzy* (the English shows
until someone translates it again), a deleted one is dropped.

``dump`` and ``load`` let a translator work without the ``.po`` escapes (``\\\\frac``):
each message is a block ::

    @@ 12
    en: The English text, on one line, with its $math$ and `code`.
    zh: 译文，同样一行。

``load`` reads the ``zh:`` lines (a block may omit its ``en:`` line; when present it
must match the catalogue).  The number after ``@@`` is the message's place in the
catalogue: dump again after an update.

A translation keeps every piece of markup of the English: each ``$math$``, each
```code``` span, each role's name and target (``{ref}`label```, ``{doc}`text <target>```:
only the text before ``<`` is translated), each link's address.  ``check`` compares
them, and applies the glossary (``book/appendix_glossary.md``): where a message's English
contains a term of the glossary's first column, its translation contains the term's
Chinese.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
GLOSSARY = ROOT / "book" / "appendix_glossary.md"
# Pages whose messages may stay English: the API reference (docstrings) and the
# bibliography.
ENGLISH_PAGES = ("book/api", "book/references")

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")
CODE = re.compile(r"``[^`]+``|`[^`]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- reading the text

def markup(text: str) -> dict[str, list[str]]:
    """The pieces of a message a translation must keep, each kind sorted."""
    rest = MATH.sub(" ", text)
    maths = sorted(m.group(0) for m in MATH.finditer(text))
    roles = []
    for name, body in ROLE.findall(rest):
        target = re.search(r"<([^>]+)>\s*$", body)
        roles.append(f"{{{name}}}" + (target.group(1) if target else body))
    rest = ROLE.sub(" ", rest)
    codes = sorted(CODE.findall(rest))
    links = sorted(LINK.findall(rest))
    return {"math": maths, "roles": sorted(roles), "code": codes, "links": links}


NEWLINE = " ⏎ "  # a line break of a display formula, in the dump's one-line form


def is_display_math(msgid: str) -> bool:
    return msgid.startswith("\n") or "\n" in msgid.strip()


def is_prose(msgid: str) -> bool:
    """True when a message has words to translate (not only math, code or a role).

    A display formula has words only inside ``\\text{...}``.
    """
    if is_display_math(msgid):
        return re.search(r"\\text\{[^}]*[A-Za-z]{2,}", msgid) is not None
    rest = ROLE.sub(" ", MATH.sub(" ", msgid))
    rest = CODE.sub(" ", rest)
    rest = re.sub(r"https?://\S+", " ", rest)
    return re.search(r"[A-Za-z]{2,}", rest) is not None


def is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def broken_emphasis(text: str) -> list[str]:
    """``**`` runs that Markdown cannot read as bold where the text means them to be.

    CommonMark opens bold only at a ``**`` that is *left-flanking* (not followed by a
    space, and not followed by punctuation unless preceded by a space or punctuation)
    and closes it only at a *right-flanking* one (the mirror image). ``**重点。**的``
    fails: the closing run sits between "。" and "的". Write ``**重点**。的``.
    """
    rest = CODE.sub("x", text)
    runs = [m.start() for m in re.finditer(r"(?<!\*)\*\*(?!\*)", rest)]
    wrong = []
    for number, at in enumerate(runs):
        before = rest[at - 1] if at > 0 else " "
        after = rest[at + 2] if at + 2 < len(rest) else " "
        if number % 2 == 0:
            ok = not after.isspace() and (not is_punctuation(after)
                                          or before.isspace() or is_punctuation(before))
        else:
            ok = not before.isspace() and (not is_punctuation(before)
                                           or after.isspace() or is_punctuation(after))
        if not ok:
            wrong.append(rest[max(0, at - 8):at + 10])
    return wrong


@dataclass
class Term:
    english: list[str]
    chinese: str

    def required(self) -> str:
        """What a translation must contain: the Chinese term, or its Latin part."""
        latin = re.findall(r"[A-Za-z]+", self.chinese)
        return latin[0].lower() if latin else self.chinese

    def pattern(self) -> re.Pattern:
        forms = "|".join(re.escape(e) for e in self.english)
        return re.compile(rf"\b(?:{forms})(?:s|es)?\b", re.I)


def glossary() -> list[Term]:
    """The glossary table's English and Chinese columns."""
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not CJK.search(cells[1]) and cells[1] != "softmax":
            continue
        if cells[0] in ("English", "---"):
            continue
        english = [e.strip() for e in cells[0].split(",") if e.strip()]
        terms.append(Term(english, cells[1]))
    return terms


# ---------------------------------------------------------------- the checks

@dataclass
class Problem:
    po: Path
    msgid: str
    what: str

    def __str__(self) -> str:
        short = self.msgid if len(self.msgid) < 90 else self.msgid[:87] + "..."
        return f"{self.po.relative_to(ROOT)}: {self.what}\n    en: {short}"


def page_of(po: Path) -> str:
    return po.relative_to(LOCALE).with_suffix("").as_posix()


def check_catalogue(po: Path, terms: list[Term] | None = None) -> tuple[list[Problem], int, int]:
    """Problems of one catalogue, and its counts of translated and prose messages."""
    terms = glossary() if terms is None else terms
    page = page_of(po)
    english_page = page.startswith(ENGLISH_PAGES)
    with po.open("rb") as f:
        catalog = read_po(f)
    problems, translated, prose = [], 0, 0
    for message in catalog:
        if not message.id:
            continue
        msgid, msgstr = message.id, message.string or ""
        if not is_prose(msgid):
            continue
        prose += 1
        if message.fuzzy:
            problems.append(Problem(po, msgid, "fuzzy: the English changed; translate it again"))
            continue
        if not msgstr:
            if not english_page:
                problems.append(Problem(po, msgid, "not translated"))
            continue
        translated += 1
        if msgstr == msgid:
            continue  # kept in English on purpose (a name, a title, the glossary's English)
        want, got = markup(msgid), markup(msgstr)
        for kind in want:
            if want[kind] != got[kind]:
                missing = sorted(set(want[kind]) - set(got[kind]))
                extra = sorted(set(got[kind]) - set(want[kind]))
                problems.append(Problem(
                    po, msgid,
                    f"{kind} differs: missing {missing or '-'}, extra {extra or '-'} "
                    f"(keep every {kind} piece of the English unchanged)"))
        if broken_emphasis(msgstr) and not broken_emphasis(msgid):
            problems.append(Problem(
                po, msgid,
                f"bold that Markdown cannot close or open: {broken_emphasis(msgstr)} "
                "(keep punctuation outside the ** pair: **重点**。)"))
        if page == "book/appendix_glossary":
            continue
        plain = CODE.sub(" ", ROLE.sub(" ", MATH.sub(" ", msgid)))
        for term in terms:
            if term.pattern().search(plain) and term.required() not in msgstr.lower():
                problems.append(Problem(
                    po, msgid,
                    f"glossary: '{term.english[0]}' is {term.chinese} "
                    f"(book/appendix_glossary.md)"))
    return problems, translated, prose


def catalogues() -> list[Path]:
    return sorted(LOCALE.rglob("*.po"))


def check(paths: list[Path]) -> int:
    terms = glossary()
    total_problems, total_translated, total_prose = 0, 0, 0
    for po in paths:
        problems, translated, prose = check_catalogue(po, terms)
        for problem in problems:
            print(problem)
        total_problems += len(problems)
        total_translated += translated
        total_prose += prose
    verdict = "OK" if total_problems == 0 else "PROBLEMS"
    print(f"{verdict}: {total_problems} problems; {total_translated} of {total_prose} "
          f"prose messages translated in {len(paths)} catalogues")
    return 1 if total_problems else 0


# ---------------------------------------------------------------- dump and load

def dump(po: Path, txt: Path) -> None:
    with po.open("rb") as f:
        catalog = read_po(f)
    blocks = []
    for number, message in enumerate(catalog):
        if not message.id:
            continue
        if not is_prose(message.id):
            continue  # math, code, a lone role: nothing to translate
        fuzzy = " fuzzy" if message.fuzzy else ""
        en = message.id.replace("\n", NEWLINE)
        zh = (message.string or "").replace("\n", NEWLINE)
        blocks.append(f"@@ {number}{fuzzy}\nen: {en}\nzh: {zh}\n")
    txt.write_text("\n".join(blocks), encoding="utf-8")
    print(f"{len(blocks)} messages written to {txt}")


def load(txt: Path, po: Path) -> None:
    with po.open("rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog]
    chunks = re.split(r"^@@ ", txt.read_text(encoding="utf-8"), flags=re.M)[1:]
    count = 0
    for chunk in chunks:
        head, _, body = chunk.partition("\n")
        number = int(head.split()[0])
        en = re.search(r"^en: (.*)$", body, re.M)
        zh = re.search(r"^zh: ?(.*)$", body, re.M)
        message = messages[number]
        if en is not None and en.group(1) != message.id.replace("\n", NEWLINE):
            sys.exit(f"{txt}: block @@ {number} does not match {po}'s message; dump again")
        text = zh.group(1).strip() if zh else ""
        if text and is_display_math(message.id):
            text = text.replace(NEWLINE.strip(), "\n").replace(" \n ", "\n")
        if text:
            message.string = text
            message.flags.discard("fuzzy")
            count += 1
    with po.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False)
    print(f"{count} translations written to {po}")


# ---------------------------------------------------------------- update

def update() -> None:
    pot = ROOT / "_build" / "i18n"
    subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--all", "--builder", "custom",
         "--custom-builder", "gettext", "--path-output", str(pot)],
        check=True, env={**__import__("os").environ, "BOOK_PDF": "0", "BOOK_EDITIONS": "en"})
    subprocess.run(
        ["sphinx-intl", "update", "-p", str(pot / "_build" / "gettext"),
         "-d", str(ROOT / "locale"), "-l", "zh_CN", "-w", "0"],
        check=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "check", "dump", "load"):
        print(__doc__)
        return 2
    if argv[0] == "update":
        update()
        return 0
    if argv[0] == "check":
        paths = [Path(p).resolve() for p in argv[1:]] or catalogues()
        return check(paths)
    if argv[0] == "dump":
        dump(Path(argv[1]), Path(argv[2]))
        return 0
    load(Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
