"""Macrospin LLGS with the exact torque (spinstack.macrospin, MODEL.md 9a-9b, checks 9e.1 and 9e.2).

Every test integrates the example Co/Cu/Py valve (examples/co-cu-py.toml, SI) with its Py layer free.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.macrospin.fields import effective_field, energy
from spinstack.macrospin.integrate import RightHandSide, simulate
from spinstack.macrospin.spec import GAMMA_ELECTRON, MU0, Coupling, Macrospins

ROOT = Path(__file__).resolve().parents[2]
PY = 2  # the free layer's stack index
MS = 8.0e5  # A/m
K_U = 5.0e3  # J/m^3: B_K = 2 K_u / Ms = 12.5 mT


@pytest.fixture(scope="module")
def valve() -> ss.Stack:
    return ss.load_stack(ROOT / "examples" / "co-cu-py.toml")


@pytest.fixture(scope="module")
def clean_valve(valve) -> ss.Stack:
    """The valve without its resistive interfaces: the compiled chain kernel solves it in microseconds."""
    return dataclasses.replace(valve, interfaces=())


@pytest.fixture(params=["python", "compiled"])
def backend(request) -> str:
    """The checks of MODEL.md 9e run on both integrators (spinstack.macrospin.compiled and the Python path)."""
    from spinstack.macrospin import compiled

    if request.param == "compiled" and not compiled.AVAILABLE:
        pytest.skip("numba is not installed")
    return request.param


def tilted(angle: float, azimuth: float = 0.0) -> np.ndarray:
    """A unit vector ``angle`` rad from +z, turned ``azimuth`` rad about z from the x-z plane, shape (1, 3)."""
    return np.array([[math.sin(angle) * math.cos(azimuth), math.sin(angle) * math.sin(azimuth), math.cos(angle)]])


# ------------------------------------------------------------------ fields and energy
def test_effective_field_is_minus_the_energy_gradient(valve):
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.01, K_u=K_U, easy_axis=(0, 1, 1), demag=(0.8, 0.15, 0.05),
                       field=(0.01, -0.02, 0.03), couplings=[Coupling(0, PY, 2e-4)])
    m = tilted(0.7, 0.4)
    d = float(valve.layers[PY].thickness)
    gradient = np.zeros(3)
    step = 1e-4  # E is quadratic in m: the central difference is exact up to round-off
    for k in range(3):
        shift = np.zeros(3)
        shift[k] = step
        gradient[k] = (energy(spins, m + shift) - energy(spins, m - shift)) / (2 * step)
    field = effective_field(spins, m)[0]
    np.testing.assert_allclose(field, -gradient / (MS * d), rtol=1e-9, atol=1e-12)
    # the terms by hand: applied + anisotropy + demag + exchange with the fixed Co (m = +z)
    u = np.array([0, 1, 1]) / math.sqrt(2)
    expected = (np.array([0.01, -0.02, 0.03]) + 2 * K_U / MS * (m[0] @ u) * u
                - MU0 * MS * np.array([0.8, 0.15, 0.05]) * m[0] + 2e-4 / (MS * d) * np.array([0, 0, 1.0]))
    np.testing.assert_allclose(field, expected, rtol=1e-14, atol=1e-16)


# ------------------------------------------------------------------ the right-hand side as written in 9a
def test_right_hand_side_is_the_equation_of_9a(valve, rng):
    """(1 + alpha^2) dm/dt = -gamma m x B - alpha gamma m x (m x B) + tau + alpha m x tau, tau = gamma T / (Ms d),
    written out with numpy.cross, over an ensemble of random directions, drives and damping constants."""
    m = rng.normal(size=(5, 1, 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    alpha = rng.uniform(0, 0.5, size=(5, 1))
    current = rng.uniform(-3e11, 3e11, size=5)
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=alpha, gamma=1.9e11, K_u=K_U, easy_axis=(0, 1, 1),
                       field=(0.01, -0.02, 0.03), couplings=[Coupling(0, PY, 2e-4)], current=current)
    every = spins.all_magnetizations(m)
    torque = ss.finalize(valve).torques(every, current=current)[:, [PY], :]
    tau = 1.9e11 * torque / (MS * float(valve.layers[PY].thickness))
    field = effective_field(spins, m)
    a, g = alpha[..., None], 1.9e11
    expected = (-g * np.cross(m, field) - a * g * np.cross(m, np.cross(m, field)) + tau + a * np.cross(m, tau)) / (1 + a ** 2)
    found = RightHandSide(spins)(0.0, m)
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    np.testing.assert_allclose(np.sum(found * m, axis=-1), 0, atol=1e-13 * np.abs(expected).max())  # tangent
    # off the sphere the equation is that of m / |m|
    np.testing.assert_allclose(RightHandSide(spins)(0.0, 3 * m), found, rtol=1e-14, atol=1e-14 * np.abs(found).max())


# ------------------------------------------------------------------ 9e check 1: alpha = 0, J = 0
def test_undamped_precession_conserves_energy_at_the_kittel_frequency(clean_valve, backend):
    applied = 0.05  # T, along the in-plane easy axis z
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.0, K_u=K_U, easy_axis=(0, 0, 1),
                       field=(0, 0, applied), current=0)
    b0 = applied + 2 * K_U / MS
    kittel = GAMMA_ELECTRON / (2 * math.pi) * math.sqrt(b0 * (b0 + MU0 * MS))  # 8.25 GHz
    period = 1 / kittel
    run = simulate(clean_valve, spins, duration=20 * period, save_every=period / 200, rtol=1e-10, atol=1e-12,
                   initial=tilted(1e-3, math.pi / 2), backend=backend)
    m = run.m.sel(layer=PY).values
    np.testing.assert_allclose(np.linalg.norm(m, axis=-1), 1.0, rtol=0, atol=1e-15)
    energies = energy(spins, run.m.values)  # (time,)
    drift = np.abs(energies - energies[0]).max()
    scale = MS * float(clean_valve.layers[PY].thickness) * b0  # the energy's scale, J/m^2
    assert drift <= 1e-9 * scale, drift / scale
    # the period from the upward zero crossings of m_y (linear interpolation between saved points)
    y = m[:, 1]
    time = run.time.values
    rising = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    crossings = time[rising] - y[rising] * (time[rising + 1] - time[rising]) / (y[rising + 1] - y[rising])
    measured = (len(crossings) - 1) / (crossings[-1] - crossings[0])
    assert len(crossings) >= 19
    assert abs(measured / kittel - 1) < 5e-7, (measured, kittel)  # measured 1.1e-7 (amplitude 1e-3 rad, interpolation)


@pytest.mark.parametrize("method, rtol, bound", [("DP5", 1e-9, 2e-8), ("DP5", 1e-10, 2e-9), ("DOP853", 1e-9, 4e-8),
                                                 ("DOP853", 1e-10, 4e-9)])
def test_undamped_large_orbit_conserves_energy_to_the_tolerance(clean_valve, method, rtol, bound, backend):
    """Far from equilibrium (m swings over most of the sphere) E drifts in proportion to rtol (measured over 2 ns,
    of B0 Ms d: DP5 1.0e-8 and 1.0e-9, DOP853 2.1e-8 and 2.0e-9 with half DP5's evaluations): the integrator's
    error, not the equation's."""
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.0, K_u=K_U, easy_axis=(0, 0, 1), field=(0, 0, 0.05),
                       current=0)
    start = np.array([[0.3, math.sin(1.5), math.cos(1.5)]])
    run = simulate(clean_valve, spins, duration=2e-9, save_every=1e-11, rtol=rtol, atol=rtol / 100,
                   initial=start / np.linalg.norm(start), backend=backend, method=method)
    energies = energy(spins, run.m.values)
    scale = MS * float(clean_valve.layers[PY].thickness) * (0.05 + 2 * K_U / MS)
    assert np.abs(energies - energies[0]).max() <= bound * scale
    assert np.ptp(run.m.values[:, 0, 1]) > 1.9  # the orbit is large


