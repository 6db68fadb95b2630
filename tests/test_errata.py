"""The errata of the sources: every formula slip is confirmed and its correction checked.

Each check evaluates, at a seeded point, the formula as written, the corrected
formula and an independent reference (central differences, the package, the
engine).  A check is honest only if it can fail: the written value must really
differ from the reference, and the corrected one must equal it.
"""

from pathlib import Path

import numpy as np
import pytest

from companion import errata
from companion.errata import (CATEGORIES, CHECKS, ERRATA, SOURCES, Erratum, ErratumCheck,
                              check_all, counts, errata_of, formula_errata, listing, load,
                              text_errata)

BOOK = Path(__file__).resolve().parents[1] / "book"
FORMULA = formula_errata()


@pytest.fixture(scope="module", params=FORMULA, ids=[e.key for e in FORMULA])
def checked(request):
    erratum = request.param
    return erratum, erratum.check()


def test_there_are_formula_and_text_errata():
    assert len(FORMULA) >= 20 and len(text_errata()) >= 10
    assert len(FORMULA) + len(text_errata()) == len(ERRATA)


def test_check_is_ok(checked):
    erratum, check = checked
    assert isinstance(check, ErratumCheck)
    assert check.ok, f"{erratum.key}: {check.summary()}"


def test_written_differs_from_reference(checked):
    erratum, check = checked
    assert not check.written_matches, f"{erratum.key}: the slip does not show at this point"
    if isinstance(check.written, str):  # the written form cannot even be evaluated
        assert check.written.startswith("undefined")
        return
    written = np.asarray(check.written, dtype=np.float64)
    reference = np.asarray(check.reference, dtype=np.float64)
    if written.shape == reference.shape:
        assert not np.allclose(written, reference, rtol=1e-6, atol=1e-8)


def test_corrected_equals_reference(checked):
    erratum, check = checked
    corrected = np.asarray(check.corrected, dtype=np.float64)
    reference = np.asarray(check.reference, dtype=np.float64)
    assert corrected.shape == reference.shape, erratum.key
    np.testing.assert_allclose(corrected, reference, rtol=1e-6, atol=1e-8, err_msg=erratum.key)


def test_check_is_deterministic(checked):
    erratum, check = checked
    again = erratum.check()
    np.testing.assert_array_equal(np.asarray(again.written), np.asarray(check.written))
    np.testing.assert_array_equal(np.asarray(again.reference), np.asarray(check.reference))
    assert again.summary() == check.summary()


def test_summary_states_the_verdict(checked):
    erratum, check = checked
    line = check.summary()
    assert "written" in line
    assert line.endswith("-> confirmed; corrected matches"), line


@pytest.mark.parametrize("erratum", ERRATA, ids=[e.key for e in ERRATA])
def test_erratum_is_complete(erratum):
    for field in ("key", "source", "place", "as_written", "corrected", "chapter"):
        value = getattr(erratum, field)
        assert isinstance(value, str) and value.strip(), f"{erratum.key}: empty {field}"
    assert erratum.kind in ("formula", "text")
    assert (erratum.check is None) == (erratum.kind == "text")
    assert erratum.as_written != erratum.corrected
    assert erratum.source in SOURCES.values()
    assert erratum.source == SOURCES[erratum.prefix], "the key's prefix names the source"
    for chapter in (erratum.chapter, *erratum.see_also):
        assert (BOOK / chapter / "index.md").exists(), f"{erratum.key}: no chapter {chapter}"
    assert erratum.category in CATEGORIES
    # LaTeX is delimited: an even number of $ signs, and no pipe (it would split a table cell)
    for text in (erratum.place, erratum.as_written, erratum.corrected):
        assert text.count("$") % 2 == 0, f"{erratum.key}: unbalanced $ in {text!r}"
        assert "|" not in text, f"{erratum.key}: a pipe would split a table cell"


def test_keys_are_unique():
    keys = [e.key for e in ERRATA]
    assert len(keys) == len(set(keys))


def test_no_slip_is_listed_twice():
    pairs = [(e.source, e.as_written) for e in ERRATA]
    assert len(pairs) == len(set(pairs))


def test_every_source_has_errata_and_the_groups_cover_all():
    groups = [errata_of(prefix) for prefix in SOURCES]
    assert all(groups)
    assert sum(len(g) for g in groups) == len(ERRATA)
    with pytest.raises(ValueError):
        errata_of("005")


def test_check_all_runs_every_formula_check():
    results = check_all()
    assert [e.key for e, _ in results] == [e.key for e in FORMULA]
    assert all(c.ok for _, c in results)


def test_a_check_can_fail():
    # a "slip" that equals the reference is not confirmed, and a wrong correction fails
    same = ErratumCheck(written=1.0, corrected=1.0, reference=1.0)
    assert same.written_matches and not same.ok
    assert "CHECK FAILED" in same.summary()
    wrong = ErratumCheck(written=2.0, corrected=3.0, reference=1.0)
    assert not wrong.corrected_matches and not wrong.ok
    # another shape never matches, and neither does a non-finite value
    assert not ErratumCheck(np.ones(3), 1.0, 1.0).written_matches
    assert not ErratumCheck(np.array([np.inf, 1.0]), 0, np.array([1.0, 1.0])).written_matches


def test_erratum_validates_its_fields():
    with pytest.raises(ValueError):
        Erratum("x-2", "another book", "p", "text", "slip", "a", "b", "01_jacobians")
    with pytest.raises(ValueError):
        Erratum("x-3", SOURCES["000"], "p", "typo", "slip", "a", "b", "01_jacobians")
    with pytest.raises(ValueError):
        Erratum("x-4", SOURCES["000"], "p", "text", "mistake", "a", "b", "01_jacobians")


def test_the_data_file_and_the_checks_agree(tmp_path):
    # every formula finding has a check and every check a finding: a record without one fails
    text = (Path(errata.__file__).with_name("errata.yaml")).read_text(encoding="utf-8")
    broken = tmp_path / "errata.yaml"
    broken.write_text(text.replace("kind: text", "kind: formula", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="without a check"):
        load(broken)
    assert {e.key for e in FORMULA} == set(CHECKS)


def test_the_categories_are_counted_and_the_three_non_slips_are_not_slips():
    c = counts()
    assert sum(sum(v.values()) for v in c.values()) == len(ERRATA)
    assert all(sum(c[cat].values()) > 0 for cat in CATEGORIES)
    by_key = {e.key: e for e in ERRATA}
    for key in ("004-batch-1-over-m", "003-reg-gradient", "003-dS2-scale"):
        assert by_key[key].category == "remark", key
    assert "000-2.8.4-scaling" not in by_key  # exact when read with broadcasting
    # one lost operator, one finding
    assert "003-mask-operator" in by_key
    assert "003-dS1-operator" not in by_key and "003-dW1-order" not in by_key


def test_a_check_of_a_formula_that_cannot_be_evaluated():
    check = ErratumCheck("undefined: shapes (2, 4) and (3, 4)", 1.0, 1.0)
    assert not check.written_matches and check.ok
    assert check.summary().startswith("written undefined")


def test_the_listings_have_one_entry_per_finding():
    for prefix in SOURCES:
        for kind in ("formula", "text"):
            entries = [line for line in listing(prefix, kind).splitlines()
                       if line.startswith("- **")]
            assert len(entries) == sum(e.kind == kind for e in errata_of(prefix))


def test_public_names():
    for name in errata.__all__:
        assert hasattr(errata, name)
