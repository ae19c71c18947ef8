"""The end-of-run summary of a macrospin trajectory (MODEL.md 9d): state, precession frequency, switching time.

>>> run = simulate(stack, spins, duration=20e-9, save_every=1e-12)           # doctest: +SKIP
>>> summary = final_states(run, reference_direction(spins))                 # doctest: +SKIP
>>> summary.state.values, summary.frequency.values, summary.switching_time.values  # doctest: +SKIP

Per free layer (and ensemble member) of a saved trajectory m(t):

* ``"P"`` / ``"AP"``: over the last tenth of the run m stays within ``tolerance_degrees`` (1 degree) of
  +m_ref / -m_ref, the reference direction (by default the first fixed F layer's magnetization).  A thermal
  run (temperature > 0, MODEL.md 9b) fluctuates about its equilibrium by more than that (a few degrees at
  300 K in a small pillar), so there the time-averaged direction of m over the last tenth (the mean of m,
  normalised) is what must lie within ``tolerance_degrees`` of +-m_ref (``thermal=``).
* ``"precession"``: a steady periodic orbit over the last half, judged only on what the sampling does not
  alias (an orbit saved at 3 points a period is called as one saved at 50):

  - its turns (:func:`_oscillations`): at least ``min_periods`` full periods between upward zero crossings of
    m's velocity (counted exactly at any rate above Nyquist); the mean periods over the first and the second
    half of them within ``period_tolerance`` of each other, and every period within ``period_tolerance`` of
    every other, each plus what the sampling can move a crossing (less than one saved interval);
  - its centre and shape (:func:`_steady_orbits`): the time averages over the third and over the fourth quarter
    of the run of m (the orbit's mean direction) and of m's covariance about it (the orbit's size, shape and
    orientation, the spread of m . m_ref among them) agree within ``amplitude_tolerance`` of the orbit's radius;
  - its amplitude (:func:`_steady_orbits`): the orbit's radius (the rms distance of m from its centre, the
    cone's opening, averaged over each quarter as above, so the sampling does not move it) is the same in the
    third and the fourth quarter within ``radius_tolerance`` (:data:`RADIUS_TOLERANCE` = 1e-3 of it): a limit
    cycle's is constant, a ring-down's (a slowly damped orbit just below a critical current, still tilted by more
    than ``tolerance_degrees`` at the end) or a still growing orbit's is not, and these are undetermined;
  - its spectrum (:func:`_line_share`): at least ``line_share`` of m's power on the harmonics of the frequency
    (as the sampling folds them).

  A damped orbit still settling, a growing one or a drifting one changes its moments; a chaotic or
  quasi-periodic one spreads its periods and its power.  (Per-cycle extremes are not used: the saved points of
  a cycle miss its peak by up to 1 - cos(pi / p) at p points a period, 29 % at 4.)  Limit: saved at nearly a
  whole number of points a period (or 10/3, 7/2, ...: k f within a bin of a multiple of the sampling rate), a
  strong harmonic k of the orbit aliases to a slow beat that the last half cannot tell from a drift; such an
  orbit can come out undetermined (measured: 14 of 55 out-of-plane orbits of the state-diagram example at 3.00
  to 3.07 points a period; none away from those ratios, 3.1 to 10 points a period).
* ``"static"``: settled away from +-m_ref: over the last tenth m stays within ``settle_degrees`` of its
  final direction.
* ``"undetermined"``: none of these (still moving irregularly, or relaxing slower than the run).

The frequency (Hz) is the precession frequency of MODEL.md 9d: given for the state ``"precession"`` only (NaN,
``None`` for one trajectory, for every other state: the ring-down of a damped orbit settling into P, AP or a
tilted state is no precession), the number of full periods of the last half between its first and last upward
zero crossing divided by the time between them.  :func:`oscillation_frequency` measures the same for any
trajectory with regular turns (a ring-down's, a decaying or growing orbit's).  The switching time (s) is MODEL.md
9d's first time m . m_ref changes sign (linear interpolation), given only for a run that switched: one that ends
in the reversed collinear state of its start, P when it started on the AP side (m . m_ref < 0 at the first saved
point where it is not 0) or AP when it started on the P side.  NaN (``None`` for one trajectory) for every other
run: one whose m . m_ref never changes sign, a precession (its orbit may cross the equator every period), a static
or undetermined end, or a run back in its starting state after an excursion across the equator.
:func:`switching_time` gives the bare first sign change of any trajectory.

:func:`final_states` summarises a whole ensemble at once (array operations over blocks of members, no loop
per member): 1e4 members of 2001 saved points in 1.2 s of CPU time (the loop per member took 8.4 s).
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

# motion below this per saved point (|dm|) has died out: the round-off of m (1e-16) and the integrator's error
# would move the zero crossings of a smaller signal by more than 1e-6 of a period
_RESTING_STEP = 1e-10
# members summarised together: the (time, member, 3) work arrays of a block stay a few MB at 2001 saved points
_BLOCK = 256
#: a precession's orbit keeps its radius (the cone's opening about its centre) from the third to the fourth quarter
#: of the run within this fraction: a ring-down into P (or a growing orbit) changes it by |sigma| T / 4 at a decay
#: rate sigma over a run T, so this calls an orbit steady when |sigma| < 4e-3 / T (2e5 1/s over 20 ns: time
#: constants above 5 us); a limit cycle integrated at rtol 1e-9 keeps it to ~1e-7 and the Hann-weighted averages
#: leak ~1/k^3 of it over k periods a quarter (measured on the README diagram's 663 orbits: <= 1.7e-4 once settled)
RADIUS_TOLERANCE = 1e-3
# the periodicity test's lines: harmonics 0..10 of the frequency, 3 bins either side (a Hann line's main lobe is 2)
_HARMONICS = 10
_LINE_BINS = 3


@dataclass(frozen=True)
class FinalState:
    """The end-of-run summary of one free layer's trajectory (MODEL.md 9d).

    Attributes
    ----------
    state
        One of :data:`STATES`.
    frequency
        Hz, the precession frequency (last half) when ``state`` is ``"precession"``; ``None`` for every other
        state.
    switching_time
        s, the first time m . m_ref changes sign, for a run that ends in the reversed collinear state of its start
        (P -> AP, AP -> P); ``None`` for every other run (no sign change, a precession, a static or undetermined
        end, the starting state again).
    """

    state: str
    frequency: float | None
    switching_time: float | None


#: why P and AP are undefined without a fixed F (shared by every door: Python, the CLI's summary, the files)
NO_FIXED_FERROMAGNET = ("no fixed F to be parallel to: every F layer is free and no F lead stays put, so P and AP "
                        "(m = +-m_ref) are undefined; give the reference direction m_ref (reference=)")


def reference_direction(macrospins: "Macrospins") -> np.ndarray:
    """The default reference m_ref of MODEL.md 9d: the unit magnetization of the first fixed F (stack batch..., 3).

    The fixed Fs, in stack order: an F lead on the left, the F layers that are not free, an F lead on the right
    (F leads keep their m, MODEL.md 9a).  An F lead touching a free layer turns with it, so it is no reference.

    Raises
    ------
    SpinstackError
        When there is no fixed F (every F layer is free and no F lead stays put): then P and AP have nothing to
        be parallel to (pass the reference direction m_ref explicitly).
    """
    from ..model.layers import Lead

    stack = macrospins.stack
    free = set(macrospins.free)
    fixed = []
    for end, touching in ((stack.left, 0), (None, None), (stack.right, len(stack.layers) - 1)):
        if end is None:  # the layers, between the two leads
            fixed += [stack.layers[index].magnetization for index in macrospins.ferromagnets if index not in free]
        elif isinstance(end, Lead) and end.magnetization is not None and touching not in free:
            fixed.append(end.magnetization)
    if not fixed:
        raise SpinstackError(NO_FIXED_FERROMAGNET)
    m = np.asarray(fixed[0], dtype=float)
    m = m / np.linalg.norm(m, axis=-1, keepdims=True)
    leading = np.broadcast_shapes(np.shape(macrospins.initial)[:-2], stack.batch_shape, m.shape[:-1])
    return np.array(np.broadcast_to(m, leading + (3,)))


def _starting_sides(projection: np.ndarray) -> np.ndarray:
    """(K,): the side each run starts on, the sign (+1 or -1) of m . m_ref (n, K) at the first saved point where it
    is not 0 (0 for a column of zeros)."""
    signs = np.sign(projection)
    return signs[(signs != 0).argmax(axis=0), np.arange(signs.shape[1])]


def _switching_times(time: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """(K,) s: the first time each column of m . m_ref (n, K) changes sign (linear interpolation), NaN if never."""
    signs = np.sign(projection)
    columns = np.arange(signs.shape[1])
    nonzero = signs != 0
    initial = _starting_sides(projection)  # the first non-zero sign (0 for a column of zeros)
    flipped = (signs == -initial) & nonzero
    after = flipped.argmax(axis=0)
    # the last point before the flip with the starting sign; saved points exactly at 0 in between: the first of them
    rows = np.arange(len(signs))[:, None]
    before = len(signs) - 1 - ((signs == initial) & (rows < after))[::-1].argmax(axis=0)
    a, b = projection[before, columns], projection[after, columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        crossed = time[before] + a * (time[after] - time[before]) / (a - b)
    crossed = np.where(after - before > 1, time[np.minimum(before + 1, len(time) - 1)], crossed)
    return np.where(flipped.any(axis=0), crossed, np.nan)


def switching_time(time: np.ndarray, m: np.ndarray, reference: np.ndarray) -> float | None:
    """The first time m . m_ref changes sign, s, by linear interpolation between saved points; ``None`` if never.

    The bare sign change, whatever the run does afterwards (a precession crossing the equator, an excursion that
    returns): :func:`final_state` reports it as the switching time only for a run that ends in the reversed
    collinear state of its start (P -> AP or AP -> P).

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
    crossed = float(_switching_times(np.asarray(time, dtype=float), projection[:, None])[0])
    return None if math.isnan(crossed) else crossed


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot product over the first (component) axis: component-first arrays keep every plane contiguous."""
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _crossings(time: np.ndarray, signal: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rising, when), both (n - 1, K): where ``signal`` (n, K) goes from < 0 to >= 0 between saved points i and
    i + 1 (both ``valid``), and the crossing time there, interpolated linearly (NaN elsewhere)."""
    before, after = signal[:-1], signal[1:]
    rising = (before < 0) & (after >= 0) & valid[:-1] & valid[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        when = time[:-1, None] - before * np.diff(time)[:, None] / (after - before)
    return rising, np.where(rising, when, np.nan)


def _nth(rising: np.ndarray, when: np.ndarray, rank: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(K,): the time of each column's n-th crossing (1-based; NaN where it has fewer)."""
    columns = np.arange(rising.shape[1])
    return np.where(n >= 1, when[(rising & (rank == n)).argmax(axis=0), columns], np.nan)


def _oscillations(time: np.ndarray, m: np.ndarray, min_periods: int, period_tolerance: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(frequency (K,) Hz, NaN unless regular; regular (K,) bool) of the periodic motion of unit m (3, n, K) over
    ``time`` (the last half of a run).

    The signal is m's velocity (differences between saved points, at their midpoints) along its widest direction
    in the plane normal to the orbit's mean direction (the slow drift along that axis, a spiral's in- or outward
    motion, does not oscillate).  It oscillates about zero whatever the orbit's centre (a cone about any axis, or
    a spiral decaying to a point that is not its window mean), and the chords of a convex orbit turn
    monotonically, so its upward zero crossings are counted exactly at any sampling above two points a period
    (the differences of a uniformly sampled sinusoid are a sinusoid of the same frequency at the midpoints).
    Frequency: the N - 1 full periods between the first and the last of the N crossings over the time between
    them.  A crossing interpolated between two saved points is off by less than their interval dt, so:
    regular when N > ``min_periods``, the mean period over the first and over the second half of the crossings
    agree within ``period_tolerance`` of the mean period T plus 2 dt / (periods in either half), and every period
    (from one crossing to the next) lies within ``period_tolerance`` T + 2 dt of every other (a rigorous bound on
    the sampling's share: at 50 points a period 4 % of a period, at 5 points 40 %; the noise of a random or
    chaotic motion still spreads its periods by far more)."""
    step = np.diff(m, axis=1)
    n, columns = step.shape[1:]
    # stop where the motion has died out: after the last saved step moving more than _RESTING_STEP
    moving = _dot(step, step) > _RESTING_STEP**2
    valid = np.arange(n)[:, None] <= n - 1 - moving[::-1].argmax(axis=0)
    valid &= np.count_nonzero(moving, axis=0) >= 4
    middle = 0.5 * (time[1:] + time[:-1])
    velocity = step / np.diff(time)[:, None]
    mean = m.mean(axis=1)
    length = np.sqrt(_dot(mean, mean))
    axis = np.where(length > 1e-6, mean / np.where(length > 0, length, 1.0), 0.0)[:, None, :]
    velocity -= _dot(velocity, axis) * axis
    # the principal direction of the moving part's velocity: the top eigenvector of sum v v^T
    velocity *= valid
    moment = np.empty((columns, 3, 3))
    for i, j in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)):
        moment[:, i, j] = moment[:, j, i] = np.einsum("nk,nk->k", velocity[i], velocity[j])
    direction = np.linalg.eigh(moment)[1][..., -1].T[:, None, :]
    rising, when = _crossings(middle, _dot(velocity, direction), valid)
    count = np.count_nonzero(rising, axis=0)
    enough = count >= min_periods + 1
    if not enough.any():
        return np.full(columns, np.nan), enough
    rank = np.cumsum(rising, axis=0, dtype=np.int32)
    half = (count + 1) // 2
    first, middle_crossing, last = (_nth(rising, when, rank, k) for k in (np.ones_like(count), half, count))
    interval = float(np.max(np.diff(middle))) if n > 1 else 0.0
    # every period: from a crossing back to the one before it (the latest crossing time carried down the rows)
    periods = np.where(rising[1:], when[1:] - np.fmax.accumulate(when, axis=0)[:-1], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        period = (last - first) / (count - 1)
        halves = np.abs((middle_crossing - first) / (half - 1) - (last - middle_crossing) / (count - half))
        longest = np.max(np.where(np.isnan(periods), -np.inf, periods), axis=0)
        shortest = np.min(np.where(np.isnan(periods), np.inf, periods), axis=0)
        regular = (enough & (halves <= period_tolerance * period + 2 * interval * (1 / (half - 1) + 1 / (count - half)))
                   & (longest - shortest <= period_tolerance * period + 2 * interval))
    return np.where(regular, 1 / period, np.nan), regular


def _line_share(time: np.ndarray, m: np.ndarray, frequency: np.ndarray, harmonics: int = _HARMONICS,
                half_width: int = _LINE_BINS) -> np.ndarray:
    """(K,): the share of the power of m (3, n, K) over ``time`` (its Hann-windowed periodogram, the mean removed,
    summed over the components) within ``half_width`` bins of the harmonics 0, f, 2 f, ... ``harmonics`` f of
    each column's ``frequency`` f, each folded into [0, Nyquist] as the sampling aliases it.

    A periodic orbit puts all its power on those lines (the Hann window's leakage beyond 3 bins of a line is
    below 1e-3 of it); a chaotic or quasi-periodic motion spreads it between them.  The periodogram is
    :func:`~spinstack.macrospin.power_spectrum`'s (Hann window, one-sided), unscaled (a share needs no units) and
    taken here by one real FFT of the contiguous planes (3 times faster than through scipy's Welch for 1e4
    members).  Times not uniform (other than a last, shorter interval) are resampled linearly onto a uniform grid
    of as many points first."""
    steps = np.diff(time)
    if len(steps) > 1 and steps[-1] < steps[0] * (1 - 1e-9):  # simulate's final save at the duration
        time, m, steps = time[:-1], m[:, :-1], steps[:-1]
    if np.ptp(steps) > 1e-9 * steps[0]:
        uniform = np.linspace(time[0], time[-1], len(time))
        right = np.clip(np.searchsorted(time, uniform, side="right"), 1, len(time) - 1)
        fraction = ((uniform - time[right - 1]) / (time[right] - time[right - 1]))[:, None]
        time, m = uniform, (1 - fraction) * m[:, right - 1] + fraction * m[:, right]
    n = len(time)
    window = np.sin(np.pi * np.arange(n) / n) ** 2  # scipy's periodic "hann"
    transform = np.fft.rfft((m - m.mean(axis=1, keepdims=True)) * window[:, None], axis=1)
    power = (transform.real**2 + transform.imag**2).sum(axis=0)
    power[1: (n + 1) // 2] *= 2  # one-sided: the negative frequencies folded onto the positive ones
    rate = 1 / (time[1] - time[0])
    bins = np.arange(len(power))[:, None]  # the bin of frequency b rate / n
    on_line = np.zeros(power.shape, dtype=bool)
    for k in range(harmonics + 1):
        folded = np.abs(k * frequency - rate * np.round(k * frequency / rate))  # the alias in [0, rate / 2]
        on_line |= np.abs(bins - folded * n / rate) <= half_width
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(on_line, power, 0.0).sum(axis=0) / power.sum(axis=0)


def _hann_moments(time: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Hann-weighted time average c (3, K) of m (3, n, K) over ``time`` and m's covariance about it (K, 3, 3).

    The weight sin^2(pi (t - t0) / W) dt (W the window) makes the average of a periodic orbit over a window of k
    periods insensitive to where the window cuts it (leakage ~ 1/k^3, against 1/k for a plain mean), whatever
    the sampling: the average of a uniformly sampled sin(w t) is that of the continuous one at every rate above
    Nyquist (its alias lies as far from 0 Hz as it does, or farther)."""
    edges = np.concatenate(([time[0]], 0.5 * (time[1:] + time[:-1]), [time[-1]]))
    weight = np.sin(np.pi * (time - time[0]) / (time[-1] - time[0])) ** 2 * np.diff(edges)
    weight /= weight.sum()
    centre = weight @ m
    spread = m - centre[:, None, :]
    covariance = np.empty((m.shape[-1], 3, 3))
    for i, j in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)):
        covariance[:, i, j] = covariance[:, j, i] = weight @ (spread[i] * spread[j])
    return centre, covariance


