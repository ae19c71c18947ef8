"""One line on stderr before the compiled dynamics loop compiles (its first run after an install or an update).

numba compiles the integrator's loop (:mod:`.compiled`, ``cache=True``) at its first call and keeps the machine
code on disk; later sessions load it in about a second.  The first compilation takes minutes (measured: 2.5 min
of CPU, 4.5 min of wall time on a loaded 2-core machine for ``spinstack dynamics examples/dynamics-switching.toml``),
during which nothing else is printed and a progress bar cannot move.  :func:`announced` says so first:

:func:`announce` lets a command say it at its start (``spinstack dynamics`` does: the critical currents and the
solver's kernels compile first, a minute more of silence otherwise); :func:`announced` wraps the loop's first call:

* when numba's cache index of the dispatcher about to run has no entry (its ``_cache`` file is missing, or stale:
  the source changed), the line is printed at once;
* when that cannot be told (a numba without these internals), a timer prints it if the first call has not
  returned within :data:`AFTER` seconds (a warm load takes 0.4-1 s);
* when the dispatcher is already compiled in this process, or its cache has entries, nothing is printed.

Nothing here can fail a run: every probe of numba's internals is guarded.  :func:`compiled_after` tells a progress
bar that a compilation ended after it was created (so that its clock starts then, not minutes before).

The solver's kernels (``spinstack.solver``: the compiled chain of ``analysis.efficiency`` and the sweeps, the banded
and linked solvers...) compile cold for a minute or two too (measured, the first ``spinstack figures
examples/seed-fnf.toml`` at load 4-5.5 on 2 cores: 84 s wall, 50 s CPU, its efficiency curve's serial chain kernel;
122 s wall, 80 s CPU while its sign map compiled the parallel kernel as well, see ``kernels.SERIAL_WHILE_COLD``).
:func:`announce_compilations` (called by the command line before a command's work) prints :data:`SOLVER_MESSAGE`
just before numba compiles one of them, from numba's compile event (:func:`spinstack.solver.compiled.on_compile`:
a cache miss, never a load from the cache), or :data:`MESSAGE` when the kernel is the dynamics' own.  One line per
process in all: after either line, nothing more is said.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["AFTER", "MESSAGE", "SOLVER_MESSAGE", "announce", "announce_compilations", "announced", "cache_is_cold",
           "compiled_after", "loop_for"]

#: seconds the compiled loop's first call may take before the timer's line (a warm load takes 0.4-1 s)
AFTER = 2.0
#: the line printed (stderr)
MESSAGE = ("spinstack: compiling the dynamics integrator (first run after installing or updating spinstack only; "
           "cached on disk): a few minutes (2-6 on 2 cores) ...")
#: the line printed (stderr) before numba first compiles a kernel of the solver (:func:`announce_compilations`)
SOLVER_MESSAGE = ("spinstack: compiling the solver's kernels for this machine (first run after installing or updating "
                  "spinstack only; cached on disk): a minute or two on 2 cores ...")

_lock = threading.Lock()
_printed = False
# time.monotonic() when the last announced compilation's first call returned (0: none in this process)
_ended = 0.0


def cache_is_cold(kernel: Any) -> bool | None:
    """Whether calling ``kernel`` (a :class:`spinstack.solver.compiled.Kernel` or a numba dispatcher) will compile:
    True when neither this process nor numba's on-disk cache has its machine code, False when one has, None when
    numba's internals do not tell (no numba, a cache-less dispatcher, another numba version).  The solver's probe
    (:func:`spinstack.solver.compiled.cache_is_cold`), which also decides where a batch of the chain kernel runs."""
    from ..solver.compiled import cache_is_cold as probe

    return probe(kernel)


def _say(message: str = MESSAGE) -> None:
    global _printed
    with _lock:
        if _printed:  # one line per process, whichever compilation came first
            return
        _printed = True
    try:
        try:  # a progress bar drawn on stderr: cleared for the line, then drawn again below it
            from tqdm import tqdm

            writing = tqdm.external_write_mode(file=sys.stderr)
        except Exception:  # no tqdm: nothing to clear
            writing = contextlib.nullcontext()
        with writing:
            print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # a closed stderr: the run goes on
        pass


@contextlib.contextmanager
def announced(kernel: Any, progress: Callable[[float], None] | None
              ) -> Iterator[Callable[[float], None] | None]:
    """Around the first call of the compiled loop ``kernel``: the line of the module docstring when it is about
    to compile; yields the progress callable to hand the loop (``progress`` wrapped so that its first report, after
    the loop's first slice, ends the wait; ``progress`` itself when nothing is announced).  The line is printed
    once per process (:func:`announce` may have printed it already)."""
    cold = cache_is_cold(kernel)
    if cold is False:
        yield progress
        return
    timer = None
    if cold:
        _say()
    elif not _printed:  # unknown: the line only if the first call is slow
        timer = threading.Timer(AFTER, _say)
        timer.daemon = True
        timer.start()
    waiting = [True]

    def ended() -> None:
        global _ended
        if waiting[0]:
            waiting[0] = False
            if timer is not None:
                timer.cancel()
            if _printed:
                _ended = time.monotonic()

    def report(fraction: float) -> None:
        ended()
        if progress is not None:
            progress(fraction)

    try:
        yield report
    finally:
        ended()


def loop_for(members: int) -> Any:
    """The compiled loop :func:`.compiled.integrate` will call for ``members`` members: the parallel one from 64
    members a thread on more than one thread (its choice), else the serial one; None when that cannot be told
    (no numba, or a compiled module without these names)."""
    try:
        from numba import get_num_threads

        from . import compiled

        parallel = max(1, min(get_num_threads(), members // 64)) > 1
        return compiled._advance_parallel if parallel else compiled._advance_serial
    except Exception:
        return None


def announce(members: int) -> bool:
    """Print the line now if the loop a run of ``members`` members will call is not compiled yet (a command
    says it before its other first-run work, the critical currents' and the solver's kernels); whether printed.
    Quiet when it cannot be told (:func:`announced` then falls back on its timer)."""
    if cache_is_cold(loop_for(members)):
        _say()
        return True
    return False


def _compiling(dispatcher: Any) -> None:
    """numba is about to compile ``dispatcher`` (not in its cache): the line of the kernel's part, once."""
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
    _say(MESSAGE if module.startswith("spinstack.macrospin") else SOLVER_MESSAGE)


def announce_compilations() -> None:
    """From now on in this process, say on stderr (once) that numba compiles, just before it compiles a kernel that
    neither the process nor numba's on-disk cache has: :data:`SOLVER_MESSAGE` for the solver's kernels,
    :data:`MESSAGE` for the dynamics' (their thermal steps: the loop's own is said by :func:`announce` and
    :func:`announced`).  Nothing is said when the kernels load from the cache, nor without numba.  The command line
    calls it at its start; the Python API does not (only the dynamics loop's first call announces itself)."""
    from ..solver.compiled import on_compile

    on_compile(_compiling)


def compiled_after(moment: float) -> bool:
    """Whether an announced compilation ended after ``moment`` (``time.monotonic()``): a progress bar created at
    ``moment`` then restarts its clock (its elapsed time and rate would otherwise count the compilation)."""
    return _ended > moment
