"""The numpy backend: exact block elimination of the node system (:mod:`.system`) over a batch.

Forward elimination runs over the chain nodes (O(L) steps), each step a few numpy operations
vectorised over every configuration of the batch; back substitution gives the node values.  Each
node's block is the next part's own stiffness plus the load of everything to its left, kept
apart so that

* a thin layer passes its load on without cancellation (:func:`_thin_step`, channel by channel
  for a coherent F or beside a magnetic interface: :func:`_coherent_step`);
* a free node reached from a rail through plain layers has a load axial about that m (:class:`Axial`),
  ~D / 2d across m beyond a thin layer: it is stepped and inverted on m and normal to m apart
  (:func:`_axial_step`, :func:`_axial_inverse`), never formed as one Cartesian block;
* a resistive interface is stepped through in resistance form, exact for any conductance, inf
  included (:func:`_through_interface`, :func:`_grounded`, :func:`_block_inverse`);
* a direction that nothing fixes (no relaxation at all: l = inf beside g_mix = 0) takes its
  l -> inf limit, or is refused with the reason (:func:`_plane_inverse`, :func:`_floats`,
  :func:`_check_floating`).

This backend takes every stack (batches, open and insulator ends, in-plane fields, coherent F,
complex magnetizations); the others (:mod:`.backends`) are checked against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from ..errors import SpinstackError
from .system import Link, NodeSystem, Part
from .vectors import cross, dot, outer

def _sandwich(a: np.ndarray | None, K: np.ndarray, b: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """E_a^T K E_b for node bases (m vector or None = identity): (B, n_a, n_b)."""
    if K.ndim == len(shape):  # a multiple of the identity
        if a is not None and b is not None:
            return (K if a is b else K * dot(a, b))[..., None, None]
        if a is not None:
            return K[..., None, None] * a[..., None, :]
        if b is not None:
            return K[..., None, None] * b[..., :, None]
        return K[..., None, None] * np.eye(3)
    left = K if a is None else np.einsum("...i,...ij->...j", a, K)[..., None, :]
    return left if b is None else np.einsum("...ij,...j->...i", left, b)[..., :, None]




def _project(axis: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """E^T v: (B, n, 1)."""
    if axis is None:
        return vector[..., :, None]
    return dot(axis, vector)[..., None, None]


def _solve_small(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve a batch of 1x1 or 3x3 systems (no pivoting: the blocks have a positive definite symmetric part)."""
    if matrix.shape[-1] == 1:
        return rhs / matrix
    # 3x3 by the adjugate, spelled out element by element (np.cross and batched matmul are slow on
    # 3-vectors); exact for complex input too
    a = [[matrix[..., i, j] for j in range(3)] for i in range(3)]
    cofactor = [[a[(i + 1) % 3][(j + 1) % 3] * a[(i + 2) % 3][(j + 2) % 3]
                 - a[(i + 1) % 3][(j + 2) % 3] * a[(i + 2) % 3][(j + 1) % 3] for j in range(3)] for i in range(3)]
    determinant = a[0][0] * cofactor[0][0] + a[0][1] * cofactor[0][1] + a[0][2] * cofactor[0][2]
    b = [rhs[..., j, :] for j in range(3)]
    # inverse[i][j] = cofactor[j][i] / det
    rows = [(cofactor[0][i][..., None] * b[0] + cofactor[1][i][..., None] * b[1] + cofactor[2][i][..., None] * b[2])
            for i in range(3)]
    return np.stack(rows, axis=-2) / determinant[..., None, None]


def _thin(layer: Part, load: np.ndarray, channel: int = 0) -> np.ndarray:
    """Where a layer's channel is thin and the load at its left node softer than the channel, (B,)."""
    thin, stiffness = layer.channels[channel]
    if not thin.any():
        return thin
    return thin & (np.abs(load).max(axis=(-2, -1)) <= stiffness)


