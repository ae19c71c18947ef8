"""Efficiency curves, sign-change angles and thresholds against the seed's closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import efficiency, sign_change_angles, threshold, with_angle
from tests.solver.test_closed_forms import seed_closed_form


def seed(p1=0.3, p2=0.9, l2=0.5, dN=0.5, m2=ss.polar(60.0)):
    F1, F2, N = ss.Ferromagnet("F1", 1.0, p1, 2.0), ss.Ferromagnet("F2", 1.0, p2, l2), ss.Normal("N", 3.0, 10.0)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, dN), ss.Layer(F2, 1.5, m2)])


def closed(theta_deg, p1=0.3, p2=0.9, l2=0.5, dN=0.5):
    return seed_closed_form(1.0, p1, 2.0, 1.5, 3.0, 10.0, dN, 1.0, p2, l2, 1.5, np.deg2rad(theta_deg))


def test_curve_matches_appendix_ii():
    theta = np.linspace(0.0, 180.0, 181)
    curve = efficiency(seed(), theta)
    _, _, g1, g2, *_ = closed(theta)
    np.testing.assert_allclose(curve.g1, g1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curve.g2, g2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.rad2deg(curve.theta), theta, atol=1e-12)


def test_curve_does_not_depend_on_the_stack_own_angle_or_plane():
    theta = np.array([0.0, 33.0, 90.0, 180.0])
    reference = efficiency(seed(), theta)
    for m2 in ([0, 0, 1], [0, 1, 0], ss.polar(120.0, 45.0)):
        other = efficiency(seed(m2=m2), theta)
        np.testing.assert_allclose(other.g2, reference.g2, rtol=1e-12)


def test_with_angle_is_exact_at_collinear_angles():
    stack = with_angle(seed(), np.array([0.0, 90.0, 180.0]))
    np.testing.assert_array_equal(stack.layers[2].magnetization, [[0, 0, 1], [1, 0, 0], [0, 0, -1]])


def test_sign_change_angle_is_the_root_of_the_closed_form():
    roots = sign_change_angles(seed(), "g2")
    assert roots.shape == (1,)
    # eq. (15) boundary: g2 = 0 where A2 p1 = B cos(theta) p2
    _, _, _, _, A1, A2, B = closed(0.0)
    expected = np.rad2deg(np.arccos(A2 * 0.3 / (B * 0.9)))
    assert roots[0] == pytest.approx(expected, rel=1e-11)
    assert roots[0] < 90.0
    assert sign_change_angles(seed(), "g1").size == 0


def test_large_p1_flips_g1_not_g2():
    # seed conclusions: for theta < pi/2 a large enough p1 flips g1 without g2
    stack = seed(p1=0.95, p2=0.05, l2=2.0)
    roots = sign_change_angles(stack, "g1")
    assert roots.size == 1 and roots[0] < 90.0
    assert sign_change_angles(stack, "g2").size == 0


@pytest.mark.parametrize("theta", [0.0, 20.0, 45.0, 70.0])
def test_threshold_in_p2_matches_eq15(theta):
    found = threshold(seed(), "materials.F2.p", "g2", theta=theta, bounds=(0.01, 0.999))
    _, _, _, _, A1, A2, B = closed(theta, p2=0.5)
    # eq. (15): g2 < 0 iff p2/p1 > A2 / (B cos theta); A2, B do not depend on p
    expected = 0.3 * A2 / (B * math.cos(math.radians(theta)))
    if expected < 0.999:
        assert bool(found.found[0]) and bool(found.negative_above[0])
        assert found.value[0] == pytest.approx(expected, rel=1e-10)
    else:
        assert not found.found[0] and not found.negative_above[0]
        assert np.isnan(found.value[0])


def test_threshold_in_p1_for_g1_matches_eq15():
    # g1 < 0 iff p2/p1 < B cos / A1, i.e. p1 > p2 A1 / (B cos theta)
    stack = seed(p1=0.2, p2=0.1, l2=2.0)
    result = threshold(stack, "materials.F1.p", "g1", theta=[10.0, 40.0], bounds=(0.01, 0.999))
    for theta, value in zip([10.0, 40.0], result.value):
        _, _, _, _, A1, A2, B = seed_closed_form(1.0, 0.5, 2.0, 1.5, 3.0, 10.0, 0.5, 1.0, 0.1, 2.0, 1.5, math.radians(theta))
        assert value == pytest.approx(0.1 * A1 / (B * math.cos(math.radians(theta))), rel=1e-10)


def test_no_threshold_beyond_ninety_degrees():
    result = threshold(seed(), "materials.F2.p", "g2", theta=[95.0, 135.0, 180.0], bounds=(0.01, 0.999))
    assert not result.found.any()


def test_threshold_in_p1_for_g2_is_a_lower_bound():
    # g2 < 0 iff p1 < p2 B cos / A2: negative *below* the threshold
    result = threshold(seed(), "materials.F1.p", "g2", theta=30.0, bounds=(0.01, 0.999))
    _, _, _, _, A1, A2, B = closed(30.0)
    assert result.found[0] and not result.negative_above[0]
    assert result.value[0] == pytest.approx(0.9 * B * math.cos(math.radians(30.0)) / A2, rel=1e-10)


def test_threshold_in_spacer_thickness_brackets_the_sign_change():
    # a thicker spacer weakens the coupling B (and the asymmetry's pull): g2 turns positive again
    result = threshold(seed(), "layers[1].thickness", "g2", theta=30.0, bounds=(0.01, 100.0))
    assert result.found[0] and not result.negative_above[0]
    varied = lambda d: efficiency(ss.Stack([seed().layers[0], ss.Layer(seed().layers[1].material, d), seed().layers[2]]), 30.0).g2  # noqa: E731
    assert varied(result.value[0] * (1 - 1e-6)) < 0 < varied(result.value[0] * (1 + 1e-6))


def test_sign_map_boundary_matches_eq15():
    from spinstack.analysis import seed_eq15_boundaries, sign_map

    stack = seed()
    theta = np.linspace(0.0, 180.0, 61)
    ratio = np.linspace(0.05, 3.0, 80)  # p2 / p1 with p1 = 0.3
    result = sign_map(stack, ("theta", theta), ("materials.F2.p", 0.3 * ratio))
    g2_boundary, g1_boundary = seed_eq15_boundaries(stack, theta)
    assert result.g2.shape == (80, 61)
    predicted_g2 = ratio[:, None] > g2_boundary[None, :]
    predicted_g1 = ratio[:, None] < g1_boundary[None, :]
    clear = (np.abs(result.g2) > 1e-12) & (np.abs(result.g1) > 1e-12)
    assert np.array_equal((result.g2 < 0)[clear], predicted_g2[clear])
    assert np.array_equal((result.g1 < 0)[clear], predicted_g1[clear])
    assert predicted_g2.any() and predicted_g1.any()


def test_curve_turns_a_touching_ferromagnetic_lead_with_f2():
    # F2 and an F lead in contact must stay collinear: the curve turns them together, and its
    # collinear ends agree with the limit of nearby angles
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.4, 1.0), ss.Normal("N", 3.0, 10.0)
    lead = ss.Ferromagnet("FL", 1.5, 0.6, 3.0)
    stack = ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(F2, 1.0, ss.polar(50))],
                     right=ss.Lead(lead, -ss.polar(50)))
    curve = efficiency(stack, np.array([0.0, 1e-4, 90.0, 180.0 - 1e-4, 180.0]))
    assert np.all(np.isfinite(curve.g1)) and np.all(np.isfinite(curve.g2))
    np.testing.assert_allclose(curve.g2[0], curve.g2[1], rtol=1e-7)
    np.testing.assert_allclose(curve.g2[-1], curve.g2[-2], rtol=1e-7)
    turned = with_angle(stack, 90.0)
    np.testing.assert_allclose(turned.right.magnetization, -turned.layers[2].magnetization, atol=1e-15)


def test_default_bounds_of_a_negative_parameter_are_ordered():
    # j0 = J/e < 0 for J > 0: the default range (j0/100, 100 j0) must still run low to high
    stack = ss.Stack(list(seed().layers), current=-2.0)
    result = threshold(stack, "current", "g2", theta=30.0)
    assert result.bounds == (-200.0, -0.02)
    assert not result.found[0]  # g does not depend on the current
