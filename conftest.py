"""Test-session set-up shared by the package tests and the notebooks (pytest --nbval).

nbval compares every stored output exactly, stderr included.  On a fresh
machine the first import of matplotlib's font manager builds a font cache and
says so on stderr; if that happened inside a notebook's kernel, the notebook's
first plot would fail on a message that has nothing to do with the course.
Building the cache here, once, before any notebook runs, keeps it out.
"""


def pytest_configure(config):
    import matplotlib.font_manager  # noqa: F401  (importing it builds the font cache)
