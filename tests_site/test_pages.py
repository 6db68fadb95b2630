"""Every page of the table of contents, as a reader's browser sees it."""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from site_paths import EDITION, HTML, ROOT, chapters, toc_pages

from page_words import LIMIT as WORD_LIMIT, page_words

# A JavaScript error on a page fails its test unless it is listed here with the reason.
KNOWN_HARMLESS_JS_ERRORS: dict[str, str] = {}

# SITE_PAGES=book/10_ looks at the pages under that prefix only (a chapter being written).
SELECTED = os.environ.get("SITE_PAGES", "")
PAGES = [doc for doc in toc_pages() if doc.startswith(SELECTED)]
# A short chapter may have one exercise; the course's own chapters have three or more.
MIN_EXERCISES = 1


def open_page(browser, url, width=1280, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    record = {"errors": [], "offsite": []}
    page.on("pageerror", lambda e: record["errors"].append(str(e)))
    page.on("request", lambda r: record["offsite"].append(r.url)
            if urlparse(r.url).hostname not in (None, "127.0.0.1") and
            not r.url.startswith(("data:", "blob:")) else None)
    page.goto(url, wait_until="load")
    return page, record


def wait_for_mathjax(page):
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=30_000)
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_typesets_and_stays_on_this_host(browser, site_url, doc):
    # 1200 px: both sidebars shown, the narrowest text column a desktop reader gets.
    page, record = open_page(browser, f"{site_url}/{doc}.html", width=1200)
    has_math = 'class="math' in (HTML / f"{doc}.html").read_text(encoding="utf-8")
    if has_math:
        wait_for_mathjax(page)
        assert page.locator("mjx-container").count() > 0, \
            "formulas were not typeset: a `$` or `$$` is unbalanced in the page's Markdown"
        errors = page.locator("mjx-merror").all_inner_texts()
        assert not errors, f"MathJax could not read a formula ({errors[:3]}): fix its TeX"
        raw = page.evaluate("() => document.querySelectorAll('.math:not(:has(mjx-container))')"
                            ".length")
        assert raw == 0, f"{raw} formulas left as raw TeX: check their `$` delimiters"
        # A display formula wider than its room is cut off at the edge: the room is the
        # column, less the equation number beside a labelled one, and a folded solution
        # is narrower once opened, so open them all first.
        page.evaluate("() => document.querySelectorAll('.toggle-hidden > p.admonition-title')"
                      ".forEach(t => t.click())")
        page.wait_for_function("() => !document.querySelector('.toggle-hidden')", timeout=10_000)
        clipped = page.evaluate("""() => Array.from(document.querySelectorAll('div.math'))
            .map(el => { const c = el.querySelector('mjx-container') || el;
                         return [c.scrollWidth, Math.min(c.clientWidth, el.clientWidth),
                                 (el.textContent || '').trim().slice(0, 60)]; })
            .filter(([width, room]) => width > room + 2)""")
        assert clipped == [], "display formulas wider than their room (width, room, text):\n" \
            + "\n".join(map(str, clipped)) + "\nsplit each over lines in an " \
            "`aligned` environment (`\\\\` between lines), as the chapters do"
    # every image loads (scroll each into view: some are lazy)
    broken = page.evaluate("""async () => {
        const bad = [];
        for (const img of Array.from(document.images)) {
            img.loading = 'eager';
            img.scrollIntoView();
            if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
            if (img.naturalWidth === 0) bad.push(img.src);
        }
        return bad; }""")
    assert broken == [], f"images that did not load: {broken}; rebuild with --all"
    errors = [e for e in record["errors"] if e not in KNOWN_HARMLESS_JS_ERRORS]
    assert errors == [], f"JavaScript errors: {errors}; a page's own <script> or raw HTML " \
        "is the usual cause: remove it"
    assert record["offsite"] == [], f"requests to other hosts: {record['offsite']}; the " \
        "site works offline: put the file in the book and link it relatively"
    page.close()


@pytest.mark.parametrize("chapter", [c for c in chapters()
                                     if c.startswith(SELECTED) or SELECTED.startswith(c)])
