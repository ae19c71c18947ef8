"""Efficiency curves g1(theta), g2(theta), their sign changes and asymmetry thresholds.

Angles are in degrees at the API (like the stack file); theta is the angle
between m1 (left F) and m2 (right F).  Everything is evaluated with the batched
solver: one solve per curve, one per bisection step for all roots at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import SpinstackError, StackError
from ..model import Lead, Stack
from ..model.paths import parse, require_transport_parameter, with_parameter
from .. import prepared
from ..prepared import finalize
from ..solution import Efficiency, Solution, solve, stack_of

EFFICIENCIES = ("g1", "g2", "g1_field", "g2_field")


def _pair(stack: Stack, pair: tuple[int, int] | None = None) -> tuple[int, int]:
    """The two F layers (reference, turned): ``pair`` as given (checked), else the stack's only two."""
    indices = stack.ferromagnet_indices
    if pair is None:
        if len(indices) != 2:
            raise SpinstackError(f"efficiency functions need exactly two F layers, this stack has {len(indices)}")
        return indices
    count = len(stack.layers)
    chosen = tuple(int(i) % count if -count <= int(i) < count else int(i) for i in pair)
    for index in chosen:
        if index not in indices:
            raise SpinstackError(f"layer {index} is not an F layer of this stack (F layers: "
                                 f"{', '.join(map(str, indices)) or 'none'})")
    if chosen[0] == chosen[1]:
        raise SpinstackError(f"the reference and the turned layer must differ, got layer {chosen[0]} twice")
    return chosen


