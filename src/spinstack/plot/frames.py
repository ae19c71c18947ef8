"""What a view of one stack shows, shared by the figures and the explorer: frames and extents, in numbers.

The matplotlib figures (:mod:`spinstack.plot`) and the Bokeh explorer (:mod:`spinstack.app`) draw
the same views; these are the choices they share about what is in view, so that both show the
same thing.  No drawing library is imported here.

* :func:`square_box`: the square frame of a folded hodograph (equal aspect, room for labels);
* :func:`lead_extent`: how much of a lead (or of a reservoir's band) a profile shows;
* :data:`END_BAND`: how an end that is not a lead is marked in a profile;
* :func:`ring_label_directions`: where the analogy's ring names sit, clear of the arrows;
* :func:`nice`: a round size for a scale arrow.
"""

from __future__ import annotations

import numpy as np

from ..analysis.analogy import FoldedRing
from ..model import Lead
from ..solution import Solution

__all__ = ["END_BAND", "LABEL_DISTANCE", "LABEL_SIZE", "label_anchor", "label_box", "lead_extent", "nice", "ring_label_directions", "square_box"]

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


#: where a ring's name sits: its near edge this far from the ring, as a fraction of the drawing's width
LABEL_DISTANCE = 0.03
#: the size of a ring's name (mu_1+), width and height, as fractions of the drawing's width
LABEL_SIZE = (0.075, 0.045)


def _segment_distance(point: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    """Distance from ``point`` to the segment from ``start`` to ``end``."""
    step = end - start
    length = float(np.dot(step, step))
    t = 0.0 if length == 0.0 else float(np.clip(np.dot(point - start, step) / length, 0.0, 1.0))
    return float(np.linalg.norm(point - (start + t * step)))


def _box_gap(low: np.ndarray, high: np.ndarray, other_low: np.ndarray, other_high: np.ndarray) -> float:
    """How far apart two rectangles are (largest gap along x or y; negative: they overlap by that much)."""
    return float(max(other_low[0] - high[0], low[0] - other_high[0], other_low[1] - high[1], low[1] - other_high[1]))


def label_box(position: np.ndarray, angle: float, size: float) -> np.ndarray:
    """Nine points (corners, edge middles, centre) of a ring's name placed in direction ``angle`` from
    ``position`` and anchored there as :func:`label_anchor` says, in a drawing ``size`` wide."""
    horizontal, vertical = label_anchor(angle)
    anchor = position + LABEL_DISTANCE * size * np.array([np.cos(angle), np.sin(angle)])
    width, height = LABEL_SIZE[0] * size, LABEL_SIZE[1] * size
    x0 = anchor[0] - {"left": 0.0, "center": 0.5, "right": 1.0}[horizontal] * width
    y0 = anchor[1] - {"bottom": 0.0, "center": 0.5, "top": 1.0}[vertical] * height
    return np.array([[x0 + i * width / 2, y0 + j * height / 2] for i in range(3) for j in range(3)])


def ring_label_directions(rings: list[FoldedRing], arrows: list[tuple[np.ndarray, np.ndarray]],
                          size: float) -> list[float]:
    """Where to write each ring's name: the direction (radians, on the page with equal aspect) from the ring in
    which the name (:func:`label_box`) is farthest from every arrow, every rail, the other rings and the names
    placed before it.

    Parameters
    ----------
    rings
        The rings, in drawing units (:func:`spinstack.analysis.analogy.folded_ring_forces`, scaled as drawn).
    arrows
        (start, end) of every force arrow as drawn (those of the neighbouring rings matter: at a resistive
        interface two rings sit close together and one's arrows cross the other's name).
    size
        The drawing's width in its units (:data:`LABEL_DISTANCE`, :data:`LABEL_SIZE`).
    """
    rails = [ring.axis / np.linalg.norm(ring.axis) for ring in rings if np.any(ring.axis)]
    candidates = np.deg2rad(np.arange(0.0, 360.0, 15.0))
    placed: list[tuple[np.ndarray, np.ndarray]] = []
    angles = []
    # every arrow at once (:func:`_segment_distance` for all box points and segments in one go: the
    # explorer calls this at every control change, and one Python call per point and arrow cost ~1 s)
    starts = np.array([a for a, _ in arrows], dtype=float).reshape(-1, 2)
    steps = np.array([b for _, b in arrows], dtype=float).reshape(-1, 2) - starts
    lengths = np.einsum("ij,ij->i", steps, steps)
    rail_array = np.array(rails, dtype=float).reshape(-1, 2)

    def nearest(box: np.ndarray) -> float:
        """The smallest distance from a point of ``box`` to an arrow or a rail (through 0)."""
        offsets = box[:, None, :] - starts[None, :, :]
        along = np.divide(np.einsum("pmk,mk->pm", offsets, steps), lengths, out=np.zeros(offsets.shape[:2]),
                          where=lengths > 0.0)
        t = np.clip(along, 0.0, 1.0)
        gaps = offsets - t[:, :, None] * steps[None, :, :]
        distances = np.sqrt(np.einsum("pmk,pmk->pm", gaps, gaps))
        rail_distances = np.abs(rail_array[None, :, 0] * box[:, None, 1] - rail_array[None, :, 1] * box[:, None, 0])
        both = np.concatenate([distances, rail_distances, np.full((len(box), 1), np.inf)], axis=1)
        return float(both.min())

    for ring in rings:
        best, best_clearance = np.pi / 4, -np.inf
        for angle in candidates:
            box = label_box(ring.position, float(angle), size)
            low, high = box.min(axis=0), box.max(axis=0)
            clearance = min([nearest(box)]
                            # rings and the names placed before: rectangles apart (negative when they overlap)
                            + [_box_gap(low, high, other.position, other.position) for other in rings]
                            + [_box_gap(low, high, *other) for other in placed])
            # a name nearer to the upper right wins a tie (the usual place of a name)
            clearance -= 1e-3 * LABEL_DISTANCE * size * abs((angle - np.pi / 4 + np.pi) % (2 * np.pi) - np.pi)
            if clearance > best_clearance:
                best, best_clearance = float(angle), clearance
        angles.append(best)
        box = label_box(ring.position, best, size)
        placed.append((box.min(axis=0), box.max(axis=0)))
    return angles


def label_anchor(angle: float) -> tuple[str, str]:
    """How a name placed in direction ``angle`` (radians) from its point is anchored there: (horizontal,
    vertical) alignment, "left"/"center"/"right" and "bottom"/"center"/"top", so that the name's near edge,
    not its middle, is at the distance (a name to the right of a ring starts right of it)."""
    c, s = np.cos(angle), np.sin(angle)
    return ("left" if c > 0.38 else "right" if c < -0.38 else "center",
            "bottom" if s > 0.38 else "top" if s < -0.38 else "center")


def nice(value: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) not larger than ``value`` (1 for ``value <= 0``)."""
    if value <= 0:
        return 1.0
    exponent = np.floor(np.log10(value))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * 10**exponent <= value:
            return float(mantissa * 10**exponent)
    return float(10**exponent)
