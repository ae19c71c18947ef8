"""One configuration with resistive interfaces: the elimination of :mod:`.elimination`, compiled.

The numpy backend eliminates the chain of parts (ends, layers, interfaces; MODEL.md 3a, 3b) node by
node, each step a few numpy operations on the batch.  For a single long stack that costs ~100 numpy
calls per node (23 s at 1e5 layers with an interface at every node, against 0.3 s for the banded solve
without interfaces).  Here the same steps, with the same formulas, run in one compiled loop over the
flat chain (:class:`.system.FlatChain`, numba), and the outputs (faces, deposits, torques, interface
currents) are evaluated for all layers at once (:func:`.readout.chain_outputs`).

The steps (see their numpy originals in :mod:`.elimination` for the derivations): through a layer, the
plain Schur step or, for a thin layer with a soft load, the cancellation-free one (``_thin_step``;
beside a magnetic interface's free node, channel by channel: ``_coherent_step``); through a resistive
interface, resistance form (``_through_interface``, ``_grounded``); at the free node behind a magnetic
interface, the block split on m and on the plane normal to m (``_block_inverse``); at a free node reached
from a rail through layers, the axial load stepped and inverted on m and normal to m apart (``Axial``,
``_axial_step``, ``_axial_inverse``).  Node values are 1
number on a ferromagnet's rail, 3 at a free node.

Takes a single real configuration driven by the current, without open or insulator ends, in-plane field
or finite transverse coherence (:mod:`.backends`).  A direction that nothing fixes (l = inf beside
g_mix = 0: ``elimination._floats``) is left to the numpy backend: :func:`solve` returns None.
"""

from __future__ import annotations

import numpy as np

from .arrays import StackArrays
from .compiled import njit
from .elimination import FLOATING
from .readout import LayerwiseSolution, chain_outputs
from .system import FREE, LAYER, LEAD, LINK, PINNED, RAIL, FlatChain

#: the kernel's answers
SOLVED, UNFIXED, UNSUPPORTED = 0, 1, 2


def solve(arrays: StackArrays) -> LayerwiseSolution | None:
    """The outputs of one configuration (see :mod:`.backends` for what this backend takes), or None when a
    direction is left unfixed somewhere or the values are not finite (the numpy backend resolves the one
    and refuses the other with its reason)."""
    chain = FlatChain(arrays)
    values = np.zeros((chain.n_parts - 1, 3))
    status = _eliminate(chain.kind, chain.source, chain.gc, chain.gs, chain.sink, chain.thin, chain.axis, chain.rail,
                        chain.link_of, chain.link_data, chain.node_kind, chain.node_axis, chain.node_rail,
                        FLOATING, values)
    if status != SOLVED or not np.isfinite(values).all():
        return None
    return LayerwiseSolution(arrays, chain_outputs(arrays, chain, values))


