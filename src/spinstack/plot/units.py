"""Units of the figures: what a plotted number means, for reduced and SI stacks (one place).

Every figure multiplies the stack's numbers by a :class:`Scale` factor and
names its unit in the axis label.  A stack in reduced units (``stack.units ==
"reduced"``) is drawn as it is: factor 1, unit ``"reduced units"``, labels as
they always were.  An SI stack (``stack.units == "SI"``, MODEL.md 7) holds
SI-base numbers (x in m, mu in J, spin currents as particle fluxes in
m^-2 s^-1); figures show them in readable units, with the conversions of
the registry :data:`spinstack.units.QUANTITIES`:

=================  ==========================================  ==================================
quantity           shown as                                    unit
=================  ==========================================  ==================================
length, x          x                                           nm
accumulation mu_s  mu_s / |e|                                  eV, meV, ueV or neV (by magnitude)
potential mu_0     mu_0 / |e|                                  eV, meV, ueV or neV (by magnitude)
spin_current j_s   |e| j_s (the particle-flux vector times     10^(3k) A/m^2 (by magnitude)
                   +|e|: the sign of the vector is kept)
torque             (hbar/2) x deposited spin current           10^(3k) J/m^2 (by magnitude)
current            J = e j0 (e < 0: J > 0 means j0 < 0)        A/m^2
=================  ==========================================  ==================================

The analogy's forces are spin currents (kind ``"spin_current"``).  A unit
"chosen by magnitude" is the largest one (eV before meV, 10^9 before 10^6) in
which the largest |value| drawn is at least 1, so tick labels are plain numbers
between 1 and 1000 without an offset such as 1e-24.

Parameters of sweeps and thresholds (paths of :mod:`spinstack.model.paths`) have a
:func:`parameter_kind`, the registry quantity of their parsed path; :func:`parameter_scale`
gives their scale (thicknesses and spin diffusion lengths in nm, the current as J in A/m^2,
D as the conductivity e^2 D in S/m, g as e^2 g in S/m^2, angles in degrees, p dimensionless).
Scales, symbols and unit spellings come from the one registry of :mod:`spinstack.units`.

This module needs neither matplotlib nor pint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..model.paths import parse
from ..units import QUANTITIES, Quantity, energy_unit, format_number

__all__ = ["REDUCED", "FigureUnits", "Scale", "figure_units", "parameter_kind", "parameter_scale", "stored_scale"]

#: the unit of every quantity of a stack in reduced units
REDUCED = "reduced units"

QUANTITIES_DRAWN = ("length", "accumulation", "potential", "spin_current", "torque", "current")


@dataclass(frozen=True)
class Scale:
    """Shown value = ``factor`` x the stack's number, in ``unit``.

    ``unit`` is mathtext-ready label text (``"nm"``, ``r"$\\mu$eV"``,
    ``r"$10^{9}$ A/m$^2$"``); ``text`` is the same unit in plain ASCII for text
    reports (``"nm"``, ``"ueV"``, ``"1e9 A/m^2"``).  For a reduced stack
    ``factor == 1.0`` and ``unit == "reduced units"``.
    """

    factor: float
    unit: str
    text: str
    reduced: bool = False
    power: int = 0  # the unit is 10^power x base
    base: str = ""  # mathtext unit without the power of ten ("A/m$^2$")

    def __call__(self, values: ArrayLike) -> Any:
        """``values`` in the shown unit (a float for a float, an array otherwise)."""
        if isinstance(values, (int, float)):
            return float(values) * self.factor
        return np.asarray(values, dtype=float) * self.factor

    def label(self, text: str) -> str:
        """``"text (unit)"``: an axis label with its unit (``"... (reduced units)"`` when reduced)."""
        return f"{text} ({self.unit})"

    def quantity_label(self, text: str) -> str:
        """``"text (unit)"`` in SI; ``text`` alone when reduced (the labels figures have always had)."""
        return text if self.reduced else self.label(text)

    def value(self, value: float, digits: int = 3) -> str:
        """A stack's number as mathtext figure text with its unit, the power of ten folded in.

        SI: ``"$5.09\\times10^{9}$ A/m$^2$"``, ``"$1.5$ nm"``; reduced: ``"$1.5$"`` (the number alone).
        """
        shown = float(value) * self.factor * 10.0**self.power
        text = f"${tex_number(shown, digits)}$"
        return text if self.reduced else f"{text} {self.base or self.unit}"


def tex_number(value: float, digits: int = 3) -> str:
    """A number for mathtext: ``"12.5"``, ``"1.00\\times10^{11}"`` (no ``e+11``), ``"0"``."""
    return format_number(value, digits, notation="tex")


def _reduced(unit: str = REDUCED) -> Scale:
    return Scale(1.0, unit, unit, reduced=True)


def _largest(values: Any) -> float:
    """Largest finite |value| among ``values`` (a number, an array or a sequence of arrays); 0 if none."""
    if values is None:
        return 0.0
    if isinstance(values, (list, tuple)):
        return max((_largest(v) for v in values), default=0.0)
    array = np.abs(np.asarray(values, dtype=float))
    array = array[np.isfinite(array)]
    return float(array.max()) if array.size else 0.0


def energy_scale(largest_joules: float) -> Scale:
    """eV, meV, ueV or neV: the largest unit in which ``largest_joules`` (J) is at least 1 (as the summary)."""
    return _energy(largest_joules, QUANTITIES["accumulation"].to_unit)


def _energy(largest: float, to_ev: float) -> Scale:
    """The :func:`~spinstack.units.energy_unit` of ``largest`` x ``to_ev`` (eV), for numbers ``to_ev`` x eV."""
    text, tex, size = energy_unit(largest * to_ev)
    return Scale(to_ev / size, tex, text, base=tex)


def engineering_scale(largest_si: float, to_unit: float, unit: str, mathtext: str) -> Scale:
    """``to_unit`` x value in ``unit``, with a power 10^(3k) so that the largest value lies in [1, 1000)."""
    shown = abs(largest_si * to_unit)
    power = 3 * math.floor(math.log10(shown) / 3) if shown > 0 and math.isfinite(shown) else 0
    if power == 0:
        return Scale(to_unit, mathtext, unit, base=mathtext)
    return Scale(to_unit / 10.0**power, rf"$10^{{{power}}}$ {mathtext}", f"1e{power} {unit}", power=power,
                 base=mathtext)


def quantity_scale(entry: Quantity, largest: float = 0.0, to_unit: float | None = None) -> Scale:
    """How figures show SI numbers of the registry quantity ``entry`` (:data:`spinstack.units.QUANTITIES`):
    ``to_unit`` (default the entry's, from the stack's numbers; 1.0 for numbers already in the report unit)
    x value, in its readable unit (nm, fOhm m^2), in eV..neV or with a power 10^(3k) by ``largest`` (the
    largest |number| drawn, in the units of the numbers)."""
    factor = entry.to_unit if to_unit is None else to_unit
    if entry.scaling == "energy":
        return _energy(largest, factor)
    if entry.scaling == "engineering":
        return engineering_scale(largest, factor, entry.unit, entry.tex)
    if not entry.dimensional:
        return Scale(1.0, entry.unit, entry.unit)
    readable = entry.readable
    if readable is None:
        return Scale(factor, entry.tex, entry.unit, base=entry.tex)
    return Scale(factor * readable.factor, readable.tex, readable.text, base=readable.tex)


@dataclass(frozen=True)
class FigureUnits:
    """The scales of one stack's figures: :meth:`scale` per quantity, fixed ones as attributes.

    Build with :func:`figure_units`.
    """

    system: str

    @property
    def si(self) -> bool:
        return self.system == "SI"

    @property
    def length(self) -> Scale:
        """Positions, thicknesses, lead extents: nm (SI)."""
        return self.scale("length")

    @property
    def current(self) -> Scale:
        """The drive: j0 (reduced), the charge current density J = e j0 in A/m^2 (SI)."""
        return self.scale("current")

    def scale(self, quantity: str, *values: ArrayLike) -> Scale:
        """The scale of ``quantity`` (one of :data:`QUANTITIES_DRAWN`) for figures that draw ``values``.

        ``values`` are the stack's numbers that will be drawn (model units): in SI,
        energies, spin currents and torques pick their unit from the largest of them.
        """
        if quantity not in QUANTITIES_DRAWN:
            raise ValueError(f"quantity must be one of {', '.join(map(repr, QUANTITIES_DRAWN))}, got {quantity!r}")
        if not self.si:
            return _reduced()
        return quantity_scale(QUANTITIES[quantity], _largest(list(values)))

    def drive(self, j0: float) -> str:
        """The current as figure text: ``"particle current $j_0 = ...$"`` or ``"current density $J = ...$ A/m$^2$"``."""
        if not self.si:
            return rf"particle current $j_0 = {format_number(j0, 3, notation='short')}$"
        return rf"current density $J = {tex_number(self.current(j0))}$ A/m$^2$"


def figure_units(stack_or_solution: Any) -> FigureUnits:
    """The :class:`FigureUnits` of a stack (or of a solution's stack): reduced or SI."""
    stack = getattr(stack_or_solution, "stack", stack_or_solution)
    return FigureUnits("SI" if getattr(stack, "units", "reduced") == "SI" else "reduced")


# ------------------------------------------------------------------ parameter paths
def parameter_kind(path: str) -> str:
    """The registry quantity of the parameter at ``path`` (:attr:`~spinstack.model.paths.ParameterPath.quantity`):
    "angle", "length", "current", "conductivity", "dimensionless", "interface_conductance", "field", or "other"
    (a unit vector, an unknown path)."""
    return parse(path, strict=False).quantity or "other"


def parameter_scale(path: str, units: FigureUnits | str, *values: ArrayLike) -> Scale:
    """How values of the parameter ``path`` are shown: factor and unit.

    Reduced stacks: factor 1 (``unit`` "deg" for angles, "" for p, else "reduced units").
    SI stacks: lengths in nm, the current as J = e j0 in A/m^2, D as e^2 D in S/m and g as e^2 g in S/m^2
    (with a power of ten chosen from ``values``), angles in deg, p dimensionless (unit "").
    """
    system = units.system if isinstance(units, FigureUnits) else units
    entry = parse(path, strict=False).units_entry
    if entry is not None and not entry.dimensional:
        return Scale(1.0, entry.tex, entry.unit, reduced=system != "SI")
    if system != "SI":
        return _reduced()
    if entry is None:
        return Scale(1.0, "SI base units", "SI base units")
    return quantity_scale(entry, _largest(list(values)))


# ------------------------------------------------------------------ numbers stored with their unit
def stored_scale(units: str, *values: ArrayLike) -> Scale | None:
    """How figures show numbers stored in ``units``, the UDUNITS string of a sweep's SI variable or coordinate.

    ``values`` are the stored numbers that will be drawn.  A report unit of the registry
    (:data:`spinstack.units.QUANTITIES`: ``"m"``, ``"eV"``, ``"J m-2"``, ``"A m-2"``, ``"ohm m2"``, ...) is shown
    as the other figures show that quantity (nm; eV..neV and powers 10^(3k) by magnitude; fOhm m^2); the model
    units an SI sweep stores D and g in (``"J-1 s-1 m-1"``, ``"J-1 s-1 m-2"``) as e^2 D in S/m and e^2 g in
    S/m^2.  None for anything else (degrees, pure numbers, reduced units): draw the numbers as stored.
    """
    largest = _largest(list(values))
    for entry in QUANTITIES.values():
        if entry.dimensional and entry.udunits == units:
            return quantity_scale(entry, largest, to_unit=1.0)
    for entry in QUANTITIES.values():
        if entry.dimensional and entry.model_udunits == units and _unique_model_unit(units):
            return quantity_scale(entry, largest)
    return None


def _unique_model_unit(units: str) -> bool:
    """Whether one registry quantity alone holds its numbers in ``units`` (``"m-2 s-1"`` is j0, j_s and torque)."""
    return sum(entry.model_udunits == units for entry in QUANTITIES.values()) == 1
