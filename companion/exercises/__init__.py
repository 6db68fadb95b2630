"""Graders for the book's exercises: try your own answer, get a kind, specific verdict.

Every exercise of the book ends with a "your turn" cell: a function for the learner to
fill in, then ::

    exercises.check("ch1-ex-bias", dz_db)

which calls the function on a few inputs chosen so that a wrong formula cannot pass,
compares the result with the worked solution, and prints one line: ``correct``, ``not
done yet`` (the stub still raises ``NotImplementedError``), or what is wrong (a shape,
a sign, a constant factor, a transpose, a NaN) without printing the answer itself.

Each chapter's graders live in their own module (``ch1`` ... ``ch9``); a grader is the
reference solution decorated with :func:`register`, with the inputs to try and at least
one planted wrong answer that the tests feed to it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Exercise", "Verdict", "register", "grade", "check", "REGISTRY"]

#: Every exercise with a grader, by its label in the book (``"ch1-ex-bias"``).
REGISTRY: dict[str, "Exercise"] = {}

_SEED = 20261204  # the inputs a grader tries are the same on every run


@dataclass(frozen=True)
class Exercise:
    """One exercise: the worked solution, the inputs to try, and planted wrong answers.

    ``cases(rng)`` returns a list of argument tuples; the learner's function and
    ``reference`` are called with each.  ``wrong`` pairs a wrong answer with a word its
    verdict must contain (the tests check it).  ``hint`` is added when the values are
    wrong in no recognisable pattern.
    """

    id: str
    reference: Callable
    cases: Callable[[np.random.Generator], list]
    wrong: tuple = ()
    hint: str = ""
    tol: float = 1e-6
    names: tuple = field(default=())


@dataclass(frozen=True)
class Verdict:
    """What :func:`grade` found: ``ok`` is True only when every input passed."""

    id: str
    ok: bool
    done: bool
    message: str

    def __str__(self) -> str:
        return self.message


def register(exercise_id: str, *, cases, wrong=(), hint: str = "", tol: float = 1e-6,
             names=()):
    """Decorator: register the decorated reference solution as exercise ``exercise_id``.

    ``names`` optionally names the outputs when the function returns a tuple
    (``("dW", "db")``), so that a verdict can say which one is wrong.
    """

    def decorate(reference):
        if exercise_id in REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        REGISTRY[exercise_id] = Exercise(exercise_id, reference, cases, tuple(wrong), hint, tol,
                                         tuple(names))
        return reference

    return decorate


def _norm_error(got, want) -> float:
    scale = np.linalg.norm(got) + np.linalg.norm(want)
    return float(np.linalg.norm(got - want) / scale) if scale > 0 else 0.0


def _diagnose(got, want, tol) -> str | None:
    """None if ``got`` matches ``want``; otherwise a short description of the mismatch."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"returned something that is not an array of numbers ({type(got).__name__})"
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        if got.T.shape == want.shape and _norm_error(got.T, want) <= tol:
            return (f"shape {got.shape}, where {want.shape} is expected: the values are right "
                    "but transposed (check the layout: which axis is the output?)")
        if got.size == want.size and _norm_error(got.reshape(want.shape), want) <= tol:
            return f"shape {got.shape}, where {want.shape} is expected (the values are right)"
        return f"shape {got.shape}, where {want.shape} is expected"
    if not np.all(np.isfinite(got)):
        return "contains NaN or inf: look for a division by zero or an overflow"
    if _norm_error(got, want) <= tol:
        return None
    if _norm_error(-got, want) <= tol:
        return "the sign is wrong (every entry has the opposite sign)"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _norm_error(got.T, want) <= tol:
        return "transposed: entry (i, j) holds what belongs at (j, i)"
    dot = float(np.vdot(got, want))
    if dot != 0.0 and np.linalg.norm(want) > 0:
        factor = dot / float(np.vdot(want, want))
        if _norm_error(got, factor * want) <= tol:
            return (f"off by a constant factor: every entry is {factor:.3g} times the right "
                    "value (a missing or extra factor?)")
    worst = np.unravel_index(int(np.argmax(np.abs(got - want))), want.shape) if want.ndim else ()
    where = f" (the largest error is at entry {tuple(int(i) for i in worst)})" if want.ndim else ""
    return f"the values are wrong, relative error {_norm_error(got, want):.1e}{where}"


def grade(exercise_id: str, fn: Callable) -> Verdict:
    """Call ``fn`` on the exercise's inputs and compare with the worked solution."""
    if exercise_id not in REGISTRY:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(REGISTRY))}")
    ex = REGISTRY[exercise_id]
    cases = ex.cases(np.random.default_rng(_SEED))
    for k, args in enumerate(cases, start=1):
        try:
            got = fn(*args)
        except NotImplementedError:
            return Verdict(exercise_id, False, False,
                           f"{exercise_id}: not done yet. Fill in the function above "
                           "and run it again.")
        except Exception as err:  # the learner's code failed: say how, kindly
            return Verdict(exercise_id, False, True,
                           f"{exercise_id}: your function raised {type(err).__name__}: "
                           f"{str(err)[:120]}")
        if got is None or got is Ellipsis:
            return Verdict(exercise_id, False, False,
                           f"{exercise_id}: not done yet (the function returned nothing).")
        want = ex.reference(*args)
        if isinstance(want, tuple):
            if not isinstance(got, (tuple, list)) or len(got) != len(want):
                return Verdict(exercise_id, False, True,
                               f"{exercise_id}: return {len(want)} results, in the order "
                               "the exercise asks for")
            pairs = list(zip(got, want))
        else:
            pairs = [(got, want)]
        for j, (g, w) in enumerate(pairs):
            problem = _diagnose(g, w, ex.tol)
            if problem is None:
                continue
            what = ""
            if len(pairs) > 1:
                what = (f"{ex.names[j]}: " if len(ex.names) == len(pairs)
                        else f"result {j + 1} of {len(pairs)}: ")
            hint = f" Hint: {ex.hint}" if ex.hint and problem.startswith("the values") else ""
            return Verdict(exercise_id, False, True,
                           f"{exercise_id}: not yet, on test input {k} of {len(cases)}: "
                           f"{what}{problem}.{hint}")
    return Verdict(exercise_id, True, True,
                   f"{exercise_id}: correct on all {len(cases)} test inputs. Well done.")


def check(exercise_id: str, fn: Callable) -> None:
    """Grade ``fn`` and print the verdict, wrapped at 80 columns."""
    print(textwrap.fill(grade(exercise_id, fn).message, width=80, subsequent_indent="  ",
                        break_long_words=False, break_on_hyphens=False))


# Each chapter's graders register themselves on import.
from companion.exercises import ch1, ch2, ch3, ch4, ch5, ch6, ch7, ch8, ch9  # noqa: E402,F401
