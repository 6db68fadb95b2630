"""Graders for the exercises of chapter 1 (see :mod:`companion.exercises`)."""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []


def _bias_cases(rng):
    # m != n and no symmetric W, so that a transposed or mis-shaped answer cannot pass
    return [(rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(3)),
            (rng.standard_normal((2, 4)), rng.standard_normal(4), rng.standard_normal(2))]


def _bias_wrong_shape(W, x, b):
    return np.ones_like(b)            # the "derivative is 1" slip: a vector, not I


def _bias_wrong_x(W, x, b):
    return np.eye(len(b)), W.T        # dz/dx in denominator layout


@register("ch1-ex-bias", cases=_bias_cases, names=("dz/db", "dz/dx"),
          wrong=[(_bias_wrong_shape, "return 2 results"), (_bias_wrong_x, "transposed")])
def bias_jacobians(W, x, b):
    """The Jacobians of z = W x + b with respect to b and to x: (I_m, W)."""
    return np.eye(len(b)), W.copy()
