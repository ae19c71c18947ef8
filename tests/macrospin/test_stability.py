"""Critical currents by linear stability (MODEL.md 9d) against closed forms and independent routes.

The damping-like and field-like coefficients a(0), b(0), a(pi), b(pi) are taken here from the efficiency
functions (``PreparedStack.efficiency``, seed eq. 1: T2 = j0 [g2 m2 x (m1 x m2) + g2_field m2 x m1]), a route
the module under test does not use; the 2 x 2 linearisation is checked against central differences of the
integrator's own right-hand side, and the thresholds against simulation (9e check 3).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack import units
from spinstack.errors import SpinstackError, StackError
from spinstack.macrospin.spec import MU0, Macrospins
from spinstack.macrospin.stability import critical_currents, linearisations, thresholds, torque_slope
from spinstack.model.paths import with_parameter

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "co-cu-py.toml"
FREE = 2  # Py
MS, ALPHA, GAMMA = 8e5, 0.01, 1.76085963023e11
THICKNESS = 4e-9  # Py in the example


def valve(tmp_path: Path, imaginary_mixing: float = 0.0, free_direction: str = "[0, 0, 1]") -> spinstack.Stack:
    """The example Co/Cu/Py valve with Py along m_ref = +z (in the film plane: the normal is x) and
    Im G_mix (Ohm^-1 m^-2) on every interface."""
    text = EXAMPLE.read_text()
    text = text.replace("magnetization = { theta = 90, phi = 0 }", f"magnetization = {free_direction}")
    text = text.replace('"0 Ohm^-1*m^-2"', f'"{imaginary_mixing:g} Ohm^-1*m^-2"')
    path = tmp_path / f"valve-{imaginary_mixing:g}.toml"
    path.write_text(text)
    return spinstack.load_stack(path)


def coefficients(stack: spinstack.Stack) -> dict[str, float]:
    """a(0), b(0), a(pi), b(pi) per unit J (J/m^2 per A/m^2) from the efficiency limits (m_ref = m1 = Co)."""
    found = spinstack.finalize(stack).efficiency([0.0, 180.0])
    per_current = float(units.report(1.0, "torque") / units.report(1.0, "current"))
    a = per_current * np.asarray(found.g2)
    b = per_current * np.asarray(found.g2_field)
    return {"a0": float(a[0]), "b0": float(b[0]), "api": float(a[1]), "bpi": float(b[1])}


def sun_katine(stack: spinstack.Stack, field: float, anisotropy_field: float, thickness: float = THICKNESS
               ) -> dict[str, float]:
    """The closed form of MODEL.md 9d (in-plane film, u and B_app along m_ref): J_c of P and AP, A/m^2."""
    c = coefficients(stack)
    moment = MS * thickness
    return {"P": -ALPHA * moment * (field + anisotropy_field + MU0 * MS / 2) / (c["a0"] - ALPHA * c["b0"]),
            "AP": ALPHA * moment * (-field + anisotropy_field + MU0 * MS / 2) / (c["api"] - ALPHA * c["bpi"])}


def spins(stack: spinstack.Stack, field: float = 0.004, K_u: float = 2e4, **changes) -> Macrospins:
    values = dict(free=FREE, Ms=MS, alpha=ALPHA, gamma=GAMMA, K_u=K_u, easy_axis=(0, 0, 1), field=(0, 0, field))
    values.update(changes)
    return Macrospins(stack, **values)


# ------------------------------------------------------------------ the torque's slope
def test_torque_slope_is_the_damping_and_field_like_coefficients_at_0_and_pi(tmp_path):
    """At m0 = s m_ref the slope is s (-a 1 - b R) (R: delta -> m0 x delta), a, b from the efficiency limits."""
    stack = valve(tmp_path, 3e14)
    c = coefficients(stack)
    assert abs(c["b0"]) > 0.05 * abs(c["a0"])  # a real field-like part, so b's place in the matrix is tested
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])
    for sign, a, b in ((1.0, c["a0"], c["b0"]), (-1.0, c["api"], c["bpi"])):
        torque, slope = torque_slope(stack, FREE, (0, 0, sign))
        expected = sign * (-a * np.eye(2) - b * turn)
        assert np.abs(slope - expected).max() <= 1e-12 * np.abs(expected).max()
        assert np.abs(torque).max() <= 1e-12 * np.abs(expected).max()  # collinear: no torque


def test_torque_slope_against_central_differences_of_the_prepared_torques(tmp_path):
    """At a generic (non-collinear) m0 the complex-step slope agrees with central differences of
    ``finalize(stack).torques`` to their truncation and round-off (step 1e-5: ~1e-10 each, measured 2e-10)."""
    stack = valve(tmp_path, 3e14)
    prepared = spinstack.finalize(stack)
    m0 = np.array([0.3, -0.5, 0.6])
    m0 /= np.linalg.norm(m0)
    basis = np.array([np.cross(m0, (1.0, 0, 0)), np.zeros(3)])
    basis[0] /= np.linalg.norm(basis[0])
    basis[1] = np.cross(m0, basis[0])
    torque, slope = torque_slope(stack, FREE, m0, basis)
    fixed = np.asarray(stack.layers[0].magnetization, dtype=float)

    def torque_at(m):
        return prepared.torques(np.stack([fixed, m / np.linalg.norm(m)]), current=1.0)[FREE]

    step = 1e-5
    numeric = np.array([[e_j @ (torque_at(m0 + step * e_k) - torque_at(m0 - step * e_k)) / (2 * step)
                         for e_k in basis] for e_j in basis])
    assert np.abs(torque - torque_at(m0)).max() <= 1e-12 * np.abs(torque).max()
    assert np.abs(slope - numeric).max() <= 1e-9 * np.abs(numeric).max()


def test_an_f_lead_touching_the_free_layer_turns_with_it(tmp_path):
    """A Py right lead (antiparallel to Py) follows the free layer, keeping its sign, as in ``finalize().torques``."""
    text = EXAMPLE.read_text().replace("magnetization = { theta = 90, phi = 0 }", "magnetization = [0, 0, 1]")
    text = text[:text.index("[right]")] + '[right]\nkind = "lead"\nmaterial = "Py"\nmagnetization = [0, 0, -1]\n\n' \
        + text[text.index("# Interfaces"):text.index("[[interfaces]]\nnode = 3")]
    path = tmp_path / "py-lead.toml"
    path.write_text(text)
    stack = spinstack.load_stack(path)
    prepared = spinstack.finalize(stack)
    m0 = np.array([0.3, -0.5, 0.6]) / np.linalg.norm([0.3, -0.5, 0.6])
    basis = np.array([np.cross(m0, (1.0, 0, 0)), np.zeros(3)])
    basis[0] /= np.linalg.norm(basis[0])
    basis[1] = np.cross(m0, basis[0])
    torque, slope = torque_slope(stack, FREE, m0, basis)

    def torque_at(m):
        return prepared.torques(np.stack([(0.0, 0.0, 1.0), m / np.linalg.norm(m)]), current=1.0)[FREE]

    step = 1e-5
    numeric = np.array([[e_j @ (torque_at(m0 + step * e_k) - torque_at(m0 - step * e_k)) / (2 * step)
                         for e_k in basis] for e_j in basis])
    assert np.abs(torque - torque_at(m0)).max() <= 1e-12 * np.abs(torque).max()
    assert np.abs(slope - numeric).max() <= 1e-9 * np.abs(numeric).max()


# ------------------------------------------------------------------ the linearisation
@pytest.mark.parametrize("state", ["P", "AP"])
def test_linearisation_is_the_jacobian_of_the_integrators_right_hand_side(tmp_path, state):
    """A(J) against central differences of MODEL.md 9a as the integrator evaluates it (RightHandSide), in a
    general geometry: field-like torque, demagnetizing factors not a thin film's, anisotropy, damping 0.1."""
    from spinstack.macrospin.integrate import RightHandSide

    stack = valve(tmp_path, 3e14)
    current = 4e11
    macrospins = spins(stack, alpha=0.1, demag=(0.7, 0.2, 0.1), current=current)
    linear = linearisations(stack, macrospins)[FREE][state]
    rhs = RightHandSide(macrospins)
    m0, basis = linear.m0, linear.basis
    step = 1e-7  # truncation ~step^2 relative (measured 1e-14); dm/dt = 0 at m0, so round-off is ~eps

    def derivative(m):
        return rhs(0.0, m[None, :])[0]

    numeric = np.array([[e_j @ (derivative(m0 + step * e_k) - derivative(m0 - step * e_k)) / (2 * step)
                         for e_k in basis] for e_j in basis])
    exact = linear.matrix(current)
    assert np.abs(exact - numeric).max() <= 1e-12 * np.abs(exact).max()
    assert np.abs(derivative(m0)).max() <= 1e-9 * np.abs(exact).max()  # an equilibrium: dm/dt = 0 at m0


