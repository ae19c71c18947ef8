"""The thermal field (MODEL.md 9b) and its stochastic Heun integration (spinstack.macrospin.thermal), 9e check 5.

The statistical tests run ensembles of independent members (each its own noise, child k of the seed's
SeedSequence) with a fixed seed, so they are deterministic; the tolerances are error bars estimated from
the members themselves: a member's time average over its saved snapshots (correlated in time) is one
independent sample, so the ensemble mean's standard error is the members' standard deviation / sqrt(N),
whatever the correlation time.  Each test also shows that it can fail: the same data against a wrong
model (the thermal field's strength off by 10 %, or the (1 + alpha^2) left out) misses by many error bars.

Every test integrates the example Co/Cu/Py valve (examples/co-cu-py.toml, SI) with its Py layer free
(d = 4 nm); the pillar area sets K_u V / k_B T.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.errors import SpinstackError, StackError
from spinstack.macrospin.integrate import simulate
from spinstack.macrospin.spec import GAMMA_ELECTRON, MU0, Macrospins
from spinstack.macrospin.thermal import BOLTZMANN, default_step, noise_variance, simulate_thermal

ROOT = Path(__file__).resolve().parents[2]
PY = 2  # the free layer's stack index
THICKNESS = 4e-9  # Py in the example, m
MS = 8.0e5  # A/m
K_U = 1.0e5  # J/m^3: B_K = 2 K_u / Ms = 0.25 T
TEMPERATURE = 300.0  # K
ISOTROPIC = (1 / 3, 1 / 3, 1 / 3)  # demagnetizing factors of a sphere: the demag energy is a constant


@pytest.fixture(scope="module")
def valve() -> ss.Stack:
    """The valve without its resistive interfaces (the compiled chain kernel solves one configuration fast)."""
    return dataclasses.replace(ss.load_stack(ROOT / "examples" / "co-cu-py.toml"), interfaces=())


def area_for(barrier: float) -> float:
    """The pillar area (m^2) giving K_u V / k_B T = ``barrier`` at 300 K for the 4-nm Py layer."""
    return barrier * BOLTZMANN * TEMPERATURE / (K_U * THICKNESS)


def isotropic_directions(count: int, seed: int) -> np.ndarray:
    """``count`` unit vectors uniform on the sphere, (count, 1, 3)."""
    m = np.random.default_rng(seed).normal(size=(count, 1, 3))
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def member_means(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ensemble mean of per-member time averages and its standard error; ``values`` (time, member, ...)."""
    per_member = values.mean(axis=0)
    return per_member.mean(axis=0), per_member.std(axis=0, ddof=1) / math.sqrt(per_member.shape[0])


# ------------------------------------------------------------------ the noise's strength
def test_noise_variance_is_browns(valve):
    """<B_k(t) B_l(t')> = 2 alpha k_B T / (gamma Ms V) delta_kl delta(t - t'), V = A d, per member and layer."""
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.02, gamma=1.8e11, temperature=[0.0, 77.0, 300.0], area=1e-16)
    expected = 2 * 0.02 * 1.380649e-23 * np.array([0.0, 77.0, 300.0]) / (1.8e11 * MS * 1e-16 * THICKNESS)
    np.testing.assert_allclose(noise_variance(spins)[:, 0], expected, rtol=1e-15, atol=0)


