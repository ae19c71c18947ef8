"""A saved or fresh sweep (:func:`spinstack.sweep`) as a figure: a line for one swept dimension, a map for two.

Labels come from the dataset's own attributes (``long_name`` and ``units`` of
every variable and coordinate), so a file written by ``spinstack sweep``
draws the same as the dataset that wrote it.  Quantities that take both signs
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
from .figureset import figure_target, save_figure

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
        try:
            target = float(value)
        except (TypeError, ValueError):
            raise SpinstackError(f"select {key}: expected a number, got {value!r}") from None
        index = int(np.argmin(np.abs(values - target)))
        shown = f"{values[index]:.4g}"
        if dim == "layer" and "material" in array.coords and key == "layer":
            shown += f" ({array.coords['material'].values[index]})"
    else:
        matches = np.flatnonzero(np.array([str(v) for v in values]) == str(value))  # any string dtype
        if matches.size == 0:
            raise SpinstackError(f"select {key}: no {value!r} (have: {', '.join(map(str, values))})")
        index = int(matches[0])
        shown = str(values[index])
    return array.isel({dim: index}), f"{key} = {shown}"


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
    """Values to draw along ``dim``, its label, and whether it is an angle in degrees."""
    if dim in array.coords:
        coordinate = array.coords[dim]
        return np.asarray(coordinate.values, dtype=float), label(coordinate, dim), coordinate.attrs.get("units") == "degree"
    along = [name for name, c in array.coords.items() if c.dims == (dim,)]
    if not along:  # a dimension without coordinates: its index
        return np.arange(array.sizes[dim], dtype=float), f"{dim} (index)", False
    first = array.coords[along[0]]
    text = label(first, along[0])
    if len(along) > 1:
        text += " (zipped with " + ", ".join(along[1:]) + ")"
    return np.asarray(first.values, dtype=float), text, first.attrs.get("units") == "degree"


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
        :func:`spinstack.sweep.open_sweep`.
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
        them all selected.

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
        if parts:
            raise SpinstackError(f"a map of {name} needs one value of {', '.join(parts)}: select it "
                                 f"(e.g. --sel {parts[0]}=...)")
        ax = style.new_axes(ax, figsize=(6.4, 4.6))
        _map(ax, array, swept[0], swept[1], name)
    else:
        dims = ", ".join(swept) or "none"
        raise SpinstackError(f"{name} varies along {len(swept)} swept dimensions ({dims}): plots draw one (a line) "
                             "or two (a map); select values of the others (--sel DIM=VALUE)")
    if notes:
        ax.set_title(", ".join(notes), fontsize=style.FONT_NORMAL)
    return ax


def _line(ax: Any, array: Any, dim: str, parts: list[str], name: str) -> None:
    x, x_label, degrees = _axis_values(array, dim)
    data = array.transpose(dim, *parts)
    values = np.asarray(data.values, dtype=float).reshape(x.size, -1)
    combos = list(np.ndindex(*[array.sizes[p] for p in parts])) or [()]
    drawn = [(i, c) for i, c in enumerate(combos) if not np.all(values[:, i] == 0.0)] or list(enumerate(combos))[:1]
    if len(drawn) > _MAX_LINES:
        raise SpinstackError(f"{name} would need {len(drawn)} lines (one per {', '.join(parts)}): select some "
                             f"(e.g. --sel {parts[0]}=...)")
    if np.nanmin(values) < 0 < np.nanmax(values):
        ax.axhline(0.0, color=style.GUIDE, lw=0.8, zorder=1)
    for count, (column, combo) in enumerate(drawn):
        text = ", ".join(_part_name(array, p, i) for p, i in zip(parts, combo)) or None
        ax.plot(x, values[:, column], color=_LINE_COLOURS[count % len(_LINE_COLOURS)], lw=1.6, label=text, zorder=3)
    ax.set_xlabel(x_label)
    ax.set_ylabel(label(array, name))
    ax.set_xlim(float(np.nanmin(x)), float(np.nanmax(x)))
    if degrees:
        _angle_ticks(ax, x, "x")
    if parts:
        ax.legend(fontsize=style.FONT_SMALL, framealpha=0.9, title=" and ".join(parts), title_fontsize=style.FONT_SMALL)
    ax.grid(True, color="#e6e6e6", lw=0.6, zorder=0)


def _part_name(array: Any, dim: str, index: int) -> str:
    if dim == "component":
        return str(array.coords["component"].values[index]) if "component" in array.coords else "xyz"[index]
    if dim == "layer" and "material" in array.coords:
        return f"layer {index} ({array.coords['material'].values[index]})"
    return f"{dim} {index}"


def _map(ax: Any, array: Any, x_dim: str, y_dim: str, name: str) -> None:
    from matplotlib.colors import TwoSlopeNorm

    x, x_label, x_degrees = _axis_values(array, x_dim)
    y, y_label, y_degrees = _axis_values(array, y_dim)
    values = np.asarray(array.transpose(y_dim, x_dim).values, dtype=float)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    signed = low < 0 < high
    if signed:
        norm, cmap = TwoSlopeNorm(vcenter=0.0, vmin=low, vmax=high), "RdBu_r"
    else:
        norm, cmap = None, "viridis"
    mesh = ax.pcolormesh(x, y, values, shading="nearest", cmap=cmap, norm=norm, rasterized=True)
    bar = ax.figure.colorbar(mesh, ax=ax)
    bar.set_label(label(array, name))
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
