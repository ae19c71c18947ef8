"""Layers and the two ends of a stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks
from .materials import Ferromagnet, Material, Normal


def _material(value: Any) -> Material:
    if not isinstance(value, (Normal, Ferromagnet)):
        raise StackError("material", f"must be a Normal or Ferromagnet, got {value!r}")
    return value


def _magnetization(material: Material, value: Any) -> np.ndarray | None:
    if isinstance(material, Ferromagnet):
        if value is None:
            raise StackError("magnetization", f"missing: ferromagnet {material.name!r} needs a direction")
        return checks.direction(value, "magnetization")
    if value is not None:
        raise StackError("magnetization", f"not allowed: {material.name!r} is a normal metal")
    return None


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of a stack.

    Parameters
    ----------
    material
        Its :class:`Normal` or :class:`Ferromagnet`.
    thickness
        d > 0 (finite), reduced length units; scalar or array.
    magnetization
        Ferromagnets only: unit vector m, shape ``(..., 3)``, given as any
        non-zero vector (normalised here) or ``{"theta": deg, "phi": deg}``.
    """

    material: Material
    thickness: ArrayLike
    magnetization: ArrayLike | dict | None = None

    def __post_init__(self) -> None:
        material = _material(self.material)
        object.__setattr__(self, "thickness", checks.positive(self.thickness, "thickness"))
        object.__setattr__(self, "magnetization", _magnetization(material, self.magnetization))

    @property
    def is_ferromagnet(self) -> bool:
        return isinstance(self.material, Ferromagnet)


@dataclass(frozen=True, eq=False)
class Reservoir:
    """An ideal electrode (l -> 0): the spin accumulation vanishes at its face (seed App. I)."""

    kind = "reservoir"


@dataclass(frozen=True, eq=False)
class Lead:
    """A semi-infinite lead of ``material``: mu_s decays as exp(-|x|/l) into it.

    Parameters
    ----------
    material
        :class:`Normal` or :class:`Ferromagnet`.
    magnetization
        Required for a ferromagnetic lead, as for :class:`Layer`.
    """

    material: Material
    magnetization: ArrayLike | dict | None = None

    kind = "lead"

    def __post_init__(self) -> None:
        material = _material(self.material)
        object.__setattr__(self, "magnetization", _magnetization(material, self.magnetization))

    @property
    def is_ferromagnet(self) -> bool:
        return isinstance(self.material, Ferromagnet)


End = Reservoir | Lead
