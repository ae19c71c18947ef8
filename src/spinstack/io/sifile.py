"""SI stack files (``units = "SI"``, STACK_FORMAT.md): quantities with units and the built-in library.

The layer and end tables are those of reduced files (:mod:`spinstack.io.stacktables`);
what changes is what the numbers mean and where materials may come from:

* ``current`` is the charge current density J (``"1e11 A/m^2"``), required.
* ``[materials.NAME]`` takes ``type``, ``rho`` (or ``conductivity``), ``beta`` (F only)
  and ``l_sf`` (``"inf"`` allowed); thicknesses are lengths (``"4 nm"``).
* ``[[interfaces]]`` takes ``node``, ``AR``, ``gamma``, ``G_mix`` = [Re, Im], ``delta``,
  and optionally ``pair = "Co/Cu"`` naming a library interface whose values the
  given keys override.
* A layer or lead whose ``material`` has no [materials.NAME] table takes the library's
  entry of that name; a [materials.NAME] table of a library name may give only some
  keys: the rest (and ``type``) come from the library.  A library entry may itself be
  partial (only sourced values): what neither it nor the file gives is an error on
  that key, ``materials.Py.rho: not in the built-in library (no sourced value): give
  it in [materials.Py]``.

Quantities with a dimension are strings with units; pint parses them
(:mod:`spinstack.units`).  A bare number for one of them is refused with the unit it
needs (``layers[0].thickness: a bare number has no unit: write it with one, e.g.
"3 nm"``), except 0 and infinities; the dimensionless beta, gamma, delta and theta_SH
are plain numbers.  Conversions to the model are MODEL.md 7's
(:mod:`spinstack.si`).  The library is read only when a name needs it, so a file
that defines all its materials works without it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .. import si
from ..errors import StackError
from ..library import Library, LibraryMaterial
from ..model import Ferromagnet, Interface, Stack
from ..model.dynamics import Dynamics, ExchangeCoupling, checked_seed
from ..model.materials import Material
from ..units import KINDS, to_si
from .libraryfile import LibraryError, load_library
from .stacktables import (interface_node, interface_tables, material_name, read_direction, read_end, read_layers,
                          read_materials, read_vector, unquoted_error)
from .tomlvalues import as_number, as_table, known_keys, listing, quoted_key, show, within

__all__ = ["si_stack"]

MATERIAL_KEYS = si.MATERIAL_KEYS
FIELD_KEYS = ("layer", "current_density")
INTERFACE_KEYS = ("node", "pair", "AR", "gamma", "G_mix", "delta")
_REDUCED_MATERIAL_KEYS = ("D", "p", "l", "D_up", "D_dn")
_REDUCED_INTERFACE_KEYS = ("g_up", "g_dn", "g_mix")
#: a ferromagnet's macrospin constants (MODEL.md 9), beside the transport keys of a [materials.NAME] table
DYNAMICS_MATERIAL_KEYS = ("Ms", "alpha", "K_u", "easy_axis", "gamma")
DYNAMICS_KEYS = ("field", "duration", "save_every", "temperature", "area", "seed", "waveform", "waveform_scale",
                 "coupling")
COUPLING_KEYS = ("layers", "J")


def si_stack(top: dict[str, Any], library: Any) -> Stack:
    """The :class:`~spinstack.Stack` (``units = "SI"``) of a parsed SI stack file's top table."""
    books = _Library(library)
    if "current" not in top:
        raise StackError("current", 'missing (the charge current density J, e.g. "1e11 A/m^2")')
    J = to_si(_with_unit(_single(top["current"], "current"), "current_density", "current"), "current_density", "current",
              magnitude=si.model_span(1.0 / si.ELEMENTARY_CHARGE))  # j0 = J/e: refused as written, not as j0
    materials = _Materials(read_materials(top.get("materials", {}), books.table_material), books)
    left = read_end(top.get("left"), "left", materials.lookup, _area_conductance, "G")
    layers = read_layers(top.get("layers", []), materials.lookup, _thickness)
    right = read_end(top.get("right"), "right", materials.lookup, _area_conductance, "G")
    # the material on each side of every node: the ends' (None for a reservoir, open or insulator end), the layers'
    names = [_material_name(left)] + [layer.material.name for layer in layers] + [_material_name(right)]
    interfaces = [_interface(table, path, books, names) for table, path in interface_tables(top.get("interfaces", []))]
    field = _field(top["field"], layers) if "field" in top else None
    dynamics = _dynamics(top["dynamics"]) if "dynamics" in top else None
    try:
        return Stack(layers, left=left, right=right, current=J / si.ELECTRON_CHARGE, interfaces=interfaces,
                     units="SI", field=field, dynamics=dynamics)
    except StackError as error:
        raise _in_si_terms(error) from None


