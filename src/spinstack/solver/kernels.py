"""Compiled (numba) kernels, equal to the numpy paths up to round-off.

* :func:`run`: the chain kernel.  The node system of MODEL.md 3a (every chain node a reservoir, an
  axis node of 1 unknown or a free node of 3, every bulk two-port a multiple of the identity), with the
  resistive interfaces of MODEL.md 3b as links stepped through in resistance form as the numpy backend
  does, for a whole batch, by blocks of configurations: node values (spin accumulation),
  torques on every layer, the spin part of the resistance-area and the efficiencies g1, g2 (and the
  field-like partners) of two F layers, formed as torque vectors before they are projected, which
  keeps the precision of the near-collinear route (error eps / theta, not eps / theta^2).  Driven by
  the current (per unit j0) or by the in-plane field (MODEL.md 8b, open ends too).  Parameters are
  read through (row, stride) tables (:class:`Table`): a parameter constant over the batch is stored
  once.  The magnetizations may be given directly (a prepared stack's new directions) or by a
  rotation angle (the efficiency curve), so nothing is built per configuration in Python.  A batch
  runs in a parallel loop over chunks, a small one on the calling thread (:data:`SERIAL_BELOW`).
  :mod:`.chain` serves it as the "compiled" backend, :mod:`spinstack.prepared` feeds it directly.
* :func:`profile_kernel`: mu_s(x), j_s(x) and mu_0(x) of one configuration at many points in
  one pass (the exact sinh profiles of MODEL.md 2, exponential tails in leads).

Both compile on first use (``cache=True`` keeps the machine code on disk).  Without numba
:data:`AVAILABLE` is False and the callers use the numpy paths.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from .arrays import StackArrays
from .compiled import AVAILABLE, invert3, njit, prange
from .hyperbolic import _x_over_one_minus_exp as _x_over_one_minus_exp_array
from .hyperbolic import x_coth_x
from . import system
from .twoports import interface_channel, layer_sink, layer_stiffness, lead_stiffness, spin_hall_source

# element kinds (LINK: a resistive interface, MODEL.md 3b, a part of the chain between two elements)
RESERVOIR, LEFT_LEAD, LAYER, RIGHT_LEAD, LINK = 0, 1, 2, 3, 4
# configurations per task of the parallel loop, and the batch size below which the calling thread runs the
# batch alone (a thread pool woken for a few configurations costs more than it saves, and its workers keep
# spinning on the cores after it)
_CHUNK = 2048
SERIAL_BELOW = 4096
# Below this many configurations a batch stays on the calling thread too while the parallel kernel is not compiled
# (neither in this process nor in numba's on-disk cache: the first run after an install).  Its first compilation
# costs ~35-55 s on 2 cores, beside ~1 ms for the 35 657 configurations of the seed's sign map on either kernel,
# whose numbers are the same to the bit (one compiled _chain_range per configuration).  A larger batch compiles it.
# Kept small: a batch below it runs serially until a larger one compiled the parallel kernel once (on this machine:
# the cache keeps it), so its cost is bounded by ~0.1 s of a 2^16 batch on one core.
SERIAL_WHILE_COLD = 1 << 16
# whether _chain_parallel was found cold in this process (None: not asked yet; False once it ran)
_parallel_cold: list[bool | None] = [None]
# the thinnest layer (d / l) the field drive takes beside an open end: error ~ 2 eps / (d/l)^2 <= 32 eps
_THIN = 0.25
# Gc of a layer over that of a neighbour (or of a lead) above which the plain elimination is left to the
# numpy backend's thin steps: it forms Gc and Gs ~ D / 2d of a thin layer side by side and loses ~eps times
# this contrast of the torques beside it (1e-13 at this bound; 1e-7 for a 1e-9 l thin F between N layers)
STIFFNESS_CONTRAST = 1e3


def stiff_layer(arrays: StackArrays) -> int | None:
    """The first layer whose stiffness Gc exceeds a neighbour's (layer or lead: D / 2l) by more than
    :data:`STIFFNESS_CONTRAST` in some configuration, or None (a neighbour of zero stiffness, an l = inf lead,
    takes no current to lose precision against and is not compared)."""
    left = None if arrays.left is None else lead_stiffness(arrays.left)
    right = None if arrays.right is None else lead_stiffness(arrays.right)
    if arrays.batch_shape == () and not arrays.columns["complex"]:  # one configuration: all layers at once
        columns = arrays.columns  # (a long stack: a Python step per layer would cost more than its solve)
        gc = columns["D"] / (2.0 * columns["thickness"]) * x_coth_x(columns["thickness"] / columns["l"])
        outer = np.array([np.nan if left is None else float(left), np.nan if right is None else float(right)])
        chain = np.concatenate([outer[:1], gc, outer[1:]])
        with np.errstate(over="ignore", invalid="ignore"):
            stiff = ((chain[:-2] > 0) & (gc > STIFFNESS_CONTRAST * chain[:-2])) | \
                ((chain[2:] > 0) & (gc > STIFFNESS_CONTRAST * chain[2:]))
        found = np.flatnonzero(stiff)
        return int(found[0]) if found.size else None
    stiffness = [left] + [layer_stiffness(layer)[0] for layer in arrays.layers] + [right]
    for index in range(1, len(stiffness) - 1):
        own = stiffness[index]
        for neighbour in (stiffness[index - 1], stiffness[index + 1]):
            if neighbour is None:
                continue
            with np.errstate(over="ignore", invalid="ignore"):  # inf * 1e3 and inf > inf are answers here
                if np.any((neighbour > 0) & (own > STIFFNESS_CONTRAST * neighbour)):
                    return index - 1
    return None


# ------------------------------------------------------------------ the chain kernel
# A chain without links (every node a reservoir, an axis node of 1 unknown or a free node of 3; every
# two-port a multiple of the identity), solved for a block of configurations at a time: each step below
# loops over the block's configurations, so the arrays handed between steps cost once per block, not once
# per configuration.  The same steps run in a parallel loop over chunks of a batch and in a serial loop
# (small batches: no thread pool woken, nothing left spinning).
#
# One compilation per kernel: numba compiles a kernel once per tuple of argument types, and in a call from another
# kernel a constant is a type of its own (0 is Literal[int](0), True Literal[bool](True)), as is a counter started
# at 0 while numba is still working out its type.  Each such call compiled the callee, and the whole tree of
# kernels under it, once more (20-30 s each for the chain's steps).  So calls between kernels pass np.int64(...)
# and np.bool_(...) values, never bare constants.

@njit(cache=True, error_model="numpy")
def _two_ports(start, width, everything, kinds, varies, const, rows, vary, mconst, mrows, msign, mvary, sources, m, source,
               K):
    """m, the source p m + s and the stiffnesses K = (K_aa, K_ab, K_ba, K_bb) of every element (``everything``)
    or of those that vary over the batch, for configurations start .. start + width (MODEL.md 2; s the spin
    Hall source of an N element under the in-plane field, MODEL.md 8b, with p = 0 for that drive)."""
    for e in range(kinds.shape[0]):
        if not (everything or varies[e]):
            continue
        kind = kinds[e]
        r = mrows[e]
        for w in range(width):
            b = start + w
            for c in range(3):
                if r == -2:
                    m[e, c, w] = 0.0
                elif r == -1:
                    m[e, c, w] = mconst[e, c]
                else:
                    m[e, c, w] = msign[e] * mvary[b, r, c]
            for j in range(4):
                K[e, j, w] = 0.0
            if kind == RESERVOIR or kind == LINK:  # (a link's m and source: _link_parts)
                for c in range(3):
                    source[e, c, w] = 0.0
                continue
            first_stiffness = const[e, 0] if rows[e, 0] < 0 else vary[rows[e, 0], b]
            p = const[e, 2] if rows[e, 2] < 0 else vary[rows[e, 2], b]
            for c in range(3):
                source[e, c, w] = p * m[e, c, w] + sources[e, c]
            if kind == LAYER:
                gs = const[e, 1] if rows[e, 1] < 0 else vary[rows[e, 1], b]
                K[e, 0, w] = first_stiffness
                K[e, 1, w] = -gs
                K[e, 2, w] = gs
                K[e, 3, w] = -first_stiffness
            elif kind == LEFT_LEAD:
                K[e, 3, w] = -first_stiffness
            else:
                K[e, 0, w] = first_stiffness


# sin and cos on [-pi/4, pi/4]: the minimax polynomials of fdlibm's __kernel_sin, __kernel_cos (error < 1 ulp)
_S1, _S2, _S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_S4, _S5, _S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_C1, _C2, _C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_C4, _C5, _C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11


@njit(cache=True, error_model="numpy")
def _cos_sin_degrees(degrees):
    """(cos, sin) of an angle in degrees.  The reduction to [-45, 45] degrees is exact (a multiple of 90
    subtracted), so multiples of 90 degrees give exact zeros and ones, and the rest is the polynomial of
    the reduced angle in radians (branch-free: the loop over a block vectorises, unlike libm's calls)."""
    n = math.floor(degrees / 90.0 + 0.5)
    x = (degrees - 90.0 * n) * (math.pi / 180.0)
    z = x * x
    sine = x + z * x * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    half = 0.5 * z
    w = 1.0 - half
    cosine = w + (((1.0 - w) - half) + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    quadrant = n - 4.0 * math.floor(0.25 * n)  # 0, 1, 2, 3
    c = cosine if quadrant == 0.0 else -sine if quadrant == 1.0 else -cosine if quadrant == 2.0 else sine
    s = sine if quadrant == 0.0 else cosine if quadrant == 1.0 else -sine if quadrant == 2.0 else -cosine
    return c, s


@njit(cache=True, error_model="numpy")
def _turn(start, width, turned, signs, plane, angles, degrees, const, rows, vary, m, source, cosines, sines):
    """m = sign (cos t plane[0] + sin t plane[1]) and the source p m of the elements with ``turned`` set,
    t = angles[b] in degrees (``degrees``) or radians.  Collinear configurations stay exactly collinear (as
    with ``analysis.with_angle``): exact zeros of cos at +-90 degrees and of sin at 0 and +-180 degrees."""
    if degrees:
        for w in range(width):
            cosines[w], sines[w] = _cos_sin_degrees(angles[start + w])
    else:
        half = 0.5 * math.pi
        for w in range(width):
            angle = angles[start + w]
            cosines[w] = 0.0 if angle == half or angle == -half else math.cos(angle)
            sines[w] = 0.0 if angle == 0.0 or angle == math.pi or angle == -math.pi else math.sin(angle)
    for e in range(turned.shape[0]):
        if not turned[e]:
            continue
        for c in range(3):
            along, across = signs[e] * plane[0, c], signs[e] * plane[1, c]
            for w in range(width):
                m[e, c, w] = cosines[w] * along + sines[w] * across
        if rows[e, 2] < 0:
            p = const[e, 2]
            for c in range(3):
                for w in range(width):
                    source[e, c, w] = p * m[e, c, w]
        else:
            for c in range(3):
                for w in range(width):
                    source[e, c, w] = vary[rows[e, 2], start + w] * m[e, c, w]


@njit(cache=True, error_model="numpy")
def _node_values(width, dims, axes, m, source, K, mu, carry, partial, x):
    """mu at every node (nodes, 3, width) by block elimination of the tridiagonal node system (MODEL.md 3a):
    1x1 blocks on a rail (the node value is x m), 3x3 at a free node; reservoir nodes 0.  The system is the
    Hessian of the functional S (MODEL.md 5): symmetric positive definite, no pivoting."""
    n_nodes = dims.shape[0]
    block = np.zeros((3, 3))
    coupling = np.zeros((3, 3))
    upper = np.zeros((3, 3))
    rhs = np.zeros(3)
    inverse = np.zeros((3, 3))
    for w in range(width):
        previous = -1
        for k in range(n_nodes):
            n = dims[k]
            if n == 0:
                continue
            a = axes[k]
            c = K[k + 1, 0, w] - K[k, 3, w]
            for i in range(3):
                for j in range(3):
                    block[i, j] = 0.0
            for i in range(n):
                block[i, i] = c
            if n == 1:
                rhs[0] = (m[a, 0, w] * (source[k, 0, w] - source[k + 1, 0, w]) + m[a, 1, w] * (source[k, 1, w] - source[k + 1, 1, w])
                          + m[a, 2, w] * (source[k, 2, w] - source[k + 1, 2, w]))
            else:
                for i in range(3):
                    rhs[i] = source[k, i, w] - source[k + 1, i, w]
            if previous >= 0:
                q = dims[previous]
                p_axis = axes[previous]
                kba = K[k, 2, w]
                # coupling A_{k, k-1} = -E_k^T K_ba E_{k-1}: (n x q)
                if n == 1 and q == 1:
                    coupling[0, 0] = -kba if a == p_axis else -(kba * (m[a, 0, w] * m[p_axis, 0, w] + m[a, 1, w] * m[p_axis, 1, w]
                                                                     + m[a, 2, w] * m[p_axis, 2, w]))
                elif n == 1:
                    for j in range(3):
                        coupling[0, j] = -(kba * m[a, j, w])
                elif q == 1:
                    for i in range(3):
                        coupling[i, 0] = -(kba * m[p_axis, i, w])
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
            if n == 1:
                inverse[0, 0] = 1.0 / block[0, 0]
                partial[k, 0] = rhs[0] / block[0, 0]
            else:
                invert3(block, inverse)
                for i in range(3):
                    partial[k, i] = inverse[i, 0] * rhs[0] + inverse[i, 1] * rhs[1] + inverse[i, 2] * rhs[2]
            if k + 1 < n_nodes and dims[k + 1] > 0:
                s = dims[k + 1]
                n_axis = axes[k + 1]
                kab = K[k + 1, 1, w]
                # upper A_{k, k+1} = E_k^T K_ab E_{k+1}: (n x s)
                if n == 1 and s == 1:
                    upper[0, 0] = kab if a == n_axis else kab * (m[a, 0, w] * m[n_axis, 0, w] + m[a, 1, w] * m[n_axis, 1, w]
                                                                 + m[a, 2, w] * m[n_axis, 2, w])
                elif n == 1:  # E_k^T K: a row
                    for j in range(3):
                        upper[0, j] = kab * m[a, j, w]
                elif s == 1:  # K E_{k+1}: a column
                    for i in range(3):
                        upper[i, 0] = kab * m[n_axis, i, w]
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
                continue  # (mu stays 0 at a pinned node: the block arrays start at 0)
            for i in range(n):
                value = partial[k, i]
                if later >= 0:
                    total = 0.0
                    for r in range(dims[later]):
                        total += carry[k, i, r] * x[later, r]
                    value = value - total
                x[k, i] = value
            if n == 1:
                a = axes[k]
                for i in range(3):
                    mu[k, i, w] = x[k, 0] * m[a, i, w]
            else:
                for i in range(3):
                    mu[k, i, w] = x[k, i]
            later = k


@njit(cache=True, error_model="numpy")
def _rail_values(width, dims, axes, m, source, K, mu, carry, partial, x):
    """:func:`_node_values` for chains whose active nodes all sit on a magnetization axis (1 unknown each: a
    scalar tridiagonal system), each step one loop over the block's configurations (vectorised)."""
    n_nodes = dims.shape[0]
    previous = -1
    for k in range(n_nodes):
        if dims[k] == 0:
            continue
        a = axes[k]
        coupled_after = k + 1 < n_nodes and dims[k + 1] > 0
        q = axes[previous] if previous >= 0 else a
        s = axes[k + 1] if coupled_after else a
        for w in range(width):
            c = K[k + 1, 0, w] - K[k, 3, w]
            r0 = (m[a, 0, w] * (source[k, 0, w] - source[k + 1, 0, w]) + m[a, 1, w] * (source[k, 1, w] - source[k + 1, 1, w])
                  + m[a, 2, w] * (source[k, 2, w] - source[k + 1, 2, w]))
            if previous >= 0:
                if a == q:
                    g = -K[k, 2, w]
                else:
                    g = -(K[k, 2, w] * (m[a, 0, w] * m[q, 0, w] + m[a, 1, w] * m[q, 1, w] + m[a, 2, w] * m[q, 2, w]))
                c = c - g * carry[previous, w]
                r0 = r0 - g * partial[previous, w]
            partial[k, w] = r0 / c
            if coupled_after:
                if a == s:
                    g = K[k + 1, 1, w]
                else:
                    g = K[k + 1, 1, w] * (m[a, 0, w] * m[s, 0, w] + m[a, 1, w] * m[s, 1, w] + m[a, 2, w] * m[s, 2, w])
                carry[k, w] = g / c
        previous = k
    later = -1
    for k in range(n_nodes - 1, -1, -1):  # back substitution; mu = x m on each rail
        if dims[k] == 0:
            continue  # (mu stays 0 at a pinned node: the block arrays start at 0 and nothing else writes there)
        a = axes[k]
        for w in range(width):
            value = partial[k, w]
            if later >= 0:
                value = value - carry[k, w] * x[later, w]
            x[k, w] = value
        for c in range(3):
            for w in range(width):
                mu[k, c, w] = x[k, w] * m[a, c, w]
        later = k


# ------------------------------------------------------------------ resistive interfaces (MODEL.md 3b)
# A chain with links is eliminated per configuration by the steps of the numpy backend (:mod:`.elimination`):
# through a link in resistance form (``_through_interface``, ``_grounded``: exact for any finite conductance,
# no g-sized term is ever subtracted), and at the free node behind a magnetic link the block split on m and on
# the plane normal to m (``_block_inverse``).  Everywhere else the plain Schur step of :func:`_node_values`.
# Link values per configuration: s, 1/s, c - s, c (the collinear channel), gamma, g_r, g_i.
_S, _R, _SHUNT, _GROUNDED, _GAMMA, _G_R, _G_I = range(7)
# floating directions (elimination.FLOATING): a plane inverse whose smallest singular value is below this fraction
# of its scale is left to the numpy backend (the configuration's outputs are NaN)
_FLOATING = 1e-12


@njit(cache=True, error_model="numpy")
def _link_parts(start, width, everything, kinds, link_axis, lconst, lrows, vary, m, source, links):
    """Every link's values (s, 1/s, c - s, c, gamma, g_r, g_i), its m (that of the F whose rail it is on, row
    ``link_axis``; 0 at an N/N link) and its source gamma m, for configurations start .. start + width (the
    values constant over the batch only when ``everything``: the first block of a range, as _two_ports)."""
    for e in range(kinds.shape[0]):
        if kinds[e] != LINK:
            continue
        for j in range(7):
            r = lrows[e, j]
            if r < 0:
                if not everything:
                    continue
                value = lconst[e, j]
                for w in range(width):
                    links[e, j, w] = value
            else:
                for w in range(width):
                    links[e, j, w] = vary[r, start + w]
        a = link_axis[e]
        for c in range(3):
            for w in range(width):
                m[e, c, w] = 0.0 if a < 0 else m[a, c, w]
                source[e, c, w] = links[e, _GAMMA, w] * m[e, c, w]


@njit(cache=True, error_model="numpy")
def _plane_inverse(plane, m, e, width, scale, out, failed):
    """out = the inverse of ``plane`` (3, 3, width) on the plane normal to m (elimination._plane_inverse: in an
    orthonormal frame e1, e2 of that plane, lifted back); failed[w] = 1 where its smallest singular value is below
    _FLOATING times ``scale[w]`` (a NaN scale: the projected block's own size), a direction that nothing may fix
    (left to the numpy backend)."""
    for w in range(width):
        m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
        # e1 = m x a / |m x a|, a the coordinate axis least aligned with m (the first of equals); e2 = m x e1
        if abs(m1) < abs(m0):
            index = 2 if abs(m2) < abs(m1) else 1
        else:
            index = 2 if abs(m2) < abs(m0) else 0
        a0 = 1.0 if index == 0 else 0.0
        a1 = 1.0 if index == 1 else 0.0
        a2 = 1.0 if index == 2 else 0.0
        f0, f1, f2 = m1 * a2 - m2 * a1, m2 * a0 - m0 * a2, m0 * a1 - m1 * a0
        length = math.sqrt(f0 * f0 + f1 * f1 + f2 * f2)
        p0, p1, p2 = f0 / length, f1 / length, f2 / length
        q0, q1, q2 = m1 * p2 - m2 * p1, m2 * p0 - m0 * p2, m0 * p1 - m1 * p0
        # A = E^T plane E
        i0 = plane[0, 0, w] * p0 + plane[0, 1, w] * p1 + plane[0, 2, w] * p2
        i1 = plane[1, 0, w] * p0 + plane[1, 1, w] * p1 + plane[1, 2, w] * p2
        i2 = plane[2, 0, w] * p0 + plane[2, 1, w] * p1 + plane[2, 2, w] * p2
        j0 = plane[0, 0, w] * q0 + plane[0, 1, w] * q1 + plane[0, 2, w] * q2
        j1 = plane[1, 0, w] * q0 + plane[1, 1, w] * q1 + plane[1, 2, w] * q2
        j2 = plane[2, 0, w] * q0 + plane[2, 1, w] * q1 + plane[2, 2, w] * q2
        a = p0 * i0 + p1 * i1 + p2 * i2
        b = p0 * j0 + p1 * j1 + p2 * j2
        c = q0 * i0 + q1 * i1 + q2 * i2
        d = q0 * j0 + q1 * j1 + q2 * j2
        determinant = a * d - b * c
        size = math.sqrt(a * a + b * b + c * c + d * d)
        reference = size if scale[w] != scale[w] else scale[w]
        largest = math.sqrt(0.5 * (size**2 + math.sqrt(max(size**4 - 4.0 * determinant**2, 0.0))))
        if not abs(determinant) > _FLOATING * reference * largest:
            failed[w] = 1.0
        u00, u01, u10, u11 = d / determinant, -b / determinant, -c / determinant, a / determinant
        out[0, 0, w] = u00 * (p0 * p0) + u01 * (p0 * q0) + u10 * (q0 * p0) + u11 * (q0 * q0)
        out[0, 1, w] = u00 * (p0 * p1) + u01 * (p0 * q1) + u10 * (q0 * p1) + u11 * (q0 * q1)
        out[0, 2, w] = u00 * (p0 * p2) + u01 * (p0 * q2) + u10 * (q0 * p2) + u11 * (q0 * q2)
        out[1, 0, w] = u00 * (p1 * p0) + u01 * (p1 * q0) + u10 * (q1 * p0) + u11 * (q1 * q0)
        out[1, 1, w] = u00 * (p1 * p1) + u01 * (p1 * q1) + u10 * (q1 * p1) + u11 * (q1 * q1)
        out[1, 2, w] = u00 * (p1 * p2) + u01 * (p1 * q2) + u10 * (q1 * p2) + u11 * (q1 * q2)
        out[2, 0, w] = u00 * (p2 * p0) + u01 * (p2 * q0) + u10 * (q2 * p0) + u11 * (q2 * q0)
        out[2, 1, w] = u00 * (p2 * p1) + u01 * (p2 * q1) + u10 * (q2 * p1) + u11 * (q2 * q1)
        out[2, 2, w] = u00 * (p2 * p2) + u01 * (p2 * q2) + u10 * (q2 * p2) + u11 * (q2 * q2)


@njit(cache=True, error_model="numpy")
def _add_mixing(out, m, e, links, link, width):
    """out += g_r (1 - m m^T) - g_i [m]x (vectors.transverse_sink), the N side's transverse sink of link ``link``,
    m = m[e] (3, 3, width)."""
    for w in range(width):
        g_r, g_i = links[link, _G_R, w], links[link, _G_I, w]
        m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
        out[0, 0, w] += g_r * (1.0 - m0 * m0)
        out[0, 1, w] += g_r * (0.0 - m0 * m1) - g_i * (-m2)
        out[0, 2, w] += g_r * (0.0 - m0 * m2) - g_i * m1
        out[1, 0, w] += g_r * (0.0 - m1 * m0) - g_i * m2
        out[1, 1, w] += g_r * (1.0 - m1 * m1)
        out[1, 2, w] += g_r * (0.0 - m1 * m2) - g_i * (-m0)
        out[2, 0, w] += g_r * (0.0 - m2 * m0) - g_i * (-m1)
        out[2, 1, w] += g_r * (0.0 - m2 * m1) - g_i * m0
        out[2, 2, w] += g_r * (1.0 - m2 * m2)


@njit(cache=True, error_model="numpy")
def _invert3_block(block, inverse, width):
    """inverse = block^-1 for (3, 3, width) blocks, by the adjugate (as compiled.invert3)."""
    for w in range(width):
        c00 = block[1, 1, w] * block[2, 2, w] - block[1, 2, w] * block[2, 1, w]
        c01 = block[1, 2, w] * block[2, 0, w] - block[1, 0, w] * block[2, 2, w]
        c02 = block[1, 0, w] * block[2, 1, w] - block[1, 1, w] * block[2, 0, w]
        c10 = block[2, 1, w] * block[0, 2, w] - block[2, 2, w] * block[0, 1, w]
        c11 = block[2, 2, w] * block[0, 0, w] - block[2, 0, w] * block[0, 2, w]
        c12 = block[2, 0, w] * block[0, 1, w] - block[2, 1, w] * block[0, 0, w]
        c20 = block[0, 1, w] * block[1, 2, w] - block[0, 2, w] * block[1, 1, w]
        c21 = block[0, 2, w] * block[1, 0, w] - block[0, 0, w] * block[1, 2, w]
        c22 = block[0, 0, w] * block[1, 1, w] - block[0, 1, w] * block[1, 0, w]
        det = block[0, 0, w] * c00 + block[0, 1, w] * c01 + block[0, 2, w] * c02
        inverse[0, 0, w], inverse[0, 1, w], inverse[0, 2, w] = c00 / det, c10 / det, c20 / det
        inverse[1, 0, w], inverse[1, 1, w], inverse[1, 2, w] = c01 / det, c11 / det, c21 / det
        inverse[2, 0, w], inverse[2, 1, w], inverse[2, 2, w] = c02 / det, c12 / det, c22 / det


@njit(cache=True, error_model="numpy")
def _basis_product(out, kab, n, a, s, b, m, width, sign):
    """out (n x s, width) = sign K E_a^T E_b of two node bases (rails a, b: rows of m; n or s = 3: free), with
    K = kab[w] (the scalar two-port coefficient coupling them; the same rail gives exactly K)."""
    if n == 1 and s == 1:
        if a == b:
            for w in range(width):
                out[0, 0, w] = sign * kab[w]
        else:
            for w in range(width):
                out[0, 0, w] = sign * (kab[w] * (m[a, 0, w] * m[b, 0, w] + m[a, 1, w] * m[b, 1, w] + m[a, 2, w] * m[b, 2, w]))
    elif n == 1:
        for j in range(3):
            for w in range(width):
                out[0, j, w] = sign * (kab[w] * m[a, j, w])
    elif s == 1:
        for r in range(3):
            for w in range(width):
                out[r, 0, w] = sign * (kab[w] * m[b, r, w])
    else:
        for r in range(3):
            for j in range(3):
                if r == j:
                    for w in range(width):
                        out[r, j, w] = sign * kab[w]
                else:
                    for w in range(width):
                        out[r, j, w] = 0.0


@njit(cache=True, error_model="numpy")
def _link_values(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, carry, partial, x, mats, vecs,
                 scalars, begin_node, end_node, lowest):
    """mu at every chain node (nodes, 3, width) of a chain with or without links (see above), each step one loop over
    the block's configurations.  A configuration with a direction nothing fixes (a singular plane) gets NaN values.

    The forward elimination runs over nodes begin_node .. end_node - 1, the back substitution (mu) over nodes
    nodes - 1 .. lowest (none when end_node < nodes).  ``begin_node`` > 0 resumes an elimination: the steps of the
    nodes before it are those of an earlier call, whose carry and partial are left in the arrays and whose hand-over
    the caller has put back (the pending load of a link, ``mats[5]``, ``vecs[1]``, ``scalars[1]``, and the failed
    flags ``scalars[2]``: later steps overwrite them); they are the numbers a call from node 0 forms when nothing
    they read has changed (:func:`_free_torques`).  The whole solve: 0, nodes, 0."""
    n_nodes = dims.shape[0]
    load, block, inverse, axial, across, pending, plane, coupling = (mats[0], mats[1], mats[2], mats[3], mats[4],
                                                                     mats[5], mats[6], mats[7])
    pushed, pending_pushed, rhs, src, direction, offset_a, row = vecs[0], vecs[1], vecs[2], vecs[3], vecs[4], vecs[5], vecs[6]
    along, pending_along, failed, h, rho, scale, weight = (scalars[0], scalars[1], scalars[2], scalars[3], scalars[4],
                                                           scalars[5], scalars[6])
    previous = -1
    for k in range(begin_node):
        if dims[k] > 0:
            previous = k
    if begin_node == 0:
        for w in range(width):
            failed[w] = 0.0
    # the state the steps before begin_node hand on: a link's load when node begin_node - 1 was eliminated through it
    has_pending = begin_node > 0 and kinds[begin_node] == LINK and previous == begin_node - 1
    pending_has_along = has_pending and link_axis[begin_node] >= 0
    for i in range(begin_node, end_node):
        n = dims[i]
        if n == 0:
            continue
        a = axes[i]
        before, after = i, i + 1
        has_along = False
        for r in range(3):
            for w in range(width):
                pushed[r, w] = 0.0
            for q in range(3):
                for w in range(width):
                    load[r, q, w] = 0.0
        if kinds[before] == LINK:  # just right of a link: the load it passes on
            if has_pending:
                for r in range(3):
                    for w in range(width):
                        pushed[r, w] = pending_pushed[r, w]
                    for q in range(3):
                        for w in range(width):
                            load[r, q, w] = pending[r, q, w]
                for w in range(width):
                    along[w] = pending_along[w]
                has_along = pending_has_along
                has_pending = False
            else:  # elimination._grounded: its left face is a reservoir, c = G_I coth delta to ground
                has_along = True
                for w in range(width):
                    along[w] = links[before, _GROUNDED, w]
                if link_axis[before] < 0:  # N/N: all three components
                    for r in range(3):
                        for w in range(width):
                            load[r, r, w] = links[before, _GROUNDED, w]
                elif n == 1:  # on the F's rail: the link's own m
                    for w in range(width):
                        load[0, 0, w] = links[before, _GROUNDED, w]
                        pushed[0, w] = links[before, _GAMMA, w]
                else:
                    for w in range(width):
                        failed[w] = 1.0
        else:  # the plain Schur step: -E^T K_bb E of the part before, minus the coupling times the carry
            for r in range(n):
                for w in range(width):
                    load[r, r, w] = -K[before, 3, w]
            if n == 1:
                for w in range(width):
                    pushed[0, w] = m[a, 0, w] * source[before, 0, w] + m[a, 1, w] * source[before, 1, w] + \
                        m[a, 2, w] * source[before, 2, w]
            else:
                for r in range(3):
                    for w in range(width):
                        pushed[r, w] = source[before, r, w]
            if previous >= 0:
                q = dims[previous]
                _basis_product(coupling, K[before, 2], n, a, q, axes[previous], m, width, -1.0)
                for r in range(n):
                    for j in range(n):
                        if q == 1:
                            for w in range(width):
                                load[r, j, w] = load[r, j, w] - coupling[r, 0, w] * carry[previous, 0, j, w]
                        else:
                            for w in range(width):
                                load[r, j, w] = load[r, j, w] - (coupling[r, 0, w] * carry[previous, 0, j, w]
                                                                 + coupling[r, 1, w] * carry[previous, 1, j, w]
                                                                 + coupling[r, 2, w] * carry[previous, 2, j, w])
                    if q == 1:
                        for w in range(width):
                            pushed[r, w] = pushed[r, w] - coupling[r, 0, w] * partial[previous, 0, w]
                    else:
                        for w in range(width):
                            pushed[r, w] = pushed[r, w] - (coupling[r, 0, w] * partial[previous, 0, w]
                                                           + coupling[r, 1, w] * partial[previous, 1, w]
                                                           + coupling[r, 2, w] * partial[previous, 2, w])
        following_active = i + 1 < n_nodes and dims[i + 1] > 0
        if kinds[after] == LINK:  # elimination._through_interface: node i eliminated in resistance form
            if link_axis[after] < 0:  # N/N: node i free, the channel carries all three components
                for w in range(width):
                    scale[w] = 0.0
                for r in range(3):
                    for w in range(width):
                        load[r, r, w] += links[after, _SHUNT, w]  # H = load + shunt 1
                    for q in range(3):
                        for w in range(width):
                            scale[w] = max(scale[w], abs(load[r, q, w]))
                for w in range(width):
                    weight[w] = min(links[after, _R, w], 1e280 / (1.0 + scale[w]))  # r, kept finite
                    scale[w] = 0.0
                for r in range(3):
                    for q in range(3):
                        for w in range(width):
                            block[r, q, w] = (1.0 if r == q else 0.0) + weight[w] * load[r, q, w]
                            scale[w] = max(scale[w], abs(block[r, q, w]))
                for w in range(width):
                    if scale[w] == 0.0:
                        scale[w] = 1.0
                for r in range(3):
                    for q in range(3):
                        for w in range(width):
                            block[r, q, w] = block[r, q, w] / scale[w]
                _invert3_block(block, inverse, width)  # (1 + r H)^-1, scaled first (elimination._inverse3)
                for r in range(3):
                    for q in range(3):
                        for w in range(width):
                            inverse[r, q, w] = inverse[r, q, w] / scale[w]
                for r in range(3):
                    for w in range(width):
                        partial[i, r, w] = inverse[r, 0, w] * (weight[w] * pushed[0, w]) + \
                            inverse[r, 1, w] * (weight[w] * pushed[1, w]) + inverse[r, 2, w] * (weight[w] * pushed[2, w])
                if following_active:
                    for r in range(3):
                        for q in range(3):
                            for w in range(width):
                                carry[i, r, q, w] = -inverse[r, q, w]
                                pending[r, q, w] = inverse[r, 0, w] * load[0, q, w] + inverse[r, 1, w] * load[1, q, w] + \
                                    inverse[r, 2, w] * load[2, q, w] + (links[after, _SHUNT, w] if r == q else 0.0)
                        for w in range(width):
                            pending_pushed[r, w] = inverse[r, 0, w] * pushed[0, w] + inverse[r, 1, w] * pushed[1, w] + \
                                inverse[r, 2, w] * pushed[2, w]
                    pending_has_along = False
                    has_pending = True
            else:
                e = after  # the link's m
                if n == 3:  # a free node: the components normal to m first (with the N side's sink there)
                    # all in one pass, in the frame (m, p, q) of m (p, q as in _plane_inverse): the load's blocks
                    # there, the 2x2 plane block plus the sink g_r 1 - g_i [m]x (g_r, g_i; -g_i, g_r) inverted (U)
                    mixing = sides[after] == 1
                    for w in range(width):
                        m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
                        l00, l01, l02 = load[0, 0, w], load[0, 1, w], load[0, 2, w]
                        l10, l11, l12 = load[1, 0, w], load[1, 1, w], load[1, 2, w]
                        l20, l21, l22 = load[2, 0, w], load[2, 1, w], load[2, 2, w]
                        reference = max(max(max(abs(l00), abs(l01)), max(abs(l02), abs(l10))),
                                        max(max(abs(l11), abs(l12)), max(abs(l20), max(abs(l21), abs(l22)))))
                        g_r = links[after, _G_R, w] if mixing else 0.0
                        g_i = links[after, _G_I, w] if mixing else 0.0
                        if mixing:  # the sink's largest entry, as the 3x3 matrix (the reference of the singular test)
                            reference = max(reference, max(max(abs(g_r * (1.0 - m0 * m0)), abs(g_r * (1.0 - m1 * m1))),
                                                           abs(g_r * (1.0 - m2 * m2))))
                            reference = max(reference, max(max(abs(g_r * (0.0 - m0 * m1) - g_i * (-m2)),
                                                               abs(g_r * (0.0 - m0 * m2) - g_i * m1)),
                                                           max(abs(g_r * (0.0 - m1 * m0) - g_i * m2),
                                                               abs(g_r * (0.0 - m1 * m2) - g_i * (-m0)))))
                            reference = max(reference, max(abs(g_r * (0.0 - m2 * m0) - g_i * (-m1)),
                                                           abs(g_r * (0.0 - m2 * m1) - g_i * m0)))
                        if abs(m1) < abs(m0):
                            index = 2 if abs(m2) < abs(m1) else 1
                        else:
                            index = 2 if abs(m2) < abs(m0) else 0
                        a0 = 1.0 if index == 0 else 0.0
                        a1 = 1.0 if index == 1 else 0.0
                        a2 = 1.0 if index == 2 else 0.0
                        f0, f1, f2 = m1 * a2 - m2 * a1, m2 * a0 - m0 * a2, m0 * a1 - m1 * a0
                        length = math.sqrt(f0 * f0 + f1 * f1 + f2 * f2)
                        p0, p1, p2 = f0 / length, f1 / length, f2 / length
                        q0, q1, q2 = m1 * p2 - m2 * p1, m2 * p0 - m0 * p2, m0 * p1 - m1 * p0
                        # L m, L p, L q
                        lm0 = l00 * m0 + l01 * m1 + l02 * m2
                        lm1 = l10 * m0 + l11 * m1 + l12 * m2
                        lm2 = l20 * m0 + l21 * m1 + l22 * m2
                        lp0 = l00 * p0 + l01 * p1 + l02 * p2
                        lp1 = l10 * p0 + l11 * p1 + l12 * p2
                        lp2 = l20 * p0 + l21 * p1 + l22 * p2
                        lq0 = l00 * q0 + l01 * q1 + l02 * q2
                        lq1 = l10 * q0 + l11 * q1 + l12 * q2
                        lq2 = l20 * q0 + l21 * q1 + l22 * q2
                        mm = m0 * lm0 + m1 * lm1 + m2 * lm2
                        pm = p0 * lm0 + p1 * lm1 + p2 * lm2
                        qm = q0 * lm0 + q1 * lm1 + q2 * lm2
                        mp = m0 * lp0 + m1 * lp1 + m2 * lp2
                        mq = m0 * lq0 + m1 * lq1 + m2 * lq2
                        a = (p0 * lp0 + p1 * lp1 + p2 * lp2) + g_r
                        b = (p0 * lq0 + p1 * lq1 + p2 * lq2) + g_i
                        c = (q0 * lp0 + q1 * lp1 + q2 * lp2) - g_i
                        d = (q0 * lq0 + q1 * lq1 + q2 * lq2) + g_r
                        determinant = a * d - b * c
                        size = math.sqrt(a * a + b * b + c * c + d * d)
                        largest = math.sqrt(0.5 * (size**2 + math.sqrt(max(size**4 - 4.0 * determinant**2, 0.0))))
                        if not abs(determinant) > _FLOATING * reference * largest:
                            failed[w] = 1.0
                        u00, u01, u10, u11 = d / determinant, -b / determinant, -c / determinant, a / determinant
                        # h = m.Lm - (mL E) U (E^T Lm), rho = m.P - (mL E) U (E^T P); direction = m - E U E^T Lm,
                        # offset = E U E^T P (E = (p, q))
                        t0, t1 = u00 * pm + u01 * qm, u10 * pm + u11 * qm
                        pp, pq = p0 * pushed[0, w] + p1 * pushed[1, w] + p2 * pushed[2, w], \
                            q0 * pushed[0, w] + q1 * pushed[1, w] + q2 * pushed[2, w]
                        o0, o1 = u00 * pp + u01 * pq, u10 * pp + u11 * pq
                        h[w] = mm - (mp * t0 + mq * t1)
                        rho[w] = (m0 * pushed[0, w] + m1 * pushed[1, w] + m2 * pushed[2, w]) - (mp * o0 + mq * o1)
                        direction[0, w] = m0 - (p0 * t0 + q0 * t1)
                        direction[1, w] = m1 - (p1 * t0 + q1 * t1)
                        direction[2, w] = m2 - (p2 * t0 + q2 * t1)
                        offset_a[0, w] = p0 * o0 + q0 * o1
                        offset_a[1, w] = p1 * o0 + q1 * o1
                        offset_a[2, w] = p2 * o0 + q2 * o1
                else:  # on the rail of the F on its left (the link's own m)
                    for w in range(width):
                        h[w], rho[w] = load[0, 0, w], pushed[0, w]
                        direction[0, w] = 1.0
                        offset_a[0, w] = 0.0
                # with H = h + (c - s), r = 1/s: u_a = offset, j_b = gamma + relative weight - (H weight + c - s) u_b
                for w in range(width):
                    H = h[w] + links[after, _SHUNT, w]
                    weight[w] = 1.0 / (1.0 + links[after, _R, w] * H)
                    scale[w] = (rho[w] - links[after, _GAMMA, w]) / (links[after, _S, w] + H)  # the offset
                    along[w] = H * weight[w] + links[after, _SHUNT, w]  # the load along m at node b
                    rho[w] = (rho[w] - links[after, _GAMMA, w]) * weight[w] + links[after, _GAMMA, w]  # pushed at b
                for r in range(n):
                    for w in range(width):
                        partial[i, r, w] = direction[r, w] * scale[w] + offset_a[r, w]
                if following_active:
                    for r in range(3):
                        for w in range(width):
                            pending_pushed[r, w] = 0.0
                        for q in range(3):
                            for w in range(width):
                                pending[r, q, w] = 0.0
                    if dims[i + 1] == 1:
                        b = axes[i + 1]
                        for w in range(width):
                            h[w] = 1.0 if b == link_axis[after] else (m[b, 0, w] * m[e, 0, w] + m[b, 1, w] * m[e, 1, w]
                                                                      + m[b, 2, w] * m[e, 2, w])  # cos (m_b, m)
                        for r in range(n):
                            for w in range(width):
                                carry[i, r, 0, w] = -(direction[r, w] * (weight[w] * h[w]))
                        for w in range(width):
                            pending[0, 0, w] = along[w] * h[w] * h[w]
                            pending_pushed[0, w] = rho[w] * h[w]
                    else:
                        for r in range(n):
                            for q in range(3):
                                for w in range(width):
                                    carry[i, r, q, w] = -(direction[r, w] * weight[w]) * m[e, q, w]
                        for r in range(3):
                            for w in range(width):
                                pending_pushed[r, w] = rho[w] * m[e, r, w]
                            for q in range(3):
                                for w in range(width):
                                    pending[r, q, w] = along[w] * (m[e, r, w] * m[e, q, w])
                        if sides[after] == 2:
                            _add_mixing(pending, m, e, links, after, width)
                    for w in range(width):
                        pending_along[w] = along[w]
                    pending_has_along = True
                    has_pending = True
            previous = i
            continue
        # the block at node i: the next part's own stiffness plus the load
        split = False
        has_inverse = False
        if kinds[before] == LINK and n == 3:  # elimination._block_inverse
            if link_axis[before] < 0:
                if has_along:  # a grounded N/N channel: isotropic
                    for r in range(3):
                        for q in range(3):
                            for w in range(width):
                                inverse[r, q, w] = 1.0 / (along[w] + K[after, 0, w]) if r == q else 0.0
                    has_inverse = True
            else:
                # the block K Q + (K + load along m) m m^T + sink: on the plane normal to m the isotropic
                # alpha Q - beta [m]x (alpha = K + g_r, beta = g_i), whose inverse there is (alpha Q + beta [m]x) /
                # (alpha^2 + beta^2) ([m]x^2 = -Q): no frame needed.  inverse = axial m m^T + u Q + v [m]x with
                # axial = 1 / (along + K), u = alpha / den, v = beta / den (kept in h, rho, weight for the partial)
                e = before
                mixing = sides[before] == 2
                for w in range(width):
                    m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
                    stiffness = K[after, 0, w]
                    alpha = stiffness + (links[before, _G_R, w] if mixing else 0.0)
                    beta = links[before, _G_I, w] if mixing else 0.0
                    den = alpha * alpha + beta * beta
                    if not den > _FLOATING * math.sqrt(2.0) * den:  # (the frame test of _plane_inverse, whose
                        failed[w] = 1.0  # singular values here are both sqrt(den))
                    axis_part = 1.0 / (along[w] + stiffness)
                    u, v = alpha / den, beta / den
                    h[w], rho[w], weight[w] = axis_part, u, v
                    diagonal = axis_part - u
                    inverse[0, 0, w] = diagonal * (m0 * m0) + u
                    inverse[1, 1, w] = diagonal * (m1 * m1) + u
                    inverse[2, 2, w] = diagonal * (m2 * m2) + u
                    inverse[0, 1, w] = diagonal * (m0 * m1) - v * m2
                    inverse[1, 0, w] = diagonal * (m1 * m0) + v * m2
                    inverse[0, 2, w] = diagonal * (m0 * m2) + v * m1
                    inverse[2, 0, w] = diagonal * (m2 * m0) - v * m1
                    inverse[1, 2, w] = diagonal * (m1 * m2) - v * m0
                    inverse[2, 1, w] = diagonal * (m2 * m1) + v * m0
                has_inverse = True
                split = True
        if not has_inverse:
            if n == 1:
                for w in range(width):
                    inverse[0, 0, w] = 1.0 / (load[0, 0, w] + K[after, 0, w])
            else:
                for r in range(3):
                    for q in range(3):
                        for w in range(width):
                            block[r, q, w] = load[r, q, w] + (K[after, 0, w] if r == q else 0.0)
                _invert3_block(block, inverse, width)
        if n == 1:
            for w in range(width):
                src[0, w] = m[a, 0, w] * source[after, 0, w] + m[a, 1, w] * source[after, 1, w] + \
                    m[a, 2, w] * source[after, 2, w]
        else:
            for r in range(3):
                for w in range(width):
                    src[r, w] = source[after, r, w]
        for r in range(n):
            for w in range(width):
                rhs[r, w] = pushed[r, w] - src[r, w]
        if split:  # behind a magnetic link the pushed rhs is along m, where the plane part is 0: not applied
            e = before  # partial = axial m (m.rhs) - (u Q src + v m x src)
            for w in range(width):
                m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
                s0, s1, s2 = src[0, w], src[1, w], src[2, w]
                along_rhs = h[w] * (m0 * rhs[0, w] + m1 * rhs[1, w] + m2 * rhs[2, w])
                along_src = m0 * s0 + m1 * s1 + m2 * s2
                u, v = rho[w], weight[w]
                partial[i, 0, w] = m0 * along_rhs - (u * (s0 - m0 * along_src) + v * (m1 * s2 - m2 * s1))
                partial[i, 1, w] = m1 * along_rhs - (u * (s1 - m1 * along_src) + v * (m2 * s0 - m0 * s2))
                partial[i, 2, w] = m2 * along_rhs - (u * (s2 - m2 * along_src) + v * (m0 * s1 - m1 * s0))
        elif n == 1:
            for w in range(width):
                partial[i, 0, w] = inverse[0, 0, w] * rhs[0, w]
        else:
            for r in range(3):
                for w in range(width):
                    partial[i, r, w] = inverse[r, 0, w] * rhs[0, w] + inverse[r, 1, w] * rhs[1, w] + \
                        inverse[r, 2, w] * rhs[2, w]
        if following_active:
            s_dim = dims[i + 1]
            # upper A_{i, i+1} = E_i^T K_ab E_{i+1}: (n x s_dim)
            _basis_product(coupling, K[after, 1], n, a, s_dim, axes[i + 1], m, width, 1.0)
            for r in range(n):
                for j in range(s_dim):
                    if n == 1:
                        for w in range(width):
                            carry[i, r, j, w] = inverse[r, 0, w] * coupling[0, j, w]
                    else:
                        for w in range(width):
                            carry[i, r, j, w] = inverse[r, 0, w] * coupling[0, j, w] + inverse[r, 1, w] * coupling[1, j, w] + \
                                inverse[r, 2, w] * coupling[2, j, w]
        previous = i
    # back substitution and node values
    later = -1
    for k in range(n_nodes - 1, lowest - 1 if end_node == n_nodes else n_nodes - 1, -1):
        n = dims[k]
        if n == 0:
            continue
        for r in range(n):
            if later < 0:
                for w in range(width):
                    x[k, r, w] = partial[k, r, w]
            elif dims[later] == 1:
                for w in range(width):
                    x[k, r, w] = partial[k, r, w] - carry[k, r, 0, w] * x[later, 0, w]
            else:
                for w in range(width):
                    x[k, r, w] = partial[k, r, w] - (carry[k, r, 0, w] * x[later, 0, w] + carry[k, r, 1, w] * x[later, 1, w]
                                                     + carry[k, r, 2, w] * x[later, 2, w])
        if n == 1:
            a = axes[k]
            for r in range(3):
                for w in range(width):
                    mu[k, r, w] = x[k, 0, w] * m[a, r, w]
        else:
            for r in range(3):
                for w in range(width):
                    mu[k, r, w] = x[k, r, w]
        for r in range(3):
            for w in range(width):
                if failed[w] != 0.0:
                    mu[k, r, w] = math.nan
        later = k


@njit(cache=True, error_model="numpy")
def _mixing_into(out, m, e, w, g_r, g_i):
    """out += g_r (1 - m m^T) - g_i [m]x (vectors.transverse_sink): the N side's transverse sink, m = m[e, :, w]."""
    m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
    out[0, 0] += g_r * (1.0 - m0 * m0)
    out[0, 1] += g_r * (0.0 - m0 * m1) - g_i * (-m2)
    out[0, 2] += g_r * (0.0 - m0 * m2) - g_i * m1
    out[1, 0] += g_r * (0.0 - m1 * m0) - g_i * m2
    out[1, 1] += g_r * (1.0 - m1 * m1)
    out[1, 2] += g_r * (0.0 - m1 * m2) - g_i * (-m0)
    out[2, 0] += g_r * (0.0 - m2 * m0) - g_i * (-m1)
    out[2, 1] += g_r * (0.0 - m2 * m1) - g_i * m0
    out[2, 2] += g_r * (1.0 - m2 * m2)


@njit(cache=True, error_model="numpy")
def _plane_inverse_one(plane, m, e, w, scale, out, frame):
    """out = the inverse of ``plane`` on the plane normal to m (elimination._plane_inverse: in an orthonormal
    frame e1, e2 of that plane, lifted back); False where its smallest singular value is below _FLOATING times
    ``scale`` (< 0: the projected block's own size), a direction that nothing may fix (left to numpy)."""
    m0, m1, m2 = m[e, 0, w], m[e, 1, w], m[e, 2, w]
    index = 0
    if abs(m1) < abs(m0):
        index = 1
    if abs(m2) < abs(m0 if index == 0 else m1):
        index = 2
    a0 = 1.0 if index == 0 else 0.0
    a1 = 1.0 if index == 1 else 0.0
    a2 = 1.0 if index == 2 else 0.0
    f0, f1, f2 = m1 * a2 - m2 * a1, m2 * a0 - m0 * a2, m0 * a1 - m1 * a0  # m x a
    length = math.sqrt(f0 * f0 + f1 * f1 + f2 * f2)
    frame[0, 0], frame[0, 1], frame[0, 2] = f0 / length, f1 / length, f2 / length
    e0, e1_, e2_ = frame[0, 0], frame[0, 1], frame[0, 2]
    frame[1, 0], frame[1, 1], frame[1, 2] = m1 * e2_ - m2 * e1_, m2 * e0 - m0 * e2_, m0 * e1_ - m1 * e0  # m x e1
    a = b = c = d = 0.0  # A = E^T plane E, E = (e1, e2)
    for r in range(3):
        image_1 = plane[r, 0] * frame[0, 0] + plane[r, 1] * frame[0, 1] + plane[r, 2] * frame[0, 2]
        image_2 = plane[r, 0] * frame[1, 0] + plane[r, 1] * frame[1, 1] + plane[r, 2] * frame[1, 2]
        a += frame[0, r] * image_1
        b += frame[0, r] * image_2
        c += frame[1, r] * image_1
        d += frame[1, r] * image_2
    determinant = a * d - b * c
    size = math.sqrt(a * a + b * b + c * c + d * d)
    if scale < 0.0:
        scale = size
    largest = math.sqrt(0.5 * (size**2 + math.sqrt(max(size**4 - 4.0 * determinant**2, 0.0))))
    if not abs(determinant) > _FLOATING * scale * largest:
        return False
    inverse00, inverse01, inverse10, inverse11 = d / determinant, -b / determinant, -c / determinant, a / determinant
    for r in range(3):
        for q in range(3):
            out[r, q] = (inverse00 * (frame[0, r] * frame[0, q]) + inverse01 * (frame[0, r] * frame[1, q])
                         + inverse10 * (frame[1, r] * frame[0, q]) + inverse11 * (frame[1, r] * frame[1, q]))
    return True


@njit(cache=True, error_model="numpy")
def _link_values_one(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, carry, partial, x, mats, vecs,
                 frame):
    """:func:`_link_values` one configuration at a time, the same arithmetic in the same order (bit-identical
    values): for a few configurations, where the vectorised steps' fixed cost per loop would dominate."""
    n_nodes = dims.shape[0]
    load, block, inverse, axial, across, pending, plane, coupling = (mats[0], mats[1], mats[2], mats[3], mats[4],
                                                                     mats[5], mats[6], mats[7])
    pushed, pending_pushed, rhs, src, direction, offset_a, row = vecs[0], vecs[1], vecs[2], vecs[3], vecs[4], vecs[5], vecs[6]
    for w in range(width):
        previous = -1
        has_pending = False
        pending_along = 0.0
        pending_has_along = False
        failed = False
        for i in range(n_nodes):
            n = dims[i]
            if n == 0:
                continue
            a = axes[i]
            before, after = i, i + 1
            along = 0.0
            has_along = False
            for r in range(3):
                pushed[r] = 0.0
                for q in range(3):
                    load[r, q] = 0.0
            if kinds[before] == LINK:  # just right of a link: the load it passes on
                if has_pending:
                    for r in range(3):
                        pushed[r] = pending_pushed[r]
                        for q in range(3):
                            load[r, q] = pending[r, q]
                    along, has_along = pending_along, pending_has_along
                    has_pending = False
                else:  # elimination._grounded: its left face is a reservoir, c = G_I coth delta to ground
                    c = links[before, _GROUNDED, w]
                    along, has_along = c, True
                    if link_axis[before] < 0:  # N/N: all three components
                        for r in range(3):
                            load[r, r] = c
                    elif n == 1:  # on the F's rail: the link's own m
                        load[0, 0] = c
                        pushed[0] = links[before, _GAMMA, w]
                    else:
                        failed = True
            else:  # the plain Schur step: -E^T K_bb E of the part before, minus the coupling times the carry
                for r in range(n):
                    load[r, r] = -K[before, 3, w]
                if n == 1:
                    pushed[0] = m[a, 0, w] * source[before, 0, w] + m[a, 1, w] * source[before, 1, w] + \
                        m[a, 2, w] * source[before, 2, w]
                else:
                    for r in range(3):
                        pushed[r] = source[before, r, w]
                if previous >= 0:
                    q = dims[previous]
                    p_axis = axes[previous]
                    kba = K[before, 2, w]
                    if n == 1 and q == 1:
                        coupling[0, 0] = -kba if a == p_axis else -(kba * (m[a, 0, w] * m[p_axis, 0, w] + m[a, 1, w]
                                                                           * m[p_axis, 1, w] + m[a, 2, w] * m[p_axis, 2, w]))
                    elif n == 1:
                        for j in range(3):
                            coupling[0, j] = -(kba * m[a, j, w])
                    elif q == 1:
                        for r in range(3):
                            coupling[r, 0] = -(kba * m[p_axis, r, w])
                    else:
                        for r in range(3):
                            for j in range(3):
                                coupling[r, j] = -kba if r == j else 0.0
                    for r in range(n):
                        for j in range(n):
                            total = 0.0
                            for t in range(q):
                                total += coupling[r, t] * carry[previous, t, j]
                            load[r, j] = load[r, j] - total
                        total = 0.0
                        for t in range(q):
                            total += coupling[r, t] * partial[previous, t]
                        pushed[r] = pushed[r] - total
            following_active = i + 1 < n_nodes and dims[i + 1] > 0
            if kinds[after] == LINK:  # elimination._through_interface: node i eliminated in resistance form
                s, resistance, shunt = links[after, _S, w], links[after, _R, w], links[after, _SHUNT, w]
                if link_axis[after] < 0:  # N/N: node i free, the channel carries all three components
                    size = 0.0
                    for r in range(3):
                        load[r, r] += shunt  # H = load + shunt 1
                        for q in range(3):
                            size = max(size, abs(load[r, q]))
                    r3 = min(resistance, 1e280 / (1.0 + size))
                    scale = 0.0
                    for r in range(3):
                        for q in range(3):
                            block[r, q] = (1.0 if r == q else 0.0) + r3 * load[r, q]
                            scale = max(scale, abs(block[r, q]))
                    if scale == 0.0:
                        scale = 1.0
                    for r in range(3):
                        for q in range(3):
                            block[r, q] = block[r, q] / scale
                    invert3(block, inverse)  # the weight (1 + r H)^-1, scaled first (elimination._inverse3)
                    for r in range(3):
                        for q in range(3):
                            inverse[r, q] = inverse[r, q] / scale
                    for r in range(3):
                        partial[i, r] = inverse[r, 0] * (r3 * pushed[0]) + inverse[r, 1] * (r3 * pushed[1]) + \
                            inverse[r, 2] * (r3 * pushed[2])
                    if following_active:
                        for r in range(3):
                            for q in range(3):
                                carry[i, r, q] = -inverse[r, q]
                                pending[r, q] = inverse[r, 0] * load[0, q] + inverse[r, 1] * load[1, q] + \
                                    inverse[r, 2] * load[2, q] + (shunt if r == q else 0.0)
                            pending_pushed[r] = inverse[r, 0] * pushed[0] + inverse[r, 1] * pushed[1] + \
                                inverse[r, 2] * pushed[2]
                        pending_has_along = False
                        has_pending = True
                else:
                    gamma = links[after, _GAMMA, w]
                    e = after  # the link's m
                    if n == 3:  # a free node: the components normal to m first (with the N side's sink there)
                        scale = 0.0
                        for r in range(3):
                            for q in range(3):
                                scale = max(scale, abs(load[r, q]))
                        # Q load Q, Q = 1 - m m^T, as (Q load) Q
                        for r in range(3):
                            for q in range(3):
                                total = 0.0
                                for t in range(3):
                                    total += ((1.0 if r == t else 0.0) - m[e, r, w] * m[e, t, w]) * load[t, q]
                                axial[r, q] = total
                        for r in range(3):
                            for q in range(3):
                                total = 0.0
                                for t in range(3):
                                    total += axial[r, t] * ((1.0 if t == q else 0.0) - m[e, t, w] * m[e, q, w])
                                plane[r, q] = total
                        if sides[after] == 1:
                            for r in range(3):
                                for q in range(3):
                                    across[r, q] = 0.0
                            _mixing_into(across, m, e, w, links[after, _G_R, w], links[after, _G_I, w])
                            for r in range(3):
                                for q in range(3):
                                    plane[r, q] += across[r, q]
                                    scale = max(scale, abs(across[r, q]))
                        if not _plane_inverse_one(plane, m, e, w, scale, inverse, frame):
                            failed = True
                        # h = m.Ym - (mY inverse) Ym, rho = m.R - (mY inverse) R; direction = m - inverse Ym
                        for r in range(3):
                            src[r] = load[r, 0] * m[e, 0, w] + load[r, 1] * m[e, 1, w] + load[r, 2] * m[e, 2, w]  # Ym
                            rhs[r] = m[e, 0, w] * load[0, r] + m[e, 1, w] * load[1, r] + m[e, 2, w] * load[2, r]  # mY
                        for r in range(3):
                            row[r] = rhs[0] * inverse[0, r] + rhs[1] * inverse[1, r] + rhs[2] * inverse[2, r]
                        h = (rhs[0] * m[e, 0, w] + rhs[1] * m[e, 1, w] + rhs[2] * m[e, 2, w]) - \
                            (row[0] * src[0] + row[1] * src[1] + row[2] * src[2])
                        rho = (m[e, 0, w] * pushed[0] + m[e, 1, w] * pushed[1] + m[e, 2, w] * pushed[2]) - \
                            (row[0] * pushed[0] + row[1] * pushed[1] + row[2] * pushed[2])
                        for r in range(3):
                            direction[r] = m[e, r, w] - (inverse[r, 0] * src[0] + inverse[r, 1] * src[1]
                                                         + inverse[r, 2] * src[2])
                            offset_a[r] = inverse[r, 0] * pushed[0] + inverse[r, 1] * pushed[1] + inverse[r, 2] * pushed[2]
                    else:  # on the rail of the F on its left (the link's own m)
                        h, rho = load[0, 0], pushed[0]
                        direction[0] = 1.0
                        offset_a[0] = 0.0
                    relative = rho - gamma
                    H = h + shunt
                    weight = 1.0 / (1.0 + resistance * H)
                    offset = relative / (s + H)
                    for r in range(n):
                        partial[i, r] = direction[r] * offset + offset_a[r]
                    if following_active:
                        along_b = H * weight + shunt
                        pushed_b = relative * weight + gamma
                        for r in range(3):
                            pending_pushed[r] = 0.0
                            for q in range(3):
                                pending[r, q] = 0.0
                        if dims[i + 1] == 1:
                            b = axes[i + 1]
                            c = 1.0 if b == link_axis[after] else (m[b, 0, w] * m[e, 0, w] + m[b, 1, w] * m[e, 1, w]
                                                                  + m[b, 2, w] * m[e, 2, w])
                            for r in range(n):
                                carry[i, r, 0] = -(direction[r] * (weight * c))
                            pending[0, 0] = along_b * c * c
                            pending_pushed[0] = pushed_b * c
                        else:
                            for r in range(n):
                                for q in range(3):
                                    carry[i, r, q] = -(direction[r] * weight) * m[e, q, w]
                            for r in range(3):
                                pending_pushed[r] = pushed_b * m[e, r, w]
                                for q in range(3):
                                    pending[r, q] = along_b * (m[e, r, w] * m[e, q, w])
                            if sides[after] == 2:
                                _mixing_into(pending, m, e, w, links[after, _G_R, w], links[after, _G_I, w])
                        pending_along = along_b
                        pending_has_along = True
                        has_pending = True
                previous = i
                continue
            # the block at node i: the next part's own stiffness plus the load
            kaa = K[after, 0, w]
            split = False
            has_inverse = False
            if kinds[before] == LINK and n == 3:  # elimination._block_inverse
                if link_axis[before] < 0:
                    if has_along:  # a grounded N/N channel: isotropic
                        for r in range(3):
                            for q in range(3):
                                inverse[r, q] = 1.0 / (along + kaa) if r == q else 0.0
                        has_inverse = True
                else:
                    e = before
                    for r in range(3):
                        for q in range(3):
                            outer = m[e, r, w] * m[e, q, w]
                            plane[r, q] = kaa * ((1.0 if r == q else 0.0) - outer)
                            axial[r, q] = outer / (along + kaa)
                    if sides[before] == 2:
                        _mixing_into(plane, m, e, w, links[before, _G_R, w], links[before, _G_I, w])
                    if not _plane_inverse_one(plane, m, e, w, -1.0, across, frame):
                        failed = True
                    for r in range(3):
                        for q in range(3):
                            inverse[r, q] = axial[r, q] + across[r, q]
                    has_inverse = True
                    split = True
            if not has_inverse:
                for r in range(3):
                    for q in range(3):
                        block[r, q] = 0.0
                for r in range(n):
                    for q in range(n):
                        block[r, q] = load[r, q] + (kaa if r == q else 0.0)
                if n == 1:
                    inverse[0, 0] = 1.0 / block[0, 0]
                else:
                    invert3(block, inverse)
            if n == 1:
                src[0] = m[a, 0, w] * source[after, 0, w] + m[a, 1, w] * source[after, 1, w] + \
                    m[a, 2, w] * source[after, 2, w]
            else:
                for r in range(3):
                    src[r] = source[after, r, w]
            for r in range(n):
                rhs[r] = pushed[r] - src[r]
            if split:  # behind a magnetic link the pushed rhs is along m, where the plane part is 0: not applied
                for r in range(3):
                    partial[i, r] = (axial[r, 0] * rhs[0] + axial[r, 1] * rhs[1] + axial[r, 2] * rhs[2]) - \
                        (across[r, 0] * src[0] + across[r, 1] * src[1] + across[r, 2] * src[2])
            else:
                for r in range(n):
                    total = 0.0
                    for q in range(n):
                        total += inverse[r, q] * rhs[q]
                    partial[i, r] = total
            if following_active:
                s_dim = dims[i + 1]
                n_axis = axes[i + 1]
                kab = K[after, 1, w]
                # upper A_{i, i+1} = E_i^T K_ab E_{i+1}: (n x s_dim)
                if n == 1 and s_dim == 1:
                    coupling[0, 0] = kab if a == n_axis else kab * (m[a, 0, w] * m[n_axis, 0, w] + m[a, 1, w]
                                                                    * m[n_axis, 1, w] + m[a, 2, w] * m[n_axis, 2, w])
                elif n == 1:
                    for j in range(3):
                        coupling[0, j] = kab * m[a, j, w]
                elif s_dim == 1:
                    for r in range(3):
                        coupling[r, 0] = kab * m[n_axis, r, w]
                else:
                    for r in range(3):
                        for j in range(3):
                            coupling[r, j] = kab if r == j else 0.0
                for r in range(n):
                    for j in range(s_dim):
                        total = 0.0
                        for t in range(n):
                            total += inverse[r, t] * coupling[t, j]
                        carry[i, r, j] = total
            previous = i
        # back substitution and node values
        later = -1
        for k in range(n_nodes - 1, -1, -1):
            n = dims[k]
            if n == 0:
                continue
            for r in range(n):
                value = partial[k, r]
                if later >= 0:
                    total = 0.0
                    for t in range(dims[later]):
                        total += carry[k, r, t] * x[later, t]
                    value = value - total
                x[k, r] = value
            if failed:
                for r in range(3):
                    mu[k, r, w] = math.nan
            elif n == 1:
                a = axes[k]
                for r in range(3):
                    mu[k, r, w] = x[k, 0] * m[a, r, w]
            else:
                for r in range(3):
                    mu[k, r, w] = x[k, r]
            later = k


@njit(cache=True, error_model="numpy")
def _torques(width, faces, e, m, source, K, mu, torque):
    """torque (3, width): the transverse spin deposited at the two faces of the F layer in row ``e``, by the torque
    rule of :func:`.system.torque_faces` (``faces`` (E, 8): per row, for its left and right user node, whether the
    node counts (not beside a reservoir), whether it is on the layer's own m (the layer's own face, which carries
    spin along m only, is left out: the neighbour's face stands for the deposit), whether the neighbour's term
    K mu_node is dropped there (mu_node along m, K scalar), and the bulk part beyond the node (across a link
    there: what the link absorbs is deposited on the layer))."""
    n_nodes = K.shape[0] - 1
    for c in range(3):
        for w in range(width):
            torque[c, w] = 0.0
    for side in range(2):
        if not faces[e, side]:
            continue
        own = faces[e, 2 + side] != 0
        drop = faces[e, 4 + side] != 0
        # the deposit at the node: face b of the part arriving at it minus face a of the part leaving it
        arrive, leave = (faces[e, 6], e) if side == 0 else (e, faces[e, 7])
        if not (own and side == 1):  # + face b of ``arrive``: s + K_ba mu_{arrive-1} + K_bb mu_arrive
            for c in range(3):
                for w in range(width):
                    torque[c, w] += source[arrive, c, w]
            if arrive > 0:
                for c in range(3):
                    for w in range(width):
                        torque[c, w] += K[arrive, 2, w] * mu[arrive - 1, c, w]
            if not drop:
                for c in range(3):
                    for w in range(width):
                        torque[c, w] += K[arrive, 3, w] * mu[arrive, c, w]
        if not (own and side == 0):  # - face a of ``leave``: s + K_aa mu_{leave-1} + K_ab mu_leave
            for c in range(3):
                for w in range(width):
                    torque[c, w] -= source[leave, c, w]
            if not drop:
                for c in range(3):
                    for w in range(width):
                        torque[c, w] -= K[leave, 0, w] * mu[leave - 1, c, w]
            if leave < n_nodes:
                for c in range(3):
                    for w in range(width):
                        torque[c, w] -= K[leave, 1, w] * mu[leave, c, w]
    for w in range(width):
        along = m[e, 0, w] * torque[0, w] + m[e, 1, w] * torque[1, w] + m[e, 2, w] * torque[2, w]
        for c in range(3):
            torque[c, w] = torque[c, w] - along * m[e, c, w]


@njit(cache=True, error_model="numpy")
def _efficiencies(start, width, m, e1, e2, t1, t2, degenerate_sine, basis, g1, g2, g1_field, g2_field, sine_out,
                  cosine_out, degenerate):
    """g1, g2, g1_field, g2_field, sin theta, cos theta from the torque vectors t1, t2 projected on the basis
    vectors of seed eq. (1) (the precision of the vector route: eps / theta).  ``basis`` (10, width) holds
    m1 x m2, m1 x (m2 x m1), m2 x (m1 x m2) and |m1 x m2|^2 (1 where it is 0) between the loops; each loop
    writes few arrays, so that the compiler vectorises it."""
    for w in range(width):
        m10, m11, m12 = m[e1, 0, w], m[e1, 1, w], m[e1, 2, w]
        m20, m21, m22 = m[e2, 0, w], m[e2, 1, w], m[e2, 2, w]
        f0 = m11 * m22 - m12 * m21
        f1 = m12 * m20 - m10 * m22
        f2 = m10 * m21 - m11 * m20  # m1 x m2
        h0 = m21 * m12 - m22 * m11
        h1 = m22 * m10 - m20 * m12
        h2 = m20 * m11 - m21 * m10  # m2 x m1
        basis[0, w], basis[1, w], basis[2, w] = f0, f1, f2
        basis[3, w] = m11 * h2 - m12 * h1
        basis[4, w] = m12 * h0 - m10 * h2
        basis[5, w] = m10 * h1 - m11 * h0  # m1 x (m2 x m1)
        basis[6, w] = m21 * f2 - m22 * f1
        basis[7, w] = m22 * f0 - m20 * f2
        basis[8, w] = m20 * f1 - m21 * f0  # m2 x (m1 x m2)
        norm = f0 * f0 + f1 * f1 + f2 * f2
        basis[9, w] = norm if norm > 0.0 else 1.0
    for w in range(width):
        cosine_out[start + w] = m[e1, 0, w] * m[e2, 0, w] + m[e1, 1, w] * m[e2, 1, w] + m[e1, 2, w] * m[e2, 2, w]
    for w in range(width):
        sine_out[start + w] = math.sqrt(basis[0, w] * basis[0, w] + basis[1, w] * basis[1, w] + basis[2, w] * basis[2, w])
    for w in range(width):
        degenerate[start + w] = sine_out[start + w] < degenerate_sine
    for w in range(width):
        g1[start + w] = -(t1[0, w] * basis[3, w] + t1[1, w] * basis[4, w] + t1[2, w] * basis[5, w]) / basis[9, w]
    for w in range(width):
        g2[start + w] = (t2[0, w] * basis[6, w] + t2[1, w] * basis[7, w] + t2[2, w] * basis[8, w]) / basis[9, w]
    for w in range(width):
        g1_field[start + w] = -(t1[0, w] * basis[0, w] + t1[1, w] * basis[1, w] + t1[2, w] * basis[2, w]) / basis[9, w]
    for w in range(width):
        g2_field[start + w] = -(t2[0, w] * basis[0, w] + t2[1, w] * basis[1, w] + t2[2, w] * basis[2, w]) / basis[9, w]


@njit(cache=True, error_model="numpy")
def _spin_resistance(start, width, kinds, mrows, const, rows, vary, m, mu, links, link_axis, out):
    """The spin part of r per unit current (MODEL.md 4): (p/2) m.(mu_b - mu_a) per F layer, (p/2) m.mu_0 for
    an F lead on the left, -(p/2) m.mu_L for one on the right, -(gamma/2) m.(mu^- - mu^+) per magnetic link
    (MODEL.md 3b)."""
    for w in range(width):
        out[start + w] = 0.0
    for e in range(kinds.shape[0]):
        if kinds[e] == LINK:
            if link_axis[e] >= 0:
                for w in range(width):
                    jump = (m[e, 0, w] * (mu[e - 1, 0, w] - mu[e, 0, w]) + m[e, 1, w] * (mu[e - 1, 1, w] - mu[e, 1, w])
                            + m[e, 2, w] * (mu[e - 1, 2, w] - mu[e, 2, w]))
                    out[start + w] += -0.5 * links[e, _GAMMA, w] * jump
            continue
        if mrows[e] == -2 or kinds[e] == RESERVOIR:
            continue
        for w in range(width):
            b = start + w
            p = const[e, 2] if rows[e, 2] < 0 else vary[rows[e, 2], b]
            if kinds[e] == LAYER:
                jump = (m[e, 0, w] * (mu[e, 0, w] - mu[e - 1, 0, w]) + m[e, 1, w] * (mu[e, 1, w] - mu[e - 1, 1, w])
                        + m[e, 2, w] * (mu[e, 2, w] - mu[e - 1, 2, w]))
            elif kinds[e] == LEFT_LEAD:
                jump = m[e, 0, w] * mu[0, 0, w] + m[e, 1, w] * mu[0, 1, w] + m[e, 2, w] * mu[0, 2, w]
            else:
                jump = -(m[e, 0, w] * mu[e - 1, 0, w] + m[e, 1, w] * mu[e - 1, 1, w] + m[e, 2, w] * mu[e - 1, 2, w])
            out[b] += 0.5 * p * jump


_BLOCK = 256  # configurations per step (fewer: more overhead per step; more: the work arrays leave the caches)
# with links: below this many configurations in a block the elimination runs one configuration at a time (the
# vectorised steps cost ~10 ns per loop whatever their length: ~6 us per block of a 4-layer stack)
_VECTOR_FROM = 16


# columns of the kernel's integer table (one row per element; the node columns hold node e, the last row unused)
KIND, NODE_DIM, NODE_AXIS, M_ROW, STIFFNESS_ROW, COUPLING_ROW, P_ROW, VARIES, TURNED = range(9)
# and of a layer's torque rule (:func:`.system.torque_faces`), left then right node: counted, own, drop, and the
# bulk part beyond the node (BEYOND, 2 columns: the neighbour, across a link there)
FACES, BEYOND = 9, 15
# of a link: the row of the F whose m it carries (-1 at N/N), the face of the N side's mixing sink (0 none, 1 a,
# 2 b); row i: the chain row of layer i (LAYER_ROW); a link's values' rows of ``vary`` (LINK_ROW, 7 columns)
LINK_AXIS, SIDE, LAYER_ROW, LINK_ROW = 17, 18, 19, 20
N_STRUCTURE = LINK_ROW + 7
# columns of its float table: constant stiffness (Gc, or a lead's G), coupling Gs, p, m, sign of m, the constant
# source s (3 columns: the spin Hall source under the field drive, else 0) and a link's constant values (LINK, 7
# columns: s, 1/s, c - s, c, gamma, g_r, g_i)
STIFFNESS, COUPLING, P, M, SIGN, SOURCE, LINK_VALUES = 0, 1, 2, 3, 6, 7, 10
N_CONSTANTS = LINK_VALUES + 7


@njit(cache=True, error_model="numpy")
def _chain_range(start, stop, structure, constants, vary, mvary, plane, angles, degrees, first, second, degenerate_sine,
                 g1, g2, g1_field, g2_field, sine, cosine, degenerate, torques, accumulation, spin_resistance):
    """Configurations start .. stop of :func:`_chain_serial`."""
    kinds, mrows, varies, turned = structure[:, KIND], structure[:, M_ROW], structure[:, VARIES], structure[:, TURNED]
    dims, axes = structure[:-1, NODE_DIM], structure[:-1, NODE_AXIS]
    faces = structure[:, FACES:BEYOND + 2]
    rows = structure[:, STIFFNESS_ROW:P_ROW + 1]
    link_axis, sides, layer_rows = structure[:, LINK_AXIS], structure[:, SIDE], structure[:, LAYER_ROW]
    lrows = structure[:, LINK_ROW:LINK_ROW + 7]
    const, mconst, signs = constants[:, STIFFNESS:P + 1], constants[:, M:M + 3], constants[:, SIGN]
    sources = constants[:, SOURCE:SOURCE + 3]
    lconst = constants[:, LINK_VALUES:LINK_VALUES + 7]
    n_elements = kinds.shape[0]
    n_nodes = n_elements - 1
    n_layers = 0
    linked = False
    for e in range(n_elements):
        if kinds[e] == LAYER:
            n_layers += 1
        elif kinds[e] == LINK:
            linked = True
    # block arrays, configurations last (each step's inner loop runs over them); no wider than the range
    block = max(1, min(_BLOCK, stop - start))
    m = np.zeros((n_elements, 3, block))
    source = np.zeros((n_elements, 3, block))
    K = np.zeros((n_elements, 4, block))  # K_aa, K_ab, K_ba, K_bb
    links = np.zeros((n_elements if linked else 0, 7, block))
    mu = np.zeros((n_nodes, 3, block))
    torque = np.zeros((n_elements, 3, block))
    rails = not linked  # every active node on a rail: the scalar system
    for k in range(n_nodes):
        if dims[k] == 3:
            rails = False
    turning = False
    for e in range(n_elements):
        if turned[e]:
            turning = True
    # work arrays, each of length 0 where its step does not run (a single configuration's call allocates ~15)
    cosines, sines = np.zeros(block if turning else 0), np.zeros(block if turning else 0)
    basis = np.zeros((10, block if g1.shape[0] > 0 else 0))  # the efficiencies' basis vectors
    # elimination work: per configuration at free nodes (and with links in blocks under _VECTOR_FROM), per block on
    # rails and with links
    carry, partial, x = np.zeros((n_nodes, 3, 3)), np.zeros((n_nodes, 3)), np.zeros((n_nodes, 3))
    on_rails = n_nodes if rails else 0
    rail_carry, rail_partial, rail_x = np.zeros((on_rails, block)), np.zeros((on_rails, block)), np.zeros((on_rails, block))
    vectorised = linked and stop - start >= _VECTOR_FROM
    link_nodes = n_nodes if vectorised else 0
    link_carry, link_partial, link_x = (np.zeros((link_nodes, 3, 3, block)), np.zeros((link_nodes, 3, block)),
                                        np.zeros((link_nodes, 3, block)))
    mats, vecs, scalars = (np.zeros((8 if vectorised else 0, 3, 3, block)), np.zeros((7 if vectorised else 0, 3, block)),
                           np.zeros((7 if vectorised else 0, block)))
    one_mats, one_vecs, frame = np.zeros((8 if linked else 0, 3, 3)), np.zeros((7 if linked else 0, 3)), np.zeros((2, 3))
    first_row = layer_rows[first] if first >= 0 else -1
    second_row = layer_rows[second] if second >= 0 else -1
    for begin in range(start, stop, block):
        width = min(stop, begin + block) - begin
        _two_ports(begin, width, begin == start, kinds, varies, const, rows, vary, mconst, mrows, signs, mvary, sources, m,
                   source, K)
        if turning:
            _turn(begin, width, turned, signs, plane, angles, degrees, const, rows, vary, m, source, cosines, sines)
        if linked:
            _link_parts(begin, width, begin == start, kinds, link_axis, lconst, lrows, vary, m, source, links)
            if width < _VECTOR_FROM:
                _link_values_one(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, carry, partial, x,
                                 one_mats, one_vecs, frame)
            else:
                _link_values(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, link_carry,
                             link_partial, link_x, mats, vecs, scalars, np.int64(0), dims.shape[0], np.int64(0))
        elif rails:
            _rail_values(width, dims, axes, m, source, K, mu, rail_carry, rail_partial, rail_x)
        else:
            _node_values(width, dims, axes, m, source, K, mu, carry, partial, x)
        if torques.shape[0] > 0:
            for layer in range(n_layers):
                e = layer_rows[layer]
                if mrows[e] != -2:
                    _torques(width, faces, e, m, source, K, mu, torque[e])
                for w in range(width):
                    for c in range(3):
                        torques[begin + w, layer, c] = torque[e, c, w]  # (stays 0 for N layers)
        if g1.shape[0] > 0:
            if torques.shape[0] == 0:
                _torques(width, faces, first_row, m, source, K, mu, torque[first_row])
                _torques(width, faces, second_row, m, source, K, mu, torque[second_row])
            _efficiencies(begin, width, m, first_row, second_row, torque[first_row], torque[second_row],
                          degenerate_sine, basis, g1, g2, g1_field, g2_field, sine, cosine, degenerate)
        if accumulation.shape[0] > 0:
            for w in range(width):
                for k in range(n_nodes):
                    for c in range(3):
                        accumulation[begin + w, k, c] = mu[k, c, w]
        if spin_resistance.shape[0] > 0:
            _spin_resistance(begin, width, kinds, mrows, const, rows, vary, m, mu, links, link_axis, spin_resistance)


@njit(cache=True, error_model="numpy")
def _chain_serial(size, structure, constants, vary, mvary, plane, angles, degrees, first, second, degenerate_sine,
                  g1, g2, g1_field, g2_field, sine, cosine, degenerate, torques, accumulation, spin_resistance):
    """The chain kernel on the calling thread.

    Inputs: ``structure`` (P, N_STRUCTURE) int64 and ``constants`` (P, N_CONSTANTS) float, the tables of
    :class:`Table` (one row per part of the chain: ends, layers, links); ``vary`` (rows, size) the parameters
    that vary over the batch; ``mvary`` (size, rows, 3) the magnetizations that do; ``plane`` (2, 3) and
    ``angles`` (size,) (degrees if ``degrees``) the rotation of the turned elements; ``first``, ``second`` the
    F layers (layer indices) of the efficiencies, ``degenerate_sine`` where they are 0/0.  Outputs (each
    skipped when of length 0): g1, g2, g1_field, g2_field, sine, cosine, degenerate (size,); torques (size,
    L, 3); accumulation (size, P - 1, 3): mu at every chain node (L + 1 user nodes without links; with them
    :attr:`Table.left_node` and :attr:`Table.right_node` pick mu^- and mu^+); spin_resistance (size,).  (Flat
    arrays: a call costs ~0.1 us per argument, a tuple of arrays ten times that.)
    """
    _chain_range(np.int64(0), size, structure, constants, vary, mvary, plane, angles, degrees, first, second,
                 degenerate_sine, g1, g2, g1_field, g2_field, sine, cosine, degenerate, torques, accumulation,
                 spin_resistance)


@njit(cache=True, error_model="numpy")
def _torques_serial(size, structure, constants, vary, mvary, torques):
    """:func:`_chain_serial` for the torques alone, by magnetizations (a call costs ~0.1 us per argument: a
    prepared stack's single torque evaluation passes six, not twenty-one)."""
    empty = np.empty(0)
    none = np.int64(-1)
    _chain_range(np.int64(0), size, structure, constants, vary, mvary, np.zeros((2, 3)), empty, np.bool_(True), none,
                 none, 0.0, empty, empty, empty, empty, empty, empty, np.empty(0, dtype=np.bool_), torques,
                 np.empty((0, 1, 3)), empty)


@njit(cache=True, parallel=True, error_model="numpy")
def _chain_parallel(size, structure, constants, vary, mvary, plane, angles, degrees, first, second, degenerate_sine,
                    g1, g2, g1_field, g2_field, sine, cosine, degenerate, torques, accumulation, spin_resistance):
    """:func:`_chain_serial` in a parallel loop over chunks of :data:`_CHUNK` configurations."""
    n_chunks = (size + _CHUNK - 1) // _CHUNK
    for chunk in prange(n_chunks):
        _chain_range(chunk * _CHUNK, min(size, (chunk + 1) * _CHUNK), structure, constants, vary, mvary, plane, angles,
                     degrees, first, second, degenerate_sine, g1, g2, g1_field, g2_field, sine, cosine, degenerate,
                     torques, accumulation, spin_resistance)


# ------------------------------------------------------------------ the torques on the free layers alone
# The macrospin loop (spinstack.macrospin.compiled) asks, at every stage, for the torques on its free layers at new
# free magnetizations, nothing else changed.  The forward elimination of the nodes before the first one whose step
# reads a free m (the fixed layers, their links, the left end: :func:`free_plan`) gives the same numbers every time:
# it runs once (:func:`_free_prepare`).  Each evaluation (:func:`_free_torques`) sets the free elements' m and
# sources, eliminates from that node on, substitutes back down to the lowest node the free layers' torques read,
# and forms those torques alone: the same arithmetic as the whole solve by :func:`_link_values`, step for step.
# Every configuration is its own column of one arithmetic whatever the width (no switch to a one-at-a-time path),
# so its torques do not depend on the block it is solved in.

@njit(cache=True, error_model="numpy")
def _free_prepare(width, structure, constants, fixed_m, begin_node):  # pragma: no cover - compiled
    """The work arrays of :func:`_free_torques` for blocks of up to ``width`` configurations of one stack (``vary``
    empty), every F layer at ``fixed_m`` (n_F, 3), with the elimination of nodes 0 .. begin_node - 1 done (the same
    in every column) and its hand-over kept: (m, source, K, links, mu, carry, partial, x, mats, vecs, scalars,
    saved, torque)."""
    kinds, mrows, varies = structure[:, KIND], structure[:, M_ROW], structure[:, VARIES]
    dims, axes = structure[:-1, NODE_DIM], structure[:-1, NODE_AXIS]
    rows = structure[:, STIFFNESS_ROW:P_ROW + 1]
    link_axis, sides = structure[:, LINK_AXIS], structure[:, SIDE]
    lrows = structure[:, LINK_ROW:LINK_ROW + 7]
    const, mconst, signs = constants[:, STIFFNESS:P + 1], constants[:, M:M + 3], constants[:, SIGN]
    sources = constants[:, SOURCE:SOURCE + 3]
    lconst = constants[:, LINK_VALUES:LINK_VALUES + 7]
    n_elements = kinds.shape[0]
    n_nodes = n_elements - 1
    linked = False
    for e in range(n_elements):
        if kinds[e] == LINK:
            linked = True
    vary = np.zeros((0, width))
    mvary = np.empty((width, fixed_m.shape[0], 3))
    for w in range(width):
        for r in range(fixed_m.shape[0]):
            for c in range(3):
                mvary[w, r, c] = fixed_m[r, c]
    m = np.zeros((n_elements, 3, width))
    source = np.zeros((n_elements, 3, width))
    K = np.zeros((n_elements, 4, width))
    links = np.zeros((n_elements if linked else 0, 7, width))
    mu = np.zeros((n_nodes, 3, width))
    carry, partial, x = np.zeros((n_nodes, 3, 3, width)), np.zeros((n_nodes, 3, width)), np.zeros((n_nodes, 3, width))
    mats, vecs, scalars = np.zeros((8, 3, 3, width)), np.zeros((7, 3, width)), np.zeros((7, width))
    saved = np.zeros((14, width))
    torque = np.zeros((3, width))
    everything = np.bool_(True)
    _two_ports(np.int64(0), width, everything, kinds, varies, const, rows, vary, mconst, mrows, signs, mvary, sources,
               m, source, K)
    if linked:
        _link_parts(np.int64(0), width, everything, kinds, link_axis, lconst, lrows, vary, m, source, links)
    _link_values(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, carry, partial, x, mats, vecs,
                 scalars, np.int64(0), begin_node, n_nodes)
    for w in range(width):
        for r in range(3):
            for q in range(3):
                saved[3 * r + q, w] = mats[5, r, q, w]
            saved[9 + r, w] = vecs[1, r, w]
        saved[12, w] = scalars[1, w]
        saved[13, w] = scalars[2, w]
    return m, source, K, links, mu, carry, partial, x, mats, vecs, scalars, saved, torque


@njit(cache=True, error_model="numpy")
def _free_torques(width, unit, structure, moving, moving_values, free_links, free_elements, begin_node, lowest, work,
                  torques):  # pragma: no cover - compiled
    """torques[:width] (width, n_free, 3): the torque per unit current on each free layer (chain row
    free_elements[i]) for the free magnetizations unit[:width] (width, n_free, 3), in the work arrays of
    :func:`_free_prepare`.  ``moving`` (k, 2): the rows whose m is free i's (element row, i), with ``moving_values``
    (k, 5): the sign of m there (an F lead that follows), p, and the constant source; ``free_links``: the links on
    their rails (see :func:`free_plan`)."""
    m, source, K, links, mu, carry, partial, x, mats, vecs, scalars, saved, torque = work
    kinds = structure[:, KIND]
    dims, axes = structure[:-1, NODE_DIM], structure[:-1, NODE_AXIS]
    link_axis, sides = structure[:, LINK_AXIS], structure[:, SIDE]
    faces = structure[:, FACES:BEYOND + 2]
    n_nodes = dims.shape[0]
    # m and the source p m + s of the free elements (as _two_ports), then of the links on their rails (_link_parts)
    for k in range(moving.shape[0]):
        e, i = moving[k, 0], moving[k, 1]
        sign, p = moving_values[k, 0], moving_values[k, 1]
        for c in range(3):
            constant = moving_values[k, 2 + c]
            for w in range(width):
                m[e, c, w] = sign * unit[w, i, c]
                source[e, c, w] = p * m[e, c, w] + constant
    for k in range(free_links.shape[0]):
        e = free_links[k]
        a = link_axis[e]
        for c in range(3):
            for w in range(width):
                m[e, c, w] = m[a, c, w]
                source[e, c, w] = links[e, _GAMMA, w] * m[e, c, w]
    # what the fixed part's elimination hands on (later steps overwrite it)
    for r in range(3):
        for q in range(3):
            for w in range(width):
                mats[5, r, q, w] = saved[3 * r + q, w]
        for w in range(width):
            vecs[1, r, w] = saved[9 + r, w]
    for w in range(width):
        scalars[1, w] = saved[12, w]
        scalars[2, w] = saved[13, w]
    _link_values(width, dims, axes, kinds, link_axis, sides, m, source, K, links, mu, carry, partial, x, mats, vecs,
                 scalars, begin_node, n_nodes, lowest)
    for i in range(free_elements.shape[0]):
        _torques(width, faces, free_elements[i], m, source, K, mu, torque)
        for c in range(3):
            for w in range(width):
                torques[w, i, c] = torque[c, w]


@njit(cache=True, error_model="numpy")
def _first_bad_direction(m, tolerance):
    """The first row of ``m`` (rows, 3) that is not a unit vector to ``tolerance`` (or not finite), or -1."""
    for i in range(m.shape[0]):
        squared = m[i, 0] * m[i, 0] + m[i, 1] * m[i, 1] + m[i, 2] * m[i, 2]
        if not abs(squared - 1.0) <= 2.0 * tolerance:  # (|m|^2 - 1 = 2 (|m| - 1) to first order; False for NaN)
            return i
    return -1


# ------------------------------------------------------------------ the chain on the Python side
def applies(arrays: StackArrays, drive: str = "current") -> bool:
    """Whether the chain kernel solves ``arrays`` driven by ``drive`` (:func:`refusal` says why not)."""
    return refusal(arrays, drive) is None


def refusal(arrays: StackArrays, drive: str = "current") -> str | None:
    """Why the chain kernel does not solve ``arrays`` driven by ``drive``, or None.

    It takes: numba present, real input, full absorption in every F (no l_J, l_phi), resistive interfaces
    of finite conductances driven by the current (:func:`link_refusal`).  The CPP drive ``"current"`` (per
    unit current) between reservoirs and leads; the in-plane
    field's drive ``"field"`` (MODEL.md 8b) also with open ends (no insulator end: its sink is a 3x3
    matrix), a field and spin Hall sources constant over the batch, and no thin layer beside open ends
    (d / l >= :data:`_THIN`, l < inf: with nothing anchoring the stack the plain elimination loses
    ~eps (l / d)^2 to the cancellation Gc - Gs; the numpy backend's thin steps do not).
    """
    if not AVAILABLE:
        return "numba is not installed"
    if arrays.interfaces and (why := link_refusal(arrays, drive)) is not None:
        return why
    if arrays.coherent:
        return "it assumes full absorption of transverse spin at F faces, and this stack has l_J or l_phi (MODEL.md 8e)"
    if drive == "current" and arrays.boundaries:
        return "its current drive runs between reservoirs and leads, and this stack has an open or insulator end (MODEL.md 8d)"
    if (thin := stiff_layer(arrays)) is not None:
        return (f"it loses ~eps x the stiffness contrast of a thin layer and its neighbours, above {STIFFNESS_CONTRAST:g} "
                f"at layers[{thin}] (the numpy backend's thin steps keep it exact)")
    if drive == "field":
        if arrays.eps is None:
            return "this stack has no in-plane field to drive it"
        if any(b.kind != "open" for b in arrays.boundaries.values()):
            return "its field drive takes open ends, not insulator ends (their sink is a 3x3 matrix)"
        for index, element in enumerate(arrays.elements()):
            if element is None:
                continue
            if element.m is None and np.asarray(spin_hall_source(element, arrays.eps)).size != 3:
                return "its field drive takes a field and spin Hall sources constant over the batch"
            if arrays.boundaries and element.thickness is not None and np.any(element.thickness < _THIN * element.l):
                return (f"beside open ends it takes no layer thinner than {_THIN:g} l (layers[{index - 1}]: its thin "
                        "steps are the numpy backend's)")
    for element in arrays.elements():
        if element is None:
            continue
        values = [element.D, element.l, element.p] + ([] if element.m is None else [element.m]) + \
            ([] if element.thickness is None else [element.thickness])
        if any(np.iscomplexobj(v) for v in values):
            return "it takes real parameters and magnetizations only (not the complex step of the efficiency limits)"
    return None


def link_refusal(arrays: StackArrays, drive: str = "current") -> str | None:
    """Why the chain kernel does not take the resistive interfaces of ``arrays`` (MODEL.md 3b), or None.

    It steps through a link in resistance form as the numpy backend does (exact for any finite g, g_mix),
    and leaves to the numpy backend: the in-plane field's drive; the transparent limits g = inf and g_mix =
    inf (nodes pinned by an infinite conductance); stacks with an l = inf layer or lead (a region without
    relaxation behind g_mix = 0 leaves a direction that nothing fixes, which the numpy backend resolves);
    and a layer beyond a link much stiffer than the load the link passes on to it (the softer of the channel
    along m, min(s, the stiffness before the link) + (c - s), and the N side's sink |g_mix| normal to m),
    above :data:`STIFFNESS_CONTRAST` times that load plus the layer's own sink Gc - Gs: the plain step
    through it then loses ~eps x that contrast, where the numpy backend takes its thin steps.
    """
    if drive != "current":
        return "with resistive interfaces it takes the current drive only (MODEL.md 3b; the field drive is numpy's)"
    elements = arrays.elements()
    if any(e is not None and np.any(np.isinf(e.l)) for e in elements):
        return ("with resistive interfaces it takes no l = inf layer or lead (a direction that nothing relaxes "
                "behind g_mix = 0 is resolved by the numpy backend)")
    for node in sorted(arrays.interfaces):
        interface = arrays.interfaces[node]
        values = [interface.g, interface.gamma, interface.delta] + ([] if interface.mixing is None else [interface.mixing])
        if any(np.iscomplexobj(v) for v in values):
            return "it takes real interface parameters only"
        if not np.all(np.isfinite(interface.g)) or not (interface.mixing is None or np.all(np.isfinite(interface.mixing))):
            return (f"the interface at node {node} has g = inf or g_mix = inf: the transparent limits (a node pinned "
                    "by an infinite conductance) are the numpy backend's")
        before, after = elements[node], elements[node + 1]
        if after is None or after.thickness is None:  # a reservoir or a lead beyond (a lead's G is its own sink)
            continue
        s, _, shunt, grounded = interface_channel(interface)
        stiffness = grounded if before is None else \
            lead_stiffness(before) if before.thickness is None else layer_stiffness(before)[0]
        passed = np.minimum(s, stiffness) + shunt
        if after.m is None and before is not None and before.m is not None:  # F | N: normal to m only the sink
            across = 0.0 if interface.mixing is None else np.hypot(interface.mixing[..., 0], interface.mixing[..., 1])
            passed = np.minimum(passed, across)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.any(layer_stiffness(after)[0] > STIFFNESS_CONTRAST * (passed + layer_sink(after))):
                return (f"it loses ~eps x the contrast of layers[{node}]'s stiffness and the load the interface at node "
                        f"{node} passes on to it, above {STIFFNESS_CONTRAST:g} (the numpy backend's thin steps keep it "
                        "exact)")
    return None


class Table:
    """The parameters of every part of the chain as the kernel reads them, built once per stack.

    ``structure`` (P, N_STRUCTURE) int64 and ``constants`` (P, N_CONSTANTS) float, one row per part of the
    chain: the left end, the layers and the right end (elements 0 .. L + 1), with a LINK row between
    elements k and k + 1 for a resistive interface at node k (MODEL.md 3b); chain node i sits between rows i
    and i + 1.  Columns named by KIND ... LINK_ROW and STIFFNESS ... LINK_VALUES:

    * kind (RESERVOIR, LEFT_LEAD, LAYER, RIGHT_LEAD, LINK); the unknowns of chain node i (0 beside a
      reservoir, 1 on a rail, 3 free) and the row whose m is its rail (the last row's node columns unused);
    * the stiffness (Gc of a layer, G of a lead), the coupling Gs and p: a parameter constant over the
      batch is in ``constants`` (row -1), one that varies has a row of ``vary`` (rows, size);
    * the magnetization: row -2 for none (N, a reservoir, a link), -1 for a constant one
      (``constants[:, M:M+3]``), else a row r of ``mvary`` (size, rows, 3), times the sign column (a lead
      that turns with the F layer it touches); ``TURNED`` rows take m = sign (cos t plane[0] + sin t
      plane[1]) instead;
    * whether the part's two-port varies over the batch;
    * for a layer, the torque rule of :func:`.system.torque_faces` at its two nodes (``FACES``, ``BEYOND``);
    * for a link: the row of the F whose m it carries (its rail; -1 at N/N), the face of the N side's mixing
      sink, and its values s, 1/s, c - s, c, gamma, g_r, g_i (constant or a row of ``vary``);
    * for ``drive="field"`` (MODEL.md 8b): p = 0 and the constant source s of an N element with theta_SH
      (an open end is a lead that takes no spin current: G = 0).

    ``element_rows`` (L + 2,): the row of every element; ``left_node``, ``right_node`` (L + 1,): the chain
    nodes just left and right of every user node (equal without a link there).
    """

    def __init__(self, arrays: StackArrays, drive: str = "current") -> None:
        shape = arrays.batch_shape
        size = int(np.prod(shape, dtype=np.int64))
        elements = _elements(arrays)
        n_elements = len(elements)
        n_layers = n_elements - 2
        has_link = np.array([k in arrays.interfaces for k in range(n_layers + 1)], dtype=bool)
        # row of element e: e plus the links at the nodes before it (node k sits between elements k and k + 1)
        element_rows = np.arange(n_elements) + np.concatenate([[0], np.cumsum(has_link)])
        n = int(element_rows[-1]) + 1
        structure = np.zeros((n, N_STRUCTURE), dtype=np.int64)
        constants = np.zeros((n, N_CONSTANTS))
        structure[:, STIFFNESS_ROW:P_ROW + 1] = -1
        structure[:, LINK_ROW:LINK_ROW + 7] = -1
        structure[:, M_ROW] = -2
        structure[:, LINK_AXIS] = structure[:, NODE_AXIS] = -1
        constants[:, SIGN] = 1.0
        varying: list[np.ndarray] = []
        mvarying: list[np.ndarray] = []

        def store(row: int, column: int, row_column: int, value: object) -> None:
            value = np.asarray(value, dtype=float)
            if value.size == 1:
                constants[row, column] = value.reshape(-1)[0]
            else:
                structure[row, row_column] = len(varying)
                varying.append(np.broadcast_to(value, shape).reshape(-1))

        def magnetic(element: object) -> bool:
            return element is not None and element is not _OPEN and element.m is not None  # type: ignore[attr-defined]

        for index, element in enumerate(elements):
            e = int(element_rows[index])
            if element is None:
                structure[e, KIND] = RESERVOIR
                continue
            structure[e, KIND] = LEFT_LEAD if index == 0 else RIGHT_LEAD if index == n_elements - 1 else LAYER
            if element is _OPEN:
                continue  # no stiffness, no source, no magnetization
            # stiffnesses by the numpy functions on the element's own shape (bit-identical two-ports)
            p = element.p if drive == "current" else 0.0
            if element.thickness is None:
                values = (lead_stiffness(element), 0.0, p)
            else:
                values = (*layer_stiffness(element), p)
            if drive == "field" and element.m is None and np.any(element.theta_SH):
                constants[e, SOURCE:SOURCE + 3] = np.asarray(spin_hall_source(element, arrays.eps)).reshape(3)
            for j, value in enumerate(values):
                store(e, STIFFNESS + j, STIFFNESS_ROW + j, value)
            if element.m is not None:
                m = np.asarray(element.m, dtype=float)
                if m.size == 3:
                    structure[e, M_ROW] = -1
                    constants[e, M:M + 3] = m.reshape(-1)
                else:
                    structure[e, M_ROW] = len(mvarying)
                    mvarying.append(np.broadcast_to(m, shape + (3,)).reshape(-1, 3))
        # links (MODEL.md 3b): the collinear channel's s, 1/s, c - s, c by the numpy function, gamma, the N side's sink
        for node, interface in arrays.interfaces.items():
            e = int(element_rows[node]) + 1
            structure[e, KIND] = LINK
            before, after = elements[node], elements[node + 1]
            magnet = node if magnetic(before) else node + 1 if magnetic(after) else -1
            gamma = np.zeros(()) if magnet < 0 or drive == "field" else interface.gamma
            g_r = g_i = 0.0
            if magnet >= 0:
                structure[e, LINK_AXIS] = element_rows[magnet]
                if interface.mixing is not None and magnetic(before) != magnetic(after):
                    structure[e, SIDE] = 2 if magnetic(before) else 1
                    g_r, g_i = interface.mixing[..., 0], interface.mixing[..., 1]
            for j, value in enumerate((*interface_channel(interface), gamma, g_r, g_i)):
                store(e, LINK_VALUES + j, LINK_ROW + j, value)
        # chain nodes (system._node_basis): pinned beside a reservoir, on the m of the F part beside it (the left
        # one when both are), else free; next to a link the node belongs to the part on its other side
        kind, mrow = structure[:, KIND], structure[:, M_ROW]
        for i in range(n - 1):
            if RESERVOIR in (kind[i], kind[i + 1]):
                continue
            magnet = next((row for row in (i, i + 1) if kind[row] != LINK and mrow[row] != -2), -1)
            structure[i, NODE_DIM] = 3 if magnet < 0 else 1
            structure[i, NODE_AXIS] = magnet
        structure[:n_layers, LAYER_ROW] = element_rows[1:-1]
        self.element_rows = element_rows
        self.left_node = element_rows[:-1].copy()
        self.right_node = self.left_node + has_link
        # the torque rule, as the solver's shared description gives it (rails named by rows)
        codes = {RESERVOIR: system.RESERVOIR, LEFT_LEAD: system.LEAD, RIGHT_LEAD: system.LEAD, LAYER: system.LAYER,
                 LINK: system.LINK}
        part_kind = np.array([codes[int(k)] for k in kind])
        for index, element in enumerate(elements):
            if element is _OPEN:
                part_kind[element_rows[index]] = system.OPEN
        rail = np.where(kind == LINK, structure[:, LINK_AXIS], np.where(mrow != -2, np.arange(n), -1))
        node_rail = np.where(structure[:-1, NODE_DIM] == 1, structure[:-1, NODE_AXIS], -1)
        faces = system.torque_faces(system.Layout(part_kind, rail, np.ones(n, dtype=bool), node_rail, self.left_node,
                                                  self.right_node))
        layer_rows = element_rows[1:-1]
        for column, rows in enumerate((faces.counted, faces.own, faces.drop)):
            structure[layer_rows, FACES + 2 * column:FACES + 2 * column + 2] = rows.T
        structure[layer_rows, BEYOND:BEYOND + 2] = faces.neighbour.T
        self.structure, self.constants = structure, constants
        self.size = size
        self.vary = np.ascontiguousarray(np.stack(varying)) if varying else np.zeros((0, size))
        if not mvarying:
            self.mvary = np.zeros((size, 0, 3))
        elif len(mvarying) == 1:
            # a view when it is contiguous and writable (a read-only one is another type to numba: every kernel
            # would compile a second time for it)
            self.mvary = np.require(mvarying[0], requirements="CW")[:, None, :]
        else:
            self.mvary = np.stack(mvarying, axis=1)
        self._mark_varying()
        self.linked = bool(has_link.any())
        # the outputs not asked for (length 0), made once
        self.unused = (np.empty(0), np.empty(0, dtype=np.bool_), np.empty((0, n_layers, 3)), np.empty((0, n - 1, 3)))

    def _mark_varying(self) -> None:
        structure = self.structure
        structure[:, VARIES] = ((structure[:, STIFFNESS_ROW:P_ROW + 1] >= 0).any(axis=1) | (structure[:, M_ROW] >= 0))

    @property
    def n_layers(self) -> int:
        return len(self.element_rows) - 2

    @property
    def n_nodes(self) -> int:
        """The chain nodes (L + 1 plus one per link)."""
        return self.structure.shape[0] - 1

    def with_magnetizations(self, elements: np.ndarray, rows: np.ndarray, signs: np.ndarray) -> "Table":
        """This table (of a single configuration) with the magnetization of element elements[i] (0 the left end,
        1 .. L the layers, L + 1 the right end) read from row rows[i] of the ``mvary`` given to :func:`run`,
        times signs[i] (a link on that element's rail follows it)."""
        table = self._single_copy()
        parts = self.element_rows[elements]
        table.structure[parts, M_ROW] = rows
        table.constants[parts, SIGN] = signs
        table._mark_varying()
        return table

    def with_rotation(self, elements: np.ndarray, signs: np.ndarray) -> "Table":
        """This table (of a single configuration) with elements[i] turned by the angles given to :func:`run`:
        m = signs[i] (cos t plane[0] + sin t plane[1])."""
        table = self._single_copy()
        parts = self.element_rows[elements]
        table.structure[parts, TURNED] = 1
        table.constants[parts, SIGN] = signs
        return table

    def _single_copy(self) -> "Table":
        if self.size != 1 or self.vary.shape[0] or self.mvary.shape[1]:
            raise ValueError("magnetizations or angles given per call replace those of a single configuration only")
        table = copy.copy(self)
        table.structure, table.constants = self.structure.copy(), self.constants.copy()
        return table


_OPEN = object()  # an open end among the elements (it takes no spin current; its node is not pinned)


def _elements(arrays: StackArrays) -> list:
    """``arrays.elements()`` with an open end as :data:`_OPEN` (None stays a reservoir)."""
    elements: list = arrays.elements()
    for index, side in ((0, "left"), (-1, "right")):
        boundary = arrays.boundaries.get(side)
        if boundary is not None and boundary.kind == "open":
            elements[index] = _OPEN
    return elements


def node_bases(arrays: StackArrays) -> tuple[np.ndarray, np.ndarray]:
    """(dims, rail row) of every chain node of the kernel's chain (see :class:`Table` and
    ``system.node_system``): 0 unknowns beside a reservoir, 1 on the m of an F beside the node (the left one
    when both are F; across a link, the part on the node's other side), else 3."""
    table = Table(arrays)
    return table.structure[:-1, NODE_DIM].copy(), table.structure[:-1, NODE_AXIS].copy()


def free_plan(table: Table, free_layers: np.ndarray, free_rows: np.ndarray) -> dict[str, object]:
    """How :func:`_free_torques` solves ``table`` (a table by magnetizations of one configuration: ``vary`` empty)
    for new m of the free layers alone: layers ``free_layers`` (layer indices), reading rows ``free_rows`` of the
    ``mvary`` the table was made for (:meth:`Table.with_magnetizations`); every other m is fixed.

    Returns ``begin_node`` (the first chain node whose elimination step reads a free m: the steps before it are
    done once), ``lowest`` (the lowest node whose mu the free layers' torques read), ``moving`` (k, 2) int64 and
    ``moving_values`` (k, 5) (every element row whose m is a free layer's: row, free index; sign, p, the constant
    source), ``free_links`` (the links on those rails) and ``free_elements`` (the chain row of each free layer).
    """
    if table.vary.shape[0]:
        raise ValueError("the free-layer solve takes one stack configuration (no parameter varies over the batch)")
    structure, constants = table.structure, table.constants
    kinds, mrows, dims, axes = structure[:, KIND], structure[:, M_ROW], structure[:-1, NODE_DIM], structure[:-1, NODE_AXIS]
    link_axis = structure[:, LINK_AXIS]
    free_rows = [int(r) for r in free_rows]
    moving, values = [], []
    for e in range(structure.shape[0]):
        if kinds[e] != LINK and mrows[e] in free_rows:
            if structure[e, P_ROW] >= 0:
                raise ValueError("the free-layer solve takes one stack configuration (no parameter varies)")
            moving.append((e, free_rows.index(int(mrows[e]))))
            values.append((constants[e, SIGN], constants[e, P], *constants[e, SOURCE:SOURCE + 3]))
    moved = {e for e, _ in moving}
    free_links = [e for e in range(structure.shape[0]) if kinds[e] == LINK and link_axis[e] in moved]
    dependent = moved | set(free_links)

    def reads(node: int, previous: int) -> set[int]:
        """The rows whose m the elimination step at ``node`` reads (see _link_values)."""
        rows = {node, node + 1}
        for k in (node, node + 1, previous):
            if 0 <= k < len(dims) and dims[k] == 1:
                rows.add(int(axes[k]))
        for r in (node, node + 1):
            if kinds[r] == LINK and link_axis[r] >= 0:
                rows.add(int(link_axis[r]))
        return rows

    begin_node, previous = len(dims), -1
    for node in range(len(dims)):
        if dims[node] == 0:
            continue
        if reads(node, previous) & dependent:
            begin_node = node
            break
        previous = node
    free_elements = [int(structure[layer, LAYER_ROW]) for layer in free_layers]
    # _torques reads mu at the nodes on either side of the layer and of the part beyond each (across a link)
    lowest = min(min(int(structure[e, BEYOND]) - 1, e - 1) for e in free_elements)
    return dict(begin_node=begin_node, lowest=max(lowest, 0),
                moving=np.array(moving, dtype=np.int64).reshape(-1, 2),
                moving_values=np.array(values, dtype=float).reshape(-1, 5),
                free_links=np.array(free_links, dtype=np.int64), free_elements=np.array(free_elements, dtype=np.int64))


_NO_PLANE = np.zeros((2, 3))
_NO_ANGLES = np.empty(0)


def _parallel_would_compile() -> bool:
    """Whether :func:`_chain_parallel` is neither compiled in this process nor in numba's cache (asked once per process:
    numba's cache index is a file; unknown counts as compiled, the parallel kernel then runs as before)."""
    if _parallel_cold[0] is None:
        from .compiled import cache_is_cold

        _parallel_cold[0] = cache_is_cold(_chain_parallel) is True
    return bool(_parallel_cold[0])


def run(table: Table, *, mvary: np.ndarray | None = None, angles: np.ndarray | None = None,
        plane: np.ndarray | None = None, degrees: bool = True, pair: tuple[int, int] | None = None,
        degenerate_sine: float = 0.0, torque: bool = False, accumulation: bool = False, resistance: bool = False,
        serial: bool | None = None) -> dict[str, np.ndarray]:
    """Solve every configuration of ``table`` by the chain kernel, per unit current.

    Parameters
    ----------
    mvary
        (size, rows, 3) magnetizations read by the rows of :meth:`Table.with_magnetizations` (default the
        table's own); its length is then the batch size.
    angles, plane, degrees
        The angles (size,) of the elements of :meth:`Table.with_rotation`, in degrees (``degrees``) or
        radians, and their plane (2, 3): m = sign (cos t plane[0] + sin t plane[1]); the batch size is then
        the number of angles.  Contiguous float64 arrays.
    pair
        (first, second) layer indices of two F layers: the efficiencies of seed eq. (1) are returned as
        ``efficiency``, six arrays (size,): g1, g2, g1_field, g2_field, |sin theta|, cos theta, with
        ``degenerate`` (size,) where |sin theta| < ``degenerate_sine`` (those entries are placeholders:
        the caller puts the limits there).
    torque, accumulation, resistance
        Also return ``torque`` (size, L, 3) (zero for N layers), ``accumulation`` (size, L + 1, 3) (mu at
        the nodes; with resistive interfaces mu^-, and mu^+ as ``accumulation_right``) and ``spin_resistance``
        (size,) (the spin part of r, MODEL.md 4, interfaces' terms included).
    serial
        Run on the calling thread (default: for batches smaller than :data:`SERIAL_BELOW`, or than
        :data:`SERIAL_WHILE_COLD` while the parallel kernel would compile first).
    """
    size = table.size if mvary is None and angles is None else (mvary if mvary is not None else angles).shape[0]
    if mvary is not None and not (mvary.flags.c_contiguous and mvary.flags.writeable):
        # a read-only or strided array is another type to numba: a second compilation of every kernel (~1 min)
        mvary = np.array(mvary, order="C")
    unused_scalar, unused_flag, unused_torque, unused_nodes = table.unused
    n_layers = table.n_layers
    if pair is not None:
        # six arrays, not one (6, size) array: glibc serves blocks up to 32 MB from its heap once freed, a
        # larger one is mapped afresh every call (a page fault per 4 kB written)
        efficiency = tuple(np.empty(size) for _ in range(6))
        degenerate = np.empty(size, dtype=np.bool_)
        first, second = pair
    else:
        efficiency, degenerate, first, second = (unused_scalar,) * 6, unused_flag, -1, -1
    torques = np.empty((size, n_layers, 3)) if torque else unused_torque
    nodes = np.empty((size, table.n_nodes, 3)) if accumulation else unused_nodes
    spin_resistance = np.empty(size) if resistance else unused_scalar
    on_this_thread = (size < SERIAL_BELOW or (size < SERIAL_WHILE_COLD and _parallel_would_compile())
                      if serial is None else serial)
    if torque and on_this_thread and angles is None and not (pair is not None or accumulation or resistance):
        _torques_serial(size, table.structure, table.constants, table.vary, table.mvary if mvary is None else mvary,
                        torques)
        return {"torque": torques}
    kernel = _chain_serial if on_this_thread else _chain_parallel
    kernel(size, table.structure, table.constants, table.vary, table.mvary if mvary is None else mvary,
           _NO_PLANE if plane is None else plane, _NO_ANGLES if angles is None else angles, degrees, first, second,
           float(degenerate_sine), *efficiency, degenerate, torques, nodes, spin_resistance)
    if not on_this_thread:
        _parallel_cold[0] = False
    found = {}
    if pair is not None:
        found["efficiency"], found["degenerate"] = efficiency, degenerate
    if torque:
        found["torque"] = torques
    if accumulation:
        if table.linked:  # mu^- and mu^+ of every user node (the two sides of a link)
            found["accumulation"], found["accumulation_right"] = nodes[:, table.left_node], nodes[:, table.right_node]
        else:
            found["accumulation"] = nodes
    if resistance:
        found["spin_resistance"] = spin_resistance
    return found


def first_bad_direction(m: np.ndarray, tolerance: float) -> int:
    """The flat index of the first row of ``m`` (rows, 3) whose length differs from 1 by more than ``tolerance``
    (or that is not finite), or -1 when every row is a unit vector."""
    if not AVAILABLE:
        good = np.abs(np.einsum("ij,ij->i", m, m) - 1.0) <= 2.0 * tolerance
        return -1 if good.all() else int(np.argmin(good))
    return int(_first_bad_direction(np.ascontiguousarray(m, dtype=float), float(tolerance)))


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


__all__ = ["AVAILABLE", "SERIAL_BELOW", "Table", "applies", "first_bad_direction", "free_plan", "link_refusal", "node_bases",
           "profile_applies", "profile_kernel", "run"]
