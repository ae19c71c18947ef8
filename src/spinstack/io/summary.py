"""The plain-text report of ``spinstack solve FILE``: what a person reads in a terminal.

No colours, no unicode box drawing: aligned columns of compact numbers
(6 significant digits), vectors as [x, y, z].  The machine-readable form is
:mod:`spinstack.io.jsonout`.

A stack with ``units == "SI"`` is reported in readable SI units (MODEL.md 7):
positions and thicknesses in nm, mu_s in eV, meV, ueV or neV (whichever suits
the largest value), spin currents as |e| j_s in A/m^2, torques per area as
(hbar/2) x deposited spin current in J/m^2, resistance-area in fOhm m^2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import SpinstackError
from ..model import Insulator, Layer, Lead, Open, Stack
from ..model.layers import GEOMETRY, End
from ..units import QUANTITIES, energy_unit
from ..analysis.efficiencies import EFFICIENCIES
from ..analysis.resistance import magnetoresistance
from ..solution import Solution
from .bulk import paused_collection
from .tables import number as _number
from .tables import table as _table

__all__ = ["format_summary"]

# vector components smaller than this times the vector's length are round-off: shown as 0
_ROUND_OFF = 1e-12


@paused_collection()
def format_summary(solution: Solution, source: str) -> str:
    """A readable report of an unbatched solution (reduced units).

    Parameters
    ----------
    solution
        The solution of a stack with ``batch_shape == ()``.
    source
        The stack file's name, shown in the header.

    Returns
    -------
    str
        Several lines, ending with a newline: header (file, units, current j0),
        layers (x range, thickness, magnetization, torque), nodes (mu_s),
        for two-F stacks the angle between m1 and m2 and the efficiencies g1, g2
        (seed eq. 1) with the meaning of their signs, and the resistance-area product.

    Raises
    ------
    SpinstackError
        If the solution is batched.
    """
    solution = solution.reduced  # the model numbers: converted below for an SI stack (MODEL.md 7)
    stack = solution.stack
    if stack.batch_shape != ():
        raise SpinstackError(f"the text summary is for a single stack, this one is batched with shape {stack.batch_shape}")
    current = float(solution.current)
    units = _Units.of(solution)
    if current == 0.0:  # (an in-plane drive alone): there is no direction of a current to state
        header = (f"{source}: units {stack.units}, no current perpendicular to the layers "
                  f"({'J' if stack.units == 'SI' else 'j0'} = 0)")
    elif stack.units == "SI":
        J = current * QUANTITIES["current"].to_unit
        header = (f"{source}: units SI, current density J = {_number(J)} A/m^2 (conventional current along +x; "
                  f"electrons flow along -x: j0 = J/e)")
    else:
        header = f"{source}: units reduced, current j0 = {_number(current)} (electrons' particle flux along +x)"
    sections = [
        [header, f"ends: left {_end(stack.left, units)}, right {_end(stack.right, units)}"],
        _layers(solution, units),
        _nodes(solution, units),
        _interfaces(solution, units),
        _efficiency(solution, current),
        _in_plane(solution, units),
        _resistance(solution, units),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


@dataclass(frozen=True)
class _Scale:
    """Shown value = factor x the stack's number, labelled ``unit`` ("" in reduced units)."""

    factor: float
    unit: str

    def label(self, text: str) -> str:
        return f"{text} ({self.unit})" if self.unit else text


@dataclass(frozen=True)
class _Units:
    length: _Scale
    accumulation: _Scale
    torque: _Scale
    resistance: _Scale
    interface_resistance: _Scale
    interface_conductance: _Scale

    @classmethod
    def of(cls, solution: Solution) -> "_Units":
        if solution.stack.units != "SI":
            same = _Scale(1.0, "")
            return cls(same, same, same, same, same, same)
        return cls(length=_fixed("length"),
                   accumulation=_energy_scale(max(np.max(np.abs(solution.accumulation)),
                                                  np.max(np.abs(getattr(solution, "accumulation_right", 0.0))))),
                   torque=_fixed("torque"), resistance=_fixed("resistance_area"),
                   interface_resistance=_fixed("resistance_area"),
                   interface_conductance=_fixed("interface_conductance"))


def _fixed(name: str) -> _Scale:
    """The registry's readable unit of quantity ``name`` (nm, J/m^2, fOhm m^2, Ohm^-1 m^-2)."""
    entry = QUANTITIES[name]
    return _Scale(entry.shown_factor, entry.shown_text)


def _energy_scale(largest: float) -> _Scale:
    """eV, meV, ueV or neV: the largest unit in which the largest |mu_s| is at least 1."""
    to_ev = QUANTITIES["accumulation"].to_unit
    text, _, size = energy_unit(largest * to_ev)
    return _Scale(to_ev / size, text)


