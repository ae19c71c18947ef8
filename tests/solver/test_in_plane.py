"""The in-plane drive's read-out on arrays (spinstack.solver.in_plane, MODEL.md 8a, 8c, 8f), by hand."""

from __future__ import annotations

import numpy as np

import spinstack as ss
from spinstack.solver import in_plane


def unit_vectors(rng, count):
    v = rng.normal(size=(count, 3))
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_sigma_hat_is_xhat_cross_the_field_direction():
    # MODEL.md 8a: eps = +y gives sigma_hat = +z (the Pt sign sentence of 8b), eps = +z gives -y
    np.testing.assert_array_equal(in_plane.sigma_hat(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
                                  [[0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
    rng = np.random.default_rng(1)
    direction = unit_vectors(rng, 20) * [0.0, 1.0, 1.0]
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    np.testing.assert_allclose(in_plane.sigma_hat(direction), np.cross([1.0, 0.0, 0.0], direction), rtol=0, atol=1e-16)


def test_torque_parts_rebuild_any_torque_normal_to_m():
    """T = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat is complete for T normal to m (MODEL.md 8f)."""
    rng = np.random.default_rng(2)
    m, sigma, torque = unit_vectors(rng, 200), unit_vectors(rng, 200), rng.normal(size=(200, 3))
    torque -= np.sum(torque * m, axis=-1, keepdims=True) * m
    damping, field_like = in_plane.torque_parts(lambda v: np.sum(torque * v, axis=-1), m, sigma)
    rebuilt = damping[:, None] * np.cross(m, np.cross(sigma, m)) + field_like[:, None] * np.cross(m, sigma)
    np.testing.assert_allclose(rebuilt, torque, rtol=0, atol=1e-12 * np.abs(torque).max())


def test_torque_parts_are_nan_exactly_where_m_is_parallel_to_sigma_hat():
    sigma = np.array([[0.0, 0.0, 1.0]] * 4)
    m = np.array([[0.0, 0.0, -1.0], [0.0, 1e-13, 1.0], [0.0, 1e-11, 1.0], [1.0, 0.0, 0.0]])
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    damping, field_like = in_plane.torque_parts(lambda v: v[..., 0], m, sigma)
    parallel = in_plane.parallel_to_sigma_hat(m, sigma)
    np.testing.assert_array_equal(parallel, [True, True, False, False])  # |m x sigma_hat| <= 1e-12
    np.testing.assert_array_equal(np.isnan(damping), parallel)
    np.testing.assert_array_equal(np.isnan(field_like), parallel)


def test_spin_hall_magnetoresistance_by_hand():
    """MODEL.md 8c with arbitrary node accumulations: delta I from the N layers with theta_SH only, I0 from every
    layer."""
    rng = np.random.default_rng(3)
    Pt, W = ss.Normal("Pt", 2.0, 1.4, theta_SH=0.19), ss.Normal("W", 0.7, 1.1, theta_SH=-0.3)
    Cu, Co = ss.Normal("Cu", 5.0, 20.0), ss.Ferromagnet("Co", 1.2, 0.4, 3.0)
    layers = [ss.Layer(Pt, 3.0), ss.Layer(Co, 1.5, [0.0, 0.6, 0.8]), ss.Layer(Cu, 2.0), ss.Layer(W, 4.0)]
    eps = np.array([0.0, 0.3, -0.4])
    arrays = ss.solve(ss.Stack(layers, left=ss.Open(), right=ss.Open(), current=0.0, field=eps)).arrays
    mu, mu_right = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    direction = eps / 0.5
    sigma = np.cross([1.0, 0.0, 0.0], direction)
    smr = in_plane.spin_hall_magnetoresistance(arrays, mu, mu_right, direction, sigma)
    change, total, longitudinal, transverse = smr.change, smr.total, smr.longitudinal, smr.transverse
    xhat = np.array([1.0, 0.0, 0.0])
    expected_change = (-(0.19 * 2.0 / 2) * np.cross(xhat, mu[1] - mu_right[0])
                       - (-0.3 * 0.7 / 2) * np.cross(xhat, mu[4] - mu_right[3]))
    expected_total = (2.0 * 3.0 + 1.2 / (1 - 0.4**2) * 1.5 + 5.0 * 2.0 + 0.7 * 4.0) * eps
    np.testing.assert_allclose(change, expected_change, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(total, expected_total, rtol=1e-15, atol=1e-16)
    magnitude = np.linalg.norm(expected_total)
    np.testing.assert_allclose(longitudinal, -expected_change @ direction / magnitude, rtol=1e-14)
    np.testing.assert_allclose(transverse, -expected_change @ sigma / magnitude, rtol=1e-14)
