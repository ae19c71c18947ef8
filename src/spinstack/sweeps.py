"""Labelled parameter sweeps: the outer product of parameter values, solved in blocks, as an xarray Dataset.

>>> import numpy as np, spinstack as ss
>>> stack = ss.load_stack("examples/seed-fnf.toml")
>>> ds = ss.sweep(stack, {"theta": np.linspace(0, 180, 181),
...                       "materials.F2.p": np.linspace(0.05, 0.95, 91)})
>>> ds.g2.sel(theta=60, method="nearest")               # g2 against p2 at 60 degrees
>>> ds.torque.sel(layer=2, component="x")               # dims: theta, materials.F2.p

Parameters are named by paths, the same everywhere in spinstack
(:mod:`spinstack.model.paths`): ``current``, ``materials.NAME.D|p|l|...``,
``layers[i].thickness``, ``layers[i].magnetization.theta|phi`` (degrees),
``left|right.magnetization.theta|phi``, ``field.y|z``, an insulator end's
``left|right.g_mix.real|imag`` and ``.g_s``.  A vector is swept by its components:
the vector paths (``field``, ``...g_mix``, ``...magnetization``) are refused, since
each of their numbers would be read as the whole vector.  The special path ``theta`` is the
angle (degrees) between m1 and m2 (the first and second F layers), m2 turned
from m1 in their common plane (:func:`spinstack.analysis.with_angle`), the
most common sweep.  ``theta`` is applied after every other path, so it turns m2
relative to whatever m1 the other paths set.

Each entry of ``parameters`` is one dimension of the result:

* ``{path: values}``: an outer-product axis; the dimension and its coordinate
  are named by the path.
* ``{(path_a, path_b, ...): (values_a, values_b, ...)}``: a *zipped* axis; the
  values (equal lengths) advance together along one dimension named
  ``"path_a,path_b,..."``, and each path is a coordinate along it.

Variables (dims = the sweep's dims, then the listed ones):

===========================  ====================  =============================================================
``g1``, ``g2``               --                    damping-like efficiencies (seed eq. 1)
``g1_field``, ``g2_field``   --                    field-like parts
``torque``                   ``layer, component``  torque on every layer (zero in N)
``accumulation``             ``node, component``   mu_s at the nodes
``resistance_area``          --                    r = [mu_0(left) - mu_0(right)] / j0
``spin_resistance_area``     --                    its spin-accumulation part
``tau_DL``, ``tau_FL``       ``layer``             damping-like and field-like spin-orbit torques (MODEL.md 8f)
``smr_long``, ``smr_trans``  --                    spin Hall magnetoresistance, longitudinal and transverse (8c)
===========================  ====================  =============================================================

The efficiencies are present when the stack has exactly two F layers with a
spacer between them (``Solution.efficiency_problem is None``); ``tau_DL``,
``tau_FL``, ``smr_long`` and ``smr_trans`` when it has an in-plane field.  Every variable
and coordinate carries ``units``, ``long_name`` and ``description`` attributes;
reduced stacks report ``"reduced"`` units, SI stacks the units of MODEL.md 7
(mu_s in eV, torque per area in J m-2, resistance-area in ohm m2).  Coordinates
``layer`` (with each layer's ``material``), ``node`` and ``component``
(``"x", "y", "z"``) label the other dimensions.  The dataset's attributes hold
the spinstack version, the unit system, the swept paths (JSON), the stack
itself (JSON, laid out like a stack file: an SI stack with the SI file's keys and
quantities, ``"rho": "6e-8 ohm*m"``, ``"current": "1e+11 A/m^2"``;
:func:`spinstack.io.stack_from_dict` reads it back) and, with
``source=``, the stack file's path and text.

Blocks and memory: the configurations are solved in blocks of at most
``chunk_size`` (one batched solve each; about 800 bytes of working memory per
configuration for a three-layer stack, so about 150 MB at the default 200 000).
With ``out=`` every block is written to the file as soon as it is solved:
peak memory is set by the block, not by the sweep (``benchmarks/sweep_memory.py``).
The numbers do not depend on the blocks: a chunked sweep equals an unchunked one
bit for bit, and so do the Dask and cluster runs.

Files: a sweep is written under a temporary name and renamed when complete; an
existing ``out`` is replaced only if it is a spinstack sweep (anything else is
refused), a file that cannot fit in its folder's free space is refused before
any work, and Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the sweep between blocks
and remove the unfinished file (:mod:`spinstack._sweep.atomic`, :mod:`spinstack._sweep.store`,
:mod:`spinstack._sweep.interrupt`).

Dask and clusters: ``dask=True`` returns a Dask-backed dataset (one Dask chunk
per block) computed when you compute it, on the active ``dask.distributed``
client if there is one.  ``scheduler="tcp://host:8786"`` (or a ``Client``)
solves the blocks on that cluster now and streams them back here, into memory
or into ``out``.  Without either, everything runs in this process with numpy;
Dask is never imported.

Needs the optional extra ``sweeps`` (xarray; h5netcdf for ``.nc``, zarr for
``.zarr``, dask and distributed for clusters, tqdm for the progress bar).

This module is :mod:`spinstack.sweeps`; ``spinstack.sweep`` is its function :func:`sweep`
(``from spinstack.sweeps import open_sweep, write_sweep``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import SpinstackError
from .model import Stack
from .solution import solve
from ._sweep.plan import DEFAULT_CHUNK_SIZE, THETA, ZIP_SEPARATOR, Plan, parse_axes, validate_values
from ._sweep.store import FORMATS, open_sweep
from ._sweep.variables import CATALOGUE, problems, select

__all__ = ["DEFAULT_CHUNK_SIZE", "FORMATS", "THETA", "VARIABLES", "ZIP_SEPARATOR", "is_sweep_file", "open_sweep", "parse_range",
           "sweep", "write_sweep"]

#: every variable a sweep can store (the efficiencies only for two-F stacks)
VARIABLES = tuple(CATALOGUE)

# a result held in memory may use at most this share of the machine's memory
_MEMORY_SHARE = 0.75
# a block's working memory is at least this many times its outputs (_check_memory)
_BLOCK_FACTOR = 3


def sweep(stack: Stack, parameters: Mapping[Any, Any], *, variables: Sequence[str] | str | None = None,
          chunk_size: int = DEFAULT_CHUNK_SIZE, out: str | os.PathLike | None = None, progress: bool | None = None,
          dask: bool = False, scheduler: Any = None, source: str | os.PathLike | None = None) -> Any:
    """Solve ``stack`` over the outer product of parameter values; a labelled :class:`xarray.Dataset`.

    Parameters
    ----------
    stack
        A single-configuration stack (``batch_shape == ()``).
    parameters
        ``{path: values}`` for each outer-product axis, ``{(path, ...): (values, ...)}``
        for zipped axes (module docstring); values are 1D numbers in the units the
        stack holds (degrees for angles; SI base units for an SI stack, except its
        ``current`` as the charge current density J in A/m^2 and ``field.y``/``field.z``
        as the electric field E in V/m, like its file).
    variables
        Names to compute and store (:data:`VARIABLES`); default: all the stack offers.
    chunk_size
        Configurations per block (one batched solve each): peak memory grows with it.
    out
        Stream the result into this file: ``.nc`` (NetCDF-4, h5netcdf) or ``.zarr``;
        written under a temporary name and renamed when complete.  The returned
        dataset is then read lazily from the file: close it when done.  A file or
        folder already there is replaced only if it is a spinstack sweep (its
        attributes say so), and only once the new one is complete; anything else
        is refused.  A sweep whose file would not fit in the folder's free space is
        refused before any work.
    progress
        ``None``: a progress bar on stderr when it is a terminal and the sweep runs
        longer than about a second; ``True``: always; ``False``: never.
    dask
        Return a Dask-backed dataset.  Without ``out`` nothing is solved until it is
        computed (on the active ``dask.distributed`` client, if any); with ``out``
        the blocks are solved now (on the active client, if any) and the file is
        opened with Dask chunks.
    scheduler
        A ``dask.distributed`` scheduler address (``"tcp://127.0.0.1:8786"``) or
        ``Client``: solve the blocks on that cluster now, a few per worker at a time,
        gathering them here.
    source
        The stack file the stack came from: its path and text go into the attributes.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    StackError
        For an unknown path or a value the model refuses (named by its path),
        before anything is solved or written.
    SpinstackError
        For other bad input: a batched stack, empty values, unequal zipped
        lengths, an unknown variable or file format, a result or block too large
        for memory, a file too large for its disk, a target that is not a sweep.
    KeyboardInterrupt
        On Ctrl-C (SIGINT), at the end of the block being solved; the unfinished
        file is removed first.  SIGTERM and SIGHUP stop the sweep the same way,
        then end the process as they would have without it.
    """
    result, kind, plan = _run(stack, parameters, variables=variables, chunk_size=chunk_size, out=out, progress=progress,
                              dask=dask, scheduler=scheduler, source=source)
    if kind == "lazy":
        return result
    chunks = dict(zip(plan.dims, plan.block_shape))
    if kind is not None:
        return open_sweep(result, chunks=chunks if dask else None)
    return result.chunk(chunks) if dask else result


def write_sweep(stack: Stack, parameters: Mapping[Any, Any], out: str | os.PathLike, *,
                variables: Sequence[str] | str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                progress: bool | None = None, scheduler: Any = None, source: str | os.PathLike | None = None) -> Path:
    """:func:`sweep` into the file ``out``, returning its path without opening it (what ``spinstack sweep`` does).

    Opening a sweep reads its coordinates (80 MB for 10^7 angles); a caller that only writes the file
    need not.  Arguments, refusals and signals as for :func:`sweep`.
    """
    result, _, _ = _run(stack, parameters, variables=variables, chunk_size=chunk_size, out=out, progress=progress,
                        dask=False, scheduler=scheduler, source=source)
    return Path(result)


def _run(stack: Stack, parameters: Mapping[Any, Any], *, variables: Sequence[str] | str | None, chunk_size: int,
         out: str | os.PathLike | None, progress: bool | None, dask: bool, scheduler: Any,
         source: str | os.PathLike | None) -> tuple[Any, str | None, Plan]:
    """The work of :func:`sweep`: (an in-memory dataset, None) or (the file's path, its format) or (the lazy
    dataset, ``"lazy"``), with the plan."""
    if not isinstance(stack, Stack):
        raise SpinstackError(f"sweep takes a Stack, got {type(stack).__name__}")
    if stack.batch_shape != ():
        raise SpinstackError(f"sweep takes a single-configuration stack; this one is batched with shape {stack.batch_shape}")
    from ._sweep import atomic, interrupt, layout, progress as bars, runners, store

    axes = parse_axes(stack, parameters)
    plan = Plan(axes, chunk_size)
    kind = store.file_format(out) if out is not None else None
    if out is not None:
        store.check_target(out)  # never replace what spinstack did not write
    names = select(variables, problems(solve(stack)))
    skeleton = layout.skeleton(stack, plan, names, None if source is None else str(source))
    layouts = layout.variable_layouts(stack, plan, names)
    lazy = dask and out is None and scheduler is None
    if not lazy:  # sizes first: a sweep that cannot fit is refused with its numbers, before any work
        _check_memory(plan, layouts, in_memory=kind is None)
    size = None
    if kind is not None:
        size = store.file_size(kind, layouts, skeleton, store.block_size(out))
        store.check_space(out, size)
    # planning a large sweep takes a while: a signal the command line holds (interrupt.active) stops it here too
    outer = interrupt.active()
    validate_values(stack, axes, plan.chunk_size, outer.check if outer is not None else None)

    if lazy:
        return runners.lazy_dataset(skeleton, stack, plan, names, layouts), "lazy", plan

    client, opened = None, False
    if scheduler is not None:
        client, opened = runners.connect(scheduler)
    elif dask:
        client = runners.active_client()
    def open_sink() -> Any:
        if kind is None:
            return store.MemorySink(skeleton, layouts)
        if kind == "netcdf":
            return store.NetCDFSink(out, skeleton, layouts, size=size)
        return store.ZarrSink(out, skeleton, layouts)

    def write(sink: Any, check: Callable[[], None]) -> None:
        if client is not None:
            runners.run_cluster(client, stack, plan, names, sink, bar, check)
        else:
            runners.run_local(stack, plan, names, sink, bar, check)

    bar = bars.progress_bar(plan.size, progress)
    try:
        # SIGINT, SIGTERM, SIGHUP stop the sweep between blocks and remove its file (_sweep/atomic.py)
        result = atomic.write_blocks(open_sink, write, lambda sink: sink.finish(), out=out, what="sweep",
                                     closing=bar.close)
    finally:
        if opened:
            client.close()
    return result, kind, plan


def _memory_total() -> int | None:
    """This machine's physical memory in bytes (None where it cannot be asked)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _check_memory(plan: Plan, layouts: list[Any], in_memory: bool) -> None:
    """Refuse a sweep whose result (held in memory) or block cannot fit in memory, before solving anything.

    A block's working memory is at least :data:`_BLOCK_FACTOR` times its outputs (measured: 4 to 6 times
    for two- and three-layer stacks), so the estimate refuses only blocks that certainly cannot fit.
    """
    from ._sweep.store import format_bytes

    total = _memory_total()
    if total is None:
        return
    if in_memory:
        need = sum(8 * math.prod(layout.shape) for layout in layouts)
        if need > _MEMORY_SHARE * total:
            raise SpinstackError(f"the sweep's result needs {format_bytes(need)}, more than this machine's memory "
                                 f"({format_bytes(total)}) allows: stream it to disk with out='result.nc' (or "
                                 ".zarr), or store fewer variables")
    per_point = sum(8 * math.prod(layout.shape[len(plan.dims):]) for layout in layouts)
    points = min(plan.chunk_size, plan.size)
    block = _BLOCK_FACTOR * per_point * points
    if block > _MEMORY_SHARE * total:
        raise SpinstackError(f"a block of {points} configurations needs at least {format_bytes(block)} of memory, "
                             f"more than this machine's memory ({format_bytes(total)}) allows: lower chunk_size "
                             f"(--chunk-size; default {DEFAULT_CHUNK_SIZE})")


