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


# ------------------------------------------------------------------ readable in a default-size figure
def _extent(artist, renderer) -> np.ndarray:
    box = artist.get_window_extent(renderer)
    return np.array([box.x0, box.y0, box.x1, box.y1])


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _inside(box: np.ndarray, frame: np.ndarray) -> bool:
    return bool(frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3])


@pytest.mark.parametrize("example", ["seed-fnf.toml", "co-cu-py.toml", "pt-co-sot.toml"])
def test_hodograph_figure_in_a_default_figure_keeps_its_panels_apart(example):
    # a default plt.subplots() figure (6.4 x 4.8 in) was too small for three panels: labels, legends and the
    # neighbouring panel overlapped; the figure is enlarged to the panels' own size, with a constrained layout
    solution = ss.solve(ss.load_stack(EXAMPLES / example))
    fig, place = plt.subplots()
    plot.hodograph_figure(solution, ax=place)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [np.array(ax.get_tightbbox(renderer).extents) for ax in fig.axes]
    page = np.array([0.0, 0.0, *fig.canvas.get_width_height()])
    for i, box in enumerate(panels):
        assert _inside(box, page + [-1, -1, 1, 1]), f"panel {i} leaves the figure"
        for j in range(i):
            assert not _overlap(box, panels[j]), f"panels {j} and {i} overlap"
    for ax in fig.axes:
        texts = [t for t in (ax.title, ax.xaxis.label, ax.yaxis.label) if t.get_text()]
        if ax.get_legend() is not None:
            legend = _extent(ax.get_legend(), renderer)
            assert not any(_overlap(legend, _extent(t, renderer)) for t in texts)
            assert not _overlap(legend, _extent(ax, renderer))  # below the frame, not on the drawing


def test_hodograph_figure_keeps_a_large_enough_figure_as_it_is(valve):
    fig, place = plt.subplots(figsize=(16.0, 6.0), layout="tight")
    plot.hodograph_figure(valve, ax=place)
    assert tuple(fig.get_size_inches()) == (16.0, 6.0)
    assert type(fig.get_layout_engine()).__name__ == "TightLayoutEngine"  # the user's choice stays


@pytest.mark.parametrize("example", ["seed-fnf.toml", "co-cu-py.toml"])
def test_analogy_in_one_axes_keeps_its_table_off_the_drawing_and_the_force_scale(example):
    # drawn into the one Axes of a default figure, the force table covered the force scale bar
    solution = ss.solve(ss.load_stack(EXAMPLES / example))
    fig, ax = plt.subplots()
    assert plot.plot_analogy(solution, ax=ax) is ax
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    table = next(t for t in ax.texts if t.get_gid() == "force-table")
    scale = next(c for c in ax.get_children() if type(c).__name__ == "QuiverKey")
    boxes = {"table": _extent(table, renderer), "legend": _extent(ax.get_legend(), renderer),
             "frame": _extent(ax, renderer), "scale": _extent(scale.text, renderer),
             "xlabel": _extent(ax.xaxis.label, renderer), "ylabel": _extent(ax.yaxis.label, renderer),
             "title": _extent(ax.title, renderer)}
    page = np.array([0.0, 0.0, *fig.canvas.get_width_height()])
    names = list(boxes)
    for i, name in enumerate(names):
        assert _inside(boxes[name], page + [-1, -1, 1, 1]), f"{name} leaves the figure"
        for other in names[:i]:
            if {name, other} != {"scale", "frame"}:  # the force scale is drawn inside the frame
                assert not _overlap(boxes[name], boxes[other]), (name, other)
    assert _inside(boxes["scale"], boxes["frame"])
