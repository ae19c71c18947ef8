"""Plain-text tables shared by the terminal reports (aligned columns, compact numbers)."""

from __future__ import annotations

from collections.abc import Sequence

from ..units import format_number


def number(value: float) -> str:
    """Six significant digits; -0.0 shows as 0 (:func:`spinstack.units.format_number`)."""
    return format_number(value, 6)


def table(headers: list[str], rows: list[list[str]], align: str) -> list[str]:
    """Aligned rows under a header; ``align`` has one letter per column: l, r or c."""
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width, how in zip(cells, widths, align):
            if how == "l":
                out.append(cell.ljust(width))
            elif how == "r":
                out.append(cell.rjust(width))
            else:
                out.append(cell.center(width))
        return ("  " + "  ".join(out)).rstrip()

    return [line(headers)] + [line(row) for row in rows]
