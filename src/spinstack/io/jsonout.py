"""The machine-readable result of ``spinstack solve FILE --json`` (``STACK_FORMAT.md``).

:func:`solution_to_dict` returns exactly the contract object, built from plain
Python types (``float``, ``str``, ``list``, ``dict``, ``None``) so that
``json.dumps`` writes it as it is; it never contains NaN or infinities.  Every
vector is ``[x, y, z]``.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as _encode_string
from typing import Any

import numpy as np

from ..analysis.efficiencies import EFFICIENCIES
from ..analysis.resistance import magnetoresistance
from ..errors import SpinstackError
from ..units import QUANTITIES
from ..solution import Solution
from .bulk import paused_collection

__all__ = ["dynamics_to_dict", "format_json", "solution_to_dict"]

_LINE_WIDTH = 100  # containers shorter than this stay on one line in format_json


@paused_collection()
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
        (STACK_FORMAT.md; MODEL.md 7, :data:`spinstack.units.QUANTITIES`): ``current`` is the
        charge current density J = e j0 in A/m^2, ``x`` in m, ``mu_s`` in eV, spin
        currents as |e| j_s in A/m^2, torques as (hbar/2) x deposited spin current in
        J/m^2, resistance-area in Ohm m^2; g1, g2 are dimensionless either way.

    Raises
    ------
    SpinstackError
        If the solution is batched, or if a value is not finite.
    """
    solution = solution.reduced  # the model numbers, converted here by the one table (units.QUANTITIES)
    stack = solution.stack
    if stack.batch_shape != ():
        raise SpinstackError(f"JSON output is for a single stack, this one is batched with shape {stack.batch_shape}")
    scale = _scales(stack.units)
    # whole columns converted at once (checked finite, -0.0 as 0.0): a stack may have 1e5 layers
    positions = _rows(solution.node_positions * scale["length"], "nodes[{}].x")
    accumulation = _rows(solution.accumulation * scale["accumulation"], "nodes[{}].mu_s")
    # the value just right of each node: differs from mu_s only at resistive interfaces
    accumulation_right = _rows(getattr(solution, "accumulation_right", solution.accumulation) * scale["accumulation"],
                               "nodes[{}].mu_s_right")
    spin_left = _rows(solution.spin_current_left * scale["spin_current"], "layers[{}].spin_current_left")
    spin_right = _rows(solution.spin_current_right * scale["spin_current"], "layers[{}].spin_current_right")
    torque = _rows(solution.torque * scale["torque"], "layers[{}].torque")
    nodes = [{"x": positions[k], "mu_s": accumulation[k], "mu_s_right": accumulation_right[k]}
             for k in range(len(stack.layers) + 1)]
    layers = [{"material": layer.material.name,
               "type": layer.material.kind,
               "x": [positions[i], positions[i + 1]],
               "spin_current_left": spin_left[i],
               "spin_current_right": spin_right[i],
               "torque": torque[i] if layer.is_ferromagnet else None}
              for i, layer in enumerate(stack.layers)]
    efficiency = None
    if solution.efficiency_problem is None:
        values = solution.efficiency()
        efficiency = {name: _scalar(getattr(values, name), f"efficiency.{name}")
                      for name in EFFICIENCIES}
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
        found["field"] = _vector(stack.field * QUANTITIES["field"].factor(stack.units), "in_plane.field")
        found["sigma_hat"] = _vector(solution.sigma_hat, "in_plane.sigma_hat")
        damping, field_like = solution.spin_orbit_torque
        found["spin_orbit_torque"] = [
            {"layer": i, "tau_DL": _optional(damping[i] * scale["torque"]), "tau_FL": _optional(field_like[i] * scale["torque"])}
            for i, layer in enumerate(stack.layers) if layer.is_ferromagnet]
        smr = solution.smr if solution.smr_problem is None else None
        sheet = QUANTITIES["sheet_current"].factor(stack.units)
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
    return {kind: QUANTITIES[kind].factor(units) for kind in kinds}


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


