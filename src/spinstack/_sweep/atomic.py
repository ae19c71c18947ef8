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

import json
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

#: the metadata files of a Zarr group (formats 2 and 3); its other entries must be its arrays
_ZARR_GROUP_FILES = frozenset({"zarr.json", ".zgroup", ".zattrs", ".zmetadata"})


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


# ---------------------------------------------------------------- what a Zarr store of ours holds
def zarr_group(target: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(attributes, first path in the folder that a Zarr store of ours does not hold) of a Zarr group folder.

    Attributes are None when the folder is no Zarr group (format 2 or 3).  The whole tree is checked, not
    only its top: a store of ours holds its group metadata, one folder per array, each named in the group's
    consolidated metadata when it has some (ours always do: an array the user added is not ours) and, in
    each, the array's metadata and its chunk files under the names the array's chunk key encoding gives
    them (zarr 3: ``zarr.json`` and ``c/0/1/0``); a note a user put in the store or in ``g1/`` is not ours,
    and replacing the store would delete it.  Read as JSON, without zarr: nothing is opened as a store
    before it is known to be one.  Used by the sweeps' and the dynamics' ``check_target``.
    """
    attrs = None
    try:
        consolidated = None
        if _regular(target / "zarr.json"):
            meta = json.loads((target / "zarr.json").read_text(encoding="utf-8"))
            if isinstance(meta, dict) and meta.get("node_type") == "group":
                attrs = meta.get("attributes", {})
                consolidated = (meta.get("consolidated_metadata") or {}).get("metadata")
        elif _regular(target / ".zgroup"):
            attrs = json.loads((target / ".zattrs").read_text(encoding="utf-8")) if _regular(target / ".zattrs") else {}
            if _regular(target / ".zmetadata"):
                consolidated = json.loads((target / ".zmetadata").read_text(encoding="utf-8")).get("metadata")
        if not isinstance(attrs, dict):
            return None, None
        # the arrays the group's consolidated metadata names (format 3: by name; format 2: "NAME/.zarray")
        named = ({key.split("/")[0] for key in consolidated} if isinstance(consolidated, dict) else None)
        for entry in sorted(os.listdir(target)):
            member = target / entry
            if entry in _ZARR_GROUP_FILES:
                if not _regular(member):
                    return attrs, entry
                continue
            if member.is_symlink() or not member.is_dir() or (named is not None and entry not in named):
                return attrs, entry
            stray = _zarr_array_stray(member)
            if stray is not None:
                return attrs, f"{entry}/{stray}" if stray else entry
    except (OSError, ValueError):
        return None, None
    return attrs, None


def _regular(path: Path) -> bool:
    """A regular file, not a link to one."""
    return not path.is_symlink() and path.is_file()


def _zarr_array_stray(folder: Path) -> str | None:
    """None if ``folder`` holds a Zarr array and nothing else; else the first path in it that is not the array's
    (``""`` when it is no array at all)."""
    grid = _zarr_array_grid(folder)
    if grid is None:
        return ""
    counts, metadata, prefix, separator = grid
    for entry in sorted(os.listdir(folder)):
        if entry in metadata:
            if not _regular(folder / entry):
                return entry
            continue
        if separator == "/":
            stray = _nested_chunks(folder, entry, prefix, counts)
        else:
            stray = None if _chunk_key(entry, prefix, ".", counts) and _regular(folder / entry) else entry
        if stray is not None:
            return stray
    return None


def _zarr_array_grid(folder: Path) -> tuple[tuple[int, ...], frozenset[str], str, str] | None:
    """(chunks along each axis, metadata file names, chunk key prefix, separator) of a Zarr array folder."""
    if _regular(folder / "zarr.json"):  # format 3
        meta = json.loads((folder / "zarr.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("node_type") != "array":
            return None
        shape = meta.get("shape")
        chunks = (meta.get("chunk_grid") or {}).get("configuration", {}).get("chunk_shape")
        encoding = meta.get("chunk_key_encoding") or {"name": "default"}
        name = encoding.get("name")
        separator = (encoding.get("configuration") or {}).get("separator", "/" if name == "default" else ".")
        prefix = "c" if name == "default" else ""
        files = frozenset({"zarr.json"})
    elif _regular(folder / ".zarray"):  # format 2
        meta = json.loads((folder / ".zarray").read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            return None
        shape, chunks = meta.get("shape"), meta.get("chunks")
        separator, prefix = meta.get("dimension_separator") or ".", ""
        files = frozenset({".zarray", ".zattrs"})
    else:
        return None
    if (not isinstance(shape, list) or not isinstance(chunks, list) or len(shape) != len(chunks)
            or separator not in ("/", ".")
            or not all(isinstance(n, int) and isinstance(c, int) and n >= 0 and c > 0 for n, c in zip(shape, chunks))):
        return None
    return tuple(-(-n // c) for n, c in zip(shape, chunks)), files, prefix, separator


def _chunk_key(name: str, prefix: str, separator: str, counts: tuple[int, ...]) -> bool:
    """Whether ``name`` is a chunk key of the grid ``counts`` (``c.0.1`` or ``0.1``; ``c`` or ``0`` for 0-d)."""
    parts = name.split(separator) if name else []
    if prefix:
        if not parts or parts[0] != prefix:
            return False
        parts = parts[1:]
    if not counts:
        return parts == ([] if prefix else ["0"])
    return len(parts) == len(counts) and all(_index(part, count) for part, count in zip(parts, counts))


def _index(text: str, count: int) -> bool:
    """A chunk index as zarr writes it: a decimal number below ``count``, no sign, no leading zero."""
    return text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")) and int(text) < count


def _nested_chunks(folder: Path, entry: str, prefix: str, counts: tuple[int, ...]) -> str | None:
    """None if ``entry`` of an array folder is its nested chunk tree (``c/0/1/0``) and nothing else; else the
    first path in it that is not a chunk."""
    def walk(path: Path, relative: str, depth: int) -> str | None:
        last = depth == len(counts) - 1
        for name in sorted(os.listdir(path)):
            member = path / name
            shown = f"{relative}/{name}"
            if not _index(name, counts[depth]) or (not _regular(member) if last else
                                                   (member.is_symlink() or not member.is_dir())):
                return shown
            if not last:
                stray = walk(member, shown, depth + 1)
                if stray is not None:
                    return stray
        return None

    member = folder / entry
    if not prefix:  # format 2 nested keys: the first level is already an index
        if not counts or not _index(entry, counts[0]):
            return entry
        if len(counts) == 1:
            return None if _regular(member) else entry
        if member.is_symlink() or not member.is_dir():
            return entry
        return walk(member, entry, 1)
    if entry != prefix:
        return entry
    if not counts:  # a 0-d array: its one chunk is the file "c"
        return None if _regular(member) else entry
    if member.is_symlink() or not member.is_dir():
        return entry
    return walk(member, entry, 0)


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


__all__ = ["NAME_LIMIT", "Sink", "Staged", "os_reason", "remove", "temporary_beside", "write_blocks", "zarr_group"]
