"""R(theta) and GMR against the two-current series-resistor model and symmetry."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.analysis import magnetoresistance, resistance_curve


def stack(**kw):
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.6), ss.Ferromagnet("F2", 1.0, 0.6), ss.Normal("N", 4.0)
    return ss.Stack([ss.Layer(F1, 1.0, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.0, ss.polar(30))], **kw)


def test_gmr_of_the_series_resistor_limit():
    # no spin flip, reservoirs: channels in series; symmetric valve: R_s = 2 d/D_s + 2 dN/D_N
    sigma = 1.0 / (1 - 0.36)
    up, down = sigma * 1.6 / 2, sigma * 0.4 / 2
    n = 2 * 2.0 / 4.0
    parallel = 1 / (1 / (2 / up + n) + 1 / (2 / down + n))
    antiparallel = (1 / up + 1 / down + n) / 2
    result = magnetoresistance(stack())
    assert float(result.parallel) == pytest.approx(parallel, rel=1e-12)
    assert float(result.antiparallel) == pytest.approx(antiparallel, rel=1e-12)
    assert float(result.ratio) == pytest.approx(antiparallel / parallel - 1, rel=1e-11)


def test_resistance_curve_is_monotonic_and_symmetric():
    theta = np.linspace(0, 180, 19)
    r = resistance_curve(stack(), theta)
    assert np.all(np.diff(r) > 0)
    np.testing.assert_allclose(resistance_curve(stack(), -theta), r, rtol=1e-13)
    # current reversal leaves the resistance unchanged
    np.testing.assert_allclose(resistance_curve(stack(current=-1.0), theta), r, rtol=1e-13)


def test_gmr_of_a_three_magnet_stack_turns_the_last_against_the_first():
    """Issue 4: R(theta) and GMR for any stack.  Three F layers: the last turns against the first, the middle one
    stays; R(0) and R(180) equal direct solves of those states, and pair= picks other layers."""
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    m = [ss.polar(0.0), ss.polar(70.0, 20.0), ss.polar(40.0, 100.0)]
    stack = ss.Stack([ss.Layer(F, 1.0, m[0]), ss.Layer(N, 2.0), ss.Layer(F, 1.5, m[1]), ss.Layer(N, 2.0),
                      ss.Layer(F, 1.0, m[2])])
    result = magnetoresistance(stack)

    def direct(m_last):
        layers = list(stack.layers)
        layers[4] = ss.Layer(F, 1.0, m_last)
        return float(ss.solve(ss.Stack(layers)).resistance_area)

    assert float(result.parallel) == pytest.approx(direct(m[0]), rel=1e-13)
    assert float(result.antiparallel) == pytest.approx(direct(-m[0]), rel=1e-13)
    assert float(result.ratio) > 0
    middle = magnetoresistance(stack, pair=(0, 2))
    assert float(middle.parallel) != pytest.approx(float(result.parallel), rel=1e-6)
    with pytest.raises(ss.SpinstackError, match="layer 1 is not an F layer"):
        magnetoresistance(stack, pair=(0, 1))
    with pytest.raises(ss.SpinstackError, match="need two F layers"):
        magnetoresistance(ss.Stack([ss.Layer(F, 1.0, m[0]), ss.Layer(N, 2.0)]))
