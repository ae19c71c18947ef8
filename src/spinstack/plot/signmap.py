"""Where the efficiencies are negative, over two parameters (seed eq. 15, conclusions).

The map is one batched solve (:func:`spinstack.analysis.sign_map`); the regions
g1 < 0 and g2 < 0 are filled (they never overlap in an F1/N/F2 stack: the two
signs cannot change together, seed section 4), and their boundaries g_i = 0
are drawn as contours of the computed g_i.  For the seed structure (F1/N/F2
between reservoirs) eq. (15) gives the same boundaries in closed form, on
p2/p1 against theta:  g2 < 0 above A2 / (B cos theta) and g1 < 0 below
B cos theta / A1; they are overlaid as dashed lines.

The swept values are the stack's numbers (for an SI stack SI base units: a
thickness in m, the current as j0 = J/e); the axes show them in readable units
(:func:`spinstack.plot.units.parameter_scale`): thicknesses and spin diffusion
lengths in nm, the current as J in A/m^2, angles in degrees, p dimensionless.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..analysis import seed_eq15_boundaries, sign_map
from ..errors import SpinstackError
from ..model import Stack
from ..solution import Solution, stack_of
from ..model.paths import parameter_value
from . import style
from .units import parameter_scale


def _scalar(stack: Stack, path: str) -> float:
    return float(np.asarray(parameter_value(stack, path)))


def _polarization_paths(stack: Stack) -> tuple[str, str] | None:
    """The ``materials.NAME.p`` paths of F1 and F2, when the stack has two F layers."""
    indices = stack.ferromagnet_indices
    if len(indices) != 2:
        return None
    first, second = (stack.layers[i].material.name for i in indices)
    if first == second:
        return None  # one material: p2/p1 is pinned to 1
    return f"materials.{first}.p", f"materials.{second}.p"


def default_y(stack: Stack) -> tuple[str, np.ndarray]:
    """The second axis of a sign map: p of F2 (0.01 .. 0.99) when F1 and F2 are different materials,
    else the thickness of the spacer between them (1/10 to 10 times its value): with one material
    p2/p1 is pinned to 1."""
    paths = _polarization_paths(stack)
    if paths is not None:
        return paths[1], np.linspace(0.01, 0.99, 197)
    indices = stack.ferromagnet_indices
    if len(indices) != 2 or indices[1] == indices[0] + 1:
        raise SpinstackError("plot_sign_map needs y=(path, values) for this stack")
    spacer = indices[0] + 1
    thickness = float(np.asarray(stack.layers[spacer].thickness))
    return f"layers[{spacer}].thickness", np.geomspace(thickness / 10.0, thickness * 10.0, 161)


def eq15_overlay(stack: Stack, x_path: str, y_path: str, ratio_to: str | None,
                 theta: np.ndarray) -> dict[str, np.ndarray] | None:
    """Eq. (15)'s boundaries in the plotted y coordinate, or None when they do not apply.

    Returns ``{"g2": ..., "g1": ...}`` over ``theta`` (NaN where the boundary is at
    infinity, i.e. cos theta <= 0).
    """
    if x_path != "theta" or tuple(stack.interfaces):
        return None  # eq. (15) is for transparent interfaces (seed App. I)
    paths = _polarization_paths(stack)
    if paths is None or y_path not in paths:
        return None
    try:
        g2_ratio, g1_ratio = seed_eq15_boundaries(stack, theta)
    except SpinstackError:
        return None
    p1, p2 = (_scalar(stack, p) for p in paths)
    out = {}
    for name, ratio in (("g2", g2_ratio), ("g1", g1_ratio)):
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)  # p2/p1 at the boundary
        value = ratio * p1 if y_path == paths[1] else p2 / ratio  # the parameter itself
        if ratio_to is not None:
            value = value / _scalar(stack, ratio_to)
        out[name] = value
    return out


def plot_sign_map(stack: Stack | Solution, x: tuple[str, ArrayLike] = ("theta", np.linspace(0.0, 180.0, 181)),
                  y: tuple[str, ArrayLike] | None = None, ax: Any = None, overlay_eq15: bool = True,
                  ratio_to: str | None = None, mark_stack: bool = True) -> Any:
    """Regions of negative g1 and g2 over two parameters.

    Parameters
    ----------
    stack
        A single-configuration stack with two F layers, or its solution.
    x, y
        ``(path, values)``: ``"theta"`` (angle between m1 and m2, degrees) or a
        parameter path (:mod:`spinstack.model.paths`) and its 1D values, in the
        stack's units (SI base units for an SI stack; the axes then show nm, A/m^2).
        ``y`` defaults to the polarization of F2 from 0.01 to 0.99.
    ax
        Axes to draw into; a new figure when omitted.
    overlay_eq15
        Draw eq. (15)'s closed-form boundaries where they apply (x = theta, y = the
        polarization of F1 or F2 of an F1/N/F2 stack between reservoirs, with no
        resistive interfaces); skipped silently otherwise.
    ratio_to
        A parameter path: show y divided by its value (``ratio_to="materials.F1.p"``
        with ``y = ("materials.F2.p", ...)`` gives the seed's p2/p1 axis).
    mark_stack
        Mark the stack's own (x, y) when both are inside the map.

    Returns
    -------
    matplotlib.axes.Axes
    """
    stack = stack_of(stack, "plot_sign_map")
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    if y is None:
        y = default_y(stack)
    ax = style.new_axes(ax, figsize=(6.4, 4.6))
    result = sign_map(stack, x, y)
    divisor = _scalar(stack, ratio_to) if ratio_to is not None else 1.0
    x_scale = parameter_scale(result.x_path, stack.units, result.x)
    y_scale = parameter_scale(result.y_path, stack.units, result.y) if ratio_to is None else None
    xs = x_scale(result.x) if not x_scale.reduced else result.x
    ys = result.y / divisor if y_scale is None or y_scale.reduced else y_scale(result.y)
    handles = []
    for name in ("g1", "g2"):
        values = np.asarray(getattr(result, name), dtype=float)
        if not (values < 0).any():
            continue
        lowest = float(np.nanmin(values))
        ax.contourf(xs, ys, values, levels=[lowest - 1.0, 0.0], colors=[style.NEGATIVE_FILL[name]], alpha=0.75,
                    zorder=1)
        if (values > 0).any():
            ax.contour(xs, ys, values, levels=[0.0], colors=[style.EFFICIENCY[name]], linewidths=1.4, zorder=3)
        handles.append(Patch(facecolor=style.NEGATIVE_FILL[name], edgecolor=style.EFFICIENCY[name],
                             label=rf"$g_{name[1]} < 0$"))
    if not handles:
        handles.append(Patch(facecolor="none", edgecolor="none", label=r"$g_1, g_2 > 0$ everywhere"))

    if overlay_eq15:
        dense = np.linspace(xs.min(), xs.max(), 721)
        overlay = eq15_overlay(stack, result.x_path, result.y_path, ratio_to, dense)
        if overlay is not None:
            for name, values in overlay.items():
                if y_scale is not None and not y_scale.reduced:
                    values = y_scale(values)
                inside = np.where((values >= ys.min()) & (values <= ys.max()), values, np.nan)
                ax.plot(dense, inside, color=style.INK, lw=1.2, ls=(0, (5, 3)), zorder=4)
            handles.append(Line2D([], [], color=style.INK, lw=1.2, ls=(0, (5, 3)), label="eq. (15), closed form"))

    if mark_stack:
        try:
            here = [_own_value(stack, path) for path in (result.x_path, result.y_path)]
        except SpinstackError:
            here = None
        if here is not None:
            px, py = here[0], here[1] / divisor
            if not x_scale.reduced:
                px = x_scale(px)
            if y_scale is not None and not y_scale.reduced:
                py = y_scale(here[1])
            if xs.min() <= px <= xs.max() and ys.min() <= py <= ys.max():
                ax.plot([px], [py], marker="*", ms=11, color=style.INK, mec="white", mew=0.8, ls="none", zorder=5)
                handles.append(Line2D([], [], marker="*", ms=10, color=style.INK, mec="white", ls="none",
                                      label="this stack"))

    ax.set_xlim(xs.min(), xs.max())
    ax.set_ylim(ys.min(), ys.max())
    ax.set_xlabel(style.path_label(result.x_path, stack, x_scale))
    label = style.path_label(result.y_path, stack, y_scale)
    ax.set_ylabel(style.ratio_label(result.y_path, ratio_to, stack) if ratio_to is not None else label)
    if result.x_path == "theta":
        ax.set_xticks(np.arange(0, 181, 30)[(np.arange(0, 181, 30) >= xs.min()) & (np.arange(0, 181, 30) <= xs.max())])
    ax.legend(handles=handles, loc="best", fontsize=style.FONT_SMALL, framealpha=0.9)
    return ax


def _own_value(stack: Stack, path: str) -> float:
    """The stack's value of ``path``; for "theta" the angle between its m1 and m2 (degrees)."""
    if path == "theta":
        indices = stack.ferromagnet_indices
        if len(indices) != 2:
            raise SpinstackError("theta needs two F layers")
        m1, m2 = (np.asarray(stack.layers[i].magnetization, dtype=float) for i in indices)
        return float(np.degrees(np.arctan2(np.linalg.norm(np.cross(m1, m2)), np.dot(m1, m2))))
    return _scalar(stack, path)
