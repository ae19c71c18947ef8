"""Nearly and exactly transparent resistive interfaces (MODEL.md 3b -> 3a, issue 13 item 2).

g -> inf must reproduce the transparent node (mu_s continuous, j_s continuous along the channel, the
transverse spin absorbed by the F): with an error ~(D/l)/g at finite g and to round-off at g = 1e30
and g = inf, at every kind of node, on every path (batched, single configuration, the efficiency's
scalar, near-collinear and complex-step routes), and the reference stack without interfaces by each
of its own backends (numpy elimination, compiled kernel, banded solve).  The conductance form lost
~eps g (the seed stack gave g2 = 0.394 instead of 0.244 at g = 1e30) and returned NaN at g_mix = 1e30.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack.cli import main
from spinstack.io.stackfile import stack_from_dict
from spinstack.prepared import stack_arrays
from spinstack.solver.efficiency import efficiency as efficiency_of, from_solution
from spinstack.solver import applicable_backends, solve_nodes
from spinstack.solver.readout import LayerwiseSolution

ROOT = Path(__file__).resolve().parents[2]
INF = math.inf
LARGE = [1e8, 1e12, 1e16, 1e30, INF]

F1 = ss.Ferromagnet("F1", 1.0, 0.5, 2.0)
F2 = ss.Ferromagnet("F2", 1.3, 0.3, 1.5)
G = ss.Ferromagnet("G", 2.0, -0.3, 4.0)
N = ss.Normal("N", 3.0, 5.0)
M = ss.Normal("M", 0.7, 0.4)
# the largest D/l of the materials (M): each interface perturbs its neighbours by at most ~(D/l)/g
D_OVER_L = 0.7 / 0.4
THETA = np.array([0.0, 1e-8, 5.0, 60.0, 135.0, 180.0])  # complex-step limits, near-collinear route, scalar route


def multilayer(theta, g=None, ends=("F", "N"), thin=False):
    """lead | F1 | N | M | N | F2 | N | M | N | N | lead (9 layers: one long single configuration takes the
    banded path without interfaces), with an interface at every node when ``g`` is given.

    Nodes: 0 the left lead face (F lead | F1: an F/F node; N lead | F1; reservoir | F1), 1 F/N, 2, 3 N/N,
    4 N/F, 5 F/N, 6-8 N/N, 9 the right lead face (N/N; N | F lead; N | reservoir).  Every N/F interface has
    g_mix = [g, 0.3 g] ([inf, 0] at g = inf); ``thin`` makes a spacer 1e-3 thick.
    """
    m1 = np.array([0.0, 0.0, 1.0])
    m2 = ss.polar(theta, 20.0)
    layers = [ss.Layer(F1, 1.2, m1), ss.Layer(N, 1e-3 if thin else 0.8), ss.Layer(M, 0.5), ss.Layer(N, 1.0),
              ss.Layer(F2, 1.0, m2), ss.Layer(N, 0.6), ss.Layer(M, 0.3), ss.Layer(N, 0.9), ss.Layer(N, 0.4)]
    left = {"F": ss.Lead(G, m1), "N": ss.Lead(N), "R": ss.Reservoir()}[ends[0]]
    right = {"N": ss.Lead(M), "F": ss.Lead(G, [1.0, 0.0, 0.0]), "R": ss.Reservoir()}[ends[1]]
    if g is None:
        return ss.Stack(layers, left=left, right=right)
    magnetic = [ends[0] != "F", True, False, False, True, True, False, False, False, ends[1] == "F"]  # one F beside
    mixing = [g, 0.3 * g] if math.isfinite(g) else [INF, 0.0]
    interfaces = [ss.Interface(k, g, g, mixing if magnetic[k] else None) for k in range(10)]
    return ss.Stack(layers, left=left, right=right, interfaces=interfaces)


def bound(g: float, count: int = 10, thin: bool = False) -> float:
    """Relative error allowed: (D/l)/g per interface, and round-off (more beside a spacer 1e-3 thick, whose
    face currents ~D/(2d) mu nearly cancel in the deposits)."""
    return count * D_OVER_L / g + (1e-11 if thin else 1e-12)


def assert_close(actual, expected, tolerance, name):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert np.isfinite(actual).all(), name
    scale = max(float(np.abs(expected).max()), 1e-300)
    error = float(np.abs(actual - expected).max()) / scale
    assert error <= tolerance, (name, error, tolerance)


# --------------------------------------------------------------- the numbers, three front ends
SEED_INTERFACE = """
[[interfaces]]
node = 1
g_up = {g}
g_dn = {g}
g_mix = [{g}, 0]
"""


@pytest.mark.parametrize("g", LARGE)
def test_seed_stack_with_a_nearly_transparent_interface(g, tmp_path):
    # issue 13: g1 = 0.1956, g2 = 0.3943, r = 3.1146 at g = 1e30 (and 62 % off in g2 at 1e16); the limit is
    # g1 = g2 = 0.244095 (symmetric stack: g1 = g2 exactly), r = 3.08048
    written = '"inf"' if g == INF else repr(g)
    path = tmp_path / "seed.toml"
    path.write_text((ROOT / "examples" / "seed-fnf.toml").read_text() + SEED_INTERFACE.format(g=written))
    stack = ss.load_stack(path)
    solution = ss.solve(stack)
    efficiency = solution.efficiency()
    assert round(float(efficiency.g1), 6) == round(float(efficiency.g2), 6) == 0.244095
    assert round(float(solution.resistance_area), 5) == 3.08048
    # exact against the seed without the interface: to round-off at 1e30 and inf, (D/l)/g before
    plain = ss.solve(ss.load_stack(ROOT / "examples" / "seed-fnf.toml"))
    tolerance = bound(g, 1) if g < 1e16 else 1e-14
    for name in ("g1", "g2"):
        assert_close(getattr(efficiency, name), getattr(plain.efficiency(), name), tolerance, name)
    assert_close(solution.resistance_area - 1.0 / (2 * g), plain.resistance_area, tolerance, "r")
    assert_close(solution.accumulation, plain.accumulation, tolerance, "mu")
    assert_close(solution.accumulation_right, plain.accumulation, tolerance, "mu right")

    # one answer from Python, the CLI and a sweep
    result = CliRunner().invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["efficiency"]["g1"] == pytest.approx(float(efficiency.g1), rel=1e-14)
    assert data["efficiency"]["g2"] == pytest.approx(float(efficiency.g2), rel=1e-14)
    assert data["resistance_area"]["total"] == pytest.approx(float(solution.resistance_area), rel=1e-14)
    np.testing.assert_allclose([node["mu_s"] for node in data["nodes"]], solution.accumulation, rtol=1e-14, atol=1e-16)
    swept = ss.sweep(stack, {"theta": [0.0, 60.0, 180.0]}, progress=False)
    np.testing.assert_allclose(swept.g2.sel(theta=60.0).values, float(efficiency.g2), rtol=1e-14)
    np.testing.assert_allclose(swept.accumulation.sel(theta=60.0).values, solution.accumulation, rtol=1e-14, atol=1e-16)
    assert np.isfinite(swept.g1.values).all() and np.isfinite(swept.g2.values).all()


def test_huge_mixing_conductance_is_one_finite_answer(tmp_path):
    # issue 13: g_mix = 1e30 at node 3 gave NaN accumulations in Python (RuntimeWarning), exit 2 from the CLI
    # and finite values from a sweep.  Its limit is g_mix = inf: mu_perp = 0 on the N side.
    layers = [ss.Layer(N, 0.8), ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(60.0, 20.0)),
              ss.Layer(N, 0.6)]
    solutions = [ss.solve(ss.Stack(layers, interfaces=[ss.Interface(3, 1.0, 1.0, [g, 0.3])])) for g in (1e8, 1e30, INF)]
    for solution in solutions:
        for value in (solution.accumulation, solution.accumulation_right, solution.torque, solution.resistance_area,
                      solution.efficiency().g2, *solution.interface_currents(3)):
            assert np.isfinite(value).all()
    limit = solutions[-1]
    np.testing.assert_allclose(np.cross(limit.accumulation[3], ss.polar(60.0, 20.0)), 0.0, atol=1e-17)
    assert_close(solutions[1].torque, limit.torque, 1e-14, "1e30")
    assert_close(solutions[0].torque, limit.torque, 10 * 3.0 / 5.0 / 1e8, "1e8")
    # the file, the CLI and a sweep say the same
    text = "\n".join([
        'current = 1.0', '[materials.N]', 'type = "normal"', 'D = 3.0', 'l = 5.0',
        '[materials.F1]', 'type = "ferromagnet"', 'D = 1.0', 'p = 0.5', 'l = 2.0',
        '[materials.F2]', 'type = "ferromagnet"', 'D = 1.3', 'p = 0.3', 'l = 1.5',
        '[[layers]]', 'material = "N"', 'thickness = 0.8', '[[layers]]', 'material = "F1"', 'thickness = 1.5',
        'magnetization = [0, 0, 1]', '[[layers]]', 'material = "N"', 'thickness = 2.0', '[[layers]]', 'material = "F2"',
        'thickness = 1.0', 'magnetization = { theta = 60, phi = 20 }', '[[layers]]', 'material = "N"', 'thickness = 0.6',
        '[[interfaces]]', 'node = 3', 'g_up = 1.0', 'g_dn = 1.0', 'g_mix = [1e30, 0.3]', ''])
    path = tmp_path / "valve.toml"
    path.write_text(text)
    stack = ss.load_stack(path)
    python = ss.solve(stack)
    result = CliRunner().invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    np.testing.assert_allclose([node["mu_s"] for node in data["nodes"]], python.accumulation, rtol=1e-14, atol=1e-16)
    swept = ss.sweep(stack, {"theta": [60.0]}, progress=False)
    np.testing.assert_allclose(swept.accumulation.values[0], python.accumulation, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(python.accumulation, solutions[1].accumulation, rtol=1e-14, atol=1e-16)


# --------------------------------------------------------------- every node, every path
@pytest.mark.parametrize("thin", [False, True], ids=["plain", "thin-spacer"])
@pytest.mark.parametrize("ends", [("F", "N"), ("R", "R"), ("N", "F")], ids=lambda e: "-".join(e))
@pytest.mark.parametrize("g", LARGE)
def test_interfaces_at_every_node_tend_to_none(g, ends, thin):
    solution = ss.solve(multilayer(THETA, g, ends, thin))
    reference = ss.solve(multilayer(THETA, None, ends, thin))  # efficiencies by the compiled kernel (numba)
    tolerance = bound(g, thin=thin)
    for name in ("accumulation", "torque", "spin_current_left", "spin_current_right", "spin_flip_loss", "deposit"):
        assert_close(getattr(solution, name), getattr(reference, name), tolerance, name)
    assert_close(solution.accumulation_right, reference.accumulation, tolerance, "accumulation_right")
    ohmic = 10 / (2 * g)  # each interface adds 1/g in series
    assert_close(solution.resistance_area - ohmic, reference.resistance_area, tolerance, "resistance_area")
    assert_close(solution.spin_resistance_area, reference.spin_resistance_area, tolerance + 1e-12, "spin part")
    # the efficiency by each route (theta = 0, 180 and 1e-8: complex step; 5 deg: torque vectors; others:
    # scalar projections) against the reference by the numpy elimination and by the compiled kernel
    efficiency = solution.efficiency()
    arrays = stack_arrays(multilayer(THETA, None, ends, thin))
    references = [from_solution(arrays, solve_nodes(arrays, backend="numpy"), 0, 4)]
    if "compiled" in applicable_backends(arrays):  # (not with a stiff thin spacer, nor without numba)
        references.append(efficiency_of(arrays, 0, 4, backend="compiled"))
    # the field-like parts are zero here: all four compared on the scale of g1, g2
    scale = max(float(np.abs(references[0].g1).max()), float(np.abs(references[0].g2).max()))
    for expected in references:
        for name in ("g1", "g2", "g1_field", "g2_field"):
            error = np.abs(getattr(efficiency, name) - getattr(expected, name)).max()
            assert np.isfinite(getattr(efficiency, name)).all() and error <= tolerance * scale, (name, error)
    # the interface currents are the bulk currents beside them (transparent: nothing kept)
    for k in range(1, 9):
        left, right = solution.interface_currents(k)
        assert_close(left, reference.spin_current_right[:, k - 1], tolerance, f"interface {k} left")
        assert_close(right, reference.spin_current_left[:, k], tolerance, f"interface {k} right")


@pytest.mark.parametrize("g", LARGE)
def test_single_configuration_against_the_banded_and_compiled_reference(g):
    # one configuration of 9 layers: the reference goes through the banded solve (numba and LAPACK forms),
    # the interface stack through the elimination
    stack, reference = multilayer(60.0, g), multilayer(60.0)
    arrays = stack_arrays(reference)
    assert "banded" in applicable_backends(arrays) and "banded" not in applicable_backends(stack_arrays(stack))
    solution = ss.solve(stack)
    for backend in ("banded-numba", "banded"):
        if backend not in applicable_backends(arrays):  # (numba is not installed)
            continue
        layerwise = solve_nodes(arrays, backend=backend)
        assert_close(solution.per_unit_current.accumulation, layerwise.accumulation, bound(g), "accumulation")
        assert_close(solution.per_unit_current.accumulation_right, layerwise.accumulation, bound(g), "accumulation_right")
        assert_close(solution.per_unit_current.torque, layerwise.torque, bound(g), "torque")
    assert isinstance(ss.solve(reference).per_unit_current, LayerwiseSolution)
    assert_close(solution.efficiency().g2, ss.solve(reference).efficiency().g2, bound(g), "g2")


def test_error_falls_as_one_over_g():
    reference = ss.solve(multilayer(THETA))
    errors = [np.abs(ss.solve(multilayer(THETA, g)).torque - reference.torque).max() for g in (1e5, 1e7)]
    assert errors[1] / errors[0] == pytest.approx(1e-2, rel=0.02)
    assert errors[0] / np.abs(reference.torque).max() < bound(1e5)


@pytest.mark.parametrize("g_i", [0.0, 0.4])
def test_mixing_conductance_before_a_thin_layer_converges(g_i):
    # F | N side with g_mix = G, then a thin N (d < l, stepped channel by channel: soft along m, as stiff as G
    # normal to it): the error from the g_mix = inf limit (= no interface) falls as 1/G up to 1e16 (a projection
    # m^T load m with G inside once carried G times round-off, 0.6 at G = 1e16)
    m = np.array([-0.61965312, -0.38682617, -0.68293157]) / 1.0000000032
    layers = [ss.Layer(N, 0.3), ss.Layer(F1, 2.0, m), ss.Layer(ss.Normal("P", 2.0, 1.4), 0.3)]
    ends = dict(left=ss.Lead(F1, [1.0, 0.0, 0.0]), right=ss.Lead(F1, [1.0, 0.0, 0.0]))
    reference = ss.solve(ss.Stack(layers, **ends))
    scale = np.abs(reference.torque).max()
    errors = []
    for G in (1e4, 1e8, 1e12, 1e16, 1e30, INF):
        solution = ss.solve(ss.Stack(layers, **ends, interfaces=[ss.Interface(2, INF, INF, [G, g_i])]))
        errors.append(np.abs(solution.torque - reference.torque).max() / scale)
    assert errors[0] > 1e-6  # the interface matters at G = 1e4
    for G, error in zip((1e8, 1e12, 1e16, 1e30), errors[1:]):
        assert error <= 1.2 * errors[0] * 1e4 / G + 1e-14, (G, error)
    assert errors[-1] <= 1e-14


def test_profiles_and_in_plane_drive_stay_finite_and_transparent():
    # profiles between the nodes, and the in-plane drive (field-driven solve, open faces) through interfaces
    solution, reference = ss.solve(multilayer(60.0, INF)), ss.solve(multilayer(60.0))
    x = np.linspace(0.0, float(reference.stack.node_positions[-1]), 401)
    for name in ("spin_accumulation", "spin_current"):
        assert_close(getattr(solution, name)(x), getattr(reference, name)(x), 1e-12, name)
    # MODEL.md 8h: transparent Pt/F, tau_DL = 0.2920480 (full absorption), by g = inf and by g_mix -> inf
    Pt, F = ss.Normal("Pt", 2.0, 1.4, theta_SH=0.19), ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    for g, mixing in ((INF, [INF, 0.0]), (1e30, [1e30, 0.0]), (INF, [INF, 0.7])):
        stack = ss.Stack([ss.Layer(Pt, 3.0), ss.Layer(F, 1.5, [1.0, 0.0, 0.0])], left=ss.Open(), right=ss.Open(),
                         current=0.0, field=[0.0, 1.0, 0.0], interfaces=[ss.Interface(1, g, g, mixing)])
        tau_DL, tau_FL = ss.solve(stack).spin_orbit_torque
        assert float(tau_DL[1]) == pytest.approx(0.2920480, abs=5e-8)
        assert abs(float(tau_FL[1])) < 1e-15


# --------------------------------------------------------------- beyond the plain transparent node
def test_coherent_ferromagnet_behind_a_transparent_interface():
    # an interface keeps the face of an F with l_J, l_phi free of transverse spin (MODEL.md 8d) even at g = inf:
    # the limit is that boundary condition (not the interface-free stack), reached as 1/g, finite at a reservoir
    C = ss.Ferromagnet("C", 1.2, 0.4, 3.0, l_J=0.8, l_phi=1.5)

    def stack(g, left):
        mixing = [g, 0.3 * g] if math.isfinite(g) else [INF, 0.0]
        layers = [ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(C, 0.7, ss.polar(70.0, 10.0)), ss.Layer(N, 0.5)]
        interfaces = [ss.Interface(2, g, g, mixing), ss.Interface(3, g, g, mixing)]
        if left:  # a reservoir face beside a coherent F: the channel pins mu along m there
            layers = [layers[2], layers[1], layers[0], layers[3]]
            interfaces = [ss.Interface(0, g, g), ss.Interface(1, g, g, mixing)]
        return ss.Stack(layers, interfaces=interfaces)

    for left in (False, True):
        limit = ss.solve(stack(INF, left))
        k = 0 if left else 2  # the coherent layer
        m = ss.polar(70.0, 10.0)
        for face in (limit.spin_current_left[k], limit.spin_current_right[k]):
            np.testing.assert_allclose(face - (face @ m) * m, 0.0, atol=1e-15)
        if left:
            assert abs(float(limit.accumulation_right[0] @ m)) < 1e-16
        for g in (1e8, 1e30):
            approximate = ss.solve(stack(g, left))
            assert_close(approximate.torque, limit.torque, bound(g, 2), f"torque at {g:g}")
            assert_close(approximate.accumulation, limit.accumulation, bound(g, 2), f"mu at {g:g}")


def test_spin_memory_loss_at_a_huge_conductance_is_a_spin_sink():
    # g -> inf at fixed delta > 0 pins mu to 0 at an N/N interface (its sink G_I tanh(delta/2) grows with g):
    # the stack splits into two halves ending in reservoirs.  delta = 800 decouples the faces (1/s overflows).
    layers = [ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(N, 0.7), ss.Layer(F2, 1.0, ss.polar(60.0, 20.0))]
    left = ss.solve(ss.Stack(layers[:2], left=ss.Lead(N)))
    right = ss.solve(ss.Stack(layers[2:], right=ss.Lead(N)))
    for g in (1e8, 1e30, 1e150):
        for delta in (0.4, 800.0):
            solution = ss.solve(ss.Stack(layers, left=ss.Lead(N), right=ss.Lead(N),
                                         interfaces=[ss.Interface(2, g, g, delta=delta)]))
            values = (solution.accumulation, solution.accumulation_right, solution.torque, solution.resistance_area,
                      *solution.interface_currents(2))
            assert all(np.isfinite(value).all() for value in values)
            tolerance = 1e-14 + 10.0 / (g * delta * math.tanh(delta / 2))  # 1 / the sink G_I tanh(delta / 2)
            assert_close(solution.accumulation[:3], left.accumulation, tolerance, "left half")
            assert_close(solution.accumulation_right[2:], right.accumulation, tolerance, "right half")


# --------------------------------------------------------------- input: "inf", AR = 0, and what is refused
def test_inf_in_files_and_python():
    reduced = (ROOT / "examples" / "seed-fnf.toml").read_text()
    stacks = [ss.Stack(ss.load_stack(ROOT / "examples" / "seed-fnf.toml").layers,
                       interfaces=[ss.Interface(1, INF, INF, [INF, 0.2])])]
    for written in ('"inf"', "inf"):  # the string and TOML's own inf
        stacks.append(stack_from_dict(tomllib.loads(reduced + SEED_INTERFACE.format(g=written)), "seed.toml"))
    plain = ss.solve(ss.load_stack(ROOT / "examples" / "seed-fnf.toml"))
    for stack in stacks:
        assert float(stack.interfaces[0].gamma) == 0.0 and float(stack.interfaces[0].g) == INF
        assert_close(ss.solve(stack).torque, plain.torque, 1e-14, "torque")
    # SI: AR = 0 and G_mix = "inf" are the same limit
    si_text = "\n".join([
        'units = "SI"', 'current = "1e11 A/m^2"', '[materials.Co]', 'type = "ferromagnet"', 'rho = "60 nOhm*m"',
        'beta = 0.46', 'l_sf = "60 nm"', '[materials.Cu]', 'type = "normal"', 'rho = "5 nOhm*m"', 'l_sf = "450 nm"',
        '[[layers]]', 'material = "Co"', 'thickness = "4 nm"', 'magnetization = [0, 0, 1]', '[[layers]]',
        'material = "Cu"', 'thickness = "10 nm"', '[[layers]]', 'material = "Co"', 'thickness = "4 nm"',
        'magnetization = { theta = 60, phi = 0 }', ''])
    interface = '[[interfaces]]\nnode = 1\nAR = "0 fOhm*m^2"\ngamma = 0.7\nG_mix = ["inf", "1e13 Ohm^-1*m^-2"]\n'
    with_interface = stack_from_dict(tomllib.loads(si_text + interface), "si.toml")
    without = stack_from_dict(tomllib.loads(si_text), "si.toml")
    assert_close(ss.solve(with_interface).reduced.torque, ss.solve(without).reduced.torque, 1e-14, "SI torque")
    assert_close(ss.solve(with_interface).reduced.resistance_area, ss.solve(without).reduced.resistance_area, 1e-14, "SI r")
    assert float(ss.Interface.from_valet_fert(1, 0.0, 0.5).g_up) == INF


@pytest.mark.parametrize(("kwargs", "path", "reason"), [
    ({"g_up": INF, "g_dn": 2.0}, "g_dn", "must be inf as well when g_up is inf"),
    ({"g_up": 2.0, "g_dn": INF}, "g_up", "must be inf as well when g_dn is inf"),
    ({"g_up": INF, "g_dn": INF, "delta": 0.3}, "delta", "must be 0 at an infinite conductance"),
    ({"g_up": 2.0, "g_dn": 2.0, "g_mix": [1.0, INF]}, "g_mix", "the imaginary part g_i must be finite"),
    ({"g_up": 2.0, "g_dn": 2.0, "g_mix": [-INF, 0.0]}, "g_mix", "the real part g_r must be >= 0"),
    ({"g_up": -INF, "g_dn": 2.0}, "g_up", "must be > 0"),
])
def test_what_an_infinite_conductance_cannot_be(kwargs, path, reason):
    with pytest.raises(ss.StackError) as caught:
        ss.Interface(1, **kwargs)
    assert caught.value.path == path and reason in caught.value.reason


def test_refusals_from_a_file_are_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text((ROOT / "examples" / "seed-fnf.toml").read_text()
                    + '[[interfaces]]\nnode = 1\ng_up = "inf"\ng_dn = "inf"\ng_mix = ["inf", 0]\ndelta = 0.5\n')
    result = CliRunner().invoke(main, ["solve", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "interfaces[0].delta: must be 0 at an infinite conductance" in result.stderr
