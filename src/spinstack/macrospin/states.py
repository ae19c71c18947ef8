"""The end-of-run summary of a macrospin trajectory (MODEL.md 9d): state, precession frequency, switching time.

>>> run = simulate(stack, spins, duration=20e-9, save_every=1e-12)           # doctest: +SKIP
>>> summary = final_states(run, reference_direction(spins))                 # doctest: +SKIP
>>> summary.state.values, summary.frequency.values, summary.switching_time.values  # doctest: +SKIP

Per free layer (and ensemble member) of a saved trajectory m(t):

* ``"P"`` / ``"AP"``: over the last tenth of the run m stays within ``tolerance_degrees`` (1 degree) of
  +m_ref / -m_ref, the reference direction (by default the first fixed F layer's magnetization).
* ``"precession"``: a steady orbit over the last half: m's velocity along its widest direction crosses
  zero with a stable period (successive periods within ``period_tolerance``) and
  a stable amplitude (per-cycle peak-to-peak within ``amplitude_tolerance``), at least ``min_periods``
  full periods.
* ``"static"``: settled away from +-m_ref: over the last tenth m stays within ``settle_degrees`` of its
  final direction.
* ``"undetermined"``: none of these (still moving irregularly, or relaxing slower than the run).

The frequency (Hz) is that of the last half's periodic motion whenever its period is stable (also for a
damped orbit settling into P, AP or a tilted state; NaN when there is no regular oscillation): the number
of full periods between the first and the last upward zero crossing divided by the time between them, each
crossing interpolated linearly between saved points.  The switching time (s) is the first time m . m_ref
changes sign (linear interpolation), NaN (``None`` for one trajectory) when it never does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SpinstackError

if TYPE_CHECKING:
    import xarray

    from .spec import Macrospins

#: The end states of MODEL.md 9d, in the order they are tested.
STATES = ("P", "AP", "precession", "static", "undetermined")


@dataclass(frozen=True)
class FinalState:
    """The end-of-run summary of one free layer's trajectory (MODEL.md 9d).

    Attributes
    ----------
    state
        One of :data:`STATES`.
    frequency
        Hz, of the last half's periodic motion; ``None`` when it has no stable period.
    switching_time
        s, the first time m . m_ref changes sign; ``None`` when it never does.
    """

    state: str
    frequency: float | None
    switching_time: float | None


def reference_direction(macrospins: "Macrospins") -> np.ndarray:
    """The default reference m_ref of MODEL.md 9d: the first fixed F layer's unit magnetization (stack batch..., 3).

    Raises
    ------
    SpinstackError
        When every F layer is free (then no default exists: pass a direction).
    """
    fixed = [position for position, index in enumerate(macrospins.ferromagnets) if index not in macrospins.free]
    if not fixed:
        raise SpinstackError("reference: every F layer is free, so there is no fixed reference layer; "
                             "pass the reference direction m_ref explicitly")
    # all_magnetizations fills the fixed layers with the stack's own unit m (the free ones from the argument)
    every = macrospins.all_magnetizations(macrospins.initial)
    return every[..., fixed[0], :]


def switching_time(time: np.ndarray, m: np.ndarray, reference: np.ndarray) -> float | None:
    """The first time m . m_ref changes sign, s, by linear interpolation between saved points; ``None`` if never.

    Parameters
    ----------
    time
        Saved times (n,), s, increasing.
    m
        Unit magnetizations (n, 3).
    reference
        The unit reference direction m_ref (3,).
    """
    projection = np.asarray(m, dtype=float) @ np.asarray(reference, dtype=float)
    signs = np.sign(projection)
    nonzero = np.flatnonzero(signs)
    if not len(nonzero):
        return None
    start = nonzero[0]
    flipped = np.flatnonzero(signs[start:] == -signs[start])
    if not len(flipped):
        return None
    after = start + flipped[0]
    # the last point before the flip with the starting sign; saved points exactly at 0 in between: the first of them
    before = start + np.flatnonzero(signs[start:after] == signs[start])[-1]
    if after - before > 1:
        return float(time[before + 1])
    a, b = projection[before], projection[after]
    return float(time[before] + a * (time[after] - time[before]) / (a - b))


def _rising_crossings(time: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Times where ``signal`` goes from < 0 to >= 0, interpolated linearly between saved points."""
    k = np.flatnonzero((signal[:-1] < 0) & (signal[1:] >= 0))
    return time[k] - signal[k] * (time[k + 1] - time[k]) / (signal[k + 1] - signal[k])