def dynamics_to_dict(dataset: Any) -> dict[str, Any]:
    """The JSON of ``spinstack dynamics FILE --json`` (STACK_FORMAT.md "Dynamics") from a :func:`spinstack.dynamics`
    dataset.

    Parameters
    ----------
    dataset
        The result of :func:`spinstack.dynamics` (in memory or opened from its file).

    Returns
    -------
    dict
        ``layers``: per free layer ``layer`` (stack index), ``m_final`` ([x, y, z] at the end), ``state``,
        ``frequency`` (Hz or ``None``), ``switching_time`` (s or ``None``), ``critical_current`` (``{"P": J,
        "AP": J}``, A/m^2 or ``None``); ``duration`` (s); ``current`` (A/m^2; ``None`` for a drive that changes
        in time, whose extremes are then ``current_range``); ``temperature`` (K, the largest over the members)
        only for a thermal run (temperature > 0, MODEL.md 9b: its P / AP judged on the mean direction of m over
        the last tenth).

        An ensemble (``vary``) extends this, changing no key: ``vary`` lists the varied parameters in order
        (``path``, ``units``, ``values``), ``members`` their number, ``layout`` says how members are laid
        out: every per-member value (m_final, state, frequency, switching_time, each critical current,
        current) becomes a nested list over the varied parameters in the order of ``vary`` (the first
        outermost, the last fastest), holding the single run's value at each leaf.

        Realizations of the thermal noise (``spinstack dynamics --realizations N``) extend it again:
        ``realizations`` (N); every per-member value gains one more level, the innermost (fastest), over the
        realizations 0 .. N-1 (with or without ``vary``); ``members`` counts every realization; and each layer
        gets ``state_fractions``: ``{state: share}`` for every end state of MODEL.md 9d (P, AP, precession,
        static, undetermined), the share of the N realizations ending in it (the switching probability),
        nested over the varied parameters only (a number without ``vary``).
    """
    from ..macrospin.states import STATES

    vary = [str(path) for path in json.loads(dataset.attrs.get("vary", "[]"))]
    realizations = int(dataset.attrs.get("realizations", 0))
    dims = vary + (["realization"] if realizations else [])  # the realization is the last, fastest level
    final = dataset["m"].isel(time=-1).transpose(*dims, "layer", "component").values
    states = dataset["state"].transpose(*dims, "layer").values
    frequency = dataset["frequency"].transpose(*dims, "layer").values
    switching = dataset["switching_time"].transpose(*dims, "layer").values
    critical = dataset["critical_current"].transpose(*dims, "layer", "configuration").values
    configurations = [str(c) for c in dataset["configuration"].values]
    layers = []
    for k, layer in enumerate(dataset["layer"].values):
        layers.append({
            "layer": int(layer),
            "m_final": _rows(final[..., k, :], "layers[{}].m_final"),
            "state": np.asarray(states[..., k]).astype(object).astype(str).tolist(),
            "frequency": _nullable(frequency[..., k]),
            "switching_time": _nullable(switching[..., k]),
            "critical_current": {name: _nullable(critical[..., k, c]) for c, name in enumerate(configurations)},
        })
        if realizations:  # the share of the realizations of each configuration ending in each state
            ends = np.asarray(states[..., k]).astype(object).astype(str)  # zarr v3 reads StringDType
            layers[-1]["state_fractions"] = {state: _rows(np.mean(ends == state, axis=-1), "state_fractions")
                                             for state in STATES}
    result: dict[str, Any] = {"layers": layers, "duration": _scalar(dataset.attrs["duration"], "duration")}
    if "current" in vary:  # a varied (constant) drive is the coordinate of its dimension
        shape = tuple(dataset.sizes[dim] for dim in dims)
        values = np.asarray(dataset["current"].values, dtype=float).reshape(
            tuple(-1 if dim == "current" else 1 for dim in dims))
        result["current"] = _rows(np.broadcast_to(values, shape), "current")
    else:
        drive = np.asarray(dataset["current"].transpose("time", *dims).values, dtype=float)
        if np.all(drive == drive[:1]):
            result["current"] = _rows(drive[0], "current")
        else:
            result["current"] = None
            result["current_range"] = [_scalar(drive.min(), "current"), _scalar(drive.max(), "current")]
    temperature = float(dataset.attrs.get("temperature", 0.0))
    if temperature > 0:  # a thermal run says so (absent at 0 K: the deterministic contract unchanged)
        result["temperature"] = _scalar(temperature, "temperature")
    if vary:
        result["vary"] = [{"path": dim, "units": str(dataset[dim].attrs.get("units", "")),
                           "values": _rows(dataset[dim].values, f"vary.{dim}")} for dim in vary]
    if realizations:
        result["realizations"] = realizations
    if dims:
        result["members"] = int(np.prod([dataset.sizes[dim] for dim in dims]))
        result["layout"] = ("every per-member value is a nested list over the varied parameters in the order of "
                            "'vary' (the first outermost, the last fastest)" if not realizations else
                            "every per-member value is a nested list over the varied parameters in the order of "
                            "'vary' (the first outermost), then over the realizations (innermost, fastest); "
                            "state_fractions over the varied parameters only")
    return result


