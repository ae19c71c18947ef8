"""The settings of a magnetization-dynamics run (MODEL.md 9): a stack's ``[dynamics]`` table, in SI.

A :class:`Dynamics` holds what is not a property of a material or a layer: the applied field, the
run's duration and sampling, the thermal field's temperature and pillar area and its random seed, a
piecewise-linear current waveform replacing the stack's constant current (and a number scaling its
currents), and the interlayer exchange couplings.  The macrospin constants of a material (Ms, alpha,
K_u, easy_axis, gamma) live on the :class:`~spinstack.model.Ferromagnet`; ``free`` and ``demag`` on the
:class:`~spinstack.model.Layer`.
Dynamics has no reduced form: a :class:`~spinstack.Stack` with any of these is an SI stack.

Every number is in SI base units: tesla (the applied field B_app = mu0 H), s, K, m^2, A/m^2 (the
waveform's current density J, conventional current along +x: the number an SI file writes, not the
stack's j0 = J/e) and J/m^2 (the exchange energy per area).  The applied field, temperature, area and
the couplings' J may be arrays (an ensemble): they broadcast with the rest of the stack to its
``batch_shape``.  The time grid (duration, save_every) and the seed are one for a whole ensemble.

Errors name the file's key: ``dynamics.temperature``, ``dynamics.coupling[0].layers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from ..units import ELEMENTARY_CHARGE
from . import checks

__all__ = ["DEMAG_TOLERANCE", "Dynamics", "ExchangeCoupling", "MAX_FIELD", "MAX_SEED", "checked_seed",
           "coupling_layers", "demag_factors", "scaled_currents"]

#: the demagnetizing factors of a layer must sum to 1 within this
DEMAG_TOLERANCE = 1e-9
#: tesla: an applied field larger than this (in magnitude) is refused by name; the strongest laboratory
#: fields are ~1e2 T, and far larger ones overflow the dynamics' arithmetic instead of failing clearly
MAX_FIELD = 1e3
#: the largest thermal-noise seed: numpy's SeedSequence takes any integer >= 0, but a run's file stores the seed
#: as an attribute, and a NetCDF-4 (HDF5) integer attribute is at most a signed 64-bit one
MAX_SEED = 2**63 - 1


def demag_factors(value: Any, path: str) -> np.ndarray:
    """Diagonal demagnetizing factors (N_x, N_y, N_z), shape (..., 3): finite, >= 0, summing to 1.

    Raises
    ------
    StackError
        Naming ``path``: not a 3-vector, a negative factor, or a sum away from 1 by more than
        :data:`DEMAG_TOLERANCE`.
    """
    factors = checks.finite(value, path, bounded=False)
    if factors.ndim == 0 or factors.shape[-1] != 3:
        raise StackError(path, f"must be three factors [N_x, N_y, N_z], got {value!r}"[:300])
    if np.any(factors < 0):
        raise StackError(path, f"must be non-negative (diagonal demagnetizing factors), got {float(np.min(factors))!r}")
    total = factors.sum(axis=-1)
    worst = np.abs(total - 1.0)
    if np.any(worst > DEMAG_TOLERANCE):
        shown = float(np.asarray(total).flat[int(np.argmax(worst))])
        raise StackError(path, f"must sum to 1 (N_x + N_y + N_z, within {DEMAG_TOLERANCE:g}), got a sum of {shown!r}")
    return factors


def _scalar(value: Any, path: str, what: str) -> float:
    """One finite number (not an array: the time grid is shared by a whole ensemble)."""
    array = checks.finite(value, path)
    if array.ndim != 0:
        raise StackError(path, f"must be a single number ({what} is one for the whole ensemble), "
                               f"got an array of shape {array.shape}")
    return float(array)


@dataclass(frozen=True, eq=False)
class ExchangeCoupling:
    """Interlayer exchange between two F layers of the stack, energy per area -J m_a . m_b (MODEL.md 9b).

    Parameters
    ----------
    layers
        The two layers' stack indices (a pair of different F layers, free or fixed; checked by the
        :class:`~spinstack.Stack`, which knows its layers).
    J
        J/m^2, > 0 ferromagnetic; finite; may be an array (an ensemble).
    """

    layers: Sequence[int]
    J: ArrayLike

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", coupling_layers(self.layers))
        object.__setattr__(self, "J", checks.finite(self.J, "J"))


def coupling_layers(value: Any) -> tuple[int, int]:
    """``value`` as the layer pair (a, b) of an :class:`ExchangeCoupling`: two integer layer indices (a list or
    tuple; numpy integers taken, bools not).  Whether they are two different F layers of a stack is the
    :class:`~spinstack.Stack`'s check.

    Raises
    ------
    StackError
        Anything else, naming ``layers`` (the caller places it: ``dynamics.coupling[k].layers``).
    """
    pair = tuple(value) if isinstance(value, (list, tuple)) else None
    if pair is None or len(pair) != 2 or not all(
            isinstance(index, (int, np.integer)) and not isinstance(index, bool) for index in pair):
        raise StackError("layers", f"must be two layer indices [a, b], got {value!r}"[:300])
    return int(pair[0]), int(pair[1])


def checked_seed(value: Any, path: str, shown: str | None = None) -> int:
    """``value`` as the thermal noise's seed: an integer from 0 to :data:`MAX_SEED` (every door's one rule).

    Parameters
    ----------
    value
        The seed given (a Python or numpy integer; a bool, a float or text is refused).
    path
        The name a refusal gives (``"dynamics.seed"``, ``"seed"``).
    shown
        How the value is shown in the refusal (default its repr, shortened).

    Raises
    ------
    StackError
        Not an integer, negative or above :data:`MAX_SEED`.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= MAX_SEED:
        shown = shown if shown is not None else repr(value)[:300]
        raise StackError(path, f"must be an integer from 0 to 2^63 - 1 = {MAX_SEED}, got {shown}")
    return int(value)


