"""Profiles along the stack: mu_s(x), j_s(x) and mu_0(x) (seed Figs. 2 and 3).

The x-axis runs through the leads (a few spin diffusion lengths of each), the
layers and the reservoirs (a narrow hatched band: mu_s = 0 there).  Layers are
shaded by kind and named by material; interfaces are thin lines.  j_s is drawn
layer by layer, so its jumps at the F faces stay visible; each jump that is a
torque (an F face whose other side is not a reservoir) is annotated with
|Delta j_s| = |j_s(x_k-) - j_s(x_k+)| (MODEL.md 4, seed section 3.3).  The labels are placed
on the drawn figure: beside their own jump, joined to it by a thin line, clear of the other
labels and jumps and nearer their own jump than any other; a jump too short to read as an
arrow is ringed.

An SI stack is drawn in nm, eV (meV, ueV: by magnitude, mu_s and mu_0 each its
own), |e| j_s in A/m^2 times a power of ten, and the |Delta j_s| labels add the
torque per area (hbar/2)|Delta j_s| in J/m^2 and the magnet it acts on
(:mod:`spinstack.plot.units`).  The figures read the solution's model numbers
(:attr:`spinstack.Solution.reduced`) and convert them there, whichever solution they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis.hodographs import torque_nodes
from ..errors import SpinstackError
from ..model import Lead, Stack
from ..solution import Solution, solution_of
from . import style
from .frames import END_BAND, lead_extent
from .spin_orbit import drive_text
from .units import Scale, figure_units

COMPONENTS = ("xyz", "magnitude", "longitudinal")
_SAMPLES = 181


@dataclass(frozen=True)
class Segment:
    """One region of a profile: ``kind`` is "left", "layer" or "right"; ``values`` (n, 3) or (n,)."""

    kind: str
    index: int
    x: np.ndarray
    values: np.ndarray


def reference_axis(solution: Solution) -> tuple[np.ndarray, str]:
    """The first magnetization along x (lead or layer) and its name: the "longitudinal" direction."""
    labels = style.magnet_labels(solution.stack)
    elements = solution.arrays.elements()
    for index in sorted(labels):
        return np.asarray(elements[index].m, dtype=float), labels[index]
    return np.array([0.0, 0.0, 1.0]), r"$\hat{\mathbf{z}}$"


def sample(solution: Solution, quantity: str, samples: int = _SAMPLES) -> list[Segment]:
    """The profile of ``quantity`` in every region (leads, layers), faces taken from their own side.

    Parameters
    ----------
    solution
        A single-configuration solution.
    quantity
        "accumulation" (mu_s, vectors), "spin_current" (j_s, vectors) or "potential" (mu_0, scalars).
    samples
        Points per region, both faces included.
    """
    style.check_quantity(quantity)
    solution = solution.reduced  # model numbers (the figures convert)
    if solution.batch_shape != ():
        raise SpinstackError("profiles take a single configuration (batch_shape == ())")
    evaluate = {"accumulation": solution.spin_accumulation, "spin_current": solution.spin_current,
                "potential": solution.electrochemical_potential}[quantity]
    nodes = solution.node_positions
    segments: list[Segment] = []
    if isinstance(solution.stack.left, Lead):
        x = np.linspace(-lead_extent(solution, "left"), 0.0, samples)
        inner = x.copy()
        inner[-1] = np.nextafter(0.0, -np.inf)
        values = evaluate(inner)
        if quantity == "spin_current":
            values[-1] = solution.spin_current_in
        segments.append(Segment("left", -1, x, values))
    for i in range(len(solution.stack.layers)):
        x = np.linspace(nodes[i], nodes[i + 1], samples)
        inner = x.copy()  # both faces from inside the layer: mu_s and mu_0 jump across a resistive interface
        inner[0], inner[-1] = np.nextafter(inner[0], np.inf), np.nextafter(inner[-1], -np.inf)
        values = evaluate(inner)
        if quantity == "spin_current":
            values[0], values[-1] = solution.spin_current_left[i], solution.spin_current_right[i]
        elif quantity == "accumulation":  # the layer's side of each face: mu^+ of its left node, mu^- of its right
            values[0], values[-1] = solution.accumulation_right[i], solution.accumulation[i + 1]
        segments.append(Segment("layer", i, x, values))
    if isinstance(solution.stack.right, Lead):
        end = float(nodes[-1])
        x = np.linspace(end, end + lead_extent(solution, "right"), samples)
        inner = x.copy()
        inner[0] = np.nextafter(end, np.inf)
        values = evaluate(inner)
        if quantity == "spin_current":
            values[0] = solution.spin_current_out
        segments.append(Segment("right", len(solution.stack.layers), x, values))
    return segments


def _lines(values: np.ndarray, components: str, axis: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(component key, scalar values) of the curves drawn for vector ``values`` (n, 3)."""
    if components == "xyz":
        return [(c, values[:, i]) for i, c in enumerate("xyz")]
    if components == "magnitude":
        return [("magnitude", np.linalg.norm(values, axis=-1))]
    return [("longitudinal", values @ axis)]