# ------------------------------------------------------------------ 9e check 2: alpha > 0, J = 0
@pytest.mark.parametrize("start, minimum", [(0.5, 1.0), (math.pi - 0.5, -1.0)])
def test_damped_motion_lowers_the_energy_to_the_nearest_minimum(clean_valve, start, minimum, backend):
    # no applied field: +z and -z are both minima of the in-plane uniaxial film
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.1, K_u=K_U, easy_axis=(0, 0, 1), current=0)
    run = simulate(clean_valve, spins, duration=4e-9, save_every=2e-12, initial=tilted(start, math.pi / 2),
                   backend=backend)
    m = run.m.sel(layer=PY).values
    energies = energy(spins, run.m.values)
    scale = MS * float(clean_valve.layers[PY].thickness) * 2 * K_U / MS
    assert np.all(np.diff(energies) <= 1e-10 * scale), np.diff(energies).max() / scale
    np.testing.assert_allclose(m[-1], [0, 0, minimum], atol=1e-6)
    assert energies[-1] == pytest.approx(-K_U * float(clean_valve.layers[PY].thickness), rel=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_two_coupled_free_layers_keep_or_lose_energy_as_their_damping_says(clean_valve, alpha, backend):
    """Co and Py both free, coupled antiferromagnetically (J_ex < 0), J = 0: E conserved at alpha = 0 (to the
    integrator's accuracy, 1e-9 of the demagnetizing energy scale measured), never increasing at alpha > 0."""
    spins = Macrospins(clean_valve, free=(0, PY), Ms=[1.4e6, MS], alpha=alpha, K_u=[0.0, K_U], easy_axis=(0, 0, 1),
                       field=(0, 0, 0.02), couplings=[Coupling(0, PY, -5e-4)], current=0)
    start = np.array([[0.0, 0.6, 0.8], [0.1, 0.8, -0.6]])
    run = simulate(clean_valve, spins, duration=2e-9, save_every=1e-11, initial=start, backend=backend)
    energies = energy(spins, run.m.values)
    scale = float(np.sum(0.5 * MU0 * spins.Ms ** 2 * spins.thickness))  # J/m^2
    if alpha == 0:
        assert np.ptp(energies) <= 2e-8 * scale, np.ptp(energies) / scale
        assert np.ptp(run.m.values[:, 1, 1]) > 1.5  # both layers move far
    else:
        assert np.all(np.diff(energies) <= 1e-10 * scale)
        assert energies[0] - energies[-1] > 1e-3 * scale


# ------------------------------------------------------------------ the integrator against scipy's DOP853
def test_defaults_reproduce_dop853_at_rtol_1e_10(clean_valve, backend):
    from scipy.integrate import solve_ivp

    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.02, K_u=K_U, easy_axis=(0, 0, 1),
                       field=(0.002, 0.01, 0.03), current=-2e11)
    initial = tilted(2.0, 0.8)
    run = simulate(clean_valve, spins, duration=2e-9, save_every=1e-11, initial=initial, backend=backend)
    rhs = RightHandSide(spins)
    reference = solve_ivp(lambda t, y: rhs(t, y.reshape(1, 3)).reshape(-1), (0.0, 2e-9), initial.reshape(-1),
                          method="DOP853", rtol=1e-10, atol=1e-12, t_eval=run.time.values)
    assert reference.success
    expected = reference.y.T / np.linalg.norm(reference.y.T, axis=-1, keepdims=True)
    found = run.m.sel(layer=PY).values
    assert np.abs(found - expected).max() < 1e-6, np.abs(found - expected).max()
    # the run did move: the torque and the field turned m by far more than the tolerance
    assert np.abs(found[-1] - found[0]).max() > 0.1


