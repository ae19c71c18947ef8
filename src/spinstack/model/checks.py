"""Value checks shared by the model classes.

Every parameter may be a scalar or a numpy array (a batch of configurations).
The checks look at every element and report the first offending one with the
path of the parameter, so that ``layers[2].thickness: must be > 0, got -2.0``
is what a user reads, whether the value came from Python or from a file.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import StackError


def _describe(values: np.ndarray, bad: np.ndarray) -> str:
    """``got <first bad value>`` plus its batch index when ``values`` is an array."""
    index = np.argwhere(bad)[0]
    value = values[tuple(index)] if values.ndim else values[()]
    shown = repr(float(value)) if np.isrealobj(values) else repr(value)
    if values.ndim:
        return f"got {shown} at index {tuple(int(i) for i in index)}"
    return f"got {shown}"


def _real(value: Any, path: str) -> np.ndarray:
    """``value`` as an array of real numbers without a copy where it already is one (int arrays become
    float), refusing strings, booleans and complex numbers."""
    if isinstance(value, (str, bytes)):
        raise StackError(path, f"must be a number, got {value!r}")
    if isinstance(value, bool) or (isinstance(value, np.ndarray) and value.dtype == bool):
        raise StackError(path, f"must be a number, got {value!r}")
    try:
        array = np.asarray(value)
    except Exception:  # ragged nested sequences and other oddities
        raise StackError(path, f"must be a number or an array of numbers, got {value!r}") from None
    if array.dtype == object or array.dtype.kind not in "iuf":
        raise StackError(path, f"must be a number or an array of numbers, got {value!r}")
    return array if array.dtype == np.float64 else array.astype(float)


def _owned(array: np.ndarray, value: Any) -> np.ndarray:
    """``array`` (the float array of ``value``) made read-only, copied only when it may be the caller's.

    An array made here from a list or another dtype is nobody else's, and a read-only array that owns its
    memory was validated (or frozen on purpose) before: neither is copied (a turned stack of 10^6
    directions would otherwise copy 24 MB per rebuild)."""
    if array.base is None and (array is not value or not array.flags.writeable):
        return frozen(array)
    return frozen(array.copy())


def as_real_array(value: Any, path: str) -> np.ndarray:
    """Convert ``value`` to a read-only float array, refusing strings, booleans and complex numbers."""
    return _owned(_real(value, path), value)


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only: a validated stack never changes, so what is derived from it may be kept."""
    array.flags.writeable = False
    return array


#: the magnitudes a parameter may have: the node system multiplies and divides a few of them, and double
#: precision holds 1e+-308, so a value beyond these would overflow (or underflow) in the solve
SMALLEST, LARGEST = 1e-150, 1e150


def _in_range(array: np.ndarray, path: str) -> np.ndarray:
    size = np.abs(array)
    bad = np.isfinite(size) & (size != 0) & ((size < SMALLEST) | (size > LARGEST))
    if bad.any():
        raise StackError(path, f"must lie between {SMALLEST:g} and {LARGEST:g} in magnitude (the solve multiplies "
                               f"such numbers; double precision ends at 1e308), {_describe(array, bad)}")
    return array


def _plain_scalar(value: Any) -> float | None:
    """``value`` as a float when it is one plain real number (a layer read from a file), else None.

    The checks below take a shortcut for such a value when it passes (a 1e5-layer file checks 1e5 of
    them); anything else, and every failure, goes the general way, which words the error."""
    kind = type(value)
    if kind is float or kind is np.float64 or (kind is np.ndarray and value.ndim == 0 and value.dtype == np.float64):
        return float(value)
    if kind is int and abs(value) < 2**1000:
        return float(value)
    return None


def _bounds(array: np.ndarray) -> tuple[float, float] | None:
    """(smallest, largest) element of a non-empty array (NaN when it holds one), else None.

    Two reductions decide that an array of 10^6 values passes a range check; only one that may fail is
    looked at element by element, which finds and words its first offending value."""
    if array.size == 0:
        return None
    return float(array.min()), float(array.max())


def finite(value: Any, path: str, *, bounded: bool = True) -> np.ndarray:
    """A finite real number (or array of them), of a magnitude the solve can hold (:data:`LARGEST`) unless
    ``bounded`` is False (angles: any finite number of degrees is a direction)."""
    number = _plain_scalar(value)
    if number is not None and math.isfinite(number) and (
            not bounded or number == 0.0 or SMALLEST <= abs(number) <= LARGEST):
        return frozen(np.array(number))
    array = as_real_array(value, path)
    _require_finite(array, path, bounded)
    return array


def require_finite(value: Any, path: str, *, bounded: bool = True) -> None:
    """:func:`finite`'s check alone, for values checked once and not kept (a sweep's 10^7 angles): no
    read-only copy is made."""
    _require_finite(_real(value, path), path, bounded)


