"""The JSON contract of ``spinstack solve FILE --json`` (STACK_FORMAT.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.io import format_json, load_stack, solution_to_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

TOP_KEYS = {"units", "current", "nodes", "layers", "efficiency", "resistance_area", "magnetoresistance"}
NODE_KEYS = {"x", "mu_s", "mu_s_right"}
LAYER_KEYS = {"material", "type", "x", "spin_current_left", "spin_current_right", "torque"}
EFFICIENCY_KEYS = {"g1", "g2", "g1_field", "g2_field"}

CU = ss.Normal("Cu", 3.0, 10.0)
CO = ss.Ferromagnet("Co", 1.0, 0.5, 2.0)


@pytest.fixture(scope="module")
def seed_solution() -> ss.Solution:
    return ss.solve(load_stack(EXAMPLES / "seed-fnf.toml"))


def plain_values(value):
    """Every leaf of a JSON-ready object, checking that containers are plain dicts and lists."""
    if isinstance(value, dict):
        assert type(value) is dict and all(type(key) is str for key in value)
        for item in value.values():
            yield from plain_values(item)
    elif isinstance(value, list):
        assert type(value) is list
        for item in value:
            yield from plain_values(item)
    else:
        yield value


def assert_vector(value):
    assert type(value) is list and len(value) == 3 and all(type(c) is float for c in value)


def test_contract_keys_and_shapes(seed_solution):
    data = solution_to_dict(seed_solution)
    assert set(data) == TOP_KEYS
    assert data["units"] == "reduced"
    assert type(data["current"]) is float and data["current"] == 1.0
    assert len(data["nodes"]) == len(seed_solution.stack.layers) + 1
    for node in data["nodes"]:
        assert set(node) == NODE_KEYS
        assert type(node["x"]) is float
        assert_vector(node["mu_s"])
        assert_vector(node["mu_s_right"])
    assert len(data["layers"]) == 3
    for layer in data["layers"]:
        assert set(layer) == LAYER_KEYS
        assert type(layer["x"]) is list and len(layer["x"]) == 2 and all(type(v) is float for v in layer["x"])
        assert_vector(layer["spin_current_left"])
        assert_vector(layer["spin_current_right"])
    assert [layer["type"] for layer in data["layers"]] == ["ferromagnet", "normal", "ferromagnet"]
    assert [layer["material"] for layer in data["layers"]] == ["F1", "N", "F2"]
    assert_vector(data["layers"][0]["torque"])
    assert data["layers"][1]["torque"] is None  # N layers: null
    assert_vector(data["layers"][2]["torque"])
    assert set(data["efficiency"]) == EFFICIENCY_KEYS
    assert all(type(v) is float for v in data["efficiency"].values())
    assert set(data["resistance_area"]) == {"total", "spin"}
    # extension of the contract: R_P, R_AP and the GMR ratio of a two-F stack
    assert set(data["magnetoresistance"]) == {"parallel", "antiparallel", "gmr"}
    assert data["magnetoresistance"]["gmr"] == pytest.approx(
        data["magnetoresistance"]["antiparallel"] / data["magnetoresistance"]["parallel"] - 1, rel=1e-12)
    for leaf in plain_values(data):
        assert leaf is None or type(leaf) in (str, float), leaf
        if type(leaf) is float:
            assert math.isfinite(leaf)


def test_values_equal_the_solution(seed_solution):
    data = solution_to_dict(seed_solution)
    solution = seed_solution
    np.testing.assert_array_equal([node["x"] for node in data["nodes"]], solution.node_positions)
    np.testing.assert_array_equal([node["mu_s"] for node in data["nodes"]], solution.accumulation)
    # transparent interfaces (MODEL.md 3a): mu_s is continuous, so both sides agree
    np.testing.assert_array_equal([node["mu_s_right"] for node in data["nodes"]], solution.accumulation)
    np.testing.assert_array_equal([layer["x"] for layer in data["layers"]],
                                  np.stack([solution.node_positions[:-1], solution.node_positions[1:]], axis=-1))
    np.testing.assert_array_equal([layer["spin_current_left"] for layer in data["layers"]], solution.spin_current_left)
    np.testing.assert_array_equal([layer["spin_current_right"] for layer in data["layers"]], solution.spin_current_right)
    for index in solution.stack.ferromagnet_indices:
        np.testing.assert_array_equal(data["layers"][index]["torque"], solution.torque[index])
    efficiency = solution.efficiency()
    for key in EFFICIENCY_KEYS:
        assert data["efficiency"][key] == float(getattr(efficiency, key))
    assert data["resistance_area"] == {"total": float(solution.resistance_area), "spin": float(solution.spin_resistance_area)}


def test_round_trips_through_json(seed_solution):
    data = solution_to_dict(seed_solution)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    text = format_json(data)
    assert text.endswith("\n")
    assert json.loads(text) == data


def test_format_json_keeps_short_containers_on_one_line(seed_solution):
    text = format_json(solution_to_dict(seed_solution))
    assert '"efficiency": {"g1": ' in text
    assert max(len(line) for line in text.splitlines()) <= 120
    with pytest.raises(ValueError):
        format_json({"x": math.nan})


def test_efficiency_is_null_unless_exactly_two_ferromagnets():
    one = ss.solve(ss.Stack([ss.Layer(CU, 1.0), ss.Layer(CO, 2.0, [0, 0, 1]), ss.Layer(CU, 1.0)]))
    assert solution_to_dict(one)["efficiency"] is None
    three = ss.solve(ss.Stack([ss.Layer(CO, 1.0, [0, 0, 1]), ss.Layer(CU, 1.0), ss.Layer(CO, 1.0, [1, 0, 0]),
                               ss.Layer(CU, 1.0), ss.Layer(CO, 1.0, [0, 1, 0])]))
    data = solution_to_dict(three)
    assert data["efficiency"] is None
    assert [layer["torque"] is None for layer in data["layers"]] == [False, True, False, True, False]


def test_ferromagnetic_leads_do_not_count_as_layers():
    """Two F layers plus an F lead: still exactly two F layers, so the efficiency is reported."""
    stack = ss.Stack([ss.Layer(CO, 1.0, [0, 0, 1]), ss.Layer(CU, 1.0), ss.Layer(CO, 1.0, [1, 0, 0]), ss.Layer(CU, 1.0)],
                     left=ss.Lead(CU), right=ss.Lead(CO, [0, 1, 0]))
    data = solution_to_dict(ss.solve(stack))
    assert set(data["efficiency"]) == EFFICIENCY_KEYS
    assert len(data["nodes"]) == 5 and len(data["layers"]) == 4


def test_collinear_and_zero_current_stay_finite():
    """theta = 0 gives g_i as limits (MODEL.md 4), j0 = 0 gives zero currents; never NaN."""
    stack = ss.Stack([ss.Layer(CO, 1.0, [0, 0, 1]), ss.Layer(CU, 1.0), ss.Layer(CO, 1.0, [0, 0, 1])], current=0.0)
    data = solution_to_dict(ss.solve(stack))
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["current"] == 0.0
    assert all(c == 0.0 for layer in data["layers"] for c in layer["spin_current_left"])
    assert all(math.isfinite(v) for v in data["efficiency"].values())


def test_batched_solution_is_refused():
    stack = ss.Stack([ss.Layer(CO, 1.0, [0, 0, 1]), ss.Layer(CU, np.array([1.0, 2.0]))])
    with pytest.raises(ss.SpinstackError, match="batched"):
        solution_to_dict(ss.solve(stack))


def test_non_finite_values_are_refused_not_written(seed_solution):
    solution = ss.solve(seed_solution.stack)
    broken = np.array(solution.accumulation)
    broken[1, 2] = math.nan
    solution.accumulation = broken  # a cached property: override it as a failing solver would
    with pytest.raises(ss.SpinstackError, match=r"nodes\[1\]\.mu_s: the solution is not finite"):
        solution_to_dict(solution)


# ------------------------------------------------------------------ the writer (issue 13: linear, no -0.0)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=6), children, max_size=5),
    max_leaves=40)


def _without_negative_zero(value):
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, list):
        return [_without_negative_zero(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_negative_zero(item) for key, item in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_format_json_parses_back_and_keeps_its_layout(value):
    """format_json writes each value once and joins (it used to json.dumps every subtree again at every
    level, and per number); the text parses back to the value, short containers stay on one line."""
    text = format_json(value)
    assert text.endswith("\n")
    assert json.loads(text) == _without_negative_zero(value)
    flat = json.dumps(_without_negative_zero(value), ensure_ascii=False)
    assert text == flat + "\n" if len(flat) <= 100 else text.count("\n") > 1


def test_negative_zero_is_written_as_zero():
    """-0.0 appeared in outputs (json.dumps writes it "-0.0")."""
    assert format_json({"a": -0.0, "b": [-0.0, 1.0, -0.0], "c": [[-0.0]]}) == \
        '{"a": 0.0, "b": [0.0, 1.0, 0.0], "c": [[0.0]]}\n'
    with pytest.raises(ValueError):
        format_json([1.0, math.nan])
    with pytest.raises(ValueError):
        format_json({"x": math.inf})


def test_solution_to_dict_has_no_negative_zero_and_refuses_nan(seed_solution, monkeypatch):
    data = solution_to_dict(seed_solution)
    assert all(math.copysign(1.0, value) > 0 for value in plain_values(data) if isinstance(value, float) and value == 0)
    broken = np.array(seed_solution.torque)
    broken[2, 1] = np.nan
    monkeypatch.setattr(type(seed_solution), "torque", property(lambda self: broken))
    with pytest.raises(ss.SpinstackError, match=r"^layers\[2\]\.torque: the solution is not finite \(nan\)"):
        solution_to_dict(seed_solution)