def rotation_plane(stack: Stack, pair: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(m1, e): m1 and the unit vector normal to it towards m2, spanning the plane m2 turns in.

    ``pair`` = (reference, turned) layer indices; default the stack's two F layers.  When
    m2 is collinear with m1 the plane is that of m1 and the coordinate axis least aligned
    with it.  Both have shape ``batch_shape + (3,)`` (:func:`spinstack.prepared.rotation_basis`).
    """
    first, second = _pair(stack, pair)
    m1 = np.broadcast_to(stack.layers[first].magnetization, stack.batch_shape + (3,))
    m2 = np.broadcast_to(stack.layers[second].magnetization, stack.batch_shape + (3,))
    return prepared.rotation_basis(m1, m2)


def with_angle(stack: Stack | Solution, theta: ArrayLike, pair: tuple[int, int] | None = None) -> Stack:
    """The stack with m2 turned to ``theta`` degrees from m1, in the plane of :func:`rotation_plane`.

    ``stack`` may be a solution (its stack is used).  ``theta`` broadcasts against the stack's batch
    shape.  ``pair`` = (reference, turned) layer indices for a stack with more F layers (the others
    stay as they are).
    """
    stack = stack_of(stack, "with_angle")
    first, second = _pair(stack, pair)
    # the plane of m1 and m2 as they are, not broadcast to the batch: m2 takes the shape of theta, m1 and m2 (a
    # sweep block that also varies p and a thickness turns 100 angles, not 2e5 copies of them)
    m1, e = prepared.rotation_basis(stack.layers[first].magnetization, stack.layers[second].magnetization)
    m2 = prepared.turned(m1, e, theta)  # read-only and fresh: the Layer keeps it without a copy
    layers = list(stack.layers)
    old = layers[second]
    layers[second] = dataclasses.replace(old, magnetization=m2)
    right = stack.right
    if second == len(layers) - 1 and isinstance(right, Lead) and right.magnetization is not None:
        # a touching F lead is collinear with F2 and turns with it
        aligned = np.sign(np.einsum("...i,...i->...", right.magnetization, old.magnetization))[..., None]
        right = dataclasses.replace(right, magnetization=aligned * m2)
    # only m2 (and a touching F lead) turn: replace keeps every other field (ends, current, field,
    # interfaces, units)
    return dataclasses.replace(stack, layers=layers, right=right)


def efficiency(stack: Stack | Solution, theta: ArrayLike) -> Efficiency:
    """g1, g2 (and field-like parts) at the angles ``theta`` (degrees), batched.

    Parameters
    ----------
    stack
        A stack with exactly two F layers (or its solution); its own m2 only sets the rotation plane.
    theta
        Angles between m1 and m2 in degrees, any shape broadcasting with the stack's batch.

    Returns
    -------
    Efficiency
        Arrays of shape ``broadcast(theta, batch_shape)``; at 0 and 180 degrees the limits.
    """
    stack = stack_of(stack, "efficiency")
    # the prepared stack turns m2 inside the solve (no stack rebuilt per call; the limits at 0, 180 degrees)
    return finalize(stack).efficiency(theta)


def _select(values: Efficiency, which: str) -> np.ndarray:
    if which not in EFFICIENCIES:
        raise SpinstackError(f"unknown efficiency {which!r} (expected one of {', '.join(EFFICIENCIES)})")
    return getattr(values, which)


def bisect(function: Callable[[np.ndarray], np.ndarray], low: np.ndarray, high: np.ndarray,
           tolerance: float = 1e-13) -> np.ndarray:
    """Roots of ``function`` in the brackets [low, high] (sign change), all brackets at once.

    ``function`` maps an array of arguments to an array of values of the same shape;
    each step evaluates it once for every bracket (one batched solve).
    """
    low, high = np.array(low, dtype=float), np.array(high, dtype=float)
    f_low = function(low)
    scale = np.maximum(np.abs(low), np.abs(high))
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.all(high - low <= tolerance * np.maximum(scale, 1e-300)):
            break
        f_middle = function(middle)
        left = np.sign(f_middle) == np.sign(f_low)
        low = np.where(left, middle, low)
        f_low = np.where(left, f_middle, f_low)
        high = np.where(left, high, middle)
    return 0.5 * (low + high)


def sign_change_angles(stack: Stack | Solution, which: str = "g2", samples: int = 721) -> np.ndarray:
    """Angles (degrees, ascending) in (0, 180) where ``which`` changes sign.

    The curve is sampled on ``samples`` angles (one batched solve) and every
    bracket refined by bisection to ~1e-13 relative.  Unbatched stacks (or their solutions) only.
    """
    stack = stack_of(stack, "sign_change_angles")
    if stack.batch_shape != ():
        raise SpinstackError("sign_change_angles takes a single configuration (batch_shape == ())")
    grid = np.linspace(0.0, 180.0, samples)
    values = _select(efficiency(stack, grid), which)
    sign = np.sign(values)
    brackets = np.flatnonzero(sign[:-1] * sign[1:] < 0)
    exact = grid[1:-1][sign[1:-1] == 0]
    if brackets.size == 0:
        return np.sort(exact)
    roots = bisect(lambda t: _select(efficiency(stack, t), which), grid[brackets], grid[brackets + 1])
    return np.sort(np.concatenate([roots, exact]))


@dataclass(frozen=True)
class Threshold:
    """Where ``which`` changes sign as the parameter ``path`` runs from ``low`` to ``high``.

    Attributes
    ----------
    theta : angles (degrees) the thresholds belong to
    value : the first sign change in the range at each angle (NaN where there is none:
        see ``found``)
    found : whether the range holds a sign change
    negative_above : where found, whether g < 0 just above the threshold (``g turns
        negative as the parameter grows``); where not found, whether g < 0 over the
        whole range
    bounds : the range searched
    """

    path: str
    which: str
    theta: np.ndarray
    value: np.ndarray
    found: np.ndarray
    negative_above: np.ndarray
    bounds: tuple[float, float]


def threshold(stack: Stack | Solution, path: str, which: str = "g2", theta: ArrayLike = 30.0,
              bounds: tuple[float, float] | None = None, samples: int = 257) -> Threshold:
    """The value of the scalar parameter ``path`` at which ``which`` changes sign.

    The range is sampled in one batched solve (all angles at once) and the first
    bracketed sign change refined by batched bisection.  For the seed's structure
    the thresholds are eq. (15)'s: in p2, g2 turns negative above p1 A2/(B cos theta);
    in p1, g1 turns negative above p2 A1/(B cos theta).

    Parameters
    ----------
    stack
        A stack with two F layers (unbatched), or its solution.
    path
        A parameter path (``materials.F2.p``, ``layers[1].thickness``, ...; see
        :mod:`spinstack.model.paths`).
    which
        ``"g1"`` or ``"g2"`` (or a field-like part).
    theta
        Angle(s) between m1 and m2 in degrees; one threshold per angle.
    bounds
        Range of the parameter; default (-0.999, 0.999) for a ``.p`` path, else
        (value / 100, value * 100).
    samples
        Grid points used to bracket the sign change.

    Returns
    -------
    Threshold
    """
    stack = stack_of(stack, "threshold")
    require_transport_parameter(path)  # Ms, demag, dynamics.*: g1, g2 would be the same over the whole range
    if stack.batch_shape != ():
        raise SpinstackError("threshold takes a single configuration (batch_shape == ())")
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    low, high = map(float, bounds if bounds is not None else _default_bounds(stack, path))
    if not low < high:
        raise StackError(path, f"threshold bounds must satisfy low < high, got {(low, high)}")
    # geometric grid for positive ranges spanning decades, linear otherwise
    grid = np.geomspace(low, high, samples) if low > 0 and high / low > 20 else np.linspace(low, high, samples)

    def evaluate(values: np.ndarray, angles: np.ndarray) -> np.ndarray:
        varied = with_parameter(stack, path, values)
        return _select(efficiency(varied, angles), which)

    table = evaluate(grid[None, :], theta[:, None])  # (angles, samples)
    sign = np.sign(table)
    change = sign[:, :-1] * sign[:, 1:] < 0
    found = change.any(axis=-1)
    first = np.argmax(change, axis=-1)
    value = np.full(theta.shape, np.nan)
    negative_above = np.all(table < 0, axis=-1)
    if found.any():
        index = first[found]
        value[found] = bisect(lambda v: evaluate(v, theta[found]), grid[index], grid[index + 1])
        negative_above[found] = table[found, index + 1] < 0
    return Threshold(path, which, theta, value, found, negative_above, (low, high))


@dataclass(frozen=True)
class SignMap:
    """g1, g2 over a grid of two parameters (shape ``(len(y), len(x))``)."""

    x_path: str
    x: np.ndarray
    y_path: str
    y: np.ndarray
    g1: np.ndarray
    g2: np.ndarray


def _vary(stack: Stack, path: str, values: np.ndarray) -> Stack:
    return with_angle(stack, values) if path == "theta" else with_parameter(stack, path, values)


def sign_map(stack: Stack | Solution, x: tuple[str, ArrayLike], y: tuple[str, ArrayLike]) -> SignMap:
    """g1 and g2 over the outer product of two parameters, in one batched solve.

    Parameters
    ----------
    stack
        A single-configuration stack with two F layers, or its solution.
    x, y
        ``(path, values)``: a parameter path (:mod:`spinstack.model.paths`) or
        ``"theta"`` (angle between m1 and m2, degrees) and its 1D values.
    """
    stack = stack_of(stack, "sign_map")
    if stack.batch_shape != ():
        raise SpinstackError("sign_map takes a single configuration (batch_shape == ())")
    (x_path, x_values), (y_path, y_values) = x, y
    for path in (x_path, y_path):  # Ms, demag, dynamics.*: the map would be constant along that axis
        require_transport_parameter(path)
    x_values = np.asarray(x_values, dtype=float).reshape(-1)
    y_values = np.asarray(y_values, dtype=float).reshape(-1)
    varied = _vary(stack, y_path, y_values[:, None])
    varied = _vary(varied, x_path, np.broadcast_to(x_values[None, :], (1, x_values.size)))
    values = solve(varied).efficiency()
    shape = (y_values.size, x_values.size)
    return SignMap(x_path, x_values, y_path, y_values, np.broadcast_to(values.g1, shape), np.broadcast_to(values.g2, shape))


def seed_eq15_boundaries(stack: Stack | Solution, theta: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Eq. (15)'s thresholds on p2/p1 for an F1/N/F2 stack between reservoirs (seed App. I).

    Returns ``(g2_boundary, g1_boundary)``: g2 < 0 above ``A2 / (B cos theta)`` and
    g1 < 0 below ``B cos theta / A1`` (for cos theta > 0; ``inf`` and ``-inf``
    elsewhere).  Used to overlay the closed form on a computed sign map.  ``stack`` may be a solution.
    """
    stack = stack_of(stack, "seed_eq15_boundaries")
    layers = stack.layers
    kinds = [layer.is_ferromagnet for layer in layers]
    if kinds != [True, False, True] or stack.left.kind != "reservoir" or stack.right.kind != "reservoir":
        raise SpinstackError("eq. (15) applies to F1/N/F2 between two reservoirs (the seed's Appendix I)")

    def g_tilde(layer: Layer) -> np.ndarray:
        material = layer.material
        return material.D / (2 * material.l) / np.tanh(layer.thickness / material.l) if np.isfinite(material.l) \
            else material.D / (2 * layer.thickness)

    spacer = layers[1]
    A1 = g_tilde(layers[0]) + g_tilde(spacer)
    A2 = g_tilde(layers[2]) + g_tilde(spacer)
    X = spacer.thickness / spacer.material.l
    B = g_tilde(spacer) / np.cosh(X)
    cosine = np.cos(np.deg2rad(np.asarray(theta, dtype=float)))
    positive = cosine > 1e-15  # cos(90 deg) rounds to 6e-17, not 0
    safe = np.where(positive, cosine, 1.0)
    return np.where(positive, A2 / (B * safe), np.inf), np.where(positive, B * safe / A1, -np.inf)


@dataclass(frozen=True)
class SignReport:
    """What ``spinstack analyze`` prints: the stack's g's, sign-change angles, thresholds."""

    theta: float
    g1: float
    g2: float
    sign_changes: dict[str, np.ndarray]
    thresholds: list[Threshold]
    bounds: dict[str, tuple[float, float]]


def default_threshold_parameters(stack: Stack | Solution) -> list[str]:
    """The polarisations of F1 and F2 (once if they share a material) of a stack or a solution's stack."""
    stack = stack_of(stack, "default_threshold_parameters")
    names = [stack.layers[i].material.name for i in _pair(stack)]
    return list(dict.fromkeys(f"materials.{name}.p" for name in names))


def sign_report(stack: Stack | Solution, theta: ArrayLike = (0.0, 30.0, 60.0), parameters: list[str] | None = None,
                bounds: tuple[float, float] | None = None) -> SignReport:
    """Sign-change angles of g1 and g2, and the thresholds of each parameter for each g at each angle.

    Parameters
    ----------
    stack
        A single-configuration stack with two F layers (not touching), or its solution.
    theta
        Angles (degrees) at which thresholds are searched.
    parameters
        Parameter paths to scan; default: the polarisations of F1 and F2.
    bounds
        Search range for every parameter; default as in :func:`threshold`, but
        (0.001, 0.999) for polarisations (the seed's eq. 15 assumes p > 0).
    """
    stack = stack_of(stack, "sign_report")
    values = solve(stack).efficiency()
    parameters = default_threshold_parameters(stack) if parameters is None else parameters
    for path in parameters:  # all of them before any search
        require_transport_parameter(path)
    angles = np.atleast_1d(np.asarray(theta, dtype=float))
    found: list[Threshold] = []
    used: dict[str, tuple[float, float]] = {}
    for path in parameters:
        polarisation = parse(path, strict=False).kind == "polarisation"
        span = bounds if bounds is not None else ((0.001, 0.999) if polarisation else None)
        for which in ("g1", "g2"):
            result = threshold(stack, path, which, theta=angles, bounds=span)
            found.append(result)
        used[path] = span if span is not None else _default_bounds(stack, path)
    return SignReport(float(np.rad2deg(values.theta)), float(values.g1), float(values.g2),
                      {which: sign_change_angles(stack, which) for which in ("g1", "g2")}, found, used)


def _default_bounds(stack: Stack, path: str) -> tuple[float, float]:
    from ..model.paths import parameter_value

    if parse(path, strict=False).kind == "polarisation":
        return (-0.999, 0.999)
    current = float(np.asarray(parameter_value(stack, path)))
    if current == 0.0:
        raise StackError(path, "is 0 here: give the search range explicitly (bounds / --bounds)")
    ends = (current / 100.0, current * 100.0)  # a negative value (j0 = J/e for J > 0) reverses them
    return (min(ends), max(ends))
