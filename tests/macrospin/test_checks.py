"""MODEL.md 9e checks 4 and 6: two free macrospins exchanging angular momentum through the spacer, and the
zero-field oscillator of a wavy-torque stack.

What these tests lean on, and what they do not:

* Check 4 compares the integrator with things the integrator does not compute.  The torques it used are
  recomputed by :func:`spinstack.solve` of a :class:`~spinstack.Stack` rebuilt with the present magnetizations
  and drive (the public static solver, tested on its own against the seed's results; no PreparedStack, no
  Macrospins bookkeeping of which F layer is which).  Their sum is checked against angular-momentum
  conservation written out from the transport solution: the spin current entering from the left lead, minus
  the one leaving into the right lead, minus the spin relaxed to the lattice in every layer (integrated here
  by Gauss-Legendre quadrature of the accumulation profile mu_s(x) with each material's D and l, not by the
  solver's closed-form integral) is what the two magnets absorb.  Along a whole undamped run with no field
  of any kind, the magnets' total moment per area over gamma must then grow by the time integral of that
  budget (a quadrature over static solves at the saved points): a statement about the trajectory that
  only conservation and the static solver predict.
* Check 6 compares the end of a run (final_states) with what linear stability (critical_currents) and the
  efficiency g2 of the static solver predict: both collinear states unstable at zero field for one polarity
  when g2 changes sign (precession), only one when it does not (switching).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack import units
from spinstack.macrospin.integrate import RightHandSide, simulate
from spinstack.macrospin.spec import Macrospins
from spinstack.macrospin.states import final_states
from spinstack.macrospin.stability import critical_currents
from spinstack.model.paths import with_parameter

ROOT = Path(__file__).resolve().parents[2]
CO, SPACER, PY = 0, 1, 2  # stack indices in examples/co-cu-py.toml and examples/wavy-torque.toml
MS_CO, MS_PY = 1.4e6, 8.0e5  # A/m


@pytest.fixture(scope="module")
def valve() -> ss.Stack:
    """examples/co-cu-py.toml: Co 8 nm (m = z) / Cu 10 nm / Py 4 nm (m = x), resistive interfaces, Cu leads."""
    return ss.load_stack(ROOT / "examples" / "co-cu-py.toml")


def rebuilt(stack: ss.Stack, magnetizations: dict[int, np.ndarray], current: float) -> ss.Stack:
    """A new Stack with the given layers' magnetizations and the drive J (A/m^2): built and validated anew."""
    layers = tuple(dataclasses.replace(layer, magnetization=np.asarray(magnetizations[i], dtype=float))
                   if i in magnetizations else layer for i, layer in enumerate(stack.layers))
    return dataclasses.replace(stack, layers=layers, current=float(units.to_reduced(current, "current")))


def relaxed(solution: ss.Solution, points: int = 24) -> np.ndarray:
    """The spin relaxed to the lattice in every layer, (L, 3), model numbers (particle flux per area).

    The integral of D mu_s(x) / (2 l^2) over the layer (MODEL.md 2: in N, dj_s/dx = -(D/2) mu_s'' = -D mu_s / (2 l^2);
    in F the same along m), by Gauss-Legendre quadrature of the profile strictly inside the layer (a resistive
    interface makes mu_s jump at the nodes), with the material's own D and l."""
    stack = solution.stack
    nodes = np.asarray(stack.node_positions, dtype=float)
    abscissae, weights = np.polynomial.legendre.leggauss(points)
    lost = np.zeros((len(stack.layers), 3))
    for index, layer in enumerate(stack.layers):
        left, right = nodes[index], nodes[index + 1]
        x = 0.5 * (left + right) + 0.5 * (right - left) * abscissae
        accumulation = np.asarray(solution.reduced.spin_accumulation(x))  # (points, 3), J
        material = layer.material
        lost[index] = 0.5 * (right - left) * weights @ accumulation * float(material.D) / (2 * float(material.l) ** 2)
    return lost


def spin_budget(solution: ss.Solution) -> np.ndarray:
    """j_s(in) - j_s(out) - the spin relaxed in all layers, (3,), model numbers: what the magnets absorb."""
    model = solution.reduced
    return np.asarray(model.spin_current_in) - np.asarray(model.spin_current_out) - relaxed(solution).sum(axis=0)


