"""Say where a warning is in a notebook as its author sees it: the cell and the line.

myst-nb numbers the lines of a notebook's cell i (0-based, over all cells) from
(i + 1) * 10000 + 1, and a warning adds one more: a paragraph that starts on line 3 of
the third cell is reported as ``book/10_huber/1_huber.ipynb:30004``.  This extension
rewrites that location to ``book/10_huber/1_huber.ipynb, cell 3 (Markdown), line 3``:
cells counted from 1 over all cells, Markdown and code, as JupyterLab shows them, and
the line where the paragraph or block with the problem starts (measured by planting
broken references in known cells of a built notebook).
"""

import json
import logging
import re
from pathlib import Path

from sphinx.util.logging import NAMESPACE, WarningLogRecordTranslator

NOTEBOOK_LINE = re.compile(r"^(?P<path>.+\.ipynb):(?P<number>\d{5,})$")


def cell_and_line(path, number, srcdir):
    """``'book/x.ipynb, cell 3 (Markdown), line 3'`` for myst-nb's line ``30004``."""
    cell, line = divmod(number, 10000)
    line = max(line - 1, 1)
    kind = ""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        kind = {"markdown": " (Markdown)", "code": " (code)"}.get(
            cells[cell - 1]["cell_type"], "")
    except (OSError, ValueError, KeyError, IndexError):
        pass                      # the location stays useful without the cell's kind
    try:
        path = Path(path).resolve().relative_to(Path(srcdir).resolve()).as_posix()
    except ValueError:
        pass
    return f"{path}, cell {cell}{kind}, line {line}"


class NotebookLocation(logging.Filter):
    """Runs after Sphinx has turned a warning's location into ``path:line``."""

    def __init__(self, srcdir):
        super().__init__()
        self.srcdir = srcdir

    def filter(self, record):
        match = NOTEBOOK_LINE.match(str(getattr(record, "location", None) or ""))
        if match:
            record.location = cell_and_line(match["path"], int(match["number"]),
                                            self.srcdir)
        if str(record.msg).startswith("undefined label"):
            record.msg = str(record.msg) + (" (define it with `(label)=` on the line above "
                                            "a heading, or fix its spelling)")
        return True


def setup(app):
    for handler in logging.getLogger(NAMESPACE).handlers:
        translators = [i for i, f in enumerate(handler.filters)
                       if isinstance(f, WarningLogRecordTranslator)]
        if translators:   # the warning handler: rewrite right after the translation
            handler.filters.insert(translators[0] + 1, NotebookLocation(app.srcdir))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
