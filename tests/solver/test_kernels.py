"""The compiled kernels (solver/kernels.py) agree with the numpy paths to round-off."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import stack_arrays
from spinstack.solver import applicable_backends, kernels, resistance_area, solve_nodes
from spinstack.solver.efficiency import efficiency as efficiency_of
from spinstack.solver.efficiency import from_solution
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
    fast = efficiency_of(arrays, first, second, backend="compiled")
    reference = from_solution(arrays, solve_nodes(arrays, backend="numpy"), first, second)
    sine = np.abs(np.sin(reference.theta))
    np.testing.assert_array_equal(fast.theta, reference.theta)
    for name in ("g1", "g2", "g1_field", "g2_field"):
        a, b = getattr(fast, name), getattr(reference, name)
        assert a.shape == b.shape == arrays.batch_shape
        scale = max(1.0, float(np.abs(b).max()))
        # both routes keep eps / sin theta near collinearity (torque vectors); away from it 1e-14
        tolerance = 1e-14 * scale / np.maximum(np.minimum(sine / 0.3, 1.0), 1e-6)
        assert np.all(np.abs(a - b) <= tolerance), (name, np.abs(a - b).max())


def compare_outputs(arrays, serial=None):
    """Torques, node values and the spin part of r of the chain kernel against the numpy backend."""
    found = kernels.run(kernels.Table(arrays), torque=True, accumulation=True, resistance=True, serial=serial)
    reference = solve_nodes(arrays, backend="numpy")
    shape = arrays.batch_shape
    n = len(arrays.layers)
    for name, value, expected in (("torque", found["torque"].reshape(shape + (n, 3)), reference.torque),
                                  ("accumulation", found["accumulation"].reshape(shape + (n + 1, 3)),
                                   reference.accumulation),
                                  ("spin_resistance", found["spin_resistance"].reshape(shape),
                                   resistance_area(arrays, reference)[1])):
        expected = np.broadcast_to(expected, value.shape)
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(value, expected, rtol=0, atol=1e-13 * scale, err_msg=name)
    return found


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "Ninf"), ("Ninf", "reservoir")])
@pytest.mark.parametrize("seed", range(4))
def test_efficiency_kernel_equals_numpy(seed, ends):
    rng = np.random.default_rng(seed)
    theta = np.concatenate([[0.0, 180.0, 1e-7, 179.9999999, 1e-3, 10.0, 90.0], rng.uniform(0, 180, 50)])
    stack, first, second = random_stack(rng, theta, *ends)
    arrays = stack_arrays(stack)
    assert kernels.applies(arrays)
    compare(arrays, first, second)
    compare_outputs(arrays)


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "reservoir")])
@pytest.mark.parametrize("size", [1, 63, 64, 65, kernels.SERIAL_BELOW + 129])
def test_rail_only_chains_over_blocks_and_chunks(size, ends, monkeypatch):
    """F1/N/F2 with varying p, d and angle: every active node on a rail (the scalar system), batches that
    end inside and at the edge of a block, and one run in parallel chunks."""
    monkeypatch.setattr(kernels, "_parallel_cold", [False])  # in parallel from SERIAL_BELOW on, even on a cold cache
    rng = np.random.default_rng(size)
    theta = np.concatenate([[0.0, 180.0, 1e-7, 90.0], rng.uniform(0, 180, size)])[:size]
    F1 = ss.Ferromagnet("F1", 1.0, rng.uniform(-0.9, 0.9, size), 2.0)
    F2 = ss.Ferromagnet("F2", 1.5, 0.4, np.inf)
    stack = ss.Stack([ss.Layer(F1, rng.uniform(0.1, 3, size), [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(theta))],
                     left=ENDS[ends[0]]([0, 0, 1]), right=ENDS[ends[1]](ss.polar(theta)))
    arrays = stack_arrays(stack)
    dims, _ = kernels.node_bases(arrays)
    assert not np.any(dims == 3)
    compare(arrays, 0, 2)
    compare_outputs(arrays)


def test_serial_and_parallel_kernels_are_identical():
    rng = np.random.default_rng(8)
    theta = rng.uniform(0, 180, 3 * kernels.SERIAL_BELOW + 17)
    for ends in (("reservoir", "reservoir"), ("N", "F")):
        stack, first, second = random_stack(rng, theta, *ends)
        table = kernels.Table(stack_arrays(stack))
        serial = kernels.run(table, pair=(first, second), torque=True, accumulation=True, resistance=True, serial=True)
        parallel = kernels.run(table, pair=(first, second), torque=True, accumulation=True, resistance=True,
                               serial=False)
        for name in ("torque", "accumulation", "spin_resistance", "degenerate"):
            np.testing.assert_array_equal(serial[name], parallel[name], err_msg=name)
        for a, b in zip(serial["efficiency"], parallel["efficiency"]):
            np.testing.assert_array_equal(a, b)


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
    compare_outputs(arrays)
    # a single configuration (batch shape ())
    single, first, second = random_stack(rng, 35.0, "reservoir", "N")
    compare(stack_arrays(single), first, second)
    compare_outputs(stack_arrays(single))


def test_compiled_backend_read_out_equals_numpy():
    """The "compiled" backend's ChainSolution: faces, lead currents, deposits from its node values."""
    rng = np.random.default_rng(4)
    stack, _, _ = random_stack(rng, np.linspace(0.0, 180.0, 9), "N", "F")
    arrays = stack_arrays(stack)
    assert "compiled" in applicable_backends(arrays)
    fast, reference = solve_nodes(arrays, backend="compiled"), solve_nodes(arrays, backend="numpy")
    for name in ("accumulation", "accumulation_right", "spin_current_left", "spin_current_right", "lead_current_left",
                 "lead_current_right", "deposit", "torque"):
        a, b = getattr(fast, name), getattr(reference, name)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * max(1.0, np.abs(b).max()), err_msg=name)
    for k in range(len(arrays.layers) + 1):
        np.testing.assert_allclose(fast.deposit_at(k), reference.deposit_at(k), rtol=0, atol=1e-13)


