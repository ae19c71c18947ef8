"""A saved or fresh sweep (:func:`spinstack.sweep`) as a figure: a line for one swept dimension, a map for two.

Labels come from the dataset's own attributes (``long_name`` and ``units`` of
every variable and coordinate), so a file written by ``spinstack sweep``
draws the same as the dataset that wrote it.  An SI sweep stores SI base units
(``"m"``, ``"J m-2"``, ...); figures show them as the stack's other figures do
(:func:`spinstack.plot.units.stored_scale`): lengths in nm, torques and current
densities with a power 10^(3k), energies in eV..neV, resistance-area in fOhm m^2.
Quantities that take both signs
(the efficiencies, torque components) are drawn on a diverging colour scale
centred on zero, with the zero contour: where g1 or g2 changes sign is the
seed paper's point (eq. 15).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError
from . import style
from .saving import figure_target, save_figure
from .units import stored_scale

#: dimensions that label the parts of a configuration's value, not the sweep
PART_DIMS = ("layer", "node", "component")
#: more lines than this in one line plot ask for a selection instead
_MAX_LINES = 12
_LINE_COLOURS = (style.BLUE, style.VERMILLION, style.GREEN, style.ORANGE, style.PURPLE, style.SKY, style.INK)


def default_variable(dataset: Any) -> str:
    """``g2`` when the sweep has it, else ``tau_DL`` (an in-plane drive), else ``resistance_area``, else its
    first variable."""
    for name in ("g2", "tau_DL", "resistance_area"):
        if name in dataset.data_vars:
            return name
    if not dataset.data_vars:
        raise SpinstackError("the dataset has no variables to plot")
    return str(next(iter(dataset.data_vars)))


def label(item: Any, name: str | None = None) -> str:
    """``long_name (units)`` of a variable or coordinate; no units for pure numbers."""
    attrs = getattr(item, "attrs", {})
    text = str(attrs.get("long_name", name if name is not None else getattr(item, "name", "")))
    units = str(attrs.get("units", ""))
    if units in ("", "1"):
        return text
    if units == "degree":
        return f"{text} (deg)"
    return f"{text} ({units} units)" if units == "reduced" else f"{text} ({units})"


def _shown(item: Any, name: str, values: Any) -> tuple[np.ndarray, str]:
    """``values`` (stored numbers of the variable or coordinate ``item``) as drawn, and their label.

    SI units are shown readable (:func:`~spinstack.plot.units.stored_scale`, with the largest of
    ``values``); anything else as stored, labelled by :func:`label`.
    """
    values = np.asarray(values, dtype=float)
    attrs = getattr(item, "attrs", {})
    units = str(attrs.get("units", ""))
    scale = stored_scale(units, values)
    if scale is None:
        return values, label(item, name)
    text = str(attrs.get("long_name", name))
    if units == "J-1 s-1 m-1":  # an SI stack's model D, shown as the conductivity e^2 D (S/m)
        text = rf"$e^2\times$ {text}"
    return scale(values), scale.label(text)


def _pick(array: Any, dataset: Any, key: str, value: Any) -> tuple[Any, str]:
    """Select one index along the dimension of ``key`` (a dimension or a 1D coordinate), nearest for numbers."""
    if key in array.dims and key not in array.coords:
        try:
            return array.isel({key: int(value)}), f"{key} = {int(value)}"
        except (TypeError, ValueError):
            raise SpinstackError(f"select {key}: this dimension has no coordinate, give an index") from None
    coordinate = array.coords.get(key, dataset.coords.get(key) if dataset is not None else None)
    if coordinate is None or coordinate.ndim != 1:
        raise SpinstackError(f"select {key}: no such dimension or coordinate (have: {', '.join(map(str, array.dims))})")
    dim = coordinate.dims[0]
    if dim not in array.dims:
        raise SpinstackError(f"select {key}: {array.name} does not vary along {dim!r}")
    values = np.asarray(coordinate.values)
    if values.dtype.kind in "fiu":
        target = _number(value, key, str(coordinate.attrs.get("units", "")))
        index = int(np.argmin(np.abs(values - target)))
        scale = stored_scale(str(coordinate.attrs.get("units", "")), values)
        shown = f"{values[index]:.4g}" if scale is None else f"{scale(float(values[index])):.4g} {scale.unit}"
        if dim == "layer" and "material" in array.coords and key == "layer":
            shown += f" ({array.coords['material'].values[index]})"
    else:
        matches = np.flatnonzero(np.array([str(v) for v in values]) == str(value))  # any string dtype
        if matches.size == 0:
            raise SpinstackError(f"select {key}: no {value!r} (have: {', '.join(map(str, values))})")
        index = int(matches[0])
        shown = str(values[index])
    return array.isel({dim: index}), f"{key} = {shown}"


#: stored UDUNITS units of SI coordinates -> the spinstack.units kind that reads "5 nm", "1e11 A/m^2" for them
_QUANTITY_KINDS = {"m": "length", "A m-2": "current_density"}


def _number(value: Any, key: str, units: str) -> float:
    """A selected value as a stored number: a number as stored, or for an SI coordinate a quantity with its
    unit ("5 nm" for a thickness stored in m)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    if isinstance(value, str) and units in _QUANTITY_KINDS:
        from ..units import to_si  # pint: SI sweeps only

        return float(to_si(value, _QUANTITY_KINDS[units], f"select {key}"))
    unit = ' or a quantity such as "5 nm"' if units in _QUANTITY_KINDS else ""
    raise SpinstackError(f"select {key}: expected a number{unit}, got {value!r}")


