"""Physical quantities with units: one shared pint registry and the checks every SI input goes through.

SI stack files and :mod:`spinstack.si` take quantities as strings with units
(``"4 nm"``, ``"5 nOhm*m"``, ``"0.5 fOhm*m^2"``, ``"1e11 A/m^2"``,
``"0.55e15 Ohm^-1*m^-2"``); :mod:`spinstack.si` also as plain numbers meaning SI
base units, or as pint Quantities.  (:func:`to_si` reads a plain number in SI base
units; SI files refuse a bare number for a quantity with a dimension before it
gets here, :mod:`spinstack.io.sifile`, since ``thickness = 3`` meant in nm would be
a 3 m layer.)  Parsing is pint's (https://pint.readthedocs.io); this module only
adds spellings people write that pint does not know (``Ohm`` capitalised, so
``nOhm``, ``fOhm``, ``uOhm`` with pint's own prefixes) as registry aliases, and
turns every failure into a :class:`~spinstack.StackError` that names the key
and the value::

    materials.Co.rho: expected a resistivity (e.g. "60 nOhm*m"), got "4 nm" (dimension [length])
    materials.Co.rho: expected a resistivity (e.g. "60 nOhm*m"), got "5 nOhmm": unknown unit "nOhmm"
    layers[0].thickness: must be > 0, got "-4 nm"

pint is imported, and the registry built, on first use only: reduced-unit work never pays for it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import StackError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["ELECTRON_CHARGE", "ELEMENTARY_CHARGE", "HBAR", "KINDS", "QUANTITIES", "REDUCED", "Kind", "Q_",
           "Quantity", "REPORTS", "Readable", "check_magnitude", "energy_unit", "format_number", "from_reduced",
           "is_quantity", "quantity", "registry", "report", "to_reduced", "to_si"]

# Spellings pint does not know, added as aliases of pint's own units (pint's
# prefixes then apply: nOhm, fOhm, uOhm, mOhm, ...).  Never a parser of our own.
_ALIASES = ("@alias ohm = Ohm = OHM",)


@lru_cache(maxsize=None)
def registry() -> "pint.UnitRegistry":
    """The one shared :class:`pint.UnitRegistry` of spinstack (built on first call)."""
    import pint

    units = pint.UnitRegistry()
    for definition in _ALIASES:
        units.define(definition)
    return units


def __getattr__(name: str) -> Any:
    # ``from spinstack.units import ureg`` builds the registry lazily (PEP 562)
    if name == "ureg":
        return registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def Q_(value: Any, unit: str | None = None) -> "pint.Quantity":  # noqa: N802 - pint's customary name
    """A Quantity of the shared registry: ``Q_("4 nm")`` or ``Q_(4, "nm")``."""
    return registry().Quantity(value, unit) if unit is not None else registry().Quantity(value)


def is_quantity(value: Any) -> bool:
    """Whether ``value`` is a pint Quantity (of any registry), without importing pint needlessly."""
    return type(value).__module__.startswith("pint") and hasattr(value, "magnitude") and hasattr(value, "units")


@dataclass(frozen=True)
class Kind:
    """What a quantity must be: its name in messages, its SI unit and an example as users write it."""

    what: str
    unit: str
    example: str


KINDS: dict[str, Kind] = {
    "length": Kind("a length", "m", "4 nm"),
    "resistivity": Kind("a resistivity", "ohm*m", "60 nOhm*m"),
    "conductivity": Kind("a conductivity", "S/m", "1.7e7 S/m"),
    "area_resistance": Kind("a resistance-area product", "ohm*m^2", "0.5 fOhm*m^2"),
    "area_conductance": Kind("a conductance per area", "S/m^2", "0.55e15 Ohm^-1*m^-2"),
    "current_density": Kind("a current density", "A/m^2", "1e11 A/m^2"),
    "dimensionless": Kind("a dimensionless number", "", "0.46"),
    "temperature": Kind("a temperature", "K", "4.2 K"),
    "energy": Kind("an energy", "J", "1.5 ueV"),
    "energy_per_area": Kind("an energy per area", "J/m^2", "2e-5 J/m^2"),
    "electric_field": Kind("an electric field", "V/m", "2e4 V/m"),
    "sheet_current": Kind("a current per width", "A/m", "0.5 A/m"),
    "angle": Kind("an angle", "deg", "30 deg"),
    # magnetization dynamics (MODEL.md 9)
    "magnetization": Kind("a magnetization", "A/m", "8e5 A/m"),
    "energy_density": Kind("an energy density", "J/m^3", "2 kJ/m^3"),
    "gyromagnetic_ratio": Kind("a gyromagnetic ratio", "rad/(s*T)", "1.76e11 rad/(s*T)"),
    "magnetic_field": Kind("a magnetic field mu0 H", "T", "5 mT"),
    "time": Kind("a time", "s", "10 ns"),
    "area": Kind("an area", "m^2", "5000 nm^2"),
}


# ------------------------------------------------------------------ the quantities spinstack reports
ELEMENTARY_CHARGE = 1.602176634e-19
"""|e| in C (exact in the SI since 2019)."""

ELECTRON_CHARGE = -ELEMENTARY_CHARGE
"""e of MODEL.md 7: the electron's charge, negative."""

