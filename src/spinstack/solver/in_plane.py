"""What the in-plane drive adds to the read-out (MODEL.md 8a, 8c, 8f), on arrays.

* sigma_hat = xhat x eps_hat, the spin Hall polarisation (8a);
* the damping-like and field-like parts of a torque on a magnet m,
  torque = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat (8f);
* the inverse spin Hall change of the in-plane current and the SMR ratios (8c).

Shapes carry the batch shape B in front; vectors are [x, y, z] on the last axis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .arrays import StackArrays
from .vectors import cross, dot

__all__ = ["PARALLEL_NORM", "SpinHallMagnetoresistance", "parallel_to_sigma_hat", "sigma_hat",
           "spin_hall_magnetoresistance", "torque_parts"]

# |m x sigma_hat|^2 at or below which m counts as parallel to sigma_hat (tau_DL, tau_FL undefined)
PARALLEL_NORM = 1e-24
_XHAT = np.array([1.0, 0.0, 0.0])


@dataclass(frozen=True)
class SpinHallMagnetoresistance:
    """MODEL.md 8c: the inverse spin Hall change of the in-plane current and its ratios.

    Attributes
    ----------
    change : (..., 3)  delta I, sum over N layers of -(theta_SH D / 2) xhat x [mu(x_b-) - mu(x_a+)]
    total : (..., 3)  I0, sum over the layers of sigma d eps (leads excluded)
        (both in-plane particle currents per width; for an SI stack charge currents per width
        e x that, in A/m, as ``smr.dI``, ``smr.I0`` of the JSON)
    longitudinal : -delta I . eps_hat / |I0|, the relative resistance change Delta R / R
    transverse : -delta I . sigma_hat / |I0|
    """

    change: np.ndarray
    total: np.ndarray
    longitudinal: np.ndarray
    transverse: np.ndarray


def sigma_hat(field_direction: np.ndarray) -> np.ndarray:
    """sigma_hat = xhat x eps_hat (= E_hat x xhat) of the unit field direction eps_hat, (..., 3) (MODEL.md 8a)."""
    return cross(np.broadcast_to(_XHAT, field_direction.shape), field_direction)


def parallel_to_sigma_hat(m: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Where |m x sigma_hat|^2 <= :data:`PARALLEL_NORM`: no damping-like/field-like basis, B (bool)."""
    turned = cross(np.broadcast_to(m, sigma.shape), sigma)
    return dot(turned, turned) <= PARALLEL_NORM


def torque_parts(project: Callable[[np.ndarray], np.ndarray], m: np.ndarray, sigma: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(tau_DL, tau_FL) of a torque T normal to m: T = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat (MODEL.md 8f).

    The two basis vectors are orthogonal with the same norm |m x sigma_hat|, so each part is T
    projected on its vector over that norm squared.

    Parameters
    ----------
    project
        v -> T . v for vectors v of shape B + (3,) (the caller may project without forming T).
    m
        The magnet's unit direction, broadcast to ``sigma.shape``.
    sigma
        sigma_hat, B + (3,).

    Returns
    -------
    tau_DL, tau_FL : B each, in the unit of T; NaN where m is parallel to sigma_hat (:func:`parallel_to_sigma_hat`).
    """
    m = np.broadcast_to(m, sigma.shape)
    field_direction = cross(m, sigma)  # m x sigma_hat; m x (sigma_hat x m) has the same norm
    norm = dot(field_direction, field_direction)
    defined = norm > PARALLEL_NORM
    safe = np.where(defined, norm, 1.0)
    return (np.where(defined, project(cross(m, cross(sigma, m))) / safe, np.nan),
            np.where(defined, project(field_direction) / safe, np.nan))


def spin_hall_magnetoresistance(arrays: StackArrays, accumulation: np.ndarray, accumulation_right: np.ndarray,
                                field_direction: np.ndarray, sigma: np.ndarray) -> SpinHallMagnetoresistance:
    """The inverse spin Hall change of the in-plane current to first order, and its ratios (MODEL.md 8c).

        delta I = sum over N layers of -(theta_SH D / 2) xhat x [mu(x_b-) - mu(x_a+)]
        I0 = sum over the layers of sigma d eps       (leads excluded, sigma = D / (1 - p^2))
        longitudinal = -delta I . eps_hat / |I0|,   transverse = -delta I . sigma_hat / |I0|

    Parameters
    ----------
    arrays
        The stack's numbers, with a field ``eps`` and at least one layer.
    accumulation, accumulation_right
        mu_s just left and just right of every node, (B..., L + 1, 3), energy.
    field_direction, sigma
        eps_hat and sigma_hat, B + (3,).

    Returns
    -------
    SpinHallMagnetoresistance
        ``change``, ``total`` (B + (3,)): delta I and I0, in-plane particle currents per width;
        ``longitudinal``, ``transverse`` (B): dimensionless (longitudinal is Delta R / R).
    """
    shape = arrays.batch_shape
    eps = np.broadcast_to(arrays.eps, shape + (3,))
    mu_a, mu_b = accumulation_right[..., :-1, :], accumulation[..., 1:, :]
    change = np.zeros(shape + (3,))
    total = np.zeros(shape + (3,))
    xhat = np.broadcast_to(_XHAT, shape + (3,))
    for i, layer in enumerate(arrays.layers):
        conductivity = layer.D / (1.0 - layer.p**2)
        total = total + (conductivity * layer.thickness)[..., None] * eps
        if layer.m is None and np.any(layer.theta_SH):
            weight = -(np.asarray(layer.theta_SH) * layer.D / 2.0)[..., None]
            change = change + weight * cross(xhat, mu_b[..., i, :] - mu_a[..., i, :])
    magnitude = np.linalg.norm(total, axis=-1)
    return SpinHallMagnetoresistance(change, total, -dot(change, field_direction) / magnitude,
                                     -dot(change, sigma) / magnitude)
