"""plot.frames.arrows_through, the one test of whether an arrow runs through a label's box (ring names here, the
explorer's rail and torque names): exact, checked against the segment sampled 20 001 times, including the arrows
that only clip a box's corner between the 41 points the explorer sampled before; and plot.frames.label_boxes, the
boxes of every candidate place of a ring's name at once, against the geometry of one box."""

from __future__ import annotations

import numpy as np
import pytest

from spinstack.plot.frames import arrows_through


def _sampled(low: np.ndarray, high: np.ndarray, arrows: list[tuple[np.ndarray, np.ndarray]],
             count: int = 20_001) -> np.ndarray:
    """Whether a point of each arrow, sampled ``count`` times, lies inside each box (the edges included)."""
    along = np.linspace(0.0, 1.0, count)[:, None]
    points = np.vstack([start + along * (end - start) for start, end in arrows])
    return np.array([np.any(np.all((points >= lo) & (points <= hi), axis=1)) for lo, hi in zip(low, high)])


def test_boxes_against_densely_sampled_arrows() -> None:
    rng = np.random.default_rng(16)
    checked = 0
    for _ in range(100):
        arrows = [(rng.uniform(-1, 1, 2), rng.uniform(-1, 1, 2)) for _ in range(rng.integers(1, 4))]
        centres = rng.uniform(-1, 1, (8, 2))
        half = rng.uniform(0.01, 0.2, 2)
        exact, sampled = arrows_through(centres - half, centres + half, arrows), _sampled(centres - half,
                                                                                             centres + half, arrows)
        # a crossing shorter than the dense sampling's step (5e-5 of an arrow) may be missed by it: only
        # disagreements in that direction are allowed, and they are looked at one by one
        for box in np.flatnonzero(exact != sampled):
            assert exact[box] and not sampled[box]
            assert _sampled(centres[box:box + 1] - half, centres[box:box + 1] + half, arrows, 2_000_001)[0]
        checked += int(exact.sum())
    assert checked > 50  # boxes with an arrow through them were among those checked


def test_an_arrow_clipping_a_corner_between_samples_and_the_cases_at_the_edges() -> None:
    half = np.array([0.12, 0.055])
    centre = np.array([0.0, 0.0])
    corner = (np.array([-0.3, -0.47]), np.array([0.7, 0.53]))  # x - y = 0.17: cuts the corner (0.12, -0.055)
    assert arrows_through(centre - half, centre + half, [corner])[0]
    along = np.linspace(0.0, 1.0, 41)[:, None]  # the explorer's former sampling misses it
    points = corner[0] + along * (corner[1] - corner[0])
    assert not np.any(np.all(np.abs(points - centre) < half, axis=1))
    inside = (np.array([-0.01, 0.0]), np.array([0.01, 0.01]))  # wholly inside
    short = (np.array([0.5, 0.0]), np.array([0.13, 0.0]))  # ends 0.01 before the box
    along_edge = (np.array([-1.0, 0.055]), np.array([1.0, 0.055]))  # on the top edge, parallel to it
    above = (np.array([-1.0, 0.06]), np.array([1.0, 0.06]))
    found = arrows_through(np.tile(centre - half, (4, 1)), np.tile(centre + half, (4, 1)), [inside])
    assert found.tolist() == [True] * 4
    assert [bool(arrows_through(centre - half, centre + half, [arrow])[0])
            for arrow in (short, along_edge, above)] == [False, True, False]
    assert arrows_through(np.zeros((3, 2)), np.ones((3, 2)), []).tolist() == [False] * 3


@pytest.mark.parametrize("vertical", [False, True])
def test_an_arrow_of_zero_length_is_a_point(vertical: bool) -> None:
    point = np.array([0.05, 0.02]) if not vertical else np.array([0.2, 0.02])
    found = arrows_through(np.array([-0.1, -0.1]), np.array([0.1, 0.1]), [(point, point.copy())])
    assert bool(found[0]) == (not vertical)


def test_the_label_boxes_of_every_direction_at_once_are_those_placed_one_by_one() -> None:
    """frames.label_boxes (the explorer places every direction at every distance at once) against the geometry
    label_box documents: the anchor at ``distance * size`` from the ring in the direction, the box on the side
    label_anchor names, nine points (corners, edge middles, centre) of a box LABEL_SIZE wide and high."""
    from spinstack.plot.frames import LABEL_SIZE, label_anchor, label_box, label_boxes

    generator = np.random.default_rng(7)
    position, size = np.array([0.3, -0.2]), 1.7
    angles = np.concatenate([np.deg2rad(np.arange(0.0, 360.0, 15.0)), generator.uniform(-7.0, 7.0, 200),
                             np.arccos([0.38, -0.38]), np.arcsin([0.38, -0.38])])  # and the anchors' turning points
    distances = generator.uniform(0.0, 0.3, len(angles))
    for names in (1, 2):
        width = LABEL_SIZE[0] * (1.0 + 1.35 * (names - 1)) * size
        height = LABEL_SIZE[1] * size
        boxes = label_boxes(position, angles, size, distances, names)
        assert boxes.shape == (len(angles), 9, 2)
        for box, angle, distance in zip(boxes, angles, distances):
            horizontal, vertical = label_anchor(angle)
            anchor = position + distance * size * np.array([np.cos(angle), np.sin(angle)])
            left = anchor[0] - {"left": 0.0, "center": 0.5, "right": 1.0}[horizontal] * width
            bottom = anchor[1] - {"bottom": 0.0, "center": 0.5, "top": 1.0}[vertical] * height
            expected = [[left + i * width / 2, bottom + j * height / 2] for i in range(3) for j in range(3)]
            np.testing.assert_allclose(box, expected, rtol=0.0, atol=1e-14)
            np.testing.assert_array_equal(label_box(position, angle, size, distance, names), box)
