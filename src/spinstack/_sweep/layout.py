"""The labelled skeleton of a sweep's result: coordinates, variable dimensions and attributes (no data).

Dimensions: one per axis (named by its path, or by its zipped paths joined with
``","``), then ``layer`` (0..L-1, with the ``material`` of each layer as a
coordinate), ``node`` (0..L) and ``component`` (``"x"``, ``"y"``, ``"z"``)
where a variable needs them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Ferromagnet, Insulator, Interface, Lead, Open, Stack
from ..model.materials import Material
from ..units import ELEMENTARY_CHARGE, KINDS, QUANTITIES
from .plan import THETA, Plan
from .variables import CATALOGUE, axis_long_name, axis_units, extra_shape


@dataclass(frozen=True)
class VariableLayout:
    """Where a variable lives in the file: its full dimensions, shape, block (chunk) shape and attributes."""

    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    attrs: dict[str, str]


def variable_layouts(stack: Stack, plan: Plan, variables: tuple[str, ...]) -> list[VariableLayout]:
    out = []
    for name in variables:
        spec = CATALOGUE[name]
        extra = extra_shape(name, stack)
        out.append(VariableLayout(name, plan.dims + spec.dims, plan.shape + extra, plan.block_shape + extra,
                                  {"long_name": spec.long_name, "units": spec.units(stack.units),
                                   "description": spec.description}))
    return out


def coordinates(stack: Stack, plan: Plan, variables: tuple[str, ...]) -> dict[str, tuple[str, np.ndarray, dict[str, str]]]:
    """Every coordinate as ``name -> (dim, values, attrs)``."""
    coords: dict[str, tuple[str, np.ndarray, dict[str, str]]] = {}
    for axis in plan.axes:
        for path, values in zip(axis.paths, axis.values):
            attrs = {"long_name": axis_long_name(path, stack), "units": axis_units(path, stack.units),
                     "path": path}
            if path == THETA:
                attrs["description"] = ("angle between m1 and m2 (the first and second F layers); m2 turned from m1 "
                                        "in their common plane (spinstack.analysis.with_angle)")
            coords[path] = (axis.dim, values, attrs)
    used = {d for name in variables for d in CATALOGUE[name].dims}
    layers = len(stack.layers)
    if "layer" in used:
        coords["layer"] = ("layer", np.arange(layers), {"long_name": "layer index", "units": "1"})
        coords["material"] = ("layer", np.array([layer.material.name for layer in stack.layers], dtype=object),
                              {"long_name": "material of the layer"})
    if "node" in used:
        coords["node"] = ("node", np.arange(layers + 1),
                          {"long_name": "node index (node k is the left face of layer k; node L the right end)",
                           "units": "1"})
    if "component" in used:
        coords["component"] = ("component", np.array(["x", "y", "z"], dtype=object),
                               {"long_name": "vector component (x along the stack axis)"})
    return coords


def attributes(stack: Stack, plan: Plan, source: str | None) -> dict[str, Any]:
    """Dataset attributes: provenance, units system, what was swept, the stack itself."""
    from importlib.metadata import version  # not the spinstack facade: _sweep sits inside it

    attrs: dict[str, Any] = {
        "title": "spinstack sweep",
        "spinstack_version": version("spinstack"),
        "units_system": stack.units,
        "sweep": json.dumps({axis.dim: list(axis.paths) for axis in plan.axes}),
        "configurations": int(plan.size),
        "stack": json.dumps(describe(stack)),
        "conventions": "vectors are [x, y, z], x along the stack; magnetization convention "
                       "(majority spin along m); docs/MODEL.md",
    }
    if source is not None:
        attrs["source"] = str(source)
        try:
            attrs["source_text"] = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    return attrs


# ----------------------------------------------------------------- the stack as JSON
def _number(value: Any) -> Any:
    array = np.asarray(value, dtype=float)
    if array.ndim:
        return [_number(v) for v in array]
    number = float(array) + 0.0  # + 0.0: -0.0 (a zero current of an SI stack, J/e with e < 0) is stored as 0
    return number if math.isfinite(number) else str(number)  # "inf": JSON has no infinities


def _quantity(value: Any, unit: str) -> Any:
    """An SI value as a stack file's quantity string, ``"5e-09 m"``; ``"inf"`` for an infinity, never -0.

    15 significant digits: the file's own numbers come back as written (5e-9, not the 5.000000000000001e-9
    that the way through the reduced model can leave), within 1e-15 of the value held."""
    number = _number(value)
    if isinstance(number, list):
        return [_quantity(v, unit) for v in number]
    if isinstance(number, str):
        return number
    number = float(f"{number:.15g}") + 0.0
    if number == 0.0 or 1e-3 <= abs(number) < 1e5:
        return f"{number:.15g} {unit}"
    return f"{np.format_float_scientific(number, unique=True, trim='-', exp_digits=1)} {unit}"  # "1e+11", "5e-9"


def describe(stack: Stack) -> dict[str, Any]:
    """The stack as plain JSON types, laid out like a stack file: ``stack_from_dict`` reads it back.

    A reduced stack: the numbers the model holds, under the reduced file's keys.  An SI stack: the SI
    file's keys and quantities with their units, as the stack's file gives them (``current`` the charge
    current density J in A/m^2, ``rho`` in ohm*m, lengths in m, ``AR`` and ``gamma`` of interfaces), not the
    solver's internal numbers: the inverse of MODEL.md 7's conversions (:mod:`spinstack.si`), rho = 1/(e^2 D)
    in N, rho_F = (1 - p^2)/(e^2 D) in F (beta = p), J = e j0, E = eps/e, AR* = (1/g_up + 1/g_dn)/(4 e^2)
    and gamma, G_mix = e^2 g_mix.  Magnetizations are unit vectors; infinities are ``"inf"``.
    """
    si = stack.units == "SI"
    # the SI file's quantity of a model number: its registry quantity's report value with the unit of its kind
    written = _si_quantity if si else (lambda value, name: _number(value))
    mixing, sink = ("G_mix", "G_s") if si else ("g_mix", "g_s")

    def end(side: Any) -> dict[str, Any]:
        if isinstance(side, Open):
            return {"kind": "open"}
        if isinstance(side, Insulator):
            return {"kind": "insulator", "magnetization": _number(side.magnetization),
                    mixing: written(side.g_mix, "interface_conductance"),
                    sink: written(side.g_s, "interface_conductance")}
        if not isinstance(side, Lead):
            return {"kind": "reservoir"}
        out: dict[str, Any] = {"kind": "lead", "material": side.material.name}
        if side.magnetization is not None:
            out["magnetization"] = _number(side.magnetization)
        return out

    layers = []
    for layer in stack.layers:
        entry: dict[str, Any] = {"material": layer.material.name, "thickness": written(layer.thickness, "length")}
        if layer.magnetization is not None:
            entry["magnetization"] = _number(layer.magnetization)
        layers.append(entry)
    material = _si_material if si else _reduced_material
    interface = _si_interface if si else _reduced_interface
    described: dict[str, Any] = {
        "units": stack.units, "current": written(stack.current, "current"),
        "materials": {name: material(value) for name, value in stack.materials.items()},
        "left": end(stack.left), "right": end(stack.right), "layers": layers}
    interfaces = [interface(item) for item in stack.interfaces]
    if interfaces:
        described["interfaces"] = interfaces
    if stack.field is not None:
        described["field"] = written(stack.field, "field")
    return described


def _si_quantity(value: Any, name: str) -> Any:
    """A model number of an SI stack as its file's quantity string: the registry quantity ``name``'s report
    value (:data:`spinstack.units.QUANTITIES`) in the SI unit of its kind (``"5e-09 m"``, ``"1e+11 A/m^2"``)."""
    entry = QUANTITIES[name]
    return _quantity(np.asarray(value, dtype=float) * entry.to_unit, KINDS[entry.dimension].unit)


def _reduced_material(material: Material) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": material.kind, "D": _number(material.D)}
    if isinstance(material, Ferromagnet):
        entry["p"] = _number(material.p)
    entry["l"] = _number(material.l)
    for key in ("theta_SH", "l_J", "l_phi", "D_perp"):
        value = getattr(material, key, None)
        if value is not None and (key != "theta_SH" or np.any(value)):
            entry[key] = _number(value)
    return entry


def _si_material(material: Material) -> dict[str, Any]:
    """rho (from D and p), beta, l_sf and the optional keys of an SI material table."""
    e2 = ELEMENTARY_CHARGE**2
    D = np.asarray(material.D, dtype=float)
    entry: dict[str, Any] = {"type": material.kind}
    if isinstance(material, Ferromagnet):
        p = np.asarray(material.p, dtype=float)
        entry["rho"] = _quantity((1.0 - p**2) / (e2 * D), KINDS["resistivity"].unit)  # rho_F = (1 - beta^2) rho*
        entry["beta"] = _number(p)
    else:
        entry["rho"] = _quantity(1.0 / (e2 * D), KINDS["resistivity"].unit)
    entry["l_sf"] = _si_quantity(material.l, "length")
    theta_SH = getattr(material, "theta_SH", None)
    if theta_SH is not None and np.any(theta_SH):
        entry["theta_SH"] = _number(theta_SH)
    for key in ("l_J", "l_phi"):
        if getattr(material, key, None) is not None:
            entry[key] = _si_quantity(getattr(material, key), "length")
    if getattr(material, "D_perp", None) is not None:
        entry["D_perp"] = _si_quantity(material.D_perp, "conductivity")
    return entry


def _reduced_interface(interface: Interface) -> dict[str, Any]:
    item: dict[str, Any] = {"node": interface.node, "g_up": _number(interface.g_up), "g_dn": _number(interface.g_dn),
                            "delta": _number(interface.delta)}
    if interface.g_mix is not None:
        item["g_mix"] = _number(interface.g_mix)
    return item


def _si_interface(interface: Interface) -> dict[str, Any]:
    """AR* = (1/g_up + 1/g_dn)/(4 e^2) and gamma (g_up = 1/(2 AR* (1 - gamma)) / e^2, ...), G_mix = e^2 g_mix."""
    with np.errstate(divide="ignore"):  # g = inf: the transparent limit, AR* = 0
        resistance = (1.0 / np.asarray(interface.g_up, dtype=float)
                      + 1.0 / np.asarray(interface.g_dn, dtype=float)) / (4.0 * ELEMENTARY_CHARGE**2)
    item: dict[str, Any] = {"node": interface.node, "AR": _quantity(resistance, KINDS["area_resistance"].unit),
                            "gamma": _number(interface.gamma), "delta": _number(interface.delta)}
    if interface.g_mix is not None:
        item["G_mix"] = _si_quantity(interface.g_mix, "interface_conductance")
    return item


def skeleton(stack: Stack, plan: Plan, variables: tuple[str, ...], source: str | None) -> Any:
    """An :class:`xarray.Dataset` with the coordinates and attributes of the result, no variables yet."""
    import xarray as xr

    coords = {name: xr.Variable(dim, values, attrs) for name, (dim, values, attrs) in
              coordinates(stack, plan, variables).items()}
    return xr.Dataset(coords=coords, attrs=attributes(stack, plan, source))
