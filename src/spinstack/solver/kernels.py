"""Compiled (numba) kernels for the two hot paths, equal to the numpy paths up to round-off.

* :func:`efficiency_kernel`: the node system of MODEL.md 3a and the efficiencies g1, g2 (and the
  field-like partners) of two F layers, one configuration at a time in a parallel loop over the
  flat batch.  Stacks without resistive interfaces only (every chain node is a reservoir, an
  axis node of 1 unknown or a free node of 3, every two-port a multiple of the identity);
  the torques are formed as vectors before they are projected, which keeps the precision of
  the near-collinear route (error eps / theta, not eps / theta^2).  Parameters are read
  through (row, stride) tables: a parameter constant over the batch is stored once.
* :func:`profile_kernel`: mu_s(x), j_s(x) and mu_0(x) of one configuration at many points in
  one pass (the exact sinh profiles of MODEL.md 2, exponential tails in leads).

Both compile on first use (``cache=True`` keeps the machine code on disk).  Without numba
:data:`AVAILABLE` is False and the callers use the numpy paths.
"""

from __future__ import annotations

import math

import numpy as np

from .arrays import Element, StackArrays
from .compiled import AVAILABLE, invert3, njit, prange
from .hyperbolic import _x_over_one_minus_exp as _x_over_one_minus_exp_array
from .twoports import layer_stiffness, lead_stiffness

# element kinds
RESERVOIR, LEFT_LEAD, LAYER, RIGHT_LEAD = 0, 1, 2, 3
_CHUNK = 2048


@njit(cache=True, error_model="numpy")
def _x_over_one_minus_exp(X):
    if X == 0.0:
        return 0.5
    return X / (-math.expm1(-2.0 * X))


@njit(cache=True, error_model="numpy")
def _parameter(const, rows, vary, element, j, b):
    r = rows[element, j]
    if r < 0:
        return const[element, j]
    return vary[r, b]


@njit(cache=True, error_model="numpy")
def _magnetization(mconst, mrows, mvary, element, b, out):
    r = mrows[element]
    for c in range(3):
        if r == -2:
            out[element, c] = 0.0
        elif r == -1:
            out[element, c] = mconst[element, c]
        else:
            out[element, c] = mvary[r, b, c]


@njit(cache=True, error_model="numpy")
def _element(kinds, const, rows, vary, mconst, mrows, mvary, e, b, m, source, K):
    """The two-port of element e in configuration b: m, source p m and the stiffnesses K."""
    kind = kinds[e]
    _magnetization(mconst, mrows, mvary, e, b, m)
    K[e, 0] = 0.0
    K[e, 1] = 0.0
    K[e, 2] = 0.0
    K[e, 3] = 0.0
    if kind == RESERVOIR:
        source[e, 0] = 0.0
        source[e, 1] = 0.0
        source[e, 2] = 0.0
        return
    first_stiffness = _parameter(const, rows, vary, e, 0, b)
    p = _parameter(const, rows, vary, e, 2, b)
    for c in range(3):
        source[e, c] = p * m[e, c]
    if kind == LAYER:
        gs = _parameter(const, rows, vary, e, 1, b)
        K[e, 0] = first_stiffness
        K[e, 1] = -gs
        K[e, 2] = gs
        K[e, 3] = -first_stiffness
    elif kind == LEFT_LEAD:
        K[e, 3] = -first_stiffness
    else:
        K[e, 0] = first_stiffness