# ------------------------------------------------------------------ the thresholds
@pytest.mark.parametrize("imaginary_mixing", [0.0, 3e14])
def test_in_plane_film_matches_sun_katine(tmp_path, imaginary_mixing):
    """N = (1,0,0), u and B_app along m_ref in the plane, both states stable without current: the threshold
    is the Hopf one, equal to the closed form of MODEL.md 9d (Sun 2000, Katine 2000)."""
    stack = valve(tmp_path, imaginary_mixing)
    field, K_u = 0.004, 2e4
    found = thresholds(stack, spins(stack, field, K_u))[FREE]
    closed = sun_katine(stack, field, 2 * K_u / MS)
    for state in ("P", "AP"):
        assert found[state].stable_at_zero
        assert found[state].kind == "hopf"
        assert found[state].current == pytest.approx(closed[state], rel=1e-12)
    # 9a's sign: g2 > 0, so electrons from Co into Py (J < 0) stabilise P: P goes at J > 0, AP at J < 0
    assert closed["P"] > 0 > closed["AP"]
    assert critical_currents(stack, spins(stack, field, K_u)) == {FREE: {s: found[s].current for s in ("P", "AP")}}


@pytest.mark.parametrize("imaginary_mixing", [0.0, 3e14])
def test_undamped_threshold_is_the_zero_limit_of_the_closed_form(tmp_path, imaginary_mixing):
    """alpha = 0: P and AP are centres at J = 0 (trace 0) and any current of one polarity destabilises them.
    J_c is the alpha -> 0 limit of MODEL.md 9d's closed form, 0 approached from the destabilising side: signed
    zero, not None (None: no current changes the stability).  The closed form at small alpha is proportional to
    alpha with that sign; the code at those alphas follows it, and at alpha = 0 gives copysign(0, sign)."""
    stack = valve(tmp_path, imaginary_mixing)
    field, K_u = 0.004, 2e4
    c = coefficients(stack)
    moment = MS * THICKNESS

    def closed(alpha):
        return {"P": -alpha * moment * (field + 2 * K_u / MS + MU0 * MS / 2) / (c["a0"] - alpha * c["b0"]),
                "AP": alpha * moment * (-field + 2 * K_u / MS + MU0 * MS / 2) / (c["api"] - alpha * c["bpi"])}

    for alpha in (1e-4, 1e-7):
        found = critical_currents(stack, spins(stack, field, K_u, alpha=alpha))[FREE]
        for state in ("P", "AP"):
            assert found[state] == pytest.approx(closed(alpha)[state], rel=1e-9)
    limit = {state: math.copysign(1.0, closed(1e-12)[state]) for state in ("P", "AP")}
    assert limit == {"P": 1.0, "AP": -1.0}  # g2 > 0: J > 0 destabilises P, J < 0 AP (9a's sign)
    undamped = thresholds(stack, spins(stack, field, K_u, alpha=0.0))[FREE]
    for state in ("P", "AP"):
        current = undamped[state].current
        assert current == 0.0 and math.copysign(1.0, current) == limit[state]
        assert undamped[state].kind == "hopf" and not undamped[state].stable_at_zero
        linear = undamped[state].linearisation
        assert np.trace(linear.matrix(0.0)) == 0.0  # a centre: no damping, no current
        for size in (1e3, 1e9):  # any current of the destabilising polarity, however small, destabilises it
            assert not linear.stable(limit[state] * size) and linear.stable(-limit[state] * size)
    assert critical_currents(stack, spins(stack, field, K_u, alpha=0.0))[FREE] == {"P": 0.0, "AP": -0.0}


