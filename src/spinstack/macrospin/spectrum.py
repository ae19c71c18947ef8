"""The power spectrum of a saved signal of a macrospin run: R(t), a component of m, J(t) (MODEL.md 9d).

>>> run = simulate(stack, spins, duration=20e-9, save_every=5e-12)                  # doctest: +SKIP
>>> spectrum = power_spectrum(run.time.values, run.resistance_area.values)          # doctest: +SKIP
>>> spectrum.peak                                                                     # doctest: +SKIP

One-sided power spectral density of the last part of the run (``last``: the steady state, without the
transient from the initial tilt), by :func:`scipy.signal.welch`.  With the default ``segments=1`` that is the
windowed periodogram of the whole kept part: a deterministic steady orbit (no thermal field) needs the finest
frequency resolution, 1 / (kept duration), and averaging shorter segments would only coarsen it.  A noisy
signal (a thermal run, T > 0) is better read with ``segments > 1`` (Welch's average over half-overlapping
segments: a smaller variance of every bin at the cost of resolution).

Scaling ("density"): the PSD integrates over frequency to the window-weighted mean square of the detrended
signal, sum(w^2 x^2) / sum(w^2) (Parseval); with ``window="boxcar"`` and the mean removed, exactly its
variance.  One-sided: the power of negative frequencies is folded onto the positive ones (every bin doubled
except 0 and the Nyquist frequency), so the integral over [0, f_Nyquist] holds all of it.

A signal symmetric about m_ref turns R(t) (a function of m . m_ref) twice per orbit: for an orbit centred on
the reference layer's axis R's spectrum peaks at twice the precession frequency, a transverse component of m
at the frequency itself.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..errors import SpinstackError

__all__ = ["Spectrum", "power_spectrum"]

# saved times are uniform when every interval is within this fraction of the first (simulate's are n * save_every)
_UNIFORM = 1e-9


class Spectrum(NamedTuple):
    """A one-sided power spectral density (:func:`power_spectrum`).

    Attributes
    ----------
    frequency
        Hz, (n_f,): 0, df, 2 df, ... up to the Nyquist frequency 1 / (2 dt).
    density
        (signal units)^2 / Hz, (n_f, ...): the PSD of every signal along the remaining axes.
    resolution
        Hz, the bin width df of the kept part (1 / its duration for ``segments=1``; Welch's segment's otherwise).
    """

    frequency: np.ndarray
    density: np.ndarray
    resolution: float

    @property
    def peak(self) -> np.ndarray | float:
        """Hz, the frequency of the largest local maximum of the PSD from the third bin on, per signal (a float for
        one signal); NaN where there is none (a constant signal, or one only decaying: its spectrum falls from 0 Hz).

        The two lowest bins are left out: a Hann window spreads what is left of the mean and of a slow drift
        (a relaxation, R settling) over bins 0 and 1, and their height says nothing about an oscillation.
        Refined between bins by the parabola through the logarithms of the maximum and its two neighbours
        (exact for a Gaussian peak; a Hann window's main lobe is close to one: measured within 0.02 of a bin for a
        pure sine, against 0.5 for the bin itself).
        """
        density = self.density.reshape(len(self.frequency), -1)
        peaks = np.full(density.shape[1], np.nan)
        for column in range(density.shape[1]):
            values = density[:, column]
            # local maxima k >= 2: above the bin before, not below the bin after (the last bin: above the one before)
            after = np.append(values[3:], -np.inf)
            maxima = 2 + np.flatnonzero((values[2:] > values[1:-1]) & (values[2:] >= after) & (values[2:] > 0))
            if not len(maxima):
                continue
            k = int(maxima[np.argmax(values[maxima])])
            peaks[column] = self.frequency[k] + self.resolution * _vertex(density, k, column)
        peaks = peaks.reshape(self.density.shape[1:])
        return float(peaks) if peaks.ndim == 0 else peaks


def _vertex(density: np.ndarray, k: int, column: int) -> float:
    """The offset (in bins, within [-0.5, 0.5]) of the parabola's vertex through log PSD at bins k - 1, k, k + 1."""
    if k + 1 >= density.shape[0]:
        return 0.0
    below, top, above = density[k - 1, column], density[k, column], density[k + 1, column]
    if min(below, top, above) <= 0:  # an exact zero (a window's null): no logarithm, keep the bin
        return 0.0
    a, b, c = math.log(below), math.log(top), math.log(above)
    curvature = a - 2 * b + c
    if curvature >= 0:
        return 0.0
    return float(np.clip(0.5 * (a - c) / curvature, -0.5, 0.5))


