"""plot.frames.arrows_through, the one test of whether an arrow runs through a label's box (ring names here, the
explorer's rail and torque names): exact, checked against the segment sampled 20 001 times, including the arrows
that only clip a box's corner between the 41 points the explorer sampled before."""

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