@pytest.mark.slow
def test_undamped_tilt_grows_at_any_current_of_the_destabilising_polarity(tmp_path):
    """alpha = 0, a small J of the destabilising polarity of P (J_c(P) = +0.0): a 1-degree tilt grows at the
    linear rate Re(lambda) = J tr(torque part) / 2 (> 0); the opposite polarity makes it decay at the same rate."""
    from spinstack.macrospin.integrate import simulate

    stack = valve(tmp_path)
    found = thresholds(stack, spins(stack, alpha=0.0))[FREE]["P"]
    assert found.current == 0.0 and math.copysign(1.0, found.current) == 1.0
    current = 2e10  # 4 % of the damped example's J_c(P): small
    rates = [np.linalg.eigvals(found.linearisation.matrix(sign * current)).real.max() for sign in (1.0, -1.0)]
    assert rates[0] == pytest.approx(-rates[1], rel=1e-9) and rates[0] > 0
    duration = 2.0 / rates[0]
    tilt = math.radians(1.0)
    m_start = np.array([0.0, math.sin(tilt), math.cos(tilt)])
    run = simulate(stack, spins(stack, alpha=0.0, current=[current, -current]), duration, duration / 1000,
                   initial=np.broadcast_to(m_start, (2, 1, 3)))
    m = np.asarray(run.m.transpose("time", ..., "layer", "component"))[:, :, 0, :]
    time = np.asarray(run.time)
    angle = np.arccos(np.clip(m[..., 2], -1, 1))
    assert angle[-100:, 0].max() > 3 * tilt and angle[-100:, 1].max() < 0.3 * tilt  # grows / decays (e^+-2)
    for member, rate in enumerate(rates):
        envelope = angle[:, member] / (tilt * np.exp(rate * time))
        for quarter in np.array_split(np.arange(len(time)), 4)[:2]:
            assert envelope[quarter].max() == pytest.approx(1.0, abs=0.05)


