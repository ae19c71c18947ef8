"""The analogy figure's ring names clear of the arrows (issue 16 item 8: resistive interfaces put two rings at
one node and their arrows crossed the names), and its table from the shared force balance."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis.analogy import folded_ring_forces, force_balance  # noqa: E402
from spinstack.plot.frames import LABEL_DISTANCE, SAME_POINT, ring_labels  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _arrows(ax: object) -> list[tuple[np.ndarray, np.ndarray]]:
    """(start, end) of every force arrow in display pixels."""
    segments = []
    for quiver in ax.collections:
        if not str(quiver.get_gid() or "").startswith("force:"):
            continue
        start = np.array([quiver.X[0], quiver.Y[0]])
        end = start + np.array([quiver.U[0], quiver.V[0]]) / quiver.scale
        segments.append((ax.transData.transform(start), ax.transData.transform(end)))
    return segments


@pytest.mark.parametrize("name", ["seed-fnf", "fn-contact"])
def test_ring_names_are_clear_of_every_arrow(name: str) -> None:
    ax = plot.plot_analogy(spinstack.solve(spinstack.load_stack(EXAMPLES / f"{name}.toml")))
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    names = [text for text in ax.texts if text.get_text().startswith(r"$\mu_")]
    assert names
    arrows = _arrows(ax)
    assert arrows
    for text in names:
        box = text.get_window_extent(renderer).shrunk(0.9, 0.8)  # the glyphs, not the box's blank margin
        for start, end in arrows:
            points = start + np.linspace(0.0, 1.0, 200)[:, None] * (end - start)
            inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
                      & (points[:, 1] < box.y1))
            assert not inside.any(), f"{text.get_text()} is crossed by an arrow"
    matplotlib.pyplot.close(figure)


def _spread_arrows(rings: list, size: float, spread: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The arrows as the figures draw them: forces along a rail side by side, ``spread`` of ``size`` apart."""
    largest = max(np.linalg.norm(f.vector) for ring in rings for f in ring.forces)
    arrows = []
    for ring in rings:
        normal = np.array([-ring.axis[1], ring.axis[0]])
        along = [f for f in ring.forces
                 if np.any(ring.axis) and abs(np.dot(f.vector, normal)) < 1e-9 * np.linalg.norm(f.vector)]
        for f in ring.forces:
            start = ring.position.copy()
            if f in along and len(along) > 1:
                start = start + spread * size * (along.index(f) - 0.5 * (len(along) - 1)) * normal
            arrows.append((start, start + 0.45 * size / 2.5 / largest * f.vector))
    return arrows


def _collinear_seed() -> spinstack.Stack:
    from spinstack.app.presets import seed_stack
    from spinstack.model.paths import with_parameter

    return with_parameter(seed_stack(), "layers[2].magnetization.theta", 180.0)


@pytest.mark.parametrize("spread", [0.018, 0.045], ids=["figure", "explorer"])  # plot_analogy's, views.py's
@pytest.mark.parametrize("name", ["co-cu-py", "py-cu-py-gmr", "seed at 180 deg"])
def test_label_boxes_clear_every_arrow_and_each_other(name: str, spread: float) -> None:
    """Resistive interfaces (two rings per node, arrows of the neighbour crossing) and collinear magnets (every
    arrow on one line, rings at one point): every label's box (plot.frames.RingLabel.box) is clear of every
    arrow as drawn (side by side along a rail) by at least a tenth of the name's distance, and of every other
    label; rings at one point share one label."""
    stack = _collinear_seed() if name.startswith("seed") else spinstack.load_stack(EXAMPLES / f"{name}.toml")
    solution = spinstack.solve(stack).reduced
    rings = folded_ring_forces(solution, 2)
    size = 2.5 * max(float(np.abs(ring.position).max()) for ring in rings)
    arrows = _spread_arrows(rings, size, spread)
    labels = ring_labels(rings, arrows, size)
    assert sorted(i for label in labels for i in label.rings) == list(range(len(rings)))  # each ring named once
    for label in labels:  # one label per point: the rings it names coincide, no other ring sits there
        assert all(np.linalg.norm(rings[i].position - label.position) <= SAME_POINT * size for i in label.rings)
        others = [ring for i, ring in enumerate(rings) if i not in label.rings]
        assert all(np.linalg.norm(ring.position - label.position) > SAME_POINT * size for ring in others)
    boxes = [label.box(size) for label in labels]
    for label, box in zip(labels, boxes):
        low, high = box.min(0), box.max(0)
        for start, end in arrows:  # the segment against the rectangle: sampled finely
            points = start + np.linspace(0.0, 1.0, 2001)[:, None] * (end - start)
            gap = np.max([low[0] - points[:, 0], points[:, 0] - high[0], low[1] - points[:, 1],
                          points[:, 1] - high[1]], axis=0)
            assert gap.min() > 0.1 * LABEL_DISTANCE * size, [rings[i].label for i in label.rings]
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            apart = max(b.min(0)[0] - a.max(0)[0], a.min(0)[0] - b.max(0)[0], b.min(0)[1] - a.max(0)[1],
                        a.min(0)[1] - b.max(0)[1])
            assert apart > 0.0


def test_collinear_rings_at_one_point_get_one_label_in_both_figures() -> None:
    """seed at 180 deg: mu_1 and mu_2 sit at one point (m2 = -m1 folds onto m1's rail); the static figure and the
    explorer's analogy each write one label "mu_1, mu_2" there, not two names on each other."""
    solution = spinstack.solve(_collinear_seed())
    ax = plot.plot_analogy(solution)
    names = [text.get_text() for text in ax.texts if text.get_text().startswith(r"$\mu_")]
    assert names == [r"$\mu_{1}$, $\mu_{2}$"]
    matplotlib.pyplot.close(ax.figure)
    from spinstack.analysis import hodograph
    from spinstack.app.views import AccumulationView

    data = AccumulationView().prepare(solution, hodograph(solution, 33))
    assert data["ring_labels"]["text"] == ["\u03bc\u2081, \u03bc\u2082"]


def test_force_table_is_the_force_balance() -> None:
    """The figure's table lists force_balance's magnitudes; each ring's |sum| is zero up to round-off."""
    solution = spinstack.solve(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"))
    ax = plot.plot_analogy(solution)
    table = next(text for axes in ax.figure.axes for text in axes.texts if text.get_gid() == "force-table")
    balance = force_balance(folded_ring_forces(solution))
    lines = table.get_text().splitlines()
    assert len(lines) == len(balance["sum"]) + 2
    largest = max(value for kind in balance["kinds"] for sizes in balance[kind] for value in sizes)
    assert max(balance["sum"]) <= 1e-12 * largest
    for line, drive in zip(lines[1:-1], balance["driving"]):
        assert f"{drive[0]:.3g}"[:3] in line
    matplotlib.pyplot.close(ax.figure)