HBAR = 6.62607015e-34 / (2.0 * math.pi)
"""Reduced Planck constant hbar = h / 2 pi in J s (h exact in the SI since 2019)."""

#: the unit of every dimensioned number of a stack in reduced units (MODEL.md 7)
REDUCED = "reduced"


@dataclass(frozen=True)
class Readable:
    """A fixed unit people read more easily than the report unit: ``factor`` x the report value, in ``text``
    (plain ASCII, ``"nm"``) or ``tex`` (mathtext, ``r"f$\\Omega$ m$^2$"``)."""

    text: str
    tex: str
    factor: float


@dataclass(frozen=True)
class Quantity:
    """One quantity spinstack reports: its name, symbol and units, and how an SI stack's number converts.

    An SI stack holds SI base numbers in the reduced model (MODEL.md 7: D = 1/(e^2 rho*), j0 = J/e,
    g = G/e^2, ...); its reported value is ``to_unit`` x that number, in ``unit``.  A reduced stack's
    numbers are reported as they are, in :data:`REDUCED` units (angles and pure numbers have one unit in
    both systems: ``dimensional`` is False).

    Attributes
    ----------
    name : key in :data:`QUANTITIES` (``"torque"``)
    long_name : what it is, in words (``"spin-transfer torque"``)
    symbol : mathtext symbol of the reduced number (``r"j_s"``)
    si_symbol : mathtext symbol of the reported SI value (``r"|e|\\,j_s"``: the spin current as a charge flux)
    dimension : key of :data:`KINDS`: the dimension of the SI value (what :func:`to_si` checks)
    to_base : SI base value = ``to_base`` x the stack's number
    unit : the report unit as pint reads it and texts show it (``"J/m^2"``)
    to_unit : reported value = ``to_unit`` x the stack's number
    udunits : the report unit in UDUNITS (``"J m-2"``; NetCDF, sweeps)
    tex : the report unit in mathtext (``"J/m$^2$"``)
    model_udunits : UDUNITS of the stack's own SI base number (``"J-1 s-1 m-1"`` for D)
    scaling : how texts and figures show it: ``"fixed"`` (in ``readable``, else ``unit``), ``"energy"``
        (eV, meV, ueV or neV by magnitude) or ``"engineering"`` (``unit`` times 10^(3k) by magnitude)
    readable : the fixed unit shown instead of the report unit (nm, fOhm m^2); None: the report unit
    dimensional : False for angles and pure numbers (the same unit in reduced and SI stacks)
    """

    name: str
    long_name: str
    symbol: str
    si_symbol: str
    dimension: str
    to_base: float
    unit: str
    to_unit: float
    udunits: str
    tex: str
    model_udunits: str
    scaling: str = "fixed"
    readable: Readable | None = None
    dimensional: bool = True

    def units(self, system: str, spelling: str = "unit") -> str:
        """The unit of the reported numbers of a stack in ``system`` (``"SI"`` or ``"reduced"``), spelled as
        ``spelling`` says: ``"unit"`` (``"J/m^2"``), ``"udunits"`` (``"J m-2"``) or ``"tex"``."""
        if self.dimensional and system != "SI":
            return REDUCED
        return getattr(self, spelling)

    def factor(self, system: str) -> float:
        """Reported value / the stack's number: ``to_unit`` for an SI stack, 1 for a reduced one."""
        return self.to_unit if system == "SI" and self.dimensional else 1.0

    @property
    def shown_text(self) -> str:
        """The unit texts show at a fixed scale (``"nm"``, ``"fOhm m^2"``, ``"A/m^2"``)."""
        return self.readable.text if self.readable else self.unit

    @property
    def shown_tex(self) -> str:
        """:attr:`shown_text` in mathtext."""
        return self.readable.tex if self.readable else self.tex

    @property
    def shown_factor(self) -> float:
        """The value shown in :attr:`shown_text` / the stack's number (SI)."""
        return self.to_unit * (self.readable.factor if self.readable else 1.0)