def _thickness(value: Any, path: str) -> Any:
    return to_si(_with_unit(_single(value, path), "length", path), "length", path, sign="positive",
                 magnitude=si.model_span(1.0))


# the keys of a [materials.NAME] table that have a dimension (beta and theta_SH are plain numbers)
_DIMENSIONED = {"rho": "resistivity", "conductivity": "conductivity", "l_sf": "length", "l_J": "length",
                "l_phi": "length", "D_perp": "conductivity"}


def _with_unit(value: Any, kind: str, path: str) -> Any:
    """``value``, unless it is a bare number for a quantity with a dimension.

    A file's bare number used to be read in SI base units, which silently made ``thickness = 3`` (meant in
    nm) a 3 m layer; it is refused, with the unit it needs.  0 and infinities mean the same in every
    unit and pass (``field = [0, "2e4 V/m", 0]``).  In Python, :mod:`spinstack.si` still takes numbers in
    SI base units, as documented there."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return value
    shown = f"{number:g}" if float(f"{number:g}") == number else repr(number)
    kind_of = KINDS[kind]
    usual = kind_of.example.split(" ", 1)[1]
    base = f' or, in SI base units, "{shown} {kind_of.unit}"' if kind_of.unit != usual else ""
    raise StackError(path, f'a bare number has no unit: write it with one, e.g. "{shown} {usual}"{base} ({kind_of.what})')


def _material_name(end: Any) -> str | None:
    material = getattr(end, "material", None)
    return None if material is None else material.name


def _joins(pair: str, left: str | None, right: str | None) -> bool:
    """Whether the library pair "A/B" joins materials named like A and B, in either order (a name may extend
    the library's, "Py2" or "Py_free" for Py)."""
    first, _, second = pair.partition("/")

    def like(name: str | None, library_name: str) -> bool:
        return name is not None and name.lower().startswith(library_name.lower())

    return (like(left, first) and like(right, second)) or (like(left, second) and like(right, first))


def _single(value: Any, path: str) -> Any:
    """A file gives one value per key: a list (a batch, in Python) is refused here, where the key is known."""
    if isinstance(value, list):
        raise StackError(path, f"must be a single value (a number or a quantity string), got {show(value)}")
    return value


def _area_conductance(value: Any, path: str) -> Any:
    """An insulator end's G_mix component or G_s (Ohm^-1 m^-2) as the model's g = G / e^2.

    The signs the model requires (G_r >= 0, G_s >= 0) are checked here, so that an error names the
    file's key and value rather than the converted g."""
    sign = "finite" if path.endswith("G_mix[1]") else "nonnegative"
    return to_si(_with_unit(value, "area_conductance", path), "area_conductance", path, sign=sign,
                 magnitude=si.model_span(1.0 / si.ELECTRON_CHARGE**2)) / si.ELECTRON_CHARGE**2


def _field(value: Any, layers: list[Any]) -> np.ndarray:
    """The in-plane drive as eps = e E (MODEL.md 8a): an electric field [0, E_y, E_z] ("V/m"), or the
    current density in one layer, { layer = K, current_density = [0, J_y, J_z] } (E = J / sigma of that layer)."""
    if isinstance(value, dict):
        known_keys(value, FIELD_KEYS, "field")
        if "layer" not in value:
            raise StackError("field.layer", "missing (the index of the layer whose in-plane current density is given)")
        index = value["layer"]
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(layers):
            raise StackError("field.layer", f"must be a layer index from 0 to {len(layers) - 1}, got {show(index)}")
        if "current_density" not in value:
            raise StackError("field.current_density", 'missing (e.g. [0, "1e11 A/m^2", 0])')
        material = layers[index].material
        # eps = e E, E = J / sigma_SI, sigma_SI = e^2 sigma (MODEL.md 7)
        span = si.model_span(1.0 / (si.ELECTRON_CHARGE * material.conductivity))
        J = read_vector(value["current_density"], "field.current_density", 'e.g. [0, "1e11 A/m^2", 0]',
                        lambda v, p: to_si(_with_unit(v, "current_density", p), "current_density", p, magnitude=span))
        _in_plane(J, value["current_density"], "field.current_density")
        return np.asarray(J) / (si.ELECTRON_CHARGE * material.conductivity)
    E = read_vector(value, "field", 'an electric field [0, E_y, E_z], e.g. [0, "2e4 V/m", 0]; or '
                    '{ layer = K, current_density = [0, J_y, J_z] }',
                    lambda v, p: to_si(_with_unit(v, "electric_field", p), "electric_field", p,
                                       magnitude=si.model_span(si.ELEMENTARY_CHARGE)))  # eps = eE
    _in_plane(E, value, "field")
    return si.ELECTRON_CHARGE * np.asarray(E)


def _in_plane(vector: Any, given: Any, path: str) -> None:
    """The drive lies in the layers' plane: its x component (along the stack) must be 0, said in the file's terms."""
    if np.any(np.asarray(vector[0]) != 0):
        raise StackError(f"{path}[0]", f"must be 0: the in-plane drive is tangential to the layers (x is the stack "
                                       f"axis, the film normal; y and z lie in the film plane), got {show(given[0])}")


class _Library:
    """The library, loaded on first need; its failure is reported where a name needed it."""

    def __init__(self, library: Any) -> None:
        self._given = library
        self._loaded: Library | None = library if isinstance(library, Library) else None

    def get(self, path: str, need: str) -> Library:
        if self._loaded is None:
            try:
                self._loaded = load_library(self._given)
            except LibraryError as error:
                raise StackError(path, f"{need}, but the materials library cannot be read ({error})") from None
        return self._loaded

    def table_material(self, name: str, table: dict[str, Any], path: str) -> Material:
        """A [materials.NAME] table, completed from the library entry NAME when keys are missing; a
        ferromagnet's macrospin constants (Ms, alpha, K_u, easy_axis, gamma) added to it."""
        reduced = [key for key in table if key in _REDUCED_MATERIAL_KEYS]
        if reduced:
            raise StackError(f"{path}.{reduced[0]}", f"unknown key in an SI file (expected one of: "
                             f"{', '.join(MATERIAL_KEYS)}; {', '.join(_REDUCED_MATERIAL_KEYS)} are reduced-unit keys)")
        known_keys(table, MATERIAL_KEYS + DYNAMICS_MATERIAL_KEYS, path)
        constants = {key: _dynamics_constant(key, table[key], f"{path}.{key}") for key in DYNAMICS_MATERIAL_KEYS
                     if key in table}
        table = {key: value for key, value in table.items() if key not in DYNAMICS_MATERIAL_KEYS}
        material = self._transport_material(name, table, path)
        if not constants:
            return material
        if not isinstance(material, Ferromagnet):
            raise StackError(f"{path}.{next(iter(constants))}", "only a ferromagnet has macrospin constants "
                                                                f"(Ms, alpha, ...): {show(name)} is a normal metal")
        return dataclasses.replace(material, **constants)

    def _transport_material(self, name: str, table: dict[str, Any], path: str) -> Material:
        """The transport keys of a [materials.NAME] table as a material (the library completing them)."""
        for key, value in table.items():
            if key != "type":
                _single(value, f"{path}.{key}")
            if key in _DIMENSIONED:
                _with_unit(value, _DIMENSIONED[key], f"{path}.{key}")
        entry = None
        if _incomplete(table):
            library = self.get(f"{path}.{_first_missing(table)}", "missing here and to be taken from the library")
            entry = library.materials.get(name)
            if entry is None:
                key = _first_missing(table)
                raise StackError(f"{path}.{key}", f"missing ({_MISSING[key]}); {show(name)} is not a library "
                                 f"material that could supply it (library: {', '.join(library.materials) or 'none'})")
        return si.material_from_table(name, table, entry, give=_give(name))


def _dynamics_constant(key: str, value: Any, path: str) -> Any:
    """A ferromagnet's macrospin constant as written in an SI file (MODEL.md 9), in SI base units; the model
    checks the ranges (Ms > 0, alpha >= 0, gamma > 0) and normalises the axis."""
    if key == "easy_axis":
        return read_direction(value, path)
    _single(value, path)
    if key == "alpha":
        return as_number(value, path)
    if key == "gamma" and isinstance(value, str) and "hz" in value.lower():
        # pint reads Hz as 1/s, dropping the 2 pi between gamma (rad/(s T)) and gamma / 2 pi (Hz/T)
        raise StackError(path, f'write the gyromagnetic ratio in rad/(s*T) (e.g. "1.76e11 rad/(s*T)"), got '
                               f"{show(value)}: gamma / 2 pi in Hz/T differs from gamma by 2 pi")
    kind = {"Ms": "magnetization", "K_u": "energy_density", "gamma": "gyromagnetic_ratio"}[key]
    return to_si(_with_unit(value, kind, path), kind, path)


def _dynamics(value: Any) -> Dynamics:
    """The [dynamics] table (MODEL.md 9): applied field, duration, sampling, temperature, area, seed, a current
    waveform (and waveform_scale, a pure number) and [[dynamics.coupling]] tables, in SI base units."""
    table = as_table(value, "dynamics", "a [dynamics] table")
    known_keys(table, DYNAMICS_KEYS, "dynamics")
    settings: dict[str, Any] = {}
    if "field" in table:
        settings["field"] = read_vector(
            table["field"], "dynamics.field", 'the applied field mu0 H [B_x, B_y, B_z], e.g. ["0 mT", "0 mT", "5 mT"]',
            lambda v, p: to_si(_with_unit(v, "magnetic_field", p), "magnetic_field", p))
    for key, kind, sign in (("duration", "time", "positive"), ("save_every", "time", "positive"),
                            ("temperature", "temperature", "nonnegative"), ("area", "area", "positive")):
        if key in table:
            path = f"dynamics.{key}"
            settings[key] = to_si(_with_unit(_single(table[key], path), kind, path), kind, path, sign=sign)
    if "seed" in table:
        settings["seed"] = checked_seed(table["seed"], "dynamics.seed", show(table["seed"]))
    if "waveform" in table:
        settings["waveform"] = _waveform(table["waveform"])
    if "waveform_scale" in table:  # a pure number multiplying the waveform's currents (Dynamics checks the rest)
        settings["waveform_scale"] = as_number(_single(table["waveform_scale"], "dynamics.waveform_scale"),
                                               "dynamics.waveform_scale")
    if "coupling" in table:
        settings["couplings"] = _couplings(table["coupling"])
    return Dynamics(**settings)


def _waveform(value: Any) -> list[tuple[Any, Any]]:
    """``waveform = [["0 ns", "0 A/m^2"], ["1 ns", "-3e11 A/m^2"], ...]``: (t in s, J in A/m^2) pairs."""
    if not isinstance(value, list) or not value:
        raise StackError("dynamics.waveform", 'must be a list of [time, current density] pairs, e.g. '
                                              f'[["0 ns", "0 A/m^2"], ["1 ns", "-3e11 A/m^2"]], got {show(value)}')
    points = []
    for index, point in enumerate(value):
        path = f"dynamics.waveform[{index}]"
        if not isinstance(point, list) or len(point) != 2:
            raise StackError(path, f'must be a pair [time, current density], e.g. ["1 ns", "-3e11 A/m^2"], '
                                   f"got {show(point)}")
        t = to_si(_with_unit(_single(point[0], f"{path}[0]"), "time", f"{path}[0]"), "time", f"{path}[0]")
        J = to_si(_with_unit(_single(point[1], f"{path}[1]"), "current_density", f"{path}[1]"), "current_density",
                  f"{path}[1]")
        points.append((float(t), float(J)))
    return points


def _couplings(value: Any) -> list[ExchangeCoupling]:
    """The [[dynamics.coupling]] tables: ``layers = [a, b]`` (stack layer indices) and ``J`` (energy per area)."""
    if not isinstance(value, list):
        raise StackError("dynamics.coupling", f"must be an array of tables ([[dynamics.coupling]]), got {show(value)}")
    couplings = []
    for index, entry in enumerate(value):
        path = f"dynamics.coupling[{index}]"
        table = as_table(entry, path, "a [[dynamics.coupling]] table")
        known_keys(table, COUPLING_KEYS, path)
        if "layers" not in table:
            raise StackError(f"{path}.layers", "missing (the two F layers it couples, [a, b], counted from 0)")
        pair = table["layers"]
        if not isinstance(pair, list) or len(pair) != 2 or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in pair):
            raise StackError(f"{path}.layers", f"must be two layer indices [a, b] (counted from 0), got {show(pair)}")
        if "J" not in table:
            raise StackError(f"{path}.J", 'missing (exchange energy per area, > 0 ferromagnetic, e.g. "0.05 mJ/m^2")')
        J = to_si(_with_unit(_single(table["J"], f"{path}.J"), "energy_per_area", f"{path}.J"), "energy_per_area",
                  f"{path}.J")
        couplings.append(within(path, ExchangeCoupling, tuple(pair), J))
    return couplings