# ------------------------------------------------------------------ the sign rule of 9a
@pytest.mark.parametrize("current, toward", [(-1e11, 1.0), (1e11, -1.0)])
def test_electrons_from_f1_into_f2_turn_m2_toward_m1(valve, current, toward):
    """J < 0 (electrons flow from Co into Py, j0 > 0) with g2 > 0 turns m2 toward m1; J > 0 away from it."""
    prepared = ss.finalize(valve)
    assert prepared.efficiency(90.0).g2 > 0
    # in the film plane, no applied field or anisotropy: the torque alone moves m (the demag field is 0 there)
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.0, current=current)
    m2 = np.array([[0.0, 1.0, 0.0]])
    m1 = np.array([0.0, 0.0, 1.0])  # the Co layer, fixed
    rate = RightHandSide(spins)(0.0, m2)[0]
    assert toward * (rate @ m1) > 0
    run = simulate(valve, spins, duration=2e-11, save_every=1e-11, initial=m2)
    cosine = run.m.sel(layer=PY).values @ m1
    assert toward * (cosine[-1] - cosine[0]) > 1e-4
    assert np.all(np.diff(run.resistance_area.values) * toward < 0)  # toward parallel: R falls


# ------------------------------------------------------------------ ensembles and drives
def test_an_ensemble_member_follows_its_own_run(clean_valve):
    fields = np.array([[0.0, 0.0, 0.01], [0.0, 0.0, 0.2]])  # precession ~20x faster in the second
    batch = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, field=fields, current=-1e11)
    run = simulate(clean_valve, batch, duration=3e-10, save_every=5e-11, initial=tilted(1.0, 0.3))
    assert run.m.dims == ("time", "member_0", "layer", "component")
    for k in range(2):
        alone = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, field=fields[k], current=-1e11)
        single = simulate(clean_valve, alone, duration=3e-10, save_every=5e-11, initial=tilted(1.0, 0.3))
        np.testing.assert_allclose(run.m.values[:, k], single.m.values, rtol=0, atol=1e-12)
        np.testing.assert_allclose(run.resistance_area.values[:, k], single.resistance_area.values, rtol=1e-12)