def parse_range(text: str, stack: Stack | None = None) -> tuple[str, Any]:
    """``"PATH=START:STOP:NUM"`` -> ``(PATH, numpy.linspace(START, STOP, NUM))`` (the CLI's ``--vary``).

    Without ``stack``, START and STOP are plain numbers, the numbers :func:`sweep` takes.  With the stack
    the range is for, they are read as an SI stack file reads its values (:mod:`spinstack._sweep.quantities`):
    an SI stack takes quantities with units for a dimensioned path (``layers[1].thickness=1 nm:10 nm:4``,
    ``current=1e10 A/m^2:1e12 A/m^2:50``) and refuses bare numbers there (``1:10:4`` would be metres);
    angles and dimensionless paths (``theta``, ``materials.F2.p``) stay numbers.  The values are then those
    :func:`sweep` takes (a length in m, J in A/m^2).

    Raises
    ------
    SpinstackError
        For anything else, quoting the text.
    """
    import numpy as np

    from ._sweep.quantities import bare_number_reason, compact, is_number, unit_example, value, with_unit
    from .errors import StackError

    path, equals, span = text.rpartition("=")
    path = path.strip()
    parts = span.split(":")
    problem = None
    if not equals or not path:
        problem = "expected PATH=START:STOP:NUM"
    elif len(parts) != 3:
        problem = "expected START:STOP:NUM after '='"
    units = getattr(stack, "units", None)
    if (problem is None and units == "SI" and unit_example(path) and all(is_number(part) for part in parts[:2])
            and any(float(part) != 0 for part in parts[:2])):
        # the trap of SI files, on the command line: 1:10 meant in nm would be metres.  Refused as files refuse
        # it, with the range written as it should be
        written = with_unit(path, float(parts[0]), float(parts[1])).replace(" or, in SI base units, ",
                                                                            f":{parts[2].strip()} or ")
        problem = f"{bare_number_reason(path)}: write the range with one, e.g. {path}={written}:{parts[2].strip()}"
    if problem is None:
        try:
            if units is None:
                start, stop = float(parts[0]), float(parts[1])
            else:
                start, stop = (value(part, path, units) for part in parts[:2])
        except StackError as error:  # before ValueError: a StackError is one
            problem = f"START and STOP: {error.reason}"
        except ValueError:
            problem = "START and STOP must be numbers"
    if problem is None:
        count = _whole(parts[2])
        if count is None:
            problem = "NUM must be a whole number"
    if problem is None and count < 1:
        problem = "NUM must be at least 1"
    if problem is None and not (np.isfinite(start) and np.isfinite(stop)):
        problem = "START and STOP must be finite"
    if problem is not None:
        dimensioned = units == "SI" and problem.startswith("START") and unit_example(path)
        example = "e.g. layers[1].thickness=1 nm:10 nm:46" if dimensioned else "e.g. materials.F2.p=0.1:0.9:81"
        raise SpinstackError(f"--vary {_quoted(text)}: {problem}" + ("" if "e.g." in problem else f" ({example})"))
    total = _memory_total()
    if total is not None and 8 * count > _MEMORY_SHARE * total:
        from ._sweep.store import format_bytes

        raise SpinstackError(f"--vary {_quoted(text)}: NUM = {compact(count)} values need {format_bytes(8 * count)} of "
                             f"memory for this axis alone, more than this machine's memory ({format_bytes(total)}) "
                             "allows")
    return path, np.linspace(start, stop, count)


def _quoted(text: str) -> str:
    """``text`` quoted for a one-line message, its middle left out when it is long."""
    return repr(text if len(text) <= 100 else f"{text[:60]}...{text[-30:]}")


def _whole(text: str) -> int | None:
    """``"81"``, ``"1e6"`` -> the whole number; None for anything else (``"2.5"``, ``"x"``, ``"inf"``)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def is_sweep_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a saved sweep by its extension (what ``spinstack plot`` checks)."""
    return Path(path).suffix.lower() in FORMATS
