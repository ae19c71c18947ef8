"""Units of the figures: what a plotted number means, for reduced and SI stacks (one place).

Every figure multiplies the stack's numbers by a :class:`Scale` factor and
names its unit in the axis label.  A stack in reduced units (``stack.units ==
"reduced"``) is drawn as it is: factor 1, unit ``"reduced units"``, labels as
they always were.  An SI stack (``stack.units == "SI"``, MODEL.md 7) holds
SI-base numbers (x in m, mu in J, spin currents as particle fluxes in
m^-2 s^-1); figures show them in readable units, with the conversions of
:data:`spinstack.si.REPORTS`:

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
:func:`parameter_kind`; :func:`parameter_scale` gives their scale (thicknesses and
spin diffusion lengths in nm, the current as J in A/m^2, D as the conductivity
e^2 D in S/m, angles in degrees, p dimensionless).

This module needs neither matplotlib nor pint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..si import REPORTS

__all__ = ["REDUCED", "FigureUnits", "Scale", "figure_units", "parameter_kind", "parameter_scale", "stored_scale"]

#: the unit of every quantity of a stack in reduced units
REDUCED = "reduced units"

QUANTITIES = ("length", "accumulation", "potential", "spin_current", "torque", "current")

_ENERGY_UNITS = (("eV", 1.0), ("meV", 1e-3), (r"$\mu$eV", 1e-6), ("neV", 1e-9))


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
    value = float(value)
    if value == 0.0 or not math.isfinite(value):
        return "0" if value == 0.0 else str(value)
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{max(digits - 1, 0)}e}".split("e")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


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
    to_ev = REPORTS["accumulation"].to_unit
    electron_volts = largest_joules * to_ev
    for unit, size in _ENERGY_UNITS:
        if electron_volts >= size:
            break
    text = unit.replace(r"$\mu$", "u")
    return Scale(to_ev / size, unit, text, base=unit)


def engineering_scale(largest_si: float, to_unit: float, unit: str, mathtext: str) -> Scale:
    """``to_unit`` x value in ``unit``, with a power 10^(3k) so that the largest value lies in [1, 1000)."""
    shown = abs(largest_si * to_unit)
    power = 3 * math.floor(math.log10(shown) / 3) if shown > 0 and math.isfinite(shown) else 0
    if power == 0:
        return Scale(to_unit, mathtext, unit, base=mathtext)
    return Scale(to_unit / 10.0**power, rf"$10^{{{power}}}$ {mathtext}", f"1e{power} {unit}", power=power,
                 base=mathtext)


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
        """The scale of ``quantity`` (one of :data:`QUANTITIES`) for figures that draw ``values``.

        ``values`` are the stack's numbers that will be drawn (model units): in SI,
        energies, spin currents and torques pick their unit from the largest of them.
        """
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {', '.join(map(repr, QUANTITIES))}, got {quantity!r}")
        if not self.si:
            return _reduced()
        largest = _largest(list(values))
        if quantity == "length":
            return Scale(REPORTS["length"].to_unit * 1e9, "nm", "nm", base="nm")
        if quantity in ("accumulation", "potential"):
            return energy_scale(largest)
        if quantity == "spin_current":
            return engineering_scale(largest, REPORTS["spin_current"].to_unit, "A/m^2", "A/m$^2$")
        if quantity == "torque":
            return engineering_scale(largest, REPORTS["torque"].to_unit, "J/m^2", "J/m$^2$")
        return Scale(REPORTS["current"].to_unit, "A/m$^2$", "A/m^2", base="A/m$^2$")

    def drive(self, j0: float) -> str:
        """The current as figure text: ``"particle current $j_0 = ...$"`` or ``"current density $J = ...$ A/m$^2$"``."""
        from .style import number

        if not self.si:
            return rf"particle current $j_0 = {number(j0)}$"
        return rf"current density $J = {tex_number(self.current(j0))}$ A/m$^2$"


def figure_units(stack_or_solution: Any) -> FigureUnits:
    """The :class:`FigureUnits` of a stack (or of a solution's stack): reduced or SI."""
    stack = getattr(stack_or_solution, "stack", stack_or_solution)
    return FigureUnits("SI" if getattr(stack, "units", "reduced") == "SI" else "reduced")


# ------------------------------------------------------------------ parameter paths
def parameter_kind(path: str) -> str:
    """What the parameter at ``path`` is: "angle", "length", "current", "conductivity", "dimensionless" or "other".

    ``theta`` (the sign maps' angle between m1 and m2) and ``...magnetization.theta`` /
    ``.phi`` are angles in degrees; ``layers[i].thickness`` and ``materials.NAME.l``
    (``.l_J``, ``.l_phi``) lengths; ``current`` the drive j0; ``materials.NAME.D`` (and
    ``.D_perp``) a conductance (per length); ``materials.NAME.p`` and ``.theta_SH`` dimensionless.
    """
    if path == "theta" or path.endswith(".theta") or path.endswith(".phi"):
        return "angle"
    if path == "current":
        return "current"
    material = path.startswith("materials.")
    # l_J, l_phi are lengths and D_perp a conductance like l and D (MODEL.md 8f): an SI stack holds
    # D_perp = sigma_perp/e^2, which shown as it is would be an internal number (~1e44)
    if path.endswith(".thickness") or (material and path.endswith((".l", ".l_J", ".l_phi"))):
        return "length"
    if material and path.endswith((".D", ".D_perp")):
        return "conductivity"
    if material and path.endswith((".p", ".theta_SH")):
        return "dimensionless"
    return "other"


def parameter_scale(path: str, units: FigureUnits | str, *values: ArrayLike) -> Scale:
    """How values of the parameter ``path`` are shown: factor and unit.

    Reduced stacks: factor 1 (``unit`` "deg" for angles, "" for p, else "reduced units").
    SI stacks: lengths in nm, the current as J = e j0 in A/m^2, D as e^2 D in S/m (with a
    power of ten chosen from ``values``), angles in deg, p dimensionless (unit "").
    """
    system = units.system if isinstance(units, FigureUnits) else units
    kind = parameter_kind(path)
    if kind == "angle":
        return Scale(1.0, "deg", "deg", reduced=system != "SI")
    if kind == "dimensionless":
        return Scale(1.0, "", "", reduced=system != "SI")
    if system != "SI":
        return _reduced()
    if kind == "other":
        return Scale(1.0, "SI base units", "SI base units")
    if kind == "length":
        return FigureUnits("SI").length
    if kind == "current":
        return FigureUnits("SI").current
    return engineering_scale(_largest(list(values)), REPORTS["conductivity"].to_unit, "S/m", "S/m")


# ------------------------------------------------------------------ numbers stored with their unit
def stored_scale(units: str, *values: ArrayLike) -> Scale | None:
    """How figures show numbers stored in ``units``, the UDUNITS string of a sweep's SI variable or coordinate.

    ``values`` are the stored numbers that will be drawn.  Lengths ``"m"`` in nm; ``"eV"`` in eV, meV,
    ueV or neV and ``"J m-2"``, ``"A m-2"`` with a power 10^(3k), by magnitude, as the other figures;
    ``"ohm m2"`` in fOhm m^2, as the summary; ``"J-1 s-1 m-1"`` (the model's D of an SI stack) as the
    conductivity e^2 D in S/m.  None for anything else (degrees, pure numbers, reduced units): draw the
    numbers as stored.
    """
    largest = _largest(list(values))
    if units == "m":
        return Scale(1e9, "nm", "nm", base="nm")
    if units == "eV":
        for unit, size in _ENERGY_UNITS:  # as energy_scale, for numbers already in eV
            if largest >= size:
                break
        return Scale(1.0 / size, unit, unit.replace(r"$\mu$", "u"), base=unit)
    if units == "J m-2":
        return engineering_scale(largest, 1.0, "J/m^2", "J/m$^2$")
    if units == "A m-2":
        return engineering_scale(largest, 1.0, "A/m^2", "A/m$^2$")
    if units == "ohm m2":
        return Scale(1e15, r"f$\Omega$ m$^2$", "fOhm m^2", base=r"f$\Omega$ m$^2$")
    if units == "J-1 s-1 m-1":
        return engineering_scale(largest, REPORTS["conductivity"].to_unit, "S/m", "S/m")
    return None