# ------------------------------------------------------------------ 9e check 5: Boltzmann
def test_stationary_distribution_is_boltzmann(valve):
    """T > 0, J = 0, uniaxial K_u V / k_B T = 3 (demag of a sphere, so E = -K_u V (m . u)^2): the histogram of
    m . u over 10 bins agrees with exp(-E V / k_B T) within its statistical error.

    1000 members start isotropic, integrated at the default step; snapshots every 50 ps after a burn-in of
    0.4 ns (the intrawell relaxation time is ~ (1 + alpha^2) Ms V / (2 alpha gamma k_B T) / 3 ~ 50 ps at
    alpha = 1, and an isotropic start needs no interwell relaxation).  A member's fraction of snapshots in a
    bin is one independent sample: bin k's error bar is std over members / sqrt(1000) (~3-5 % of p_k).
    Bounds: every bin within 4 error bars, and chi^2 over the 10 bins below 30 (9 degrees of freedom:
    P(chi^2 > 30) = 4e-4); measured chi^2 10.9, largest deviation 1.75 error bars.  With K_u V / k_B T off by
    10 % (2.7 or 3.3, i.e. a noise 10 % too strong or weak) the same data give chi^2 = 83 (bound > 60).
    """
    members, barrier = 1000, 3.0
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=1.0, K_u=K_U, easy_axis=(0, 0, 1), demag=ISOTROPIC,
                       current=np.zeros(members), temperature=TEMPERATURE, area=area_for(barrier), seed=11)
    run = simulate_thermal(valve, spins, 1.2e-9, 5e-11, initial=isotropic_directions(members, 5))
    along = run.m.sel(component="z", layer=PY).sel(time=slice(0.4e-9, None)).values  # (time, member)
    edges = np.linspace(-1, 1, 11)
    inside = np.stack([(along >= low) & (along < high) for low, high in zip(edges[:-1], edges[1:])], axis=-1)
    fraction, error = member_means(inside.astype(float))

    def boltzmann(barrier: float) -> np.ndarray:
        """P(m . u in each bin) for the density exp(barrier x^2) in x = m . u (uniform in x on the sphere)."""
        x, weights = np.polynomial.legendre.leggauss(200)
        parts = [np.sum(weights * np.exp(barrier * (low + (high - low) * (x + 1) / 2) ** 2)) * (high - low) / 2
                 for low, high in zip(edges[:-1], edges[1:])]
        return np.array(parts) / np.sum(parts)

    deviation = (fraction - boltzmann(barrier)) / error
    assert np.all(np.abs(deviation) < 4), deviation
    assert np.sum(deviation ** 2) < 30, deviation
    for wrong in (0.9 * barrier, 1.1 * barrier):  # the test's power
        assert np.sum(((fraction - boltzmann(wrong)) / error) ** 2) > 60


def test_fluctuations_in_a_thin_film_obey_equipartition(valve):
    """The fluctuation-dissipation amplitude: a thin film (N = (1, 0, 0)) with an in-plane easy axis z and
    K_u V / k_B T = 20; near the minimum E V ~ K_u V m_y^2 + (K_u + mu0 Ms^2 / 2) V m_x^2, so equipartition
    gives <m_y^2> = k_B T / (2 K_u V) and <m_x^2> = k_B T / ((2 K_u + mu0 Ms^2) V).

    The simulated averages (800 members from +z at the default step, snapshots every 25 ps after 0.2 ns,
    the slow mode's relaxation time ~ 45 ps) agree with the exact Boltzmann averages over the sphere
    (quadrature) within 4 error bars (std over members / sqrt(800): 1.0 % and 1.2 % here; measured 2.0 and 0.4
    error bars off); the exact ones lie within the anharmonic correction O(k_B T / K_u V) = 5 % of equipartition
    (measured 0.5 % and 2.8 %).  Error bars of ~1 % tell a noise 10 % off (or a factor 2) at once.
    """
    members, barrier = 800, 20.0
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=1.0, K_u=K_U, easy_axis=(0, 0, 1), demag=(1, 0, 0),
                       current=np.zeros(members), temperature=TEMPERATURE, area=area_for(barrier), seed=3)
    run = simulate_thermal(valve, spins, 0.8e-9, 2.5e-11, initial=np.array([[0.0, 0.0, 1.0]]))
    m = run.m.sel(layer=PY).sel(time=slice(0.2e-9, None)).values  # (time, member, component)
    squares, error = member_means(m[..., :2] ** 2)  # <m_x^2>, <m_y^2>
    # the exact Boltzmann averages: Gauss-Legendre in m_z, the trapezoid (spectral for a periodic integrand) in phi
    z, weights = np.polynomial.legendre.leggauss(400)
    phi = np.linspace(0, 2 * np.pi, 256, endpoint=False)
    mx = np.sqrt(1 - z[:, None] ** 2) * np.cos(phi)
    my = np.sqrt(1 - z[:, None] ** 2) * np.sin(phi)
    volume = area_for(barrier) * THICKNESS
    energy = (-K_U * z[:, None] ** 2 + 0.5 * MU0 * MS ** 2 * mx ** 2) * volume
    boltzmann = weights[:, None] * np.exp(-(energy - energy.min()) / (BOLTZMANN * TEMPERATURE))
    exact = np.array([np.sum(boltzmann * mx ** 2), np.sum(boltzmann * my ** 2)]) / np.sum(boltzmann)
    np.testing.assert_array_less(np.abs(squares - exact), 4 * error)
    thermal = BOLTZMANN * TEMPERATURE
    equipartition = np.array([thermal / ((2 * K_U + MU0 * MS ** 2) * volume), thermal / (2 * K_U * volume)])
    np.testing.assert_allclose(exact, equipartition, rtol=0.05)
    assert np.all(error < 0.02 * exact)  # the error bars are tight enough to tell a factor 2 (or 10 %)


