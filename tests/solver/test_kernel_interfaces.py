"""The chain kernel with resistive interfaces (MODEL.md 3b): batches over blocks and chunks, interface parameters
that vary over the batch, the prepared stack's compiled route, and what the kernel leaves to the numpy backend."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import finalize, stack_arrays
from spinstack.solver import kernels, resistance_area, solve_nodes
from spinstack.solver.efficiency import efficiency as efficiency_of
from spinstack.solver.efficiency import from_solution
from tests.solver.test_conformance import assert_conforms

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed")

Co = ss.Ferromagnet("Co", 1.0, 0.5, 3.0)
Py = ss.Ferromagnet("Py", 0.6, 0.7, 0.8)
Cu = ss.Normal("Cu", 4.0, 20.0)


def valve(m2, *, left=None, right=None, g=(4.0, 1.5), mixing=(1.2, 0.4), delta=0.0, interfaces=(0, 1, 2, 3),
          spacer=(Cu, 2.0)) -> ss.Stack:
    """Cu lead / Co / Cu / Py / Cu lead (the shape of examples/co-cu-py.toml) with an interface at ``interfaces``
    (complex g_mix: a field-like torque); any parameter may be an array over a batch."""
    layers = [ss.Layer(Co, 1.5, [0.0, 0.0, 1.0]), ss.Layer(spacer[0], spacer[1]), ss.Layer(Py, 0.7, m2)]
    return ss.Stack(layers, left=ss.Lead(Cu) if left is None else left, right=ss.Lead(Cu) if right is None else right,
                    interfaces=[ss.Interface(k, g[0], g[1], np.stack(np.broadcast_arrays(*mixing), axis=-1), delta)
                                for k in interfaces])


def directions(rng, size):
    m = rng.normal(size=(size, 3))
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def assert_compiled_conforms(stack: ss.Stack, serial=None) -> None:
    arrays = stack_arrays(stack)
    assert kernels.refusal(arrays) is None
    reference = solve_nodes(arrays, backend="numpy")
    unit = solve_nodes(arrays, backend="compiled")
    assert_conforms(unit, reference, arrays, 1e-12, "current", "compiled")
    if serial is not None:  # the same numbers on the calling thread and in parallel chunks
        table = kernels.Table(arrays)
        one = kernels.run(table, torque=True, accumulation=True, resistance=True, serial=True)
        other = kernels.run(table, torque=True, accumulation=True, resistance=True, serial=False)
        for name in one:
            np.testing.assert_array_equal(one[name], other[name])


@pytest.mark.parametrize("size", [1, 255, 256, 257, kernels.SERIAL_BELOW + 129])
def test_a_batch_of_magnetizations_over_blocks_and_chunks(size, monkeypatch):
    monkeypatch.setattr(kernels, "_parallel_cold", [False])  # in parallel from SERIAL_BELOW on, even on a cold cache
    assert_compiled_conforms(valve(directions(np.random.default_rng(size), size)), serial=size > 1)


@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("F", "N"), ("N", "F")])
def test_interfaces_beside_every_end_and_every_contact(ends):
    """Interfaces at reservoirs, at F leads, at an F/F contact and at an N/N node, with spin memory loss."""
    rng = np.random.default_rng(3)
    m = directions(rng, 40)
    end = {"reservoir": ss.Reservoir(), "N": ss.Lead(Cu), "F": ss.Lead(Co, [0.0, 0.0, 1.0])}
    layers = [ss.Layer(Co, 1.5, [0.0, 0.0, 1.0]), ss.Layer(Py, 0.5, [0.0, 0.0, -1.0]), ss.Layer(Cu, 1.0),
              ss.Layer(ss.Normal("Ag", 2.0, 5.0), 0.8), ss.Layer(Py, 0.7, m)]
    left, right = end[ends[0]], end[ends[1]] if ends[1] != "F" else ss.Lead(Py, m)
    magnetic = [isinstance(left, ss.Lead) and left.magnetization is not None, True, True, False, False, True,
                isinstance(right, ss.Lead) and right.magnetization is not None]
    interfaces = []
    for k in range(6):  # g_mix at N/F contacts only; g_up = g_dn at N/N
        count = magnetic[k] + magnetic[k + 1]
        interfaces.append(ss.Interface(k, 3.0 + k, 1.0 + 0.5 * k if count else 3.0 + k,
                                       [1.0 + 0.1 * k, 0.3 - 0.2 * k] if count == 1 else None, 0.1 * k))
    assert_compiled_conforms(ss.Stack(layers, left=left, right=right, interfaces=interfaces))


@pytest.mark.parametrize("parameter", ["g", "mixing", "delta", "spacer"])
def test_interface_parameters_that_vary_over_the_batch(parameter):
    rng = np.random.default_rng(5)
    size = 300
    values = {"g": dict(g=(rng.uniform(0.5, 20.0, size), rng.uniform(0.2, 5.0, size))),
              "mixing": dict(mixing=(rng.uniform(0.0, 5.0, size), rng.uniform(-2.0, 2.0, size))),
              "delta": dict(delta=rng.uniform(0.0, 2.0, size)),
              "spacer": dict(spacer=(Cu, rng.uniform(0.5, 30.0, size)))}[parameter]
    assert_compiled_conforms(valve(directions(rng, size), **values))


def test_prepared_torques_and_solve_of_an_interface_stack_are_those_of_solve():
    """The prepared stack takes the kernel for one configuration and for a batch of magnetizations."""
    stack = ss.load_stack("examples/co-cu-py.toml")
    prepared = finalize(stack)
    assert prepared.compiled
    rng = np.random.default_rng(7)
    m = np.stack([directions(rng, 5), directions(rng, 5)], axis=-2)  # (5, 2, 3)
    torque = prepared.torques(m)
    outputs = prepared.solve(m)
    for index in range(5):
        layers = list(stack.layers)
        for position, layer in enumerate(prepared.ferromagnets):
            layers[layer] = ss.Layer(layers[layer].material, layers[layer].thickness, m[index, position])
        reference = ss.solve(ss.Stack(layers, left=stack.left, right=stack.right, current=stack.current,
                                      interfaces=stack.interfaces, units=stack.units))
        for value, expected in ((torque[index], reference.torque), (outputs.torque[index], reference.torque),
                                (outputs.accumulation[index], reference.accumulation)):
            np.testing.assert_allclose(value, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
        assert outputs.resistance_area[index] == pytest.approx(float(reference.resistance_area), rel=1e-13)


def test_efficiencies_with_interfaces_equal_the_numpy_backends():
    theta = np.linspace(0.0, 180.0, 37)
    arrays = stack_arrays(valve(ss.polar(theta, 0.0)))
    fast = efficiency_of(arrays, 0, 2, backend="compiled")
    reference = from_solution(arrays, solve_nodes(arrays, backend="numpy"), 0, 2)
    for name in ("g1", "g2", "g1_field", "g2_field"):
        a, b = getattr(fast, name), getattr(reference, name)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * np.abs(b).max())
    assert np.abs(reference.g2_field).max() > 1e-3  # Im g_mix: a field-like torque, taken


def test_prepared_efficiency_of_an_interface_stack_turns_m2_with_its_interfaces():
    """The rotation route (m2 turned in the kernel): the interfaces on F2's rail turn with it."""
    theta = np.array([0.0, 5.0, 60.0, 90.0, 135.0, 175.0, 180.0])
    prepared = finalize(valve(ss.polar(90.0, 0.0)))  # m1 = z, m2 = x: m2(theta) = polar(theta, 0)
    assert prepared.compiled
    found = prepared.efficiency(theta)
    reference = efficiency_of(stack_arrays(valve(ss.polar(theta, 0.0))), 0, 2, backend="numpy")
    for name in ("g1", "g2", "g1_field", "g2_field"):
        a, b = getattr(found, name), getattr(reference, name)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * np.abs(b).max())