def _require_finite(array: np.ndarray, path: str, bounded: bool) -> None:
    bounds = _bounds(array)
    if bounds is not None and math.isfinite(bounds[0]) and math.isfinite(bounds[1]) and (
            not bounded or (max(-bounds[0], bounds[1]) <= LARGEST and (bounds[0] >= SMALLEST or bounds[1] <= -SMALLEST))):
        return  # every value finite (and of one sign, within the range): nothing to find
    bad = ~np.isfinite(array)
    if bad.any():
        raise StackError(path, f"must be finite, {_describe(array, bad)}")
    if bounded:
        _in_range(array, path)


def positive(value: Any, path: str, *, allow_inf: bool = False) -> np.ndarray:
    """A real number > 0 (``+inf`` allowed when ``allow_inf``)."""
    number = _plain_scalar(value)
    if number is not None and (SMALLEST <= number <= LARGEST or (allow_inf and number == math.inf)):
        return frozen(np.array(number))
    array = as_real_array(value, path)
    bounds = _bounds(array)
    if bounds is not None and SMALLEST <= bounds[0] and bounds[1] <= LARGEST:
        return array
    if np.isnan(array).any():
        raise StackError(path, f"must be > 0, {_describe(array, np.isnan(array))}")
    if not allow_inf and np.isinf(array).any():
        raise StackError(path, f"must be finite, {_describe(array, np.isinf(array))}")
    bad = ~(array > 0)
    if bad.any():
        raise StackError(path, f"must be > 0, {_describe(array, bad)}")
    return _in_range(array, path)


def open_interval(value: Any, low: float, high: float, path: str) -> np.ndarray:
    """A real number strictly between ``low`` and ``high``."""
    array = as_real_array(value, path)
    bounds = _bounds(array)
    if bounds is not None and low < bounds[0] and bounds[1] < high:
        return array
    bad = ~((array > low) & (array < high))
    if bad.any():
        raise StackError(path, f"must lie strictly between {low:g} and {high:g}, {_describe(array, bad)}")
    return array


def direction(value: Any, path: str) -> np.ndarray:
    """A unit vector of shape ``(..., 3)`` from a vector or ``{theta, phi}`` in degrees.

    ``theta`` is the polar angle from +z and ``phi`` the azimuth from +x (degrees),
    so ``{theta = 90, phi = 0}`` is +x.  A vector is normalised (one already of unit
    length to 4 ulp is kept as given, so a direction validated twice does not move);
    it must be finite and non-zero.
    """
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"theta", "phi"})
        if unknown:
            raise StackError(f"{path}.{unknown[0]}", "unknown key (expected theta and phi)")
        if "theta" not in value:
            raise StackError(f"{path}.theta", "missing (polar angle from +z, degrees)")
        theta = finite(value["theta"], f"{path}.theta", bounded=False)
        phi = finite(value.get("phi", 0.0), f"{path}.phi", bounded=False)
        return frozen(polar(theta, phi))
    array = _real(value, path)
    if array.ndim == 0 or array.shape[-1] != 3:
        raise StackError(path, f"must be a 3-vector [x, y, z] or {{theta, phi}}, got {value!r}")
    if array.size == 0:
        return frozen(array.copy())
    # one pass for the squared lengths, two reductions over them: a batch of unit vectors (a turned stack,
    # polar angles) is then known to be kept as given without another look at its 3 N numbers
    squares = np.einsum("...i,...i->...", array, array)
    low, high = float(squares.min()), float(squares.max())  # NaN when a component is NaN
    if 1.0 - UNIT_SQUARE <= low and high <= 1.0 + UNIT_SQUARE:
        return _owned(array, value)
    if not (SAFE_SQUARES[0] <= low and high <= SAFE_SQUARES[1]):
        return frozen(_extreme_directions(array, squares, value, path))
    unit = np.abs(squares - 1.0) <= UNIT_SQUARE
    return frozen(np.where(unit[..., None], array, array / np.sqrt(squares)[..., None]))


#: a vector whose squared length is within this of 1 is a unit vector already (4 ulp of its length) and is
#: kept as given: validating it again (a stack rebuilt with one parameter changed) must not move it, and
#: normalising is not idempotent (1 vector in 4 moves by an ulp).  Normalised vectors land inside it.
UNIT_SQUARE = 8 * np.finfo(float).eps

#: squared lengths that neither overflow nor lose digits to underflow: such a vector is normalised by its
#: length directly; one outside (or not finite, or zero) goes :func:`_extreme_directions`' way
SAFE_SQUARES = (2.0**-960, 2.0**960)


