"""``spinstack analyze``: sign-change angles and thresholds as a table or as JSON.

Threshold values and their search bounds are values of a parameter path.  For a
stack in reduced units they are shown as they are.  For an SI stack
(``units == "SI"``) the text shows lengths (``layers[i].thickness``,
``materials.NAME.l``) in nm, the current as the charge current density J = e j0
in A/m^2 and D as the conductivity e^2 D in S/m; the JSON gives SI units (lengths
in m, J in A/m^2, e^2 D in S/m) and names the unit of every threshold in its
``"unit"`` field.  Angles are in degrees and polarisations dimensionless
everywhere.  ``--bounds`` of an SI stack takes quantities with units
(``"1 nm:20 nm"``, :func:`parse_bounds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import SignReport
from ..errors import SpinstackError
from ..model.paths import parse
from .tables import number, table

__all__ = ["format_sign_report", "parse_bounds", "sign_report_to_dict"]


@dataclass(frozen=True)
class _Shown:
    """How one parameter's values are reported: ``factor`` x the stack's number, in ``unit``."""

    factor: float
    unit: str

    def __call__(self, value: float) -> float:
        return float(value) * self.factor

    def span(self, bounds: tuple[float, float]) -> tuple[float, float]:
        low, high = sorted((self(bounds[0]), self(bounds[1])))
        return low, high

    def flips(self) -> bool:
        """A negative factor (J = e j0, e < 0) turns "above" into "below"."""
        return self.factor < 0


def _kind(path: str) -> str:
    """The registry quantity of ``path``'s numbers (:class:`~spinstack.model.paths.ParameterPath`), or "other"."""
    return parse(path, strict=False).quantity or "other"


def _scale(path: str, units: str, *, text: bool = False) -> _Shown:
    """How values of ``path`` are reported (:data:`spinstack.units.QUANTITIES`): for an SI stack the JSON's report
    units (lengths in m, J in A/m^2, e^2 D in S/m) or, for the ``text``, the readable ones (nm, A/m^2, S/m); angles
    in deg and pure numbers either way; a reduced stack's numbers as they are (the JSON says ``"reduced"``)."""
    entry = parse(path, strict=False).units_entry
    if units != "SI":
        return _Shown(1.0, "" if text else entry.unit if entry is not None and not entry.dimensional else "reduced")
    if entry is None:
        return _Shown(1.0, "SI base units")
    return _Shown(entry.shown_factor, entry.shown_text) if text else _Shown(entry.to_unit, entry.unit)


def _with_unit(value: float, unit: str) -> str:
    return f"{number(value)} {unit}" if unit else number(value)


def sign_report_to_dict(report: SignReport, units: str = "reduced") -> dict[str, Any]:
    """Plain JSON-ready data; a threshold that does not exist in its range is ``null``.

    ``units`` is the stack's unit system: for ``"SI"`` thresholds and bounds are in SI
    units (lengths in m, J in A/m^2); every threshold names its ``"unit"`` (``"deg"``
    for angles, ``""`` for dimensionless values, ``"reduced"`` in reduced units).
    """
    thresholds = []
    for item in report.thresholds:
        shown = _scale(item.path, units)
        for theta, value, found, negative in zip(item.theta, item.value, item.found, item.negative_above):
            thresholds.append({"parameter": item.path, "efficiency": item.which, "theta": float(theta),
                               "value": shown(value) if found else None,
                               "negative_above": bool(negative) != (bool(found) and shown.flips()),
                               "bounds": list(shown.span(item.bounds)), "unit": shown.unit})
    return {
        "units": units,
        "theta": report.theta,
        "g1": report.g1,
        "g2": report.g2,
        "sign_changes": {which: [float(a) for a in angles] for which, angles in report.sign_changes.items()},
        "thresholds": thresholds,
    }


def format_sign_report(report: SignReport, source: str, units: str = "reduced") -> str:
    """The readable form: the stack's g's, where each changes sign, and the thresholds.

    ``units`` is the stack's unit system; for ``"SI"`` lengths are shown in nm and the
    current as J in A/m^2.
    """
    lines = [f"{source}: efficiency signs (seed eq. 1, 15)",
             f"  at the stack's own angle theta = {number(report.theta)} deg: "
             f"g1 = {number(report.g1)}, g2 = {number(report.g2)}",
             "",
             "sign changes over theta = 0 .. 180 deg"]
    for which, angles in report.sign_changes.items():
        where = ", ".join(f"{number(a)} deg" for a in angles) if len(angles) else "none"
        lines.append(f"  {which}: {where}")
    lines += ["", "thresholds (value of the parameter where g changes sign; searched in bounds)"]
    rows = []
    for item in report.thresholds:
        shown = _scale(item.path, units, text=True)
        low, high = shown.span(item.bounds)
        for theta, value, found, negative in zip(item.theta, item.value, item.found, item.negative_above):
            if found:
                side = "above" if negative != shown.flips() else "below"
                text, meaning = _with_unit(shown(value), shown.unit), f"{item.which} < 0 {side} it"
            else:
                text = "none"
                meaning = f"{item.which} < 0 throughout" if negative else f"{item.which} >= 0 throughout"
            rows.append([_parameter(item.path, units), item.which, number(theta), text, meaning,
                         f"{number(low)} .. {_with_unit(high, shown.unit)}"])
    lines += table(["parameter", "g", "theta [deg]", "threshold", "meaning", "bounds"], rows, "llrrll")
    return "\n".join(lines) + "\n"


