"""The plain-text report of ``spinstack solve FILE``: what a person reads in a terminal.

No colours, no unicode box drawing: aligned columns of compact numbers
(6 significant digits), vectors as [x, y, z].  The machine-readable form is
:mod:`spinstack.io.jsonout`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import SpinstackError
from ..model import Lead
from ..model.layers import End
from ..solution import Solution
from .tables import number as _number
from .tables import table as _table

__all__ = ["format_summary"]

# vector components smaller than this times the vector's length are round-off: shown as 0
_ROUND_OFF = 1e-12


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
    stack = solution.stack
    if stack.batch_shape != ():
        raise SpinstackError(f"the text summary is for a single stack, this one is batched with shape {stack.batch_shape}")
    current = float(solution.current)
    sections = [
        [f"{source}: units reduced, current j0 = {_number(current)} (electrons' particle flux along +x)",
         f"ends: left {_end(stack.left)}, right {_end(stack.right)}"],
        _layers(solution),
        _nodes(solution),
        _efficiency(solution, current),
        _resistance(solution),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


# ------------------------------------------------------------------ sections
def _layers(solution: Solution) -> list[str]:
    layers = solution.stack.layers
    if not layers:
        return ["layers: none (a bare contact between the two leads)"]
    x = solution.node_positions
    starts = [_number(x[i]) for i in range(len(layers))]
    ends = [_number(x[i + 1]) for i in range(len(layers))]
    start_width, end_width = max(map(len, starts)), max(map(len, ends))
    spans = [f"{a.rjust(start_width)} .. {b.rjust(end_width)}" for a, b in zip(starts, ends)]
    torques = [solution.torque[i] if layer.is_ferromagnet else None for i, layer in enumerate(layers)]
    sizes = [_number(np.linalg.norm(t)) if t is not None else "-" for t in torques]
    columns = zip(spans, _vector_column([layer.magnetization for layer in layers]), _vector_column(torques), sizes)
    rows = [[str(i), layer.material.name, layer.material.kind, span, _number(layer.thickness), magnet, torque, size]
            for i, (layer, (span, magnet, torque, size)) in enumerate(zip(layers, columns))]
    headers = ["#", "material", "type", "x", "thickness", "magnetization [x, y, z]", "torque [x, y, z]", "|torque|"]
    title = "layers (torque: transverse spin current absorbed by each F, hbar/2 units; MODEL.md 4)"
    return [title] + _table(headers, rows, "llllrllr")  # spans are padded already


def _nodes(solution: Solution) -> list[str]:
    x = solution.node_positions
    mu = list(solution.accumulation)
    vectors = _vector_column(mu)
    rows = [[str(k), _number(x[k]), vectors[k], _number(np.linalg.norm(mu[k]))] for k in range(len(mu))]
    title = "nodes (spin accumulation mu_s at the interfaces; node 0 = left end)"
    return [title] + _table(["#", "x", "mu_s [x, y, z]", "|mu_s|"], rows, "lrlr")


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
    for name in ("g1_field", "g2_field"):
        value = float(getattr(values, name))
        if abs(value) > _ROUND_OFF * scale:
            lines.append(f"  {name} = {_number(value)}  (field-like part, along m_i x m_j)")
    lines.append("  (T1 = -j0 g1 m1 x (m2 x m1), T2 = +j0 g2 m2 x (m1 x m2))")
    return lines


def _resistance(solution: Solution) -> list[str]:
    total, spin = float(solution.resistance_area), float(solution.spin_resistance_area)
    return ["resistance-area (MODEL.md 4)",
            f"  total r = {_number(total)}",
            f"  spin part = {_number(spin)}  (ohmic part, the sum of d/sigma: {_number(total - spin)})"]


# ------------------------------------------------------------------ pieces
def _end(end: End) -> str:
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
    cells: list[list[str] | None] = []
    for vector in vectors:
        if vector is None:
            cells.append(None)
            continue
        vector = np.asarray(vector, dtype=float)
        length = float(np.linalg.norm(vector))
        cleaned = np.where(np.abs(vector) <= _ROUND_OFF * length, 0.0, vector)
        cells.append([_number(component) for component in cleaned])
    widths = [max((len(cell[i]) for cell in cells if cell is not None), default=0) for i in range(3)]
    return ["-" if cell is None else "[" + ", ".join(c.rjust(w) for c, w in zip(cell, widths)) + "]"
            for cell in cells]
