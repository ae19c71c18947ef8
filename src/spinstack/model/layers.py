"""Layers and the two ends of a stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks
from .dynamics import demag_factors
from .directions import DIRECTIONS, GEOMETRY, direction  # noqa: F401 -- DIRECTIONS, GEOMETRY re-exported (io.summary)
from .materials import Ferromagnet, Material, Normal


def _material(value: Any) -> Material:
    if not isinstance(value, (Normal, Ferromagnet)):
        raise StackError("material", f"must be a Normal or Ferromagnet, got {value!r}")
    return value


class _OfMaterial:
    """What a layer and a lead share: a material, and a magnetization exactly when it is a ferromagnet."""

    material: Material
    magnetization: Any

    def _set_magnetization(self, material: Material) -> None:
        """Check the magnetization against the (checked) ``material`` and keep it as a unit vector."""
        value = self.magnetization
        if isinstance(material, Ferromagnet):
            if value is None:
                raise StackError("magnetization", f"missing: ferromagnet {material.name!r} needs a direction")
            object.__setattr__(self, "magnetization", direction(value, "magnetization"))
        elif value is not None:
            raise StackError("magnetization", f"not allowed: {material.name!r} is a normal metal")

    @property
    def is_ferromagnet(self) -> bool:
        return isinstance(self.material, Ferromagnet)


@dataclass(frozen=True, eq=False)
class Layer(_OfMaterial):
    """One layer of a stack.

    Parameters
    ----------
    material
        Its :class:`Normal` or :class:`Ferromagnet`.
    thickness
        d > 0 (finite), reduced length units; scalar or array.
    magnetization
        Ferromagnets only: unit vector m, shape ``(..., 3)``, given as any
        non-zero vector (normalised here), a direction name (``"normal"``, ``"+y"``, ...;
        :func:`direction`) or ``{"theta": deg, "phi": deg}`` (theta from +z, which lies in
        the film plane; the film normal is x).
    free
        Whether the layer's magnetization moves in a dynamics run (MODEL.md 9; F layers only, SI
        stacks only; its material then needs Ms and alpha).  Default False: fixed.
    demag
        Diagonal demagnetizing factors (N_x, N_y, N_z) of an F layer, >= 0, summing to 1 (MODEL.md 9b);
        ``None`` (default): the thin film (1, 0, 0), normal x.
    """

    material: Material
    thickness: ArrayLike
    magnetization: ArrayLike | dict | None = None
    free: bool = False
    demag: ArrayLike | None = None

    def __post_init__(self) -> None:
        material = _material(self.material)
        object.__setattr__(self, "thickness", checks.positive(self.thickness, "thickness"))
        self._set_magnetization(material)
        if not isinstance(self.free, (bool, np.bool_)):
            raise StackError("free", f"must be true or false, got {self.free!r}"[:300])
        object.__setattr__(self, "free", bool(self.free))
        if self.free and not isinstance(material, Ferromagnet):
            raise StackError("free", f"only a ferromagnet moves: {material.name!r} is a normal metal")
        if self.demag is not None:
            if not isinstance(material, Ferromagnet):
                raise StackError("demag", f"only a ferromagnet has demagnetizing factors: {material.name!r} is a "
                                          "normal metal")
            object.__setattr__(self, "demag", demag_factors(self.demag, "demag"))


@dataclass(frozen=True, eq=False)
class Reservoir:
    """An ideal electrode (l -> 0): the spin accumulation vanishes at its face (seed App. I)."""

    kind = "reservoir"


@dataclass(frozen=True, eq=False)
class Lead(_OfMaterial):
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
        self._set_magnetization(_material(self.material))


@dataclass(frozen=True, eq=False)
class Open:
    """An insulating outer face (substrate, capping oxide): no spin current crosses it, j_s = 0 there
    (MODEL.md 8d).  No charge current crosses it either: a stack with an open end has ``current = 0``."""

    kind = "open"
    magnetization = None


@dataclass(frozen=True, eq=False)
class Insulator:
    """A magnetic insulator end (YIG, ...) with magnetization m (MODEL.md 8d).

    The spin current flowing from the stack into it is
    g_r mu_perp + g_i (mu x m) + g_s (m . mu) m, with mu_perp the part of mu normal to m;
    its transverse part is the torque on the insulator.  No charge current crosses it.

    Parameters
    ----------
    magnetization
        Unit vector, direction name or ``{"theta": deg, "phi": deg}`` (as for :class:`Layer`), required.
    g_mix
        [g_r, g_i], the mixing conductance per area (reduced units), g_r >= 0.
    g_s
        Spin-sink conductance of the longitudinal part (>= 0), default 0.
    """

    magnetization: ArrayLike | dict | None
    g_mix: ArrayLike
    g_s: ArrayLike = 0.0

    kind = "insulator"

    def __post_init__(self) -> None:
        if self.magnetization is None:
            raise StackError("magnetization", "missing: a magnetic insulator end needs a direction")
        object.__setattr__(self, "magnetization", direction(self.magnetization, "magnetization"))
        g_mix = checks.finite(self.g_mix, "g_mix")
        if g_mix.ndim == 0 or g_mix.shape[-1] != 2:
            raise StackError("g_mix", f"must be [g_r, g_i], got {self.g_mix!r}")
        if np.any(g_mix[..., 0] < 0):
            raise StackError("g_mix", f"g_r must be >= 0, got {float(np.min(g_mix[..., 0]))!r}")
        object.__setattr__(self, "g_mix", g_mix)
        g_s = checks.finite(self.g_s, "g_s")
        if np.any(g_s < 0):
            raise StackError("g_s", f"must be >= 0, got {float(np.min(g_s))!r}")
        object.__setattr__(self, "g_s", g_s)


End = Reservoir | Lead | Open | Insulator