def _parameter(path: str, units: str) -> str:
    """The path, and for SI what the current column shows (J, not j0)."""
    if units == "SI" and _kind(path) == "current":
        return "current (J)"
    if units == "SI" and _kind(path) == "conductivity":
        return f"{path} (e^2 {path.rsplit('.', 1)[-1]})"  # e^2 D or e^2 D_perp: a conductivity in S/m
    return path


# ------------------------------------------------------------------ --bounds
def parse_bounds(text: str | None, units: str = "reduced", paths: list[str] | tuple[str, ...] = (),
                 stack: Any = None) -> tuple[float, float] | None:
    """``--bounds LOW:HIGH`` as two numbers in the stack's units.

    Plain numbers are the stack's numbers (SI base units for an SI stack: a thickness
    in m).  An SI stack also takes quantities with units, parsed by pint
    (``"1 nm:20 nm"``, ``"1e10 A/m^2:1e12 A/m^2"``, ``"10 deg:80 deg"``); they must fit
    every parameter in ``paths`` (default: those ``spinstack analyze`` scans for ``stack``,
    the polarisations of F1 and F2) and are converted to the stack's numbers (a length to m,
    J to j0 = J/e, a conductivity sigma to D = sigma/e^2; a reversed pair, as J > 0 gives
    j0 < 0, is put in order).

    Raises
    ------
    SpinstackError
        Not two parts, a part that is neither a number nor a quantity, units for a reduced
        stack, a unit that does not fit a parameter (one line naming ``--bounds``).
    """
    if text is None:
        return None
    parts = text.split(":")
    if len(parts) != 2:
        raise SpinstackError(f"--bounds: expected LOW:HIGH (two numbers), got {text!r}")
    values, converted = [], False
    for part in parts:
        try:
            values.append(float(part))
            continue
        except ValueError:
            pass
        if units != "SI":
            raise SpinstackError(f"--bounds: expected LOW:HIGH (two numbers), got {text!r}"
                                 + (" (quantities with units need an SI stack)" if part.strip() else ""))
        if not paths and stack is not None:
            from ..analysis.efficiencies import default_threshold_parameters

            paths = default_threshold_parameters(stack)
        values.append(_quantity(part, text, paths))
        converted = True
    low, high = values
    if converted and any(_kind(path) == "current" for path in paths):
        low, high = sorted((low, high))  # J = e j0 with e < 0 reverses the order
    return low, high


def _quantity(part: str, text: str, paths: list[str] | tuple[str, ...]) -> float:
    """One bound with a unit, as the number of an SI stack; it must fit every path's kind."""
    from ..errors import StackError
    from ..units import REPORTS, registry, to_reduced, to_si

    kinds = {_kind(path) for path in paths} or {"other"}
    if len(kinds) > 1:
        raise SpinstackError(f"--bounds: {part.strip()!r} has a unit, but the parameters "
                             f"({', '.join(paths)}) are of different kinds; give plain numbers (SI base units)")
    kind = kinds.pop()
    try:
        if kind == "angle":
            quantity = registry().Quantity(part)
            if not hasattr(quantity, "m_as") or quantity.dimensionality != registry().Quantity(1, "deg").dimensionality:
                raise SpinstackError(f"--bounds: expected an angle (e.g. \"30 deg\"), got {part.strip()!r}")
            return float(quantity.m_as("deg"))
        if kind in REPORTS:  # a length in m, J to j0 = J/e, sigma to D = sigma/e^2, G to g = G/e^2
            return float(to_reduced(part, kind))
        if kind == "dimensionless":
            return float(to_si(part, "dimensionless", "--bounds"))
    except StackError as error:
        raise SpinstackError(f"--bounds: {error.reason}") from None
    except SpinstackError:
        raise
    except Exception:  # pint's parser
        raise SpinstackError(f"--bounds: expected LOW:HIGH (two numbers or quantities), got {text!r}") from None
    raise SpinstackError(f"--bounds: {part.strip()!r} has a unit, but the parameters "
                         f"({', '.join(paths) or 'none'}) take plain numbers")