@njit(cache=True, parallel=True, error_model="numpy")
def _efficiency_loop(kinds, varies, const, rows, vary, mconst, mrows, mvary, dims, axes, first, second, size, degenerate_sine, out, degenerate):
    n_elements = kinds.shape[0]
    n_nodes = n_elements - 1
    n_chunks = (size + _CHUNK - 1) // _CHUNK
    for chunk in prange(n_chunks):
        m = np.zeros((n_elements, 3))
        source = np.zeros((n_elements, 3))
        K = np.zeros((n_elements, 4))  # K_aa, K_ab, K_ba, K_bb
        basis = np.zeros((n_nodes, 3))
        carry = np.zeros((n_nodes, 3, 3))
        partial = np.zeros((n_nodes, 3))
        x = np.zeros((n_nodes, 3))
        mu = np.zeros((n_nodes, 3))
        block = np.zeros((3, 3))
        coupling = np.zeros((3, 3))
        upper = np.zeros((3, 3))
        rhs = np.zeros(3)
        inverse = np.zeros((3, 3))
        torques = np.zeros((2, 3))
        stop = min(size, (chunk + 1) * _CHUNK)
        all_axes = True
        for k in range(n_nodes):
            if dims[k] == 3:
                all_axes = False
        start = chunk * _CHUNK
        for e in range(n_elements):  # every element once per chunk, then only those that vary
            _element(kinds, const, rows, vary, mconst, mrows, mvary, e, start, m, source, K)
        for b in range(start, stop):
            # two-ports of the elements whose parameters vary (MODEL.md 2)
            for e in range(n_elements):
                if varies[e]:
                    kind = kinds[e]
                    r = mrows[e]
                    if r >= 0:
                        m[e, 0] = mvary[r, b, 0]
                        m[e, 1] = mvary[r, b, 1]
                        m[e, 2] = mvary[r, b, 2]
                    r = rows[e, 2]
                    p = const[e, 2] if r < 0 else vary[r, b]
                    source[e, 0] = p * m[e, 0]
                    source[e, 1] = p * m[e, 1]
                    source[e, 2] = p * m[e, 2]
                    r = rows[e, 0]
                    first_stiffness = const[e, 0] if r < 0 else vary[r, b]
                    if kind == LAYER:
                        r = rows[e, 1]
                        gs = const[e, 1] if r < 0 else vary[r, b]
                        K[e, 0] = first_stiffness
                        K[e, 1] = -gs
                        K[e, 2] = gs
                        K[e, 3] = -first_stiffness
                    elif kind == LEFT_LEAD:
                        K[e, 3] = -first_stiffness
                    else:
                        K[e, 0] = first_stiffness
            for k in range(n_nodes):
                if dims[k] == 1:
                    basis[k, 0] = m[axes[k], 0]
                    basis[k, 1] = m[axes[k], 1]
                    basis[k, 2] = m[axes[k], 2]
            # forward elimination over the active nodes
            previous = -1
            scalar = all_axes
            for k in range(n_nodes):
                n = dims[k]
                if n == 0:
                    continue
                c = K[k + 1, 0] - K[k, 3]
                if scalar:  # every active node on an axis: 1x1 blocks
                    r0 = (basis[k, 0] * (source[k, 0] - source[k + 1, 0]) + basis[k, 1] * (source[k, 1] - source[k + 1, 1])
                          + basis[k, 2] * (source[k, 2] - source[k + 1, 2]))
                    if previous >= 0:
                        if axes[k] == axes[previous]:
                            g = -K[k, 2]
                        else:
                            g = -(K[k, 2] * (basis[k, 0] * basis[previous, 0] + basis[k, 1] * basis[previous, 1]
                                             + basis[k, 2] * basis[previous, 2]))
                        c = c - g * carry[previous, 0, 0]
                        r0 = r0 - g * partial[previous, 0]
                    partial[k, 0] = r0 / c
                    if k + 1 < n_nodes and dims[k + 1] > 0:
                        if axes[k] == axes[k + 1]:
                            g = K[k + 1, 1]
                        else:
                            g = K[k + 1, 1] * (basis[k, 0] * basis[k + 1, 0] + basis[k, 1] * basis[k + 1, 1]
                                               + basis[k, 2] * basis[k + 1, 2])
                        carry[k, 0, 0] = g / c
                    previous = k
                    continue
                for i in range(3):
                    for j in range(3):
                        block[i, j] = 0.0
                for i in range(n):
                    block[i, i] = c
                if n == 1:
                    rhs[0] = (basis[k, 0] * (source[k, 0] - source[k + 1, 0]) + basis[k, 1] * (source[k, 1] - source[k + 1, 1])
                              + basis[k, 2] * (source[k, 2] - source[k + 1, 2]))
                else:
                    for i in range(3):
                        rhs[i] = source[k, i] - source[k + 1, i]
                if previous >= 0:
                    q = dims[previous]
                    kba = K[k, 2]
                    # coupling A_{k, k-1} = -E_k^T K_ba E_{k-1}: (n x q)
                    if n == 1 and q == 1:
                        if axes[k] == axes[previous]:
                            coupling[0, 0] = -kba
                        else:
                            coupling[0, 0] = -(kba * (basis[k, 0] * basis[previous, 0] + basis[k, 1] * basis[previous, 1]
                                                      + basis[k, 2] * basis[previous, 2]))
                    elif n == 1:
                        for j in range(3):
                            coupling[0, j] = -(kba * basis[k, j])
                    elif q == 1:
                        for i in range(3):
                            coupling[i, 0] = -(kba * basis[previous, i])
                    else:
                        for i in range(3):
                            for j in range(3):
                                coupling[i, j] = -kba if i == j else 0.0
                    for i in range(n):
                        for j in range(n):
                            total = 0.0
                            for r in range(q):
                                total += coupling[i, r] * carry[previous, r, j]
                            block[i, j] = block[i, j] - total
                        total = 0.0
                        for r in range(q):
                            total += coupling[i, r] * partial[previous, r]
                        rhs[i] = rhs[i] - total
                following = k + 1 < n_nodes and dims[k + 1] > 0
                # the inverse of the block
                if n == 1:
                    inverse[0, 0] = 1.0 / block[0, 0]
                    partial[k, 0] = rhs[0] / block[0, 0]
                else:
                    invert3(block, inverse)
                    for i in range(3):
                        partial[k, i] = inverse[i, 0] * rhs[0] + inverse[i, 1] * rhs[1] + inverse[i, 2] * rhs[2]
                if following:
                    s = dims[k + 1]
                    kab = K[k + 1, 1]
                    # upper A_{k, k+1} = E_k^T K_ab E_{k+1}: (n x s)
                    if n == 1 and s == 1:
                        if axes[k] == axes[k + 1]:
                            upper[0, 0] = kab
                        else:
                            upper[0, 0] = kab * (basis[k, 0] * basis[k + 1, 0] + basis[k, 1] * basis[k + 1, 1]
                                                 + basis[k, 2] * basis[k + 1, 2])
                    elif n == 1:  # E_k^T K: a row
                        for j in range(3):
                            upper[0, j] = kab * basis[k, j]
                    elif s == 1:  # K E_{k+1}: a column
                        for i in range(3):
                            upper[i, 0] = kab * basis[k + 1, i]
                    else:
                        for i in range(3):
                            for j in range(3):
                                upper[i, j] = kab if i == j else 0.0
                    for i in range(n):
                        for j in range(s):
                            total = 0.0
                            for r in range(n):
                                total += inverse[i, r] * upper[r, j]
                            carry[k, i, j] = total
                previous = k
            # back substitution and node values
            later = -1
            for k in range(n_nodes - 1, -1, -1):
                n = dims[k]
                if n == 0:
                    mu[k, 0] = 0.0
                    mu[k, 1] = 0.0
                    mu[k, 2] = 0.0
                    continue
                if scalar:
                    value = partial[k, 0]
                    if later >= 0:
                        value = value - carry[k, 0, 0] * x[later, 0]
                    x[k, 0] = value
                    mu[k, 0] = value * basis[k, 0]
                    mu[k, 1] = value * basis[k, 1]
                    mu[k, 2] = value * basis[k, 2]
                    later = k
                    continue
                for i in range(n):
                    value = partial[k, i]
                    if later >= 0:
                        total = 0.0
                        for r in range(dims[later]):
                            total += carry[k, i, r] * x[later, r]
                        value = value - total
                    x[k, i] = value
                if n == 1:
                    for i in range(3):
                        mu[k, i] = x[k, 0] * basis[k, i]
                else:
                    for i in range(3):
                        mu[k, i] = x[k, i]
                later = k
            # torques of the two F layers (transverse deposits at their faces)
            for which in range(2):
                layer = first if which == 0 else second
                element = layer + 1
                for c in range(3):
                    torques[which, c] = 0.0
                for node in range(layer, layer + 2):
                    if kinds[node] == RESERVOIR or kinds[node + 1] == RESERVOIR:
                        continue
                    # the layer's own face on its own axis carries spin along m only: left out (its
                    # rounding, ~eps Gc mu, would be all the transverse part of a small torque)
                    own = dims[node] == 1 and axes[node] == element
                    # so is the neighbour's term K mu_node there (mu_node along m, K scalar)
                    for c in range(3):
                        arriving = 0.0
                        if not (own and node == layer + 1):
                            arriving = source[node, c]
                            if node > 0:
                                arriving = arriving + K[node, 2] * mu[node - 1, c]
                            if not own:
                                arriving = arriving + K[node, 3] * mu[node, c]
                        leaving = 0.0
                        if not (own and node == layer):
                            leaving = source[node + 1, c]
                            if not own:
                                leaving = leaving + K[node + 1, 0] * mu[node, c]
                            if node + 1 < n_nodes:
                                leaving = leaving + K[node + 1, 1] * mu[node + 1, c]
                        torques[which, c] += arriving - leaving
                along = m[element, 0] * torques[which, 0] + m[element, 1] * torques[which, 1] + m[element, 2] * torques[which, 2]
                for c in range(3):
                    torques[which, c] = torques[which, c] - along * m[element, c]
            m1 = (m[first + 1, 0], m[first + 1, 1], m[first + 1, 2])
            m2 = (m[second + 1, 0], m[second + 1, 1], m[second + 1, 2])
            t1 = (torques[0, 0], torques[0, 1], torques[0, 2])
            t2 = (torques[1, 0], torques[1, 1], torques[1, 2])
            cosine = m1[0] * m2[0] + m1[1] * m2[1] + m1[2] * m2[2]
            f0 = m1[1] * m2[2] - m1[2] * m2[1]
            f1 = m1[2] * m2[0] - m1[0] * m2[2]
            f2 = m1[0] * m2[1] - m1[1] * m2[0]
            norm = f0 * f0 + f1 * f1 + f2 * f2
            # m1 x (m2 x m1) = -(m1 x f) ... spelled out as in the vector route: m1 x (m2 x m1), m2 x (m1 x m2)
            h0 = m2[1] * m1[2] - m2[2] * m1[1]
            h1 = m2[2] * m1[0] - m2[0] * m1[2]
            h2 = m2[0] * m1[1] - m2[1] * m1[0]  # m2 x m1
            d0 = m1[1] * h2 - m1[2] * h1
            d1 = m1[2] * h0 - m1[0] * h2
            d2 = m1[0] * h1 - m1[1] * h0  # m1 x (m2 x m1)
            e0 = m2[1] * f2 - m2[2] * f1
            e1 = m2[2] * f0 - m2[0] * f2
            e2 = m2[0] * f1 - m2[1] * f0  # m2 x (m1 x m2)
            safe = norm if norm > 0.0 else 1.0
            out[0, b] = -(t1[0] * d0 + t1[1] * d1 + t1[2] * d2) / safe
            out[1, b] = (t2[0] * e0 + t2[1] * e1 + t2[2] * e2) / safe
            out[2, b] = -(t1[0] * f0 + t1[1] * f1 + t1[2] * f2) / safe
            out[3, b] = -(t2[0] * f0 + t2[1] * f1 + t2[2] * f2) / safe
            sine = math.sqrt(norm)
            out[4, b] = sine
            out[5, b] = cosine
            degenerate[b] = sine < degenerate_sine


