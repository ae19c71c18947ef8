"""The built-in, cited library of materials and interfaces (``spinstack/data/materials.toml``).

Every number in the library carries the temperature it was measured at and
its source; the loader refuses an entry without them.  SI stack files and
:mod:`spinstack.si` use it by name (``material = "Co"``, ``pair = "Co/Cu"``);
``spinstack materials`` lists it.

The file's schema (TOML; quantities as in SI stack files, :mod:`spinstack.units`)::

    [materials.Co]
    type = "ferromagnet"                 # or "normal"
    description = "sputtered polycrystalline Co"   # optional
    [materials.Co.rho]                   # or [materials.Co.conductivity]
    value = "60 nOhm*m"                  # (the numbers here only show the syntax)
    temperature = "4.2 K"
    source = "what was read, where: authors, journal, volume, page (year), and the figure as printed"
    [materials.Co.beta]                  # ferromagnets only
    value = 0.46
    temperature = "4.2 K"
    source = "..."
    [materials.Co.l_sf]                  # "inf" allowed; rho, beta, l_sf: each only if sourced
    value = "60 nm"
    temperature = "4.2 K"
    source = "..."

    [materials.Pt.theta_SH]              # normal metals only, optional: the spin Hall angle
    value = 0.07                         # a plain number; sign of MODEL.md 8b: Pt > 0, Ta and W < 0
    temperature = "295 K"
    source = "..."

    [interfaces."Co/Cu".AR]              # AR required; gamma, G_mix, delta optional
    value = "0.51 fOhm*m^2"
    temperature = "4.2 K"
    source = "..."
    [interfaces."Co/Cu".G_mix]
    value = ["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"]   # [Re, Im]
    temperature = "4.2 K"
    source = "..."

A material entry may be partial: it gives only the quantities a read source
gave (at least one; ``type`` always).  :attr:`LibraryMaterial.missing` lists the
others; a stack that uses the material must give them itself (an SI file in its
``[materials.NAME]`` table, :func:`spinstack.si.material` as keyword arguments),
else the error names the key: ``materials.Py.rho: not in the built-in library
(no sourced value): give it in [materials.Py]``.  ``spinstack materials`` shows
them as "-".

``theta_SH`` (the spin Hall angle of a normal metal, MODEL.md 8b) is optional: the
model takes 0 when neither the library nor the stack gives it.  It is a plain number
(not a string), strictly between -1 and 1, with the sign convention in which Pt's is
positive (Ta and W negative); a ferromagnet entry with ``theta_SH`` is an error on
``materials.NAME.theta_SH``.

A pair is found in either order (``"Cu/Co"`` finds ``"Co/Cu"``): AR*, gamma,
G_mix and delta do not depend on which side is left.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SpinstackError, StackError
from .units import KINDS, to_si

__all__ = ["MISSING_REASON", "OPTIONAL", "REQUIRED", "Library", "LibraryError", "LibraryInterface", "LibraryMaterial",
           "LibraryValue", "interface", "interfaces", "load", "material", "materials", "path"]

MATERIAL_TYPES = ("normal", "ferromagnet")
MATERIAL_KEYS = ("type", "description", "rho", "conductivity", "beta", "l_sf", "theta_SH")
INTERFACE_KEYS = ("description", "AR", "gamma", "G_mix", "delta")
VALUE_KEYS = ("value", "temperature", "source")
ROOM_TEMPERATURE = "room temperature"  # accepted as printed: a Kelvin figure would be invented
REQUIRED = {"normal": ("rho", "l_sf"), "ferromagnet": ("rho", "beta", "l_sf")}
"""What a material of each type needs before it can be solved (``rho`` or ``conductivity``).