def test_a_waveform_drive_is_interpolated_and_saved(clean_valve):
    pulse = [(0.0, 0.0), (1e-10, -3e11), (2e-10, -3e11), (2.5e-10, 0.0)]
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, current=pulse)
    np.testing.assert_allclose(spins.current_at([-1.0, 5e-11, 1.5e-10, 2.25e-10, 1.0]),
                               [0.0, -1.5e11, -3e11, -1.5e11, 0.0], rtol=1e-15)
    run = simulate(clean_valve, spins, duration=3e-10, save_every=5e-11, initial=tilted(1.0, 0.3))
    np.testing.assert_allclose(run.current.values, [0, -1.5e11, -3e11, -3e11, -3e11, 0, 0], rtol=1e-15)
    assert run.current.attrs["units"] == "A/m^2" and run.resistance_area.attrs["units"] == "Ohm m^2"
    m = run.m.sel(layer=PY).values
    assert np.abs(m[-1] - m[0]).max() > 1e-3
    # a waveform flat at J is the constant drive J, step for step
    flat = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, current=[(0.0, -3e11), (1e-9, -3e11)])
    constant = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, current=-3e11)
    runs = [simulate(clean_valve, spins, duration=1e-10, save_every=2e-11, initial=tilted(1.0, 0.3))
            for spins in (flat, constant)]
    np.testing.assert_allclose(runs[0].m.values, runs[1].m.values, rtol=0, atol=1e-13)  # J(t) to one ulp


@pytest.mark.parametrize("backend_name", ["python", "compiled"])
def test_a_pulse_whose_corners_fall_on_saved_times(clean_valve, backend_name):
    """Corners at multiples of save_every (1e-9 = 100 x 1e-11 up to round-off) before the end: the corner and the
    save are one stop (they were two, 1e-25 s apart, and the run was refused as too stiff)."""
    if backend_name == "compiled":
        from spinstack.macrospin import compiled

        if not compiled.AVAILABLE:
            pytest.skip("numba is not installed")
    spins = Macrospins(clean_valve, free=PY, Ms=MS, alpha=0.01, K_u=K_U, easy_axis=(0, 0, 1),
                       current=[(0.0, 0.0), (1e-10, -1.5e11), (3e-10, -1.5e11), (4e-10, 0.0)])
    run = simulate(clean_valve, spins, duration=6e-10, save_every=1e-11, initial=tilted(0.5), backend=backend_name)
    assert run.attrs["backend"] == backend_name
    np.testing.assert_allclose(run.current.values[[5, 10, 30, 35, 40, 60]], [-7.5e10, -1.5e11, -1.5e11, -7.5e10, 0, 0],
                               rtol=1e-9, atol=1e-3)
    assert np.abs(run.m.values[40] - run.m.values[10]).max() > 1e-3