# ------------------------------------------------------------------ sections
def _layers(solution: Solution, units: _Units) -> list[str]:
    layers = solution.stack.layers
    if not layers:
        return ["layers: none (a bare contact between the two leads)"]
    x = [_number(value) for value in (solution.node_positions * units.length.factor).tolist()]
    starts, ends = x[:-1], x[1:]
    start_width, end_width = max(map(len, starts)), max(map(len, ends))
    spans = [f"{a.rjust(start_width)} .. {b.rjust(end_width)}" for a, b in zip(starts, ends)]
    scaled = solution.torque * units.torque.factor
    torques = [scaled[i] if layer.is_ferromagnet else None for i, layer in enumerate(layers)]
    norms = np.linalg.norm(scaled, axis=-1).tolist()  # whole columns at once: a stack may have 1e5 layers
    sizes = [_number(norms[i]) if t is not None else "-" for i, t in enumerate(torques)]
    columns = zip(spans, _vector_column([layer.magnetization for layer in layers]), _vector_column(torques), sizes)
    rows = [[str(i), layer.material.name, layer.material.kind, span, _number(layer.thickness * units.length.factor),
             magnet, torque, size]
            for i, (layer, (span, magnet, torque, size)) in enumerate(zip(layers, columns))]
    headers = ["#", "material", "type", units.length.label("x"), units.length.label("thickness"),
               "magnetization [x, y, z]", units.torque.label("torque [x, y, z]"), "|torque|"]
    if units.torque.unit:
        title = ("layers (torque per area: (hbar/2) x the transverse spin current absorbed by each F; "
                 "MODEL.md 4, 7)")
    else:
        title = "layers (torque: transverse spin current absorbed by each F, hbar/2 units; MODEL.md 4)"
    return [title] + _table(headers, rows, "llllrllr")  # spans are padded already


def _nodes(solution: Solution, units: _Units) -> list[str]:
    x = (solution.node_positions * units.length.factor).tolist()
    mu = solution.accumulation * units.accumulation.factor
    vectors = _vector_column(list(mu))
    norms = np.linalg.norm(mu, axis=-1).tolist()
    rows = [[str(k), _number(x[k]), vectors[k], _number(norms[k])] for k in range(len(mu))]
    headers = ["#", units.length.label("x"), units.accumulation.label("mu_s [x, y, z]"), "|mu_s|"]
    title = "nodes (spin accumulation mu_s at the interfaces; node 0 = left end)"
    interfaces = {interface.node for interface in solution.stack.interfaces}
    if not interfaces:
        return [title] + _table(headers, rows, "lrlr")
    # a resistive interface splits its node: mu_s just left and just right of it (MODEL.md 3b)
    right = getattr(solution, "accumulation_right", solution.accumulation) * units.accumulation.factor
    shown = _vector_column([right[k] if k in interfaces else None for k in range(len(right))])
    right_norms = np.linalg.norm(right, axis=-1).tolist()
    for k, row in enumerate(rows):
        row += [shown[k], _number(right_norms[k]) if k in interfaces else "-"]
    title = ("nodes (spin accumulation mu_s at the interfaces; node 0 = left end; "
             "a resistive interface has mu_s just left and mu_s right just right of it)")
    return [title] + _table(headers + ["mu_s right [x, y, z]", "|mu_s right|"], rows, "lrlrlr")


def _interfaces(solution: Solution, units: _Units) -> list[str]:
    interfaces = solution.stack.interfaces
    if not interfaces:
        return []
    rows = []
    for interface in interfaces:
        names = " | ".join(_neighbour_names(solution.stack, interface.node))
        g_up, g_dn = float(interface.g_up), float(interface.g_dn)
        AR = (1.0 / g_up + 1.0 / g_dn) / 4.0  # MODEL.md 3b: g_up = 1/(2 AR* (1 - gamma)), g_dn = 1/(2 AR* (1 + gamma))
        mixing = "-" if interface.g_mix is None else _vector_column(
            [np.append(np.asarray(interface.g_mix, dtype=float) * units.interface_conductance.factor, np.nan)])[0]
        rows.append([str(interface.node), names, _number(AR * units.interface_resistance.factor),
                     _number(float(interface.gamma)), mixing.replace(", nan]", "]"), _number(float(interface.delta))])
    mixing_header = "G_mix [Re, Im]" if units.interface_conductance.unit else "g_mix [g_r, g_i]"
    headers = ["node", "between", units.interface_resistance.label("AR*"), "gamma",
               units.interface_conductance.label(mixing_header), "delta"]
    return ["resistive interfaces (MODEL.md 3b)"] + _table(headers, rows, "llrrlr")


