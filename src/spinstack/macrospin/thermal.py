"""The thermal field of MODEL.md 9b: macrospin LLGS at a temperature T > 0 by the stochastic Heun scheme.

>>> spins = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, K_u=5e4, easy_axis=(0, 0, 1),
...                    temperature=300, area=50e-9 * 100e-9, seed=1)
>>> run = simulate_thermal(stack, spins, duration=5e-9, save_every=1e-12)   # or simulate(...): it dispatches here

Brown's thermal field on free layer i is a Gaussian white noise, independent in each component,

    <B_th,k(t) B_th,l(t')> = (2 alpha k_B T / (gamma Ms V)) delta_kl delta(t - t'),   V = A d_i,

added to the effective field B in both the precession and the damping terms of MODEL.md 9a.  It multiplies
m, so the stochastic equation needs a calculus: Stratonovich's (the white-noise limit of a physical noise
of short correlation time, Wong-Zakai), whose stationary distribution is Boltzmann's exp(-E V / k_B T)
for this strength (the fluctuation-dissipation theorem; W. F. Brown, Phys. Rev. 130, 1677 (1963)).

Integration: the stochastic Heun scheme, a predictor-corrector at a fixed step h with the SAME noise in
both stages, which converges to the Stratonovich solution (P. E. Kloeden & E. Platen, Numerical Solution
of SDEs, sec. 15.1; J. L. Garcia-Palacios & F. J. Lazaro, PRB 58, 14937 (1998)):

    b      = sqrt(2 alpha k_B T / (gamma Ms V h)) xi,   xi ~ N(0, 1) per component and layer
    m_p    = m + h f(t, m, b),        f = the right-hand side of 9a with B -> B + b
    m_next = m + (h / 2) (f(t, m, b) + f(t + h, m_p / |m_p|, b)),   then m_next / |m_next|.

The deterministic part of f is :class:`~spinstack.macrospin.integrate.RightHandSide` (the exact torque of
the whole stack for the present magnetizations and drive at every stage, as :func:`simulate`); the noise
enters linearly, (1 + alpha^2)^-1 (-gamma m x b + alpha gamma (b - m (m . b))).  At T = 0 the scheme is
Heun's second-order Runge-Kutta method.

Noise and seeds: every ensemble member (k-th in C order over the batch, or keyed k by ``members=``) draws
its own noise from its own generator, child k of ``numpy.random.SeedSequence(seed)``
(:meth:`~numpy.random.SeedSequence.spawn`), n_free * 3 standard normals per step in time order.  So a
member's noise depends on the seed and its key only: the same seed gives the same trajectories, member
k's noise is the same in an ensemble of any size, and a block of an ensemble keyed by its members' indices
in the whole is integrated exactly as in the whole.  With ``shared_keys=True`` members may share a key and
then draw the same normals (common random numbers; :func:`spinstack.dynamics` keys realization r of every
configuration r).
The normals are drawn in blocks of steps (one generator call per member and block, a few MB at a time).

Backends: with a drive (J != 0, or a stack's in-plane field drive) every stage solves the exact torque for
all members at once (numpy steps, ~0.2 ms per step for a small ensemble).  Without one the torque is 0 at
every stage, exactly, and a compiled kernel (numba) runs whole blocks of steps: the effective field is
affine in m, B = c + M m, with c and M read off :func:`~spinstack.macrospin.fields.effective_field` (one
model of the field), ~50-100 ns per member and step plus ~30 ns for its three normals.  Both backends run
the same steps on the same noise and agree to round-off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ..errors import SpinstackError
from ..model import Stack
from ..solver.compiled import AVAILABLE, njit
from .fields import effective_field
from .equation import (DEFAULT_MAX_STEPS, RightHandSide, _cross, _initial, _resistance_area, _stops,
                       check_saved_points, fastest_rate)
from .spec import Macrospins

__all__ = ["BOLTZMANN", "DEFAULT_ANGLE_PER_STEP", "DEFAULT_NOISE_ANGLE_PER_STEP", "default_step", "noise_variance",
           "simulate_thermal"]

#: Boltzmann's constant, J/K (SI 2019, exact)
BOLTZMANN = 1.380649e-23
#: the default step turns the fastest precession by this angle (rad) per step: ~630 steps per turn
DEFAULT_ANGLE_PER_STEP = 0.01
#: and lets the thermal field turn m by at most this angle (rad, rms) per step
DEFAULT_NOISE_ANGLE_PER_STEP = 0.05
#: numbers of standard normals drawn per block (all members): 16 MB of float64
_BLOCK_NUMBERS = 2 ** 21
#: progress reports: at most one per this many seconds
_REPORT_EVERY = 0.25


def noise_variance(macrospins: Macrospins) -> np.ndarray:
    """The thermal field's strength 2 alpha k_B T / (gamma Ms V), T^2 s, per free layer (..., n_free).

    ``<B_th,k(t) B_th,l(t')>`` is this times delta_kl delta(t - t'); V = area * d.  Zero where T = 0 (then the area
    may be missing).
    """
    temperature = macrospins.temperature[..., None]
    if macrospins.area is None:  # validated: then every temperature is 0
        return np.zeros(np.broadcast_shapes(temperature.shape, macrospins.alpha.shape))
    volume = macrospins.area[..., None] * macrospins.thickness
    return 2 * macrospins.alpha * BOLTZMANN * temperature / (macrospins.gamma * macrospins.Ms * volume)


def default_step(macrospins: Macrospins) -> float:
    """The default fixed step, s, over all members and layers: the fastest precession turns m by
    :data:`DEFAULT_ANGLE_PER_STEP` per step, the thermal field by :data:`DEFAULT_NOISE_ANGLE_PER_STEP` (rms) at most.

    The precession rate: :func:`~spinstack.macrospin.equation.fastest_rate` (gamma |B| bounded over the sphere,
    plus the torque's rate at the largest |J| of the drive).  The noise turns m by sqrt(gamma^2 sigma^2 h) rms
    in a step h (sigma^2 = :func:`noise_variance`).
    """
    spins = macrospins
    rate = fastest_rate(spins)
    diffusion = float(np.max(spins.gamma ** 2 * noise_variance(spins)))  # rad^2/s: the noise's turn^2 per time
    steps = [DEFAULT_ANGLE_PER_STEP / rate] if rate > 0 else []
    if diffusion > 0:
        steps.append(DEFAULT_NOISE_ANGLE_PER_STEP ** 2 / diffusion)
    if not steps:
        raise SpinstackError("dt: nothing moves the magnetization (no field, torque or noise): give dt")
    return min(steps)


def simulate_thermal(stack: Stack, macrospins: Macrospins, duration: float, save_every: float, *,
                     dt: float | None = None, initial: np.ndarray | None = None,
                     max_steps: float = DEFAULT_MAX_STEPS, backend: str | None = None,
                     progress: Callable[[float], None] | None = None, members: ArrayLike | None = None,
                     shared_keys: bool = False):
    """Integrate MODEL.md 9a with the thermal field of 9b (stochastic Heun, Stratonovich) from 0 to ``duration``.

    Parameters
    ----------
    stack
        The SI stack solved at every stage (fixed F layers keep its m; the free ones start from it).
        ``macrospins`` built for another stack is checked again against this one.
    macrospins
        Which layers move, their constants, fields, drive, ``temperature`` (K), ``area`` (m^2) and ``seed``.
        T = 0 members (or all) are integrated by the same scheme without noise.
    duration
        s, > 0.
    save_every
        s, > 0: m, J and R are saved at 0, save_every, 2 save_every, ... up to ``duration`` (and at ``duration``).
    dt
        The step, s, > 0; default :func:`default_step`.  Each interval between saved times (and corners of a
        piecewise-linear drive) is cut into equal steps no longer than ``dt``.
    initial
        Starting m of the free layers (..., n_free, 3), normalised here; default the stack's own.
    max_steps
        Refuse (before integrating) a run of more steps than this.
    backend
        ``None`` (default): the compiled kernel (numba) for a run without torque (J = 0 and no in-plane field
        drive: T = 0 at every stage, exactly), numpy with :class:`RightHandSide` otherwise; ``"python"``: numpy
        always; ``"compiled"``: the kernel (refused for a run with torque).  Both run the same steps with the
        same noise and agree to round-off.
    progress
        Called with the fraction of the steps done (0 to 1) a few times per second at most, and with 1.0 at
        the end.
    members
        The members' keys, integers >= 0 of the batch shape: the member keyed k draws its noise from
        ``SeedSequence(seed, spawn_key=(k,))`` (= child k of ``SeedSequence(seed).spawn``).  Default 0, 1, ...
        in C order.  A block of a larger ensemble passes its members' flat indices in the whole, so that its
        noise, and so its trajectories, are those of the whole run's members.
    shared_keys
        ``False`` (default): the keys must all differ.  ``True``: members may share a key, and members with
        one key draw the same standard normals (common random numbers: :func:`spinstack.dynamics` keys
        realization r of every configuration r); each distinct key's normals are drawn once.

    Returns
    -------
    xarray.Dataset
        As :func:`~spinstack.macrospin.integrate.simulate`: ``m`` (time, member_0.., layer, component),
        ``current`` and ``resistance_area`` (time, member_0..); plus ``temperature`` (member_0..) K; attrs
        ``temperature`` (K, when one for all), ``area`` (m^2, when one for all), ``dt`` (the nominal step, s),
        ``steps`` (per member), ``seed``, ``backend``, ``torque_evaluations``.

    Raises
    ------
    SpinstackError
        Bad duration, save interval (or more than :data:`~.equation.MAX_SAVED_POINTS` saved points per member),
        step, backend, members or initial state, or more steps than ``max_steps``.
    """
    import xarray as xr

    if macrospins.stack is not stack:
        macrospins = macrospins.with_stack(stack)
    for name, value in (("duration", duration), ("save_every", save_every)) + ((("dt", dt),) if dt is not None else ()):
        if not (isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
                and math.isfinite(value) and value > 0):
            raise SpinstackError(f"{name} must be a finite number > 0, got {value!r}")
    if backend not in (None, "python", "compiled"):
        raise SpinstackError(f"backend must be 'python', 'compiled' or None, got {backend!r}")
    check_saved_points(duration, save_every, len(macrospins.free), math.prod(macrospins.batch_shape))
    nominal = default_step(macrospins) if dt is None else float(dt)
    _refuse_many_steps(max(duration / nominal, duration / save_every), duration, nominal, max_steps)
    saves = np.arange(0.0, duration * (1 + 1e-12), save_every)
    if duration - saves[-1] > 1e-9 * save_every:
        saves = np.append(saves, duration)
    # the steps: every interval between stops (saved times, corners of the drive) cut into equal steps <= dt
    stops, save_number = _stops(saves, macrospins)
    counts = np.ceil(np.diff(stops) / nominal * (1 - 1e-12)).astype(np.int64)
    total = float(counts.sum())
    _refuse_many_steps(total, duration, nominal, max_steps)
    shape = macrospins.batch_shape
    count = len(macrospins.free)
    start = macrospins.initial if initial is None else _initial(initial, count)
    m = np.array(np.broadcast_to(start, shape + (count, 3)))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    rhs = RightHandSide(macrospins)
    keys = _member_keys(members, shape, shared_keys)
    trajectory, backend = _heun(rhs, macrospins, m, stops, counts, save_number >= 0, backend, progress, keys)
    if progress is not None:
        progress(1.0)
    current = np.broadcast_to(macrospins.current_at(saves.reshape(saves.shape + (1,) * len(shape))),
                              saves.shape + shape).copy()
    resistance = _resistance_area(rhs.prepared, macrospins, trajectory)
    dims = [f"member_{k}" for k in range(len(shape))]
    temperature = np.broadcast_to(macrospins.temperature, shape)
    attrs = {"equation": "MODEL.md 9a with the thermal field of 9b (LLGS, exact torque at every stage)",
             "integrator": "stochastic Heun (Stratonovich), fixed step", "dt": nominal, "steps": int(total),
             "seed": macrospins.seed, "torque_evaluations": int(rhs.evaluations), "backend": backend}
    if temperature.size and np.all(temperature == temperature.flat[0]):
        attrs["temperature"] = float(temperature.flat[0])
    if macrospins.area is not None and macrospins.area.size == 1:
        attrs["area"] = float(macrospins.area.flat[0])
    return xr.Dataset(
        {"m": (("time", *dims, "layer", "component"), trajectory, {"units": "1", "long_name": "magnetization"}),
         "current": (("time", *dims), current, {"units": "A/m^2", "long_name": "current density J"}),
         "resistance_area": (("time", *dims), resistance, {"units": "Ohm m^2", "long_name": "resistance-area"}),
         "temperature": (tuple(dims), temperature.copy(), {"units": "K", "long_name": "temperature"})},
        coords={"time": ("time", saves, {"units": "s"}), "layer": ("layer", list(macrospins.free)),
                "component": ("component", ["x", "y", "z"])},
        attrs=attrs)


def _member_keys(members: ArrayLike | None, shape: tuple[int, ...], shared: bool = False) -> np.ndarray:
    """The members' noise keys, flat (C order), checked: integers >= 0 of the batch shape, all different unless
    ``shared``."""
    size = math.prod(shape)
    if members is None:
        return np.arange(size)
    keys = np.asarray(members)
    if keys.shape != shape or (keys.size and (keys.dtype.kind not in "iu" or keys.min() < 0)):
        raise SpinstackError(f"members must be integers >= 0 of the ensemble's shape {shape}, got "
                             f"{keys.dtype} of shape {keys.shape}")
    keys = keys.reshape(size).astype(np.int64)
    if not shared and len(np.unique(keys)) != size:
        raise SpinstackError("members must all differ (two members with one key would draw the same noise)")
    return keys


def _refuse_many_steps(steps: float, duration: float, dt: float, max_steps: float) -> None:
    """A SpinstackError with the numbers when a run would take more than ``max_steps`` steps (or saves)."""
    if steps > max_steps:
        raise SpinstackError(f"duration: {duration:g} s at the step dt = {dt:.3g} s is {steps:.3g} steps per member "
                             f"(or saved points), more than max_steps = {max_steps:.3g}: shorten the run, lengthen dt "
                             "or save_every, or raise max_steps")


class _Noise:
    """Standard normals for the steps to come, (members, steps, n_free, 3), the member keyed k's from child k of
    SeedSequence(seed), drawn in time order (once per distinct key: members sharing a key get a copy)."""

    def __init__(self, macrospins: Macrospins, strength: np.ndarray, steps: int, keys: np.ndarray) -> None:
        members, count = strength.shape
        # only members with some noise draw (a T = 0 member's numbers would be multiplied by 0)
        noisy = np.flatnonzero(np.any(strength > 0, axis=-1))
        grouped = noisy[np.argsort(keys[noisy], kind="stable")]  # the members of one key next to each other
        distinct, starts = np.unique(keys[grouped], return_index=True)
        groups = np.split(grouped, starts[1:]) if grouped.size else []
        # one generator per distinct key, drawing into its first member's row; the others with that key copy it
        self.noisy = [int(group[0]) for group in groups]
        self.copies = [group[1:] for group in groups]
        self.generators = [np.random.Generator(np.random.PCG64(np.random.SeedSequence(macrospins.seed,
                                                                                       spawn_key=(int(key),))))
                           for key in distinct]
        # one buffer, filled again for every block (the rows of members without noise stay 0)
        self.buffer = np.zeros((members, max(1, min(steps, _BLOCK_NUMBERS // (members * count * 3))), count, 3))

    def fill(self, steps: int) -> int:
        """The normals of the next steps (at most ``steps``) into ``buffer[:, :n]``; returns n."""
        count = min(steps, self.buffer.shape[1])
        for generator, k, copies in zip(self.generators, self.noisy, self.copies):
            generator.standard_normal(out=self.buffer[k, :count])
            if copies.size:
                self.buffer[copies, :count] = self.buffer[k, :count]
        return count


def _heun(rhs: RightHandSide, macrospins: Macrospins, m: np.ndarray, stops: np.ndarray, counts: np.ndarray,
          saved: np.ndarray, backend: str | None, progress: Callable[[float], None] | None,
          keys: np.ndarray) -> tuple[np.ndarray, str]:
    """m at every saved stop (time, batch..., n_free, 3) by stochastic Heun, ``counts[j]`` equal steps from stop j;
    and the backend that ran it."""
    shape, count = m.shape[:-2], m.shape[-2]
    members = math.prod(shape)
    strength = np.broadcast_to(noise_variance(macrospins), shape + (count,)).reshape(members, count)  # T^2 s
    noise = _Noise(macrospins, strength, int(counts.sum()), keys)
    drive = macrospins.current if macrospins.waveform is None else macrospins.waveform[1]
    torqueless = not np.any(drive) and not rhs._field_alone  # then T = 0 at every stage, exactly
    if backend == "compiled" and not torqueless:
        raise SpinstackError("backend 'compiled' does not take these macrospins: the thermal kernel runs only "
                             "without torque (J = 0 and no in-plane field drive); this run needs the exact torque "
                             "at every stage")
    if backend is None:
        backend = "compiled" if torqueless and AVAILABLE else "python"
    step = _CompiledSteps(macrospins, shape) if backend == "compiled" else _NumpySteps(rhs, macrospins, shape)
    flat = m.reshape(members, count, 3).copy()
    trajectory = np.empty((int(np.count_nonzero(saved)),) + m.shape)
    trajectory[0] = m
    saves_done = 1
    total, done_before, reported = int(counts.sum()), 0, time.monotonic()
    for j, steps in enumerate(counts):
        h = (stops[j + 1] - stops[j]) / steps
        scale = np.sqrt(strength / h)  # the step's field b = scale xi, T
        done = 0
        while done < steps:
            filled = noise.fill(steps - done)
            noise.buffer[:, :filled] *= scale[:, None, :, None]
            flat = step(flat, stops[j] + done * h, h, noise.buffer, filled)
            done += filled
            if progress is not None and time.monotonic() - reported > _REPORT_EVERY:
                progress((done_before + done) / total)
                reported = time.monotonic()
        done_before += steps
        if saved[j + 1]:
            trajectory[saves_done] = flat.reshape(m.shape)
            saves_done += 1
    return trajectory, backend


class _NumpySteps:
    """Stochastic Heun steps in numpy with the exact torque of :class:`RightHandSide` at every stage."""

    def __init__(self, rhs: RightHandSide, macrospins: Macrospins, shape: tuple[int, ...]) -> None:
        self.rhs, self.shape = rhs, shape
        self.gamma, self.alpha = macrospins.gamma[..., None], macrospins.alpha[..., None]
        self.undamped = 1.0 / (1.0 + self.alpha ** 2)

    def noise_rate(self, m: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The thermal field b's part of dm/dt, 1/s: (-gamma m x b + alpha gamma (b - m (m . b))) / (1 + alpha^2)."""
        return self.undamped * self.gamma * (self.alpha * (b - m * np.sum(m * b, axis=-1, keepdims=True)) - _cross(m, b))

    def __call__(self, flat: np.ndarray, t: float, h: float, fields: np.ndarray, steps: int) -> np.ndarray:
        """``steps`` steps of width ``h`` from time ``t``; ``fields[:, n]`` (members, n_free, 3) is step n's b, T."""
        m = flat.reshape(self.shape + flat.shape[-2:])
        for n in range(steps):
            b = fields[:, n].reshape(m.shape)
            first = self.rhs(t + n * h, m) + self.noise_rate(m, b)  # the same b in both stages: Stratonovich
            predicted = m + h * first
            predicted /= np.linalg.norm(predicted, axis=-1, keepdims=True)
            second = self.rhs(t + (n + 1) * h, predicted) + self.noise_rate(predicted, b)
            m = m + 0.5 * h * (first + second)
            m /= np.linalg.norm(m, axis=-1, keepdims=True)
        return m.reshape(flat.shape)


class _CompiledSteps:
    """Stochastic Heun steps of a torqueless run, compiled: the effective field is affine in m (MODEL.md 9b),
    B = c + M m, and c, M are read off :func:`~spinstack.macrospin.fields.effective_field` itself (one model)."""

    def __init__(self, macrospins: Macrospins, shape: tuple[int, ...]) -> None:
        count = len(macrospins.free)
        members = math.prod(shape)
        constant = effective_field(macrospins, np.zeros(shape + (count, 3)))
        matrix = np.empty(shape + (count, 3, count, 3))
        for j in range(count):
            for l in range(3):
                unit = np.zeros(shape + (count, 3))
                unit[..., j, l] = 1.0
                matrix[..., j, l] = np.broadcast_to(effective_field(macrospins, unit) - constant, shape + (count, 3))
        flat = lambda value, tail: np.ascontiguousarray(np.broadcast_to(value, shape + tail).reshape((members,) + tail))  # noqa: E731
        self.constant = flat(constant, (count, 3))
        self.matrix = flat(matrix, (count, 3, count, 3))
        self.gamma = flat(macrospins.gamma, (count,))
        self.alpha = flat(macrospins.alpha, (count,))

    def __call__(self, flat: np.ndarray, t: float, h: float, fields: np.ndarray, steps: int) -> np.ndarray:
        _heun_block(flat, self.constant, self.matrix, self.gamma, self.alpha, fields, steps, h)
        return flat


@njit(cache=True, error_model="numpy")
def _heun_block(m, constant, matrix, gamma, alpha, fields, steps, h):  # pragma: no cover - compiled
    """m (members, n, 3) advanced in place by ``steps`` stochastic Heun steps of width h without torque;
    fields[:, s] (members, n, 3) the thermal field of step s, T."""
    members, count = m.shape[0], m.shape[1]
    for p in range(members):
        now = m[p].copy()
        predicted = np.empty((count, 3))
        first = np.empty((count, 3))
        second = np.empty((count, 3))
        for s in range(steps):
            _rate(now, constant[p], matrix[p], gamma[p], alpha[p], fields[p, s], first)
            for i in range(count):
                for k in range(3):
                    predicted[i, k] = now[i, k] + h * first[i, k]
            _normalise(predicted)
            _rate(predicted, constant[p], matrix[p], gamma[p], alpha[p], fields[p, s], second)
            for i in range(count):
                for k in range(3):
                    now[i, k] += 0.5 * h * (first[i, k] + second[i, k])
            _normalise(now)
        m[p] = now


@njit(cache=True, error_model="numpy", inline="always")
def _rate(m, constant, matrix, gamma, alpha, b, out):  # pragma: no cover - compiled
    """out = dm/dt of 9a without torque, field B = constant + matrix m + b: (-gamma m x B + alpha gamma (B - m (m . B)))
    / (1 + alpha^2) per layer (m unit vectors, (n, 3))."""
    count = m.shape[0]
    for i in range(count):
        bx, by, bz = constant[i, 0] + b[i, 0], constant[i, 1] + b[i, 1], constant[i, 2] + b[i, 2]
        for j in range(count):
            bx += matrix[i, 0, j, 0] * m[j, 0] + matrix[i, 0, j, 1] * m[j, 1] + matrix[i, 0, j, 2] * m[j, 2]
            by += matrix[i, 1, j, 0] * m[j, 0] + matrix[i, 1, j, 1] * m[j, 1] + matrix[i, 1, j, 2] * m[j, 2]
            bz += matrix[i, 2, j, 0] * m[j, 0] + matrix[i, 2, j, 1] * m[j, 1] + matrix[i, 2, j, 2] * m[j, 2]
        mx, my, mz = m[i, 0], m[i, 1], m[i, 2]
        along = mx * bx + my * by + mz * bz
        a = alpha[i]
        scale = gamma[i] / (1.0 + a * a)
        out[i, 0] = scale * (a * (bx - mx * along) - (my * bz - mz * by))
        out[i, 1] = scale * (a * (by - my * along) - (mz * bx - mx * bz))
        out[i, 2] = scale * (a * (bz - mz * along) - (mx * by - my * bx))


@njit(cache=True, error_model="numpy", inline="always")
def _normalise(m):  # pragma: no cover - compiled
    """Every row of m (n, 3) scaled to length 1, in place."""
    for i in range(m.shape[0]):
        length = math.sqrt(m[i, 0] * m[i, 0] + m[i, 1] * m[i, 1] + m[i, 2] * m[i, 2])
        for k in range(3):
            m[i, k] /= length
