"""The plain-text listing of ``spinstack materials``: every library value with its unit, temperature and source."""

from __future__ import annotations

from typing import Any

from ..library import Library, LibraryValue
from .tables import table as _table

__all__ = ["format_library"]


def format_library(library: Library) -> str:
    """A readable listing of a materials library (:mod:`spinstack.library`).

    Returns
    -------
    str
        The file it came from, a table of the materials (name, type, quantity, value
        as written with its unit, temperature, source; a quantity a partial entry
        lacks shows "-", explained under the table; a normal metal's optional
        theta_SH is a row when the library gives it), a table of the interfaces,
        then the entries' descriptions; ends with a newline.
    """
    lines = [f"materials library: {library.path}", ""]
    rows = []
    partial = False
    for name, entry in library.materials.items():
        cells = [_cells(value) for value in entry.values.values()]
        for key in entry.missing:  # a partial entry: "-" where no value was sourced, in the model's order
            cells.insert(_position(key, cells), [key, MISSING, MISSING, "no sourced value: the stack must give it"])
            partial = True
        for index, row in enumerate(cells):
            rows.append([name if index == 0 else "", entry.type if index == 0 else "", *row])
    if rows:
        lines.append("materials (rho as measured, not rho*; theta_SH: spin Hall angle, optional, Pt > 0, Ta and W < 0; "
                     "SI stack files and spinstack.si use them by name)")
        lines += _table(["name", "type", "quantity", "value", "temperature", "source"], rows, "llllll")
        if partial:
            lines.append(f'"{MISSING}": not in the library (no value read from a source); a stack using the material '
                         "gives it: [materials.NAME] in an SI file, spinstack.si.material(NAME, key=...) in Python")
    else:
        lines.append("materials: none")
    lines.append("")
    rows = []
    for pair, contact in library.interfaces.items():
        for index, value in enumerate(contact.values.values()):
            rows.append([pair if index == 0 else "", *_cells(value)])
    if rows:
        lines.append('interfaces (AR* per interface; [[interfaces]] pair = "A/B" uses them, in either order)')
        lines += _table(["pair", "quantity", "value", "temperature", "source"], rows, "lllll")
    else:
        lines.append("interfaces: none")
    described = [(name, entry.description) for name, entry in
                 [*library.materials.items(), *library.interfaces.items()] if entry.description]
    if described:
        lines += ["", "descriptions"] + [f"  {name}: {text}" for name, text in described]
    return "\n".join(lines) + "\n"


MISSING = "-"
"""Shown for a quantity a partial library entry does not have."""

_ORDER = ("rho", "conductivity", "beta", "l_sf", "theta_SH")


def _position(key: str, cells: list[list[str]]) -> int:
    """Where the row of ``key`` goes among ``cells`` (rows of quantities, in :data:`_ORDER`)."""
    rank = _ORDER.index(key)
    return sum(1 for row in cells if row[0] in _ORDER and _ORDER.index(row[0]) < rank)


def _cells(value: LibraryValue) -> list[str]:
    return [value.key, _written(value.value), value.temperature, value.source]


def _written(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_written(item) for item in value) + "]"
    return str(value)