def _efficiency(solution: Solution, current: float) -> list[str]:
    if solution.efficiency_problem is not None:
        return [f"efficiency g1, g2: not defined ({solution.efficiency_problem})"]
    first, second = solution.stack.ferromagnet_indices
    layers = solution.stack.layers
    values = solution.efficiency()
    g1, g2 = float(values.g1), float(values.g2)
    lines = [f"efficiency (seed eq. 1): F1 = layer {first} (material {layers[first].material.name}), "
             f"F2 = layer {second} (material {layers[second].material.name})",
             f"  angle between m1 and m2: theta = {_number(math.degrees(float(values.theta)))} deg",
             f"  g1 = {_number(g1)}  ({_sign_words(g1, current, 'F1', 'F2', towards_when_positive=False)})",
             f"  g2 = {_number(g2)}  ({_sign_words(g2, current, 'F2', 'F1', towards_when_positive=True)})"]
    scale = max(abs(g1), abs(g2))
    for name in EFFICIENCIES[2:]:  # g1_field, g2_field
        value = float(getattr(values, name))
        if abs(value) > _ROUND_OFF * scale:
            lines.append(f"  {name} = {_number(value)}  (field-like part, along m_i x m_j)")
    lines.append("  (T1 = -j0 g1 m1 x (m2 x m1), T2 = +j0 g2 m2 x (m1 x m2))")
    return lines


def _in_plane(solution: Solution, units: _Units) -> list[str]:
    """The in-plane drive (MODEL.md 8): sigma_hat, tau_DL and tau_FL per F layer, insulator torques, SMR."""
    stack = solution.stack
    lines: list[str] = []
    if stack.has_field:
        field = np.asarray(stack.field, dtype=float)
        if stack.units == "SI":
            shown = f"E = {_vector_column([field * QUANTITIES['field'].to_unit])[0]} V/m"
            # the same vector as xhat x eps/|eps| (MODEL.md 8a), written with E: eps = eE points against E (e < 0)
            rule = "E_hat x xhat"
        else:
            shown = f"eps = {_vector_column([field])[0]}"
            rule = "xhat x eps/|eps|"
        if not np.any(field):
            return [f"in-plane field: {shown} (zero: no spin Hall drive)"]
        sigma = solution.sigma_hat
        lines = [f"in-plane field (MODEL.md 8): {shown}, sigma_hat = {rule} = {_vector_column([sigma])[0]}"]
        if stack.units == "SI":
            lines.append("  (= xhat x eps/|eps| of MODEL.md 8a: eps = eE with e < 0 points along the electrons' "
                         "drift, against E and J)")
        damping, field_like = solution.spin_orbit_torque
        unit = f" {units.torque.unit}" if units.torque.unit else ""
        for i, layer in enumerate(stack.layers):
            if not layer.is_ferromagnet:
                continue
            if math.isnan(damping[i]):
                lines.append(f"  layer {i} ({layer.material.name}): tau_DL and tau_FL not defined (m is parallel "
                             "to sigma_hat; why just below)")
                continue
            lines.append(f"  layer {i} ({layer.material.name}): tau_DL = {_number(damping[i] * units.torque.factor)}{unit}, "
                         f"tau_FL = {_number(field_like[i] * units.torque.factor)}{unit}")
        if np.isnan(damping).any():
            # Solution.spin_orbit_torque_problem words this for Python; here the likely cause is added:
            # theta = 0 written for a perpendicular magnet, which is +z, in the plane
            lines.append(f"  (m parallel to sigma_hat = {_vector_column([sigma])[0]}: m x sigma_hat = 0, so the torque "
                         f"has no damping-like/field-like split.  Geometry: {GEOMETRY}; a magnet perpendicular to "
                         'the film is magnetization = "normal" (+x).)')
        if solution.smr_problem is not None:
            lines.append(f"  spin Hall magnetoresistance: not defined ({solution.smr_problem.split(': ', 1)[-1]})")
        else:
            smr = solution.smr
            lines.append(f"  spin Hall magnetoresistance: longitudinal {_number(float(smr.longitudinal))}, "
                         f"transverse {_number(float(smr.transverse))} (relative to the whole stack, first order)")
    for side, torque in solution.torque_ends.items():
        value = _vector_column([torque * units.torque.factor])[0]
        unit = f" {units.torque.unit}" if units.torque.unit else ""
        text = f"  torque on the {side} insulator end: {value}{unit}"
        if stack.has_field and np.any(stack.field):
            damping, field_like = solution.torque_parts(torque, getattr(stack, side).magnetization)
            if not math.isnan(damping):
                text += (f" (tau_DL = {_number(damping * units.torque.factor)}{unit}, "
                         f"tau_FL = {_number(field_like * units.torque.factor)}{unit})")
        lines.append(text)
    if len(lines) > 1 or (lines and solution.torque_ends):
        lines.append("  (torque = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat, m the magnet's direction)")
    return lines


