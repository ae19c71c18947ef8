"""The mechanical analogy's forces: balance on every ring, rail load = torque, seed eq. (8)."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import ring_forces


def test_fn_contact_forces_are_eq8():
    # seed section 3.1: driving force p j0 up, elastic reactions -G_F mu and -G_N mu
    F, N = ss.Ferromagnet("F", 1.2, 0.6, 2.0), ss.Normal("N", 3.0, 5.0)
    solution = ss.solve(ss.Stack([], left=ss.Lead(F, [0, 0, 1]), right=ss.Lead(N), current=1.5))
    forces = ring_forces(solution)
    mu = solution.accumulation[0, 2]
    assert forces.nodes == (0,)
    np.testing.assert_allclose(forces.driving_left[0], [0, 0, 0.6 * 1.5], rtol=1e-15)
    np.testing.assert_allclose(forces.cord_left[0], [0, 0, -1.2 / 4.0 * mu], rtol=1e-13)
    np.testing.assert_allclose(forces.cord_right[0], [0, 0, -3.0 / 10.0 * mu], rtol=1e-13)
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-15)


def random_stack(rng):
    F, G, N, M = (ss.Ferromagnet("F", 1.0, 0.6, 2.0), ss.Ferromagnet("G", 2.0, -0.3, 0.7),
                  ss.Normal("N", 3.0, 4.0), ss.Normal("M", 0.8))
    direction = lambda: ss.polar(rng.uniform(0, 180), rng.uniform(0, 360))  # noqa: E731
    m = direction()
    layers = [ss.Layer(N, 0.5), ss.Layer(F, 1.0, direction()), ss.Layer(N, 0.7), ss.Layer(M, 0.4),
              ss.Layer(G, 1.3, m), ss.Layer(F, 0.6, -m), ss.Layer(N, 1.1), ss.Layer(G, 0.9, direction())]
    return ss.Stack(layers, left=ss.Lead(N), right=ss.Reservoir(), current=rng.uniform(-2, 2))


@pytest.mark.parametrize("seed", range(5))
def test_every_ring_balances_and_the_rail_load_is_the_torque(seed):
    rng = np.random.default_rng(seed)
    solution = ss.solve(random_stack(rng))
    forces = ring_forces(solution)
    scale = np.abs(forces.driving_left).max() + np.abs(forces.cord_left).max()
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-13 * scale)
    np.testing.assert_allclose(forces.along_rail(), 0.0, atol=1e-13 * scale)
    free = ~forces.axis.any(axis=1)
    np.testing.assert_allclose(forces.rail_reaction[free], 0.0, atol=0)
    # rail load is normal to the rail and sums, per F layer, to that layer's torque
    np.testing.assert_allclose(np.einsum("ri,ri->r", forces.rail_load, forces.axis), 0.0, atol=1e-13 * scale)
    for index in solution.stack.ferromagnet_indices:
        faces = [r for r, node in enumerate(forces.nodes) if node in (index, index + 1)]
        load = forces.rail_load[faces].sum(axis=0)
        # a ring between two touching F layers carries no transverse load, so sharing it is harmless
        np.testing.assert_allclose(load, solution.torque[index], atol=1e-13 * scale)


def test_ring_forces_take_a_stack_or_its_solution_like_their_neighbours():
    """issue 13 item 6: ring_forces(stack) solved the stack's neighbours' way (it failed with AttributeError)."""
    stack = random_stack(np.random.default_rng(7))
    from_stack, from_solution = ring_forces(stack), ring_forces(ss.solve(stack))
    assert from_stack.nodes == from_solution.nodes
    for name in ("position", "driving_left", "cord_right", "rail_reaction", "spring_load"):
        np.testing.assert_array_equal(getattr(from_stack, name), getattr(from_solution, name))
    for wrong in ("seed.toml", stack.layers[0], None):
        with pytest.raises(TypeError, match=r"ring_forces takes a spinstack Stack or Solution, got "):
            ring_forces(wrong)