def _thin_step(layer: Part, load: np.ndarray, pushed: np.ndarray, block: np.ndarray, partial: np.ndarray,
               axis_a: np.ndarray | None, axis_b: np.ndarray | None, shape: tuple[int, ...],
               inverse: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load and pushed right-hand side at a thin plain layer's right node b, from those at its left node a.

    The plain Schur step gives the load L = Gc - Gs Z^-1 Gs (Z = Gc + Y the block at a, Y the
    load there).  For a thin layer both terms are ~D / (2d) and their difference ~D d / l^2 is
    lost: a thin film between open ends came out 3 % wrong at d = 1e-7 l and 0/0 at 1e-9 l.
    With the layer's sink T = Gc - Gs evaluated directly and W = Y + T (so Gs = Z - W), the same
    step is exactly

        L = Y + 2T - W Z^-1 W,        R_b = R - W Z^-1 (R - s)

    (R the pushed right-hand side at a, s the layer's source; Z^-1 (R - s) is node a's own
    eliminated right-hand side ``partial``), free of large terms when the layer is thin and Y
    no stiffer than it (where W ~ Z the form would cancel instead: the caller chooses).  From a
    rail node a (m, 1 x 1 blocks) it holds along m; normal to m the node is pinned and the
    layer's transverse stiffness Gc reaches a node b of another basis through |m x m_b|^2.
    ``inverse``, when given, is Z^-1 (a node just right of an interface, whose block may hold the
    infinite conductances of a transparent one: Z itself is not used then).
    """
    Y, Z, R = load, block, pushed
    if axis_a is None:
        W = Y + layer.sink[..., None, None] * np.eye(3)
        full = Y + 2.0 * layer.sink[..., None, None] * np.eye(3) - W @ _solve_block(Z, inverse, W)
        pushed_full = R - W @ partial
        if axis_b is None:
            return full, pushed_full
        return _sandwich(axis_b, full, axis_b, shape), _project(axis_b, pushed_full[..., 0])
    T = layer.sink[..., None, None]
    W = Y + T
    along = Y + 2.0 * T - W * W / Z
    pushed_along = R - W * partial
    if axis_b is axis_a:
        return along, pushed_along
    m = axis_a
    gc = layer.K_aa[..., None, None]
    transverse_source = layer.source - dot(m, layer.source)[..., None] * m
    if axis_b is None:  # Gc (1 - m m^T) + L_m m m^T
        longitudinal = outer(m)
        return (gc * (np.eye(3) - longitudinal) + along * longitudinal,
                transverse_source[..., :, None] + m[..., :, None] * pushed_along)
    cosine = dot(m, axis_b)[..., None, None]
    sine2 = np.sum(cross(m, axis_b) ** 2, axis=-1)[..., None, None]  # 1 - cos^2 without the cancellation
    return gc * sine2 + along * cosine**2, _project(axis_b, transverse_source) + cosine * pushed_along


def _coherent_step(layer: Part, load: np.ndarray, pushed: np.ndarray, block: np.ndarray, axis_b: np.ndarray | None,
                   shape: tuple[int, ...], inverse: np.ndarray | None = None, axis: np.ndarray | None = None,
                   along: np.ndarray | None = None, plane: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_thin_step` for a coherent F layer from its free left node, channel by channel.

    Along m and normal to m the layer may be thin or not (l and l_J differ), so the exact
    rewriting is taken on the thin channels only: P projects on the channels that are thin with a
    soft load, and with Gs = P Z + V, V = (1 - P) Gs - P W (Gs, T and P commute),

        L = (1 - P) Gc + P (Y + 2T) P - V Z^-1 V',      V' = Gs (1 - P) - W P
        R_b = s + P (R - s) + V Z^-1 (R - s)

    exactly, for any such P (P = 0 is the plain step, P = 1 that of :func:`_thin_step`).

    With ``axis``: a plain (isotropic) layer from the free node just right of a magnetic interface,
    whose load is axial about the interface's m = ``axis``: ``along`` on m m^T, and normal to m as stiff
    as a large mixing conductance (m^T load m would carry that conductance times the rounding of
    m^T P_perp m: ``along`` is given), and its part normal to m is the interface's sink there, ``plane``
    (0 without one): Q load Q would hold ``along`` times the rounding of Q m (0.1 for g = 1e16, against
    the true 0 of g_mix = 0).  The channels are then along and normal to ``axis``, each soft or not by
    its own part of the load.
    """
    Y, Z, R = load, block, pushed
    eye = np.eye(3)
    if axis is None:
        gc, gs, T = layer.K_aa, -layer.K_ab, layer.sink
        m = np.broadcast_to(layer.axis, shape + (3,))
        longitudinal = outer(m)
        P = (_thin(layer, Y, 0)[..., None, None] * longitudinal
             + _thin(layer, Y, 1)[..., None, None] * (eye - longitudinal))
    else:
        gc, gs, T = (value[..., None, None] * eye for value in (layer.K_aa, -layer.K_ab, layer.sink))
        longitudinal = outer(axis)
        transverse = eye - longitudinal
        thin, stiffness = layer.channels[0]
        finite = np.isfinite(Y).all(axis=(-2, -1))  # an inf-marked (pinned) load is soft nowhere
        soft = finite & (np.abs(along) <= stiffness)
        plane = np.zeros(shape + (3, 3)) if plane is None else np.where(finite[..., None, None], plane, 0.0)
        across = finite & (np.abs(plane).max(axis=(-2, -1)) <= stiffness)
        P = (thin & soft)[..., None, None] * longitudinal + (thin & across)[..., None, None] * transverse
    Y = _finite_load(Y)  # an infinite load is never thin (P = 0 there): only P-weighted terms see it
    W = Y + T
    rest = eye - P
    if axis is None:
        PW, WP, PYP = P @ W, W @ P, P @ (Y + 2.0 * T) @ P
    else:
        # Y is axial: P Y = Y P = p_along (m.Y m) m m^T + p_across Q Y Q, written so, not as products: m m^T Y
        # would carry the rounding of m^T Q times a mixing conductance of 1e30 normal to m
        p_along, p_across = (thin & soft)[..., None, None], (thin & across)[..., None, None]
        Y_along = np.where(finite, along, 0.0)[..., None, None] * longitudinal
        Y_across = np.where(p_across, plane, 0.0)
        sink = layer.sink[..., None, None]
        PW = WP = p_along * (Y_along + sink * longitudinal) + Y_across + p_across * (sink * transverse)
        PYP = p_along * (Y_along + 2.0 * sink * longitudinal) + Y_across + p_across * (2.0 * sink * transverse)
    V = rest @ gs - PW
    full = rest @ gc + PYP - V @ _solve_block(Z, inverse, gs @ rest - WP)
    source = layer.source[..., :, None]
    difference = R - source
    pushed_full = source + P @ difference + V @ _solve_block(Z, inverse, difference)
    if axis_b is None:
        return full, pushed_full
    return _sandwich(axis_b, full, axis_b, shape), _project(axis_b, pushed_full[..., 0])


class Axial(NamedTuple):
    """The load at a free node that is axial about a magnetization m: ``across`` (1 - m m^T) + ``along`` m m^T, each
    (B,) and exact, with ``scale`` (B,) the size of what ``along`` was formed from (the 0 of a direction that
    nothing fixes is rounding of that).

    So is the load one plain layer beyond a rail node (the rail pins mu_perp there: ``across`` is the layer's
    Gc), and, layer after layer, at the free nodes that follow (an isotropic layer steps each channel apart).
    Beyond a thin layer ``across`` ~ D / 2d against an O(1) ``along``: in Cartesian coordinates every entry
    of the load, and so its part along m, would carry eps D / 2d (~1e-16 x spacer / d of the solution).
    """

    m: np.ndarray  # (B, 3)
    longitudinal: np.ndarray  # m m^T, (B, 3, 3) (formed once for a run of free nodes)
    along: np.ndarray
    across: np.ndarray
    scale: np.ndarray

    def matrix(self) -> np.ndarray:
        """The load as a (B, 3, 3) matrix (only where a step needs it whole: an interface or a 3 x 3 part beyond)."""
        return self.across[..., None, None] * np.eye(3) + (self.along - self.across)[..., None, None] * self.longitudinal


def _channel_step(layer: Part, load: np.ndarray, thin: np.ndarray) -> np.ndarray:
    """The load at a plain layer's node b from a scalar load ``load`` (B,) of one channel at its node a, (B,).

    The plain Schur step Gc - Gs^2 / Z (Z = load + Gc) where the layer is not thin with a soft load, else the
    cancellation-free L = Y + 2T - W^2 / Z (W = Y + T, T = Gc - Gs its sink; see :func:`_thin_step`).
    """
    gc, gs, T = layer.K_aa, -layer.K_ab, layer.sink
    plain = gc - gs * (gs / (load + gc))  # (gc for an infinite load: a node pinned behind a transparent interface)
    thin = thin & (np.abs(load) <= gc)
    if not thin.any():
        return plain
    Y = np.where(thin, load, 0.0)  # (an infinite load elsewhere kept out of the sums)
    W = Y + T
    return np.where(thin, Y + 2.0 * T - W * W / (Y + gc), plain)


def _axial_step(layer: Part, axial: Axial, pushed: np.ndarray, axis_b: np.ndarray | None
                ) -> tuple[np.ndarray | None, np.ndarray, Axial | None]:
    """(load, pushed, axial load) at node b of a plain layer whose free node a has an axial load: at a free node b
    (None, pushed, its axial load), on a rail (load, pushed, None).

    Each channel (along m, normal to m) steps apart (:func:`_channel_step`), and so does the pushed
    right-hand side: R_b = s + Gs Z^-1 (R - s) with Z^-1 = m m^T / Z_along + (1 - m m^T) / Z_across
    (R the pushed right-hand side at a, s the layer's source), Gs / Z evaluated per channel without
    cancellation.  At a free node b the load is axial again, on a rail m_b it is L_along (m.m_b)^2 +
    L_across |m x m_b|^2.
    """
    m, thin = axial.m, layer.channels[0][0]
    gc, gs = layer.K_aa, -layer.K_ab
    along, across = _channel_step(layer, axial.along, thin), _channel_step(layer, axial.across, thin)
    difference = pushed[..., 0] - layer.source
    on_m = dot(m, difference)
    g_along, g_across = gs / (axial.along + gc), gs / (axial.across + gc)
    pushed_b = layer.source + g_across[..., None] * difference + ((g_along - g_across) * on_m)[..., None] * m
    if axis_b is None:
        return None, pushed_b[..., :, None], Axial(m, axial.longitudinal, along, across,
                                                   np.abs(axial.along) + np.abs(layer.sink))
    cosine = dot(m, axis_b)
    sine2 = np.sum(cross(m, axis_b) ** 2, axis=-1)
    return (across * sine2 + along * cosine**2)[..., None, None], dot(axis_b, pushed_b)[..., None, None], None


def _rail_axial(layer: Part, m: np.ndarray, load: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, Axial]:
    """(pushed, axial load) at the free node b of a plain layer stepped into from a rail node a on m (1 x 1 blocks):
    the load is Gc normal to m (the rail pins mu_perp at a) and the channel step of the load Y at a along it;
    the pushed right-hand side s + Gs x_a m, x_a = Z^-1 (R - m.s) being node a's ``partial`` (a product, exact,
    where R - W x_a along m is a difference)."""
    Y = load[..., 0, 0]
    axial = Axial(m, outer(m), _channel_step(layer, Y, layer.channels[0][0]), np.broadcast_to(layer.K_aa, Y.shape),
                  np.abs(Y) + np.abs(layer.sink))
    return (layer.source + (-layer.K_ab * partial[..., 0, 0])[..., None] * m)[..., :, None], axial


def _axial_inverse(axial: Axial, stiffness: np.ndarray) -> np.ndarray:
    """The inverse (B, 3, 3) of the block at a free node with an axial load plus a part beyond of scalar ``stiffness`` K.

    Taken on m and normal to m apart: m m^T / (along + K) + (1 - m m^T) / (across + K).  Beyond a thin
    layer whose left node is on a rail, ``across`` is its Gc ~ D / 2d and ``along`` is O(1): the block
    formed in Cartesian coordinates carries eps Gc in every entry, i.e. in its part along m, and its
    inverse lost ~eps Gc / (along + K) of the accumulation along m (~1e-16 x spacer / d).  Here each part
    is exact to rounding, whatever the contrast.
    """
    on_m, across = 1.0 / (axial.along + stiffness), 1.0 / (axial.across + stiffness)
    return across[..., None, None] * np.eye(3) + (on_m - across)[..., None, None] * axial.longitudinal


def _through_plain_link(link: Link, axial: Axial, pushed: np.ndarray, b_active: bool
                        ) -> tuple[tuple[np.ndarray | None, np.ndarray], tuple[Axial, np.ndarray] | None]:
    """:func:`_through_interface` for an N/N interface whose node a has an axial load, channel by channel.

    The weight (1 + r H)^-1 of the resistance form (H = load + c - s) is axial too: 1 / (1 + r H) on each
    channel, and so is the load H / (1 + r H) + (c - s) it passes on to node b, each evaluated apart
    (in Cartesian coordinates the ~D / 2d channel normal to m would carry its rounding into the one
    along m).

    Returns
    -------
    (carry, partial)
        x_a = partial - carry x_b (carry None when node b is a reservoir).
    (axial load, pushed) or None
        For node b (None when it is a reservoir).
    """
    r, shunt, m = link.resistance, link.shunt, axial.m
    H_along, H_across = axial.along + shunt, axial.across + shunt
    # r |H| beyond 1e280 only decouples the faces further (as in _through_interface)
    r = np.minimum(r, 1e280 / (1.0 + np.maximum(np.abs(H_along), np.abs(H_across))))
    w_along, w_across = 1.0 / (1.0 + r * H_along), 1.0 / (1.0 + r * H_across)
    vector = pushed[..., 0]

    def weighted(v: np.ndarray) -> np.ndarray:  # (1 + r H)^-1 v
        return w_across[..., None] * v + ((w_along - w_across) * dot(m, v))[..., None] * m

    passed = weighted(vector)
    partial = (r[..., None] * passed)[..., :, None]
    if not b_active:
        return (None, partial), None
    weight = w_across[..., None, None] * np.eye(3) + (w_along - w_across)[..., None, None] * axial.longitudinal
    following = Axial(m, axial.longitudinal, H_along * w_along + shunt, H_across * w_across + shunt,
                      np.abs(axial.along) + np.abs(shunt))
    return (-weight, partial), (following, passed[..., :, None])


def _solve_block(block: np.ndarray, inverse: np.ndarray | None, rhs: np.ndarray) -> np.ndarray:
    """block^-1 rhs, by ``inverse`` when it is known."""
    return _solve_small(block, rhs) if inverse is None else inverse @ rhs


def _finite_load(load: np.ndarray) -> np.ndarray:
    """``load`` with its infinite entries (a node pinned by a transparent interface) set to 0.

    Used where only thin configurations count (an infinite load is never thin): the others
    are discarded, and must not fill the arithmetic with inf - inf.
    """
    finite = np.isfinite(load)
    return load if finite.all() else np.where(finite, load, 0.0)


def _inverse3(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a batch of 3x3 matrices, scaled first (entries up to the conductances' 1e150 squared
    and cubed would overflow the adjugate's products)."""
    scale = np.abs(matrix).max(axis=(-2, -1))[..., None, None]
    scale = np.where(scale > 0, scale, 1.0)
    identity = np.broadcast_to(np.eye(3), matrix.shape)
    return _solve_small(matrix / scale, identity) / scale


#: singular values of a node block below this fraction of its scale are taken as exactly 0: the spin
#: accumulation along them is undetermined (no stiffness at all, see :func:`_plane_inverse`), and what
#: the arithmetic leaves there is rounding (~1e-16 of the scale), not a stiffness
FLOATING = 1e-12


def _plane_frame(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors e1, e2 spanning the plane normal to m (m, e1, e2 orthonormal), (B, 3) each.

    e1 = m x a / |m x a| with a the coordinate axis least aligned with m (|m x a|^2 >= 2/3);
    bilinear norms (no conjugate), so that a complex-step m (tiny imaginary part) stays analytic.
    """
    index = np.argmin(np.abs(np.real(m)), axis=-1)
    axis = np.eye(3)[index]
    e1 = cross(m, axis)
    e1 = e1 / np.sqrt(dot(e1, e1))[..., None]
    return e1, cross(m, e1)


def _plane_inverse(plane: np.ndarray, m: np.ndarray, absorbing: np.ndarray | None,
                   scale: np.ndarray | float | None = None, floats: Callable[[np.ndarray], np.ndarray] | None = None,
                   floating: list | None = None) -> np.ndarray:
    """The inverse, on the plane normal to m, of a 3x3 ``plane`` that maps that plane into itself (0 on m);
    0 where ``absorbing`` (an infinite mixing conductance pins mu_perp to 0).

    Taken in an orthonormal frame (e1, e2) of the plane: A = E^T plane E (2 x 2), inverse E A^-1 E^T,
    which is 0 on m up to the rounding of the frame itself (not of a term of the size of A^-1; the
    former trace shift gave 0/0 for a traceless plane, g_r = 0 with g_i != 0).

    A plane without stiffness in some direction is the node of a spin accumulation that nothing
    fixes: an N region without relaxation (l = inf, leads with l = inf) bounded by interfaces with
    g_mix = 0 (g_r = g_i = 0 next to an l = inf lead gave NaN).  Its limit l -> inf has no
    accumulation along that direction when nothing drives it there (see :func:`_check_floating`),
    which is the pseudo-inverse's answer.  A singular value of A below ``FLOATING`` times ``scale``
    (the size of the block A was projected from; default that of A) marks a candidate, and
    ``floats(null projector)`` (B,) says where the region really has no relaxation along it
    (:func:`_floats`): a tiny stiffness may also be an exact one.  There the pseudo-inverse is taken,
    and (right null projector, left null projector), (B, 3, 3) each, are appended to ``floating``.
    """
    pinned = absorbing is not None and absorbing.any()
    e1, e2 = _plane_frame(m)
    frame = (e1, e2)
    A = [[dot(e, (plane @ f[..., :, None])[..., 0]) for f in frame] for e in frame]
    (a, b), (c, d) = A
    determinant = a * d - b * c
    size = np.sqrt(np.abs(a)**2 + np.abs(b)**2 + np.abs(c)**2 + np.abs(d)**2)  # the Frobenius norm of A
    if scale is None:
        scale = size
    largest = np.sqrt(0.5 * (size**2 + np.sqrt(np.maximum(size**4 - 4.0 * np.abs(determinant)**2, 0.0))))
    threshold = FLOATING * scale
    regular = np.abs(determinant) > threshold * largest  # smallest singular value = |det| / largest
    if pinned:
        regular = regular | absorbing  # (discarded there)
    square = a * a + b * b + c * c + d * d  # bilinear |A|^2 (complex step)

    def lift(matrix: list[list[np.ndarray]]) -> np.ndarray:  # E M E^T
        return sum(matrix[i][j][..., None, None] * (frame[i][..., :, None] * frame[j][..., None, :])
                   for i in range(2) for j in range(2))

    def nulls(rank_one: np.ndarray, where: np.ndarray) -> list[np.ndarray]:
        # I - A^+ A and I - A A^+ in the frame where ``where`` (0 elsewhere); rank one: A^+ = A^T / |A|^2
        right = [[a * a + c * c, a * b + c * d], [b * a + d * c, b * b + d * d]]
        left = [[a * a + b * b, a * c + b * d], [c * a + d * b, c * c + d * d]]
        with np.errstate(divide="ignore", invalid="ignore"):
            return [lift([[np.where(where, (i == j) - np.where(rank_one, product[i][j] / square, 0.0), 0.0)
                           for j in range(2)] for i in range(2)]) for product in (right, left)]

    if not regular.all() and floats is not None:
        # a tiny singular value that the region's parameters do not make exactly 0 is solved as it is
        candidate = ~regular
        truly = candidate & floats(nulls(candidate & (largest > threshold), candidate)[0])
        regular = regular | (candidate & ~truly & (determinant != 0))
    rank_one = ~regular & (largest > threshold)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # full rank: the adjugate over det; rank 1 (within rounding): the pseudo-inverse of the rank-1 part;
        # no stiffness at all: 0
        inverse = [[np.where(regular, d / determinant, np.where(rank_one, a / square, 0.0)),
                    np.where(regular, -b / determinant, np.where(rank_one, c / square, 0.0))],
                   [np.where(regular, -c / determinant, np.where(rank_one, b / square, 0.0)),
                    np.where(regular, a / determinant, np.where(rank_one, d / square, 0.0))]]
    result = lift(inverse)
    if floating is not None and not regular.all():
        floating.append(tuple(nulls(rank_one, ~regular)))
    return np.where(absorbing[..., None, None], 0.0, result) if pinned else result


def _through_interface(link: Link, load: np.ndarray, pushed: np.ndarray, axis_a: np.ndarray | None,
                       axis_b: np.ndarray | None, b_active: bool, shape: tuple[int, ...],
                       floats: Callable[[np.ndarray], np.ndarray] | None = None,
                       floating: list | None = None) -> tuple[tuple[np.ndarray | None, np.ndarray],
                                  tuple[np.ndarray, np.ndarray, np.ndarray | None] | None]:
    """Eliminate the node a just left of an interface, in resistance form; the load it passes to node b.

    At node a the rest of the chain to the left gives j arriving = R - Y x_a (``pushed``, ``load``).
    Along the channel (after the components normal to m are eliminated at a free node, with the
    N side's sink g_r mu_perp + g_i mu x m when the sink is there) this is rho - h u_a; the pi
    network of :class:`Link` then gives, with H = h + (c - s) and r = 1/s,

        u_a = (u_b + r (rho - gamma)) / (1 + r H),   j_b = gamma + (rho - gamma) / (1 + r H)
                                                             - (H / (1 + r H) + c - s) u_b

    which is exact at r = 0 (u_a = u_b: the transparent node of MODEL.md 3a) and at r = inf (the
    faces decouple), and never subtracts g-sized terms (the conductance form g - g^2 / (Y + g)
    lost ~eps g / Y: 5e-5 at g = 1e12, everything at 1e16).  At an N/N interface the same holds
    with h a 3x3 matrix.

    Returns
    -------
    (carry, partial)
        x_a = partial - carry x_b (carry None when node b is a reservoir).
    (load, pushed, along) or None
        For node b: its load and pushed right-hand side from the left, and the load along m
        (or the isotropic load of a grounded N/N channel) for :func:`_block_inverse`; None when
        node b is a reservoir.
    """
    s, r, shunt, m = link.conductance, link.resistance, link.shunt, link.axis
    if m is None:  # N/N: node a is free, the channel carries all three components
        eye = np.eye(3)
        H = load + shunt[..., None, None] * eye
        # r |H| beyond 1e280 only decouples the faces further (r = inf for delta > ~745): kept finite, and
        # the scaled inverse of 1 + r H with it
        r3 = np.minimum(r, 1e280 / (1.0 + np.abs(H).max(axis=(-2, -1))))[..., None, None]
        weight = _inverse3(eye + r3 * H)
        partial = weight @ (r3 * pushed)
        if not b_active:
            return (None, partial), None
        return (-weight, partial), (weight @ H + shunt[..., None, None] * eye, weight @ pushed, None)
    gamma = link.gamma
    if axis_a is None:  # a free node a: eliminate the components normal to m first
        sink = link.sink("a")
        longitudinal = outer(m)
        Q = np.eye(3) - longitudinal
        plane = Q @ load @ Q
        # the plane's size is judged against the whole load's (a direction it does not stiffen: see _plane_inverse)
        scale = np.abs(load).max(axis=(-2, -1))
        if sink is not None:
            plane = plane + sink[0]
            scale = np.maximum(scale, np.abs(sink[0]).max(axis=(-2, -1)))
        inverse = _plane_inverse(plane, m, None if sink is None else sink[1], scale, floats, floating)
        column = m[..., :, None]
        row = m[..., None, :]
        Ym, mY = load @ column, row @ load
        h = (mY @ column - mY @ inverse @ Ym)[..., 0, 0]
        rho = (row @ pushed - mY @ inverse @ pushed)[..., 0, 0]
        direction = column - inverse @ Ym  # x_a = direction u_a + offset_a
        offset_a = inverse @ pushed
    else:  # on the rail of the F on its left (the interface's own m)
        h, rho = load[..., 0, 0], pushed[..., 0, 0]
        direction, offset_a = np.ones(shape + (1, 1)), np.zeros(shape + (1, 1))
    relative = rho - gamma
    H = h + shunt
    with np.errstate(divide="ignore", over="ignore"):
        weight = 1.0 / (1.0 + r * H)  # 0 where r = inf (or r H overflows)
        offset = relative / (s + H)  # r (rho - gamma) / (1 + r H), 0 where s = inf
    partial = direction * offset[..., None, None] + offset_a
    if not b_active:
        return (None, partial), None
    along = H * weight + shunt  # the load along m at node b
    pushed_b = relative * weight + gamma
    if axis_b is not None:  # node b on a rail: m_b = +-m
        c = np.ones(shape) if axis_b is m else dot(axis_b, m)
        carry = -(direction * (weight * c)[..., None, None])
        return (carry, partial), ((along * c * c)[..., None, None], (pushed_b * c)[..., None, None], along)
    carry = -(direction * weight[..., None, None]) @ m[..., None, :]
    load_b = along[..., None, None] * outer(m)
    sink = link.sink("b")
    if sink is not None:
        load_b = load_b + sink[0]
        load_b = np.where(sink[1][..., None, None], np.inf, load_b)  # pinned normal to m: never thin
    return (carry, partial), (load_b, pushed_b[..., None, None] * m[..., :, None], along)


def _grounded(link: Link, axis_b: np.ndarray | None, shape: tuple[int, ...]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(load, pushed, along) at node b of an interface whose left face is a reservoir (mu_a = 0): the channel
    is a conductance c = G_I coth(delta) to ground (inf for a transparent interface: mu_b pinned to 0 along it)."""
    c = link.grounded
    pinned = np.isinf(c)[..., None, None]
    if link.axis is None:  # N/N: all three components
        return np.where(np.eye(3, dtype=bool) | pinned, c[..., None, None], 0.0), np.zeros(shape + (3, 1)), c
    m, gamma = link.axis, link.gamma
    if axis_b is not None:  # on the F's rail: the interface's own m
        return c[..., None, None], gamma[..., None, None], c
    finite = np.where(np.isinf(c), 0.0, c)  # a coherent F beyond: its node is free normal to m
    load = np.where(pinned, np.inf, finite[..., None, None] * outer(m))
    return load, gamma[..., None, None] * m[..., :, None], c


def _block_inverse(link: Link, load: np.ndarray, along: np.ndarray | None, after: Part, shape: tuple[int, ...],
                   floats: Callable[[np.ndarray], np.ndarray] | None = None, floating: list | None = None
                   ) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    """The inverse of the block at the free node b just right of an interface, exact with infinite conductances.

    The block is the interface's load plus the next part's K_aa.  Behind a magnetic interface
    both are axial about m (the load: ``along`` m m^T plus the sink on the plane; the next part:
    a normal metal's scalar, or a coherent F's two-port about +-m), so the block splits into
    1 / (along + K_mm) on m and a plane inverse, each finite when a conductance is inf.  Behind an N/N
    interface the load is a finite 3x3: None (the block is solved as any other) unless it is large
    enough (a spin memory loss at a huge g) for the adjugate's products to overflow.

    Returns
    -------
    (inverse, parts)
        The whole inverse (or None) and, behind a magnetic interface, its parts on m and on the plane
        normal to m (None otherwise): the right-hand side the interface pushes to node b is along m,
        where the plane part is 0 (so it is not applied there: see :func:`eliminate`).
    """
    K = after.K_aa
    scalar = K.ndim == len(shape)
    if link.axis is None:
        if along is not None and scalar:  # a grounded N/N channel: isotropic
            return (1.0 / (along + K))[..., None, None] * np.eye(3), None
        return (_inverse3(_sandwich(None, K, None, shape) + load) if np.abs(load).max() > 1e100 else None), None
    m = link.axis
    longitudinal = outer(m)
    if scalar:
        K_along, plane = K, K[..., None, None] * (np.eye(3) - longitudinal)
    else:
        Q = np.eye(3) - longitudinal
        K_along, plane = dot(m, (K @ m[..., :, None])[..., 0]), Q @ K @ Q
    sink = link.sink("b")
    if sink is not None:
        plane = plane + sink[0]
    axial = longitudinal / (along + K_along)[..., None, None]
    across = _plane_inverse(plane, m, None if sink is None else sink[1], floats=floats, floating=floating)
    return axial + across, (axial, across)


def _solve_last(block: np.ndarray, rhs: np.ndarray, floats: Callable[[np.ndarray], np.ndarray] | None = None,
                floating: list | None = None) -> np.ndarray:
    """block^-1 rhs at the last free node, the pseudo-inverse where the block is singular.

    Beside an end without stiffness in some direction (a lead with l = inf, an open end) the last
    block is singular when nothing else fixes that direction either (an N region without relaxation
    behind an N/N interface): the accumulation along it is undetermined, and its limit (l -> inf) is 0
    there (see :func:`_plane_inverse`).  A singular value below ``FLOATING`` times the largest marks a
    candidate; ``floats(null projector)`` says where the region has no relaxation along it, and only
    there is the pseudo-inverse taken (a tiny stiffness may be exact: a film of 1e-9 l beside a stiff
    transverse channel).  (right null projector, left null projector) are appended to ``floating`` there.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        solved = _solve_small(block, rhs)
    failed = ~np.isfinite(solved).all(axis=(-2, -1))
    singular = np.linalg.svd(np.real(np.where(failed[..., None, None], 0.0, block)), compute_uv=False)
    candidate = failed | (singular[..., -1] <= FLOATING * singular[..., 0])
    if not candidate.any():
        return solved
    eye = np.eye(block.shape[-1])
    pseudo = np.linalg.pinv(np.where(candidate[..., None, None], block, eye), rcond=FLOATING)
    right = np.where(candidate[..., None, None], eye - pseudo @ block, 0.0)
    stuck = candidate & (floats(right) if floats is not None else True) | failed
    if not stuck.any():
        return solved
    if floating is not None:
        floating.append((np.where(stuck[..., None, None], right, 0.0),
                         np.where(stuck[..., None, None], eye - block @ pseudo, 0.0)))
    return np.where(stuck[..., None, None], pseudo @ rhs, solved)


def _relaxes(part: Part, face: str, mode: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Where ``part`` takes spin out at its face ``face`` ("a" left, "b" right) along ``mode`` (B, 3, k), (B,).

    Judged on the part's coefficients, each exactly 0 where nothing relaxes (l = inf, g_mix = 0, an open
    end), and on the mode's components along and normal to the part's axis: a component that is only
    the rounding of the frame (|.|^2 < 1e-20 of the mode's) does not count.
    """
    if part.link is not None:
        link = part.link
        if link.axis is None:
            relaxation = (None, link.shunt, link.shunt)
        else:  # the spin memory loss along m at both faces; the mixing sink normal to m at its own face
            across = np.zeros(shape)
            sink = link.sink(face)
            if sink is not None:
                across = np.where(sink[1], np.inf, np.abs(sink[0]).max(axis=(-2, -1)))
            relaxation = (link.axis, link.shunt, across)
    else:
        relaxation = part.relaxation
    axis, along, across = relaxation
    size = np.sum(np.abs(mode)**2, axis=(-2, -1))
    if axis is None:
        return (along != 0) & (size > 0)
    e1, e2 = _plane_frame(axis)
    parts = [np.sum(np.abs(np.einsum("...i,...ik->...k", vector, mode))**2, axis=-1) for vector in (axis, e1, e2)]
    return ((along != 0) & (parts[0] > 1e-20 * size)) | ((across != 0) & (parts[1] + parts[2] > 1e-20 * size))


def _floats(i: int, mode: np.ndarray, chain: list[Part], eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]],
            previous: dict[int, int], axis: list[np.ndarray | None], shape: tuple[int, ...]) -> np.ndarray:
    """Where ``mode`` (B, n, k) at chain node i, an accumulation that costs nothing at i, spreads over a region
    in which no part relaxes it, (B,): the region is where the elimination carries it to the left (x_j =
    partial_j - carry_j x_next) undiminished, up to a rail, a reservoir or a relaxing part."""
    free = np.ones(shape, dtype=bool)
    j = i
    while True:
        vectors = mode if axis[j] is None else axis[j][..., :, None] * mode  # (B, 3, k)
        free = free & ~_relaxes(chain[j], "b", vectors, shape) & ~_relaxes(chain[j + 1], "a", vectors, shape)
        if j not in previous or not free.any() or eliminated[previous[j]][0] is None:
            return free
        mode = -eliminated[previous[j]][0] @ mode
        if np.abs(mode).max() < 1e-6:  # past the region
            return free
        j = previous[j]


def _check_floating(sites: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
                    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]], coordinates: dict[int, np.ndarray],
                    active: list[int], chain: list[Part], left_node: list[int], right_node: list[int],
                    drive: str) -> None:
    """Refuse a solution whose undetermined directions (see :func:`_plane_inverse`) are not its l -> inf limit.

    ``sites``: chain node -> [(right null projector, left null projector, right-hand side there)], the
    nodes where an accumulation costs nothing because the whole region around it has no relaxation
    along it (:func:`_floats`).  The solutions are then x + t z, z that direction carried through the
    region by the elimination (z_j = -carry_j z_next), and the pseudo-inverse took t = 0 at the node.
    As the l of the region tend to inf, the limit is x when x has no part along z anywhere in the
    region (nothing drives that direction: always so for the current, whose sources are along the
    magnetizations).  Otherwise the stack has no answer at l = inf, refused with the reason:

    * the right-hand side has a part along the left null direction: spin is injected into the region
      (a spin Hall source in an l = inf lead) with no way out: the accumulation grows without bound;
    * x varies along z inside the region (a spin Hall source in an l = inf layer there): its level is
      set only by the vanishing relaxation, so the limit depends on how each l tends to inf (unique
      only in special cases, one such layer or one l = inf lead, which are refused all the same).
    """
    if not sites:
        return
    shape = coordinates[active[0]].shape[:-1]
    current = np.zeros(shape)  # the largest source (a spin current) and accumulation: what "0" is compared to
    for part in chain:
        current = np.maximum(current, np.abs(part.source).max(axis=-1))
    accumulation = np.zeros(shape)
    for x in coordinates.values():
        accumulation = np.maximum(accumulation, np.abs(x).max(axis=-1))
    order = {node: k for k, node in enumerate(active)}

    def user_node(i: int) -> int:
        return next(k for k in range(len(left_node)) if i in (left_node[k], right_node[k]))

    source = "the in-plane field's spin Hall effect" if drive == "field" else "the current"
    region = "a region that neither relaxes spin (l = inf) nor lets it out (g_mix = 0 at its interfaces, " \
             "leads with l = inf, open ends)"
    for i, found in sites.items():
        for right, left, rhs in found:
            residual = np.abs((left @ rhs)[..., 0]).max(axis=-1)
            if np.any(residual > 1e-9 * current):
                raise SpinstackError(f"node {user_node(i)}: {source} injects spin into {region}: there is no steady "
                                     "state (the accumulation grows without bound as l -> inf); give an l there a "
                                     "finite value or g_mix > 0")
            z = right  # (B, n, 3): the columns span the undetermined directions at node i
            k = order[i]
            while True:
                along = np.abs(np.einsum("...ij,...i->...j", z, coordinates[active[k]])).max(axis=-1)
                if np.any(along > 1e-8 * accumulation):
                    raise SpinstackError(f"node {user_node(i)}: {source} drives spin accumulation inside {region}: "
                                         "its level there is set only by how the relaxation vanishes as l -> inf "
                                         "(in general by how each l tends to inf), which is not resolved here; "
                                         "give the l there finite values or g_mix > 0")
                if k == 0 or eliminated[active[k - 1]][0] is None:  # the chain's start, or a reservoir
                    break
                z = -eliminated[active[k - 1]][0] @ z
                k -= 1
                if np.abs(z).max() < 1e-6:  # past the region (as in _floats)
                    break




def eliminate(system: NodeSystem) -> dict[int, np.ndarray]:
    """The node values of ``system`` for every configuration of its batch, by block elimination.

    Returns
    -------
    dict
        chain node -> its coordinates x, (B..., 1) along its axis or (B..., 3) at a free node (mu = x m on a
        rail, x at a free node); reservoir nodes (mu = 0) are absent.

    Raises
    ------
    SpinstackError
        A direction that nothing fixes is driven (no l -> inf limit: :func:`_check_floating`), or the
        arithmetic left double precision.
    """
    shape = system.shape
    chain, left_node, right_node, reservoir, axis = (system.chain, system.left_node, system.right_node,
                                                     system.reservoir, system.axis)
    n = len(chain) - 1  # chain nodes between consecutive parts
    active = system.active

    def lower(i: int) -> np.ndarray:  # A_{i, i-1}
        return -_sandwich(axis[i], chain[i].K_ba, axis[i - 1], shape)

    def upper(i: int) -> np.ndarray:  # A_{i, i+1}
        return _sandwich(axis[i], chain[i + 1].K_ab, axis[i + 1], shape)

    # forward elimination.  Each node's block is the next part's own stiffness plus the load of
    # everything to its left (``load``); the right-hand side likewise (``pushed``).  Kept apart
    # so that a thin layer can pass its load on without cancellation (see _thin_step), and so that
    # a resistive interface is stepped through in resistance form (see _through_interface).
    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
    pending: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    arriving: dict[int, tuple[Axial, np.ndarray]] = {}  # likewise, an axial load (see _through_plain_link)
    previous: int | None = None
    load = pushed = block = inverse = None
    alongs: dict[int, np.ndarray] = {}  # behind a magnetic interface: the load along its m at the free node b
    sites: dict[int, list] = {}  # nodes with undetermined directions (see _check_floating)
    before_node = dict(zip(active[1:], active[:-1]))  # active node -> the active node before it

    def floats(i: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda mode: _floats(i, mode, chain, eliminated, before_node, axis, shape)

    def note(i: int, found: list, rhs: np.ndarray) -> None:
        if found:
            sites[i] = [(right, left, rhs) for right, left in found]

    axial: Axial | None = None  # the load at node i when it is axial about an m (see Axial)
    stepping: Axial | None = None  # the axial load at the previous node, whose block was inverted so
    for i in active:
        before, after = chain[i], chain[i + 1]
        step = previous == i - 1 and before.kind == "layer"
        axial, stepping = None, (stepping if step else None)
        along = None
        behind = chain[i - 1].link if i > 0 else None  # the interface left of the previous node, if any
        if before.link is not None:  # just right of an interface: the load it passes on
            if i in arriving:  # an axial load passed through an N/N interface (see _through_plain_link)
                axial, pushed = arriving.pop(i)
                load = None
            else:
                load, pushed, along = pending.pop(i) if i in pending else _grounded(before.link, axis[i], shape)
        elif stepping is not None and not before.coherent:
            # from a free node with an axial load through a plain layer: channel by channel (see _axial_step)
            load, pushed, axial = _axial_step(before, stepping, pushed, axis[i])
        elif step and axis[i - 1] is not None and axis[i] is None and not before.coherent:
            # from a rail to a free node: the load is axial about the rail's m (see Axial); an infinite load at a
            # (pinned behind a transparent interface) gives the plain step's Gc along m, x_a = 0
            pushed, axial = _rail_axial(before, axis[i - 1], load, eliminated[previous][1])
            load = None
        elif step and before.coherent and axis[i - 1] is None:
            load, pushed = _coherent_step(before, load, pushed, block, axis[i], shape, inverse)
        elif step and axis[i - 1] is None and behind is not None and behind.axis is not None \
                and before.channels[0][0].any():
            # a thin layer beyond a magnetic interface's free node: soft along m, stiff across (a large g_mix)
            sink = behind.sink("b")  # the load's part normal to m (see _coherent_step)
            load, pushed = _coherent_step(before, load, pushed, block, axis[i], shape, inverse, behind.axis,
                                          alongs[i - 1], None if sink is None else sink[0])
        else:
            # a thin layer with a soft load: the plain step would cancel (see _thin_step)
            thin = _thin(before, load) if step and not before.coherent else None
            # (behind an interface the load may hold the inf of a pinned node: never thin, kept out of the sums)
            exact = _thin_step(before, _finite_load(load) if behind is not None else load, pushed, block,
                               eliminated[previous][1], axis[i - 1], axis[i], shape, inverse) \
                if thin is not None and thin.any() else None
            if exact is not None and thin.all():
                load, pushed = exact
            else:
                load = -_sandwich(axis[i], before.K_bb, axis[i], shape)
                pushed = _project(axis[i], before.source)
                if previous is not None:
                    coupling = lower(i)
                    carry, partial = eliminated[previous]
                    load = load - coupling @ carry
                    pushed = pushed - coupling @ partial
                if exact is not None:
                    load = np.where(thin[..., None, None], exact[0], load)
                    pushed = np.where(thin[..., None, None], exact[1], pushed)
        following_active = i + 1 < n and not reservoir[i + 1]
        # an axial load is inverted on m and normal to m apart (see _axial_inverse) where the part beyond is a
        # scalar two-port.  The last node beside an end without stiffness (open, l = inf) may have no
        # stiffness along m at all (nothing relaxes there): left to _solve_last then, which resolves or refuses it
        by_axis = axial is not None and after.link is None and after.scalar and (
            following_active or after.kind == "layer"
            or np.all(np.abs(axial.along + after.K_aa) > FLOATING * (axial.scale + np.abs(after.K_aa))))
        if axial is not None and after.link is not None and after.link.axis is None:
            # an N/N interface: stepped through channel by channel (see _through_plain_link)
            eliminated[i], passed_on = _through_plain_link(after.link, axial, pushed, following_active)
            if passed_on is not None:
                arriving[i + 1] = passed_on
            previous, block, inverse = i, None, None
            continue
        if axial is not None and not by_axis:
            load = axial.matrix()
        if after.link is not None:  # node i is eliminated through the interface (resistance form)
            found: list = []
            eliminated[i], passed = _through_interface(after.link, load, pushed, axis[i],
                                                       axis[i + 1] if following_active else None,
                                                       following_active, shape, floats(i), found)
            note(i, found, pushed)
            if passed is not None:
                pending[i + 1] = passed
            previous, block, inverse = i, None, None
            continue
        found = []
        stepping = None
        if by_axis:  # (no Cartesian load or block is formed: nothing after uses them)
            block, split = None, None
            inverse = _axial_inverse(axial, after.K_aa)
            stepping = axial if after.kind == "layer" and following_active else None
        else:
            block = _sandwich(axis[i], after.K_aa, axis[i], shape) + load
            inverse, split = _block_inverse(before.link, load, along, after, shape, floats(i), found) \
                if before.link is not None and axis[i] is None else (None, None)
        if along is not None:
            alongs[i] = along
        source = _project(axis[i], after.source)
        rhs = pushed - source
        following = upper(i) if following_active else None
        if inverse is None:
            carry = _solve_small(block, following) if following is not None else None
            # the last node beside an end may be singular (see _solve_last); no other block is
            last = following is None and after.kind in ("lead", "open", "insulator")
            eliminated[i] = (carry, _solve_last(block, rhs, floats(i), found) if last else _solve_small(block, rhs))
        else:
            # behind a magnetic interface ``pushed`` is along m, where the plane part of the inverse is 0
            # (applied, it would give its rounding times the plane's inverse, ~1e4 for a lead with l = 1e20)
            partial = inverse @ rhs if split is None else split[0] @ rhs - split[1] @ source
            eliminated[i] = (inverse @ following if following is not None else None, partial)
        note(i, found, rhs if split is None else -source)  # (the plane part sees only the source)
        previous = i

    # back substitution
    coordinates: dict[int, np.ndarray] = {}
    later: np.ndarray | None = None
    for i in reversed(active):
        carry, partial = eliminated[i]
        later = partial if later is None or carry is None else partial - carry @ later
        coordinates[i] = later[..., :, 0]  # (B..., 1) along the axis or (B..., 3)
    _check_floating(sites, eliminated, coordinates, active, chain, left_node, right_node, system.drive)
    _check_finite(coordinates.values())
    return coordinates


def _check_finite(values: Iterable[np.ndarray]) -> None:
    """Refuse node values that are not finite: never a NaN returned in silence.

    Every valid stack has a finite solution (undetermined directions are resolved or refused by
    :func:`_check_floating`), so what is left is arithmetic beyond double precision.
    """
    for value in values:
        if not np.isfinite(value).all():
            raise SpinstackError("numerical failure while solving: the spin accumulation is not finite in double "
                                 "precision (the parameters span too many orders of magnitude)")