_E2 = ELEMENTARY_CHARGE**2

#: every reported quantity of MODEL.md 7, by name: the one table sweeps, JSON, texts, figures and the app use
QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    # x and thicknesses: metres already; shown in nm
    Quantity("length", "length", "x", "x", "length", 1.0, "m", 1.0, "m", "m", "m",
             readable=Readable("nm", "nm", 1e9)),
    # mu_s, mu_0: J in the model, reported in eV (mu / |e|)
    Quantity("accumulation", "spin accumulation", r"\mu_s", r"\mu_s", "energy", 1.0, "eV", 1.0 / ELEMENTARY_CHARGE,
             "eV", "eV", "J", scaling="energy"),
    Quantity("potential", "electrochemical potential", r"\mu_0", r"\mu_0", "energy", 1.0, "eV",
             1.0 / ELEMENTARY_CHARGE, "eV", "eV", "J", scaling="energy"),
    # j_s is a particle flux (1/(m^2 s)); reported as |e| j_s in A/m^2
    Quantity("spin_current", "spin current", r"j_s", r"|e|\,j_s", "current_density", ELEMENTARY_CHARGE, "A/m^2",
             ELEMENTARY_CHARGE, "A m-2", "A/m$^2$", "m-2 s-1", scaling="engineering"),
    # torque: deposited spin current (particle flux) times hbar/2, J/m^2
    Quantity("torque", "spin-transfer torque", r"\tau", r"\tau", "energy_per_area", HBAR / 2.0, "J/m^2", HBAR / 2.0,
             "J m-2", "J/m$^2$", "m-2 s-1", scaling="engineering"),
    # r = (mu_0L - mu_0R)/j0 = e^2 (V_L - V_R)/J: RA = r / e^2 in Ohm m^2; shown in fOhm m^2
    Quantity("resistance_area", "resistance-area product", "r", "RA", "area_resistance", 1.0 / _E2, "ohm*m^2",
             1.0 / _E2, "ohm m2", r"$\Omega$ m$^2$", "J s m2",
             readable=Readable("fOhm m^2", r"f$\Omega$ m$^2$", 1e15)),
    # j0 = J/e: J = e j0 in A/m^2 (J > 0: conventional current along +x, electrons along -x)
    Quantity("current", "current", "j_0", "J", "current_density", ELECTRON_CHARGE, "A/m^2", ELECTRON_CHARGE,
             "A m-2", "A/m$^2$", "m-2 s-1"),
    # D = 1/(e^2 rho*): e^2 D = 1/rho* in S/m
    Quantity("conductivity", "conductance", "D", "e^2 D", "conductivity", _E2, "S/m", _E2, "S m-1", "S/m",
             "J-1 s-1 m-1", scaling="engineering"),
    # g = G/e^2: e^2 g in S/m^2 (interface and mixing conductances per area)
    # (texts spell it as SI stack files do, Ohm^-1 m^-2)
    Quantity("interface_conductance", "conductance per area", "g", "G", "area_conductance", _E2, "S/m^2", _E2,
             "S m-2", "S/m$^2$", "J-1 s-1 m-2", scaling="engineering",
             readable=Readable("Ohm^-1 m^-2", r"$\Omega^{-1}$ m$^{-2}$", 1.0)),
    # the in-plane field eps = e E (J/m): E = eps / e in V/m (MODEL.md 8a)
    Quantity("field", "in-plane field", r"\varepsilon", "E", "electric_field", 1.0 / ELECTRON_CHARGE, "V/m",
             1.0 / ELECTRON_CHARGE, "V m-1", "V/m", "J m-1"),
    # in-plane particle current per width (sum of sigma d eps): e x it, conventional current per width, A/m
    Quantity("sheet_current", "in-plane current per width", "I", "I", "sheet_current", ELECTRON_CHARGE, "A/m",
             ELECTRON_CHARGE, "A m-1", "A/m", "m-1 s-1"),
    # magnetization dynamics (MODEL.md 9): SI only, the stack holds the SI numbers themselves
    Quantity("magnetization", "saturation magnetization", "M_s", "M_s", "magnetization", 1.0, "A/m", 1.0, "A m-1",
             "A/m", "A m-1", scaling="engineering"),
    Quantity("anisotropy", "uniaxial anisotropy energy density", "K_u", "K_u", "energy_density", 1.0, "J/m^3", 1.0,
             "J m-3", "J/m$^3$", "J m-3", scaling="engineering"),
    Quantity("gyromagnetic_ratio", "gyromagnetic ratio", r"\gamma", r"\gamma", "gyromagnetic_ratio", 1.0,
             "rad/(s*T)", 1.0, "rad s-1 T-1", "rad/(s T)", "rad s-1 T-1"),
    Quantity("magnetic_field", "applied field", "B", r"\mu_0 H", "magnetic_field", 1.0, "T", 1.0, "T", "T", "T",
             readable=Readable("mT", "mT", 1e3)),
    Quantity("temperature", "temperature", "T", "T", "temperature", 1.0, "K", 1.0, "K", "K", "K"),
    Quantity("area", "area", "A", "A", "area", 1.0, "m^2", 1.0, "m2", "m$^2$", "m2",
             readable=Readable("nm^2", "nm$^2$", 1e18)),
    Quantity("time", "time", "t", "t", "time", 1.0, "s", 1.0, "s", "s", "s", readable=Readable("ns", "ns", 1e9)),
    Quantity("exchange", "interlayer exchange energy per area", r"J_\mathrm{ex}", r"J_\mathrm{ex}", "energy_per_area",
             1.0, "J/m^2", 1.0, "J m-2", "J/m$^2$", "J m-2", scaling="engineering"),
    # angles in degrees and pure numbers (p, theta_SH, g1, g2, SMR): the same in both systems
    Quantity("angle", "angle", r"\theta", r"\theta", "angle", 1.0, "deg", 1.0, "degree", "deg", "degree",
             dimensional=False),
    Quantity("dimensionless", "pure number", "", "", "dimensionless", 1.0, "", 1.0, "1", "", "1",
             dimensional=False),
)}


