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
        as written with its unit, temperature, source), a table of the interfaces,
        then the entries' descriptions; ends with a newline.
    """
    lines = [f"materials library: {library.path}", ""]
    rows = []
    for name, entry in library.materials.items():
        for index, value in enumerate(entry.values.values()):
            rows.append([name if index == 0 else "", entry.type if index == 0 else "", *_cells(value)])
    if rows:
        lines.append("materials (rho as measured, not rho*; SI stack files and spinstack.si use them by name)")
        lines += _table(["name", "type", "quantity", "value", "temperature", "source"], rows, "llllll")
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


def _cells(value: LibraryValue) -> list[str]:
    return [value.key, _written(value.value), value.temperature, value.source]


def _written(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_written(item) for item in value) + "]"
    return str(value)
