"""Finite transverse spin coherence in a ferromagnet (MODEL.md 8e): the complex transverse two-port.

Inside a coherent F the part of mu_s normal to m obeys

    d^2 mu_perp/dx^2 = kappa_perp mu_perp + (mu_perp x m) / l_J^2,   j_perp = -(D_perp / 2) dmu_perp/dx
    kappa_perp = kappa_sf + 1 / l_phi^2,   kappa_sf = D / (D_perp l^2).

The plane normal to m is identified with C by i <-> m x . (so a complex z = u + i v acts as
u P_perp + v [m]x, P_perp = I - m m^T, [m]x v = m x v).  mu_perp x m = -m x mu_perp = -i mu_perp,
hence mu_perp'' = k^2 mu_perp with k^2 = kappa_perp - i / l_J^2, Re k > 0, and the two-port of a
layer of thickness d (X = k d, Gt = D_perp k / 2) is

    j_perp(a+) = Gt coth(X) mu_a - Gt csch(X) mu_b,    j_perp(b-) = Gt csch(X) mu_a - Gt coth(X) mu_b;

a semi-infinite lead has Gt.  Since arg k^2 lies in [-pi/2, 0], |Im X| <= Re X: every function
below is evaluated either from exponentials of -X (Re X > 30), from a series (|X| < 1e-6), or
directly (|X| <= 30 sqrt 2), so nothing overflows for d from 1e-9 to 1e6 and lengths from 1e-9 to inf.

As in :mod:`.hyperbolic`, the two-port is written as D_perp / (2 d) times X coth X and X csch X,
bounded near X = 0 (k = 0: l, l_J and l_phi all infinite, the straight line).
"""

from __future__ import annotations

import numpy as np

from .arrays import Element
from .vectors import cross, cross_matrix, dot, outer

_LARGE = 30.0  # Re X above which exponential forms are used
_SMALL = 1e-6  # |X| below which series are used


