"""The explorer's numbers and its plain-words status line, from a solution (no web framework here).

Conventions (seed eq. 1, README): T1 = -j0 g1 m1 x (m2 x m1), T2 = +j0 g2 m2 x (m1 x m2).
So with j0 g2 > 0 the torque turns m2 towards m1, and with j0 g1 > 0 it turns m1 away
from m2 (the usual spin-valve picture for electrons flowing from F1 to F2).  The words
below are read off the torques themselves, so they hold for either sign of the current.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..solution import Solution
from ..units import format_number as _format

# |sin theta| below this counts as collinear: the torque vanishes and only g's sign is told
_COLLINEAR = 1e-9
# F2: a g smaller than this times max(|g1|, |g2|, 1) is round-off, shown as 0 and told as no torque.  g is a
# ratio of torques the elimination computes from terms of order max|g| (or of order 1: g is a dimensionless
# efficiency, typically 0.01-1), each with a relative error of a few machine epsilons (2.2e-16) times the
# conditioning of the stack's solve (up to ~1e3 for the stacks of examples/); the noise seen was 7.4e-17
# (seed-fnf, G_mix = 0 at F1: g1 is exactly 0) and 3.6e-15 (co-cu-py, G_mix = 1-5 Ohm^-1 m^-2 against its
# 5e14).  1e-12 sits well above that noise and far below any g a torque measurement resolves (1e-12 of the
# other layer's torque)
_ROUND_OFF = 1e-12


@dataclass(frozen=True)
class Readout:
    """What the explorer shows in numbers.

    Attributes
    ----------
    theta : angle between m1 and m2 in degrees (NaN unless exactly two F layers)
    g1, g2 : efficiencies at that angle (NaN unless defined)
    torques : |T| on every F layer, hbar/2 units, in F order
    resistance_area : total resistance-area product (reduced units)
    status : the plain-words status line
    """

    theta: float
    g1: float
    g2: float
    torques: tuple[float, ...]
    resistance_area: float
    status: str


def _sign(value: float) -> str:
    return "> 0" if value > 0 else "< 0" if value < 0 else "= 0"


def _current_name(solution: Solution) -> str:
    """The current as the page's user writes it: J (conventional, A/m^2) for an SI stack, j0 for a reduced one."""
    return "J" if solution.stack.units == "SI" else "j0"


def _flow(solution: Solution) -> str:
    """Which way the current goes, in the user's convention (MODEL.md 7), as a parenthesis ("" for the default).

    Reduced: j0 is the electrons' flux, +x (F1 -> F2) is the default and only the flow against x is said.
    SI: the file's J is a conventional current (J = e j0, e < 0), so J > 0 is said as such, with the way
    the electrons flow (against J): "reversed" or a bare "F2 to F1" would misname the file's own current.
    """
    j0 = float(solution.current)
    electrons = "from F2 to F1" if j0 < 0 else "from F1 to F2"
    if solution.stack.units == "SI":
        return f" (J {'>' if j0 < 0 else '<'} 0: electrons flowing {electrons})"
    return f" (electrons flowing {electrons})" if j0 < 0 else ""


def _no_current(solution: Solution) -> str:
    return f"{_current_name(solution)} = 0: no current, no spin-transfer torque"


def _two_f_status(solution: Solution, theta: float, g1: float, g2: float) -> str:
    j0 = float(solution.current)
    if j0 == 0.0:
        return _no_current(solution)
    reversed_ = _flow(solution)
    if abs(np.sin(np.deg2rad(theta))) < _COLLINEAR:
        # no torque at 0 or 180 degrees; g's sign tells where a small tilt of F2 goes
        if g2 == 0.0:
            return (f"m1 and m2 collinear (theta = {theta:.0f} deg): no torque; g2 = 0: a slightly tilted F2 would "
                    f"feel no spin-transfer torque either{reversed_}")
        where = "back towards" if j0 * g2 > 0 else "further away from"
        return (f"m1 and m2 collinear (theta = {theta:.0f} deg): no torque; g2 {_sign(g2)}: a slightly "
                f"tilted F2 would be turned {where} F1{reversed_}")
    # T2 = +j0 g2 (m1 - (m1.m2) m2) and T1 = -j0 g1 (m2 - (m1.m2) m1): read the words off j0 g
    f2 = ("pulls F2 towards F1" if j0 * g2 > 0 else "pushes F2 away from F1" if j0 * g2 < 0
          else "exerts no torque on F2")
    f1 = ("pushes F1 away from F2" if j0 * g1 > 0 else "pulls F1 towards F2" if j0 * g1 < 0
          else "exerts no torque on F1")
    return f"g2 {_sign(g2)}: the current{reversed_} {f2}; g1 {_sign(g1)}: it {f1}"


