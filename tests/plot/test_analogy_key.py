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
from spinstack.plot.frames import label_box, ring_label_directions  # noqa: E402

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


@pytest.mark.parametrize("name", ["co-cu-py", "py-cu-py-gmr"])
def test_label_boxes_clear_every_arrow_and_each_other_at_resistive_interfaces(name: str) -> None:
    """Resistive interfaces (two rings per node, arrows of the neighbour crossing): every name's box
    (plot.frames.label_box) is clear of every arrow and of every other name."""
    solution = spinstack.solve(spinstack.load_stack(EXAMPLES / f"{name}.toml")).reduced
    rings = folded_ring_forces(solution, 2)
    size = max(float(np.abs(ring.position).max()) for ring in rings)
    largest = max(np.linalg.norm(f.vector) for ring in rings for f in ring.forces)
    arrows = [(ring.position, ring.position + 0.45 * size / largest * f.vector) for ring in rings for f in ring.forces]
    width = 2.5 * size
    boxes = [label_box(ring.position, angle, width) for ring, angle in
             zip(rings, ring_label_directions(rings, arrows, width))]
    for ring, box in zip(rings, boxes):
        for start, end in arrows:
            for point in box:
                step = end - start
                t = np.clip(np.dot(point - start, step) / np.dot(step, step), 0.0, 1.0)
                assert np.linalg.norm(point - (start + t * step)) > 0.0, ring.label
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            apart = max(b.min(0)[0] - a.max(0)[0], a.min(0)[0] - b.max(0)[0], b.min(0)[1] - a.max(0)[1],
                        a.min(0)[1] - b.max(0)[1])
            assert apart > 0.0


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
