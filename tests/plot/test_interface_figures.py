"""Every figure also works for stacks with resistive interfaces (two rings per interface node)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis import ring_forces  # noqa: E402
from tests.plot.drawing import draw  # noqa: E402
from tests.plot.test_figures import check_hodographs, check_profiles  # noqa: E402


def resistive_valve() -> ss.Stack:
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.7, 1.0), ss.Normal("N", 3.0, 5.0)
    layers = [ss.Layer(N, 0.5), ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 1.0), ss.Layer(F2, 1.0, ss.polar(60)),
              ss.Layer(N, 0.5)]
    interfaces = [ss.Interface(2, 3.0, 1.0, [1.5, 0.2]), ss.Interface(3, 2.0, 1.0, [1.0, -0.3], delta=0.2),
                  ss.Interface(5, 1.0, 1.0)]
    return ss.Stack(layers, interfaces=interfaces, right=ss.Lead(N))


def test_ring_forces_balance_with_interfaces():
    solution = ss.solve(resistive_valve())
    forces = ring_forces(solution)
    assert forces.nodes == (1, 2, 2, 3, 3, 4, 5, 5)
    assert "interface" in forces.right_cord and "interface" in forces.left_cord
    scale = np.abs(forces.driving_left).max() + np.abs(forces.cord_left).max()
    np.testing.assert_allclose(forces.total, 0.0, atol=1e-13 * scale)
    np.testing.assert_allclose(forces.along_rail(), 0.0, atol=1e-13 * scale)
    # an F layer's torque: the loads on its rail plus what its interface springs pass to it
    for index in solution.stack.ferromagnet_indices:
        rings = [r for r, node in enumerate(forces.nodes) if node in (index, index + 1)]
        load = forces.rail_load[rings].sum(axis=0) + forces.spring_load[rings].sum(axis=0)
        np.testing.assert_allclose(load, solution.torque[index], atol=1e-13 * scale)
    assert np.abs(forces.spring_load).max() > 1e-3


def test_every_kind_of_figure_is_drawn_across_interfaces():
    solution = ss.solve(resistive_valve())
    for figure in (plot.profiles_figure(solution), plot.hodograph_figure(solution), plot.plot_analogy(solution).figure,
                   plot.plot_efficiency(solution, samples=37).figure,
                   plot.plot_sign_map(solution, ("theta", np.linspace(0.0, 180.0, 19))).figure):
        draw(figure)


def test_profiles_across_interfaces():
    solution = ss.solve(resistive_valve())
    check_profiles(plot.profiles_figure(solution), solution)


def test_hodographs_across_interfaces():
    solution = ss.solve(resistive_valve())
    check_hodographs(plot.hodograph_figure(solution), solution)


def test_both_sides_of_an_interface_node_are_drawn_on_their_own_curves():
    """At a resistive interface the folded hodograph marks mu^- and mu^+ (one artist, joined by a dashed line),
    each where its own layer's drawn curve ends; elsewhere one point, where the two curves meet."""
    solution = ss.solve(resistive_valve())
    ax = plot.plot_hodograph(solution, "accumulation")
    nodes = {line.get_gid(): line.get_xydata() for line in ax.get_lines() if (line.get_gid() or "").startswith("node:")}
    assert sorted(nodes) == [f"node:{k}" for k in range(len(solution.node_positions))]
    curves = [line.get_xydata() for line in ax.get_lines() if line.get_marker() in ("None", "", None)
              and len(line.get_xydata()) > 2]
    assert len(curves) == len(solution.stack.layers)  # the layers' pieces, left to right
    ends = [curve[-1] for curve in curves]
    starts = [curve[0] for curve in curves]
    scale = float(np.abs(solution.accumulation_right).max())
    for k in range(len(solution.node_positions)):
        points = nodes[f"node:{k}"]
        before = ends[k - 1] if k > 0 else None
        after = starts[k] if k < len(curves) else None
        if k in (2, 3, 5):  # the interfaces: |mu^-| and |mu^+| differ, each on its own side's curve
            assert len(points) == 2
            np.testing.assert_allclose(np.linalg.norm(points, axis=-1),
                                       np.linalg.norm([solution.accumulation[k], solution.accumulation_right[k]],
                                                      axis=-1), rtol=0, atol=1e-13 * scale)
            assert np.linalg.norm(points[0] - points[1]) > 0.05 * scale
        else:
            assert len(points) == 1
        if before is not None:
            np.testing.assert_allclose(points[0], before, rtol=0, atol=1e-13 * scale)
        if after is not None:
            np.testing.assert_allclose(points[-1], after, rtol=0, atol=1e-13 * scale)
    plt.close("all")


def test_drawn_interface_arrows_balance():
    solution = ss.solve(resistive_valve())
    ax = plot.plot_analogy(solution)
    drawn: dict[str, np.ndarray] = {}
    for artist in ax.collections:
        gid = artist.get_gid() or ""
        if gid.startswith("force:"):
            ring = gid.split(":")[1]
            drawn[ring] = drawn.get(ring, 0.0) + np.array([artist.U[0], artist.V[0]])
    assert {"2-", "2+", "3-", "3+"} <= set(drawn)
    for total in drawn.values():
        np.testing.assert_allclose(total, 0.0, atol=1e-12)
    plt.close("all")
