"""Values of a parameter path as the command line takes them: plain numbers, or quantities with units for SI stacks.

An SI stack file refuses a bare number for a quantity with a dimension (``thickness = 3`` is not 3 nm,
:mod:`spinstack.io.sifile`); the command line's ``sweep --vary`` and ``analyze --bounds`` do the same for
an SI stack: a dimensioned path takes quantities (``layers[1].thickness=1 nm:10 nm:4``, ``--bounds "1 nm:20
nm"``), parsed by pint through :mod:`spinstack.units`, and a bare number is refused with the unit it needs.
Angles (degrees) and dimensionless parameters (``p``, ``theta_SH``) stay plain numbers (``"30 deg"`` and
``"50 %"`` are taken too).  Reduced stacks take plain numbers only.

Each value becomes the number the Python API takes for that path (:func:`spinstack.sweep` and
:func:`spinstack.analysis.sign_report`): SI base units of the stack's own numbers (MODEL.md 7: a length in
m, D = sigma / e^2, g = G / e^2), except that a sweep takes an SI stack's ``current`` as the charge current
density J in A/m^2 and its ``field.y`` / ``field.z`` as the electric field E in V/m, as the file gives them
(``stack_numbers=True``: j0 = J / e and eps = e E, the numbers the stack holds, as ``analyze`` searches).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import StackError
from ..model.paths import parse


@dataclass(frozen=True)
class PathKind:
    """What the values of a path are.

    Attributes
    ----------
    kind : a key of :data:`spinstack.units.KINDS` (``"length"``, ``"angle"`` in degrees, ...)
    report : the key of :data:`spinstack.units.REPORTS` that turns the SI value into the stack's number (None: the same)
    """

    kind: str
    report: str | None = None

    @property
    def dimensioned(self) -> bool:
        return self.kind not in ("angle", "dimensionless")


def path_kind(path: str) -> PathKind:
    """The kind of the values of ``path`` in an SI stack, from its :class:`~spinstack.model.paths.ParameterPath`
    (dimensionless for the paths the grammar does not know)."""
    entry = parse(path, strict=False).units_entry
    if entry is None:
        return PathKind("dimensionless")
    return PathKind(entry.dimension, entry.name if entry.dimensional and entry.to_base != 1.0 else None)


def is_number(text: str) -> bool:
    """Whether ``text`` is a bare number (``"3"``, ``"-1e-9"``, ``"inf"``), not a quantity."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def unit_example(path: str) -> str:
    """The unit a user usually writes for ``path`` (``"nm"``, ``"A/m^2"``, ...); empty for plain numbers."""
    from ..units import KINDS

    kind = path_kind(path)
    if not kind.dimensioned:
        return ""
    return KINDS[kind.kind].example.split(" ", 1)[1]


def bare_number_reason(path: str) -> str:
    """Why a bare number is refused for the dimensioned ``path`` of an SI stack (the words of SI files)."""
    from ..units import KINDS

    return f"a bare number has no unit ({KINDS[path_kind(path).kind].what} in an SI stack)"


def with_unit(path: str, *numbers: float) -> str:
    """``numbers`` written with the unit ``path`` usually takes, and in SI base units where that differs:
    ``"1 nm:10 nm"`` or, in SI base units, ``"1 m:10 m"``."""
    from ..units import KINDS

    usual, base = unit_example(path), KINDS[path_kind(path).kind].unit
    shown = [compact(number) for number in numbers]
    text = ":".join(f"{number} {usual}" for number in shown)
    if base != usual:
        text += " or, in SI base units, " + ":".join(f"{number} {base}" for number in shown)
    return text


def value(text: str, path: str, units: str, *, stack_numbers: bool = False, label: str | None = None) -> float:
    """One value of ``path`` from the command line, as the number the Python API takes (module docstring).

    Parameters
    ----------
    text
        A number (``"0.5"``) or, for an SI stack, a quantity (``"4 nm"``, ``"1e11 A/m^2"``).
    path
        The parameter path the value is for.
    units
        The stack's unit system, ``"SI"`` or ``"reduced"``.
    stack_numbers
        Give an SI current and field as the numbers the stack holds (j0 = J / e, eps = e E), not as J and E.
    label
        The path named in errors (default ``path``).

    Raises
    ------
    StackError
        A bare number for a dimensioned path of an SI stack (with the unit it needs), a quantity for a reduced
        stack, a quantity of the wrong dimension or that pint cannot read, a value that is not finite.
    """
    from ..units import to_si

    label = label or path
    text = text.strip()
    kind = path_kind(path)
    if is_number(text):
        number = float(text)
        if not math.isfinite(number):
            raise StackError(label, f"must be finite, got {text}")
        if units == "SI" and kind.dimensioned and number != 0:  # 0 is 0 in every unit
            raise StackError(label, f"{bare_number_reason(path)}: write it with one, e.g. {with_unit(path, number)}")
        return number
    if units != "SI":
        raise StackError(label, f"expected a number, got {text!r} (quantities with units need an SI stack; this one "
                                "is in reduced units)")
    if kind.kind == "angle":
        return _plain(text, label, "deg", "an angle (e.g. \"30 deg\", or a plain number of degrees)")
    if kind.kind == "dimensionless":
        return _plain(text, label, "", "a plain number (e.g. 0.5 or \"50 %\")")
    number = float(to_si(text, kind.kind, label))
    if kind.report is None or (not stack_numbers and parse(path).given_as_reported):
        return number
    from ..units import REPORTS

    return number / REPORTS[kind.report].to_base


def _plain(text: str, label: str, unit: str, expected: str) -> float:
    """A quantity of an angle (in degrees) or a dimensionless one (``"50 %"``) as a plain number."""
    from ..units import registry

    try:
        quantity = registry().Quantity(text)
        number = float(quantity.m_as(unit) if unit else quantity.m_as(""))
    except Exception:  # pint's parser and its dimensionality errors
        raise StackError(label, f"expected {expected}, got {text!r}") from None
    if not math.isfinite(number):
        raise StackError(label, f"must be finite, got {text!r}")
    return number


def compact(number: float | int) -> str:
    """A number short enough for a one-line message: ``1e+300``, not its 301 digits; ``3``, not ``3.0``."""
    if isinstance(number, int) and not isinstance(number, bool):
        if len(str(abs(number))) <= 15:
            return str(number)
        try:
            number = float(number)
        except OverflowError:
            return f"about 10^{len(str(abs(number))) - 1}"
    short = f"{number:g}"
    return short if float(short) == number or not math.isfinite(number) else f"{number:.15g}"


__all__ = ["PathKind", "bare_number_reason", "compact", "is_number", "path_kind", "unit_example", "value", "with_unit"]