def _oscillation(time: np.ndarray, m: np.ndarray, min_periods: int, period_tolerance: float,
                 amplitude_tolerance: float) -> tuple[float | None, bool]:
    """(frequency or None, steady) of the periodic motion of m over ``time`` (the last half of a run).

    The signal is m's velocity (finite differences at the midpoints) along the widest direction of its
    excursion: it oscillates about zero whatever the orbit's centre (a cone about any axis, also when the angle
    to m_ref stays constant, or a spiral decaying to a point whose mean over the window is not its centre).
    A uniformly sampled sinusoid's differences are an exact sinusoid at the midpoints, so the upward zero
    crossings keep the period."""
    step = np.diff(m, axis=0)
    # stop where the motion has died out (|dm| per saved point below 1e-10): the round-off of m (1e-16) and the
    # integrator's error would move the crossings of a smaller signal by more than 1e-6 of a period
    moving = np.flatnonzero(np.linalg.norm(step, axis=-1) > 1e-10)
    if len(moving) < 4:
        return None, False
    step = step[: moving[-1] + 1]
    middle = 0.5 * (time[1:] + time[:-1])[: len(step)]
    velocity = step / np.diff(time)[: len(step), None]
    # in the plane normal to the orbit's mean direction: the slow drift along the axis (a spiral's in- or outward
    # motion, d(m . axis)/dt) does not oscillate and would shift the crossings
    mean = m.mean(axis=0)
    if np.linalg.norm(mean) > 1e-6:
        axis = mean / np.linalg.norm(mean)
        velocity = velocity - np.outer(velocity @ axis, axis)
    _, _, rows = np.linalg.svd(velocity, full_matrices=False)  # the principal direction of the velocity
    signal = velocity @ rows[0]
    crossings = _rising_crossings(middle, signal)
    if len(crossings) < min_periods + 1:
        return None, False
    periods = np.diff(crossings)
    if np.ptp(periods) > period_tolerance * periods.mean():
        return None, False
    frequency = (len(crossings) - 1) / (crossings[-1] - crossings[0])
    # per-cycle peak-to-peak amplitude of the velocity (between successive upward crossings)
    edges = np.searchsorted(middle, crossings)
    amplitudes = np.array([np.ptp(signal[lo:hi]) for lo, hi in zip(edges[:-1], edges[1:]) if hi - lo >= 2])
    steady = len(amplitudes) >= min_periods and np.ptp(amplitudes) <= amplitude_tolerance * amplitudes.mean()
    return float(frequency), bool(steady)


