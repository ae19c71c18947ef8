"""Macrospin LLGS with the exact torque at every step: the right-hand side of MODEL.md 9a and its integration.

>>> spins = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, field=(0, 0, 0.05))
>>> run = simulate(stack, spins, duration=5e-9, save_every=1e-12)
>>> run.m.sel(layer=2)                        # (time, component) unit vectors
>>> run.resistance_area                        # Ohm m^2 over time

The right-hand side (:class:`RightHandSide`) is the Landau-Lifshitz form of Gilbert's equation,

    (1 + alpha^2) dm/dt = -gamma m x B - alpha gamma m x (m x B) + tau + alpha m x tau,
    tau_i = gamma T_i / (Ms_i d_i),

with T_i the torque per area (J/m^2) of the exact transport solution of the whole stack for the present
magnetizations of all F layers and the present drive J(t), from :meth:`spinstack.PreparedStack.torques`
at every evaluation (no fitted angular form, no frozen polarizer).  It is evaluated at m / |m|, so it is
defined off the unit sphere too (Runge-Kutta stages leave it by O(h^6)) and is tangent to the sphere.

The integrator (:func:`simulate`) is an embedded Runge-Kutta pair (:mod:`.tableaux`; ``method=``): by default
DOP853, Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.10, as scipy's
``solve_ivp(method="DOP853")``), or DP5, Dormand-Prince 5(4) (ibid. sec. II.5), with the higher-order
solution propagated, local error control on m (DP5: mixed absolute/relative RMS norm over each member's
components; DOP853: its combined fifth/third-order norm), the standard step-size controller, first-same-as-last (the
right-hand side is the same at m and m / |m|, so the renormalisation of |m| after every accepted step
keeps the last stage valid), steps clipped to land on every saved time and on every corner of a
piecewise-linear drive.

Ensembles: every member has its own step size and its own time.  Members differ (a large field
precesses ten times faster than a small one; a member near a switching event needs short steps that the
others do not), and a shared step would be the smallest of all; with their own steps the batch is still
solved in one call per stage (one exact-torque solve for all members), members that are done simply stop
moving.  The cost is that every stage evaluates all members still running.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from ..errors import SpinstackError
from ..model import Stack
from ..prepared import finalize
from .compilation import announced, loop_for
from .equation import (DEFAULT_MAX_STEPS, MAX_SAVED_POINTS, RightHandSide, _initial, _resistance_area, _stops,
                       check_saved_points, fastest_rate)
from .spec import Macrospins
from .tableaux import METHODS, Tableau, tableau

__all__ = ["RightHandSide", "simulate", "estimated_steps", "DEFAULT_RTOL", "DEFAULT_ATOL", "DEFAULT_MAX_STEPS",
           "DEFAULT_METHOD", "MAX_SAVED_POINTS", "METHODS"]

#: defaults of :func:`simulate`: they reproduce DOP853 at rtol 1e-10 to better than 1e-6 in m over a few ns
DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-11
#: the embedded Runge-Kutta pair of :func:`simulate` (:mod:`.tableaux`)
DEFAULT_METHOD = "DOP853"

# step-size controller: safety factor and the bounds of one change
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 5.0
# progress reports: at most one per this many seconds
_REPORT_EVERY = 0.25


def estimated_steps(macrospins: Macrospins, duration: float, rtol: float) -> float:
    """A rough count of Dormand-Prince steps per member for ``duration`` s at ``rtol``.

    The fastest rate is gamma |B| + |tau| at the start, bounded above over the sphere for the field
    (|B_app| + 2|K_u| / Ms + mu0 Ms max N + sum |J_ex| / (Ms d)) and taken at the largest |J| of the drive
    for the torque; a fifth-order step of angle h omega errs by ~ (h omega)^5, so one period needs about
    2 pi / rtol^(1/5) steps.
    """
    rate = fastest_rate(macrospins)
    return duration * rate / (2 * math.pi) * (2 * math.pi / rtol ** 0.2)


def simulate(stack: Stack, macrospins: Macrospins, duration: float, save_every: float, *,
             rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, initial: np.ndarray | None = None,
             max_steps: float = DEFAULT_MAX_STEPS, backend: str | None = None,
             progress: Callable[[float], None] | None = None, dt: float | None = None,
             method: str = DEFAULT_METHOD):
    """Integrate MODEL.md 9a for the free layers of ``stack`` from t = 0 to ``duration``.

    With any temperature > 0 (the thermal field of MODEL.md 9b) the run is stochastic and goes to
    :func:`spinstack.macrospin.thermal.simulate_thermal` (stochastic Heun at the fixed step ``dt``; rtol and
    atol do not apply there).

    Parameters
    ----------
    stack
        The SI stack solved at every step (fixed F layers keep its m; the free ones start from it).
        ``macrospins`` built for another stack is checked again against this one.
    macrospins
        Which layers move and their constants, fields and drive.
    duration
        s, > 0.
    save_every
        s, > 0: m, J and R are saved at 0, save_every, 2 save_every, ... up to ``duration`` (and at ``duration``).
    rtol, atol
        Local error tolerances on m (relative, absolute), per member, RMS over its components.
    initial
        Starting m of the free layers (..., n_free, 3), normalised here; default the stack's own.
    max_steps
        Refuse (before integrating) a run estimated to need more steps per member than this.
    backend
        ``"compiled"`` (the loop in machine code, :mod:`.compiled`), ``"python"`` (numpy, any stack), or
        ``None`` (default): compiled whenever :func:`.compiled.refusal` allows, else Python.  Both run the
        same method step for step and agree to round-off.
    progress
        Called with the fraction of the simulated time done (that of the slowest member, 0 to 1) a few
        times per second at most, and with 1.0 at the end.
    dt
        s, the fixed step of a thermal run (any temperature > 0); default
        :func:`spinstack.macrospin.thermal.default_step`.  Ignored by a deterministic run.
    method
        The embedded Runge-Kutta pair (:mod:`.tableaux`): ``"DOP853"`` (default; Dormand-Prince 8(5,3), 12
        evaluations a step, fewer evaluations than DP5 for the same accuracy at these tolerances) or ``"DP5"``
        (Dormand-Prince 5(4), 6 a step).  Both backends run either.  Ignored by a thermal run.

    Returns
    -------
    xarray.Dataset
        ``m`` (time, ensemble..., layer, component), unit vectors; ``current`` (time, ensemble...) A/m^2;
        ``resistance_area`` (time, ensemble...) Ohm m^2 of the present configuration; coordinates ``time``
        (s), ``layer`` (stack indices of the free layers), ``component`` (x, y, z); ensemble dimensions
        ``member_0``, ... for the batch axes; attrs with units, tolerances and step counts.

    Raises
    ------
    SpinstackError
        Bad duration, save interval (or more than :data:`MAX_SAVED_POINTS` saved points per member), tolerances
        or initial state, an absurd step count, or
        ``backend="compiled"`` for macrospins it does not take (the message says why).
    """
    import xarray as xr

    if macrospins.stack is not stack:
        macrospins = macrospins.with_stack(stack)
    if np.any(macrospins.temperature > 0):  # the thermal field (MODEL.md 9b): stochastic Heun, fixed step
        from .thermal import simulate_thermal

        return simulate_thermal(stack, macrospins, duration, save_every, dt=dt, initial=initial, max_steps=max_steps,
                                backend=backend, progress=progress)
    for name, value in (("duration", duration), ("save_every", save_every), ("rtol", rtol), ("atol", atol)):
        if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
            raise SpinstackError(f"{name} must be a finite number > 0, got {value!r}")
    if method not in METHODS:
        raise SpinstackError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    if backend not in (None, "python", "compiled"):
        raise SpinstackError(f"backend must be 'python', 'compiled' or None, got {backend!r}")
    from . import compiled

    why = compiled.refusal(macrospins) if backend != "python" else "python asked for"
    if backend == "compiled" and why is not None:
        raise SpinstackError(f"backend 'compiled' does not take these macrospins: {why}")
    estimate = estimated_steps(macrospins, float(duration), float(rtol))
    if estimate > max_steps:
        raise SpinstackError(f"duration: {duration:g} s needs about {estimate:.3g} integration steps per member at "
                             f"rtol {rtol:g} (the fastest precession, gamma |B| plus the torque's rate, over the "
                             f"run), more than max_steps = {max_steps:.3g}: shorten the run or raise max_steps")
    shape = macrospins.batch_shape
    count = len(macrospins.free)
    check_saved_points(duration, save_every, count, math.prod(shape))  # before any array of the saved times
    start = macrospins.initial if initial is None else _initial(initial, count)
    m = np.array(np.broadcast_to(start, shape + (count, 3)))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    saves = np.arange(0.0, duration * (1 + 1e-12), save_every)
    if duration - saves[-1] > 1e-9 * save_every:
        saves = np.append(saves, duration)
    stops, save_number = _stops(saves, macrospins)
    if why is None:
        # the first run after an install compiles the loop for minutes: one line on stderr first (.compilation)
        with announced(loop_for(math.prod(shape)), progress) as report:
            trajectory, accepted, rejected, evaluations = compiled.integrate(
                macrospins, m, saves, stops, save_number, float(rtol), float(atol), report, method)
        prepared = finalize(macrospins.stack)
    else:
        rhs = RightHandSide(macrospins)
        trajectory, accepted, rejected = _dormand_prince(rhs, m, saves, stops, save_number, float(rtol), float(atol),
                                                         progress, tableau(method))
        evaluations, prepared = rhs.evaluations, rhs.prepared
    if progress is not None:
        progress(1.0)
    current = np.broadcast_to(macrospins.current_at(saves.reshape(saves.shape + (1,) * len(shape))),
                              saves.shape + shape).copy()
    resistance = _resistance_area(prepared, macrospins, trajectory)
    members = [f"member_{k}" for k in range(len(shape))]
    dataset = xr.Dataset(
        {"m": (("time", *members, "layer", "component"), trajectory, {"units": "1", "long_name": "magnetization"}),
         "current": (("time", *members), current, {"units": "A/m^2", "long_name": "current density J"}),
         "resistance_area": (("time", *members), np.broadcast_to(resistance, saves.shape + shape).copy(),
                             {"units": "Ohm m^2", "long_name": "resistance-area"})},
        coords={"time": ("time", saves, {"units": "s"}), "layer": ("layer", list(macrospins.free)),
                "component": ("component", ["x", "y", "z"])},
        attrs={"equation": "MODEL.md 9a (LLGS, exact torque at every evaluation)", "integrator": _NAMES[method],
               "rtol": float(rtol), "atol": float(atol), "accepted_steps": int(accepted),
               "rejected_steps": int(rejected), "torque_evaluations": int(evaluations),
               "backend": "compiled" if why is None else "python"})
    return dataset


_NAMES = {"DP5": "Dormand-Prince 5(4)", "DOP853": "Dormand-Prince 8(5,3) (DOP853)"}


def _error_norm(error: np.ndarray, old: np.ndarray, new: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """RMS over each member's components of error / (atol + rtol max(|old|, |new|)), shape batch."""
    scale = atol + rtol * np.maximum(np.abs(old), np.abs(new))
    ratio = (error / scale).reshape(error.shape[:-2] + (-1,))
    return np.sqrt(np.mean(ratio ** 2, axis=-1))


