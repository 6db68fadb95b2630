"""companion: the executable half of the course on the matrix calculus behind backpropagation.

One module per chapter or theme, so the package reads like the table of contents:

* :mod:`companion.errors`     shape and input errors (every chapter)
* :mod:`companion.numeric`    derivatives by central differences (chapter 1)
* :mod:`companion.gradcheck`  gradient checks (chapter 1)
* :mod:`companion.jacobians`  the analytic Jacobians of chapter 1
* :mod:`companion.plots`      pictures of derivatives
* :mod:`companion.notebook`   deterministic output for the chapter notebooks
"""

from . import errors, gradcheck, jacobians, notebook, numeric, plots
from .errors import ShapeError

__all__ = ["errors", "gradcheck", "jacobians", "notebook", "numeric", "plots", "ShapeError"]
__version__ = "0.1.0"
