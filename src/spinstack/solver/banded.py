"""One configuration, many layers: the node system of MODEL.md 3a assembled over all layers at
once and solved as a banded matrix (LAPACK gbsv through scipy), O(L) with no Python loop per layer.

The batched elimination of :mod:`.nodes` runs a Python loop over the nodes, each step vectorised
over configurations; for a single long stack that loop dominates.  Here the same equations
(same symbols: Gc = G coth X, Gs = G csch X, sources p m, node bases E_k of 0, 1 or 3 columns)
are laid out for every node at once.  Each node basis is padded to a 3x3 matrix (unused columns
zero); the unknowns of node k are numbered consecutively, so coupled unknowns are at most 5
apart: a (5, 5)-banded system.  Transparent interfaces only (resistive ones go through
:mod:`.nodes`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from .arrays import StackArrays
from .hyperbolic import x_coth_x, x_csch_x


def applies(arrays: StackArrays) -> bool:
    """Whether this path handles ``arrays``: a single real configuration without resistive interfaces."""
    if arrays.batch_shape != () or arrays.interfaces:
        return False
    return all(e is None or e.m is None or e.m.dtype.kind != "c" for e in arrays.elements())


def solve_layerwise(arrays: StackArrays) -> dict[str, np.ndarray | None]:
    """Node values and layer-face currents of one configuration, per unit current.

    Returns
    -------
    dict
        ``accumulation`` (L + 1, 3), ``spin_current_left``/``right`` (L, 3),
        ``lead_current_left``/``right`` (3,) or None, ``deposit`` (L + 1, 3), ``torque`` (L, 3).
    """
    layers = arrays.layers
    n_layers = len(layers)
    columns = list(zip(*layers)) if n_layers else [()] * 5
    D, l, p, d = (np.fromiter(columns[i], dtype=float, count=n_layers) for i in (0, 1, 2, 4))
    ferro = np.array([e.m is not None for e in layers], dtype=bool)
    m = np.zeros((n_layers, 3))
    if ferro.any():
        m[ferro] = np.array([e.m for e in layers if e.m is not None], dtype=float)
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

    mu_a, mu_b = values[:-1], values[1:]
    left_face = source[1:-1] + gc[:, None] * mu_a - gs[:, None] * mu_b
    right_face = source[1:-1] + gs[:, None] * mu_a - gc[:, None] * mu_b
    lead_left = None if arrays.left is None else source_left - G_left * values[0]
    lead_right = None if arrays.right is None else source_right + G_right * values[-1]
    arriving = np.vstack([lead_left if lead_left is not None else np.zeros(3), right_face])
    leaving = np.vstack([left_face, lead_right if lead_right is not None else np.zeros(3)])
    deposit = arriving - leaving
    deposit[reservoir] = 0.0
    total = deposit[:-1] + deposit[1:]
    torque = np.where(ferro[:, None], total - np.einsum("ki,ki->k", m, total)[:, None] * m, 0.0)
    return {"accumulation": values, "spin_current_left": left_face, "spin_current_right": right_face,
            "lead_current_left": lead_left, "lead_current_right": lead_right, "deposit": deposit, "torque": torque}