def _steady_orbits(time: np.ndarray, m: np.ndarray, amplitude_tolerance: float, radius_tolerance: float
                   ) -> np.ndarray:
    """(K,) bool: the orbit of m (3, n, K) over ``time`` (the last half of a run) keeps its centre c and its
    covariance C (size, shape, orientation: the spread of every component, m . m_ref's included) from the first
    to the second half of ``time``: |c_1 - c_2| within ``amplitude_tolerance`` of the orbit's radius r and
    ||C_1 - C_2|| (Frobenius) within it of r^2 (r^2 = trace C, the mean squared distance from the centre; their
    average over both halves), and its radius itself (the cone's opening: sqrt(trace C) is the rms chord from
    the centre, ~ the angle from the orbit's axis) the same within ``radius_tolerance``: |r_2 - r_1| <=
    ``radius_tolerance`` (r_1 + r_2) / 2.  The shape test alone lets a slow ring-down pass (a radius changing by
    a fraction e changes C by only about 1.4 e r^2 on a circular orbit: a 0.8 % decay a quarter, 1.1 % of r^2);
    the radius test is the amplitude's own: an orbit decaying or growing at a rate |sigma| (1/s) changes its
    radius between the two windows, a quarter of the run T apart, by ~|sigma| T / 4."""
    second = time >= time[0] + 0.5 * (time[-1] - time[0])
    if np.count_nonzero(~second) < 3 or np.count_nonzero(second) < 3:
        return np.zeros(m.shape[-1], dtype=bool)
    centre_1, spread_1 = _hann_moments(time[~second], m[:, ~second])
    centre_2, spread_2 = _hann_moments(time[second], m[:, second])
    size = 0.5 * (np.trace(spread_1, axis1=1, axis2=2) + np.trace(spread_2, axis1=1, axis2=2))
    moved = np.linalg.norm(centre_1 - centre_2, axis=0)
    reshaped = np.linalg.norm(spread_1 - spread_2, axis=(1, 2))
    radius_1 = np.sqrt(np.trace(spread_1, axis1=1, axis2=2))
    radius_2 = np.sqrt(np.trace(spread_2, axis1=1, axis2=2))
    rescaled = np.abs(radius_2 - radius_1) <= radius_tolerance * 0.5 * (radius_1 + radius_2)
    return ((size > 0) & (moved <= amplitude_tolerance * np.sqrt(size)) & (reshaped <= amplitude_tolerance * size)
            & rescaled)


