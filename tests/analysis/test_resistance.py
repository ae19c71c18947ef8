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