# ------------------------------------------------------------------ 9e check 4: both F layers free
def test_two_free_layers_use_the_static_torques_and_conserve_angular_momentum(valve):
    """Co and Py both free (damped, anisotropic, in a field): at every saved point of the run the torques the
    right-hand side uses equal spinstack.solve of the rebuilt stack (1e-12), and their sum is the spin budget of
    the transport solution (in - out - relaxed), so the spacer carries exactly what the two magnets exchange."""
    current = -2e11
    spins = Macrospins(valve, free=(CO, PY), Ms=(MS_CO, MS_PY), alpha=(0.02, 0.01), K_u=(5e4, 2e3),
                       easy_axis=(0, 0, 1), field=(0, 0, 0.01), current=current)
    # Py starts in the film plane (y), 90 degrees from Co (z): no 1-T demagnetizing field to precess about
    run = simulate(valve, spins, duration=1e-9, save_every=1e-10, initial=[[0, 0, 1], [0, 1, 0]])
    rhs = RightHandSide(spins)
    m = run.m.values  # (time, layer, 3)
    assert np.ptp(np.degrees(np.arccos(np.clip(np.sum(m[:, 0] * m[:, 1], axis=-1), -1, 1)))) > 5  # the angle moves
    for present in m:
        used = rhs.torque_at(present, current)  # (2, 3), J/m^2
        solution = ss.solve(rebuilt(valve, {CO: present[0], PY: present[1]}, current))
        static = np.asarray(solution.torque)[[CO, PY]]
        scale = np.abs(static).max()
        np.testing.assert_allclose(used, static, rtol=0, atol=1e-12 * scale)
        # each torque is transverse to its own layer
        np.testing.assert_allclose(np.sum(static * present, axis=-1), 0, atol=1e-13 * scale)
        # conservation, layer by layer: each magnet absorbs the spin current arriving at its faces (the neighbours'
        # side of them, the leads' at the ends) minus what it relaxes inside; the spacer passes on all it does not
        # relax (the angular momentum exchanged between the two magnets through it)
        model = solution.reduced
        lost = relaxed(solution)
        arriving = {CO: np.asarray(model.spin_current_in), PY: np.asarray(model.spin_current_right)[SPACER]}
        leaving = {CO: np.asarray(model.spin_current_left)[SPACER], PY: np.asarray(model.spin_current_out)}
        for row, layer in enumerate((CO, PY)):
            absorbed = units.report(arriving[layer] - leaving[layer] - lost[layer], "torque")  # (hbar/2) flux: J/m^2
            np.testing.assert_allclose(static[row], absorbed, rtol=0, atol=1e-13 * scale)
        through = np.asarray(model.spin_current_left)[SPACER] - np.asarray(model.spin_current_right)[SPACER]
        entering = np.abs(np.asarray(model.spin_current_left)[SPACER]).max()  # through is a difference of two such
        np.testing.assert_allclose(through, lost[SPACER], rtol=0, atol=1e-13 * entering)
        np.testing.assert_allclose(static.sum(axis=0), units.report(spin_budget(solution), "torque"), rtol=0,
                                   atol=1e-13 * scale)


@pytest.mark.parametrize("backend", ["python", "compiled"])
def test_angular_momentum_of_the_two_magnets_grows_by_the_transport_budget(valve, backend):
    """alpha = 0, no applied field, no anisotropy, isotropic demagnetizing factors (its field is along m): the only
    torque is the transport's, so (Ms d / gamma) dm/dt = T on each layer and the total moment per area over gamma,
    sum_i Ms_i d_i m_i / gamma, changes by the time integral of the spin budget in - out - relaxed.  The budget is
    computed from static solves at the saved points (Simpson's rule, 5 ps), nothing from the integrator.  Both
    integrators (numpy right-hand side, compiled loop with its own call of the chain kernel) are held to it."""
    current = 1e11
    gamma = 1.76085963023e11
    spins = Macrospins(valve, free=(CO, PY), Ms=(MS_CO, MS_PY), alpha=0.0, gamma=gamma,
                       demag=(1 / 3, 1 / 3, 1 / 3), current=current)
    step = 5e-12
    run = simulate(valve, spins, duration=1e-9, save_every=step, rtol=1e-10, atol=1e-12, backend=backend)
    m = run.m.values  # (time, layer, 3)
    assert len(m) % 2 == 1  # Simpson's rule needs an even number of intervals
    thickness = np.array([float(valve.layers[i].thickness) for i in (CO, PY)])
    moment = (np.array([MS_CO, MS_PY]) * thickness / gamma)[:, None]  # Ms d / gamma, J s/m^2 per unit m
    gained = np.sum(moment * (m[-1] - m[0]), axis=0)  # (3,), J s/m^2
    budgets = np.array([spin_budget(ss.solve(rebuilt(valve, {CO: present[0], PY: present[1]}, current)))
                        for present in m])
    budgets = units.report(budgets, "torque")  # (time, 3), J/m^2
    simpson = np.ones(len(m))
    simpson[1:-1:2], simpson[2:-1:2] = 4, 2
    delivered = step / 3 * simpson @ budgets
    assert np.linalg.norm(gained) > 0.05 * np.abs(moment).max()  # the magnets turn by several degrees
    # measured 6.0e-13 of |delivered|: Simpson's h^4 error (9.6e-12 at 10 ps); the integrator's at rtol 1e-10 is below it
    np.testing.assert_allclose(gained, delivered, rtol=0, atol=1e-11 * np.linalg.norm(delivered))