def _many_f_status(solution: Solution, torques: tuple[float, ...]) -> str:
    count = len(torques)
    if count == 0:
        return "no F layer inside the stack: no spin-transfer torque on a layer to show"
    if float(solution.current) == 0.0:
        return _no_current(solution)
    if max(torques) <= _COLLINEAR * max(float(np.abs(solution.deposit).max()), 1e-300):
        return ("all magnetizations collinear (or only one): no spin-transfer torque; "
                "tilt one against another to see it")
    largest = int(np.argmax(torques))
    listing = ", ".join(f"F{i + 1} {t:.3g}" for i, t in enumerate(torques))
    return (f"{count} F layer{'s' if count > 1 else ''} (g1, g2 need exactly two): torque |T| on {listing}; "
            f"the largest turns F{largest + 1}")


def _without_round_off(g1: float, g2: float) -> tuple[float, float]:
    """``g1, g2`` with a value that is zero to round-off (below :data:`_ROUND_OFF` of the larger |g| or of 1) made
    exactly 0: shown as 0 and told as no torque, never as a sign (-7.4e-17 read "pulls F1 towards F2")."""
    scale = max(abs(g1), abs(g2), 1.0)
    return tuple(0.0 if abs(g) < _ROUND_OFF * scale else g for g in (g1, g2))  # type: ignore[return-value]


def readout(solution: Solution) -> Readout:
    """The numbers and the status line of a single-configuration solution (model numbers: the page converts)."""
    solution = solution.reduced
    indices = solution.stack.ferromagnet_indices
    torques = tuple(float(np.linalg.norm(solution.torque[i])) for i in indices)
    resistance = float(solution.resistance_area)
    if solution.efficiency_problem is None:
        values = solution.efficiency()
        theta = float(np.rad2deg(values.theta))
        g1, g2 = _without_round_off(float(np.real(values.g1)), float(np.real(values.g2)))
        return Readout(theta, g1, g2, torques, resistance, _two_f_status(solution, theta, g1, g2))
    nan = float("nan")
    return Readout(nan, nan, nan, torques, resistance, _many_f_status(solution, torques))


@dataclass(frozen=True)
class InPlaneReadout:
    """What the explorer shows in numbers for a stack driven in plane (MODEL.md 8).

    Attributes
    ----------
    sigma_hat : the spin Hall polarisation xhat x eps / |eps| (None without a field)
    damping, field_like : tau_DL, tau_FL on every F layer, in F order (NaN where m || sigma_hat)
    end_torques : side -> |torque| on a magnetic-insulator end
    smr : (longitudinal, transverse), or None where not defined
    status : the plain-words status line
    """

    sigma_hat: tuple[float, float, float] | None
    damping: tuple[float, ...]
    field_like: tuple[float, ...]
    end_torques: dict[str, float]
    smr: tuple[float, float] | None
    status: str


def _direction(vector: np.ndarray) -> str:
    """A unit vector in words when it is an axis (+z, -y), else its components."""
    for index, name in enumerate("xyz"):
        if abs(abs(vector[index]) - 1.0) < 1e-12:
            return ("+" if vector[index] > 0 else "\u2212") + name
    return "[" + ", ".join(f"{v:.3g}" for v in vector) + "]"


def _in_plane_status(stack_has_field: bool, sigma: np.ndarray | None, damping: tuple[float, ...],
                     field_like: tuple[float, ...], end_torques: dict[str, float]) -> str:
    if not stack_has_field or sigma is None:
        return "no in-plane field: no spin Hall current, no spin-orbit torque (set the field to drive one)"
    toward = _direction(sigma)
    if not damping:
        if end_torques:
            sides = " and ".join(end_torques)
            return (f"no F layer: the spin Hall current, polarised along \u03c3\u0302 = {toward}, exerts its torque on "
                    f"the {sides} insulator")
        return f"no F layer: the spin Hall current is polarised along \u03c3\u0302 = {toward}"
    tau, field = damping[0], field_like[0]
    if not np.isfinite(tau):
        return (f"m of F\u2081 is parallel to \u03c3\u0302 = {toward}: the spin Hall current exerts no torque on it "
                "(tilt it to see one)")
    way = "towards" if tau > 0 else "away from" if tau < 0 else "neither towards nor away from"
    return (f"\u03c4_DL {_sign(tau)}: the spin Hall torque turns m of F\u2081 {way} \u03c3\u0302 = {toward}; "
            f"\u03c4_FL {_sign(field)}")


