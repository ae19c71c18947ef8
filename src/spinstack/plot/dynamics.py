"""Figures of a macrospin run (MODEL.md 9): m(t), the orbit on the unit sphere, R(t) and its spectrum, the
end states of an ensemble (a state diagram over current x field, or a line over one parameter).

The input is the labelled dataset of a run (``spinstack.dynamics``, ``spinstack dynamics FILE --out traj.nc``,
attribute ``spinstack_kind = "dynamics"``): coordinates ``time`` (s), one per varied parameter path (the
dimension is named by the path: ``"current"``, ``"dynamics.field[2]"``), ``layer`` (the stack index of each free
layer), ``component`` (x, y, z), ``configuration`` (P, AP); variables ``m`` (time, varied..., layer, component),
``current`` (time, varied...) A/m^2, ``resistance_area`` (time, varied...) Ohm m^2, ``state``, ``frequency`` (Hz)
and ``switching_time`` (s) over (varied..., layer), ``critical_current`` (varied..., layer, configuration) A/m^2,
and optionally ``reference`` (component) or (varied..., component), the unit m_ref of the states.

Kinds (:data:`KINDS`; :func:`available_kinds` says which a dataset has):

* ``"magnetization"``: m_x, m_y, m_z of each free layer against time, the drive J(t) on a twin axis (a
  constant drive is named in the title instead), the switching time marked;
* ``"orbit"``: the path of m on the unit sphere in 3D (a faint wireframe sphere, coloured by time, start and
  end marked, the reference direction m_ref as an arrow);
* ``"resistance"``: R(t) beside its power spectrum over the last half (log scale, the peak named in GHz when
  one stands out of the noise: :func:`standing_peak`); a thermal run's temperature in the title;
* ``"state-diagram"`` (two varied parameters): the end state of each member in categorical colours, the
  critical-current lines of P and AP (linear stability, MODEL.md 9d) overlaid;
* ``"final-states"`` (one varied parameter): the end value of m . m_ref and the precession frequency
  against the parameter, coloured by state; with realizations of the thermal noise (a dimension
  ``realization``) the share of the realizations ending in each state (the switching probability) instead.

A run with realizations: the state diagram colours the most frequent end state; a trajectory kind draws
realization 0 unless ``select={"realization": r}``.

The trajectory kinds of an ensemble draw one member: ``select={"current": -5e10}`` (nearest value; a
quantity with its unit, ``"-5e10 A/m^2"``, for a dimensioned coordinate).  Units as the other figures:
time in ns (ps, us by the run's length), frequencies in GHz, current densities with a power 10^(3k) A/m^2,
resistance-area in fOhm m^2, fields in mT.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError
from . import style
from .saving import figure_target, save_figure
from .units import stored_scale

__all__ = ["KINDS", "PEAK_CONTRAST", "STATE_COLOURS", "available_kinds", "dynamics_figure", "figure_kinds",
           "is_dynamics", "plot_final_states", "plot_magnetization", "plot_orbit", "plot_resistance",
           "plot_state_diagram", "standing_peak", "varied_dims", "write_dynamics_figure"]

#: the figure kinds of a dynamics dataset, in the order ``spinstack plot`` writes them
KINDS = ("magnetization", "orbit", "resistance", "final-states", "state-diagram")
#: the kinds that draw one trajectory (a member of an ensemble must be selected)
TRAJECTORY_KINDS = ("magnetization", "orbit", "resistance")

#: the end states of MODEL.md 9d (spinstack.macrospin.STATES) and their colours (Okabe-Ito)
STATE_COLOURS = {"P": style.BLUE, "AP": style.VERMILLION, "precession": style.GREEN, "static": style.ORANGE,
                 "undetermined": "#b3b3b3"}
STATE_NAMES = {"P": "P (parallel)", "AP": "AP (antiparallel)", "precession": "steady precession",
               "static": "static, tilted", "undetermined": "undetermined"}
#: the critical-current lines of the two collinear states
CRITICAL_STYLE = {"P": dict(color=style.INK, ls="-", lw=1.8), "AP": dict(color=style.INK, ls="--", lw=1.8)}
#: the drive on its twin axis
DRIVE_COLOUR = style.PURPLE
_PARTS = ("time", "layer", "component", "configuration", "realization")
#: the dimension of a run's thermal-noise realizations (``spinstack dynamics --realizations N``): no parameter
REALIZATION = "realization"
_PREFIXES = {-15: "f", -12: "p", -9: "n", -6: r"$\mu$", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T"}
_KIND_LABELS = {"A m-2": "current density $J$", "T": "applied field", "K": "temperature $T$"}


# ------------------------------------------------------------------ the dataset
def is_dynamics(dataset: Any) -> bool:
    """Whether ``dataset`` is a saved macrospin run (attribute ``spinstack_kind = "dynamics"``)."""
    return str(getattr(dataset, "attrs", {}).get("spinstack_kind", "")) == "dynamics"


def varied_dims(dataset: Any) -> list[str]:
    """The ensemble's dimensions (the varied parameter paths), in the order of ``m`` (not the realizations)."""
    return [str(d) for d in dataset["m"].dims if d not in _PARTS]


def available_kinds(dataset: Any) -> tuple[str, ...]:
    """The kinds :func:`dynamics_figure` draws for ``dataset`` without a selection: the trajectory figures of one
    run, ``"final-states"`` of a one-parameter ensemble, ``"state-diagram"`` of a two-parameter one."""
    count = len(varied_dims(dataset))
    if count == 0:
        return TRAJECTORY_KINDS
    return {1: ("final-states",), 2: ("state-diagram",)}.get(count, ())


