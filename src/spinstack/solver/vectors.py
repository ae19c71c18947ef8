"""Row-wise 3-vector helpers over a batch (last axis of length 3), real or complex.

Written out component by component: np.cross, einsum and batched matmul are several times
slower on short trailing axes, and the spelled-out forms stay analytic for the complex-step
magnetizations of the efficiency limits (no conjugates).  Every module of the solver takes
its vector helpers from here.
"""

from __future__ import annotations

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a . b over the last axis, (...)."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x b over the last axis, (..., 3)."""
    return np.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
                     a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                     a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], axis=-1)


def outer(m: np.ndarray) -> np.ndarray:
    """m m^T, (..., 3, 3)."""
    return m[..., :, None] * m[..., None, :]


def cross_matrix(m: np.ndarray) -> np.ndarray:
    """[m]x, the matrix of v -> m x v, (..., 3, 3)."""
    zero = np.zeros_like(m[..., 0])
    return np.stack([np.stack([zero, -m[..., 2], m[..., 1]], axis=-1),
                     np.stack([m[..., 2], zero, -m[..., 0]], axis=-1),
                     np.stack([-m[..., 1], m[..., 0], zero], axis=-1)], axis=-2)


def transverse_sink(m: np.ndarray, g_r: np.ndarray, g_i: np.ndarray) -> np.ndarray:
    """g_r P_perp - g_i [m]x, P_perp = 1 - m m^T: the matrix of mu -> g_r mu_perp + g_i mu x m, the spin
    current a mixing conductance g_r + i g_i takes out of a normal metal at an F or insulator contact
    (MODEL.md 3b, 8d); ``g_r``, ``g_i`` (..., 1, 1)."""
    return g_r * (np.eye(3) - outer(m)) - g_i * cross_matrix(m)
