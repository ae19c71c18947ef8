"""The model: materials, layers, ends and stacks, validated when built; no numerics."""

from .checks import polar
from .interfaces import Interface
from .layers import End, Layer, Lead, Reservoir
from .materials import Ferromagnet, Material, Normal
from .stack import Stack

__all__ = ["End", "Ferromagnet", "Interface", "Layer", "Lead", "Material", "Normal", "Reservoir", "Stack", "polar"]