def quantity(name: str) -> Quantity:
    """The :class:`Quantity` called ``name`` (a key of :data:`QUANTITIES`)."""
    if name not in QUANTITIES:
        raise KeyError(f"unknown quantity {name!r}; expected one of: {', '.join(QUANTITIES)}")
    return QUANTITIES[name]


#: the kinds :func:`report`, :func:`from_reduced` and :func:`to_reduced` convert: the dimensioned quantities of
#: :data:`QUANTITIES` (MODEL.md 7) with ``si_base = to_base * model_value`` and ``report = to_unit * model_value``
REPORTS: dict[str, Quantity] = {name: entry for name, entry in QUANTITIES.items()
                                if entry.dimensional and name != "potential"}


def _report_kind(kind: str) -> Quantity:
    if kind not in REPORTS:
        raise KeyError(f"unknown kind {kind!r}; expected one of: {', '.join(REPORTS)}")
    return REPORTS[kind]


def report(value: Any, kind: str) -> np.ndarray:
    """A model value of an SI stack (``solution.reduced.torque``, ...) as a plain array in the report unit
    ``REPORTS[kind].unit``: ``REPORTS[kind].to_unit`` times it.  This is how an SI stack's
    :class:`~spinstack.Solution`, ``spinstack solve --json``, sweeps and the figures convert."""
    return np.asarray(value, dtype=float) * _report_kind(kind).to_unit


def from_reduced(value: Any, kind: str) -> "pint.Quantity":
    """A model value of an SI stack (``solution.reduced.accumulation``, ...) as a pint Quantity in its report unit.

    The public properties of an SI stack's :class:`~spinstack.Solution` are already in these
    units (``solution.accumulation`` is ``report(solution.reduced.accumulation, "accumulation")``).

    ``kind`` is a key of :data:`REPORTS`: ``"accumulation"`` (eV), ``"spin_current"``
    (|e| j_s, A/m^2), ``"torque"`` ((hbar/2) x deposited spin current, J/m^2),
    ``"resistance_area"`` (Ohm m^2), ``"current"`` (J = e j0, A/m^2), ``"length"`` (m),
    ``"conductivity"`` (e^2 D, S/m), ``"interface_conductance"`` (e^2 g, S/m^2), ``"field"`` (E = eps/e,
    V/m), ``"sheet_current"`` (A/m).
    """
    return Q_(report(value, kind), _report_kind(kind).unit)


