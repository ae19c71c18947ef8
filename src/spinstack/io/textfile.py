"""Reading a TOML file guardedly: a regular UTF-8 text file of bounded size, refused in one line otherwise.

Stack files (:mod:`spinstack.io.stackfile`) and the materials library's file
(:mod:`spinstack.io.libraryfile`) are read through :func:`read_text_file`; its
refusals are :class:`StackFileError`, ``FILE: reason``.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

from ..errors import StackError
from .tomlvalues import one_line

__all__ = ["MAX_FILE_BYTES", "MAX_KEY_PARTS", "StackFileError", "read_text_file"]


class StackFileError(StackError):
    """A :class:`~spinstack.StackError` located in a file: ``FILE: PATH: reason``.

    Attributes
    ----------
    source
        The file name as the user gave it.
    path, reason
        As for :class:`~spinstack.StackError`; ``path`` is empty for errors
        about the file as a whole (missing, unreadable, not TOML).
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.source = source
        self.args = (one_line(f"{source}: {self.args[0]}"),)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.path, self.reason))


#: the largest stack file read (bytes): a 1e5-layer file takes about 6 MB (reduced) to 13 MB (SI, with
#: comments); anything much larger is not a stack someone wrote, and reading it whole would cost memory
MAX_FILE_BYTES = 32 * 1024 * 1024
#: the most parts a dotted key may have ("materials.Co.rho" has 3): tomllib's time grows as the square of it
MAX_KEY_PARTS = 64
# a control character TOML does not allow anywhere (tab, line feed and carriage return are allowed)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# MAX_KEY_PARTS + 1 key parts in a row, each followed by a dot: bare words (starting at a word's start, so
# the scan stays linear in a long word) or quoted keys; atomic groups, so a near-miss never backtracks
_KEY_PART = r"""(?>(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+|"(?>[^"\\\n]|\\.)*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"(?:{_KEY_PART}[ \t]*\.[ \t]*){{{MAX_KEY_PARTS}}}")


def read_text_file(source: str) -> str:
    """The file's text, refused with a one-line :class:`StackFileError` unless it is a regular UTF-8 text
    file of at most :data:`MAX_FILE_BYTES` whose keys tomllib can parse in linear time (stack files, and
    the materials library's file).

    Opened without blocking (a FIFO would wait for a writer) and checked on the open descriptor (no
    race between the check and the read); at most ``MAX_FILE_BYTES + 1`` bytes are read whatever the
    file claims (``/proc`` files report a size of 0, ``/dev/zero`` has no end).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(source, flags)
    except FileNotFoundError:
        raise StackFileError(source, "", "no such file") from None
    except IsADirectoryError:
        raise StackFileError(source, "", "is a directory, not a stack file") from None
    except PermissionError:
        raise StackFileError(source, "", "cannot read the file: permission denied") from None
    except OSError as error:  # a name too long, a loop of links, ...
        raise StackFileError(source, "", f"cannot read the file: {error.strerror or type(error).__name__}") from None
    except ValueError:  # an embedded NUL character
        raise StackFileError(source, "", "not a valid file name (it contains a NUL character)") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise StackFileError(source, "", "is a directory, not a stack file")
        if not stat.S_ISREG(info.st_mode):
            raise StackFileError(source, "", "not a regular file (a device, pipe or socket): TOML is read from "
                                             "regular text files")
        if info.st_size > MAX_FILE_BYTES:
            raise StackFileError(source, "", _too_large(info.st_size))
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise StackFileError(source, "", f"cannot read the file: {error.strerror or type(error).__name__}") from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise StackFileError(source, "", _too_large(None))
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is harmless
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise StackFileError(source, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line}); "
                                         "stack files are TOML, which is UTF-8") from None
    control = _CONTROL.search(text)
    if control is not None:  # a binary file: say where, never quote it
        line = text.count("\n", 0, control.start()) + 1
        raise StackFileError(source, "", f"not a text file (control character 0x{ord(control.group()):02x} on "
                                         f"line {line}); TOML is text")
    line = _long_key_line(text)
    if line is not None:
        raise StackFileError(source, "", f"a dotted key of more than {MAX_KEY_PARTS} parts on line {line} "
                                         "(stack files use at most 3, as in materials.NAME.key)")
    return text


def _long_key_line(text: str) -> int | None:
    """The number of the first line holding a dotted key of more than MAX_KEY_PARTS parts, else None.

    A key lies on one line, so only lines with that many dots are searched (a 1e5-layer file in 0.1 s)."""
    if text.count(".") < MAX_KEY_PARTS:
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(".") >= MAX_KEY_PARTS and _LONG_KEY.search(line):
            return number
    return None


def _too_large(size: int | None) -> str:
    limit = f"{MAX_FILE_BYTES // (1024 * 1024)} MiB"
    shown = f" ({size / (1024 * 1024):.0f} MiB)" if size is not None else ""
    return f"too large{shown}: files are read up to {limit} (a stack of about 5e5 layers)"
