"""Spin-orbit torque and SMR curves (spinstack.analysis.spin_orbit) against MODEL.md 8g limits 4 and 6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import PLANES, chen_smr, smr_angle, smr_scan_plane, smr_thickness, torque_thickness
from spinstack.errors import SpinstackError
from spinstack.model.paths import parameter_value, with_parameter

ROOT = Path(__file__).resolve().parents[2]

Pt = ss.Normal("Pt", 2.0, 1.4, theta_SH=0.19)
F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)


def pt_f(m=(1.0, 0.0, 0.0), field=(0.0, 1.0, 0.0), hm_left: bool = True, right=None) -> ss.Stack:
    layers = [ss.Layer(Pt, 3.0), ss.Layer(F, 1.5, list(m))]
    if not hm_left:
        layers = layers[::-1]
    return ss.Stack(layers, left=ss.Open(), right=right or ss.Open(), current=0.0, field=list(field))


def closed_limit4(d: np.ndarray, theta=0.19, D=2.0, l=1.4, eps=1.0) -> np.ndarray:
    return theta * D * eps * (1.0 - 1.0 / np.cosh(d / l))


def pt_on_insulator(m=(1.0, 0.0, 0.0), g_mix=(0.7, 0.2), insulator_right: bool = True) -> ss.Stack:
    insulator = ss.Insulator(list(m), list(g_mix))
    left, right = (ss.Open(), insulator) if insulator_right else (insulator, ss.Open())
    return ss.Stack([ss.Layer(Pt, 3.0)], left=left, right=right, current=0.0, field=[0.0, 1.0, 0.0])


def chen(m: np.ndarray, d=3.0, theta=0.19, D=2.0, l=1.4, g=(0.7, 0.2)) -> tuple[np.ndarray, np.ndarray]:
    """MODEL.md 8g limit 6, written out here (eps = +y, sigma_hat = +z)."""
    G = g[0] + 1j * g[1]
    X = 2 * l * G * np.tanh(d / (2 * l)) ** 2 / (D + 2 * l * G / np.tanh(d / l))
    drho0 = -theta**2 * (2 * l / d) * np.tanh(d / (2 * l))
    drho1 = theta**2 * (l / d) * X.real
    drho2 = -theta**2 * (l / d) * X.imag
    return drho0 + drho1 * (1 - m[..., 2] ** 2), drho1 * m[..., 1] * m[..., 2] + drho2 * m[..., 0]


# ------------------------------------------------------------------ torque against thickness
@pytest.mark.parametrize("m", [(1, 0, 0), (0, 1, 0), (0.3, 0.5, 0.4), (0, 0.6, -0.8)])
def test_torque_thickness_is_limit4(m):
    d = np.geomspace(0.01, 30.0, 200)
    curve = torque_thickness(pt_f(m), d)
    expected = closed_limit4(d)
    assert curve.parameter == "layers[0].thickness" and curve.target == 1
    np.testing.assert_allclose(curve.damping_like, expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(curve.field_like, 0.0, atol=1e-10)
    np.testing.assert_allclose(curve.closed_form, expected, rtol=0, atol=1e-15)


def test_torque_thickness_reference_number():
    curve = torque_thickness(pt_f(), [3.0])  # MODEL.md 8h: transparent tau_DL = 0.2920480
    assert curve.damping_like[0] == pytest.approx(0.2920480, abs=1e-7)


def test_torque_thickness_mirrored_stack_flips_sign():
    d = np.linspace(0.2, 8.0, 40)
    curve = torque_thickness(pt_f(hm_left=False), d)
    np.testing.assert_allclose(curve.damping_like, -closed_limit4(d), atol=1e-10)
    np.testing.assert_allclose(curve.closed_form, -closed_limit4(d), atol=1e-15)


def test_torque_thickness_field_magnitude_and_reservoir_beyond_f():
    d = np.linspace(0.2, 8.0, 40)
    curve = torque_thickness(pt_f(field=(0, 0.3, -0.4), right=ss.Reservoir()), d)
    np.testing.assert_allclose(curve.damping_like, closed_limit4(d, eps=0.5), atol=1e-10)


def test_torque_thickness_no_closed_form_with_mixing_conductance():
    """Limit 5 instead: an insulator end's torque, no closed form of limit 4 attached."""
    d = np.linspace(0.5, 6.0, 12)
    curve = torque_thickness(pt_on_insulator(), d, target="right")
    assert curve.closed_form is None
    G = 0.7 - 0.2j  # g~ = g_r - i g_i
    l, D = 1.4, 2.0
    expected = 0.19 * 2.0 * 2 * l * G * np.tanh(d / (2 * l)) / (D + 2 * l * G / np.tanh(d / l))
    np.testing.assert_allclose(curve.damping_like + 1j * curve.field_like, expected, atol=1e-10)


def test_torque_thickness_is_one_batched_solve(monkeypatch):
    from spinstack.analysis import spin_orbit

    calls = []
    real = spin_orbit.solve
    monkeypatch.setattr(spin_orbit, "solve", lambda stack: calls.append(stack.batch_shape) or real(stack))
    torque_thickness(pt_f(), np.linspace(0.5, 5, 300))
    assert calls == [(300,)]