def to_reduced(value: Any, kind: str) -> np.ndarray:
    """The inverse of :func:`from_reduced`: a quantity (string, Quantity, or number in SI base units)
    as the number an SI stack holds."""
    entry = _report_kind(kind)
    return to_si(value, entry.dimension, kind) / entry.to_base


#: the energy units texts and figures choose from, largest first, as (text, mathtext, size in eV)
ENERGY_UNITS = (("eV", "eV", 1.0), ("meV", "meV", 1e-3), ("ueV", r"$\mu$eV", 1e-6), ("neV", "neV", 1e-9))


def energy_unit(largest_ev: float) -> tuple[str, str, float]:
    """eV, meV, ueV or neV: the largest unit in which ``largest_ev`` (eV) is at least 1 (neV below 1 neV), as
    (text, mathtext, size in eV)."""
    for unit in ENERGY_UNITS:
        if largest_ev >= unit[2]:
            return unit
    return ENERGY_UNITS[-1]


def format_number(value: float, digits: int = 6, *, notation: str = "general") -> str:
    """A number as texts show it; -0.0 is ``"0"``, NaN and infinities ``"nan"``, ``"inf"``.

    Parameters
    ----------
    value
        The number.
    digits
        Significant digits.
    notation
        ``"general"``: Python's ``g`` (the text reports: ``"0.0001"``, ``"1e+06"``); ``"short"``: ``g`` from
        1e-3 to 1e4, ``"1.23e+05"`` outside (figure annotations); ``"tex"``: as ``"short"`` with the power of
        ten in mathtext, ``"1.23\\times10^{5}"`` (no ``e+05`` in a figure).
    """
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if notation == "general" or not math.isfinite(value) or value == 0.0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{max(digits - 1, 1)}e}".split("e")
    if notation == "tex":
        return rf"{mantissa}\times10^{{{int(exponent)}}}"
    return f"{mantissa}e{exponent}"


def to_si(value: Any, kind: str, path: str, *, sign: str = "finite", allow_inf: bool = False,
          bounds: tuple[float, float] | None = None, magnitude: tuple[float, float] | None = None) -> np.ndarray:
    """A quantity as a float array in SI base units, checked.

    Parameters
    ----------
    value
        A string with a unit (``"60 nOhm*m"``), a plain number or numpy array in SI
        base units, or a pint Quantity (scalar or array magnitude).  ``"inf"`` is
        accepted where ``allow_inf``.
    kind
        A key of :data:`KINDS`: the dimension the value must have.
    path
        Where the value lives (``"materials.Co.rho"``); starts every error message.
    sign
        ``"finite"`` (any finite value), ``"positive"`` (> 0) or ``"nonnegative"`` (>= 0).
    allow_inf
        Let ``+inf`` through (spin diffusion lengths: no spin flip).
    bounds
        ``(low, high)``: the value must lie strictly between them.
    magnitude
        ``(low, high)`` in the SI unit of ``kind``: a finite non-zero value must have a size
        between them (:func:`check_magnitude`; the sizes whose converted model number the
        solve can hold).

    Returns
    -------
    numpy.ndarray
        Float array (0-d for a scalar) in the SI unit of ``kind``.

    Raises
    ------
    StackError
        Wrong dimension, unknown unit, not a quantity, NaN, infinite, out of range;
        the message names ``path`` and shows ``value`` as it was given.
    """
    target = KINDS[kind]
    expected = f"expected {target.what} (e.g. {json.dumps(target.example)})"
    if isinstance(value, str):
        if allow_inf and value.strip() in ("inf", "+inf"):
            return np.asarray(math.inf)
        quantity = _parse(value, path, expected)
        array = _converted(quantity, target, path, expected, value)
    elif is_quantity(value):
        array = _converted(_own(value, path, expected), target, path, expected, value)
    else:
        array = _plain(value, path, expected)
    array = _checked(array, value, path, sign=sign, allow_inf=allow_inf, bounds=bounds, unit=target.unit)
    if magnitude is not None:
        check_magnitude(array, value, kind, path, magnitude)
    return array


