import matplotlib

matplotlib.use("Agg")  # package tests only; notebooks keep the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion.errors import ShapeError  # noqa: E402
from companion.notebook import describe_figure  # noqa: E402
from companion.plots import jacobian_heatmap  # noqa: E402


def test_heatmap_draws_the_matrix_on_a_symmetric_scale():
    J = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, 3.0]])
    ax = jacobian_heatmap(J, title="J")
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), J)
    assert image.get_clim() == (-3.0, 3.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["$x_{1}$", "$x_{2}$", "$x_{3}$"]
    assert len(ax.texts) == 6  # annotated
    plt.close("all")


def test_heatmap_of_a_gradient_is_one_row_and_zero_matrix_is_allowed():
    ax = jacobian_heatmap(np.zeros(4))
    assert ax.images[0].get_array().shape == (1, 4)
    plt.close("all")


def test_heatmap_refuses_a_3d_array():
    with pytest.raises(ShapeError, match="a heatmap needs a matrix"):
        jacobian_heatmap(np.zeros((2, 2, 2)))


def test_figure_description_uses_titles():
    fig, (a, b) = plt.subplots(1, 2)
    assert describe_figure(fig) == "[figure]"
    a.set_title("left")
    b.set_title("right")
    fig.suptitle("both")
    assert describe_figure(fig) == "[figure: both | left | right]"
    plt.close("all")


def test_a_figure_description_wraps_at_80_columns():
    fig, axes = plt.subplots(1, 6)
    for i, ax in enumerate(axes):
        ax.set_title(f"panel {i} with a title long enough to need a second line")
    text = describe_figure(fig)
    plt.close(fig)
    assert len(text.splitlines()) > 1
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.replace("\n", " ").count("panel") == 6
