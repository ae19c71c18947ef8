"""What a view of one stack shows, shared by the figures and the explorer: frames and extents, in numbers.

The matplotlib figures (:mod:`spinstack.plot`) and the Bokeh explorer (:mod:`spinstack.app`) draw
the same views; these are the choices they share about what is in view, so that both show the
same thing.  No drawing library is imported here.

* :func:`square_box`: the square frame of a folded hodograph (equal aspect, room for labels);
* :func:`lead_extent`: how much of a lead (or of a reservoir's band) a profile shows;
* :data:`END_BAND`: how an end that is not a lead is marked in a profile.
"""

from __future__ import annotations

import numpy as np

from ..model import Lead
from ..solution import Solution

__all__ = ["END_BAND", "lead_extent", "square_box"]

# band drawn for a reservoir, as a fraction of the layers' total thickness
RESERVOIR_WIDTH = 0.07
#: the band of an end that is not a lead: fill, hatch and the name written above it
END_BAND = {"reservoir": ("#c9c9c9", "xx", "res."),          # mu_s = 0 (an ideal electrode)
            "open": ("#f4f4f4", None, "open"),                # j_s = 0 (substrate, cap: MODEL.md 8d)
            "insulator": ("#e6d3e2", "\\\\", "insulator")}  # a magnetic insulator (MODEL.md 8d)


def square_box(points: np.ndarray, margin: float = 0.16) -> tuple[float, float, float, float]:
    """A square box (x0, x1, y0, y1) around ``points`` (n, 2) and the origin, padded by ``margin`` of its size.

    Square, so that with equal aspect every panel has the same size and a
    collinear (one-dimensional) hodograph keeps room for its labels.
    """
    points = np.vstack([points, np.zeros((1, 2))])
    low, high = points.min(axis=0), points.max(axis=0)
    size = float((high - low).max())
    if size <= 1e-300:  # everything at the origin (j0 = 0): any scale will do
        size = 1.0
    size *= 1.0 + 2.0 * margin
    center = 0.5 * (low + high)
    return (float(center[0] - size / 2), float(center[0] + size / 2),
            float(center[1] - size / 2), float(center[1] + size / 2))


def lead_extent(solution: Solution, side: str) -> float:
    """Length of lead shown on ``side`` ("left" or "right"), model numbers: three spin diffusion lengths,
    between 0.3 and 0.6 of the layers' total thickness; a band of :data:`RESERVOIR_WIDTH` of it for an end
    that is not a lead."""
    solution = solution.reduced
    end = getattr(solution.stack, side)
    width = float(solution.node_positions[-1])
    if not isinstance(end, Lead):
        return RESERVOIR_WIDTH * width if width > 0 else 0.0
    length = float(np.asarray(end.material.l))
    other = getattr(solution.stack, "right" if side == "left" else "left")
    if width == 0.0:  # a bare contact: both leads fill the figure
        lengths = [float(np.asarray(e.material.l)) for e in (end, other) if isinstance(e, Lead)]
        finite = [v for v in lengths if np.isfinite(v)]
        fallback = max(finite) if finite else 1.0
        return 3.0 * (length if np.isfinite(length) else fallback)
    extent = 3.0 * length if np.isfinite(length) else width
    return float(np.clip(extent, 0.3 * width, 0.6 * width))
