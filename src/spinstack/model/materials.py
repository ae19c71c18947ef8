"""Materials: normal metals and ferromagnets in the reduced units of the seed paper.

Reduced units (MODEL.md 1, 7): ``D`` is a conductance per area (the diffusion
coefficient times the density of states), ``l`` a length, ``p`` dimensionless.
Every parameter may be a numpy array; arrays broadcast with the rest of a stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks
from .directions import direction


def _length(value: Any, path: str) -> np.ndarray:
    """A length (> 0, ``inf`` allowed)."""
    return checks.positive(value, path, allow_inf=True)


def _coherence_length(value: Any, path: str) -> np.ndarray | None:
    """l_J or l_phi: absent (None) or a length."""
    return None if value is None else _length(value, path)


def _polarisation(value: Any, path: str) -> np.ndarray:
    return checks.open_interval(value, -1.0, 1.0, path)


def _optional(check: Callable[[Any, str], np.ndarray]) -> Callable[[Any, str], np.ndarray | None]:
    """``check`` for a parameter that may be absent (None: kept as None)."""
    return lambda value, path: None if value is None else check(value, path)


#: the largest Gilbert damping taken: measured values lie below ~1 (1e-4 in YIG, ~0.01 in permalloy, ~0.1-1 in
#: heavily damped alloys); far larger ones are typos, and they overflow the dynamics' arithmetic (alpha = 1e100:
#: "overflow encountered in det", no key named) instead of failing clearly
MAX_ALPHA = 1e3


def damping(value: Any, path: str) -> np.ndarray:
    """Gilbert damping alpha, dimensionless, from 0 to :data:`MAX_ALPHA`: the one check of every door (a material's
    ``alpha``, :class:`~spinstack.macrospin.Macrospins` ``alpha=``, a varied ``materials.X.alpha``).

    Raises
    ------
    StackError
        At ``path``: not finite, negative or above :data:`MAX_ALPHA`, with the value.
    """
    array = checks.finite(value, path)
    if np.any(array < 0):
        raise StackError(path, f"must be >= 0 (Gilbert damping), got {float(np.min(array))!r}")
    if np.any(array > MAX_ALPHA):
        raise StackError(path, f"must be at most {MAX_ALPHA:g} (Gilbert damping: measured values lie below ~1; "
                               f"larger ones overflow the dynamics' arithmetic), got {float(np.max(array)):g}")
    return array


def _axis(value: Any, path: str) -> np.ndarray:
    """A unit axis from a direction name, a vector or {theta, phi} (as a magnetization)."""
    return direction(value, path)


#: the macrospin constants of a ferromagnet (MODEL.md 9), SI only: (description, unit) of each
DYNAMICS_CONSTANTS = {
    "Ms": ("saturation magnetization", "A/m"),
    "alpha": ("Gilbert damping", ""),
    "K_u": ("uniaxial anisotropy energy density", "J/m^3"),
    "easy_axis": ("anisotropy axis u", ""),
    "gamma": ("gyromagnetic ratio", "rad/(s T)"),
}


class _Checked:
    """A material whose parameters are checked, in the order of its ``_CHECKS`` table (parameter -> check of
    the value and its path ``materials.NAME.PARAMETER``), when it is made."""

    name: str
    _CHECKS: ClassVar[dict[str, Callable[[Any, str], Any]]]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise StackError("materials", f"a material needs a non-empty name, got {self.name!r}")
        for key, check in self._CHECKS.items():
            object.__setattr__(self, key, check(getattr(self, key), f"materials.{self.name}.{key}"))


@dataclass(frozen=True, eq=False)
class Normal(_Checked):
    """A normal (non-magnetic) metal N.

    Parameters
    ----------
    name
        Label used in tables, figures and error messages.
    D
        Conductance D_N (> 0), reduced units.
    l
        Spin diffusion length (> 0; ``inf`` for no spin flip), reduced units.
    theta_SH
        Spin Hall angle (MODEL.md 8b; Pt > 0, Ta and W < 0), dimensionless; acts only
        under an in-plane ``field`` of the stack.  Default 0.
    """

    name: str
    D: ArrayLike
    l: ArrayLike = math.inf
    theta_SH: ArrayLike = 0.0

    kind = "normal"
    _CHECKS = {"D": checks.positive, "l": _length, "theta_SH": checks.finite}

    @property
    def p(self) -> np.ndarray:
        """Current polarisation, zero in a normal metal."""
        return np.zeros(())

    @property
    def conductivity(self) -> np.ndarray:
        """Total conductance sigma = D_N."""
        return self.D


@dataclass(frozen=True, eq=False)
class Ferromagnet(_Checked):
    """A ferromagnet F.

    Strong by default: transverse spin is absorbed at its faces (seed section 2.1); ``l_J`` or
    ``l_phi`` give it a finite transverse coherence instead (MODEL.md 8e).

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
    l_J, l_phi
        Transverse spin coherence (MODEL.md 8e): precession length l_J and dephasing length
        l_phi (> 0, ``inf`` allowed).  Both absent (``None``): transverse spin is absorbed
        at the faces (the seed model); one given, the other is ``inf``.
    D_perp
        Conductance of the transverse spin current (only with l_J or l_phi); default
        D / (1 - p^2) = D_up + D_dn.
    Ms, alpha, K_u, easy_axis, gamma
        Macrospin constants (MODEL.md 9; SI stacks only, all optional, ``None`` when absent):
        saturation magnetization Ms (A/m, > 0) and Gilbert damping alpha (>= 0), both needed by a
        free layer; uniaxial anisotropy energy density K_u (J/m^3, energy -K_u (m . u)^2) with its
        axis ``easy_axis`` u (a direction name, vector or {theta, phi}; kept as a unit vector;
        needed with K_u); gyromagnetic ratio gamma (rad/(s T), > 0; absent: |gamma_e|).

    See Also
    --------
    Ferromagnet.from_spin_conductances : build it from D_up and D_dn.
    """

    name: str
    D: ArrayLike
    p: ArrayLike
    l: ArrayLike = math.inf
    l_J: ArrayLike | None = None
    l_phi: ArrayLike | None = None
    D_perp: ArrayLike | None = None
    Ms: ArrayLike | None = None
    alpha: ArrayLike | None = None
    K_u: ArrayLike | None = None
    easy_axis: ArrayLike | str | dict | None = None
    gamma: ArrayLike | None = None

    kind = "ferromagnet"
    _CHECKS = {"D": checks.positive, "p": _polarisation, "l": _length, "l_J": _coherence_length,
              "l_phi": _coherence_length, "Ms": _optional(checks.positive), "alpha": _optional(damping),
              "K_u": _optional(checks.finite), "easy_axis": _optional(_axis), "gamma": _optional(checks.positive)}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.K_u is not None and self.easy_axis is None:
            raise StackError(f"materials.{self.name}.easy_axis",
                             "missing: K_u needs the anisotropy axis u (a direction name such as \"+z\", or a vector)")
        if self.D_perp is not None:
            path = f"materials.{self.name}.D_perp"
            if not self.coherent:
                raise StackError(path, "only used with l_J or l_phi (finite transverse coherence); "
                                       "remove it or give l_J / l_phi")
            object.__setattr__(self, "D_perp", checks.positive(self.D_perp, path))

    @property
    def dynamics_constants(self) -> dict[str, np.ndarray]:
        """The macrospin constants given (of :data:`DYNAMICS_CONSTANTS`), by name."""
        return {key: getattr(self, key) for key in DYNAMICS_CONSTANTS if getattr(self, key) is not None}

    @property
    def coherent(self) -> bool:
        """Whether transverse spin penetrates the layer (l_J or l_phi given, MODEL.md 8e)."""
        return self.l_J is not None or self.l_phi is not None

    @property
    def transverse_conductance(self) -> np.ndarray:
        """D_perp (default D / (1 - p^2)); only meaningful when :attr:`coherent`."""
        return self.D_perp if self.D_perp is not None else self.conductivity

    @property
    def theta_SH(self) -> np.ndarray:
        """No spin Hall source is modelled in a ferromagnet (MODEL.md 8b)."""
        return np.zeros(())

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
