import pickle

import numpy as np
import pytest

from companion.errors import ShapeError, all_finite, require_finite, require_labels


def test_shape_error_names_operation_shapes_and_rule():
    err = ShapeError("matvec", {"W": (3, 4), "x": (5,)}, "z = W x needs x of shape (4,)")
    assert isinstance(err, ValueError)
    assert str(err) == "matvec: got W (3, 4), x (5,); z = W x needs x of shape (4,)"
    assert err.shapes == {"W": (3, 4), "x": (5,)}


def test_shape_error_survives_pickling():
    err = pickle.loads(pickle.dumps(ShapeError("op", {"a": (1,)}, "rule")))
    assert (err.op, err.shapes, err.rule) == ("op", {"a": (1,)}, "rule")


def test_require_finite_names_each_bad_entry():
    a = np.zeros((2, 3))
    a[0, 2] = np.nan
    a[1, 0] = np.inf
    with pytest.raises(ValueError, match=r"op: a has 2 non-finite entries at \(0, 2\)=nan, "
                                         r"\(1, 0\)=inf"):
        require_finite("op", "a", a)


def test_require_finite_truncates_long_lists():
    with pytest.raises(ValueError, match="and 5 more"):
        require_finite("op", "a", np.full(10, np.nan), limit=5)


def test_require_finite_accepts_finite_and_integer_arrays():
    require_finite("op", "a", np.arange(3.0))
    require_finite("op", "a", np.arange(3))


def test_require_labels_names_the_labels_out_of_range():
    with pytest.raises(ValueError, match=r"op: labels must lie in 0..2; entries \[1, 3\] are "
                                         r"\[-1, 3\]"):
        require_labels("op", np.array([0, -1, 2, 3]), 3)
    require_labels("op", np.array([0, 1, 2]), 3)


def test_all_finite_agrees_with_isfinite_even_when_the_sum_overflows():
    rng = np.random.default_rng(0)
    for n in (35, 10_000):  # small arrays are tested entrywise, large ones summed first
        for bad in (np.nan, np.inf, -np.inf):
            a = rng.standard_normal(n)
            a[n // 2] = bad
            assert not all_finite(a)
        assert all_finite(rng.standard_normal(n))
        # +inf and -inf together sum to NaN; 1e308 + 1e308 overflows, yet every entry is finite.
        pair = np.zeros(n)
        pair[:2] = np.inf, -np.inf
        assert not all_finite(pair)
        pair[:2] = 1e308, 1e308
        assert all_finite(pair)
        z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        assert all_finite(z)
        z[1] = 1.0 + 1j * np.nan
        assert not all_finite(z)
    assert all_finite(np.empty(0))


def test_require_finite_still_names_entries_when_the_sum_overflows():
    a = np.array([1e308, 1e308, np.nan])
    with pytest.raises(ValueError, match=r"\(2,\)=nan"):
        require_finite("op", "a", a)
