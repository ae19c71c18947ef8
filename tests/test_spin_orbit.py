"""In-plane drive, spin Hall torques and SMR (MODEL.md 8a-8d, 8f-8h), each against a closed form,
a limit, a symmetry or a conservation law."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import spinstack as ss
from tests.strategies import full_stacks, numbers

XHAT = np.array([1.0, 0.0, 0.0])


def pt(theta=0.19, D=2.0, l=1.4):
    return ss.Normal("Pt", D, l, theta)


def random_in_plane_field(rng, size=None):
    angle = rng.uniform(0, 2 * np.pi, size)
    magnitude = rng.uniform(0.2, 3.0, size)
    return np.stack([np.zeros_like(angle), magnitude * np.cos(angle), magnitude * np.sin(angle)], axis=-1)


def random_direction(rng, size=None):
    v = rng.normal(size=(() if size is None else (size,)) + (3,))
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def closed_form_mixing(theta, j_in, d, l, D, g_r, g_i):
    """Limit 5 (MODEL.md 8g): tau_DL + i tau_FL = theta |j_in| 2 l g~ tanh(d/2l) / (D + 2 l g~ coth(d/l)), g~ = g_r - i g_i."""
    g = g_r - 1j * g_i
    return theta * j_in * 2 * l * g * np.tanh(d / (2 * l)) / (D + 2 * l * g / np.tanh(d / l))


def decompose(torque, m, sigma):
    """(tau_DL, tau_FL) with torque = tau_DL m x (sigma x m) + tau_FL m x sigma."""
    field = np.cross(m, sigma)
    norm = np.einsum("...i,...i->...", field, field)
    return (np.einsum("...i,...i->...", torque, np.cross(m, np.cross(sigma, m))) / norm,
            np.einsum("...i,...i->...", torque, field) / norm)


# ---------------------------------------------------------------- sign convention
def test_free_platinum_film_sign_sentence():
    """MODEL.md 8b: a free Pt film (open faces, eps = +y) has mu(top) = +(2 l |s| / D) tanh(d / 2l) z, mu(bottom) = -mu(top)."""
    D, l, d, theta = 2.0, 1.4, 3.0, 0.19
    solution = ss.solve(ss.Stack([ss.Layer(pt(theta, D, l), d)], left=ss.Open(), right=ss.Open(), current=0.0,
                                 field=[0.0, 1.0, 0.0]))
    top = 2 * l * (theta * D * 1.0) / D * np.tanh(d / (2 * l))
    np.testing.assert_allclose(solution.accumulation[-1], [0.0, 0.0, top], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(solution.accumulation[0], [0.0, 0.0, -top], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(top, 0.420279, atol=5e-7)  # the number printed in MODEL.md 8b
    np.testing.assert_allclose(solution.sigma_hat, [0.0, 0.0, 1.0])
    # no spin current leaves through an open face
    np.testing.assert_allclose(solution.spin_current_in, 0.0, atol=1e-15)
    np.testing.assert_allclose(solution.spin_current_out, 0.0, atol=1e-15)


# ---------------------------------------------------------------- published numbers (8h)
def reference_stack(**kwargs):
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    return ss.Stack([ss.Layer(pt(), 3.0), ss.Layer(F, 1.5, kwargs.pop("m", [1.0, 0.0, 0.0]))], left=ss.Open(),
                    right=ss.Open(), current=0.0, field=[0.0, 1.0, 0.0], **kwargs)


def test_reference_numbers_transparent():
    # MODEL.md 8h: transparent tau_DL = 0.2920480, tau_FL = 0, smr.long = -0.0126302
    solution = ss.solve(reference_stack())
    damping, field_like = solution.spin_orbit_torque
    assert damping[0] == 0.0 and field_like[0] == 0.0  # the Pt layer
    np.testing.assert_allclose(damping[1], 0.2920480, atol=1e-6)
    np.testing.assert_allclose(field_like[1], 0.0, atol=1e-12)
    np.testing.assert_allclose(solution.smr.longitudinal, -0.0126302, atol=1e-6)


def test_reference_numbers_mixing_conductance_interface():
    # MODEL.md 8h: g_mix = (0.7, 0.2), g_up = g_dn = 0.8: tau_DL = 0.1494896, tau_FL = -0.0204401
    solution = ss.solve(reference_stack(interfaces=[ss.Interface(1, g_up=0.8, g_dn=0.8, g_mix=[0.7, 0.2])]))
    damping, field_like = solution.spin_orbit_torque
    np.testing.assert_allclose([damping[1], field_like[1]], [0.1494896, -0.0204401], atol=1e-6)


@pytest.mark.parametrize("m, long, trans", [([1.0, 0.0, 0.0], -0.0213821, -0.0007159),
                                            ([0.0, 0.6, 0.8], None, 0.0025131)])
def test_reference_numbers_insulator_smr(m, long, trans):
    # MODEL.md 8h: Pt/insulator, g_mix = (0.7, 0.2): smr.long(m = x) = -0.0213821, smr.trans(m = x) = -0.0007159,
    # smr.trans(m = (0, .6, .8)) = 0.0025131
    solution = ss.solve(ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Insulator(m, [0.7, 0.2]), current=0.0,
                                 field=[0.0, 1.0, 0.0]))
    if long is not None:
        np.testing.assert_allclose(solution.smr.longitudinal, long, atol=1e-6)
    np.testing.assert_allclose(solution.smr.transverse, trans, atol=1e-6)


def test_reference_numbers_chen_coefficients():
    # MODEL.md 8h: drho0 = -0.0266177, drho1 = 0.0052356, drho2 = -0.0007159 for Pt (D 2, l 1.4, d 3, theta .19), G = 0.7 + 0.2i
    theta, D, l, d, G = 0.19, 2.0, 1.4, 3.0, 0.7 + 0.2j
    X = 2 * l * G * np.tanh(d / (2 * l)) ** 2 / (D + 2 * l * G / np.tanh(d / l))
    drho0 = -theta**2 * (2 * l / d) * np.tanh(d / (2 * l))
    np.testing.assert_allclose([drho0, theta**2 * l / d * X.real, -theta**2 * l / d * X.imag],
                               [-0.0266177, 0.0052356, -0.0007159], atol=1e-7)
    # the solver: m = sigma_hat leaves drho0 alone (MODEL.md 8g limit 6)
    solution = ss.solve(ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Insulator([0, 0, 1], [0.7, 0.2]),
                                 current=0.0, field=[0.0, 1.0, 0.0]))
    np.testing.assert_allclose(solution.smr.longitudinal, drho0, rtol=1e-12)


# ---------------------------------------------------------------- limits (8g)
@pytest.mark.parametrize("seed", range(5))
def test_limit_4_transparent_heavy_metal_torque(seed):
    """tau_DL = theta |j_in| (1 - sech(d/l)), tau_FL = 0 for every m, HM with an open bottom, full absorption."""
    rng = np.random.default_rng(seed)
    n = 40
    theta, D, l, d = rng.uniform(-0.5, 0.5, n), rng.uniform(0.3, 5, n), rng.uniform(0.2, 5, n), rng.uniform(0.01, 8, n)
    eps = random_in_plane_field(rng, n)
    m = random_direction(rng, n)
    F = ss.Ferromagnet("F", rng.uniform(0.3, 3), rng.uniform(-0.8, 0.8), rng.uniform(0.5, 10))
    right = ss.Open() if seed % 2 else ss.Reservoir()
    stack = ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), d), ss.Layer(F, rng.uniform(0.1, 3), m)],
                     left=ss.Open(), right=right, current=0.0, field=eps)
    solution = ss.solve(stack)
    damping, field_like = solution.spin_orbit_torque
    j_in = D * np.linalg.norm(eps, axis=-1)
    np.testing.assert_allclose(damping[:, 1], theta * j_in * (1 - 1 / np.cosh(d / l)), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(field_like[:, 1], 0.0, atol=1e-12)
    # the torque vector is normal to m and recomposes from the two parts
    sigma = solution.sigma_hat
    torque = solution.torque[:, 1]
    rebuilt = damping[:, 1, None] * np.cross(m, np.cross(sigma, m)) + field_like[:, 1, None] * np.cross(m, sigma)
    np.testing.assert_allclose(torque, rebuilt, atol=1e-12)


@pytest.mark.parametrize("end", ["insulator", "interface"])
@pytest.mark.parametrize("seed", range(4))
def test_limit_5_mixing_conductance_closed_form(seed, end):
    rng = np.random.default_rng(100 + seed)
    n = 30
    theta, D, l, d = rng.uniform(-0.5, 0.5), rng.uniform(0.3, 5), rng.uniform(0.2, 5), rng.uniform(0.05, 8, n)
    g_r, g_i = rng.uniform(0.01, 5, n), rng.uniform(-2, 2, n)
    m = random_direction(rng, n)
    eps = random_in_plane_field(rng, n)
    HM = ss.Normal("HM", D, l, theta)
    g_mix = np.stack([g_r, g_i], axis=-1)
    if end == "insulator":
        stack = ss.Stack([ss.Layer(HM, d)], left=ss.Open(), right=ss.Insulator(m, g_mix), current=0.0, field=eps)
        solution = ss.solve(stack)
        torque = solution.torque_ends["right"]
    else:
        F = ss.Ferromagnet("F", 1.3, 0.5, 4.0)
        stack = ss.Stack([ss.Layer(HM, d), ss.Layer(F, 2.0, m)], left=ss.Open(), right=ss.Open(), current=0.0, field=eps,
                         interfaces=[ss.Interface(1, g_up=0.9, g_dn=0.6, g_mix=g_mix)])
        solution = ss.solve(stack)
        torque = solution.torque[:, 1]
    damping, field_like = decompose(torque, m, solution.sigma_hat)
    expected = closed_form_mixing(theta, D * np.linalg.norm(eps, axis=-1), d, l, D, g_r, g_i)
    np.testing.assert_allclose(damping + 1j * field_like, expected, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("seed", range(4))
def test_limit_6_smr_closed_forms(seed):
    rng = np.random.default_rng(200 + seed)
    n = 30
    theta, D, l, d = rng.uniform(-0.5, 0.5), rng.uniform(0.3, 5), rng.uniform(0.2, 5), rng.uniform(0.05, 8, n)
    G = rng.uniform(0.01, 5, n) + 1j * rng.uniform(-2, 2, n)
    m = random_direction(rng, n)
    eps = random_in_plane_field(rng, n)
    stack = ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), d)], left=ss.Open(),
                     right=ss.Insulator(m, np.stack([G.real, G.imag], axis=-1)), current=0.0, field=eps)
    solution = ss.solve(stack)
    X = 2 * l * G * np.tanh(d / (2 * l)) ** 2 / (D + 2 * l * G / np.tanh(d / l))
    drho0 = -theta**2 * (2 * l / d) * np.tanh(d / (2 * l))
    drho1, drho2 = theta**2 * (l / d) * X.real, -theta**2 * (l / d) * X.imag
    eps_hat = eps / np.linalg.norm(eps, axis=-1, keepdims=True)
    m_eps, m_sigma, m_x = (np.einsum("...i,...i->...", m, v) for v in (eps_hat, solution.sigma_hat, XHAT))
    np.testing.assert_allclose(solution.smr.longitudinal, drho0 + drho1 * (1 - m_sigma**2), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(solution.smr.transverse, drho1 * m_eps * m_sigma + drho2 * m_x, rtol=1e-10, atol=1e-14)
    assert np.all(drho1 > 0)
    # a free film: drho0 only, no transverse signal
    free = ss.solve(ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), d)], left=ss.Open(), right=ss.Open(), current=0.0,
                             field=eps))
    np.testing.assert_allclose(free.smr.longitudinal, drho0, rtol=1e-12)
    np.testing.assert_allclose(free.smr.transverse, 0.0, atol=1e-15)


def sot_stack(rng, theta_SH=None, n=8, field=None, magnetizations=None):
    """Open | HM | F1 | Cu | F2 | insulator, non-coplanar, batch of n."""
    HM = ss.Normal("HM", 2.0, 1.4, rng.uniform(-0.4, 0.4, n) if theta_SH is None else theta_SH)
    Cu = ss.Normal("Cu", 5.0, 20.0, 0.01)
    F1, F2 = ss.Ferromagnet("F1", 1.0, 0.4, 5.0), ss.Ferromagnet("F2", 0.8, -0.3, 3.0)
    m1, m2, m3 = magnetizations if magnetizations is not None else (random_direction(rng, n) for _ in range(3))
    field = random_in_plane_field(rng, n) if field is None else field
    return ss.Stack([ss.Layer(HM, 3.0), ss.Layer(F1, 1.5, m1), ss.Layer(Cu, 2.0), ss.Layer(F2, 1.0, m2)],
                    left=ss.Open(), right=ss.Insulator(m3, [0.7, 0.2], g_s=0.1), current=0.0, field=field)


def test_limit_7_spin_hall_parity():
    """theta_SH -> -theta_SH flips mu, j_s and every torque; the SMR is even."""
    rng = np.random.default_rng(7)
    n = 8
    theta = rng.uniform(0.05, 0.4, n)
    field, magnetizations = random_in_plane_field(rng, n), [random_direction(rng, n) for _ in range(3)]
    plus = ss.solve(sot_stack(np.random.default_rng(1), theta, n, field, magnetizations))
    minus = ss.solve(sot_stack(np.random.default_rng(1), -theta, n, field, magnetizations))
    # the Cu layer's small theta_SH is kept, so flip it too through a stack with every theta negated
    HM = ss.Normal("HM", 2.0, 1.4, -theta)
    stack = sot_stack(np.random.default_rng(1), theta, n, field, magnetizations)
    negated = ss.Stack([ss.Layer(HM, 3.0), stack.layers[1], ss.Layer(ss.Normal("Cu", 5.0, 20.0, -0.01), 2.0), stack.layers[3]],
                       left=stack.left, right=stack.right, current=0.0, field=field)
    minus = ss.solve(negated)
    np.testing.assert_allclose(minus.accumulation, -plus.accumulation, atol=1e-14)
    np.testing.assert_allclose(minus.spin_current_left, -plus.spin_current_left, atol=1e-14)
    np.testing.assert_allclose(minus.torque, -plus.torque, atol=1e-14)
    np.testing.assert_allclose(minus.torque_ends["right"], -plus.torque_ends["right"], atol=1e-14)
    np.testing.assert_allclose(minus.smr.longitudinal, plus.smr.longitudinal, rtol=1e-12)
    np.testing.assert_allclose(minus.smr.transverse, plus.smr.transverse, rtol=1e-12, atol=1e-16)


def test_limit_7_rotation_by_pi_about_the_field_axis():
    """Rotating the stack by pi about the field axis reverses it and maps mu and torques by that rotation."""
    rng = np.random.default_rng(8)
    eps = np.array([0.0, 0.6, 0.8])
    axis = eps / np.linalg.norm(eps)
    R = 2 * np.outer(axis, axis) - np.eye(3)  # rotation by pi about the field axis (x -> -x)
    HM, Cu = ss.Normal("HM", 2.0, 1.4, 0.2), ss.Normal("Cu", 5.0, 20.0, -0.05)
    F1, F2 = ss.Ferromagnet("F1", 1.0, 0.4, 5.0), ss.Ferromagnet("F2", 0.8, -0.3, 3.0)
    m1, m2 = random_direction(rng), random_direction(rng)
    layers = [ss.Layer(HM, 3.0), ss.Layer(F1, 1.5, m1), ss.Layer(Cu, 2.0), ss.Layer(F2, 1.0, m2)]
    forward = ss.solve(ss.Stack(layers, left=ss.Open(), right=ss.Open(), current=0.0, field=eps))
    rotated_layers = [ss.Layer(layer.material, layer.thickness, None if layer.magnetization is None else R @ layer.magnetization)
                      for layer in reversed(layers)]
    backward = ss.solve(ss.Stack(rotated_layers, left=ss.Open(), right=ss.Open(), current=0.0, field=eps))
    np.testing.assert_allclose(backward.accumulation, (R @ forward.accumulation[::-1].T).T, atol=1e-13)
    np.testing.assert_allclose(backward.torque, (R @ forward.torque[::-1].T).T, atol=1e-13)


def test_limit_8_onsager_reciprocity():
    """B(m) = -C(-m) (MODEL.md 8c): the inverse spin Hall current per unit j0 against the spin part of the
    CPP voltage per unit in-plane field, for a reservoir | HM | F | Cu | reservoir stack."""
    rng = np.random.default_rng(9)
    HM, Cu = ss.Normal("HM", 2.0, 1.4, 0.19), ss.Normal("Cu", 5.0, 20.0)
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)

    def stack(m, current, field):
        return ss.Stack([ss.Layer(HM, 3.0), ss.Layer(F, 1.5, m), ss.Layer(Cu, 2.0)], current=current, field=field)

    for _ in range(4):
        m = random_direction(rng)
        cpp = ss.solve(stack(m, 1.0, None))
        mu_a, mu_b = cpp.accumulation[:-1], cpp.accumulation[1:]
        B = -(0.19 * 2.0 / 2) * np.cross(XHAT, mu_b[0] - mu_a[0])  # delta I of the HM layer per unit j0
        C = np.zeros(3)
        for component in (1, 2):
            field = np.zeros(3)
            field[component] = 1.0
            driven = ss.solve(stack(-m, 0.0, field))
            mu = driven.accumulation
            drop = 0.5 * 0.4 * (np.dot(-m, mu[2]) - np.dot(-m, mu[1]))  # (p/2)(m.mu_b - m.mu_a) of F
            C[component] = drop
        np.testing.assert_allclose(B[1:], -C[1:], rtol=1e-10, atol=1e-14)
        assert abs(B[0]) < 1e-15


# ---------------------------------------------------------------- conservation, batching, limit 1
@pytest.mark.parametrize("seed", range(3))
def test_angular_momentum_balance_with_the_spin_hall_source(seed):
    """in - out = sum of deposits + spin-flip loss, per component, to 1e-10 (the source is uniform inside
    each layer, so it enters only through the deposits at its faces)."""
    rng = np.random.default_rng(300 + seed)
    solution = ss.solve(sot_stack(rng))
    balance = solution.spin_current_in - solution.spin_current_out - solution.deposit.sum(-2) - solution.spin_flip_loss.sum(-2)
    np.testing.assert_allclose(balance, 0.0, atol=1e-10)
    # what the insulator takes is what leaves on the right
    m3 = np.broadcast_to(solution.stack.right.magnetization, solution.spin_current_out.shape)
    out = solution.spin_current_out
    np.testing.assert_allclose(solution.torque_ends["right"], out - np.einsum("...i,...i->...", out, m3)[..., None] * m3,
                               atol=1e-15)


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(11)
    stack = sot_stack(rng, n=6)
    batched = ss.solve(stack)
    for i in range(6):
        field = stack.field[i]
        HM = ss.Normal("HM", 2.0, 1.4, stack.layers[0].material.theta_SH[i])
        layers = [ss.Layer(HM, 3.0)] + [ss.Layer(layer.material, layer.thickness,
                                                 None if layer.magnetization is None else layer.magnetization[i])
                                        for layer in stack.layers[1:]]
        right = ss.Insulator(stack.right.magnetization[i], [0.7, 0.2], g_s=0.1)
        single = ss.solve(ss.Stack(layers, left=ss.Open(), right=right, current=0.0, field=field))
        np.testing.assert_allclose(batched.accumulation[i], single.accumulation, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(batched.torque[i], single.torque, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(batched.smr.longitudinal[i], single.smr.longitudinal, rtol=1e-13)


def test_limit_1_no_spin_hall_leaves_results_unchanged():
    """theta_SH = 0, or no field: the CPP results of sections 3a/3b, bit for bit."""
    rng = np.random.default_rng(12)
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.3, 2.0), ss.Normal("N", 3.0, 10.0)
    theta = rng.uniform(0, 180, 20)
    layers = [ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.5, ss.polar(theta))]
    plain = ss.solve(ss.Stack(layers, interfaces=[ss.Interface(1, 2.0, 1.0, g_mix=[1.0, 0.1])]))
    with_field = ss.solve(ss.Stack(layers, field=[0.0, 0.3, -0.2], interfaces=[ss.Interface(1, 2.0, 1.0, g_mix=[1.0, 0.1])]))
    assert with_field.field_driven is None
    for name in ("accumulation", "torque", "resistance_area"):
        np.testing.assert_array_equal(getattr(with_field, name), getattr(plain, name))
    g, h = plain.efficiency(), with_field.efficiency()
    np.testing.assert_array_equal(g.g2, h.g2)


def test_cpp_and_field_drives_superpose():
    """With both drives, every output is the sum of the CPP and the field-driven solutions."""
    HM, F, N = ss.Normal("HM", 2.0, 1.4, 0.19), ss.Ferromagnet("F", 1.0, 0.4, 5.0), ss.Normal("N", 3.0, 10.0)

    def solved(current, field):
        return ss.solve(ss.Stack([ss.Layer(HM, 3.0), ss.Layer(F, 1.5, [0.6, 0.0, 0.8]), ss.Layer(N, 2.0)],
                                 current=current, field=field))

    both, cpp, field = solved(0.7, [0.0, 1.0, 0.5]), solved(0.7, None), solved(0.0, [0.0, 1.0, 0.5])
    np.testing.assert_allclose(both.accumulation, cpp.accumulation + field.accumulation, atol=1e-15)
    np.testing.assert_allclose(both.torque, cpp.torque + field.torque, atol=1e-15)
    x = np.linspace(-0.5, 7.0, 301)
    np.testing.assert_allclose(both.spin_current(x), cpp.spin_current(x) + field.spin_current(x), atol=1e-14)


def test_profiles_carry_the_spin_hall_source():
    """j_s = s - (D/2) dmu/dx in the HM: zero at an open face, and equal to the node currents at the faces."""
    solution = ss.solve(reference_stack())
    x = np.array([0.0, 3.0 - 1e-12, 3.0 + 1e-12, 4.5])
    js = solution.spin_current(x)
    np.testing.assert_allclose(js[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(js[1], solution.spin_current_right[0], atol=1e-9)
    np.testing.assert_allclose(js[3], 0.0, atol=1e-12)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("build, match", [
    (lambda: ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Open(), current=0.0, field=[0.1, 1.0, 0.0]),
     "field: must have no x component"),
    (lambda: ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Open(), current=1.0, field=[0.0, 1.0, 0.0]),
     "current: must be 0"),
    (lambda: ss.Stack([ss.Layer(pt(), 3.0)], right=ss.Insulator(None, [1.0, 0.0])), "magnetization: missing"),
    (lambda: ss.Stack([ss.Layer(pt(), 3.0)], right=ss.Insulator([0, 0, 1], [-1.0, 0.0]), current=0.0), "g_r must be >= 0"),
    (lambda: ss.Ferromagnet("F", 1.0, 0.4, 5.0, l_J=0.0), "materials.F.l_J: must be > 0"),
    (lambda: ss.Ferromagnet("F", 1.0, 0.4, 5.0, D_perp=2.0), "D_perp: only used with l_J or l_phi"),
    (lambda: ss.Stack([ss.Layer(pt(), 3.0)], right=ss.Open(), current=0.0, field=[0, 1, 0],
                      interfaces=[ss.Interface(1, 1.0, 1.0)]), "no interface there"),
])
def test_bad_input(build, match):
    with pytest.raises(ss.StackError, match=match):
        build()


def test_outputs_that_need_a_field_or_a_current_say_so():
    solution = ss.solve(ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Open(), current=0.0, field=[0, 0, 0]))
    with pytest.raises(ss.SpinstackError, match="zero"):
        solution.sigma_hat
    with pytest.raises(ss.SpinstackError, match="resistance-area is not defined"):
        solution.resistance_area
    no_field = ss.solve(ss.Stack([ss.Layer(pt(), 3.0)]))
    with pytest.raises(ss.SpinstackError, match="no in-plane field"):
        no_field.smr


@pytest.mark.parametrize("d", [1e-9, 1e-3, 1.0, 1e3, 1e6])
@pytest.mark.parametrize("l", [1e-9, 1.0, np.inf])
def test_extreme_heavy_metal_thickness_and_length_stay_finite(d, l):
    """Limit 4 over d from 1e-9 to 1e6 and l from 1e-9 to inf: finite, and theta |j_in| (1 - sech(d/l))."""
    HM = ss.Normal("HM", 2.0, l, 0.2)
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    right = ss.Reservoir() if np.isinf(l) else ss.Open()  # l = inf everywhere needs a reservoir somewhere
    stack = ss.Stack([ss.Layer(HM, d), ss.Layer(F, 1.5, [0.6, 0.8, 0.0])], left=ss.Open(), right=right, current=0.0,
                     field=[0.0, 1.0, 0.0])
    solution = ss.solve(stack)
    assert np.isfinite(solution.accumulation).all() and np.isfinite(solution.torque).all()
    damping, field_like = solution.spin_orbit_torque
    X = d / l
    expected = 0.2 * 2.0 * (1 - 1 / np.cosh(X)) if X < 700 else 0.4
    np.testing.assert_allclose(damping[1], expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(field_like[1], 0.0, atol=1e-12)


def test_efficiency_functions_are_refused_without_a_cpp_path():
    """g1, g2 are per unit CPP current: not defined when an end is open (no current crosses it)."""
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.4, 5.0), ss.Ferromagnet("F2", 1.0, 0.4, 5.0), ss.Normal("N", 3.0, 10.0)
    stack = ss.Stack([ss.Layer(pt(), 3.0), ss.Layer(F1, 1.5, [1, 0, 0]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, [0, 0, 1])],
                     left=ss.Open(), right=ss.Open(), current=0.0, field=[0, 1, 0])
    solution = ss.solve(stack)
    assert "no current crosses an open or insulator end" in solution.efficiency_problem
    with pytest.raises(ss.SpinstackError, match="open or insulator end"):
        solution.efficiency()


def test_smr_of_a_bare_contact_is_refused_with_a_reason():
    """Two leads, no layer: no layer carries the in-plane current the SMR is relative to (0/0 before)."""
    contact = ss.Stack([], left=ss.Lead(pt()), right=ss.Lead(ss.Ferromagnet("Co", 1.0, 0.4, 5.0), [1.0, 0.0, 0.0]),
                       current=1.0, field=[0.0, 1.0, 0.0])
    solution = ss.solve(contact)
    assert "no layer carries the in-plane current" in solution.smr_problem
    with pytest.raises(ss.SpinstackError, match="SMR is not defined"):
        solution.smr
    assert ss.solve(ss.Stack([ss.Layer(pt(), 3.0)], left=ss.Open(), right=ss.Open(), current=0.0,
                             field=[0.0, 1.0, 0.0])).smr_problem is None


# ---------------------------------------------------------------- properties over every stack feature
def _drives(stack: ss.Stack) -> list[ss.Stack]:
    """The stack once per nonzero drive: the CPP current alone, the field's y part alone, its z part alone."""
    field = np.asarray(stack.field, dtype=float)
    parts = [dataclasses.replace(stack, field=None)] if np.any(np.asarray(stack.current) != 0) else []
    for component in (1, 2):
        if np.any(field[..., component] != 0):
            alone = np.zeros_like(field)
            alone[..., component] = field[..., component]
            parts.append(dataclasses.replace(stack, current=0.0 * np.asarray(stack.current), field=alone))
    return parts


