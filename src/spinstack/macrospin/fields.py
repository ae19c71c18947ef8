"""The effective field on every free layer and the magnetic energy per area (MODEL.md 9b; no thermal field here).

Both take the free layers' magnetizations ``m`` (..., n_free, 3) (unit vectors, :class:`Macrospins` order)
and broadcast over the leading axes with the macrospins' own batch.  B = -(1 / (Ms d)) dE/dm, so the
two are one model written twice (the tests check one against the other's gradient).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .spec import MU0, Macrospins

__all__ = ["effective_field", "energy"]


def effective_field(macrospins: Macrospins, m: ArrayLike) -> np.ndarray:
    """B_i, tesla, on every free layer: applied + uniaxial anisotropy + demagnetizing + interlayer exchange.

    Parameters
    ----------
    macrospins
        The layers' constants, the couplings and the applied field.
    m
        Free layers' magnetizations (..., n_free, 3); fixed F layers (in couplings) keep the stack's m.

    Returns
    -------
    numpy.ndarray
        (..., n_free, 3), tesla:  B_app + (2 K_u / Ms)(m . u) u - mu0 Ms (N_x m_x, N_y m_y, N_z m_z)
        + sum over couplings (J_ex / (Ms_a d_a)) m_b.
    """
    m = np.asarray(m, dtype=float)
    Ms = macrospins.Ms[..., None]
    u = macrospins.easy_axis
    along = np.sum(m * u, axis=-1, keepdims=True)
    field = (macrospins.field[..., None, :] + (2 * macrospins.K_u[..., None] / Ms) * along * u
             - MU0 * Ms * macrospins.demag * m)
    if macrospins.couplings:
        field = field + _exchange(macrospins, m)
    return field


def _exchange(macrospins: Macrospins, m: np.ndarray) -> np.ndarray:
    """The interlayer-exchange field on the free layers, (..., n_free, 3)."""
    every = macrospins.all_magnetizations(m)
    ferromagnets = macrospins.ferromagnets
    moment = macrospins.Ms * macrospins.thickness  # Ms d, A (..., n_free)
    parts = [np.zeros(every.shape[:-2] + (3,)) for _ in macrospins.free]
    for coupling in macrospins.couplings:
        for this, other in ((coupling.a, coupling.b), (coupling.b, coupling.a)):
            if this in macrospins.free:
                k = macrospins.free.index(this)
                strength = np.asarray(coupling.J_ex)[..., None] / moment[..., k, None]
                parts[k] = parts[k] + strength * every[..., ferromagnets.index(other), :]
    return np.stack(np.broadcast_arrays(*parts), axis=-2)


def energy(macrospins: Macrospins, m: ArrayLike) -> np.ndarray:
    """The magnetic energy per area of the free layers, J/m^2, shape (...).

    E = sum_i d_i [-Ms_i B_app . m_i - K_u,i (m_i . u_i)^2 + (mu0 Ms_i^2 / 2) sum_k N_k,i m_k,i^2]
    - sum over couplings J_ex m_a . m_b  (fixed layers' own terms are constants and left out).
    """
    m = np.asarray(m, dtype=float)
    Ms = macrospins.Ms
    density = (-Ms * np.sum(macrospins.field[..., None, :] * m, axis=-1)
               - macrospins.K_u * np.sum(m * macrospins.easy_axis, axis=-1) ** 2
               + 0.5 * MU0 * Ms ** 2 * np.sum(macrospins.demag * m ** 2, axis=-1))
    total = np.sum(macrospins.thickness * density, axis=-1)
    if macrospins.couplings:
        every = macrospins.all_magnetizations(m)
        ferromagnets = macrospins.ferromagnets
        for coupling in macrospins.couplings:
            a, b = every[..., ferromagnets.index(coupling.a), :], every[..., ferromagnets.index(coupling.b), :]
            total = total - coupling.J_ex * np.sum(a * b, axis=-1)
    return total