def check_magnitude(array: np.ndarray, original: Any, kind: str, path: str, magnitude: tuple[Any, Any]) -> None:
    """Refuse a finite non-zero value of ``array`` (SI units of ``kind``) whose size is outside ``magnitude``.

    The solver's checks (:data:`spinstack.model.checks.SMALLEST`, ``LARGEST``) see the converted
    model number (an SI stack holds D = 1/(e^2 rho), g = G/e^2, ...), which is not what the user
    wrote: the caller gives the SI sizes that convert into the solver's range, and this refusal
    quotes ``original`` as given and the range in its unit (``"1e-200 fOhm*m^2"``: "must lie between
    3.89564e-98 and 3.89564e+202 fOhm*m^2 in magnitude").  ``low`` and ``high`` may be arrays (a
    batch): the narrowest range is stated and applied.
    """
    low, high = float(np.max(magnitude[0])), float(np.min(magnitude[1]))
    size = np.abs(array)
    bad = np.isfinite(size) & (size != 0) & ((size < low) | (size > high))
    if bad.any():
        unit = KINDS[kind].unit
        span = _in_unit_of(original, (low, high), unit)
        raise StackError(path, f"must lie between {span} in magnitude (converted for the solve, it would leave "
                               f"the range double precision can multiply), got {_describe(original, array, bad, unit)}")


def _in_unit_of(original: Any, span: tuple[float, float], unit: str) -> str:
    """``low and high unit``: in the unit ``original`` was written in ("1e-200 fOhm*m^2": fOhm*m^2), else in ``unit``."""
    low, high = span
    written = _written_unit(original)
    if written and len(written) <= 30:  # a message quotes a unit, it does not copy a long expression
        try:
            per = registry().Quantity(1.0, unit) / registry().Quantity("1 " + written)
            factor = float(per.to("").magnitude)
            return f"{low * factor:.6g} and {high * factor:.6g} {written}"
        except Exception:  # an odd spelling pint took in the value but not alone: fall back to SI base units
            pass
    return f"{low:.6g} and {high:.6g}" + (f" {unit}" if unit else "")


