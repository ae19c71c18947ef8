"""Hodographs of mu_s and j_s: folded into one plane (seed Figs. 4, 5) and in 3D.

In the fold frame (:mod:`spinstack.analysis.hodographs`) the first magnetization
axis points up (+y) and every N cord lies in the plane; the figure shows

* the magnetization axes as lines through the origin, labelled m1, m2, ... (F
  layers, in order along x) and m_L, m_R (ferromagnetic leads);
* the F segments, on their axes, and the N cords with their sag towards the
  origin (seed section 3.2); leads dashed, from their face to their limit far
  away (mu_s -> 0, j_s -> p j0 m);
* the nodes mu_s(x_k); at a resistive interface both sides, mu^- and mu^+, each on its
  own layer's curve, joined by a thin dashed line (the jump);
* for j_s the jump Delta j_s = j_s(x_k-) - j_s(x_k+) at every F face as an arrow (drawn
  from j_s(x_k+) to j_s(x_k-)): its direction is that of the torque share on the F (seed eq. 12).

An SI stack is drawn in readable units (:mod:`spinstack.plot.units`): mu_s in
eV, meV or ueV, j_s as |e| j_s in A/m^2 times a power of ten, the same unit on
both axes of a panel (equal aspect).  The figures read the solution's model numbers
(:attr:`spinstack.Solution.reduced`) and convert them there, whichever solution they are given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.hodographs import (FoldedNode, Hodograph, HodographPiece, folded_nodes, hodograph, hodograph_pieces,
                                  magnetization_axes, one_sided_spin_current, to_fold, torque_nodes)
from ..model import Insulator, Stack
from ..solution import Solution, solution_of
from . import style
from .frames import square_box
from .spin_orbit import drive_text
from .units import Scale, figure_units

_SAMPLES = 129
_TINY = 1e-9


def magnet_axes(solution: Solution) -> list[tuple[int, str, np.ndarray]]:
    """(element, label, m) of every magnetization (F layers and F leads), left to right."""
    labels = style.magnet_labels(solution.stack)
    return [(element, labels[element], m) for element, m in magnetization_axes(solution)]


def _grouped_axis_labels(directions: list[tuple[str, np.ndarray]]) -> list[tuple[str, np.ndarray]]:
    """Merge the labels of (anti)parallel axes: one label per distinct end of a line."""
    groups: list[tuple[list[str], np.ndarray]] = []
    for label, direction in directions:
        unit = direction / max(np.linalg.norm(direction), 1e-300)
        for names, tip in groups:
            if np.linalg.norm(unit - tip) < 1e-6:
                names.append(label)
                break
        else:
            groups.append(([label], unit))
    return [(", ".join(names), tip) for names, tip in groups]


def _exit_distance(direction: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Distance from the origin along ``direction`` (unit, 2D) to the edge of ``box``."""
    x0, x1, y0, y1 = box
    distances = []
    for component, low, high in ((direction[0], x0, x1), (direction[1], y0, y1)):
        if component > 1e-12:
            distances.append(high / component)
        elif component < -1e-12:
            distances.append(low / component)
    return min(distances) if distances else 0.0


