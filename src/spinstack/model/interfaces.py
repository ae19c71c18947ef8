"""Resistive interfaces (magnetoelectronic circuit theory, MODEL.md 3b).

An interface sits at a node and carries two node values, mu^- (left) and mu^+
(right).  Per unit area, in reduced units: spin-channel conductances g_up, g_dn
(g = g_up + g_dn, gamma = (g_up - g_dn) / g), the mixing conductance
g_mix = g_r + i g_i at an N/F contact, and an optional spin memory loss delta.
Without an interface a node is transparent (MODEL.md 3a, the seed's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks


def _mixing(value: ArrayLike | None) -> np.ndarray | None:
    if value is None:
        return None
    array = checks.as_real_array(value, "g_mix")
    if array.ndim == 0 or array.shape[-1] != 2:
        raise StackError("g_mix", f"must be a pair [g_r, g_i] (real and imaginary parts), got {value!r}")
    real, imaginary = array[..., 0], array[..., 1]
    bad = ~(real >= 0)  # nan too
    if bad.any():
        raise StackError("g_mix", f"the real part g_r must be >= 0, got {float(real[bad][0])!r}")
    bad = ~np.isfinite(imaginary)
    if bad.any():
        # |g_mix| = inf pins mu_perp to 0 whatever its phase: the limit is g_r = inf, and g_i alone cannot be inf
        raise StackError("g_mix", f"the imaginary part g_i must be finite (an infinite mixing conductance is "
                                  f"[inf, 0]: the limit does not depend on g_i), got {float(imaginary[bad][0])!r}")
    checks.finite(np.where(np.isinf(real), 1.0, real), "g_mix")  # magnitudes the solve can hold
    checks.finite(imaginary, "g_mix")
    return array


@dataclass(frozen=True, eq=False)
class Interface:
    """A resistive interface at ``node`` (0 = left end face, L = right end face).

    Parameters
    ----------
    node
        Node index.
    g_up, g_dn
        Spin-channel conductances per area (> 0), reduced units (conductance like D per length);
        ``inf`` for both is the transparent limit (MODEL.md 3a: mu and j_s continuous along the
        channel), solved exactly; a single infinite channel is refused.
    g_mix
        ``[g_r, g_i]``, the mixing conductance per spin at an N/F contact (g_r >= 0):
        the transverse spin current from N into F is g_r mu_perp + g_i mu x m.  ``g_r = inf``
        pins mu_perp to 0 on the N side (full absorption, as at a transparent N/F node); g_i
        must then be finite and no longer matters.  ``[inf, 0]`` with g_up = g_dn = inf is
        exactly the transparent interface (no interface at all), except beside a ferromagnet
        with l_J/l_phi, whose face an interface still keeps free of transverse spin.
    delta
        Spin memory loss (>= 0): the collinear channel becomes a thin-layer two-port.  Needs
        finite g_up, g_dn (with g = inf it would be an infinite spin sink, not a transparent
        interface).

    See Also
    --------
    Interface.from_valet_fert : from AR* and gamma.
    """

    node: int
    g_up: ArrayLike
    g_dn: ArrayLike
    g_mix: ArrayLike | None = None
    delta: ArrayLike = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.node, bool) or not isinstance(self.node, (int, np.integer)):
            raise StackError("node", f"must be an integer node index, got {self.node!r}")
        object.__setattr__(self, "node", int(self.node))
        g_up = checks.positive(self.g_up, "g_up", allow_inf=True)
        g_dn = checks.positive(self.g_dn, "g_dn", allow_inf=True)
        one_sided = np.isinf(g_up) != np.isinf(g_dn)
        if one_sided.any():
            key, other = ("g_dn", "g_up") if np.isinf(np.broadcast_to(g_up, one_sided.shape)[one_sided]).any() \
                else ("g_up", "g_dn")
            raise StackError(key, f"must be inf as well when {other} is inf (both inf is the transparent limit; "
                                  f"a single infinite spin channel is not modelled)")
        object.__setattr__(self, "g_up", g_up)
        object.__setattr__(self, "g_dn", g_dn)
        object.__setattr__(self, "g_mix", _mixing(self.g_mix))
        delta = checks.finite(self.delta, "delta")
        if (delta < 0).any():
            raise StackError("delta", f"must be >= 0, got {float(delta[delta < 0][0]) if delta.ndim else float(delta)!r}")
        lossy = np.isinf(g_up) & (delta > 0)
        if lossy.any():
            raise StackError("delta", f"must be 0 at an infinite conductance (g_up = g_dn = inf is the transparent "
                                      f"limit; with delta > 0 it would be an infinite spin sink), got "
                                      f"{float(np.broadcast_to(delta, lossy.shape)[lossy][0])!r}")
        object.__setattr__(self, "delta", delta)

    @classmethod
    def from_valet_fert(cls, node: int, AR: ArrayLike, gamma: ArrayLike, g_mix: ArrayLike | None = None,
                        delta: ArrayLike = 0.0) -> "Interface":
        """From the Valet-Fert interface resistance AR* (>= 0) and asymmetry gamma in (-1, 1).

        g_up = 1 / (2 AR* (1 - gamma)), g_dn = 1 / (2 AR* (1 + gamma)) (MODEL.md 3b); AR* = 0 gives
        g_up = g_dn = inf, the transparent limit (gamma then plays no part).
        """
        resistance = checks.as_real_array(AR, "AR")
        bad = ~(resistance >= 0)
        if bad.any():
            raise StackError("AR", f"must be >= 0 (0: transparent), got {float(np.broadcast_to(resistance, bad.shape)[bad][0])!r}")
        resistance = checks.finite(resistance, "AR")
        asymmetry = checks.open_interval(gamma, -1.0, 1.0, "gamma")
        with np.errstate(divide="ignore"):
            g_up = 1.0 / (2.0 * resistance * (1.0 - asymmetry))
            g_dn = 1.0 / (2.0 * resistance * (1.0 + asymmetry))
        return cls(node, g_up, g_dn, g_mix, delta)

    @property
    def g(self) -> np.ndarray:
        """Total conductance g_up + g_dn."""
        return self.g_up + self.g_dn

    @property
    def gamma(self) -> np.ndarray:
        """Interface spin asymmetry (g_up - g_dn) / g; 0 where g_up = g_dn = inf (transparent: no asymmetry)."""
        infinite = np.isinf(self.g_up) & np.isinf(self.g_dn)
        if not infinite.any():
            return (self.g_up - self.g_dn) / (self.g_up + self.g_dn)
        g_up, g_dn = (np.where(infinite, 1.0, value) for value in (self.g_up, self.g_dn))
        return np.where(infinite, 0.0, (g_up - g_dn) / (g_up + g_dn))