SPIN_OUTPUTS = ("accumulation", "torque", "deposit", "spin_current_left", "spin_current_right")


def assert_spin_outputs_equal(actual: ss.Solution, expected: dict[str, np.ndarray], *solutions: ss.Solution) -> None:
    """Each of :data:`SPIN_OUTPUTS` of ``actual`` (reduced) equal to ``expected`` to round-off: relative to the
    largest accumulation of ``solutions``, or to the size of the terms a spin current is summed from (torques
    and deposits are differences of spin currents): the face currents, |j0|, D |eps| (the spin Hall source is
    at most that) and D |mu| / min(l, d)."""
    stack = actual.stack
    materials = list(stack.materials.values())
    D = max(float(np.max(material.D)) for material in materials)
    lengths = [float(np.min(material.l)) for material in materials] + \
        [float(np.min(layer.thickness)) for layer in stack.layers]
    mu = max(float(np.abs(solution.accumulation).max()) for solution in solutions)
    flow = max([float(np.abs(getattr(solution, face)).max()) for solution in solutions
                for face in ("spin_current_left", "spin_current_right")]
               + [float(np.abs(stack.current).max()), D * float(np.abs(stack.field).max()), D * mu / min(lengths)])
    for name in SPIN_OUTPUTS:
        scale = mu if name == "accumulation" else flow
        np.testing.assert_allclose(getattr(actual, name), expected[name], rtol=0, atol=1e-12 * scale + 1e-300,
                                   err_msg=name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(in_plane_field=True))