# ------------------------------------------------------------------ the compiled elimination
# Blocks are 3 x 3 arrays whose leading n x n part is used (n = 1 on a rail, 3 at a free node), vectors
# likewise; each helper mirrors the numpy function of .elimination named in its docstring.

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
    """elimination._solve_small: the adjugate of a 3 x 3 (no pivoting), or a division for 1 x 1; rhs (n, columns)."""
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
    """elimination._inverse3: scaled first, so that entries up to ~1e150 do not overflow the adjugate's products."""
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
    """elimination._plane_inverse in the frame (e1, e2) of the plane normal to m; ok False where a singular value is
    below ``floating`` times ``scale`` (a direction nothing may fix: left to the numpy backend)."""
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
    """E_a^T E_b of two node bases (elimination._sandwich with K = 1): the same rail gives exactly 1."""
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
def _channel_step(gc, gs, sink, thin, load):  # pragma: no cover - compiled
    """elimination._channel_step for one configuration."""
    if thin and abs(load) <= gc:
        W = load + sink
        return load + 2.0 * sink - W * W / (load + gc)
    return gc - gs * (gs / (load + gc))


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
    """The forward elimination and back substitution of elimination.eliminate for one configuration (current drive);
    ``values`` (n, 3) receives mu at every chain node.  Returns SOLVED, or UNFIXED where a block is singular
    within ``floating`` (left to the numpy backend, which tells an unfixed direction from a tiny stiffness)."""
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
    pending_axial = False  # an axial load passed through an N/N interface (elimination._through_plain_link)
    pending_axial_along = 0.0
    pending_axial_across = 0.0
    pending_axial_scale = 0.0
    # a free node whose load is axial about an m (elimination.Axial): reached from a rail through a layer, or from
    # such a node whose block was inverted so (``stepping``) through a layer
    has_axial = False
    stepping = False
    axial_along = 0.0
    axial_across = 0.0
    axial_scale = 0.0
    axial_m = np.zeros(3)
    for i in range(n):
        ni = size[i]
        if ni == 0:
            continue
        step = previous == i - 1 and kind[i] == LAYER
        from_axial = stepping and step
        stepping = False
        has_axial = False
        along = 0.0
        has_along = False
        behind_magnetic = i > 0 and kind[i - 1] == LINK and rail[i - 1] >= 0
        if kind[i] == LINK:  # just right of an interface: the load it passes on
            k = link_of[i]
            if has_pending:
                load, pushed = pending_load.copy(), pending_pushed.copy()
                along, has_along = pending_along, pending_has_along
                has_pending = False
                if pending_axial:  # (the same m as at node i - 1)
                    axial_along, axial_across = pending_axial_along, pending_axial_across
                    axial_scale = pending_axial_scale
                    has_axial = True
                    pending_axial = False
            else:  # elimination._grounded: its left face is a reservoir
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
        elif from_axial:  # elimination._axial_step: channel by channel from the axial load at node i - 1
            m = axial_m
            new_along = _channel_step(gc[i], gs[i], sink[i], thin[i], axial_along)
            new_across = _channel_step(gc[i], gs[i], sink[i], thin[i], axial_across)
            g_along = gs[i] / (axial_along + gc[i])
            g_across = gs[i] / (axial_across + gc[i])
            difference = pushed - source[i]
            on_m = m[0] * difference[0] + m[1] * difference[1] + m[2] * difference[2]
            pushed_b = source[i] + g_across * difference + ((g_along - g_across) * on_m) * m
            load = np.zeros((3, 3))
            pushed = np.zeros(3)
            if ni == 3:
                longitudinal = _outer(m)
                load = new_across * (eye - longitudinal) + new_along * longitudinal
                pushed = pushed_b
                axial_scale = abs(axial_along) + abs(sink[i])
                axial_along, axial_across = new_along, new_across
                has_axial = True
            else:
                b = node_axis[i]
                cosine = m[0] * b[0] + m[1] * b[1] + m[2] * b[2]
                cross = _cross(m, b)
                sine2 = cross[0] ** 2 + cross[1] ** 2 + cross[2] ** 2
                load[0, 0] = new_across * sine2 + new_along * cosine**2
                pushed[0] = b[0] * pushed_b[0] + b[1] * pushed_b[1] + b[2] * pushed_b[2]
        elif step and node_kind[i - 1] == FREE and behind_magnetic and thin[i]:
            # elimination._coherent_step with an axis: a thin plain layer from the free node behind a magnetic interface
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
            # the load's part normal to m: the interface's sink there, exactly (not Q Y Q: see elimination._coherent_step)
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
            if step and n_previous == 1 and ni == 3:  # elimination._rail_axial
                axial_along = _channel_step(gc[i], gs[i], sink[i], thin[i], load[0, 0])
                axial_across = gc[i]
                axial_scale = abs(load[0, 0]) + abs(sink[i])
                axial_m = node_axis[i - 1].copy()
                has_axial = True
            if is_thin:  # elimination._thin_step
                T = sink[i]
                Y = load.copy()
                if kind[i - 1] == LINK:  # (as elimination._finite_load, though one configuration holds no inf)
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
        if kind[i + 1] == LINK:  # elimination._through_interface: node i eliminated in resistance form
            k = link_of[i + 1]
            s, r_, shunt = link_data[k, 0], link_data[k, 1], link_data[k, 2]
            side = int(link_data[k, 6])
            if rail[i + 1] < 0 and has_axial:  # elimination._through_plain_link: N/N, channel by channel
                m = axial_m
                H_along, H_across = axial_along + shunt, axial_across + shunt
                r3 = min(r_, 1e280 / (1.0 + max(abs(H_along), abs(H_across))))
                w_along, w_across = 1.0 / (1.0 + r3 * H_along), 1.0 / (1.0 + r3 * H_across)
                on_m = m[0] * pushed[0] + m[1] * pushed[1] + m[2] * pushed[2]
                passed = w_across * pushed + ((w_along - w_across) * on_m) * m
                partial[i] = r3 * passed
                if following_active:
                    longitudinal = _outer(m)
                    carry[i] = -(w_across * eye + (w_along - w_across) * longitudinal)
                    has_carry[i] = True
                    pending_axial_along = H_along * w_along + shunt
                    pending_axial_across = H_across * w_across + shunt
                    pending_axial_scale = abs(axial_along) + abs(shunt)
                    pending_load = pending_axial_across * eye + (pending_axial_along - pending_axial_across) * longitudinal
                    pending_pushed = passed
                    pending_has_along = False
                    pending_axial = True
                    has_pending = True
            elif rail[i + 1] < 0:  # N/N
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
        if kind[i] == LINK and ni == 3:  # elimination._block_inverse
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
        if has_axial:  # elimination._axial_inverse (the last node beside an end without stiffness: as before)
            K = gc[i + 1]
            if following_active or kind[i + 1] == LAYER or abs(axial_along + K) > floating * (axial_scale + abs(K)):
                longitudinal = _outer(axial_m)
                inverse = longitudinal / (axial_along + K) + (eye - longitudinal) / (axial_across + K)
                has_inverse = True
                stepping = kind[i + 1] == LAYER and following_active
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
            if not following_active and kind[i + 1] == LEAD:  # elimination._solve_last: a singular last block
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