#: the largest current density a drive may have, A/m^2: the solve holds j0 = J/e up to checks.LARGEST, as for the
#: stack's constant current (a waveform of 1e308 A/m^2 overflowed inside the integrator and never returned)
MAX_CURRENT_DENSITY = checks.LARGEST * ELEMENTARY_CHARGE


def _within_drive_limit(currents: np.ndarray, path: str) -> None:
    """Refuse currents (A/m^2) beyond :data:`MAX_CURRENT_DENSITY` in magnitude, naming the first point."""
    beyond = np.abs(currents) > MAX_CURRENT_DENSITY
    if np.any(beyond):
        k = int(np.argmax(beyond.reshape(len(currents), -1).any(axis=1)))
        raise StackError(f"{path}[{k}]", f"the current density must lie within +-{MAX_CURRENT_DENSITY:g} A/m^2 "
                                         f"(as the stack's current), got {float(np.max(np.abs(currents[k]))):g} A/m^2")


def _waveform(points: Any, path: str) -> tuple[np.ndarray, np.ndarray]:
    """(times (n,), currents (n, ...)) of a piecewise-linear drive given as [(t, J), ...] or as that pair."""
    if isinstance(points, tuple) and len(points) == 2 and isinstance(points[0], np.ndarray):
        times, values = points  # already (times, currents): a rebuilt stack
    else:
        if not isinstance(points, (list, tuple)) or not points or not all(
                isinstance(point, (list, tuple)) and len(point) == 2 for point in points):
            raise StackError(path, "must be a list of [t, J] pairs (times in s, current densities in A/m^2), "
                                   f"got {points!r}"[:300])
        times = np.array([point[0] for point in points], dtype=object)
        try:
            times = np.asarray(times.tolist(), dtype=float)
            values = np.stack(np.broadcast_arrays(*(np.asarray(point[1], dtype=float) for point in points)))
        except (TypeError, ValueError):
            raise StackError(path, "must be [t, J] pairs of numbers (the currents of one shape)") from None
    times = checks.finite(times, f"{path} (times)", bounded=False)
    if times.ndim != 1 or len(times) == 0:
        raise StackError(path, f"must give one time per point, got times of shape {times.shape}")
    values = checks.finite(values, f"{path} (currents)", bounded=False)
    _within_drive_limit(values, path)
    if values.shape[:1] != times.shape:
        raise StackError(path, f"must give one current per time: {len(times)} times, currents of shape {values.shape}")
    steps = np.diff(times)
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise StackError(f"{path}[{k + 1}]", f"the times must increase strictly: t = {float(times[k + 1])!r} s "
                                             f"follows t = {float(times[k])!r} s")
    return times, values


