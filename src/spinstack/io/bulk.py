"""Reading and writing long stacks: the cyclic garbage collector paused while many objects are built.

A 1e5-layer file makes millions of small objects (the parsed TOML, the layers, the rows of a
report, the JSON lists).  None of them form reference cycles, yet CPython's collector keeps
walking all of them as they pile up: it took 60 to 80 % of the time of reading, reporting and
writing JSON for such a stack.  Reference counting still frees everything; only the search
for cycles waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_collection"]


@contextmanager
def paused_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (nested blocks and a collector the caller had
    disabled stay as they were)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
