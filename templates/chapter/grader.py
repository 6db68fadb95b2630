"""Graders for the exercises of chapter N (see :mod:`companion.exercises`).

Template: move this file to ``companion/exercises/chN.py`` and add ``chN`` to the
import line at the end of ``companion/exercises/__init__.py``.  Each exercise is its
worked solution, registered under the exercise's label with the inputs to try and at
least one planted wrong answer paired with a word its verdict must contain.
"""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []


# ----------------------------------------------------------- chN-ex-example
def _example_cases(rng):
    # a vector and a matrix: the answer must keep the shape of x
    return [(rng.standard_normal(5),), (rng.standard_normal((3, 4)),)]


def _example_sign(x):
    return -example_gradient(x)


def _example_no_square(x):
    return 1 - np.tanh(x)              # forgets to square tanh


@register("chN-ex-example", cases=_example_cases,
          wrong=[(_example_sign, "sign"), (_example_no_square, "values are wrong")])
def example_gradient(x):
    """The gradient of ``sum(tanh(x))``: ``1 - tanh(x)**2`` (eq. chN-eq-gradient)."""
    return 1 - np.tanh(x) ** 2