def _split(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(large, small, moderate-safe X): masks and an argument safe for the direct formulas."""
    X = np.asarray(X, dtype=complex)
    large = X.real > _LARGE
    small = np.abs(X) < _SMALL
    safe = np.where(large | small, 1.0 + 0.0j, X)
    return large, small, safe


def _large_safe(X: np.ndarray, large: np.ndarray) -> np.ndarray:
    return np.where(large, X, _LARGE + 1.0 + 0.0j)


def x_coth_x(X: np.ndarray) -> np.ndarray:
    """X coth X for complex X with Re X >= |Im X|: 1 at X = 0, ~X for large X."""
    X = np.asarray(X, dtype=complex)
    large, small, safe = _split(X)
    big = _large_safe(X, large)
    e = np.exp(-2.0 * big)
    direct = safe * np.cosh(safe) / np.sinh(safe)
    return np.where(large, big * (1.0 + e) / (1.0 - e), np.where(small, 1.0 + X * X / 3.0, direct))


def x_csch_x(X: np.ndarray) -> np.ndarray:
    """X csch X = X / sinh X for complex X with Re X >= |Im X|: 1 at X = 0, 2 X exp(-X) for large X."""
    X = np.asarray(X, dtype=complex)
    large, small, safe = _split(X)
    big = _large_safe(X, large)
    direct = safe / np.sinh(safe)
    return np.where(large, 2.0 * big * np.exp(-big) / (1.0 - np.exp(-2.0 * big)),
                    np.where(small, 1.0 - X * X / 6.0, direct))


def tanh_half_x_over_x(X: np.ndarray) -> np.ndarray:
    """tanh(X / 2) / X: 1/2 at X = 0, ~1/X for large X (the integral of the profile over the layer)."""
    X = np.asarray(X, dtype=complex)
    large, small, safe = _split(X)
    big = _large_safe(X, large)
    direct = np.tanh(0.5 * safe) / safe
    return np.where(large, (1.0 - np.exp(-big)) / ((1.0 + np.exp(-big)) * big),
                    np.where(small, 0.5 - X * X / 24.0, direct))


def sinh_ratio(t: np.ndarray, X: np.ndarray) -> np.ndarray:
    """sinh(t X) / sinh(X) for t in [0, 1] and complex X with Re X >= |Im X|; t at X = 0."""
    X = np.asarray(X, dtype=complex)
    zero = X == 0
    safe = np.where(zero, 1.0 + 0.0j, X)
    ratio = np.exp((t - 1.0) * safe) * np.expm1(-2.0 * t * safe) / np.expm1(-2.0 * safe)
    return np.where(zero, t + 0.0j, ratio)


def x_cosh_ratio(t: np.ndarray, X: np.ndarray) -> np.ndarray:
    """X cosh(t X) / sinh(X) for t in [0, 1] and complex X with Re X >= |Im X|; 1 at X = 0."""
    X = np.asarray(X, dtype=complex)
    zero = X == 0
    safe = np.where(zero, 1.0 + 0.0j, X)
    ratio = safe / -np.expm1(-2.0 * safe) * (np.exp((t - 1.0) * safe) + np.exp(-(t + 1.0) * safe))
    return np.where(zero, 1.0 + 0.0j, ratio)


# ------------------------------------------------------------------ the material
def _inverse_square(length: np.ndarray) -> np.ndarray:
    return 1.0 / np.asarray(length, dtype=float) ** 2  # 0 for inf


def rates(element: Element) -> tuple[np.ndarray, np.ndarray]:
    """(kappa_sf, w) with k^2 = kappa_sf + w, w = 1 / l_phi^2 - i / l_J^2 (the exchange and dephasing part)."""
    kappa_sf = np.asarray(element.D, dtype=float) / element.D_perp * _inverse_square(element.l)
    w = _inverse_square(element.l_phi) - 1j * _inverse_square(element.l_J)
    return kappa_sf, w


def wavenumber(element: Element) -> np.ndarray:
    """k = sqrt(kappa_perp - i / l_J^2) with Re k >= 0 (0 when l, l_J and l_phi are all infinite)."""
    kappa_sf, w = rates(element)
    return np.sqrt(kappa_sf + w)


def layer_stiffness(element: Element) -> tuple[np.ndarray, np.ndarray]:
    """(Gt coth(k d), Gt csch(k d)) of a coherent F layer, complex, finite for every d in (0, inf)."""
    X = wavenumber(element) * element.thickness
    scale = np.asarray(element.D_perp, dtype=float) / (2.0 * element.thickness)
    return scale * x_coth_x(X), scale * x_csch_x(X)


def lead_stiffness(element: Element) -> np.ndarray:
    """Gt = D_perp k / 2 of a semi-infinite coherent F lead."""
    return 0.5 * np.asarray(element.D_perp, dtype=float) * wavenumber(element)


def integral_factor(element: Element) -> np.ndarray:
    """c with integral over the layer of mu_perp dx = c (mu_a + mu_b)_perp (complex): d tanh(kd/2) / (kd)."""
    X = wavenumber(element) * element.thickness
    return element.thickness * tanh_half_x_over_x(X)


def torque_factor(element: Element) -> np.ndarray:
    """c with torque = c (mu_a + mu_b)_perp (complex): the integral of (D_perp / 2) w mu_perp dx.

    Equal to C(1 - kappa_sf / k^2) [j_perp(a+) - j_perp(b-)] (MODEL.md 8e) without the 0/0 at k = 0.
    """
    _, w = rates(element)
    return 0.5 * np.asarray(element.D_perp, dtype=float) * w * integral_factor(element)


def torque_share(element: Element) -> np.ndarray:
    """1 - kappa_sf / k^2 = w / k^2 (complex): the share of the transverse spin entering the layer that goes to
    the magnetization (the rest is spin flip); 0 when k = 0 (then w = 0: no exchange, no dephasing)."""
    kappa_sf, w = rates(element)
    k2 = kappa_sf + w
    zero = k2 == 0
    return np.where(zero, 0.0, w / np.where(zero, 1.0, k2))


def loss_factor(element: Element) -> np.ndarray:
    """c with the transverse spin-flip loss = c (mu_a + mu_b)_perp: the integral of D mu_perp / (2 l^2) dx."""
    return 0.5 * np.asarray(element.D, dtype=float) * _inverse_square(element.l) * integral_factor(element)


# ------------------------------------------------- complex numbers acting on the plane normal to m
def as_matrix(z: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The real 3x3 matrix Re z P_perp + Im z [m]x, (..., 3, 3)."""
    z = np.asarray(z)
    projector = np.eye(3) - outer(m)
    return np.real(z)[..., None, None] * projector + np.imag(z)[..., None, None] * cross_matrix(m)


def act(z: np.ndarray, m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """z acting on v: Re z (v - (m.v) m) + Im z (m x v), (..., 3) (z broadcast against v[..., 0])."""
    z = np.asarray(z)
    perp = v - dot(m, v)[..., None] * m
    return np.real(z)[..., None] * perp + np.imag(z)[..., None] * cross(m, v)


def profile(element: Element, t: np.ndarray, mu_a: np.ndarray, mu_b: np.ndarray, m: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """(mu_perp, j_perp) at the fraction t in [0, 1] of the layer from its face values (..., 3).

    mu_perp(x) = [sinh(k (x_b - x)) mu_a + sinh(k (x - x_a)) mu_b] / sinh(k d) (operators on the plane),
    j_perp = -(D_perp / 2) dmu_perp/dx.  Element parameters broadcast against t.
    """
    X = wavenumber(element) * element.thickness
    mu = act(sinh_ratio(1.0 - t, X), m, mu_a) + act(sinh_ratio(t, X), m, mu_b)
    slope = act(x_cosh_ratio(t, X), m, mu_b) - act(x_cosh_ratio(1.0 - t, X), m, mu_a)  # d times dmu/dx
    scale = -0.5 * np.asarray(element.D_perp, dtype=float) / element.thickness
    return mu, np.asarray(scale)[..., None] * slope