_LANES = 256  # configurations advanced together through the node chain (SIMD over the inner loops)
_BLOCKS_PER_CHUNK = 16


@njit(cache=True, parallel=True, error_model="numpy")
def _efficiency_axes_loop(kinds, const, rows, vary, mconst, mrows, mvary, dims, axes, first, second, size, degenerate_sine,
                          out, degenerate):
    """:func:`_efficiency_loop` for chains whose active nodes all sit on a magnetization axis (1 unknown
    each: a scalar tridiagonal system), laid out as structure of arrays over _LANES configurations so
    that every step is one vectorisable loop."""
    n_elements = kinds.shape[0]
    n_nodes = n_elements - 1
    n_blocks = (size + _LANES - 1) // _LANES
    n_chunks = (n_blocks + _BLOCKS_PER_CHUNK - 1) // _BLOCKS_PER_CHUNK
    for chunk in prange(n_chunks):  # work arrays once per chunk (allocation inside the loop costs as much as the work)
        m = np.zeros((n_elements, 3, _LANES))
        source = np.zeros((n_elements, 3, _LANES))
        K = np.zeros((n_elements, 4, _LANES))  # K_aa, K_ab, K_ba, K_bb; reservoirs stay 0
        carry = np.zeros((n_nodes, _LANES))
        partial = np.zeros((n_nodes, _LANES))
        x = np.zeros((n_nodes, _LANES))
        mu = np.zeros((n_nodes, 3, _LANES))  # reservoir nodes stay 0
        torques = np.zeros((2, 3, _LANES))
        for block in range(chunk * _BLOCKS_PER_CHUNK, min(n_blocks, (chunk + 1) * _BLOCKS_PER_CHUNK)):
            start = block * _LANES
            width = min(size, start + _LANES) - start
            torques[:] = 0.0
            _axes_block(kinds, const, rows, vary, mconst, mrows, mvary, dims, axes, first, second, degenerate_sine,
                        out, degenerate, start, width, m, source, K, carry, partial, x, mu, torques)