def _component_label(quantity: str, key: str, axis_name: str) -> str:
    symbol = style.SYMBOL[quantity]
    if key in "xyz":
        return rf"${symbol}^{{{key}}}$"
    if key == "magnitude":
        return rf"$|{symbol}|$"
    return rf"${symbol}\cdot${axis_name}"


def _shade(ax: Any, solution: Solution, names: bool, length: Scale | None = None) -> None:
    """Background regions, interfaces and (optionally) material names above the frame (x in ``length``)."""
    from matplotlib.transforms import blended_transform_factory

    length = length or figure_units(solution).length
    solution = solution.reduced
    stack = solution.stack
    nodes = length(solution.node_positions)
    above = blended_transform_factory(ax.transData, ax.transAxes)
    regions: list[tuple[float, float, str, str, str | None]] = []  # (a, b, fill, label, hatch)
    for i, layer in enumerate(stack.layers):
        kind = "F" if layer.is_ferromagnet else "N"
        regions.append((nodes[i], nodes[i + 1], style.FILL[kind], layer.material.name, None))
    for side, sign, node in (("left", -1.0, nodes[0]), ("right", 1.0, nodes[-1])):
        end = getattr(stack, side)
        extent = length(lead_extent(solution, side))
        if extent <= 0:
            continue
        a, b = sorted((float(node), float(node) + sign * extent))
        if isinstance(end, Lead):
            kind = "F" if end.is_ferromagnet else "N"
            regions.append((a, b, style.FILL[kind], f"{end.material.name} lead", style.HATCH["lead"]))
        else:  # reservoir, open face or magnetic insulator: a narrow band named by its kind
            fill, hatch, name = END_BAND[end.kind]
            regions.append((a, b, fill, name, hatch))
    for a, b, fill, label, hatch in regions:
        ax.axvspan(a, b, facecolor=fill, edgecolor="white" if hatch else "none", hatch=hatch, lw=0, zorder=0)
        if names:  # above the frame, where no curve runs; a reservoir's band is narrow: abbreviated
            ax.text(0.5 * (a + b), 1.015, label, transform=above,
                    ha="center", va="bottom", fontsize=style.FONT_SMALL, color=style.INK, clip_on=False)
    for x in nodes:
        ax.axvline(float(x), color=style.GUIDE, lw=0.6, zorder=1)


#: gap between a torque label and its jump arrows, points
_LABEL_GAP = 4.0
#: a jump shorter than this fraction of the curves' span is ringed: as an arrow alone it would be two heads
_SMALL_JUMP = 0.06
#: radius of that ring, points
_RING = 6.0
#: half the width of a jump arrow's head, points (mutation_scale 7)
_HEAD = 3.5
#: a label closer than this to another face's jump (points) is ambiguous: it is placed there only for want of room
_CLEAR = 24.0
#: extra room above the curves tried in turn when the labels do not fit beside their jumps (fraction of the axis)
_HEADROOMS = (0.0, 0.35, 0.8)