def test_wavy_torque_destabilises_both_states_for_one_polarity():
    """examples/wavy-torque.toml: g2 < 0 near theta = 0 (g2 > 0 at pi), so J < 0 destabilises P *and* AP, at
    zero field (MODEL.md 9d; Gmitra & Barnas 2006, Boulle et al. 2007): the zero-field oscillator's window."""
    stack = spinstack.load_stack(EXAMPLE.parent / "wavy-torque.toml")
    g2 = spinstack.finalize(stack).efficiency([0.0, 180.0]).g2
    assert g2[0] < 0 < g2[1]
    K_u = 2e3
    found = thresholds(stack, spins(stack, field=0.0, K_u=K_u))[FREE]
    closed = sun_katine(stack, 0.0, 2 * K_u / MS, thickness=16e-9)  # Py is 16 nm here
    for state in ("P", "AP"):
        assert found[state].stable_at_zero and found[state].kind == "hopf"
        assert found[state].current == pytest.approx(closed[state], rel=1e-12)
        assert found[state].current < 0


def test_large_field_like_torque_makes_a_saddle_first(tmp_path):
    """Im G_mix = 3e14 on every interface, no anisotropy, 4 mT along m_ref: the field-like torque b beats the
    restoring field and the determinant of the linearisation crosses zero before the trace (MODEL.md 9d).
    Checked against the determinant written out by hand: with K = diag(k1, k2) in the tangent plane,
    p = s (-a + alpha b) J / (Ms d), q = -s (b + alpha a) J / (Ms d),
    det ~ (alpha k1 + p)(alpha k2 + p) + (k1 - q)(k2 - q), trace ~ alpha (k1 + k2) + 2 p."""
    stack = valve(tmp_path, 3e14)
    field = 0.004
    found = thresholds(stack, spins(stack, field, 0.0))[FREE]["P"]
    c = coefficients(stack)
    moment = MS * THICKNESS
    k1, k2 = -(MU0 * MS + field), -field  # out of plane (x), in plane (y); s = +1
    p = (-c["a0"] + ALPHA * c["b0"]) / moment  # per unit J
    q = -(c["b0"] + ALPHA * c["a0"]) / moment
    # det(J) = (alpha k1 + p J)(alpha k2 + p J) + (k1 - q J)(k2 - q J): coefficients of J^2, J, 1
    roots = np.roots([p * p + q * q, ALPHA * p * (k1 + k2) - q * (k1 + k2), ALPHA ** 2 * k1 * k2 + k1 * k2])
    roots = roots[np.isreal(roots)].real
    saddle = roots[np.argmin(np.abs(roots))]
    hopf = -ALPHA * (k1 + k2) / (2 * p)
    assert hopf == pytest.approx(sun_katine(stack, field, 0.0)["P"], rel=1e-12)
    assert abs(saddle) < 0.95 * abs(hopf)  # the saddle comes first, by a margin
    assert found.stable_at_zero and found.kind == "saddle"
    assert found.current == pytest.approx(saddle, rel=1e-12)
    assert found.linearisation.hopf_current() == pytest.approx(hopf, rel=1e-12)