``theta_SH`` is not required: a normal metal without it has no spin Hall source (0)."""
OPTIONAL = {"normal": ("theta_SH",), "ferromagnet": ()}
"""Sourced quantities a material of each type may give beyond :data:`REQUIRED`."""
MISSING_REASON = "not in the built-in library (no sourced value)"
"""How a required quantity absent from a partial library entry is reported."""

# key -> (kind of quantity, checks passed to units.to_si)
QUANTITIES: dict[str, tuple[str, dict[str, Any]]] = {
    "rho": ("resistivity", {"sign": "positive"}),
    "conductivity": ("conductivity", {"sign": "positive"}),
    "beta": ("dimensionless", {"bounds": (-1.0, 1.0)}),
    "l_sf": ("length", {"sign": "positive", "allow_inf": True}),
    "theta_SH": ("dimensionless", {"bounds": (-1.0, 1.0)}),
    "AR": ("area_resistance", {"sign": "positive"}),
    "gamma": ("dimensionless", {"bounds": (-1.0, 1.0)}),
    "G_mix": ("area_conductance", {}),
    "delta": ("dimensionless", {"sign": "nonnegative"}),
}


class LibraryError(SpinstackError):
    """The library file is missing or does not follow its schema: ``FILE: PATH: reason``."""


@dataclass(frozen=True)
class LibraryValue:
    """One cited number of the library.

    Attributes
    ----------
    key
        ``rho``, ``conductivity``, ``beta``, ``l_sf``, ``theta_SH``, ``AR``, ``gamma``, ``G_mix`` or
        ``delta``.
    value
        As written in the file (``"60 nOhm*m"``, ``0.46``, ``-0.11`` for theta_SH, ``["..", ".."]`` for G_mix).
    si
        The value in SI base units (``unit``); shape ``(2,)`` for G_mix [Re, Im].
    unit
        The SI unit of ``si`` (``""`` for a dimensionless number).
    temperature, source
        Where the number comes from.
    """

    key: str
    value: Any
    si: np.ndarray
    unit: str
    temperature: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        si = self.si.tolist() if self.si.ndim else float(self.si)
        return {"value": self.value, "si": _json_number(si), "unit": self.unit,
                "temperature": self.temperature, "source": self.source}


@dataclass(frozen=True)
class LibraryMaterial:
    """A library material: ``type`` ("normal" or "ferromagnet"), its cited values by key.

    An entry may be partial: it holds only the quantities a read source gave
    (:attr:`missing` lists the others); a stack using it must give those itself.
    A normal metal may also give ``theta_SH`` (optional, never listed as missing).
    """

    name: str
    type: str
    description: str
    values: dict[str, LibraryValue] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        """What the model needs: ``rho`` (or ``conductivity``), ``beta`` for a ferromagnet, ``l_sf``."""
        return REQUIRED[self.type]

    @property
    def missing(self) -> tuple[str, ...]:
        """The required quantities with no sourced value here (``rho`` stands for rho or conductivity)."""
        return tuple(key for key in self.required
                     if key not in self.values and not (key == "rho" and "conductivity" in self.values))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "description": self.description,
                "values": {key: value.to_dict() for key, value in self.values.items()},
                "missing": list(self.missing)}


@dataclass(frozen=True)
class LibraryInterface:
    """A library interface between two materials (``pair`` = "A/B"): AR and optional gamma, G_mix, delta."""

    pair: str
    description: str
    values: dict[str, LibraryValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description,
                "values": {key: value.to_dict() for key, value in self.values.items()}}


@dataclass(frozen=True)
class Library:
    """A loaded, validated library file."""

    path: str
    materials: dict[str, LibraryMaterial]
    interfaces: dict[str, LibraryInterface]

    def material(self, name: str) -> LibraryMaterial:
        """The entry ``name``; a :class:`~spinstack.StackError` listing the names if there is none."""
        if name not in self.materials:
            raise StackError(f"materials.{_key(name)}",
                             f"not in the built-in library (available: {_names(self.materials)})")
        return self.materials[name]

    def interface(self, pair: str) -> LibraryInterface:
        """The entry for ``pair`` ("A/B", either order); a :class:`~spinstack.StackError` if there is none."""
        found = self.find_interface(pair)
        if found is None:
            raise StackError(f"interfaces.{_key(pair)}",
                             f"not in the built-in library (available pairs: {_names(self.interfaces)})")
        return found

    def find_interface(self, pair: str) -> LibraryInterface | None:
        """The entry for ``pair`` in either order, or ``None``."""
        if pair in self.interfaces:
            return self.interfaces[pair]
        left, slash, right = pair.partition("/")
        return self.interfaces.get(f"{right}/{left}") if slash else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``spinstack materials --json``)."""
        return {"library": self.path,
                "materials": {name: entry.to_dict() for name, entry in self.materials.items()},
                "interfaces": {pair: entry.to_dict() for pair, entry in self.interfaces.items()}}


