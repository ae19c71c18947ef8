"""numba when it is installed; otherwise ``AVAILABLE`` is False and callers take their numpy paths."""

from __future__ import annotations

try:  # pragma: no cover - exercised by the environment, not by a test
    from numba import njit, prange

    AVAILABLE = True
except ImportError:  # pragma: no cover
    AVAILABLE = False

    def njit(*args, **kwargs):  # type: ignore[no-redef]
        return lambda function: function

    prange = range

__all__ = ["AVAILABLE", "njit", "prange"]
