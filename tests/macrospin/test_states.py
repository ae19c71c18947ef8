"""End-of-run summaries (spinstack.macrospin.states, MODEL.md 9d): state, precession frequency, switching time.

Synthetic trajectories with known answers, then one real damped precession integrated by ``simulate``.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import spinstack as ss
from spinstack.errors import SpinstackError
from spinstack.macrospin.integrate import simulate
from spinstack.macrospin.spec import GAMMA_ELECTRON, MU0, Macrospins
from spinstack.macrospin.states import final_state, final_states, reference_direction, switching_time

ROOT = Path(__file__).resolve().parents[2]
Z = np.array([0.0, 0.0, 1.0])
FREQUENCY = 3.7e9  # Hz, of the synthetic orbits


def spiral(time: np.ndarray, polar: np.ndarray, frequency: float, axis: str = "z") -> np.ndarray:
    """m at polar angle ``polar`` (rad, per time) from ``axis``, turning about it at ``frequency`` (Hz): (n, 3)."""
    phase = 2 * math.pi * frequency * time
    a, b, c = np.sin(polar) * np.cos(phase), np.sin(polar) * np.sin(phase), np.cos(polar) * np.ones_like(time)
    return np.stack((a, b, c) if axis == "z" else (c, a, b), axis=-1)


# ------------------------------------------------------------------ synthetic trajectories
def test_a_cone_about_the_reference_is_a_precession_at_its_frequency():
    """The angle to m_ref is constant on this orbit: the period comes from the transverse motion. 50 saved points a
    period, every upward crossing at the same phase between samples: the interpolation's error cancels exactly."""
    time = np.arange(0, 40 * 50 + 1) / (50 * FREQUENCY)
    summary = final_state(time, spiral(time + 0.0123 / FREQUENCY, np.full(time.shape, 0.5), FREQUENCY), Z)
    assert summary.state == "precession"
    assert summary.frequency == pytest.approx(FREQUENCY, rel=1e-12)
    assert summary.switching_time is None


def test_an_orbit_crossing_the_equator_precesses_and_switches_at_the_first_sign_change():
    """A cone about x with m_ref = z: m_z = sin(0.4) sin(2 pi f t + phi). Its first zero after t = 0 is at
    (pi - phi) / (2 pi f); saved points are symmetric about it (sin is odd there), so the linear interpolation is
    exact; 37.3 points a period (incommensurate): the frequency to the interpolation's accuracy."""
    phi = 0.3
    first_zero = (math.pi - phi) / (2 * math.pi * FREQUENCY)
    step = 1 / (37.3 * FREQUENCY)
    time = first_zero + step * (np.arange(-40, 2000) + 0.5)
    time = time[time >= 0]
    m = spiral(time + phi / (2 * math.pi * FREQUENCY), np.full(time.shape, 0.4), FREQUENCY, axis="x")
    summary = final_state(time, m, Z)
    assert summary.state == "precession"
    assert summary.frequency == pytest.approx(FREQUENCY, rel=1e-6)  # measured 1e-8 (1/37 period sampling)
    assert summary.switching_time == pytest.approx(first_zero, rel=1e-12)


@pytest.mark.parametrize("end, state", [(0.0, "P"), (math.pi, "AP")])
def test_a_damped_spiral_ends_parallel_or_antiparallel_with_its_frequency(end, state):
    """theta(t) -> 0 or pi as exp(-t / 2 ns) from 30 degrees: no sign change of m . z, and the decaying orbit's
    zero crossings are those of cos(2 pi f t), 60 samples a period."""
    time = np.arange(0, 200 * 60 + 1) / (60 * FREQUENCY)  # 54 ns
    deviation = math.radians(30) * np.exp(-time / 2e-9)
    polar = end + (deviation if end == 0.0 else -deviation)
    summary = final_state(time, spiral(time, polar, FREQUENCY), Z)
    assert summary.state == state
    assert summary.switching_time is None
    # P: exact to 1e-15; AP: m_z = -cos(deviation) rounds to 1e-16, 1e-6 of the smallest step kept (1e-10)
    assert summary.frequency == pytest.approx(FREQUENCY, rel=1e-8)


def test_a_switch_from_p_to_ap_at_a_known_time():
    """m_z = -tanh((t - t_s) / 0.1 ns), saved points symmetric about t_s: the interpolated sign change is t_s."""
    switch = 1.234e-9
    step = 1e-12
    time = switch + step * (np.arange(-1234, 3766) + 0.5)
    time = time[time >= 0]
    mz = -np.tanh((time - switch) / 1e-10)
    m = np.stack((np.sqrt(1 - mz**2), np.zeros_like(mz), mz), axis=-1)
    summary = final_state(time, m, Z)
    assert summary.state == "AP"
    assert summary.switching_time == pytest.approx(switch, rel=1e-12)
    assert summary.frequency is None
    assert switching_time(time, m, -Z) == pytest.approx(switch, rel=1e-12)  # the sign change does not care


def test_a_relaxation_to_a_tilted_direction_is_static():
    """A spiral settling (time constant 0.5 ns) at 40 degrees from m_ref over 10 ns."""
    time = np.linspace(0, 10e-9, 5001)
    polar = math.radians(40) + math.radians(20) * np.exp(-time / 5e-10)
    summary = final_state(time, spiral(time, polar, 0.0), Z)
    assert summary.state == "static"
    assert summary.frequency is None and summary.switching_time is None


