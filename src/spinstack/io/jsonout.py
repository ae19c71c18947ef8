"""The machine-readable result of ``spinstack solve FILE --json`` (``STACK_FORMAT.md``).

:func:`solution_to_dict` returns exactly the contract object, built from plain
Python types (``float``, ``str``, ``list``, ``dict``, ``None``) so that
``json.dumps`` writes it as it is; it never contains NaN or infinities.  Every
vector is ``[x, y, z]``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ..errors import SpinstackError
from ..si import REPORTS
from ..analysis.resistance import magnetoresistance
from ..solution import Solution

__all__ = ["format_json", "solution_to_dict"]

_LINE_WIDTH = 100  # containers shorter than this stay on one line in format_json


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The JSON contract object of ``STACK_FORMAT.md`` for an unbatched solution.

    Parameters
    ----------
    solution
        The solution of a stack with ``batch_shape == ()``.

    Returns
    -------
    dict
        ``units``; ``current`` (j0); ``nodes`` (L + 1 entries: ``x``, ``mu_s`` just
        left of the node and ``mu_s_right`` just right of it, equal except at
        resistive interfaces, MODEL.md 3b); ``layers`` (L entries:
        ``material``, ``type``, ``x`` = [start, end], ``spin_current_left`` and
        ``spin_current_right`` just inside the faces, ``torque`` in hbar/2 units
        or ``None`` for a normal metal); ``efficiency`` (g1, g2, g1_field,
        g2_field of seed eq. 1 when the stack has exactly two F layers, else
        ``None``); ``resistance_area`` (``total`` and its ``spin`` part).

        For a stack with ``units == "SI"`` the numbers are in SI units
        (STACK_FORMAT.md; MODEL.md 7, :data:`spinstack.si.REPORTS`): ``current`` is the
        charge current density J = e j0 in A/m^2, ``x`` in m, ``mu_s`` in eV, spin
        currents as |e| j_s in A/m^2, torques as (hbar/2) x deposited spin current in
        J/m^2, resistance-area in Ohm m^2; g1, g2 are dimensionless either way.

    Raises
    ------
    SpinstackError
        If the solution is batched, or if a value is not finite.
    """
    solution = solution.reduced  # the model numbers, converted here by the same table (si.REPORTS)
    stack = solution.stack
    if stack.batch_shape != ():
        raise SpinstackError(f"JSON output is for a single stack, this one is batched with shape {stack.batch_shape}")
    scale = _scales(stack.units)
    positions = solution.node_positions * scale["length"]
    accumulation = solution.accumulation * scale["accumulation"]
    # the value just right of each node: differs from mu_s only at resistive interfaces
    accumulation_right = getattr(solution, "accumulation_right", solution.accumulation) * scale["accumulation"]
    spin_left = solution.spin_current_left * scale["spin_current"]
    spin_right = solution.spin_current_right * scale["spin_current"]
    torque = solution.torque * scale["torque"]
    nodes = [{"x": _scalar(positions[k], f"nodes[{k}].x"),
              "mu_s": _vector(accumulation[k], f"nodes[{k}].mu_s"),
              "mu_s_right": _vector(accumulation_right[k], f"nodes[{k}].mu_s_right")}
             for k in range(len(stack.layers) + 1)]
    layers = []
    for i, layer in enumerate(stack.layers):
        path = f"layers[{i}]"
        layers.append({
            "material": layer.material.name,
            "type": layer.material.kind,
            "x": [_scalar(positions[i], f"{path}.x"), _scalar(positions[i + 1], f"{path}.x")],
            "spin_current_left": _vector(spin_left[i], f"{path}.spin_current_left"),
            "spin_current_right": _vector(spin_right[i], f"{path}.spin_current_right"),
            "torque": _vector(torque[i], f"{path}.torque") if layer.is_ferromagnet else None,
        })
    efficiency = None
    if solution.efficiency_problem is None:
        values = solution.efficiency()
        efficiency = {name: _scalar(getattr(values, name), f"efficiency.{name}")
                      for name in ("g1", "g2", "g1_field", "g2_field")}
    resistance = None
    if solution.resistance_problem is None:
        resistance = {
            "total": _scalar(solution.resistance_area * scale["resistance_area"], "resistance_area.total"),
            "spin": _scalar(solution.spin_resistance_area * scale["resistance_area"], "resistance_area.spin")}
    result = {
        "units": stack.units,
        "current": _scalar(solution.current * scale["current"], "current"),
        "nodes": nodes,
        "layers": layers,
        "efficiency": efficiency,
        "resistance_area": resistance,
        "magnetoresistance": _magnetoresistance(solution),
    }
    if stack.has_field or solution.torque_ends:
        result["in_plane"] = _in_plane(solution, scale)
    return result