@njit(cache=True, error_model="numpy")
def _axes_block(kinds, const, rows, vary, mconst, mrows, mvary, dims, axes, first, second, degenerate_sine, out, degenerate,
                start, width, m, source, K, carry, partial, x, mu, torques):
    """One block of :func:`_efficiency_axes_loop`: configurations start .. start + width."""
    n_elements = kinds.shape[0]
    n_nodes = n_elements - 1
    for e in range(n_elements):  # two-ports of every element (MODEL.md 2)
        kind = kinds[e]
        if kind == RESERVOIR:
            continue
        r = mrows[e]
        for c in range(3):
            if r == -1:
                for w in range(width):
                    m[e, c, w] = mconst[e, c]
            elif r >= 0:
                for w in range(width):
                    m[e, c, w] = mvary[r, start + w, c]
        for j in range(3):
            r = rows[e, j]
            slot = (0 if kind != LEFT_LEAD else 3) if j == 0 else 1 if j == 1 else -1
            for w in range(width):
                value = const[e, j] if r < 0 else vary[r, start + w]
                if j == 2:
                    for c in range(3):
                        source[e, c, w] = value * m[e, c, w]
                elif slot >= 0:
                    if kind == LAYER:
                        sign = 1.0 if j == 0 else -1.0
                        K[e, slot, w] = sign * value
                        K[e, 3 - slot, w] = -sign * value
                    elif kind == LEFT_LEAD:
                        if j == 0:
                            K[e, 3, w] = -value
                    elif j == 0:
                        K[e, 0, w] = value
    # forward elimination over the active nodes (each coupled only to its neighbours)
    for k in range(n_nodes):
        if dims[k] == 0:
            continue
        a = axes[k]
        coupled_before = k > 0 and dims[k - 1] > 0
        coupled_after = k + 1 < n_nodes and dims[k + 1] > 0
        for w in range(width):
            c = K[k + 1, 0, w] - K[k, 3, w]
            r0 = (m[a, 0, w] * (source[k, 0, w] - source[k + 1, 0, w]) + m[a, 1, w] * (source[k, 1, w] - source[k + 1, 1, w])
                  + m[a, 2, w] * (source[k, 2, w] - source[k + 1, 2, w]))
            if coupled_before:
                q = axes[k - 1]
                if a == q:
                    g = -K[k, 2, w]
                else:
                    g = -(K[k, 2, w] * (m[a, 0, w] * m[q, 0, w] + m[a, 1, w] * m[q, 1, w] + m[a, 2, w] * m[q, 2, w]))
                c = c - g * carry[k - 1, w]
                r0 = r0 - g * partial[k - 1, w]
            partial[k, w] = r0 / c
            if coupled_after:
                q = axes[k + 1]
                if a == q:
                    g = K[k + 1, 1, w]
                else:
                    g = K[k + 1, 1, w] * (m[a, 0, w] * m[q, 0, w] + m[a, 1, w] * m[q, 1, w] + m[a, 2, w] * m[q, 2, w])
                carry[k, w] = g / c
    for k in range(n_nodes - 1, -1, -1):  # back substitution; mu = x m on each rail
        if dims[k] == 0:
            continue
        a = axes[k]
        coupled_after = k + 1 < n_nodes and dims[k + 1] > 0
        for w in range(width):
            value = partial[k, w]
            if coupled_after:
                value = value - carry[k, w] * x[k + 1, w]
            x[k, w] = value
            for c in range(3):
                mu[k, c, w] = value * m[a, c, w]
    # torques of the two F layers: transverse deposits at their faces
    for which in range(2):
        element = (first if which == 0 else second) + 1
        for node in range(element - 1, element + 1):
            if kinds[node] == RESERVOIR or kinds[node + 1] == RESERVOIR:
                continue
            # the layer's own face on its own axis carries spin along m only: left out (see _efficiency_loop)
            own = dims[node] == 1 and axes[node] == element
            # 0/1 weights of the terms (branch-free inner loop): the layer's own face is left out on its own
            # axis, and so is the neighbour's K mu_node there (along m too)
            arrive = 0.0 if own and node == element else 1.0
            leave = 0.0 if own and node == element - 1 else 1.0
            node_term = 0.0 if own else 1.0
            previous = max(node - 1, 0)
            following = min(node + 1, n_nodes - 1)
            before = arrive if node > 0 else 0.0
            after = leave if node + 1 < n_nodes else 0.0
            for c in range(3):
                for w in range(width):
                    arriving = arrive * (source[node, c, w] + node_term * K[node, 3, w] * mu[node, c, w]) \
                        + before * K[node, 2, w] * mu[previous, c, w]
                    leaving = leave * (source[node + 1, c, w] + node_term * K[node + 1, 0, w] * mu[node, c, w]) \
                        + after * K[node + 1, 1, w] * mu[following, c, w]
                    torques[which, c, w] += arriving - leaving
        for w in range(width):
            along = m[element, 0, w] * torques[which, 0, w] + m[element, 1, w] * torques[which, 1, w] + \
                m[element, 2, w] * torques[which, 2, w]
            for c in range(3):
                torques[which, c, w] = torques[which, c, w] - along * m[element, c, w]
    e1, e2 = first + 1, second + 1
    for w in range(width):
        b = start + w
        m10, m11, m12 = m[e1, 0, w], m[e1, 1, w], m[e1, 2, w]
        m20, m21, m22 = m[e2, 0, w], m[e2, 1, w], m[e2, 2, w]
        cosine = m10 * m20 + m11 * m21 + m12 * m22
        f0 = m11 * m22 - m12 * m21
        f1 = m12 * m20 - m10 * m22
        f2 = m10 * m21 - m11 * m20  # m1 x m2
        norm = f0 * f0 + f1 * f1 + f2 * f2
        d0 = m11 * -f2 - m12 * -f1
        d1 = m12 * -f0 - m10 * -f2
        d2 = m10 * -f1 - m11 * -f0  # m1 x (m2 x m1)
        g0 = m21 * f2 - m22 * f1
        g1 = m22 * f0 - m20 * f2
        g2 = m20 * f1 - m21 * f0  # m2 x (m1 x m2)
        safe = norm if norm > 0.0 else 1.0
        out[0, b] = -(torques[0, 0, w] * d0 + torques[0, 1, w] * d1 + torques[0, 2, w] * d2) / safe
        out[1, b] = (torques[1, 0, w] * g0 + torques[1, 1, w] * g1 + torques[1, 2, w] * g2) / safe
        out[2, b] = -(torques[0, 0, w] * f0 + torques[0, 1, w] * f1 + torques[0, 2, w] * f2) / safe
        out[3, b] = -(torques[1, 0, w] * f0 + torques[1, 1, w] * f1 + torques[1, 2, w] * f2) / safe
        sine = math.sqrt(norm)
        out[4, b] = sine
        out[5, b] = cosine
        degenerate[b] = sine < degenerate_sine