def test_a_random_walk_is_undetermined():
    rng = np.random.default_rng(15)
    steps = rng.normal(scale=0.05, size=(4000, 3))
    m = np.cumsum(steps, axis=0) + np.array([0.0, 0.0, 0.3])
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    time = np.arange(4000) * 1e-12
    summary = final_state(time, m, Z)
    assert summary.state == "undetermined"
    assert summary.frequency is None


def test_a_growing_orbit_has_a_frequency_but_is_not_steady():
    time = np.arange(0, 100 * 50 + 1) / (50 * FREQUENCY)
    # the transverse amplitude sin(polar) grows exactly exponentially (10 -> 13 degrees): then m's differences are an
    # exponentially growing sinusoid with a constant phase, whose zero crossings keep the period
    polar = np.arcsin(math.sin(math.radians(10)) * np.exp(time / 2e-8))
    summary = final_state(time, spiral(time, polar, FREQUENCY), Z)
    assert summary.state == "undetermined"
    # measured 2.5e-9: the growing drift d(m . z)/dt leaks into the signal through the mean axis' tilt
    assert summary.frequency == pytest.approx(FREQUENCY, rel=1e-8)


def test_final_states_of_an_ensemble_dataset():
    time = np.arange(0, 40 * 50 + 1) / (50 * FREQUENCY)
    cone = spiral(time, np.full(time.shape, 0.5), FREQUENCY)
    settling = spiral(time, math.radians(30) * np.exp(-time / 1e-9), 2 * FREQUENCY)
    m = np.stack((cone, settling), axis=1)[:, :, None, :]  # (time, member_0, layer, component)
    dataset = xr.Dataset({"m": (("time", "member_0", "layer", "component"), m)},
                         coords={"time": time, "layer": [2], "component": ["x", "y", "z"]})
    summary = final_states(dataset, [[0, 0, 1], [0, 0, -1]])  # member 1 against -z: its end is AP
    assert summary.state.dims == ("member_0", "layer")
    assert summary.state.values.tolist() == [["precession"], ["AP"]]
    np.testing.assert_allclose(summary.frequency.values[:, 0], [FREQUENCY, 2 * FREQUENCY], rtol=1e-9)
    assert np.isnan(summary.switching_time.values).all()
    assert summary.frequency.attrs["units"] == "Hz" and summary.switching_time.attrs["units"] == "s"
    with pytest.raises(SpinstackError, match="reference"):
        final_states(dataset, np.ones((3, 3)))


def test_bad_trajectories_are_refused():
    time = np.linspace(0, 1e-9, 10)
    with pytest.raises(SpinstackError, match="shapes"):
        final_state(time, np.ones((9, 3)), Z)
    with pytest.raises(SpinstackError, match="increasing"):
        final_state(time[::-1], np.ones((10, 3)), Z)
    with pytest.raises(SpinstackError, match="non-zero"):
        final_state(time, np.ones((10, 3)), np.zeros(3))


# ------------------------------------------------------------------ one real run
@pytest.fixture(scope="module")
def clean_valve() -> ss.Stack:
    """examples/co-cu-py.toml without its resistive interfaces (the fast compiled kernel)."""
    return dataclasses.replace(ss.load_stack(ROOT / "examples" / "co-cu-py.toml"), interfaces=())


def test_a_damped_precession_of_py_settles_parallel_at_the_damped_kittel_frequency(clean_valve):
    """J = 0, alpha = 0.01, B along the in-plane easy axis z (the fixed Co's m): a tilt of 1e-3 rad decays to P.
    The linearised LLG about +z (thin film, normal x) oscillates at
    omega = gamma / (1 + alpha^2) sqrt(B0 (B0 + mu0 Ms) - alpha^2 (mu0 Ms)^2 / 4), 2.9e-4 below Kittel's."""
    py, ms, alpha, k_u, applied = 2, 8.0e5, 0.01, 5.0e3, 0.05
    spins = Macrospins(clean_valve, free=py, Ms=ms, alpha=alpha, K_u=k_u, easy_axis=(0, 0, 1),
                       field=(0, 0, applied), current=0)
    b0 = applied + 2 * k_u / ms
    kittel = GAMMA_ELECTRON / (2 * math.pi) * math.sqrt(b0 * (b0 + MU0 * ms))
    damped = (GAMMA_ELECTRON / (2 * math.pi * (1 + alpha**2))
              * math.sqrt(b0 * (b0 + MU0 * ms) - alpha**2 * (MU0 * ms) ** 2 / 4))
    start = np.array([[0.0, math.sin(1e-3), math.cos(1e-3)]])
    run = simulate(clean_valve, spins, duration=2e-9, save_every=1 / (60 * kittel), rtol=1e-10, atol=1e-12,
                   initial=start)
    np.testing.assert_allclose(reference_direction(spins), [0, 0, 1], atol=1e-15)  # the fixed Co
    summary = final_states(run, spins)
    assert summary.state.values.tolist() == ["P"]
    assert math.isnan(summary.switching_time.item())
    measured = summary.frequency.item()
    assert 1 - damped / kittel == pytest.approx(2.9e-4, rel=0.02)
    # measured 3.9e-7 (the 1e-3 rad orbit's amplitude shift, 60 saved points a period), 1/700 of the damping shift
    assert abs(measured / damped - 1) < 1e-6, (measured / damped - 1, measured / kittel - 1)