@pytest.mark.parametrize("imaginary_mixing", [0.0, 3e14])
@pytest.mark.parametrize("field, K_u", [(0.004, 2e4), (0.004, 0.0), (-0.004, 2e3), (0.06, 2e4)])
def test_threshold_is_where_the_eigenvalues_change_stability(tmp_path, imaginary_mixing, field, K_u):
    """By the eigenvalues of A(J) themselves (not the trace and determinant): the state's stability is that at
    J = 0 on a fine grid of currents from 0 to 0.999 J_c and the opposite at 1.001 J_c; the cases include
    states unstable without current (AP beyond its switching field), Hopf and saddle thresholds."""
    stack = valve(tmp_path, imaginary_mixing)
    kinds = set()
    for state, found in thresholds(stack, spins(stack, field, K_u))[FREE].items():
        assert found is not None and found.current is not None

        def stable(current):
            return np.linalg.eigvals(found.linearisation.matrix(current)).real.max() < 0

        assert stable(0.0) == found.stable_at_zero
        assert all(stable(j) == found.stable_at_zero for j in np.linspace(0, 0.999, 400) * found.current)
        assert stable(1.001 * found.current) != found.stable_at_zero
        kinds.add((found.kind, found.stable_at_zero))
    if (field, K_u, imaginary_mixing) == (0.004, 0.0, 3e14):
        assert ("saddle", True) in kinds and ("saddle", False) in kinds
    if (field, K_u) == (0.06, 2e4):  # AP beyond its switching field B_K = 50 mT: a saddle without current
        assert ("saddle", False) in kinds


