"""What the torque does to the magnet: :func:`dynamics` (macrospin trajectories over parameter ensembles) and
:func:`critical_currents` (linear stability), the doors of MODEL.md 9 for files and users.

>>> import numpy as np, spinstack as ss
>>> stack = ss.load_stack("examples/dynamics-switching.toml")       # a file with free layers and [dynamics]
>>> run = ss.dynamics(stack)                                        # the file's duration and save_every
>>> run.m.sel(layer=2, component="z")                               # m_z(t) of the free layer
>>> diagram = ss.dynamics(stack, vary={"current": np.linspace(-3e11, 3e11, 41),
...                                    "dynamics.field[2]": np.linspace(0, 0.05, 21)}, out="diagram.nc")
>>> diagram.state.sel(layer=2)                                      # (current, dynamics.field[2]) final states
>>> ss.critical_currents(stack)                                     # {2: {"P": J_c, "AP": J_c}}, A/m^2

``stack`` is a :class:`~spinstack.Stack` whose file marks free layers and gives their constants (the
``Ms``, ``alpha``, ... keys and the ``[dynamics]`` table of STACK_FORMAT.md, read by
:meth:`spinstack.macrospin.Macrospins.from_stack`), or a :class:`~spinstack.macrospin.Macrospins` built by
hand (its own stack is then the one solved).

Ensembles (``vary``): each ``{path: values}`` entry is one more dimension of the result, named by the path,
and every member of the outer product is integrated in ONE batch (:func:`spinstack.macrospin.simulate`
takes ensembles: every member has its own step size).  The paths:

* ``current``: the drive J, A/m^2 (a constant drive; a waveform is not varied);
* ``dynamics.waveform_scale``: a pure number multiplying the waveform's currents (the pulse amplitude; it
  replaces the file's own ``waveform_scale``; refused without a waveform);
* ``dynamics.field[k]`` (or ``dynamics.field.x|y|z``): a component of the applied field B_app = mu0 H, tesla;
* ``dynamics.NAME``: any other scalar of the dynamics (``dynamics.temperature``, K, where the build has it);
* ``materials.NAME.Ms|alpha|gamma|K_u`` and ``layers[i].Ms|alpha|gamma|K_u``: the macrospin constants of
  every free layer made of NAME, or of the free layer i (SI: A/m, 1, rad/(s T), J/m^3);
* any stack parameter of :mod:`spinstack.model.paths` (``layers[1].thickness``, ``materials.Cu.l``,
  ``layers[0].magnetization.theta``, ...), its numbers as :func:`spinstack.sweep` takes them (SI base units).

The result (:data:`SCHEMA`; ``spinstack plot traj.nc`` reads it): coordinates ``time`` (s), one per varied
path, ``layer`` (stack index of each free layer), ``component`` (x, y, z), ``configuration`` (P, AP); data
``m`` (time, *vary, layer, component), ``current`` and ``resistance_area`` (time, *vary), ``state``,
``frequency``, ``switching_time`` (*vary, layer: MODEL.md 9d's end-of-run summary,
:func:`spinstack.macrospin.final_states`), ``critical_current`` (*vary, layer, configuration: linear
stability, :func:`spinstack.macrospin.critical_currents`, NaN where the state is no equilibrium or no
current changes its stability); every variable with ``units`` and ``long_name``; attributes
``spinstack_kind = "dynamics"``, the version, the stack (JSON, and the file's path and text with
``source=``), the tolerances, the temperature and the reference direction.

Realizations (``realizations=N``, a thermal run): N independent realizations of the thermal noise of every
configuration, the last dimension ``realization`` of every variable over the varied ones; realization r
of every configuration draws the noise keyed r (:func:`dynamics` says what that guarantees).

Blocks and files: the members are integrated ``chunk`` at a time (default: as many as keep a block's saved
outputs under :data:`BLOCK_BYTES`); the numbers do not depend on the blocks (each member has its own steps),
a chunked run equals an unchunked one to the last bit.  With ``out=`` (``.nc``: NetCDF-4 through h5netcdf;
``.zarr``) each block is written as soon as it is integrated, under a temporary name beside the target,
renamed when the last block is in; an error or Ctrl-C (SIGINT, SIGTERM, SIGHUP: between blocks) removes it
and leaves nothing.  An existing ``out`` is replaced only when it is a spinstack dynamics file.  The
returned dataset is then read lazily from the file: close it when done.  Refused with their numbers, before
any work or array of the run's size: more than :data:`spinstack.macrospin.equation.MAX_SAVED_POINTS` (1e7)
saved points per member (every door: :func:`dynamics`, ``simulate``, ``simulate_thermal``); a result that would
not fit in memory without ``out``, or one block that would not with it; with ``out``, a file (its size
estimated uncompressed) larger than the free space of the target's file system.  ``dask=True``: the blocks are Dask tasks
(on the active ``dask.distributed`` client if there is one): without ``out`` nothing is integrated until
the dataset is computed; with ``out`` they are computed now and the file is opened with Dask chunks.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SpinstackError, StackError
from .model import Stack
from ._sweep.atomic import Staged, zarr_group

__all__ = ["BLOCK_BYTES", "DEFAULT_SAMPLES", "SCHEMA", "critical_currents", "dynamics", "format_summary",
           "is_dynamics_file", "open_dynamics", "parse_range", "parse_time"]

#: save_every when neither the call nor the stack gives one: the run sampled at this many intervals
DEFAULT_SAMPLES = 1000
#: a block's saved outputs (m, J, R over time) are kept under this many bytes when ``chunk`` is not given
BLOCK_BYTES = 64 * 2 ** 20
#: a result held in memory may use at most this share of the machine's memory
_MEMORY_SHARE = 0.75
#: bytes of one state name in the file (the longest of macrospin.STATES, as fixed-width text), for size estimates
_STATE_BYTES = 16
#: the file formats by extension
FORMATS = {".nc": "netcdf", ".zarr": "zarr"}

#: the variables of a dynamics dataset: name -> (dims after expanding ``*vary``, units, long_name)
SCHEMA: dict[str, tuple[tuple[str, ...], str, str]] = {
    "m": (("time", "*vary", "layer", "component"), "1", "magnetization of the free layer (unit vector)"),
    "current": (("time", "*vary"), "A m-2", "current density J (conventional current along +x)"),
    "resistance_area": (("time", "*vary"), "ohm m2", "resistance-area of the present configuration"),
    "state": (("*vary", "layer"), "1", "final state: P, AP, precession, static or undetermined (MODEL.md 9d)"),
    "frequency": (("*vary", "layer"), "Hz", "precession frequency over the last half of the run"),
    "switching_time": (("*vary", "layer"), "s", "switching time: first sign change of m . m_ref (P -> AP or AP -> P "
                                                "runs only)"),
    "critical_current": (("*vary", "layer", "configuration"), "A m-2",
                         "critical current density by linear stability (MODEL.md 9d)"),
    "reference": (("*vary", "component"), "1", "the reference direction m_ref of the states P and AP"),
}
#: the variables saved at every time (streamed block by block)
_OVER_TIME = ("m", "current", "resistance_area")
#: the end-of-run summary's variables (per member and layer)
_SUMMARY = ("state", "frequency", "switching_time")
#: a run saved at fewer points has no end-of-run summary (state "undetermined", no frequency, no switching time)
_SUMMARY_POINTS = 4
#: the macrospin constants a path may vary per free layer
_PER_LAYER = {"Ms": "A m-1", "alpha": "1", "gamma": "rad s-1 T-1", "K_u": "J m-3"}
_LONG_PER_LAYER = {"Ms": "saturation magnetization Ms", "alpha": "Gilbert damping alpha",
                   "gamma": "gyromagnetic ratio gamma", "K_u": "uniaxial anisotropy K_u"}
_FIELD = re.compile(r"^dynamics\.field(?:\[(-?\d+)\]|\.([xyz]))$")
_LAYER_CONSTANT = re.compile(r"^layers\[(-?\d+)\]\.(Ms|alpha|gamma|K_u)$")
_MATERIAL_CONSTANT = re.compile(r"^materials\.([^.]+)\.(Ms|alpha|gamma|K_u)$")
#: Macrospins fields that no ``dynamics.NAME`` path sets (vectors, structure, the drive)
_NOT_SCALAR = ("stack", "free", "field", "current", "couplings", "easy_axis", "demag", "waveform", "Ms", "alpha",
               "gamma", "K_u")


# ------------------------------------------------------------------ the varied paths
@dataclass(frozen=True, eq=False)
class _Varied:
    """One varied path: a dimension of the result.

    ``target``: ``"current"``, ``"field"`` (``index`` the component), ``"scalar"`` (a Macrospins field named
    ``name``), ``"layer"`` (the per-layer constant ``name`` on the free layers of ``mask``), ``"scale"``
    (``dynamics.waveform_scale``: the waveform's currents times the values), ``"stack"``, or ``"realization"``
    (``realizations=``: the last dimension, the index of a member's thermal noise, no parameter).
    """

    path: str
    values: np.ndarray
    target: str
    name: str = ""
    index: int = 0
    mask: tuple[bool, ...] = ()

    @property
    def units(self) -> str:
        if self.target in ("scale", "realization"):
            return "1"
        if self.target == "current":
            return "A m-2"
        if self.target == "field":
            return "T"
        if self.target == "layer":
            return _PER_LAYER[self.name]
        if self.target == "scalar":
            return {"temperature": "K", "area": "m2"}.get(self.name, "1")
        from ._sweep.variables import axis_units

        return axis_units(self.path, "SI")

    def long_name(self, stack: Stack) -> str:
        if self.target == "scale":
            return "scale of the waveform's currents (pulse amplitude / as written)"
        if self.target == "realization":
            return "independent realization of the thermal noise"
        if self.target == "current":
            return "current density J (conventional current along +x)"
        if self.target == "field":
            return f"applied field B_app = mu0 H, component {'xyz'[self.index]}"
        if self.target == "layer":
            return f"{_LONG_PER_LAYER[self.name]} of {self.path.rsplit('.', 1)[0]}"
        if self.target == "scalar":
            return f"dynamics {self.name}"
        from ._sweep.variables import axis_long_name

        return axis_long_name(self.path, stack)


def _values(path: Any, raw: Any) -> np.ndarray:
    if not isinstance(path, str):
        raise SpinstackError(f"vary: parameters are named by path strings, got {path!r}"[:300])
    try:
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise StackError(path, f"values must be numbers, got {raw!r}"[:300]) from None
    if values.ndim != 1:
        raise StackError(path, f"values must be one-dimensional, got shape {values.shape}")
    if values.size == 0:
        raise StackError(path, "no values")
    if not np.isfinite(values).all():
        raise StackError(path, "values must be finite")
    return values


def _parse_vary(spins: Any, stack: Stack, vary: Mapping[str, Any] | None) -> tuple[_Varied, ...]:
    """The varied paths, checked (an unknown path or a bad value raises StackError naming it)."""
    if vary is None:
        return ()
    if not isinstance(vary, Mapping):
        raise SpinstackError(f"vary must be a mapping {{path: values}}, got {type(vary).__name__}")
    found: list[_Varied] = []
    fields = {f.name for f in dataclasses.fields(spins)}
    for path, raw in vary.items():
        values = _values(path, raw)
        field = _FIELD.match(path)
        layer = _LAYER_CONSTANT.match(path)
        material = _MATERIAL_CONSTANT.match(path)
        if path == "current":
            if spins.waveform is not None:
                raise StackError(path, "the drive is a piecewise-linear waveform ([dynamics] waveform): a constant "
                                       "current cannot be varied with it; vary its amplitude with "
                                       "dynamics.waveform_scale")
            found.append(_Varied(path, values, "current"))
        elif path == "dynamics.waveform_scale":
            if spins.waveform is None:
                raise StackError(path, "no waveform to scale: it multiplies the currents of [dynamics] waveform, "
                                       "and this run's drive is a constant current (vary current instead)")
            if not math.isfinite(float(np.max(np.abs(values))) * float(np.max(np.abs(spins.waveform[1])))):
                raise StackError(path, "scales the waveform's currents beyond the largest number (got up to "
                                       f"{float(np.max(np.abs(values))):g})")
            found.append(_Varied(path, values, "scale"))
        elif field:
            index = int(field.group(1)) if field.group(1) is not None else "xyz".index(field.group(2))
            if not 0 <= index < 3:
                raise StackError(path, "the applied field has components [0], [1], [2] (x, y, z)")
            found.append(_Varied(path, values, "field", index=index))
        elif path == "dynamics.field":
            raise StackError(path, "a vector cannot be varied as numbers: vary its components dynamics.field[0], "
                                   "dynamics.field[1] or dynamics.field[2] (tesla)")
        elif path in ("dynamics.duration", "dynamics.save_every", "dynamics.seed"):
            raise StackError(path, "is one for the whole ensemble (its time grid and random seed): it cannot be "
                                   "varied; run the values one by one")
        elif path.startswith("dynamics.") and path.partition(".")[2] in fields and \
                path.partition(".")[2] not in _NOT_SCALAR:
            found.append(_Varied(path, values, "scalar", name=path.partition(".")[2]))
        elif layer or material:
            name = (layer or material).group(2)
            if layer:
                index = int(layer.group(1))
                index = index + len(stack.layers) if index < 0 else index
                mask = tuple(i == index for i in spins.free)
                if not any(mask):
                    raise StackError(path, f"layer {layer.group(1)} is not a free layer (the free layers are "
                                           f"{list(spins.free)})")
            else:
                mask = tuple(stack.layers[i].material.name == material.group(1) for i in spins.free)
                if not any(mask):
                    raise StackError(path, f"no free layer is made of {material.group(1)!r} (the free layers are "
                                           + ", ".join(f"{i} ({stack.layers[i].material.name})" for i in spins.free)
                                           + ")")
            found.append(_Varied(path, values, "layer", name=name, mask=mask))
        else:
            from ._sweep.plan import parse_axes

            try:
                axis, = parse_axes(stack, {path: values}, transport=False)  # the sweep's checks: unknown paths, vectors
            except StackError as error:
                if not error.reason.startswith("unknown parameter path"):
                    raise
                raise StackError(path, "unknown parameter path; dynamics varies current, dynamics.field[0|1|2] "
                                       "(or dynamics.field.x|y|z), "
                                       "dynamics.temperature, materials.NAME.Ms|alpha|gamma|K_u, "
                                       "layers[i].Ms|alpha|gamma|K_u and the stack's parameters "
                                       f"({error.reason.partition('; a sweep takes ')[2] or 'spinstack.model.paths'})"
                                 ) from None
            found.append(_Varied(path, axis.values[0], "stack"))
    paths = [v.path for v in found]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise StackError(twice[0], "varied twice")
    return tuple(found)


# ------------------------------------------------------------------ the ensemble of one block
def _stack_for(stack: Stack, varied: tuple[_Varied, ...], region: tuple[slice, ...], single: bool) -> Stack:
    """The stack with the stack paths' values of ``region`` laid along their dimensions (a batch), or, with
    ``single``, set to the one value each has in ``region`` (one configuration)."""
    from ._sweep.plan import FIELD_COMPONENTS, Axis, apply, set_angle
    from .model.paths import THETA, with_parameter
    from .units import ELECTRON_CHARGE

    chosen = [(position, v) for position, v in enumerate(varied) if v.target == "stack"]
    if not chosen:
        return stack
    if single:
        for position, v in chosen:
            value = float(v.values[region[position]][0])
            if v.path == THETA:
                stack = set_angle(stack, value)
            else:
                factor = ELECTRON_CHARGE if v.path in FIELD_COMPONENTS and stack.units == "SI" else 1.0
                stack = with_parameter(stack, v.path, value * factor)
        return stack
    axes = tuple(Axis(v.path, (v.path,), (v.values[region[position]],)) if v.target == "stack"
                 else Axis(v.path, (), ()) for position, v in enumerate(varied))  # placeholders keep the positions
    return apply(stack, axes)


def _spins_for(spins: Any, stack: Stack, varied: tuple[_Varied, ...], region: tuple[slice, ...],
               keep_current: bool = False, rebuild: bool = False, spread: bool = False) -> Any:
    """``spins`` on ``stack`` with the macrospin paths' values of ``region`` along their dimensions.

    ``rebuild``: the macrospins are read again from ``stack`` (Macrospins.from_stack), so that a stack path
    naming a dynamics key of the file (an easy axis, demagnetizing factors, a coupling) reaches them.
    ``spread``: the batch is laid out over the whole region (the temperature broadcast to it), one member per
    point even along a dimension no parameter follows (the realizations: each draws its own noise)."""
    from .model.dynamics import scaled_currents

    if rebuild and stack is not spins.stack:
        spins = type(spins).from_stack(stack)
    ndim = len(varied)
    changes: dict[str, Any] = {}
    scale = None
    for position, v in enumerate(varied):
        column = v.values[region[position]].reshape(tuple(-1 if i == position else 1 for i in range(ndim)))
        if v.target == "scale" and not keep_current:
            scale = column
        elif v.target == "current" and not keep_current:
            changes["current"] = column
        elif v.target == "field":
            old = np.asarray(changes.get("field", spins.field), dtype=float)
            field = np.array(np.broadcast_to(old, np.broadcast_shapes(old.shape[:-1], column.shape) + (3,)))
            field[..., v.index] = column
            changes["field"] = field
        elif v.target == "scalar":
            changes[v.name] = column
        elif v.target == "layer":
            old = np.asarray(changes.get(v.name, getattr(spins, v.name)), dtype=float)
            changes[v.name] = np.where(np.array(v.mask), column[..., None], old)
    drive = spins.current if spins.waveform is None else [tuple(point) for point in zip(*spins.waveform)]
    if scale is not None:
        # the waveform as written (a stack's own before its file's waveform_scale, or the macrospins' own) times
        # the values: the product Macrospins.from_stack forms, so a varied scale s equals a file's waveform_scale = s
        times, written = stack.dynamics.waveform if rebuild else spins.waveform
        drive = list(zip(times, scaled_currents(written, scale)))
    if spread:
        block = tuple(v.values[region[position]].size for position, v in enumerate(varied))
        old = np.asarray(changes.get("temperature", spins.temperature), dtype=float)
        changes["temperature"] = np.array(np.broadcast_to(old, np.broadcast_shapes(old.shape, block)))
    return dataclasses.replace(spins, stack=stack, **{"current": drive, **changes})


# ------------------------------------------------------------------ critical currents
def _macrospins(stack: Any) -> tuple[Stack, Any]:
    """(the stack, its Macrospins): from a Macrospins, or from the stack's own keys (Macrospins.from_stack)."""
    from .macrospin.spec import Macrospins

    if isinstance(stack, Macrospins):
        return stack.stack, stack
    if not isinstance(stack, Stack):
        raise SpinstackError(f"dynamics takes a spinstack.Stack (or a macrospin.Macrospins), got "
                             f"{type(stack).__name__}")
    build = getattr(Macrospins, "from_stack", None)
    if build is None:
        raise SpinstackError("this build cannot read free layers from a stack: give a macrospin.Macrospins")
    return stack, build(stack)


def critical_currents(stack: Any, reference: Any = None) -> dict[int, dict[str, float | None]]:
    """Critical current densities of every free layer's collinear states, by linear stability (MODEL.md 9d).

    Parameters
    ----------
    stack
        An SI :class:`~spinstack.Stack` with free layers (STACK_FORMAT.md "Dynamics"), or a
        :class:`~spinstack.macrospin.Macrospins` (one configuration).
    reference
        m_ref, a non-zero 3-vector; default the first fixed F in stack order (an F lead on the left, the fixed
        F layers, an F lead on the right: :func:`spinstack.macrospin.reference_direction`).

    Returns
    -------
    dict
        ``{layer_index: {"P": J_c, "AP": J_c}}`` in A/m^2 (positive along +x): the current nearest 0 where the
        state m = +m_ref (P) or -m_ref (AP) changes stability; ``None`` where the state is not an equilibrium
        or no current changes its stability.  No simulation.

    Raises
    ------
    SpinstackError
        A reduced or batched stack, no free layer, no fixed F (every F layer free, no F lead) without
        ``reference``, open or insulator ends.
    """
    from .macrospin.stability import critical_currents as linear_stability

    stack, spins = _macrospins(stack)
    if spins.batch_shape != ():
        raise SpinstackError(f"critical_currents takes one configuration; these macrospins are an ensemble of shape "
                             f"{spins.batch_shape} (spinstack.macrospin.critical_currents takes ensembles)")
    found = linear_stability(stack, spins, reference=reference)
    return {int(layer): {state: None if value is None else float(value) for state, value in states.items()}
            for layer, states in found.items()}


def _critical_grid(stack: Stack, spins: Any, varied: tuple[_Varied, ...], shape: tuple[int, ...],
                   rebuild: bool = False, reference: np.ndarray | None = None) -> tuple[np.ndarray, str | None]:
    """critical_current over (*vary, layer, configuration), A/m^2, NaN where none; and why all are NaN, if so.

    The stack paths are taken one configuration at a time (the torque's slope is one per stack); the
    macrospin paths as one ensemble; the current does not enter a critical current (broadcast along it).
    """
    from .macrospin.stability import critical_currents as linear_stability

    count = len(spins.free)
    grid = np.full(shape + (count, 2), np.nan)
    stack_dims = [position for position, v in enumerate(varied) if v.target == "stack"]
    every = tuple(slice(None) for _ in shape)
    try:
        for index in np.ndindex(*(shape[p] for p in stack_dims)):
            region = list(every)
            for position, i in zip(stack_dims, index):
                region[position] = slice(i, i + 1)
            region = tuple(region)
            single = _stack_for(stack, varied, region, single=True)
            found = linear_stability(single, _spins_for(spins, single, varied, region, keep_current=True,
                                                        rebuild=rebuild), reference=reference)
            target = grid[region]
            for k, layer in enumerate(spins.free):
                for c, state in enumerate(("P", "AP")):
                    value = found[layer][state]
                    value = np.asarray(np.nan if value is None else value, dtype=float)
                    target[..., k, c] = np.broadcast_to(value, target.shape[:-2])
    except SpinstackError as error:  # a stack without linear-stability thresholds (open ends, no fixed layer)
        grid[...] = np.nan
        return grid, str(error)
    return grid, None


# ------------------------------------------------------------------ the run
def _setting(stack: Stack, name: str) -> Any:
    """A value of the stack file's ``[dynamics]`` table (``stack.dynamics``), or None."""
    table = getattr(stack, "dynamics", None)
    return None if table is None else getattr(table, name, None)


def _reference(spins: Any, initial: np.ndarray | None, shape: tuple[int, ...], given: np.ndarray | None = None
               ) -> np.ndarray:
    """m_ref of every member (*shape, 3): ``given``, else the first fixed F's magnetization (an F lead counts,
    MODEL.md 9d), or, when there is no fixed F, the first free layer's starting direction."""
    from .macrospin.states import reference_direction

    try:
        reference = reference_direction(spins) if given is None else given
    except SpinstackError:
        start = spins.initial if initial is None else initial
        reference = np.asarray(start, dtype=float)[..., 0, :]
    reference = reference / np.linalg.norm(reference, axis=-1, keepdims=True)
    return np.array(np.broadcast_to(reference, shape + (3,)))


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
            math.isfinite(value) and value > 0):
        raise SpinstackError(f"{name}: must be a finite number > 0 (s), got {value!r}"[:300])
    return float(value)


def _memory_total() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _format_bytes(count: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{int(count)} B"


def _file_bytes_per_member(times: int, count: int) -> int:
    """Bytes one member takes in the file, uncompressed: m, J and R at every saved time, and its summary (state,
    frequency, switching time, two critical currents per free layer; its reference direction)."""
    return times * (3 * count + 2) * 8 + count * (_STATE_BYTES + 4 * 8) + 3 * 8


def _check_disk(target: Path, size: float) -> None:
    """Refuse, before any work, a file of ``size`` bytes larger than the free space where ``target`` goes."""
    folder = target.resolve().parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:  # no answer (a file system without statistics): the writer's own error will tell
        return
    if size > free:
        raise SpinstackError(f"{target}: the run's file would take about {_format_bytes(size)} (uncompressed), more "
                             f"than the {_format_bytes(free)} free on the file system of {folder}: save fewer points "
                             "(save_every), vary fewer values or write elsewhere")


def dynamics(stack: Any, *, duration: float | None = None, save_every: float | None = None,
             vary: Mapping[str, Any] | None = None, out: str | os.PathLike | None = None, chunk: int | None = None,
             progress: bool | Callable[[float], None] | None = None, rtol: float | None = None,
             atol: float | None = None, initial: Any = None, dask: bool = False,
             source: str | os.PathLike | None = None, reference: Any = None, realizations: int | None = None,
             dt: float | None = None) -> Any:
    """Integrate the LLGS equation of the free layers with the exact torque at every step (MODEL.md 9).

    Parameters
    ----------
    stack
        An SI :class:`~spinstack.Stack` with free layers and their constants (STACK_FORMAT.md "Dynamics"), or
        a :class:`~spinstack.macrospin.Macrospins` (one configuration; its own stack is solved).
    duration, save_every
        s, > 0: the run and the interval of its saved points; default the file's ``[dynamics]`` keys
        (``save_every``: ``duration`` / :data:`DEFAULT_SAMPLES` when the file has none).  ``save_every`` must be
        at most ``duration`` (as in a file), wherever each comes from.
    vary
        ``{path: 1-D values}``: each an extra dimension named by the path, integrated as one batch (module
        docstring for the paths and units).
    out
        Stream the result into this file (``.nc`` NetCDF-4 or ``.zarr``) block by block; the returned
        dataset is read lazily from it.  Only a spinstack dynamics file there is replaced.
    chunk
        Members integrated at once (default: blocks of about :data:`BLOCK_BYTES` of saved outputs).
    progress
        ``None``: a bar on stderr when it is a terminal and the run lasts more than about a second; ``True``:
        always; ``False``: never; a callable: called with the fraction done (0 to 1) instead of a bar.
    rtol, atol
        Local error tolerances of the integrator on m (default those of :func:`spinstack.macrospin.simulate`).
    initial
        Starting m of the free layers, (n_free, 3) or (*vary shape, n_free, 3) (with ``realizations`` also
        (*vary shape, N, n_free, 3)); default the stack's own.
    dask
        Integrate the blocks as Dask tasks (module docstring).
    source
        The stack file the stack came from: its path and text go into the attributes.
    reference
        m_ref of the states P and AP (a non-zero 3-vector, normalised here) for ``state``, ``switching_time``
        and ``critical_current``; default the first fixed F in stack order (an F lead on the left, the fixed F
        layers, an F lead on the right: :func:`spinstack.macrospin.reference_direction`).  Without a fixed F
        and without ``reference`` the critical currents are NaN (the attribute ``critical_current_note`` says
        why) and the states refer to the first free layer's starting direction.
    realizations
        N >= 1 independent realizations of the thermal noise of every configuration (a thermal run only:
        some temperature > 0): one more dimension ``realization`` (0 .. N-1), the last (fastest) of every
        variable over the varied dimensions (``m``, ``current``, ``resistance_area``, ``state``,
        ``frequency``, ``switching_time``, and ``critical_current`` and ``reference``, the same for every
        realization); attribute ``realizations``.  What holds: realization r of every configuration draws the
        normals of ``SeedSequence(seed, spawn_key=(r,))`` (:func:`spinstack.macrospin.thermal.simulate_thermal`,
        common random numbers across the configurations); so the realizations of one configuration are
        independent, a member's numbers do not depend on ``chunk``, ``dask`` or N (realization r alone, N = r + 1,
        equals realization r of any larger N to the last bit), and realization r of a configuration is the same
        whatever else is varied, to the last bit, whenever the run's fixed step ``dt`` is the same (give
        ``dt``: the default depends on every configuration).  Estimates at different configurations are
        correlated through the shared noise (each is unbiased; use another seed for independent ones).
    dt
        s, the fixed step of a thermal run (stochastic Heun), one for every member and block; default the
        smallest :func:`spinstack.macrospin.thermal.default_step` over the ensemble.  Refused at 0 K.

    Returns
    -------
    xarray.Dataset
        The schema of the module docstring (:data:`SCHEMA`).  ``frequency`` is the precession frequency (NaN
        unless ``state`` is ``"precession"``).  A thermal run (``temperature`` > 0, MODEL.md 9b: stochastic Heun
        at a fixed step) is called P / AP when the time-averaged direction of m over the last tenth of the run
        lies within 1 degree of +-m_ref (its m fluctuates about it by more); its attributes then hold
        ``temperature`` (K, the largest over the members), ``seed`` (an integer) and ``dt`` (the fixed step, s;
        one for the whole run), and no ``rtol``, ``atol`` or ``accepted_steps`` (they belong to the adaptive
        integrator of a run at 0 K): every block of a run with any temperature > 0 is integrated by stochastic
        Heun at that step (members at 0 K without noise), each member's noise keyed by its flat index in the
        ensemble (C order), or by its realization index with ``realizations``.

    Raises
    ------
    StackError
        An unknown varied path or a value the model refuses, named by its path, before any work.
    SpinstackError
        Other bad input (duration <= 0, save_every > duration, a reduced stack, a result too large for memory
        without ``out``, a target that is not a spinstack dynamics file), before any work.
    KeyboardInterrupt
        On Ctrl-C between blocks; the unfinished file is removed first.
    """
    from .macrospin.equation import check_saved_points
    from .macrospin.integrate import DEFAULT_ATOL, DEFAULT_RTOL

    rebuild = isinstance(stack, Stack)  # the macrospins are the stack's own: read again from a varied stack
    stack, spins = _macrospins(stack)
    if spins.stack is not stack:
        spins = spins.with_stack(stack)
    if spins.batch_shape != ():
        raise SpinstackError(f"dynamics takes one configuration and varies it with vary={{path: values}}; these "
                             f"macrospins are already an ensemble of shape {spins.batch_shape}")
    if duration is None:
        duration = _setting(stack, "duration")
        if duration is None:
            raise SpinstackError("duration: not given, and the stack has no [dynamics] duration")
    duration = _positive(duration, "duration")
    given = save_every if save_every is not None else _setting(stack, "save_every")
    save_every = _positive(given, "save_every") if given is not None else duration / DEFAULT_SAMPLES
    if save_every > duration:  # the file's rule (model.dynamics), for any mix of call, command line and file
        raise SpinstackError(f"save_every: must be at most the duration ({duration!r} s), got {save_every!r} s")
    rtol = _positive(DEFAULT_RTOL if rtol is None else rtol, "rtol")
    atol = _positive(DEFAULT_ATOL if atol is None else atol, "atol")
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1):
        raise SpinstackError(f"chunk: must be a whole number >= 1 (members integrated at once), got {chunk!r}")
    if reference is not None:
        given = np.asarray(reference, dtype=float) if np.ndim(reference) == 1 else np.zeros(0)
        if given.shape != (3,) or not np.isfinite(given).all() or not np.linalg.norm(given) > 0:
            raise SpinstackError(f"reference: must be a non-zero 3-vector (m_ref), got {reference!r}"[:300])
        reference = given / np.linalg.norm(given)
    if realizations is not None and (isinstance(realizations, bool) or not isinstance(
            realizations, (int, np.integer)) or realizations < 1):
        raise SpinstackError(f"realizations: must be a whole number >= 1 (independent realizations of the thermal "
                             f"noise), got {realizations!r}"[:300])
    if dt is not None:
        dt = _positive(dt, "dt")
    parameters = _parse_vary(spins, stack, vary)
    # the realizations: one more dimension, the last, along which only the thermal noise changes
    varied = parameters + ((_Varied("realization", np.arange(int(realizations)), "realization"),)
                           if realizations is not None else ())
    shape = tuple(v.values.size for v in varied)
    members = math.prod(shape)
    count = len(spins.free)
    # bad values fail here, named by their paths, before any work: the whole ensemble built once
    everything = tuple(slice(None) for _ in shape)
    full_stack = _stack_for(stack, varied, everything, single=False)
    start = _initial(initial, spins, shape, realizations is not None)
    try:
        full = _spins_for(spins, full_stack, varied, everything, rebuild=rebuild)
    except StackError as error:  # a macrospin's refusal names its own field: name the varied path instead
        names = {(v.name if v.target in ("layer", "scalar") else v.target): v for v in varied
                 if v.target != "stack"}
        if error.path in names:
            v = names[error.path]
            reason = error.reason
            if ", got array(" in reason:  # the whole ensemble's array: say the varied values' span instead
                reason = (reason.partition(", got array(")[0] + f", got values from {float(v.values.min()):g} to "
                          f"{float(v.values.max()):g}")
            raise StackError(v.path, reason) from None
        raise
    heat = np.asarray(getattr(full, "temperature", 0.0), dtype=float)
    thermal = bool(np.any(heat > 0))
    if not thermal and realizations is not None:
        raise SpinstackError("realizations: the run is at 0 K (no temperature > 0): it is deterministic, every "
                             "realization would be the same; give [dynamics] temperature (and area)")
    if not thermal and dt is not None:
        raise SpinstackError("dt: the fixed step of a thermal run; this run is at 0 K (no temperature > 0): its "
                             "steps are adaptive (rtol, atol)")
    if thermal and dt is None:  # ONE step for every block: a member's numbers never depend on the blocks
        from .macrospin.thermal import default_step

        dt = default_step(full)
    references = _reference(full, start, shape, reference)
    _check_steps(full, duration, rtol)
    # the saved points per member, refused above MAX_SAVED_POINTS before any array of them is built
    times = check_saved_points(duration, save_every, count, members)
    per_member = times * (3 * count + 2) * 8  # bytes of m, J and R over time
    kind = _file_format(out) if out is not None else None
    if out is not None:
        _check_target(Path(out))
    total = _memory_total()
    if kind is None and not dask and total is not None and members * per_member > _MEMORY_SHARE * total:
        raise SpinstackError(f"the run's trajectories need {_format_bytes(members * per_member)} ({members} "
                             f"member{'s' * (members != 1)} x "
                             f"{times} saved points x {(3 * count + 2) * 8} bytes), more than this machine's memory "
                             f"({_format_bytes(total)}) allows: stream them to a file (out= in Python, --out on the "
                             "command line; .nc or .zarr), save fewer points (save_every) or vary fewer values")
    chunk = int(chunk) if chunk is not None else max(1, BLOCK_BYTES // per_member)
    chunk = min(chunk, members)
    if total is not None and chunk * per_member > _MEMORY_SHARE * total:
        raise SpinstackError(f"a block of {chunk} member{'s' * (chunk != 1)} x {times} saved points needs "
                             f"{_format_bytes(chunk * per_member)} in memory, more than this machine's memory "
                             f"({_format_bytes(total)}) allows: save fewer points (save_every)"
                             + (" or integrate fewer members at once (chunk)" if chunk > 1 else ""))
    if out is not None:
        _check_disk(Path(out), members * _file_bytes_per_member(times, count))
    grid, note = _critical_grid(stack, spins, parameters, shape[:len(parameters)], rebuild, reference)
    if realizations is not None:  # linear stability: the same for every realization
        grid = np.array(np.broadcast_to(grid[..., None, :, :], shape + grid.shape[-2:]))
    job = _Job(stack, spins, varied, float(duration), float(save_every), rtol, atol, start, rebuild, reference,
               dt if thermal else None, int(realizations or 0))
    skeleton = _skeleton(job, grid, note, references, source, heat)
    plan = _plan(varied, chunk)
    if dask and out is None:
        return _lazy(job, plan, skeleton)
    return _run(job, plan, skeleton, out, kind, progress, dask)


def _check_steps(spins: Any, duration: float, rtol: float) -> None:
    """Refuse, before any work, a run whose step count per member would be absurd (simulate refuses it too, but
    only when its first block starts)."""
    from .macrospin.integrate import DEFAULT_MAX_STEPS, estimated_steps

    if np.any(np.asarray(getattr(spins, "temperature", 0.0)) > 0):  # the thermal integrator's own fixed steps
        return
    estimate = estimated_steps(spins, duration, rtol)
    if estimate > DEFAULT_MAX_STEPS:
        raise SpinstackError(f"duration: {duration:g} s needs about {estimate:.3g} integration steps per member at "
                             f"rtol {rtol:g} (the fastest precession over the run), more than {DEFAULT_MAX_STEPS:.3g}: "
                             "shorten the run or loosen rtol")


def _initial(initial: Any, spins: Any, shape: tuple[int, ...], realizations: bool = False) -> np.ndarray | None:
    if initial is None:
        return None
    count = len(spins.free)
    m = np.asarray(initial, dtype=float)
    try:
        if realizations and m.ndim != len(shape) + 2:  # one start per configuration, for all its realizations
            m = np.broadcast_to(m, shape[:-1] + (count, 3))[..., None, :, :]
        m = np.broadcast_to(m, shape + (count, 3))
    except ValueError:
        each = (f"one per configuration {shape[:-1] + (count, 3)} or per member {shape + (count, 3)}" if realizations
                else f"one per member {shape + (count, 3)}")
        raise SpinstackError(f"initial: must be (n_free, 3) = ({count}, 3) or {each}, "
                             f"got shape {np.shape(initial)}") from None
    if not np.isfinite(m).all() or np.any(np.linalg.norm(m, axis=-1) == 0):
        raise SpinstackError("initial: must be finite non-zero vectors")
    return m


@dataclass(frozen=True, eq=False)
class _Job:
    """Everything a block needs (picklable: Dask workers receive it)."""

    stack: Stack
    spins: Any
    varied: tuple[_Varied, ...]
    duration: float
    save_every: float
    rtol: float
    atol: float
    initial: np.ndarray | None

    rebuild: bool = False  # the macrospins came from the stack's own keys: rebuilt from each block's stack
    reference: np.ndarray | None = None  # m_ref given by the caller (unit 3-vector), else the first fixed F's
    dt: float | None = None  # a thermal run's fixed step, s (every block at it); None: adaptive steps (0 K)
    realizations: int = 0  # N realizations of the thermal noise (the last dimension), or 0

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(v.path for v in self.varied)

    @property
    def over_time(self) -> tuple[str, ...]:
        """The variables saved over time: a varied current is the coordinate of its dimension (constant in time,
        the coordinate and the variable would share the name ``current``), so it is not stored twice."""
        varied = any(v.target == "current" for v in self.varied)
        return tuple(name for name in _OVER_TIME if not (varied and name == "current"))


def _plan(varied: tuple[_Varied, ...], chunk: int) -> Any:
    """The blocks: the sweep's plan over the varied values (hyperslabs of at most ``chunk`` members)."""
    from ._sweep.plan import Axis, Plan

    if not varied:
        return None
    return Plan(tuple(Axis(v.path, (v.path,), (v.values,)) for v in varied), chunk)


def _regions(plan: Any) -> list[tuple[tuple[int, ...], tuple[slice, ...]]]:
    return [((), ())] if plan is None else list(plan.regions())


def _simulate_block(job: _Job, region: tuple[slice, ...], report: Callable[[float], None] | None = None
                    ) -> dict[str, np.ndarray]:
    """Integrate the members of ``region``: m, current, resistance_area (time first), state, frequency,
    switching_time (members, layer)."""
    from .macrospin.states import final_states

    stack = _stack_for(job.stack, job.varied, region, single=False)
    thermal = job.dt is not None
    spins = _spins_for(job.spins, stack, job.varied, region, rebuild=job.rebuild, spread=thermal)
    options: dict[str, Any] = {"rtol": job.rtol, "atol": job.atol}
    if thermal:  # stochastic Heun at the run's one step, every member's noise keyed by its place in the whole
        options = {"dt": job.dt, "members": _noise_keys(job, region), "shared_keys": job.realizations > 0}
    if job.initial is not None:
        options["initial"] = job.initial[region]
    if report is not None and _takes_progress():
        options["progress"] = report
    run = simulate(stack, spins, job.duration, job.save_every, **options)
    block = tuple(s.stop - s.start for s in region)
    out = {name: np.broadcast_to(run[name].values, (run.sizes["time"],) + block + run[name].shape[1 + len(block):])
           for name in _OVER_TIME}
    shape = block + (len(spins.free),)
    if run.sizes["time"] < _SUMMARY_POINTS:  # too few saved points to tell a state: none
        out.update(state=np.full(shape, "undetermined"), frequency=np.full(shape, np.nan),
                   switching_time=np.full(shape, np.nan))
    else:
        summary = final_states(run, _reference(spins, None if job.initial is None else job.initial[region], block,
                                               job.reference))
        out.update({name: np.broadcast_to(summary[name].values, shape) for name in _SUMMARY})
    out["accepted_steps"] = np.asarray(run.attrs.get("accepted_steps", 0))
    # a thermal block (stochastic Heun at a fixed step, no error control): its nominal step dt, s; NaN if adaptive
    out["dt"] = np.asarray(float(run.attrs["dt"]) if "dt" in run.attrs else math.nan)
    return out


def simulate(*args: Any, **kwargs: Any) -> Any:
    """:func:`spinstack.macrospin.simulate`, or with ``members=`` (a thermal run's noise keys)
    :func:`spinstack.macrospin.thermal.simulate_thermal` whatever the block's temperatures (one name here, so
    tests can watch the calls)."""
    if "members" in kwargs:
        from .macrospin.thermal import simulate_thermal

        return simulate_thermal(*args, **kwargs)
    from .macrospin.integrate import simulate as integrate

    return integrate(*args, **kwargs)


def _noise_keys(job: _Job, region: tuple[slice, ...]) -> np.ndarray:
    """The thermal noise's key of every member of ``region`` (``SeedSequence(seed, spawn_key=(key,))``): its
    realization index with realizations (realization r of every configuration draws the same noise), else its
    flat index in the whole ensemble (C order).  Never the block's own numbering: a member's noise, and so its
    numbers, do not depend on the blocks."""
    block = tuple(s.stop - s.start for s in region)
    if job.realizations:
        return np.array(np.broadcast_to(np.arange(region[-1].start, region[-1].stop), block))
    shape = tuple(v.values.size for v in job.varied)
    if not shape:
        return np.zeros((), dtype=np.int64)
    grid = np.indices(block) + np.array([s.start for s in region]).reshape((-1,) + (1,) * len(block))
    return np.ravel_multi_index(tuple(grid), shape)


def _takes_progress() -> bool:
    import inspect

    from .macrospin.integrate import simulate as integrate

    return "progress" in inspect.signature(integrate).parameters


# ------------------------------------------------------------------ the dataset's skeleton
def _skeleton(job: _Job, grid: np.ndarray, note: str | None, reference: np.ndarray, source: Any,
              heat: np.ndarray) -> Any:
    """Coordinates, attributes, the critical currents and the reference directions (known before any
    integration); ``heat``: the members' temperatures, K (any shape)."""
    import json
    from importlib.metadata import version

    import xarray as xr

    from ._sweep.layout import describe

    stack, spins = job.stack, job.spins
    saves = np.arange(0.0, job.duration * (1 + 1e-12), job.save_every)  # the times simulate saves
    if job.duration - saves[-1] > 1e-9 * job.save_every:
        saves = np.append(saves, job.duration)
    coords: dict[str, Any] = {"time": ("time", saves, {"units": "s", "long_name": "time"})}
    for v in job.varied:
        coords[v.path] = (v.path, v.values, {"units": v.units, "long_name": v.long_name(stack),
                                             **({"path": v.path} if v.target != "realization" else {})})
    coords["layer"] = ("layer", np.array(spins.free, dtype=np.int64),
                       {"units": "1", "long_name": "stack index of the free layer"})
    coords["component"] = ("component", np.array(["x", "y", "z"], dtype=object),
                           {"units": "1", "long_name": "vector component (x along the stack axis)"})
    coords["configuration"] = ("configuration", np.array(["P", "AP"], dtype=object),
                               {"units": "1", "long_name": "collinear state: m = +m_ref (P) or -m_ref (AP)"})
    origin, layer = _reference_origin(spins, job.reference)
    flat = reference.reshape(-1, 3)
    same = bool(np.all(flat == flat[0]))
    thermal_only = job.dt is not None  # every block stochastic Heun (any member > 0 K): no rtol / atol
    attrs: dict[str, Any] = {
        "title": "spinstack dynamics",
        "spinstack_kind": "dynamics",
        "spinstack_version": version("spinstack"),
        "equation": "MODEL.md 9a: LLGS with the exact torque of the transport solution at every evaluation",
        "units_system": stack.units,
        "vary": json.dumps([v.path for v in job.varied if v.target != "realization"]),  # the varied parameters
        "members": int(math.prod(grid.shape[:-2])),
        "duration": job.duration, "save_every": job.save_every,
        **({} if thermal_only else {"rtol": job.rtol, "atol": job.atol}),  # the adaptive integrator's tolerances
        "temperature": float(np.max(heat)) if heat.size else 0.0,
        # m_ref: the first fixed F layer's magnetization (per member in the variable `reference` when it varies)
        "reference_direction": json.dumps([float(v) for v in flat[0]]) if same else "per member: see reference",
        "reference_layer": layer,  # -1: not a layer (a lead, given, or no fixed F): see reference_origin
        "reference_origin": origin,
        "stack": json.dumps(describe(stack)),
        "macrospins": json.dumps(_describe_spins(spins)),
    }
    toml = _stack_toml(stack)
    if toml is not None:  # the whole stack as a stack file, dynamics keys included (the JSON above lacks them)
        attrs["stack_toml"] = toml
    if np.any(heat > 0):  # the thermal noise's seed (an integer: SeedSequence entropy)
        attrs["seed"] = int(spins.seed)
    if job.realizations:  # the dimension `realization`, after the varied ones (not in `vary`: no parameter)
        attrs["realizations"] = job.realizations
    if note is not None:
        attrs["critical_current_note"] = note
    if source is not None:
        attrs["source"] = str(source)
        try:
            attrs["source_text"] = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    data = {"critical_current": (_dims(job, "critical_current"), grid, _attrs("critical_current")),
            "reference": (_dims(job, "reference"), reference, _attrs("reference"))}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _stack_toml(stack: Stack) -> str | None:
    """The run's stack as a stack file (:func:`spinstack.io.dumps_stack`, read back by ``load_stack``), or None for
    a stack one file cannot hold (batched, or a material name TOML cannot spell)."""
    from .io.stackwriter import dumps_stack

    if stack.batch_shape != ():
        return None
    try:
        return dumps_stack(stack)
    except SpinstackError:
        return None


def _reference_origin(spins: Any, given: np.ndarray | None) -> tuple[str, int]:
    """Where m_ref comes from, for the attributes (as :func:`spinstack.macrospin.reference_direction` picks it):
    a text and the stack index of the fixed F layer (-1 when it is not a layer)."""
    from .model.layers import Lead

    if given is not None:
        return "given (reference=)", -1
    stack, free = spins.stack, set(spins.free)

    def lead(end: Any, touching: int) -> bool:  # a fixed F lead: one not touching a free layer
        return isinstance(end, Lead) and end.magnetization is not None and touching not in free

    fixed = [i for i in spins.ferromagnets if i not in free]
    if lead(stack.left, 0):
        return "the left F lead", -1
    if fixed:
        return f"the fixed F layer {fixed[0]}", int(fixed[0])
    if lead(stack.right, len(stack.layers) - 1):
        return "the right F lead", -1
    return "no fixed F: the first free layer's starting m", -1


def _describe_spins(spins: Any) -> dict[str, Any]:
    """The macrospins' parameters as plain JSON types, SI (what moved and how, whether from the file or by hand)."""
    def plain(value: Any) -> Any:
        array = np.asarray(value, dtype=float)
        return array.tolist() if array.ndim else float(array)

    found: dict[str, Any] = {"free": [int(i) for i in spins.free]}
    for name, unit in (("Ms", "A/m"), ("alpha", "1"), ("gamma", "rad/(s T)"), ("K_u", "J/m^3"), ("easy_axis", "1"),
                       ("demag", "1"), ("field", "T")):
        found[name] = {"value": plain(getattr(spins, name)), "unit": unit}
    if spins.waveform is None:
        found["current"] = {"value": plain(spins.current), "unit": "A/m^2"}
    else:
        found["waveform"] = {"time": plain(spins.waveform[0]), "current": plain(spins.waveform[1]), "unit": "s, A/m^2"}
    found["couplings"] = [{"layers": [c.a, c.b], "J": plain(c.J_ex), "unit": "J/m^2"} for c in spins.couplings]
    for name, unit in (("temperature", "K"), ("area", "m^2"), ("seed", "")):
        value = getattr(spins, name, None)
        if value is not None:
            # the seed is an integer (SeedSequence entropy), no quantity: no unit
            found[name] = int(value) if name == "seed" else {"value": plain(value), "unit": unit}
    return found


def _dims(job: _Job, name: str) -> tuple[str, ...]:
    dims: list[str] = []
    for dim in SCHEMA[name][0]:
        dims.extend(job.dims if dim == "*vary" else (dim,))
    return tuple(dims)


def _attrs(name: str) -> dict[str, str]:
    return {"units": SCHEMA[name][1], "long_name": SCHEMA[name][2]}


def _full_region(name: str, region: tuple[slice, ...]) -> tuple[slice, ...]:
    """A block's region in a variable: every time of the variables saved over time."""
    return ((slice(None),) + region) if name in _OVER_TIME else region


# ------------------------------------------------------------------ running the blocks
class _Progress:
    """The fraction done over all blocks, to a callable or a tqdm bar on stderr."""

    def __init__(self, members: int, progress: Any) -> None:
        self.members, self.done, self.callback, self.bar = members, 0, None, None
        if callable(progress) and not isinstance(progress, bool):
            self.callback = progress
        elif progress is not False:
            from ._sweep.progress import DELAY, _is_terminal

            if progress is True or _is_terminal():
                try:
                    from tqdm import tqdm
                except ImportError:
                    if progress is True:
                        raise
                else:
                    import sys

                    self.bar = tqdm(total=100, unit="%", desc="dynamics", file=sys.stderr, dynamic_ncols=True,
                                    delay=DELAY if progress is None else 0.0, leave=progress is True,
                                    bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} % [{elapsed}<{remaining}]")
        self.shown = 0.0

    def within(self, size: int) -> Callable[[float], None]:
        """A callable for one block of ``size`` members: its own fraction -> the whole run's."""
        def report(fraction: float) -> None:
            self.show((self.done + min(max(float(fraction), 0.0), 1.0) * size) / self.members)
        return report

    def block_done(self, size: int) -> None:
        self.done += size
        self.show(self.done / self.members)

    def show(self, fraction: float) -> None:
        if self.callback is not None:
            self.callback(fraction)
        if self.bar is not None and 100 * fraction > self.shown:
            self.bar.update(100 * fraction - self.shown)
            self.shown = 100 * fraction

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run(job: _Job, plan: Any, skeleton: Any, out: Any, kind: str | None, progress: Any, dask: bool) -> Any:
    from ._sweep import atomic

    count = len(job.spins.free)
    shape = tuple(v.values.size for v in job.varied)
    times = skeleton.sizes["time"]
    shapes = {"m": (times,) + shape + (count, 3), "current": (times,) + shape, "resistance_area": (times,) + shape}
    shapes = {name: shapes[name] for name in job.over_time}
    summary = {"state": np.empty(shape + (count,), dtype=object), "frequency": np.empty(shape + (count,)),
               "switching_time": np.empty(shape + (count,))}
    regions = _regions(plan)
    bar = _Progress(max(1, math.prod(shape)), progress)
    attrs: dict[str, Any] = {}

    def open_sink() -> Any:
        if kind is None:
            return _MemorySink(shapes)
        return (_NetCDFSink if kind == "netcdf" else _ZarrSink)(Path(out), skeleton, shapes, job, plan)

    def write(sink: Any, check: Callable[[], None]) -> None:
        steps, steps_by_error_control, dts = 0, False, []
        for region, arrays in _blocks(job, regions, bar, dask, check):
            for name in job.over_time:
                sink.write(name, _full_region(name, region), arrays[name])
            for name in _SUMMARY:
                summary[name][region] = arrays[name]
            steps += int(arrays["accepted_steps"])
            if math.isnan(float(arrays["dt"])):
                steps_by_error_control = True
            else:
                dts.append(float(arrays["dt"]))
        # accepted_steps: the adaptive integrator's; dt: the fixed step of stochastic Heun (thermal blocks),
        # the largest over the blocks (each block's own default), dt_min the smallest when they differ
        if steps_by_error_control:
            attrs["accepted_steps"] = steps
        if dts:
            attrs["dt"] = max(dts)
            if min(dts) != max(dts):
                attrs["dt_min"] = min(dts)

    # SIGINT, SIGTERM, SIGHUP stop the run between blocks and remove its file (_sweep/atomic.py)
    result = atomic.write_blocks(open_sink, write, lambda sink: sink.finish(skeleton, summary, attrs), out=out,
                                 what="trajectories", closing=bar.close)
    if kind is None:
        return result
    return open_dynamics(result, chunks={} if dask else None)


def _blocks(job: _Job, regions: list[Any], bar: _Progress, dask: bool, check: Callable[[], None]) -> Any:
    """(region, arrays) of every block, in order: here, or as Dask tasks (a few at a time) when ``dask``."""
    if not dask:
        for _, region in regions:
            size = math.prod(s.stop - s.start for s in region)
            arrays = _simulate_block(job, region, bar.within(size))
            bar.block_done(size)
            yield region, arrays
            check()
        return
    import dask as dask_module

    from ._sweep.runners import active_client

    client = active_client()
    width = max(1, sum(client.nthreads().values())) if client is not None else (os.cpu_count() or 1)
    for first in range(0, len(regions), width):
        wave = [region for _, region in regions[first:first + width]]
        tasks = [dask_module.delayed(_simulate_block, pure=False)(job, region) for region in wave]
        results = client.compute(tasks, sync=True) if client is not None else dask_module.compute(*tasks)
        for region, arrays in zip(wave, results):
            bar.block_done(math.prod(s.stop - s.start for s in region))
            yield region, arrays
        check()


def _lazy(job: _Job, plan: Any, skeleton: Any) -> Any:
    """The run as a Dask-backed dataset: one task integrates a block, nothing runs until it is computed."""
    import dask as dask_module
    import dask.array as da
    import xarray as xr

    count = len(job.spins.free)
    times = skeleton.sizes["time"]
    regions = dict(_regions(plan))
    grid = tuple(len(c) for c in plan.chunks) if plan is not None else ()
    name = f"spinstack-dynamics-{uuid.uuid4().hex}"
    solved = {index: dask_module.delayed(_simulate_block, pure=False)(
        job, region, dask_key_name=f"{name}-{'.'.join(map(str, index))}") for index, region in regions.items()}
    extra = {"m": (count, 3), "current": (), "resistance_area": (), "state": (count,), "frequency": (count,),
             "switching_time": (count,)}

    def piece(variable: str, index: tuple[int, ...]) -> Any:
        block = tuple(s.stop - s.start for s in regions[index])
        shape = ((times,) if variable in _OVER_TIME else ()) + block + extra[variable]
        dtype = object if variable == "state" else float
        part = dask_module.delayed(_pick, pure=False)(solved[index], variable,
                                                     dask_key_name=f"{name}-{variable}-{'.'.join(map(str, index))}")
        return da.from_delayed(part, shape, dtype=dtype)

    def nest(variable: str, prefix: tuple[int, ...]) -> Any:
        if len(prefix) < len(grid):
            return [nest(variable, prefix + (i,)) for i in range(grid[len(prefix)])]
        array = piece(variable, prefix)
        # np.block nesting: the time axis (one block) first, then the varied axes, then the trailing ones
        for _ in extra[variable]:
            array = [array]
        return array

    variables = {}
    for variable in job.over_time + _SUMMARY:
        nested = nest(variable, ())
        if variable in _OVER_TIME:
            nested = [nested]
        variables[variable] = xr.Variable(_dims(job, variable), da.block(nested), _attrs(variable))
    return skeleton.assign(variables)


def _pick(arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    value = arrays[name]
    return value.astype(object) if name == "state" else value


# ------------------------------------------------------------------ sinks
class _MemorySink:
    def __init__(self, shapes: dict[str, tuple[int, ...]]) -> None:
        self.arrays = {name: np.empty(shape) for name, shape in shapes.items()}

    def write(self, name: str, region: tuple[slice, ...], values: np.ndarray) -> None:
        self.arrays[name][region] = values

    def finish(self, skeleton: Any, summary: dict[str, np.ndarray], attrs: dict[str, Any]) -> Any:
        return _complete(skeleton, self.arrays, summary, attrs)

    def abort(self) -> None:
        self.arrays.clear()


def _complete(skeleton: Any, arrays: dict[str, Any], summary: dict[str, np.ndarray], attrs: dict[str, Any]) -> Any:
    import xarray as xr

    dims = {name: _dims_of(skeleton, name) for name in tuple(arrays) + _SUMMARY}
    variables = {name: xr.Variable(dims[name], arrays[name], _attrs(name)) for name in arrays}
    variables.update({name: xr.Variable(dims[name], summary[name].astype(str) if name == "state" else summary[name],
                                        _attrs(name)) for name in _SUMMARY})
    dataset = skeleton.assign(variables)
    dataset.attrs.update(attrs)
    return dataset


def _summary_dataset(skeleton: Any, summary: dict[str, np.ndarray]) -> Any:
    """The end-of-run summary as a dataset to append to a file (states as variable-length strings)."""
    import xarray as xr

    return xr.Dataset({name: (_dims_of(skeleton, name), summary[name].astype(str).astype(object) if name == "state"
                              else summary[name], _attrs(name)) for name in _SUMMARY})


def _dims_of(skeleton: Any, name: str) -> tuple[str, ...]:
    import json

    vary = json.loads(skeleton.attrs["vary"]) + (["realization"] if "realizations" in skeleton.attrs else [])
    dims: list[str] = []
    for dim in SCHEMA[name][0]:
        dims.extend(vary if dim == "*vary" else (dim,))
    return tuple(dims)


def _file_format(path: Any) -> str:
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise SpinstackError(f"{target}: unknown file format {target.suffix!r} (use .nc for NetCDF or .zarr for Zarr)")
    if not target.parent.is_dir():
        raise SpinstackError(f"{target}: the folder {str(target.parent)!r} does not exist")
    return kind


def is_dynamics_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a file :func:`dynamics` wrote (its attribute ``spinstack_kind`` is ``"dynamics"``)."""
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    try:
        if target.is_symlink() or kind is None:
            return False
        if kind == "netcdf":
            import h5py

            if not target.is_file() or not h5py.is_hdf5(target):
                return False
            with h5py.File(target, "r") as file:
                value = file.attrs.get("spinstack_kind")
        else:
            import json

            if not target.is_dir():
                return False
            for name in ("zarr.json", ".zattrs"):
                meta = target / name
                if meta.is_file():
                    data = json.loads(meta.read_text(encoding="utf-8"))
                    value = data.get("attributes", data).get("spinstack_kind")
                    break
            else:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value == "dynamics"


def _check_target(target: Path) -> None:
    """Only a spinstack dynamics file is ever replaced, and a Zarr store only when it holds nothing but what
    spinstack wrote (:func:`spinstack._sweep.atomic.zarr_group`): a note the user put in it would go with it."""
    if not os.path.lexists(target):
        return
    if not is_dynamics_file(target):
        raise SpinstackError(f"{target}: exists and is not a spinstack dynamics file; spinstack replaces only files "
                             "it wrote: remove it or choose another name")
    if target.is_dir():
        stray = zarr_group(target)[1]
        if stray is not None:
            raise SpinstackError(f"{target}: exists and holds {stray!r}, which spinstack does not write; spinstack "
                                 "replaces only files it wrote: remove it or choose another name")


class _FileSink(Staged):
    """Blocks into a file under a temporary name beside ``target``, renamed when complete
    (:class:`spinstack._sweep.atomic.Staged`: only a spinstack dynamics file is replaced, :func:`_check_target`)."""

    def __init__(self, target: Path, skeleton: Any, shapes: dict[str, tuple[int, ...]], job: _Job, plan: Any) -> None:
        Staged.__init__(self, target, _check_target)
        self.dims = {name: _dims(job, name) for name in shapes}
        block = plan.block_shape if plan is not None else ()
        self.chunks = {name: _chunks(shape, len(block) and block) for name, shape in shapes.items()}
        self.shapes = shapes
        try:
            self._create(skeleton)
        except BaseException:
            self.abort()
            raise


def _chunks(shape: tuple[int, ...], block: Any) -> tuple[int, ...]:
    """A file chunk: the block along the varied axes, trimmed to about 1 MiB along time first."""
    chunks = list(shape)
    if block:
        chunks[1:1 + len(block)] = block
    limit = 1 << 17
    while math.prod(chunks) > limit and chunks[0] > 1:
        chunks[0] = max(1, chunks[0] // 2)
    return tuple(chunks)


class _NetCDFSink(_FileSink):
    def _create(self, skeleton: Any) -> None:
        import h5netcdf

        self.file = None
        skeleton.to_netcdf(self.temporary, engine="h5netcdf")
        self.file = h5netcdf.File(self.temporary, "a")
        self.arrays = {}
        for name in self.shapes:
            variable = self.file.create_variable(name, self.dims[name], dtype="f8", fillvalue=np.nan,
                                                 chunks=self.chunks[name])
            variable.attrs.update(_attrs(name))
            self.arrays[name] = variable

    def write(self, name: str, region: tuple[slice, ...], values: np.ndarray) -> None:
        self.arrays[name][region] = values

    def finish(self, skeleton: Any, summary: dict[str, np.ndarray], attrs: dict[str, Any]) -> Path:
        self.file.attrs.update(attrs)
        self.file.close()
        self.file = None
        _summary_dataset(skeleton, summary).to_netcdf(self.temporary, mode="a", engine="h5netcdf")
        return self.move_into_place()

    def abort(self) -> None:
        if getattr(self, "file", None) is not None:
            try:
                self.file.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away
                pass
            self.file = None
        self.discard()


class _ZarrSink(_FileSink):
    def _create(self, skeleton: Any) -> None:
        import warnings

        import zarr

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            skeleton.to_zarr(self.temporary, mode="w", consolidated=False)
        group = zarr.open_group(self.temporary, mode="r+")
        version = getattr(group.metadata, "zarr_format", 2) if hasattr(group, "metadata") else 2
        self.arrays = {}
        for name in self.shapes:
            if version >= 3:
                array = group.create_array(name, shape=self.shapes[name], chunks=self.chunks[name], dtype="float64",
                                           fill_value=np.nan, dimension_names=self.dims[name],
                                           attributes=_attrs(name))
            else:
                array = group.create_array(name, shape=self.shapes[name], chunks=self.chunks[name], dtype="float64",
                                           fill_value=np.nan)
                array.attrs.update({"_ARRAY_DIMENSIONS": list(self.dims[name]), **_attrs(name)})
            self.arrays[name] = array

    def write(self, name: str, region: tuple[slice, ...], values: np.ndarray) -> None:
        self.arrays[name][region] = values

    def finish(self, skeleton: Any, summary: dict[str, np.ndarray], attrs: dict[str, Any]) -> Path:
        import warnings

        import zarr

        # xarray's append writes the group's attributes too: the skeleton's, with the run's own added
        extra = _summary_dataset(skeleton, summary)
        extra.attrs = {**skeleton.attrs, **attrs}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zarr: consolidated metadata is not in the v3 specification yet
            extra.to_zarr(self.temporary, mode="a", consolidated=False)
            zarr.consolidate_metadata(str(self.temporary))
        self.arrays = {}
        return self.move_into_place()

    def abort(self) -> None:
        self.arrays = {}
        self.discard()


def open_dynamics(path: str | os.PathLike, chunks: Any = None) -> Any:
    """Open a file :func:`dynamics` wrote (``.nc`` or ``.zarr``), lazily; close it when done."""
    import xarray as xr

    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None or not target.exists():
        raise SpinstackError(f"{target}: no such dynamics file (.nc or .zarr)")
    try:
        return xr.open_dataset(target, engine="h5netcdf" if kind == "netcdf" else "zarr", chunks=chunks)
    except (OSError, ValueError, KeyError) as error:
        raise SpinstackError(f"{target}: cannot read the trajectories ({error})") from None


# ------------------------------------------------------------------ the command line's values and summary
#: the kind (:data:`spinstack.units.KINDS`) of the values of the dynamics' own paths, by target
_KINDS = {"field": "magnetic_field", "Ms": "magnetization", "alpha": "dimensionless", "gamma": "gyromagnetic_ratio",
          "K_u": "energy_density", "temperature": "temperature", "area": "area", "duration": "time",
          "save_every": "time", "seed": "dimensionless", "waveform_scale": "dimensionless"}


def _own_kind(path: str) -> str | None:
    """The unit kind of a path of the dynamics' own (applied field, macrospin constants, dynamics scalars), or
    None for the stack paths (read by the sweep's parser)."""
    if _FIELD.match(path):
        return _KINDS["field"]
    constant = _LAYER_CONSTANT.match(path) or _MATERIAL_CONSTANT.match(path)
    if constant:
        return _KINDS[constant.group(2)]
    if path.startswith("dynamics.") and path.partition(".")[2] in _KINDS:
        return _KINDS[path.partition(".")[2]]
    return None  # a stack path (dynamics.coupling[k].J among them): the sweep's parser and the path grammar


def parse_range(text: str, stack: Stack) -> tuple[str, np.ndarray]:
    """``"PATH=START:STOP:NUM"`` -> ``(PATH, numpy.linspace(START, STOP, NUM))`` (``spinstack dynamics --vary``).

    The stack paths and ``current`` are read as ``spinstack sweep --vary`` reads them
    (:func:`spinstack.sweeps.parse_range`: quantities with units in an SI stack, ``current=-3e11 A/m^2:3e11
    A/m^2:61``); the dynamics' own paths take their quantities too: ``dynamics.field[2]=0 mT:50 mT:21``,
    ``materials.Py.Ms=600 kA/m:900 kA/m:4``, ``materials.Py.alpha=0.005:0.05:10`` (a plain number only where
    the value has no unit, as in SI files).  The values are in SI base units (T, A/m, J/m^3, K).

    Raises
    ------
    SpinstackError
        Quoting the text and saying what is wrong.
    """
    from .sweeps import parse_range as sweep_range

    path, equals, span = text.rpartition("=")
    path = path.strip()
    kind = _own_kind(path) if equals and path else None
    if kind is None:
        return sweep_range(text, stack)
    from ._sweep.quantities import is_number
    from .units import KINDS, to_si

    parts = span.split(":")
    problem = None
    if len(parts) != 3:
        problem = "expected START:STOP:NUM after '='"
    else:
        example = KINDS[kind].example
        try:
            bounds = []
            for part in parts[:2]:
                if not is_number(part):
                    bounds.append(float(to_si(part.strip(), kind, path)))
                elif kind == "dimensionless" or float(part) == 0:  # 0 is 0 in every unit
                    bounds.append(float(part))
                else:
                    raise StackError(path, f"a bare number has no unit ({KINDS[kind].what}): write it with one, e.g. "
                                           f"{example}")
            if not all(math.isfinite(bound) for bound in bounds):
                raise StackError(path, "must be finite")
        except StackError as error:
            problem = f"START and STOP: {error.reason}"
    if problem is None:
        try:
            count = int(float(parts[2])) if float(parts[2]).is_integer() else None
        except ValueError:
            count = None
        if count is None:
            problem = "NUM must be a whole number"
        elif count < 1:
            problem = "NUM must be at least 1"
    if problem is not None:
        raise SpinstackError(f"--vary {text!r}: {problem}")
    return path, np.linspace(bounds[0], bounds[1], count)


def parse_time(text: str, option: str) -> float:
    """A time with its unit (``"30 ns"``) in s, > 0; a bare number is refused (it would be seconds)."""
    from ._sweep.quantities import is_number
    from .units import to_si

    if is_number(text) and float(text) != 0:
        raise SpinstackError(f"{option}: a bare number has no unit (a time): write it with one, e.g. \"{text} ns\"")
    try:
        value = float(to_si(text.strip(), "time", option))
    except StackError as error:
        raise SpinstackError(f"{option}: {error.reason}") from None
    if not value > 0:
        raise SpinstackError(f"{option}: must be > 0, got {text!r}")
    return value


def format_summary(dataset: Any, file: str | None = None) -> str:
    """A short text of a :func:`dynamics` run for people: per free layer its state, precession frequency,
    switching time, critical currents and final m; for an ensemble (or realizations) the count of each state
    instead."""
    import json
    from collections import Counter

    from .units import format_number

    def number(value: Any, unit: str) -> str:
        value = float(value)
        return "none" if math.isnan(value) else f"{format_number(value, 4)} {unit}"

    vary = json.loads(dataset.attrs.get("vary", "[]"))
    realizations = int(dataset.attrs.get("realizations", 0))
    count = dataset.sizes["layer"]
    head = (f"{file + ': ' if file else ''}macrospin dynamics of {count} free layer{'s' * (count != 1)} over "
            f"{number(dataset.attrs['duration'], 's')} ({dataset.sizes['time']} saved points)")
    lines = [head]
    if vary:
        lines.append("  varied: " + ", ".join(f"{dim} ({dataset.sizes[dim]} values, "
                                              f"{number(dataset[dim].min(), '')}to {number(dataset[dim].max(), '')}"
                                              f"{dataset[dim].attrs.get('units', '')})" for dim in vary)
                     + f": {int(dataset.attrs.get('members', 1))} members")
    if realizations:
        lines.append(f"  realizations: {realizations} of the thermal noise per configuration (the states below are "
                     "counted over every member)")
    if not vary:
        drive = np.asarray(dataset["current"].values, dtype=float)
        lines.append("  current: " + (number(drive.flat[0], "A/m^2") if np.all(drive == drive.flat[0]) else
                                       f"from {number(drive.min(), 'A/m^2')} to {number(drive.max(), 'A/m^2')}"))
    temperature = float(dataset.attrs.get("temperature", 0.0))
    if temperature > 0:  # a thermal run: its states are judged on the mean direction of the last tenth
        lines.append(f"  temperature: {number(temperature, 'K')}{' (largest)' if vary else ''} (thermal field, "
                     f"seed {int(dataset.attrs.get('seed', 0))}; P / AP on the mean m of the last tenth)")
    for k, layer in enumerate(dataset["layer"].values):
        critical = dataset["critical_current"].isel(layer=k)
        if vary or realizations:
            ends = np.asarray(dataset["state"].isel(layer=k).values).astype(object).astype(str)  # zarr: StringDType
            states = Counter(ends.ravel().tolist())
            lines.append(f"  layer {int(layer)}: " + ", ".join(f"{state} {n}" for state, n in sorted(
                states.items(), key=lambda item: -item[1])))
            continue
        final = dataset["m"].isel(time=-1, layer=k).values
        lines.append(f"  layer {int(layer)}: {str(dataset['state'].values[k])}, frequency "
                     f"{number(dataset['frequency'].values[k], 'Hz')}, switching time "
                     f"{number(dataset['switching_time'].values[k], 's')}")
        note = dataset.attrs.get("critical_current_note")
        # no threshold at all for a reason (no fixed F, open ends): say it, the part before any Python advice
        thresholds = (f"none ({str(note).split(';')[0]})" if note is not None and np.isnan(critical.values).all()
                      else f"P {number(critical.values[0], 'A/m^2')}, AP {number(critical.values[1], 'A/m^2')}")
        lines.append(f"    critical currents: {thresholds}; final m = ["
                     + ", ".join(format_number(float(v), 4) for v in final) + "]")
    return "\n".join(lines) + "\n"