def efficiency_applies(arrays: StackArrays) -> bool:
    """Whether :func:`efficiency_kernel` handles ``arrays``: numba present, no interfaces, real input, full
    absorption in every F (no l_J, l_phi)."""
    if not AVAILABLE or arrays.interfaces or arrays.boundaries or arrays.coherent:
        return False
    for element in arrays.elements():
        if element is None:
            continue
        values = [element.D, element.l, element.p] + ([] if element.m is None else [element.m]) + \
            ([] if element.thickness is None else [element.thickness])
        if any(np.iscomplexobj(v) for v in values):
            return False
    return True


class _Table:
    """Parameters of all elements as (constant table, row table, rows of varying values over the flat batch)."""

    def __init__(self, arrays: StackArrays) -> None:
        shape = arrays.batch_shape
        size = int(np.prod(shape, dtype=np.int64))
        elements = arrays.elements()
        n = len(elements)
        self.kinds = np.empty(n, dtype=np.int64)
        self.const = np.zeros((n, 3))
        self.rows = np.full((n, 3), -1, dtype=np.int64)
        self.mconst = np.zeros((n, 3))
        self.mrows = np.full(n, -2, dtype=np.int64)
        varying: list[np.ndarray] = []
        mvarying: list[np.ndarray] = []
        for e, element in enumerate(elements):
            if element is None:
                self.kinds[e] = RESERVOIR
                continue
            self.kinds[e] = LEFT_LEAD if e == 0 else RIGHT_LEAD if e == n - 1 else LAYER
            # stiffnesses by the numpy functions on the element's own shape (bit-identical two-ports)
            if element.thickness is None:
                values = (lead_stiffness(element), 0.0, element.p)
            else:
                values = (*layer_stiffness(element), element.p)
            for j, value in enumerate(values):
                value = np.asarray(value, dtype=float)
                if value.size == 1:
                    self.const[e, j] = value.reshape(-1)[0]
                else:
                    self.rows[e, j] = len(varying)
                    varying.append(np.broadcast_to(value, shape).reshape(-1))
            if element.m is not None:
                m = np.asarray(element.m, dtype=float)
                if m.size == 3:
                    self.mrows[e] = -1
                    self.mconst[e] = m.reshape(-1)
                else:
                    self.mrows[e] = len(mvarying)
                    mvarying.append(np.broadcast_to(m, shape + (3,)).reshape(-1, 3))
        self.varies = (self.rows >= 0).any(axis=1) | (self.mrows >= 0)
        self.size = size
        self.vary = _rows(varying, (0, size))
        self.mvary = _rows(mvarying, (0, size, 3))


