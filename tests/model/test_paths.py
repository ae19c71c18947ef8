"""Parameter paths: read and replace any stack parameter by name."""

from __future__ import annotations

import re

import numpy as np
import pytest

import spinstack as ss
from spinstack.model.paths import parameter_targets, parameter_value, refuse_repeated, with_parameter

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


# ------------------------------------------------------------------ one parameter, several spellings (review F3)
def _valve() -> ss.Stack:
    from tests.data import FOLDER

    return ss.load_stack(FOLDER / "free-valve.toml")  # Co 8 nm / Cu / Py 4 nm (free), Cu leads, SI


@pytest.mark.parametrize("first, second", [
    ("dynamics.field.z", "dynamics.field[2]"), ("dynamics.field[-3]", "dynamics.field.x"),
    ("layers[2].alpha", "layers[-1].alpha"), ("layers[1].thickness", "layers[-2].thickness"),
    ("materials.Py.Ms", "layers[2].Ms"), ("layers[-1].K_u", "materials.Py.K_u"),
    ("materials.Py.easy_axis", "materials.Py.easy_axis.theta"),
    ("theta", "layers[2].magnetization.phi"), ("layers[0].magnetization", "layers[-3].magnetization.theta"),
])
def test_two_spellings_of_one_parameter_overlap(first, second):
    stack = _valve()
    with pytest.raises(ss.StackError, match=rf"^{re.escape(second)}: {re.escape(first)} and {re.escape(second)} name "
                                            "the same parameter: vary it once$"):
        refuse_repeated(stack, [first, second])


@pytest.mark.parametrize("paths", [
    ("dynamics.field[1]", "dynamics.field.z"), ("materials.Py.Ms", "layers[2].alpha"), ("materials.Co.Ms", "layers[2].Ms"),
    ("layers[2].magnetization.theta", "layers[2].magnetization.phi"), ("layers[1].thickness", "layers[-1].thickness"),
    ("materials.Py.Ms", "materials.Py.alpha", "current", "dynamics.temperature", "layers[0].magnetization.theta"),
])
def test_different_parameters_do_not_overlap(paths):
    refuse_repeated(_valve(), paths)


def test_the_targets_are_spelled_one_way():
    stack = _valve()
    assert parameter_targets(stack, "layers[-1].alpha") == ("layers[2].alpha",)
    assert parameter_targets(stack, "dynamics.field[2]") == ("dynamics.field.z",)
    assert parameter_targets(stack, "materials.Py.Ms") == ("materials.Py.Ms", "layers[2].Ms")
    assert parameter_targets(stack, "materials.Cu.l") == ("materials.Cu.l",)  # one material parameter, no layer alias
    assert parameter_targets(stack, "theta") == ("layers[2].magnetization",)
    assert parameter_targets(stack, "layers[7].thickness") == ("layers[7].thickness",)  # refused where it is set


def test_a_value_with_its_unit_is_converted_by_the_files_rules():
    """with_parameter used to keep a pint Quantity's magnitude and drop its unit (28 GHz/T -> gamma = 28)."""
    from spinstack.units import Q_

    stack = _valve()
    for value in ("28 GHz/T", Q_(28, "GHz/T")):
        with pytest.raises(ss.StackError, match=r"^materials.Py.gamma: write the gyromagnetic ratio in rad/\(s\*T\)"):
            with_parameter(stack, "materials.Py.gamma", value)
    assert with_parameter(stack, "materials.Py.gamma", Q_(1.76e11, "rad/(s*T)")).materials["Py"].gamma == 1.76e11
    assert with_parameter(stack, "layers[1].thickness", "4 nm").layers[1].thickness == 4e-9
    assert with_parameter(stack, "materials.Py.Ms", Q_(0.6, "MA/m")).materials["Py"].Ms == 6e5
    # the stack's own numbers: an SI current J in A/m^2 is held as j0 = J / (-e), as the file's
    assert with_parameter(stack, "current", "-2e11 A/m^2").current == stack.current
    with pytest.raises(ss.StackError, match=r"^layers\[1\].thickness: expected a length"):
        with_parameter(stack, "layers[1].thickness", Q_(4, "ns"))
    with pytest.raises(ss.StackError, match=r"^layers\[1\].thickness: a quantity with units needs an SI stack"):
        with_parameter(STACK, "layers[1].thickness", Q_(4, "nm"))
    with pytest.raises(ss.StackError, match=r"^layers\[1\].thickness: must be a number, got '4 nm'"):
        with_parameter(STACK, "layers[1].thickness", "4 nm")  # a reduced stack: numbers only, as before
