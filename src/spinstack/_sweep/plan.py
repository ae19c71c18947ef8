"""What a sweep varies: its axes, the shape of their outer product, and the blocks it is solved in.

An *axis* is one dimension of the result.  It carries one parameter path (an
outer-product axis) or several paths whose values advance together (a zipped
axis).  The configurations are the outer product of the axes, in C order (the
last axis fastest).

A *block* is a hyperslab of that product holding at most ``chunk_size``
configurations: single indices on the leading axes, a run of ``step`` indices
on the *split* axis, every index of the trailing axes.  Blocks are contiguous
runs of the flat configuration index, they tile a regular chunk grid (the same
for memory, NetCDF, Zarr and Dask), and each one is a single batched solve.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis.efficiencies import with_angle
from ..errors import SpinstackError, StackError
from ..model import Insulator, Stack, checks
from ..model.paths import (COMPONENTS, THETA, material_keys, parameter_targets, parameter_value, parse,
                           require_transport_parameter, with_parameter)
from ..units import ELECTRON_CHARGE

#: separator of the paths in the name of a zipped axis
ZIP_SEPARATOR = ","

#: the in-plane components of the field a sweep varies (x is the film normal)
FIELD_COMPONENTS = tuple(f"field.{name}" for name in COMPONENTS["field"][1:])

#: configurations per block (one batched solve); about 150 MB of solver memory for a three-layer stack
DEFAULT_CHUNK_SIZE = 200_000

Region = tuple[slice, ...]


@dataclass(frozen=True, eq=False)
class Axis:
    """One dimension of a sweep.

    Attributes
    ----------
    dim : name of the dimension: the path, or the zipped paths joined by ``","``
    paths : the parameter paths varied along it (one, or several zipped)
    values : one 1D float array per path, all of the same length
    """

    dim: str
    paths: tuple[str, ...]
    values: tuple[np.ndarray, ...]

    @property
    def size(self) -> int:
        return int(self.values[0].shape[0])

    @property
    def zipped(self) -> bool:
        return len(self.paths) > 1

    def restricted(self, index: slice) -> "Axis":
        return Axis(self.dim, self.paths, tuple(v[index] for v in self.values))


def set_angle(stack: Stack, theta: np.ndarray) -> Stack:
    """``stack`` with m2 at ``theta`` degrees from m1 (:func:`spinstack.analysis.with_angle`).

    Everything else is kept: ends, current, in-plane field, interfaces and the unit system.
    """
    return with_angle(stack, theta)


def apply(stack: Stack, axes: tuple[Axis, ...]) -> Stack:
    """``stack`` with every axis's values laid along its own dimension (a batch of ``len(axes)`` dims).

    Paths are applied in order, ``theta`` last: it turns m2 relative to m1, so it
    sees the m1 (and m2 plane) other paths may have set.
    """
    ndim = len(axes)
    angle = None
    for position, axis in enumerate(axes):
        shape = tuple(-1 if i == position else 1 for i in range(ndim))
        for path, values in zip(axis.paths, axis.values):
            if path == THETA:
                angle = values.reshape(shape)
            elif path == "current" and stack.units == "SI":
                # an SI stack's current is given as the file gives it, J in A/m^2: j0 = J / e (MODEL.md 7)
                stack = with_parameter(stack, path, values.reshape(shape) / ELECTRON_CHARGE)
            elif path in FIELD_COMPONENTS and stack.units == "SI":
                # and its in-plane field as the file gives it, E in V/m: eps = e E (MODEL.md 8a)
                stack = with_parameter(stack, path, values.reshape(shape) * ELECTRON_CHARGE)
            else:
                stack = with_parameter(stack, path, values.reshape(shape))
    if angle is not None:
        stack = set_angle(stack, angle)
    return stack


def _check_path(stack: Stack, path: str, transport: bool = True) -> None:
    if not isinstance(path, str):
        raise SpinstackError(f"a sweep parameter must be named by a path string, got {path!r}")
    if transport:  # a transport sweep of Ms, demag, dynamics.* ... would repeat one answer at every point
        require_transport_parameter(path)
    if path == THETA:
        indices = stack.ferromagnet_indices
        if len(indices) != 2:
            raise StackError(THETA, f"the angle between m1 and m2 needs exactly two F layers, this stack has {len(indices)}")
        return
    try:
        value = parameter_value(stack, path)  # raises for an unknown path
    except StackError as error:
        if error.reason.startswith("unknown parameter path"):  # say here which forms a sweep takes
            raise StackError(path, f"unknown parameter path; a sweep takes {sweepable(stack)}") from None
        raise
    # a vector path takes a whole vector: 3 (or 2) swept numbers would be read as one vector, the same at every
    # point; sweep its components (or angles) instead
    parsed = parse(path)
    if parsed.kind == "direction":
        raise StackError(path, "a direction (a vector) cannot be swept as numbers: sweep "
                               f"{path}.theta or {path}.phi (degrees)"
                               + (", or theta" if parsed.owner == "layer" and len(stack.ferromagnet_indices) == 2
                                  else ""))
    if parsed.kind == "field":
        raise StackError(path, "a vector cannot be swept as numbers: sweep its in-plane components "
                               f"{' or '.join(FIELD_COMPONENTS)}")
    if parsed.kind == "mixing_conductance":
        raise StackError(path, f"[g_r, g_i] cannot be swept as numbers: sweep {path}.real (g_r) or {path}.imag (g_i)")
    if parsed.vector:  # the dynamics vectors: dynamics.field (by component), a layer's demag factors (not by number)
        components = f": sweep {path}.x, {path}.y or {path}.z" if parsed.kind == "applied_field" else ""
        raise StackError(path, f"a vector cannot be swept as numbers{components}")


def sweepable(stack: Stack) -> str:
    """The forms of the paths a sweep of ``stack`` takes, in words (for error messages)."""
    forms = []
    if len(stack.ferromagnet_indices) == 2:
        forms.append("theta (the angle between m1 and m2)")
    forms.append("current")
    keys = dict.fromkeys(key for material in stack.materials.values() for key in material_keys(material))
    forms.append(f"materials.NAME.KEY (NAME: {', '.join(stack.materials)}; KEY: {', '.join(keys)})")
    forms.append(f"layers[i].thickness, layers[i].magnetization.theta or .phi (i from 0 to {len(stack.layers) - 1}, "
                 "negative from the right)")
    ends = [side for side in ("left", "right") if getattr(getattr(stack, side), "magnetization", None) is not None]
    if ends:
        forms.append(" or ".join(ends) + ".magnetization.theta or .phi")
    insulators = [side for side in ("left", "right") if isinstance(getattr(stack, side), Insulator)]
    if insulators:
        forms.append(" or ".join(insulators) + ".g_mix.real, .g_mix.imag or .g_s")
    if stack.field is not None:
        forms.append(" or ".join(FIELD_COMPONENTS))
    return ", ".join(forms)


def _target(stack: Stack, path: str) -> str:
    """What a path sets, spelled one way: ``theta`` and ``layers[-1].magnetization.theta`` both set the polar
    angle of a magnetization, and ``theta`` turns the second F layer's m (about m1) as a whole."""
    # the one spelling of model.paths (negative indices, theta); .magnetization.theta and .phi are independent
    return parameter_targets(stack, path)[0]


