"""Angular magnetoresistance R(theta) and the GMR ratio of two-F stacks (MODEL.md 4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..model import Stack
from ..solution import solve
from .efficiency import with_angle


def resistance_curve(stack: Stack, theta: ArrayLike) -> np.ndarray:
    """Resistance-area r(theta) with m2 turned to ``theta`` degrees from m1 (batched).

    The rotation plane is that of :func:`spinstack.analysis.with_angle`; shape
    ``broadcast(theta, batch_shape)``.  Units as the stack (reduced, or SI base when
    the stack is SI: the reported number is then in the solver's SI-base units).
    """
    return solve(with_angle(stack, theta)).resistance_area


@dataclass(frozen=True)
class Magnetoresistance:
    """Parallel and antiparallel resistance-area and the GMR ratio (R_AP - R_P) / R_P."""

    parallel: np.ndarray
    antiparallel: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        return (self.antiparallel - self.parallel) / self.parallel


def magnetoresistance(stack: Stack) -> Magnetoresistance:
    """R_P (theta = 0) and R_AP (theta = 180 degrees) of a two-F stack, in one batched solve."""
    values = resistance_curve(stack, np.array([0.0, 180.0]).reshape((2,) + (1,) * len(stack.batch_shape)))
    return Magnetoresistance(values[0], values[1])
