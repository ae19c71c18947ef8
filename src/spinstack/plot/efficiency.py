"""Efficiency functions g1(theta), g2(theta) of a two-F stack (seed eq. 1, section 3.3).

T1 = -j0 g1 m1 x (m2 x m1),  T2 = +j0 g2 m2 x (m1 x m2)  (hbar/2 units), so g_i > 0
means the torque turns m_i towards the other magnetization.  The curves come
from one batched solve over the angles; the angles where g1 or g2 changes sign
are those of :func:`spinstack.analysis.sign_change_angles` (bisection to
~1e-13), marked with vertical lines.  The field-like parts g_i_field (torques
along m_i x m_j) are drawn dashed when they do not vanish (non-coplanar or
complex configurations; they vanish for real, coplanar ones).

g is dimensionless in every unit system; for an SI stack the title says so and
gives the stack's current density J (:mod:`spinstack.plot.units`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis import efficiency, sign_change_angles
from ..model import Stack
from ..solution import Solution, stack_of
from . import style
from .units import figure_units

_FIELD_THRESHOLD = 1e-10


def plot_efficiency(stack: Stack | Solution, ax: Any = None, samples: int = 361, mark_theta: float | None = None) -> Any:
    """g1 and g2 against the angle theta between m1 and m2, 0 to 180 degrees.

    Parameters
    ----------
    stack
        A single-configuration stack with exactly two F layers (or its solution); m2 is turned
        in the plane of m1 and m2 (:func:`spinstack.analysis.with_angle`).
    ax
        Axes to draw into; a new figure when omitted.
    samples
        Angles on the curve (one batched solve).
    mark_theta
        An angle (degrees) to mark, e.g. the stack's own; its g1 and g2 are shown.

    Returns
    -------
    matplotlib.axes.Axes
        Sign-change lines carry the gid ``"sign-change:g1"`` / ``"sign-change:g2"``
        and their x data is the angle.
    """
    stack = stack_of(stack, "plot_efficiency")
    ax = style.new_axes(ax, figsize=(6.4, 4.0))
    theta = np.linspace(0.0, 180.0, samples)
    values = efficiency(stack, theta)
    curves = {"g1": values.g1, "g2": values.g2}
    scale = style.robust_scale(values.g1, values.g2)
    ax.axhline(0.0, color=style.GUIDE, lw=0.8, zorder=1)
    # g1 wide underneath g2: in a symmetric stack g1 = g2 and both stay visible
    widths = {"g1": 3.0, "g2": 1.5}
    for name, curve in curves.items():
        ax.plot(theta, curve, color=style.EFFICIENCY[name], lw=widths[name], label=rf"$g_{name[1]}$", zorder=3,
                solid_capstyle="butt")
        field = getattr(values, f"{name}_field")
        if np.abs(field).max() > _FIELD_THRESHOLD * scale:
            ax.plot(theta, field, color=style.EFFICIENCY[name], lw=1.3, ls=(0, (4, 2)),
                    label=rf"$g_{name[1]}^{{\mathrm{{field}}}}$", zorder=3)

    from matplotlib.transforms import blended_transform_factory

    top = blended_transform_factory(ax.transData, ax.transAxes)
    count = 0
    for name in curves:
        for angle in sign_change_angles(stack, name):
            ax.axvline(angle, color=style.EFFICIENCY[name], lw=0.9, ls=":", zorder=2, gid=f"sign-change:{name}")
            ax.text(angle + 1.5, 0.97 - 0.08 * (count % 3), rf"$g_{name[1]}=0$ at ${angle:.2f}^\circ$",
                    transform=top, ha="left", va="top", fontsize=style.FONT_SMALL, color=style.EFFICIENCY[name],
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=6)
            count += 1
    if mark_theta is not None:
        marked = efficiency(stack, float(mark_theta))
        ax.axvline(float(mark_theta), color=style.INK, lw=0.9, ls="--", zorder=2, gid="mark-theta")
        for name in curves:
            value = float(getattr(marked, name))
            ax.plot([mark_theta], [value], marker="o", ms=5, color=style.EFFICIENCY[name], mec="white", mew=0.8,
                    zorder=5)
        text = (rf"$\theta={float(mark_theta):.4g}^\circ$: $g_1={style.number(float(marked.g1))}$, "
                rf"$g_2={style.number(float(marked.g2))}$")
        right = float(mark_theta) > 90.0
        ax.text(float(mark_theta) + (-1.5 if right else 1.5), 0.03, text, transform=top,
                ha="right" if right else "left", va="bottom", fontsize=style.FONT_SMALL, color=style.INK,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=6)
    ax.set_xlim(0.0, 180.0)
    ax.set_xticks(np.arange(0, 181, 30))
    ax.set_xlabel(style.path_label("theta"))
    ax.set_ylabel(r"efficiency $g_i(\theta)$")
    ax.legend(loc="best", fontsize=style.FONT_SMALL, framealpha=0.9)
    units = figure_units(stack)
    if units.si:  # reduced figures keep no title
        ax.set_title(rf"SI stack, {units.drive(float(np.asarray(stack.current)))}; $g_i$ dimensionless",
                     fontsize=style.FONT_NORMAL)
    return ax
