"""spinstack: exact diffusive spin transport in magnetic multilayers.

Valet-Fert drift-diffusion with non-collinear (even non-coplanar)
magnetizations, solved exactly layer by layer (MODEL.md), batched over arrays
of parameters.  Start with :func:`load_stack` or build a :class:`Stack`, then
:func:`solve` it.
"""

from .errors import SpinstackError, StackError
from .model import Ferromagnet, Insulator, Interface, Layer, Lead, Normal, Open, Reservoir, Stack, direction, polar
from .solution import Efficiency, Solution, solve
from .sweep import sweep  # the function: spinstack.sweep(stack, {path: values}) (module: spinstack.sweep docs)

__version__ = "0.1.0"

__all__ = [
    "Efficiency", "Ferromagnet", "Insulator", "Interface", "Layer", "Lead", "Normal", "Open", "Reservoir", "Solution", "SpinstackError",
    "Stack", "StackError", "direction", "load_stack", "polar", "solve", "sweep",
]


def load_stack(path):  # noqa: ANN001, ANN201 - thin re-export, documented in io.stackfile
    """Read a stack file (TOML, ``STACK_FORMAT.md``) into a :class:`Stack`; see :func:`spinstack.io.load_stack`."""
    from .io.stackfile import load_stack as _load

    return _load(path)