def test_free_rotational_diffusion_has_browns_time(valve):
    """No field at all (K_u = 0, B_app = 0, the demag of a sphere): m diffuses freely on the sphere and
    <P_1(m . z)>(t) = exp(-t / tau_D), <P_2(m . z)>(t) = exp(-3 t / tau_D) exactly, with Brown's
    tau_D = (1 + alpha^2) Ms V / (2 alpha gamma k_B T): the noise's absolute strength, the 1 + alpha^2 and the
    Stratonovich drift together (alpha = 0.5, area chosen for tau_D = 100 ps, 2000 members from +z).
    Error bars: members are independent, so std / sqrt(2000) at each time (<= 0.013); bound 4 of them.  With
    the 1 + alpha^2 left out of the precession's share (tau_D 1.25 times longer) the same data miss by > 5.
    """
    members, alpha, tau = 2000, 0.5, 1e-10
    volume = tau * 2 * alpha * GAMMA_ELECTRON * BOLTZMANN * TEMPERATURE / ((1 + alpha ** 2) * MS)
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=alpha, demag=ISOTROPIC, current=np.zeros(members),
                       temperature=TEMPERATURE, area=volume / THICKNESS, seed=7)
    run = simulate_thermal(valve, spins, 2e-10, 2.5e-11, initial=np.array([[0.0, 0.0, 1.0]]))
    z = run.m.sel(component="z", layer=PY).values  # (time, member)
    time = run.time.values
    for moment, rate in ((z, 1.0), (1.5 * z ** 2 - 0.5, 3.0)):
        mean, error = moment.mean(axis=1), moment.std(axis=1, ddof=1) / math.sqrt(members)
        expected = np.exp(-rate * time / tau)
        np.testing.assert_array_less(np.abs(mean - expected), 4 * error[1:].max() + 1e-15)
        wrong = np.exp(-rate * time / (tau * (1 + alpha ** 2)))  # the (1 + alpha^2) of the precession part left out
        assert np.max(np.abs(mean - wrong)) > 5 * error[1:].max()  # measured 7.4 (P_1) error bars


# ------------------------------------------------------------------ T -> 0: the deterministic path
@pytest.mark.parametrize("current", [0.0, -2e11], ids=["J=0 (compiled kernel)", "J!=0 (exact torque, numpy)"])
def test_zero_temperature_converges_to_simulate_at_second_order(valve, current):
    """At T = 0 the scheme is Heun's method: the error against simulate (rtol 1e-12) after 0.1 ns falls by 4 when
    the step halves (order 2; measured ratios 4.07-4.14, bound 3.6-4.4), and is small at the finest step (the fastest
    rate gamma |B| ~ 1.9e11 rad/s: 0.019 rad per step; measured 1.6e-4 at J = 0, 1.1e-4 with J)."""
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.05, K_u=5e3, easy_axis=(0, 0, 1), field=(0, 0.01, 0.05),
                       current=current)
    start = np.array([[0.6, 0.0, 0.8]])
    reference = simulate(valve, spins, 1e-10, 1e-10, rtol=1e-12, atol=1e-14, initial=start).m.values[-1]
    errors = []
    for dt in (4e-13, 2e-13, 1e-13):
        run = simulate_thermal(valve, spins, 1e-10, 1e-10, dt=dt, initial=start)
        assert run.attrs["backend"] == ("compiled" if current == 0 else "python")
        errors.append(np.max(np.abs(run.m.values[-1] - reference)))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 3.6) & (ratios < 4.4)), (errors, ratios)
    assert errors[-1] < 2e-4


