"""The whole book as one PDF (``_ext/book_pdf.py`` writes it at the end of the build)."""

import html
import re
import subprocess

import pytest

from site_paths import SITE as HTML  # the English edition: the PDF prints it
from site_paths import chapters, toc_pages

PDF = HTML / "downloads" / "backprop-course.pdf"
MM = 72 / 25.4  # PDF points per millimetre
SIDE_MARGIN = 15 * MM  # book_pdf.MARGIN's left and right margins
FOOTER_ZONE = 14 * MM  # the footer line sits in the bottom margin, below this height


def page_title(doc):
    """A page's title as the built HTML shows it, e.g. "1. Gradients and Jacobians"."""
    page = (HTML / f"{doc}.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1)
    h1 = re.sub(r'<a class="headerlink".*?</a>', "", h1, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", h1)).split())


def toc_captions():
    """The parts of _toc.yml ("Chapters", ...): bookmarks that stand for no page."""
    return re.findall(r"^\s*-?\s*caption:\s*(.+)$", (HTML.parents[1] / "_toc.yml").read_text(),
                      flags=re.M)


def words(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def book():
    pypdf = pytest.importorskip("pypdf", reason="pip install -r requirements.txt")
    assert PDF.exists(), (
        f"no {PDF.relative_to(HTML.parent.parent)}: build with Chromium installed "
        "(apt-get install chromium, or CHROMIUM=/path/to/chromium) and without BOOK_PDF=0")
    return pypdf.PdfReader(PDF)


@pytest.fixture(scope="module")
def page_texts():
    """The text of each page, in reading order."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def flat_outline(book, items=None, depth=0):
    """(depth, title, page index) of every bookmark, in order."""
    found = []
    for item in book.outline if items is None else items:
        if isinstance(item, list):
            found += flat_outline(book, item, depth + 1)
        else:
            found.append((depth, item.title, book.get_destination_page_number(item)))
    return found


def test_the_book_has_a_sane_number_of_pages(book):
    # every page of the contents prints on at least one sheet, and the site's pages are under
    # 5,000 words each, so none should need more than about 25 sheets
    docs = len(toc_pages())
    assert docs + 2 <= len(book.pages) <= 25 * docs, (
        f"{len(book.pages)} pages for {docs} pages of the site: look at the PDF for blank "
        "pages or pages missing")


def test_every_page_of_the_contents_has_a_bookmark_in_order(book):
    marks = [(title, page) for _, title, page in flat_outline(book)
             if title not in toc_captions()]
    for doc in toc_pages():
        title = page_title(doc)
        # a chapter's page is "1. Gradients ..." on the site and "1 Gradients ..." in the PDF
        name = re.sub(r"^[\d.]+\s", "", title)
        assert marks and marks[0][0].endswith(name), (
            f"the next bookmark should be {title!r} ({doc}), found "
            f"{marks[0][0] if marks else 'none'}: book_pdf.book_contents must follow _toc.yml")
        marks.pop(0)


def test_every_chapter_title_is_printed_where_its_bookmark_points(book, page_texts):
    marks = {title: page for _, title, page in flat_outline(book)}
    for chapter in chapters():
        name = re.sub(r"^[\d.]+\s", "", page_title(f"{chapter}/index"))
        page = next((p for title, p in marks.items() if title.endswith(name)), None)
        assert page is not None, f"no bookmark for chapter {name!r}"
        assert name in words(page_texts[page]), (
            f"chapter {name!r}: its bookmark points to page {page + 1}, which does not show "
            "its title")
        contents = words(" ".join(page_texts[1:4]))
        assert name in contents, f"chapter {name!r} is missing from the contents pages"


def test_the_contents_gives_each_chapter_its_printed_page_number(book, page_texts):
    # the contents' numbers are the footer's numbers: body page 1 follows the front matter
    front = next(i for i, label in enumerate(book.page_labels) if label == "1")
    contents = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", str(front), str(PDF),
                               "-"], capture_output=True, text=True, check=True).stdout
    for chapter in chapters():
        name = re.sub(r"^[\d.]+\s", "", page_title(f"{chapter}/index"))
        found = re.search(rf"^\s*[\d.]*\s*{re.escape(name)}\s+(\d+)$", contents, flags=re.M)
        assert found, f"no contents line for {name!r}:\n{contents[:400]}"
        printed = int(found.group(1))
        assert name in words(page_texts[front + printed - 1]), (
            f"the contents sends {name!r} to page {printed}, where it is not")


def test_formulas_are_typeset_and_solutions_printed_without_toggle_hints(page_texts):
    # MathJax replaces the TeX of every formula; a page printed too early shows the TeX.
    # (TeX that the site shows outside a formula, e.g. a link's text, is left out here.)
    text = words("\n".join(page_texts))
    formulas, plain = set(), ""
    for doc in toc_pages():
        page = html.unescape((HTML / f"{doc}.html").read_text(encoding="utf-8"))
        math = r'<span class="math notranslate nohighlight">\\\((.*?)\\\)</span>'
        formulas |= {words(tex) for tex in re.findall(math, page, flags=re.S)}
        plain += words(re.sub(r"<[^>]+>", " ", re.sub(math, " ", page, flags=re.S)))
    untypeset = [tex for tex in sorted(formulas)
                 if len(tex) >= 12 and "\\" in tex and tex in text and tex not in plain]
    assert not untypeset, ("formulas printed as TeX (book_pdf.print_page must wait for "
                           "MathJax):\n" + "\n".join(untypeset[:10]))
    assert "Click to" not in text, "a toggle's hint is printed: hide it in course.css (print)"
    assert text.count("Solution to") >= len(chapters()), (
        "the folded solutions were not printed: book_pdf.PREPARE_PAGE must open them")


def test_no_text_runs_past_the_side_margins(book):
    # the position of every word: text overflowing its box runs into the margin or off the
    # page. (MathJax's stretched glyphs report extents wider than the page: not text.)
    bbox = subprocess.run(["pdftotext", "-bbox", str(PDF), "-"], capture_output=True,
                          text=True, check=True).stdout
    outside = []
    for number, page in enumerate(bbox.split("<page ")[1:], start=1):
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        for x_min, x_max, word in re.findall(
                r'<word xMin="(-?[\d.]+)" yMin="-?[\d.]+" xMax="(-?[\d.]+)" yMax="-?[\d.]+">'
                r"(.+?)</word>", page):
            x_min, x_max = float(x_min), float(x_max)
            if x_max - x_min > width - 2 * SIDE_MARGIN:
                continue
            if x_max > width - SIDE_MARGIN + 1 or x_min < SIDE_MARGIN - 1:
                outside.append(f"page {number}: {html.unescape(word)!r} "
                               f"at x = {x_min:.0f}-{x_max:.0f} pt")
    assert not outside, (
        f"{len(outside)} words outside the A4 page's {SIDE_MARGIN / MM:.0f} mm side margins "
        "(code must wrap: see the print rules at the end of _ext/static/course.css):\n"
        + "\n".join(outside[:20]))


def test_every_code_line_is_printed_whole(book, page_texts):
    # -raw: the text in the order the browser drew it, a code line from left to right
    layout = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(PDF), "-"],
                            capture_output=True, text=True, check=True).stdout.split("\f")
    # a code box cuts a line too long for it at its edge: the line's end is then missing from
    # the page's text. Each printed code line (folded input cells are not printed) must be
    # in the text of its page's sheets, whole (spaces aside: a wrapped line is fine).
    # each page's sheets: from its bookmark (in the order of the contents) to the next one
    docs = toc_pages()
    firsts = [page for _, title, page in flat_outline(book) if title not in toc_captions()]
    assert len(firsts) == len(docs), "one bookmark per page of the contents"
    firsts.append(len(page_texts))
    cut = []
    for doc, first, end in zip(docs, firsts, firsts[1:]):
        printed = re.sub(r"\s", "", "".join(layout[first:end]))
        page = (HTML / f"{doc}.html").read_text(encoding="utf-8")
        page = re.sub(r'<details class="admonition hide above-input">.*?</details>', "", page,
                      flags=re.S)
        for block in re.findall(r"<pre[^>]*>(.*?)</pre>", page, flags=re.S):
            for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines():
                if len(line.strip()) >= 40 and re.sub(r"\s", "", line) not in printed:
                    cut.append(f"{doc}: {line.strip()}")
    assert not cut, (f"{len(cut)} code lines are not printed whole (cut at the box's edge?"
                     " see the print rules at the end of _ext/static/course.css):\n"
                     + "\n".join(cut[:15]))


def test_no_page_is_empty(book):
    # each printed page has something above its footer
    bbox = subprocess.run(["pdftotext", "-bbox", str(PDF), "-"], capture_output=True,
                          text=True, check=True).stdout
    empty = []
    for number, page in enumerate(bbox.split("<page ")[1:], start=1):
        height = float(re.match(r'width="[\d.]+" height="([\d.]+)"', page).group(1))
        tops = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"', page)]
        images = book.pages[number - 1].images if not tops or \
            min(tops) > height - FOOTER_ZONE else [True]
        if not images:
            empty.append(number)
    assert not empty, f"pages with nothing but the footer: {empty}"
