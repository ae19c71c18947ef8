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
    array = checks.finite(value, "g_mix")
    if array.ndim == 0 or array.shape[-1] != 2:
        raise StackError("g_mix", f"must be a pair [g_r, g_i] (real and imaginary parts), got {value!r}")
    bad = array[..., 0] < 0
    if bad.any():
        raise StackError("g_mix", f"the real part g_r must be >= 0, got {float(array[..., 0][bad][0])!r}")
    return array


@dataclass(frozen=True, eq=False)
class Interface:
    """A resistive interface at ``node`` (0 = left end face, L = right end face).

    Parameters
    ----------
    node
        Node index.
    g_up, g_dn
        Spin-channel conductances per area (> 0), reduced units (conductance like D per length).
    g_mix
        ``[g_r, g_i]``, the mixing conductance per spin at an N/F contact (g_r >= 0):
        the transverse spin current from N into F is g_r mu_perp + g_i mu x m.
    delta
        Spin memory loss (>= 0): the collinear channel becomes a thin-layer two-port.

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
        object.__setattr__(self, "g_up", checks.positive(self.g_up, "g_up"))
        object.__setattr__(self, "g_dn", checks.positive(self.g_dn, "g_dn"))
        object.__setattr__(self, "g_mix", _mixing(self.g_mix))
        delta = checks.finite(self.delta, "delta")
        if (delta < 0).any():
            raise StackError("delta", f"must be >= 0, got {float(delta[delta < 0][0]) if delta.ndim else float(delta)!r}")
        object.__setattr__(self, "delta", delta)

    @classmethod
    def from_valet_fert(cls, node: int, AR: ArrayLike, gamma: ArrayLike, g_mix: ArrayLike | None = None,
                        delta: ArrayLike = 0.0) -> "Interface":
        """From the Valet-Fert interface resistance AR* (> 0) and asymmetry gamma in (-1, 1).

        g_up = 1 / (2 AR* (1 - gamma)), g_dn = 1 / (2 AR* (1 + gamma)) (MODEL.md 3b).
        """
        resistance = checks.positive(AR, "AR")
        asymmetry = checks.open_interval(gamma, -1.0, 1.0, "gamma")
        return cls(node, 1.0 / (2.0 * resistance * (1.0 - asymmetry)), 1.0 / (2.0 * resistance * (1.0 + asymmetry)),
                   g_mix, delta)

    @property
    def g(self) -> np.ndarray:
        """Total conductance g_up + g_dn."""
        return self.g_up + self.g_dn

    @property
    def gamma(self) -> np.ndarray:
        """Interface spin asymmetry (g_up - g_dn) / g."""
        return (self.g_up - self.g_dn) / (self.g_up + self.g_dn)
