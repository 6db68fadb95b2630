"""One call at the top of every chapter notebook: deterministic, readable output.

``companion.notebook.setup()`` rounds printed arrays to 4 decimals and gives
matplotlib figures a stable text description.  In Jupyter a figure is stored
with a picture *and* a plain-text form; matplotlib's plain text,
``<Figure size 640x480 with 1 Axes>``, says nothing to a reader and depends on
the figure's size.  Here it becomes ``[figure: <titles>]``, which nbval
compares exactly and a screen reader can read.
"""

from __future__ import annotations

import textwrap

import numpy as np

__all__ = ["setup", "describe_figure", "check_table"]


def describe_figure(fig) -> str:
    """``[figure: suptitle | title of each Axes]``, or ``[figure]`` when nothing is titled.

    Wrapped at 80 columns, like every other printed line of the book.
    """
    titles = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        titles.append(fig._suptitle.get_text())
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    if not titles:
        return "[figure]"
    return textwrap.fill(f"[figure: {' | '.join(titles)}]", width=80)


def check_table(rows, tol: float = 1e-7) -> str:
    """One line per check, verdict first, as a table that fits 80 columns.

    Each row is ``(label, result)``, with ``result`` a
    :class:`companion.gradcheck.CheckResult`, or ``(label, computed, expected)``,
    two arrays of one shape compared by their relative error (chapter 1, eq.
    ``ch1-eq-relerror``), which passes at or below ``tol``.  The columns are the
    verdict, the relative error, the number of evaluations of ``f`` (blank for a
    comparison) and the label.
    """
    from companion.gradcheck import CheckResult, rel_error

    lines = ["verdict  rel. error  calls of f  check"]
    for row in rows:
        if len(row) == 2 and isinstance(row[1], CheckResult):
            label, result = row
            ok, error, calls = result.ok, result.error, f"{result.n_evals:10d}"
        elif len(row) == 3:
            label, computed, expected = row
            error = rel_error(computed, expected)
            ok, calls = error <= tol, " " * 10
        else:
            raise TypeError("check_table: each row is (label, CheckResult) or "
                            f"(label, computed, expected); got a row of {len(row)} items")
        verdict = "PASS" if ok else "FAIL"
        lines.append(f"{verdict:7s}  {error:10.1e}  {calls}  {label}".rstrip())
    return "\n".join(lines)


def _pretty_figure(fig, printer, cycle):
    printer.text(describe_figure(fig))


def setup() -> None:
    """Set print options and the figure text form for a chapter notebook."""
    np.set_printoptions(precision=4, suppress=True)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # matplotlib-inline installs its figure formatters lazily, at the first figure, and
    # that removes any Figure printer registered before.  Make (and drop) one figure first.
    plt.close(plt.figure())
    shell.display_formatter.formatters["text/plain"].for_type(Figure, _pretty_figure)