def in_plane_readout(solution: Solution) -> InPlaneReadout:
    """The numbers and the status line of a single-configuration solution with an in-plane drive or open ends
    (model numbers: the page converts)."""
    solution = solution.reduced
    stack = solution.stack
    indices = stack.ferromagnet_indices
    driven = stack.has_field and bool(np.any(stack.field))
    sigma = np.real(solution.sigma_hat) if driven else None
    if driven:
        damping_all, field_like_all = solution.spin_orbit_torque
        damping = tuple(float(damping_all[i]) for i in indices)
        field_like = tuple(float(field_like_all[i]) for i in indices)
        smr = None if solution.smr_problem is not None else (float(solution.smr.longitudinal),
                                                             float(solution.smr.transverse))
    else:
        damping = field_like = ()
        smr = None
    ends = {side: float(np.linalg.norm(value)) for side, value in solution.torque_ends.items()}
    status = _in_plane_status(driven, sigma, damping, field_like, ends)
    return InPlaneReadout(None if sigma is None else tuple(float(v) for v in sigma), damping, field_like, ends,
                          smr, status)


#: What each symbol of the numbers line means and where the docs define it (its tooltip on the page).
EXPLANATIONS = {
    "theta": "\u03b8: the angle between m\u2081 and m\u2082, degrees.",
    "g": ("g\u2081, g\u2082: the spin-transfer efficiencies of the seed paper's eq. 1, "
          "T\u2081 = \u2212j\u2080 g\u2081 m\u2081\u00d7(m\u2082\u00d7m\u2081), "
          "T\u2082 = +j\u2080 g\u2082 m\u2082\u00d7(m\u2081\u00d7m\u2082): with j\u2080 g\u2082 > 0 the torque turns m\u2082 "
          "towards m\u2081. Docs: README.md, Conventions; docs/MODEL.md \u00a74."),
    "torque": ("|T|: the size of the spin-transfer torque on each F layer, the transverse spin current it absorbs "
               "(\u0127/2 times a spin current; J/m\u00b2 on an SI page). Docs: docs/MODEL.md \u00a74."),
    "resistance": ("r: the resistance-area product of the whole stack, AR (f\u03a9 m\u00b2 on an SI page). "
                   "Docs: docs/MODEL.md \u00a74."),
    "sigma": ("\u03c3\u0302: the polarisation of the spin Hall current, x\u0302 \u00d7 \u03b5\u0302 "
              "(= \u00ca \u00d7 x\u0302). Docs: docs/MODEL.md \u00a78a."),
    "spin_orbit": ("\u03c4_DL / \u03c4_FL: the damping-like and field-like spin-orbit torques on each F layer "
                   "(\u03c4_DL > 0 turns m towards \u03c3\u0302). Docs: docs/MODEL.md \u00a78f."),
    "smr": ("SMR long / trans: the spin Hall magnetoresistance, the relative change of the longitudinal and "
            "transverse in-plane resistance. Docs: docs/MODEL.md \u00a78c."),
}


#: the docs section of each explained symbol (page, start of its heading; served at /docs, spinstack.app.docs)
SECTIONS = {"theta": ("readme", "Conventions"), "g": ("model", "4."), "torque": ("model", "4."),
            "resistance": ("model", "4."), "sigma": ("model", "8a."), "spin_orbit": ("model", "8f."),
            "smr": ("model", "8c.")}


def explained(text: str, key: str) -> str:
    """``text`` (HTML) with the tooltip :data:`EXPLANATIONS` ``[key]`` and a dotted underline saying it has one,
    a link to the docs section defining it (:data:`SECTIONS`; a new tab)."""
    from .docs import link

    return (f'<a class="doc-link" href="{html.escape(link(*SECTIONS[key]))}" target="_blank" rel="noopener" '
            f'style="color: inherit; text-decoration: none"><abbr title="{html.escape(EXPLANATIONS[key])}" '
            f'style="text-decoration: underline dotted; cursor: help">{text}</abbr></a>')


def format_number(value: float, digits: int = 8) -> str:
    """``value`` with ``digits`` significant digits, or an em dash when undefined (NaN)."""
    return "\u2014" if not np.isfinite(value) else _format(value, digits)


__all__ = ["EXPLANATIONS", "SECTIONS", "InPlaneReadout", "Readout", "explained", "format_number", "in_plane_readout",
           "readout"]
