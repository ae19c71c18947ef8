"""The compiled elimination of one long stack with resistive interfaces (:mod:`spinstack.solver.linked`).

It runs the steps of the numpy backend (:mod:`spinstack.solver.elimination`) in one compiled loop: every output must
be the numpy path's to round-off, on stacks with every kind of node and interface, and the cost per
node must be of the order of the banded solve without interfaces (the numpy path took 23 s for 1e5
layers with an interface at every node, and the summary's GMR line two more solves of ~36 s).
"""

from __future__ import annotations


import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import stack_arrays
from spinstack.solver import applicable_backends, resistance_area, solve_nodes
from spinstack.solver.compiled import AVAILABLE
from spinstack.solver.readout import LayerwiseSolution

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="the compiled path needs numba")

OUTPUTS = ("accumulation", "accumulation_right", "spin_current_left", "spin_current_right", "deposit", "torque")


def random_stack(seed: int, thin: bool = True) -> ss.Stack:
    """9 to 14 layers (F/F and N/N nodes, thin and thick layers, l = inf), F or N leads (l = inf too) or
    reservoirs, and interfaces at ~70 % of the nodes: moderate, tiny, huge (1e6..1e30) and infinite g,
    spin memory loss (delta up to 5), g_mix from 0 to inf, at reservoir faces too."""
    rng = np.random.default_rng(seed)

    def direction():
        if rng.random() < 0.3:
            return [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 0, -1.0]][rng.integers(0, 4)]
        v = rng.normal(size=3)
        return list(v / np.linalg.norm(v))

    def length(p_inf=0.2):
        return np.inf if rng.random() < p_inf else float(rng.uniform(0.3, 10))

    while True:
        kinds = list(rng.choice(["F", "N"], size=int(rng.integers(9, 15))))
        layers = []
        for i, kind in enumerate(kinds):
            d = float(rng.choice([1e-3, 0.01, 0.5, 1.0, 3.0, 30.0] if thin else [0.5, 1.0, 3.0, 30.0]))
            if kind == "F":
                m = [float(rng.choice([1, -1])) * x for x in layers[-1].magnetization] \
                    if i and kinds[i - 1] == "F" else direction()
                material = ss.Ferromagnet(f"F{i}", float(rng.uniform(0.5, 3)), float(rng.uniform(-0.9, 0.9)), length())
                layers.append(ss.Layer(material, d, m))
            else:
                layers.append(ss.Layer(ss.Normal(f"N{i}", float(rng.uniform(0.5, 3)), length()), d))
        ends = []
        for name, neighbour in (("L", layers[0]), ("R", layers[-1])):
            r = rng.random()
            if r < 0.35:
                ends.append(ss.Reservoir())
            elif r < 0.7:
                ends.append(ss.Lead(ss.Normal(name, float(rng.uniform(0.5, 3)), length(0.3))))
            else:
                m = direction() if neighbour.magnetization is None else \
                    [float(rng.choice([1, -1])) * x for x in neighbour.magnetization]
                ends.append(ss.Lead(ss.Ferromagnet(name, float(rng.uniform(0.5, 3)), float(rng.uniform(-0.9, 0.9)),
                                                   length(0.3)), m))
        try:
            base = ss.Stack(layers, left=ends[0], right=ends[1])
        except ss.StackError:
            continue
        interfaces = []
        for node in range(len(layers) + 1):
            if rng.random() < 0.3:
                continue
            magnetic = sum(e is not None and e.magnetization is not None for e in base._neighbours(node))
            r = rng.random()
            g = np.inf if r < 0.1 else float(10 ** rng.uniform(6, 30)) if r < 0.2 else \
                float(10 ** rng.uniform(-3, -1)) if r < 0.3 else float(rng.uniform(0.1, 10))
            g_dn = g if np.isinf(g) or not magnetic else g * float(rng.uniform(0.3, 2))
            delta = 0.0 if np.isinf(g) else float(rng.choice([0.0, 0.0, 0.3, 5.0]))
            mixing = None
            if magnetic == 1:
                r = rng.random()
                if r < 0.1:
                    mixing = [np.inf, 0.0]
                elif r < 0.2:
                    mixing = [float(10 ** rng.uniform(6, 30)), float(rng.uniform(-2, 2))]
                else:
                    mixing = [float(rng.choice([0.0, rng.uniform(0, 5)])), float(rng.choice([0.0, rng.uniform(-2, 2)]))]
            interfaces.append(ss.Interface(node, g, g_dn, mixing, delta))
        try:
            return ss.Stack(layers, left=ends[0], right=ends[1], interfaces=interfaces)
        except ss.StackError:
            continue


def both(stack):
    """(automatic choice, numpy backend) unit solutions of one stack."""
    arrays = stack_arrays(stack)
    return solve_nodes(arrays), solve_nodes(arrays, backend="numpy")