def power_spectrum(time: ArrayLike, signal: ArrayLike, *, window: Any = "hann", detrend: bool | str = True,
                   last: float = 0.5, segments: int = 1) -> Spectrum:
    """One-sided power spectral density of a uniformly saved signal over the last part of a run.

    Parameters
    ----------
    time
        Saved times (n,), s, strictly increasing and uniformly spaced (a last, shorter interval, which
        :func:`~spinstack.macrospin.simulate` adds when the duration is not a multiple of ``save_every``, is
        dropped).
    signal
        (n, ...): time along the first axis (R(t) in Ohm m^2, a component of m, ...); every other axis is a
        separate signal (ensemble members, layers).
    window
        A :func:`scipy.signal.get_window` name or tuple, or an array of the segment's length.  Default
        ``"hann"``: leakage from a peak falls off as 1/f^3 (a boxcar's as 1/f), so a weak harmonic stays visible
        on a log scale; ``"boxcar"`` for the plain periodogram.
    detrend
        True or ``"constant"``: remove the mean of each segment; ``"linear"``: a fitted line (a slow drift of
        R); False: nothing (the DC bin then holds the mean's power).
    last
        The fraction (0, 1] of the run analysed, taken from its end (default the last half, as the
        precession frequency of :func:`~spinstack.macrospin.final_states`).
    segments
        1 (default): the windowed periodogram of the whole kept part (finest resolution).  More: Welch's
        average over this many half-overlapping segments (a noisy, thermal signal).

    Returns
    -------
    Spectrum
        ``frequency`` (Hz), ``density`` ((signal units)^2 / Hz, (n_f, ...)), ``resolution`` (Hz) and ``peak``.

    Raises
    ------
    SpinstackError
        Times not increasing or not uniform, a signal not matching them or not finite, fewer than 4 points
        (per segment) kept, a bad ``last``, ``detrend`` or ``segments``.
    """
    from scipy.signal import welch

    time = np.asarray(time, dtype=float)
    signal = np.asarray(signal, dtype=float)
    if time.ndim != 1 or signal.ndim < 1 or signal.shape[0] != time.shape[0]:
        raise SpinstackError(f"power_spectrum needs times (n,) and a signal (n, ...) with time first, got shapes "
                             f"{time.shape} and {signal.shape}")
    if not (isinstance(last, (int, float, np.floating)) and 0 < last <= 1):
        raise SpinstackError(f"last: must be a fraction of the run in (0, 1], got {last!r}")
    if detrend is True or detrend is False:
        mode = "constant" if detrend else False
    elif isinstance(detrend, str) and detrend in ("constant", "linear"):
        mode = detrend
    else:
        raise SpinstackError(f"detrend: must be True, False, 'constant' or 'linear', got {detrend!r}")
    if not (isinstance(segments, (int, np.integer)) and not isinstance(segments, bool) and segments >= 1):
        raise SpinstackError(f"segments: must be a whole number >= 1, got {segments!r}")
    if not (np.all(np.isfinite(time)) and np.all(np.diff(time) > 0)):
        raise SpinstackError("time: must be finite and strictly increasing")
    if not np.all(np.isfinite(signal)):
        raise SpinstackError("signal: must be finite (an open-ended stack's resistance-area is NaN: no spectrum)")
    steps = np.diff(time)
    if len(steps) > 1 and steps[-1] < steps[0] * (1 - _UNIFORM):  # simulate's final save at the duration
        time, signal, steps = time[:-1], signal[:-1], steps[:-1]
    step = float(steps[0]) if len(steps) else 0.0
    if len(steps) and np.max(np.abs(steps - step)) > _UNIFORM * step:
        raise SpinstackError(f"time: the spectrum needs uniformly saved points; intervals range from "
                             f"{steps.min():.6g} to {steps.max():.6g} s")
    start = time[-1] - last * (time[-1] - time[0])
    kept = time >= start - _UNIFORM * step
    samples = int(np.count_nonzero(kept))
    # the one segment (periodogram) or Welch's: `segments` of them, overlapping by half
    length = samples if segments == 1 else (2 * samples) // (segments + 1)
    if length < 4:
        raise SpinstackError(f"power_spectrum: {samples} saved points in the last {last:g} of the run "
                             f"({segments} segment(s)): need at least 4 per segment")
    overlap = length // 2 if segments > 1 else 0
    frequency, density = welch(signal[kept], fs=1.0 / step, window=window, nperseg=length, noverlap=overlap,
                               detrend=mode, return_onesided=True, scaling="density", axis=0)
    return Spectrum(frequency, density, float(frequency[1] - frequency[0]))