def _give(name: str) -> str:
    """Where a file gives what a partial library entry lacks."""
    return f"give it in [materials.{quoted_key(name)}]"


_MISSING = {
    "type": '"normal" or "ferromagnet"',
    "rho": 'resistivity, e.g. "60 nOhm*m"; or conductivity',
    "beta": "bulk spin asymmetry, strictly between -1 and 1",
    "l_sf": 'spin diffusion length, e.g. "60 nm"; "inf" for no spin flip',
}


def _first_missing(table: dict[str, Any]) -> str:
    if "type" not in table:
        return "type"
    if "rho" not in table and "conductivity" not in table:
        return "rho"
    if table.get("type") == "ferromagnet" and "beta" not in table:
        return "beta"
    return "l_sf"


def _incomplete(table: dict[str, Any]) -> bool:
    complete = "type" in table and ("rho" in table or "conductivity" in table) and "l_sf" in table
    return not complete or (table["type"] == "ferromagnet" and "beta" not in table)


class _Materials:
    """The file's materials, then the library's by name (one Material object per name)."""

    def __init__(self, defined: dict[str, Material], books: _Library) -> None:
        self.defined = dict(defined)
        self.in_file = list(defined)
        self.books = books

    def lookup(self, table: dict[str, Any], path: str, hint: str) -> Material:
        name = material_name(table, path, hint + ", or a library material")
        if name in self.defined:
            return self.defined[name]
        undefined = f"undefined material {show(name)}: no [materials.{quoted_key(name)}] table"
        library = self.books.get(f"{path}.material", undefined + " in the file")
        entry: LibraryMaterial | None = library.materials.get(name)
        if entry is None:
            defined = listing(self.in_file)
            available = ", ".join(library.materials) or "none"
            raise StackError(f"{path}.material",
                             f"{undefined} and not in the library (defined: {defined}; library: {available})")
        try:
            material = si.material_from_table(name, {}, entry, give=_give(name))
        except StackError as error:
            raise unquoted_error(error, name, f"materials.{quoted_key(name)}") from None
        self.defined[name] = material
        return material