# ------------------------------------------------------------------ 9e check 6: the zero-field oscillator
# The free layer of examples/wavy-torque.toml (Py 16 nm; Ms, damping and an in-plane shape anisotropy of a
# pillar, B_K = 2 K_u / Ms = 50 mT along m_ref = +z), no applied field.
OSCILLATOR = dict(free=PY, Ms=MS_PY, alpha=0.01, K_u=2e4, easy_axis=(0, 0, 1))
REFERENCE = np.array([0.0, 0.0, 1.0])  # Co, the fixed layer


def in_plane(degrees: float) -> list[list[float]]:
    """The free layer's start, ``degrees`` from m_ref = +z toward +y, in the film plane (the normal is x)."""
    angle = math.radians(degrees)
    return [[0.0, math.sin(angle), math.cos(angle)]]


@pytest.fixture(scope="module")
def wavy() -> ss.Stack:
    """examples/wavy-torque.toml: Co 2 nm / Cu 10 nm / Py 16 nm; g2 < 0 from 0 to ~38.5 degrees, > 0 above."""
    return ss.load_stack(ROOT / "examples" / "wavy-torque.toml")


@pytest.fixture(scope="module")
def thick_polarizer(wavy) -> ss.Stack:
    """The same stack with a 20 nm Co layer: the stronger polarizer removes g2's sign change (seed, sec. 4 and
    App. II: g2 < 0 needs the asymmetry p2/p1 beyond a threshold)."""
    return with_parameter(wavy, "layers[0].thickness", 20e-9)


def test_the_two_stacks_differ_by_the_sign_change_of_g2(wavy, thick_polarizer):
    angles = np.linspace(0.0, 180.0, 361)
    g2 = np.asarray(ss.finalize(wavy).efficiency(angles).g2)
    changes = angles[np.flatnonzero(np.diff(np.sign(g2)))]
    assert g2[0] < 0 < g2[-1] and len(changes) == 1 and 30 < changes[0] < 45  # one sign change, near 38.5 degrees
    assert np.all(np.asarray(ss.finalize(thick_polarizer).efficiency(angles).g2) > 0)


def test_wavy_torque_stack_precesses_at_zero_field(wavy):
    """Check 6: at zero field both collinear states of the wavy stack are unstable for J < 0 (linear stability,
    MODEL.md 9d; Gmitra & Barnas, PRL 96, 207205 (2006); Boulle et al., Nat. Phys. 3, 492 (2007)).  At J = -7e12 A/m^2,
    beyond both thresholds, a run started near P and one started 30 degrees away end on the same steady orbit (the
    torque vanishes where g2 does, so it pumps the orbit up inside that angle and damps it outside); at -2e12, between
    the thresholds, P is stable and the run started near it rests there."""
    critical = critical_currents(wavy, Macrospins(wavy, **OSCILLATOR))[PY]
    assert critical["P"] < critical["AP"] < 0  # -3.58e12 and -4.43e11 A/m^2: both destabilised by J < 0
    currents = [-7e12, -7e12, -2e12]
    assert currents[0] < critical["P"] < currents[2] < critical["AP"]
    spins = Macrospins(wavy, **OSCILLATOR, current=currents)
    duration = 12e-9
    run = simulate(wavy, spins, duration=duration, save_every=5e-12,
                   initial=np.array([in_plane(5), in_plane(30), in_plane(5)]))
    summary = final_states(run, REFERENCE)
    assert list(summary.state.values[:, 0]) == ["precession", "precession", "P"]
    frequency = summary.frequency.values[:2, 0]
    assert np.all(frequency > 0) and frequency[1] == pytest.approx(frequency[0], rel=1e-3)  # 5.750 GHz both
    assert np.all(np.isnan(summary.switching_time.values[:2, 0]))  # never past 90 degrees from P
    # the orbit over the last half: its per-cycle swing of m_y steady (measured 0.13 % max - min, the 5 ps sampling of
    # a 174 ps period), the same for both starts, and away from both collinear states
    last_half = run.time.values >= duration / 2
    swings = []
    for member in range(2):
        y = run.m.values[last_half, member, 0, 1]
        rising = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
        swing = np.array([np.ptp(y[a:b]) for a, b in zip(rising[:-1], rising[1:])])
        assert len(swing) >= 30 and np.ptp(swing) <= 5e-3 * swing.mean()
        swings.append(swing.mean())
        cosine = run.m.values[last_half, member, 0] @ REFERENCE
        assert cosine.max() < math.cos(math.radians(1)) and cosine.min() > 0  # neither P nor AP, on the P side
    assert swings[1] == pytest.approx(swings[0], rel=1e-3)  # m_y from -0.599 to 0.599: +-36.8 degrees in the plane