def test_the_drives_superpose_for_every_stack(stack):
    """The transport is linear in its drives (MODEL.md 8a, 9): any stack with an in-plane field (every feature
    of :func:`full_stacks` drawn: interfaces, leads, open and insulator ends, coherent F, SI units, a batch)
    solved with the CPP current and both field components at once equals the sum of its solutions with each
    drive alone."""
    parts = _drives(stack)
    assume(len(parts) > 1)  # one drive alone: nothing to add
    whole = ss.solve(stack).reduced
    alone = [ss.solve(part).reduced for part in parts]
    total = {name: sum(getattr(solution, name) for solution in alone) for name in SPIN_OUTPUTS}
    assert_spin_outputs_equal(whole, total, whole, *alone)


def _turned(stack: ss.Stack, R: np.ndarray) -> ss.Stack:
    """Every magnetization (layers, F leads, insulators) and the field turned by R."""
    def turn(element):
        m = getattr(element, "magnetization", None)
        return element if m is None else dataclasses.replace(element, magnetization=np.asarray(m) @ R.T)

    return dataclasses.replace(stack, layers=[turn(layer) for layer in stack.layers], left=turn(stack.left),
                               right=turn(stack.right), field=np.asarray(stack.field) @ R.T)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(in_plane_field=True, batched=False), angle=numbers(-180.0, 180.0))
def test_turning_the_film_about_its_normal_turns_every_spin(stack, angle):
    """The film is isotropic in its plane: turning every magnetization and the in-plane field by the same angle
    about x (the stack's normal; sigma_hat = x x eps turns with eps) turns mu_s, the spin currents and the
    torques by that rotation, for any stack of :func:`full_stacks`."""
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    R = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    solution, turned = ss.solve(stack).reduced, ss.solve(_turned(stack, R)).reduced
    assert_spin_outputs_equal(turned, {name: getattr(solution, name) @ R.T for name in SPIN_OUTPUTS}, solution)
