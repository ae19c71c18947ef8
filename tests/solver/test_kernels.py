"""The compiled kernels (solver/kernels.py) agree with the numpy paths to round-off."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack import solution as solution_module
from spinstack.solution import _efficiency, stack_arrays
from spinstack.solver import kernels, solve_nodes
from spinstack.solver.profile import node_potentials, profile

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed")

F = ss.Ferromagnet("F", 1.0, 0.5, 2.0)
G = ss.Ferromagnet("G", 2.0, -0.3, np.inf)  # l = inf
N = ss.Normal("N", 3.0, 10.0)
M = ss.Normal("M", 0.7, np.inf)
ENDS = {"reservoir": lambda m: ss.Reservoir(), "N": lambda m: ss.Lead(N), "Ninf": lambda m: ss.Lead(M),
        "F": lambda m: ss.Lead(F, m)}


def random_stack(rng, theta, left, right, extra_magnets: bool = True) -> tuple[ss.Stack, int, int]:
    """F1 ... F2 with N/N nodes, F/F contacts (touching collinear F layers) and the given ends; theta any shape."""
    m1 = ss.polar(rng.uniform(0, 180), rng.uniform(0, 360))
    layers = [ss.Layer(F, rng.uniform(0.1, 3), m1)]
    first = 0
    if extra_magnets and rng.random() < 0.5:  # an F/F contact after F1
        layers.append(ss.Layer(G, rng.uniform(0.1, 2), -m1))
        first = int(rng.integers(2))
    for _ in range(int(rng.integers(1, 4))):  # N/N nodes
        layers.append(ss.Layer(N if rng.random() < 0.5 else M, rng.uniform(0.1, 3)))
    second = len(layers)
    # F2 at angle theta from m1 (about an axis normal to m1)
    helper = np.eye(3)[np.argmin(np.abs(m1))]
    n = np.cross(m1, helper)
    n /= np.linalg.norm(n)
    t = np.deg2rad(np.asarray(theta, dtype=float))[..., None]
    m2 = np.cos(t) * m1 + np.sin(t) * np.cross(n, m1)
    layers.append(ss.Layer(ss.Ferromagnet("F2", 1.5, np.array(rng.uniform(0.1, 0.9)), 3.0), rng.uniform(0.1, 3), m2))
    if extra_magnets and rng.random() < 0.5:
        layers.append(ss.Layer(N, rng.uniform(0.1, 3)))
        layers.append(ss.Layer(G, 1.0, [1.0, 0.0, 0.0]))
    left_m = m1 if first == 0 else -m1
    right_m = layers[-1].magnetization if layers[-1].is_ferromagnet else [0.0, 1.0, 0.0]
    return ss.Stack(layers, left=ENDS[left](left_m), right=ENDS[right](right_m)), first, second


def compare(arrays, first, second):
    fast = solution_module._efficiency_compiled(arrays, first, second)
    reference = _efficiency(arrays, solve_nodes(arrays), first, second)
    sine = np.abs(np.sin(reference.theta))
    np.testing.assert_array_equal(fast.theta, reference.theta)
    for name in ("g1", "g2", "g1_field", "g2_field"):
        a, b = getattr(fast, name), getattr(reference, name)
        assert a.shape == b.shape == arrays.batch_shape
        scale = max(1.0, float(np.abs(b).max()))
        # both routes keep eps / sin theta near collinearity (torque vectors); away from it 1e-14
        tolerance = 1e-14 * scale / np.maximum(np.minimum(sine / 0.3, 1.0), 1e-6)
        assert np.all(np.abs(a - b) <= tolerance), (name, np.abs(a - b).max())


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "Ninf"), ("Ninf", "reservoir")])
@pytest.mark.parametrize("seed", range(4))
def test_efficiency_kernel_equals_numpy(seed, ends):
    rng = np.random.default_rng(seed)
    theta = np.concatenate([[0.0, 180.0, 1e-7, 179.9999999, 1e-3, 10.0, 90.0], rng.uniform(0, 180, 50)])
    stack, first, second = random_stack(rng, theta, *ends)
    arrays = stack_arrays(stack)
    assert kernels.efficiency_applies(arrays)
    compare(arrays, first, second)


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "reservoir")])
@pytest.mark.parametrize("lanes", [1, 2, 3])  # batches of 1, 2 and 3 blocks + a ragged remainder
def test_rail_only_chains_take_the_vectorised_kernel(lanes, ends, monkeypatch):
    """F1/N/F2 with varying p, d and angle: every active node on a rail (the scalar kernel)."""
    rng = np.random.default_rng(lanes)
    size = lanes * kernels._LANES * kernels._BLOCKS_PER_CHUNK // 8 + 37
    theta = np.concatenate([[0.0, 180.0, 1e-7, 90.0], rng.uniform(0, 180, size - 4)])
    F1 = ss.Ferromagnet("F1", 1.0, rng.uniform(-0.9, 0.9, size), 2.0)
    F2 = ss.Ferromagnet("F2", 1.5, 0.4, np.inf)
    stack = ss.Stack([ss.Layer(F1, rng.uniform(0.1, 3, size), [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(theta))],
                     left=ENDS[ends[0]]([0, 0, 1]), right=ENDS[ends[1]](ss.polar(theta)))
    arrays = stack_arrays(stack)
    dims, _ = kernels.node_bases(arrays)
    assert not np.any(dims == 3)
    called = []
    original = kernels._efficiency_axes_loop
    monkeypatch.setattr(kernels, "_efficiency_axes_loop", lambda *a: called.append(1) or original(*a))
    compare(arrays, 0, 2)
    assert called


def test_efficiency_kernel_batched_shapes_and_varying_parameters():
    rng = np.random.default_rng(11)
    theta = np.linspace(0.0, 180.0, 7)[:, None]
    stack, first, second = random_stack(rng, theta, "N", "F", extra_magnets=False)
    p = np.linspace(-0.9, 0.9, 5)
    thickness = np.linspace(0.5, 2.0, 5)
    layers = list(stack.layers)
    layers[first] = ss.Layer(ss.Ferromagnet("F1", 1.0, p, 2.0), thickness, layers[first].magnetization)
    stack = ss.Stack(layers, left=stack.left, right=stack.right)
    arrays = stack_arrays(stack)
    assert arrays.batch_shape == (7, 5)
    compare(arrays, first, second)
    # a single configuration (batch shape ())
    single, first, second = random_stack(rng, 35.0, "reservoir", "N")
    compare(stack_arrays(single), first, second)


def test_solution_efficiency_uses_the_kernel_and_keeps_the_numpy_path_for_interfaces():
    rng = np.random.default_rng(3)
    stack, first, second = random_stack(rng, np.linspace(0, 180, 9), "N", "N", extra_magnets=False)
    assert kernels.efficiency_applies(stack_arrays(stack))
    with_interface = ss.Stack(stack.layers, left=stack.left, right=stack.right,
                              interfaces=[ss.Interface(second, 2.0, 1.0, [1.0, 0.2])])
    arrays = stack_arrays(with_interface)
    assert not kernels.efficiency_applies(arrays)
    values = ss.solve(with_interface).efficiency()
    reference = _efficiency(arrays, solve_nodes(arrays), first, second)
    np.testing.assert_array_equal(values.g2, reference.g2)


def evaluate_profile(solution, x, backend=None):
    """mu_s, j_s, mu_0 of ``solution`` at the flat ``x`` by :func:`spinstack.solver.profile.profile`."""
    potentials = node_potentials(solution.arrays, solution.current, solution.accumulation, solution.accumulation_right,
                                 solution.per_unit_current, solution.field_driven)
    return profile(solution.arrays, x, solution.current, solution.accumulation, solution.accumulation_right,
                   *potentials, spin_hall=solution.field_driven is not None, backend=backend)


def profile_reference(solution, x):
    return evaluate_profile(solution, x, backend="numpy")


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "Ninf"), ("Ninf", "reservoir")])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("interface", [False, True])
def test_profile_kernel_equals_numpy(seed, ends, interface):
    rng = np.random.default_rng(seed)
    stack, first, second = random_stack(rng, rng.uniform(0, 180), *ends)
    interfaces = [ss.Interface(second, 2.0, 1.0, [1.0, 0.2])] if interface else []
    stack = ss.Stack(stack.layers, left=stack.left, right=stack.right, interfaces=interfaces, current=-1.7)
    solution = ss.solve(stack)
    nodes_x = solution.node_positions
    x = np.concatenate([nodes_x, np.linspace(-5, nodes_x[-1] + 5, 2001), rng.uniform(-3, nodes_x[-1] + 3, 500)])
    fast = evaluate_profile(solution, x, backend="compiled")
    reference = profile_reference(solution, x)
    assert kernels.profile_applies(solution.arrays, solution.per_unit_current.accumulation, solution.current)
    for a, b in zip(fast, reference):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14 * max(1.0, np.abs(b).max()))
    # the public API: shapes of x kept
    grid = x[:12].reshape(3, 4)
    assert solution.spin_accumulation(grid).shape == (3, 4, 3)
    assert solution.electrochemical_potential(grid).shape == (3, 4)


def test_profile_values_kept_between_calls_are_fresh_and_follow_x():
    rng = np.random.default_rng(5)
    stack, _, _ = random_stack(rng, 60.0, "N", "F")
    solution = ss.solve(stack)
    x = np.linspace(-2, solution.node_positions[-1] + 2, 101)
    mu = solution.spin_accumulation(x)
    js = solution.spin_current(x)  # kept from the first pass
    reference = profile_reference(solution, x)
    np.testing.assert_allclose(js, reference[1], rtol=0, atol=1e-14 * np.abs(reference[1]).max())
    again = solution.spin_accumulation(x)
    assert again is not mu and np.array_equal(again, mu)
    mu[:] = 0.0  # a caller's writes do not reach later results
    assert np.array_equal(solution.spin_accumulation(x), again)
    x += 0.5  # new positions in the same array: recomputed
    shifted = profile_reference(solution, x)
    np.testing.assert_allclose(solution.spin_current(x), shifted[1], rtol=0, atol=1e-14 * np.abs(shifted[1]).max())
    np.testing.assert_allclose(solution.electrochemical_potential(x), shifted[2], rtol=0,
                               atol=1e-14 * np.abs(shifted[2]).max())