def _extreme_directions(array: np.ndarray, squares: np.ndarray, value: Any, path: str) -> np.ndarray:
    """:func:`direction` of a batch holding a non-finite, zero, huge or tiny vector: refused with the
    first two, scaled by their largest component first for the others (``[0, 0, 1e308]`` and
    ``[1e-320, 0, 0]`` are directions too); the batch's ordinary vectors as :func:`direction` does them."""
    if not np.isfinite(array).all():
        raise StackError(path, f"must be finite, got {value!r}")
    largest = np.abs(array).max(axis=-1, keepdims=True)
    if not (largest > 0).all():
        raise StackError(path, "must be a non-zero vector, got [0, 0, 0]")
    scaled = array / largest
    scaled_norm = np.sqrt(np.einsum("...i,...i->...", scaled, scaled))[..., None]
    safe = ((squares >= SAFE_SQUARES[0]) & (squares <= SAFE_SQUARES[1]))[..., None]
    unit = np.abs(squares - 1.0)[..., None] <= UNIT_SQUARE
    normal = np.where(safe, array / np.sqrt(np.where(safe, squares[..., None], 1.0)), scaled / scaled_norm)
    return np.where(unit, array, normal)


def polar(theta: Any, phi: Any = 0.0) -> np.ndarray:
    """Unit vectors from polar angle ``theta`` (from +z) and azimuth ``phi`` (from +x), in degrees.

    Parameters
    ----------
    theta, phi
        Angles in degrees, scalars or arrays (broadcast together).

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(theta, phi).shape + (3,)``, components [x, y, z].
    """
    if _plain_scalar(theta) is not None and _plain_scalar(phi) is not None:
        # one direction (a layer of a file): the same ufuncs on scalars, without the array machinery
        theta_rad, phi_rad = np.deg2rad(np.float64(theta)), np.deg2rad(np.float64(phi))
        sin_t, cos_t = _exact_sin_scalar(theta_rad), _exact_cos_scalar(theta_rad)
        sin_p, cos_p = _exact_sin_scalar(phi_rad), _exact_cos_scalar(phi_rad)
        return np.array([sin_t * cos_p, sin_t * sin_p, cos_t])
    theta_rad = np.deg2rad(np.asarray(theta, dtype=float))
    phi_rad = np.deg2rad(np.asarray(phi, dtype=float))
    shape = np.broadcast_shapes(theta_rad.shape, phi_rad.shape)
    # exact zeros at multiples of 90 degrees keep collinear inputs exactly collinear; each angle's sine and
    # cosine on its own shape (a scalar phi is not broadcast to 10^6 values first), then written component
    # by component (no stack of three temporaries)
    sin_t, cos_t = _exact_sin(theta_rad), _exact_cos(theta_rad)
    sin_p, cos_p = _exact_sin(phi_rad), _exact_cos(phi_rad)
    out = np.empty(shape + (3,))
    np.multiply(sin_t, cos_p, out=out[..., 0])
    np.multiply(sin_t, sin_p, out=out[..., 1])
    out[..., 2] = cos_t
    return out


def _exact_sin(angle: np.ndarray) -> np.ndarray | np.float64:
    """sin(angle), exactly 0 where ``angle mod pi`` is at most 1e-15 (radians)."""
    if angle.ndim == 0:
        return _exact_sin_scalar(np.float64(angle))
    return _zeroed(np.sin(angle), angle, 0.0)


def _exact_cos(angle: np.ndarray) -> np.ndarray | np.float64:
    """cos(angle), exactly 0 where ``(angle - pi/2) mod pi`` is at most 1e-15 (radians)."""
    if angle.ndim == 0:
        return _exact_cos_scalar(np.float64(angle))
    return _zeroed(np.cos(angle), angle, math.pi / 2)


def _zeroed(value: np.ndarray, angle: np.ndarray, shift: float) -> np.ndarray:
    """``value`` (sin or cos of ``angle``) set to 0 where ``(angle - shift) mod pi <= 1e-15``.

    Only where |value| <= 4e-15 + 4e-16 max|angle| can that hold (the mod is taken with pi rounded to
    a double, 1.2e-16 short, once per multiple of pi in the angle), so the exact test (np.mod, as costly
    as the sine) runs on those few values, not on all of them."""
    if value.size == 0:
        return value
    reach = max(-float(np.min(angle)), float(np.max(angle)))
    bound = 4e-15 + 4e-16 * reach if math.isfinite(reach) else math.inf  # NaN or inf angles: test them all
    near = np.flatnonzero(np.abs(value) <= bound)
    if near.size:
        candidates = np.ravel(angle)[near]
        zero = np.abs(np.mod(candidates - shift, math.pi)) <= 1e-15
        value.reshape(-1)[near[zero]] = 0.0
    return value


def _exact_sin_scalar(angle: np.float64) -> np.float64:
    """:func:`_exact_sin` of one angle (the same ufuncs, no array)."""
    return np.float64(0.0) if abs(np.mod(angle, math.pi)) <= 1e-15 else np.sin(angle)


def _exact_cos_scalar(angle: np.float64) -> np.float64:
    """:func:`_exact_cos` of one angle."""
    return np.float64(0.0) if abs(np.mod(angle - math.pi / 2, math.pi)) <= 1e-15 else np.cos(angle)
