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
        assert bool(found.found[0])
        assert found.value[0] == pytest.approx(expected, rel=1e-10)
    else:
        assert not found.found[0]


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


def test_threshold_in_thickness():
    # thinner spacer -> larger B: g2 turns negative once d_N is below a threshold? scan upward instead:
    # g2 is negative for thin N and positive for thick N at 60 degrees here, so "first negative" is at the low end
    result = threshold(seed(), "layers[1].thickness", "g2", theta=30.0, bounds=(0.01, 10.0))
    assert result.found[0]


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
