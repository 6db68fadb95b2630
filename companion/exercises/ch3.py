"""Graders for the exercises of chapter 3 (see :mod:`companion.exercises`).

Each learner's function returns plain numbers (a gradient as an array), computed by a
staged backward pass by hand; the grader compares them with the worked solution on
inputs where no two values coincide, no input is 0 or 1, and no divisor is near 0.
"""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []


def _nonzero(rng, size=None, low=0.5, high=2.5):
    """Values away from 0 and from each other, of both signs."""
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


# -- ch3-ex-quotient: f(x, y, z, w) = (x y + z) / w ---------------------------------------------

def _quotient_cases(rng):
    cases = [(2.0, -3.0, 1.0, 4.0)]                      # the exercise's own point
    for _ in range(3):
        x, y, z, w = _nonzero(rng, 4)
        cases.append((float(x), float(y), float(z), float(w)))
    return cases


def _quotient_wrong_sign_w(x, y, z, w):
    n = x * y + z
    return np.array([y / w, x / w, 1 / w, n / w**2])    # the minus of d(1/w)/dw lost


def _quotient_no_swap(x, y, z, w):
    return np.array([x / w, y / w, 1 / w, -(x * y + z) / w**2])  # multiply gate not swapped


@register("ch3-ex-quotient", cases=_quotient_cases,
          wrong=[(_quotient_wrong_sign_w, "entry (3,)"), (_quotient_no_swap, "values")],
          hint="stage it: p = x y, s = p + z, f = s / w, then go backward gate by gate.")
def quotient_gradient(x, y, z, w):
    """[df/dx, df/dy, df/dz, df/dw] for f = (x y + z) / w, by a staged backward pass."""
    p = x * y
    s = p + z
    ds, dw = 1.0 / w, -s / w**2          # division gate: 1/w, -s/w^2
    dp, dz = ds, ds                      # add gate: distributes
    dx, dy = y * dp, x * dp              # multiply gate: swaps
    return np.array([dx, dy, dz, dw])


# -- ch3-ex-max3: max(max(x, y), z) with the engine's tie rule ----------------------------------

def _max3_cases(rng):
    a, b = sorted(rng.uniform(0.5, 2.0, 2))
    return [(1.0, 1.0, 1.0),            # a three-way tie
            (b, b, a),                  # the inner gate tied, the outer not
            (a, b, b),                  # the outer gate tied
            (b, a, b),                  # the outer gate tied, x wins the inner one
            (-a, b, -b)]                # no tie at all


def _max_share(u, v):
    """The local gradients of max(u, v): 1 to the larger, 1/2 each at a tie."""
    return (1.0, 0.0) if u > v else (0.5, 0.5) if u == v else (0.0, 1.0)


def _max3_cs231n_rule(x, y, z):
    # 1[u >= v] and 1[v >= u]: both inputs of a tied gate get everything
    inner = max(x, y)
    ox, oz = float(inner >= z), float(z >= inner)
    return np.array([ox * float(x >= y), ox * float(y >= x), oz])


def _max3_thirds(x, y, z):
    # a single three-input gate that splits evenly among the winners
    m = max(x, y, z)
    winners = np.array([x, y, z]) == m
    return winners / winners.sum()


@register("ch3-ex-max3", cases=_max3_cases,
          wrong=[(_max3_cs231n_rule, "entry"), (_max3_thirds, "values")],
          hint="at a tie each max gate sends half of what it receives to each input.")
def max3_gradient(x, y, z):
    """The gradient of max(max(x, y), z) that the engine's tie rule gives: [d/dx, d/dy, d/dz]."""
    inner = max(x, y)
    to_inner, to_z = _max_share(inner, z)
    to_x, to_y = _max_share(x, y)
    return np.array([to_inner * to_x, to_inner * to_y, to_z])


# -- ch3-ex-tanh: a tanh neuron, f = tanh(w . x + b) --------------------------------------------

def _tanh_cases(rng):
    cases = [(np.array([2.0, -3.0]), np.array([-1.0, -2.0]), -3.0)]   # the page's neuron
    for d in (3, 4):
        w = 0.5 * _nonzero(rng, d, 0.3, 1.2)
        x = _nonzero(rng, d, 0.3, 1.5)
        cases.append((w, x, float(rng.uniform(-0.5, 0.5))))
    return cases


def _tanh_sign(w, x, b):
    dz = np.tanh(w @ x + b) ** 2 - 1.0                   # tanh^2 - 1: the sign flipped
    return x * dz, w * dz, dz


def _tanh_no_swap(w, x, b):
    dz = 1.0 - np.tanh(w @ x + b) ** 2
    return w * dz, x * dz, dz                            # each input's own value, not swapped


def _tanh_sigmoid_rule(w, x, b):
    out = np.tanh(w @ x + b)
    dz = (1.0 - out) * out                               # the sigmoid's (1 - s) s
    return x * dz, w * dz, dz


@register("ch3-ex-tanh", cases=_tanh_cases, names=("dw", "dx", "db"),
          wrong=[(_tanh_sign, "sign"), (_tanh_no_swap, "dw"), (_tanh_sigmoid_rule, "factor")])
def tanh_neuron_gradient(w, x, b):
    """(dw, dx, db) for f = tanh(w . x + b), w and x of the same length, b a number."""
    out = np.tanh(np.dot(w, x) + b)
    dz = 1.0 - out**2                    # the tanh gate, from its output
    return x * dz, w * dz, dz            # multiply gates swap; the bias gets dz


# -- ch3-ex-bug: predict the buggy gradient of f = x y (x + y), then fix it --------------------

def _bug_cases(rng):
    cases = [(2.0, 3.0)]
    for _ in range(3):
        x, y = _nonzero(rng, 2)
        cases.append((float(x), float(y)))
    return cases


def _bug_fixed_only(x, y):
    right = bug_prediction_and_fix(x, y)[1]
    return right, right                                  # the prediction is the right answer


def _bug_still_buggy(x, y):
    buggy = bug_prediction_and_fix(x, y)[0]
    return buggy, buggy                                  # the "fix" still overwrites


@register("ch3-ex-bug", cases=_bug_cases, names=("what the buggy code returns", "fixed"),
          wrong=[(_bug_fixed_only, "what the buggy code returns"),
                 (_bug_still_buggy, "fixed")])
def bug_prediction_and_fix(x, y):
    """([dx, dy] as the buggy code returns them, [dx, dy] right) for f = x y (x + y)."""
    p, s = x * y, x + y
    dp, ds = s, p
    buggy = np.array([1.0 * ds, 1.0 * ds])               # the last assignments win
    dx, dy = 0.0, 0.0
    dx += y * dp
    dy += x * dp
    dx += 1.0 * ds
    dy += 1.0 * ds
    return buggy, np.array([dx, dy])


# -- ch3-ex-div: the two VJPs of the division gate o = a / b ------------------------------------

def _div_cases(rng):
    return [(rng.standard_normal(4), rng.standard_normal(4), _nonzero(rng, 4)),
            (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), _nonzero(rng, (2, 3)))]


def _div_sign(g, a, b):
    return g / b, g * a / b**2                           # the minus of -a/b^2 lost


def _div_forgot_a(g, a, b):
    return g / b, -g / b**2                              # d(1/b)/db, as if a were 1


@register("ch3-ex-div", cases=_div_cases, names=("da", "db"),
          wrong=[(_div_sign, "sign"), (_div_forgot_a, "db: the values")])
def div_vjps(g, a, b):
    """(da, db) for o = a / b (elementwise) and the upstream gradient g: (g / b, -g o / b)."""
    out = a / b
    return g / b, -g * out / b
