"""The node system of MODEL.md 3a, assembled and solved exactly for a batch of stacks.

Symbols follow the seed paper and MODEL.md: for a layer of thickness d,
conductance D, spin diffusion length l and X = d / l, the two-port (MODEL.md 2)

    j_s(x_a+) = p j0 m + Gc mu_a - Gs mu_b
    j_s(x_b-) = p j0 m + Gs mu_a - Gc mu_b,      Gc = G coth X,  Gs = G csch X,  G = D / (2 l)

and a semi-infinite lead has Gc = G, Gs = 0.  Element 0 is the left end,
elements 1..L are the layers and element L + 1 is the right end; node k sits
between elements k and k + 1.  The node value is mu_k = E_k x_k with a basis E_k
of the allowed directions: none at a reservoir (mu = 0), the magnetization m
next to a ferromagnet (the ring slides on its rail), all of R^3 between normal
metals.  The balance E_k^T [j_s(x_k-) - j_s(x_k+)] = 0 (seed eq. 7) gives

    E_k^T [(Gc_k + Gc_{k+1}) mu_k - Gs_k mu_{k-1} - Gs_{k+1} mu_{k+1}] = E_k^T (s_k - s_{k+1})

with s = p m the source per unit current.  The matrix is block tridiagonal with
blocks of 0, 1 or 3 rows (the same for every configuration of a batch) and is
the Hessian of the functional S (MODEL.md 5), so it is symmetric positive
definite and block elimination needs no pivoting.  Everything here is solved
per unit current (j0 = 1): all outputs are linear in j0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import Element, StackArrays
from .hyperbolic import x_coth_x, x_csch_x, x_tanh_half_x


@dataclass(frozen=True)
class Coefficients:
    """Two-port coefficients and sources of every element, broadcast to the batch shape.

    ``stiffness[e]`` is Gc, ``transfer[e]`` is Gs (shape ``B``), ``source[e]`` is
    p m (shape ``B + (3,)``), for elements e = 0..L+1 (zero for a reservoir end).
    """

    stiffness: list[np.ndarray]
    transfer: list[np.ndarray]
    source: list[np.ndarray]
    axis: list[np.ndarray | None]  # node basis: m (B, 3) or None (free or reservoir)
    reservoir: list[bool]


@dataclass(frozen=True)
class UnitSolution:
    """Node values and spin currents of a batch, per unit particle current j0 = 1.

    Attributes
    ----------
    accumulation : (B..., L + 1, 3)  mu_s at the nodes
    spin_current_left : (B..., L, 3)  j_s(x_a+) just inside each layer's left face
    spin_current_right : (B..., L, 3)  j_s(x_b-) just inside each layer's right face
    lead_current_left : (B..., 3)  j_s(x_0-) in the left lead (None for a reservoir)
    lead_current_right : (B..., 3)  j_s(x_L+) in the right lead (None for a reservoir)
    deposit : (B..., L + 1, 3)  j_s(x_k-) - j_s(x_k+), zero at reservoir nodes
    torque : (B..., L, 3)  transverse spin deposited on each F layer (zero for N)
    """

    accumulation: np.ndarray
    spin_current_left: np.ndarray
    spin_current_right: np.ndarray
    lead_current_left: np.ndarray | None
    lead_current_right: np.ndarray | None
    deposit: np.ndarray
    torque: np.ndarray


def layer_stiffness(element: Element) -> tuple[np.ndarray, np.ndarray]:
    """(Gc, Gs) of a layer, finite for every d / l in [0, inf)."""
    X = element.thickness / element.l  # 0 for l = inf
    scale = element.D / (2.0 * element.thickness)
    return scale * x_coth_x(X), scale * x_csch_x(X)


def lead_stiffness(element: Element) -> np.ndarray:
    """G = D / (2 l) of a semi-infinite lead (0 for l = inf)."""
    return element.D / (2.0 * element.l)


def coefficients(arrays: StackArrays) -> Coefficients:
    """Evaluate every element's two-port once, on its own shape, then broadcast."""
    shape = arrays.batch_shape
    dtype = np.result_type(*[e.m for e in arrays.elements() if e is not None and e.m is not None], float)
    zero, zero3 = np.zeros(shape), np.zeros(shape + (3,), dtype=dtype)
    stiffness, transfer, source = [], [], []
    elements = arrays.elements()
    for index, element in enumerate(elements):
        if element is None:
            stiffness.append(zero)
            transfer.append(zero)
            source.append(zero3)
            continue
        if index in (0, len(elements) - 1):
            stiffness.append(np.broadcast_to(lead_stiffness(element), shape))
            transfer.append(zero)
        else:
            gc, gs = layer_stiffness(element)
            stiffness.append(np.broadcast_to(gc, shape))
            transfer.append(np.broadcast_to(gs, shape))
        if element.is_ferromagnet:
            source.append(np.broadcast_to(element.p[..., None] * element.m, shape + (3,)))
        else:
            source.append(zero3)
    axis: list[np.ndarray | None] = []
    reservoir: list[bool] = []
    for node in range(arrays.n_nodes):
        before, after = elements[node], elements[node + 1]
        is_reservoir = (node == 0 and arrays.left is None) or (node == arrays.n_nodes - 1 and arrays.right is None)
        reservoir.append(is_reservoir)
        magnet = next((e for e in (before, after) if e is not None and e.is_ferromagnet), None)
        axis.append(None if magnet is None or is_reservoir else np.broadcast_to(magnet.m, shape + (3,)))
    return Coefficients(stiffness, transfer, source, axis, reservoir)


