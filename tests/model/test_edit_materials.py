"""Material and dynamics edits (src/spinstack/model/edit.py): a layer's material changed in place, a material
replaced or renamed in every layer and lead, a layer's free flag, the dynamics' exchange couplings.  Each edit is
checked against facts independent of its code: the edit undone by its inverse gives the stack back to the bit,
the result round-trips through dumps_stack/load_stack, refusals name the key and the edit, the stack given is
never changed."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack import si
from spinstack.errors import StackError
from spinstack.io import dumps_stack, load_stack
from spinstack.model import edit
from tests.model.test_edit import round_trip, seed  # noqa: F401 (seed: a fixture)
from tests.strategies import full_stacks, assert_same_stack as assert_same

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def oscillator() -> ss.Stack:
    """SI: Co (fixed) | Cu | Py (free, Ms and alpha), a [dynamics] table without couplings."""
    return load_stack(ROOT / "examples" / "dynamics-oscillator.toml")


# ------------------------------------------------------------------ a layer's material
def test_a_spacer_takes_another_normal_metal_keeping_its_thickness_and_back(seed):
    text = dumps_stack(seed)
    Ag = ss.Normal("Ag", D=2.5, l=7.0)
    changed = edit.set_layer_material(seed, 1, Ag)
    assert changed.layers[1].material is Ag and changed.layers[1].thickness == seed.layers[1].thickness
    assert list(changed.materials) == ["F1", "Ag", "F2"]  # N is no longer used: not a material of the stack
    assert dumps_stack(seed) == text  # the stack given is unchanged
    assert_same(edit.set_layer_material(changed, 1, seed.layers[1].material), seed)
    assert_same(round_trip(changed), changed)


def test_a_ferromagnet_takes_another_ferromagnet_keeping_its_magnetization(seed):
    Co = ss.Ferromagnet("Co", D=0.8, p=0.4, l=3.0)
    changed = edit.set_layer_material(seed, 2, Co)
    np.testing.assert_array_equal(changed.layers[2].magnetization, seed.layers[2].magnetization)
    assert changed.layers[2].thickness == seed.layers[2].thickness
    turned = edit.set_layer_material(seed, 2, Co, {"theta": 90.0, "phi": 0.0})
    np.testing.assert_allclose(turned.layers[2].magnetization, [1.0, 0.0, 0.0], atol=1e-15)
    assert_same(edit.set_layer_material(changed, 2, seed.layers[2].material), seed)


def test_a_normal_layer_made_ferromagnetic_needs_a_direction_and_the_model_judges_it(seed):
    F1 = seed.layers[0].material
    with pytest.raises(StackError, match=r"layers\[1\]\.magnetization: missing: 'F1' is a ferromagnet.*"
                                         r"\(setting the material of layers\[1\]\)"):
        edit.set_layer_material(seed, 1, F1)
    # between F1 and F2, which are not collinear: touching ferromagnets, refused by the stack
    with pytest.raises(StackError, match=r"magnetization: ferromagnets layers\[\d\] and layers\[\d\] touch but are "
                                         r"not collinear.*\(setting the material of layers\[1\]\)"):
        edit.set_layer_material(seed, 1, F1, seed.layers[0].magnetization)
    with pytest.raises(StackError, match=r"layers\[0\]\.magnetization: not allowed: 'N' is a normal metal"):
        edit.set_layer_material(seed, 0, seed.layers[1].material, [0, 0, 1])
    with pytest.raises(StackError, match=r"layers\[1\]\.material: must be a Normal or Ferromagnet"):
        edit.set_layer_material(seed, 1, "Cu")  # type: ignore[arg-type]
    with pytest.raises(StackError, match=r"the position must be from 0 to 2"):
        edit.set_layer_material(seed, 3, F1)


def test_a_new_material_may_not_take_the_name_of_another(seed):
    with pytest.raises(StackError, match=r"materials\.F2: two different materials share this name"):
        edit.set_layer_material(seed, 0, ss.Ferromagnet("F2", D=1.0, p=0.1))


def test_a_free_layer_keeps_its_flag_with_another_ferromagnet_that_can_move(oscillator):
    free = oscillator.free_indices[0]
    Py = oscillator.layers[free].material
    Fe = dataclasses.replace(Py, name="Fe", Ms=1.7e6)
    changed = edit.set_layer_material(oscillator, free, Fe)
    assert changed.layers[free].free and changed.layers[free].material.Ms == 1.7e6
    without_damping = dataclasses.replace(Py, name="Fe", alpha=None)
    with pytest.raises(StackError, match=rf"materials\.Fe\.alpha: missing: layers\[{free}\] is free"):
        edit.set_layer_material(oscillator, free, without_damping)
    spacer = next(layer.material for layer in oscillator.layers if not layer.is_ferromagnet)
    with pytest.raises(StackError, match=r"interfaces\[\d\]\.g_dn: a non-magnetic interface has no spin asymmetry"):
        edit.set_layer_material(oscillator, free, spacer)  # Py's spin-asymmetric interfaces would face N/N
    bare = dataclasses.replace(oscillator, interfaces=())
    normal = edit.set_layer_material(bare, free, spacer)  # a normal metal drops the flag
    assert not normal.layers[free].free and normal.free_indices == ()


# ------------------------------------------------------------------ a material everywhere
def test_a_material_replaced_in_every_layer_and_lead_and_back():
    N = ss.Normal("N", D=3.0, l=10.0)
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0)
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.0, [1, 0, 0])],
                     left=ss.Lead(N), right=ss.Lead(N))
    Cu = ss.Normal("Cu spacer \"new\"", D=4.0, l=math.inf)
    replaced = edit.replace_material(stack, "N", Cu)
    assert replaced.layers[1].material is Cu and replaced.left.material is Cu and replaced.right.material is Cu
    assert list(replaced.materials) == ["F", "Cu spacer \"new\""]
    assert_same(edit.replace_material(replaced, Cu.name, N), stack)
    assert_same(round_trip(replaced), replaced)  # a name with a space and quotes is written and read back
    with pytest.raises(StackError, match=r"materials\.N: is a normal metal and 'F2' a ferromagnet: a material keeps "
                                         r"its kind"):
        edit.replace_material(stack, "N", ss.Ferromagnet("F2", D=1.0, p=0.1))
    with pytest.raises(StackError, match=r"materials\.F: already names another material of the stack"):
        edit.replace_material(stack, "N", ss.Normal("F", D=1.0))
    with pytest.raises(StackError, match=r"no material 'Ag' in the stack \(its materials: 'F', 'N'\)"):
        edit.replace_material(stack, "Ag", Cu)


def test_an_si_material_replaced_by_the_same_quantities_is_the_same_stack():
    """A material rebuilt from the quantities the stack-file writer gives for it (what the explorer's material
    form sends back when nothing was changed) replaces it to the bit."""
    stack = load_stack(ROOT / "examples" / "co-cu-py.toml")
    for name, material in stack.materials.items():
        table = tomllib.loads(dumps_stack(stack))["materials"][name]
        assert_same(edit.replace_material(stack, name, si.material_from_table(name, table)), stack)


# ------------------------------------------------------------------ free flags and couplings
def test_a_layer_freed_and_fixed_again(oscillator):
    fixed = next(i for i in oscillator.ferromagnet_indices if not oscillator.layers[i].free)
    free = oscillator.free_indices[0]
    fixed_too = edit.set_free(oscillator, free, False)
    assert fixed_too.free_indices == ()
    assert_same(edit.set_free(fixed_too, free, True), oscillator)
    with pytest.raises(StackError, match=rf"materials\.Co\.Ms: missing: layers\[{fixed}\] is free"):
        edit.set_free(oscillator, fixed, True)  # Co has no macrospin constants
    spacer = next(i for i, layer in enumerate(oscillator.layers) if not layer.is_ferromagnet)
    with pytest.raises(StackError, match=rf"layers\[{spacer}\]\.free: only a ferromagnet moves"):
        edit.set_free(oscillator, spacer, True)
    with pytest.raises(StackError, match=r"free: must be true or false, got 1"):
        edit.set_free(oscillator, free, 1)  # type: ignore[arg-type]


def test_demag_factors_set_and_removed(oscillator):
    free = oscillator.free_indices[0]
    assert oscillator.layers[free].demag is None
    thin = edit.set_demag(oscillator, free, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(thin.layers[free].demag, [1.0, 0.0, 0.0])
    assert_same(round_trip(thin), thin)
    assert_same(edit.set_demag(thin, free, None), oscillator)
    with pytest.raises(StackError, match=rf"layers\[{free}\]\.demag: must sum to 1.*\(setting the demag factors"):
        edit.set_demag(oscillator, free, [0.5, 0.0, 0.0])
    spacer = next(i for i, layer in enumerate(oscillator.layers) if not layer.is_ferromagnet)
    with pytest.raises(StackError, match=rf"layers\[{spacer}\]\.demag: only a ferromagnet has demagnetizing"):
        edit.set_demag(oscillator, spacer, [1.0, 0.0, 0.0])


def test_free_needs_an_si_stack(seed):
    with pytest.raises(StackError, match=r"layers\[0\]\.demag: dynamics needs an SI stack"):
        edit.set_demag(seed, 0, [1.0, 0.0, 0.0])
    with pytest.raises(StackError, match=r"layers\[0\]\.free: dynamics needs an SI stack.*\(freeing layers\[0\]\)"):
        edit.set_free(seed, 0, True)


def test_a_coupling_set_replaced_and_removed(oscillator):
    a, b = oscillator.ferromagnet_indices
    coupled = edit.set_coupling(oscillator, (a, b), 2e-4)
    assert [(c.layers, float(c.J)) for c in coupled.dynamics.couplings] == [((a, b), 2e-4)]
    again = edit.set_coupling(coupled, (b, a), -1e-4)  # the same pair, either order: replaced
    assert [(c.layers, float(c.J)) for c in again.dynamics.couplings] == [((b, a), -1e-4)]
    assert_same(round_trip(again), again)
    assert_same(edit.remove_coupling(coupled, (b, a)), oscillator)  # the [dynamics] table's other settings kept
    spacer = next(i for i, layer in enumerate(oscillator.layers) if not layer.is_ferromagnet)
    with pytest.raises(StackError, match=rf"dynamics\.coupling\[0\]\.layers: layer {spacer} is not an F layer"):
        edit.set_coupling(oscillator, (a, spacer), 1e-4)
    with pytest.raises(StackError, match=r"names layer 0 twice"):
        edit.set_coupling(oscillator, (a, a), 1e-4)
    with pytest.raises(StackError, match=r"dynamics\.coupling\[0\]\.J: must be finite"):
        edit.set_coupling(oscillator, (a, b), math.nan)
    with pytest.raises(StackError, match=r"no coupling of layers 0 and 2 to remove \(couplings: none\)"):
        edit.remove_coupling(oscillator, (a, b))


def _refusal(make) -> str:
    with pytest.raises(StackError) as caught:
        make()
    return str(caught.value)


@pytest.mark.parametrize("layers", [(0,), (0, 2, 1), (0, True), (0, 2.0), "ab", 2, None])
def test_a_coupling_pair_is_refused_by_the_models_check_through_both_doors(oscillator, layers):
    """The edit refuses a pair that is no two layer indices with the model's own message (a [dynamics] table with
    that coupling), at the position the coupling would take, and says the edit; removing names the key."""
    a, b = oscillator.ferromagnet_indices
    present = edit.set_coupling(oscillator, (a, b), 1e-4)  # one coupling: a new one would be coupling[1]
    for stack, position in ((oscillator, 0), (present, 1)):
        couplings = [*stack.dynamics.couplings, (layers, 1e-4)]
        through_model = _refusal(lambda: dataclasses.replace(stack.dynamics, couplings=couplings))
        assert through_model == (f"dynamics.coupling[{position}].layers: must be two layer indices [a, b], "
                                 f"got {layers!r}")
        assert _refusal(lambda: edit.set_coupling(stack, layers, 1e-4)) == f"{through_model} (setting a coupling)"
        assert _refusal(lambda: edit.remove_coupling(stack, layers)) == (
            f"dynamics.coupling.layers: must be two layer indices [a, b], got {layers!r} (removing a coupling)")


def test_a_coupling_s_j_is_refused_at_the_position_it_would_take(oscillator):
    """A J the model refuses is named under the coupling it would replace (the same pair) or add, as the model
    names it."""
    a, b = oscillator.ferromagnet_indices
    present = edit.set_coupling(oscillator, (a, b), 1e-4)
    through_model = _refusal(lambda: dataclasses.replace(present.dynamics, couplings=[((b, a), math.inf)]))
    assert through_model == "dynamics.coupling[0].J: must be finite, got inf"
    assert _refusal(lambda: edit.set_coupling(present, (b, a), math.inf)) == (
        f"{through_model} (setting the coupling of layers[{b}] and layers[{a}])")


def test_a_coupling_on_a_stack_without_dynamics_and_removed_gives_it_back():
    stack = load_stack(ROOT / "examples" / "co-cu-py.toml")
    assert stack.dynamics is None
    a, b = stack.ferromagnet_indices[:2]
    coupled = edit.set_coupling(stack, (a, b), 1e-4)
    assert coupled.dynamics is not None and len(coupled.dynamics.couplings) == 1
    back = edit.remove_coupling(coupled, (a, b))
    assert back.dynamics is None
    assert_same(back, stack)
    with pytest.raises(StackError, match=r"dynamics: dynamics needs an SI stack"):
        edit.set_coupling(load_stack(ROOT / "examples" / "seed-fnf.toml"), (0, 2), 1e-4)


# ------------------------------------------------------------------ any stack (Hypothesis)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(stack=full_stacks(batched=False), data=st.data())
def test_any_layer_given_another_material_of_its_kind_and_back_gives_the_stack_back(stack, data):
    """Any stack of the strategy: a layer given another material of the same kind (one of the stack's, or a copy
    of its own under a new name) is a valid stack that round-trips to the bit, or a refusal naming the edit;
    setting its old material back gives the stack itself.  Every material renamed everywhere and back, likewise."""
    if not stack.layers:
        return
    index = data.draw(st.integers(0, len(stack.layers) - 1), label="index")
    old = stack.layers[index].material
    kin = [m for m in stack.materials.values() if type(m) is type(old)]
    other = data.draw(st.sampled_from(kin + [dataclasses.replace(old, name=old.name + " 2")]), label="material")
    try:
        changed = edit.set_layer_material(stack, index, other)
    except StackError as error:
        assert f"(setting the material of layers[{index}])" in str(error)
    else:
        assert changed.layers[index].material is other
        assert changed.layers[index].thickness.tobytes() == stack.layers[index].thickness.tobytes()
        assert_same(round_trip(changed), changed)
        assert_same(edit.set_layer_material(changed, index, old), stack)
    name = data.draw(st.sampled_from(list(stack.materials)), label="renamed")
    material = stack.materials[name]
    renamed = edit.replace_material(stack, name, dataclasses.replace(material, name=f"{name} 'x'"))
    assert f"{name} 'x'" in renamed.materials and name not in renamed.materials
    assert_same(round_trip(renamed), renamed)
    assert_same(edit.replace_material(renamed, f"{name} 'x'", material), stack)


@PROPERTY
@given(stack=full_stacks(units="SI", batched=False), data=st.data())
def test_any_free_flag_toggled_twice_gives_the_stack_back(stack, data):
    """An SI stack: toggling an F layer's free flag gives a valid stack (round-trips) or a refusal naming the edit;
    toggling it again gives the stack back; its demag factors set or removed and put back likewise.  A coupling set on two F layers and removed gives the stack back."""
    if not stack.ferromagnet_indices:
        return
    index = data.draw(st.sampled_from(stack.ferromagnet_indices), label="index")
    flag = not stack.layers[index].free
    try:
        toggled = edit.set_free(stack, index, flag)
    except StackError as error:
        assert f"layers[{index}]" in str(error)
    else:
        assert toggled.layers[index].free is flag
        assert_same(round_trip(toggled), toggled)
        assert_same(edit.set_free(toggled, index, not flag), stack)
    demag = stack.layers[index].demag
    other = None if demag is not None else [0.0, 0.0, 1.0]
    changed = edit.set_demag(stack, index, other)  # an F layer of an SI stack takes any valid factors
    assert_same(round_trip(changed), changed)
    assert_same(edit.set_demag(changed, index, demag), stack)
    if len(stack.ferromagnet_indices) >= 2 and stack.dynamics is None or (
            stack.dynamics is not None and not stack.dynamics.couplings):
        pair = tuple(data.draw(st.permutations(stack.ferromagnet_indices), label="pair")[:2])
        if len(pair) < 2:
            return
        coupled = edit.set_coupling(stack, pair, 1e-4)
        assert_same(round_trip(coupled), coupled)
        back = edit.remove_coupling(coupled, pair)
        if stack.dynamics is None or not edit._default(stack.dynamics):
            assert_same(back, stack)
        else:  # a [dynamics] table of defaults only: what it held is said by no setting, so none is kept
            assert back.dynamics is None