def test_not_an_equilibrium_is_none(tmp_path):
    """B_app or the easy axis off m_ref, or a reference the fixed layer is not collinear with: None."""
    stack = valve(tmp_path)
    tilted_field = Macrospins(stack, free=FREE, Ms=MS, alpha=ALPHA, field=(0, 0.002, 0.004))
    assert critical_currents(stack, tilted_field) == {FREE: {"P": None, "AP": None}}
    tilted_axis = Macrospins(stack, free=FREE, Ms=MS, alpha=ALPHA, K_u=2e4, easy_axis=(0, 1, 1), field=(0, 0, 0.004))
    assert critical_currents(stack, tilted_axis) == {FREE: {"P": None, "AP": None}}
    # m_ref along y: the field is not along it, and Co (along z) exerts a torque there
    plain = Macrospins(stack, free=FREE, Ms=MS, alpha=ALPHA, field=(0, 0.004, 0))
    assert critical_currents(stack, plain, reference=(0, 1, 0)) == {FREE: {"P": None, "AP": None}}
    # the same field along z with the default reference is an equilibrium again
    assert None not in critical_currents(stack, spins(stack)).get(FREE).values()


def test_an_ensemble_is_its_members(tmp_path):
    """Fields and Ms swept together (a (2, 3) ensemble): each member's J_c is that of a single run, NaN where a
    single run gives None (the field off m_ref)."""
    stack = valve(tmp_path, 3e14)
    fields = np.array([[[0, 0, -0.01], [0, 0, 0.004], [0, 0.002, 0.004]]])  # (1, 3, 3)
    Ms = np.array([[[MS]], [[0.5 * MS]]])  # (2, 1, 1): the last axis is the layer
    together = critical_currents(stack, Macrospins(stack, free=FREE, Ms=Ms, alpha=ALPHA, K_u=2e4, easy_axis=(0, 0, 1),
                                                   field=fields))[FREE]
    for i in range(2):
        for j in range(3):
            alone = critical_currents(stack, Macrospins(stack, free=FREE, Ms=Ms[i, 0, 0], alpha=ALPHA, K_u=2e4,
                                                        easy_axis=(0, 0, 1), field=fields[0, j]))[FREE]
            for state in ("P", "AP"):
                assert together[state].shape == (2, 3)
                if alone[state] is None:
                    assert np.isnan(together[state][i, j])
                else:
                    assert together[state][i, j] == pytest.approx(alone[state], rel=1e-12)
    assert np.isnan(together["P"][:, 2]).all() and np.isfinite(together["P"][:, :2]).all()


def test_bad_input_is_refused_clearly(tmp_path):
    stack = valve(tmp_path)
    with pytest.raises(SpinstackError, match="reduced units"):
        torque_slope(spinstack.load_stack(EXAMPLE.parent / "seed-fnf.toml"), 1, (0, 0, 1))
    with pytest.raises(StackError, match="SI stack"):  # Macrospins itself refuses a reduced stack
        Macrospins(spinstack.load_stack(EXAMPLE.parent / "seed-fnf.toml"), free=1, Ms=MS, alpha=ALPHA)
    with pytest.raises(StackError, match="free"):  # no free layer
        Macrospins(stack, free=(), Ms=MS, alpha=ALPHA)
    with pytest.raises(SpinstackError, match="not an F layer"):
        torque_slope(stack, 1, (0, 0, 1))
    # the spacer made Py (no interfaces): the free layer touches an F layer and cannot tilt alone
    text = EXAMPLE.read_text().replace("magnetization = { theta = 90, phi = 0 }", "magnetization = [0, 0, 1]")
    text = text.replace('material = "Cu"                 # the spacer', 'material = "Py"\nmagnetization = [0, 0, 1]')
    (tmp_path / "touching.toml").write_text(text[:text.index("[[interfaces]]")])
    with pytest.raises(SpinstackError, match="touches the F layer 1"):
        torque_slope(spinstack.load_stack(tmp_path / "touching.toml"), 2, (0, 0, 1))
    batched = with_parameter(stack, "layers[1].thickness", [1e-8, 2e-8])
    with pytest.raises(SpinstackError, match="batched"):
        critical_currents(batched, Macrospins(batched, free=FREE, Ms=MS, alpha=ALPHA))
    with pytest.raises(SpinstackError, match="every F layer is free"):
        critical_currents(stack, Macrospins(stack, free=(0, FREE), Ms=MS, alpha=ALPHA))
    with pytest.raises(SpinstackError, match="reference"):
        critical_currents(stack, spins(stack), reference=(0, 0, 0))
    with pytest.raises(SpinstackError, match="Macrospins"):
        critical_currents(stack, {"free": FREE})


