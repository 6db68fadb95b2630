"""The whole book as one PDF, written at the end of every HTML build.

After the site is built, each page of the table of contents is opened in Chromium
(Debian's /usr/bin/chromium, or the browser at $CHROMIUM, driven by Playwright), its
formulas are typeset by the site's own MathJax, its folded solutions are opened, and the
page is printed to A4 with the site's print styles (``static/course.css``). The printed
pages are joined with pypdf behind a title page and a contents page; every page of the
body gets a footer with its section and page number, and the PDF gets bookmarks
(part > chapter > section). The result is ``_build/html/downloads/backprop-course.pdf``.

``BOOK_PDF=0 jupyter-book build .`` skips the step (quicker while writing a chapter).
Without Chromium or Playwright the build says so in an INFO line and makes no PDF.
"""

import functools
import html
import http.server
import io
import os
import re
import shutil
import threading
import time
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

OUTPUT = Path("downloads") / "backprop-course.pdf"
WORKERS = 2  # pages printed at the same time (one browser tab each); the machine has 2 cores
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}

# Before printing a page: keep only the article (no navigation, buttons or site footer),
# open every folded solution and box, and make lazy images load now.
PREPARE_PAGE = """() => {
  for (const el of document.querySelectorAll(
      '.bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, '
      + '.prev-next-area, .bd-footer, .bd-footer-content, .bd-footer-article, '
      + '#pst-back-to-top, .header-article-items, button.toggle-button'))
    el.remove();
  document.querySelectorAll('.toggle-hidden').forEach(el => el.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(el => { el.open = true; });
  document.querySelectorAll('img[loading="lazy"]').forEach(img => { img.loading = 'eager'; });
}"""

# every image loaded (or failed), or 20 s gone: a stuck request cannot hang the build
IMAGES_LOADED = """() => Promise.race([
  Promise.all(Array.from(document.images).map(img =>
    img.complete ? null : new Promise(done => { img.onload = img.onerror = done; }))),
  new Promise(done => setTimeout(done, 20000))])"""


def find_chromium():
    """The browser's path, or None: $CHROMIUM, then `chromium` on PATH, then Debian's."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def book_contents(app):
    """The pages in reading order: a list of (docname, number, title, depth, part).

    ``number`` is the section number ("3", "3.2") or "" for unnumbered pages; ``depth`` is
    0 for the introduction and the chapters, 1 for their sections; ``part`` is the caption
    of the part of _toc.yml that holds the page (or "" for the introduction).
    """
    site_map = app.env.external_site_map
    env = app.env

    def entry(doc, depth, part):
        secnumber = env.toc_secnumbers.get(app.config.root_doc, {}).get(f"#{doc}")
        if secnumber is None:
            secnumber = env.toc_secnumbers.get(doc, {}).get("")
        number = ".".join(map(str, secnumber or ()))
        return (doc, number, env.titles[doc].astext(), depth, part)

    pages = [entry(site_map.root.docname, 0, "")]
    for tree in site_map.root.subtrees:
        for chapter in tree.items:
            pages.append(entry(chapter, 0, tree.caption or ""))
            for subtree in site_map[chapter].subtrees:
                pages.extend(entry(doc, 1, tree.caption or "") for doc in subtree.items)
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """Serve a folder on 127.0.0.1 (file:// would not load MathJax's fonts); the server."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def print_page(tab, url):
    """One page of the site printed to A4, as PDF bytes, with formulas typeset."""
    tab.goto(url, wait_until="load")
    if tab.evaluate("() => !!document.querySelector('.math')"):
        tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                              timeout=60_000)
        tab.evaluate("() => MathJax.startup.promise")
    tab.evaluate(PREPARE_PAGE)
    tab.evaluate(IMAGES_LOADED)
    return tab.pdf(format="A4", margin=MARGIN, print_background=True)


def print_pages(chromium, base_url, docs):
    """Print every document (in WORKERS tabs at once); a dict docname -> PDF bytes."""
    from playwright.sync_api import sync_playwright

    printed, errors = {}, []
    queue = list(reversed(docs))
    lock = threading.Lock()

    def worker():
        # Playwright's sync API belongs to one thread, so each worker has its own browser.
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run"])
                tab = browser.new_page(viewport={"width": 1280, "height": 900})
                while True:
                    with lock:
                        if not queue or errors:
                            break
                        doc = queue.pop()
                    printed[doc] = print_page(tab, f"{base_url}/{doc}.html")
                browser.close()
        except Exception as error:  # reported by the caller, after the other worker ends
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return printed


