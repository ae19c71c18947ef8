"""Bad input is refused when a stack is built, with the path of the value and the reason."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spinstack as ss

N = ss.Normal("Cu", 3.0, 10.0)
F = ss.Ferromagnet("Co", 1.0, 0.5, 2.0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ss.Normal("Cu", -1.0), "materials.Cu.D: must be > 0, got -1.0"),
        (lambda: ss.Normal("Cu", 1.0, 0.0), "materials.Cu.l: must be > 0, got 0.0"),
        (lambda: ss.Normal("Cu", math.nan), "materials.Cu.D: must be > 0, got nan"),
        (lambda: ss.Normal("Cu", math.inf), "materials.Cu.D: must be finite, got inf"),
        (lambda: ss.Ferromagnet("Co", 1.0, 1.0), "materials.Co.p: must lie strictly between -1 and 1, got 1.0"),
        (lambda: ss.Ferromagnet("Co", 1.0, np.array([0.2, -1.0])), "materials.Co.p: must lie strictly between -1 and 1, got -1.0 at index (1,)"),
        (lambda: ss.Ferromagnet("Co", "1", 0.2), "materials.Co.D: must be a number, got '1'"),
        (lambda: ss.Ferromagnet("Co", True, 0.2), "materials.Co.D: must be a number, got True"),
        (lambda: ss.Ferromagnet.from_spin_conductances("Co", 1.0, 0.0), "materials.Co.D_dn: must be > 0, got 0.0"),
        (lambda: ss.Layer(N, 0.0), "thickness: must be > 0, got 0.0"),
        (lambda: ss.Layer(N, math.inf), "thickness: must be finite, got inf"),
        (lambda: ss.Layer(F, 1.0), "magnetization: missing: ferromagnet 'Co' needs a direction"),
        (lambda: ss.Layer(N, 1.0, [0, 0, 1]), "magnetization: not allowed: 'Cu' is a normal metal"),
        (lambda: ss.Layer(F, 1.0, [0, 0, 0]), "magnetization: must be a non-zero vector, got [0, 0, 0]"),
        (lambda: ss.Layer(F, 1.0, [0, 1]), "magnetization: must be a 3-vector"),
        (lambda: ss.Layer(F, 1.0, {"theta": 10, "psi": 0}), "magnetization.psi: unknown key"),
        (lambda: ss.Layer(F, 1.0, {"phi": 0}), "magnetization.theta: missing"),
        (lambda: ss.Lead(F), "magnetization: missing"),
        (lambda: ss.Stack([]), "layers: empty"),
        (lambda: ss.Stack([ss.Layer(N, 1.0)], current=math.nan), "current: must be finite, got nan"),
        (lambda: ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(F, 1.0, [1, 0, 0])]),
         "layers[1].magnetization: ferromagnets layers[0] and layers[1] touch but are not collinear"),
        (lambda: ss.Stack([ss.Layer(F, 1.0, [0, 0, 1])], right=ss.Lead(F, [0, 1, 0])),
         "right.magnetization: ferromagnets layers[0] and right touch but are not collinear"),
        (lambda: ss.Stack([ss.Layer(ss.Normal("Ag", 1.0), 1.0)], left=ss.Lead(ss.Normal("Ag", 1.0)), right=ss.Lead(ss.Normal("Ag", 1.0))),
         "materials.Ag: two different materials share this name"),
        (lambda: ss.Stack([ss.Layer(ss.Normal("Ag", 1.0), np.ones(3))], current=np.ones(4)),
         "does not broadcast"),
        (lambda: ss.Stack([ss.Layer(ss.Normal("Ag", 1.0), 1.0)], left=ss.Lead(ss.Normal("Au", 1.0)), right=ss.Lead(ss.Normal("Pd", 1.0))),
         "layers: no spin relaxation anywhere"),
    ],
)
def test_bad_input_raises_stack_error_with_path(build, message):
    with pytest.raises(ss.StackError) as caught:
        build()
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(message) or message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_collinear_contacts_are_allowed_both_ways():
    for other in ([0, 0, 1], [0, 0, -1], {"theta": 180}):
        ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(F, 2.0, other)])


def test_magnetization_is_normalised_and_angles_are_degrees():
    layer = ss.Layer(F, 1.0, [0, 3, 4])
    np.testing.assert_allclose(layer.magnetization, [0, 0.6, 0.8])
    np.testing.assert_allclose(ss.Layer(F, 1.0, {"theta": 90, "phi": 90}).magnetization, [0, 1, 0], atol=0)
    np.testing.assert_array_equal(ss.polar(180.0), [0.0, 0.0, -1.0])


def test_batch_shape_broadcasts_all_parameters():
    stack = ss.Stack([ss.Layer(ss.Ferromagnet("A", 1.0, np.full((3, 1), 0.2), 1.0), 1.0, ss.polar(np.zeros((1, 4)))),
                      ss.Layer(N, 2.0)], current=np.ones(4))
    assert stack.batch_shape == (3, 4)
    assert stack.node_positions.shape == (3, 4, 3)


def test_spin_conductances_give_p_and_d():
    magnet = ss.Ferromagnet.from_spin_conductances("Py", 3.0, 1.0, 4.0)
    assert magnet.p == pytest.approx(0.5)
    assert magnet.D == pytest.approx(3.0)  # 4 * 3 * 1 / 4
    assert magnet.conductivity == pytest.approx(4.0)