# ------------------------------------------------------------------ the public functions
def path() -> Path:
    """Where the built-in library lives: ``spinstack/data/materials.toml`` inside the package."""
    return Path(str(importlib.resources.files("spinstack") / "data" / "materials.toml"))


def load(file: str | os.PathLike[str] | None = None) -> Library:
    """Read and validate a library file (default: the built-in one, :func:`path`).

    Raises
    ------
    LibraryError
        One line, ``FILE: PATH: reason``: the file is missing, not TOML, or an
        entry breaks the schema (an unknown key, a value without its source or
        temperature, a value of the wrong dimension, ...).
    """
    target = path() if file is None else Path(os.fspath(file))
    try:
        stat = target.stat()
    except FileNotFoundError:
        what = "the built-in materials library is missing" if file is None else "no such library file"
        raise LibraryError(f"{target}: {what}") from None
    except OSError as error:
        raise LibraryError(f"{target}: cannot read the library: {error.strerror or error}") from None
    return _load(str(target), stat.st_mtime_ns, stat.st_size)


def materials(file: str | os.PathLike[str] | None = None) -> dict[str, LibraryMaterial]:
    """Every library material by name, with values, temperatures and sources."""
    return load(file).materials


def interfaces(file: str | os.PathLike[str] | None = None) -> dict[str, LibraryInterface]:
    """Every library interface by pair name ("A/B")."""
    return load(file).interfaces


def material(name: str, file: str | os.PathLike[str] | None = None) -> LibraryMaterial:
    """The library material ``name`` (a :class:`~spinstack.StackError` listing the names if absent)."""
    return load(file).material(name)


def interface(pair: str, file: str | os.PathLike[str] | None = None) -> LibraryInterface:
    """The library interface ``pair`` ("A/B", either order)."""
    return load(file).interface(pair)


# ------------------------------------------------------------------ reading
@lru_cache(maxsize=8)
def _load(file: str, mtime: int, size: int) -> Library:  # mtime and size: reread a changed file
    from .io.stackfile import StackFileError, read_text_file  # the stack files' guarded reader (io imports us)

    try:
        # a regular UTF-8 text file of bounded size: no FIFO that blocks, no /dev/zero read to the end
        data = tomllib.loads(read_text_file(file))
    except StackFileError as error:
        raise LibraryError(f"{file}: cannot read the library: {error.reason}") from None
    except tomllib.TOMLDecodeError as error:
        raise LibraryError(f"{file}: invalid TOML: {error}") from None
    except RecursionError:
        raise LibraryError(f"{file}: nested too deeply (arrays or inline tables hundreds of levels deep)") from None
    try:
        return _library(data, file)
    except StackError as error:
        raise LibraryError(f"{file}: {error}") from None


def _library(data: dict[str, Any], file: str) -> Library:
    _known(data, ("materials", "interfaces"), "")
    tables = _table(data.get("materials", {}), "materials")
    found = {name: _material(name, _table(entry, f"materials.{_key(name)}"), f"materials.{_key(name)}")
             for name, entry in tables.items()}
    pairs = _table(data.get("interfaces", {}), "interfaces")
    contacts = {pair: _interface(pair, _table(entry, f"interfaces.{_key(pair)}"), f"interfaces.{_key(pair)}")
                for pair, entry in pairs.items()}
    for pair in contacts:
        left, _, right = pair.partition("/")
        if pair != f"{right}/{left}" and f"{right}/{left}" in contacts:
            raise StackError(f"interfaces.{_key(pair)}", f"given twice, also as {json.dumps(f'{right}/{left}')}")
    return Library(file, found, contacts)


