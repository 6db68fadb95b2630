"""The course's own small fixes to the theme: working navigation buttons, and styles.

sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1 renders two buttons of each
class ``primary-toggle`` (site menu) and ``secondary-toggle`` (page contents): the
header's, which the theme hides, and the article header's, which the reader sees.
Both themes' scripts bind ``document.querySelector(...)``, the first, hidden one
(pydata-sphinx-theme issue 2451), so on a phone or a narrow window the visible buttons
do nothing. ``static/course.js`` forwards a click on every visible twin to the bound
button. ``static/course.css`` holds the course's layout and print styles.
"""

from pathlib import Path

import pybtex.plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle

STATIC = Path(__file__).with_name("static")


class AuthorYearLabels(BaseLabelStyle):
    """Reference-list labels in the form the text cites: "Goodfellow et al., 2016"."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [" ".join(p.last_names) for p in people]
            if len(names) >= 3:
                who = f"{names[0]} et al."
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = names[0] if names else entry.fields.get("title", "Anon.")
            yield f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(UnsrtStyle):
    """The unsrt formatting, sorted by author and year, with author-year labels."""

    default_label_style = "course-author-year"
    default_sorting_style = "author_year_title"


pybtex.plugin.register_plugin("pybtex.style.labels", "course-author-year", AuthorYearLabels)
pybtex.plugin.register_plugin("pybtex.style.formatting", "course-author-year", AuthorYearStyle)


def add_static_path(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", add_static_path)
    app.add_js_file("course.js", loading_method="defer")
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