def front_matter_html(app, pages, first_page):
    """The title page and the contents (page numbers from ``first_page``), as HTML."""
    footer = app.config.html_theme_options.get("extra_footer", "")
    licence = html.unescape(re.sub(r"<[^>]+>", "", footer)).split("See ")[0].strip()
    rows, part = [], None
    for doc, number, title, depth, caption in pages:
        if caption != part and caption:
            rows.append(f'<tr class="part"><td colspan="2">{html.escape(caption)}</td></tr>')
        part = caption
        label = f"{number}&ensp;{html.escape(title)}" if number else html.escape(title)
        rows.append(f'<tr class="depth{depth}"><td>{label}</td>'
                    f'<td class="num">{first_page[doc]}</td></tr>')
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(app.config.html_title)}</title>
<style>
  @page {{ size: A4; margin: 22mm 20mm; }}
  body {{ font-family: sans-serif; color: #222; }}
  .title {{ height: 240mm; display: flex; flex-direction: column; justify-content: center;
           text-align: center; break-after: page; }}
  .title h1 {{ font-size: 30pt; font-weight: 500; margin: 0 0 12mm; }}
  .title p {{ font-size: 13pt; margin: 2mm 0; }}
  .title .licence {{ font-size: 10pt; color: #555; margin-top: 30mm; }}
  h2 {{ font-size: 18pt; font-weight: 500; }}
  table {{ width: 100%; border-collapse: collapse; font-size: 10.5pt; }}
  td {{ padding: 0.6mm 0; }}
  tr.part td {{ font-weight: 600; padding-top: 4mm; text-transform: uppercase;
               font-size: 9.5pt; letter-spacing: 0.05em; }}
  tr.depth0 td {{ font-weight: 600; padding-top: 1.8mm; }}
  tr.depth1 td:first-child {{ padding-left: 8mm; }}
  td.num {{ text-align: right; width: 12mm; }}
</style></head><body>
<section class="title">
  <h1>{html.escape(app.config.html_title)}</h1>
  <p>{html.escape(app.config.author)}</p>
  <p>{html.escape(app.config.copyright)}</p>
  <p class="licence">{html.escape(licence)}</p>
</section>
<h2>Contents</h2>
<table>{''.join(rows)}</table>
</body></html>"""


def footers_html(labels):
    """One blank A4 page per body page, holding only its footer: section and page number."""
    sheets = "".join(
        f'<div class="sheet"><div class="foot"><span>{html.escape(label)}</span>'
        f"<span>{number}</span></div></div>"
        for number, label in enumerate(labels, start=1))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
  @page {{ size: A4; margin: 0; }}
  body {{ margin: 0; font-family: sans-serif; font-size: 8.5pt; color: #555; }}
  .sheet {{ height: 297mm; position: relative; break-after: page; overflow: hidden; }}
  .foot {{ position: absolute; left: 15mm; right: 15mm; bottom: 8mm;
          display: flex; justify-content: space-between; }}
</style></head><body>{sheets}</body></html>"""


def print_html(chromium, text):
    """An HTML string printed to PDF with the page size and margins its CSS gives."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page()
        tab.set_content(text, wait_until="load")
        data = tab.pdf(prefer_css_page_size=True)
        browser.close()
    return data


def make_book_pdf(app, chromium):
    from pypdf import PdfReader, PdfWriter

    outdir = Path(app.outdir)
    pages = book_contents(app)
    server = serve(outdir)
    try:
        printed = print_pages(chromium, f"http://127.0.0.1:{server.server_address[1]}",
                              [doc for doc, *_ in pages])
    finally:
        server.shutdown()

    # the body: every page in order, numbered from 1; a footer names each page's section
    body = PdfWriter()
    first_page, labels = {}, []
    for doc, number, title, *_ in pages:
        first_page[doc] = len(body.pages) + 1
        reader = PdfReader(io.BytesIO(printed[doc]))
        body.append(reader)
        labels += [f"{number} {title}".strip()] * len(reader.pages)
    footers = PdfReader(io.BytesIO(print_html(chromium, footers_html(labels))))
    for page, footer in zip(body.pages, footers.pages):
        page.merge_page(footer)

    front = PdfReader(io.BytesIO(print_html(chromium, front_matter_html(app, pages, first_page))))
    book = PdfWriter()
    book.append(front)
    offset = len(front.pages)
    book.append(body)
    book.set_page_label(0, offset - 1, style="/r")
    book.set_page_label(offset, len(book.pages) - 1, style="/D", start=1)

    # bookmarks: part > chapter > section, each at the page's first printed page
    parents, part = {}, None
    for doc, number, title, depth, caption in pages:
        if caption and caption != part:
            parents["part"] = book.add_outline_item(caption, offset + first_page[doc] - 1)
        part = caption
        parent = parents.get("part") if depth == 0 else parents.get("chapter")
        item = book.add_outline_item(f"{number} {title}".strip(),
                                     offset + first_page[doc] - 1, parent=parent)
        if depth == 0:
            parents["chapter"] = item
    # merging the footers left the pages' content uncompressed; the fonts each printed page
    # embeds are often the same ones
    for page in book.pages:
        page.compress_content_streams()
    book.compress_identical_objects()
    book.add_metadata({"/Title": app.config.html_title, "/Author": app.config.author})
    book.page_mode = "/UseOutlines"

    target = outdir / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        book.write(handle)
    return target, len(book.pages)


def build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if os.environ.get("BOOK_PDF", "1") == "0":
        logger.info("book_pdf: BOOK_PDF=0, the whole-book PDF was not made")
        return
    chromium = find_chromium()
    try:
        import playwright.sync_api  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        logger.info("book_pdf: no Chromium (or no playwright/pypdf), so the whole-book PDF "
                    f"{OUTPUT} was not made. To make it: apt-get install chromium (or set "
                    "CHROMIUM to a Chromium binary), pip install -r requirements.txt, and "
                    "build again.")
        return
    start = time.monotonic()
    logger.info(f"book_pdf: printing every page of the book with {chromium} ...")
    target, count = make_book_pdf(app, chromium)
    logger.info(f"book_pdf: wrote {target.relative_to(Path(app.outdir))} "
                f"({count} pages) in {time.monotonic() - start:.0f} s")


def setup(app):
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
