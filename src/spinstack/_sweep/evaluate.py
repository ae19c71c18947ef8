"""One block of a sweep -> its arrays, in one batched solve.  Runs in this process or on a Dask worker.

A :class:`Job` holds everything a block needs (the unbatched stack and the
axes restricted to the block), is picklable, and is evaluated by the same
function whichever runner sends it: a block's numbers do not depend on who
computes it, nor on how the sweep was cut into blocks (every output is an
elementwise function of its own configuration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.efficiencies import rotation_plane
from ..model import Stack
from ..prepared import PreparedStack, finalize, turned
from ..solution import solve
from .plan import THETA, Axis, apply
from .variables import CATALOGUE, EFFICIENCY_NAMES, RESISTANCE_NAMES, extra_shape

#: what the prepared system (:mod:`spinstack.prepared`) returns for a block of angles
_PREPARED_NAMES = EFFICIENCY_NAMES + ("torque", "accumulation") + RESISTANCE_NAMES


@dataclass(frozen=True, eq=False)
class Job:
    """A block of configurations: ``stack`` with ``axes`` (already restricted to the block) swept."""

    stack: Stack
    axes: tuple[Axis, ...]
    variables: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)


def _si_factor(kind: str | None, system: str) -> float | None:
    if kind is None or system != "SI":
        return None
    from ..units import QUANTITIES  # the one registry (MODEL.md 7)

    return QUANTITIES[kind].to_unit


def evaluate(job: Job, out: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Solve the block and return each variable, shape ``block shape + extra dims``, C-contiguous.

    Values are in the stack's report units (:mod:`.variables`).  With ``out`` (one writable array of that
    shape per variable: the block's part of a result held in memory) each value is written there, converted
    on the way, and ``out`` is returned: one pass per variable, no intermediate array.
    """
    prepared = _prepared(job)
    if prepared is not None:
        return _evaluate_angles(job, prepared, out)
    stack = apply(job.stack, job.axes)
    solution = solve(stack).reduced  # model numbers: converted below by the variables' si_kind
    efficiency = solution.efficiency() if any(name in EFFICIENCY_NAMES for name in job.variables) else None
    results: dict[str, np.ndarray] = {}
    for name in job.variables:
        if name in EFFICIENCY_NAMES:
            value = getattr(efficiency, name)
        elif name in ("tau_DL", "tau_FL"):
            value = solution.spin_orbit_torque[0 if name == "tau_DL" else 1]
        elif name in ("smr_long", "smr_trans"):
            value = solution.smr.longitudinal if name == "smr_long" else solution.smr.transverse
        else:
            value = getattr(solution, name)
        shape = job.shape + extra_shape(name, job.stack)
        factor = _si_factor(CATALOGUE[name].si_kind, job.stack.units)
        results[name] = _stored(np.asarray(value), shape, factor, None if out is None else out[name])
    return results


def _prepared(job: Job) -> PreparedStack | None:
    """The prepared system of the sweep's stack when it solves this block: a block of angles ``theta`` alone
    and variables it returns, on a stack its compiled kernel takes (else None: the block's stack is built).

    Measured (CPU, 2e5 angles, seed stack): g's 8 ms a block (13 ms through the block's stack); torques,
    accumulations and r 28 ms from the turned directions, as through the block's stack (27 ms), in a second
    kernel run; the g's are then those of :func:`spinstack.analysis.efficiency` to the bit.
    """
    if len(job.axes) != 1 or job.axes[0].paths != (THETA,) or not set(job.variables) <= set(_PREPARED_NAMES):
        return None
    prepared = finalize(job.stack)  # kept with the stack: built once per sweep in this process
    return prepared if prepared.compiled else None


def _evaluate_angles(job: Job, prepared: PreparedStack, out: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """:func:`evaluate` of a block of angles by the prepared system: no stack is built, m2 is turned in the
    solve (g's) or given to it as directions (torques, accumulations, resistance-areas; in the stack's report
    units already)."""
    theta = job.axes[0].values[0]
    values: dict[str, np.ndarray] = {}
    if any(name in EFFICIENCY_NAMES for name in job.variables):
        efficiency = prepared.efficiency(theta)
        values.update({name: getattr(efficiency, name) for name in EFFICIENCY_NAMES})
    if any(name not in EFFICIENCY_NAMES for name in job.variables):
        first, second = prepared.ferromagnets
        m1, e = rotation_plane(job.stack, (first, second))
        magnetizations = np.empty(theta.shape + (2, 3))
        magnetizations[:, 0] = m1
        magnetizations[:, 1] = turned(m1, e, theta)  # as with_angle turns it
        solved = prepared.solve(magnetizations)
        values.update(torque=solved.torque, accumulation=solved.accumulation, resistance_area=solved.resistance_area,
                      spin_resistance_area=solved.spin_resistance_area)
    return {name: _stored(np.asarray(values[name]), job.shape + extra_shape(name, job.stack), None,
                          None if out is None else out[name]) for name in job.variables}


def _stored(value: np.ndarray, shape: tuple[int, ...], factor: float | None, target: np.ndarray | None) -> np.ndarray:
    """``value`` broadcast to ``shape`` and times ``factor``, as a C-contiguous float array (``value`` itself
    when it already is one) or written into ``target``."""
    if target is None:
        if factor is None and value.shape == shape and value.dtype == np.float64 and value.flags.c_contiguous:
            return value
        target = np.empty(shape)
    if factor is None:
        np.copyto(target, value)  # broadcasts; gathers a strided value (node-major accumulation) in one pass
    else:
        np.multiply(value, factor, out=target)
    return target
