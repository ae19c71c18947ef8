"""The banded all-layers backends (one long stack) agree with the numpy elimination, and are chosen for long stacks."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import stack_arrays
from spinstack.solver import applicable_backends, solve_nodes
from spinstack.solver.backends import LONG_STACK
from spinstack.solver.readout import LayerwiseSolution


def long_stack(rng, n_layers, left, right):
    F, G, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Ferromagnet("G", 2.0, -0.3, np.inf), ss.Normal("N", 3.0, 10.0)
    M = ss.Normal("M", 0.7, 0.4)
    layers, previous = [], None
    for i in range(n_layers):
        kind = rng.integers(4)
        if previous is None and kind in (0, 1):  # a new F after a normal metal: any direction
            m = ss.polar(rng.uniform(0, 180), rng.uniform(0, 360))
            layer = ss.Layer(F if kind == 0 else G, rng.uniform(1e-3, 5), m)
        elif kind == 1:  # an F touching the previous F: collinear
            layer = ss.Layer(G, rng.uniform(0.1, 2), previous * rng.choice([-1, 1]))
        else:
            layer = ss.Layer(N if kind == 2 else M, rng.uniform(1e-3, 5))
        previous = layer.magnetization
        layers.append(layer)
    ends = {"reservoir": ss.Reservoir(), "N": ss.Lead(N), "F": ss.Lead(F, [0, 0, 1])}
    spacer = [ss.Layer(N, 1.0)]
    return ss.Stack(spacer + layers + spacer, left=ends[left], right=ends[right])


@pytest.mark.parametrize("backend", ["banded-numba", "banded"])
@pytest.mark.parametrize("ends", [("reservoir", "reservoir"), ("N", "F"), ("F", "N"), ("reservoir", "N")])
@pytest.mark.parametrize("seed", range(3))
def test_banded_equals_elimination(seed, ends, backend):
    rng = np.random.default_rng(seed)
    arrays = stack_arrays(long_stack(rng, 60, *ends))
    if backend == "banded-numba" and backend not in applicable_backends(arrays):
        pytest.skip("numba is not installed")
    assert backend in applicable_backends(arrays)
    fast = solve_nodes(arrays, backend=backend)
    batched = solve_nodes(arrays.take(np.array([0])), backend="numpy")
    scale = np.abs(batched.accumulation).max()
    np.testing.assert_allclose(fast.accumulation, batched.accumulation[0], atol=1e-12 * scale)
    for name in ("spin_current_left", "spin_current_right", "deposit", "torque"):
        np.testing.assert_allclose(getattr(fast, name), getattr(batched, name)[0], atol=1e-12 * scale, err_msg=name)


def test_solve_uses_the_banded_path_for_long_single_stacks():
    stack = long_stack(np.random.default_rng(7), 30, "N", "N")
    assert len(stack.layers) > LONG_STACK
    solution = ss.solve(stack)
    assert isinstance(solution.per_unit_current, LayerwiseSolution)
    balance = solution.spin_current_in - solution.spin_current_out - solution.deposit.sum(0) - solution.spin_flip_loss.sum(0)
    np.testing.assert_allclose(balance, 0.0, atol=1e-12)


def test_stack_arrays_are_built_once_and_parameters_are_read_only():
    stack = long_stack(np.random.default_rng(3), 20, "N", "N")
    assert stack_arrays(stack) is stack_arrays(stack)
    with pytest.raises(ValueError, match="read-only"):
        stack.layers[1].thickness[...] = 2.0
