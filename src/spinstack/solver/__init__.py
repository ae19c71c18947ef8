"""Pure numerics of MODEL.md 2-5 on arrays: layer two-ports, node system, batched elimination.

Nothing here knows about files, units or plotting; the input is a
:class:`StackArrays`, the output plain arrays per unit current.
"""

from .arrays import Boundary, Element, InterfaceElement, StackArrays
from .nodes import (UnitSolution, functional, interface_drops, layer_ends, resistance_area, solve_unit,
                    spin_flip_loss, spin_hall_source)

__all__ = ["Boundary", "Element", "InterfaceElement", "StackArrays", "UnitSolution", "functional", "interface_drops", "layer_ends",
           "resistance_area", "solve_unit", "spin_flip_loss", "spin_hall_source"]
