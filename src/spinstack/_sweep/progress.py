"""The progress bar of a sweep: on a terminal, for sweeps that last more than about a second.

``progress=None`` (auto) shows a tqdm bar on stderr only when stderr is a
terminal, and only once the sweep has run for a second (tqdm's ``delay``), so
quick sweeps and pipes, logs and tests stay silent.  ``True`` forces the bar,
``False`` never shows it.
"""

from __future__ import annotations

import sys
from typing import Any

#: seconds a sweep runs before the automatic bar appears
DELAY = 1.0


class _Silent:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled: bool | None) -> Any:
    """An object with ``update(n)`` and ``close()``: a tqdm bar or nothing."""
    if enabled is False or (enabled is None and not _is_terminal()):
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:
        if enabled:
            raise
        return _Silent()
    return tqdm(total=total, unit="config", unit_scale=total >= 10_000, desc="sweep", file=sys.stderr, dynamic_ncols=True,
                delay=DELAY if enabled is None else 0.0, leave=enabled is True)


def _is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False
