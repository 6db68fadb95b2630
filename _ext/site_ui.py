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

STATIC = Path(__file__).with_name("static")


def add_static_path(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", add_static_path)
    app.add_js_file("course.js", loading_method="defer")
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