def test_solution_efficiency_uses_the_kernel_and_keeps_the_numpy_path_for_interfaces():
    rng = np.random.default_rng(3)
    stack, first, second = random_stack(rng, np.linspace(0, 180, 9), "N", "N", extra_magnets=False)
    assert kernels.applies(stack_arrays(stack))
    with_interface = ss.Stack(stack.layers, left=stack.left, right=stack.right,
                              interfaces=[ss.Interface(second, 2.0, 1.0, [1.0, 0.2])])
    arrays = stack_arrays(with_interface)
    assert not kernels.applies(arrays)
    values = ss.solve(with_interface).efficiency()
    reference = from_solution(arrays, solve_nodes(arrays), first, second)
    np.testing.assert_array_equal(values.g2, reference.g2)


def test_angles_in_degrees_turn_exactly():
    """The kernel's cos and sin of an angle in degrees: exact at multiples of 90, within 2 ulp of numpy's
    cos(deg2rad) elsewhere (the reduction to +-45 degrees is exact)."""
    degrees = np.concatenate([np.arange(-720.0, 721.0, 90.0), np.linspace(-400.0, 400.0, 20001), [1e-300, 45.0, 1e-7]])
    values = np.array([kernels._cos_sin_degrees(t) for t in degrees])
    exact = np.round(degrees / 90.0) * 90.0 == degrees
    quadrant = (np.round(degrees / 90.0) % 4).astype(int)
    assert np.array_equal(values[exact, 0], np.array([1.0, 0.0, -1.0, 0.0])[quadrant[exact]])
    assert np.array_equal(values[exact, 1], np.array([0.0, 1.0, 0.0, -1.0])[quadrant[exact]])
    radians = np.deg2rad(degrees)
    # numpy's argument carries the rounding of deg2rad (up to ulp(radians)); the kernel's does not
    tolerance = 2 * np.spacing(np.maximum(np.abs(radians), 1.0))
    assert np.all(np.abs(values[:, 0] - np.cos(radians)) <= tolerance)
    assert np.all(np.abs(values[:, 1] - np.sin(radians)) <= tolerance)


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


@pytest.mark.parametrize("ends", [("open", "open"), ("open", "reservoir"), ("lead", "open")])
def test_field_drive_by_the_chain_equals_numpy(ends):
    """Pt/F/N under the in-plane field (MODEL.md 8b): open ends, a spin Hall lead, a batch of magnetizations."""
    Pt = ss.Normal("Pt", 2.0, 1.4, 0.19)
    sides = {"open": ss.Open(), "reservoir": ss.Reservoir(), "lead": ss.Lead(ss.Normal("W", 1.0, 2.0, -0.3))}
    m = ss.polar(np.linspace(0.0, 180.0, 37), 30.0)
    stack = ss.Stack([ss.Layer(Pt, 3.0), ss.Layer(ss.Ferromagnet("F", 1.0, 0.4, 5.0), 1.5, m), ss.Layer(N, 4.0)],
                     left=sides[ends[0]], right=sides[ends[1]], current=0.0, field=[0.0, 1.0, 0.3])
    arrays = stack_arrays(stack)
    assert "compiled" in applicable_backends(arrays, "field")
    fast, reference = solve_nodes(arrays, "field", backend="compiled"), solve_nodes(arrays, "field", backend="numpy")
    for name in ("accumulation", "torque", "spin_current_left", "spin_current_right", "lead_current_left",
                 "lead_current_right", "deposit"):
        a, b = getattr(fast, name), getattr(reference, name)
        if b is None:
            assert a is None
            continue
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * max(1.0, np.abs(b).max()), err_msg=name)
    # spin-orbit torques of the Solution (the compiled backend is the automatic choice for the batch)
    fast, reference = ss.solve(stack).spin_orbit_torque, ss.solve(stack, backend="numpy").spin_orbit_torque
    scale = max(np.nanmax(np.abs(value)) for value in reference)  # (tau_FL vanishes here: compared on tau_DL's scale)
    for a, b in zip(fast, reference):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * scale)


def test_field_drive_refuses_thin_layers_beside_open_ends():
    """Nothing anchors an open stack: a thin layer's Gc - Gs cancels in the plain elimination (the numpy
    backend's thin steps keep it), so the chain refuses it; and insulator ends (3x3 sinks) altogether."""
    Pt = ss.Normal("Pt", 2.0, 1.4, 0.19)
    thin = ss.Stack([ss.Layer(Pt, np.array([3.0, 0.1]))], left=ss.Open(), right=ss.Open(), current=0.0,
                    field=[0.0, 1.0, 0.0])
    assert applicable_backends(stack_arrays(thin), "field") == ["numpy"]
    insulator = ss.Stack([ss.Layer(Pt, np.array([3.0, 4.0]))], left=ss.Open(),
                         right=ss.Insulator([0, 0, 1], [1.0, 0.1], 0.2), current=0.0, field=[0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="not insulator ends"):
        solve_nodes(stack_arrays(insulator), "field", backend="compiled")
