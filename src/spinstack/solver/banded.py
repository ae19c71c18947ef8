"""One configuration, many layers, transparent nodes: the node system of MODEL.md 3a assembled over all
layers at once, O(L) with no Python loop per layer.

The numpy backend (:mod:`.elimination`) runs a Python loop over the nodes, each step vectorised over
configurations; for a single long stack that loop dominates.  Here the same description
(:class:`.system.FlatChain`: the two-ports of :mod:`.twoports`, node bases E_k of 0, 1 or 3 columns)
is laid out for every node at once.  Each node basis is padded to a 3x3 matrix (unused columns
zero); the unknowns of node k are numbered consecutively, so coupled unknowns are at most 5 apart.
Two solvers of that system:

* :func:`solve_lapack`: the (5, 5)-banded matrix by LAPACK gbsv (scipy, imported when first used);
* :func:`solve_compiled`: block elimination of the padded 3x3 blocks, compiled (numba).

Transparent interfaces only, plain steps only: a thin layer's face currents carry eps D / (2d) |mu|
(the numpy and linked eliminations step through thin layers without that loss; see
:mod:`.backends` for what each backend takes).  The outputs are read by :func:`.readout.chain_outputs`.
"""

from __future__ import annotations

import numpy as np

from .arrays import StackArrays
from .compiled import invert3, njit
from .readout import LayerwiseSolution, chain_outputs
from .system import FREE, RAIL, FlatChain


def solve_lapack(arrays: StackArrays) -> LayerwiseSolution:
    """The outputs of one configuration (transparent nodes, current drive), by LAPACK's banded solver."""
    return _solve(arrays, _banded)


def solve_compiled(arrays: StackArrays) -> LayerwiseSolution:
    """The outputs of one configuration (transparent nodes, current drive), by the compiled block elimination."""
    return _solve(arrays, _assemble_and_solve)


def _solve(arrays: StackArrays, solver) -> LayerwiseSolution:
    chain = FlatChain(arrays)
    # node k between parts k and k + 1: pinned (a reservoir), on a rail (next to an F) or free
    size = np.where(chain.node_kind == RAIL, 1, np.where(chain.node_kind == FREE, 3, 0))
    basis = np.zeros((len(size), 3, 3))  # padded E_k: columns are the allowed directions
    basis[chain.node_kind == RAIL, :, 0] = chain.node_axis[chain.node_kind == RAIL]
    basis[chain.node_kind == FREE] = np.eye(3)
    if not size.any():
        values = np.zeros((len(size), 3))
    else:
        # E_k^T [(Gc_k + Gc_{k+1}) mu_k - Gs_k mu_{k-1} - Gs_{k+1} mu_{k+1}] = E_k^T (s_k - s_{k+1}), with Gc of every
        # part (a lead's G, 0 at a reservoir) and Gs (0 for ends)
        values = solver(chain.gc, chain.gs, chain.source, basis, size)
    return LayerwiseSolution(arrays, chain_outputs(arrays, chain, values))


def _banded(stiffness: np.ndarray, transfer: np.ndarray, source: np.ndarray, basis: np.ndarray,
            size: np.ndarray) -> np.ndarray:
    """The node values (n, 3): the node system as one (5, 5)-banded matrix (unknowns of node k numbered
    consecutively), LAPACK gbsv."""
    from scipy.linalg import solve_banded  # (scipy costs ~0.2 s to import: only long stacks pay it)

    n = len(size)
    offset = np.concatenate([[0], np.cumsum(size)])
    unknowns = int(offset[-1])
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