def _rows(arrays: list[np.ndarray], empty: tuple[int, ...]) -> np.ndarray:
    """Stack row arrays; a single one is a view (no copy) when it is contiguous."""
    if not arrays:
        return np.zeros(empty)
    if len(arrays) == 1:
        return np.ascontiguousarray(arrays[0])[None]
    return np.stack(arrays)


def node_bases(arrays: StackArrays) -> tuple[np.ndarray, np.ndarray]:
    """(dims, axis element) of every node of an interface-free stack (see ``nodes._node_basis``)."""
    elements = arrays.elements()
    n_nodes = len(elements) - 1
    dims = np.zeros(n_nodes, dtype=np.int64)
    axes = np.full(n_nodes, -1, dtype=np.int64)
    for k in range(n_nodes):
        before, after = elements[k], elements[k + 1]
        if before is None or after is None:
            continue
        magnet = k if before.m is not None else k + 1 if after.m is not None else -1
        dims[k] = 3 if magnet < 0 else 1
        axes[k] = magnet
    return dims, axes


def efficiency_kernel(arrays: StackArrays, first: int, second: int, degenerate_sine: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(g1, g2, g1_field, g2_field, sin theta, cos theta) over the flat batch, (6, size), and |sin theta| < degenerate_sine.

    The degenerate entries hold placeholders: the caller replaces them by their limits.
    """
    table = _Table(arrays)
    dims, axes = node_bases(arrays)
    out = np.empty((6, table.size))
    degenerate = np.empty(table.size, dtype=np.bool_)
    if np.all(dims != 3):  # every active node on a rail: the scalar chain, vectorised over configurations
        _efficiency_axes_loop(table.kinds, table.const, table.rows, table.vary, table.mconst, table.mrows, table.mvary,
                              dims, axes, first, second, table.size, degenerate_sine, out, degenerate)
    else:
        _efficiency_loop(table.kinds, table.varies, table.const, table.rows, table.vary, table.mconst, table.mrows,
                         table.mvary, dims, axes, first, second, table.size, degenerate_sine, out, degenerate)
    return out, degenerate


# ------------------------------------------------------------------ profiles
@njit(cache=True, parallel=True, error_model="numpy")
def _profile_loop(x, positions, layers, m, a, b, potential_a, ends, end_m, end_mu, current, mu, js, mu0):
    n_layers = layers.shape[0]
    last = positions[n_layers]
    for i in prange(x.shape[0]):
        point = x[i]
        # searchsorted(positions, x, side="right") - 1, the last node counted as the last layer
        low, high = 0, n_layers + 1
        while low < high:
            middle = (low + high) // 2
            if positions[middle] <= point:
                low = middle + 1
            else:
                high = middle
        region = low - 1
        if point == last:
            region = n_layers - 1
        if 0 <= region < n_layers:
            D, l, d, p = layers[region, 0], layers[region, 1], layers[region, 2], layers[region, 3]
            X, denominator, ratio = layers[region, 4], layers[region, 5], layers[region, 6]
            x_a = positions[region]
            t = (point - x_a) / d
            t = min(max(t, 0.0), 1.0)
            u = 1.0 - t
            # sinh(t X)/sinh X and X cosh(t X)/sinh X as in hyperbolic.py, sharing exponentials
            et = math.exp((t - 1.0) * X)
            eu = math.exp((u - 1.0) * X)
            if X == 0.0:
                s1, s2 = u, t
            else:
                s1 = eu * math.expm1(-2.0 * u * X) / denominator
                s2 = et * math.expm1(-2.0 * t * X) / denominator
            # exp(-(t + 1) X) = exp(-t X) exp(-X), exp(-(u + 1) X) = exp((t - 1) X) exp(-X) (to round-off)
            decay = layers[region, 7]
            c1 = ratio * (et + eu * decay)
            c2 = ratio * (eu + et * decay)
            pc = p * current
            for c in range(3):
                value = a[region, c] * s1 + b[region, c] * s2
                mu[i, c] = value
                slope = (b[region, c] * c1 - a[region, c] * c2) / d
                js[i, c] = pc * m[region, c] - 0.5 * D * slope
            along = m[region, 0] * mu[i, 0] + m[region, 1] * mu[i, 1] + m[region, 2] * mu[i, 2]
            along_a = m[region, 0] * a[region, 0] + m[region, 1] * a[region, 1] + m[region, 2] * a[region, 2]
            mu0[i] = potential_a[region] - current * (point - x_a) * (1.0 - p * p) / D - 0.5 * p * (along - along_a)
        else:
            side = 0 if region < 0 else 1
            x_node = positions[0] if side == 0 else last
            if ends[side, 4] == 0.0:  # reservoir
                for c in range(3):
                    mu[i, c] = 0.0
                    js[i, c] = 0.0
                mu0[i] = ends[side, 3]
                continue
            D, l, p, potential = ends[side, 0], ends[side, 1], ends[side, 2], ends[side, 3]
            decay = math.exp(-abs(point - x_node) / l)
            sign = -1.0 if side == 0 else 1.0
            G = D / (2.0 * l)
            pc = p * current
            for c in range(3):
                value = end_mu[side, c] * decay
                mu[i, c] = value
                js[i, c] = pc * end_m[side, c] + sign * G * value
            along = (end_m[side, 0] * (mu[i, 0] - end_mu[side, 0]) + end_m[side, 1] * (mu[i, 1] - end_mu[side, 1])
                     + end_m[side, 2] * (mu[i, 2] - end_mu[side, 2]))
            mu0[i] = potential - current * (point - x_node) * (1.0 - p * p) / D - 0.5 * p * along


def profile_applies(arrays: StackArrays, *values: np.ndarray) -> bool:
    """Whether :func:`profile_kernel` handles a solution: numba, one configuration, a layer, real values, full
    absorption in every F (no l_J, l_phi)."""
    return AVAILABLE and arrays.batch_shape == () and len(arrays.layers) > 0 and arrays.plain and \
        not arrays.coherent and not any(np.iscomplexobj(v) for v in values)


def profile_kernel(arrays: StackArrays, x: np.ndarray, accumulation: np.ndarray, accumulation_right: np.ndarray,
                   potential_left: np.ndarray, potential_right: np.ndarray, current: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu_s (N, 3), j_s (N, 3) and mu_0 (N,) of one configuration at the flat positions ``x``."""
    layers_ = arrays.layers
    n_layers = len(layers_)
    layers = np.zeros((n_layers, 8))
    layers[:, :4] = [[float(e.D), float(e.l), float(e.thickness), float(e.p)] for e in layers_]
    X = layers[:, 2] / layers[:, 1]
    layers[:, 4] = X
    layers[:, 5] = np.expm1(-2.0 * np.where(X == 0, 1.0, X))
    layers[:, 6] = _x_over_one_minus_exp_array(X)
    layers[:, 7] = np.exp(-X)
    m = np.array([np.zeros(3) if e.m is None else np.asarray(e.m, dtype=float) for e in layers_]).reshape(n_layers, 3)
    positions = np.concatenate([[0.0], np.cumsum(layers[:, 2])])
    ends = np.zeros((2, 5))
    end_m = np.zeros((2, 3))
    end_mu = np.zeros((2, 3))
    for side, (end, potential, mu_node) in enumerate(((arrays.left, potential_left[0], accumulation[0]),
                                                      (arrays.right, potential_right[n_layers], accumulation_right[n_layers]))):
        ends[side, 3] = potential
        if end is not None:
            ends[side, :3] = float(end.D), float(end.l), float(end.p)
            ends[side, 4] = 1.0
            if end.m is not None:
                end_m[side] = np.asarray(end.m, dtype=float)
            end_mu[side] = mu_node
    a = np.ascontiguousarray(accumulation_right[:-1])
    b = np.ascontiguousarray(accumulation[1:])
    potential_a = np.ascontiguousarray(potential_right[:-1], dtype=float)
    N = x.shape[0]
    mu, js, mu0 = np.empty((N, 3)), np.empty((N, 3)), np.empty(N)
    _profile_loop(np.ascontiguousarray(x, dtype=float), positions, layers, m, a, b, potential_a, ends, end_m, end_mu,
                  float(current), mu, js, mu0)
    return mu, js, mu0


__all__ = ["AVAILABLE", "Element", "efficiency_applies", "efficiency_kernel", "profile_applies", "profile_kernel"]
