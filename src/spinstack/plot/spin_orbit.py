"""Figures of the in-plane drive (MODEL.md 8): spin-orbit torque and spin Hall magnetoresistance curves.

* :func:`plot_torque_thickness`: tau_DL, tau_FL of the F layer (or of an insulator end) against the
  heavy-metal thickness, with theta |j_in| (1 - sech(d/l)) of MODEL.md 8g limit 4 where it applies;
* :func:`plot_smr_thickness`: SMR (longitudinal, transverse) against the heavy-metal thickness, with
  the Chen form (limit 6) for an HM film on an insulator;
* :func:`smr_angle_figure`: SMR against the magnet's angle in the alpha, beta and gamma planes.

The numbers come from :mod:`spinstack.analysis.spin_orbit` (one batched solve per curve).  An SI stack
is drawn in nm and J/m^2 (:mod:`spinstack.plot.units`); the SMR is a ratio, drawn in 10^-3 (or the
power of ten that suits it).  :func:`drive_text` states the in-plane drive for titles.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..analysis.spin_orbit import PLANES, smr_angle, smr_thickness, spin_hall_layer, torque_thickness
from ..errors import SpinstackError
from ..model import Insulator, Stack
from ..model.paths import parameter_value, parse
from ..solution import Solution, stack_of
from ..solver.in_plane import sigma_hat as spin_hall_polarisation
from ..units import REPORTS
from . import style
from .units import figure_units, tex_number

__all__ = ["drive_text", "plot_smr_thickness", "plot_torque_thickness", "smr_angle_figure", "vector_text"]

_POINTS = 241
#: colours of the curves
TORQUE_COLOR = {"DL": style.VERMILLION, "FL": style.BLUE}
SMR_COLOR = {"longitudinal": style.VERMILLION, "transverse": style.BLUE}
PLANE_COLOR = {"alpha": style.VERMILLION, "beta": style.BLUE, "gamma": style.GREEN}
PLANE_SYMBOL = {"alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma"}


# ------------------------------------------------------------------ text
def vector_text(vector: ArrayLike) -> str:
    """A direction as mathtext: ``"$+y$"`` for a coordinate axis, else ``"$(0, 0.6, -0.8)$"``."""
    v = np.asarray(vector, dtype=float)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return "$0$"
    unit = v / norm
    for index, name in enumerate("xyz"):
        if abs(abs(unit[index]) - 1.0) < 1e-9:
            return rf"${'+' if unit[index] > 0 else '-'}{name}$"
    return "$(" + ", ".join(f"{c:.3g}" for c in unit) + ")$"


def drive_text(stack: Stack) -> str:
    """The in-plane drive as figure text: the field or the current density in the heavy metal, eps and sigma_hat.

    eps = eE is the field of MODEL.md 8a; with e < 0 it points along the electrons' drift, against
    E and the current J, so the text defines it where it shows it.  SI, two lines: "in-plane
    current J = 1.00e11 A/m^2 along +y in Pt" and "eps = eE along -y (e < 0: against E), spin
    polarisation sigma_hat = xhat x eps_hat = -z" (in mathtext);
    reduced: the field eps = eE itself and sigma_hat.
    """
    eps = np.asarray(stack.field, dtype=float)
    norm = float(np.linalg.norm(eps))
    if norm == 0.0:
        return "in-plane field zero: no spin Hall drive"
    sigma = spin_hall_polarisation(eps / norm)
    sigma_part = rf"spin polarisation $\hat{{\sigma}} = \hat{{x}}\times\hat{{\varepsilon}}$ = {vector_text(sigma)}"
    if not figure_units(stack).si:
        return (rf"in-plane field $\varepsilon = eE$, $|\varepsilon|$ = ${tex_number(norm)}$ along {vector_text(eps)}; "
                rf"{sigma_part}")
    field = eps * REPORTS["field"].to_unit  # V/m, along E
    defined = rf"$\varepsilon = eE$ along {vector_text(eps)} ($e < 0$: against $E$), {sigma_part}"
    try:
        layer = stack.layers[spin_hall_layer(stack)]
    except SpinstackError:
        return (rf"in-plane field $E$ = ${tex_number(np.linalg.norm(field))}$ V/m along {vector_text(field)}"
                "\n" + defined)
    density = float(np.asarray(layer.material.D)) * eps * REPORTS["current"].to_unit  # J = e sigma eps, along E
    return (rf"in-plane current $J$ = ${tex_number(np.linalg.norm(density))}$ A/m$^2$ along {vector_text(density)} "
            rf"in {layer.material.name}" "\n" + defined)


def _magnet_name(stack: Stack, target: int | str) -> str:
    if isinstance(target, str):
        return f"the {target} insulator end"
    return f"{stack.layers[target].material.name} (layer {target})"


def _thickness_label(stack: Stack, parameter: str) -> str:
    return style.path_label(parameter, stack)


def _default_thicknesses(stack: Stack, parameter: str, points: int = _POINTS) -> np.ndarray:
    """From near 0 to beyond the stack's own thickness and a few spin diffusion lengths of the layer."""
    index = parse(parameter).index  # a layers[i].thickness path
    layer = stack.layers[index]
    d = float(np.asarray(parameter_value(stack, parameter)))
    l = float(np.asarray(layer.material.l))
    top = max(2.0 * d, 5.0 * l) if np.isfinite(l) else 3.0 * d
    return np.linspace(top / points, top, points)


