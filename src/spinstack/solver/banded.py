"""One configuration, many layers: the node system of MODEL.md 3a assembled over all layers at
once and solved as a banded matrix (LAPACK gbsv through scipy), O(L) with no Python loop per layer.

The batched elimination of :mod:`.nodes` runs a Python loop over the nodes, each step vectorised
over configurations; for a single long stack that loop dominates.  Here the same equations
(same symbols: Gc = G coth X, Gs = G csch X, sources p m, node bases E_k of 0, 1 or 3 columns)
are laid out for every node at once.  Each node basis is padded to a 3x3 matrix (unused columns
zero); the unknowns of node k are numbered consecutively, so coupled unknowns are at most 5
apart: a (5, 5)-banded system.  Transparent interfaces only (resistive ones go through
:mod:`.nodes`, compiled for one long stack in :mod:`.linked`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from .arrays import StackArrays
from .compiled import AVAILABLE, invert3, njit
from .hyperbolic import x_coth_x, x_csch_x


def applies(arrays: StackArrays) -> bool:
    """Whether this path handles ``arrays``: a single real configuration without resistive interfaces
    and without finite transverse coherence (it assumes full absorption at F faces)."""
    if arrays.batch_shape != () or arrays.interfaces or not arrays.plain or arrays.coherent:
        return False
    return not arrays.columns["complex"]


def solve_layerwise(arrays: StackArrays) -> dict[str, np.ndarray | None]:
    """Node values and layer-face currents of one configuration, per unit current.

    Returns
    -------
    dict
        ``accumulation`` (L + 1, 3), ``spin_current_left``/``right`` (L, 3),
        ``lead_current_left``/``right`` (3,) or None, ``deposit`` (L + 1, 3), ``torque`` (L, 3).
    """
    columns = arrays.columns
    n_layers = len(arrays.layers)
    D, l, p, d, m, ferro = (columns[key] for key in ("D", "l", "p", "thickness", "m", "ferro"))
    X = d / l
    scale = D / (2.0 * d)
    gc, gs = scale * x_coth_x(X), scale * x_csch_x(X)

    # parts 0..L+1: left end, layers, right end (two-ports K_aa = Gc, K_ab = -Gs, K_ba = Gs, K_bb = -Gc)
    def end(element):
        if element is None:
            return 0.0, np.zeros(3), None
        G = float(element.D) / (2.0 * float(element.l))
        if element.m is None:
            return G, np.zeros(3), None
        axis = np.asarray(element.m, dtype=float)
        return G, float(element.p) * axis, axis

    G_left, source_left, axis_left = end(arrays.left)
    G_right, source_right, axis_right = end(arrays.right)
    stiffness = np.concatenate([[G_left], gc, [G_right]])  # Gc of every part (leads: G)
    transfer = np.concatenate([[0.0], gs, [0.0]])
    source = np.vstack([source_left, p[:, None] * m, source_right])
    part_axis = np.vstack([axis_left if axis_left is not None else np.zeros(3), m,
                           axis_right if axis_right is not None else np.zeros(3)])
    part_ferro = np.concatenate([[axis_left is not None], ferro, [axis_right is not None]])

    # node k between parts k and k + 1: reservoir, axis (next to an F, left one first) or free
    n = n_layers + 1
    reservoir = np.zeros(n, dtype=bool)
    reservoir[0] = arrays.left is None
    reservoir[-1] |= arrays.right is None
    on_axis = (part_ferro[:-1] | part_ferro[1:]) & ~reservoir
    axis = np.where(part_ferro[:-1, None], part_axis[:-1], part_axis[1:])
    size = np.where(reservoir, 0, np.where(on_axis, 1, 3))
    basis = np.zeros((n, 3, 3))  # padded E_k: columns are the allowed directions
    basis[on_axis, :, 0] = axis[on_axis]
    free = ~reservoir & ~on_axis
    basis[free] = np.eye(3)
    offset = np.concatenate([[0], np.cumsum(size)])
    unknowns = int(offset[-1])
    if unknowns == 0:
        values = np.zeros((n, 3))
    else:
        # E_k^T [(Gc_k + Gc_{k+1}) mu_k - Gs_k mu_{k-1} - Gs_{k+1} mu_{k+1}] = E_k^T (s_k - s_{k+1})
        if AVAILABLE:
            values = _assemble_and_solve(stiffness, transfer, source, basis, size)
        else:
            values = _banded(stiffness, transfer, source, basis, size, offset, unknowns)

    mu_a, mu_b = values[:-1], values[1:]
    left_face = source[1:-1] + gc[:, None] * mu_a - gs[:, None] * mu_b
    right_face = source[1:-1] + gs[:, None] * mu_a - gc[:, None] * mu_b
    lead_left = None if arrays.left is None else source_left - G_left * values[0]
    lead_right = None if arrays.right is None else source_right + G_right * values[-1]
    arriving = np.vstack([lead_left if lead_left is not None else np.zeros(3), right_face])
    leaving = np.vstack([left_face, lead_right if lead_right is not None else np.zeros(3)])
    deposit = arriving - leaving
    deposit[reservoir] = 0.0
    # an F layer's own faces carry spin along m only (both its nodes on its axis): leave them out of the
    # torque, whose transverse part would otherwise be the rounding of those ~Gc mu vectors
    # (thin F layers, and the e^-d/l torques beyond a thick spacer)
    # on such a node the neighbour's term Gc mu_node is along m as well: left out too
    own_left = ~part_ferro[:-2]  # the layer's left node is on its own axis unless an F precedes it
    arriving_outer = np.vstack([source_left[None], source[1:-1] + gs[:, None] * mu_a])[:-1]
    leaving_outer = np.vstack([source[2:-1] - gs[1:, None] * mu_b[1:], source_right[None]])
    left = np.where(reservoir[:-1, None], 0.0, np.where(own_left[:, None], arriving_outer, deposit[:-1]))
    right = np.where(reservoir[1:, None], 0.0, -leaving_outer)
    total = left + right
    torque = np.where(ferro[:, None], total - np.einsum("ki,ki->k", m, total)[:, None] * m, 0.0)
    return {"accumulation": values, "spin_current_left": left_face, "spin_current_right": right_face,
            "lead_current_left": lead_left, "lead_current_right": lead_right, "deposit": deposit, "torque": torque}


def _banded(stiffness: np.ndarray, transfer: np.ndarray, source: np.ndarray, basis: np.ndarray, size: np.ndarray,
            offset: np.ndarray, unknowns: int) -> np.ndarray:
    """The node system as one (5, 5)-banded matrix (unknowns of node k numbered consecutively), LAPACK gbsv
    (the path without numba)."""
    n = len(size)
    diagonal = (stiffness[:-1] + stiffness[1:])[:, None, None] * np.einsum("kia,kib->kab", basis, basis)
    coupling = -transfer[1:-1, None, None] * np.einsum("kia,kib->kab", basis[:-1], basis[1:])  # (k, k+1)
    rhs_blocks = np.einsum("kia,ki->ka", basis, source[:-1] - source[1:])
    band = np.zeros((11, unknowns))
    r, q = np.meshgrid(np.arange(3), np.arange(3), indexing="ij")

    def scatter(blocks: np.ndarray, rows_of: np.ndarray, cols_of: np.ndarray) -> None:
        k = np.arange(len(blocks))[:, None, None]
        valid = (r[None] < size[rows_of][k]) & (q[None] < size[cols_of][k])
        rows = (offset[rows_of][k] + r[None])[valid]
        cols = (offset[cols_of][k] + q[None])[valid]
        band[5 + rows - cols, cols] = blocks[valid]

    nodes = np.arange(n)
    scatter(diagonal, nodes, nodes)
    scatter(coupling, nodes[:-1], nodes[1:])
    scatter(np.swapaxes(coupling, 1, 2), nodes[1:], nodes[:-1])
    valid_rhs = np.arange(3)[None, :] < size[:, None]
    rhs = rhs_blocks[valid_rhs]
    solution = solve_banded((5, 5), band, rhs)
    coordinates = np.zeros((n, 3))
    coordinates[valid_rhs] = solution
    values = np.einsum("kia,ka->ki", basis, coordinates)
    return values


@njit(cache=True, error_model="numpy")
def _assemble_and_solve(stiffness: np.ndarray, transfer: np.ndarray, source: np.ndarray, basis: np.ndarray,
                        size: np.ndarray) -> np.ndarray:  # pragma: no cover
    """The node values (n, 3) by block elimination over the padded 3x3 node blocks.

    Blocks as in :func:`_banded`: diagonal (Gc_k + Gc_{k+1}) E_k^T E_k, coupling A_{k, k+1} =
    -Gs_{k+1} E_k^T E_{k+1} (A_{k+1, k} its transpose), right side E_k^T (s_k - s_{k+1}); padded
    unknowns get identity rows and a zero right side.  No pivoting: the active part is symmetric
    positive definite (the Hessian of S, MODEL.md 5).
    """
    n = basis.shape[0]
    diagonal = np.zeros((n, 3, 3))
    coupling = np.zeros((n, 3, 3))
    rhs = np.zeros((n, 3))
    for k in range(n):
        total_stiffness = stiffness[k] + stiffness[k + 1]
        for a in range(3):
            for b in range(3):
                diagonal[k, a, b] = total_stiffness * (basis[k, 0, a] * basis[k, 0, b] + basis[k, 1, a] * basis[k, 1, b]
                                                       + basis[k, 2, a] * basis[k, 2, b])
                if k + 1 < n:
                    coupling[k, a, b] = -transfer[k + 1] * (basis[k, 0, a] * basis[k + 1, 0, b]
                                                            + basis[k, 1, a] * basis[k + 1, 1, b]
                                                            + basis[k, 2, a] * basis[k + 1, 2, b])
            rhs[k, a] = (basis[k, 0, a] * (source[k, 0] - source[k + 1, 0]) + basis[k, 1, a] * (source[k, 1] - source[k + 1, 1])
                         + basis[k, 2, a] * (source[k, 2] - source[k + 1, 2]))
        for a in range(size[k], 3):
            diagonal[k, a, a] = 1.0
    x = _block_thomas(diagonal, coupling, rhs)
    values = np.zeros((n, 3))
    for k in range(n):
        for i in range(3):
            values[k, i] = basis[k, i, 0] * x[k, 0] + basis[k, i, 1] * x[k, 1] + basis[k, i, 2] * x[k, 2]
    return values


@njit(cache=True, error_model="numpy")
def _block_thomas(diagonal: np.ndarray, coupling: np.ndarray, rhs: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Block elimination of a symmetric block-tridiagonal system with 3x3 blocks (padded unknowns carry
    identity rows): diagonal (n, 3, 3), coupling A_{k, k+1} (n, 3, 3; the last unused), rhs (n, 3) -> x (n, 3)."""
    n = diagonal.shape[0]
    carry = np.zeros((n, 3, 3))
    partial = np.zeros((n, 3))
    block = np.empty((3, 3))
    inverse = np.empty((3, 3))
    right = np.empty(3)
    for k in range(n):
        for i in range(3):
            right[i] = rhs[k, i]
            for j in range(3):
                block[i, j] = diagonal[k, i, j]
        if k > 0:  # A_{k, k-1} = coupling[k - 1]^T
            for i in range(3):
                for j in range(3):
                    total = 0.0
                    for r in range(3):
                        total += coupling[k - 1, r, i] * carry[k - 1, r, j]
                    block[i, j] -= total
                total = 0.0
                for r in range(3):
                    total += coupling[k - 1, r, i] * partial[k - 1, r]
                right[i] -= total
        invert3(block, inverse)
        for i in range(3):
            partial[k, i] = inverse[i, 0] * right[0] + inverse[i, 1] * right[1] + inverse[i, 2] * right[2]
            if k + 1 < n:
                for j in range(3):
                    carry[k, i, j] = (inverse[i, 0] * coupling[k, 0, j] + inverse[i, 1] * coupling[k, 1, j]
                                      + inverse[i, 2] * coupling[k, 2, j])
    x = np.zeros((n, 3))
    for k in range(n - 1, -1, -1):
        for i in range(3):
            value = partial[k, i]
            if k + 1 < n:
                value -= carry[k, i, 0] * x[k + 1, 0] + carry[k, i, 1] * x[k + 1, 1] + carry[k, i, 2] * x[k + 1, 2]
            x[k, i] = value
    return x