def _settings(*, tolerance_degrees: float = 1.0, settle_degrees: float = 0.1, period_tolerance: float = 0.01,
              amplitude_tolerance: float = 0.02, radius_tolerance: float = RADIUS_TOLERANCE, min_periods: int = 3,
              line_share: float = 0.99) -> dict[str, Any]:
    """The options of :func:`final_state` with their defaults (a misspelt one is a TypeError)."""
    return dict(tolerance_degrees=tolerance_degrees, settle_degrees=settle_degrees,
                period_tolerance=period_tolerance, amplitude_tolerance=amplitude_tolerance,
                radius_tolerance=radius_tolerance, min_periods=min_periods, line_share=line_share)


def _summaries(time: np.ndarray, m: np.ndarray, reference: np.ndarray, tolerance_degrees: float,
               settle_degrees: float, period_tolerance: float, amplitude_tolerance: float, radius_tolerance: float,
               min_periods: int, line_share: float, thermal: np.ndarray | bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(state: index into STATES, frequency Hz (NaN unless a precession), switching time s or NaN), each (K,), of
    the trajectories m (3, n, K) (finite, not normalised) against the unit references (3, K); ``time`` (n >= 4,)
    increasing; ``thermal`` (K,) or one bool: P / AP judged on the mean direction of the last tenth."""
    start, end = time[0], time[-1]
    first = int(np.searchsorted(time, start + 0.5 * (end - start)))  # the last half
    tenth = min(int(np.searchsorted(time, start + 0.9 * (end - start))), len(time) - 2)  # at least two points
    projection = _dot(m, reference[:, None, :])
    flip = _switching_times(time, projection)
    kept = min(first, tenth)  # (the last tenth's two points can reach back before the last half's first)
    late = m[:, kept:] / np.sqrt(_dot(m[:, kept:], m[:, kept:]))
    ending, late = late[:, tenth - kept:], late[:, first - kept:]
    within = math.cos(math.radians(tolerance_degrees))
    cosine = _dot(ending, reference[:, None, :])
    mean = ending.mean(axis=1)  # the time-averaged direction of the last tenth (3, K), normalised next
    with np.errstate(invalid="ignore", divide="ignore"):
        averaged = _dot(mean, reference) / np.sqrt(_dot(mean, mean))
    thermal = np.broadcast_to(np.asarray(thermal, dtype=bool), cosine.shape[1:])
    settled = _dot(ending, ending[:, -1:]) >= math.cos(math.radians(settle_degrees))
    frequency, regular = _oscillations(time[first:], late, min_periods, period_tolerance)
    steady = regular.copy()
    if steady.any():  # the moments and the spectrum only where the turns are regular
        steady[steady] = _steady_orbits(time[first:], late[:, :, steady], amplitude_tolerance, radius_tolerance)
    if steady.any():
        steady[steady] = _line_share(time[first:], late[:, :, steady], frequency[steady]) >= line_share
    parallel = np.where(thermal, averaged >= within, np.all(cosine >= within, axis=0))
    antiparallel = np.where(thermal, averaged <= -within, np.all(cosine <= -within, axis=0))
    state = np.select([parallel, antiparallel, steady, np.all(settled, axis=0)], [0, 1, 2, 3], default=4)
    # a switch ends in the reversed collinear state of its start: started on the P side (m . m_ref > 0) and ends AP,
    # or on the AP side and ends P; a precession, a static or undetermined end, or the starting state again after
    # an excursion across the equator has no switching time
    side = _starting_sides(projection)
    switched = ((state == 1) & (side > 0)) | ((state == 0) & (side < 0))
    # MODEL.md 9d's frequency is the precession's: a ring-down into P, AP or a tilted state has none
    return state, np.where(state == 2, frequency, np.nan), np.where(switched, flip, np.nan)


def _checked_time(time: Any, points: int) -> np.ndarray:
    time = np.asarray(time, dtype=float)
    if time.ndim != 1 or len(time) < 4 or len(time) != points:
        raise SpinstackError(f"final_state needs times (n >= 4,) matching m's {points} saved points, got shape "
                             f"{time.shape}")
    if not (np.all(np.isfinite(time)) and np.all(np.diff(time) > 0)):
        raise SpinstackError("final_state: the times must be finite and strictly increasing")
    return time


def _finite(m: np.ndarray) -> None:
    if not np.isfinite(m).all():
        raise SpinstackError("final_state: m and the reference must be finite, the reference non-zero")


def _unit_references(reference: np.ndarray) -> np.ndarray:
    _finite(reference)
    length = np.linalg.norm(reference, axis=-1, keepdims=True)
    if np.any(length == 0):
        raise SpinstackError("final_state: m and the reference must be finite, the reference non-zero")
    return reference / length


def final_state(time: Any, m: Any, reference: Any, *, tolerance_degrees: float = 1.0, settle_degrees: float = 0.1,
                period_tolerance: float = 0.01, amplitude_tolerance: float = 0.02,
                radius_tolerance: float = RADIUS_TOLERANCE, min_periods: int = 3, line_share: float = 0.99,
                thermal: bool = False) -> FinalState:
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
        ... and the orbit's centre and covariance over the third and the fourth quarter of the run the same
        within this fraction of its radius (and of its square).
    radius_tolerance
        ... and the orbit's radius (rms distance of m from the orbit's centre, the cone's opening) over the third
        and the fourth quarter the same within this fraction of it (:data:`RADIUS_TOLERANCE`, 1e-3): a ring-down
        or a growing orbit not yet settled on its limit cycle is no precession.
    min_periods
        ... and at least this many full periods in the last half (also needed for a frequency).
    line_share
        ... and at least this share of the last half's power on the harmonics of the frequency.
    thermal
        A run with temperature > 0: P / AP when the time-averaged direction of m over the last tenth (not every
        saved m) is within ``tolerance_degrees`` of +-m_ref.

    Returns
    -------
    FinalState
        ``frequency`` only for a precession (:func:`oscillation_frequency` for any regular turns).
    """
    time = np.asarray(time, dtype=float)
    m = np.asarray(m, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if time.ndim != 1 or len(time) < 4 or m.shape != time.shape + (3,) or reference.shape != (3,):
        raise SpinstackError(f"final_state needs times (n >= 4,), m (n, 3) and a reference (3,), got shapes "
                             f"{time.shape}, {m.shape}, {reference.shape}")
    time = _checked_time(time, len(m))
    _finite(m)
    reference = _unit_references(reference)
    state, frequency, flip = _summaries(time, m.T[:, :, None], reference[:, None], tolerance_degrees, settle_degrees,
                                        period_tolerance, amplitude_tolerance, radius_tolerance, min_periods,
                                        line_share, bool(thermal))
    return FinalState(STATES[int(state[0])], None if math.isnan(frequency[0]) else float(frequency[0]),
                      None if math.isnan(flip[0]) else float(flip[0]))


def oscillation_frequency(time: Any, m: Any, *, period_tolerance: float = 0.01, min_periods: int = 3) -> float | None:
    """The frequency (Hz) of the regular turns of m over the last half of the run, whatever the final state.

    What :func:`final_state` measures for a precession, here also for a damped orbit ringing down into P, AP or
    a tilted state, or a growing or drifting one (whose ``frequency`` in the summary is ``None``): the number of
    full periods between the first and the last upward zero crossing of m's velocity in the last half, divided
    by the time between them.

    Parameters
    ----------
    time
        Saved times (n >= 4,), s, strictly increasing.
    m
        Magnetizations (n, 3) (normalised here).
    period_tolerance, min_periods
        As for :func:`final_state`: at least ``min_periods`` full periods, all within ``period_tolerance`` of
        their mean (plus what the sampling can move a crossing).

    Returns
    -------
    float or None
        Hz; ``None`` when the last half has no regular turns.
    """
    m = np.asarray(m, dtype=float)
    time = _checked_time(time, len(m))
    if m.shape != time.shape + (3,):
        raise SpinstackError(f"oscillation_frequency needs m (n, 3) for the {len(time)} times, got shape {m.shape}")
    _finite(m)
    first = int(np.searchsorted(time, time[0] + 0.5 * (time[-1] - time[0])))
    late = m.T[:, first:, None]
    frequency, _ = _oscillations(time[first:], late / np.sqrt(_dot(late, late)), min_periods, period_tolerance)
    return None if math.isnan(frequency[0]) else float(frequency[0])


def final_states(dataset: "xarray.Dataset", reference: Any, *, thermal: Any = None,
                 **options: Any) -> "xarray.Dataset":
    """MODEL.md 9d's end-of-run summary of every free layer and ensemble member of a :func:`simulate` run.

    Parameters
    ----------
    dataset
        With ``m`` (time, ensemble..., layer, component) and the ``time`` coordinate (s).
    reference
        The reference direction m_ref: a 3-vector, or one per member (ensemble..., 3); or the run's
        :class:`Macrospins`, whose first fixed F layer is then the reference (:func:`reference_direction`).
    thermal
        Whether P / AP is judged on the time-averaged direction of the last tenth (:func:`final_state`): one bool
        or one per member (ensemble...); default from the run: its ``temperature`` variable (per member) or
        attribute > 0 (K).
    **options
        ``tolerance_degrees``, ``settle_degrees``, ``period_tolerance``, ``amplitude_tolerance``,
        ``radius_tolerance``, ``min_periods``, ``line_share`` of :func:`final_state`.

    Returns
    -------
    xarray.Dataset
        Over (ensemble..., layer): ``state`` (str, one of :data:`STATES`), ``frequency`` (Hz, the precession
        frequency; NaN for every state but ``"precession"``), ``switching_time`` (s, the first sign change of
        m . m_ref of a run that ends in the reversed collinear state of its start, P -> AP or AP -> P; NaN for
        every other run).
    """
    import xarray as xr

    from .spec import Macrospins

    settings = _settings(**options)
    if isinstance(reference, Macrospins):
        reference = reference_direction(reference)
    m = dataset["m"].transpose("time", ..., "layer", "component")
    members = m.dims[1:-2]
    values = np.asarray(m.values, dtype=float)
    shape = values.shape[1:-2]
    count = values.shape[-2]
    reference = np.asarray(reference, dtype=float)
    try:
        reference = np.broadcast_to(reference, shape + (3,))
    except ValueError:
        raise SpinstackError(f"reference: must be a 3-vector or one per ensemble member {shape + (3,)}, "
                             f"got shape {reference.shape}") from None
    time = _checked_time(dataset["time"].values, len(values))
    if thermal is None:  # the run's own temperature (simulate_thermal: a variable per member)
        heat = dataset["temperature"] if "temperature" in dataset else dataset.attrs.get("temperature", 0.0)
        heat = heat.transpose(*(dim for dim in members if dim in heat.dims)) if hasattr(heat, "dims") else heat
        thermal = np.asarray(heat, dtype=float) > 0
    try:
        thermal = np.broadcast_to(np.asarray(thermal, dtype=bool), shape)
    except ValueError:
        raise SpinstackError(f"thermal: must be one bool or one per ensemble member {shape}, got shape "
                             f"{np.shape(thermal)}") from None
    # every (member, layer) one column: the same reference for every layer of a member
    columns = values.reshape(len(values), -1, 3)
    references = _unit_references(np.broadcast_to(reference[..., None, :], shape + (count, 3)).reshape(-1, 3))
    heated = np.broadcast_to(thermal[..., None], shape + (count,)).reshape(-1)
    states = np.empty(columns.shape[1], dtype=np.int64)
    frequency = np.empty(columns.shape[1])
    switching = np.empty(columns.shape[1])
    for block in range(0, columns.shape[1], _BLOCK):
        kept = slice(block, block + _BLOCK)
        # component first: every component's (time, member) plane contiguous
        planes = np.ascontiguousarray(np.moveaxis(columns[:, kept], -1, 0))
        _finite(planes)
        states[kept], frequency[kept], switching[kept] = _summaries(time, planes, references[kept].T, **settings,
                                                                    thermal=heated[kept])
    dims = (*members, "layer")
    coords = {name: dataset.coords[name] for name in dims if name in dataset.coords}
    return xr.Dataset(
        {"state": (dims, np.array(STATES)[states].reshape(shape + (count,)),
                   {"long_name": "final state (MODEL.md 9d)"}),
         "frequency": (dims, frequency.reshape(shape + (count,)),
                       {"units": "Hz", "long_name": "precession frequency (last half; NaN unless precession)"}),
         "switching_time": (dims, switching.reshape(shape + (count,)),
                            {"units": "s", "long_name": "switching time: first sign change of m . m_ref "
                                                         "(P -> AP or AP -> P runs only)"})},
        coords=coords, attrs=dict(options))