def _values(path: str, raw: Any) -> np.ndarray:
    try:
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise StackError(path, f"sweep values must be numbers, got {raw!r}") from None
    if values.ndim > 1:
        raise StackError(path, f"sweep values must be one-dimensional, got shape {values.shape}")
    values = values.reshape(-1)
    if values.size == 0:
        raise StackError(path, "no sweep values")
    if np.isnan(values).any():
        raise StackError(path, "sweep values must not be NaN")
    return values


def parse_axes(stack: Stack, parameters: Mapping[Any, Any], *, transport: bool = True) -> tuple[Axis, ...]:
    """Axes from the ``parameters`` mapping of :func:`spinstack.sweep` (checked, not yet validated).

    ``{path: values}`` is one outer-product axis; ``{(path_a, path_b): (values_a,
    values_b)}`` one zipped axis named ``"path_a,path_b"``.  With ``transport`` (a transport sweep) the
    dynamics-only paths are refused (:func:`spinstack.model.paths.require_transport_parameter`);
    :func:`spinstack.dynamics` passes False.
    """
    if not isinstance(parameters, Mapping) or not parameters:
        raise SpinstackError("sweep needs a non-empty mapping {path: values} of parameters to vary")
    axes: list[Axis] = []
    seen: set[str] = set()
    for key, raw in parameters.items():
        if isinstance(key, tuple):
            paths = key
            if len(paths) == 0:
                raise SpinstackError("a zipped sweep axis needs at least one path")
            if isinstance(raw, np.ndarray) and raw.ndim == 2:
                raw = tuple(raw)
            if not isinstance(raw, (tuple, list)) or len(raw) != len(paths):
                raise StackError(ZIP_SEPARATOR.join(map(str, paths)),
                                 f"zipped paths need one array of values per path ({len(paths)}), as a tuple")
        else:
            paths, raw = (key,), (raw,)
        for path in paths:
            _check_path(stack, path, transport)
            target = _target(stack, path)
            clash = next((other for other in seen if target == other or target.startswith(other + ".")
                          or other.startswith(target + ".")), None)
            if clash is not None:
                raise StackError(path, "swept twice" if clash == target == path else
                                 f"sets the same parameter as another swept path ({clash})")
            seen.add(target)
        values = tuple(_values(path, r) for path, r in zip(paths, raw))
        lengths = {v.size for v in values}
        if len(lengths) != 1:
            raise StackError(ZIP_SEPARATOR.join(paths),
                             f"zipped values must have equal lengths, got {', '.join(str(v.size) for v in values)}")
        axes.append(Axis(ZIP_SEPARATOR.join(paths), tuple(paths), values))
    return tuple(axes)