def draw_axes(ax: Any, solution: Solution, fold: Hodograph, box: tuple[float, float, float, float],
              lw: float = 0.8, length: float = 10.0) -> None:
    """Magnetization axes as lines through the origin (clipped by the view), labelled at their + ends."""
    directions = []
    size = max(box[1] - box[0], box[3] - box[2])
    for element, label, m in magnet_axes(solution):
        u = to_fold(fold, element, m)
        ax.plot([-length * size * u[0], length * size * u[0]], [-length * size * u[1], length * size * u[1]],
                color=style.GUIDE, lw=lw, zorder=1)
        directions.append((label, u))
    for text, u in _grouped_axis_labels(directions):
        reach = 0.9 * _exit_distance(u, box)
        normal = np.array([-u[1], u[0]])
        where = reach * u + 0.035 * size * normal
        ax.text(where[0], where[1], text, ha="center", va="center", fontsize=style.FONT_NORMAL, color=style.INK,
                zorder=6, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def node_axis(solution: Solution, fold: Hodograph, node: int) -> np.ndarray | None:
    """Folded direction (2,) of the F axis the node sits on, or None between two N."""
    elements = solution.arrays.elements()
    for element in (node, node + 1):
        e = elements[element]
        if e is not None and e.is_ferromagnet:
            return to_fold(fold, element, np.asarray(e.m, dtype=float))
    return None


def _side_axis(solution: Solution, fold: Hodograph, element: int) -> np.ndarray | None:
    """Folded direction (2,) of element ``element``'s magnetization, or None when it is not an F."""
    e = solution.arrays.elements()[element]
    return to_fold(fold, element, np.asarray(e.m, dtype=float)) if e is not None and e.is_ferromagnet else None


def _node_marks(solution: Solution, fold: Hodograph) -> list[tuple[FoldedNode, list[tuple[np.ndarray, str,
                                                                                      np.ndarray | None]]]]:
    """Every node and the points drawn for it: (folded mu_s, label, folded axis beside which it is written or None).

    One point where mu_s is continuous; at a resistive interface two, mu^- and mu^+, each on its own
    element's folded curve (:func:`~spinstack.analysis.hodographs.folded_nodes`).
    """
    marks = []
    for node in folded_nodes(solution, fold):
        k = node.node
        if node.resistive:
            points = [(node.left, rf"$\mu_{{{k}}}^{{-}}$", _side_axis(solution, fold, k)),
                      (node.right, rf"$\mu_{{{k}}}^{{+}}$", _side_axis(solution, fold, k + 1))]
        else:
            points = [(node.left, rf"$\mu_{{{k}}}$", node_axis(solution, fold, k))]
        marks.append((node, points))
    return marks


def _jump_arrows(solution: Solution, fold: Hodograph) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(node, tail = j_s(x_k+), head = j_s(x_k-)) folded, for every F face with a torque."""
    arrows = []
    solution = solution.reduced
    scale = style.robust_scale(solution.spin_current_left, solution.spin_current_right,
                               solution.spin_current_in, solution.spin_current_out)
    for k in torque_nodes(solution):
        before, after = one_sided_spin_current(solution, k)
        if np.linalg.norm(before - after) <= _TINY * scale:
            continue
        arrows.append((k, to_fold(fold, k + 1, after), to_fold(fold, k, before)))
    return arrows


def _label_direction(point: np.ndarray, center: np.ndarray, axis: np.ndarray | None) -> np.ndarray:
    """Unit direction (2,) to write a point's label in: away from ``center`` and beside ``axis`` (not along it).

    Beside, because the axis labels sit at the ends of the axes and the F segments run along them.
    """
    away = point - center
    if np.linalg.norm(away) < 1e-9 * max(np.linalg.norm(point), 1e-300):
        away = point if np.linalg.norm(point) > 0 else np.array([1.0, 0.0])
    if axis is not None and np.linalg.norm(axis) > 0:
        u = axis / np.linalg.norm(axis)
        normal = np.array([-u[1], u[0]])
        side = np.dot(away, normal)
        # beside the axis, leaning towards the origin: the axis labels sit at the far ends
        away = -0.35 * np.sign(np.dot(point, u)) * u + (1.0 if side >= 0 else -1.0) * normal
    return away / max(np.linalg.norm(away), 1e-300)


# tried in turn from a label's own direction (degrees): the first whose box is clear of the others wins
_TURNS = (0.0, 40.0, -40.0, 80.0, -80.0, 120.0, -120.0, 160.0, -160.0)


def _label_points(ax: Any, labels: list[tuple[np.ndarray, str, np.ndarray | None]], center: np.ndarray,
                  unlabelled: list[np.ndarray] = ()) -> None:
    """Write each ``(point, text, axis)`` label 10 pt from its point (see :func:`_label_direction`), turned
    as little as needed to keep it clear of the labels already written (the axes' too) and of the other points
    (``unlabelled`` ones, such as the origin, included).

    A label must also sit nearer its own point than any other, or a reader pairs it with the wrong one.
    Call it with the view (limits, aspect) set: the boxes are measured on the figure as it stands (a layout
    run here would be one of a half-drawn figure, which a constrained layout does not undo: it is left to
    the finished figure, and with the Axes grown by it the points only move apart).
    """
    fig = ax.figure
    ax.apply_aspect()
    get = getattr(fig.canvas, "get_renderer", None)
    renderer = get() if get is not None else fig._get_renderer()
    pt = fig.dpi / 72.0
    grow = np.array([-1.5, -1.5, 1.5, 1.5]) * pt

    def box(extent: Any) -> np.ndarray:
        return np.array([extent.x0, extent.y0, extent.x1, extent.y1])

    taken = [box(text.get_window_extent(renderer)) for text in ax.texts if text.get_visible() and text.get_text()]
    marker = 3.0 * pt  # a node's dot, radius with a little room
    centres = ax.transData.transform([point for point, _, _ in labels] + list(unlabelled))
    dots = [np.r_[xy - marker, xy + marker] for xy in centres]
    for index, (point, text, axis) in enumerate(labels):
        own = _label_direction(point, center, axis)
        best: tuple[float, Any] | None = None
        for turn in np.radians(_TURNS):
            c, s = np.cos(turn), np.sin(turn)
            away = np.array([c * own[0] - s * own[1], s * own[0] + c * own[1]])
            annotation = ax.annotate(text, xy=point, xytext=10.0 * away, textcoords="offset points",
                                     fontsize=style.FONT_NORMAL, color=style.INK, zorder=6,
                                     ha="left" if away[0] > 0.35 else "right" if away[0] < -0.35 else "center",
                                     va="bottom" if away[1] > 0.35 else "top" if away[1] < -0.35 else "center")
            here = box(annotation.get_window_extent(renderer)) + grow
            others = taken + [dot for j, dot in enumerate(dots) if j != index]
            overlap = sum(max(0.0, min(here[2], b[2]) - max(here[0], b[0]))
                          * max(0.0, min(here[3], b[3]) - max(here[1], b[1])) for b in others)
            # the box's gap to each point: its own must be the nearest
            gaps = np.hypot(np.maximum(0.0, np.maximum(here[0] - centres[:, 0], centres[:, 0] - here[2])),
                            np.maximum(0.0, np.maximum(here[1] - centres[:, 1], centres[:, 1] - here[3])))
            if len(gaps) > 1 and gaps[index] >= np.delete(gaps, index).min():
                overlap += 1e6
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, annotation)
            else:
                annotation.remove()
            if overlap == 0.0:
                break
        taken.append(box(best[1].get_window_extent(renderer)))


def _folded_pieces(solution: Solution, quantity: str, fold: Hodograph) -> list[tuple[HodographPiece, np.ndarray]]:
    return [(piece, to_fold(fold, piece.element, piece.points)) for piece in hodograph_pieces(solution, quantity, fold)]


def quantity_scale(solution: Solution, quantity: str, fold: Hodograph | None = None) -> Scale:
    """The unit a hodograph of ``quantity`` is drawn in (both axes): factor 1 for a reduced stack."""
    units = figure_units(solution)
    solution = solution.reduced
    if not units.si:
        return units.scale(quantity)
    if quantity == "accumulation":
        values = [solution.accumulation, getattr(solution, "accumulation_right", None)]
    else:
        values = [solution.spin_current_left, solution.spin_current_right, solution.spin_current_in,
                  solution.spin_current_out]
    if fold is not None:
        values.append(fold.accumulation if quantity == "accumulation" else fold.spin_current)
    return units.scale(quantity, *values)


def _frame_labels(ax: Any, solution: Solution, quantity: str, scale: Scale | None = None) -> None:
    symbol = style.SYMBOL[quantity] if scale is None or scale.reduced else style.SI_SYMBOL[quantity]

    def unit(text: str) -> str:
        return text if scale is None or scale.reduced else scale.label(text)

    axes = magnet_axes(solution)
    if axes:
        first = axes[0][1]
        ax.set_xlabel(unit(rf"${symbol}$ normal to {first} (fold plane)"))
        ax.set_ylabel(unit(rf"${symbol}$ along {first}"))
    else:
        ax.set_xlabel(unit(rf"${symbol}^x$"))
        ax.set_ylabel(unit(rf"${symbol}^y$"))


def plot_hodograph(solution: Solution | Stack, quantity: str = "accumulation", ax: Any = None,
                   samples: int = _SAMPLES, legend: bool = True) -> Any:
    """The folded hodograph of mu_s or j_s (seed Figs. 4, 5), equal aspect.

    Parameters
    ----------
    solution
        A single-configuration solution (any number of layers; non-coplanar stacks are folded), or a
        stack (solved here).
    quantity
        ``"accumulation"`` (mu_s) or ``"spin_current"`` (j_s).
    ax
        Axes to draw into; a new figure when omitted.
    samples
        Points per layer.
    legend
        Add a legend of the curve kinds (F, N cord, lead, torque arrows) below the frame.

    Returns
    -------
    matplotlib.axes.Axes
    """
    solution = solution_of(solution, "plot_hodograph")
    from matplotlib.lines import Line2D

    style.check_quantity(quantity, ("accumulation", "spin_current"))
    ax = style.new_axes(ax, figsize=(5.0, 5.0))
    solution = solution.reduced  # model numbers: converted by the figure's scales
    fold = hodograph(solution, samples)
    scale = quantity_scale(solution, quantity, fold)
    pieces = [(piece, scale(points)) for piece, points in _folded_pieces(solution, quantity, fold)]
    arrows = [(k, scale(tail), scale(head)) for k, tail, head in _jump_arrows(solution, fold)] \
        if quantity == "spin_current" else []
    everything = [points for _, points in pieces] + [np.array([t, h]) for _, t, h in arrows]
    box = square_box(np.vstack(everything) if everything else np.zeros((1, 2)))
    size = max(box[1] - box[0], box[3] - box[2])
    draw_axes(ax, solution, fold, box)
    ax.plot([0.0], [0.0], marker="+", color=style.INK, ms=8, mew=1.0, zorder=4)

    for piece, points in pieces:
        color = style.CURVE[piece.kind]
        ax.plot(points[:, 0], points[:, 1], color=color, lw=2.4 if piece.kind == "F" else 1.8,
                ls=(0, (4, 2)) if piece.lead else "-", solid_capstyle="round", zorder=3)
        if quantity == "spin_current":  # segments are disjoint: mark both ends
            ax.plot(points[[0, -1], 0], points[[0, -1], 1], ls="none", marker="o", ms=3.2, color=color, zorder=4)

    if quantity == "accumulation":
        marks = [(node, [(scale(point), text, axis) for point, text, axis in points])
                 for node, points in _node_marks(solution, fold)]
        for node, points in marks:
            # one artist per node; at a resistive interface its two sides joined by a thin dashed line: the jump
            xy = np.array([point for point, _, _ in points])
            ax.plot(xy[:, 0], xy[:, 1], marker="o", ms=5, color=style.INK, lw=0.8, ls=(0, (2, 1.5)), zorder=5,
                    gid=f"node:{node.node}")
        # nodes at the origin (reservoirs) stay unlabelled; the labels are written once the view is set
        everywhere = [label for _, points in marks for label in points]
        node_labels = [label for label in everywhere if np.linalg.norm(label[0]) > 0.015 * size]
        unlabelled = [np.zeros(2)] + [point for point, _, _ in everywhere if np.linalg.norm(point) <= 0.015 * size]
    for k, tail, head in arrows:
        ax.annotate("", xy=head, xytext=tail,
                    arrowprops=dict(arrowstyle="-|>", color=style.PURPLE, lw=1.6, shrinkA=0, shrinkB=0,
                                    mutation_scale=12), zorder=6, gid=f"jump:{k}")
        middle = 0.5 * (tail + head)
        direction = head - tail
        normal = np.array([-direction[1], direction[0]]) / max(np.linalg.norm(direction), 1e-300)
        if np.dot(normal, middle) < 0:
            normal = -normal  # label on the side away from the origin
        where = middle + 0.05 * size * normal
        ax.text(*where, rf"$\Delta j_{{s,{k}}}$", color=style.PURPLE, fontsize=style.FONT_SMALL,
                ha="center", va="center", zorder=6)

    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_aspect("equal", adjustable="box")
    _frame_labels(ax, solution, quantity, scale)
    if quantity == "accumulation" and node_labels:
        center = np.mean([point for _, points in marks for point, _, _ in points], axis=0)
        _label_points(ax, node_labels, center, unlabelled)
    if legend:
        kinds = {piece.kind for piece, _ in pieces}
        handles = [Line2D([], [], color=style.CURVE["F"], lw=2.4, label="F (on its axis)")] if "F" in kinds else []
        if "N" in kinds:
            handles.append(Line2D([], [], color=style.CURVE["N"], lw=1.8, label="N cord"))
        if any(piece.lead for piece, _ in pieces):
            handles.append(Line2D([], [], color=style.GUIDE, lw=1.6, ls=(0, (4, 2)), label="lead"))
        if arrows:
            handles.append(Line2D([], [], color=style.PURPLE, lw=1.6, marker=">", ms=5,
                                  label=r"$\Delta j_s$ (torque)"))
        # below the frame: a legend inside would cover some hodograph sooner or later
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                  fontsize=style.FONT_SMALL, frameon=False, handlelength=2.2, columnspacing=1.2)
    return ax


def plot_hodograph_3d(solution: Solution | Stack, quantity: str = "accumulation", ax: Any = None,
                      samples: int = _SAMPLES) -> Any:
    """The unfolded hodograph in the stack's spin-space frame (mpl_toolkits.mplot3d), equal aspect.

    Parameters
    ----------
    solution
        A single-configuration solution, or a stack (solved here).
    quantity
        ``"accumulation"`` or ``"spin_current"``.
    ax
        A 3D Axes (``projection="3d"``); a new figure when omitted.

    Returns
    -------
    mpl_toolkits.mplot3d.axes3d.Axes3D
    """
    solution = solution_of(solution, "plot_hodograph_3d")
    from matplotlib.ticker import MaxNLocator

    style.check_quantity(quantity, ("accumulation", "spin_current"))
    ax = style.new_axes(ax, figsize=(5.0, 5.0), projection="3d")
    if getattr(ax, "name", "") != "3d":
        raise ValueError("plot_hodograph_3d needs a 3D Axes (projection='3d')")
    solution = solution.reduced  # model numbers: converted by the figure's scales
    fold = hodograph(solution, samples)
    scale = quantity_scale(solution, quantity, fold)
    pieces = [HodographPiece(piece.kind, piece.element, piece.lead, scale(piece.points))
              for piece in hodograph_pieces(solution, quantity, fold)]
    points = np.vstack([piece.points for piece in pieces] + [np.zeros((1, 3))])
    reach = 1.15 * max(float(np.linalg.norm(points, axis=-1).max()), 1e-12)
    for element, label, m in magnet_axes(solution):
        ax.plot(*np.array([-reach * m, reach * m]).T, color=style.GUIDE, lw=0.8)
    for text, m in _grouped_axis_labels([(label, m) for _, label, m in magnet_axes(solution)]):
        ax.text(*(1.08 * reach * m), text, fontsize=style.FONT_NORMAL, color=style.INK, ha="center")
    if solution.stack.has_field and np.any(solution.stack.field):  # the in-plane drive's polarisation, insulator ends
        sigma = np.asarray(solution.sigma_hat, dtype=float)
        ax.plot(*np.array([np.zeros(3), reach * sigma]).T, color=style.PURPLE, lw=1.4, ls=(0, (3, 1.5)))
        ax.text(*(1.1 * reach * sigma), r"$\hat{\sigma}$", fontsize=style.FONT_NORMAL + 1, color=style.PURPLE,
                ha="center")
        for side in ("left", "right"):
            end = getattr(solution.stack, side)
            if isinstance(end, Insulator):
                m = np.asarray(end.magnetization, dtype=float)
                ax.plot(*np.array([-reach * m, reach * m]).T, color=style.GUIDE, lw=0.8)
                ax.text(*(1.08 * reach * m), rf"$\mathbf{{m}}$ ({side} insulator)", fontsize=style.FONT_SMALL,
                        color=style.INK, ha="center")
    for piece in pieces:
        ax.plot(*piece.points.T, color=style.CURVE[piece.kind], lw=2.2 if piece.kind == "F" else 1.6,
                ls=(0, (4, 2)) if piece.lead else "-")
    if quantity == "accumulation":  # mu_s at every node (mu^- at an interface), then the interfaces' mu^+, joined
        # to their mu^- by a thin dashed line (the jump)
        resistive = sorted(solution.arrays.interfaces)
        ax.scatter(*scale(solution.accumulation).T, color=style.INK, s=12, depthshade=False)
        if resistive:
            ax.scatter(*scale(solution.accumulation_right[resistive]).T, color=style.INK, s=12, depthshade=False)
        for k in resistive:
            ax.plot(*scale(np.array([solution.accumulation[k], solution.accumulation_right[k]])).T, color=style.INK,
                    lw=0.8, ls=(0, (2, 1.5)))
    ax.scatter([0], [0], [0], marker="+", color=style.INK, s=40, depthshade=False)
    symbol = style.SYMBOL[quantity] if scale.reduced else style.SI_SYMBOL[quantity]
    unit = "" if scale.reduced else f" ({scale.unit})"
    ax.set_xlabel(rf"${symbol}^x${unit}", labelpad=-2)
    ax.set_ylabel(rf"${symbol}^y${unit}", labelpad=-2)
    ax.set_zlabel(rf"${symbol}^z${unit}", labelpad=-2)
    ax.tick_params(labelsize=style.FONT_SMALL - 1, pad=0)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(4, symmetric=True))
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_zlim(-reach, reach)
    ax.set_aspect("equal")
    # a little smaller than the Axes: the tick and axis labels of the near corners then stay inside its place
    ax.set_box_aspect(ax.get_box_aspect(), zoom=0.92)
    return ax


def hodograph_figure(solution: Solution | Stack, fig: Any = None, *, ax: Any = None) -> Any:
    """Folded mu_s, folded j_s and the 3D view side by side.

    A stack with an in-plane field (MODEL.md 8) gets mu_s and j_s in 3D instead, with sigma_hat and
    the magnetizations drawn: the fold (seed Figs. 4, 5) turns the magnetization axes into one plane,
    which hides the spin Hall accumulation along sigma_hat it does not follow.

    Parameters
    ----------
    solution
        A single-configuration solution, or a stack (solved here).
    fig
        Figure to draw into (it should be empty: it gets three panels, two with an in-plane field);
        a new one when omitted.
    ax
        Instead of ``fig``: one Axes (a subplot), whose place is divided into the panels (the Axes
        is replaced by them), or one Axes per panel: two 2D and one 3D (``projection="3d"``), or
        with an in-plane field two 3D.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    solution = solution_of(solution, "hodograph_figure").reduced
    if solution.stack.has_field:
        return _in_plane_figure(solution, fig, ax)
    fig, (left, middle, right) = style.new_panels(fig, ax, shape=(1, 3), figsize=(14.0, 4.8),
                                                  projections=(None, None, "3d"))
    plot_hodograph(solution, "accumulation", ax=left)
    plot_hodograph(solution, "spin_current", ax=middle)
    plot_hodograph_3d(solution, "accumulation", ax=right)
    left.set_title(r"$\mu_s$, folded", fontsize=style.FONT_NORMAL + 1)
    middle.set_title(r"$j_s$, folded", fontsize=style.FONT_NORMAL + 1)
    right.set_title(r"$\mu_s$ in spin space (3D)", fontsize=style.FONT_NORMAL + 1)
    return fig


def _in_plane_figure(solution: Solution, fig: Any = None, ax: Any = None) -> Any:
    """mu_s and j_s of an in-plane-driven stack in 3D spin space, sigma_hat and the magnets drawn."""
    fig, (left, right) = style.new_panels(fig, ax, shape=(1, 2), figsize=(10.0, 5.2), projections=("3d", "3d"))
    plot_hodograph_3d(solution, "accumulation", ax=left)
    plot_hodograph_3d(solution, "spin_current", ax=right)
    left.set_title(r"$\mu_s$ in spin space (3D)", fontsize=style.FONT_NORMAL + 1)
    right.set_title(r"$j_s$ in spin space (3D)", fontsize=style.FONT_NORMAL + 1)
    fig.suptitle(drive_text(solution.stack) + "\nblue: N layers, orange: F layers (on their axis); "
                 r"dashed purple: $\hat{\sigma}$.  The folded hodographs of the seed (Figs. 4, 5) are the CPP picture",
                 fontsize=style.FONT_NORMAL)
    return fig