def test_resistance_area_counts_the_interfaces():
    arrays = stack_arrays(valve(ss.polar(np.array([0.0, 60.0, 180.0]), 0.0)))
    for value, expected in zip(resistance_area(arrays, solve_nodes(arrays, backend="compiled")),
                               resistance_area(arrays, solve_nodes(arrays, backend="numpy"))):
        np.testing.assert_allclose(value, expected, rtol=1e-13)


@pytest.mark.parametrize("stack, drive, reason", [
    (valve([1.0, 0.0, 0.0], g=(np.inf, np.inf)), "current", "g = inf or g_mix = inf"),
    (valve([1.0, 0.0, 0.0], mixing=(np.inf, 0.0)), "current", "g = inf or g_mix = inf"),
    (valve([1.0, 0.0, 0.0], right=ss.Lead(ss.Normal("Cuinf", 4.0, np.inf))), "current", "no l = inf layer or lead"),
    (ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, 1.5, theta_SH=0.1), 3.0), ss.Layer(Py, 1.0, [0, 0, 1])],
              interfaces=[ss.Interface(1, 2.0, 1.0, [1.0, 0.0])], field=[0.0, 0.5, 0.0], current=0.0), "field",
     "the current drive only"),
    # a thin spacer (Gc ~ D / 2d = 2e3) behind an F | N interface with g_mix = 0.01: ~eps x 2e5 lost in a plain step
    (valve([1.0, 0.0, 0.0], mixing=(0.01, 0.0), spacer=(Cu, 1e-3)), "current", "passes on to it"),
])
def test_what_the_kernel_leaves_to_the_numpy_backend(stack, drive, reason):
    arrays = stack_arrays(stack)
    assert reason in kernels.refusal(arrays, drive)
    solve_nodes(arrays, drive, backend="numpy")  # (which takes it)
