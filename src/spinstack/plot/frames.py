"""What a view of one stack shows, shared by the figures and the explorer: frames and extents, in numbers.

The matplotlib figures (:mod:`spinstack.plot`) and the Bokeh explorer (:mod:`spinstack.app`) draw
the same views; these are the choices they share about what is in view, so that both show the
same thing.  No drawing library is imported here.

* :func:`square_box`: the square frame of a folded hodograph (equal aspect, room for labels);
* :func:`lead_extent`: how much of a lead (or of a reservoir's band) a profile shows;
* :data:`END_BAND`: how an end that is not a lead is marked in a profile;
* :func:`ring_labels`: where the analogy's ring names sit, clear of the arrows (one label for rings at one
  point);
* :func:`nice`: a round size for a scale arrow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.analogy import FoldedRing
from ..model import Lead
from ..solution import Solution

__all__ = ["END_BAND", "LABEL_DISTANCE", "LABEL_REACH", "LABEL_SIZE", "RING_RADIUS", "SAME_POINT", "RingLabel",
           "arrows_through", "label_anchor", "label_box", "label_boxes", "lead_extent", "nice", "ring_labels", "square_box"]

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


def _box_gaps(low: np.ndarray, high: np.ndarray, other_low: np.ndarray, other_high: np.ndarray) -> np.ndarray:
    """How far each rectangle (rows of ``low``, ``high``) is from one other rectangle: the largest gap along x or
    y, negative when they overlap by that much."""
    return np.max([other_low[0] - high[:, 0], low[:, 0] - other_high[0], other_low[1] - high[:, 1],
                   low[:, 1] - other_high[1]], axis=0)


def _crossing(low: np.ndarray, high: np.ndarray, starts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """(boxes, segments): whether the segment from ``starts`` along ``steps`` passes through the rectangle from
    ``low`` to ``high`` (Liang-Barsky clipping of the segment's parameter to [0, 1] by each slab)."""
    enter = np.zeros((len(low), len(starts)))
    leave = np.ones((len(low), len(starts)))
    inside = np.ones((len(low), len(starts)), dtype=bool)
    for k in range(2):
        step = steps[None, :, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            first = (low[:, None, k] - starts[None, :, k]) / step
            second = (high[:, None, k] - starts[None, :, k]) / step
        flat = step == 0.0  # parallel to the slab: inside it or never
        within = (starts[None, :, k] >= low[:, None, k]) & (starts[None, :, k] <= high[:, None, k])
        inside &= np.where(flat, within, True)
        enter = np.where(flat, enter, np.maximum(enter, np.minimum(first, second)))
        leave = np.where(flat, leave, np.minimum(leave, np.maximum(first, second)))
    return inside & (enter <= leave)


def arrows_through(low: np.ndarray, high: np.ndarray, arrows: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per box (rows of ``low`` and ``high``: its lower left and upper right corners, drawing units): whether any
    of ``arrows`` ((start, end) 2-vectors) runs through it or ends inside it.  Exact (the segment clipped by the
    box), not sampled: the test every label placement of a hodograph uses (ring names here, the explorer's rail
    and torque names)."""
    low, high = np.atleast_2d(np.asarray(low, dtype=float)), np.atleast_2d(np.asarray(high, dtype=float))
    if not arrows:
        return np.zeros(len(low), dtype=bool)
    starts = np.array([start for start, _ in arrows], dtype=float).reshape(-1, 2)
    steps = np.array([end for _, end in arrows], dtype=float).reshape(-1, 2) - starts
    return _crossing(low, high, starts, steps).any(axis=1)


def label_box(position: np.ndarray, angle: float, size: float, distance: float = LABEL_DISTANCE,
              names: int = 1) -> np.ndarray:
    """Nine points (corners, edge middles, centre) of a ring's name placed in direction ``angle`` from
    ``position`` and anchored there as :func:`label_anchor` says, in a drawing ``size`` wide.

    ``distance`` is the gap from the ring to the name's near edge and ``names`` how many ring names the label
    holds ("mu_1-, mu_2+" for two rings at one point: :func:`ring_labels`), both as fractions of ``size``
    (:data:`LABEL_DISTANCE`, :data:`LABEL_SIZE`)."""
    return label_boxes(position, np.array([angle], dtype=float), size, np.array([distance], dtype=float), names)[0]


#: |cos| (|sin|) of a name's direction beyond which it is anchored at its near edge, not its middle (label_anchor)
_TURN = 0.38
#: a label's nine points as multiples of half its width and half its height from its lower left corner
_BOX_STEPS = np.array([[i, j] for i in range(3) for j in range(3)], dtype=float)


def label_boxes(position: np.ndarray, angles: np.ndarray, size: float, distances: np.ndarray,
                names: int = 1) -> np.ndarray:
    """:func:`label_box` for every direction of ``angles`` (radians) at the distance of ``distances`` beside it
    (fractions of ``size``): (n, 9, 2) points, all at once (the explorer places its ring names at every control
    change: 24 directions at up to 6 distances for each)."""
    cos, sin = np.cos(angles), np.sin(angles)
    # label_anchor's rule: the share of the width (height) left of (below) the anchor
    across = np.where(cos > _TURN, 0.0, np.where(cos < -_TURN, 1.0, 0.5))
    up = np.where(sin > _TURN, 0.0, np.where(sin < -_TURN, 1.0, 0.5))
    reach = distances * size
    width, height = _label_width(names) * size, LABEL_SIZE[1] * size
    corner = np.stack([position[0] + reach * cos - across * width, position[1] + reach * sin - up * height], axis=-1)
    return corner[:, None, :] + _BOX_STEPS[None, :, :] * np.array([width / 2, height / 2])


def _label_width(names: int) -> float:
    """The width of a label of ``names`` ring names joined by ", ", as a fraction of the drawing's width."""
    return LABEL_SIZE[0] * (1.0 + 1.35 * (names - 1))


#: how far from its ring a name may move to find a place clear of the arrows (multiples of
#: :data:`LABEL_DISTANCE`, the nearest clear one wins): the explorer spreads the forces along a rail
#: 0.045 of the drawing apart, and a collinear stack has every arrow on one line through its rings
LABEL_REACH = (1.0, 1.7, 2.5, 3.4, 4.5, 6.0)
#: a ring's radius as drawn, fraction of the drawing's width (a name keeps clear of the other rings' circles)
RING_RADIUS = 0.022
#: rings nearer than this (fraction of the drawing's width) are one point on the page: one label names them all
SAME_POINT = 1e-3


@dataclass(frozen=True)
class RingLabel:
    """Where the name of one ring, or of several rings at one point, is written.

    Attributes
    ----------
    rings : indices of the rings it names (into the list given to :func:`ring_labels`), in their order
    position : (2,) the rings' point, drawing units
    angle : direction from the point to the name, radians on the page (equal aspect)
    distance : gap from the point to the name's near edge, fraction of the drawing's width
    """

    rings: tuple[int, ...]
    position: np.ndarray
    angle: float
    distance: float

    def box(self, size: float) -> np.ndarray:
        """The label's nine points (:func:`label_box`) in a drawing ``size`` wide."""
        return label_box(self.position, self.angle, size, self.distance, len(self.rings))


def ring_labels(rings: list[FoldedRing], arrows: list[tuple[np.ndarray, np.ndarray]],
                size: float) -> list[RingLabel]:
    """Where to write the rings' names: one label per point (rings at one point, as a collinear stack's
    mu_1 and mu_2 or a symmetric stack's mu_0- and mu_3+, share a label naming them all), each in the direction
    and at the nearest distance of :data:`LABEL_REACH` where its box (:func:`label_box`) is clear of every arrow,
    every rail, the other rings and the labels placed before it (else where it is farthest from them).

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
    groups: list[list[int]] = []
    for index, ring in enumerate(rings):
        group = next((g for g in groups if np.linalg.norm(rings[g[0]].position - ring.position) <= SAME_POINT * size),
                     None)
        if group is None:
            groups.append([index])
        else:
            group.append(index)
    rails = np.array([ring.axis / np.linalg.norm(ring.axis) for ring in rings if np.any(ring.axis)],
                     dtype=float).reshape(-1, 2)
    candidates = np.deg2rad(np.arange(0.0, 360.0, 15.0))
    # a name nearer to the upper right wins a tie (the usual place of a name)
    preference = 1e-3 * LABEL_DISTANCE * size * np.abs((candidates - np.pi / 4 + np.pi) % (2 * np.pi) - np.pi)
    starts = np.array([a for a, _ in arrows], dtype=float).reshape(-1, 2)
    steps = np.array([b for _, b in arrows], dtype=float).reshape(-1, 2) - starts
    lengths = np.einsum("ij,ij->i", steps, steps)
    points = [rings[group[0]].position for group in groups]
    placed: list[tuple[np.ndarray, np.ndarray]] = []

    def clearances(boxes: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Per candidate box (c, 9, 2): the smallest gap to an arrow, a rail (through 0), another ring (a disc)
        or a label placed before (negative: they overlap); every candidate and arrow at once (the explorer
        calls this at every control change)."""
        flat = boxes.reshape(-1, 2)
        offsets = flat[:, None, :] - starts[None, :, :]
        along = np.divide(np.einsum("pmk,mk->pm", offsets, steps), lengths, out=np.zeros(offsets.shape[:2]),
                          where=lengths > 0.0)
        gaps = offsets - np.clip(along, 0.0, 1.0)[:, :, None] * steps[None, :, :]
        near = np.sqrt(np.einsum("pmk,pmk->pm", gaps, gaps)).min(axis=1, initial=np.inf)
        near = np.minimum(near, np.abs(rails[None, :, 0] * flat[:, None, 1]
                                       - rails[None, :, 1] * flat[:, None, 0]).min(axis=1, initial=np.inf))
        found = near.reshape(boxes.shape[:2]).min(axis=1)
        low, high = boxes.min(axis=1), boxes.max(axis=1)
        # an arrow's tip between the box's sample points, or an arrow through it: the gap from the box to the
        # arrows' ends (the nearest points of a segment and a rectangle apart are a corner or an end) and 0
        # for an arrow crossing the box
        for ends in (starts, starts + steps):
            outside = np.maximum(np.maximum(low[:, None, :] - ends[None, :, :], ends[None, :, :] - high[:, None, :]),
                                 0.0)
            found = np.minimum(found, np.sqrt(np.einsum("cmk,cmk->cm", outside, outside)).min(axis=1,
                                                                                              initial=np.inf))
        found = np.where(arrows_through(low, high, arrows), np.minimum(found, 0.0), found)
        for other in points:  # the other rings: discs of RING_RADIUS
            radius = 0.0 if other is point else RING_RADIUS * size
            found = np.minimum(found, _box_gaps(low, high, other, other) - radius)
        for other_low, other_high in placed:
            found = np.minimum(found, _box_gaps(low, high, other_low, other_high))
        return found

    # clear: half the name's distance to anything drawn (an arrow's half width and head: ~0.01 of the drawing)
    clear = 0.5 * LABEL_DISTANCE * size
    found = []
    for group, point in zip(groups, points):
        best = (-np.inf, np.pi / 4, LABEL_REACH[0])
        for reach in LABEL_REACH:  # the nearest distance with a clear place: most names are clear at the first
            distance = reach * LABEL_DISTANCE
            boxes = label_boxes(point, candidates, size, np.full(len(candidates), distance), len(group))
            scores = clearances(boxes, point) - preference
            index = int(np.argmax(scores))
            if scores[index] > best[0]:
                best = (float(scores[index]), float(candidates[index]), distance)
            if best[0] >= clear:
                break
        label = RingLabel(tuple(group), point, best[1], best[2])
        found.append(label)
        box = label.box(size)
        placed.append((box.min(axis=0), box.max(axis=0)))
    return found


def label_anchor(angle: float) -> tuple[str, str]:
    """How a name placed in direction ``angle`` (radians) from its point is anchored there: (horizontal,
    vertical) alignment, "left"/"center"/"right" and "bottom"/"center"/"top", so that the name's near edge,
    not its middle, is at the distance (a name to the right of a ring starts right of it)."""
    c, s = np.cos(angle), np.sin(angle)
    return ("left" if c > _TURN else "right" if c < -_TURN else "center",
            "bottom" if s > _TURN else "top" if s < -_TURN else "center")


def nice(value: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) not larger than ``value`` (1 for ``value <= 0``)."""
    if value <= 0:
        return 1.0
    exponent = np.floor(np.log10(value))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * 10**exponent <= value:
            return float(mantissa * 10**exponent)
    return float(10**exponent)
