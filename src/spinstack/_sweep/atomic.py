"""Results streamed to a file whole or not at all: a temporary name, a rename at the end, signals, clean-up.

:func:`spinstack.sweep` (:mod:`.store`) and :func:`spinstack.dynamics` (:mod:`spinstack.trajectories`)
write their results block by block into a NetCDF-4 file or a Zarr store.  Both follow the same rules,
kept here once:

* the file is written under a hidden temporary name beside the target (:func:`temporary_beside`) and
  renamed into place when the last block is in (:meth:`Staged.move_into_place`): the target appears
  complete or not at all, and an old file there stays untouched until then;
* only what spinstack wrote is ever replaced: the caller's ``check_target`` (which knows its own files:
  sweeps by their attributes, dynamics files by theirs) refuses anything else before any work, and
  :meth:`Staged.move_into_place` asks it again just before the rename, since something may have appeared
  there while the blocks were computed;
* :func:`write_blocks` runs the blocks with SIGINT, SIGTERM and SIGHUP deferred (:mod:`.interrupt`):
  a signal, an error or a Ctrl-C stops between blocks, the sink is aborted (its temporary file removed),
  and then the signal goes on as it would have without us (:func:`.interrupt.resume`), or, under the
  command line's own deferral, to the command line; an :class:`OSError` while writing a file becomes one
  :class:`~spinstack.SpinstackError` naming the file.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..errors import SpinstackError
from . import interrupt

#: the longest file name (bytes) common file systems take
NAME_LIMIT = 255


def temporary_beside(target: Path, tag: str = "") -> Path:
    """A hidden, unique name next to ``target``: ``.NAME.spinstack-TAGHEX``.

    Shortened to ``.spinstack-TAGHEX.SUFFIX`` where the long form would pass the file system's 255-byte
    limit on names (a valid long target name must not fail on our own temporary one).
    """
    unique = f"spinstack-{tag}{uuid.uuid4().hex[:12]}"
    name = f".{target.name}.{unique}"
    if len(name.encode("utf-8", "surrogateescape")) > NAME_LIMIT:
        name = f".{unique}{target.suffix}"
    return target.parent / name


def remove(path: Path) -> None:
    """Remove a file, a link (not what it points to) or a folder tree; nothing if there is none."""
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


class Staged:
    """A result written under :attr:`temporary` and moved to :attr:`target` when complete.

    A base of the file sinks: they write to :attr:`temporary` and call :meth:`move_into_place` when
    finished or :meth:`discard` when aborted.

    Parameters
    ----------
    target
        Where the finished file (or Zarr folder) goes.
    check_target
        Raises (a :class:`~spinstack.SpinstackError` saying why) when ``target`` exists and is not a file
        of the caller's kind; returns None when there is nothing at ``target`` or it may be replaced.
    """

    def __init__(self, target: str | os.PathLike, check_target: Callable[[Path], None]) -> None:
        self.target = Path(target)
        self.check_target = check_target
        self.temporary = temporary_beside(self.target)

    def move_into_place(self) -> Path:
        """Rename :attr:`temporary` to :attr:`target` (asked again first: only our own file is replaced)."""
        self.check_target(self.target)  # again: something else may have appeared there while the blocks ran
        if os.path.lexists(self.target) and self.temporary.is_dir():
            # os.replace cannot replace a folder (a Zarr store): move the old one aside first
            old = temporary_beside(self.target, "old-")
            os.rename(self.target, old)
            os.rename(self.temporary, self.target)
            remove(old)
        else:
            os.replace(self.temporary, self.target)
        return self.target

    def discard(self) -> None:
        """Remove :attr:`temporary` (an unfinished result)."""
        remove(self.temporary)


def os_reason(error: OSError) -> str:
    """An OS error in words, without the file name and details a library appends (the message names the
    file once): ``"No space left on device"``, ``"File name too long"``."""
    return os.strerror(error.errno) if error.errno else str(error).split(" (")[0] or type(error).__name__


class Sink(Protocol):
    """What :func:`write_blocks` needs of a sink: it can be aborted (its unfinished file removed)."""

    def abort(self) -> None: ...


SinkType = TypeVar("SinkType", bound=Sink)
Result = TypeVar("Result")


def write_blocks(open_sink: Callable[[], SinkType], write: Callable[[SinkType, Callable[[], None]], None],
                 finish: Callable[[SinkType], Result], *, out: str | os.PathLike | None, what: str,
                 closing: Callable[[], None] | None = None) -> Result:
    """Open a sink, write the blocks into it and finish it, with signals deferred; on any failure abort it.

    Parameters
    ----------
    open_sink
        Creates the sink (for a file: under its temporary name).  A sink that fails while being created
        cleans up after itself.
    write
        ``write(sink, check)`` writes every block, calling ``check()`` between blocks: it raises
        :class:`.interrupt.Interrupted` once a signal has arrived.
    finish
        ``finish(sink)`` completes the result (a file sink moves its file into place) and returns it.
        Called only when no signal has arrived during the last block.
    out
        The target file (None: in memory).  An :class:`OSError` while writing a file becomes
        ``SpinstackError("OUT: cannot write the WHAT (reason)")``; in memory it passes unchanged.
    what
        The result's name in that message (``"sweep"``, ``"trajectories"``).
    closing
        Called on the way out whatever happened (closes a progress bar), before a signal is passed on.

    Returns
    -------
    What ``finish`` returns.

    Raises
    ------
    KeyboardInterrupt
        SIGINT arrived (without a deferral of the caller's own); SIGTERM and SIGHUP end the process by
        the same signal after the clean-up.
    interrupt.Interrupted
        A signal arrived while the caller (the command line) holds its own deferral: it decides.
    SpinstackError
        An OS error writing ``out``.
    """
    owner = interrupt.active() is None  # else the caller (the command line) handles a signal itself
    try:
        with interrupt.deferred() as deferral:
            sink: Any = None
            try:
                sink = open_sink()
                write(sink, deferral.check)
                deferral.check()  # a signal during the last block: the file is not put in place
                return finish(sink)
            except BaseException:
                if sink is not None:
                    sink.abort()
                raise
            finally:
                if closing is not None:
                    closing()
    except interrupt.Interrupted as stop:
        if not owner:
            raise
        interrupt.resume(stop)  # KeyboardInterrupt for SIGINT; SIGTERM, SIGHUP end the process as usual
    except OSError as error:
        if out is None:
            raise
        # no such folder, no permission, disk full: the user's to fix, one message naming the file
        raise SpinstackError(f"{out}: cannot write the {what} ({os_reason(error)})") from None


__all__ = ["NAME_LIMIT", "Sink", "Staged", "os_reason", "remove", "temporary_beside", "write_blocks"]
