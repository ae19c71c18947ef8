"""with_angle and turned: m2 = cos(theta) m1 + sin(theta) e, bit for bit, in one pass per component.

The rule is pinned against its first writing (np.isin for the exact zeros, numpy broadcasting for the
sum), on unbatched, batched and lead-terminated stacks; efficiencies through the turned stack against
stacks built directly with the same m2.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis.efficiencies import rotation_plane, with_angle
from spinstack.model import checks
from spinstack.prepared import turned

F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)


def seed(theta=60.0) -> ss.Stack:
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.5, ss.polar(theta))])


STACKS = {
    "seed": seed(),
    "collinear": seed(0.0),
    "antiparallel": seed(180.0),
    "batched": seed(np.linspace(0.0, 90.0, 7)[:, None]),
    "tilted with a lead": ss.Stack([ss.Layer(F1, 1.0, [0.3, 0.2, 1.0]), ss.Layer(N, 1.0), ss.Layer(F2, 1.0, [1, 1, 0])],
                                   right=ss.Lead(F2, [-1, -1, 0])),
}

ANGLES = [np.linspace(-360.0, 360.0, 20_001), np.array([0.0, -0.0, 90.0, -90.0, 180.0, -180.0, 270.0, 45.0]),
          np.float64(90.0), 180.0, 0.0, -0.0, 37.5]


def _first_writing(stack: ss.Stack, theta) -> np.ndarray:
    m1, e = rotation_plane(stack)
    # degrees reduced by 360 first (exact), so that 360 k + a turns exactly as a (sin 360 = 0, not 2.4e-16)
    angle = np.deg2rad(np.fmod(np.asarray(theta, dtype=float), 360.0))[..., None]
    cosine = np.where(np.isin(angle, [np.pi / 2, -np.pi / 2]), 0.0, np.cos(angle))
    sine = np.where(np.isin(angle, [0.0, np.pi, -np.pi]), 0.0, np.sin(angle))
    return cosine * m1 + sine * e


@pytest.mark.parametrize("name", STACKS)
@pytest.mark.parametrize("theta", ANGLES, ids=lambda a: f"shape{np.shape(a)}")
def test_turned_m2_is_bit_for_bit_the_first_writing(name, theta):
    stack = STACKS[name]
    expected = _first_writing(stack, theta)
    m1, e = rotation_plane(stack)
    got = turned(m1, e, theta)
    np.testing.assert_array_equal(got, expected, strict=True)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
    assert not got.flags.writeable
    layer = with_angle(stack, theta).layers[2].magnetization
    np.testing.assert_array_equal(layer, checks.direction(expected, "magnetization"), strict=True)


def test_a_touching_lead_turns_with_f2_and_the_rest_is_kept():
    stack = STACKS["tilted with a lead"]
    turned_stack = with_angle(stack, np.array([30.0, 150.0]))
    m2 = turned_stack.layers[2].magnetization
    np.testing.assert_array_equal(turned_stack.right.magnetization, -m2)
    assert turned_stack.layers[0] is stack.layers[0] and turned_stack.layers[1] is stack.layers[1]


@pytest.mark.parametrize("name", ["seed", "batched", "tilted with a lead"])
def test_efficiency_of_the_turned_stack_equals_a_stack_built_with_that_m2(name):
    stack = STACKS[name]
    theta = np.linspace(0.0, 180.0, 37)
    m2 = _first_writing(stack, theta)
    layers = list(stack.layers)
    layers[2] = ss.Layer(layers[2].material, layers[2].thickness, m2)
    right = stack.right
    if isinstance(right, ss.Lead):
        right = ss.Lead(right.material, -m2)
    direct = ss.solve(ss.Stack(layers, right=right)).efficiency()
    through = ss.analysis.efficiency(stack, theta)
    for key in ("g1", "g2", "g1_field", "g2_field"):
        np.testing.assert_allclose(getattr(through, key), getattr(direct, key), rtol=1e-12, atol=1e-15)


def test_m2_takes_the_shape_of_the_angles_not_of_the_batch():
    """A stack batched in p (a sweep block of p x theta): m2 is turned once per angle, and broadcast by the solve."""
    stack = ss.model.paths.with_parameter(seed(), "materials.F2.p", np.linspace(0.1, 0.9, 50)[:, None])
    theta = np.linspace(0.0, 180.0, 7)
    turned_stack = with_angle(stack, theta)
    m2 = turned_stack.layers[2].magnetization
    assert m2.shape == (7, 3) and turned_stack.batch_shape == (50, 7)
    np.testing.assert_array_equal(np.broadcast_to(m2, (50, 7, 3)), _first_writing(stack, theta), strict=False)
    direct = ss.Stack([stack.layers[0], stack.layers[1], ss.Layer(stack.layers[2].material, 1.5,
                                                                  np.broadcast_to(m2, (50, 7, 3)).copy())])
    for key in ("g1", "g2"):
        np.testing.assert_allclose(getattr(ss.solve(turned_stack).efficiency(), key),
                                   getattr(ss.solve(direct).efficiency(), key), rtol=1e-12, atol=1e-15)