# ------------------------------------------------------------------ SMR
@pytest.mark.parametrize("insulator_right", [True, False])
@pytest.mark.parametrize("plane", PLANES)
def test_smr_angle_is_chen_form(plane, insulator_right):
    angles = np.linspace(0.0, 360.0, 145)
    curve = smr_angle(pt_on_insulator(insulator_right=insulator_right), angles, plane)
    long, trans = chen(curve.magnetization)
    np.testing.assert_allclose(curve.longitudinal, long, rtol=0, atol=1e-10)
    np.testing.assert_allclose(curve.transverse, trans, rtol=0, atol=1e-10)
    np.testing.assert_allclose(curve.closed_form[0], long, atol=1e-14)
    np.testing.assert_allclose(curve.closed_form[1], trans, atol=1e-14)


def test_smr_angle_planes_and_reference_numbers():
    stack = pt_on_insulator()
    u, v = smr_scan_plane(stack, "alpha")  # eps = +y, sigma_hat = +z
    np.testing.assert_allclose(u, [0, 1, 0]) and np.testing.assert_allclose(v, [0, 0, 1])
    np.testing.assert_allclose(smr_scan_plane(stack, "beta")[0], [1, 0, 0])
    np.testing.assert_allclose(smr_scan_plane(stack, "gamma")[1], [0, 1, 0])
    gamma = smr_angle(stack, [0.0, 45.0, 90.0], "gamma")  # m_sigma = 0: no change of the resistance
    np.testing.assert_allclose(gamma.longitudinal, -0.0213821, atol=5e-8)
    assert gamma.transverse[0] == pytest.approx(-0.0007159, abs=5e-8)  # m = x (MODEL.md 8h)
    alpha = smr_angle(stack, [90.0], "alpha")  # m || sigma_hat: drho0 only
    assert alpha.longitudinal[0] == pytest.approx(-0.0266177, abs=5e-8)
    with pytest.raises(SpinstackError, match="rotation plane"):
        smr_angle(stack, [0.0], "delta")


def test_smr_angle_of_a_ferromagnet_layer():
    stack = pt_f()
    curve = smr_angle(stack, np.linspace(0, 180, 7), "alpha", magnet=1)
    assert curve.closed_form is None and np.all(np.isfinite(curve.longitudinal))
    # m -> -m leaves the resistance unchanged (smr even in m for a transparent F)
    back = smr_angle(stack, np.linspace(180, 360, 7), "alpha", magnet=1)
    np.testing.assert_allclose(curve.longitudinal, back.longitudinal, atol=1e-12)


def test_smr_thickness_is_chen_form():
    d = np.geomspace(0.05, 40.0, 120)
    stack = with_parameter(pt_on_insulator(), "right.magnetization", [0.0, 0.6, 0.8])
    curve = smr_thickness(stack, d)
    long, trans = chen(np.array([0.0, 0.6, 0.8]), d=d)
    np.testing.assert_allclose(curve.longitudinal, long, atol=1e-10)
    np.testing.assert_allclose(curve.transverse, trans, atol=1e-10)
    assert chen_smr(pt_f()) is None


def test_insulator_paths():
    stack = pt_on_insulator()
    turned = with_parameter(stack, "right.magnetization.phi", np.array([0.0, 90.0]))
    np.testing.assert_allclose(turned.right.magnetization, [[1, 0, 0], [0, 1, 0]], atol=1e-15)
    np.testing.assert_allclose(parameter_value(stack, "right.g_mix"), [0.7, 0.2])
    assert with_parameter(stack, "right.g_s", 0.5).right.g_s == 0.5
    with pytest.raises(SpinstackError, match=r"^right\.g_mix: g_r must be >= 0"):
        with_parameter(stack, "right.g_mix", [-1.0, 0.0])
    with pytest.raises(SpinstackError, match="open face"):
        with_parameter(stack, "left.magnetization", [1.0, 0.0, 0.0])


def test_bad_stacks():
    seed = ss.load_stack(ROOT / "examples" / "seed-fnf.toml")
    with pytest.raises(SpinstackError, match="no in-plane field"):
        torque_thickness(seed, [1.0])
    no_hall = ss.Stack([ss.Layer(ss.Normal("Cu", 2.0, 5.0), 3.0), ss.Layer(F, 1.0, [1, 0, 0])],
                       left=ss.Open(), right=ss.Open(), current=0.0, field=[0, 1, 0])
    with pytest.raises(SpinstackError, match="theta_SH"):
        smr_thickness(no_hall, [1.0])
    with pytest.raises(SpinstackError, match="not a ferromagnetic layer"):
        torque_thickness(pt_f(), [1.0], target=0)


def test_si_example_runs():
    stack = ss.load_stack(ROOT / "examples" / "pt-co-sot.toml")
    d = np.linspace(1e-9, 10e-9, 10)
    curve = torque_thickness(stack, d)
    assert curve.closed_form is not None
    np.testing.assert_allclose(curve.damping_like, curve.closed_form, rtol=1e-10)
