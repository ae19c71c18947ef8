"""Spin-transfer efficiencies g1, g2 of two F layers (seed eq. 1) from the node system, on arrays.

Three routes give the same numbers (to round-off):

* the compiled chain kernel (:func:`.kernels.run`, real stacks, finite-g interfaces too): the torques are formed
  as vectors for every configuration and projected on the basis vectors (error eps / theta);
* the numpy route (:func:`from_solution`, any stack): scalar projections from the node coordinates,
  and near collinearity (|sin theta| < :data:`NEAR_COLLINEAR_SINE`) torque vectors
  (:func:`by_vectors`), which keep the precision eps / theta instead of eps / theta^2;
* at (nearly) collinear m1, m2 (|sin theta| < :data:`DEGENERATE_SINE`) both ratios are 0/0: the
  values are the limits, by a complex-step rotation of m2 (:func:`degenerate_limits`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import kernels
from .arrays import StackArrays
from .backends import solve_nodes
from .readout import UnitSolution
from .vectors import cross, dot

#: |sin theta| below which g_i is evaluated as its limit by a complex-step rotation
DEGENERATE_SINE = 1e-6
#: below this |sin theta| the scalar projections lose digits (eps / sin^2): torque vectors are used
NEAR_COLLINEAR_SINE = 0.3
#: the imaginary rotation angle of the complex step
COMPLEX_STEP = 1e-20


@dataclass(frozen=True)
class Efficiency:
    """Spin-transfer efficiencies of a two-F stack (seed eq. 1), per unit particle current.

    T1 = -j0 [g1 m1 x (m2 x m1) + g1_field m1 x m2],  T2 = +j0 [g2 m2 x (m1 x m2) + g2_field m2 x m1]
    (hbar/2 units).  F1 is the left (upstream for j0 > 0) ferromagnet.  At theta = 0
    and pi the values are the limits (continuity), not 0/0.  All have the batch shape and are
    dimensionless (for an SI stack too).
    """

    g1: np.ndarray
    g2: np.ndarray
    g1_field: np.ndarray
    g2_field: np.ndarray
    sine: np.ndarray  # |m1 x m2|
    cosine: np.ndarray  # m1 . m2

    @cached_property
    def theta(self) -> np.ndarray:
        """Angle between m1 and m2, radians (evaluated when first asked for)."""
        return np.arctan2(self.sine, self.cosine)


def efficiency(arrays: StackArrays, first: int, second: int, backend: str | None = None,
               solved: Callable[[], UnitSolution] | None = None) -> Efficiency:
    """g1, g2 and their field-like partners of F layers ``first`` and ``second`` over the batch of ``arrays``.

    The compiled kernel takes batches of the real stacks it applies to (``backend`` None) or any stack it applies
    to (``backend="compiled"``); otherwise the node system per unit current is projected: ``solved()`` (a
    solution kept by the caller), or solved here by ``backend``.  (A single configuration stays on the numpy
    route by default: in a fresh process, loading numba and the kernel costs ~0.5 s, the numpy route 0.4 ms.)
    """
    if (backend == "compiled" or (backend is None and arrays.batch_shape != ())) and kernels.applies(arrays):
        found = kernels.run(kernels.Table(arrays), pair=(first, second), degenerate_sine=DEGENERATE_SINE)
        return from_kernel(arrays, first, second, found["efficiency"], found["degenerate"])
    return from_solution(arrays, solve_nodes(arrays, backend=backend) if solved is None else solved(), first, second)


def from_kernel(arrays: StackArrays, first: int, second: int, values: tuple[np.ndarray, ...], degenerate: np.ndarray,
                shape: tuple[int, ...] | None = None) -> Efficiency:
    """The :class:`Efficiency` of the kernel's six flat arrays, the limits put where ``degenerate`` (``arrays``
    holds the same flat configurations, or a batch that broadcasts to them); reshaped to ``shape`` (default
    the batch shape of ``arrays``)."""
    shape = arrays.batch_shape if shape is None else shape
    values = [value.reshape(shape) for value in values]
    if degenerate.any():
        selection = np.flatnonzero(degenerate)
        for value, exact in zip(values, degenerate_limits(arrays.take(selection), first, second)):
            value.reshape(-1)[selection] = exact
    return Efficiency(*values[:4], sine=values[4], cosine=values[5])


def from_solution(arrays: StackArrays, unit: UnitSolution, first: int, second: int) -> Efficiency:
    """The numpy route: scalar projections of the torques from the node coordinates of ``unit``, torque
    vectors near collinearity, the limits at it."""
    shape = arrays.batch_shape
    m1 = np.broadcast_to(arrays.layers[first].m, shape + (3,))
    m2 = np.broadcast_to(arrays.layers[second].m, shape + (3,))
    cosine = dot(m1, m2)
    field = cross(m1, m2)  # m1 x m2; |m1 x m2|^2 = sin^2 theta normalises all four basis vectors
    norm = dot(field, field)
    sine = np.sqrt(norm)
    degenerate = sine < DEGENERATE_SINE
    near = (sine < NEAR_COLLINEAR_SINE) & ~degenerate
    safe = np.where(degenerate | near, 1.0, norm)
    # T1 . (m1 x (m2 x m1)) = T1 . m2 (T1 is normal to m1), T2 . (m2 x (m1 x m2)) = T2 . m1, m2 x m1 = -m1 x m2;
    # the projections come from scalar node coordinates (no torque vector per configuration)
    values = [np.asarray(v, dtype=float) for v in (
        -unit.torque_dot(first, m2) / safe, unit.torque_dot(second, m1) / safe,
        -unit.torque_dot(first, field) / safe, -unit.torque_dot(second, field) / safe)]
    for mask, evaluate in ((near, by_vectors), (degenerate, degenerate_limits)):
        if mask.any():
            selection = np.flatnonzero(mask)
            for value, exact in zip(values, evaluate(arrays.take(selection), first, second)):
                value.reshape(-1)[selection] = exact
    return Efficiency(*values, sine=sine, cosine=cosine)


def by_vectors(arrays: StackArrays, first: int, second: int) -> tuple[np.ndarray, ...]:
    """(g1, g2, g1_field, g2_field) near collinearity from torque vectors projected on the (small) basis vectors.

    The scalar route subtracts two O(1) projections to get an O(theta^2) one (error
    eps / theta^2); forming the transverse torque first keeps it at eps / theta.
    """
    unit = solve_nodes(arrays)
    m1, m2 = arrays.layers[first].m, arrays.layers[second].m
    t1, t2 = unit.torque_of(first), unit.torque_of(second)
    field = cross(m1, m2)
    norm = dot(field, field)
    return (-dot(t1, cross(m1, cross(m2, m1))) / norm, dot(t2, cross(m2, cross(m1, m2))) / norm,
            -dot(t1, field) / norm, -dot(t2, field) / norm)


def degenerate_limits(arrays: StackArrays, first: int, second: int) -> tuple[np.ndarray, ...]:
    """(g1, g2, g1_field, g2_field) at (nearly) collinear m1, m2 as limits: rotate m2 by an imaginary angle i h.

    With m2(ih) = m2 + i h (n x m2) (n a unit vector normal to m1), the imaginary
    parts of the torques and basis vectors are h times their derivatives along the
    rotation, exactly (complex step, no cancellation).  Both vanish linearly at
    theta = 0, pi and their ratio is the limit of g_i; g_i is even in the angle, so
    for |sin theta| < 1e-6 this equals g_i(theta) to O(theta^2).
    """
    m1, m2 = arrays.layers[first].m, arrays.layers[second].m
    # a unit normal to m1: cross with the coordinate axis least aligned with it
    helper = np.eye(3)[np.argmin(np.abs(m1), axis=-1)]
    normal = cross(m1, helper)
    normal = normal / np.linalg.norm(normal, axis=-1, keepdims=True)
    rotated = m2 + 1j * COMPLEX_STEP * cross(normal, m2)
    layer = arrays.layers[second]
    complex_arrays = arrays.with_layer(second, layer._replace(m=rotated))
    lead = arrays.right
    if second == len(arrays.layers) - 1 and lead is not None and lead.is_ferromagnet:
        # a touching F lead is collinear with F2 and turns with it (the model forbids any other contact)
        aligned = np.sign(dot(np.broadcast_to(lead.m, m2.shape), m2))[..., None]
        complex_arrays = complex_arrays.with_right(lead._replace(m=aligned * rotated))
    unit = solve_nodes(complex_arrays)
    m1 = m1 + 0j
    t1, t2 = unit.torque_of(first), unit.torque_of(second)
    basis = (cross(m1, cross(rotated, m1)), cross(m1, rotated),
             cross(rotated, cross(m1, rotated)), cross(rotated, m1))
    # every vector here vanishes at the degenerate point: keep the derivatives (imaginary parts)
    damping1, field1, damping2, field2 = (np.imag(v) for v in basis)
    t1, t2 = np.imag(t1), np.imag(t2)
    norm = dot(field1, field1)
    return (-dot(t1, damping1) / norm, dot(t2, damping2) / norm,
            -dot(t1, field1) / norm, dot(t2, field2) / norm)


__all__ = ["COMPLEX_STEP", "DEGENERATE_SINE", "Efficiency", "NEAR_COLLINEAR_SINE", "by_vectors", "degenerate_limits",
           "efficiency", "from_kernel", "from_solution"]
