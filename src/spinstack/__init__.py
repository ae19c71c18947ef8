"""spinstack: exact diffusive spin transport in magnetic multilayers.

Valet-Fert drift-diffusion with non-collinear (even non-coplanar)
magnetizations, solved exactly layer by layer (MODEL.md), batched over arrays
of parameters.  Start with :func:`load_stack` or build a :class:`Stack`, then
:func:`solve` it; :func:`finalize` prepares a stack once for many solves that change only its
magnetizations, angles or drive.

The names below are imported when first used (:mod:`spinstack._lazy`): ``import spinstack`` itself
costs a few milliseconds, and ``spinstack.Stack`` imports the model (numpy), ``spinstack.solve`` the
solver, ``spinstack.sweep`` the sweeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by _lazy.exports; imported only when a name is used)
    from . import analysis, io, model, plot, si, solver, units  # subpackages as attributes: spinstack.analysis
    from .errors import SpinstackError, StackError
    from .io.stackfile import load_stack
    from .io.stackwriter import dumps_stack, write_stack
    from .model import Ferromagnet, Insulator, Interface, Layer, Lead, Normal, Open, Reservoir, Stack, direction, polar
    from .prepared import PreparedStack, finalize
    from .solution import Efficiency, Solution, solve
    from .sweeps import sweep  # spinstack.sweep(stack, {path: values}); the module is spinstack.sweeps
    from .trajectories import critical_currents, dynamics  # MODEL.md 9; the module is spinstack.trajectories

__version__ = "0.1.0"

__all__ = [
    "Efficiency", "Ferromagnet", "Insulator", "Interface", "Layer", "Lead", "Normal", "Open", "PreparedStack", "Reservoir",
    "Solution", "SpinstackError", "Stack", "StackError", "critical_currents", "direction", "dumps_stack", "dynamics",
    "finalize", "load_stack", "polar", "solve", "sweep", "write_stack",
]

__getattr__, __dir__ = exports(__name__, __file__)