@pytest.mark.parametrize("thin", [False, True], ids=["thick", "thin"])
def test_every_output_is_the_numpy_paths_to_round_off(thin):
    compiled_count = 0
    for seed in range(60):
        stack = random_stack(seed, thin)
        try:
            compiled, plain = both(stack)
        except ss.SpinstackError:  # refused (spin injected where nothing relaxes it): refused by both paths
            with pytest.raises(ss.SpinstackError):
                solve_nodes(stack_arrays(stack))
            continue
        assert "linked" in applicable_backends(stack_arrays(stack))
        compiled_count += isinstance(compiled, LayerwiseSolution)
        # round-off: eps times the largest two-port coefficient (D / 2d of a thin layer) times |mu|
        stiffness = max(1.0, max(float(layer.material.D) / (2 * float(layer.thickness)) for layer in stack.layers))
        scale = max(float(np.abs(plain.accumulation).max()), float(np.abs(plain.spin_current_left).max()))
        tolerance = 1e-12 * stiffness * scale
        for name in OUTPUTS:
            np.testing.assert_allclose(getattr(compiled, name), getattr(plain, name), rtol=0, atol=tolerance,
                                       err_msg=f"seed {seed}: {name}")
        for name in ("lead_current_left", "lead_current_right"):
            if getattr(plain, name) is None:
                assert getattr(compiled, name) is None
            else:
                np.testing.assert_allclose(getattr(compiled, name), getattr(plain, name), rtol=0, atol=tolerance)
        assert sorted(compiled.interface_currents) == sorted(plain.interface_currents)
        for node, (left, right) in plain.interface_currents.items():
            np.testing.assert_allclose(compiled.interface_currents[node][0], left, rtol=0, atol=tolerance)
            np.testing.assert_allclose(compiled.interface_currents[node][1], right, rtol=0, atol=tolerance)
        for node, axis in plain.interface_axes.items():
            if axis is None:
                assert compiled.interface_axes[node] is None
            else:
                np.testing.assert_allclose(compiled.interface_axes[node], axis, rtol=0, atol=1e-15)
        arrays = stack_arrays(stack)
        np.testing.assert_allclose(resistance_area(arrays, compiled), resistance_area(arrays, plain),
                                   rtol=1e-12, atol=tolerance)
    assert compiled_count >= 40  # most go through the compiled path (the rest: a direction nothing fixes)


def test_an_unfixed_direction_is_left_to_the_numpy_path():
    # an N lead with l = inf behind g_mix = 0: the kernel does not decide between an unfixed direction and a
    # tiny stiffness; the numpy backend does (see elimination._floats) and takes the limit l -> inf
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, np.inf)
    layers = [ss.Layer(F if k % 2 == 0 else N, 1.0, [0, k % 3, 1] if k % 2 == 0 else None) for k in range(11)]
    stack = ss.Stack(layers, right=ss.Lead(ss.Normal("NL", 3.0, np.inf)),
                     interfaces=[ss.Interface(11, 2.0, 1.0, [0.0, 0.0]), ss.Interface(3, 2.0, 1.0, [1.0, 0.2])])
    assert "linked" in applicable_backends(stack_arrays(stack))
    with pytest.raises(ValueError, match="'linked' gave up on this stack: a direction that nothing fixes"):
        solve_nodes(stack_arrays(stack), backend="linked")
    unit = solve_nodes(stack_arrays(stack))
    assert not isinstance(unit, LayerwiseSolution)
    assert np.isfinite(unit.accumulation).all() and np.isfinite(unit.torque).all()
    far = ss.solve(ss.Stack(layers, right=ss.Lead(ss.Normal("NL", 3.0, 1e12)), interfaces=stack.interfaces))
    np.testing.assert_allclose(unit.accumulation, far.accumulation, rtol=1e-9, atol=1e-12)


def periodic(n_layers: int, interfaces: bool) -> ss.Stack:
    """F / N / F / ... with three directions, an interface at every node (g_mix at every N/F one)."""
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    layers = [ss.Layer(F, 1.0, [0, k % 3, 1]) if k % 2 == 0 else ss.Layer(N, 1.0) for k in range(n_layers)]
    if not interfaces:
        return ss.Stack(layers)
    found = [ss.Interface(0, 2.0, 1.0)] + [ss.Interface(k, 2.0, 1.0, [1.0, 0.3]) for k in range(1, n_layers)]
    found.append(ss.Interface(n_layers, 2.0, 2.0) if n_layers % 2 == 0 else ss.Interface(n_layers, 2.0, 1.0))
    return ss.Stack(layers, interfaces=found)


def test_a_long_stack_with_interfaces_takes_the_compiled_elimination():
    """The numpy elimination costs ~100 numpy calls per node (2e4 layers with interfaces: 5.4 s); the compiled
    one takes 0.10 s.  The time is measured by benchmarks/solver.py (benchmark 6), not here (shared machine):
    this checks the route, which decides the cost."""
    unit = solve_nodes(stack_arrays(periodic(2000, True)))
    assert isinstance(unit, LayerwiseSolution)
    assert np.isfinite(unit.torque).all()
