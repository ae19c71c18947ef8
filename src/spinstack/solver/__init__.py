"""Pure numerics of MODEL.md 2-5 and 8 on arrays: the node system of a stack and its backends.

Nothing here knows about files, units or plotting; the input is a :class:`StackArrays`, the
output plain arrays per unit current.  Layout, inward first:

* :mod:`.vectors`, :mod:`.hyperbolic`, :mod:`.coherent`: small numerics;
* :mod:`.twoports`: each element's two-port (layers, leads, interfaces, ends, sources);
* :mod:`.system`: the node-system description every backend solves, and the torque rule;
* backends: :mod:`.elimination` (numpy, any stack), :mod:`.banded`, :mod:`.linked` (one long stack),
  chosen by :func:`solve_nodes` (:mod:`.backends`);
* :mod:`.readout` (faces, deposits, torques) and :mod:`.integrals` (loss, S, resistance).
"""

from .arrays import Boundary, Element, InterfaceElement, StackArrays
from .backends import applicable_backends, backend_names, solve_nodes
from .integrals import functional, interface_drops, layer_ends, resistance_area, spin_flip_loss
from .readout import UnitSolution
from .twoports import spin_hall_source

__all__ = ["Boundary", "Element", "InterfaceElement", "StackArrays", "UnitSolution", "applicable_backends",
           "backend_names", "functional", "interface_drops", "layer_ends", "resistance_area", "solve_nodes",
           "spin_flip_loss", "spin_hall_source"]