def _selected(dataset: Any, variable: Any, select: Mapping[str, Any] | None) -> tuple[Any, list[str]]:
    if variable is None:
        variable = default_variable(dataset)
    if isinstance(variable, str):
        if variable not in dataset.data_vars:
            raise SpinstackError(f"no variable {variable!r} in the sweep (have: {', '.join(map(str, dataset.data_vars))})")
        array = dataset[variable]
    else:
        array = variable
    notes: list[str] = []
    for key, value in (select or {}).items():
        array, note = _pick(array, dataset, key, value)
        notes.append(note)
    return array, notes


def _axis_values(array: Any, dim: str) -> tuple[np.ndarray, str, bool]:
    """Values to draw along ``dim`` (in the units shown), its label, and whether it is an angle in degrees."""
    if dim in array.coords:
        coordinate = array.coords[dim]
        values, text = _shown(coordinate, dim, coordinate.values)
        return values, text, coordinate.attrs.get("units") == "degree"
    along = [name for name, c in array.coords.items() if c.dims == (dim,)]
    if not along:  # a dimension without coordinates: its index
        return np.arange(array.sizes[dim], dtype=float), f"{dim} (index)", False
    first = array.coords[along[0]]
    values, text = _shown(first, along[0], first.values)
    if len(along) > 1:
        text += " (zipped with " + ", ".join(along[1:]) + ")"
    return values, text, first.attrs.get("units") == "degree"


def _angle_ticks(ax: Any, values: np.ndarray, axis: str) -> None:
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    if high - low >= 60:
        ticks = np.arange(np.ceil(low / 30) * 30, high + 1e-9, 30)
        (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks)


