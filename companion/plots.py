"""Pictures of derivatives, drawn with matplotlib only.

Chapter 1 (:ref:`ch1-pictures`): :func:`jacobian_heatmap` shows a Jacobian's
structure (the diagonal of an elementwise map, the matrix ``W`` itself).
"""

from __future__ import annotations

import numpy as np

from .errors import ShapeError

__all__ = ["jacobian_heatmap"]


def jacobian_heatmap(J, ax=None, *, title: str | None = None, annotate: bool | None = None,
                     out_name: str = "z", in_name: str = "x", fmt: str = "{:.2g}"):
    """Draw the matrix ``J`` (rows: outputs, columns: inputs) as a heatmap.

    Zero is white, positive red, negative blue, on a scale symmetric about
    zero, so that a diagonal or a sparsity pattern is visible at a glance.
    Rows are labelled ``out_name_1 ... out_name_m`` and columns
    ``in_name_1 ... in_name_n`` (1-based, as in the book's formulas).

    Parameters
    ----------
    J : array_like of shape (m, n), or (n,) for a gradient (drawn as one row).
    ax : matplotlib Axes, optional (a new figure is made if omitted).
    annotate : write each entry's value in its cell; default: when J has at most 100 entries.

    Returns
    -------
    ax : the Axes drawn on.
    """
    import matplotlib.pyplot as plt

    J = np.asarray(J, dtype=np.float64)
    if J.ndim == 1:
        J = J[None, :]
    if J.ndim != 2:
        raise ShapeError("jacobian_heatmap", {"J": J.shape},
                         "a heatmap needs a matrix (m, n) or a gradient (n,)")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * J.shape[1] + 1.8, 0.5 * J.shape[0] + 1.2))
    m, n = J.shape
    scale = float(np.max(np.abs(J))) or 1.0
    image = ax.imshow(J, cmap="RdBu_r", vmin=-scale, vmax=scale)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n), [f"${in_name}_{{{j + 1}}}$" for j in range(n)])
    ax.set_yticks(range(m), [f"${out_name}_{{{i + 1}}}$" for i in range(m)])
    ax.tick_params(length=0)
    if annotate is None:
        annotate = J.size <= 100
    if annotate:
        for i in range(m):
            for j in range(n):
                value = J[i, j]
                dark = abs(value) > 0.6 * scale
                ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=9,
                        color="white" if dark else "black")
    if title:
        ax.set_title(title)
    return ax