def test_backends_agree_step_for_step(valve):
    """The compiled kernel and the numpy steps (RightHandSide at every stage) run the same scheme with the same
    noise: 3 members with noise, one at T = 0, 2000 steps, agree to 1e-11 (measured 3e-15)."""
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.3, K_u=K_U, easy_axis=(0, 1, 1), demag=(0.8, 0.15, 0.05),
                       field=(0.01, 0.0, 0.02), current=np.zeros(4), temperature=[300.0, 0.0, 50.0, 300.0],
                       area=area_for(10.0), seed=2)
    runs = [simulate_thermal(valve, spins, 1e-10, 2e-11, dt=5e-14, backend=backend) for backend in ("compiled", "python")]
    assert [run.attrs["backend"] for run in runs] == ["compiled", "python"]
    np.testing.assert_allclose(runs[0].m.values, runs[1].m.values, rtol=0, atol=1e-11)
    assert np.max(np.abs(runs[0].m.values[-1, 0] - runs[0].m.values[-1, 3])) > 0.01  # the members' noises differ


# ------------------------------------------------------------------ the seed
@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_the_seed_reproduces_and_members_do_not_depend_on_the_ensemble(valve, backend):
    """Same seed: identical trajectories; another seed: others; member k's noise is the same in an ensemble of 1 and
    of 5 (child k of SeedSequence(seed)), so its trajectory is too, to the last bit."""
    def run(members: int, seed: int):
        spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=np.zeros(members),
                           temperature=TEMPERATURE, area=area_for(5.0), seed=seed)
        return simulate_thermal(valve, spins, 2e-11, 5e-12, dt=1e-13, backend=backend).m.values

    first = run(5, seed=4)
    np.testing.assert_array_equal(first, run(5, seed=4))
    np.testing.assert_array_equal(first[:, :1], run(1, seed=4))
    assert np.max(np.abs(first - run(5, seed=5))) > 1e-3
    assert np.max(np.abs(first[-1, 0] - first[-1, 1])) > 1e-3


def test_a_block_keyed_by_its_members_is_the_whole_runs_block(valve):
    """A 2 x 3 ensemble run whole, and its block [1, 1:3] run alone with members= its flat indices (4, 5): the same
    trajectories to the last bit (the compiled kernel integrates members independently)."""
    temperature = np.array([[100.0, 200.0, 300.0], [150.0, 250.0, 350.0]])
    common = dict(free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=0.0, area=area_for(5.0), seed=8)
    whole = simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature), 2e-11, 1e-11, dt=1e-13)
    block = simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature[1, 1:]), 2e-11, 1e-11,
                             dt=1e-13, members=np.arange(6).reshape(2, 3)[1, 1:])
    np.testing.assert_array_equal(block.m.values, whole.m.values[:, 1, 1:])
    unkeyed = simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature[1, 1:]), 2e-11, 1e-11, dt=1e-13)
    assert np.max(np.abs(unkeyed.m.values - block.m.values)) > 1e-3  # keys 0, 1 draw other noise than 4, 5
    with pytest.raises(SpinstackError, match="members must all differ"):
        simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature[1, 1:]), 2e-11, 1e-11, dt=1e-13,
                         members=[3, 3])


def test_a_zero_temperature_member_follows_the_deterministic_path(valve):
    """An ensemble over temperature [0, 300 K] with a current (the exact torque at every stage): the T = 0 member is
    the run at T = 0 alone (1e-12: batch vs single solves round differently), the other leaves it."""
    common = dict(free=PY, Ms=MS, alpha=0.05, K_u=K_U, easy_axis=(0, 0, 1), current=-2e11, area=area_for(20.0))
    both = simulate_thermal(valve, Macrospins(valve, **common, temperature=[0.0, TEMPERATURE]), 5e-11, 1e-11,
                            dt=1e-13, initial=np.array([[0.6, 0.0, 0.8]]))
    alone = simulate_thermal(valve, Macrospins(valve, **common), 5e-11, 1e-11, dt=1e-13, initial=np.array([[0.6, 0.0, 0.8]]))
    assert both.attrs["backend"] == "python"
    np.testing.assert_allclose(both.m.values[:, 0], alone.m.values, rtol=0, atol=1e-12)
    assert np.max(np.abs(both.m.values[-1, 1] - alone.m.values[-1])) > 1e-3