@dataclass(frozen=True)
class TorqueLabel:
    """A |Delta j_s| label and the jump it names, in data coordinates, before it is placed.

    ``low``, ``high``: the extent of the drawn jump arrows (every component that jumps visibly);
    ``half_width``: half the width of their bundle; ``target``: where the label's leader line
    ends; ``ring``: the jump is ringed (too short to read as an arrow); ``side``: +1 when the
    layer without a magnet is on the right of the face (the label's preferred side), -1 on the left.
    """

    node: int
    text: str
    x: float
    low: float
    high: float
    half_width: float
    target: tuple[float, float]
    ring: bool
    side: int


def _receiver(solution: Solution, k: int) -> str:
    """The name of the magnet that takes the torque deposited at node ``k``: "Py", "Co lead", or "Co|Co"
    where two magnets touch."""
    stack = solution.stack
    elements = solution.arrays.elements()

    def name(element: int) -> str:
        if element == 0:
            return f"{stack.left.material.name} lead"
        if element == len(stack.layers) + 1:
            return f"{stack.right.material.name} lead"
        return stack.layers[element - 1].material.name

    magnets = [e for e in (k, k + 1) if elements[e] is not None and elements[e].is_ferromagnet]
    text = name(magnets[0]) if len(magnets) == 1 else f"{name(k)}|{name(k + 1)}"
    return text.replace("$", r"\$")


def _annotate_torques(ax: Any, solution: Solution, segments: list[Segment], components: str,
                      axis: np.ndarray, span: float, xspan: float, length: Scale | None = None,
                      current: Scale | None = None) -> list[TorqueLabel]:
    """Draw the jump of j_s at every torque face (one arrow per component that jumps) and return the labels.

    ``segments`` hold the drawn values (x in ``length``, j_s in ``current``); a label gives
    |Delta j_s|, in SI |e||Delta j_s| in the unit of the axis and the torque per area in J/m^2 with
    the magnet it acts on.  A jump too short to see as an arrow (or none in the plotted projection)
    is ringed.  :func:`_place_torque_labels` puts the labels beside their own jumps.
    """
    units = figure_units(solution)
    solution = solution.reduced
    length = length or units.length
    current = current or units.scale("spin_current")
    deposit = solution.deposit
    torque = units.scale("torque")  # J/m^2, the power of ten with each number
    scale = style.robust_scale(*(s.values for s in segments))
    # the segment ending at each node (from the left) and the one starting there
    by_node_left: dict[int, Segment] = {}
    by_node_right: dict[int, Segment] = {}
    for s in segments:
        if s.kind == "left":
            by_node_left[0] = s
        elif s.kind == "right":
            by_node_right[s.index] = s
        else:
            by_node_right[s.index] = s
            by_node_left[s.index + 1] = s
    faces = [k for k in torque_nodes(solution) if np.linalg.norm(current(deposit[k])) > 1e-9 * scale]
    elements = solution.arrays.elements()
    labels: list[TorqueLabel] = []
    shift = 0.006 * xspan  # arrows of several components side by side
    for k in faces:
        x = float(length(solution.node_positions[k]))
        before = _lines(by_node_left[k].values[-1:], components, axis)
        after = _lines(by_node_right[k].values[:1], components, axis)
        jumps = [(key, float(a[0]), float(b[0])) for (key, a), (_, b) in zip(before, after)]
        visible = [(key, low, high) for key, low, high in jumps if abs(high - low) > 0.02 * span]
        size = float(np.linalg.norm(deposit[k]))
        text = rf"$|\Delta j_s|={style.number(size)}$"
        if not current.reduced:  # the jump in the axis' unit, and the torque per area it is, on which magnet
            text = (rf"$|e\,\Delta j_s|={current.value(size)[1:]}" "\n"
                    rf"torque {torque.value(size)} on {_receiver(solution, k)}")
        for n, (key, low, high) in enumerate(visible):
            at = x + shift * (n - 0.5 * (len(visible) - 1))
            ax.annotate("", xy=(at, high), xytext=(at, low),
                        arrowprops=dict(arrowstyle="<|-|>", color=style.COMPONENT[key], lw=0.9, shrinkA=0,
                                        shrinkB=0, mutation_scale=7), zorder=5, gid=f"jump:{k}:{key}")
        if visible:
            _, low, high = max(visible, key=lambda item: abs(item[2] - item[1]))
            bottom = min(v for _, a, b in visible for v in (a, b))
            top = max(v for _, a, b in visible for v in (a, b))
        else:  # the plotted projection does not jump (e.g. along m): the face's point on the curve
            low = high = bottom = top = 0.5 * (jumps[0][1] + jumps[0][2])
        ring = abs(high - low) < _SMALL_JUMP * span
        target = (x, 0.5 * (low + high))
        if ring:  # two arrow heads, or nothing, would not show where the torque is
            ax.plot(*target, ls="none", marker="o", ms=2 * _RING, mfc="none", mec=style.INK, mew=0.9, zorder=6,
                    gid=f"jump-ring:{k}")
        half_width = shift * 0.5 * (len(visible) - 1)
        side = 1 if elements[k].is_ferromagnet else -1  # towards the layer without a magnet: flatter curves
        labels.append(TorqueLabel(k, text, x, bottom, top, half_width, target, ring, side))
    return labels


