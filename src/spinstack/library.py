"""The cited library of materials and interfaces: what its entries are and what a material needs.

A :class:`Library` holds :class:`LibraryMaterial` and :class:`LibraryInterface` entries,
each value a :class:`LibraryValue` with the temperature it was measured at and its source.
SI stack files and :mod:`spinstack.si` use it by name (``material = "Co"``, ``pair =
"Co/Cu"``); ``spinstack materials`` lists it.  Reading a library file (the built-in
``spinstack/data/materials.toml`` or another) is :func:`spinstack.io.libraryfile.load_library`;
the file's schema is written there.

A material entry may be partial: it gives only the quantities a read source
gave (at least one; ``type`` always).  :attr:`LibraryMaterial.missing` lists the
others; a stack that uses the material must give them itself (an SI file in its
``[materials.NAME]`` table, :func:`spinstack.si.material` as keyword arguments),
else the error names the key: ``materials.Py.rho: not in the built-in library
(no sourced value): give it in [materials.Py]``.  ``spinstack materials`` shows
them as "-".

``theta_SH`` (the spin Hall angle of a normal metal, MODEL.md 8b) is optional: the
model takes 0 when neither the library nor the stack gives it; its sign follows the
convention in which Pt's is positive (Ta and W negative).

A pair is found in either order (``"Cu/Co"`` finds ``"Co/Cu"``): AR*, gamma,
G_mix and delta do not depend on which side is left.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import StackError

__all__ = ["MISSING_REASON", "OPTIONAL", "REQUIRED", "ROOM_TEMPERATURE", "Library", "LibraryInterface",
           "LibraryMaterial", "LibraryValue"]

MATERIAL_TYPES = ("normal", "ferromagnet")
ROOM_TEMPERATURE = "room temperature"  # accepted as printed: a Kelvin figure would be invented
REQUIRED = {"normal": ("rho", "l_sf"), "ferromagnet": ("rho", "beta", "l_sf")}
"""What a material of each type needs before it can be solved (``rho`` or ``conductivity``).

``theta_SH`` is not required: a normal metal without it has no spin Hall source (0)."""
OPTIONAL = {"normal": ("theta_SH",), "ferromagnet": ()}
"""Sourced quantities a material of each type may give beyond :data:`REQUIRED`."""
MATERIAL_QUANTITIES = ("rho", "conductivity", "beta", "l_sf", "theta_SH")
"""The quantities of a material a library entry may cite (the SI material keys of :data:`spinstack.si.MATERIAL_KEYS`
but the coherence keys l_J, l_phi, D_perp, which no entry sources)."""
MISSING_REASON = "not in the built-in library (no sourced value)"
"""How a required quantity absent from a partial library entry is reported."""


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
    """A library: materials by name, interfaces by pair ("A/B"), read from ``path``
    (:func:`spinstack.io.libraryfile.load_library` builds it, validated)."""

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


# ------------------------------------------------------------------ messages
def _key(key: str) -> str:
    bare = key and all(c.isalnum() or c in "_-" for c in key) and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)


def _names(entries: dict[str, Any]) -> str:
    return ", ".join(entries) if entries else "none"


def _json_number(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_number(item) for item in value]
    return "inf" if value == float("inf") else value
