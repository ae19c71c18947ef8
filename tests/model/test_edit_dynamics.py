"""model.edit.set_dynamics: the [dynamics] settings (applied field, temperature, area, waveform, times, seed) of a
stack replaced; checked against its inverse (the old values given back) and by Hypothesis over the strategy's
stacks, as the other edit functions are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.errors import StackError
from spinstack.model import edit
from tests.model.test_edit import round_trip
from tests.strategies import assert_same_stack as assert_same
from tests.strategies import full_stacks, numbers

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def oscillator() -> ss.Stack:
    return ss.load_stack(ROOT / "examples" / "dynamics-oscillator.toml")


def _old(stack: ss.Stack, names) -> dict:
    """The settings ``names`` as ``stack`` has them (None: the default), to give back."""
    return {name: getattr(stack.dynamics, name) if stack.dynamics is not None else None for name in names}


def test_the_field_temperature_and_waveform_are_set_and_given_back(oscillator):
    edited = edit.set_dynamics(oscillator, field=[0.0, 0.0, 5e-3], temperature=300.0, area=5e-15,
                               waveform=[(0.0, 0.0), (1e-9, -3e11), (3e-9, -3e11), (3.1e-9, 0.0)])
    dynamics = edited.dynamics
    np.testing.assert_array_equal(dynamics.field, [0.0, 0.0, 5e-3])
    assert float(dynamics.temperature) == 300.0 and float(dynamics.area) == 5e-15
    np.testing.assert_array_equal(dynamics.waveform[0], [0.0, 1e-9, 3e-9, 3.1e-9])
    np.testing.assert_array_equal(dynamics.waveform[1], [0.0, -3e11, -3e11, 0.0])
    assert dynamics.duration == oscillator.dynamics.duration and dynamics.save_every == oscillator.dynamics.save_every
    assert oscillator.dynamics.waveform is None  # the stack given is not changed
    assert_same(round_trip(edited), edited)
    back = edit.set_dynamics(edited, **_old(oscillator, ["field", "temperature", "area", "waveform"]))
    assert_same(back, oscillator)
    # None: the default again (no waveform: the stack's current drives)
    assert edit.set_dynamics(edited, waveform=None).dynamics.waveform is None


def test_a_stack_without_settings_gets_them_and_the_default_ones_leave_none():
    stack = ss.load_stack(ROOT / "examples" / "co-cu-py.toml")
    assert stack.dynamics is None
    edited = edit.set_dynamics(stack, field=[0.0, 0.01, 0.0])
    np.testing.assert_array_equal(edited.dynamics.field, [0.0, 0.01, 0.0])
    assert edit.set_dynamics(edited, field=None).dynamics is None  # back to no [dynamics] table
    assert edit.set_dynamics(stack, field=[0.0, 0.0, 0.0]).dynamics is None


@pytest.mark.parametrize("settings, path, words", [
    ({"temperature": -1.0}, "dynamics.temperature", "must be >= 0"),
    ({"temperature": 3.0, "area": None}, "dynamics.area", "a temperature > 0 needs the pillar area"),
    ({"waveform": [(1e-9, 0.0), (0.0, 1.0)]}, "dynamics.waveform[1]", "the times must increase strictly"),
    ({"field": [0.0, 0.0, 2e3]}, "dynamics.field", "at most 1000 T"),
    ({"field": [0.0, 1.0]}, "dynamics.field", "must be a 3-vector"),
    ({"save_every": 1.0}, "dynamics.save_every", "at most the duration"),
    ({"waveform_scale": 2.0}, "dynamics.waveform_scale", "no waveform to scale"),
    ({"couplings": ()}, "dynamics.couplings", "no such setting"),
    ({"tempreature": 3.0}, "dynamics.tempreature", "no such setting"),
])
def test_refusals_name_the_key_and_the_edit(oscillator, settings, path, words):
    with pytest.raises(StackError) as caught:
        edit.set_dynamics(oscillator, **settings)
    assert caught.value.path == path and words in str(caught.value)
    if "no such setting" not in words:
        assert "(setting dynamics." in str(caught.value)


def test_a_reduced_stack_is_refused():
    seed = ss.load_stack(ROOT / "examples" / "seed-fnf.toml")
    with pytest.raises(StackError, match="dynamics needs an SI stack"):
        edit.set_dynamics(seed, field=[0.0, 0.0, 0.1])


_SETTINGS = {
    "field": st.one_of(st.none(), st.lists(numbers(-0.5, 0.5), min_size=3, max_size=3)),
    "temperature": st.one_of(st.none(), numbers(0.0, 400.0)),
    "area": st.one_of(st.none(), numbers(1.0, 10.0).map(lambda a: a * 1e-15)),
    "seed": st.one_of(st.none(), st.integers(0, 2**40)),
    "duration": st.one_of(st.none(), numbers(1.0, 50.0).map(lambda t: t * 1e-9)),
    "save_every": st.one_of(st.none(), numbers(1.0, 50.0).map(lambda t: t * 1e-12)),
    "waveform": st.one_of(st.none(), st.lists(st.tuples(numbers(0.1, 1.0), numbers(-1e12, 1e12)), min_size=1,
                                              max_size=4).map(lambda points: [(t * 1e-9 * (k + 1), j) for k, (t, j)
                                                                              in enumerate(points)])),
}


@PROPERTY
@given(stack=full_stacks(units="SI", batched=False), data=st.data())
def test_any_settings_give_a_valid_stack_that_round_trips_and_the_inverse_gives_it_back(stack, data):
    """Any SI stack of the strategy (with or without dynamics settings and couplings) and any subset of the
    settings, each drawn or None (the default): a StackError naming ``dynamics.KEY`` and the edit, or a valid stack
    that round-trips through dumps_stack/load_stack to the bit, keeps every other part (layers, couplings) and
    that the old values given back turn into the stack itself."""
    names = data.draw(st.lists(st.sampled_from(sorted(_SETTINGS)), unique=True, max_size=4), label="settings")
    values = {name: data.draw(_SETTINGS[name], label=name) for name in names}
    try:
        edited = edit.set_dynamics(stack, **values)
    except StackError as error:
        assert error.path.startswith("dynamics") and "(setting dynamics." in str(error)
        return
    assert edited.layers == stack.layers and edited.interfaces == stack.interfaces
    couplings = stack.dynamics.couplings if stack.dynamics is not None else ()
    assert (edited.dynamics.couplings if edited.dynamics is not None else ()) == couplings
    if edited.dynamics is None:  # every setting left or given as the default: an all-default table is not kept
        from spinstack.model.dynamics import Dynamics

        assert not couplings and edit._default(Dynamics(**{k: v for k, v in values.items() if v is not None}))
    for name, value in values.items():
        if value is None or name == "waveform" or edited.dynamics is None:
            continue
        np.testing.assert_array_equal(getattr(edited.dynamics, name), value)
    assert_same(round_trip(edited), edited)
    expected = stack
    if stack.dynamics is not None and not stack.dynamics.couplings and edit._default(stack.dynamics):
        expected = dataclasses.replace(stack, dynamics=None)  # an all-default table says nothing: none is kept
    assert_same(edit.set_dynamics(edited, **_old(stack, names)), expected)