def _curve_points(segments: list[Segment], quantity: str, components: str, axis: np.ndarray) -> np.ndarray:
    """Every drawn point of the curves, (n, 2) in data coordinates: what a label should not cover."""
    parts = []
    for segment in segments:
        curves = ([("potential", segment.values)] if quantity == "potential"
                  else _lines(segment.values, components, axis))
        parts += [np.column_stack([segment.x, values]) for _, values in curves]
    points = np.vstack(parts) if parts else np.zeros((0, 2))
    return points[np.all(np.isfinite(points), axis=1)]


def _renderer(fig: Any) -> Any:
    """The figure's renderer after its layout is done (a constrained layout moves the Axes when drawn)."""
    if fig.get_layout_engine() is not None:
        fig.draw_without_rendering()
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _overlaps(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Which of ``boxes`` (m, 4: x0, y0, x1, y1) intersect ``box`` (4,)."""
    return ((boxes[:, 0] < box[2]) & (box[0] < boxes[:, 2]) & (boxes[:, 1] < box[3]) & (box[1] < boxes[:, 3]))


def _distance(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Euclidean gap between each of ``boxes`` (m, 4) and ``box`` (4,): 0 where they touch."""
    dx = np.maximum(0.0, np.maximum(box[0] - boxes[:, 2], boxes[:, 0] - box[2]))
    dy = np.maximum(0.0, np.maximum(box[1] - boxes[:, 3], boxes[:, 1] - box[3]))
    return np.hypot(dx, dy)


def _inside(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Which of ``points`` (..., 2) lie inside ``box`` (4,)."""
    return ((points[..., 0] > box[0]) & (points[..., 0] < box[2]) & (points[..., 1] > box[1])
            & (points[..., 1] < box[3]))


def _layout(ax: Any, labels: list[TorqueLabel], points: np.ndarray, renderer: Any,
            strict: bool) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """Boxes (display pixels) for ``labels`` beside their own jumps and the leader line's ends, or None where
    no place meets every rule (with ``strict=False`` the least bad place is taken instead).

    The rules: inside the frame; clear of every other label, leader line and jump (arrows and rings);
    nearer its own jump than any other.  Among the places that keep them, the nearest to its jump
    covering the fewest curve points wins, on the side of the layer without a magnet when that is as good.
    """
    fig = ax.figure
    pt = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    margin = 2.0 * pt
    to_px = ax.transData.transform
    curve = to_px(points) if len(points) else np.zeros((0, 2))
    jumps = []  # each face's drawn jump (arrows, ring), display pixels
    for label in labels:
        (xa, ya), (xb, yb) = to_px([(label.x - label.half_width, label.low), (label.x + label.half_width, label.high)])
        box = np.array([min(xa, xb) - _HEAD * pt, min(ya, yb), max(xa, xb) + _HEAD * pt, max(ya, yb)])
        if label.ring:
            cx, cy = to_px(label.target)
            r = (_RING + 1.0) * pt
            box = np.array([min(box[0], cx - r), min(box[1], cy - r), max(box[2], cx + r), max(box[3], cy + r)])
        jumps.append(box)
    pad = 0.15 * style.FONT_SMALL * pt  # the label's rounded box: boxstyle pad 0.15 (of the font size)
    placed: list[np.ndarray] = []
    leaders: list[np.ndarray] = []  # sampled leader lines of the placed labels, (s, 2)
    chosen: list[tuple[np.ndarray, np.ndarray] | None] = []
    gap = _LABEL_GAP * pt
    fractions = np.linspace(0.0, 1.0, 17)[1:-1, None]
    for i, label in enumerate(labels):
        probe = ax.text(0.0, 0.0, label.text, fontsize=style.FONT_SMALL)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        w, h = extent.width + 2 * pad, extent.height + 2 * pad
        own = jumps[i]
        # centres: beside the jump on either side, and anywhere in the frame (with a leader line)
        xs = [own[2] + gap + w / 2, own[0] - gap - w / 2]
        xs += list(np.arange(frame.x0 + margin + w / 2, frame.x1 - margin - w / 2 + 1e-9, max(w / 6, 3 * pt)))
        ys = np.arange(frame.y0 + margin + h / 2, frame.y1 - margin - h / 2 + 1e-9, max(h / 4, 2 * pt))
        if not len(ys):
            ys = np.array([0.5 * (frame.y0 + frame.y1)])
        cx, cy = (a.ravel() for a in np.meshgrid(np.asarray(xs), ys))
        boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        bad = np.zeros(len(boxes))
        bad += ~((boxes[:, 0] >= frame.x0 + margin) & (boxes[:, 2] <= frame.x1 - margin)
                 & (boxes[:, 1] >= frame.y0 + margin) & (boxes[:, 3] <= frame.y1 - margin))
        grow = np.array([-2, -2, 2, 2]) * pt
        for obstacle in jumps + placed:
            bad += _overlaps(boxes, obstacle + grow)
        # the leader line: from the box's nearest point to the jump (its middle when ringed)
        tx = np.full(len(boxes), to_px(label.target)[0])
        ty = np.full(len(boxes), to_px(label.target)[1]) if label.ring else np.clip(cy, own[1], own[3])
        sx, sy = np.clip(tx, boxes[:, 0], boxes[:, 2]), np.clip(ty, boxes[:, 1], boxes[:, 3])
        line = np.stack([sx[:, None] + fractions.T * (tx - sx)[:, None],
                         sy[:, None] + fractions.T * (ty - sy)[:, None]], axis=-1)  # (m, s, 2)
        for j, obstacle in enumerate(jumps + placed):
            if j != i:
                bad += _inside(line, obstacle).any(axis=1)
        for sampled in leaders:
            bad += np.array([_inside(sampled, box).any() for box in boxes])
        near = _distance(boxes, own)
        others = [_distance(boxes, jump) for j, jump in enumerate(jumps) if j != i]
        crowded = np.zeros(len(boxes))
        if others:  # a reader pairs a label with the nearest jump: it must be its own, and clearly
            nearest_other = np.min(others, axis=0)
            bad += near >= nearest_other
            crowded = np.maximum(0.0, _CLEAR * pt - nearest_other)
        covered = np.zeros(len(boxes))
        if len(curve):
            clear = 3.0 * pt  # a curve passing this close to a box looks covered
            inside = ((curve[None, :, 0] > boxes[:, 0:1] - clear) & (curve[None, :, 0] < boxes[:, 2:3] + clear)
                      & (curve[None, :, 1] > boxes[:, 1:2] - clear) & (curve[None, :, 1] < boxes[:, 3:4] + clear))
            covered = inside.sum(axis=1)
        x_face = 0.5 * (own[0] + own[2])
        wrong_side = np.sign(cx - x_face) != label.side
        # beside the jump rather than above or below it, where its curves end
        beyond = (boxes[:, 1] > own[3]) | (boxes[:, 3] < own[1])
        cost = (near + 10.0 * covered + 4.0 * crowded + 15.0 * wrong_side + 12.0 * beyond
                + 0.02 * np.abs(cy - 0.5 * (own[1] + own[3])))
        if strict:
            cost = np.where(bad > 0, np.inf, cost)
        else:
            cost = cost + 1e6 * bad
        best = int(np.argmin(cost))
        if not np.isfinite(cost[best]):
            chosen.append(None)
            continue
        placed.append(boxes[best])
        leaders.append(line[best])
        chosen.append((boxes[best], np.array([tx[best], ty[best]])))
    return chosen


def _place_torque_labels(ax: Any, labels: list[TorqueLabel], points: np.ndarray) -> None:
    """Write every label beside its own jump, joined to it by a thin leader line (see :func:`_layout`).

    When they do not all fit, room is made above the curves (the y-axis grows) and the layout is
    tried again; the last try takes the least bad place of each label.
    """
    fig = ax.figure
    low, high = ax.get_ylim()
    for attempt, headroom in enumerate(_HEADROOMS):
        ax.set_ylim(low, high + headroom * (high - low))
        renderer = _renderer(fig)
        last = attempt == len(_HEADROOMS) - 1
        places = _layout(ax, labels, points, renderer, strict=not last)
        if all(place is not None for place in places):
            break
    to_data = ax.transData.inverted().transform
    for label, (box, target) in zip(labels, places):
        centre = to_data([0.5 * (box[0] + box[2]), 0.5 * (box[1] + box[3])])
        end = to_data(target)
        annotation = ax.annotate(label.text, xy=tuple(end), xytext=tuple(centre), textcoords="data", ha="center",
                                 va="center", fontsize=style.FONT_SMALL, color=style.INK, zorder=6,
                                 gid=f"torque-label:{label.node}", annotation_clip=False,
                                 bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9),
                                 arrowprops=dict(arrowstyle="-", color=style.INK, lw=0.6, shrinkA=0,
                                                 shrinkB=_RING if label.ring else 0.0))
        annotation.set_in_layout(False)


def plot_profiles(solution: Solution | Stack, quantity: str = "accumulation", components: str = "xyz",
                  ax: Any = None, names: bool = True) -> Any:
    """Draw mu_s(x), j_s(x) or mu_0(x) across the stack (seed Figs. 2, 3).

    Parameters
    ----------
    solution
        A single-configuration :class:`~spinstack.Solution`, or a stack (solved here).
    quantity
        ``"accumulation"`` (mu_s), ``"spin_current"`` (j_s) or ``"potential"`` (mu_0, scalar:
        ``components`` is ignored).
    components
        ``"xyz"``: the three components in the stack's spin-space frame; ``"magnitude"``:
        |mu_s| or |j_s|; ``"longitudinal"``: the projection on the first magnetization
        along x (for a collinear stack, the seed's scalar profiles).
    ax
        Axes to draw into; a new figure when omitted.
    names
        Write the region names (materials, leads, the kinds of the end bands) above the frame.

    Returns
    -------
    matplotlib.axes.Axes
    """
    solution = solution_of(solution, "plot_profiles")
    style.check_quantity(quantity)
    if components not in COMPONENTS:
        raise ValueError(f"components must be one of {', '.join(map(repr, COMPONENTS))}, got {components!r}")
    ax = style.new_axes(ax)
    solution = solution.reduced  # model numbers: converted by the figure's scales
    units = figure_units(solution)
    length = units.length
    segments = sample(solution, quantity)
    scale = units.scale(quantity, *(segment.values for segment in segments))
    if not scale.reduced or not length.reduced:  # SI: draw in nm and eV, A/m^2 (reduced: the numbers as they are)
        segments = [Segment(s.kind, s.index, length(s.x), scale(s.values)) for s in segments]
    axis, axis_name = reference_axis(solution)
    labelled: dict[str, str] = {}
    lows, highs = [0.0], [0.0]
    has_layers = len(solution.stack.layers) > 0
    for segment in segments:
        lead = segment.kind != "layer" and has_layers  # a bare contact is all lead: draw it solid
        if quantity == "potential":
            curves = [("potential", segment.values)]
        else:
            curves = _lines(segment.values, components, axis)
        for key, values in curves:
            color = style.INK if key == "potential" else style.COMPONENT[key]
            if key != "potential":
                labelled.setdefault(key, _component_label(quantity, key, axis_name))
            ax.plot(segment.x, values, color=color, lw=1.6, ls=(0, (4, 2)) if lead else "-", zorder=3)
            lows.append(float(values.min()))
            highs.append(float(values.max()))
    low, high = min(lows), max(highs)
    span = high - low if high > low else 1.0
    _shade(ax, solution, names, length)
    ax.axhline(0.0, color=style.GUIDE, lw=0.6, zorder=1)
    x_all = np.concatenate([s.x for s in segments]) if segments else np.array([0.0])
    left = min(-length(lead_extent(solution, "left")), float(x_all.min()))
    right = max(float(length(solution.node_positions[-1] + lead_extent(solution, "right"))), float(x_all.max()))
    ax.set_xlim(left, right)
    ax.set_ylim(low - 0.08 * span, high + 0.12 * span)
    ax.set_xlabel(style.x_label(length))
    ax.set_ylabel(style.quantity_label(quantity, scale))
    if labelled:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=style.COMPONENT[key], lw=1.6, label=label) for key, label in labelled.items()]
        if has_layers and any(segment.kind != "layer" for segment in segments):
            handles.append(Line2D([], [], color=style.GUIDE, lw=1.6, ls=(0, (4, 2)), label="in a lead"))
        # outside, to the right: inside it would sooner or later cover a curve or a |Delta j_s| label
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  fontsize=style.FONT_SMALL, frameon=False, handlelength=1.8)
    if quantity == "spin_current":  # last: the labels are placed by the drawn figure's geometry
        labels = _annotate_torques(ax, solution, segments, components, axis, span, right - left, length, scale)
        if labels:
            _place_torque_labels(ax, labels, _curve_points(segments, quantity, components, axis))
    return ax


def _collinear(solution: Solution) -> bool:
    axes = [np.asarray(e.m, dtype=float) for e in solution.arrays.elements() if e is not None and e.is_ferromagnet]
    return all(np.linalg.norm(np.cross(axes[0], a)) < 1e-9 for a in axes[1:]) if axes else True


def profiles_figure(solution: Solution | Stack, fig: Any = None, components: str | None = None, *, ax: Any = None) -> Any:
    """mu_s(x) above j_s(x), sharing x (seed Figs. 2, 3).

    Parameters
    ----------
    solution
        A single-configuration solution, or a stack (solved here).
    fig
        Figure to draw into (it should be empty); a new one when omitted.
    components
        As in :func:`plot_profiles`; by default ``"longitudinal"`` for a collinear stack
        (one scalar curve, as in the seed) and ``"xyz"`` otherwise.
    ax
        Instead of ``fig``: one Axes (a subplot), whose place is divided into the two panels (the
        Axes is replaced by them), or two Axes (mu_s, j_s) to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into: ``fig``, the one holding ``ax``, or a new one.
    """
    solution = solution_of(solution, "profiles_figure").reduced
    if components is None:  # an in-plane drive polarises along sigma_hat, not along m: every component
        components = "longitudinal" if _collinear(solution) and not solution.stack.has_field else "xyz"
    fig, (top, bottom) = style.new_panels(fig, ax, shape=(2, 1), figsize=(7.2, 6.0), sharex=True)
    j0 = float(solution.current)
    direction = r"$+x$" if j0 >= 0 else r"$-x$"
    title = rf"{figure_units(solution).drive(j0)} (electrons flow towards {direction})"
    if solution.stack.has_field:  # the in-plane drive (MODEL.md 8); the CPP current only when there is one
        title = drive_text(solution.stack) + ("" if j0 == 0 else "\nand " + title)
    # the title and the upper panel first: the torque labels of the lower one are placed in the finished layout
    fig.suptitle(title, fontsize=style.FONT_NORMAL)
    plot_profiles(solution, "accumulation", components, ax=top)
    top.set_xlabel("")
    plot_profiles(solution, "spin_current", components, ax=bottom, names=False)
    return fig