def _dormand_prince(rhs: RightHandSide, m: np.ndarray, saves: np.ndarray, stops: np.ndarray, save_number: np.ndarray,
                    rtol: float, atol: float, progress: Callable[[float], None] | None = None,
                    pair: Tableau | None = None) -> tuple[np.ndarray, int, int]:
    """m at every time of ``saves`` (time, batch..., n_free, 3), and the accepted and rejected step counts; every
    step lands on the times ``stops`` it reaches (``save_number``: their index in ``saves``, -1 if not saved).
    ``pair``: the embedded Runge-Kutta pair (default DP5, whose name this function keeps)."""
    pair = tableau("DP5") if pair is None else pair
    last = pair.A.shape[0] - 1
    shape = m.shape[:-2]
    reported = time.perf_counter()
    trajectory = np.empty((len(saves),) + m.shape)
    flat_trajectory = trajectory.reshape((len(saves), -1) + m.shape[-2:])  # a view: members on one axis
    trajectory[0] = m
    t = np.zeros(shape)
    following = np.ones(shape, dtype=int)  # index in `stops` of the next stop of each member
    derivative = rhs(t, m)
    h = _first_step(rhs, t, m, derivative, rtol, atol, stops[1] if len(stops) > 1 else saves[-1], pair.exponent)
    accepted = rejected = 0
    running = following < len(stops)
    while np.any(running):
        target = stops[np.minimum(following, len(stops) - 1)]
        step = np.where(running, np.minimum(h, target - t), 0.0)
        lands = running & (h >= target - t)  # this step ends on the member's next stop
        stages = [derivative]
        widths = step[..., None, None]
        for row in range(1, last + 1):
            # (the last row's weights are B: that stage's point is the propagated solution)
            point = m + widths * sum(a * k for a, k in zip(pair.A[row, :row], stages) if a)
            stages.append(rhs(t + pair.C[row] * step, point))
        fifth = point
        if pair.combined:  # DOP853: its fifth- and third-order estimates combined (Hairer's DOP853, scipy's)
            scale = atol + rtol * np.maximum(np.abs(m), np.abs(fifth))
            flat = m.shape[:-2] + (-1,)
            upper = np.sum((sum(e * k for e, k in zip(pair.E, stages) if e) / scale).reshape(flat) ** 2, axis=-1)
            lower = np.sum((sum(e * k for e, k in zip(pair.E3, stages) if e) / scale).reshape(flat) ** 2, axis=-1)
            # no fifth-order error is no error (the limit of upper / sqrt(upper + 0.01 lower)), whatever the third-order
            # estimate: near an exactly collinear state both sums underflow, upper to 0 and 0.01 lower too, and
            # 0 / 0 = NaN was a rejected step that never shrinks (a run stuck for ever on one step)
            with np.errstate(invalid="ignore", divide="ignore"):
                norm = np.where(upper == 0, 0.0, np.abs(step) * upper / np.sqrt(
                    (upper + 0.01 * lower) * (m.shape[-2] * 3)))
        else:
            error = widths * sum(e * k for e, k in zip(pair.E, stages) if e)
            norm = _error_norm(error, m, fifth, rtol, atol)
        good = running & (norm <= 1.0)
        bad = running & ~good
        accepted += int(np.count_nonzero(good))
        rejected += int(np.count_nonzero(bad))
        # accepted members move (|m| renormalised; the last stage is the next first one: FSAL)
        moved = fifth / np.linalg.norm(fifth, axis=-1, keepdims=True)
        m = np.where(good[..., None, None], moved, m)
        derivative = np.where(good[..., None, None], stages[last], derivative)
        t = np.where(good, np.where(lands, target, t + step), t)
        with np.errstate(divide="ignore"):
            # a NaN norm (a non-finite stage) shrinks the step as much as one change may: the run then ends on the
            # step-size floor below instead of retrying one step for ever
            factor = np.clip(_SAFETY * np.where(norm > 0, norm, np.where(np.isnan(norm), np.inf, 1e-10))
                             ** -pair.exponent, _MIN_FACTOR, _MAX_FACTOR)
        factor = np.where(bad, np.minimum(factor, 1.0), factor)
        # a step clipped to land on a stop does not tell the controller to shrink
        h = np.where(running, np.where(good & lands, np.maximum(h, step * factor), step * factor), h)
        arrived = good & lands
        if np.any(arrived):
            number = np.where(arrived, save_number[np.minimum(following, len(stops) - 1)], -1).reshape(-1)
            members = np.flatnonzero(number >= 0)
            flat_trajectory[number[members], members] = m.reshape(flat_trajectory.shape[1:])[members]
            following = np.where(arrived, following + 1, following)
        if np.any(step[running] <= 1e-14 * np.maximum(np.abs(t[running]), saves[1] if len(saves) > 1 else 1.0)):
            raise SpinstackError("the step size fell below 1e-14 of the time: the equation is too stiff for these "
                                 f"tolerances (rtol {rtol:g}, atol {atol:g})")
        running = following < len(stops)
        if progress is not None and time.perf_counter() - reported >= _REPORT_EVERY:
            progress(min(float(t.min()) / saves[-1], 1.0))
            reported = time.perf_counter()
    return trajectory, accepted, rejected


def _first_step(rhs: RightHandSide, t: np.ndarray, m: np.ndarray, derivative: np.ndarray, rtol: float, atol: float,
                first_stop: float, exponent: float = 0.2) -> np.ndarray:
    """The starting step of every member (Hairer, Norsett & Wanner, II.4: from |m| / |dm/dt| and a trial step)."""
    scale = atol + rtol * np.abs(m)
    rms = lambda value: np.sqrt(np.mean(((value / scale) ** 2).reshape(value.shape[:-2] + (-1,)), axis=-1))  # noqa: E731
    d0, d1 = rms(m), rms(derivative)
    h0 = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6 * first_stop, 0.01 * d0 / np.maximum(d1, 1e-300))
    h0 = np.minimum(h0, first_stop)
    trial = rhs(t + h0, m + h0[..., None, None] * derivative)
    d2 = rms(trial - derivative) / h0
    larger = np.maximum(d1, d2)
    h1 = np.where(larger <= 1e-15, np.maximum(1e-6 * first_stop, h0 * 1e-3), (0.01 / np.maximum(larger, 1e-300)) ** exponent)
    return np.minimum(100 * h0, h1)
