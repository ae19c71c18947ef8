"""The chain kernel's solve for the free layers alone (kernels.free_plan, _free_prepare, _free_torques: the fixed part
of the chain eliminated once, then per evaluation only what the free magnetizations reach) against the whole chain
solved by kernels.run, for free layers at the ends, in the middle, two of them, F leads that follow a free layer,
reservoirs, resistive interfaces at F/N and N/N contacts, with a field-like part (complex g_mix)."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import finalize
from spinstack.solver import kernels

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed")

Co = ss.Ferromagnet("Co", 1.0, 0.5, 3.0)
Py = ss.Ferromagnet("Py", 0.6, 0.7, 0.8)
Cu = ss.Normal("Cu", 4.0, 20.0)
Ag = ss.Normal("Ag", 2.0, 5.0)
Z = [0.0, 0.0, 1.0]
X = [1.0, 0.0, 0.0]


def directions(rng, shape):
    m = rng.normal(size=shape + (3,))
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def interfaces_at(nodes, magnetic):
    """A resistive interface at each node (g_mix, complex, at an F/N contact only; g_up = g_dn at N/N)."""
    found = []
    for k in nodes:
        count = magnetic[k] + magnetic[k + 1]
        found.append(ss.Interface(k, 3.0 + k, 1.0 + 0.5 * k if count else 3.0 + k,
                                  [1.0 + 0.1 * k, 0.3 - 0.2 * k] if count == 1 else None, 0.05 * k))
    return found


def valve(interfaces=(0, 1, 2, 3)):
    """Cu lead / Co / Cu / Py / Cu lead (examples/co-cu-py.toml's shape)."""
    return ss.Stack([ss.Layer(Co, 1.5, Z), ss.Layer(Cu, 2.0), ss.Layer(Py, 0.7, X)], left=ss.Lead(Cu),
                    right=ss.Lead(Cu), interfaces=interfaces_at(interfaces, [False, True, False, True, False]))


def five(interfaces=(1, 2, 3, 4), left=None, right=None):
    """Reservoir / Co / Cu / Py / Ag / Co / reservoir: F layers at both ends and in the middle."""
    layers = [ss.Layer(Co, 1.5, Z), ss.Layer(Cu, 1.0), ss.Layer(Py, 0.6, X), ss.Layer(Ag, 0.8),
              ss.Layer(Co, 2.0, [0, 1, 0])]
    left = ss.Reservoir() if left is None else left
    right = ss.Reservoir() if right is None else right
    magnetic = [isinstance(left, ss.Lead) and left.magnetization is not None, True, False, True, False, True,
                isinstance(right, ss.Lead) and right.magnetization is not None]
    return ss.Stack(layers, left=left, right=right, interfaces=interfaces_at(interfaces, magnetic))


def solve_both(stack, free, size=300, seed=0):
    """(the free layers' torques per unit current by _free_torques, by kernels.run of the whole chain, the plan) for
    ``size`` random directions of the free layers, the other F layers at the stack's own m."""
    prepared = finalize(stack)
    table = prepared._by_magnetizations
    free_rows = np.array([prepared.ferromagnets.index(layer) for layer in free], dtype=np.int64)
    plan = kernels.free_plan(table, np.array(free, dtype=np.int64), free_rows)
    # (n_F, 3): every F layer's own m, in the rows of the table's mvary
    fixed = np.array([np.asarray(prepared.arrays.layers[q].m, dtype=float).reshape(3) for q in prepared.ferromagnets])
    unit = np.ascontiguousarray(directions(np.random.default_rng(seed), (size, len(free))))
    mvary = np.repeat(fixed[None], size, axis=0)
    mvary[:, free_rows] = unit
    whole = kernels.run(table, mvary=np.ascontiguousarray(mvary), torque=True)["torque"][:, free]
    found = free_torques(table, plan, fixed, unit)
    return found, whole, plan, (table, fixed, unit)


def free_torques(table, plan, fixed, unit, width=None):
    size = unit.shape[0] if width is None else width
    work = kernels._free_prepare(size, table.structure, table.constants, fixed, plan["begin_node"])
    torques = np.full((size, unit.shape[1], 3), np.nan)
    kernels._free_torques(size, unit, table.structure, plan["moving"], plan["moving_values"], plan["free_links"],
                          plan["free_elements"], plan["begin_node"], plan["lowest"], work, torques)
    return torques


CASES = {
    "valve, free layer at the right end": (valve(), [2]),
    "valve, free layer at the left end": (valve(), [0]),
    "valve, both free": (valve(), [0, 2]),
    "valve without interfaces (rails)": (valve(()), [2]),
    "valve, interfaces at the free layer only": (valve((2, 3)), [2]),
    "five layers, free in the middle": (five(), [2]),
    "five layers, free in the middle, no interfaces": (five(()), [2]),
    "five layers, free at the right end": (five(), [4]),
    "five layers, two free": (five(), [0, 4]),
    "five layers, interfaces at every node": (five((0, 1, 2, 3, 4, 5)), [2]),
    "an F lead follows the free layer": (five((1, 2, 3, 4), right=ss.Lead(Co, [0, 1, 0])), [4]),
    "F leads, the free layer in the middle": (five((0, 2, 5), left=ss.Lead(Co, Z), right=ss.Lead(Py, [0, 1, 0])), [2]),
    "N leads, an N/N interface before the free layer": (five((3, 4), left=ss.Lead(Cu), right=ss.Lead(Ag)), [4]),
}


@pytest.mark.parametrize("case", CASES)
def test_the_free_layers_torques_are_those_of_the_whole_chain(case):
    stack, free = CASES[case]
    found, whole, plan, _ = solve_both(stack, free)
    assert np.all(np.isfinite(whole))
    scale = np.abs(whole).max()
    assert scale > 0
    difference = np.abs(found - whole).max()
    assert difference <= 1e-13 * scale, difference / scale


def test_the_fixed_part_is_eliminated_once():
    """With the free layer at the right end the steps of the fixed layers and their links are not repeated: the
    evaluation resumes at the node before the link on the free layer's left (node 4 of 8)."""
    _, _, plan, _ = solve_both(valve(), [2], size=4)
    assert plan["begin_node"] == 4
    _, _, plan, _ = solve_both(valve(), [0], size=4)
    assert plan["begin_node"] == 0  # nothing before the free layer at the left end


def test_a_configuration_does_not_depend_on_its_block_nor_on_the_previous_call():
    stack, free = CASES["five layers, two free"]
    found, _, plan, (table, fixed, unit) = solve_both(stack, free, size=40)
    # the first 7 configurations alone, in a narrower block: bit for bit
    np.testing.assert_array_equal(free_torques(table, plan, fixed, unit[:7].copy()), found[:7])
    # one work set used twice: the second call's numbers are its own (the fixed part's hand-over put back)
    size = 40
    work = kernels._free_prepare(size, table.structure, table.constants, fixed, plan["begin_node"])
    torques = np.empty((size, len(free), 3))
    arguments = (table.structure, plan["moving"], plan["moving_values"], plan["free_links"], plan["free_elements"],
                 plan["begin_node"], plan["lowest"], work, torques)
    other = np.ascontiguousarray(unit[::-1])
    kernels._free_torques(size, other, *arguments)
    kernels._free_torques(size, unit, *arguments)
    np.testing.assert_array_equal(torques, found)


def test_a_batched_stack_is_refused():
    """The plan is for one stack configuration (the compiled macrospin loop's: compiled.refusal says so)."""
    batched = ss.Stack([ss.Layer(Co, np.array([1.0, 1.5]), Z), ss.Layer(Cu, 2.0), ss.Layer(Py, 0.7, X)],
                       left=ss.Lead(Cu), right=ss.Lead(Cu))
    prepared = finalize(batched)
    table = kernels.Table(prepared.arrays)
    with pytest.raises(ValueError, match="one stack configuration"):
        kernels.free_plan(table, np.array([2]), np.array([1]))