def final_state(time: Any, m: Any, reference: Any, *, tolerance_degrees: float = 1.0, settle_degrees: float = 0.1,
                period_tolerance: float = 0.01, amplitude_tolerance: float = 0.02, min_periods: int = 3) -> FinalState:
    """The MODEL.md 9d summary of one free layer's trajectory.

    Parameters
    ----------
    time
        Saved times (n,), s, strictly increasing, from the start of the run.
    m
        Magnetizations (n, 3) (normalised here).
    reference
        The reference direction m_ref (3,) (normalised here).
    tolerance_degrees
        P / AP when m stays within this angle (degrees) of +-m_ref over the last tenth of the run.
    settle_degrees
        Static when m stays within this angle (degrees) of its final direction over the last tenth.
    period_tolerance
        Precession needs the last half's periods within this fraction of their mean (max - min).
    amplitude_tolerance
        ... and the per-cycle peak-to-peak amplitudes within this fraction of their mean.
    min_periods
        ... and at least this many full periods in the last half (also needed for a frequency).

    Returns
    -------
    FinalState
    """
    time = np.asarray(time, dtype=float)
    m = np.asarray(m, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if time.ndim != 1 or len(time) < 4 or m.shape != time.shape + (3,) or reference.shape != (3,):
        raise SpinstackError(f"final_state needs times (n >= 4,), m (n, 3) and a reference (3,), got shapes "
                             f"{time.shape}, {m.shape}, {reference.shape}")
    if not (np.all(np.isfinite(time)) and np.all(np.diff(time) > 0)):
        raise SpinstackError("final_state: the times must be finite and strictly increasing")
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(reference)) and np.linalg.norm(reference) > 0):
        raise SpinstackError("final_state: m and the reference must be finite, the reference non-zero")
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    reference = reference / np.linalg.norm(reference)
    start, end = time[0], time[-1]
    last_half = time >= start + 0.5 * (end - start)
    last_tenth = time >= start + 0.9 * (end - start)
    last_tenth[-2:] = True  # at least two points

    flip = switching_time(time, m, reference)
    frequency, steady = _oscillation(time[last_half], m[last_half], min_periods, period_tolerance,
                                     amplitude_tolerance)
    cosine = np.clip(m[last_tenth] @ reference, -1.0, 1.0)
    within = math.cos(math.radians(tolerance_degrees))
    if np.all(cosine >= within):
        state = "P"
    elif np.all(cosine <= -within):
        state = "AP"
    elif steady:
        state = "precession"
    elif np.all(np.clip(m[last_tenth] @ m[-1], -1.0, 1.0) >= math.cos(math.radians(settle_degrees))):
        state = "static"
    else:
        state = "undetermined"
    return FinalState(state, frequency, flip)


def final_states(dataset: "xarray.Dataset", reference: Any, **options: Any) -> "xarray.Dataset":
    """MODEL.md 9d's end-of-run summary of every free layer and ensemble member of a :func:`simulate` run.

    Parameters
    ----------
    dataset
        With ``m`` (time, ensemble..., layer, component) and the ``time`` coordinate (s).
    reference
        The reference direction m_ref: a 3-vector, or one per member (ensemble..., 3); or the run's
        :class:`Macrospins`, whose first fixed F layer is then the reference (:func:`reference_direction`).
    **options
        ``tolerance_degrees``, ``settle_degrees``, ``period_tolerance``, ``amplitude_tolerance``,
        ``min_periods`` of :func:`final_state`.

    Returns
    -------
    xarray.Dataset
        Over (ensemble..., layer): ``state`` (str, one of :data:`STATES`), ``frequency`` (Hz, NaN without a
        stable period), ``switching_time`` (s, NaN when m . m_ref never changes sign).
    """
    import xarray as xr

    from .spec import Macrospins

    if isinstance(reference, Macrospins):
        reference = reference_direction(reference)
    m = dataset["m"].transpose("time", ..., "layer", "component")
    members = m.dims[1:-2]
    values = m.values
    shape = values.shape[1:-2]
    reference = np.asarray(reference, dtype=float)
    try:
        reference = np.broadcast_to(reference, shape + (3,))
    except ValueError:
        raise SpinstackError(f"reference: must be a 3-vector or one per ensemble member {shape + (3,)}, "
                             f"got shape {reference.shape}") from None
    time = dataset["time"].values
    count = values.shape[-2]
    states = np.empty(shape + (count,), dtype=object)
    frequency = np.full(shape + (count,), np.nan)
    switching = np.full(shape + (count,), np.nan)
    for member in np.ndindex(shape):
        for layer in range(count):
            summary = final_state(time, values[(slice(None),) + member + (layer,)], reference[member], **options)
            states[member + (layer,)] = summary.state
            if summary.frequency is not None:
                frequency[member + (layer,)] = summary.frequency
            if summary.switching_time is not None:
                switching[member + (layer,)] = summary.switching_time
    dims = (*members, "layer")
    coords = {name: dataset.coords[name] for name in dims if name in dataset.coords}
    return xr.Dataset(
        {"state": (dims, states.astype(str), {"long_name": "final state (MODEL.md 9d)"}),
         "frequency": (dims, frequency, {"units": "Hz", "long_name": "precession frequency (last half)"}),
         "switching_time": (dims, switching, {"units": "s", "long_name": "first sign change of m . m_ref"})},
        coords=coords, attrs=dict(options))
