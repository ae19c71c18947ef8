"""The many-panel figures take ``ax`` (STYLE.md, the README) as well as ``fig``; an SI solution is drawn once converted."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def valve() -> ss.Solution:
    F, N = ss.Ferromagnet("Co", 1.0, 0.5, 2.0), ss.Normal("Cu", 3.0, 10.0)
    return ss.solve(ss.Stack([ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(F, 1.5, ss.polar(60))],
                             left=ss.Lead(N), right=ss.Lead(N)))


def curves(ax) -> list[np.ndarray]:
    return [np.asarray(line.get_xydata()) for line in ax.get_lines()]


def same_drawing(a, b) -> None:
    assert len(curves(a)) == len(curves(b)) > 0
    for p, q in zip(curves(a), curves(b)):
        np.testing.assert_array_equal(p, q)


def test_profiles_figure_divides_the_given_axes_into_its_two_panels(valve):
    fig, (keep, place) = plt.subplots(1, 2, figsize=(10, 5))
    keep.plot([0, 1], [0, 1])
    drawn = plot.profiles_figure(valve, ax=place)
    assert drawn is fig and place not in fig.axes and keep in fig.axes
    top, bottom = [ax for ax in fig.axes if ax is not keep]
    reference = plot.profiles_figure(valve)
    same_drawing(top, reference.axes[0])
    same_drawing(bottom, reference.axes[1])
    assert top.get_shared_x_axes().joined(top, bottom)  # sharing x, as in its own figure


def test_profiles_figure_draws_into_one_axes_per_panel_or_into_fig(valve):
    fig, (top, bottom) = plt.subplots(2, 1)
    assert plot.profiles_figure(valve, ax=(top, bottom)) is fig
    reference = plot.profiles_figure(valve, fig=plt.figure())  # fig= keeps working
    same_drawing(top, reference.axes[0])
    same_drawing(bottom, reference.axes[1])
    with pytest.raises(ValueError, match="expected one Axes .* or 2 Axes, got 3"):
        plot.profiles_figure(valve, ax=plt.subplots(1, 3)[1])
    with pytest.raises(ValueError, match="not both"):
        plot.profiles_figure(valve, fig=plt.figure(), ax=top)


def test_hodograph_figure_takes_ax(valve):
    fig, place = plt.subplots()
    assert plot.hodograph_figure(valve, ax=place) is fig
    assert [ax.name for ax in fig.axes] == ["rectilinear", "rectilinear", "3d"]
    own = plot.hodograph_figure(valve)
    for a, b in zip(fig.axes[:2], own.axes[:2]):
        same_drawing(a, b)
    fig = plt.figure()
    panels = [fig.add_subplot(1, 3, 1), fig.add_subplot(1, 3, 2), fig.add_subplot(1, 3, 3, projection="3d")]
    plot.hodograph_figure(valve, ax=panels)
    same_drawing(panels[1], own.axes[1])


def test_in_plane_hodograph_figure_takes_ax():
    solution = ss.solve(ss.load_stack(EXAMPLES / "pt-co-sot.toml"))
    fig, place = plt.subplots()
    assert plot.hodograph_figure(solution, ax=place) is fig
    assert [ax.name for ax in fig.axes] == ["3d", "3d"]


def test_an_si_solution_is_drawn_as_its_model_numbers_converted_once():
    """The figures convert the model numbers (solution.reduced): the SI solution and its reduced twin
    give the same drawing, in the SI figure units."""
    solution = ss.solve(ss.load_stack(EXAMPLES / "co-cu-py.toml"))
    si, model = plot.profiles_figure(solution), plot.profiles_figure(solution.reduced)
    for a, b in zip(si.axes, model.axes):
        same_drawing(a, b)
    assert "eV" in si.axes[0].get_ylabel()
    si, model = plot.hodograph_figure(solution), plot.hodograph_figure(solution.reduced)
    for a, b in zip(si.axes[:2], model.axes[:2]):
        same_drawing(a, b)
    same_drawing(plot.plot_analogy(solution), plot.plot_analogy(solution.reduced))
