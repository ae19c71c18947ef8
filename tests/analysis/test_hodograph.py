"""Folded hodographs keep lengths and the angles to every axis (seed conclusions)."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import hodograph


def non_coplanar(rng):
    F, N = ss.Ferromagnet("F", 1.0, 0.6, 2.0), ss.Normal("N", 3.0, 4.0)
    direction = lambda: ss.polar(rng.uniform(0, 180), rng.uniform(0, 360))  # noqa: E731
    layers = [ss.Layer(F, 1.0, direction()), ss.Layer(N, 0.7), ss.Layer(N, 0.4), ss.Layer(F, 1.3, direction()),
              ss.Layer(N, 1.1), ss.Layer(F, 0.9, direction()), ss.Layer(N, 0.5), ss.Layer(F, 0.8, direction())]
    return ss.Stack(layers, left=ss.Lead(N), right=ss.Lead(N))


@pytest.mark.parametrize("seed", range(6))
def test_folding_is_flat_and_isometric_per_layer(seed):
    solution = ss.solve(non_coplanar(np.random.default_rng(seed)))
    h = hodograph(solution, samples=33)
    assert h.planarity < 1e-12
    flat = h.folded_accumulation
    for i in range(len(solution.stack.layers)):
        # lengths of the cord's pieces
        np.testing.assert_allclose(np.linalg.norm(np.diff(flat[i], axis=0), axis=-1),
                                   np.linalg.norm(np.diff(h.accumulation[i], axis=0), axis=-1), rtol=1e-10, atol=1e-15)
        # distance from the origin and angle to every axis touching this layer's chain
        np.testing.assert_allclose(np.linalg.norm(flat[i], axis=-1), np.linalg.norm(h.accumulation[i], axis=-1), rtol=1e-12, atol=1e-15)
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(solution.stack.layers) and solution.stack.layers[j].is_ferromagnet:
                axis3, axis2 = h.axes[j], h.rotation[i] @ h.axes[j]
                np.testing.assert_allclose(h.accumulation[i] @ axis3, (h.rotation[i] @ h.accumulation[i].T).T @ axis2, rtol=1e-10, atol=1e-14)
                assert abs(axis2[2]) < 1e-12  # the axis itself lies in the fold plane


def test_neighbouring_layers_agree_at_their_shared_node():
    solution = ss.solve(non_coplanar(np.random.default_rng(11)))
    h = hodograph(solution)
    flat = h.folded_accumulation
    np.testing.assert_allclose(flat[:-1, -1], flat[1:, 0], atol=1e-12)


def test_coplanar_stack_is_only_rotated():
    F, N = ss.Ferromagnet("F", 1.0, 0.6, 2.0), ss.Normal("N", 3.0, 4.0)
    stack = ss.Stack([ss.Layer(F, 1.0, ss.polar(10)), ss.Layer(N, 1.0), ss.Layer(F, 1.0, ss.polar(80)),
                      ss.Layer(N, 1.0), ss.Layer(F, 1.0, ss.polar(150))])
    h = hodograph(ss.solve(stack))
    for rotation in h.rotation:
        np.testing.assert_allclose(rotation, h.rotation[0], atol=1e-14)
    np.testing.assert_allclose(np.linalg.det(h.rotation[0]), 1.0)
    np.testing.assert_allclose(h.folded_axes[0], [0, 1], atol=1e-15)


def test_spin_current_folds_with_the_accumulation():
    solution = ss.solve(non_coplanar(np.random.default_rng(3)))
    h = hodograph(solution)
    # in N the spin current is -(D/2) dmu/dx: tangent to the folded cord
    for i, layer in enumerate(solution.stack.layers):
        if not layer.is_ferromagnet:
            tangent = np.gradient(h.folded_accumulation[i], h.x[i], axis=0)
            np.testing.assert_allclose(h.folded_spin_current[i][1:-1], -(layer.material.D / 2) * tangent[1:-1],
                                       rtol=2e-3, atol=2e-3 * np.abs(h.spin_current[i]).max())


def test_hodograph_takes_a_stack_or_its_solution():
    """issue 13 item 6: like its neighbours, hodograph solves a stack; anything else is a TypeError."""
    stack = non_coplanar(np.random.default_rng(3))
    from_stack, from_solution = hodograph(stack, 9), hodograph(ss.solve(stack), 9)
    np.testing.assert_array_equal(from_stack.accumulation, from_solution.accumulation)
    np.testing.assert_array_equal(from_stack.rotation, from_solution.rotation)
    with pytest.raises(TypeError, match=r"hodograph takes a spinstack Stack or Solution, got list"):
        hodograph([stack])
