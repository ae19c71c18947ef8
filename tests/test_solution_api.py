"""Solution API details that are not physics: when efficiency and the spin-orbit torque are (not) defined, and the
two drives (per unit current, field-driven) behind every output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack import si

F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.3, 2.0), ss.Normal("N", 3.0, 10.0)


def test_touching_ferromagnets_have_no_efficiency():
    # they must stay collinear, so g(theta) has no meaning (no angle can vary)
    solution = ss.solve(ss.Stack([ss.Layer(N, 1.0), ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(F2, 1.0, [0, 0, -1]), ss.Layer(N, 1.0)]))
    assert "spacer" in solution.efficiency_problem
    with pytest.raises(ss.SpinstackError, match="spacer"):
        solution.efficiency()


@pytest.mark.parametrize("count", [1, 3])
def test_efficiency_needs_two_ferromagnets(count):
    layers = [ss.Layer(N, 1.0)]
    for _ in range(count):
        layers += [ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0)]
    solution = ss.solve(ss.Stack(layers))
    assert f"this stack has {count}" in solution.efficiency_problem
    with pytest.raises(ss.SpinstackError):
        solution.efficiency()


# ------------------------------------------------------------------ spin-orbit torque: NaN and its reason
Pt = ss.Normal("Pt", D=2.0, l=1.4, theta_SH=0.19)


def hm_on_f(m, field=(0.0, 1.0, 0.0)):
    """Pt / F between open faces, driven by the in-plane field alone (MODEL.md 8): sigma_hat = xhat x eps_hat."""
    return ss.Stack([ss.Layer(Pt, 3.0), ss.Layer(F1, 1.5, m)], left=ss.Open(), right=ss.Open(), current=0.0,
                    field=field)


def test_spin_orbit_torque_is_nan_where_m_is_parallel_to_sigma_hat_and_says_why():
    # eps = +y: sigma_hat = xhat x yhat = +z; m = -z is (anti)parallel to it, m = +x is not
    solution = ss.solve(hm_on_f(np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])))
    np.testing.assert_array_equal(solution.sigma_hat, [[0, 0, 1], [0, 0, 1]])
    damping, field_like = solution.spin_orbit_torque
    assert np.isnan(damping[0, 1]) and np.isnan(field_like[0, 1])
    assert np.isfinite(damping[1]).all() and damping[1, 1] != 0 and damping[0, 0] == 0.0  # N layer: 0
    problem = solution.spin_orbit_torque_problem
    assert problem.startswith("layers[1]: m is parallel to sigma_hat (in some configurations)")
    assert "NaN" in problem and "Solution.torque" in problem
    # the torque vector itself is defined: zero, as the spin Hall polarisation sigma_hat lies along m there
    np.testing.assert_array_equal(solution.torque[0, 1], 0.0)
    one = ss.solve(hm_on_f([0.0, 0.0, 1.0]))
    assert one.spin_orbit_torque_problem.startswith("layers[1]: m is parallel to sigma_hat = [0, 0, 1],")


def test_spin_orbit_torque_problem_is_none_when_every_value_is_defined():
    solution = ss.solve(hm_on_f(ss.polar(np.array([30.0, 90.0]), 20.0)))
    assert solution.spin_orbit_torque_problem is None
    assert np.isfinite(solution.spin_orbit_torque[0]).all()


@pytest.mark.parametrize("field", [None, (0.0, 0.0, 0.0)])
def test_spin_orbit_torque_problem_without_a_field_is_the_error_it_raises(field):
    stack = ss.Stack([ss.Layer(Pt, 3.0), ss.Layer(F1, 1.5, [1, 0, 0])], current=1.0,
                     **({} if field is None else {"field": field}))
    solution = ss.solve(stack)
    with pytest.raises(ss.SpinstackError) as raised:
        solution.spin_orbit_torque
    assert solution.spin_orbit_torque_problem == str(raised.value)
    assert "field" in solution.spin_orbit_torque_problem


# ------------------------------------------------------------------ the two drives behind every output
def test_outputs_are_j0_times_the_per_unit_current_solution_plus_the_field_driven_one():
    """MODEL.md 8a: the CPP drive and the in-plane drive superpose; an SI solution shares its model twin's solves."""
    layers = [ss.Layer(Pt, 3.0), ss.Layer(F1, 1.5, ss.polar(np.array([30.0, 90.0]), 20.0)), ss.Layer(N, 2.0)]
    solution = ss.solve(ss.Stack(layers, current=-0.7, field=[0.0, 0.6, 0.8]))
    per_unit, field = solution.per_unit_current, solution.field_driven
    j0 = solution.current[:, None, None]
    np.testing.assert_array_equal(solution.accumulation, j0 * per_unit.accumulation + field.accumulation)
    np.testing.assert_array_equal(solution.torque, j0 * per_unit.torque + field.torque)
    # nothing responds to a field without a spin Hall metal: no field-driven solve
    assert ss.solve(ss.Stack(layers[1:], current=1.0, field=[0.0, 1.0, 0.0])).field_driven is None


def test_an_si_solution_reports_its_model_twin_without_solving_again():
    stack = ss.load_stack(Path(__file__).resolve().parents[1] / "examples" / "yig-pt-smr-si.toml")
    solution = ss.solve(stack)
    assert solution.reduced is not solution
    assert solution.field_driven is solution.reduced.field_driven and solution.field_driven is not None
    np.testing.assert_array_equal(solution.accumulation, si.report(solution.reduced.accumulation, "accumulation"))
