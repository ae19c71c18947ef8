"""The compiled Dormand-Prince integration of MODEL.md 9a: the exact torque at every stage, in machine code.

:func:`spinstack.macrospin.simulate` takes this path by itself whenever it can (:func:`refusal` says when
it cannot; then the Python path of :mod:`.integrate` runs, the same method step for step).  The
algorithm is :mod:`.integrate`'s, written once more for numba:

* An embedded Runge-Kutta pair with FSAL (:mod:`.tableaux`: DOP853, Dormand-Prince 8(5,3), or DP5,
  Dormand-Prince 5(4); one loop takes either tableau), per-member step sizes and times, error control on m
  (each member's components: DP5's RMS norm, DOP853's combined norm), |m| renormalised after every
  accepted step, steps clipped to land on every saved time and every corner of a piecewise-linear drive
  (so saved times are exact), the same step-size controller and first step.  Every member's step sequence
  is its own, so a member's trajectory does not depend on the ensemble it is run in, and the compiled path
  repeats the Python path's to round-off (tests/macrospin/test_compiled.py: ~1e-14 in m).
* The right-hand side of every stage: the effective field (MODEL.md 9b: applied, uniaxial anisotropy,
  demagnetizing, interlayer exchange), the exact torque of the whole stack for the present
  magnetizations of all F layers (the solver's chain kernel, per unit current) times the member's drive
  J(t) (constant or piecewise linear), and the LLG of 9a.  Only the free magnetizations change between
  evaluations, so the elimination of the chain's fixed part (from the left end up to the first node whose
  step reads a free m: fixed layers, their links, the lead) is done once per part of the ensemble, and each
  evaluation solves the rest of the chain and forms the free layers' torques alone
  (:func:`spinstack.solver.kernels.free_plan`, ``_free_torques``: the same arithmetic as the whole solve).
* An ensemble is integrated in lockstep stages over BLOCK slots: each stage solves the members in the
  slots in one call of the chain kernel (configurations last: its inner loops run over the slots).  A
  member that is done leaves its slot to the next member still running, so the kernel's calls stay wide
  (its cost per configuration grows fast below ~30) until the last members.  The ensemble is split into
  one part of interleaved members per thread, the parts in a parallel loop over the cores.

Units are those of :mod:`.integrate` (SI: s, A/m^2, T, J/m^2).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import units
from ..errors import SpinstackError
from ..prepared import PreparedStack, finalize
from ..solver import kernels
from ..solver.compiled import AVAILABLE, njit, prange
from ..solver.kernels import _free_prepare, _free_torques
from .spec import MU0, Macrospins
from .tableaux import tableau

__all__ = ["BLOCK", "refusal", "integrate"]

#: members per block of lockstep stages (the chain kernel's own block: its work arrays stay in the caches)
BLOCK = 256
# progress reports: at most one per this many seconds of wall time; a call of the compiled loop lasts about this
_REPORT_EVERY = 0.25

# the step-size controller's safety factor and the bounds of one change (as .integrate's)
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 5.0

# columns of the per-member, per-free-layer constants (members, n_free, _COLUMNS)
_TORQUE_SCALE, _GAMMA, _ALPHA, _UNDAMPED, _ANISOTROPY, _AXIS, _DEMAG, _DAMPING = 0, 1, 2, 3, 4, 5, 8, 11
_COLUMNS = 12


def refusal(macrospins: Macrospins) -> str | None:
    """Why :func:`integrate` does not take ``macrospins`` (the Python path of :mod:`.integrate` does), or None.

    It takes any stack the solver's chain kernel solves (:func:`spinstack.solver.kernels.refusal`) as one
    configuration (the ensemble is then the macrospins' own parameters: fields, currents, constants), driven
    by its CPP current (no in-plane field), with free layers that touch no other F layer.
    """
    if not AVAILABLE:
        return "numba is not installed"
    stack = macrospins.stack
    if stack.batch_shape != ():
        return (f"the stack's own parameters are batched (shape {stack.batch_shape}); the compiled path takes one "
                "stack configuration (an ensemble of the macrospins' parameters)")
    prepared = finalize(stack)
    if stack.has_field:
        return "the stack has an in-plane field (MODEL.md 9c): its drive is the Python path's"
    why = kernels.refusal(prepared.arrays)
    if why is not None:
        return f"the solver's chain kernel does not take the stack: {why}"
    free = {prepared.ferromagnets.index(index) for index in macrospins.free}
    for a, b in prepared._touching:
        if a in free or b in free:
            return "a free layer touches another F layer (they must stay collinear: the Python path checks it)"
    return None


# ------------------------------------------------------------------ compiled parts
# numba's cache knows a function by its own file's time stamp, not by the kernels it calls: machine code built
# here with the solver's chain kernel inlined would be loaded again after kernels.py changed (silently wrong
# torques).  So the cache files of every function here that reaches the kernel are named after the kernel's
# sources: a new kernel compiles new files (an old set stays on disk, unused).
_KERNEL_SOURCES = hashlib.sha256(b"".join(Path(module.__file__).read_bytes() for module in (
    kernels, __import__("spinstack.solver.compiled", fromlist=["njit"])))).hexdigest()[:16]


def _keyed(function):
    """``function`` with the kernel's source fingerprint in its qualified name (numba's cache file name)."""
    function.__qualname__ = f"{function.__qualname__}_{_KERNEL_SOURCES}"
    return function


@njit(cache=True, error_model="numpy")
def _current(member, t, constant, wave_times, wave_values):  # pragma: no cover - compiled
    """J(t) of a member, A/m^2: its constant drive, or the waveform interpolated as Macrospins.current_at."""
    n = wave_times.shape[0]
    if n == 0:
        return constant[member]
    if n == 1:
        return wave_values[0, member]
    clipped = min(max(t, wave_times[0]), wave_times[n - 1])
    # searchsorted(times, clipped, side="right") - 1, clipped to a segment
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if wave_times[middle] <= clipped:
            low = middle + 1
        else:
            high = middle
    segment = min(max(low - 1, 0), n - 2)
    weight = (clipped - wave_times[segment]) / (wave_times[segment + 1] - wave_times[segment])
    low, high = wave_values[segment, member], wave_values[segment + 1, member]
    # as Macrospins.current_at: exact on a flat segment and at the corners ((1 - w) J_k + w J_k+1 rounds twice)
    return high if weight >= 1 else low + weight * (high - low)


@njit(cache=True, error_model="numpy")
@_keyed
def _rates(count, slots, owner, times, points, rates, structure, plan, work, torques, unit, currents, layer, applied,
           term_index, term_fixed, term_strength, constant, wave_times, wave_values, to_model,
           to_report):  # pragma: no cover - compiled
    """dm/dt (MODEL.md 9a) of the members owner[slots[:count]] at their times[slot] and (not normalised)
    points[slot] (n_free, 3), into rates[slot]: as integrate.RightHandSide, operation for operation.  The torques:
    :func:`_free_torques` in ``work`` (the fixed part of the chain eliminated once), by ``plan`` (kernels.free_plan)."""
    n_free = points.shape[1]
    driven = False
    for w in range(count):
        j = slots[w]
        member = owner[j]
        J = _current(member, times[j], constant, wave_times, wave_values)
        currents[w] = J
        if J != 0.0:
            driven = True
        for i in range(n_free):
            x, y, z = points[j, i, 0], points[j, i, 1], points[j, i, 2]
            norm = math.sqrt(x * x + y * y + z * z)
            unit[w, i, 0], unit[w, i, 1], unit[w, i, 2] = x / norm, y / norm, z / norm
    if driven:  # (no drive in the whole call: the torque is 0, as the Python path's)
        moving, moving_values, free_links, free_elements, begin_node, lowest = plan
        _free_torques(count, unit, structure, moving, moving_values, free_links, free_elements, begin_node, lowest, work,
                      torques)
    field = np.empty(3)
    tau = np.empty(3)
    v = np.empty(3)
    exchange = np.empty(3)
    for w in range(count):
        j = slots[w]
        member = owner[j]
        j0 = currents[w] / to_model
        for i in range(n_free):
            mx, my, mz = unit[w, i, 0], unit[w, i, 1], unit[w, i, 2]
            along = mx * layer[member, i, _AXIS] + my * layer[member, i, _AXIS + 1] + mz * layer[member, i, _AXIS + 2]
            for c in range(3):
                field[c] = ((applied[member, c] + layer[member, i, _ANISOTROPY] * along * layer[member, i, _AXIS + c])
                            - layer[member, i, _DEMAG + c] * unit[w, i, c])
            if term_index.shape[0]:  # interlayer exchange, in the couplings' order
                exchange[:] = 0.0
                for term in range(term_index.shape[0]):
                    if term_index[term, 0] != i:
                        continue
                    other = term_index[term, 1]
                    strength = term_strength[term, member]
                    for c in range(3):
                        exchange[c] += strength * (unit[w, other, c] if other >= 0 else term_fixed[term, c])
                for c in range(3):
                    field[c] = field[c] + exchange[c]
            scale = layer[member, i, _TORQUE_SCALE]
            for c in range(3):
                tau[c] = scale * ((torques[w, i, c] * j0) * to_report) if driven else 0.0
            alpha, gamma = layer[member, i, _ALPHA], layer[member, i, _GAMMA]
            for c in range(3):
                v[c] = alpha * tau[c] - gamma * field[c]
            dot = mx * field[0] + my * field[1] + mz * field[2]
            damping = layer[member, i, _DAMPING]
            undamped = layer[member, i, _UNDAMPED]
            r0 = my * v[2] - mz * v[1]
            r1 = mz * v[0] - mx * v[2]
            r2 = mx * v[1] - my * v[0]
            rates[j, i, 0] = ((r0 + damping * (field[0] - mx * dot)) + tau[0]) * undamped
            rates[j, i, 1] = ((r1 + damping * (field[1] - my * dot)) + tau[1]) * undamped
            rates[j, i, 2] = ((r2 + damping * (field[2] - mz * dot)) + tau[2]) * undamped


@njit(cache=True, error_model="numpy")
@_keyed
def _advance(part, parts, block, iterations, start, stops, save_number, rtol, atol, smallest, first_stop, m, t, h,
             derivative, following, accepted, rejected, evaluations, trajectory, structure, constants, plan, fixed_m,
             layer, applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values, to_model,
             to_report, A, E, E3, C, exponent, combined):  # pragma: no cover - compiled
    """Members part, part + parts, part + 2 parts, ... for at most ``iterations`` lockstep steps (state in m, t,
    h, derivative, following, the counters; saved m into trajectory), ``block`` of them at a time: a slot whose
    member is done takes the part's next running member, so the kernel's calls stay ``block`` wide (its cost per
    configuration doubles below ~30) until the part's last members.  ``start``: first the initial derivative
    and step of every member (as integrate._first_step).  Returns 0, or 1 when a step fell below 1e-14 of the
    time (too stiff)."""
    members = m.shape[0]
    mine = (members - part + parts - 1) // parts  # the part's members
    size = min(block, mine)
    n_free = m.shape[1]
    n_stops = stops.shape[0]
    dims = n_free * 3
    # the work arrays: stages by slot (its member: owner[slot]), the kernel's arrays by position in the call
    last_stage = A.shape[0] - 1
    k = np.zeros((last_stage + 1, size, n_free, 3))
    points = np.zeros((size, n_free, 3))
    # the chain's work arrays, the elimination of its fixed part done once (the same for every member)
    work = _free_prepare(size, structure, constants, fixed_m, plan[4])
    torques = np.zeros((size, n_free, 3))
    unit = np.zeros((size, n_free, 3))
    currents = np.zeros(size)
    slots = np.zeros(size, dtype=np.int64)
    times = np.zeros(size)
    step = np.zeros(size)
    target = np.zeros(size)
    owner = np.full(size, -1, dtype=np.int64)
    for begin in range(0, mine if start else 0, size):
        batch = min(size, mine - begin)
        for j in range(batch):
            owner[j] = part + (begin + j) * parts
            slots[j] = j
            times[j] = t[owner[j]]
            for i in range(n_free):
                for c in range(3):
                    points[j, i, c] = m[owner[j], i, c]
        _rates(batch, slots, owner, times, points, k[0], structure, plan, work, torques, unit, currents, layer,
               applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values, to_model, to_report)
        # the starting step (Hairer, Norsett & Wanner, II.4), as integrate._first_step
        for j in range(batch):
            member = owner[j]
            d0 = d1 = 0.0
            for i in range(n_free):
                for c in range(3):
                    scale = atol + rtol * abs(m[member, i, c])
                    d0 += (m[member, i, c] / scale) ** 2
                    d1 += (k[0, j, i, c] / scale) ** 2
            d0, d1 = math.sqrt(d0 / dims), math.sqrt(d1 / dims)
            h0 = 1e-6 * first_stop if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / max(d1, 1e-300)
            h0 = min(h0, first_stop)
            step[j] = h0
            times[j] = t[member] + h0
            for i in range(n_free):
                for c in range(3):
                    points[j, i, c] = m[member, i, c] + h0 * k[0, j, i, c]
        _rates(batch, slots, owner, times, points, k[1], structure, plan, work, torques, unit, currents, layer,
               applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values, to_model, to_report)
        for j in range(batch):
            member = owner[j]
            h0 = step[j]
            d2 = 0.0
            for i in range(n_free):
                for c in range(3):
                    scale = atol + rtol * abs(m[member, i, c])
                    d2 += ((k[1, j, i, c] - k[0, j, i, c]) / scale) ** 2
            d2 = math.sqrt(d2 / dims) / h0
            d1 = 0.0
            for i in range(n_free):
                for c in range(3):
                    d1 += (k[0, j, i, c] / (atol + rtol * abs(m[member, i, c]))) ** 2
            d1 = math.sqrt(d1 / dims)
            larger = max(d1, d2)
            h1 = max(1e-6 * first_stop, h0 * 1e-3) if larger <= 1e-15 else (0.01 / max(larger, 1e-300)) ** exponent
            h[member] = min(100 * h0, h1)
            evaluations[member] += 2
            for i in range(n_free):
                for c in range(3):
                    derivative[member, i, c] = k[0, j, i, c]
    owner[:] = -1
    taken = 0  # the part's members handed to a slot so far (in order)
    for _ in range(iterations):
        count = np.int64(0)  # (not 0: a literal 0 would type a first _rates call as Literal[int](0), compiled too)
        for j in range(size):
            member = owner[j]
            if member < 0 or following[member] >= n_stops:  # the slot takes the next running member
                member = -1
                while taken < mine and member < 0:
                    candidate = part + taken * parts
                    taken += 1
                    if following[candidate] < n_stops:
                        member = candidate
                owner[j] = member
            if member >= 0:
                slots[count] = j
                count += 1
                target[j] = stops[following[member]]
                step[j] = min(h[member], target[j] - t[member])
                for i in range(n_free):
                    for c in range(3):
                        k[0, j, i, c] = derivative[member, i, c]
        if count == 0:
            break
        # the stages; the last one's point is the propagated solution (A's last row is B), left in points
        for row in range(1, last_stage + 1):
            for w in range(count):
                j = slots[w]
                member = owner[j]
                times[j] = t[member] + C[row] * step[j]
                for i in range(n_free):
                    for c in range(3):
                        total = A[row, 0] * k[0, j, i, c]
                        for s in range(1, row):
                            if A[row, s] != 0.0:
                                total = total + A[row, s] * k[s, j, i, c]
                        points[j, i, c] = m[member, i, c] + step[j] * total
            _rates(count, slots, owner, times, points, k[row], structure, plan, work, torques, unit, currents, layer,
                   applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values, to_model,
                   to_report)
        for w in range(count):
            j = slots[w]
            member = owner[j]
            evaluations[member] += last_stage
            lands = h[member] >= target[j] - t[member]
            width = step[j]
            # the error norm: RMS of h E.k / scale (DP5), or DOP853's combination of its two estimates
            norm = 0.0
            third = 0.0
            for i in range(n_free):
                for c in range(3):
                    error = E[0] * k[0, j, i, c]
                    for s in range(1, last_stage + 1):
                        if E[s] != 0.0:
                            error = error + E[s] * k[s, j, i, c]
                    scale = atol + rtol * max(abs(m[member, i, c]), abs(points[j, i, c]))
                    if combined:
                        lower = E3[0] * k[0, j, i, c]
                        for s in range(1, last_stage + 1):
                            if E3[s] != 0.0:
                                lower = lower + E3[s] * k[s, j, i, c]
                        norm += (error / scale) ** 2
                        third += (lower / scale) ** 2
                    else:
                        norm += (width * error / scale) ** 2
            if combined:
                # no fifth-order error is no error whatever the third-order one (near an exactly collinear state
                # both sums underflow: 0 / 0 = NaN was a rejected step retried for ever, as in .integrate)
                norm = 0.0 if norm == 0.0 else abs(width) * norm / math.sqrt((norm + 0.01 * third) * dims)
            else:
                norm = math.sqrt(norm / dims)
            good = norm <= 1.0
            if good:
                accepted[member] += 1
                for i in range(n_free):
                    x, y, z = points[j, i, 0], points[j, i, 1], points[j, i, 2]
                    length = math.sqrt(x * x + y * y + z * z)
                    m[member, i, 0], m[member, i, 1], m[member, i, 2] = x / length, y / length, z / length
                    for c in range(3):
                        derivative[member, i, c] = k[last_stage, j, i, c]
                t[member] = target[j] if lands else t[member] + width
            else:
                rejected[member] += 1
            factor = min(max(_SAFETY * (norm if norm > 0 else 1e-10) ** -exponent, _MIN_FACTOR), _MAX_FACTOR)
            if norm != norm:  # NaN (a non-finite stage): shrink as much as one change may, to the step-size floor
                factor = _MIN_FACTOR
            if not good:
                factor = min(factor, 1.0)
            # a step clipped to land on a stop does not tell the controller to shrink
            h[member] = max(h[member], width * factor) if (good and lands) else width * factor
            if good and lands:
                number = save_number[following[member]]
                if number >= 0:
                    for i in range(n_free):
                        for c in range(3):
                            trajectory[number, member, i, c] = m[member, i, c]
                following[member] += 1
            if width <= 1e-14 * max(abs(t[member]), smallest):
                return 1
    return 0


@njit(cache=True, error_model="numpy")
@_keyed
def _advance_serial(block, iterations, start, stops, save_number, rtol, atol, smallest, first_stop, m, t, h,
                    derivative, following, accepted, rejected, evaluations, trajectory, structure, constants, plan,
                    fixed_m, layer, applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values,
                    to_model, to_report, A, E, E3, C, exponent, combined, status):  # pragma: no cover - compiled
    """:func:`_advance` of every member on the calling thread (one part)."""
    # np.int64, not the constants 0, 1: the types _advance_parallel passes (one compilation of _advance)
    status[0] = _advance(np.int64(0), np.int64(1), block, iterations, start, stops, save_number, rtol, atol, smallest,
                         first_stop, m, t, h, derivative, following, accepted, rejected, evaluations, trajectory,
                         structure, constants, plan, fixed_m, layer, applied, term_index, term_fixed, term_strength,
                         constant, wave_times, wave_values, to_model, to_report, A, E, E3, C, exponent, combined)


@njit(cache=True, parallel=True, error_model="numpy")
@_keyed
def _advance_parallel(block, iterations, start, stops, save_number, rtol, atol, smallest, first_stop, m, t, h,
                      derivative, following, accepted, rejected, evaluations, trajectory, structure, constants, plan,
                      fixed_m, layer, applied, term_index, term_fixed, term_strength, constant, wave_times, wave_values,
                      to_model, to_report, A, E, E3, C, exponent, combined, status):  # pragma: no cover - compiled
    """:func:`_advance` of status.shape[0] parts (members interleaved) in a parallel loop (members are independent)."""
    parts = status.shape[0]
    for part in prange(parts):
        # part as np.int64: the loop's index is a uint64, another type than _advance_serial's (two compilations)
        status[part] = _advance(np.int64(part), parts, block, iterations, start, stops, save_number, rtol, atol,
                                smallest, first_stop, m, t, h, derivative, following, accepted, rejected, evaluations,
                                trajectory, structure, constants, plan, fixed_m, layer, applied, term_index, term_fixed,
                                term_strength, constant, wave_times, wave_values, to_model, to_report, A, E, E3, C,
                                exponent, combined)


# ------------------------------------------------------------------ the Python side
def _members(value: np.ndarray, shape: tuple[int, ...], tail: tuple[int, ...]) -> np.ndarray:
    """``value`` broadcast to ``shape + tail`` as a new (members, *tail) float array (always writable and
    contiguous: numba compiles once per array type, and a read-only array is another type)."""
    return np.array(np.broadcast_to(value, shape + tail), dtype=float, order="C").reshape((-1,) + tail)


def _model(macrospins: Macrospins, prepared: PreparedStack) -> dict[str, np.ndarray]:
    """The compiled loop's inputs that describe the equation: the kernel's table, the per-member constants, the
    exchange terms and the drive, flattened over the ensemble."""
    shape = macrospins.batch_shape
    count = len(macrospins.free)
    table = prepared._by_magnetizations
    Ms = _members(macrospins.Ms, shape, (count,))
    alpha = _members(macrospins.alpha, shape, (count,))
    gamma = _members(macrospins.gamma, shape, (count,))
    thickness = _members(macrospins.thickness, shape, (count,))
    layer = np.empty(Ms.shape + (_COLUMNS,))
    # the same expressions as integrate.RightHandSide and fields.effective_field (the same rounding)
    layer[..., _TORQUE_SCALE] = gamma / (Ms * thickness)
    layer[..., _GAMMA] = gamma
    layer[..., _ALPHA] = alpha
    layer[..., _UNDAMPED] = 1.0 / (1.0 + alpha ** 2)
    layer[..., _ANISOTROPY] = 2 * _members(macrospins.K_u, shape, (count,)) / Ms
    layer[..., _AXIS:_AXIS + 3] = _members(macrospins.easy_axis, shape, (count, 3))
    layer[..., _DEMAG:_DEMAG + 3] = MU0 * Ms[..., None] * _members(macrospins.demag, shape, (count, 3))
    layer[..., _DAMPING] = alpha * gamma
    ferromagnets = macrospins.ferromagnets
    every = macrospins.all_magnetizations(macrospins.initial)  # (n_F, 3): one configuration
    moment = Ms * thickness
    index, fixed, strength = [], [], []
    for coupling in macrospins.couplings:
        for this, other in ((coupling.a, coupling.b), (coupling.b, coupling.a)):
            if this in macrospins.free:
                k = macrospins.free.index(this)
                index.append((k, macrospins.free.index(other) if other in macrospins.free else -1))
                fixed.append(every[ferromagnets.index(other)])
                strength.append(_members(coupling.J_ex, shape, ()) / moment[:, k])
    if macrospins.waveform is None:
        constant = _members(macrospins.current, shape, ())
        wave_times, wave_values = np.empty(0), np.empty((0, constant.shape[0]))
    else:
        times, values = macrospins.waveform
        constant = np.zeros(int(np.prod(shape, dtype=np.int64)))
        wave_times = np.array(times, dtype=float, order="C")
        wave_values = np.array(np.broadcast_to(values.reshape(values.shape[:1] + (1,) * (
            len(shape) + 1 - values.ndim) + values.shape[1:]), values.shape[:1] + shape), dtype=float, order="C").reshape(
            len(times), -1)
    free_rows = np.array([ferromagnets.index(i) for i in macrospins.free], dtype=np.int64)
    free_layers = np.array(macrospins.free, dtype=np.int64)
    plan = kernels.free_plan(table, free_layers, free_rows)
    return dict(
        plan=(plan["moving"], plan["moving_values"], plan["free_links"], plan["free_elements"], int(plan["begin_node"]),
              int(plan["lowest"])),
        structure=np.array(table.structure, dtype=np.int64, order="C"),
        constants=np.array(table.constants, dtype=float, order="C"), vary=np.array(table.vary, dtype=float, order="C"),
        fixed_m=np.array(every, dtype=float, order="C"),
        free_rows=free_rows, free_layers=free_layers, layer=np.ascontiguousarray(layer),
        applied=_members(macrospins.field, shape, (3,)),
        term_index=np.array(index, dtype=np.int64).reshape(-1, 2),
        term_fixed=np.array(fixed, dtype=float).reshape(-1, 3),
        term_strength=np.array(strength, dtype=float) if strength else np.zeros((0, len(Ms))),
        constant=constant, wave_times=wave_times, wave_values=wave_values,
        to_model=float(units.report(1.0, "current")), to_report=float(units.report(1.0, "torque")))


def integrate(macrospins: Macrospins, m: np.ndarray, saves: np.ndarray, stops: np.ndarray, save_number: np.ndarray,
              rtol: float, atol: float, progress: Callable[[float], None] | None = None, method: str = "DOP853"
              ) -> tuple[np.ndarray, int, int, int]:
    """m at every saved time by the compiled Runge-Kutta loop (the arguments as integrate._dormand_prince's).

    Parameters
    ----------
    macrospins
        Taken by :func:`refusal` (None).
    m
        Starting unit vectors (batch..., n_free, 3).
    saves, stops, save_number
        The saved times (s), every time a step lands on (saves and a waveform's corners), and the index in
        ``saves`` of each stop (-1 for a corner).
    rtol, atol
        The local error tolerances.
    progress
        Called with the fraction of the simulated time done (the slowest member's), at most every 0.25 s.
    method
        The embedded pair, ``"DOP853"`` or ``"DP5"`` (:mod:`.tableaux`).

    Returns
    -------
    (trajectory (time, batch..., n_free, 3), accepted steps, rejected steps, the most right-hand-side evaluations
    of one member)
    """
    shape = m.shape[:-2]
    count = m.shape[-2]
    prepared = finalize(macrospins.stack)
    model = _model(macrospins, prepared)
    members = int(np.prod(shape, dtype=np.int64))
    state = np.array(m, dtype=float, order="C").reshape(members, count, 3)  # a copy: the loop moves it in place
    t = np.zeros(members)
    h = np.zeros(members)
    derivative = np.zeros((members, count, 3))
    following = np.ones(members, dtype=np.int64)
    accepted = np.zeros(members, dtype=np.int64)
    rejected = np.zeros(members, dtype=np.int64)
    evaluations = np.zeros(members, dtype=np.int64)
    trajectory = np.empty((len(saves), members, count, 3))
    trajectory[0] = state
    # one part of interleaved members per thread (parts of one grid's rows and columns cost alike), each refilling
    # its BLOCK slots as members finish; a small ensemble (under 64 members a thread) runs on the calling thread
    from numba import get_num_threads

    parts = max(1, min(get_num_threads(), members // 64))
    block = min(BLOCK, members)
    status = np.zeros(parts, dtype=np.int64)
    advance = _advance_parallel if parts > 1 else _advance_serial
    smallest = float(saves[1]) if len(saves) > 1 else 1.0
    first_stop = float(stops[1]) if len(stops) > 1 else float(saves[-1])
    duration = float(saves[-1])
    save_number = np.array(save_number, dtype=np.int64, order="C")  # (new C arrays: one type, one compilation)
    stops = np.array(stops, dtype=float, order="C")
    pair = tableau(method)
    coefficients = tuple(np.array(array, dtype=float, order="C") for array in (pair.A, pair.E, pair.E3, pair.C))

    def run(iterations: int, start: bool) -> None:
        advance(block, iterations, start, stops, save_number, float(rtol), float(atol), smallest, first_stop, state, t,
                h, derivative, following, accepted, rejected, evaluations, trajectory, model["structure"],
                model["constants"], model["plan"], model["fixed_m"], model["layer"], model["applied"], model["term_index"],
                model["term_fixed"], model["term_strength"],
                model["constant"], model["wave_times"], model["wave_values"], model["to_model"], model["to_report"],
                *coefficients, float(pair.exponent), bool(pair.combined), status)
        if status.any():
            raise SpinstackError("the step size fell below 1e-14 of the time: the equation is too stiff for these "
                                 f"tolerances (rtol {rtol:g}, atol {atol:g})")

    # a call of the compiled loop runs a number of steps sized to last ~_REPORT_EVERY s, progress or not: Python
    # delivers a Ctrl-C (KeyboardInterrupt) and other signals only between calls (members are independent:
    # stopping and resuming the loop does not change a step)
    iterations, start = 16, True
    while start or np.any(following < len(stops)):
        began = time.perf_counter()
        run(iterations, start)
        start = False
        spent = time.perf_counter() - began
        iterations = int(min(max(iterations * _REPORT_EVERY / max(spent, 1e-6), 1), 4 * iterations, 2 ** 40))
        if progress is not None:
            progress(min(float(t.min()) / duration, 1.0))
    trajectory = trajectory.reshape((len(saves),) + shape + (count, 3))
    return trajectory, int(accepted.sum()), int(rejected.sum()), int(evaluations.max(initial=0))