def test_every_chapter_has_figures_exercises_and_folded_solutions(browser, site_url, chapter):
    # a chapter is a folder book/NN_name/: an opening page, section pages, an exercises page
    pages = [doc for doc in toc_pages() if doc.startswith(chapter + "/")]
    assert f"{chapter}/index" in pages and f"{chapter}/exercises" in pages, \
        f"{chapter}: list its index and exercises pages in _toc.yml (see the template)"
    figures = citations = 0
    for doc in pages:
        page, _ = open_page(browser, f"{site_url}/{doc}.html")
        figures += page.locator("article img").count()
        citations += page.locator(
            "article a.reference.internal[href*='references.html#']").count()
        if doc.endswith("/exercises"):
            assert page.locator(".exercise").count() >= MIN_EXERCISES, \
                f"{doc}: no exercise: write one as ```{{exercise}} with a :label: chN-ex-..."
            solutions = page.locator(".solution.dropdown")
            assert solutions.count() >= page.locator(".exercise").count(), \
                f"{doc}: an exercise without its folded solution: follow it with " \
                "```{solution-start} <label>, `:class: dropdown`, ... ```{solution-end}"
            # folded: a solution's body is hidden until its toggle is clicked
            first = solutions.first
            body = first.locator(":scope > :not(.admonition-title)").first
            assert not body.is_visible(), \
                f"{doc}: a solution is shown unfolded: give it `:class: dropdown`"
            first.locator("button.toggle-button").first.click()
            body.wait_for(state="visible", timeout=5_000)
        page.close()
    assert figures > 0, f"{chapter}: no figure: add a figure cell (templates/chapter)"
    assert citations > 0, f"{chapter}: no citation: cite a source with {{cite}}`key`, " \
        "the key of its entry in references.bib"


def test_no_page_is_longer_than_a_sitting():
    # d2l-sized pages: at most 5,000 words of article text (prose, code and outputs)
    counts = page_words(HTML, toc_pages())
    too_long = {doc: n for doc, n in counts.items() if n > WORD_LIMIT}
    assert not too_long, f"pages over {WORD_LIMIT} words: {too_long}; split the page in two"
    assert min(counts.values()) > 50, "a page has almost no text: was it built?"


def test_search_finds_a_chapter_by_a_word_in_it(browser, site_url):
    page, record = open_page(browser, f"{site_url}/search.html?q=Jacobian")
    page.wait_for_selector("#search-results li, ul.search li", timeout=30_000)
    hits = page.eval_on_selector_all("#search-results li a, ul.search li a",
                                     "els => els.map(e => e.getAttribute('href'))")
    assert any("01_jacobians/" in (h or "") for h in hits), hits
    assert record["errors"] == []


def test_each_notebook_page_offers_its_notebook_for_download(browser, site_url):
    for doc in PAGES:
        if (ROOT / f"{doc}.ipynb").exists():
            page, _ = open_page(browser, f"{site_url}/{doc}.html")
            links = page.eval_on_selector_all(
                "a[href$='.ipynb']", "els => els.map(e => e.getAttribute('href'))")
            assert links, f"{doc}: no .ipynb download link"
            response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + links[0])
            assert response.ok, f"{doc}: download link {links[0]} is broken"
            page.close()


@pytest.mark.parametrize("doc", ["book/01_jacobians/1_gradients", "book/03_circuits/1_gates"])
@pytest.mark.parametrize("width, name", [(390, "phone"), (1280, "desktop")])
def test_screenshots_and_no_horizontal_overflow_on_a_phone(browser, site_url, artifacts, doc,
                                                            width, name):
    page, _ = open_page(browser, f"{site_url}/{doc}.html", width=width, height=844)
    wait_for_mathjax(page)
    edition = "-zh" if EDITION == "zh" else ""
    path = artifacts / "screenshots" / f"{doc.split('/')[-2]}{edition}-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    if name == "phone":
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the phone's screen"
    page.close()



