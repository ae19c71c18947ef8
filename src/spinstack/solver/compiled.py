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



@njit(cache=True, error_model="numpy")
def invert3(block, inverse):  # pragma: no cover - compiled
    """inverse[:, :] = block^-1 for a 3x3 block, by the adjugate (no pivoting: the node blocks have a
    positive definite symmetric part)."""
    c00 = block[1, 1] * block[2, 2] - block[1, 2] * block[2, 1]
    c01 = block[1, 2] * block[2, 0] - block[1, 0] * block[2, 2]
    c02 = block[1, 0] * block[2, 1] - block[1, 1] * block[2, 0]
    c10 = block[2, 1] * block[0, 2] - block[2, 2] * block[0, 1]
    c11 = block[2, 2] * block[0, 0] - block[2, 0] * block[0, 2]
    c12 = block[2, 0] * block[0, 1] - block[2, 1] * block[0, 0]
    c20 = block[0, 1] * block[1, 2] - block[0, 2] * block[1, 1]
    c21 = block[0, 2] * block[1, 0] - block[0, 0] * block[1, 2]
    c22 = block[0, 0] * block[1, 1] - block[0, 1] * block[1, 0]
    det = block[0, 0] * c00 + block[0, 1] * c01 + block[0, 2] * c02
    inverse[0, 0], inverse[0, 1], inverse[0, 2] = c00 / det, c10 / det, c20 / det
    inverse[1, 0], inverse[1, 1], inverse[1, 2] = c01 / det, c11 / det, c21 / det
    inverse[2, 0], inverse[2, 1], inverse[2, 2] = c02 / det, c12 / det, c22 / det


__all__ = ["AVAILABLE", "invert3", "njit", "prange"]
