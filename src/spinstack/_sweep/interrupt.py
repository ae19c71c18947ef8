"""Signals during a sweep: stop between blocks, remove the unfinished file, then stop as the signal asks.

With Python's default handlers a Ctrl-C raises :class:`KeyboardInterrupt` wherever
the interpreter happens to be, including inside a garbage-collection callback,
where it is printed and dropped (the sweep then runs on and ends normally), and
SIGTERM or SIGHUP end the process at once, leaving the temporary file behind.
(The ``spinstack`` command's own handlers, :mod:`_spinstack_cli`, stop at once too: a sweep takes the
signals over from them in the same way.)

While a sweep runs in the main thread, :func:`deferred` therefore takes over
SIGINT, SIGTERM and SIGHUP (those still at their default handlers; a handler
the program installed itself, or an ignored signal, is left alone): a signal is
only noted, and the sweep checks for it between blocks (:meth:`Deferral.check`),
raising :class:`Interrupted`.  The sweep removes its temporary file on the way
out; then

* in Python, SIGINT becomes :class:`KeyboardInterrupt` and SIGTERM / SIGHUP end
  the process by the same signal, as they would have without the sweep
  (:func:`resume`);
* the command line, which holds the deferral itself, prints one line and exits
  with status 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).

A second signal while the first is waiting for the block to end raises
:class:`Interrupted` at once (for a block that takes too long).  So does the first one inside
:func:`immediate`: work done before the result's file exists (loading or compiling the compiled
integrator, minutes on a cold cache) has nothing to clean up, so nothing to wait for.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

#: the signals a sweep stops for (SIGHUP does not exist on Windows)
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(BaseException):
    """A sweep stopped by a signal.  A BaseException, like KeyboardInterrupt: ``except Exception`` does not stop it."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(f"interrupted by {self.name}")

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"


class Deferral:
    """Notes the signals that arrive while installed; :meth:`check` raises for the first one."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.previous: dict[int, Any] = {}
        self.immediate = False  # True inside immediate(): nothing to clean up, the first signal stops at once

    def _note(self, signum: int, frame: Any) -> None:
        if self.received is None:
            self.received = signum  # noted first: a raise lost in a GC callback still stops at the next check
            if not self.immediate:
                return  # only noted: raising here could land in a GC callback and be lost
        # a second signal: stop now, without waiting for the block to end
        raise Interrupted(signum)

    def check(self) -> None:
        """Raise :class:`Interrupted` if a signal has arrived (call it between blocks)."""
        if self.received is not None:
            raise Interrupted(self.received)


_active: Deferral | None = None


def active() -> Deferral | None:
    """The deferral in force (installed by an outer caller, such as the command line), if any."""
    return _active


@contextmanager
def deferred() -> Iterator[Deferral]:
    """Hold SIGINT, SIGTERM and SIGHUP for :meth:`Deferral.check` while the block runs.

    Nested uses share the outermost deferral.  Outside the main thread (where
    Python cannot install handlers) nothing is installed and ``check`` never raises.
    On leaving, the previous handlers are back; a signal that arrived but was not
    yet raised is raised then (unless another exception is already on its way).
    """
    global _active
    if _active is not None:
        yield _active
        return
    deferral = Deferral()
    if threading.current_thread() is not threading.main_thread():
        yield deferral
        return
    for signum in SIGNALS:
        current = signal.getsignal(signum)
        # the defaults, or the command line's handler, which stops at once and marks itself replaceable (_spinstack_cli)
        if current is signal.SIG_DFL or current is signal.default_int_handler or getattr(
                current, "spinstack_replaceable", False):
            deferral.previous[signum] = current
            signal.signal(signum, deferral._note)
    _active = deferral
    try:
        yield deferral
        deferral.check()  # a signal during the last block, or after it
    finally:
        _active = None
        for signum, handler in deferral.previous.items():
            signal.signal(signum, handler)


@contextmanager
def immediate() -> Iterator[None]:
    """While the block runs, the deferral in force (if any) stops at the first signal, not at the next check.

    For work before anything needs cleaning up (no file created yet): a Ctrl-C there need not wait.  The signal
    is noted too, so if its :class:`Interrupted` is lost (raised inside a garbage-collection callback) the next
    :meth:`Deferral.check` raises it.  Without a deferral in force (Python without the command line), nothing
    changes: Python's own handlers already stop at once.
    """
    deferral = _active
    if deferral is None:
        yield
        return
    before = deferral.immediate
    deferral.immediate = True
    try:
        yield
    finally:
        deferral.immediate = before


@contextmanager
def held() -> Iterator[None]:
    """While the block runs, the deferral in force (if any) holds the first signal for :meth:`Deferral.check`
    again, inside an :func:`immediate` one: from the moment a result's file exists, a signal must not stop the
    work mid-way (the file is removed, or reported complete, first)."""
    deferral = _active
    if deferral is None:
        yield
        return
    before = deferral.immediate
    deferral.immediate = False
    try:
        yield
    finally:
        deferral.immediate = before


def resume(stop: Interrupted) -> NoReturn:
    """After the clean-up, in Python: SIGINT as :class:`KeyboardInterrupt`, other signals by their default action.

    The handlers are back to their defaults here (:func:`deferred` has exited),
    so SIGTERM and SIGHUP end the process as they would have without the sweep.
    """
    if stop.signum != getattr(signal, "SIGINT", None) and signal.getsignal(stop.signum) is signal.SIG_DFL:
        signal.raise_signal(stop.signum)
    raise KeyboardInterrupt(f"sweep {stop}") from None
