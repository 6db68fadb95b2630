"""companion.notebook.check_table: one line per check, verdict first, within 80 columns."""

import numpy as np

from companion.gradcheck import check_gradient
from companion.notebook import check_table


def test_check_table_puts_the_verdict_first_and_fits_80_columns():
    x = np.array([0.3, -1.2, 2.0])
    right = check_gradient(lambda v: np.sum(v**2), x, 2 * x)
    wrong = check_gradient(lambda v: np.sum(v**2), x, x)
    lines = check_table([("gradient 2x", right), ("gradient x (planted)", wrong)]).splitlines()
    assert len(lines) == 3 and lines[0].startswith("verdict")
    assert lines[1].startswith("PASS") and lines[1].endswith("gradient 2x")
    assert lines[2].startswith("FAIL") and f"{wrong.error:.1e}" in lines[2]
    assert str(right.n_evals) in lines[1]
    assert max(len(line) for line in lines) <= 80


def test_check_table_compares_two_arrays_by_their_relative_error():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    lines = check_table([("same", a, a.copy()), ("transposed", a, a.T)]).splitlines()
    assert lines[1].startswith("PASS") and lines[1].endswith("same")
    assert lines[2].startswith("FAIL") and "transposed" in lines[2]
    # a looser tolerance lets a near-miss pass
    near = a * (1 + 1e-5)
    assert check_table([("near", a, near)]).splitlines()[1].startswith("FAIL")
    assert check_table([("near", a, near)], tol=1e-4).splitlines()[1].startswith("PASS")


def test_check_table_refuses_a_row_it_cannot_read():
    import pytest
    with pytest.raises(TypeError, match="each row is"):
        check_table([("label only",)])