def _material(name: str, table: dict[str, Any], where: str) -> LibraryMaterial:
    if not name:
        raise StackError(where, "a material needs a non-empty name")
    _known(table, MATERIAL_KEYS, where)
    kind = table.get("type")
    if kind is None:
        raise StackError(f"{where}.type", 'missing ("normal" or "ferromagnet")')
    if kind not in MATERIAL_TYPES:
        raise StackError(f"{where}.type", f'must be "normal" or "ferromagnet", got {_show(kind)}')
    description = _text(table.get("description", ""), f"{where}.description", empty=True)
    if kind == "normal" and "beta" in table:
        raise StackError(f"{where}.beta", "not allowed: a normal metal has no spin asymmetry")
    if kind == "ferromagnet" and "theta_SH" in table:
        raise StackError(f"{where}.theta_SH", "not allowed: the spin Hall source is modelled in normal metals only "
                                              "(MODEL.md 8b)")
    if "rho" in table and "conductivity" in table:
        raise StackError(f"{where}.conductivity", "give rho or conductivity, not both")
    # partial entries: only the quantities with a read source are given; the others stay out
    given = [key for key in ("rho", "conductivity", "beta", "l_sf", "theta_SH") if key in table]
    if not given:
        raise StackError(where, "no value: a library material gives at least one sourced quantity "
                                "(rho or conductivity, beta, l_sf, theta_SH)")
    values = {key: _value(key, table[key], f"{where}.{key}") for key in given}
    return LibraryMaterial(name, kind, description, values)


def _interface(pair: str, table: dict[str, Any], where: str) -> LibraryInterface:
    left, slash, right = pair.partition("/")
    if not slash or not left or not right or "/" in right:
        raise StackError(where, 'an interface is named by its two materials, "A/B"')
    _known(table, INTERFACE_KEYS, where)
    description = _text(table.get("description", ""), f"{where}.description", empty=True)
    if "AR" not in table:
        raise StackError(f"{where}.AR", "missing (the interface resistance AR*)")
    values = {key: _value(key, table[key], f"{where}.{key}") for key in INTERFACE_KEYS[1:] if key in table}
    return LibraryInterface(pair, description, values)


def _value(key: str, entry: Any, where: str) -> LibraryValue:
    table = _table(entry, where, hint="value, temperature and source")
    _known(table, VALUE_KEYS, where)
    for required in VALUE_KEYS:
        if required not in table:
            why = "every library value cites where it comes from" if required == "source" else "required"
            raise StackError(f"{where}.{required}", f"missing ({why})")
    source = _text(table["source"], f"{where}.source")
    temperature = _text(table["temperature"], f"{where}.temperature")
    if temperature != ROOM_TEMPERATURE:  # a paper's "room temperature" is kept as printed, not given a number
        to_si(temperature, "temperature", f"{where}.temperature", sign="nonnegative")
    kind, checks = QUANTITIES[key]
    raw = table["value"]
    if key == "theta_SH" and (isinstance(raw, bool) or not isinstance(raw, (int, float))):
        raise StackError(f"{where}.value", "must be a plain number (the dimensionless spin Hall angle, "
                                           f"e.g. 0.068 or -0.11), got {_show(raw)}")
    if key == "G_mix":
        if not isinstance(raw, list) or len(raw) != 2:
            raise StackError(f"{where}.value", f"must be a pair [Re, Im] of conductances per area, got {_show(raw)}")
        real = to_si(raw[0], kind, f"{where}.value[0]", sign="nonnegative")
        imaginary = to_si(raw[1], kind, f"{where}.value[1]")
        si = np.stack([real, imaginary])
    else:
        si = to_si(raw, kind, f"{where}.value", **checks)
    return LibraryValue(key, raw, si, KINDS[kind].unit, temperature, source)


def _table(value: Any, where: str, hint: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        extra = f" ({hint})" if hint else ""
        raise StackError(where, f"must be a table{extra}, got {_show(value)}")
    return value


def _known(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            place = f"{where}.{_key(key)}" if where else _key(key)
            raise StackError(place, f"unknown key (expected one of: {', '.join(allowed)})")


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise StackError(where, f"must be {'a' if empty else 'a non-empty'} string, got {_show(value)}")
    return value


def _key(key: str) -> str:
    bare = key and all(c.isalnum() or c in "_-" for c in key) and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)


def _names(entries: dict[str, Any]) -> str:
    return ", ".join(entries) if entries else "none"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_number(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_number(item) for item in value]
    return "inf" if value == float("inf") else value