# ------------------------------------------------------------------ bad input
def test_bad_input_is_refused_by_name(valve):
    magnet = ss.Ferromagnet("F", 1.0, 0.5, 2.0)
    reduced = ss.Stack([ss.Layer(magnet, 1.0, [0, 0, 1]), ss.Layer(ss.Normal("N", 1.0, 10.0), 1.0),
                        ss.Layer(magnet, 1.0, [0, 1, 0])])
    with pytest.raises(ss.SpinstackError, match="dynamics needs an SI stack"):
        Macrospins(reduced, free=2, Ms=MS, alpha=0.01)
    cases = [
        (dict(free=1), r"^free: layer 1 is not an F layer"),
        (dict(Ms=0.0), r"^Ms: must be > 0"),
        (dict(alpha=-0.1), r"^alpha: must be >= 0"),
        # an absurd damping overflowed the solve ("overflow encountered in det") without naming the key
        (dict(alpha=[[0.01], [1e100]]), r"^alpha: must be at most 1000 \(Gilbert damping: .*\), got 1e\+100$"),
        (dict(K_u=1e4), r"^easy_axis: is needed where K_u != 0"),
        (dict(demag=(0.5, 0.2, 0.2)), r"^demag: must sum to 1"),
        (dict(demag=(1.2, -0.1, -0.1)), r"^demag: must be non-negative"),
        (dict(couplings=[(0, 1, 1e-3)]), r"^couplings\[0\]\.b: must name an F layer"),
        (dict(current=[(0.0, 1e11), (2e-9, 0.0), (1e-9, 0.0)]), r"^current: the waveform's times must increase"),
        (dict(field=(0.0, 1.0)), r"^field: must be a 3-vector"),
    ]
    for change, message in cases:
        keywords = dict(free=PY, Ms=MS, alpha=0.01)
        keywords.update(change)
        with pytest.raises(ss.StackError, match=message):
            Macrospins(valve, **keywords)
    spins = Macrospins(valve, free=PY, Ms=MS, alpha=0.01, field=(0, 0, 0.1))
    with pytest.raises(ss.SpinstackError, match="duration must be a finite number > 0"):
        simulate(valve, spins, duration=0.0, save_every=1e-12)
    with pytest.raises(ss.SpinstackError, match=r"needs about .* integration steps per member"):
        simulate(valve, spins, duration=1e-3, save_every=1e-9)


def test_a_field_driven_stack_moves_under_its_own_spin_orbit_torque():
    """Pt/Co with open ends (MODEL.md 8): no CPP current; the in-plane drive of the stack is the drive, constant."""
    stack = ss.load_stack(ROOT / "examples" / "pt-co-sot.toml")
    spins = Macrospins(stack, free=1, Ms=1.4e6, alpha=0.1, K_u=1e6, easy_axis=(1, 0, 0))
    rhs = RightHandSide(spins)
    m = np.array([[0.6, 0.0, 0.8]])
    exact = ss.finalize(stack).torques(spins.all_magnetizations(m))[..., [1], :]  # (n_free = 1, 3)
    np.testing.assert_array_equal(rhs.torque(0.0, m), exact)
    assert np.abs(exact).max() > 0
    run = simulate(stack, spins, duration=1e-10, save_every=5e-11)
    assert np.isnan(run.resistance_area.values).all()  # open ends: no CPP resistance-area
    assert np.abs(run.m.values[-1] - run.m.values[0]).max() > 1e-3
    with pytest.raises(ss.SpinstackError, match="driven by its in-plane field alone"):
        RightHandSide(Macrospins(stack, free=1, Ms=1.4e6, alpha=0.1, current=1e11))