def _in_plane(solution: Solution, scale: dict[str, float]) -> dict[str, Any]:
    """The in-plane drive's outputs (MODEL.md 8f; an extension of the contract): field, sigma_hat,
    tau_DL and tau_FL per F layer, torques on insulator ends, SMR."""
    stack = solution.stack
    found: dict[str, Any] = {"field": None, "sigma_hat": None, "spin_orbit_torque": None, "smr": None}
    if stack.has_field and np.any(stack.field != 0):
        si = stack.units == "SI"
        found["field"] = _vector(stack.field * (REPORTS["field"].to_unit if si else 1.0), "in_plane.field")
        found["sigma_hat"] = _vector(solution.sigma_hat, "in_plane.sigma_hat")
        damping, field_like = solution.spin_orbit_torque
        found["spin_orbit_torque"] = [
            {"layer": i, "tau_DL": _optional(damping[i] * scale["torque"]), "tau_FL": _optional(field_like[i] * scale["torque"])}
            for i, layer in enumerate(stack.layers) if layer.is_ferromagnet]
        smr = solution.smr if solution.smr_problem is None else None
        sheet = REPORTS["sheet_current"].to_unit if si else 1.0
        found["smr"] = None if smr is None else {"dI": _vector(smr.change * sheet, "in_plane.smr.dI"),
                        "I0": _vector(smr.total * sheet, "in_plane.smr.I0"),
                        "long": _scalar(smr.longitudinal, "in_plane.smr.long"),
                        "trans": _scalar(smr.transverse, "in_plane.smr.trans")}
    found["torque_ends"] = {side: _vector(value * scale["torque"], f"in_plane.torque_ends.{side}")
                            for side, value in solution.torque_ends.items()}
    if found["sigma_hat"] is not None:
        found["insulator_spin_orbit_torque"] = {}
        for side, value in solution.torque_ends.items():
            damping, field_like = solution.torque_parts(value, getattr(stack, side).magnetization)
            found["insulator_spin_orbit_torque"][side] = {"tau_DL": _optional(damping * scale["torque"]),
                                                          "tau_FL": _optional(field_like * scale["torque"])}
    return found


def _optional(value: Any) -> float | None:
    """A number, or None where it is undefined (tau_DL, tau_FL with m parallel to sigma_hat)."""
    number = float(value)
    return None if math.isnan(number) else number + 0.0


def _scales(units: str) -> dict[str, float]:
    """Factors from the stack's numbers to the reported ones: 1 in reduced units, MODEL.md 7 in SI."""
    kinds = ("length", "accumulation", "spin_current", "torque", "current", "resistance_area")
    if units == "SI":
        return {kind: REPORTS[kind].to_unit for kind in kinds}
    return dict.fromkeys(kinds, 1.0)


def _magnetoresistance(solution: Solution) -> dict[str, float] | None:
    """R_P, R_AP and the GMR ratio (an extension of the contract): the last F layer turned against the first
    (analysis.resistance, whose numbers are already the report units: Ohm m^2 for an SI stack); None without
    two F layers or a resistance."""
    if solution.resistance_problem is not None or len(solution.stack.ferromagnet_indices) < 2:
        return None
    result = magnetoresistance(solution.stack)
    return {"parallel": _scalar(result.parallel, "magnetoresistance.parallel"),
            "antiparallel": _scalar(result.antiparallel, "magnetoresistance.antiparallel"),
            "gmr": _scalar(result.ratio, "magnetoresistance.gmr")}


def format_json(data: Any) -> str:
    """``data`` as JSON text for people too: indented, but short lists and objects on one line.

    Parses back to the same object (``json.loads``); NaN and infinities are refused
    (``ValueError``), as strict JSON requires.  Ends with a newline.
    """
    return _format(data, 0) + "\n"


def _format(value: Any, indent: int) -> str:
    flat = json.dumps(value, allow_nan=False, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or indent + len(flat) <= _LINE_WIDTH:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {_format(item, indent + 2)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + _format(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _scalar(value: Any, path: str) -> float:
    number = float(np.asarray(value, dtype=float).reshape(()))
    if not math.isfinite(number):
        raise SpinstackError(f"{path}: the solution is not finite ({number!r}); please report this stack")
    return number + 0.0  # -0.0 -> 0.0


def _vector(value: Any, path: str) -> list[float]:
    array = np.asarray(value, dtype=float)
    if array.shape != (3,):
        raise SpinstackError(f"{path}: expected a 3-vector, got shape {array.shape}")
    return [_scalar(component, path) for component in array]