def test_the_same_drive_switches_a_stack_without_the_sign_change(thick_polarizer):
    """Check 6, the other half: with g2 > 0 everywhere J < 0 stabilises P at every current (its P threshold is at J > 0)
    and destabilises AP only.  The runs that precess in the wavy stack (J = -7e12 A/m^2, starts 5 and 30 degrees) end
    in P, and from 5 or 10 degrees off AP the stack switches to P (J = -2e12, 5.7 times the AP threshold).  (Far beyond
    the AP threshold, e.g. at -7e12 from some starts near AP, a strong current also holds m in a static state out of
    the film plane, m ~ -x: a third attractor that is neither precession nor switching, left out here.)"""
    critical = critical_currents(thick_polarizer, Macrospins(thick_polarizer, **OSCILLATOR))[PY]
    assert critical["AP"] < 0 < critical["P"]  # -3.50e11 and +9.77e12 A/m^2
    currents = [-7e12, -7e12, -2e12, -2e12]
    spins = Macrospins(thick_polarizer, **OSCILLATOR, current=currents)
    run = simulate(thick_polarizer, spins, duration=5e-9, save_every=5e-12,
                   initial=np.array([in_plane(5), in_plane(30), in_plane(175), in_plane(170)]))
    summary = final_states(run, REFERENCE)
    assert list(summary.state.values[:, 0]) == ["P", "P", "P", "P"]
    switching = summary.switching_time.values[:, 0]
    assert np.all(np.isnan(switching[:2]))
    assert np.all((switching[2:] > 0) & (switching[2:] < 1e-9))  # measured 0.69 ns (175 degrees) and 0.53 ns (170)


# ------------------------------------------------------------------ the dynamics examples do what their comments say
def _examples_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dynamics_examples", ROOT / "examples" / "dynamics_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_switching_and_oscillator_examples_give_their_recorded_numbers():
    """examples/dynamics-switching.toml and dynamics-oscillator.toml (run by examples/dynamics_examples.py, whose own
    asserts check the states): the thresholds, switching time and frequency quoted in the files' comments."""
    script = _examples_script()
    switching = script.switching()
    assert switching["J_c_P"] == pytest.approx(4.584e11, rel=1e-3)
    assert switching["J_c_AP"] == pytest.approx(-8.528e10, rel=1e-3)
    assert switching["switching_time"] == pytest.approx(1.714e-9, abs=1e-12)
    oscillator = script.oscillator()
    assert oscillator["J_c_P"] == pytest.approx(-3.580e12, rel=1e-3)
    assert oscillator["J_c_AP"] == pytest.approx(-4.433e11, rel=1e-3)
    assert oscillator["frequency"] == pytest.approx(5.7504e9, rel=1e-4)


@pytest.mark.slow
def test_the_diagram_example_agrees_with_linear_stability():
    """examples/dynamics-diagram.toml over the 9 x 9 grid its comment records (20 ns runs, one ensemble): the same
    map, and every P / AP / precession end where linear stability allows it (the script's asserts)."""
    states = _examples_script().diagram(np.linspace(-1e12, 3e12, 9), np.linspace(-0.1, 0.3, 9))
    symbols = {"P": "P", "AP": "A", "precession": "~", "static": "s", "undetermined": "?"}
    rows = ["".join(symbols[state] for state in states[:, k]) for k in range(9)]  # one row per field
    assert rows == ["?~AAAAAAA", "?~AAAAAAA", "PPP?AAAAA", "PPP?~~~~A"] + ["PPPP~~~~~"] * 5
