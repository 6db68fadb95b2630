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
