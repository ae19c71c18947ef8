"""Hyperbolic functions of X = d / l in the forms the two-port needs, finite for every X >= 0.

A layer of thickness d and spin diffusion length l enters the node system only
through X = d / l (X = 0 when l = inf) and G = D / (2 l).  To stay finite and
accurate for X from 0 (no spin flip) through 1e-9 to 1e6, everything is written
as ``D / (2 d)`` times a function of X that is bounded near 0 and never
evaluates sinh or cosh of a large argument:

    G coth(X) = D/(2d) * X coth X            G csch(X) = D/(2d) * X csch X

All functions accept arrays (real or complex) and work elementwise.
"""

from __future__ import annotations

import numpy as np


def _x_over_one_minus_exp(X: np.ndarray) -> np.ndarray:
    """X / (1 - exp(-2 X)), equal to 1/2 at X = 0."""
    denominator = -np.expm1(-2.0 * X)
    safe = np.where(X == 0, 1.0, denominator)
    return np.where(X == 0, 0.5, X / safe)


def x_coth_x(X: np.ndarray) -> np.ndarray:
    """X coth X: 1 at X = 0, ~X for large X."""
    return _x_over_one_minus_exp(X) * (1.0 + np.exp(-2.0 * X))


def x_csch_x(X: np.ndarray) -> np.ndarray:
    """X csch X = X / sinh X: 1 at X = 0, 2 X exp(-X) for large X (underflows to 0, no overflow)."""
    return 2.0 * _x_over_one_minus_exp(X) * np.exp(-X)


def x_tanh_half_x(X: np.ndarray) -> np.ndarray:
    """X tanh(X / 2): 0 at X = 0, ~X for large X."""
    return X * -np.expm1(-X) / (1.0 + np.exp(-X))


def sinh_ratio(t: np.ndarray, X: np.ndarray) -> np.ndarray:
    """sinh(t X) / sinh(X) for t in [0, 1]; equals t at X = 0 (the l = inf straight line)."""
    safe = np.where(X == 0, 1.0, X)
    ratio = np.exp((t - 1.0) * safe) * np.expm1(-2.0 * t * safe) / np.expm1(-2.0 * safe)
    return np.where(X == 0, t, ratio)


def x_cosh_ratio(t: np.ndarray, X: np.ndarray) -> np.ndarray:
    """X cosh(t X) / sinh(X) for t in [0, 1]; equals 1 at X = 0."""
    return _x_over_one_minus_exp(X) * (np.exp((t - 1.0) * X) + np.exp(-(t + 1.0) * X))
