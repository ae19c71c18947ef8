"""Who evaluates the blocks of a sweep: this process, a dask.distributed cluster, or a lazy Dask graph.

All three call :func:`.evaluate.evaluate` on the same blocks, so their numbers
are identical.

* :func:`run_local` solves the blocks one after the other, in this process (numpy only).
* :func:`run_cluster` sends them to a dask.distributed cluster, a few per worker
  thread at a time (memory stays bounded), and hands each result to the sink as
  it arrives: the file is written here, by the client, wherever the workers are.
* :func:`lazy_dataset` returns a Dask-backed dataset, one Dask chunk per block,
  computed when (and where) the caller computes it.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SpinstackError
from ..model import Stack
from .evaluate import Job, evaluate
from .layout import VariableLayout
from .plan import Plan, Region
from .store import MemorySink


def _size(region: Region) -> int:
    return int(np.prod([s.stop - s.start for s in region]))


def _never() -> None:
    pass


def run_local(stack: Stack, plan: Plan, variables: tuple[str, ...], sink: Any, bar: Any,
              check: Callable[[], None] = _never) -> None:
    """Evaluate the blocks here, one after the other; ``check()`` between blocks may stop the sweep (a signal).

    A result held in memory takes each block's values straight into its arrays (no block-sized copy between).
    """
    in_memory = sink.arrays if isinstance(sink, MemorySink) else None
    for _, region in plan.regions():
        check()
        job = Job(stack, plan.block_axes(region), variables)
        if in_memory is not None:
            evaluate(job, out={name: in_memory[name][region] for name in variables})
        else:
            sink.write(region, evaluate(job))
        bar.update(_size(region))


def connect(scheduler: Any) -> tuple[Any, bool]:
    """(client, whether we opened it): a ``distributed.Client`` as given, or connected to an address."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    _reachable(scheduler)
    try:
        return Client(scheduler, set_as_default=False, timeout=30), True
    except (OSError, ValueError) as error:
        raise SpinstackError(f"scheduler {scheduler!r}: cannot connect ({error})") from None


def _reachable(address: Any) -> None:
    """Check a scheduler address before distributed sees it: a malformed or unreachable one would leave a
    half-built Client behind, whose clean-up at exit hangs and prints a traceback."""
    match = re.fullmatch(r"(?:(tcp|tls)://)?\[?([^\[\]/]+?)\]?:(\d+)", str(address).strip())
    if not isinstance(address, str) or match is None:
        raise SpinstackError(f"scheduler {address!r}: not an address of the form tcp://HOST:PORT")
    host, port = match.group(2), int(match.group(3))
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as error:
        raise SpinstackError(f"scheduler {address!r}: cannot connect ({error})") from None


def active_client() -> Any:
    """The default dask.distributed client, or None (also when distributed is not installed)."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None


def run_cluster(client: Any, stack: Stack, plan: Plan, variables: tuple[str, ...], sink: Any, bar: Any,
                check: Callable[[], None] = _never, per_thread: int = 2) -> None:
    """Evaluate the blocks on the cluster of ``client``; at most ``per_thread`` blocks per worker thread in flight.

    ``check()`` runs as each block arrives and may stop the sweep (a signal); the blocks still in flight
    are then cancelled.
    """
    from distributed import as_completed

    threads = sum(client.nthreads().values()) or 1
    pending = iter(plan.regions())
    in_flight: dict[str, tuple[Any, Region]] = {}

    def submit() -> Any:
        try:
            _, region = next(pending)
        except StopIteration:
            return None
        future = client.submit(evaluate, Job(stack, plan.block_axes(region), variables), pure=False,
                               key=f"spinstack-sweep-{uuid.uuid4().hex}")
        in_flight[future.key] = (future, region)
        return future

    # this client's loop: as_completed() would otherwise look for a default client, and connect() makes none
    # (set_as_default=False, so a sweep never changes the caller's default); a Client given by the caller
    # need not be the default either
    queue = as_completed([f for f in (submit() for _ in range(per_thread * threads)) if f is not None],
                         loop=client.loop)
    try:
        for future in queue:
            check()
            _, region = in_flight.pop(future.key)
            arrays = future.result()
            future.release()
            sink.write(region, arrays)
            bar.update(_size(region))
            following = submit()
            if following is not None:
                queue.add(following)
    finally:
        if in_flight:  # stopped early (an error, an interrupt): nothing more is needed
            client.cancel([future for future, _ in in_flight.values()])


def _part(arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    return arrays[name]


def lazy_dataset(skeleton: Any, stack: Stack, plan: Plan, variables: tuple[str, ...],
                 layouts: list[VariableLayout]) -> Any:
    """The sweep as a Dask-backed :class:`xarray.Dataset`; nothing is solved until it is computed.

    One task solves a block (all variables at once); one small task per variable
    and block picks its array out: computing several variables solves each block once.
    """
    import dask
    import dask.array as da
    import xarray as xr

    name = f"spinstack-sweep-{uuid.uuid4().hex}"
    blocks = dict(plan.regions())
    grid = tuple(len(c) for c in plan.chunks)
    solved = {index: dask.delayed(evaluate, pure=False)(Job(stack, plan.block_axes(region), variables),
                                                        dask_key_name=f"{name}-{'.'.join(map(str, index))}")
              for index, region in blocks.items()}

    def nest(prefix: tuple[int, ...], layout: VariableLayout) -> Any:
        if len(prefix) < len(grid):
            return [nest(prefix + (i,), layout) for i in range(grid[len(prefix)])]
        region = blocks[prefix]
        extra = layout.shape[len(grid):]
        shape = tuple(s.stop - s.start for s in region) + extra
        part = dask.delayed(_part, pure=False)(solved[prefix], layout.name,
                                               dask_key_name=f"{name}-{layout.name}-{'.'.join(map(str, prefix))}")
        array = da.from_delayed(part, shape, dtype=float, meta=np.empty((0,) * len(shape)))
        for _ in extra:  # np.block-style nesting: one more level per trailing (unsplit) axis
            array = [array]
        return array

    variables_out = {layout.name: xr.Variable(layout.dims, da.block(nest((), layout)), layout.attrs)
                     for layout in layouts}
    return skeleton.assign(variables_out)
