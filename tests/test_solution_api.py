"""Solution API details that are not physics: when efficiency is (not) defined."""

from __future__ import annotations

import pytest

import spinstack as ss

F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.3, 2.0), ss.Normal("N", 3.0, 10.0)


def test_touching_ferromagnets_have_no_efficiency():
    # they must stay collinear, so g(theta) has no meaning (no angle can vary)
    solution = ss.solve(ss.Stack([ss.Layer(N, 1.0), ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(F2, 1.0, [0, 0, -1]), ss.Layer(N, 1.0)]))
    assert "spacer" in solution.efficiency_problem
    with pytest.raises(ss.SpinstackError, match="spacer"):
        solution.efficiency()


@pytest.mark.parametrize("count", [1, 3])
def test_efficiency_needs_two_ferromagnets(count):
    layers = [ss.Layer(N, 1.0)]
    for _ in range(count):
        layers += [ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 1.0)]
    solution = ss.solve(ss.Stack(layers))
    assert f"this stack has {count}" in solution.efficiency_problem
    with pytest.raises(ss.SpinstackError):
        solution.efficiency()