@dataclass(frozen=True, eq=False)
class Dynamics:
    """A stack's dynamics settings (MODEL.md 9), SI base units; every field optional.

    Parameters
    ----------
    field
        The applied field B_app = mu0 H, tesla, a 3-vector (..., 3) (any direction; x is the film
        normal); default 0.
    duration
        The run's length, s, > 0; ``None``: the caller gives it.
    save_every
        The spacing of the saved trajectory, s, > 0 and at most ``duration``; ``None``: the caller's.
    temperature
        K, >= 0; default 0 (no thermal field).  > 0 needs ``area``.
    area
        The pillar's cross-section A, m^2, > 0 (each free layer's volume is A d): needed at T > 0.
    seed
        The thermal field's random seed, an integer from 0 to 2^63 - 1 (:data:`MAX_SEED`); ``None``: fresh
        entropy.
    waveform
        A piecewise-linear drive replacing the stack's constant current: ``[(t0, J0), (t1, J1), ...]``
        with t (s) strictly increasing and J the current density (A/m^2, conventional current along +x);
        held at J0 before t0 and at the last value after the last time.  Kept as ``(times, currents)``
        arrays of shapes (n,) and (n, ...).  ``None``: the stack's own current.
    waveform_scale
        A pure number multiplying the waveform's currents (the pulse amplitude of a switching-probability or
        switching-time study, ``dynamics.waveform_scale``): finite, any sign, may be an array (an ensemble);
        ``None``: 1, the waveform as written.  Only with a ``waveform``.  ``waveform`` is kept as written;
        :meth:`scaled_waveform` is the drive.
    couplings
        Interlayer exchange, :class:`ExchangeCoupling` (or ``(layers, J)`` pairs).
    """

    field: ArrayLike = (0.0, 0.0, 0.0)
    duration: float | None = None
    save_every: float | None = None
    temperature: ArrayLike = 0.0
    area: ArrayLike | None = None
    seed: int | None = None
    waveform: Any = None
    couplings: Sequence[ExchangeCoupling] = ()
    waveform_scale: ArrayLike | None = None

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        field = checks.finite(self.field, "dynamics.field", bounded=False)
        if field.ndim == 0 or field.shape[-1] != 3:
            raise StackError("dynamics.field", f"must be a 3-vector B_app = mu0 H (tesla), got {self.field!r}"[:300])
        # components first: the norm of a 1e300 T field would overflow
        huge = np.any(np.abs(field) > MAX_FIELD)
        strength = np.max(np.abs(field)) if huge else np.max(np.linalg.norm(field, axis=-1))
        if strength > MAX_FIELD:
            raise StackError("dynamics.field", f"|B_app| must be at most {MAX_FIELD:g} T, got {float(strength):g} T")
        set_("field", field)
        if self.duration is not None:
            duration = _scalar(self.duration, "dynamics.duration", "the run's length")
            if duration <= 0:
                raise StackError("dynamics.duration", f"must be > 0 (s), got {duration!r}")
            set_("duration", duration)
        if self.save_every is not None:
            every = _scalar(self.save_every, "dynamics.save_every", "the sampling")
            if every <= 0:
                raise StackError("dynamics.save_every", f"must be > 0 (s), got {every!r}")
            if self.duration is not None and every > self.duration:
                raise StackError("dynamics.save_every", f"must be at most the duration ({self.duration!r} s), "
                                                        f"got {every!r} s")
            set_("save_every", every)
        temperature = checks.finite(self.temperature, "dynamics.temperature", bounded=False)
        if np.any(temperature < 0):
            raise StackError("dynamics.temperature", f"must be >= 0 (K), got {float(np.min(temperature))!r}")
        set_("temperature", temperature)
        if self.area is not None:
            set_("area", checks.positive(self.area, "dynamics.area"))
        elif np.any(temperature > 0):
            raise StackError("dynamics.area", "missing: a temperature > 0 needs the pillar area A (the thermal "
                                              "field's strength goes as 1/(A d), MODEL.md 9b)")
        if self.seed is not None:
            set_("seed", checked_seed(self.seed, "dynamics.seed"))
        if self.waveform is not None:
            set_("waveform", _waveform(self.waveform, "dynamics.waveform"))
        if self.waveform_scale is not None:
            if self.waveform is None:
                raise StackError("dynamics.waveform_scale", "no waveform to scale: it multiplies the currents of "
                                                            "[dynamics] waveform, and the stack gives none")
            scale = checks.finite(self.waveform_scale, "dynamics.waveform_scale", bounded=False)
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused by name here
                scaled = scaled_currents(self.waveform[1], scale)
                overflows = not np.all(np.abs(scaled) <= MAX_CURRENT_DENSITY)
            if overflows:
                raise StackError("dynamics.waveform_scale", "scales the waveform's currents beyond the largest "
                                                            f"drive, +-{MAX_CURRENT_DENSITY:g} A/m^2 (got scales up "
                                                            f"to {float(np.max(np.abs(scale))):g})")
            set_("waveform_scale", scale)
        couplings = []
        for position, coupling in enumerate(self.couplings):
            path = f"dynamics.coupling[{position}]"
            try:
                if not isinstance(coupling, ExchangeCoupling):
                    if not isinstance(coupling, (list, tuple)) or len(coupling) != 2:
                        raise StackError("", f"must be an ExchangeCoupling or (layers, J), got {coupling!r}"[:300])
                    coupling = ExchangeCoupling(*coupling)
            except StackError as error:
                raise error.within(path) from None
            couplings.append(coupling)
        set_("couplings", tuple(couplings))

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """Every numeric parameter that may be an array, with its path (vectors without their last axis):
        the applied field, temperature, area, the couplings' J and the waveform's currents."""
        found: list[tuple[str, np.ndarray]] = [("dynamics.field", self.field[..., 0]),
                                               ("dynamics.temperature", self.temperature)]
        if self.area is not None:
            found.append(("dynamics.area", self.area))
        for position, coupling in enumerate(self.couplings):
            found.append((f"dynamics.coupling[{position}].J", coupling.J))
        if self.waveform is not None:
            found.append(("dynamics.waveform", self.waveform[1][0]))
        if self.waveform_scale is not None:
            found.append(("dynamics.waveform_scale", self.waveform_scale))
        return found

    def scaled_waveform(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The drive: (times (n,), currents (n, ...)) with the currents multiplied by ``waveform_scale``
        (broadcast: (n, *broadcast(currents' batch, scale))); the waveform as written without a scale; None
        without a waveform."""
        if self.waveform is None or self.waveform_scale is None:
            return self.waveform
        return self.waveform[0], scaled_currents(self.waveform[1], self.waveform_scale)


def scaled_currents(currents: np.ndarray, scale: ArrayLike) -> np.ndarray:
    """A waveform's currents (n, *a), A/m^2, times a scale (*b), member by member: (n, *broadcast(a, b))."""
    scale = np.asarray(scale, dtype=float)
    batch = np.broadcast_shapes(currents.shape[1:], scale.shape)
    return currents.reshape(currents.shape[:1] + (1,) * (len(batch) - currents.ndim + 1) + currents.shape[1:]) * scale