def _resistance(solution: Solution, units: _Units) -> list[str]:
    if solution.resistance_problem is not None:
        return [f"resistance-area: not defined ({solution.resistance_problem})"]
    scale = units.resistance
    total, spin = float(solution.resistance_area) * scale.factor, float(solution.spin_resistance_area) * scale.factor
    unit = f" {scale.unit}" if scale.unit else ""
    rest = "the sum of d/sigma and of the interfaces' 1/g" if solution.stack.interfaces else "the sum of d/sigma"
    name = "RA" if scale.unit else "r"
    lines = ["resistance-area (MODEL.md 4)",
             f"  total {name} = {_number(total)}{unit}",
             f"  spin part = {_number(spin)}{unit}  (ohmic part, {rest}: {_number(total - spin)}{unit})"]
    magnets = solution.stack.ferromagnet_indices
    if solution.resistance_problem is None and len(magnets) >= 2:
        result = magnetoresistance(solution.stack, reduced=True)
        parallel, antiparallel = float(result.parallel) * scale.factor, float(result.antiparallel) * scale.factor
        which = "" if len(magnets) == 2 else f" (layer {magnets[-1]} turned against layer {magnets[0]}, the rest kept)"
        lines.append(f"  parallel {name}_P = {_number(parallel)}{unit}, antiparallel {name}_AP = {_number(antiparallel)}{unit}, "
                     f"GMR (R_AP - R_P)/R_P = {_number(100 * float(result.ratio))} %{which}")
    return lines


# ------------------------------------------------------------------ pieces
def _neighbour_names(stack: Stack, node: int) -> tuple[str, str]:
    """What touches a node on its left and on its right: material names, or "reservoir"."""
    def name(element: Layer | End) -> str:
        return element.material.name if isinstance(element, (Layer, Lead)) else getattr(element, "kind", "reservoir")

    before = stack.layers[node - 1] if node > 0 else stack.left
    after = stack.layers[node] if node < len(stack.layers) else stack.right
    return name(before), name(after)


def _end(end: End, units: _Units) -> str:
    if isinstance(end, Open):
        return "open (no spin current crosses it)"
    if isinstance(end, Insulator):
        # an SI stack holds g = G/e^2 (MODEL.md 7, 8d): shown as the file's G_mix, G_s in Ohm^-1 m^-2
        scale = units.interface_conductance
        g_r, g_i = (float(v) * scale.factor for v in end.g_mix)
        g_s = float(end.g_s) * scale.factor
        mixing, sink, unit = ("G_mix", "G_s", f" {scale.unit}") if scale.unit else ("g_mix", "g_s", "")
        return (f"magnetic insulator (m = {_vector_column([end.magnetization])[0]}, "
                f"{mixing} = [{_number(g_r)}, {_number(g_i)}]{unit}, {sink} = {_number(g_s)}{unit})")
    if not isinstance(end, Lead):
        return "reservoir (mu_s = 0)"
    text = f"semi-infinite lead of {end.material.name} ({end.material.kind}"
    if end.magnetization is not None:
        text += f", m = {_vector_column([end.magnetization])[0]}"
    return text + ")"


def _sign_words(value: float, current: float, this: str, other: str, *, towards_when_positive: bool) -> str:
    """Say what the sign of g means for the layer ``this`` at the present current."""
    if value == 0.0:
        return "= 0: no spin-transfer torque"
    sign = "> 0" if value > 0 else "< 0"
    if current == 0.0:
        return f"{sign}; no current, no torque"
    towards = (value * current > 0) == towards_when_positive
    if towards:
        return f"{sign}: the current pulls {this} towards {other}, towards parallel"
    return f"{sign}: the current pushes {this} away from {other}, towards antiparallel"


def _vector_column(vectors: Sequence[np.ndarray | None]) -> list[str]:
    """Vectors as "[x, y, z]" with each component right-aligned over the whole column; None -> "-"."""
    cells: list[list[str] | None] = [None] * len(vectors)
    present = [i for i, vector in enumerate(vectors) if vector is not None]
    if present:  # one array operation for the whole column (a stack may have 1e5 layers)
        array = np.array([np.asarray(vectors[i], dtype=float) for i in present]).reshape(len(present), 3)
        length = np.linalg.norm(array, axis=-1, keepdims=True)
        cleaned = np.where(np.abs(array) <= _ROUND_OFF * length, 0.0, array)
        for i, row in zip(present, cleaned.tolist()):
            cells[i] = [_number(component) for component in row]
    widths = [max((len(cell[i]) for cell in cells if cell is not None), default=0) for i in range(3)]
    return ["-" if cell is None else "[" + ", ".join(c.rjust(w) for c, w in zip(cell, widths)) + "]"
            for cell in cells]