def validate_values(stack: Stack, axes: tuple[Axis, ...], chunk_size: int,
                    check: Callable[[], None] | None = None) -> None:
    """Build the stack with each axis's values alone (in pieces of ``chunk_size``): bad values fail here.

    So a value the model refuses (a negative thickness, ``|p| >= 1``) is reported
    before anything is solved or written, with its path.  ``check()``, between pieces,
    may stop it (a signal the command line holds).

    ``theta`` builds nothing: a finite angle turns m2 to a unit vector in the plane of m1, which the model
    takes, unless the two F layers touch (then m2 must stay collinear with m1, and the turned stack is built
    to say so).  Its values are checked once, here, and the blocks turn m2 without checking them again.
    """
    first, second = stack.ferromagnet_indices if len(stack.ferromagnet_indices) == 2 else (0, 0)
    touching = second == first + 1
    for axis in axes:
        paths = tuple(path for path in axis.paths if path != THETA or touching)
        if len(paths) < len(axis.paths):
            checks.require_finite(axis.values[axis.paths.index(THETA)], THETA, bounded=False)
        if not paths:
            continue
        built = Axis(axis.dim, paths, tuple(v for path, v in zip(axis.paths, axis.values) if path in paths))
        for start in range(0, axis.size, chunk_size):
            if check is not None:
                check()
            apply(stack, (built.restricted(slice(start, start + chunk_size)),))


@dataclass(frozen=True, eq=False)
class Plan:
    """The axes of a sweep and how its configurations are cut into blocks."""

    axes: tuple[Axis, ...]
    chunk_size: int

    def __post_init__(self) -> None:
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, (int, np.integer)) or self.chunk_size < 1:
            raise SpinstackError(f"chunk_size must be a positive integer, got {self.chunk_size!r}")

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(axis.dim for axis in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def split(self) -> tuple[int, int]:
        """(axis, step): blocks take ``step`` indices of ``axis``, all of the later axes, one of the earlier."""
        shape = self.shape
        for axis in range(len(shape)):
            trailing = math.prod(shape[axis + 1:])
            if trailing <= self.chunk_size:
                return axis, max(1, min(shape[axis], self.chunk_size // trailing))
        raise AssertionError("unreachable: the last axis has no trailing axes")

    @property
    def chunks(self) -> tuple[tuple[int, ...], ...]:
        """The block grid in Dask's notation: block lengths along each axis."""
        axis, step = self.split
        out: list[tuple[int, ...]] = []
        for i, n in enumerate(self.shape):
            if i < axis:
                out.append((1,) * n)
            elif i == axis:
                out.append((step,) * (n // step) + ((n % step,) if n % step else ()))
            else:
                out.append((n,))
        return tuple(out)

    @property
    def block_shape(self) -> tuple[int, ...]:
        """The shape of a full block (the regular chunk shape of stores)."""
        axis, step = self.split
        return tuple(1 if i < axis else step if i == axis else n for i, n in enumerate(self.shape))

    def regions(self) -> Iterator[tuple[tuple[int, ...], Region]]:
        """Every block as (its index in the block grid, its hyperslab), in flat C order."""
        axis, step = self.split
        leading = self.shape[:axis]
        n = self.shape[axis]
        for outer in np.ndindex(*leading):
            for block, start in enumerate(range(0, n, step)):
                region = tuple(slice(i, i + 1) for i in outer) + (slice(start, min(start + step, n)),)
                region += tuple(slice(0, m) for m in self.shape[axis + 1:])
                yield tuple(outer) + (block,) + (0,) * (len(self.shape) - axis - 1), region

    @property
    def n_blocks(self) -> int:
        return math.prod(len(c) for c in self.chunks)

    def block_axes(self, region: Region) -> tuple[Axis, ...]:
        """The axes restricted to one block: what a worker needs, nothing more."""
        return tuple(axis.restricted(index) for axis, index in zip(self.axes, region))
