"""The power spectrum of a saved signal (spinstack.macrospin.spectrum): peaks, Parseval's theorem, the kept part of
the run, and one real macrospin oscillator whose R(t) and m(t) peak where final_states says it precesses."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import get_window

import spinstack as ss
from spinstack.errors import SpinstackError
from spinstack.macrospin import Macrospins, final_states, power_spectrum, simulate

ROOT = Path(__file__).resolve().parents[2]
STEP = 5e-12  # s, saved every 5 ps: Nyquist 100 GHz


def times(count: int) -> np.ndarray:
    return np.arange(count) * STEP


# ------------------------------------------------------------------ synthetic signals
@pytest.mark.parametrize("offset", np.linspace(0.0, 1.0, 11))
def test_a_pure_sine_peaks_at_its_frequency(offset):
    """A sine between bins 37 and 38 of the last half (1000 points, df = 200 MHz): the largest bin is the nearest
    one (to half a bin), and the refined peak lies within 0.02 of a bin (measured 0.016 at worst over 41 offsets
    and 3 phases: the log-parabola through a Hann main lobe)."""
    time = times(2000)
    frequency = (37 + offset) * 2e8
    spectrum = power_spectrum(time, np.sin(2 * math.pi * frequency * time + 0.7))
    assert spectrum.resolution == pytest.approx(1 / (1000 * STEP), rel=1e-12)
    largest = spectrum.frequency[np.argmax(spectrum.density)]
    assert abs(largest - frequency) <= 0.5 * spectrum.resolution * (1 + 1e-9)
    assert abs(spectrum.peak - frequency) < 0.02 * spectrum.resolution
    assert spectrum.frequency[-1] == pytest.approx(1 / (2 * STEP), rel=1e-12)  # the Nyquist frequency, n even


@pytest.mark.parametrize("count", [1000, 1001])  # with and without a Nyquist bin
def test_parseval_boxcar_integrates_to_the_variance(count):
    """Density scaling, one-sided: sum(PSD) df = the variance of the kept signal (mean removed), to round-off."""
    rng = np.random.default_rng(count)
    signal = 3.0 + rng.normal(size=count) + np.sin(np.arange(count))
    spectrum = power_spectrum(times(count), signal, window="boxcar", last=1.0)
    assert np.sum(spectrum.density) * spectrum.resolution == pytest.approx(np.var(signal), rel=1e-10)


@pytest.mark.parametrize("count", [1000, 1001])
def test_parseval_hann_integrates_to_the_window_weighted_mean_square(count):
    """With a window w the PSD holds sum(w^2 x^2) / sum(w^2) of the detrended x (the periodic Hann of the
    segment's length, as scipy.signal.get_window makes it)."""
    rng = np.random.default_rng(count + 1)
    signal = rng.normal(size=count) - 2.0
    spectrum = power_spectrum(times(count), signal, last=1.0)
    weight = get_window("hann", count) ** 2
    centred = signal - signal.mean()
    assert np.sum(spectrum.density) * spectrum.resolution == pytest.approx(
        np.sum(weight * centred**2) / np.sum(weight), rel=1e-10)


def test_without_detrending_the_mean_is_the_zero_frequency_bin():
    """detrend=False, boxcar: the integral is the mean square (mean^2 + variance), the mean's share all at 0 Hz
    (a one-sided spectrum does not double the DC bin)."""
    count = 800
    rng = np.random.default_rng(5)
    signal = 1.5 + rng.normal(size=count)
    spectrum = power_spectrum(times(count), signal, window="boxcar", detrend=False, last=1.0)
    assert np.sum(spectrum.density) * spectrum.resolution == pytest.approx(np.mean(signal**2), rel=1e-10)
    assert spectrum.density[0] * spectrum.resolution == pytest.approx(signal.mean() ** 2, rel=1e-10)


def test_linear_detrending_removes_a_drift():
    """A ramp plus a sine: with detrend="linear" the spectrum is the sine's alone (linearly detrended too) to
    round-off; with the mean alone removed the ramp's leakage fills the low bins (1e4 times the sine's peak)."""
    time = times(1000)
    sine = 0.01 * np.sin(2 * math.pi * 12e9 * time)
    linear = power_spectrum(time, 1e12 * time + sine, detrend="linear", last=1.0)
    constant = power_spectrum(time, 1e12 * time + sine, last=1.0)
    alone = power_spectrum(time, sine, detrend="linear", last=1.0)
    np.testing.assert_allclose(linear.density, alone.density, rtol=0, atol=1e-10 * alone.density.max())
    assert linear.peak == pytest.approx(12e9, abs=0.02 * linear.resolution)
    assert constant.density[1] > 1e4 * alone.density.max()


def test_only_the_last_part_of_the_run_counts():
    """8 GHz over the first 3/4, 17 GHz over the last 1/4: last=0.25 sees 17 GHz alone; the whole run peaks at 8."""
    time = times(4000)
    signal = np.where(time < time[3000], np.sin(2 * math.pi * 8e9 * time), np.sin(2 * math.pi * 17e9 * time))
    assert power_spectrum(time, signal, last=0.25).peak == pytest.approx(17e9, rel=1e-3)
    assert power_spectrum(time, signal, last=1.0).peak == pytest.approx(8e9, rel=1e-3)
    assert power_spectrum(time, signal, last=0.25).resolution == pytest.approx(1 / (1000 * STEP), rel=1e-12)


def test_a_relaxation_has_no_peak_and_does_not_hide_an_oscillation():
    """R settling exponentially (1 ns) over the kept part: its leakage fills the lowest bins, which are no peak:
    alone it has none (NaN); with a small 21 GHz oscillation on top the peak is the oscillation's."""
    time = times(1200)
    settling = 3.0 + 0.6 * np.exp(-time / 1e-9)
    assert math.isnan(power_spectrum(time, settling, last=1.0).peak)
    ringing = settling + 1e-4 * np.sin(2 * math.pi * 21e9 * time)
    spectrum = power_spectrum(time, ringing, last=1.0)
    assert spectrum.density[1] > spectrum.density[2:].max()  # the drift's leakage is the largest bin
    assert spectrum.peak == pytest.approx(21e9, abs=0.05 * spectrum.resolution)


def test_several_signals_along_the_other_axes():
    """(n, 2, 3): one spectrum per column, each the same as alone; peaks shaped (2, 3), NaN for a constant."""
    time = times(1200)
    frequencies = np.array([[5e9, 6e9, 7e9], [11e9, 13e9, 0.0]])
    signal = np.sin(2 * math.pi * frequencies * time[:, None, None])
    together = power_spectrum(time, signal)
    assert together.density.shape == (301, 2, 3)  # the last half: 600 points
    np.testing.assert_array_equal(together.density[:, 1, 0], power_spectrum(time, signal[:, 1, 0]).density)
    peaks = together.peak
    assert peaks.shape == (2, 3) and math.isnan(peaks[1, 2])
    np.testing.assert_allclose(peaks[:, :2], frequencies[:, :2], atol=0.02 * together.resolution)


def test_welch_segments_average_at_a_coarser_resolution():
    """segments=3: segments of 2n/4 points overlapping by half (3 of them); the bin width doubles, the peak stays."""
    time = times(2000)
    spectrum = power_spectrum(time, np.sin(2 * math.pi * 9.3e9 * time), last=1.0, segments=3)
    assert spectrum.resolution == pytest.approx(1 / (1000 * STEP), rel=1e-12)
    assert spectrum.peak == pytest.approx(9.3e9, abs=0.02 * spectrum.resolution)


def test_the_final_shorter_save_is_dropped():
    """simulate saves at the duration too when it is no multiple of save_every: that point is left out."""
    time = np.append(times(1000), 999 * STEP + 0.3 * STEP)
    signal = np.sin(2 * math.pi * 10e9 * time)
    assert power_spectrum(time, signal).density.shape == power_spectrum(time[:-1], signal[:-1]).density.shape
    np.testing.assert_array_equal(power_spectrum(time, signal).density, power_spectrum(time[:-1], signal[:-1]).density)


@pytest.mark.parametrize("change, message", [
    (dict(time=np.array([0.0, 1.0, 3.0, 4.0, 5.0, 6.0])), "uniformly saved"),
    (dict(time=np.array([0.0, 2.0, 1.0, 3.0, 4.0, 5.0])), "strictly increasing"),
    (dict(signal=np.array([1.0, 2.0, np.nan, 1.0, 2.0, 3.0])), "must be finite"),
    (dict(signal=np.ones(5)), "time first"),
    (dict(last=0.0), "last: must be"),
    (dict(last=1.5), "last: must be"),
    (dict(detrend="quadratic"), "detrend: must be"),
    (dict(detrend=1), "detrend: must be"),
    (dict(segments=0), "segments: must be"),
    (dict(last=0.3), "need at least 4"),
])
def test_bad_input_is_refused_clearly(change, message):
    values = dict(time=np.arange(6.0), signal=np.arange(6.0) % 2)
    options = {key: value for key, value in change.items() if key not in values}
    values.update({key: value for key, value in change.items() if key in values})
    with pytest.raises(SpinstackError, match=message):
        power_spectrum(values["time"], values["signal"], **options)


# ------------------------------------------------------------------ a real oscillator
@pytest.fixture(scope="module")
def oscillator():
    """examples/co-cu-py.toml without its resistive interfaces (fast kernel): Py (Ms 8e5 A/m, alpha 0.01, K_u 5e4
    J/m^3 along z, 20 mT along z) driven at J = -5e10 A/m^2, beyond both stability thresholds (P at -1.9e10, AP at
    -7.6e9 A/m^2 by critical_currents): a steady clamshell orbit about z, 10 ns saved every 5 ps (~5 s)."""
    stack = dataclasses.replace(ss.load_stack(ROOT / "examples" / "co-cu-py.toml"), interfaces=())
    spins = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0, 0, 1), field=(0, 0, 0.02),
                       current=-5e10)
    run = simulate(stack, spins, duration=10e-9, save_every=STEP,
                   initial=np.array([[0.0, math.sin(0.1), math.cos(0.1)]]))
    return run, final_states(run, spins)


