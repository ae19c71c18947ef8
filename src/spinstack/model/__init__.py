"""The model: materials, layers, ends and stacks, validated when built; no numerics."""

from .checks import polar
from .dynamics import Dynamics, ExchangeCoupling
from .interfaces import Interface
from .layers import End, Insulator, Layer, Lead, Open, Reservoir, direction
from .materials import Ferromagnet, Material, Normal
from .stack import Stack

__all__ = ["Dynamics", "End", "ExchangeCoupling", "Ferromagnet", "Insulator", "Interface", "Layer", "Lead", "Material", "Normal", "Open", "Reservoir", "Stack", "direction", "polar"]
