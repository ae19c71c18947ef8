"""The seed's mechanical analogy drawn on the folded mu_s hodograph (seed section 3, Figs. 2-5).

mu_s(x) is an elastic cord; the rings (nodes next to an F) slide without
friction on rails, the magnetization axes through the origin.  On every ring
act (:mod:`spinstack.analysis.analogy`, in hbar/2 spin-current units; the forces in the fold plane
are :func:`spinstack.analysis.analogy.folded_ring_forces`):

* the driving force of each adjacent F cord, +p j0 m (cord on the left) or
  -p j0 m (on the right), pulling the ring away from the origin;
* the elastic reaction of the F cord (the rest of its spin current, along m);
* the tension of each N cord, tangent to the hodograph;
* the rail's reaction, normal to the rail; the ring presses on the rail with
  the opposite force, which is the spin-transfer torque share of that face.

Every force is a spin current at the ring, so it folds with the rotation of the
layer whose cord it belongs to (the rail reaction with the N side, whose plane
holds the transverse part it balances).  The arrows share one scale and start
at the ring; those along the rail are drawn slightly apart so that none hides
another.  Their sum is zero on every ring (the balance of eq. 10).

An SI stack is drawn in readable units (:mod:`spinstack.plot.units`): the
positions (mu_s) in eV, meV or ueV, the forces, which are spin currents, as
|e| j_s in A/m^2 times a power of ten (the scale key and the table say which).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.analogy import FoldedForce, FoldedRing, FORCE_KINDS, folded_ring_forces, force_balance
from ..analysis.hodographs import hodograph, hodograph_pieces, to_fold
from ..errors import SpinstackError
from ..model import Stack
from ..solution import Solution, solution_of
from . import style
from .frames import label_anchor, nice, ring_labels, square_box
from .hodograph import draw_axes, quantity_scale
from .units import Scale, figure_units

KINDS = FORCE_KINDS

#: why a stack with an in-plane field gets no analogy figure
IN_PLANE_ANALOGY = ("the rings on rails balance the forces of the CPP current (seed section 3), not those of an "
                    "in-plane spin Hall drive; see the profiles, sot-thickness, smr-thickness and smr-angle figures")


def _scaled(rings: list[FoldedRing], position: Scale, force: Scale) -> list[FoldedRing]:
    """The rings with positions in ``position`` units and forces in ``force`` units."""
    return [FoldedRing(ring.node, position(ring.position), ring.axis,
                       tuple(FoldedForce(f.ring, f.node, f.kind, f.side, force(f.vector), force(f.out_of_plane))
                             for f in ring.forces), ring.side)
            for ring in rings]


def _table(rings: list[FoldedRing], unit: str = "") -> str:
    """Magnitudes of the forces, one line per ring (monospace); the last column is the balance
    (:func:`force_balance`).

    A ring with two forces of one kind (two N cords on a free joint, two F cords
    where two magnets touch) shows both, left/right.
    """
    balance = force_balance(rings)
    names = {"driving": "drive", "elastic": "elastic", "tension": "tension", "interface": "interface", "rail": "rail"}
    rows = []
    for r, ring in enumerate(rings):
        cells = []
        for kind in balance["kinds"]:
            sizes = [style.number(value) for value in balance[kind][r]]
            if len(sizes) == 2 and sizes[0] == sizes[1]:
                sizes = ["2×" + sizes[0]]
            cells.append("/".join(sizes) if sizes else "-")
        rows.append((f"μ{ring.label}", cells, style.number(balance["sum"][r], 1)))
    width = 2 + max([len(names[kind]) for kind in balance["kinds"]] + [len(c) for _, cells, _ in rows for c in cells])
    lines = ["ring" + "".join(f"{names[kind]:>{width}}" for kind in balance["kinds"]) + f"{'|sum|':>9}"]
    lines += [f"{name:<4}" + "".join(f"{c:>{width}}" for c in cells) + f"{total:>9}" for name, cells, total in rows]
    lines.append(f"|force| per ring{f' ({unit})' if unit else ''}; rail = |torque share|")
    return "\n".join(lines)


def plot_analogy(solution: Solution | Stack, ax: Any = None, samples: int = 65, numbers: bool = True,
                 key_ax: Any = None) -> Any:
    """The mechanical analogy: rails, rings, cords and the balanced forces on each ring.

    Parameters
    ----------
    solution
        A single-configuration solution, or a stack (solved here).
    ax
        Axes to draw into; when omitted, a new figure with a side panel for the key.
    samples
        Points per layer of the cords.
    numbers
        List the force magnitudes of every ring (and the balance |sum|) under the legend.
    key_ax
        Axes (turned off here) that receives the legend and the numbers; by default the
        side panel of the new figure, or, when ``ax`` is given, the room beside ``ax``, right
        of its frame (a figure too small for the drawing and the key, 9.6 x 5 inches, is
        enlarged: :func:`spinstack.plot.style.make_room`).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The arrows are drawn with one ``quiver`` per force (gid ``"force:<node>:<kind>:<side>"``),
    in force units scaled by one common factor (``quiverkey`` shows it); summed
    over a ring their components vanish.
    """
    solution = solution_of(solution, "plot_analogy")
    from matplotlib.legend_handler import HandlerPatch
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrow, Patch

    if solution.stack.has_field:
        raise SpinstackError(f"no analogy figure: {IN_PLANE_ANALOGY}")
    solution = solution.reduced  # model numbers: converted by the figure's scales
    if ax is None:
        fig = style.new_figure(None, figsize=(9.6, 5.0))
        ax, key_ax = fig.subplots(1, 2, width_ratios=[1.0, 0.7])
    elif key_ax is None or key_ax is ax:
        style.make_room(ax, (9.6, 5.0))  # the size of the figure with a side panel
        ax.set_anchor("W")  # the square drawing at the left of its place, the key in the rest
    if key_ax is not None and key_ax is not ax:
        key_ax.set_axis_off()
    fold = hodograph(solution, samples)
    rings = folded_ring_forces(solution, samples)
    units = figure_units(solution)
    position = quantity_scale(solution, "accumulation", fold)
    force = units.scale("spin_current", *(f.vector for ring in rings for f in ring.forces))
    if units.si:  # positions are spin accumulations, forces spin currents
        rings = _scaled(rings, position, force)
    pieces = [(piece, position(to_fold(fold, piece.element, piece.points)))
              for piece in hodograph_pieces(solution, "accumulation", fold)]
    cords = np.vstack([points for _, points in pieces]) if pieces else np.zeros((1, 2))
    cord_size = max(float(np.abs(cords).max()), 1e-12)
    largest = max((np.linalg.norm(f.vector) for ring in rings for f in ring.forces), default=0.0)
    # one scale for every force: the largest arrow spans 45 % of the hodograph's reach
    scale = 0.45 * cord_size / largest if largest > 0 else 1.0
    tips = [ring.position + scale * f.vector for ring in rings for f in ring.forces]
    box = square_box(np.vstack([cords] + ([np.array(tips)] if tips else [])), margin=0.12)
    size = box[1] - box[0]

    draw_axes(ax, solution, fold, box, lw=1.6)
    ax.plot([0.0], [0.0], marker="+", color=style.INK, ms=8, zorder=4)
    for piece, points in pieces:
        ax.plot(points[:, 0], points[:, 1], color=style.CURVE[piece.kind], lw=2.0 if piece.kind == "F" else 1.5,
                ls=(0, (4, 2)) if piece.lead else "-", alpha=0.4, zorder=2)

    offset = 0.018 * size
    first_quiver = None
    arrows: list[tuple[np.ndarray, np.ndarray]] = []
    for ring in rings:
        normal = np.array([-ring.axis[1], ring.axis[0]])
        along = [f for f in ring.forces if np.any(ring.axis) and
                 abs(np.dot(f.vector, normal)) < 1e-9 * max(np.linalg.norm(f.vector), 1e-300)]
        for f in ring.forces:
            start = ring.position.copy()
            if f in along and len(along) > 1:  # spread the forces along the rail apart
                n = along.index(f)
                start = start + offset * (n - 0.5 * (len(along) - 1)) * normal
            arrows.append((start, start + scale * f.vector))
            quiver = ax.quiver([start[0]], [start[1]], [f.vector[0]], [f.vector[1]], color=style.FORCE[f.kind],
                               angles="xy", scale_units="xy", scale=1.0 / scale, units="inches", width=0.022,
                               headwidth=3.6, headlength=4.2, headaxislength=3.8, minlength=0, zorder=5,
                               gid=f"force:{ring.label}:{f.kind}:{f.side}")
            first_quiver = first_quiver or quiver
        if np.any(ring.axis):
            ax.plot(*ring.position, marker="o", ms=11, mfc="white", mec=style.INK, mew=1.6, zorder=4)
        else:  # a joint of two N cords: no rail, a point of the cord
            ax.plot(*ring.position, marker="o", ms=6, mfc=style.GUIDE, mec=style.INK, mew=0.8, zorder=6)
    # each name where it is farthest from the arrows (its own and its neighbours'), the rails and the other names
    frame = ax.get_position()  # the square drawing's side, in points: the names' distance on the page
    side = 72.0 * min(frame.width * ax.figure.get_figwidth(), frame.height * ax.figure.get_figheight())
    for label in ring_labels(rings, arrows, size):  # one label for rings at one point: "mu_1, mu_2"
        away = np.array([np.cos(label.angle), np.sin(label.angle)])
        horizontal, vertical = label_anchor(label.angle)
        text = ", ".join(rf"$\mu_{{{rings[i].label}}}$" for i in label.rings)
        ax.annotate(text, xy=label.position, xytext=label.distance * side * away, textcoords="offset points",
                    ha=horizontal, va=vertical, fontsize=style.FONT_NORMAL, color=style.INK, zorder=7,
                    bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.7))

    if first_quiver is not None:
        reference = nice(largest / 2.0)
        key = rf"force {style.number(reference)}" if force.reduced else f"force {force.value(reference / force.factor)}"
        ax.quiverkey(first_quiver, 0.80, 0.05, reference, key, labelpos="N",
                     coordinates="axes", color=style.INK, labelcolor=style.INK,
                     fontproperties={"size": style.FONT_SMALL})

    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_aspect("equal", adjustable="box")
    labels = style.magnet_labels(solution.stack)
    first = labels[min(labels)] if labels else r"$\hat{\mathbf{y}}$"
    ax.set_xlabel(position.quantity_label(rf"$\mu_s$ normal to {first} (fold plane)"))
    ax.set_ylabel(position.quantity_label(rf"$\mu_s$ along {first}"))

    def arrow(legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float,
              fontsize: float) -> FancyArrow:
        return FancyArrow(0, 0.5 * height, width, 0, length_includes_head=True, head_width=0.8 * height,
                          head_length=0.5 * height, width=0.2 * height)

    present = [kind for kind in KINDS if any(f.kind == kind for ring in rings for f in ring.forces)]
    handles = [Patch(color=style.FORCE[kind], label=style.FORCE_LABEL[kind]) for kind in present]
    handles.append(Line2D([], [], ls="none", marker="o", ms=8, mfc="white", mec=style.INK, mew=1.4,
                          label="ring (slides on its rail)"))
    if any(not np.any(ring.axis) for ring in rings):
        handles.append(Line2D([], [], ls="none", marker="o", ms=6, mfc=style.GUIDE, mec=style.INK, mew=0.8,
                              label="free joint of two N cords"))
    handles.append(Line2D([], [], color=style.GUIDE, lw=1.6, label="rail = magnetization axis"))
    handler = {Patch: HandlerPatch(patch_func=arrow)}
    table_unit = "" if force.reduced else force.text  # forces are spin currents: A/m^2 in SI
    # the key beside the drawing (in the side panel, or right of the frame): inside it would cover the drawing
    # or the force scale
    key = ax if key_ax is None or key_ax is ax else key_ax
    beside = dict(bbox_to_anchor=(1.04, 1.0)) if key is ax else {}
    legend = key.legend(handles=handles, handler_map=handler, loc="upper left", fontsize=style.FONT_SMALL,
                        frameon=False, borderaxespad=0.0, **beside)
    if numbers and rings:
        key.annotate(_table(rings, table_unit), xy=(0, 0), xycoords=legend, xytext=(0, -12),
                     textcoords="offset points", ha="left", va="top", family="monospace",
                     fontsize=style.FONT_SMALL - 0.5, color=style.INK, gid="force-table")
    j0 = float(solution.current)
    drive = rf"$J = {units.current.value(j0)[1:]}" if units.si else rf"$j_0 = {style.number(j0)}$"
    ax.set_title(rf"mechanical analogy, {drive}", fontsize=style.FONT_NORMAL + 1)
    return ax
