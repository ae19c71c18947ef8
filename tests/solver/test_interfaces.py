"""Resistive interfaces (MODEL.md 3b) against limits and hand calculations."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss

F1 = ss.Ferromagnet("F1", 1.0, 0.5, 2.0)
F2 = ss.Ferromagnet("F2", 1.3, 0.3, 1.5)
N = ss.Normal("N", 3.0, 5.0)


def valve(interfaces=(), theta=60.0, **kw):
    layers = [ss.Layer(N, 0.8), ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(theta, 20)),
              ss.Layer(N, 0.6)]
    return ss.Stack(layers, interfaces=interfaces, **kw)


def test_f_lead_interface_n_lead_by_hand():
    # F lead | interface | N lead: p j0 - G_F mu- = gamma j0 + gI (mu- - mu+) = G_N mu+ (MODEL.md 2, 3b)
    F, lead_N = ss.Ferromagnet("F", 1.2, 0.6, 2.0), ss.Normal("M", 2.0, 4.0)
    g_up, g_dn = 3.0, 1.0
    stack = ss.Stack([], left=ss.Lead(F, [0, 1, 0]), right=ss.Lead(lead_N), current=1.7,
                     interfaces=[ss.Interface(0, g_up, g_dn, [1.0, 0.2])])
    solution = ss.solve(stack)
    G_F, G_N, j0 = 1.2 / 4.0, 2.0 / 8.0, 1.7
    g, gamma = g_up + g_dn, (g_up - g_dn) / (g_up + g_dn)
    gI = g * (1 - gamma**2) / 2
    matrix = np.array([[G_F + gI, -gI], [gI, -(gI + G_N)]])
    minus, plus = np.linalg.solve(matrix, [j0 * (0.6 - gamma), -j0 * gamma])
    np.testing.assert_allclose(solution.accumulation[0], [0, minus, 0], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(solution.accumulation_right[0], [0, plus, 0], rtol=1e-13, atol=1e-16)
    left, right = solution.interface_currents(0)
    np.testing.assert_allclose(left, [0, j0 * gamma + gI * (minus - plus), 0], rtol=1e-13)
    np.testing.assert_allclose(right, left, rtol=1e-13)  # no spin memory loss, collinear: nothing kept
    # resistance: 1/g - gamma (mu- - mu+)/(2 j0) + (p/2) mu- / j0 (F lead on the left), no finite layers
    expected = 1 / g - gamma * (minus - plus) / (2 * j0) + 0.3 * minus / j0
    assert float(solution.resistance_area) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("node", [1, 2, 3, 4])
def test_transparent_limit_error_falls_as_one_over_g(node):
    exact = ss.solve(valve())
    errors = []
    for g in (1e4, 1e5, 1e6):
        mixing = [g, 0.3 * g] if node in (1, 2, 3, 4) else None
        interface = ss.Interface(node, g, g, mixing)
        approximate = ss.solve(valve([interface]))
        error = np.abs(approximate.torque - exact.torque).max() / np.abs(exact.torque).max()
        errors.append(error)
        np.testing.assert_allclose(approximate.accumulation_right, approximate.accumulation, atol=50 / g)
    assert errors[0] < 1e-2
    # each decade in g buys a decade in accuracy (1/g)
    assert errors[1] / errors[0] == pytest.approx(0.1, rel=0.05)
    assert errors[2] / errors[1] == pytest.approx(0.1, rel=0.05)
    # resistance: the interface adds about 1/g, the rest converges as well
    rest = float(approximate.resistance_area) - 1 / (2e6) - float(exact.resistance_area)
    assert abs(rest) < 1e-4


def test_two_current_series_resistor_limit():
    # l_sf -> inf everywhere, reservoirs at both ends: the two spin channels are independent resistors
    # in series (Valet-Fert's collinear limit).  Channel resistances: F d/D_s with D_up,dn = sigma (1 +- p)/2,
    # N 2 d / D, interface 1/g_up, 1/g_dn; the antiparallel state swaps F2's (and its interface's) channels.
    Fa, Fb, Na = ss.Ferromagnet("Fa", 1.0, 0.6), ss.Ferromagnet("Fb", 2.0, 0.35), ss.Normal("Na", 4.0)
    d = [0.7, 1.5, 3.0, 1.1, 0.9]
    up_a, down_a = 5.0, 1.5  # interface at F_a's right face (F/N)
    up_b, down_b = 2.0, 0.8  # interface at F_b's left face (N/F)

    def stack(m2):
        layers = [ss.Layer(Na, d[0]), ss.Layer(Fa, d[1], [0, 0, 1]), ss.Layer(Na, d[2]), ss.Layer(Fb, d[3], m2), ss.Layer(Na, d[4])]
        return ss.Stack(layers, interfaces=[ss.Interface(2, up_a, down_a, [1.0, 0.0]), ss.Interface(3, up_b, down_b, [1.0, 0.0])])

    def channel(F, sign):
        sigma = F.D / (1 - F.p**2)
        return sigma * (1 + sign * F.p) / 2

    def series(parallel):
        resistances = []
        for s in (+1, -1):
            s2 = s if parallel else -s
            total = 2 * (d[0] + d[2] + d[4]) / 4.0
            total += d[1] / channel(Fa, s) + d[3] / channel(Fb, s2)
            total += 1 / (up_a if s > 0 else down_a) + 1 / (up_b if s2 > 0 else down_b)
            resistances.append(total)
        return resistances[0] * resistances[1] / (resistances[0] + resistances[1])

    parallel, antiparallel = ss.solve(stack([0, 0, 1])), ss.solve(stack([0, 0, -1]))
    assert float(parallel.resistance_area) == pytest.approx(series(True), rel=1e-12)
    assert float(antiparallel.resistance_area) == pytest.approx(series(False), rel=1e-12)


def test_spin_memory_loss_is_a_thin_normal_layer():
    # an N/N interface with spin memory loss delta is the two-port of a layer with d / l = delta and
    # D / (2 l) = g delta / 2 (MODEL.md 3b): the outer solution is identical
    g, delta = 4.0, 0.7
    with_interface = ss.solve(ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(N, 1.5),
                                        ss.Layer(F2, 1.0, ss.polar(50))], interfaces=[ss.Interface(2, g / 2, g / 2, delta=delta)]))
    l = 0.01
    thin = ss.Normal("thin", D=g * delta * l, l=l)  # G = D/(2l) = g delta / 2 = G_I
    with_layer = ss.solve(ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(thin, delta * l), ss.Layer(N, 1.5),
                                    ss.Layer(F2, 1.0, ss.polar(50))]))
    np.testing.assert_allclose(with_interface.accumulation[[0, 1, 2]], with_layer.accumulation[[0, 1, 2]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(with_interface.accumulation_right[2], with_layer.accumulation[3], rtol=1e-12)
    np.testing.assert_allclose(with_interface.torque[[0, 3]], with_layer.torque[[0, 4]], rtol=1e-11, atol=1e-15)


def test_spin_memory_loss_tends_to_none():
    base = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.2])]))
    small = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.2], delta=1e-9)]))
    np.testing.assert_allclose(small.accumulation, base.accumulation, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("delta", [0.0, 0.4])
def test_conservation_with_interfaces(delta):
    interfaces = [ss.Interface(1, 2.0, 2.0, [1.0, 0.1], delta=delta), ss.Interface(2, 3.0, 1.0, [1.2, -0.4], delta=delta),
                  ss.Interface(3, 2.5, 1.5, [0.8, 0.3], delta=delta)]
    solution = ss.solve(valve(interfaces, current=np.array([1.0, -2.0])))
    balance = solution.spin_current_in - solution.spin_current_out - solution.deposit.sum(-2) - solution.spin_flip_loss.sum(-2)
    np.testing.assert_allclose(balance, 0.0, atol=1e-13)
    # at the F side of an N/F interface the torque is what the interface keeps transverse:
    # g_r mu_perp + g_i mu x m of the N-side value (MODEL.md 3b)
    m2 = ss.polar(60.0, 20)
    mu_N = solution.accumulation[:, 3]
    transverse = mu_N - (mu_N @ m2)[:, None] * m2
    kept = 0.8 * transverse + 0.3 * np.cross(mu_N, m2)
    left, right = solution.interface_currents(3)
    np.testing.assert_allclose(left - right - ((left - right) @ m2)[:, None] * m2, kept, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(solution.torque[:, 3], kept + (solution.deposit[:, 4] - (solution.deposit[:, 4] @ m2)[:, None] * m2),
                               rtol=1e-12, atol=1e-15)
    # F-side face values stay on the rail
    np.testing.assert_allclose(np.cross(solution.accumulation_right[:, 3], m2), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.cross(solution.accumulation[:, 2], [0, 0, 1]), 0.0, atol=1e-15)


def test_imaginary_mixing_gives_a_field_like_efficiency():
    real = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.0])])).efficiency()
    imaginary = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.4])])).efficiency()
    assert abs(float(real.g2_field)) < 1e-14
    assert abs(float(imaginary.g2_field)) > 1e-3
    # reversing g_i reverses the field-like part to first order; the damping-like part is even in g_i
    reversed_ = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, -0.4])])).efficiency()
    assert float(reversed_.g2_field) == pytest.approx(-float(imaginary.g2_field), rel=1e-12)
    assert float(reversed_.g2) == pytest.approx(float(imaginary.g2), rel=1e-12)


def test_interfaces_at_reservoir_faces_and_collinear_limits():
    interfaces = [ss.Interface(0, 2.0, 2.0), ss.Interface(5, 1.0, 1.0)]
    solution = ss.solve(valve(interfaces, theta=0.0))
    np.testing.assert_array_equal(solution.accumulation[0], 0.0)
    np.testing.assert_array_equal(solution.accumulation_right[-1], 0.0)
    assert np.isfinite(solution.efficiency().g2)
    with pytest.raises(ss.SpinstackError, match="transparent"):
        solution.functional  # noqa: B018


def test_gmr_grows_with_interface_asymmetry():
    def gmr(gamma):
        interface = [ss.Interface.from_valet_fert(3, 0.5, gamma, [1.0, 0.0])]
        parallel = float(ss.solve(valve(interface, theta=0.0)).resistance_area)
        antiparallel = float(ss.solve(valve(interface, theta=180.0)).resistance_area)
        return (antiparallel - parallel) / parallel
    assert gmr(0.0) < gmr(0.5) < gmr(0.8)


def test_valet_fert_parameters_map_to_channel_conductances():
    interface = ss.Interface.from_valet_fert(1, AR=0.5, gamma=0.6)
    assert float(interface.g_up) == pytest.approx(1 / (2 * 0.5 * 0.4))
    assert float(interface.g_dn) == pytest.approx(1 / (2 * 0.5 * 1.6))
    assert float(interface.gamma) == pytest.approx(0.6)
    assert 1 / float(interface.g) == pytest.approx(0.5 * (1 - 0.6**2))  # AR* (1 - gamma^2)
