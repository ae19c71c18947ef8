"""Helpers of the figure tests: draw a figure once and check what a reader checks first (no texts on top of
each other), and read the power of ten an axis label states."""

from __future__ import annotations

import io
import re

import numpy as np


def draw(figure, formats: tuple[str, ...] = (), separate_texts: bool = True) -> None:
    """Draw ``figure`` with Agg (its layout engine and every mathtext label run here), then check that no two
    texts or legends of it overlap (unless ``separate_texts`` is False); each of ``formats`` is written too, as a
    non-empty file of that format.

    Drawn once (laying out the texts costs more than the pixels: a PNG file as well would double the time).
    """
    figure.canvas.draw()
    if separate_texts:
        assert_no_overlapping_text(figure)
    magic = {"png": b"\x89PNG", "svg": b"<?xml"}
    for fmt in formats:
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=40)
        data = buffer.getvalue()
        assert data.startswith(magic[fmt]) and len(data) > 2000


def assert_no_overlapping_text(figure) -> None:
    """No two texts (titles, axis labels, annotations) or legends of the drawn figure overlap by more than a point
    both ways (a box includes its font's descent: letters one above the other touch at a fraction of a point)."""
    renderer = figure.canvas.get_renderer()
    point = figure.dpi / 72.0
    boxes = []
    for ax in figure.axes:
        texts = [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label]
        legends = [ax.get_legend()] if ax.get_legend() else []
        for artist in [t for t in texts if t.get_visible() and t.get_text()] + legends:
            extent = artist.get_window_extent(renderer)
            name = artist.get_text() if hasattr(artist, "get_text") else "legend"
            boxes.append((f"{ax.get_title() or ax.name}: {name}", extent))
    for legend in figure.legends:
        boxes.append(("figure legend", legend.get_window_extent(renderer)))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            assert width <= point or height <= point, f"{a!r} overlaps {b!r}"


def label_factor(label: str) -> float:
    """Drawn number / value for an axis whose label states ``$10^{p}$`` (the values are shown in units of 10^p):
    10^-p, or 1 when the label states no power."""
    power = re.search(r"\$10\^\{(-?\d+)\}\$", label)
    return 10.0 ** -int(power.group(1)) if power else 1.0


def assert_drawn(line, x: np.ndarray, y: np.ndarray, x_factor: float = 1.0, y_factor: float = 1.0) -> None:
    """The line's data are (x, y) times the axes' factors, to round-off."""
    np.testing.assert_allclose(line.get_xdata(), x * x_factor, rtol=1e-14)
    np.testing.assert_allclose(line.get_ydata(), y * y_factor, rtol=1e-12, atol=1e-14 * np.abs(y * y_factor).max())