def test_an_oscillators_resistance_peaks_at_twice_its_precession_frequency(oscillator):
    """The orbit is symmetric about m_ref = z (the fixed Co): R, a function of m . m_ref, repeats twice a turn, so
    R(t)'s peak is at 2 f of final_states (which counts m's turns) and a transverse component m_y peaks at f.
    Measured: 0.010 and 0.016 of a 200 MHz bin; allowed 0.05 (final_states' frequency is from zero crossings
    over the same last half, to 1e-6)."""
    run, summary = oscillator
    assert summary.state.values.tolist() == ["precession"]
    frequency = summary.frequency.item()
    assert 10e9 < frequency < 12e9
    resistance = power_spectrum(run.time.values, run.resistance_area.values)
    transverse = power_spectrum(run.time.values, run.m.sel(layer=2, component="y").values)
    assert abs(resistance.peak - 2 * frequency) < 0.05 * resistance.resolution
    assert abs(transverse.peak - frequency) < 0.05 * transverse.resolution
    # R has no fundamental: the power at f is below 1e-3 of that at 2 f
    at = np.searchsorted(resistance.frequency, [frequency, 2 * frequency])
    assert resistance.density[at[0] - 1: at[0] + 1].max() < 1e-3 * resistance.density[at[1] - 1: at[1] + 1].max()
