"""Resistive interfaces (MODEL.md 3b) against limits and hand calculations."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack._sweep.layout import describe
from spinstack.cli import main

from tests.strategies import full_stacks

F1 = ss.Ferromagnet("F1", 1.0, 0.5, 2.0)
F2 = ss.Ferromagnet("F2", 1.3, 0.3, 1.5)
N = ss.Normal("N", 3.0, 5.0)


def valve(interfaces=(), theta=60.0, **kw):
    layers = [ss.Layer(N, 0.8), ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(theta, 20)),
              ss.Layer(N, 0.6)]
    return ss.Stack(layers, interfaces=interfaces, **kw)


def test_f_lead_interface_n_lead_by_hand():
    # F lead | interface | N lead: p j0 - G_F mu- = gamma j0 + gI (mu- - mu+) = G_N mu+ (MODEL.md 2, 3b)
    F, lead_N = ss.Ferromagnet("F", 1.2, 0.6, 2.0), ss.Normal("M", 2.0, 4.0)
    g_up, g_dn = 3.0, 1.0
    stack = ss.Stack([], left=ss.Lead(F, [0, 1, 0]), right=ss.Lead(lead_N), current=1.7,
                     interfaces=[ss.Interface(0, g_up, g_dn, [1.0, 0.2])])
    solution = ss.solve(stack)
    G_F, G_N, j0 = 1.2 / 4.0, 2.0 / 8.0, 1.7
    g, gamma = g_up + g_dn, (g_up - g_dn) / (g_up + g_dn)
    gI = g * (1 - gamma**2) / 2
    matrix = np.array([[G_F + gI, -gI], [gI, -(gI + G_N)]])
    minus, plus = np.linalg.solve(matrix, [j0 * (0.6 - gamma), -j0 * gamma])
    np.testing.assert_allclose(solution.accumulation[0], [0, minus, 0], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(solution.accumulation_right[0], [0, plus, 0], rtol=1e-13, atol=1e-16)
    left, right = solution.interface_currents(0)
    np.testing.assert_allclose(left, [0, j0 * gamma + gI * (minus - plus), 0], rtol=1e-13)
    np.testing.assert_allclose(right, left, rtol=1e-13)  # no spin memory loss, collinear: nothing kept
    # resistance: 1/g - gamma (mu- - mu+)/(2 j0) + (p/2) mu- / j0 (F lead on the left), no finite layers
    expected = 1 / g - gamma * (minus - plus) / (2 * j0) + 0.3 * minus / j0
    assert float(solution.resistance_area) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("node", [1, 2, 3, 4])
def test_transparent_limit_error_falls_as_one_over_g(node):
    exact = ss.solve(valve())
    errors = []
    for g in (1e4, 1e5, 1e6):
        mixing = [g, 0.3 * g] if node in (1, 2, 3, 4) else None
        interface = ss.Interface(node, g, g, mixing)
        approximate = ss.solve(valve([interface]))
        error = np.abs(approximate.torque - exact.torque).max() / np.abs(exact.torque).max()
        errors.append(error)
        np.testing.assert_allclose(approximate.accumulation_right, approximate.accumulation, atol=50 / g)
    assert errors[0] < 1e-2
    # each decade in g buys a decade in accuracy (1/g)
    assert errors[1] / errors[0] == pytest.approx(0.1, rel=0.05)
    assert errors[2] / errors[1] == pytest.approx(0.1, rel=0.05)
    # resistance: the interface adds about 1/g, the rest converges as well
    rest = float(approximate.resistance_area) - 1 / (2e6) - float(exact.resistance_area)
    assert abs(rest) < 1e-4


def test_two_current_series_resistor_limit():
    # l_sf -> inf everywhere, reservoirs at both ends: the two spin channels are independent resistors
    # in series (Valet-Fert's collinear limit).  Channel resistances: F d/D_s with D_up,dn = sigma (1 +- p)/2,
    # N 2 d / D, interface 1/g_up, 1/g_dn; the antiparallel state swaps F2's (and its interface's) channels.
    Fa, Fb, Na = ss.Ferromagnet("Fa", 1.0, 0.6), ss.Ferromagnet("Fb", 2.0, 0.35), ss.Normal("Na", 4.0)
    d = [0.7, 1.5, 3.0, 1.1, 0.9]
    up_a, down_a = 5.0, 1.5  # interface at F_a's right face (F/N)
    up_b, down_b = 2.0, 0.8  # interface at F_b's left face (N/F)

    def stack(m2):
        layers = [ss.Layer(Na, d[0]), ss.Layer(Fa, d[1], [0, 0, 1]), ss.Layer(Na, d[2]), ss.Layer(Fb, d[3], m2), ss.Layer(Na, d[4])]
        return ss.Stack(layers, interfaces=[ss.Interface(2, up_a, down_a, [1.0, 0.0]), ss.Interface(3, up_b, down_b, [1.0, 0.0])])

    def channel(F, sign):
        sigma = F.D / (1 - F.p**2)
        return sigma * (1 + sign * F.p) / 2

    def series(parallel):
        resistances = []
        for s in (+1, -1):
            s2 = s if parallel else -s
            total = 2 * (d[0] + d[2] + d[4]) / 4.0
            total += d[1] / channel(Fa, s) + d[3] / channel(Fb, s2)
            total += 1 / (up_a if s > 0 else down_a) + 1 / (up_b if s2 > 0 else down_b)
            resistances.append(total)
        return resistances[0] * resistances[1] / (resistances[0] + resistances[1])

    parallel, antiparallel = ss.solve(stack([0, 0, 1])), ss.solve(stack([0, 0, -1]))
    assert float(parallel.resistance_area) == pytest.approx(series(True), rel=1e-12)
    assert float(antiparallel.resistance_area) == pytest.approx(series(False), rel=1e-12)


def test_spin_memory_loss_is_a_thin_normal_layer():
    # an N/N interface with spin memory loss delta is the two-port of a layer with d / l = delta and
    # D / (2 l) = g delta / 2 (MODEL.md 3b): the outer solution is identical
    g, delta = 4.0, 0.7
    with_interface = ss.solve(ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(N, 1.5),
                                        ss.Layer(F2, 1.0, ss.polar(50))], interfaces=[ss.Interface(2, g / 2, g / 2, delta=delta)]))
    l = 0.01
    thin = ss.Normal("thin", D=g * delta * l, l=l)  # G = D/(2l) = g delta / 2 = G_I
    with_layer = ss.solve(ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(thin, delta * l), ss.Layer(N, 1.5),
                                    ss.Layer(F2, 1.0, ss.polar(50))]))
    np.testing.assert_allclose(with_interface.accumulation[[0, 1, 2]], with_layer.accumulation[[0, 1, 2]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(with_interface.accumulation_right[2], with_layer.accumulation[3], rtol=1e-12)
    np.testing.assert_allclose(with_interface.torque[[0, 3]], with_layer.torque[[0, 4]], rtol=1e-11, atol=1e-15)


def test_spin_memory_loss_tends_to_none():
    base = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.2])]))
    small = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.2], delta=1e-9)]))
    np.testing.assert_allclose(small.accumulation, base.accumulation, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("delta", [0.0, 0.4])
def test_conservation_with_interfaces(delta):
    interfaces = [ss.Interface(1, 2.0, 2.0, [1.0, 0.1], delta=delta), ss.Interface(2, 3.0, 1.0, [1.2, -0.4], delta=delta),
                  ss.Interface(3, 2.5, 1.5, [0.8, 0.3], delta=delta)]
    solution = ss.solve(valve(interfaces, current=np.array([1.0, -2.0])))
    balance = solution.spin_current_in - solution.spin_current_out - solution.deposit.sum(-2) - solution.spin_flip_loss.sum(-2)
    np.testing.assert_allclose(balance, 0.0, atol=1e-13)
    # at the F side of an N/F interface the torque is what the interface keeps transverse:
    # g_r mu_perp + g_i mu x m of the N-side value (MODEL.md 3b)
    m2 = ss.polar(60.0, 20)
    mu_N = solution.accumulation[:, 3]
    transverse = mu_N - (mu_N @ m2)[:, None] * m2
    kept = 0.8 * transverse + 0.3 * np.cross(mu_N, m2)
    left, right = solution.interface_currents(3)
    np.testing.assert_allclose(left - right - ((left - right) @ m2)[:, None] * m2, kept, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(solution.torque[:, 3], kept + (solution.deposit[:, 4] - (solution.deposit[:, 4] @ m2)[:, None] * m2),
                               rtol=1e-12, atol=1e-15)
    # F-side face values stay on the rail
    np.testing.assert_allclose(np.cross(solution.accumulation_right[:, 3], m2), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.cross(solution.accumulation[:, 2], [0, 0, 1]), 0.0, atol=1e-15)


def test_imaginary_mixing_gives_a_field_like_efficiency():
    real = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.0])])).efficiency()
    imaginary = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, 0.4])])).efficiency()
    assert abs(float(real.g2_field)) < 1e-14
    assert abs(float(imaginary.g2_field)) > 1e-3
    # reversing g_i reverses the field-like part to first order; the damping-like part is even in g_i
    reversed_ = ss.solve(valve([ss.Interface(3, 2.0, 1.0, [1.5, -0.4])])).efficiency()
    assert float(reversed_.g2_field) == pytest.approx(-float(imaginary.g2_field), rel=1e-12)
    assert float(reversed_.g2) == pytest.approx(float(imaginary.g2), rel=1e-12)


def test_interfaces_at_reservoir_faces_and_collinear_limits():
    interfaces = [ss.Interface(0, 2.0, 2.0), ss.Interface(5, 1.0, 1.0)]
    solution = ss.solve(valve(interfaces, theta=0.0))
    np.testing.assert_array_equal(solution.accumulation[0], 0.0)
    np.testing.assert_array_equal(solution.accumulation_right[-1], 0.0)
    assert np.isfinite(solution.efficiency().g2)
    with pytest.raises(ss.SpinstackError, match="transparent"):
        solution.functional  # noqa: B018


def test_gmr_grows_with_interface_asymmetry():
    def gmr(gamma):
        interface = [ss.Interface.from_valet_fert(3, 0.5, gamma, [1.0, 0.0])]
        parallel = float(ss.solve(valve(interface, theta=0.0)).resistance_area)
        antiparallel = float(ss.solve(valve(interface, theta=180.0)).resistance_area)
        return (antiparallel - parallel) / parallel
    assert gmr(0.0) < gmr(0.5) < gmr(0.8)


def test_valet_fert_parameters_map_to_channel_conductances():
    interface = ss.Interface.from_valet_fert(1, AR=0.5, gamma=0.6)
    assert float(interface.g_up) == pytest.approx(1 / (2 * 0.5 * 0.4))
    assert float(interface.g_dn) == pytest.approx(1 / (2 * 0.5 * 1.6))
    assert float(interface.gamma) == pytest.approx(0.6)
    assert 1 / float(interface.g) == pytest.approx(0.5 * (1 - 0.6**2))  # AR* (1 - gamma^2)


# ------------------------------------------- accumulations that nothing fixes (issue 13, after a6a3533)
# Reservoir | F | N | F | interface at node 3 | N lead with l = inf (the review's stack): the lead takes no spin
# current (G = D / 2l = 0) and g_r = 0 absorbs none, so on the interface's N side only g_i (and nothing at all
# for g_mix = [0, 0]) fixes mu_perp.  a6a3533 gave NaN (a trace shift of 0 for the traceless g_i [m]x, 0 times
# inf for [0, 0]); for a lead with l = 1e20 it gave mu = 2333 instead of 0.95 (rounding times 1 / (D / 2l)).
NL = ss.Normal("NL", 3.0, np.inf)
F = ss.Ferromagnet("F", 1.0, 0.5, 2.0)


def floating(g_mix, lead_l=np.inf, lead_left=False):
    layers = [ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(ss.Normal("N", 3.0, np.inf), 1.0), ss.Layer(F, 1.0, [0, 1, 1])]
    lead = ss.Lead(ss.Normal("NL", 3.0, lead_l))
    if lead_left:  # the mirror image: lead | interface at node 0 | F | N | F | reservoir
        return ss.Stack(layers[::-1], left=lead, right=ss.Reservoir(), interfaces=[ss.Interface(0, 2.0, 1.0, g_mix)])
    return ss.Stack(layers, left=ss.Reservoir(), right=lead, interfaces=[ss.Interface(3, 2.0, 1.0, g_mix)])


@pytest.mark.parametrize("lead_left", [False, True], ids=["lead-right", "lead-left"])
@pytest.mark.parametrize("g_mix", [[0.0, 0.3], [0.0, 0.0], [1e-9, 0.0]])
def test_lead_without_relaxation_beside_an_interface_without_absorption(g_mix, lead_left):
    with np.errstate(all="raise"):  # as the CLI runs: no operation may divide by zero on the way
        solutions = {l: ss.solve(floating(g_mix, l, lead_left)) for l in (np.inf, 1e20, 1e12, 1e6)}
        for solution in solutions.values():
            for value in (solution.accumulation, solution.accumulation_right, solution.torque,
                          solution.resistance_area, solution.efficiency().g1, solution.efficiency().g2):
                assert np.isfinite(value).all()
    limit = solutions[np.inf]
    # nothing drives mu_perp on the N side (the lead carries nothing, the interface passes spin along m only),
    # so every g_mix gives the same solution, mu_perp = 0 there, and it is the limit of the lead's l -> inf:
    # 1 / (D / 2l) times the rounding is not in it (1e20: rounding-exact, 1e12: G = 1.5e-12 of the
    # channel's ~1), and at l = 1e6 the lead's own G = 1.5e-6 moves it by that much
    node = 0 if lead_left else 3
    m = np.array([0.0, 1.0, 1.0]) / np.sqrt(2.0)
    beside = limit.accumulation[node] if lead_left else limit.accumulation_right[node]
    np.testing.assert_allclose(np.cross(beside, m), 0.0, atol=1e-15)
    reference = ss.solve(floating([0.0, 0.3], np.inf, lead_left))
    for name in ("accumulation", "accumulation_right", "torque"):
        np.testing.assert_allclose(getattr(limit, name), getattr(reference, name), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(getattr(solutions[1e20], name), getattr(limit, name), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(getattr(solutions[1e12], name), getattr(limit, name), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(getattr(solutions[1e6], name), getattr(limit, name), rtol=1e-5, atol=1e-6)
    if not lead_left:  # the review's numbers: a6a3533^ (conductance form, g_mix = [0, 0.3]) and the lead at l = 1e6
        assert round(float(limit.efficiency().g2), 6) == 0.516330
        assert round(float(limit.resistance_area), 6) == 2.520044


def test_floating_accumulation_is_one_answer_from_python_the_cli_and_a_sweep(tmp_path):
    text = "\n".join(['units = "reduced"', 'current = 1.0', '[materials.F]', 'type = "ferromagnet"', 'D = 1.0',
                      'p = 0.5', 'l = 2.0', '[materials.N]', 'type = "normal"', 'D = 3.0', 'l = "inf"', '[[layers]]',
                      'material = "F"', 'thickness = 1.0', 'magnetization = [0, 0, 1]', '[[layers]]', 'material = "N"',
                      'thickness = 1.0', '[[layers]]', 'material = "F"', 'thickness = 1.0', 'magnetization = [0, 1, 1]',
                      '[right]', 'kind = "lead"', 'material = "N"', '[[interfaces]]', 'node = 3', 'g_up = 2.0',
                      'g_dn = 1.0', 'g_mix = [0.0, 0.3]', ''])
    path = tmp_path / "nan2.toml"
    path.write_text(text)
    stack = ss.load_stack(path)
    python = ss.solve(stack)
    result = CliRunner().invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.stderr  # a6a3533: exit 2, "parameters span too many orders of magnitude"
    data = json.loads(result.stdout)
    np.testing.assert_allclose([node["mu_s"] for node in data["nodes"]], python.accumulation, rtol=1e-14, atol=1e-16)
    assert data["efficiency"]["g2"] == pytest.approx(float(python.efficiency().g2), rel=1e-14)
    assert data["resistance_area"]["total"] == pytest.approx(float(python.resistance_area), rel=1e-14)
    swept = ss.sweep(stack, {"layers[1].thickness": [1.0, 2.0]}, progress=False)
    assert float(swept.g2.values[0]) == pytest.approx(float(python.efficiency().g2), rel=1e-14)
    np.testing.assert_allclose(swept.accumulation.values[0], python.accumulation, rtol=1e-14, atol=1e-16)
    assert np.isfinite(swept.g2.values).all()


def injecting(kind):
    """A stack whose l = inf region has no steady state: spin is injected where nothing relaxes it or lets it out.

    ``"current"``: an F lead with l = inf (it injects p j0 m_L and carries nothing away) | N with l = inf | F along
    x, both interfaces with g_mix = 0: the part of m_L normal to x stays in the N layer.  ``"field"``: an N lead
    with l = inf and theta_SH | F, interface with g_mix = 0: the lead's spin Hall current x x eps is normal to m.
    """
    if kind == "current":
        layers = [ss.Layer(ss.Normal("N", 2.0, np.inf), 1.0), ss.Layer(F, 1.0, [1, 0, 0])]
        return ss.Stack(layers, left=ss.Lead(ss.Ferromagnet("FL", 1.5, 0.4, np.inf), [0, 0, 1]),
                        interfaces=[ss.Interface(0, 2.0, 1.0, [0.0, 0.0]), ss.Interface(1, 2.0, 1.0, [0.0, 0.0])])
    return ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(ss.Normal("N", 2.0, 2.0), 1.0)],
                    left=ss.Lead(ss.Normal("HM", 1.0, np.inf, 0.2)), right=ss.Open(), current=0.0, field=[0, 0, 1],
                    interfaces=[ss.Interface(0, 2.0, 1.0, [0.0, 0.0])])


@pytest.mark.parametrize("kind", ["current", "field"])
def test_spin_injected_into_a_region_without_relaxation_is_refused_with_the_reason(kind):
    # no steady state: at finite l the accumulation grows like l (checked here), at l = inf there is none; a6a3533
    # returned NaN (RuntimeWarning only) or numbers that were rounding divided by 0
    def lengthened(l):
        stack = injecting(kind)
        if kind == "current":
            return dataclasses.replace(stack, left=ss.Lead(ss.Ferromagnet("FL", 1.5, 0.4, l), [0, 0, 1]),
                                       layers=[ss.Layer(ss.Normal("N", 2.0, l), 1.0), stack.layers[1]])
        return dataclasses.replace(stack, left=ss.Lead(ss.Normal("HM", 1.0, l, 0.2)))
    sizes = [np.abs(ss.solve(lengthened(l)).accumulation).max() for l in (1e3, 1e4)]
    assert sizes[1] / sizes[0] == pytest.approx(10.0, rel=1e-2)
    with pytest.raises(ss.SpinstackError, match="no steady state"):
        ss.solve(injecting(kind)).accumulation  # noqa: B018


# ------------------------------------------------------------------ property: no NaN, one answer, three doors
def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    return repr(float(value))


def stack_file(described: dict) -> str:
    """A stack file from :func:`spinstack._sweep.layout.describe` (what a sweep stores; ``stack_from_dict`` reads it)."""
    lines = [f"{key} = {_toml(value)}" for key, value in described.items() if not isinstance(value, dict)
             and not (isinstance(value, list) and value and isinstance(value[0], dict))]
    for name, material in described["materials"].items():
        lines += [f"[materials.{name}]"] + [f"{key} = {_toml(value)}" for key, value in material.items()]
    for side in ("left", "right"):
        lines += [f"[{side}]"] + [f"{key} = {_toml(value)}" for key, value in described[side].items()]
    for table in ("layers", "interfaces"):
        for entry in described.get(table, []):
            lines += [f"[[{table}]]"] + [f"{key} = {_toml(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


@st.composite
def stacks_with_unfixed_directions(draw):
    """:func:`full_stacks` (reduced, one configuration) with the review's extremes drawn in: l = inf for some
    materials (leads too) and g_r = 0 (with g_i = 0 or not) at some N/F interfaces."""
    stack = draw(full_stacks(units="reduced", batched=False))
    infinite = {name for name in stack.materials if draw(st.booleans())}

    def material(old):
        return dataclasses.replace(old, l=np.inf) if old.name in infinite else old

    layers = [dataclasses.replace(layer, material=material(layer.material)) for layer in stack.layers]
    ends = [dataclasses.replace(end, material=material(end.material)) if isinstance(end, ss.Lead) else end
            for end in (stack.left, stack.right)]
    interfaces = [dataclasses.replace(interface, g_mix=[0.0, draw(st.sampled_from([0.0, float(interface.g_mix[1])]))])
                  if interface.g_mix is not None and draw(st.booleans()) else interface for interface in stack.interfaces]
    try:
        return dataclasses.replace(stack, layers=layers, left=ends[0], right=ends[1], interfaces=interfaces)
    except ss.StackError:  # every l = inf and no reservoir: refused when built (no relaxation anywhere)
        assume(False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks_with_unfixed_directions())
def test_no_nan_and_one_answer_from_python_the_cli_and_a_sweep(stack):
    # every valid stack: finite accumulation, torque, resistance and efficiency, or a SpinstackError that names
    # the reason; and the same from the CLI (--json, or one line and exit 2) and from a sweep of the same file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stack.toml"
        path.write_text(stack_file(describe(stack)))
        loaded = ss.load_stack(path)
        solution = ss.solve(loaded)
        try:
            values = {"accumulation": solution.accumulation, "accumulation_right": solution.accumulation_right,
                      "torque": solution.torque}
            if solution.resistance_problem is None:
                values["resistance_area"] = solution.resistance_area
            if solution.efficiency_problem is None:
                values["g1"], values["g2"] = solution.efficiency().g1, solution.efficiency().g2
            refused = None
        except ss.SpinstackError as error:
            refused = str(error)
        result = CliRunner().invoke(main, ["solve", str(path), "--json"])
        swept = refusal = None
        try:
            swept = ss.sweep(loaded, {"current": [float(loaded.current)]}, progress=False)
        except ss.SpinstackError as error:
            refusal = str(error)
    if refused is not None:
        assert result.exit_code == 2 and refused in result.stderr, (refused, result.stderr)
        assert refusal is not None and refused in refusal, (refused, refusal)
        return
    for name, value in values.items():
        assert np.isfinite(value).all(), name
    assert result.exit_code == 0, result.stderr
    assert refusal is None, refusal
    data = json.loads(result.stdout)
    scale = max(float(np.abs(values["accumulation"]).max()), 1e-300)
    np.testing.assert_allclose([node["mu_s"] for node in data["nodes"]], values["accumulation"], rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(swept.accumulation.values[0], values["accumulation"], rtol=0, atol=1e-10 * scale)
    if "resistance_area" in values:
        assert data["resistance_area"]["total"] == pytest.approx(float(values["resistance_area"]), rel=1e-13)
        assert float(swept.resistance_area.values[0]) == pytest.approx(float(values["resistance_area"]), rel=1e-10)
    if "g2" in values:
        for name in ("g1", "g2"):
            assert data["efficiency"][name] == pytest.approx(float(values[name]), rel=1e-12, abs=1e-14)
            assert float(getattr(swept, name).values[0]) == pytest.approx(float(values[name]), rel=1e-9, abs=1e-12)
