"""Directions: named ones ("normal", "+y", ...), and the one-value shortcuts of the model checks.

The stack normal is x; theta is measured from +z, which lies in the film plane.  A thin-film user who
writes theta = 0 for a perpendicular magnet gets an in-plane one: a name cannot be misread that way.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.model import checks

F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
N = ss.Normal("N", D=3.0, l=10.0)

NAMED = {"normal": [1, 0, 0], "+normal": [1, 0, 0], "-normal": [-1, 0, 0], "+x": [1, 0, 0], "-x": [-1, 0, 0],
         "+y": [0, 1, 0], "-y": [0, -1, 0], "+z": [0, 0, 1], "-z": [0, 0, -1]}


@pytest.mark.parametrize(("name", "vector"), NAMED.items())
def test_named_directions_are_the_axes(name, vector):
    np.testing.assert_array_equal(ss.direction(name), vector)
    np.testing.assert_array_equal(ss.Layer(F, 1.0, name).magnetization, vector)
    np.testing.assert_array_equal(ss.Lead(F, name).magnetization, vector)
    np.testing.assert_array_equal(ss.Insulator(name, [1.0, 0.0]).magnetization, vector)
    assert not ss.direction(name).flags.writeable


def test_normal_is_perpendicular_to_the_film_and_theta_zero_is_in_it():
    """x is the stack axis: "normal" = theta 90, phi 0; theta = 0 is +z, in the plane of the layers."""
    np.testing.assert_array_equal(ss.direction("normal"), ss.direction({"theta": 90, "phi": 0}))
    np.testing.assert_array_equal(ss.direction({"theta": 0}), ss.direction("+z"))


def test_a_named_direction_drives_the_same_solution_as_its_vector():
    pt = ss.Normal("Pt", D=2.0, l=1.4, theta_SH=0.19)

    def stack(m):
        return ss.Stack([ss.Layer(pt, 3.0), ss.Layer(F, 1.5, m)], left=ss.Open(), right=ss.Open(), current=0.0,
                        field=[0, 1, 0])

    named, vector = ss.solve(stack("normal")), ss.solve(stack([1.0, 0.0, 0.0]))
    np.testing.assert_array_equal(named.torque, vector.torque)
    assert named.spin_orbit_torque[0][1] > 0
    # theta = 0 meant as "perpendicular" is +z = sigma_hat here: no damping-like/field-like split, and the
    # solution says why
    wrong = ss.solve(stack({"theta": 0}))
    assert math.isnan(wrong.spin_orbit_torque[0][1])
    assert "parallel to sigma_hat" in wrong.spin_orbit_torque_problem


@pytest.mark.parametrize("name", ["up", "x", "z", "", "perpendicular", "+X"])
def test_an_unknown_name_is_refused_with_the_names_and_the_geometry(name):
    with pytest.raises(ss.StackError) as caught:
        ss.Layer(F, 1.0, name)
    assert caught.value.path == "magnetization"
    assert "named directions: " in caught.value.reason
    assert "x is the film normal (perpendicular to the layers), y and z lie in the film plane" in caught.value.reason


def test_a_normal_metal_takes_no_direction_even_named():
    with pytest.raises(ss.StackError, match="not allowed"):
        ss.Layer(N, 1.0, "normal")


# ------------------------------------------------------------------ one-value shortcuts (1e5-layer files)
angles = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False) | st.sampled_from(
    [0.0, -0.0, 90.0, 180.0, -90.0, 270.0, 360.0, 45.0, 1e-300, -1e-300, 5e-324])


@settings(max_examples=300, deadline=None)
@given(theta=angles, phi=angles)
def test_polar_of_one_angle_is_bit_for_bit_the_batched_one(theta, phi):
    """The scalar path of checks.polar (a layer of a file) gives exactly the array path's numbers, signs of
    zero included: a direction must not depend on how many were computed at once."""
    one = checks.polar(theta, phi)
    many = checks.polar(np.array([theta, 0.0]), np.array([phi, 0.0]))[0]
    assert one.shape == (3,) and one.dtype == np.float64
    np.testing.assert_array_equal(one, many)
    np.testing.assert_array_equal(np.signbit(one), np.signbit(many))


@pytest.mark.parametrize("value", [1.5, 3, 1e-150, 1e150, np.float64(2.0), np.array(2.0), 0.0, -1.0, 1e-151, 1e151,
                                   math.inf, math.nan, 2**1100, True, "1"])
@pytest.mark.parametrize("check", ["positive", "positive_inf", "finite", "finite_unbounded"])
def test_the_scalar_shortcut_of_the_checks_agrees_with_the_general_path(value, check):
    """positive() and finite() take a shortcut for one plain number that passes; the result (or the error)
    is what the general path gives for the same number inside an array."""
    call = {"positive": lambda v, p: checks.positive(v, p),
            "positive_inf": lambda v, p: checks.positive(v, p, allow_inf=True),
            "finite": lambda v, p: checks.finite(v, p),
            "finite_unbounded": lambda v, p: checks.finite(v, p, bounded=False)}[check]

    def outcome(v):
        try:
            result = call(v, "x")
        except ss.StackError as error:
            return "error", error.reason.split(", got")[0]
        assert not result.flags.writeable and result.dtype == np.float64
        return "value", result.tolist()

    scalar = outcome(value)
    try:  # the same number inside an array; none for what is not a real number (the shortcut must refuse it too)
        as_array = None if isinstance(value, (bool, str)) else np.array([float(value)])
    except OverflowError:
        as_array = None
    if as_array is None:
        assert scalar[0] == "error"
        return
    batched = outcome(as_array)
    assert scalar[0] == batched[0]
    if scalar[0] == "value":
        assert [scalar[1]] == batched[1]
    else:
        assert scalar[1] == batched[1]
