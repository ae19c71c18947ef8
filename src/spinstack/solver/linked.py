"""One configuration with resistive interfaces: the elimination of :func:`.nodes.solve_unit`, compiled.

:mod:`.nodes` eliminates the chain of parts (ends, layers, interfaces; MODEL.md 3a, 3b) node by node,
each step a few numpy operations on the batch.  For a single long stack that costs ~100 numpy calls
per node (23 s at 1e5 layers with an interface at every node, against 0.3 s for the banded solve
without interfaces).  Here the same steps, with the same formulas, run in one compiled loop over the
chain (numba), and the outputs (faces, deposits, torques, interface currents) are evaluated for all
layers at once; :class:`.nodes.LayerwiseSolution` holds them.

The steps (see their numpy originals in :mod:`.nodes` for the derivations): through a layer, the
plain Schur step or, for a thin layer with a soft load, the cancellation-free one (:func:`.nodes._thin_step`;
beside a magnetic interface's free node, channel by channel: :func:`.nodes._coherent_step`); through a
resistive interface, resistance form (:func:`.nodes._through_interface`, :func:`.nodes._grounded`); at the
free node behind a magnetic interface, the block split on m and on the plane normal to m
(:func:`.nodes._block_inverse`).  Node values are 1 number on a ferromagnet's rail, 3 at a free node.

Applies to a single real configuration driven by the current (no open or insulator end, no in-plane
field, no finite transverse coherence).  A direction that nothing fixes (l = inf beside g_mix = 0:
:func:`.nodes._floats`) is left to :mod:`.nodes` (the kernel reports it and the caller falls back).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .arrays import InterfaceElement, StackArrays
from .compiled import AVAILABLE, njit
from .hyperbolic import x_coth_x, x_csch_x, x_tanh_half_x

#: part kinds in the kernel
RESERVOIR, LEAD, LAYER, LINK = 0, 1, 2, 3
#: node kinds
PINNED, RAIL, FREE = 0, 1, 2
#: the kernel's answers
SOLVED, UNFIXED, UNSUPPORTED = 0, 1, 2


def applies(arrays: StackArrays, drive: str) -> bool:
    """Whether this path solves ``arrays``: one real configuration with resistive interfaces, driven by the
    current, without open or insulator ends, in-plane field or finite transverse coherence, and long enough
    for the per-node cost to matter (shorter stacks go through :mod:`.nodes`, whose numpy steps have no
    compilation to wait for)."""
    if not AVAILABLE or drive != "current" or arrays.batch_shape != () or not arrays.interfaces:
        return False
    if not arrays.plain or arrays.coherent or len(arrays.layers) <= 8:
        return False
    return not arrays.columns["complex"]


class Chain:
    """The chain of parts of one configuration as flat arrays (the kernel's input), and its node layout.

    Parts in chain order: the left end, then for every user node k the layer k - 1 (k > 0) and the
    interface at k (if any), then the right end.  ``left_node[k]``, ``right_node[k]``: the chain nodes
    just left and right of user node k (equal without an interface).
    """

    def __init__(self, arrays: StackArrays) -> None:
        from .nodes import FLOATING, interface_channel  # (nodes imports this module when it solves)

        columns = arrays.columns
        L = len(arrays.layers)
        nodes = sorted(arrays.interfaces)
        has_link = np.zeros(L + 1, dtype=bool)
        has_link[nodes] = True
        # chain index of element k (0 left end, 1..L layers, L + 1 right end) and of the interface at node k
        before = np.concatenate([[0], np.cumsum(has_link)])  # interfaces before element k
        element = np.arange(L + 2) + before
        self.left_node = element[:L + 1]
        self.right_node = element[:L + 1] + has_link
        P = int(element[-1]) + 1
        self.n_parts = P
        kind = np.full(P, LINK, dtype=np.int64)
        source = np.zeros((P, 3))
        gc, gs, sink = np.zeros(P), np.zeros(P), np.zeros(P)
        thin = np.zeros(P, dtype=bool)
        axis = np.zeros((P, 3))
        rail = np.full(P, -1, dtype=np.int64)  # which element's m (the identity of a rail)

        # layers: Gc = G coth X, Gs = G csch X, T = Gc - Gs evaluated directly (MODEL.md 2)
        D, l, p, d, m, ferro = (columns[key] for key in ("D", "l", "p", "thickness", "m", "ferro"))
        X = d / l
        scale = D / (2.0 * d)
        layers = element[1:L + 1]
        kind[layers] = LAYER
        gc[layers], gs[layers] = scale * x_coth_x(X), scale * x_csch_x(X)
        sink[layers] = scale * x_tanh_half_x(X)
        thin[layers] = d <= l
        source[layers] = p[:, None] * m
        axis[layers] = m
        rail[layers] = np.where(ferro, np.arange(1, L + 1), -1)
        for index, end in ((0, arrays.left), (P - 1, arrays.right)):
            if end is None:
                kind[index] = RESERVOIR
                continue
            kind[index] = LEAD
            gc[index] = sink[index] = float(end.D) / (2.0 * float(end.l))  # K_aa of the right lead, -K_bb of the left
            if end.m is not None:
                axis[index] = np.real(np.asarray(end.m, dtype=float))
                source[index] = float(end.p) * axis[index]
                rail[index] = 0 if index == 0 else L + 1

        # interfaces (MODEL.md 3b): the collinear channel's s, 1/s, c - s, c; the mixing sink on the N side
        K = len(nodes)
        links = element[nodes] + 1 if K else np.zeros(0, dtype=np.int64)
        self.links, self.link_nodes = links, np.asarray(nodes, dtype=np.int64)
        elements = [arrays.interfaces[node] for node in nodes]
        g, gamma, delta = (np.fromiter((float(getattr(e, key)) for e in elements), dtype=float, count=K)
                           for key in ("g", "gamma", "delta"))
        mixed = np.fromiter((e.mixing is not None for e in elements), dtype=bool, count=K)
        mixing = np.zeros((K, 2))
        if mixed.any():
            mixing[mixed] = np.array([np.asarray(e.mixing, dtype=float) for e in elements if e.mixing is not None])
        a, b = rail[element[nodes]], rail[element[np.asarray(nodes, dtype=np.int64) + 1]]
        magnet = np.where(a >= 0, a, b)  # the element whose m the interface's is (before's first), -1 at N/N
        sinked = mixed & ((a >= 0) != (b >= 0))  # the transverse sink of an N/F contact, on its N side
        side = np.where(sinked, np.where(a < 0, 1, 2), 0)  # 1: at face a (N | F), 2: at face b (F | N)
        g_r, g_i = np.where(sinked, mixing[:, 0], 0.0), np.where(sinked, mixing[:, 1], 0.0)

        channel = interface_channel(InterfaceElement(g, gamma, None, delta))  # over all interfaces at once
        s, resistance, shunt, grounded = (np.broadcast_to(v, (K,)).astype(float) for v in channel)
        magnetic = magnet >= 0
        magnet_part = np.where(magnetic, element[np.maximum(magnet, 0)], 0)
        axis[links] = np.where(magnetic[:, None], axis[magnet_part], 0.0)
        rail[links] = magnet
        source[links] = np.where(magnetic[:, None], gamma[:, None] * axis[links], 0.0)
        self.link_data = np.stack([s, resistance, shunt, grounded, g_r, g_i, side.astype(float), gamma], axis=1)
        link_of = np.full(P, -1, dtype=np.int64)
        link_of[links] = np.arange(K)
        pins = np.zeros(P, dtype=np.int64)  # the face a link pins to its m (g_r = inf): 1 a, 2 b
        pins[links] = np.where(np.isinf(g_r), side, 0)

        # chain nodes: pinned at a reservoir, on a rail beside a ferromagnet (or an N side pinned by g_r = inf;
        # nodes._node_basis), free between normal metals
        first, second = np.arange(P - 1), np.arange(1, P)
        pinned = (kind[first] == RESERVOIR) | (kind[second] == RESERVOIR)
        magnet_first = (kind[first] != LINK) & (rail[first] >= 0)
        magnet_second = (kind[second] != LINK) & (rail[second] >= 0)
        owner = np.where(pins[first] == 2, first, np.where(pins[second] == 1, second,
                         np.where(magnet_first, first, np.where(magnet_second, second, -1))))
        on_rail = ~pinned & (owner >= 0)
        node_kind = np.where(pinned, PINNED, np.where(on_rail, RAIL, FREE)).astype(np.int64)
        node_axis = np.where(on_rail[:, None], axis[np.maximum(owner, 0)], 0.0)
        node_rail = np.where(on_rail, rail[np.maximum(owner, 0)], -1).astype(np.int64)
        self.kind, self.source, self.gc, self.gs, self.sink, self.thin = kind, source, gc, gs, sink, thin
        self.axis, self.rail, self.link_of = axis, rail, link_of
        self.node_kind, self.node_axis, self.node_rail = node_kind, node_axis, node_rail
        self.floating = FLOATING


def solve(arrays: StackArrays) -> dict[str, object] | None:
    """The outputs of :class:`.nodes.LayerwiseSolution` for ``arrays`` (see :func:`applies`), or None when a
    direction is left unfixed somewhere (the caller then solves through :mod:`.nodes`, which resolves it)."""
    chain = Chain(arrays)
    values = np.zeros((chain.n_parts - 1, 3))
    status = _eliminate(chain.kind, chain.source, chain.gc, chain.gs, chain.sink, chain.thin, chain.axis, chain.rail,
                        chain.link_of, chain.link_data, chain.node_kind, chain.node_axis, chain.node_rail,
                        chain.floating, values)
    if status != SOLVED:
        return None
    return _outputs(arrays, chain, values)


def _outputs(arrays: StackArrays, chain: Chain, values: np.ndarray) -> dict[str, object]:
    """Faces, deposits, torques and interface currents for all layers at once, as :class:`.nodes.UnitSolution`
    defines them (its methods, written per layer, give the same numbers)."""
    kind, source, gc, gs = chain.kind, chain.source, chain.gc, chain.gs
    L = len(arrays.layers)
    left_node, right_node = chain.left_node, chain.right_node
    P = chain.n_parts
    accumulation, accumulation_right = values[left_node], values[right_node]
    layers = left_node[1:]  # chain index of layer k = left node of user node k + 1
    mu_a, mu_b = values[layers - 1], values[layers]
    face_a = source[layers] + gc[layers, None] * mu_a - gs[layers, None] * mu_b
    face_b = source[layers] + gs[layers, None] * mu_a - gc[layers, None] * mu_b
    lead_left = None if kind[0] == RESERVOIR else source[0] - gc[0] * values[0]
    lead_right = None if kind[-1] == RESERVOIR else source[-1] + gc[-1] * values[-1]
    zero = np.zeros((1, 3))
    arriving = np.vstack([zero if lead_left is None else lead_left[None], face_b])
    leaving = np.vstack([face_a, zero if lead_right is None else lead_right[None]])
    # a node beside a reservoir (across its interface, if any) receives no deposit
    grounded = (kind[left_node] == RESERVOIR) | (kind[right_node + 1] == RESERVOIR)
    deposit = np.where(grounded[:, None], 0.0, arriving - leaving)

    # torque: the transverse part of the deposits at an F layer's two nodes; on a node on the layer's own rail
    # its own face carries spin along m only, and so does the neighbour's term at that same rail node: both
    # left out (see UnitSolution._neighbour_terms), the neighbour's face without that term is used instead
    ferro = arrays.columns["ferro"]
    m = arrays.columns["m"]
    rails = chain.node_rail
    own = chain.rail[layers]  # the layer's rail (its element; -1 for N)
    total = np.zeros((L, 3))
    for offset in (0, 1):
        node = np.arange(L) + offset  # the layer's left (0) or right (1) user node
        chain_node = layers - 1 if offset == 0 else layers  # its chain node on the layer's side of any interface
        on_own = ferro & (rails[chain_node] == own)
        if offset == 0:  # the bulk part left of the node (across an interface), its face b
            neighbour = left_node[node]
            face = _part_face(chain, values, neighbour, "b")
            kept = source[neighbour] + np.where((neighbour > 0)[:, None],
                                                gs[neighbour, None] * values[np.maximum(neighbour - 1, 0)], 0.0)
            far = neighbour
        else:  # the bulk part right of it, its face a
            neighbour = right_node[node] + 1
            face = _part_face(chain, values, neighbour, "a")
            kept = source[neighbour] - np.where((neighbour < P - 1)[:, None],
                                                gs[neighbour, None] * values[np.minimum(neighbour, P - 2)], 0.0)
            far = neighbour - 1
        face = np.where((rails[far] == own)[:, None], kept, face)  # its node term along the same m: left out
        contribution = np.where(on_own[:, None], face if offset == 0 else -face, deposit[node])
        total += np.where(grounded[node][:, None], 0.0, contribution)
    torque = np.where(ferro[:, None], total - np.einsum("ki,ki->k", m, total)[:, None] * m, 0.0)

    # interface currents: from the bulk faces beside each interface (UnitSolution.interface_currents)
    links, link_nodes = chain.links, chain.link_nodes
    magnetic = chain.rail[links] >= 0
    axes = chain.axis[links]
    shunt = chain.link_data[:, 2]

    def along_axis(vector: np.ndarray) -> np.ndarray:
        return np.where(magnetic[:, None], np.einsum("ki,ki->k", axes, vector)[:, None] * axes, vector)

    def through(neighbour: np.ndarray, face: np.ndarray) -> np.ndarray:
        return np.where((magnetic & (chain.rail[neighbour] >= 0))[:, None], along_axis(face), face)

    before, after = links - 1, links + 1
    before_face = _part_face(chain, values, before, "b")
    after_face = _part_face(chain, values, after, "a")
    left = through(before, before_face)
    right = through(after, after_face)
    left = np.where((kind[before] == RESERVOIR)[:, None], right + shunt[:, None] * along_axis(values[links]), left)
    right = np.where((kind[after] == RESERVOIR)[:, None], left - shunt[:, None] * along_axis(values[links - 1]), right)
    interface_axes = dict(zip(link_nodes.tolist(), [axis if magnetic_ else None
                                                    for axis, magnetic_ in zip(axes, magnetic.tolist())]))
    return {"accumulation": accumulation, "accumulation_right": accumulation_right, "spin_current_left": face_a,
            "spin_current_right": face_b, "lead_current_left": lead_left, "lead_current_right": lead_right,
            "deposit": deposit, "torque": torque, "interface_currents": Currents(link_nodes, left, right),
            "interface_axes": interface_axes}


class Currents(Mapping):
    """node -> (j_s on the left face, on the right face) of each interface, (3,) each, read from two (K, 3)
    arrays when asked (a dict of 1e5 pairs cost 0.1 s per solve, for what only profiles and JSON read)."""

    def __init__(self, nodes: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
        self._index = dict(zip(nodes.tolist(), range(len(nodes))))
        self._left, self._right = left, right

    def __getitem__(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        j = self._index[node]
        return self._left[j], self._right[j]

    def __iter__(self) -> Iterator[int]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _part_face(chain: Chain, values: np.ndarray, parts: np.ndarray, side: str) -> np.ndarray:
    """j_s at face ``side`` of bulk parts (layers, leads; 0 at a reservoir), (K, 3)."""
    P = chain.n_parts
    source, gc, gs, kind = chain.source[parts], chain.gc[parts], chain.gs[parts], chain.kind[parts]
    a = np.where((parts > 0)[:, None], values[np.maximum(parts - 1, 0)], 0.0)
    b = np.where((parts < P - 1)[:, None], values[np.minimum(parts, P - 2)], 0.0)
    if side == "a":  # layer: Gc mu_a - Gs mu_b; right lead: G mu_a
        face = source + gc[:, None] * a - gs[:, None] * b
    else:  # layer: Gs mu_a - Gc mu_b; left lead: -G mu_b
        face = source + gs[:, None] * a - gc[:, None] * b
    return np.where((kind == RESERVOIR)[:, None], 0.0, face)


# ------------------------------------------------------------------ the compiled elimination
# Blocks are 3 x 3 arrays whose leading n x n part is used (n = 1 on a rail, 3 at a free node), vectors
# likewise; each helper mirrors the numpy function of .nodes named in its docstring.

@njit(cache=True)
def _matmul(a, b, n, k, m):  # pragma: no cover - compiled
    out = np.zeros((3, 3))
    for i in range(n):
        for j in range(m):
            total = 0.0
            for r in range(k):
                total += a[i, r] * b[r, j]
            out[i, j] = total
    return out


@njit(cache=True)
def _onto_node(full, pushed_full, ni, b):  # pragma: no cover - compiled
    """A 3-vector load and its right-hand side as the next node carries them: whole (3 unknowns),
    or their component along the node's axis b (1 unknown, in slot 0)."""
    if ni == 3:
        return full, pushed_full
    value = 0.0
    for r in range(3):
        for q in range(3):
            value += b[r] * full[r, q] * b[q]
    load = np.zeros((3, 3))
    load[0, 0] = value
    pushed = np.zeros(3)
    pushed[0] = b[0] * pushed_full[0] + b[1] * pushed_full[1] + b[2] * pushed_full[2]
    return load, pushed


@njit(cache=True)
def _matvec(a, v, n, k):  # pragma: no cover - compiled
    out = np.zeros(3)
    for i in range(n):
        total = 0.0
        for r in range(k):
            total += a[i, r] * v[r]
        out[i] = total
    return out


@njit(cache=True)
def _outer(m):  # pragma: no cover - compiled
    out = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            out[i, j] = m[i] * m[j]
    return out


@njit(cache=True)
def _solve(matrix, rhs, n, columns):  # pragma: no cover - compiled
    """nodes._solve_small: the adjugate of a 3 x 3 (no pivoting), or a division for 1 x 1; rhs (n, columns)."""
    out = np.zeros((3, 3))
    if n == 1:
        for j in range(columns):
            out[0, j] = rhs[0, j] / matrix[0, 0]
        return out
    a = matrix
    cof = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            cof[i, j] = (a[(i + 1) % 3, (j + 1) % 3] * a[(i + 2) % 3, (j + 2) % 3]
                         - a[(i + 1) % 3, (j + 2) % 3] * a[(i + 2) % 3, (j + 1) % 3])
    det = a[0, 0] * cof[0, 0] + a[0, 1] * cof[0, 1] + a[0, 2] * cof[0, 2]
    for i in range(3):
        for j in range(columns):
            out[i, j] = (cof[0, i] * rhs[0, j] + cof[1, i] * rhs[1, j] + cof[2, i] * rhs[2, j]) / det
    return out


@njit(cache=True)
def _solve_vector(matrix, rhs, n):  # pragma: no cover - compiled
    column = np.zeros((3, 3))
    for i in range(n):
        column[i, 0] = rhs[i]
    solved = _solve(matrix, column, n, 1)
    out = np.zeros(3)
    for i in range(n):
        out[i] = solved[i, 0]
    return out


@njit(cache=True)
def _inverse3(matrix):  # pragma: no cover - compiled
    """nodes._inverse3: scaled first, so that entries up to ~1e150 do not overflow the adjugate's products."""
    scale = 0.0
    for i in range(3):
        for j in range(3):
            scale = max(scale, abs(matrix[i, j]))
    if scale == 0.0:
        scale = 1.0
    scaled = matrix / scale
    return _solve(scaled, np.eye(3), 3, 3) / scale


@njit(cache=True)
def _max_abs(matrix, n):  # pragma: no cover - compiled
    value = 0.0
    for i in range(n):
        for j in range(n):
            value = max(value, abs(matrix[i, j]))
    return value


@njit(cache=True)
def _cross(a, b):  # pragma: no cover - compiled
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


@njit(cache=True)
def _mixing(m, g_r, g_i):  # pragma: no cover - compiled
    """g_r (1 - m m^T) - g_i [m]x: the transverse sink of an N/F interface on its N side."""
    out = np.empty((3, 3))
    cross = np.array([[0.0, -m[2], m[1]], [m[2], 0.0, -m[0]], [-m[1], m[0], 0.0]])
    for i in range(3):
        for j in range(3):
            out[i, j] = g_r * ((1.0 if i == j else 0.0) - m[i] * m[j]) - g_i * cross[i, j]
    return out


@njit(cache=True)
def _plane_inverse(plane, m, scale, floating):  # pragma: no cover - compiled
    """nodes._plane_inverse in the frame (e1, e2) of the plane normal to m; ok False where a singular value is
    below ``floating`` times ``scale`` (a direction nothing may fix: left to .nodes)."""
    index = 0
    for k in range(1, 3):
        if abs(m[k]) < abs(m[index]):
            index = k
    axis = np.zeros(3)
    axis[index] = 1.0
    e1 = _cross(m, axis)
    e1 = e1 / np.sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2])
    e2 = _cross(m, e1)
    frame = (e1, e2)
    A = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            image = _matvec(plane, frame[j], 3, 3)
            A[i, j] = frame[i][0] * image[0] + frame[i][1] * image[1] + frame[i][2] * image[2]
    a, b, c, d = A[0, 0], A[0, 1], A[1, 0], A[1, 1]
    det = a * d - b * c
    size = np.sqrt(a * a + b * b + c * c + d * d)
    if scale < 0.0:
        scale = size
    largest = np.sqrt(0.5 * (size**2 + np.sqrt(max(size**4 - 4.0 * det * det, 0.0))))
    out = np.zeros((3, 3))
    if not abs(det) > floating * scale * largest:
        return out, False
    inverse = ((d / det, -b / det), (-c / det, a / det))
    for i in range(2):
        for j in range(2):
            for r in range(3):
                for q in range(3):
                    out[r, q] += inverse[i][j] * frame[i][r] * frame[j][q]
    return out, True