def plot_sweep(dataset: Any, variable: Any = None, ax: Any = None, select: Mapping[str, Any] | None = None) -> Any:
    """Draw one variable of a sweep: a line against its one swept dimension, or a map over two.

    Parameters
    ----------
    dataset
        An :class:`xarray.Dataset` from :func:`spinstack.sweep` or
        :func:`spinstack.sweeps.open_sweep`.
    variable
        A variable name (default: :func:`default_variable`) or a
        DataArray already cut down (``ds.torque.sel(layer=2, component="x")``).
    ax
        Axes to draw into; a new figure when omitted.
    select
        ``{dimension or coordinate: value}`` picking one index each (nearest for
        numbers): ``{"layer": 2, "component": "x"}``, ``{"theta": 60}``,
        ``{"material": "F2"}``.  A line plot draws one line per remaining
        ``layer``/``node``/``component`` (all-zero lines left out); a map needs
        one value of each: a dimension of length 1, or one along which only one
        value is not zero everywhere (tau_DL of the one F layer beside N layers),
        is taken without asking and named in the title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    array, notes = _selected(dataset, variable, select)
    swept = [d for d in array.dims if d not in PART_DIMS]
    parts = [d for d in array.dims if d in PART_DIMS]
    name = str(array.name) if array.name is not None else "value"
    if len(swept) == 1:
        ax = style.new_axes(ax, figsize=(6.4, 4.0))
        _line(ax, array, swept[0], parts, name)
    elif len(swept) == 2:
        array, parts, taken = _settled(array, parts)
        notes.extend(taken)
        if parts:
            choices, example = _choices(array, parts)
            raise SpinstackError(f"a map of {name} needs one value of {' and '.join(parts)} ({choices}): select it "
                                 f"(e.g. --sel {parts[0]}={example})")
        ax = style.new_axes(ax, figsize=(6.4, 4.6))
        _map(ax, array, swept[0], swept[1], name)
    else:
        dims = ", ".join(swept) or "none"
        raise SpinstackError(f"{name} varies along {len(swept)} swept dimensions ({dims}): plots draw one (a line) "
                             "or two (a map); select values of the others (--sel DIM=VALUE)")
    if notes:
        ax.set_title(", ".join(notes), fontsize=style.FONT_NORMAL)
    return ax


def _nonzero(array: Any, parts: list[str]) -> list[tuple[int, ...]]:
    """The combinations of ``parts`` indices whose values are not all zero (NaN counts as no value)."""
    combos = list(np.ndindex(*[array.sizes[p] for p in parts]))
    if not parts:
        return combos
    values = np.asarray(array.transpose(..., *parts).values, dtype=float).reshape(-1, len(combos))
    empty = np.all((values == 0.0) | np.isnan(values), axis=0)
    return [combo for combo, nothing in zip(combos, empty) if not nothing]


def _settled(array: Any, parts: list[str]) -> tuple[Any, list[str], list[str]]:
    """Take, for a map, the one value of each part dimension that has only one: a dimension of length 1, or
    one along which only one index holds values that are not all zero (an N layer's tau_DL is 0).

    Returns the array, the part dimensions still to select, and a title note for each one taken.
    """
    notes = []
    nonzero = _nonzero(array, parts)
    for position, dim in enumerate(parts):
        if array.sizes[dim] == 1:
            index, why = 0, ""
        else:
            used = {combo[position] for combo in nonzero}
            if len(used) != 1:
                continue
            index, why = used.pop(), " (the only one not zero)"
        notes.append(f"{dim} = {_part_name(array, dim, index, bare=True)}{why}")
        array = array.isel({dim: index})
    return array, [d for d in parts if d in array.dims], notes


def _choices(array: Any, parts: list[str]) -> tuple[str, str]:
    """The values of ``parts`` that hold something, as text ("not zero for 0 (F1), 2 (F2)"), and an example
    value of the first part for ``--sel``."""
    nonzero = _nonzero(array, parts) or list(np.ndindex(*[array.sizes[p] for p in parts]))
    example = _part_name(array, parts[0], nonzero[0][0], bare=True).split(" ")[0]
    if len(parts) == 1:  # "x, z"
        shown = [_part_name(array, parts[0], combo[0], bare=True) for combo in nonzero[:_MAX_LINES]]
    else:  # "layer 0 (F1) component x; layer 2 (F2) component z"
        shown = [" ".join(f"{p} {_part_name(array, p, i, bare=True)}" for p, i in zip(parts, combo))
                 for combo in nonzero[:_MAX_LINES]]
    more = ", ..." if len(nonzero) > _MAX_LINES else ""
    separator = ", " if len(parts) == 1 else "; "
    return ("not zero for " if _nonzero(array, parts) else "all zero: ") + separator.join(shown) + more, example


def _line(ax: Any, array: Any, dim: str, parts: list[str], name: str) -> None:
    x, x_label, degrees = _axis_values(array, dim)
    data = array.transpose(dim, *parts)
    stored = np.asarray(data.values, dtype=float).reshape(x.size, -1)
    combos = list(np.ndindex(*[array.sizes[p] for p in parts])) or [()]
    drawn = [(i, c) for i, c in enumerate(combos) if not np.all(stored[:, i] == 0.0)] or list(enumerate(combos))[:1]
    if len(drawn) > _MAX_LINES:
        raise SpinstackError(f"{name} would need {len(drawn)} lines (one per {', '.join(parts)}): select some "
                             f"(e.g. --sel {parts[0]}=...)")
    # the unit is chosen from the lines drawn (a zero line left out does not matter)
    values, y_label = _shown(array, name, stored[:, [column for column, _ in drawn]])
    if np.nanmin(values) < 0 < np.nanmax(values):
        ax.axhline(0.0, color=style.GUIDE, lw=0.8, zorder=1)
    for count, (_, combo) in enumerate(drawn):
        text = ", ".join(_part_name(array, p, i) for p, i in zip(parts, combo)) or None
        ax.plot(x, values[:, count], color=_LINE_COLOURS[count % len(_LINE_COLOURS)], lw=1.6, label=text, zorder=3)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_xlim(float(np.nanmin(x)), float(np.nanmax(x)))
    if degrees:
        _angle_ticks(ax, x, "x")
    if parts:
        ax.legend(fontsize=style.FONT_SMALL, framealpha=0.9, title=" and ".join(parts), title_fontsize=style.FONT_SMALL)
    ax.grid(True, color="#e6e6e6", lw=0.6, zorder=0)


def _part_name(array: Any, dim: str, index: int, bare: bool = False) -> str:
    """``"layer 2 (F2)"``, ``"x"``, ``"node 1"``; ``bare``: without the dimension's name (``"2 (F2)"``)."""
    if dim == "component":
        return str(array.coords["component"].values[index]) if "component" in array.coords else "xyz"[index]
    head = "" if bare else f"{dim} "
    number = array.coords[dim].values[index] if dim in array.coords else index  # a subset keeps its labels
    if dim == "layer" and "material" in array.coords:
        return f"{head}{number} ({array.coords['material'].values[index]})"
    return f"{head}{number}"


def _map(ax: Any, array: Any, x_dim: str, y_dim: str, name: str) -> None:
    from matplotlib.colors import TwoSlopeNorm

    x, x_label, x_degrees = _axis_values(array, x_dim)
    y, y_label, y_degrees = _axis_values(array, y_dim)
    values, bar_label = _shown(array, name, array.transpose(y_dim, x_dim).values)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    signed = low < 0 < high
    if signed:
        norm, cmap = TwoSlopeNorm(vcenter=0.0, vmin=low, vmax=high), "RdBu_r"
    else:
        norm, cmap = None, "viridis"
    mesh = ax.pcolormesh(x, y, values, shading="nearest", cmap=cmap, norm=norm, rasterized=True)
    bar = ax.figure.colorbar(mesh, ax=ax)
    bar.set_label(bar_label)
    if signed:
        from matplotlib.ticker import MaxNLocator

        # the two halves of the scale have their own ticks (TwoSlopeNorm stretches them differently)
        below = MaxNLocator(3).tick_values(low, 0.0)
        above = MaxNLocator(5).tick_values(0.0, high)
        ticks = np.unique(np.concatenate([below[below >= low], above[above <= high]]))
        bar.set_ticks(ticks)
        bar.ax.axhline(0.0, color=style.INK, lw=1.2)
        if values.shape[0] > 1 and values.shape[1] > 1:
            ax.contour(x, y, _contour_field(values), levels=[0.0], colors=[style.INK], linewidths=1.2)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if x_degrees:
        _angle_ticks(ax, x, "x")
    if y_degrees:
        _angle_ticks(ax, y, "y")


def _contour_field(values: np.ndarray) -> np.ma.MaskedArray:
    """The map's values as the zero contour should see them: NaN (undefined) left out, and an all-zero
    first or last row or column (the torque at theta = 0 or 180 degrees).

    A row of exact zeros inside the map is kept: with opposite signs on its two sides it is a real
    sign change (the torque's x component at theta = 90 degrees).  On the map's edge it has one side
    only, so it cannot be one; contouring it would trace the frame wherever that side happens to lie
    above zero.
    """
    masked = np.ma.masked_invalid(values)
    zero = values == 0.0
    for edge in (0, -1):
        if zero[edge, :].all():
            masked[edge, :] = np.ma.masked
        if zero[:, edge].all():
            masked[:, edge] = np.ma.masked
    return masked


def write_sweep_figure(dataset: Any, path: str | os.PathLike, variable: Any = None,
                       select: Mapping[str, Any] | None = None) -> Path:
    """Draw :func:`plot_sweep` into a file (PNG, SVG or PDF by extension), complete or not at all."""
    target = figure_target(path)
    ax = plot_sweep(dataset, variable, select=select)
    return save_figure(ax.figure, target)
