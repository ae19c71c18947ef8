"""What the explorer's numbers mean on screen: reduced units as they are, SI in readable units.

An SI stack (MODEL.md 7) holds SI base numbers: lengths in m, mu in J, spin currents as
particle fluxes, D = 1/(e^2 rho*).  On a page those read as ``1e-08`` and ``6.3e+44``;
so the explorer shows them as the figures of :mod:`spinstack.plot` do (the scales of
:mod:`spinstack.plot.units`): positions, thicknesses and spin diffusion lengths in nm,
the conductance D as the conductivity e^2 D = 1/rho* in S/m, the current as J in A/m^2,
mu_s in eV/meV/ueV, spin currents in A/m^2, torques in J/m^2, the resistance-area in
fOhm m^2.  A unit chosen by magnitude is chosen once, from the start stack, and kept
while the controls move, so an axis label never changes under the reader's eyes.

No web framework here: the controls and views take a :class:`Display` and multiply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model.paths import parameter_value
from ..plot.units import REDUCED, FigureUnits, Scale, parameter_scale
from ..solution import Solution
from ..units import QUANTITIES

__all__ = ["Display", "display_for", "plain_unit", "reduced_display", "scaled"]

#: the resistance-area of an SI stack in the summary's unit
_FEMTO_OHM_SQUARE_METRE = Scale(QUANTITIES["resistance_area"].shown_factor, "f\u03a9 m\u00b2", "f\u03a9 m^2")


def plain_unit(scale: Scale) -> str:
    """A scale's unit as page text: ``"1e9 A/m^2"`` -> ``"10\u2079 A/m\u00b2"``, ``"ueV"`` -> ``"\u00b5eV"``."""
    text = scale.text.replace("ueV", "\u00b5eV").replace("^2", "\u00b2").replace("^-1", "\u207b\u00b9")
    if text.startswith("1e"):
        power, _, rest = text[2:].partition(" ")
        superscript = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
        text = f"10{power.translate(superscript)} {rest}"
    return text


@dataclass(frozen=True)
class Display:
    """Factors and unit names of one explorer page (see the module docstring).

    Attributes
    ----------
    si : whether the stack is in SI units
    length, accumulation, spin_current, torque, resistance_area :
        :class:`~spinstack.plot.units.Scale` of each shown quantity (factor 1 when reduced)
    parameters :
        scales of the control paths, by path (thickness and l in nm, D in S/m, current as J)
    """

    si: bool
    length: Scale
    accumulation: Scale
    spin_current: Scale
    torque: Scale
    resistance_area: Scale
    parameters: dict[str, Scale] = field(default_factory=dict)

    def unit(self, quantity: str) -> str:
        """`` (unit)`` to append to a label, or ``""`` for a reduced stack."""
        scale: Scale = getattr(self, quantity)
        return "" if scale.reduced else f" ({plain_unit(scale)})"

    def parameter(self, path: str) -> Scale:
        """The scale of a control's path (factor 1 for anything not listed)."""
        return self.parameters.get(path, Scale(1.0, REDUCED, REDUCED, reduced=True))

    def parameter_unit(self, path: str) -> str:
        """`` (unit)`` for a control's label: ``" (nm)"``, ``" (S/m)"``; ``""`` when reduced or dimensionless."""
        scale = self.parameter(path)
        return "" if scale.reduced or not scale.text else f" ({plain_unit(scale)})"


def reduced_display() -> Display:
    """Every number as the stack holds it (a reduced stack): factors 1, no unit names."""
    one = Scale(1.0, REDUCED, REDUCED, reduced=True)
    return Display(False, one, one, one, one, one)


def display_for(solution: Solution, paths: list[str] | tuple[str, ...] = ()) -> Display:
    """The :class:`Display` of a start solution and the control ``paths`` of its page."""
    solution = solution.reduced  # the scales convert model numbers
    stack = solution.stack
    units = FigureUnits("SI" if stack.units == "SI" else "reduced")
    if not units.si:
        return reduced_display()
    deposited = [solution.torque[i] for i in stack.ferromagnet_indices]
    parameters = {path: parameter_scale(path, units, parameter_value(stack, path)) for path in paths}
    return Display(True, units.length,
                   units.scale("accumulation", solution.accumulation, solution.accumulation_right),
                   units.scale("spin_current", solution.spin_current_left, solution.spin_current_right),
                   units.scale("torque", *deposited) if deposited else units.scale("torque"),
                   _FEMTO_OHM_SQUARE_METRE, parameters)


def scaled(columns: dict[str, Any], factor: float, keys: tuple[str, ...]) -> dict[str, Any]:
    """``columns`` with the listed coordinate columns multiplied by ``factor`` (others as they are)."""
    if factor == 1.0:
        return columns
    return {key: (np.asarray(value, dtype=float) * factor if key in keys else value) for key, value in columns.items()}
