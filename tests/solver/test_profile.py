"""mu_s(x), j_s(x), mu_0(x) from node values (spinstack.solver.profile) against the closed forms of MODEL.md 2.

The profile is a function of the node values alone, so these tests feed it arbitrary end values
(not a solution) and compare with the sinh form written with plain numpy:

    mu_s(x) = [mu_a sinh((x_b - x)/l) + mu_b sinh((x - x_a)/l)] / sinh(d/l)
    j_s(x)  = p j0 m - (D/2) dmu_s/dx
    mu_0(x) = mu_0(x_a+) - j0 (x - x_a) (1 - p^2)/D - (p/2) m.(mu_s(x) - mu_a)   (seed eq. 2)

and, in a lead, the tail mu_s = mu_node exp(-|x - x_node|/l), j_s = p j0 m -+ (D/2l) mu_s.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import spinstack as ss
from spinstack.solver import kernels
from spinstack.solver.profile import node_potentials, profile, responds_to_field

D, P, L, J0 = 1.3, 0.4, 2.0, 0.8
M = np.array([0.48, -0.6, 0.64])  # unit
F = ss.Ferromagnet("F", D, P, L)
N = ss.Normal("N", 2.5, 3.0)


def sinh_profile(x, x_a, d, a, b, potential_a):
    """MODEL.md 2 inside one F layer [x_a, x_a + d] with end values a, b (vectors along m), in plain numpy."""
    s, t = (x_a + d - x)[..., None], (x - x_a)[..., None]
    mu = (a * np.sinh(s / L) + b * np.sinh(t / L)) / np.sinh(d / L)
    slope = (b * np.cosh(t / L) - a * np.cosh(s / L)) / (L * np.sinh(d / L))
    js = P * J0 * M - 0.5 * D * slope
    mu0 = potential_a - J0 * (x - x_a) * (1 - P**2) / D - 0.5 * P * ((mu - a) @ M)
    return mu, js, mu0


def one_layer(thickness, left=None):
    """One F layer of ``thickness`` (m = M), a reservoir on the right; ``left`` None: a reservoir too."""
    stack = ss.Stack([ss.Layer(F, thickness, M)], left=left or ss.Reservoir(), current=J0)
    return ss.solve(stack).arrays


def node_values(rng, shape):
    """Arbitrary accumulations along M just left/right of the two nodes, and mu_0 there: (B, 2, 3), (B, 2)."""
    mu = rng.normal(size=shape + (2, 1)) * M
    mu_right = rng.normal(size=shape + (2, 1)) * M
    return mu, mu_right, rng.normal(size=shape + (2,)), rng.normal(size=shape + (2,))


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
def test_one_layer_is_the_closed_form_sinh_profile(backend):
    if backend == "compiled" and not kernels.AVAILABLE:
        pytest.skip("numba not installed")
    rng = np.random.default_rng(1)
    d = 1.7
    arrays = one_layer(d)
    mu_left, mu_right, potential_left, potential_right = node_values(rng, ())
    x = np.concatenate([np.linspace(0.0, d, 41), rng.uniform(0.0, d, 40)])
    values = mu_left, mu_right, potential_left, potential_right
    mu, js, mu0 = profile(arrays, x, np.asarray(J0), *values, backend=backend)
    expected = sinh_profile(x, 0.0, d, mu_right[0], mu_left[1], potential_right[0])
    for name, value, reference in zip(("mu_s", "j_s", "mu_0"), (mu, js, mu0), expected):
        np.testing.assert_allclose(value, reference, rtol=0, atol=1e-12 * np.abs(reference).max(), err_msg=name)
    # the node values come back at the faces
    np.testing.assert_allclose(mu[0], mu_right[0], rtol=1e-14)
    np.testing.assert_allclose(mu[40], mu_left[1], rtol=1e-14)


def test_a_batch_of_thicknesses_is_the_closed_form_per_configuration():
    # a batched geometry takes the comparison route to each point's layer (not searchsorted)
    rng = np.random.default_rng(2)
    d = np.array([0.3, 1.7, 6.0])
    arrays = one_layer(d)
    mu_left, mu_right, potential_left, potential_right = node_values(rng, (3,))
    x = np.linspace(-1.0, 7.0, 97)
    mu, js, mu0 = profile(arrays, x, np.full(3, J0), mu_left, mu_right, potential_left, potential_right)
    assert mu.shape == js.shape == (3, 97, 3) and mu0.shape == (3, 97)
    for i in range(3):
        inside = (x >= 0) & (x <= d[i])
        expected = sinh_profile(x[inside], 0.0, d[i], mu_right[i, 0], mu_left[i, 1], potential_right[i, 0])
        for value, reference in zip((mu[i][inside], js[i][inside], mu0[i][inside]), expected):
            np.testing.assert_allclose(value, reference, rtol=0, atol=1e-12 * np.abs(reference).max())
        # reservoirs: no accumulation, no spin current, mu_0 constant at its node's value
        left, right = x < 0, x > d[i]
        assert np.all(mu[i][left | right] == 0.0) and np.all(js[i][left | right] == 0.0)
        assert np.all(mu0[i][left] == potential_left[i, 0]) and np.all(mu0[i][right] == potential_right[i, 1])


def test_a_lead_carries_the_exponential_tail():
    rng = np.random.default_rng(3)
    arrays = one_layer(1.0, left=ss.Lead(N))
    mu_left, mu_right, potential_left, potential_right = node_values(rng, ())
    mu_left[0] = rng.normal(size=3)  # an N lead: a free 3-vector at node 0
    x = np.linspace(-9.0, -1e-3, 50)
    values = mu_left, mu_right, potential_left, potential_right
    mu, js, mu0 = profile(arrays, x, np.asarray(J0), *values, backend="numpy")
    tail = mu_left[0] * np.exp(x / N.l)[:, None]
    np.testing.assert_allclose(mu, tail, rtol=1e-14)
    np.testing.assert_allclose(js, -(N.D / (2 * N.l)) * tail, rtol=1e-14)  # left lead: j_s = -G mu_s (p = 0)
    np.testing.assert_allclose(mu0, potential_left[0] - J0 * x / N.D, rtol=1e-14)


def test_node_potentials_drop_by_the_resistance_area():
    """mu_0(left of node 0) - mu_0(right of node L) = j0 r between reservoirs (MODEL.md 4), and mu_0 jumps
    only at the resistive interface."""
    theta = np.linspace(0.0, 180.0, 7)
    F1, F2, spacer = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.3, 2.0), ss.Normal("N", 3.0, 10.0)
    layers = [ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(spacer, 2.0), ss.Layer(F2, 1.5, ss.polar(theta))]
    solution = ss.solve(ss.Stack(layers, current=-1.7, interfaces=[ss.Interface(2, 2.0, 1.0, g_mix=[1.0, 0.1])]))
    left, right = node_potentials(solution.arrays, solution.current, solution.accumulation, solution.accumulation_right,
                                  solution.per_unit_current)
    assert left.shape == right.shape == (7, 4) and np.all(left[:, 0] == 0.0)
    np.testing.assert_allclose((left[:, 0] - right[:, -1]) / solution.current, solution.resistance_area, rtol=1e-13)
    np.testing.assert_array_equal(left[:, [0, 1, 3]], right[:, [0, 1, 3]])
    assert np.all(left[:, 2] != right[:, 2])
    # the profile follows: continuous across nodes 1 and 3, the interface's jump at node 2
    x = np.array([1.5, 3.5, 5.0])
    jump = solution.electrochemical_potential(x + 1e-12) - solution.electrochemical_potential(x - 1e-12)
    np.testing.assert_allclose(jump, np.stack([0 * left[:, 1], right[:, 2] - left[:, 2], 0 * left[:, 3]], axis=-1),
                               rtol=0, atol=1e-11)


def test_only_a_field_on_a_spin_hall_metal_drives_the_stack():
    Pt = ss.Normal("Pt", 2.0, 1.4, theta_SH=0.19)
    stack = lambda layers, **ends: ss.Stack(layers, current=0.0, **ends, field=[0.0, 1.0, 0.0])  # noqa: E731
    assert responds_to_field(ss.solve(stack([ss.Layer(Pt, 3.0)], left=ss.Open(), right=ss.Open())).arrays)
    assert not responds_to_field(ss.solve(ss.Stack([ss.Layer(Pt, 3.0)])).arrays)  # no field
    assert not responds_to_field(ss.solve(stack([ss.Layer(N, 3.0)])).arrays)  # theta_SH = 0
    assert responds_to_field(ss.solve(stack([ss.Layer(N, 3.0)], right=ss.Lead(Pt))).arrays)  # a spin Hall lead


def test_a_backend_that_does_not_apply_is_refused():
    arrays = one_layer(np.array([1.0, 2.0]))  # a batch: no compiled profile
    values = node_values(np.random.default_rng(4), (2,))
    with pytest.raises(ValueError, match="compiled profile does not apply"):
        profile(arrays, np.zeros(3), np.full(2, J0), *values, backend="compiled")
    with pytest.raises(ValueError, match="must be 'numpy', 'compiled' or None"):
        profile(arrays, np.zeros(3), np.full(2, J0), *values, backend="numba")


def test_a_few_hundred_points_take_the_numpy_pass_and_do_not_import_numba():
    """Plots ask 65-200 points per layer: the compiled pass (and numba's import) only from COMPILED_FROM points."""
    if not kernels.AVAILABLE:
        pytest.skip("numba not installed")
    code = ("import sys, numpy as np, spinstack as ss\n"
            "from spinstack.solver.profile import COMPILED_FROM\n"
            "F, N = ss.Ferromagnet('F', 1.0, 0.5, 2.0), ss.Normal('N', 3.0, 10.0)\n"
            "s = ss.solve(ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.0, [1, 0, 0])]))\n"
            "s.spin_accumulation(np.linspace(-1.0, 5.0, COMPILED_FROM - 1))\n"
            "print('numba' in sys.modules)\n"
            "s.spin_accumulation(np.linspace(-1.0, 5.0, COMPILED_FROM))\n"
            "print('numba' in sys.modules)\n")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert found == ["False", "True"]
