"""Structure edits (src/spinstack/model/edit.py): layers inserted, removed and replaced, interfaces set and
removed, ends replaced; node numbering of interfaces and dynamics couplings kept consistent; every result a
valid stack or a StackError naming the key."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.errors import StackError
from spinstack.io import dumps_stack, load_stack, stack_from_dict
from spinstack.model import edit
from tests.strategies import full_stacks, assert_same_stack as assert_same

ROOT = Path(__file__).resolve().parents[2]


def round_trip(stack: ss.Stack) -> ss.Stack:
    return stack_from_dict(tomllib.loads(dumps_stack(stack)), "edited.toml")


@pytest.fixture
def seed() -> ss.Stack:
    return load_stack(ROOT / "examples" / "seed-fnf.toml")


def spin_valve_with_interfaces() -> ss.Stack:
    """N lead | F1 | N | F2 | N lead, interfaces at nodes 0 (lead N / F1), 2 (N / F2) and 3 (F2 / N lead)."""
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
    N = ss.Normal("N", D=3.0, l=10.0)
    layers = [ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.0, [1, 0, 0])]
    interfaces = [ss.Interface.from_valet_fert(0, 0.5, 0.3, [1.0, 0.1]),
                  ss.Interface.from_valet_fert(2, 0.4, 0.2, [2.0, -0.2]),
                  ss.Interface.from_valet_fert(3, 0.6, 0.1, [3.0, 0.0])]
    return ss.Stack(layers, left=ss.Lead(N), right=ss.Lead(N), interfaces=interfaces)


# ------------------------------------------------------------------ layers
@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_a_layer_inserted_anywhere_and_removed_gives_the_stack_back(seed, index):
    spacer = ss.Layer(seed.layers[1].material, 0.7)
    inserted = edit.insert_layer(seed, index, spacer)
    assert len(inserted.layers) == 4
    assert inserted.layers[index] is spacer
    assert [layer.material.name for layer in inserted.layers if layer is not spacer] == ["F1", "N", "F2"]
    assert_same(edit.remove_layer(inserted, index), seed)
    assert seed.layers[1].thickness == 2.0 and len(seed.layers) == 3  # the stack given is unchanged


def test_inserting_splits_the_node_and_moves_the_later_interfaces_one_on():
    stack = spin_valve_with_interfaces()
    N = stack.layers[1].material
    # after F2, before the right lead (position 3): the F2 | lead interface stays on F2's right face (node 3),
    # the new layer's right face (node 4) is transparent
    appended = edit.insert_layer(stack, 3, ss.Layer(N, 0.5))
    assert [i.node for i in appended.interfaces] == [0, 2, 3]
    assert_same(edit.remove_layer(appended, 3), stack)
    # before F1 (position 0): the lead | F1 interface would stay on the lead's face, now lead N | new N, where
    # its mixing conductance is not used: refused (below); without it, the later interfaces move one on
    fewer = edit.remove_interface(stack, 0)
    inserted = edit.insert_layer(fewer, 0, ss.Layer(N, 0.5))
    assert [i.node for i in inserted.interfaces] == [3, 4]
    for moved, original in zip(inserted.interfaces, fewer.interfaces):
        np.testing.assert_array_equal(moved.g_up, original.g_up)
        np.testing.assert_array_equal(moved.g_mix, original.g_mix)
    assert_same(edit.remove_layer(inserted, 0), fewer)


def test_an_interface_that_would_not_fit_the_left_face_goes_to_the_right_face():
    stack = spin_valve_with_interfaces()
    N = stack.layers[1].material
    # an N layer inserted before F2 (position 2): on node 2 the N | F2 interface would sit between two N layers
    # (no spin asymmetry, no mixing conductance there); it goes to node 3, beside F2, still an N | F interface
    inserted = edit.insert_layer(stack, 2, ss.Layer(N, 0.5))
    assert [i.node for i in inserted.interfaces] == [0, 3, 4]
    np.testing.assert_array_equal(inserted.interfaces[1].g_mix, stack.interfaces[1].g_mix)
    assert_same(edit.remove_layer(inserted, 2), stack)


def test_an_interface_that_fits_neither_face_is_refused_naming_it_and_the_edit():
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
    N1, N2 = ss.Normal("N1", D=3.0, l=10.0), ss.Normal("N2", D=2.0, l=5.0)
    layers = [ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N1, 2.0), ss.Layer(N2, 1.0), ss.Layer(F, 1.0, [1, 0, 0])]
    stack = ss.Stack(layers, interfaces=[ss.Interface.from_valet_fert(2, 0.3, 0.0)])  # N1 | N2
    # an F layer between N1 and N2: N1 | F and F | N2 both need a mixing conductance, which an N/N interface lacks
    with pytest.raises(StackError) as caught:
        edit.insert_layer(stack, 2, ss.Layer(F, 0.5, [0, 1, 0]))
    assert str(caught.value) == ("interfaces[0].g_mix: missing: an N/F interface needs its mixing conductance "
                                 "[g_r, g_i] (inserting a layer at position 2)")


def test_a_layer_with_an_interface_on_both_faces_is_not_removed():
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
    N1, N2 = ss.Normal("N1", D=3.0, l=10.0), ss.Normal("N2", D=2.0, l=5.0)
    layers = [ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N1, 2.0), ss.Layer(N2, 1.0), ss.Layer(F, 1.0, [1, 0, 0])]
    stack = ss.Stack(layers, interfaces=[ss.Interface.from_valet_fert(2, 0.3, 0.0),
                                         ss.Interface.from_valet_fert(3, 0.5, 0.2, [1.0, 0.1])])
    with pytest.raises(StackError, match=r"layers\[2\]: both faces carry an interface \(nodes 2 and 3\)"):
        edit.remove_layer(stack, 2)
    # one of them removed first: the layer goes, and the other (N2 | F, now N1 | F) sits on the merged node 2
    removed = edit.remove_layer(edit.remove_interface(stack, 2), 2)
    assert [layer.material.name for layer in removed.layers] == ["F", "N1", "F"]
    assert [i.node for i in removed.interfaces] == [2]
    np.testing.assert_array_equal(removed.interfaces[0].g_mix, [1.0, 0.1])


def test_positions_outside_the_stack_are_refused(seed):
    layer = ss.Layer(seed.layers[1].material, 1.0)
    for index in (-1, 4):
        with pytest.raises(StackError, match=r"position must be from 0 to 3"):
            edit.insert_layer(seed, index, layer)
    with pytest.raises(StackError, match=r"position must be from 0 to 2"):
        edit.remove_layer(seed, 3)
    with pytest.raises(StackError, match=r"must be a Layer"):
        edit.insert_layer(seed, 0, "N")  # type: ignore[arg-type]
    with pytest.raises(StackError, match=r"must be an integer"):
        edit.remove_layer(seed, 1.0)  # type: ignore[arg-type]


def test_the_last_layer_between_reservoirs_is_not_removed():
    N = ss.Normal("N", D=1.0, l=1.0)
    stack = ss.Stack([ss.Layer(N, 1.0)])
    with pytest.raises(StackError, match=r"layers: empty.*\(removing layers\[0\]\)"):
        edit.remove_layer(stack, 0)


def test_replacing_a_layer_keeps_nodes_and_interfaces():
    stack = edit.set_interface(load_stack(ROOT / "examples" / "seed-fnf.toml"),
                               ss.Interface.from_valet_fert(2, 0.5, 0.2, [1.0, 0.5]))
    Cu = ss.Normal("Cu", D=5.0, l=20.0)
    replaced = edit.replace_layer(stack, 1, ss.Layer(Cu, 0.5))
    assert [layer.material.name for layer in replaced.layers] == ["F1", "Cu", "F2"]
    assert [i.node for i in replaced.interfaces] == [2]
    assert "N" not in replaced.materials and "Cu" in replaced.materials
    F1 = stack.layers[0].material
    with pytest.raises(StackError, match=r"layers\[1\]\.magnetization: ferromagnets layers\[0\] and layers\[1\] "
                                         r"touch but are not collinear.*\(replacing layers\[1\]\)"):
        edit.replace_layer(replaced.__class__(stack.layers), 1, ss.Layer(F1, 0.5, [0, 1, 0]))
    with pytest.raises(StackError, match=r"interfaces\[0\]\.g_mix: not used at an F/F interface.*\(replacing layers\[1\]\)"):
        edit.replace_layer(stack, 1, ss.Layer(F1, 0.5, [0, 0, 1]))


# ------------------------------------------------------------------ interfaces
def test_an_interface_is_set_replaced_and_removed(seed):
    first = edit.set_interface(seed, ss.Interface.from_valet_fert(1, 0.5, 0.2, [1.0, 0.5]))
    assert [i.node for i in first.interfaces] == [1]
    second = edit.set_interface(first, ss.Interface.from_valet_fert(1, 0.8, -0.1, [2.0, 0.0]))
    assert len(second.interfaces) == 1
    assert second.interfaces[0].gamma == pytest.approx(-0.1, abs=1e-15)
    both = edit.set_interface(second, ss.Interface.from_valet_fert(0, 0.3, 0.0))  # reservoir | F1: g_mix optional
    assert [i.node for i in both.interfaces] == [0, 1]
    assert_same(edit.remove_interface(edit.remove_interface(both, 0), 1), seed)
    with pytest.raises(StackError, match=r"no interface at node 2 to remove \(interfaces at nodes: 0, 1\)"):
        edit.remove_interface(both, 2)


def test_interfaces_that_do_not_fit_are_refused(seed):
    with pytest.raises(StackError, match=r"interfaces\[0\]\.g_mix: missing.*\(setting the interface at node 1\)"):
        edit.set_interface(seed, ss.Interface.from_valet_fert(1, 0.5, 0.2))  # N/F needs g_mix
    with pytest.raises(StackError, match=r"node must be from 0 to 3"):
        edit.set_interface(seed, ss.Interface.from_valet_fert(4, 0.5, 0.2))
    with pytest.raises(StackError, match=r"must be an Interface"):
        edit.set_interface(seed, 1)  # type: ignore[arg-type]


# ------------------------------------------------------------------ ends
def test_ends_are_replaced_and_refused_where_the_model_refuses(seed):
    N = seed.layers[1].material
    led = edit.set_end(seed, "left", ss.Lead(N))
    assert isinstance(led.left, ss.Lead) and led.left.material is N and isinstance(led.right, ss.Reservoir)
    assert_same(edit.set_end(led, "left", ss.Reservoir()), seed)
    with pytest.raises(StackError, match=r"current: must be 0.*\(setting the right end to a open\)"):
        edit.set_end(seed, "right", ss.Open())
    with pytest.raises(StackError, match=r"side must be 'left' or 'right'"):
        edit.set_end(seed, "top", ss.Reservoir())  # type: ignore[arg-type]


# ------------------------------------------------------------------ dynamics couplings
def test_the_couplings_follow_their_layers():
    stack = load_stack(ROOT / "examples" / "dynamics-oscillator.toml")
    F = stack.ferromagnet_indices
    coupled = dataclasses.replace(stack, dynamics=dataclasses.replace(
        stack.dynamics or ss.model.Dynamics(), couplings=[ss.model.ExchangeCoupling((F[0], F[1]), 1e-5)]))
    spacer = next(layer for layer in coupled.layers if not layer.is_ferromagnet)
    inserted = edit.insert_layer(coupled, F[0] + 1, spacer)  # right after the first F layer
    assert inserted.dynamics.couplings[0].layers == (F[0], F[1] + 1)
    assert_same(edit.remove_layer(inserted, F[0] + 1), coupled)
    with pytest.raises(StackError, match=rf"dynamics.coupling\[0\].layers: joins layers\[{F[0]}\]"):
        edit.remove_layer(coupled, F[0])


# ------------------------------------------------------------------ any stack (Hypothesis)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(stack=full_stacks(batched=False), data=st.data())
def test_insert_then_remove_gives_the_stack_back_and_every_result_is_valid_and_round_trips(stack, data):
    """Any stack of the strategy (both unit systems, every end kind, interfaces, dynamics couplings): a layer
    (one of the stack's own, or a copy with another thickness) inserted anywhere is either refused with a
    StackError naming the edit, or gives a valid stack that round-trips through dumps_stack/load_stack to
    the bit and that removing the layer turns back into the stack itself."""
    index = data.draw(st.integers(0, len(stack.layers)), label="index")
    model = data.draw(st.sampled_from(stack.layers), label="model layer") if stack.layers else None
    if model is None:
        return  # a bare lead/lead contact: nothing to copy (insertion of a new material is tested above)
    factor = data.draw(st.sampled_from([1.0, 0.5, 3.0]), label="thickness factor")
    layer = model if factor == 1.0 else dataclasses.replace(model, thickness=model.thickness * factor)
    try:
        inserted = edit.insert_layer(stack, index, layer)
    except StackError as error:
        assert f"(inserting a layer at position {index})" in str(error)
        return
    assert len(inserted.layers) == len(stack.layers) + 1 and inserted.layers[index] is layer
    assert_same(round_trip(inserted), inserted)
    back = edit.remove_layer(inserted, index)
    assert_same(back, stack)
    assert_same(round_trip(back), stack)


@PROPERTY
@given(stack=full_stacks(batched=False), data=st.data())
def test_removing_any_layer_or_interface_gives_a_valid_stack_or_a_refusal(stack, data):
    """Removing a layer: a StackError naming the edit, or a valid stack with one layer fewer whose interfaces
    sit on existing nodes, in order, one per node; it round-trips.  Removing an interface and setting it again
    gives the stack back."""
    if stack.layers:
        index = data.draw(st.integers(0, len(stack.layers) - 1), label="index")
        try:
            removed = edit.remove_layer(stack, index)
        except StackError as error:
            assert f"removing layers[{index}]" in str(error) or "both faces carry an interface" in str(error)
        else:
            assert len(removed.layers) == len(stack.layers) - 1
            nodes = [interface.node for interface in removed.interfaces]
            assert nodes == sorted(set(nodes)) and all(0 <= node <= len(removed.layers) for node in nodes)
            assert_same(round_trip(removed), removed)
    if stack.interfaces:
        interface = data.draw(st.sampled_from(stack.interfaces), label="interface")
        without = edit.remove_interface(stack, interface.node)
        assert interface.node not in [i.node for i in without.interfaces]
        assert_same(round_trip(without), without)
        assert_same(edit.set_interface(without, interface), stack)
