"""The two-ports of MODEL.md 2, 3b, 8b, 8d and 8e: what each element of a stack does to the spin current
at its faces, per unit current, as functions of its parameters (arrays broadcasting to the batch).

For a layer of thickness d, conductance D, spin diffusion length l and X = d / l (MODEL.md 2)

    j_s(x_a+) = p j0 m + Gc mu_a - Gs mu_b
    j_s(x_b-) = p j0 m + Gs mu_a - Gc mu_b,      Gc = G coth X,  Gs = G csch X,  G = D / (2 l)

and a semi-infinite lead has Gc = G, Gs = 0.  Each coefficient is evaluated directly in a form
finite for every d / l in [0, inf) (:mod:`.hyperbolic`), the differences that thin layers need
(Gc - Gs) included.  These are the only places the formulas are written: the node system
(:mod:`.system`), every backend and the integrals (:mod:`.integrals`) take them from here.
"""

from __future__ import annotations

import numpy as np

from . import coherent
from .arrays import Boundary, Element, InterfaceElement
from .hyperbolic import x_coth_x, x_csch_x, x_tanh_half_x
from .vectors import outer, transverse_sink


def layer_stiffness(element: Element) -> tuple[np.ndarray, np.ndarray]:
    """(Gc, Gs) of a layer, finite for every d / l in [0, inf)."""
    X = element.thickness / element.l  # 0 for l = inf
    scale = element.D / (2.0 * element.thickness)
    return scale * x_coth_x(X), scale * x_csch_x(X)


def coherent_layer_stiffness(element: Element, shape: tuple[int, ...], gc: np.ndarray, gs: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray]:
    """(K_aa, -K_ab) of a coherent F layer as (B, 3, 3): Gc, Gs on m m^T plus the complex transverse two-port
    Gt coth(kd), Gt csch(kd) acting on the plane normal to m (MODEL.md 8e)."""
    m = np.broadcast_to(element.m, shape + (3,))
    longitudinal = outer(m)
    t_coth, t_csch = (np.broadcast_to(v, shape) for v in coherent.layer_stiffness(element))
    return (gc[..., None, None] * longitudinal + coherent.as_matrix(t_coth, m),
            gs[..., None, None] * longitudinal + coherent.as_matrix(t_csch, m))


def layer_sink(element: Element) -> np.ndarray:
    """Gc - Gs = D/(2d) X tanh(X/2) of a layer, evaluated directly: ~D d / (4 l^2) for a thin layer, whose
    Gc and Gs are each ~D / (2d)."""
    X = element.thickness / element.l
    return element.D / (2.0 * element.thickness) * x_tanh_half_x(X)


def coherent_transverse_sink(element: Element) -> np.ndarray:
    """The complex D_perp/(2d) (kd) tanh(kd/2) of a coherent F layer: its Gc - Gs normal to m, evaluated directly."""
    kd = coherent.wavenumber(element) * element.thickness
    return np.asarray(element.D_perp, dtype=float) / (2.0 * element.thickness) * kd**2 * coherent.tanh_half_x_over_x(kd)


def coherent_layer_sink(element: Element, shape: tuple[int, ...], along: np.ndarray) -> np.ndarray:
    """Gc - Gs of a coherent F layer, (B, 3, 3): ``along`` on m m^T plus :func:`coherent_transverse_sink`
    on the plane normal to m."""
    m = np.broadcast_to(element.m, shape + (3,))
    transverse = coherent_transverse_sink(element)
    return along[..., None, None] * outer(m) + coherent.as_matrix(np.broadcast_to(transverse, shape), m)


def lead_stiffness(element: Element) -> np.ndarray:
    """G = D / (2 l) of a semi-infinite lead (0 for l = inf)."""
    return element.D / (2.0 * element.l)


def interface_channel(interface: InterfaceElement) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(s, 1/s, c - s, c) of the collinear channel, c = G_I coth delta, s = G_I csch delta, G_I = g (1 - gamma^2)
    delta / 2 (MODEL.md 3b; delta = 0 gives c = s = g (1 - gamma^2) / 2).

    Exact for g = inf (then delta = 0: s = c = inf, 1/s = 0) and for a large delta (s underflows to 0,
    1/s overflows to inf: the two faces decouple); each is evaluated directly, never as a difference.
    """
    channel = 0.5 * interface.g * (1.0 - interface.gamma**2)  # g (1 - gamma^2) / 2, inf at g = inf
    delta = interface.delta
    ratio = x_csch_x(delta)  # delta / sinh(delta)
    with np.errstate(divide="ignore"):
        resistance = (1.0 / channel) / ratio  # 0 at g = inf (delta = 0 there), inf where ratio underflows
    lossy = delta > 0
    # where delta = 0 the shunt is 0 (not inf * 0 at g = inf)
    shunt = np.where(lossy, channel * x_tanh_half_x(np.where(lossy, delta, 1.0)), 0.0)
    return channel * ratio, resistance, shunt, channel * x_coth_x(delta)

def spin_hall_source(element: Element, eps: np.ndarray) -> np.ndarray:
    """s = theta_SH D (xhat x eps) of a normal metal under the in-plane field eps (MODEL.md 8b)."""
    along = np.stack([np.zeros_like(eps[..., 0]), -eps[..., 2], eps[..., 1]], axis=-1)  # xhat x eps
    return (np.asarray(element.theta_SH) * element.D)[..., None] * along


def boundary_conductance(boundary: Boundary, shape: tuple[int, ...]) -> np.ndarray:
    """M with j_s(into the end) = M mu = g_r mu_perp + g_i mu x m + g_s (m.mu) m, (B, 3, 3) (MODEL.md 8d)."""
    if boundary.kind == "open":
        return np.zeros(shape + (3, 3))
    m = np.broadcast_to(boundary.m, shape + (3,))
    g_r, g_i, g_s = (np.broadcast_to(v, shape)[..., None, None] for v in (boundary.g_r, boundary.g_i, boundary.g_s))
    return transverse_sink(m, g_r, g_i) + g_s * outer(m)



def coherent_lead_stiffness(element: Element, shape: tuple[int, ...]) -> np.ndarray:
    """The stiffness of a semi-infinite coherent F lead, (B, 3, 3): G on m m^T plus the complex Gt
    (:func:`.coherent.lead_stiffness`) on the plane normal to m (MODEL.md 8e)."""
    G = np.broadcast_to(lead_stiffness(element), shape)
    m = np.broadcast_to(element.m, shape + (3,))
    return G[..., None, None] * outer(m) + coherent.as_matrix(np.broadcast_to(coherent.lead_stiffness(element), shape), m)
