"""Parameter paths: read and replace any stack parameter by name."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.model.paths import parameter_value, with_parameter

F1, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
STACK = ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F1, 1.5, ss.polar(60, 30)), ss.Layer(N, 1.0)],
                 right=ss.Lead(F1, ss.polar(60, 30)))


def test_material_change_reaches_every_user():
    changed = with_parameter(STACK, "materials.F1.p", np.array([0.1, 0.2]))
    for element in (changed.layers[0], changed.layers[2], changed.right):
        np.testing.assert_array_equal(element.material.p, [0.1, 0.2])
    assert changed.batch_shape == (2,)
    assert STACK.layers[0].material.p == 0.5  # the original is untouched


def test_angles_keep_the_other_angle():
    changed = with_parameter(STACK, "layers[2].magnetization.theta", 90.0)
    np.testing.assert_allclose(changed.layers[2].magnetization, ss.polar(90, 30), atol=1e-15)
    assert parameter_value(changed, "layers[2].magnetization.phi") == pytest.approx(30.0)
    changed = with_parameter(STACK, "layers[-2].magnetization.phi", 0.0)
    np.testing.assert_allclose(changed.layers[2].magnetization, ss.polar(60, 0), atol=1e-15)


def test_thickness_current_and_lead():
    assert with_parameter(STACK, "layers[1].thickness", 4.0).layers[1].thickness == 4.0
    np.testing.assert_array_equal(with_parameter(STACK, "current", [1, -1]).current, [1, -1])
    changed = with_parameter(STACK, "right.magnetization", [0, 1, 0])
    np.testing.assert_array_equal(changed.right.magnetization, [0, 1, 0])


@pytest.mark.parametrize(("path", "value", "message"), [
    ("layers[1].thickness", -1.0, "layers[1].thickness: must be > 0, got -1.0"),
    ("materials.F1.p", 2.0, "materials.F1.p: must lie strictly between -1 and 1, got 2.0"),
    ("materials.N.p", 0.1, "materials.N.p: unknown parameter (expected one of: D, l, theta_SH)"),
    ("materials.X.D", 1.0, "materials.X.D: no material named 'X' in this stack"),
    ("layers[1].magnetization.theta", 3.0, "layers[1].magnetization.theta: not a ferromagnet"),
    ("layers[7].thickness", 1.0, "layers[7].thickness: no such layer: the stack has 4 layers"),
    ("left.magnetization", [1, 0, 0], "left.magnetization: the left end is a reservoir"),
    ("foo", 1.0, "foo: unknown parameter path"),
    ("layers[0].magnetization", [0, 0, 0], "layers[0].magnetization: must be a non-zero vector"),
])
def test_bad_paths_and_values(path, value, message):
    with pytest.raises(ss.StackError, match="^" + message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
        with_parameter(STACK, path, value)


def test_spin_orbit_material_parameters_have_paths():
    """theta_SH of N, l_J / l_phi of a coherent F: read and replaced by path (sweeps, the app)."""
    from spinstack.model.paths import parameter_value, with_parameter

    Pt = ss.Normal("Pt", 2.0, 1.4, 0.19)
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0, l_J=1.0)
    stack = ss.Stack([ss.Layer(Pt, 3.0), ss.Layer(F, 1.5, [1, 0, 0])], left=ss.Open(), right=ss.Open(), current=0.0,
                     field=[0, 1, 0])
    assert parameter_value(stack, "materials.Pt.theta_SH") == 0.19
    changed = with_parameter(stack, "materials.Pt.theta_SH", -0.1)
    assert changed.layers[0].material.theta_SH == -0.1
    assert with_parameter(stack, "materials.F.l_J", 2.0).layers[1].material.l_J == 2.0
    with pytest.raises(ss.StackError, match="materials.F.l_phi: not set"):
        parameter_value(stack, "materials.F.l_phi")
