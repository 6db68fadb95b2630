"""The exercise graders: each accepts its worked solution and catches planted wrong answers.

Every exercise in the book has a grader, and its page has a "your turn" cell that calls it.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from companion import exercises
from companion.exercises import REGISTRY, grade

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_PAGES = sorted((ROOT / "book").glob("*/exercises.ipynb"))
IDS = sorted(REGISTRY)


def _exercise_labels(path):
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.findall(r"```\{exercise\}[^\n]*\n:label:\s*(\S+)", text)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_worked_solution_passes(exercise_id):
    verdict = grade(exercise_id, REGISTRY[exercise_id].reference)
    assert verdict.ok, verdict.message
    assert "correct" in verdict.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_planted_wrong_answer_is_caught_with_its_reason(exercise_id):
    ex = REGISTRY[exercise_id]
    assert ex.wrong, f"{exercise_id} has no planted wrong answer: give its @register " \
        "wrong=[(a_wrong_function, 'a word of its verdict')]"
    for wrong_fn, expected in ex.wrong:
        verdict = grade(exercise_id, wrong_fn)
        assert not verdict.ok, f"{exercise_id}: {wrong_fn.__name__} was accepted"
        assert expected in verdict.message, (
            f"{exercise_id}: {wrong_fn.__name__}'s verdict {verdict.message!r} lacks "
            f"{expected!r}: pair it with a word of that verdict in wrong=[...]")


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_unfilled_stub_is_not_done_yet(exercise_id):
    def stub(*args):
        raise NotImplementedError

    verdict = grade(exercise_id, stub)
    assert not verdict.ok and not verdict.done
    assert "not done yet" in verdict.message


def test_the_verdicts_name_sign_factor_shape_and_transpose():
    @exercises.register("test-ex-probe", cases=lambda rng: [(rng.standard_normal((3, 4)),)],
                        wrong=[(lambda A: -A, "sign")])
    def ref(A):
        return A

    try:
        assert "sign" in grade("test-ex-probe", lambda A: -A).message
        assert "factor" in grade("test-ex-probe", lambda A: 2 * A).message
        assert "transposed" in grade("test-ex-probe", lambda A: A.T).message
        assert "shape (3,)" in grade("test-ex-probe", lambda A: A[:, 0]).message
        assert "NaN" in grade("test-ex-probe", lambda A: A * np.nan).message
        assert "raised ZeroDivisionError" in grade("test-ex-probe", lambda A: 1 / 0).message
        assert grade("test-ex-probe", lambda A: A.copy()).ok
        assert "entry" in grade("test-ex-probe", lambda A: A + np.eye(3, 4)).message
    finally:
        del REGISTRY["test-ex-probe"]


@pytest.mark.parametrize("path", EXERCISE_PAGES, ids=lambda p: p.parent.name)
def test_every_exercise_in_the_book_has_a_grader_and_a_your_turn_cell(path):
    labels = _exercise_labels(path)
    assert labels, f"{path} has no exercise: add one (templates/chapter/exercises.ipynb)"
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for label in labels:
        assert label in REGISTRY, (
            f"{label} has no grader: register its worked solution with @register("
            f"{label!r}, ...) in companion/exercises/chN.py, a module imported at the end "
            "of companion/exercises/__init__.py (templates/chapter/grader.py)")
        assert re.search(rf"check\(\s*[\"']{re.escape(label)}[\"']", code), \
            f"{path.name}: {label} has no your-turn cell: add a code cell after the " \
            f"exercise with a stub and exercises.check({label!r}, your_function)"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_printed_verdict_fits_80_columns(exercise_id, capsys):
    def not_done_yet(*args):
        raise NotImplementedError

    exercises.check(exercise_id, not_done_yet)
    printed = capsys.readouterr().out
    assert "not done yet" in printed
    assert max(len(line) for line in printed.splitlines()) <= 80, printed
