"""The checks on batches of 10^6 values: one pass (or two reductions) where a batch passes, the same
values and the same errors as checking every element.

A turned stack or a sweep block validates 10^6 directions and numbers per rebuild; these tests pin what
the shortcuts may not change: the numbers kept, the normalisation, the first bad value reported, and
that a caller's array is neither frozen nor shared.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.model import checks

EPS = np.finfo(float).eps


def _exact_unit(vectors: np.ndarray) -> np.ndarray:
    """vectors / |vectors| in extended precision, by the largest component first (no overflow)."""
    wide = vectors.astype(np.longdouble)
    wide = wide / np.abs(wide).max(axis=-1, keepdims=True)
    return (wide / np.sqrt((wide * wide).sum(axis=-1, keepdims=True))).astype(float)


@pytest.mark.parametrize("exponent", [-320, -300, -160, -40, 0, 40, 160, 300, 307])
def test_direction_normalises_to_round_off_and_a_second_check_keeps_every_bit(exponent):
    rng = np.random.default_rng(exponent + 1000)
    vectors = rng.normal(size=(20_000, 3)) * 10.0**exponent
    if exponent == -320:  # subnormal components: one per vector carries it
        vectors = np.where(np.arange(3) == 0, vectors * 0 + 1e-320, vectors)
    unit = checks.direction(vectors, "m")
    np.testing.assert_allclose(unit, _exact_unit(vectors), rtol=0, atol=2 * EPS)
    again = checks.direction(unit, "m")
    np.testing.assert_array_equal(again, unit, strict=True)
    np.testing.assert_array_equal(np.signbit(again), np.signbit(unit))


def test_unit_vectors_are_kept_as_given_and_others_normalised_in_the_same_batch():
    rng = np.random.default_rng(7)
    unit = checks.polar(rng.uniform(-720, 720, 50_000), rng.uniform(-720, 720, 50_000))
    np.testing.assert_array_equal(checks.direction(unit, "m"), unit)  # polar angles come out unit
    mixed = unit.copy()
    mixed[::3] *= 2.5
    mixed[1] = [0.0, 0.0, 1e308]
    mixed[4] = [1e-320, 0.0, 0.0]
    result = checks.direction(mixed, "m")
    keep = np.ones(len(mixed), dtype=bool)
    keep[::3] = keep[1] = keep[4] = False
    np.testing.assert_array_equal(result[keep], unit[keep])
    np.testing.assert_allclose(result[::3], _exact_unit(mixed[::3]), rtol=0, atol=2 * EPS)
    np.testing.assert_array_equal(result[[1, 4]], [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def test_a_vector_off_unit_length_by_a_few_ulp_is_kept_or_normalised_and_then_kept():
    rng = np.random.default_rng(3)
    unit = _exact_unit(rng.normal(size=(100_000, 3)))
    nudged = unit * (1.0 + rng.integers(-12, 13, size=(len(unit), 1)) * EPS)
    once = checks.direction(nudged, "m")
    np.testing.assert_array_equal(checks.direction(once, "m"), once)
    squares = np.einsum("ij,ij->i", nudged, nudged)
    kept = np.abs(squares - 1.0) <= checks.UNIT_SQUARE
    assert 0.1 < kept.mean() < 0.9  # both branches are exercised
    np.testing.assert_array_equal(once[kept], nudged[kept])
    np.testing.assert_allclose(once[~kept], _exact_unit(nudged[~kept]), rtol=0, atol=2 * EPS)


@pytest.mark.parametrize(("bad", "reason"), [
    ([[0.0, 0.0, 1.0], [np.nan, 0.0, 1.0]], "must be finite"),
    ([[0.0, 0.0, 1.0], [np.inf, 0.0, 0.0]], "must be finite"),
    ([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]], "must be a non-zero vector, got [0, 0, 0]"),
    ([[np.nan, 0.0, 0.0], [0.0, 0.0, 0.0]], "must be finite"),  # finiteness is checked first
    ([[0.0, 0.0, 1.0], [1e200, 1e200, 0.0], [0.0, 0.0, 0.0]], "must be a non-zero vector"),
])
def test_a_bad_vector_in_a_batch_is_refused_as_before(bad, reason):
    with pytest.raises(ss.StackError) as caught:
        checks.direction(np.array(bad), "layers[2].magnetization")
    assert caught.value.path == "layers[2].magnetization"
    assert caught.value.reason.startswith(reason)


def test_the_callers_array_is_neither_frozen_nor_shared():
    given_vectors = checks.polar(np.linspace(0.0, 180.0, 11))
    stored = checks.direction(given_vectors, "m")
    assert given_vectors.flags.writeable and not stored.flags.writeable
    given_vectors[:] = 0.0
    assert np.all(np.einsum("ij,ij->i", stored, stored) > 0.5)
    values = np.linspace(1.0, 2.0, 5)
    thickness = checks.positive(values, "thickness")
    assert values.flags.writeable and not thickness.flags.writeable and not np.shares_memory(values, thickness)
    view = values[::2]
    assert not np.shares_memory(checks.finite(view, "x"), values)


def test_a_validated_array_is_not_copied_again():
    """A read-only array that owns its memory was validated before: a rebuilt stack keeps it (no 24 MB copy
    per rebuild of a turned stack of 10^6 directions)."""
    directions = checks.direction(checks.polar(np.linspace(0.0, 180.0, 1001)), "m")
    assert checks.direction(directions, "m") is directions
    layer = ss.Layer(ss.Ferromagnet("F", 1.0, 0.5, 2.0), 1.0, directions)
    assert layer.magnetization is directions
    thickness = checks.positive(np.linspace(1.0, 2.0, 1001), "thickness")
    assert checks.positive(thickness, "thickness") is thickness


# ---------------------------------------------------------------- range checks: shortcut against the element-wise way
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.999, 0.999, 1e-151, -1e-151, 1e-150, -1e-150, 1e150, -1e150, 1e151, -1e151,
           math.inf, -math.inf, math.nan, 3.0, -2.0]

CHECKS = {
    "positive": lambda v: checks.positive(v, "x"),
    "positive_inf": lambda v: checks.positive(v, "x", allow_inf=True),
    "finite": lambda v: checks.finite(v, "x"),
    "finite_unbounded": lambda v: checks.finite(v, "x", bounded=False),
    "open_interval": lambda v: checks.open_interval(v, -1.0, 1.0, "x"),
}


def _outcome(check, values: np.ndarray):
    try:
        result = CHECKS[check](values)
    except ss.StackError as error:
        return "error", error.reason
    assert not result.flags.writeable and result.dtype == np.float64
    return "value", result.tobytes()


@settings(max_examples=400, deadline=None)
@given(check=st.sampled_from(sorted(CHECKS)),
       values=st.lists(st.sampled_from(SPECIAL) | st.floats(allow_nan=True), min_size=0, max_size=12),
       shape=st.sampled_from([None, (2, -1)]))
def test_the_two_reduction_shortcut_of_the_range_checks_agrees_with_the_element_wise_path(check, values, shape):
    array = np.array(values, dtype=float)
    if shape is not None and array.size % 2 == 0 and array.size:
        array = array.reshape(shape)
    fast = _outcome(check, array)
    original = checks._bounds
    try:
        checks._bounds = lambda a: None  # every array the element-wise way
        slow = _outcome(check, array)
    finally:
        checks._bounds = original
    assert fast == slow


# ---------------------------------------------------------------- polar angles
def _reference_polar(theta, phi):
    """checks.polar as first written: broadcast, then sin/cos with exact zeros found by np.mod on every angle."""
    t, p = np.broadcast_arrays(np.deg2rad(np.asarray(theta, dtype=float)), np.deg2rad(np.asarray(phi, dtype=float)))

    def sin(a):
        return np.where(np.abs(np.mod(a, math.pi)) <= 1e-15, 0.0, np.sin(a))

    def cos(a):
        return np.where(np.abs(np.mod(a - math.pi / 2, math.pi)) <= 1e-15, 0.0, np.cos(a))

    return np.stack([sin(t) * cos(p), sin(t) * sin(p), cos(t)], axis=-1)


@pytest.mark.parametrize("theta", [
    np.linspace(0.0, 180.0, 100_001),
    np.arange(-3600.0, 3600.0, 0.5),
    np.arange(-1e6, 1e6, 45.0),
    np.rad2deg(np.arange(-1000, 1000) * math.pi),
    np.rad2deg(np.arange(-1000, 1000) * math.pi) + 3e-14,
    np.random.default_rng(5).uniform(-1e7, 1e7, 100_000),
    np.array([-0.0, 0.0, 90.0, -90.0, 180.0, -180.0, 270.0, 1e300]),
])
def test_batched_polar_angles_are_bit_for_bit_those_of_the_element_wise_definition(theta):
    phi = theta[::-1]
    with np.errstate(invalid="ignore"):
        for t, p in ((theta, phi), (theta, 0.0), (theta[:, None], theta[None, :7]), (30.0, theta)):
            new, old = checks.polar(t, p), _reference_polar(t, p)
            np.testing.assert_array_equal(new, old, strict=True)
            np.testing.assert_array_equal(np.signbit(new), np.signbit(old))