def _ratio_scale(*arrays: np.ndarray) -> tuple[float, str]:
    """A power of ten 10^(-3k) for a dimensionless ratio: (factor, mathtext unit) with the largest |value| >= 1."""
    largest = max((float(np.nanmax(np.abs(a))) for a in arrays if np.size(a) and np.isfinite(a).any()), default=0.0)
    if largest == 0.0:
        return 1.0, ""
    power = 3 * math.floor(math.log10(largest) / 3)
    if power == 0:
        return 1.0, ""
    return 10.0 ** (-power), rf"$10^{{{power}}}$"


def _mark_stack(ax: Any, x: float, text: str) -> None:
    """A dotted vertical line at the stack's own value, named in the legend (text on the axes would
    sooner or later cover a curve or the legend)."""
    ax.axvline(x, color=style.GUIDE, lw=1.0, ls=":", zorder=1, label=text)


# ------------------------------------------------------------------ torque against thickness
def plot_torque_thickness(stack: Stack | Solution, thicknesses: ArrayLike | None = None, parameter: str | None = None,
                          target: int | str | None = None, ax: Any = None) -> Any:
    """tau_DL and tau_FL against a layer's thickness (default: the heavy metal's), MODEL.md 8f.

    Parameters
    ----------
    stack
        A single configuration with an in-plane field and a spin Hall layer, or its solution.
    thicknesses
        Values in the stack's units (m for SI); default from ~0 to max(2 d, 5 l) of that layer.
    parameter, target
        As in :func:`spinstack.analysis.torque_thickness`.
    ax
        Axes to draw into; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    stack = stack_of(stack, "plot_torque_thickness")
    path = parameter or (f"layers[{spin_hall_layer(stack)}].thickness" if stack.has_field else None)
    if thicknesses is None and path is not None and parse(path, strict=False).owner == "layer":
        thicknesses = _default_thicknesses(stack, path)
    curve = torque_thickness(stack, thicknesses if thicknesses is not None else [1.0], parameter, target,
                             reduced=True)  # model numbers: the figure's scale converts
    units = figure_units(stack)
    length = units.length
    torque = units.scale("torque", curve.damping_like, curve.field_like,
                         *(() if curve.closed_form is None else (curve.closed_form,)))
    x = length(curve.values)
    ax = style.new_axes(ax, figsize=(6.4, 4.2))
    ax.axhline(0.0, color=style.GUIDE, lw=0.6, zorder=1)
    if curve.closed_form is not None:
        ax.plot(x, torque(curve.closed_form), color=style.INK, lw=3.2, alpha=0.25, zorder=2, solid_capstyle="butt",
                label=r"$\theta_{SH}\,|j_{in}|\,(1-\mathrm{sech}\,d/l)$ (MODEL.md 8g, limit 4)")
        saturation = float(torque(curve.closed_form[-1] / (1.0 - 1.0 / np.cosh(_ratio_at(stack, curve)))))
        ax.axhline(saturation, color=style.INK, lw=0.7, ls=(0, (1, 2)), zorder=1)
        ax.annotate(r"$\theta_{SH}\,|j_{in}|$", xy=(1.0, saturation), xycoords=("axes fraction", "data"),
                    xytext=(-3, -3 if saturation >= 0 else 3), textcoords="offset points", ha="right",
                    va="top" if saturation >= 0 else "bottom", fontsize=style.FONT_SMALL, color=style.INK)
    ax.plot(x, torque(curve.damping_like), color=TORQUE_COLOR["DL"], lw=1.7, zorder=3,
            label=r"damping-like $\tau_{DL}$")
    ax.plot(x, torque(curve.field_like), color=TORQUE_COLOR["FL"], lw=1.7, ls=(0, (5, 2)), zorder=3,
            label=r"field-like $\tau_{FL}$")
    own = float(length(float(np.asarray(parameter_value(stack, curve.parameter))))) \
        if parse(curve.parameter, strict=False).parameter == "thickness" else None
    if own is not None and x.min() <= own <= x.max():
        _mark_stack(ax, own, f"this stack (d = {tex_number(own)}{'' if length.reduced else ' ' + length.unit})")
    ax.set_xlim(0.0 if x.min() > 0 else x.min(), x.max())
    ax.set_xlabel(_thickness_label(stack, curve.parameter))
    ax.set_ylabel(torque.label(r"torque per area $\tau$") if units.si else r"torque $\tau$ ($\hbar/2$, reduced units)")
    ax.set_title(f"spin-orbit torque on {_magnet_name(stack, curve.target)}\n{drive_text(stack)}",
                 fontsize=style.FONT_NORMAL)
    ax.legend(loc="best", fontsize=style.FONT_SMALL, frameon=False)
    return ax


def _ratio_at(stack: Stack, curve: Any) -> float:
    """d/l of the heavy metal at the last point of a limit-4 curve."""
    layer = stack.layers[spin_hall_layer(stack)]
    return float(curve.values[-1]) / float(np.asarray(layer.material.l))


# ------------------------------------------------------------------ SMR against thickness
def plot_smr_thickness(stack: Stack | Solution, thicknesses: ArrayLike | None = None, parameter: str | None = None,
                       ax: Any = None) -> Any:
    """smr.long (Delta R / R) and smr.trans against a layer's thickness (default: the heavy metal's).

    The Chen form of MODEL.md 8g limit 6 is overlaid for an HM film between an open face and an
    insulator (g_s = 0).  ``stack`` may be a solution (its stack is varied).
    """
    stack = stack_of(stack, "plot_smr_thickness")
    path = parameter or (f"layers[{spin_hall_layer(stack)}].thickness" if stack.has_field else None)
    if thicknesses is None and path is not None and parse(path, strict=False).owner == "layer":
        thicknesses = _default_thicknesses(stack, path)
    curve = smr_thickness(stack, thicknesses if thicknesses is not None else [1.0], parameter)
    units = figure_units(stack)
    x = units.length(curve.values)
    closed = curve.closed_form or ()
    factor, power = _ratio_scale(curve.longitudinal, curve.transverse, *closed)
    ax = style.new_axes(ax, figsize=(6.4, 4.2))
    ax.axhline(0.0, color=style.GUIDE, lw=0.6, zorder=1)
    for key, values, dash in (("longitudinal", curve.longitudinal, "-"), ("transverse", curve.transverse, (0, (5, 2)))):
        if closed:
            chen = closed[0] if key == "longitudinal" else closed[1]
            ax.plot(x, factor * chen, color=style.INK, lw=3.2, alpha=0.25, zorder=2, solid_capstyle="butt")
        label = r"longitudinal $\Delta\rho_{\parallel}/\rho$" if key == "longitudinal" else r"transverse $\rho_{\perp}/\rho$"
        ax.plot(x, factor * values, color=SMR_COLOR[key], lw=1.7, ls=dash, zorder=3, label=label)
    own = float(units.length(float(np.asarray(parameter_value(stack, curve.parameter)))))
    if x.min() <= own <= x.max():
        _mark_stack(ax, own, f"this stack (d = {tex_number(own)}{'' if units.length.reduced else ' ' + units.length.unit})")
    if closed:
        from matplotlib.lines import Line2D

        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color=style.INK, lw=3.2, alpha=0.25))
        labels.append("Chen form (MODEL.md 8g, limit 6)")
        ax.legend(handles, labels, loc="best", fontsize=style.FONT_SMALL, frameon=False)
    else:
        ax.legend(loc="best", fontsize=style.FONT_SMALL, frameon=False)
    ax.set_xlim(0.0 if x.min() > 0 else x.min(), x.max())
    ax.set_xlabel(_thickness_label(stack, curve.parameter))
    ax.set_ylabel("SMR, relative to the stack's resistance" + (f" ({power})" if power else ""))
    magnet = _smr_magnet_text(stack)
    ax.set_title(f"spin Hall magnetoresistance{magnet}\n{drive_text(stack)}", fontsize=style.FONT_NORMAL)
    return ax


def _smr_magnet_text(stack: Stack) -> str:
    for side in ("right", "left"):
        end = getattr(stack, side)
        if isinstance(end, Insulator):
            return rf", insulator $\mathbf{{m}}$ = {vector_text(end.magnetization)}"
    if stack.ferromagnet_indices:
        index = stack.ferromagnet_indices[0]
        return rf", $\mathbf{{m}}$ of {stack.layers[index].material.name} = {vector_text(stack.layers[index].magnetization)}"
    return ""


# ------------------------------------------------------------------ SMR against angle
def _plane_label(plane: str) -> str:
    words = {"alpha": r"film plane, from $\hat{\varepsilon}$ to $\hat{\sigma}$",
             "beta": r"plane $\perp$ current, from $\hat{\mathbf{n}} = +x$ to $\hat{\sigma}$",
             "gamma": r"plane of current and normal, from $\hat{\mathbf{n}} = +x$ to $\hat{\varepsilon}$"}
    return rf"${PLANE_SYMBOL[plane]}$: {words[plane]}"


#: line styles of the planes: alpha wide under beta (their longitudinal curves coincide), beta wide under gamma
#: (their transverse curves coincide)
PLANE_LINE = {"alpha": dict(lw=3.2, ls="-", alpha=0.55), "beta": dict(lw=1.8, ls=(0, (5, 2))),
              "gamma": dict(lw=1.6, ls=(0, (1, 1.5)))}


def smr_angle_figure(stack: Stack | Solution, angles: ArrayLike | None = None, magnet: int | str | None = None,
                     fig: Any = None) -> Any:
    """smr.long and smr.trans against the magnet's angle in the alpha, beta and gamma planes (two panels).

    Parameters
    ----------
    stack
        A single configuration with an in-plane field and a spin Hall layer, or its solution.
    angles
        Degrees; default 0 to 360.
    magnet
        As in :func:`spinstack.analysis.smr_angle` (default the insulator end, else the first F layer).
    fig
        Figure to draw into; a new one when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    stack = stack_of(stack, "smr_angle_figure")
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MultipleLocator

    angles = np.linspace(0.0, 360.0, 361) if angles is None else np.asarray(angles, dtype=float)
    curves = {plane: smr_angle(stack, angles, plane, magnet) for plane in PLANES}
    arrays = [a for c in curves.values() for a in (c.longitudinal, c.transverse, *(c.closed_form or ()))]
    factor, power = _ratio_scale(*arrays)
    fig = style.new_figure(fig, figsize=(10.0, 4.4))
    left, right = fig.subplots(1, 2, sharex=True)
    every = max(len(angles) // 24, 1)
    for ax, key, title in ((left, 0, r"longitudinal $\Delta\rho_{\parallel}/\rho$ (along the current)"),
                           (right, 1, r"transverse $\rho_{\perp}/\rho$ (along $\hat{\sigma}$)")):
        ax.axhline(0.0, color=style.GUIDE, lw=0.6, zorder=1)
        for plane, curve in curves.items():
            values = curve.longitudinal if key == 0 else curve.transverse
            ax.plot(angles, factor * values, color=PLANE_COLOR[plane], zorder=3, **PLANE_LINE[plane])
            if curve.closed_form is not None:
                ax.plot(angles[::every], factor * curve.closed_form[key][::every], ls="none", marker="o", ms=3.5,
                        mfc="none", mec=PLANE_COLOR[plane], mew=0.9, zorder=4)
        ax.set_title(title, fontsize=style.FONT_NORMAL)
        ax.set_xlabel("angle of $\\mathbf{m}$ in its rotation plane (deg)")
        ax.xaxis.set_major_locator(MultipleLocator(90.0))
        ax.set_xlim(float(angles.min()), float(angles.max()))
        ax.set_ylabel("SMR" + (f" ({power})" if power else ""))
    handles = [Line2D([], [], color=PLANE_COLOR[p], label=_plane_label(p), **PLANE_LINE[p]) for p in PLANES]
    if any(c.closed_form is not None for c in curves.values()):
        handles.append(Line2D([], [], ls="none", marker="o", ms=3.5, mfc="none", mec=style.INK,
                              label="Chen form (MODEL.md 8g, limit 6)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=style.FONT_SMALL, frameon=False)
    insulator = magnet in ("left", "right") or (magnet is None and any(isinstance(getattr(stack, s), Insulator)
                                                                      for s in ("left", "right")))
    if insulator:
        who = "the insulator's"
    else:
        index = stack.ferromagnet_indices[0] if magnet is None else int(magnet)
        who = f"{stack.layers[index].material.name}'s"
    fig.suptitle(f"spin Hall magnetoresistance against the direction of {who} $\\mathbf{{m}}$\n{drive_text(stack)}",
                 fontsize=style.FONT_NORMAL)
    return fig
