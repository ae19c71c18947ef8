"""Layers and the two ends of a stack."""

from __future__ import annotations

import json
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


#: Named directions.  The stack axis x is the film normal (perpendicular to the layers); y and z lie
#: in the film plane.  (A polar angle theta is measured from +z, an in-plane axis: theta = 0 is in plane.)
DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "normal": (1.0, 0.0, 0.0), "+normal": (1.0, 0.0, 0.0), "-normal": (-1.0, 0.0, 0.0),
    "+x": (1.0, 0.0, 0.0), "-x": (-1.0, 0.0, 0.0),
    "+y": (0.0, 1.0, 0.0), "-y": (0.0, -1.0, 0.0),
    "+z": (0.0, 0.0, 1.0), "-z": (0.0, 0.0, -1.0),
}
GEOMETRY = ("x is the film normal (perpendicular to the layers), y and z lie in the film plane; theta is "
            "measured from +z, in the plane")


def direction(value: Any, path: str = "magnetization") -> np.ndarray:
    """A unit vector [x, y, z] from a direction name, a vector or ``{"theta": deg, "phi": deg}``.

    Parameters
    ----------
    value
        ``"normal"`` (= ``"+x"``, the film normal: perpendicular to the layers), ``"-normal"``,
        ``"+x"``, ``"-x"``, or the in-plane ``"+y"``, ``"-y"``, ``"+z"``, ``"-z"``; or any non-zero
        vector (normalised), shape ``(..., 3)``; or polar angles in degrees, theta from +z (which
        lies in the film plane) and phi from +x, so ``{theta = 90, phi = 0}`` is the normal.
    path
        Names the value in error messages.

    Returns
    -------
    numpy.ndarray
        The unit vector(s), shape ``(..., 3)``, read-only.

    Raises
    ------
    StackError
        An unknown name (the message lists the names and says which axis is which), or a bad vector.
    """
    if isinstance(value, str):
        vector = DIRECTIONS.get(value.strip())
        if vector is None:
            names = ", ".join(f'"{name}"' for name in DIRECTIONS)
            raise StackError(path, f"unknown direction {json.dumps(value[:40])} (named directions: {names}; {GEOMETRY})")
        return checks.frozen(np.array(vector))
    return checks.direction(value, path)


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
    """

    material: Material
    thickness: ArrayLike
    magnetization: ArrayLike | dict | None = None

    def __post_init__(self) -> None:
        material = _material(self.material)
        object.__setattr__(self, "thickness", checks.positive(self.thickness, "thickness"))
        self._set_magnetization(material)


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
