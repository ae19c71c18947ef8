"""What a sweep stores: each variable's extra dimensions, units and description, and the units of the axes.

Units are UDUNITS strings (what NetCDF readers expect): ``"1"`` for pure numbers,
``"degree"`` for angles.  Reduced stacks (the seed's units, MODEL.md 7) report
``"reduced"``; SI stacks report the units of MODEL.md 7 (mu_s in eV, torque per
area in J m-2, resistance-area in ohm m2), converted by :mod:`spinstack.si`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.efficiencies import EFFICIENCIES as EFFICIENCY_NAMES
from ..errors import SpinstackError
from ..model import Stack
from ..model.paths import parse
from ..units import QUANTITIES

RESISTANCE_NAMES = ("resistance_area", "spin_resistance_area")
IN_PLANE_NAMES = ("tau_DL", "tau_FL", "smr_long", "smr_trans")


@dataclass(frozen=True)
class Variable:
    """One stored quantity.

    Attributes
    ----------
    name : variable name in the dataset
    dims : dimensions after the sweep's own (``("layer", "component")``, ...)
    long_name : a short label (axis and colour-bar labels)
    description : one sentence: what it is and its convention
    si_kind : key of :data:`spinstack.units.QUANTITIES` converting an SI stack's value (None: a pure number)
    reduced_units : units in reduced stacks
    """

    name: str
    dims: tuple[str, ...]
    long_name: str
    description: str
    si_kind: str | None
    reduced_units: str = "reduced"

    def units(self, system: str) -> str:
        """UDUNITS of the stored numbers: the registry's report unit (MODEL.md 7) or ``reduced_units``."""
        if self.si_kind is None:
            return "1"
        return QUANTITIES[self.si_kind].udunits if system == "SI" else self.reduced_units

_EFFICIENCY = "per unit current, seed eq. (1); F1 is the left ferromagnet; at 0 and 180 degrees the limits"
CATALOGUE: dict[str, Variable] = {
    "g1": Variable("g1", (), "efficiency g1 (damping-like)", "damping-like spin-transfer efficiency of F1: "
                   f"T1 = -j0 g1 m1 x (m2 x m1) + ..., {_EFFICIENCY}", None),
    "g2": Variable("g2", (), "efficiency g2 (damping-like)", "damping-like spin-transfer efficiency of F2: "
                   f"T2 = +j0 g2 m2 x (m1 x m2) + ..., {_EFFICIENCY}", None),
    "g1_field": Variable("g1_field", (), "efficiency g1 (field-like)", "field-like efficiency of F1: "
                         f"T1 = ... - j0 g1_field m1 x m2, {_EFFICIENCY}", None),
    "g2_field": Variable("g2_field", (), "efficiency g2 (field-like)", "field-like efficiency of F2: "
                         f"T2 = ... + j0 g2_field m2 x m1, {_EFFICIENCY}", None),
    "torque": Variable("torque", ("layer", "component"), "spin-transfer torque",
                       "spin-transfer torque on each layer: the transverse spin current deposited at its faces "
                       "(hbar/2 units in reduced stacks, per area in SI); zero in N layers", "torque"),
    "accumulation": Variable("accumulation", ("node", "component"), "spin accumulation",
                             "spin accumulation mu_s at each node (x_0 = left face of layer 0), magnetization "
                             "convention; at a resistive interface the value just left of it", "accumulation"),
    "resistance_area": Variable("resistance_area", (), "resistance-area product",
                                "total resistance-area product [mu_0(left) - mu_0(right)] / j0 (MODEL.md 4)",
                                "resistance_area"),
    "spin_resistance_area": Variable("spin_resistance_area", (), "spin resistance-area product",
                                     "the spin-accumulation part of resistance_area (MODEL.md 4)", "resistance_area"),
    "tau_DL": Variable("tau_DL", ("layer",), "damping-like torque",
                       "damping-like part of the torque on each F layer, torque = tau_DL m x (sigma_hat x m) + "
                       "tau_FL m x sigma_hat (MODEL.md 8f); 0 in N layers, NaN where m || sigma_hat", "torque"),
    "tau_FL": Variable("tau_FL", ("layer",), "field-like torque",
                       "field-like part of the torque on each F layer (MODEL.md 8f); 0 in N layers, NaN where "
                       "m || sigma_hat", "torque"),
    "smr_long": Variable("smr_long", (), "SMR (longitudinal)",
                         "spin Hall magnetoresistance Delta R / R of the whole stack, -delta I . eps_hat / |I0| "
                         "(MODEL.md 8c)", None),
    "smr_trans": Variable("smr_trans", (), "SMR (transverse)",
                          "transverse spin Hall magnetoresistance, -delta I . sigma_hat / |I0| (MODEL.md 8c)", None),
}


def problems(solution: object) -> dict[str, str]:
    """Why some variables are not defined for the sweep's stack: name -> reason."""
    found: dict[str, str] = {}
    for names, problem in ((EFFICIENCY_NAMES, solution.efficiency_problem),  # type: ignore[attr-defined]
                           (RESISTANCE_NAMES, solution.resistance_problem),  # type: ignore[attr-defined]
                           (IN_PLANE_NAMES, _in_plane_problem(solution))):
        if problem is not None:
            found.update(dict.fromkeys(names, problem))
    return found


def _in_plane_problem(solution: object) -> str | None:
    stack = solution.stack  # type: ignore[attr-defined]
    if not stack.has_field:
        return "no in-plane field"
    try:
        solution.sigma_hat  # type: ignore[attr-defined]
    except SpinstackError as error:
        return str(error)
    return None


def available(unavailable: dict[str, str]) -> tuple[str, ...]:
    """Every variable a stack offers (those without a problem)."""
    return tuple(name for name in CATALOGUE if name not in unavailable)


def select(requested: object, unavailable: dict[str, str]) -> tuple[str, ...]:
    """The variables to compute: all available ones, or the ``requested`` names (checked)."""
    offered = available(unavailable)
    if requested is None:
        return offered
    names = (requested,) if isinstance(requested, str) else tuple(requested)  # type: ignore[arg-type]
    if not names:
        raise SpinstackError("variables: ask for at least one variable")
    for name in names:
        if name in unavailable:
            raise SpinstackError(f"variables: {name} is not defined for this stack ({unavailable[name]})")
        if name not in CATALOGUE:
            raise SpinstackError(f"variables: unknown variable {name!r} (expected some of: {', '.join(offered)})")
    return tuple(dict.fromkeys(names))


def extra_shape(name: str, stack: Stack) -> tuple[int, ...]:
    """The shape of one configuration's value of ``name``."""
    sizes = {"layer": len(stack.layers), "node": len(stack.layers) + 1, "component": 3}
    return tuple(sizes[d] for d in CATALOGUE[name].dims)


# ------------------------------------------------------------------ axes
def axis_units(path: str, system: str) -> str:
    """Units of a swept parameter as the sweep takes it (:meth:`~spinstack.model.paths.ParameterPath.units`)."""
    return parse(path, strict=False).units(system)


def axis_long_name(path: str, stack: Stack) -> str:
    """A readable name for a swept parameter (``materials.F2.p`` -> ``polarization p of F2``)."""
    return parse(path, strict=False).long_name(stack.units, stack)
