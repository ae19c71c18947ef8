"""Materials: normal metals and ferromagnets in the reduced units of the seed paper.

Reduced units (MODEL.md 1, 7): ``D`` is a conductance per area (the diffusion
coefficient times the density of states), ``l`` a length, ``p`` dimensionless.
Every parameter may be a numpy array; arrays broadcast with the rest of a stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise StackError("materials", f"a material needs a non-empty name, got {value!r}")
    return value


@dataclass(frozen=True, eq=False)
class Normal:
    """A normal (non-magnetic) metal N.

    Parameters
    ----------
    name
        Label used in tables, figures and error messages.
    D
        Conductance D_N (> 0), reduced units.
    l
        Spin diffusion length (> 0; ``inf`` for no spin flip), reduced units.
    """

    name: str
    D: ArrayLike
    l: ArrayLike = math.inf

    kind = "normal"

    def __post_init__(self) -> None:
        name = _name(self.name)
        path = f"materials.{name}"
        object.__setattr__(self, "D", checks.positive(self.D, f"{path}.D"))
        object.__setattr__(self, "l", checks.positive(self.l, f"{path}.l", allow_inf=True))

    @property
    def p(self) -> np.ndarray:
        """Current polarisation, zero in a normal metal."""
        return np.zeros(())

    @property
    def conductivity(self) -> np.ndarray:
        """Total conductance sigma = D_N."""
        return self.D


@dataclass(frozen=True, eq=False)
class Ferromagnet:
    """A ferromagnet F (strong: transverse spin is absorbed at its faces, seed section 2.1).

    Parameters
    ----------
    name
        Label used in tables, figures and error messages.
    D
        D_F = 4 D_up D_dn / (D_up + D_dn) (> 0), reduced units (seed eq. 4).
    p
        Current polarisation (D_up - D_dn) / (D_up + D_dn), strictly inside (-1, 1).
    l
        Spin diffusion length (> 0; ``inf`` for no spin flip), reduced units.

    See Also
    --------
    Ferromagnet.from_spin_conductances : build it from D_up and D_dn.
    """

    name: str
    D: ArrayLike
    p: ArrayLike
    l: ArrayLike = math.inf

    kind = "ferromagnet"

    def __post_init__(self) -> None:
        name = _name(self.name)
        path = f"materials.{name}"
        object.__setattr__(self, "D", checks.positive(self.D, f"{path}.D"))
        object.__setattr__(self, "p", checks.open_interval(self.p, -1.0, 1.0, f"{path}.p"))
        object.__setattr__(self, "l", checks.positive(self.l, f"{path}.l", allow_inf=True))

    @classmethod
    def from_spin_conductances(cls, name: str, D_up: ArrayLike, D_dn: ArrayLike, l: ArrayLike = math.inf) -> "Ferromagnet":
        """Build from the spin-channel conductances (MODEL.md 1).

        ``p = (D_up - D_dn) / (D_up + D_dn)`` and ``D = 4 D_up D_dn / (D_up + D_dn)``.
        """
        up = checks.positive(D_up, f"materials.{name}.D_up")
        down = checks.positive(D_dn, f"materials.{name}.D_dn")
        total = up + down
        return cls(name, D=4.0 * up * down / total, p=(up - down) / total, l=l)

    @property
    def conductivity(self) -> np.ndarray:
        """Total conductance sigma_F = D_up + D_dn = D / (1 - p^2)."""
        return self.D / (1.0 - self.p**2)


Material = Normal | Ferromagnet