# ------------------------------------------------------------------ against simulation (MODEL.md 9e check 3)
@pytest.mark.slow
def test_threshold_against_simulation(tmp_path):
    """At 0.95 J_c a 1-degree in-plane tilt from P decays, at 1.05 J_c it grows, at the linear rate.

    The orbit's envelope divided by tilt exp(Re(lambda) t) (lambda: the eigenvalue of A(J)) stays at 1 within
    5 % while the tilt is small (measured 1.02-1.04: the ellipse's axes are not exactly along the starting
    tilt); the growing member's last quarter, at ~5-7 degrees, grows a little faster than linear.
    """
    from spinstack.macrospin.integrate import simulate

    stack = valve(tmp_path)
    alpha = 0.1  # a faster rate than 0.01: the run is 10 times shorter
    found = thresholds(stack, spins(stack, alpha=alpha))[FREE]["P"]
    assert found.kind == "hopf"
    critical = found.current
    rates = [np.linalg.eigvals(found.linearisation.matrix(f * critical)).real.max() for f in (0.95, 1.05)]
    assert rates[0] < 0 < rates[1]
    duration = 2.0 / min(abs(rate) for rate in rates)  # e^(+-2): ~28 precession periods
    tilt = math.radians(1.0)
    m_start = np.array([0.0, math.sin(tilt), math.cos(tilt)])  # in the plane: the long axis of the orbit
    run = simulate(stack, spins(stack, alpha=alpha, current=[0.95 * critical, 1.05 * critical]), duration,
                   duration / 1000, initial=np.broadcast_to(m_start, (2, 1, 3)))
    m = np.asarray(run.m.transpose("time", ..., "layer", "component"))[:, :, 0, :]  # (time, member, 3)
    time = np.asarray(run.time)
    angle = np.arccos(np.clip(m[..., 2], -1, 1))
    assert angle[-100:, 0].max() < 0.5 * tilt and angle[-100:, 1].max() > 2 * tilt  # decays / grows
    quarters = np.array_split(np.arange(len(time)), 4)
    for member, rate in enumerate(rates):
        envelope = angle[:, member] / (tilt * np.exp(rate * time))
        small = quarters if member == 0 else quarters[:2]  # the growing tilt is small in the first half
        for quarter in small:
            assert envelope[quarter].max() == pytest.approx(1.0, abs=0.05)


# ------------------------------------------------------------------ a fixed F lead as the reference (MODEL.md 9d)
F_LEAD = """
units = "SI"
current = "1e12 A/m^2"
[materials.Co]
type = "ferromagnet"
rho = "60 nOhm*m"
beta = 0.5
l_sf = "50 nm"
[materials.Cu]
type = "normal"
rho = "5 nOhm*m"
l_sf = "500 nm"
[materials.Py]
rho = "150 nOhm*m"
Ms = "800 kA/m"
alpha = 0.01
K_u = "20 kJ/m^3"
easy_axis = [0, 0, 1]
[dynamics]
field = ["0 mT", "0 mT", "FIELD mT"]
[left]
kind = "lead"
material = "Co"
magnetization = LEAD
[[layers]]
material = "Cu"
thickness = "10 nm"
[[layers]]
material = "Py"
thickness = "4 nm"
magnetization = [0, 0.05, 1]
free = true
[right]
kind = "lead"
material = "Cu"
[[interfaces]]
node = 1
pair = "Py/Cu"
G_mix = ["5e14 Ohm^-1*m^-2", "2e14 Ohm^-1*m^-2"]
[[interfaces]]
node = 2
pair = "Py/Cu"
G_mix = ["5e14 Ohm^-1*m^-2", "2e14 Ohm^-1*m^-2"]
"""