def figure_kinds(dataset: Any, select: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The kinds drawn of ``dataset`` at the selected values (``select``, as :func:`dynamics_figure`): those of
    :func:`available_kinds` of what remains.

    Raises
    ------
    SpinstackError
        A run still varied along more than two parameters (no figure draws three).
    """
    selected, _ = _selected(dataset, select)
    kinds = available_kinds(selected)
    if not kinds:
        left = varied_dims(selected)
        raise SpinstackError(f"the run varies {len(left)} parameters ({', '.join(left)}): a figure draws one or two; "
                             f"select values of the others ({_selection_example(selected, left[:len(left) - 2])})")
    return kinds


def _member(dataset: Any, select: Mapping[str, Any] | None, what: str) -> tuple[Any, list[str]]:
    """One member of an ensemble (every varied dimension selected, nearest), and the title notes naming it;
    realization 0 of a run with realizations unless ``select`` names one."""
    dataset, notes = _selected(dataset, select)
    if REALIZATION in dataset.dims:
        notes.append(f"realization 0 of {dataset.sizes[REALIZATION]} (select another: --sel realization=R)")
        dataset = dataset.isel({REALIZATION: 0})
    left = varied_dims(dataset)
    if left:
        raise SpinstackError(f"the {what} figure draws one run: select one value of {' and '.join(left)} "
                             f"({_selection_example(dataset, left)})")
    temperature = _temperature_text(dataset)
    if temperature:  # a thermal run: its temperature in the title
        notes.append(temperature)
    return dataset, notes


def _selection_example(dataset: Any, dims: list[str]) -> str:
    """The ``--sel`` options that pick one member: ``"--sel current=5e+11 --sel dynamics.field[2]=0.1"`` (each
    dimension's middle value, in its stored unit), quoted for a shell when the name has brackets."""
    options = []
    for dim in dims:
        text = f"{dim}={_example(dataset[dim])}"
        options.append(f"--sel '{text}'" if any(c in text for c in "[]* ") else f"--sel {text}")
    return "e.g. " + " ".join(options) + (" (nearest values; in Python select={dim: value, ...})" if dims else "")


def _selected(dataset: Any, select: Mapping[str, Any] | None) -> tuple[Any, list[str]]:
    """``dataset`` at one value (the nearest) of each varied dimension in ``select``, and a note for each."""
    from .sweep import _pick

    notes: list[str] = []
    for key, value in (select or {}).items():
        if key == REALIZATION and REALIZATION in dataset.dims:  # one realization of the thermal noise, by index
            try:
                index = int(float(value))
            except (TypeError, ValueError):
                index = -1
            if not 0 <= index < dataset.sizes[REALIZATION]:
                raise SpinstackError(f"select realization: an index 0 .. {dataset.sizes[REALIZATION] - 1}, got "
                                     f"{value!r}")
            dataset = dataset.isel({REALIZATION: index})
            notes.append(f"realization {index}")
            continue
        if key not in varied_dims(dataset):
            raise SpinstackError(f"select {key}: not a varied parameter of this run (have: "
                                 f"{', '.join(varied_dims(dataset)) or 'none, one run'})")
        picked, _ = _pick(dataset["m"], dataset, key, value)
        dataset = dataset.sel({key: picked[key].values})
        notes.append(_value_text(dataset[key], key))
    return dataset, notes


def _value_text(coordinate: Any, name: str) -> str:
    """A selected member's parameter as title text: ``"current density $J$ = $-4.00\\times10^{10}$ A/m$^2$"``,
    ``"applied field $B_z$ = 20 mT"``."""
    value = float(coordinate.values)
    units, text = _described(coordinate, name)
    if units == "A m-2":
        return f"{text} = {_quantity(value)}"
    if units == "T":
        factor, unit = prefixed(abs(value), "T")
        return f"{text} = {value * factor:.4g} {unit}"
    return f"{text} = {value:.4g}" + ("" if units in ("", "1") else f" {units}")


def _example(coordinate: Any) -> str:
    values = np.asarray(coordinate.values)
    return f"{values[len(values) // 2]:.4g}" if values.dtype.kind in "fiu" else str(values[0])


def _layers(dataset: Any, layer: int | None) -> list[int]:
    """The free layers drawn: all, or the one asked for (its stack index)."""
    layers = [int(v) for v in dataset["layer"].values]
    if layer is None:
        return layers
    if int(layer) not in layers:
        raise SpinstackError(f"layer {layer}: not a free layer of this run (free: {', '.join(map(str, layers))})")
    return [int(layer)]


def _layer_name(dataset: Any, layer: int) -> str:
    """``"layer 2"``, with its material when the dataset names it (``"layer 2 (Py)"``)."""
    if "material" in dataset.coords and dataset.coords["material"].dims == ("layer",):
        material = dataset.coords["material"].sel(layer=layer).item()
        return f"layer {layer} ({material})"
    return f"layer {layer}"


def _drive(run: Any) -> np.ndarray:
    """J(t) of one run, A/m^2: the variable over time, or a varied current (the coordinate: constant in time)."""
    current = run["current"]
    values = np.asarray(current.values, dtype=float)
    return values if "time" in current.dims else np.full(run.sizes["time"], float(values))


def _reference(dataset: Any) -> np.ndarray | None:
    """m_ref as stored (component) or (varied..., component), unit; None when the run does not store it."""
    if "reference" not in dataset.data_vars:
        return None
    reference = dataset["reference"].transpose(..., "component").values.astype(float)
    return reference / np.linalg.norm(reference, axis=-1, keepdims=True)


# ------------------------------------------------------------------ units
def prefixed(largest: float, unit: str) -> tuple[float, str]:
    """(factor, unit with an SI prefix) in which ``largest`` (an SI number) shows between 1 and 1000."""
    power = 3 * math.floor(math.log10(abs(largest)) / 3) if largest and math.isfinite(largest) else 0
    power = min(max(power, -15), 12)
    return 10.0 ** -power, f"{_PREFIXES[power]}{unit}"


def _time_axis(time: np.ndarray) -> tuple[np.ndarray, float, str]:
    """Times as shown, the factor, and the unit (ns for a run of ns)."""
    factor, unit = prefixed(float(np.max(np.abs(time))) if len(time) else 0.0, "s")
    return time * factor, factor, unit


def _current_scale(values: Any) -> tuple[float, str]:
    """(factor, axis label) of the drive J(t) stored in A/m^2 on its twin axis: the power of ten of its largest
    |value| (a pulse of -5e11 A/m^2 in $10^{11}$ A/m$^2$, ticks -5 .. 0; a power 10^(3k) would show -500 .. 0)."""
    values = np.abs(np.asarray(values, dtype=float))
    values = values[np.isfinite(values)]
    largest = float(values.max()) if values.size else 0.0
    power = math.floor(math.log10(largest)) if largest > 0 else 0
    if power == 0:
        return 1.0, "current density $J$ (A/m$^2$)"
    return 10.0 ** -power, f"current density $J$ ($10^{{{power}}}$ A/m$^2$)"


def parameter_axis(coordinate: Any, name: str) -> tuple[float, str]:
    """How a varied parameter is drawn: (factor from the stored numbers, axis label), from the coordinate's
    ``units`` (or its path): current densities with a power 10^(3k) A/m^2, fields in mT, temperatures in K,
    the rest as stored."""
    values = np.asarray(coordinate.values, dtype=float)
    units, text = _described(coordinate, name)
    if units == "A m-2":
        scale = stored_scale("A m-2", values)
        return scale.factor, scale.label(text)
    if units == "T":
        factor, unit = prefixed(float(np.nanmax(np.abs(values))) if values.size else 0.0, "T")
        return factor, f"{text} ({unit})"
    if units in ("", "1"):
        return 1.0, text
    return 1.0, f"{text} ({units})"


def _described(coordinate: Any, path: str) -> tuple[str, str]:
    """(units, name) of a varied parameter: the paths of the dynamics (current, a field component, the
    temperature) by their symbols ("current density $J$", "applied field $B_z$"), any other by the coordinate's
    ``long_name`` (or the path); the units stored with it, or those of the path."""
    units = str(coordinate.attrs.get("units", "")) or _units_of_path(path)
    if _units_of_path(path):
        return units, _name_of_path(path, units)
    return units, str(coordinate.attrs.get("long_name", "")) or path


def _units_of_path(path: str) -> str:
    """The SI unit a dynamics path's values are stored in, when the coordinate does not say."""
    if path == "current" or path.endswith(".current"):
        return "A m-2"
    if "field" in path and path.startswith("dynamics"):
        return "T"
    if path.endswith("temperature"):
        return "K"
    return ""


def _name_of_path(path: str, units: str) -> str:
    """``"current density $J$"``, ``"applied field $B_z$"`` (``dynamics.field[2]``), else the path."""
    if units == "T":
        for index, component in enumerate("xyz"):
            if path.endswith(f"[{index}]") or path.endswith(f".{component}"):
                return rf"applied field $B_{component}$"
        return "applied field $B$"
    return _KIND_LABELS.get(units, path)


def _finish_legend(ax: Any, handles: list[Any], **options: Any) -> Any:
    return ax.legend(handles=handles, fontsize=style.FONT_SMALL, framealpha=0.92, **options)


# ------------------------------------------------------------------ m(t)
def plot_magnetization(dataset: Any, fig: Any = None, ax: Any = None, *, select: Mapping[str, Any] | None = None,
                       layer: int | None = None) -> Any:
    """m_x, m_y, m_z of every free layer against time (one panel each), the drive, the switching time.

    Parameters
    ----------
    dataset
        A dynamics dataset (module docstring); an ensemble needs ``select``.
    fig, ax
        A figure to draw into, or one Axes (divided into the panels) or one Axes per panel; a new figure
        otherwise.
    select
        ``{varied dimension: value}``, nearest: the member drawn.
    layer
        Only this free layer (its stack index).

    Returns
    -------
    matplotlib.figure.Figure
    """
    run, notes = _member(dataset, select, "magnetization")
    layers = _layers(run, layer)
    fig, axes = style.new_panels(fig, ax, shape=(len(layers), 1), figsize=(7.2, 1.2 + 2.6 * len(layers)),
                                 sharex=True)
    time, to_shown, time_unit = _time_axis(run["time"].values)
    current = _drive(run)
    from ..trajectories import drive_range

    extremes = drive_range(run)  # a waveform run is one even when the saved points miss its pulse
    constant = extremes is None
    factor, current_label = _current_scale(current if constant else np.append(current, extremes))
    for panel, index in zip(axes, layers):
        m = run["m"].sel(layer=index).transpose("time", "component")
        handles = []
        for component, order in (("x", 4), ("y", 3), ("z", 2)):  # x on top: of a thin film the smallest
            (line,) = panel.plot(time, m.sel(component=component).values, color=style.COMPONENT[component], lw=1.2,
                                 label=f"$m_{component}$", gid=f"m:{index}:{component}", zorder=order)
            handles.append(line)
        panel.axhline(0.0, color=style.GUIDE, lw=0.6, zorder=0)
        panel.set_ylim(-1.12, 1.45)  # the top holds the legend
        panel.set_yticks([-1, -0.5, 0, 0.5, 1])
        panel.set_ylabel(f"magnetization $\\mathbf{{m}}$, {_layer_name(run, index)}")
        panel.grid(True, color="#eeeeee", lw=0.5, zorder=0)
        switching = float(run["switching_time"].sel(layer=index).values) if "switching_time" in run else math.nan
        if math.isfinite(switching):
            shown = switching * to_shown
            handles.append(panel.axvline(shown, color=style.INK, ls=":", lw=1.4, gid=f"switching:{index}",
                                         label=f"switching, $t_s$ = {shown:.3g} {time_unit}"))
        if not constant:
            twin = panel.twinx()
            (drive,) = twin.plot(time, current * factor, color=DRIVE_COLOUR, lw=1.2, ls="--", label="drive $J(t)$",
                                 gid=f"current:{index}")
            # the waveform's own extremes too: the saved points may miss a pulse (flat J(t), its axis still spans it)
            low = min(float(np.min(current)), extremes[0]) * factor
            high = max(float(np.max(current)), extremes[1]) * factor
            span = (high - low) or max(abs(high), 1.0)  # one value all along (a pulse after the end): a unit span
            # the drive's range spans the height of m's -1..1 (limits -1.12, 1.45: 0.06 and 0.225 of the range 2)
            twin.set_ylim(low - 0.06 * span, high + 0.225 * span)
            twin.set_ylabel(current_label, color=DRIVE_COLOUR)
            twin.tick_params(axis="y", colors=DRIVE_COLOUR)
            handles.append(drive)
        _finish_legend(panel, handles, loc="upper center", ncol=len(handles), handlelength=1.6, columnspacing=1.0)
    axes[-1].set_xlabel(f"time $t$ ({time_unit})")
    axes[-1].set_xlim(float(time[0]), float(time[-1]))
    title = list(notes)
    if constant and "current" not in run.coords:  # (a selected current is named by the notes)
        title.append(f"constant drive $J$ = {_quantity(current[0])}")
    elif not constant and (float(np.min(current)) > extremes[0] or float(np.max(current)) < extremes[1]):
        # the saved points miss part of the waveform (a pulse between them): its extremes, which J(t) cannot show
        title.append(f"waveform drive $J$ from {_quantity(extremes[0])} to {_quantity(extremes[1])} "
                     "(between the saved points too)")
    if title:
        axes[0].set_title(", ".join(title), fontsize=style.FONT_NORMAL)
    return fig


def _quantity(current: float) -> str:
    """A current density as mathtext: ``"$-5.00\\times10^{10}$ A/m$^2$"``."""
    from .units import tex_number

    return f"${tex_number(float(current))}$ A/m$^2$"


# ------------------------------------------------------------------ the orbit
def plot_orbit(dataset: Any, fig: Any = None, ax: Any = None, *, select: Mapping[str, Any] | None = None,
               layer: int | None = None) -> Any:
    """The path of m of every free layer on the unit sphere, in 3D (one panel each).

    A faint wireframe sphere; the path coloured by time (a colour bar in the run's time unit); the start (a
    circle) and the end (a square) marked; the reference direction m_ref as an arrow (when the run stores it).
    Parameters as :func:`plot_magnetization`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from mpl_toolkits.mplot3d.art3d import Line3DCollection

    run, notes = _member(dataset, select, "orbit")
    layers = _layers(run, layer)
    count = len(layers)
    fig, axes = style.new_panels(fig, ax, shape=(1, count), figsize=(5.6 * count, 5.0),
                                 projections=("3d",) * count)
    time, _, time_unit = _time_axis(run["time"].values)
    norm = Normalize(float(time[0]), float(time[-1]))
    reference = _reference(run)
    for panel, index in zip(axes, layers):
        m = run["m"].sel(layer=index).transpose("time", "component").values
        # drawn in this order, whatever their depth (matplotlib's 3D sorting by depth would hide the path behind
        # the sphere's wires or the arrow): sphere, arrow, path, markers
        panel.computed_zorder = False
        _sphere(panel)
        segments = np.stack([m[:-1], m[1:]], axis=1)
        path = Line3DCollection(segments, cmap="viridis", norm=norm, lw=1.1, gid=f"orbit:{index}", zorder=3)
        path.set_array(0.5 * (time[:-1] + time[1:]))
        panel.add_collection(path)
        handles = [panel.scatter(*m[0], s=46, color=style.GREEN, edgecolor=style.INK, depthshade=False, zorder=5,
                                 label="start", gid=f"start:{index}"),
                   panel.scatter(*m[-1], s=46, marker="s", color=style.VERMILLION, edgecolor=style.INK,
                                 depthshade=False, zorder=5, label="end", gid=f"end:{index}")]
        if reference is not None:
            panel.quiver(0, 0, 0, *(1.3 * reference), color=style.INK, lw=1.6, arrow_length_ratio=0.1,
                         gid=f"reference:{index}", zorder=2)
            handles.append(Line2D([], [], color=style.INK, lw=1.8, marker=">", markersize=5,  # (a quiver has no key)
                                  label=r"reference $\mathbf{m}_{\rm ref}$"))
        for setter, name in ((panel.set_xlabel, "x"), (panel.set_ylabel, "y"), (panel.set_zlabel, "z")):
            setter(f"$m_{name}$", labelpad=-2)
        for setter in (panel.set_xlim, panel.set_ylim, panel.set_zlim):
            setter(-1.05, 1.05)
        ticks = [-1, 0, 1]
        panel.set_xticks(ticks), panel.set_yticks(ticks), panel.set_zticks(ticks)
        panel.tick_params(labelsize=style.FONT_SMALL, pad=0)
        panel.set_box_aspect((1, 1, 1))
        panel.set_title(_layer_name(run, index), fontsize=style.FONT_NORMAL)
        panel.legend(handles=handles, fontsize=style.FONT_SMALL, loc="upper left", framealpha=0.92)
        bar = fig.colorbar(path, ax=panel, shrink=0.6, pad=0.08)
        bar.set_label(f"time $t$ ({time_unit})")
    if notes:
        fig.suptitle(", ".join(notes), fontsize=style.FONT_NORMAL)
    return fig


def _sphere(ax: Any) -> None:
    """The unit sphere as a faint wireframe (12 meridians, 7 parallels)."""
    polar, azimuth = np.meshgrid(np.linspace(0, np.pi, 13), np.linspace(0, 2 * np.pi, 25))
    ax.plot_wireframe(np.sin(polar) * np.cos(azimuth), np.sin(polar) * np.sin(azimuth), np.cos(polar),
                      color="#c8c8c8", lw=0.35, alpha=0.7, gid="sphere", zorder=1)


# ------------------------------------------------------------------ R(t) and its spectrum
def plot_resistance(dataset: Any, fig: Any = None, ax: Any = None, *, select: Mapping[str, Any] | None = None,
                    last: float = 0.5) -> Any:
    """R(t) (resistance-area) and beside it its power spectrum over the ``last`` part of the run (log scale,
    :func:`spinstack.macrospin.power_spectrum`), the peak that stands out of the noise (:func:`standing_peak`:
    30 times the PSD around it, not in the lowest three bins) marked and named in GHz.

    The part analysed is shaded on R(t).  A run with a constant R (no motion) or an undefined one (open ends:
    NaN) says so on the spectrum's panel instead.  Other parameters as :func:`plot_magnetization`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..macrospin.spectrum import power_spectrum

    run, notes = _member(dataset, select, "resistance")
    fig, (left, right) = style.new_panels(fig, ax, shape=(1, 2), figsize=(10.0, 3.8))
    seconds = run["time"].values
    time, to_shown, time_unit = _time_axis(seconds)
    resistance = np.asarray(run["resistance_area"].values, dtype=float)
    scale = stored_scale("ohm m2", resistance)
    left.plot(time, scale(resistance), color=style.BLUE, lw=1.2, gid="resistance")
    left.set_xlabel(f"time $t$ ({time_unit})")
    left.set_ylabel(scale.label(r"resistance-area $RA$"))
    left.set_xlim(float(time[0]), float(time[-1]))
    left.grid(True, color="#eeeeee", lw=0.5, zorder=0)
    start = seconds[-1] - last * (seconds[-1] - seconds[0])
    left.axvspan(start * to_shown, time[-1], color=style.SKY, alpha=0.18, lw=0, gid="window",
                 label=f"spectrum window ({_fraction(last)})")
    left.legend(fontsize=style.FONT_SMALL, loc="best", framealpha=0.92)
    right.set_xlabel("frequency $f$ (GHz)")
    right.set_ylabel(rf"PSD of $RA$ ({scale.base or scale.unit})$^2$/Hz")
    if not np.all(np.isfinite(resistance)):
        _empty(right, "no spectrum: R is undefined (open ends)")
    elif np.ptp(resistance[seconds >= start]) == 0:
        _empty(right, "no spectrum: R is constant")
    else:
        spectrum = power_spectrum(seconds, resistance, last=last)
        ghz = spectrum.frequency * 1e-9
        density = spectrum.density * scale.factor ** 2
        positive = density > 0
        right.semilogy(ghz[positive], density[positive], color=style.BLUE, lw=1.1, gid="spectrum")
        peak = standing_peak(spectrum)
        top = float(density[1:].max())
        if math.isfinite(peak):
            height = float(np.interp(peak * 1e-9, ghz, density))
            right.plot([peak * 1e-9], [height * 3], "v", color=style.VERMILLION, markersize=7, gid="peak",
                       label=f"peak {peak * 1e-9:.4g} GHz (bin {spectrum.resolution * 1e-9:.2g} GHz)")
        elif math.isfinite(spectrum.peak):  # local maxima, none above the noise around it
            right.plot([], [], " ", label=f"no peak {PEAK_CONTRAST:g}x above the PSD around it (noise)")
        else:
            right.plot([], [], " ", label="no peak: R only settles")
        right.set_xlim(0.0, float(ghz[-1]))
        precession = float(run["frequency"].values.reshape(-1)[0]) if "frequency" in run else math.nan
        if run["layer"].size == 1 and math.isfinite(precession):
            # R depends on m . m_ref: an orbit centred on m_ref turns it twice a turn (the peak at 2 f)
            right.axvline(precession * 1e-9, color=style.GREEN, ls=":", lw=1.4, gid="precession",
                          label=f"orbit frequency $f$ = {precession * 1e-9:.4g} GHz (last half of m)")
        floor = float(density[positive][1:].min()) if np.count_nonzero(positive) > 1 else top * 1e-12
        right.set_ylim(max(floor, top * 1e-14) / 3, top * 30)
        right.legend(fontsize=style.FONT_SMALL, loc="upper right", framealpha=0.92)
    right.grid(True, color="#eeeeee", lw=0.5, zorder=0)
    if notes:
        fig.suptitle(", ".join(notes), fontsize=style.FONT_NORMAL)
    return fig


#: a spectrum's peak is marked when its PSD is at least this many times the median PSD from f / 2 to 2 f: a bin of
#: noise (a periodogram's bin is exponentially distributed) exceeds c times its median with probability 2^-c, 1e-9
PEAK_CONTRAST = 30.0
#: bins 0 .. 2 are never a peak: a Hann window spreads the mean and a slow drift (R settling, thermal wander) over
#: them, whatever the oscillation
_FIRST_PEAK_BIN = 3


def standing_peak(spectrum: Any) -> float:
    """Hz, the peak of a one-signal :class:`~spinstack.macrospin.spectrum.Spectrum` that stands out of the noise;
    NaN when none does.

    The highest local maximum from bin 3 on (0.6 GHz for a 5-ns window) whose PSD is at least
    :data:`PEAK_CONTRAST` (30) times the median PSD of the bins from f / 2 to 2 f (at least 5 bins either side),
    refined between bins as :attr:`Spectrum.peak`.  A bin of pure noise passes with probability 2^-30 (a
    periodogram's bins are exponentially distributed about the local mean).  Measured: a steady orbit's line
    stands 1e6 or more above its surroundings, a 300 K run's ferromagnetic resonance (R at 2 f, 14 GHz) 260
    times; the largest bin of that run's low-frequency noise (0.38 GHz, what ``Spectrum.peak`` names) under 10.
    """
    from ..macrospin.spectrum import _vertex

    density = np.asarray(spectrum.density, dtype=float).reshape(len(spectrum.frequency), -1)[:, 0]
    count = len(density)
    best = -1
    for k in range(_FIRST_PEAK_BIN, count):
        if not (density[k] > density[k - 1] and (k == count - 1 or density[k] >= density[k + 1])):
            continue
        low = max(_FIRST_PEAK_BIN, min(k // 2, k - 5))
        high = min(count, max(2 * k + 1, k + 6))
        if density[k] >= PEAK_CONTRAST * float(np.median(density[low:high])) and (best < 0 or
                                                                                 density[k] > density[best]):
            best = k
    if best < 0:
        return math.nan
    return float(spectrum.frequency[best] + spectrum.resolution * _vertex(density[:, None], best, 0))


def _fraction(last: float) -> str:
    """``"last half"``, ``"whole run"``, ``"last 0.3 of the run"``."""
    return {0.5: "last half", 0.25: "last quarter", 1.0: "whole run"}.get(last, f"last {last:g} of the run")


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=style.FONT_NORMAL,
            color=style.INK)
    ax.set_xticks([]), ax.set_yticks([])


# ------------------------------------------------------------------ ensembles
def _states_legend(ax: Any, states: set[str], extra: list[Any] = (), **options: Any) -> Any:
    """A legend with one colour patch per state present, in the order of MODEL.md 9d, then ``extra``."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=STATE_COLOURS[s], edgecolor=style.INK, lw=0.5, label=STATE_NAMES[s])
               for s in STATE_COLOURS if s in states]
    return _finish_legend(ax, handles + list(extra), **options)


def _critical(dataset: Any, layer: int, along: str | None) -> dict[str, np.ndarray]:
    """J_c of P and AP (A/m^2) for ``layer``, over the varied dimension ``along`` (or a scalar): the first member
    of every other varied dimension (J_c is the same for every current: linear stability at J = 0)."""
    if "critical_current" not in dataset.data_vars:
        return {}
    critical = dataset["critical_current"].sel(layer=layer)
    others = {d: 0 for d in critical.dims if d not in ("configuration", along)}
    critical = critical.isel(others)
    return {state: np.atleast_1d(np.asarray(critical.sel(configuration=state).values, dtype=float))
            for state in ("P", "AP") if state in critical["configuration"].values}


def plot_state_diagram(dataset: Any, fig: Any = None, ax: Any = None, *, layer: int | None = None,
                       x: str | None = None) -> Any:
    """The end state of every member of a two-parameter ensemble (current x field), one panel per free layer.

    Each member is a cell in the colour of its state (:data:`STATE_COLOURS`, named in the legend); the
    critical currents of P and AP by linear stability (``critical_current``, MODEL.md 9d) are overlaid as lines
    J_c(field), labelled in the legend.

    Parameters
    ----------
    dataset
        A dynamics dataset varied along exactly two parameters.
    fig, ax
        As :func:`plot_magnetization`.
    layer
        Only this free layer (its stack index); default all.
    x
        The varied dimension drawn along x; default ``"current"`` when varied, else the first.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D

    varied = varied_dims(dataset)
    if len(varied) != 2:
        raise SpinstackError(f"a state diagram needs a run varied along two parameters, this one varies "
                             f"{len(varied)} ({', '.join(varied) or 'none'}){_kind_hint(dataset, varied, 2)}")
    x = x or ("current" if "current" in varied else varied[0])
    if x not in varied:
        raise SpinstackError(f"x: {x!r} is not a varied parameter (have: {', '.join(varied)})")
    y = next(d for d in varied if d != x)
    layers = _layers(dataset, layer)
    fig, axes = style.new_panels(fig, ax, shape=(1, len(layers)), figsize=(7.4 * len(layers), 4.6))
    x_factor, x_label = parameter_axis(dataset[x], x)
    y_factor, y_label = parameter_axis(dataset[y], y)
    xs, ys = dataset[x].values.astype(float) * x_factor, dataset[y].values.astype(float) * y_factor
    names = list(STATE_COLOURS)
    cmap = ListedColormap([STATE_COLOURS[s] for s in names])
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    for panel, index in zip(axes, layers):
        states = _end_states(dataset["state"].sel(layer=index)).transpose(y, x).values.astype(object).astype(str)
        unknown = set(np.unique(states)) - set(names)
        if unknown:
            raise SpinstackError(f"state: unknown end states {sorted(unknown)} (MODEL.md 9d has {', '.join(names)})")
        codes = np.vectorize(names.index)(states)
        panel.pcolormesh(xs, ys, codes, cmap=cmap, norm=norm, shading="nearest", edgecolors="white", lw=0.3,
                         rasterized=True, gid=f"states:{index}")
        lines = []
        if "current" in (x, y):  # J_c over the other parameter, a line across the map
            other, factor, span = (y, x_factor, xs) if x == "current" else (x, y_factor, ys)
            for state, values in _critical(dataset, index, other).items():
                shown = values * factor
                inside = np.isfinite(shown) & (shown >= span.min()) & (shown <= span.max())
                label = f"$J_c$ of {state} (linear stability)"
                if not np.any(inside):
                    label += ": outside the range" if np.any(np.isfinite(shown)) else ": none"
                # only where the threshold lies on the map: a J_c far outside it (a state the field alone
                # destabilises, stabilised by a large current) would otherwise draw a false line across
                margin = 0.5 * _spacing(span)
                on_map = np.where(np.isfinite(shown) & (shown >= span.min() - margin) & (shown <= span.max() + margin),
                                  shown, np.nan)
                along = ys if x == "current" else xs
                current_values, other_values = _branches(on_map, along)
                points = (current_values, other_values) if x == "current" else (other_values, current_values)
                panel.plot(*points, gid=f"critical:{index}:{state}", marker="o", ms=3, **CRITICAL_STYLE[state])
                # the legend's key: the line's dash pattern without the marker (a marker in the middle of a short key
                # hides the one gap of a dashed line, and both keys looked solid)
                lines.append(Line2D([], [], label=label, **CRITICAL_STYLE[state]))
        panel.set_xlim(xs.min() - 0.5 * _spacing(xs), xs.max() + 0.5 * _spacing(xs))
        panel.set_ylim(ys.min() - 0.5 * _spacing(ys), ys.max() + 0.5 * _spacing(ys))
        panel.set_xlabel(x_label)
        panel.set_ylabel(y_label)
        counted = (f"most frequent end state of {dataset.sizes[REALIZATION]} realizations"
                   if REALIZATION in dataset.dims else "end state")
        title = [f"{counted} of {_layer_name(dataset, index)}", _run_text(dataset, index)]
        panel.set_title(", ".join(t for t in title if t), fontsize=style.FONT_NORMAL)
        _states_legend(panel, set(np.unique(states)), lines, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       borderaxespad=0.0, handlelength=3.2)
    return fig


def _branches(threshold: np.ndarray, along: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """J_c over the other parameter as drawn: a NaN inserted between two neighbours of opposite signs.

    J_c = 0 would mean the state is marginal at J = 0: on either side of such a point the threshold has opposite
    meanings (a stable state destabilised beyond J_c, an unstable one stabilised beyond it; e.g. AP across the
    anisotropy field B_K).  The jump between the two branches is not a threshold anyone computed, so the line is
    broken there instead of joining them (NaN: matplotlib leaves a gap).
    """
    threshold, along = np.asarray(threshold, dtype=float), np.asarray(along, dtype=float)
    jumps = np.flatnonzero(np.sign(threshold[:-1]) * np.sign(threshold[1:]) < 0)  # (NaN compares False)
    return np.insert(threshold, jumps + 1, np.nan), np.insert(along, jumps + 1, np.nan)


def _run_text(dataset: Any, layer: int) -> str:
    """How the members ran, for an ensemble figure's title: ``"20 ns from P (2.9 deg off m_ref)"`` (the start
    read from m at t = 0 against the stored reference), the temperature of a thermal run."""
    run = ""
    try:
        duration = float(dataset["time"].values[-1] - dataset["time"].values[0])
        factor, unit = prefixed(duration, "s")
        run = f"{duration * factor:.3g} {unit} runs"
        reference = _reference(dataset)
        start = dataset["m"].sel(layer=layer).isel(time=0).transpose(..., "component").values.astype(float)
        if reference is not None:  # P / AP: every member starts within 10 degrees of +m_ref / -m_ref
            cosine = np.clip(np.sum(start * np.broadcast_to(reference, start.shape), axis=-1), -1.0, 1.0)
            angles = np.degrees(np.arccos(cosine))
            if np.all(angles <= 10.0):
                run += f" from P ({_angle_span(angles)} off $\\mathbf{{m}}_{{\\rm ref}}$)"
            elif np.all(angles >= 170.0):
                run += f" from AP ({_angle_span(180.0 - angles)} off $-\\mathbf{{m}}_{{\\rm ref}}$)"
            elif np.ptp(angles) < 0.5:  # one start elsewhere: its angle
                run += f" from {float(np.mean(angles)):.3g}° off $\\mathbf{{m}}_{{\\rm ref}}$"
            else:
                run += " from several starts"
    except (KeyError, ValueError, IndexError):  # an incomplete dataset: the title without it
        pass
    return ", ".join(part for part in (run, _temperature_text(dataset)) if part)


def _angle_span(angles: np.ndarray) -> str:
    """``"2.9°"`` or ``"0.5-3°"``: the tilt of the members' starts."""
    low, high = float(np.min(angles)), float(np.max(angles))
    return f"{high:.2g}°" if high - low < 0.05 * max(high, 1e-3) else f"{low:.2g}-{high:.2g}°"


def _temperature_text(dataset: Any) -> str:
    """``"T = 300 K"`` for a thermal run (attribute ``temperature`` > 0, the largest member's) unless the
    temperature is a varied dimension (then on an axis or named by the selection); else ``""``."""
    if any(d.endswith("temperature") for d in varied_dims(dataset)) or any(
            str(name).endswith("temperature") and dataset[name].ndim == 0 for name in dataset.coords):
        return ""
    try:
        temperature = float(dataset.attrs.get("temperature", 0.0))
    except (TypeError, ValueError):
        return ""
    return f"$T$ = {temperature:.4g} K" if temperature > 0 else ""


def _kind_hint(dataset: Any, varied: list[str], needed: int) -> str:
    """What to do about a run varied along ``len(varied)`` parameters when a figure needs ``needed``: the
    ``--sel`` options that leave ``needed`` (one per way of choosing them), or the kinds the run has."""
    if len(varied) > needed:
        choices = []
        for kept in _combinations(varied, needed):
            fixed = [d for d in varied if d not in kept]
            choices.append(f"{_selection_example(dataset, fixed).removeprefix('e.g. ').split(' (nearest')[0]} "
                           f"(over {' and '.join(kept)})")
        return "; select the others' values: " + " or ".join(choices) + " (nearest values; select= in Python)"
    kinds = available_kinds(dataset)
    return f"; this run draws --kind {' / '.join(kinds)}" if kinds else ""


def _combinations(items: list[str], size: int) -> list[tuple[str, ...]]:
    from itertools import combinations

    return list(combinations(items, size))


def _end_states(states: Any) -> Any:
    """The end state of every configuration: ``states`` itself, or over the realizations of a run with them the
    most frequent one (a tie goes to the first in :data:`STATE_COLOURS`' order)."""
    if REALIZATION not in states.dims:
        return states
    every = states.transpose(..., REALIZATION)
    values = np.asarray(every.values).astype(object).astype(str)  # zarr v3 reads StringDType
    names = list(STATE_COLOURS)
    counts = np.stack([np.count_nonzero(values == name, axis=-1) for name in names], axis=-1)
    return every.isel({REALIZATION: 0}, drop=True).copy(data=np.array(names, dtype=object)[np.argmax(counts, axis=-1)])


def _spacing(values: np.ndarray) -> float:
    """The grid step of sorted-or-not coordinate values; for a single value (or all equal) a tenth of its size
    (1 at 0), so that the axis around it has a width (equal limits are singular)."""
    steps = np.diff(np.sort(np.unique(values)))
    if steps.size:
        return float(steps.min())
    return 0.1 * float(np.max(np.abs(values))) or 1.0


def plot_final_states(dataset: Any, fig: Any = None, ax: Any = None, *, layer: int | None = None) -> Any:
    """A one-parameter ensemble: the end value of m . m_ref (top) and the precession frequency (bottom, GHz)
    against the parameter, each member coloured by its state; for a current, the critical currents of P and AP
    as vertical lines.  Without a stored reference the top panel draws m's end components instead.

    Parameters
    ----------
    dataset
        A dynamics dataset varied along exactly one parameter.
    fig, ax
        As :func:`plot_magnetization`.
    layer
        Only this free layer (its stack index); default all (a column each).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    varied = varied_dims(dataset)
    if len(varied) != 1:
        raise SpinstackError(f"the final-states figure needs a run varied along one parameter, this one varies "
                             f"{len(varied)} ({', '.join(varied) or 'none'}){_kind_hint(dataset, varied, 1)}")
    along = varied[0]
    layers = _layers(dataset, layer)
    fig, axes = style.new_panels(fig, ax, shape=(2, len(layers)), figsize=(6.8 * len(layers), 5.8), sharex=True)
    x_factor, x_label = parameter_axis(dataset[along], along)
    xs = dataset[along].values.astype(float) * x_factor
    if REALIZATION in dataset["state"].dims:  # realizations of the thermal noise: the switching probability
        return _final_shares(dataset, fig, axes, layers, along, xs, x_factor, x_label)
    reference = _reference(dataset)
    for column, index in enumerate(layers):
        top, bottom = axes[column], axes[len(layers) + column]
        final = dataset["m"].sel(layer=index).isel(time=-1).transpose(along, "component").values
        states = dataset["state"].sel(layer=index).transpose(along).values.astype(object).astype(str)
        colours = [STATE_COLOURS.get(s, STATE_COLOURS["undetermined"]) for s in states]
        extra = []
        if reference is not None:
            projection = np.sum(final * np.broadcast_to(reference, final.shape), axis=-1)
            top.plot(xs, projection, color=style.GUIDE, lw=0.8, zorder=1)
            top.scatter(xs, projection, c=colours, s=30, edgecolor=style.INK, lw=0.5, zorder=3,
                        gid=f"projection:{index}")
            top.set_ylabel(r"final $\mathbf{m}\cdot\mathbf{m}_{\rm ref}$")
            top.set_ylim(-1.15, 1.15)
        else:
            for component, marker in zip("xyz", "o^s"):
                values = final[:, "xyz".index(component)]
                top.plot(xs, values, color=style.COMPONENT[component], lw=0.8, zorder=1)
                top.scatter(xs, values, c=colours, marker=marker, s=30, edgecolor=style.INK, lw=0.5, zorder=3,
                            gid=f"final:{index}:{component}")
                extra.append(Line2D([], [], color=style.COMPONENT[component], marker=marker, markerfacecolor="white",
                                    markeredgecolor=style.INK, label=f"final $m_{component}$"))
            top.set_ylabel(r"final $\mathbf{m}$ (no $\mathbf{m}_{\rm ref}$ stored)")
            top.set_ylim(-1.15, 1.15)
        frequency = dataset["frequency"].sel(layer=index).transpose(along).values.astype(float) * 1e-9
        # the precession frequency of MODEL.md 9d: precessing members only (a file from before it was NaN elsewhere
        # may hold a P member's ring-down), the guide line broken at every other member (NaN), never joining a
        # precession across a P or AP member
        finite = np.isfinite(frequency) & (states == "precession")
        bottom.plot(xs, np.where(finite, frequency, np.nan), color=style.GUIDE, lw=0.8, zorder=1,
                    gid=f"frequency-line:{index}")
        bottom.scatter(xs[finite], frequency[finite], c=np.array(colours, dtype=object)[finite].tolist(), s=30,
                       edgecolor=style.INK, lw=0.5, zorder=3, gid=f"frequency:{index}")
        bottom.set_ylabel("frequency $f$ (GHz)")
        bottom.set_xlabel(x_label)
        if not np.any(finite):  # (the x ticks stay: the panels share them)
            bottom.text(0.02, 0.95, "no member oscillates", transform=bottom.transAxes, ha="left", va="top",
                        fontsize=style.FONT_NORMAL, color=style.INK, bbox=dict(facecolor="white", lw=0, pad=2))
            bottom.set_yticks([])
        if along == "current":
            extra += _critical_lines(dataset, index, xs, x_factor, (top, bottom))
        for panel in (top, bottom):
            panel.grid(True, color="#eeeeee", lw=0.5, zorder=0)
        top.set_title(f"end of the run, {_layer_name(dataset, index)}, {_run_text(dataset, index)}",
                      fontsize=style.FONT_NORMAL)
        _states_legend(top, set(states), extra, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


def _critical_lines(dataset: Any, index: int, xs: np.ndarray, x_factor: float, panels: tuple[Any, ...]) -> list[Any]:
    """The critical currents of layer ``index`` within the current axis ``xs`` (in its units, ``x_factor`` per
    A/m^2) as vertical lines on every panel; their legend entries."""
    from matplotlib.lines import Line2D

    entries = []
    for state, values in _critical(dataset, index, None).items():
        value = float(values[0]) * x_factor
        if math.isfinite(value) and xs.min() <= value <= xs.max():
            for panel in panels:
                panel.axvline(value, gid=f"critical:{index}:{state}", **CRITICAL_STYLE[state])
            entries.append(Line2D([], [], label=f"$J_c$ of {state}", **CRITICAL_STYLE[state]))
    return entries


def _final_shares(dataset: Any, fig: Any, axes: Any, layers: list[int], along: str, xs: np.ndarray, x_factor: float,
                  x_label: str) -> Any:
    """:func:`plot_final_states` of a run with realizations: on top the share of the N realizations ending in
    each state against the parameter (the switching probability), error bars the binomial standard error
    sqrt(p (1 - p) / N); below the precession frequency of every precessing realization."""
    count = dataset.sizes[REALIZATION]
    for column, index in enumerate(layers):
        top, bottom = axes[column], axes[len(layers) + column]
        ends = dataset["state"].sel(layer=index).transpose(along, REALIZATION).values.astype(object).astype(str)
        present = [state for state in STATE_COLOURS if np.any(ends == state)]
        for state in present:
            share = np.mean(ends == state, axis=-1)
            top.errorbar(xs, share, yerr=np.sqrt(share * (1 - share) / count), color=STATE_COLOURS[state], marker="o",
                         ms=4, lw=1.0, capsize=2, gid=f"share:{index}:{state}")
        top.set_ylabel(f"share of the {count} realizations")
        top.set_ylim(-0.05, 1.05)
        frequency = dataset["frequency"].sel(layer=index).transpose(along, REALIZATION).values.astype(float) * 1e-9
        finite = np.isfinite(frequency) & (ends == "precession")
        bottom.scatter(np.broadcast_to(xs[:, None], ends.shape)[finite], frequency[finite], s=14,
                       color=STATE_COLOURS["precession"], edgecolor=style.INK, lw=0.3, zorder=3,
                       gid=f"frequency:{index}")
        bottom.set_ylabel("frequency $f$ (GHz)")
        bottom.set_xlabel(x_label)
        if not np.any(finite):
            bottom.text(0.02, 0.95, "no realization oscillates", transform=bottom.transAxes, ha="left", va="top",
                        fontsize=style.FONT_NORMAL, color=style.INK, bbox=dict(facecolor="white", lw=0, pad=2))
            bottom.set_yticks([])
        extra = []
        if along == "current":
            extra += _critical_lines(dataset, index, xs, x_factor, (top, bottom))
        for panel in (top, bottom):
            panel.grid(True, color="#eeeeee", lw=0.5, zorder=0)
        top.set_title(f"end of the run, {_layer_name(dataset, index)} ({count} realizations each), "
                      f"{_run_text(dataset, index)}", fontsize=style.FONT_NORMAL)
        _states_legend(top, set(present), extra, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


# ------------------------------------------------------------------ by kind, to a file
_DRAW = {"magnetization": plot_magnetization, "orbit": plot_orbit, "resistance": plot_resistance,
         "final-states": plot_final_states, "state-diagram": plot_state_diagram}


def dynamics_figure(dataset: Any, kind: str, *, select: Mapping[str, Any] | None = None) -> Any:
    """The figure of ``kind`` (:data:`KINDS`) of a dynamics dataset, in a new figure; ``select`` picks the member
    of an ensemble that a trajectory kind draws."""
    if not is_dynamics(dataset):
        raise SpinstackError("not a dynamics run (no attribute spinstack_kind = 'dynamics')")
    if kind not in KINDS:
        raise SpinstackError(f"kind {kind!r}: a dynamics run draws {', '.join(KINDS)}")
    if kind in TRAJECTORY_KINDS:
        return _DRAW[kind](dataset, select=select)
    dataset, notes = _selected(dataset, select)
    figure = _DRAW[kind](dataset)
    if notes:
        figure.suptitle(", ".join(notes), fontsize=style.FONT_NORMAL)
    return figure


def write_dynamics_figure(dataset: Any, kind: str, path: str | os.PathLike, *,
                          select: Mapping[str, Any] | None = None) -> Path:
    """Draw :func:`dynamics_figure` into a file (PNG, SVG or PDF by extension), complete or not at all."""
    target = figure_target(path)
    return save_figure(dynamics_figure(dataset, kind, select=select), target)