# ------------------------------------------------------------------ simulate, the Dataset
def test_the_dataset(valve):
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=[0.0, -1e11],
                       temperature=TEMPERATURE, area=area_for(10.0), seed=9)
    run = simulate_thermal(valve, spins, 2e-11, 5e-12, dt=1e-13)
    assert run.m.dims == ("time", "member_0", "layer", "component")
    assert run.current.dims == run.resistance_area.dims == ("time", "member_0")
    assert run.temperature.dims == ("member_0",)
    np.testing.assert_array_equal(run.time.values, [0, 5e-12, 1e-11, 1.5e-11, 2e-11])
    np.testing.assert_allclose(np.linalg.norm(run.m.values, axis=-1), 1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(run.current.values[:, 1], -1e11)
    assert np.all(np.isfinite(run.resistance_area.values))
    assert run.attrs["temperature"] == TEMPERATURE and run.attrs["seed"] == 9 and run.attrs["dt"] == 1e-13
    assert run.attrs["steps"] == 200 and run.attrs["area"] == area_for(10.0)


def test_simulate_dispatches_thermal_runs(valve):
    """simulate() with any temperature > 0 is simulate_thermal (same arguments, same trajectories to the bit)."""
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=-1e11,
                       temperature=[0.0, TEMPERATURE], area=area_for(10.0), seed=9)
    fractions = []
    through_simulate = simulate(valve, spins, 2e-11, 5e-12, dt=1e-13, progress=fractions.append)
    direct = simulate_thermal(valve, spins, 2e-11, 5e-12, dt=1e-13)
    np.testing.assert_array_equal(through_simulate.m.values, direct.m.values)
    assert through_simulate.attrs["integrator"] == "stochastic Heun (Stratonovich), fixed step"
    assert fractions[-1] == 1.0 and all(0 <= value <= 1 for value in fractions)
    deterministic = simulate(valve, dataclasses.replace(spins, temperature=0.0), 2e-11, 5e-12)
    assert deterministic.attrs["integrator"].startswith("Dormand-Prince")  # DOP853 or DP5, whichever is the default


def test_waveform_corners_are_steps_ends(valve):
    """A piecewise-linear drive: the steps land on its corners (as simulate's), so at T = 0 Heun keeps order 2
    through them (errors against simulate at rtol 1e-12 fall by 3.6-4.4 per halving; measured 3.96 and 4.06)."""
    pulse = [(0.0, 0.0), (1.3e-11, -3e11), (3.7e-11, -3e11), (4.1e-11, 0.0)]
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.05, K_u=5e3, easy_axis=(0, 0, 1), field=(0, 0.01, 0.05),
                       current=pulse)
    start = np.array([[0.6, 0.0, 0.8]])
    reference = simulate(valve, spins, 6e-11, 2e-11, rtol=1e-12, atol=1e-14, initial=start).m.values[-1]
    errors = [np.max(np.abs(simulate_thermal(valve, spins, 6e-11, 2e-11, dt=dt, initial=start).m.values[-1] - reference))
              for dt in (4e-13, 2e-13, 1e-13)]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 3.6) & (ratios < 4.4)), (errors, ratios)


def test_the_default_step(valve):
    """The fastest precession turns m by 0.01 rad per step, or the noise by 0.05 rad rms, whichever is smaller."""
    quiet = Macrospins(valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), field=(0, 0, 0.1), current=0,
                       temperature=TEMPERATURE, area=1e-14)
    bound = 0.1 + 2 * K_U / MS + MU0 * MS  # |B_app| + B_K + mu0 Ms max N, T
    assert default_step(quiet) == pytest.approx(0.01 / (GAMMA_ELECTRON * bound), rel=1e-12)
    noisy = dataclasses.replace(quiet, area=1e-19)
    diffusion = GAMMA_ELECTRON ** 2 * noise_variance(noisy).max()  # rad^2 / s
    assert default_step(noisy) == pytest.approx(0.05 ** 2 / diffusion, rel=1e-12)


# ------------------------------------------------------------------ bad input
SEED_RANGE = re.escape("seed: must be an integer from 0 to 2^63 - 1 = 9223372036854775807")