@pytest.mark.parametrize("width", [390, 800])
def test_the_menu_and_contents_buttons_open_their_panels(browser, site_url, width):
    # Below 992 px the sidebars live in dialogs that the header's buttons open.
    page = browser.new_page(viewport={"width": width, "height": 844})
    for doc in PAGES:
        page.goto(f"{site_url}/{doc}.html", wait_until="load")
        menu = [b for b in page.query_selector_all(".primary-toggle") if b.is_visible()]
        assert len(menu) == 1, f"{doc} at {width}px: {len(menu)} visible site-menu buttons"
        menu[0].click()
        page.wait_for_selector("#pst-primary-sidebar-modal[open] .bd-links a", timeout=5_000)
        assert page.locator("#pst-primary-sidebar-modal .bd-links a:visible").count() >= 9, \
            f"{doc} at {width}px: the site menu does not show the chapters"
        page.keyboard.press("Escape")
        page.wait_for_selector("#pst-primary-sidebar-modal:not([open])", state="attached")
        contents = [b for b in page.query_selector_all(".secondary-toggle") if b.is_visible()]
        if page.locator("#pst-secondary-sidebar .toc-entry").count() > 0:
            assert len(contents) == 1, f"{doc} at {width}px: no visible contents button"
            contents[0].click()
            page.wait_for_selector("#pst-secondary-sidebar-modal[open] .toc-entry a",
                                   timeout=5_000)
            page.keyboard.press("Escape")
    page.close()


def test_one_search_entry_on_a_wide_screen(browser, site_url):
    page, _ = open_page(browser, f"{site_url}/book/intro.html", width=1280)
    visible = [e for e in page.query_selector_all(".search-button-field, .search-button")
               if e.is_visible()]
    assert len(visible) == 1, f"{len(visible)} search entries are visible at 1280px"
    page.close()


AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_violation_on_any_page(browser, site_url, width):
    # axe-core (pinned in tests_site/axe/package.json, installed by .ci/run with npm)
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests_site/axe`")
    source = AXE.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    found = {}
    for doc in PAGES:
        page.goto(f"{site_url}/{doc}.html", wait_until="load")
        # check the page as a reader gets it, after course.js has named the theme's
        # buttons (on a fresh browser's first page it can still be running at "load")
        try:
            page.wait_for_function("""() => Array.from(document.querySelectorAll(
                '.theme-switch-button'))
                .every(b => b.getAttribute('aria-label') !== 'Color mode')""",
                timeout=5_000)
        except PlaywrightTimeout:
            pass  # axe below then reports what is wrong
        page.add_script_tag(content=source)
        violations = page.evaluate("""async () => (await axe.run(document,
            {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 2)
                .map(n => n.target.join(' ')).join('; ')}`)""")
        if violations:
            found[doc] = violations
    page.close()
    assert not found, "serious or critical WCAG violations:\n" + "\n".join(
        f"{doc}: {v}" for doc, vs in found.items() for v in vs)


@pytest.mark.parametrize("doc", ["book/01_jacobians/exercises", "book/02_chain_rule/4_relu_neuron"])
def test_a_printed_page_has_no_cut_code_and_no_toggle_hints(browser, site_url, artifacts, doc):
    # what a reader gets from the browser's Print: code wrapped at the margin, folded
    # solutions opened after their exercises, no "Click to show" hints
    page, _ = open_page(browser, f"{site_url}/{doc}.html")
    wait_for_mathjax(page)
    page.emulate_media(media="print")
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('article pre'))
        .filter(e => e.scrollWidth > e.clientWidth + 1).length""")
    assert cut == 0, f"{doc}: {cut} code blocks are cut at the margin in print"
    hidden = page.evaluate("""() => Array.from(document.querySelectorAll('.solution'))
        .filter(s => s.querySelector('p, pre')
                     && !s.querySelector('p, pre').offsetHeight).length""")
    assert hidden == 0, f"{doc}: {hidden} solutions would print folded"
    pdf = artifacts / f"{doc.split('/')[-2]}-{doc.split('/')[-1]}.pdf"
    pdf.write_bytes(page.pdf(format="A4", print_background=True))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Click to" not in text, f"{doc}: a toggle hint is printed"
    title = page.locator("article h1").first.inner_text().split("\n")[0].strip()
    assert title.split(".")[0].isdigit(), f"{doc}: the printed title lost its number: {title}"
    page.close()
