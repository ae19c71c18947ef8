"""Angular magnetoresistance R(theta) and the GMR ratio of any stack with two or more F layers (MODEL.md 4).

R(theta) turns one F layer (by default the last) away from a reference F layer (by default
the first) by theta, in the plane of the two (:func:`spinstack.analysis.with_angle`); any
other F layer keeps its direction.  R_P and R_AP are theta = 0 and 180 degrees: for a spin
valve the usual parallel and antiparallel states, for a stack with more F layers the
states of the turned layer against the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import SpinstackError
from ..model import Stack
from ..solution import Solution, solve, stack_of
from .efficiencies import with_angle


def default_pair(stack: Stack) -> tuple[int, int]:
    """(reference, turned): the first and the last F layer."""
    indices = stack.ferromagnet_indices
    if len(indices) < 2:
        raise SpinstackError(f"R(theta) and the GMR need two F layers to turn against each other, this stack has "
                             f"{len(indices)}")
    return indices[0], indices[-1]


def resistance_curve(stack: Stack | Solution, theta: ArrayLike, pair: tuple[int, int] | None = None, *,
                     reduced: bool = False) -> np.ndarray:
    """Resistance-area r(theta) with the turned layer at ``theta`` degrees from the reference (batched).

    ``pair`` = (reference, turned) layer indices, default :func:`default_pair`.  The rotation
    plane is that of :func:`spinstack.analysis.with_angle`; shape ``broadcast(theta,
    batch_shape)``.  Units as :attr:`spinstack.Solution.resistance_area`: reduced, or Ohm m^2 for
    an SI stack; ``reduced=True`` gives the solver's model numbers (:attr:`spinstack.Solution.reduced`).
    ``stack`` may be a solution (its stack is turned).
    """
    stack = stack_of(stack, "resistance_curve")
    solution = solve(with_angle(stack, theta, pair if pair is not None else default_pair(stack)))
    return (solution.reduced if reduced else solution).resistance_area


@dataclass(frozen=True)
class Magnetoresistance:
    """Parallel and antiparallel resistance-area and the GMR ratio (R_AP - R_P) / R_P."""

    parallel: np.ndarray
    antiparallel: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        return (self.antiparallel - self.parallel) / self.parallel


def magnetoresistance(stack: Stack | Solution, pair: tuple[int, int] | None = None, *, reduced: bool = False) -> Magnetoresistance:
    """R_P (theta = 0) and R_AP (theta = 180 degrees) of the turned layer against the reference (``pair``,
    default the first and the last F layer), in one batched solve.

    Units as :func:`resistance_curve` (Ohm m^2 for an SI stack; ``reduced=True``: model numbers).
    ``stack`` may be a solution (its stack is turned).
    """
    stack = stack_of(stack, "magnetoresistance")
    if stack.batch_shape == ():
        # one stack: two single solves, each O(L) on the banded path; a batch of two takes the general
        # elimination, which is 20x slower for a long stack (1e5 layers: 24 s)
        parallel, antiparallel = (resistance_curve(stack, angle, pair, reduced=reduced) for angle in (0.0, 180.0))
        return Magnetoresistance(parallel, antiparallel)
    values = resistance_curve(stack, np.array([0.0, 180.0]).reshape((2,) + (1,) * len(stack.batch_shape)), pair,
                              reduced=reduced)
    return Magnetoresistance(values[0], values[1])
