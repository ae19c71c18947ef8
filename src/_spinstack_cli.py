"""The ``spinstack`` command's entry point: SIGINT, SIGTERM and SIGHUP answered from its first line on.

A command imports what it runs (numpy, the package; scipy or numba for some stacks; matplotlib, xarray or
Panel for figures, sweeps and the explorer) after its code has started.  Its entry point used to be
``spinstack.cli:main``, which imported 0.7 s of them first: a Ctrl-C in that time printed a 40-line
``KeyboardInterrupt`` traceback, a little later click's "Aborted!" with exit status 1, and SIGTERM ended
the process without a word.  This module imports nothing of spinstack's until its handlers
are in place, so that in every phase (imports, reading, planning, solving, writing) the three signals end
the command with one line on stderr and exit status 128 + the signal number (130, 143, 129):

* the handlers raise :class:`Stop` (a ``BaseException`` that is no ``KeyboardInterrupt``, so neither
  click's "Aborted!" nor an ``except Exception`` takes it); :func:`main` prints the line;
* a sweep takes the signals over while it runs (:mod:`spinstack._sweep.interrupt`: it stops between blocks
  and removes its file), and gives them back after;
* a stop raised where Python cannot let it through (a garbage-collection callback, a ``__del__``: Python
  prints "Exception ignored" and goes on) is raised again at the next call, in the command's code.

A signal that is ignored (SIG_IGN, as for background jobs of a non-interactive shell) or handled by whoever
started the process is left as it is.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, NoReturn

#: the signals a command stops for, by name (SIGHUP does not exist on Windows)
SIGNALS = tuple(name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

# a signal lost in a garbage-collection callback is raised again at most this many times
_RETRIES = 100


class Stop(BaseException):
    """The command was stopped by the signal ``signum``."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(f"stopped by {_name(self.signum)}")


_state = {"retries": 0}


def _stop(signum: int, frame: Any) -> None:
    raise Stop(signum)


# spinstack._sweep.interrupt takes over a signal still at its default handler, or at this one
_stop.spinstack_replaceable = True  # type: ignore[attr-defined]


def _name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _unraisable(previous: Any) -> Any:
    """A ``sys.unraisablehook`` that raises a lost stop again in the command's code; everything else passes on.

    Python drops an exception raised where it cannot propagate (a garbage-collection callback, a ``__del__``)
    after showing it to this hook.  A stop (ours, a sweep's, a KeyboardInterrupt) is instead raised again by a
    profile function at the next call or return of the thread, outside this hook; if that is once more such a
    place, it comes back here and goes round again (at most ``_RETRIES`` times).
    """

    def hook(unraisable: Any) -> None:
        error = unraisable.exc_value
        stop = isinstance(error, KeyboardInterrupt) or (isinstance(getattr(error, "signum", None), int)
                                                        and not isinstance(error, Exception))
        if not stop or _state["retries"] >= _RETRIES:
            previous(unraisable)
            return
        _state["retries"] += 1

        def again(frame: Any, event: str, arg: Any) -> None:
            if frame.f_code is hook.__code__:  # still in this hook: not here
                return
            sys.setprofile(None)
            raise error

        sys.setprofile(again)

    hook.spinstack_stops = True  # type: ignore[attr-defined]
    return hook


def install() -> None:
    """Install the handlers (SIGINT, SIGTERM, SIGHUP at their defaults) and the hook for lost stops."""
    for name in SIGNALS:
        signum = getattr(signal, name)
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _stop)
    if not getattr(sys.unraisablehook, "spinstack_stops", False):
        sys.unraisablehook = _unraisable(sys.unraisablehook)


def stopped(signum: int) -> NoReturn:
    """One line on stderr and exit status 128 + ``signum``."""
    _ignore()  # a second signal now would interrupt the line
    command = next((word for word in sys.argv[1:] if not word.startswith("-")), "")
    what = f"{command} stopped" if command.isidentifier() else "stopped"
    try:
        sys.stderr.write(f"spinstack: error: {what} by {_name(signum)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # no stderr to write to
        pass
    raise SystemExit(128 + signum)


def main() -> None:
    """The ``spinstack`` command: :func:`spinstack.cli.main`, with the signals handled from here on."""
    install()
    try:
        try:
            from spinstack.cli import main as command

            command(prog_name="spinstack")
        finally:
            # done (or failing with its own line): a signal from here on changes nothing, and Python's finalization,
            # which gives the handlers back to the default action, must not be killed by one without a word
            _ignore()
    except Stop as stop:
        stopped(stop.signum)
    except KeyboardInterrupt:  # a handler of someone else's raised it
        stopped(signal.SIGINT)


def _ignore() -> None:
    for name in SIGNALS:
        signum = getattr(signal, name)
        if signal.getsignal(signum) is _stop:
            signal.signal(signum, signal.SIG_IGN)


if __name__ == "__main__":
    main()