def f_lead_valve(tmp_path: Path, lead: str = "[0, 0, 1]", field: float = 4.0) -> spinstack.Stack:
    """Co F lead (fixed, m = ``lead``) / Cu 10 nm / Py 4 nm (free; the constants of ``spins``) / Cu lead, B_app
    = ``field`` mT along z: no fixed F layer at all."""
    path = tmp_path / "f-lead.toml"
    path.write_text(F_LEAD.replace("LEAD", lead).replace("FIELD", f"{field:g}"))
    return spinstack.load_stack(path)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_fixed_f_lead_is_the_reference_and_its_thresholds_are_sun_katines(tmp_path, sign):
    """MODEL.md 9a: F leads keep their m, so the first fixed F (9d's m_ref) is the lead; the thresholds of the
    in-plane film are the closed form with a, b read off the torque's slope at +-m_ref (as above)."""
    from spinstack.macrospin.states import reference_direction

    free, field, K_u = 1, 0.004 * sign, 2e4
    stack = f_lead_valve(tmp_path, f"[0, 0, {sign:g}]", field * 1e3)
    macrospins = spins(stack, field, K_u, free=free)
    np.testing.assert_array_equal(reference_direction(macrospins), [0.0, 0.0, sign])
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])
    ab = {}
    for state, s in (("P", 1.0), ("AP", -1.0)):
        torque, slope = torque_slope(stack, free, (0, 0, s * sign))
        a, b = -s * slope[0, 0], -s * slope[1, 0]
        assert np.abs(slope - s * (-a * np.eye(2) - b * turn)).max() <= 1e-12 * abs(a)  # the lead polarizes
        assert abs(a) > 0 and np.abs(torque).max() <= 1e-12 * abs(a)
        ab[state] = (a, b)
    moment, anisotropy = MS * THICKNESS, 2 * K_u / MS
    closed = {"P": -ALPHA * moment * (abs(field) + anisotropy + MU0 * MS / 2) / (ab["P"][0] - ALPHA * ab["P"][1]),
              "AP": ALPHA * moment * (-abs(field) + anisotropy + MU0 * MS / 2) / (ab["AP"][0] - ALPHA * ab["AP"][1])}
    found = thresholds(stack, macrospins)[free]
    for state in ("P", "AP"):
        assert found[state].kind == "hopf" and found[state].stable_at_zero
        assert found[state].current == pytest.approx(closed[state], rel=1e-12)
    assert closed["P"] * closed["AP"] < 0
    facade = spinstack.critical_currents(stack)[free]  # the Python door, from the file's keys (the same constants)
    for state in ("P", "AP"):
        assert facade[state] == pytest.approx(found[state].current, rel=1e-12)


def test_an_f_lead_touching_the_free_layer_is_no_reference(tmp_path):
    """It turns with the free layer (torque_slope above): with no other fixed F there is nothing to be parallel to."""
    text = F_LEAD.replace("LEAD", "[0, 0, 1]").replace("FIELD", "4")
    text = text.replace('[[layers]]\nmaterial = "Cu"\nthickness = "10 nm"\n', "")
    first = '[[interfaces]]\nnode = 1\npair = "Py/Cu"\nG_mix = ["5e14 Ohm^-1*m^-2", "2e14 Ohm^-1*m^-2"]\n'
    text = text.replace(first, "").replace("node = 2", "node = 1")  # Co | Py at node 0: no library pair
    text = text.replace("magnetization = [0, 0.05, 1]", "magnetization = [0, 0, 1]")  # touching: collinear
    path = tmp_path / "touching.toml"
    path.write_text(text)
    stack = spinstack.load_stack(path)
    with pytest.raises(SpinstackError, match="no fixed F to be parallel to"):
        critical_currents(stack, spins(stack, free=0))
