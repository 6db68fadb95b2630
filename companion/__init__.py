"""companion: the executable half of the course on the matrix calculus behind backpropagation.

One module per chapter or theme, so the package reads like the table of contents:

* :mod:`companion.errors`     shape and input errors (every chapter)
* :mod:`companion.numeric`    derivatives by central differences (chapter 1)
* :mod:`companion.gradcheck`  gradient checks (chapter 1)
* :mod:`companion.jacobians`  the analytic Jacobians of chapter 1
* :mod:`companion.chainrule`  the chain rule as a product of Jacobians, and its cost (chapter 2)
* :mod:`companion.vjps`       the catalogue of ops: forward and VJP side by side (chapter 3)
* :mod:`companion.engine`     reverse-mode automatic differentiation over numpy arrays (chapter 3)
* :mod:`companion.circuits`   circuit diagrams drawn from the engine's graph (chapter 3)
* :mod:`companion.dimensions` dimension analysis: the shapes pick the formula (chapter 4)
* :mod:`companion.layers`     affine and activation layers, forward and backward (chapter 4)
* :mod:`companion.network`    a network in seed 004's notation, BP1-BP4 (chapter 5)
* :mod:`companion.losses`     softmax, cross-entropy, the SVM loss (chapter 6)
* :mod:`companion.twolayer`   a two-layer network trained on real data (chapter 7)
* :mod:`companion.blocks`     whole Jacobians by one reverse pass with a block of upstream
                              gradients (chapter 9)
* :mod:`companion.errata`     the slips of the source documents, each checked (appendix)
* :mod:`companion.plots`      pictures of derivatives
* :mod:`companion.notebook`   deterministic output for the chapter notebooks
"""

from . import (
    blocks,
    chainrule,
    circuits,
    dimensions,
    engine,
    errata,
    errors,
    gradcheck,
    jacobians,
    layers,
    losses,
    network,
    notebook,
    numeric,
    plots,
    twolayer,
    vjps,
)
from .errors import ShapeError

__all__ = ["blocks", "chainrule", "circuits", "dimensions", "engine", "errata", "errors",
           "gradcheck", "jacobians", "layers", "losses", "network", "notebook", "numeric",
           "plots", "twolayer", "vjps", "ShapeError"]
__version__ = "0.1.0"