def _nullable(value: Any) -> Any:
    """Numbers as nested lists of floats with NaN (none) as None."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return _optional(array)
    return [_nullable(item) for item in array]


@paused_collection()
def format_json(data: Any) -> str:
    """``data`` as JSON text for people too: indented, but short lists and objects on one line.

    Parses back to the same object (``json.loads``); NaN and infinities are refused
    (``ValueError``), as strict JSON requires; -0.0 is written 0.0.  Ends with a newline.
    Linear in the size of ``data`` (each value is written once, then joined).
    """
    return _format(data, 0)[1] + "\n"


def _format(value: Any, indent: int) -> tuple[str, str]:
    """(one-line text, text as shown at ``indent``) of ``value``, built from its items' own texts."""
    if isinstance(value, dict) and value:
        keys = [_key(key) for key in value]
        items = [_format(item, indent + 2) for item in value.values()]
        flat = "{" + ", ".join(f"{key}: {item[0]}" for key, item in zip(keys, items)) + "}"
        if indent + len(flat) <= _LINE_WIDTH:
            return flat, flat
        inner = " " * (indent + 2)
        lines = ",\n".join(f"{inner}{key}: {item[1]}" for key, item in zip(keys, items))
        return flat, "{\n" + lines + "\n" + " " * indent + "}"
    if isinstance(value, list) and value and all(type(item) is float for item in value):
        # a vector (most of a long stack's output): its numbers written in one pass
        texts = list(map(float.__repr__, value))
        if "nan" in texts or "inf" in texts or "-inf" in texts:
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        flat = "[" + ", ".join(text if text != "-0.0" else "0.0" for text in texts) + "]"
        if indent + len(flat) <= _LINE_WIDTH:
            return flat, flat
        inner = " " * (indent + 2)
        return flat, "[\n" + ",\n".join(inner + _leaf(item) for item in value) + "\n" + " " * indent + "]"
    if isinstance(value, list) and value:
        items = [_format(item, indent + 2) for item in value]
        flat = "[" + ", ".join(item[0] for item in items) + "]"
        if indent + len(flat) <= _LINE_WIDTH:
            return flat, flat
        inner = " " * (indent + 2)
        return flat, "[\n" + ",\n".join(inner + item[1] for item in items) + "\n" + " " * indent + "]"
    text = _leaf(value)
    return text, text


def _leaf(value: Any) -> str:
    """A scalar (or an empty or other container, written on one line) as json.dumps writes it."""
    if isinstance(value, float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float.__repr__(value + 0.0)  # + 0.0: -0.0 is written 0.0
    if isinstance(value, str):
        return _encode_string(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else ("true" if value else "false")
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def _key(key: Any) -> str:
    """An object key as json.dumps writes it (strings; numbers, booleans and None as strings)."""
    if isinstance(key, str):
        return _encode_string(key)
    return json.dumps({key: None}, allow_nan=False, ensure_ascii=False)[1:-len(": null}")]


def _rows(array: Any, path: str) -> list[Any]:
    """``array`` as (nested) lists of Python floats, -0.0 as 0.0, refused unless finite; ``path`` names an
    entry with ``{}`` for its first index."""
    array = np.asarray(array, dtype=float)
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = path.format(index[0]) if index else path
        raise SpinstackError(f"{where}: the solution is not finite ({float(array[index])!r}); please report this stack")
    return (array + 0.0).tolist()


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
