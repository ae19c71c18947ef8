"""The |Delta j_s| labels of the profile figures sit beside their own jump, readable, and every jump shows.

Checked on the drawn figure (matplotlib's renderer, display pixels): every torque face has one
label; no label box overlaps another label, another face's jump arrows or ring, or leaves the
frame; the jump nearest to a label is its own; a jump too short to read as an arrow is ringed.
An SI label names the magnet the torque acts on.  Before these rules the two labels of
examples/wavy-torque.toml were printed on top of each other, F2's label sat at F1's jump and
F2's own jump showed no arrow; in examples/co-cu-py.toml the box at the Co|Cu arrow held Py's torque.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402
from spinstack import plot  # noqa: E402
from spinstack.analysis.hodographs import torque_nodes  # noqa: E402

EXAMPLES = Path(__file__).parents[2] / "examples"


def _box(extent) -> np.ndarray:
    return np.array([extent.x0, extent.y0, extent.x1, extent.y1])


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _gap(a: np.ndarray, b: np.ndarray) -> float:
    dx = max(0.0, a[0] - b[2], b[0] - a[2])
    dy = max(0.0, a[1] - b[3], b[1] - a[3])
    return float(np.hypot(dx, dy))


def drawn_labels(ax) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], dict[int, str]]:
    """(node -> label box, node -> box around its jump arrows and ring, node -> label text), display pixels."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels, jumps, texts = {}, {}, {}
    for text in ax.texts:
        gid = str(text.get_gid())
        if gid.startswith("torque-label:"):
            node = int(gid.split(":")[1])
            assert node not in labels, "one label per face"
            labels[node] = _box(text.get_bbox_patch().get_window_extent(renderer))
            texts[node] = text.get_text()
        elif gid.startswith("jump:"):
            node = int(gid.split(":")[1])
            box = _box(text.arrow_patch.get_window_extent(renderer))
            jumps[node] = box if node not in jumps else np.r_[np.minimum(jumps[node][:2], box[:2]),
                                                               np.maximum(jumps[node][2:], box[2:])]
    for line in ax.get_lines():
        gid = str(line.get_gid())
        if gid.startswith("jump-ring:"):
            node = int(gid.split(":")[1])
            box = _box(line.get_window_extent(renderer))
            jumps[node] = box if node not in jumps else np.r_[np.minimum(jumps[node][:2], box[:2]),
                                                               np.maximum(jumps[node][2:], box[2:])]
    return labels, jumps, texts


def check_labels(ax, solution: ss.Solution) -> dict[int, str]:
    """Assert the placement rules on a drawn j_s panel; returns the labels' texts by node."""
    labels, jumps, texts = drawn_labels(ax)
    reduced = solution.reduced
    scale = np.abs(np.concatenate([reduced.spin_current_left, reduced.spin_current_right])).max()
    faces = [k for k in torque_nodes(reduced) if np.linalg.norm(reduced.deposit[k]) > 1e-9 * scale]  # not round-off
    assert sorted(labels) == sorted(faces)
    assert sorted(jumps) == sorted(faces), "every torque face shows its jump (arrows or a ring)"
    frame = _box(ax.get_window_extent())
    for node, box in labels.items():
        assert frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3], node
        for other, other_box in labels.items():
            if other != node:
                assert not _overlap(box, other_box), (node, other)
        for other, jump in jumps.items():
            if other != node:
                assert not _overlap(box, jump), f"label {node} covers the jump at node {other}"
                assert _gap(box, jumps[node]) < _gap(box, jump), f"label {node} is nearer the jump at node {other}"
        # its leader line ends on its own face
        annotation = next(t for t in ax.texts if t.get_gid() == f"torque-label:{node}")
        face = float(ax.transData.transform((annotation.xy[0], 0.0))[0])
        assert jumps[node][0] <= face <= jumps[node][2]
    return texts


def profiles(path: str) -> tuple[ss.Solution, object]:
    solution = ss.solve(ss.load_stack(EXAMPLES / path))
    return solution, plot.profiles_figure(solution)


@pytest.mark.parametrize("example", ["wavy-torque.toml", "co-cu-py.toml", "seed-fnf.toml", "asymmetric-fnf.toml",
                                     "pt-co-sot.toml"])
def test_every_label_sits_by_its_own_jump(example):
    solution, fig = profiles(example)
    check_labels(fig.axes[1], solution)


def test_si_labels_name_the_magnet_and_a_short_jump_is_ringed():
    solution, fig = profiles("wavy-torque.toml")
    bottom = fig.axes[1]
    texts = check_labels(bottom, solution)
    # node 1: Co|Cu, node 2: Cu|Py (F2's jump is about 3 % of the axis: too short to see as an arrow)
    assert texts[1].endswith("on Co") and texts[2].endswith("on Py")
    rings = [line.get_gid() for line in bottom.get_lines() if str(line.get_gid()).startswith("jump-ring:")]
    assert rings == ["jump-ring:2"]
    solution, fig = profiles("co-cu-py.toml")
    texts = check_labels(fig.axes[1], solution)
    assert texts[1].endswith("on Co") and texts[2].endswith("on Py")
    assert "6.86" in texts[2]  # Py's torque by Py's jump (it was at the Co|Cu arrow)


def test_labels_fit_a_crowded_stack_and_a_small_panel():
    # five magnets, thin spacers, non-coplanar, and a lead: many faces close together
    A, B, N = ss.Ferromagnet("Py", 1.0, 0.7, 1.5), ss.Ferromagnet("Co", 1.5, 0.5, 3.0), ss.Normal("Cu", 3.0, 8.0)
    stack = ss.Stack([ss.Layer(A, 1.0, [0, 0, 1]), ss.Layer(N, 0.6), ss.Layer(B, 1.2, ss.polar(70, 0)),
                      ss.Layer(N, 0.8), ss.Layer(A, 1.0, ss.polar(120, 90)), ss.Layer(N, 0.7),
                      ss.Layer(B, 0.9, ss.polar(40, 200))], left=ss.Lead(N), right=ss.Reservoir())
    solution = ss.solve(stack)
    fig = plot.profiles_figure(solution)
    check_labels(fig.axes[1], solution)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    plot.plot_profiles(solution, "spin_current", ax=ax)
    check_labels(ax, solution)


def test_a_projection_without_a_jump_rings_the_face():
    # along m1 the jump at F1's face (transverse to m1) does not show: it is ringed; F2's shows as an arrow
    solution = ss.solve(ss.load_stack(EXAMPLES / "seed-fnf.toml"))
    ax = plot.plot_profiles(solution, "spin_current", "longitudinal")
    check_labels(ax, solution)
    assert [line.get_gid() for line in ax.get_lines() if str(line.get_gid()).startswith("jump-ring:")] == [
        "jump-ring:1"]