def _written_unit(original: Any) -> str:
    """The unit part of a quantity as written ("fOhm*m^2" of "1e-200 fOhm*m^2"), "" for a plain number."""
    if isinstance(original, str):
        number = re.match(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", original)
        return original[number.end():].strip() if number else ""
    if is_quantity(original):
        return f"{original.units:~}"
    return ""


# ------------------------------------------------------------------ parsing
def _parse(text: str, path: str, expected: str) -> "pint.Quantity":
    import pint

    shown = _show(text)
    if not text.strip():
        raise StackError(path, f"{expected}, got {shown}")
    try:
        quantity = registry().Quantity(text)
    except pint.UndefinedUnitError as error:
        names = ", ".join(json.dumps(str(name)) for name in _undefined(error))
        raise StackError(path, f"{expected}, got {shown}: unknown unit {names}") from None
    except Exception:  # pint's tokenizer and evaluator raise many kinds, none of them meant for users
        raise StackError(path, f"{expected}, got {shown}: not a number with a unit") from None
    if not is_quantity(quantity):  # "2" alone parses to a plain number
        quantity = registry().Quantity(quantity)
    return quantity


def _undefined(error: Exception) -> list[str]:
    names = getattr(error, "unit_names", None) or getattr(error, "args", ())
    if isinstance(names, str):
        names = [names]
    return [str(name) for name in names] or [str(error)]


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _own(quantity: Any, path: str, expected: str) -> "pint.Quantity":
    """A Quantity of the shared registry (pint refuses to mix registries)."""
    units = registry()
    if getattr(quantity, "_REGISTRY", None) is units:
        return quantity
    try:
        return units.Quantity(quantity.magnitude, str(quantity.units))
    except Exception as error:
        raise StackError(path, f"{expected}, got {_show(quantity)}: {_reason(error)}") from None


def _converted(quantity: "pint.Quantity", target: Kind, path: str, expected: str, original: Any) -> np.ndarray:
    units = registry()
    wanted = units.Quantity(1, target.unit).dimensionality if target.unit else units.Quantity(1).dimensionality
    if quantity.dimensionality != wanted:
        dimension = str(quantity.dimensionality)
        dimension = "dimensionless, a plain number" if dimension == "dimensionless" else f"dimension {dimension}"
        raise StackError(path, f"{expected}, got {_show(original)} ({dimension})")
    power = _power_of_ten(str(quantity.units), target.unit)
    magnitude = _shifted(quantity.magnitude, power) if power else None
    if magnitude is None:  # any other factor (or an offset, degC -> K): pint's float arithmetic
        magnitude = quantity.m_as(target.unit) if target.unit else quantity.m_as("")
    return _plain(magnitude, path, expected, original)


@lru_cache(maxsize=256)
def _power_of_ten(unit: str, target: str) -> int | None:
    """``k`` when ``unit`` converts into ``target`` (SI base units) by the factor 10^k exactly, else None.

    SI prefixes (``ns``, ``nOhm*m``, ``kA/m``, ``fOhm*m^2``, ``%``) convert by a power of ten; pint
    builds the factor as a float product of the prefixes' floats (``nm^2``: 1e-9 * 1e-9), so a power of
    ten reaches it within a few units in the last place, and anything farther is not one (``Oe``,
    ``eV``, ``inch``).  An offset (``degC`` -> K) is never a factor.
    """
    units = registry()
    try:
        one = float(units.Quantity(1.0, unit).m_as(target))
        zero = float(units.Quantity(0.0, unit).m_as(target))
    except Exception:  # let the general conversion say what is wrong
        return None
    if zero != 0.0 or not (math.isfinite(one) and one > 0.0):
        return None
    k = round(math.log10(one))
    power = float(Decimal(1).scaleb(k))
    return k if abs(one - power) <= 1e-13 * power else None


def _shifted(magnitude: Any, k: int) -> np.ndarray | None:
    """``magnitude * 10^k`` correctly rounded: each number's decimal value (the shortest text that reads
    back as the same float: ``0.2`` for 0.2) with its exponent moved by ``k`` exactly, then read as a float.

    The float product is not correctly rounded (0.2 ns: 0.2 * 1e-9 = 2.0000000000000003e-10, not
    2e-10, the float nearest the 0.2e-9 the file says).  None for magnitudes that are no real numbers
    (the general conversion then refuses them as before).
    """
    values = np.asarray(magnitude)
    if values.dtype.kind not in "iuf":
        return None
    whole = values.dtype.kind in "iu"
    shifted = [float(Decimal(int(v) if whole else repr(float(v))).scaleb(k)) for v in values.reshape(-1)]
    return np.array(shifted, dtype=float).reshape(values.shape)


def _plain(value: Any, path: str, expected: str, original: Any = None) -> np.ndarray:
    shown = _show(value if original is None else original)
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise StackError(path, f"{expected}, got {shown}")
    try:
        array = np.asarray(value)
    except Exception:
        raise StackError(path, f"{expected}, got {shown}") from None
    if array.dtype == object or array.dtype.kind not in "iuf":
        raise StackError(path, f"{expected}, got {shown}")
    try:
        return array.astype(float)
    except OverflowError:  # pragma: no cover - huge Python integers
        raise StackError(path, f"must be finite, got {shown}") from None


def _checked(array: np.ndarray, original: Any, path: str, *, sign: str, allow_inf: bool,
             bounds: tuple[float, float] | None, unit: str) -> np.ndarray:
    def fail(condition: np.ndarray, rule: str) -> None:
        if condition.any():
            raise StackError(path, f"{rule}, got {_describe(original, array, condition, unit)}")

    fail(np.isnan(array), "must be a number")
    if allow_inf:
        fail(np.isneginf(array), "must be > 0" if sign == "positive" else "must not be -inf")
    else:
        fail(np.isinf(array), "must be finite")
    if sign == "positive":
        fail(~(array > 0), "must be > 0")
    elif sign == "nonnegative":
        fail(~(array >= 0), "must be >= 0")
    if bounds is not None:
        low, high = bounds
        fail(~((array > low) & (array < high)), f"must lie strictly between {low:g} and {high:g}")
    return array


def _describe(original: Any, array: np.ndarray, bad: np.ndarray, unit: str) -> str:
    """The value as given for a scalar; the first bad element (in SI) and its index for an array."""
    if array.ndim == 0:
        return _show(original) if not isinstance(original, (int, float)) else repr(float(original))
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    shown = repr(float(array[index])) + (f" {unit}" if unit else "")
    return f"{shown} at index {index}"


def _show(value: Any) -> str:
    """A value as the user wrote it: strings quoted, Quantities with their unit, shortened."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif is_quantity(value):
        text = json.dumps(f"{value.magnitude!r} {value.units:~}" if np.ndim(value.magnitude) == 0 else str(value),
                          ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