@njit(cache=True)
def _overlap(kind_a, axis_a, rail_a, kind_b, axis_b, rail_b):  # pragma: no cover - compiled
    """E_a^T E_b of two node bases (nodes._sandwich with K = 1): the same rail gives exactly 1."""
    out = np.zeros((3, 3))
    if kind_a == RAIL and kind_b == RAIL:
        out[0, 0] = 1.0 if rail_a == rail_b else axis_a[0] * axis_b[0] + axis_a[1] * axis_b[1] + axis_a[2] * axis_b[2]
    elif kind_a == RAIL:
        for j in range(3):
            out[0, j] = axis_a[j]
    elif kind_b == RAIL:
        for i in range(3):
            out[i, 0] = axis_b[i]
    else:
        for i in range(3):
            out[i, i] = 1.0
    return out


@njit(cache=True)
def _project(kind, axis, vector):  # pragma: no cover - compiled
    if kind == RAIL:
        out = np.zeros(3)
        out[0] = axis[0] * vector[0] + axis[1] * vector[1] + axis[2] * vector[2]
        return out
    return vector.copy()


@njit(cache=True)
def _eliminate(kind, source, gc, gs, sink, thin, axis, rail, link_of, link_data, node_kind, node_axis, node_rail,
               floating, values):  # pragma: no cover - compiled
    """The forward elimination and back substitution of nodes.solve_unit for one configuration (current drive);
    ``values`` (n, 3) receives mu at every chain node.  Returns SOLVED, or UNFIXED where a block is singular
    within ``floating`` (left to .nodes, which tells an unfixed direction from a tiny stiffness)."""
    n = node_kind.shape[0]
    eye = np.eye(3)
    carry = np.zeros((n, 3, 3))
    partial = np.zeros((n, 3))
    has_carry = np.zeros(n, dtype=np.bool_)
    size = np.zeros(n, dtype=np.int64)
    for i in range(n):
        size[i] = 0 if node_kind[i] == PINNED else (1 if node_kind[i] == RAIL else 3)
    load = np.zeros((3, 3))
    pushed = np.zeros(3)
    block = np.zeros((3, 3))
    inverse = np.zeros((3, 3))
    has_inverse = False
    previous = -1
    along_previous = 0.0
    has_pending = False
    pending_load = np.zeros((3, 3))
    pending_pushed = np.zeros(3)
    pending_along = 0.0
    pending_has_along = False
    for i in range(n):
        ni = size[i]
        if ni == 0:
            continue
        step = previous == i - 1 and kind[i] == LAYER
        along = 0.0
        has_along = False
        behind_magnetic = i > 0 and kind[i - 1] == LINK and rail[i - 1] >= 0
        if kind[i] == LINK:  # just right of an interface: the load it passes on
            k = link_of[i]
            if has_pending:
                load, pushed = pending_load.copy(), pending_pushed.copy()
                along, has_along = pending_along, pending_has_along
                has_pending = False
            else:  # nodes._grounded: its left face is a reservoir
                c = link_data[k, 3]
                load = np.zeros((3, 3))
                pushed = np.zeros(3)
                along, has_along = c, True
                if rail[i] < 0:  # N/N: all three components
                    for r in range(3):
                        for q in range(3):
                            load[r, q] = c if (r == q or np.isinf(c)) else 0.0
                elif ni == 1:  # on the F's rail: the interface's own m
                    load[0, 0] = c
                    pushed[0] = link_data[k, 7]  # gamma
                else:
                    return UNSUPPORTED
        elif step and node_kind[i - 1] == FREE and behind_magnetic and thin[i]:
            # nodes._coherent_step with an axis: a thin plain layer from the free node behind a magnetic interface
            m = axis[i - 1]
            longitudinal = _outer(m)
            transverse = eye - longitudinal
            Y = load
            finite = True
            for r in range(3):
                for q in range(3):
                    if not np.isfinite(Y[r, q]):
                        finite = False
            stiffness = gc[i]
            soft = finite and abs(along_previous) <= stiffness
            # the load's part normal to m: the interface's sink there, exactly (not Q Y Q: see nodes._coherent_step)
            k_behind = link_of[i - 1]
            QYQ = np.zeros((3, 3))
            if int(link_data[k_behind, 6]) == 2 and finite:
                QYQ = _mixing(m, link_data[k_behind, 4], link_data[k_behind, 5])
            across = finite and _max_abs(QYQ, 3) <= stiffness
            p_along = 1.0 if soft else 0.0
            p_across = 1.0 if across else 0.0
            P = p_along * longitudinal + p_across * transverse
            T = sink[i]
            rest = eye - P
            Y_along = (along_previous if finite else 0.0) * longitudinal
            Y_across = QYQ if across else np.zeros((3, 3))
            PW = p_along * (Y_along + T * longitudinal) + Y_across + p_across * (T * transverse)
            PYP = p_along * (Y_along + 2.0 * T * longitudinal) + Y_across + p_across * (2.0 * T * transverse)
            V = rest * gs[i] - PW
            right = gs[i] * rest - PW
            full = rest * gc[i] + PYP - _matmul(V, _matmul(inverse, right, 3, 3, 3), 3, 3, 3)
            difference = pushed - source[i]
            pushed_full = (source[i] + _matvec(P, difference, 3, 3)
                           + _matvec(V, _matvec(inverse, difference, 3, 3), 3, 3))
            load, pushed = _onto_node(full, pushed_full, ni, node_axis[i])
        else:
            n_previous = size[i - 1] if i > 0 else 0
            is_thin = step and thin[i] and _max_abs(load, n_previous) <= gc[i]
            if is_thin:  # nodes._thin_step
                T = sink[i]
                Y = load.copy()
                if kind[i - 1] == LINK:  # (as nodes: _finite_load, though one configuration holds no inf)
                    for r in range(3):
                        for q in range(3):
                            if not np.isfinite(Y[r, q]):
                                Y[r, q] = 0.0
                R = pushed
                if n_previous == 3:
                    W = Y + T * eye
                    if has_inverse:
                        ZW = _matmul(inverse, W, 3, 3, 3)
                    else:
                        ZW = _solve(block, W, 3, 3)
                    full = Y + 2.0 * T * eye - _matmul(W, ZW, 3, 3, 3)
                    pushed_full = R - _matvec(W, partial[i - 1], 3, 3)
                    load, pushed = _onto_node(full, pushed_full, ni, node_axis[i])
                else:
                    W = Y[0, 0] + T
                    along_value = Y[0, 0] + 2.0 * T - W * W / block[0, 0]
                    pushed_along = R[0] - W * partial[i - 1, 0]
                    load = np.zeros((3, 3))
                    pushed = np.zeros(3)
                    if ni == 1 and node_rail[i] == node_rail[i - 1]:
                        load[0, 0] = along_value
                        pushed[0] = pushed_along
                    else:
                        m = node_axis[i - 1]
                        s_m = source[i, 0] * m[0] + source[i, 1] * m[1] + source[i, 2] * m[2]
                        transverse_source = source[i] - s_m * m
                        if ni == 3:
                            outer = _outer(m)
                            load = gc[i] * (eye - outer) + along_value * outer
                            pushed = transverse_source + m * pushed_along
                        else:
                            b = node_axis[i]
                            cosine = m[0] * b[0] + m[1] * b[1] + m[2] * b[2]
                            cross = _cross(m, b)
                            sine2 = cross[0] ** 2 + cross[1] ** 2 + cross[2] ** 2
                            load[0, 0] = gc[i] * sine2 + along_value * cosine**2
                            pushed[0] = (b[0] * transverse_source[0] + b[1] * transverse_source[1]
                                         + b[2] * transverse_source[2]) + cosine * pushed_along
            else:  # the plain Schur step
                new_load = np.zeros((3, 3))
                for r in range(ni):
                    new_load[r, r] = gc[i]  # -E^T K_bb E of the part before: Gc (a lead's G)
                new_pushed = _project(node_kind[i], node_axis[i], source[i])
                if previous >= 0:
                    coupling = -gs[i] * _overlap(node_kind[i], node_axis[i], node_rail[i], node_kind[previous],
                                                  node_axis[previous], node_rail[previous])
                    n_prev = size[previous]
                    new_load = new_load - _matmul(coupling, carry[previous], ni, n_prev, ni)
                    new_pushed = new_pushed - _matvec(coupling, partial[previous], ni, n_prev)
                load, pushed = new_load, new_pushed
        following_active = i + 1 < n and size[i + 1] > 0
        if kind[i + 1] == LINK:  # nodes._through_interface: node i eliminated in resistance form
            k = link_of[i + 1]
            s, r_, shunt = link_data[k, 0], link_data[k, 1], link_data[k, 2]
            side = int(link_data[k, 6])
            if rail[i + 1] < 0:  # N/N
                H = load + shunt * eye
                r3 = min(r_, 1e280 / (1.0 + _max_abs(H, 3)))
                weight = _inverse3(eye + r3 * H)
                partial[i] = _matvec(weight, r3 * pushed, 3, 3)
                if following_active:
                    carry[i] = -weight
                    has_carry[i] = True
                    pending_load = _matmul(weight, H, 3, 3, 3) + shunt * eye
                    pending_pushed = _matvec(weight, pushed, 3, 3)
                    pending_has_along = False
                    has_pending = True
            else:
                m = axis[i + 1]
                gamma = link_data[k, 7]
                direction = np.zeros(3)
                offset_a = np.zeros(3)
                if ni == 3:
                    Q = eye - _outer(m)
                    plane = _matmul(_matmul(Q, load, 3, 3, 3), Q, 3, 3, 3)
                    scale = _max_abs(load, 3)
                    if side == 1:
                        mixing = _mixing(m, link_data[k, 4], link_data[k, 5])
                        plane = plane + mixing
                        scale = max(scale, _max_abs(mixing, 3))
                    plane_inverse, ok = _plane_inverse(plane, m, scale, floating)
                    if not ok:
                        return UNFIXED
                    Ym = _matvec(load, m, 3, 3)
                    mY = _matvec(load.T.copy(), m, 3, 3)
                    inverse_Ym = _matvec(plane_inverse, Ym, 3, 3)
                    inverse_R = _matvec(plane_inverse, pushed, 3, 3)
                    h = (m[0] * Ym[0] + m[1] * Ym[1] + m[2] * Ym[2]) - (mY[0] * inverse_Ym[0] + mY[1] * inverse_Ym[1]
                                                                     + mY[2] * inverse_Ym[2])
                    rho = (m[0] * pushed[0] + m[1] * pushed[1] + m[2] * pushed[2]) - (
                        mY[0] * inverse_R[0] + mY[1] * inverse_R[1] + mY[2] * inverse_R[2])
                    direction = m - inverse_Ym
                    offset_a = inverse_R
                else:
                    h, rho = load[0, 0], pushed[0]
                    direction[0] = 1.0
                relative = rho - gamma
                H_value = h + shunt
                weight_value = 1.0 / (1.0 + r_ * H_value)
                offset = relative / (s + H_value)
                partial[i] = direction * offset + offset_a
                if following_active:
                    along_b = H_value * weight_value + shunt
                    pushed_b = relative * weight_value + gamma
                    carry[i] = np.zeros((3, 3))
                    has_carry[i] = True
                    pending_load = np.zeros((3, 3))
                    pending_pushed = np.zeros(3)
                    if size[i + 1] == 1:
                        b = node_axis[i + 1]
                        c = 1.0 if node_rail[i + 1] == rail[i + 1] else m[0] * b[0] + m[1] * b[1] + m[2] * b[2]
                        for r in range(ni):
                            carry[i, r, 0] = -(direction[r] * (weight_value * c))
                        pending_load[0, 0] = along_b * c * c
                        pending_pushed[0] = pushed_b * c
                    else:
                        for r in range(ni):
                            for q in range(3):
                                carry[i, r, q] = -(direction[r] * weight_value) * m[q]
                        pending_load = along_b * _outer(m)
                        if side == 2:
                            pending_load = pending_load + _mixing(m, link_data[k, 4], link_data[k, 5])
                        pending_pushed = pushed_b * m
                    pending_along = along_b
                    pending_has_along = True
                    has_pending = True
            previous = i
            has_inverse = False
            continue
        # the block at node i: the next part's own stiffness plus the load
        block = load.copy()
        for r in range(ni):
            block[r, r] += gc[i + 1]  # E^T K_aa E of the part after: Gc (a lead's G)
        has_inverse = False
        axial = np.zeros((3, 3))
        across = np.zeros((3, 3))
        split = False
        if kind[i] == LINK and ni == 3:  # nodes._block_inverse
            k = link_of[i]
            K = gc[i + 1]
            if rail[i] < 0:
                if has_along:
                    inverse = (1.0 / (along + K)) * eye
                    has_inverse = True
                elif _max_abs(load, 3) > 1e100:
                    inverse = _inverse3(K * eye + load)
                    has_inverse = True
            else:
                m = axis[i]
                longitudinal = _outer(m)
                plane = K * (eye - longitudinal)
                if int(link_data[k, 6]) == 2:
                    plane = plane + _mixing(m, link_data[k, 4], link_data[k, 5])
                axial = longitudinal / (along + K)
                across, ok = _plane_inverse(plane, m, -1.0, floating)
                if not ok:
                    return UNFIXED
                inverse = axial + across
                has_inverse = True
                split = True
        if has_along:
            along_previous = along
        src = _project(node_kind[i], node_axis[i], source[i + 1])
        rhs = pushed - src
        if following_active:
            following = -gs[i + 1] * _overlap(node_kind[i], node_axis[i], node_rail[i], node_kind[i + 1],
                                               node_axis[i + 1], node_rail[i + 1])
            if has_inverse:
                carry[i] = _matmul(inverse, following, ni, ni, size[i + 1])
            else:
                carry[i] = _solve(block, following, ni, size[i + 1])
            has_carry[i] = True
        if not has_inverse:
            partial[i] = _solve_vector(block, rhs, ni)
            if not following_active and kind[i + 1] == LEAD:  # nodes._solve_last: a singular last block
                bad = False
                for r in range(ni):
                    if not np.isfinite(partial[i, r]):
                        bad = True
                if not bad and ni == 3:
                    singular = np.linalg.svd(block)[1]
                    bad = singular[2] <= floating * singular[0]
                if bad:
                    return UNFIXED
        elif split:
            partial[i] = _matvec(axial, rhs, 3, 3) - _matvec(across, src, 3, 3)
        else:
            partial[i] = _matvec(inverse, rhs, 3, 3)
        previous = i

    # back substitution
    later = np.zeros(3)
    started = False
    next_node = 0
    for i in range(n - 1, -1, -1):
        ni = size[i]
        if ni == 0:
            continue
        if started and has_carry[i]:
            x = partial[i] - _matvec(carry[i], later, ni, size[next_node])
        else:
            x = partial[i].copy()
        if ni == 1:
            for r in range(3):
                values[i, r] = x[0] * node_axis[i, r]
        else:
            for r in range(3):
                values[i, r] = x[r]
        later = x
        next_node = i
        started = True
    return SOLVED
