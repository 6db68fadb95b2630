"""Nothing cut off on any screen, and figures as a textbook has them (every page).

Set SITE_PAGES to a prefix (e.g. ``book/03_``) to look at some pages only while writing.
"""

import os


from site_paths import toc_pages

PAGES = [doc for doc in toc_pages() if doc.startswith(os.environ.get("SITE_PAGES", ""))]


def _visit(browser, site_url, width, height, script):
    page = browser.new_page(viewport={"width": width, "height": height})
    found = {}
    for doc in PAGES:
        page.goto(f"{site_url}/{doc}.html", wait_until="load")
        page.wait_for_function("() => !window.MathJax || (MathJax.startup && "
                               "MathJax.startup.promise)", timeout=30_000)
        page.evaluate("() => window.MathJax && MathJax.startup.promise")
        problems = page.evaluate(script)
        if problems:
            found[doc] = problems
    page.close()
    return "\n".join(f"{doc}: {p}" for doc, ps in found.items() for p in ps)


WIDE = """() => {
  const column = document.querySelector('article.bd-article');
  const room = column.getBoundingClientRect().width;
  const out = [];
  for (const pre of column.querySelectorAll('div.cell pre, div.highlight pre')) {
    if (pre.scrollWidth > pre.clientWidth + 1) {
      const line = pre.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a);
      out.push(`code or output ${pre.scrollWidth} px in a ${pre.clientWidth} px box: `
               + line.slice(0, 70));
    }
  }
  for (const table of column.querySelectorAll('table')) {
    // the text column (the table's scrolling box, where the theme gives it one)
    const box = table.closest('.pst-scrollable-table-container') || table.parentElement;
    const width = table.getBoundingClientRect().width;
    const fits = Math.min(room, box.clientWidth);
    if (width > fits + 1 || table.scrollWidth > table.clientWidth + 1)
      out.push(`table ${Math.round(width)} px in a ${Math.round(fits)} px column: `
               + table.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60));
  }
  return out;
}"""


def test_no_code_output_or_table_is_cut_off_on_a_wide_screen(browser, site_url):
    # 1280 px: code and printed lines are written within 80 columns, and tables fit
    problems = _visit(browser, site_url, 1280, 900, WIDE)
    assert not problems, "cut off at 1280 px:\n" + problems + "\nkeep code and printed " \
        "lines within 80 columns, and a table within 688 px (fewer or shorter columns)"


PHONE = """() => {
  const column = document.querySelector('article.bd-article').getBoundingClientRect();
  const out = [];
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 0) out.push(`the page scrolls sideways by ${sideways} px`);
  for (const m of document.querySelectorAll('article mjx-container:not([display="true"])')) {
    if (m.closest('div.math, table, .pst-scrollable-table-container')) continue;
    const box = m.getBoundingClientRect();
    if (box.width > 0 && box.right > column.right + 1)
      out.push(`an inline formula runs ${Math.round(box.right - column.right)} px past `
               + 'the column: ' + (m.closest('p, li') || m).textContent.slice(0, 60));
  }
  // a display formula wider than the column scrolls in its own box, with edge shadows
  for (const m of document.querySelectorAll('article mjx-container[display="true"]')) {
    if (m.scrollWidth > m.clientWidth + 1
        && !/gradient/.test(getComputedStyle(m).backgroundImage))
      out.push('a display formula scrolls with no shadow at its edge: '
               + m.textContent.slice(0, 40));
  }
  return out;
}"""


def test_nothing_runs_past_the_edge_of_a_phone(browser, site_url):
    # 390 px: no sideways scrolling of the page, no inline formula past the column, and
    # a scroll shadow on each display formula wider than the column
    problems = _visit(browser, site_url, 390, 844, PHONE)
    assert not problems, "at 390 px:\n" + problems + "\nmake a long inline formula a " \
        "display formula ($$ ... $$), split with `aligned` if needed"


FIGURES = """() => {
  const out = [];
  for (const img of document.querySelectorAll('article.bd-article img')) {
    const name = img.getAttribute('src').split('/').pop();
    const figure = img.closest('figure');
    const caption = figure && figure.querySelector('figcaption');
    if (!caption || !caption.querySelector('.caption-number'))
      out.push(`${name}: not in a numbered figure with a caption: give the cell `
               + 'mystnb figure metadata (caption, name), as the template does');
    if (!img.alt || /\\.(png|svg|jpe?g)\\b/i.test(img.alt) || img.alt.length < 20)
      out.push(`${name}: alt text "${img.alt}" does not describe the figure: `
               + 'say what it shows in the mystnb image alt of its cell');
    const link = img.closest('a');
    if (!link || !link.getAttribute('href').endsWith(name))
      out.push(`${name}: does not link to its full-size file: draw it in a `
               + 'code cell with mystnb figure metadata, as the template does');
    const shown = img.getBoundingClientRect().width;
    if (img.naturalWidth && shown < 0.8 * img.naturalWidth)
      out.push(`${name}: shown at ${Math.round(100 * shown / img.naturalWidth)}% of its `
               + `${img.naturalWidth} px: draw it for the column (at most `
               + `${Math.floor(shown / 0.8)} px wide)`);
  }
  return out;
}"""


def test_every_figure_is_numbered_captioned_and_drawn_for_the_column(browser, site_url):
    problems = _visit(browser, site_url, 1280, 900, """async () => {
        for (const img of document.images) { img.loading = 'eager'; img.scrollIntoView();
          if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; }); }
        return (""" + FIGURES + """)(); }""")
    assert not problems, "figures at 1280 px:\n" + problems


def test_the_pages_are_there():
    assert len(PAGES) > 0, f"no page starts with SITE_PAGES={os.environ.get('SITE_PAGES')!r}"
