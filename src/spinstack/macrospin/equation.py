"""The equation of motion of MODEL.md 9a and what every integrator of it shares (:mod:`.integrate`, :mod:`.thermal`).

:class:`RightHandSide`: dm/dt of the Landau-Lifshitz form of Gilbert's equation with the exact torque of the
whole stack at every evaluation; and the pieces of a run: the starting state (``_initial``), the times a
step must land on (``_stops``), the resistance-area of the saved configurations (``_resistance_area``), and
the step budget (:data:`DEFAULT_MAX_STEPS`).  (Moved here from :mod:`.integrate` unchanged, so that the
thermal integrator can use them without importing :mod:`.integrate`, which dispatches to it.)
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SpinstackError
from ..prepared import finalize
from .fields import effective_field
from .spec import MU0, Macrospins

__all__ = ["DEFAULT_MAX_STEPS", "MAX_SAVED_POINTS", "RightHandSide", "check_saved_points", "fastest_rate",
           "saved_points"]

#: a run estimated to need more steps per member than this is refused before it starts
DEFAULT_MAX_STEPS = 10_000_000
#: a run saving more points (times) per member than this is refused before anything is allocated: m, J and R
#: at 1e7 times are 400 MB per member with one free layer, (3 n_free + 2) 8 bytes a time
MAX_SAVED_POINTS = 10_000_000


def saved_points(duration: float, save_every: float) -> float:
    """The number of saved times of a run, 0, save_every, ... up to ``duration`` (and ``duration``): at most
    floor(duration / save_every) + 2 (a float, so that an absurd ratio stays a number: inf, not an overflow)."""
    ratio = float(duration) / float(save_every)
    return math.floor(ratio * (1 + 1e-12)) + 2.0 if math.isfinite(ratio) else math.inf


def check_saved_points(duration: float, save_every: float, count: int, members: int = 1) -> int:
    """Refuse, before any array is built, a run saving more than :data:`MAX_SAVED_POINTS` points per member.

    Parameters
    ----------
    duration, save_every
        s, > 0.
    count
        Free layers per member (the saved m has 3 numbers each, plus J and R).
    members
        Ensemble members (only for the message's total).

    Returns
    -------
    int
        The number of saved points per member (at most).

    Raises
    ------
    SpinstackError
        Naming save_every, the points and the bytes they need.
    """
    points = saved_points(duration, save_every)
    if points > MAX_SAVED_POINTS:
        per_member = points * (3 * count + 2) * 8
        total = "" if members == 1 else f", {_format_bytes(per_member * members)} for the {members} members"
        raise SpinstackError(f"save_every: {float(save_every):g} s over a run of {float(duration):g} s saves "
                             f"{points:.3g} points per member ({_format_bytes(per_member)} of m, J and R per "
                             f"member{total}), more than MAX_SAVED_POINTS = {MAX_SAVED_POINTS:.3g}: save fewer "
                             "points (a larger save_every) or shorten the run")
    return int(points)


def _format_bytes(count: float) -> str:
    """``count`` bytes for people: 3.2 GB, 400 MB, ..."""
    if not math.isfinite(count):
        return "inf B"
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{int(count)} B"


class RightHandSide:
    """dm/dt of MODEL.md 9a for the free layers of ``macrospins`` (its stack's exact torque at every call).

    Parameters
    ----------
    macrospins
        The free layers, their constants, fields and drive (its ``stack`` is the one solved).

    Notes
    -----
    Call it as ``rhs(t, m)``: ``t`` in s (a scalar or one time per ensemble member, shape ``batch``), ``m``
    (..., n_free, 3); returns dm/dt in 1/s, same shape.  :attr:`evaluations` counts the calls.
    """

    def __init__(self, macrospins: Macrospins) -> None:
        self.macrospins = macrospins
        self.prepared = finalize(macrospins.stack)
        self.free = np.array(macrospins.free)
        # gamma / (Ms d): the torque per area (J/m^2) -> tau (rad/s)
        self._torque_scale = (macrospins.gamma / (macrospins.Ms * macrospins.thickness))[..., None]
        self._gamma = macrospins.gamma[..., None]
        self._alpha = macrospins.alpha[..., None]
        self._undamped = 1.0 / (1.0 + self._alpha ** 2)
        self.evaluations = 0
        self._constant = macrospins.current if macrospins.waveform is None else None
        # a stack with an in-plane field (MODEL.md 8): its field drive scales with J (9c), T(m, J) = (J / J_s) T(m, J_s)
        # with the stack's own J_s; driven by the field alone (J_s = 0, open ends), the drive is that field, constant
        self._field = macrospins.stack.has_field
        self._own_current = np.asarray(self.prepared.current, dtype=float)
        self._field_alone = self._field and not np.any(self._own_current)
        if self._field and np.any(self._own_current == 0) and not self._field_alone:
            raise SpinstackError("current: the stack's own current is 0 for some members and not for others: its "
                                 "in-plane field drive cannot be scaled with J (MODEL.md 9c)")
        if self._field_alone:
            drive = macrospins.current if macrospins.waveform is None else macrospins.waveform[1]
            if np.any(drive):
                raise SpinstackError("current: the stack is driven by its in-plane field alone (its own current is "
                                     "0, e.g. open ends); dynamics keeps that drive constant and takes no current")

    def torque_at(self, m: np.ndarray, current: np.ndarray | float) -> np.ndarray:
        """T_i, J/m^2, on every free layer (..., n_free, 3): the exact solve at unit vectors ``m`` (free layers) and
        the drive J = ``current`` (A/m^2; for a field stack its in-plane drive scaled with J, or that drive alone)."""
        current = np.asarray(current, dtype=float)
        every = self.macrospins.all_magnetizations(m)
        if self._field_alone:
            return self.prepared.torques(every)[..., self.free, :]
        if not np.any(current):
            return np.zeros(np.broadcast_shapes(m.shape, current.shape + (1, 1), self.macrospins.batch_shape + (1, 1)))
        if self._field:
            scale = (current / self._own_current)[..., None, None]
            return scale * self.prepared.torques(every)[..., self.free, :]
        return self.prepared.torques(every, current=current)[..., self.free, :]

    def torque(self, t: np.ndarray | float, m: np.ndarray) -> np.ndarray:
        """T_i, J/m^2, on every free layer (..., n_free, 3) at time ``t`` (s) (the drive J(t)), unit vectors ``m``."""
        if self._constant is not None:  # a constant drive: no interpolation per call (~10 us of 50)
            return self.torque_at(m, self._constant)
        return self.torque_at(m, self.macrospins.current_at(t))

    def __call__(self, t: np.ndarray | float, m: np.ndarray) -> np.ndarray:
        self.evaluations += 1
        m = m / np.linalg.norm(m, axis=-1, keepdims=True)  # the equation lives on the sphere
        field = effective_field(self.macrospins, m)
        tau = self._torque_scale * self.torque(t, m)
        # -gamma m x B + alpha m x tau in one cross product; -alpha gamma m x (m x B) = alpha gamma (B - m (m . B))
        # for |m| = 1 (each numpy call on a few numbers costs ~1 us: the Python overhead is the cost here)
        damping = self._alpha * self._gamma
        rate = _cross(m, self._alpha * tau - self._gamma * field)
        rate += damping * (field - m * np.sum(m * field, axis=-1, keepdims=True))
        rate += tau
        rate *= self._undamped
        return rate


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x b over the last axis (numpy.cross costs ~30 us of axis bookkeeping per call; this a few)."""
    ax, ay, az = a[..., 0], a[..., 1], a[..., 2]
    bx, by, bz = b[..., 0], b[..., 1], b[..., 2]
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = ay * bz - az * by
    out[..., 1] = az * bx - ax * bz
    out[..., 2] = ax * by - ay * bx
    return out


def _stops(saves: np.ndarray, macrospins: Macrospins) -> tuple[np.ndarray, np.ndarray]:
    """Every time a step must land on (the saved times and the corners of a piecewise-linear drive) and the index
    in ``saves`` of each (-1 for a drive's corner)."""
    corners = macrospins.waveform[0] if macrospins.waveform is not None else np.empty(0)
    corners = corners[(corners > 0) & (corners < saves[-1])]
    # a corner on a saved time up to round-off (1e-9 vs 100 * 1e-11 from arange) is that save: two stops 1e-25 s
    # apart would ask for a step below the time's resolution (the drive differs by J' 1e-25 s there: nothing)
    spacing = saves[1] - saves[0]  # (saves holds 0 and the duration at least)
    nearest = np.clip(np.searchsorted(saves, corners), 1, len(saves) - 1)
    apart = np.minimum(np.abs(corners - saves[nearest]), np.abs(corners - saves[np.maximum(nearest - 1, 0)]))
    stops = np.union1d(saves, corners[apart > 1e-9 * spacing])
    save_number = np.searchsorted(saves, stops)
    return stops, np.where(np.isin(stops, saves), save_number, -1)


#: saved configurations solved per call for the resistance-area (bounds the solver's work arrays)
_RESISTANCE_CHUNK = 65536


def _resistance_area(prepared, macrospins: Macrospins, trajectory: np.ndarray) -> np.ndarray:
    """R of every saved configuration (time, batch...), Ohm m^2, NaN for open or insulator ends (MODEL.md 8);
    solved in chunks of saved times (a large ensemble's torques and accumulations need not fit at once)."""
    shape = trajectory.shape[:-2]
    if prepared.solve(macrospins.all_magnetizations(trajectory[:1])).resistance_area is None:
        return np.full(shape, np.nan)
    members = max(1, int(np.prod(shape[1:], dtype=np.int64)))
    per_chunk = max(1, _RESISTANCE_CHUNK // members)
    resistance = np.empty(shape)
    for begin in range(0, shape[0], per_chunk):
        part = trajectory[begin:begin + per_chunk]
        found = prepared.solve(macrospins.all_magnetizations(part)).resistance_area
        resistance[begin:begin + per_chunk] = np.broadcast_to(found, part.shape[:-2])
    return resistance


def _initial(initial: np.ndarray, count: int) -> np.ndarray:
    m = np.asarray(initial, dtype=float)
    if m.ndim < 2 or m.shape[-2:] != (count, 3) or not np.isfinite(m).all() or np.any(np.linalg.norm(m, axis=-1) == 0):
        raise SpinstackError(f"initial must be finite non-zero vectors of shape (..., {count}, 3), got shape {m.shape}")
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def fastest_rate(macrospins: Macrospins) -> float:
    """An upper estimate of |dm/dt| over the run, rad/s, the largest over members and layers: gamma |B| + |tau| with
    |B| bounded over the sphere (|B_app| + 2|K_u| / Ms + mu0 Ms max N + sum |J_ex| / (Ms d)) and the torque's
    rate |tau| at the start, at the largest |J| of the drive (or the stack's own field drive).  It sets the
    step counts (:func:`.integrate.estimated_steps`) and the thermal integrator's default step."""
    spins = macrospins
    bound = (np.linalg.norm(spins.field, axis=-1)[..., None] + 2 * np.abs(spins.K_u) / spins.Ms
             + MU0 * spins.Ms * spins.demag.max(axis=-1))
    for coupling in spins.couplings:
        bound = bound + np.abs(np.asarray(coupling.J_ex))[..., None] / (spins.Ms * spins.thickness)
    rate = float(np.max(spins.gamma * bound))
    right = RightHandSide(spins)
    drive = spins.current if spins.waveform is None else spins.waveform[1]
    if np.any(drive):
        largest = float(np.max(np.abs(drive)))
        torque = right.torque_at(spins.initial, largest)
        rate += float(np.max(np.linalg.norm(right._torque_scale * torque, axis=-1)))
    elif right._field_alone:
        rate += float(np.max(np.linalg.norm(right._torque_scale * right.torque_at(spins.initial, 0.0), axis=-1)))
    return rate
