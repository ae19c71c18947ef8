"""The seed paper's closed forms (MODEL.md 6), reproduced by the general solver.

References: seed eqs. (8), (9) (F/N and N/F contacts), Appendix I eq. (13)-(14)
(node accumulations of N/F1/N/F2/N between reservoirs), Appendix II (g1, g2),
eq. (15) (sign-change thresholds), section 3.2 (l_N -> inf: straight N cord).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spinstack as ss


def seed_closed_form(D1, p1, l1, d1, DN, lN, dN, D2, p2, l2, d2, theta, j0=1.0):
    """Appendix I/II with plain numpy: mu1, mu2 (eq. 14) and g1, g2 (Appendix II)."""
    G = lambda D, l: D / (2 * l)  # noqa: E731
    G_tilde = lambda D, l, d: G(D, l) / np.tanh(d / l)  # noqa: E731
    A1 = G_tilde(D1, l1, d1) + G_tilde(DN, lN, dN)
    A2 = G_tilde(D2, l2, d2) + G_tilde(DN, lN, dN)
    B = G(DN, lN) / np.sinh(dN / lN)
    c = np.cos(theta)
    det = A1 * A2 - B**2 * c**2
    mu1 = j0 * (A2 * p1 - B * c * p2) / det
    mu2 = j0 * (B * c * p1 - A1 * p2) / det
    g1 = B * (A1 * p2 - B * c * p1) / det
    g2 = B * (A2 * p1 - B * c * p2) / det
    return mu1, mu2, g1, g2, A1, A2, B


def seed_stack(D1, p1, l1, d1, DN, lN, dN, D2, p2, l2, d2, theta, j0=1.0, phi=0.0):
    """N/F1/N/F2/N with l -> 0 electrodes (reservoirs); m1 = +z, m2 at polar angle theta (rad)."""
    F1 = ss.Ferromagnet("F1", D1, p1, l1)
    F2 = ss.Ferromagnet("F2", D2, p2, l2)
    N = ss.Normal("N", DN, lN)
    m2 = ss.polar(np.rad2deg(theta), phi)
    layers = [ss.Layer(F1, d1, [0, 0, 1]), ss.Layer(N, dN), ss.Layer(F2, d2, m2)]
    return ss.Stack(layers, current=j0)


def random_seed_parameters(rng, n):
    return dict(
        D1=rng.uniform(0.2, 5, n), p1=rng.uniform(-0.95, 0.95, n), l1=rng.uniform(0.2, 10, n), d1=rng.uniform(0.1, 10, n),
        DN=rng.uniform(0.2, 5, n), lN=rng.uniform(0.2, 20, n), dN=rng.uniform(0.1, 10, n),
        D2=rng.uniform(0.2, 5, n), p2=rng.uniform(-0.95, 0.95, n), l2=rng.uniform(0.2, 10, n), d2=rng.uniform(0.1, 10, n),
        theta=rng.uniform(0, math.pi, n),
    )


def test_fn_contact_eq8(rng):
    # seed eq. (8): p j0 - G_F mu - G_N mu = 0 for semi-infinite F | N
    n = 50
    DF, p, lF, DN, lN, j0 = (rng.uniform(0.1, 5, n), rng.uniform(-0.99, 0.99, n), rng.uniform(0.1, 10, n),
                             rng.uniform(0.1, 5, n), rng.uniform(0.1, 10, n), rng.uniform(-3, 3, n))
    m = ss.polar(rng.uniform(0, 180, n), rng.uniform(0, 360, n))
    F, N = ss.Ferromagnet("F", DF, p, lF), ss.Normal("N", DN, lN)
    solution = ss.solve(ss.Stack([], left=ss.Lead(F, m), right=ss.Lead(N), current=j0))
    expected = p * j0 / (DF / (2 * lF) + DN / (2 * lN))
    np.testing.assert_allclose(solution.accumulation[:, 0, :], expected[:, None] * m, rtol=1e-12, atol=1e-15)


def test_nf_contact_eq9(rng):
    # seed eq. (9): -p j0 - G_F mu - G_N mu = 0 for semi-infinite N | F
    n = 50
    DF, p, lF, DN, lN = (rng.uniform(0.1, 5, n), rng.uniform(-0.99, 0.99, n), rng.uniform(0.1, 10, n),
                         rng.uniform(0.1, 5, n), rng.uniform(0.1, 10, n))
    F, N = ss.Ferromagnet("F", DF, p, lF), ss.Normal("N", DN, lN)
    solution = ss.solve(ss.Stack([], left=ss.Lead(N), right=ss.Lead(F, [1, 0, 0]), current=1.0))
    expected = -p / (DF / (2 * lF) + DN / (2 * lN))
    np.testing.assert_allclose(solution.accumulation[:, 0, 0], expected, rtol=1e-12)


def test_fn_contact_through_finite_layers_matches_eq8(rng):
    # splitting the semi-infinite F and N into finite layers plus leads must not change mu(0)
    F, N = ss.Ferromagnet("F", 1.3, 0.6, 2.0), ss.Normal("N", 2.2, 5.0)
    layers = [ss.Layer(F, 0.7, [0, 1, 0]), ss.Layer(F, 1.1, [0, 1, 0]), ss.Layer(N, 0.4), ss.Layer(N, 3.0)]
    solution = ss.solve(ss.Stack(layers, left=ss.Lead(F, [0, 1, 0]), right=ss.Lead(N)))
    expected = 0.6 / (1.3 / 4.0 + 2.2 / 10.0)
    np.testing.assert_allclose(solution.accumulation[2], [0, expected, 0], rtol=1e-12, atol=1e-15)
    # and the profile is the exp decay of seed section 3.1 on both sides
    x = np.array([-3.0, -1.0, 0.5, 1.8, 2.5, 9.0])
    profile = solution.spin_accumulation(x)[:, 1]
    decay = np.where(x < 1.8, np.exp((x - 1.8) / 2.0), np.exp(-(x - 1.8) / 5.0))
    np.testing.assert_allclose(profile, expected * decay, rtol=1e-12)


def test_seed_eq14_and_appendix_ii_random(rng):
    parameters = random_seed_parameters(rng, 400)
    mu1, mu2, g1, g2, *_ = seed_closed_form(**parameters)
    solution = ss.solve(seed_stack(**parameters))
    m2 = ss.polar(np.rad2deg(parameters["theta"]), 0.0)
    np.testing.assert_allclose(solution.accumulation[:, 1, 2], mu1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(solution.accumulation[:, 2, :], mu2[:, None] * m2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(solution.accumulation[:, [0, 3], :], 0.0, atol=0)
    efficiency = solution.efficiency()
    # near a sign change g is a difference of terms of size B (A |p| + B |p|) / Det, and the torque
    # is the transverse remainder of O(1) spin currents: the absolute error allowed is a few eps
    # of the larger of the two, not of g itself
    _, _, _, _, A1, A2, B = seed_closed_form(**parameters)
    size = 1.0 + B * (A1 + A2 + 2 * B) / (A1 * A2 - B**2 * np.cos(parameters["theta"]) ** 2)
    assert np.all(np.abs(efficiency.g1 - g1) <= 1e-12 * np.abs(g1) + 1e-14 * size)
    assert np.all(np.abs(efficiency.g2 - g2) <= 1e-12 * np.abs(g2) + 1e-14 * size)
    np.testing.assert_allclose(efficiency.g1_field, 0.0, atol=1e-13)
    np.testing.assert_allclose(efficiency.g2_field, 0.0, atol=1e-13)


def test_appendix_ii_torques_are_the_n_spin_current_jumps(rng):
    # Delta j_s1 = B mu2 m1 x (m2 x m1), Delta j_s2 = B mu1 m2 x (m1 x m2) (Appendix II)
    parameters = random_seed_parameters(rng, 100)
    j0 = rng.uniform(-2, 2, 100)
    mu1, mu2, *_, B = seed_closed_form(**parameters, j0=j0)
    solution = ss.solve(seed_stack(**parameters, j0=j0))
    m1 = np.array([0.0, 0.0, 1.0])
    m2 = ss.polar(np.rad2deg(parameters["theta"]), 0.0)
    t1 = -(B * mu2)[:, None] * np.cross(m1, np.cross(m2, m1))
    t2 = -(B * mu1)[:, None] * np.cross(m2, np.cross(m1, m2))
    # the seed's Delta j_s = j_s(F side) - j_s(N side) at F1 and j_s(N2) - j_s(F2) at F2 is the
    # deposit j(x-) - j(x+) at F1's right face, and the negative of it at F2's left face; the
    # transverse parts: torque on F1 = j(F1) - j(N1) = -(transverse j(N1)) ...
    # direct statement of eq. (1): T1 = -j0 g1 m1 x (m2 x m1), T2 = j0 g2 m2 x (m1 x m2)
    _, _, g1, g2, *_ = seed_closed_form(**parameters)
    np.testing.assert_allclose(solution.torque[:, 0, :], -(j0 * g1)[:, None] * np.cross(m1, np.cross(m2, m1)), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(solution.torque[:, 2, :], (j0 * g2)[:, None] * np.cross(m2, np.cross(m1, m2)), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(np.abs(solution.torque[:, 0, :]), np.abs(t1), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(np.abs(solution.torque[:, 2, :]), np.abs(t2), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(solution.torque[:, 1, :], 0.0, atol=0)


def test_efficiency_limits_at_collinear_angles(rng):
    # g_i at theta = 0 and pi are the closed form's values there (continuity, no 0/0)
    parameters = random_seed_parameters(rng, 60)
    for theta in (0.0, math.pi):
        parameters["theta"] = np.full(60, theta)
        *_, g1, g2, _, _, _ = seed_closed_form(**parameters)
        efficiency = ss.solve(seed_stack(**parameters)).efficiency()
        # atol: the closed form itself cancels (A2 p1 - B cos p2) near a sign change
        np.testing.assert_allclose(efficiency.g1, g1, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(efficiency.g2, g2, rtol=1e-12, atol=1e-15)
        assert np.all(efficiency.g1_field == 0) or np.allclose(efficiency.g1_field, 0, atol=1e-12)


@pytest.mark.parametrize("theta", [1e-9, 1e-7, 1e-5, math.pi - 1e-8])
def test_efficiency_near_collinear_angles(rng, theta):
    parameters = random_seed_parameters(rng, 40)
    parameters["theta"] = np.full(40, theta)
    *_, g1, g2, _, _, _ = seed_closed_form(**parameters)
    efficiency = ss.solve(seed_stack(**parameters)).efficiency()
    np.testing.assert_allclose(efficiency.g1, g1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(efficiency.g2, g2, rtol=1e-10, atol=1e-14)


def test_efficiency_is_independent_of_current(rng):
    parameters = random_seed_parameters(rng, 20)
    at_zero = ss.solve(seed_stack(**parameters, j0=0.0))
    at_one = ss.solve(seed_stack(**parameters, j0=1.0))
    assert np.all(at_zero.accumulation == 0)
    for name in ("g1", "g2"):
        np.testing.assert_array_equal(getattr(at_zero.efficiency(), name), getattr(at_one.efficiency(), name))
    np.testing.assert_array_equal(at_zero.resistance_area, at_one.resistance_area)


def test_sign_change_thresholds_eq15(rng):
    # eq. (15), for p1, p2 > 0 (the seed's footnote 2): g2 < 0 iff cos > 0 and p2/p1 > A2/(B cos);
    # g1 < 0 iff cos > 0 and p2/p1 < B cos/A1
    n = 4000
    parameters = random_seed_parameters(rng, n)
    parameters["p1"] = rng.uniform(0.01, 0.99, n)
    parameters["p2"] = rng.uniform(0.01, 0.99, n)
    # make asymmetric cases frequent: thin, weakly relaxing spacer, strongly different layers
    parameters["dN"] = rng.uniform(0.01, 1.0, n)
    parameters["lN"] = rng.uniform(5, 50, n)
    *_, A1, A2, B = seed_closed_form(**parameters)
    efficiency = ss.solve(seed_stack(**parameters)).efficiency()
    c = np.cos(parameters["theta"])
    ratio = parameters["p2"] / parameters["p1"]
    with np.errstate(divide="ignore"):
        g2_negative = (c > 0) & (ratio > A2 / (B * c))
        g1_negative = (c > 0) & (ratio < B * c / A1)
    # keep away from the boundaries, where the sign is decided by round-off
    margin = (np.abs(efficiency.g1) > 1e-9) & (np.abs(efficiency.g2) > 1e-9)
    assert np.array_equal((efficiency.g2 < 0)[margin], g2_negative[margin])
    assert np.array_equal((efficiency.g1 < 0)[margin], g1_negative[margin])
    assert g2_negative.sum() > 50 and g1_negative.sum() > 50  # both regimes are really exercised
    assert not np.any((efficiency.g1 < 0) & (efficiency.g2 < 0))  # never both at once
    assert not np.any(((efficiency.g1 < 0) | (efficiency.g2 < 0)) & (parameters["theta"] >= math.pi / 2))


def test_no_relaxation_in_spacer_gives_straight_cord_and_constant_current(rng):
    # section 3.2: l_N -> inf, the N hodograph of mu_s is a straight segment and j_s is constant there
    F1, F2 = ss.Ferromagnet("F1", 1.0, 0.7, 1.0), ss.Ferromagnet("F2", 2.0, 0.3, 3.0)
    N = ss.Normal("N", 1.5)  # l = inf
    stack = ss.Stack([ss.Layer(F1, 2.0, [0, 0, 1]), ss.Layer(N, 3.0), ss.Layer(F2, 1.0, ss.polar(70, 30))])
    solution = ss.solve(stack)
    x = np.linspace(2.0, 5.0, 31)[:-1]  # x = 5 belongs to F2 (the layer right of the node)
    mu = solution.spin_accumulation(x)
    start, end = solution.accumulation[1], solution.accumulation[2]
    t = (x - 2.0) / 3.0
    np.testing.assert_allclose(mu, (1 - t)[:, None] * start + t[:, None] * end, rtol=1e-13, atol=1e-15)
    current = solution.spin_current(x)
    np.testing.assert_allclose(current, np.broadcast_to(current[0], current.shape), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(current[0], -(1.5 / 2) * (end - start) / 3.0, rtol=1e-13)


def test_nonrelaxing_limit_is_continuous(rng):
    # l_N = 1e12 is indistinguishable from l_N = inf
    parameters = random_seed_parameters(rng, 30)
    parameters["lN"] = np.full(30, np.inf)
    exact = ss.solve(seed_stack(**parameters))
    parameters["lN"] = np.full(30, 1e12)
    near = ss.solve(seed_stack(**parameters))
    np.testing.assert_allclose(exact.accumulation, near.accumulation, rtol=1e-10, atol=1e-14)


def test_negative_polarisation_is_a_reversed_axis(rng):
    # seed footnote 2: p < 0 only reverses the direction of m.  (p2, m2) -> (-p2, -m2) leaves the
    # source p m and the rail unchanged: same accumulations and torques; g2 (even in m2) is
    # unchanged and g1 (odd in m2) flips sign.
    parameters = random_seed_parameters(rng, 50)
    plain = ss.solve(seed_stack(**parameters))
    parameters["p2"] = -parameters["p2"]
    parameters["theta"] = math.pi - parameters["theta"]
    flipped = ss.solve(seed_stack(**parameters, phi=180.0))
    np.testing.assert_allclose(flipped.accumulation, plain.accumulation, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(flipped.torque, plain.torque, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(flipped.efficiency().g2, plain.efficiency().g2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(flipped.efficiency().g1, -plain.efficiency().g1, rtol=1e-12, atol=1e-14)
