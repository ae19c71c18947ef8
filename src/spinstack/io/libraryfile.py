"""The materials library's file: a TOML file read into a :class:`~spinstack.library.Library`.

:func:`load_library` reads the built-in file (``spinstack/data/materials.toml``,
:func:`library_path`) or another of the same schema, refuses anything off the schema in
one line (:class:`LibraryError`, ``FILE: PATH: reason``) and keeps what it read until the
file changes.  What a library *is* (its entries, what a material needs before it can be
solved) is :mod:`spinstack.library`; this module is only the reading.

Every number in the library carries the temperature it was measured at and its source;
the reader refuses an entry without them.

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

A material entry may be partial (only the quantities a read source gave, at least one;
``type`` always); what that means for a stack is :mod:`spinstack.library`'s.
``theta_SH`` is a plain number (not a string), strictly between -1 and 1; a ferromagnet
entry with ``theta_SH`` is an error on ``materials.NAME.theta_SH``.  A pair is named
"A/B" and given once (not also as "B/A").
"""

from __future__ import annotations

import importlib.resources
import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError, StackError
from ..library import (MATERIAL_QUANTITIES, MATERIAL_TYPES, ROOM_TEMPERATURE, Library, LibraryInterface,
                       LibraryMaterial, LibraryValue)
from ..units import KINDS, to_si
from .textfile import StackFileError, read_text_file
from .tomlvalues import known_keys, quoted_key, show

__all__ = ["LibraryError", "library_path", "load_library"]

MATERIAL_KEYS = ("type", "description") + MATERIAL_QUANTITIES
INTERFACE_KEYS = ("description", "AR", "gamma", "G_mix", "delta")
VALUE_KEYS = ("value", "temperature", "source")

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


def library_path() -> Path:
    """Where the built-in library lives: ``spinstack/data/materials.toml`` inside the package."""
    return Path(str(importlib.resources.files("spinstack") / "data" / "materials.toml"))


def load_library(file: str | os.PathLike[str] | None = None) -> Library:
    """Read and validate a library file (default: the built-in one, :func:`library_path`).

    A file already read is not read again until it changes (its modification time or size).

    Raises
    ------
    LibraryError
        One line, ``FILE: PATH: reason``: the file is missing, not TOML, or an
        entry breaks the schema (an unknown key, a value without its source or
        temperature, a value of the wrong dimension, ...).
    """
    target = library_path() if file is None else Path(os.fspath(file))
    try:
        stat = target.stat()
    except FileNotFoundError:
        what = "the built-in materials library is missing" if file is None else "no such library file"
        raise LibraryError(f"{target}: {what}") from None
    except OSError as error:
        raise LibraryError(f"{target}: cannot read the library: {error.strerror or error}") from None
    return _load(str(target), stat.st_mtime_ns, stat.st_size)


# ------------------------------------------------------------------ reading
@lru_cache(maxsize=8)
def _load(file: str, mtime: int, size: int) -> Library:  # mtime and size: reread a changed file
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
    known_keys(data, ("materials", "interfaces"), "")
    found: dict[str, LibraryMaterial] = {}
    for name, entry in _table(data.get("materials", {}), "materials").items():
        where = f"materials.{quoted_key(name)}"
        found[name] = _material(name, _table(entry, where), where)
    contacts: dict[str, LibraryInterface] = {}
    for pair, entry in _table(data.get("interfaces", {}), "interfaces").items():
        where = f"interfaces.{quoted_key(pair)}"
        contacts[pair] = _interface(pair, _table(entry, where), where)
    for pair in contacts:
        left, _, right = pair.partition("/")
        if pair != f"{right}/{left}" and f"{right}/{left}" in contacts:
            raise StackError(f"interfaces.{quoted_key(pair)}", f"given twice, also as {json.dumps(f'{right}/{left}')}")
    return Library(file, found, contacts)


def _material(name: str, table: dict[str, Any], where: str) -> LibraryMaterial:
    if not name:
        raise StackError(where, "a material needs a non-empty name")
    known_keys(table, MATERIAL_KEYS, where)
    kind = table.get("type")
    if kind is None:
        raise StackError(f"{where}.type", 'missing ("normal" or "ferromagnet")')
    if kind not in MATERIAL_TYPES:
        raise StackError(f"{where}.type", f'must be "normal" or "ferromagnet", got {show(kind)}')
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
    known_keys(table, INTERFACE_KEYS, where)
    description = _text(table.get("description", ""), f"{where}.description", empty=True)
    if "AR" not in table:
        raise StackError(f"{where}.AR", "missing (the interface resistance AR*)")
    values = {key: _value(key, table[key], f"{where}.{key}") for key in INTERFACE_KEYS[1:] if key in table}
    return LibraryInterface(pair, description, values)


def _value(key: str, entry: Any, where: str) -> LibraryValue:
    table = _table(entry, where, hint="value, temperature and source")
    known_keys(table, VALUE_KEYS, where)
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
                                           f"e.g. 0.068 or -0.11), got {show(raw)}")
    if key == "G_mix":
        if not isinstance(raw, list) or len(raw) != 2:
            raise StackError(f"{where}.value", f"must be a pair [Re, Im] of conductances per area, got {show(raw)}")
        real = to_si(raw[0], kind, f"{where}.value[0]", sign="nonnegative")
        imaginary = to_si(raw[1], kind, f"{where}.value[1]")
        si = np.stack([real, imaginary])
    else:
        si = to_si(raw, kind, f"{where}.value", **checks)
    return LibraryValue(key, raw, si, KINDS[kind].unit, temperature, source)


def _table(value: Any, where: str, hint: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        extra = f" ({hint})" if hint else ""
        raise StackError(where, f"must be a table{extra}, got {show(value)}")
    return value


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise StackError(where, f"must be {'a' if empty else 'a non-empty'} string, got {show(value)}")
    return value