def _interface(table: dict[str, Any], path: str, books: _Library, names: list[str | None]) -> Interface:
    """An SI [[interfaces]] table; ``names`` are the materials of the left end, the layers and the right end
    (None for an end without material), so that node k joins names[k] and names[k + 1]."""
    reduced = [key for key in table if key in _REDUCED_INTERFACE_KEYS]
    if reduced:
        raise StackError(f"{path}.{reduced[0]}", f"unknown key in an SI file (expected one of: "
                         f"{', '.join(INTERFACE_KEYS)}; {', '.join(_REDUCED_INTERFACE_KEYS)} are reduced-unit keys)")
    known_keys(table, INTERFACE_KEYS, path)
    node = interface_node(table, path)
    for key in ("AR", "gamma", "delta"):
        if key in table:
            _single(table[key], f"{path}.{key}")
    if "AR" in table:
        _with_unit(table["AR"], "area_resistance", f"{path}.AR")
    if isinstance(table.get("G_mix"), list):
        for index, component in enumerate(table["G_mix"]):
            _with_unit(component, "area_conductance", f"{path}.G_mix[{index}]")
    given = {key: table[key] for key in ("AR", "gamma", "G_mix", "delta") if key in table}
    if "pair" in table:
        pair = table["pair"]
        if not isinstance(pair, str):
            raise StackError(f"{path}.pair", f'must be the name of a library interface ("A/B"), got {show(pair)}')
        library = books.get(f"{path}.pair", f"names the library interface {show(pair)}")
        entry = library.find_interface(pair)
        if entry is None:
            raise StackError(f"{path}.pair", f"unknown library interface {show(pair)} "
                             f"(library pairs: {', '.join(library.interfaces) or 'none'})")
        if 0 <= node < len(names) - 1 and not _joins(pair, names[node], names[node + 1]):
            shown = " | ".join(str(name) for name in (names[node], names[node + 1]))
            raise StackError(f"{path}.pair", f"the library interface {show(pair)} does not join the materials at "
                             f"node {node} ({shown}): name them as in the pair, or give AR, gamma (G_mix, delta) here")
        given = {**{key: value.si for key, value in entry.values.items()}, **given}
    elif "AR" not in given:
        raise StackError(f"{path}.AR", 'missing (interface resistance-area AR*, e.g. "0.5 fOhm*m^2"; '
                                       'or pair = "A/B" from the library)')
    return within(path, si.interface, node, given.get("AR"), given.get("gamma"), given.get("G_mix"),
                  given.get("delta"))


def _in_si_terms(error: StackError) -> StackError:
    """The model speaks of g_mix and g_up/g_dn; an SI file of G_mix and gamma."""
    head, dot, key = error.path.rpartition(".")
    if not head.startswith("interfaces[") or not dot:
        return error
    if key == "g_mix":
        return StackError(f"{head}.G_mix", error.reason.replace("[g_r, g_i]", "G_mix = [Re, Im]"))
    if key in ("g_up", "g_dn") and "no spin asymmetry" in error.reason:
        return StackError(f"{head}.gamma", "a non-magnetic interface has no spin asymmetry: gamma must be 0")
    return error