# ---------------------------------------------------------------- small blocks
def _basis_product(a: np.ndarray | None, b: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """E_a^T E_b for node bases (m vector or None = identity): (B, n_a, n_b)."""
    if a is not None and b is not None:
        return np.einsum("...i,...i->...", a, b)[..., None, None]
    if a is not None:
        return a[..., None, :]
    if b is not None:
        return b[..., :, None]
    return np.broadcast_to(np.eye(3), shape + (3, 3))


def _project(axis: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """E^T v: (B, n, 1)."""
    if axis is None:
        return vector[..., :, None]
    return np.einsum("...i,...i->...", axis, vector)[..., None, None]


def _solve_small(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve a batch of 1x1 or 3x3 systems (no pivoting needed: the blocks are SPD)."""
    if matrix.shape[-1] == 1:
        return rhs / matrix
    # 3x3 by the adjugate (rows' cross products): vectorised, exact for complex input too
    r0, r1, r2 = matrix[..., 0, :], matrix[..., 1, :], matrix[..., 2, :]
    c0, c1, c2 = np.cross(r1, r2), np.cross(r2, r0), np.cross(r0, r1)
    determinant = np.einsum("...i,...i->...", r0, c0)
    inverse = np.stack([c0, c1, c2], axis=-1) / determinant[..., None, None]
    return inverse @ rhs


def solve_unit(arrays: StackArrays) -> UnitSolution:
    """Solve the node system of MODEL.md 3a for every configuration of the batch (j0 = 1).

    Block elimination runs over the nodes (O(L)), each step vectorised over the batch.
    """
    shape = arrays.batch_shape
    co = coefficients(arrays)
    n = arrays.n_nodes
    active = [k for k in range(n) if not co.reservoir[k]]
    # complex when a magnetization is (complex-step efficiency limits)
    dtype = np.result_type(*co.source, *(a for a in co.axis if a is not None))

    def diagonal(k: int) -> np.ndarray:
        total = co.stiffness[k] + co.stiffness[k + 1]
        return total[..., None, None] * _basis_product(co.axis[k], co.axis[k], shape)

    def coupling(k: int, j: int) -> np.ndarray:
        # A_{k, j} for |k - j| = 1: the layer between them is element max(k, j)
        return -co.transfer[max(k, j)][..., None, None] * _basis_product(co.axis[k], co.axis[j], shape)

    # forward elimination
    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
    previous: int | None = None
    for k in active:
        block = diagonal(k)
        rhs = _project(co.axis[k], co.source[k] - co.source[k + 1])
        if previous is not None:
            lower = coupling(k, previous)
            carry, partial = eliminated[previous]
            block = block - lower @ carry
            rhs = rhs - lower @ partial
        upper = coupling(k, k + 1) if (k + 1 < n and not co.reservoir[k + 1]) else None
        carry = _solve_small(block, upper) if upper is not None else None
        eliminated[k] = (carry, _solve_small(block, rhs))
        previous = k

    # back substitution
    accumulation = np.zeros(shape + (n, 3), dtype=dtype)
    following: np.ndarray | None = None
    for k in reversed(active):
        carry, partial = eliminated[k]
        coordinates = partial if following is None or carry is None else partial - carry @ following
        following = coordinates
        if co.axis[k] is None:
            accumulation[..., k, :] = coordinates[..., :, 0]
        else:
            accumulation[..., k, :] = coordinates[..., 0, :] * co.axis[k]
    return _currents(arrays, co, accumulation)


def _currents(arrays: StackArrays, co: Coefficients, accumulation: np.ndarray) -> UnitSolution:
    """Face currents from the node values (MODEL.md 2), deposits and torques (MODEL.md 4)."""
    n = arrays.n_nodes
    n_layers = n - 1
    mu_a, mu_b = accumulation[..., :-1, :], accumulation[..., 1:, :]
    gc = np.stack(co.stiffness[1:-1], axis=-1)[..., None] if n_layers else np.zeros(mu_a.shape[:-1] + (1,))
    gs = np.stack(co.transfer[1:-1], axis=-1)[..., None] if n_layers else np.zeros(mu_a.shape[:-1] + (1,))
    source = np.stack(co.source[1:-1], axis=-2) if n_layers else np.zeros_like(mu_a)
    left_face = source + gc * mu_a - gs * mu_b
    right_face = source + gs * mu_a - gc * mu_b

    lead_left = None if arrays.left is None else co.source[0] - co.stiffness[0][..., None] * accumulation[..., 0, :]
    lead_right = None if arrays.right is None else co.source[-1] + co.stiffness[-1][..., None] * accumulation[..., -1, :]
    shape3 = accumulation.shape[:-2] + (3,)
    arriving = [lead_left if lead_left is not None else np.zeros(shape3, accumulation.dtype)]
    arriving += [right_face[..., i, :] for i in range(n_layers)]
    leaving = [left_face[..., i, :] for i in range(n_layers)]
    leaving += [lead_right if lead_right is not None else np.zeros(shape3, accumulation.dtype)]
    deposit = np.stack([arriving[k] - leaving[k] for k in range(n)], axis=-2)
    deposit[..., [k for k in range(n) if co.reservoir[k]], :] = 0.0

    torque = np.zeros(accumulation.shape[:-2] + (n_layers, 3), dtype=accumulation.dtype)
    for i, layer in enumerate(arrays.layers):
        if layer.is_ferromagnet:
            m = np.broadcast_to(layer.m, shape3)
            total = deposit[..., i, :] + deposit[..., i + 1, :]
            torque[..., i, :] = total - np.einsum("...i,...i->...", m, total)[..., None] * m
    return UnitSolution(accumulation, left_face, right_face, lead_left, lead_right, deposit, torque)


# ------------------------------------------------------------ derived integrals
def spin_flip_loss(arrays: StackArrays, accumulation: np.ndarray) -> np.ndarray:
    """Spin lost to the lattice in each layer, integral of D mu_s / (2 l^2) dx: (B..., L, 3).

    Closed form: (D / (2 d)) X tanh(X / 2) (mu_a + mu_b), zero for l = inf.
    """
    factors = []
    for layer in arrays.layers:
        X = layer.thickness / layer.l
        factors.append(np.broadcast_to(layer.D / (2.0 * layer.thickness) * x_tanh_half_x(X), arrays.batch_shape))
    if not factors:
        return np.zeros(accumulation.shape[:-2] + (0, 3))
    factor = np.stack(factors, axis=-1)[..., None]
    return factor * (accumulation[..., :-1, :] + accumulation[..., 1:, :])


def functional(arrays: StackArrays, accumulation: np.ndarray, current: np.ndarray) -> np.ndarray:
    """The functional S of MODEL.md 5 at node values ``accumulation`` (profiles between nodes exact).

    Per layer, with a, b the end values: (1/2)[Gc (|a|^2 + |b|^2) - 2 Gs a.b] - p j0 m.(b - a)
    + p^2 j0^2 d / D (the quadratic part integrates by parts using mu'' = mu / l^2); leads add
    -p j0 m.mu_0 + (G/2)|mu_0|^2 (left) and +p j0 m.mu_L + (G/2)|mu_L|^2 (right).
    """
    shape = accumulation.shape[:-2]
    current = np.broadcast_to(current, shape)
    total = np.zeros(shape)

    def dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("...i,...i->...", u, v)

    for i, layer in enumerate(arrays.layers):
        a, b = accumulation[..., i, :], accumulation[..., i + 1, :]
        gc, gs = layer_stiffness(layer)
        total = total + 0.5 * (gc * (dot(a, a) + dot(b, b)) - 2.0 * gs * dot(a, b))
        if layer.is_ferromagnet:
            total = total - layer.p * current * dot(layer.m, b - a) + layer.p**2 * current**2 * layer.thickness / layer.D
    for end, node, sign in ((arrays.left, 0, -1.0), (arrays.right, -1, 1.0)):
        if end is None:
            continue
        mu = accumulation[..., node, :]
        total = total + 0.5 * lead_stiffness(end) * dot(mu, mu)
        if end.is_ferromagnet:
            total = total + sign * end.p * current * dot(end.m, mu)
    return total


def resistance_area(arrays: StackArrays, accumulation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(total, spin part) of the resistance-area product r = [mu_0(left) - mu_0(right)] / j0 (MODEL.md 4).

    ``accumulation`` is per unit current.  Ohmic part: sum of d / sigma; spin part:
    sum over F layers of (p/2)(mu_b - mu_a) (scalars along m), (p/2) mu_0 for an F
    lead on the left and -(p/2) mu_L for one on the right.
    """
    shape = accumulation.shape[:-2]
    ohmic = np.zeros(shape)
    spin = np.zeros(shape)
    for i, layer in enumerate(arrays.layers):
        sigma = layer.D / (1.0 - layer.p**2)
        ohmic = ohmic + layer.thickness / sigma
        if layer.is_ferromagnet:
            along = np.einsum("...i,...i->...", layer.m, accumulation[..., i + 1, :] - accumulation[..., i, :])
            spin = spin + 0.5 * layer.p * along
    for end, node, sign in ((arrays.left, 0, 1.0), (arrays.right, -1, -1.0)):
        if end is not None and end.is_ferromagnet:
            spin = spin + sign * 0.5 * end.p * np.einsum("...i,...i->...", end.m, accumulation[..., node, :])
    return ohmic + spin, spin
