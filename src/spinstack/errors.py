"""The exception family of spinstack.

Every error a user can cause with bad input is a :class:`StackError`; it is a
``ValueError`` so that generic code catching ``ValueError`` keeps working.  Its
message always starts with the *path* of the offending value, e.g.
``layers[2].thickness: must be > 0, got -2.0``; the file loader prefixes the
file name, and the CLI prints that one line and exits with status 2.
"""

from __future__ import annotations


class SpinstackError(Exception):
    """Base class of every error raised on purpose by spinstack."""


def numerical_failure(error: FloatingPointError) -> str:
    """The one line that reports valid but extreme parameters (say d = 1e-300 or G_mix = 1e150) whose solve
    overflowed double precision (``error``, raised under ``np.errstate(over="raise", ...)``); the CLI
    prefixes the file's name, the explorer shows it as the page's message."""
    return (f"numerical failure while solving ({error}): the parameters span too many orders of magnitude for "
            "double precision")


class StackError(SpinstackError, ValueError):
    """Invalid stack input: a bad value, a missing or unknown key, a bad structure.

    Parameters
    ----------
    path
        Where the bad value lives, in the stack file's terms
        (``"layers[2].thickness"``, ``"materials.Co.p"``); may be empty.
    reason
        Why it is wrong, phrased to complete ``"<path>: <reason>"``.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)

    def within(self, prefix: str) -> "StackError":
        """The same error with its path placed under ``prefix``."""
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return StackError(path, self.reason)