@pytest.mark.parametrize("keywords, message", [
    (dict(temperature=-1.0, area=1e-16), "temperature: must be >= 0"),
    (dict(temperature=[300.0, -1.0], area=1e-16), "temperature: must be >= 0"),
    (dict(temperature=float("nan"), area=1e-16), "temperature: must be finite"),
    (dict(temperature=300.0), "area: needed when temperature > 0"),
    (dict(temperature=300.0, area=0.0), "area: must be > 0"),
    (dict(temperature=300.0, area=[1e-16, -1e-16]), "area: must be > 0"),
    (dict(seed=-1), SEED_RANGE + ", got -1"),
    (dict(seed=1.5), SEED_RANGE + ", got 1.5"),
    (dict(seed=True), SEED_RANGE + ", got True"),
    (dict(seed=2**63), SEED_RANGE + ", got 9223372036854775808"),  # a run's file cannot hold it (int64)
    (dict(temperature=[300.0, 300.0], area=1e-16, current=[0.0, 1.0, 2.0]), "the parameters' leading shapes"),
])
def test_bad_thermal_parameters_are_refused_by_name(valve, keywords, message):
    with pytest.raises(StackError, match=message):
        Macrospins(valve, free=PY, Ms=MS, alpha=0.1, **keywords)


@pytest.mark.parametrize("arguments, message", [
    (dict(duration=0.0), "duration must be a finite number > 0"),
    (dict(dt=0.0), "dt must be a finite number > 0"),
    (dict(dt=float("nan")), "dt must be a finite number > 0"),
    (dict(backend="fast"), "backend must be"),
    (dict(duration=1e-3, save_every=1e-9), r"steps per member \(or saved points\), more than max_steps = 1e\+07"),
    (dict(duration=1.0), r"more than MAX_SAVED_POINTS = 1e\+07"),
    (dict(duration=1e-9, dt=1e-15, max_steps=1e5), r"1e\+06 steps per member"),
    (dict(current=-1e11, backend="compiled"), "backend 'compiled' does not take these macrospins"),
    (dict(members=[0]), r"members must be integers >= 0 of the ensemble's shape \(\)"),
    (dict(members=np.array(-1)), "members must be integers >= 0"),
    (dict(members=np.array(1.5)), "members must be integers >= 0"),
])
def test_bad_runs_are_refused(valve, arguments, message):
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), temperature=TEMPERATURE,
                       area=1e-16, current=arguments.pop("current", 0.0))
    options = dict(duration=1e-11, save_every=1e-12) | arguments
    with pytest.raises(SpinstackError, match=message):
        simulate_thermal(valve, spins, options.pop("duration"), options.pop("save_every"), **options)


@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_shared_keys_draw_the_same_noise_once_per_key(valve, backend):
    """shared_keys=True (spinstack.dynamics' realizations: realization r of every configuration keyed r): members
    with one key draw the same normals, so identical members with one key are identical to the last bit, and each
    equals the member of that key run alone; members of other keys (or other temperatures) differ."""
    common = dict(free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=0.0, area=area_for(5.0), seed=8)
    temperature = np.array([300.0, 300.0, 300.0, 150.0])
    shared = simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature), 2e-11, 1e-11, dt=1e-13,
                              members=[2, 5, 2, 2], shared_keys=True, backend=backend).m.values
    np.testing.assert_array_equal(shared[:, 0], shared[:, 2])
    alone = simulate_thermal(valve, Macrospins(valve, **common, temperature=300.0), 2e-11, 1e-11, dt=1e-13,
                             members=np.array(2), backend=backend).m.values
    np.testing.assert_array_equal(shared[:, 0], alone)
    assert np.max(np.abs(shared[-1, 0] - shared[-1, 1])) > 1e-3  # key 5: other noise
    assert np.max(np.abs(shared[-1, 0] - shared[-1, 3])) > 1e-4  # key 2 at 150 K: the same normals, scaled less
    with pytest.raises(SpinstackError, match="members must all differ"):  # without shared_keys: refused
        simulate_thermal(valve, Macrospins(valve, **common, temperature=temperature), 2e-11, 1e-11, dt=1e-13,
                         members=[2, 5, 2, 2])
