"""Critical currents by linear stability of the collinear states, without simulation (MODEL.md 9d).

>>> spins = Macrospins(stack, free=2, Ms=8e5, alpha=0.01, field=(0, 0, 0.004))
>>> critical_currents(stack, spins)            # {2: {"P": J_c, "AP": J_c}}, A/m^2

For each free layer and each collinear state m = +m_ref ("P") and m = -m_ref ("AP") (m_ref: the first
fixed F layer's magnetization, or ``reference``), the right-hand side of the Landau-Lifshitz form of
the LLGS equation (MODEL.md 9a) is linearised in the tangent plane of the sphere at that state, every
other layer held at its own magnetization:

    d(delta)/dt = A(J) delta,   (1 + alpha^2) A(J) = gamma (alpha - R) K + (gamma J / (Ms d)) (1 + alpha R) D

* R: the quarter turn delta -> m0 x delta of the tangent plane;
* K = P H P - (m0 . B0) 1: the stiffness of the effective field (H = dB/dm, the anisotropy and
  demagnetizing terms; B0 = B(m0), parallel to m0 at an equilibrium);
* D: the exact torque's derivative dT/dm per unit current density (J/m^2 per A/m^2), 2 x 2 in the
  tangent plane, from the transport solution of the whole stack (see :func:`torque_slope`).

A is affine in J (the transport is linear in the drive, 9c), so its trace is linear in J and its
determinant quadratic: the currents where the trace (Hopf) or the determinant (saddle) crosses zero are
closed forms, and the state's stability between them is decided exactly (stable: trace < 0 and
determinant > 0).  The critical current is the edge nearest 0 of the stability interval around J = 0
(for a state unstable at J = 0: the current nearest 0 beyond which it is stable; :class:`Threshold`).

The torque's derivative is exact: the free layer's magnetization is moved by an imaginary step,
m0 + i h e_k with h = 1e-20, and the solver (complex arithmetic, numpy backend) returns T(m0) + i h dT/dm
e_k to O(h^2): the imaginary part is the derivative with no cancellation, so no step has to be balanced
between round-off and truncation as a central difference must (a central difference with step s carries
O(s^2) truncation and eps |T| / s round-off: 2e-10 relative at best on the example valve, measured).  For a stack of collinear layers
this is the damping-like and field-like slopes of MODEL.md 9d, D = s (-a 1 - b R) at m0 = s m_ref (s = +-1),
i.e. T = a m x (m_ref x m) + b m x m_ref near 0 and pi; computed as a full 2 x 2 matrix it needs no
symmetry about m_ref (a third layer, an in-plane field's torque on a CPP stack are included as they are).
Open or insulator ends (spin-orbit bilayers without a CPP current) are refused: their drive is not the
CPP current density.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import units
from ..errors import SpinstackError
from ..model import Stack
from ..prepared import stack_arrays
from ..solver import solve_nodes
from ..solver.profile import responds_to_field
from .fields import effective_field
from .spec import Macrospins

__all__ = ["COMPLEX_STEP", "EQUILIBRIUM_TOLERANCE", "Linearisation", "Threshold", "critical_currents",
           "linearisations", "thresholds", "torque_slope"]

#: the imaginary step of the complex-step derivative (any h << 1 gives the derivative to O(h^2) relative)
COMPLEX_STEP = 1e-20
#: a collinear state is an equilibrium when the field's and the torque's transverse parts at it are below this
#: fraction of their scale (|B| and |D|: a misalignment of ~1e-9 rad)
EQUILIBRIUM_TOLERANCE = 1e-9
#: the quarter turn delta -> m0 x delta in the tangent basis (e1, e2), e1 x e2 = m0
_QUARTER_TURN = np.array([[0.0, -1.0], [1.0, 0.0]])


# ------------------------------------------------------------------ the torque's derivative
def _tangent_basis(m0: np.ndarray) -> np.ndarray:
    """(e1, e2) as rows: unit vectors normal to ``m0`` with e1 x e2 = m0 (e1 from the axis least along m0)."""
    helper = np.eye(3)[int(np.argmin(np.abs(m0)))]
    e1 = helper - np.dot(helper, m0) * m0
    e1 /= np.linalg.norm(e1)
    return np.stack([e1, np.cross(m0, e1)])


def torque_slope(stack: Stack, layer: int, m0: ArrayLike, basis: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The exact torque on ``layer`` at magnetization ``m0`` and its derivative there, per unit current density.

    Every other layer keeps the stack's magnetization (an F lead touching ``layer`` turns with it).

    Parameters
    ----------
    stack
        An SI stack of one configuration.
    layer
        Stack index of an F layer.
    m0
        The layer's magnetization (unit 3-vector).
    basis
        Two unit vectors normal to ``m0`` (rows), default e1, e2 with e1 x e2 = m0.

    Returns
    -------
    torque : numpy.ndarray
        T(m0) per unit J, (3,), J/m^2 per A/m^2.
    slope : numpy.ndarray
        (2, 2): slope[j, k] = e_j . dT/dm e_k, J/m^2 per A/m^2 per radian, by a complex step (module docstring).
        For a stack with an in-plane field (MODEL.md 8) the field's part is scaled with the current (9c):
        T(m, J) = (J / J_stack) T_stack(m).
    """
    if not isinstance(stack, Stack):
        raise SpinstackError(f"stack must be a spinstack.Stack, got {stack!r}"[:300])
    if stack.units != "SI":
        raise SpinstackError("critical currents need an SI stack (Ms and gamma have no reduced form); "
                             "this stack is in reduced units")
    if stack.batch_shape != ():
        raise SpinstackError(f"critical currents take a stack of one configuration, this one is batched "
                             f"(shape {stack.batch_shape}): take one member")
    if stack.has_boundary_ends:
        raise SpinstackError("critical currents are per unit CPP current, and no current crosses an open or "
                             "insulator end")
    ferromagnets = stack.ferromagnet_indices
    if layer not in ferromagnets:
        raise SpinstackError(f"layer {layer} is not an F layer (the F layers are {list(ferromagnets)})")
    for neighbour in (layer - 1, layer + 1):
        if neighbour in ferromagnets:
            raise SpinstackError(f"layer {layer} touches the F layer {neighbour}: touching F layers stay collinear, "
                                 "so it cannot tilt alone")
    m0 = np.asarray(m0, dtype=float)
    m0 = m0 / np.linalg.norm(m0)
    basis = _tangent_basis(m0) if basis is None else np.asarray(basis, dtype=float)
    arrays = stack_arrays(stack)
    # three configurations: m0, m0 + i h e1, m0 + i h e2 (complex; the real parts are all m0)
    moved = m0 + 1j * COMPLEX_STEP * np.concatenate([np.zeros((1, 3)), basis])
    layers = list(arrays.layers)
    layers[layer] = layers[layer]._replace(m=moved)
    ends = {"left": arrays.left, "right": arrays.right}
    for side, touching in (("left", 0), ("right", len(layers) - 1)):
        end = ends[side]
        if touching == layer and end is not None and end.m is not None:  # an F lead touching the layer follows it
            sign = float(np.sign(np.dot(np.asarray(end.m, dtype=float), np.asarray(arrays.layers[layer].m, dtype=float))))
            ends[side] = end._replace(m=sign * moved)
    complex_arrays = dataclasses.replace(arrays, layers=tuple(layers), left=ends["left"], right=ends["right"],
                                         batch_shape=(3,))
    torque = solve_nodes(complex_arrays).torque_of(layer)
    if responds_to_field(arrays):  # the in-plane drive scales with the current (MODEL.md 9c)
        j0 = float(stack.current)
        if j0 == 0:
            raise SpinstackError("the stack has an in-plane field but no current: the field's torque cannot be "
                                 "scaled with the current (MODEL.md 9c); give the stack its drive's current")
        torque = torque + solve_nodes(complex_arrays, "field").torque_of(layer) / j0
    per_current = float(units.report(1.0, "torque") / units.report(1.0, "current"))  # J/m^2 per A/m^2 per model unit
    at_m0 = per_current * np.real(torque[0])
    derivative = per_current * np.imag(torque[1:]) / COMPLEX_STEP  # rows: dT/dm e_k
    return at_m0, basis @ derivative.T


# ------------------------------------------------------------------ the linearisation
@dataclass(frozen=True)
class Linearisation:
    """The LLGS right-hand side linearised at a collinear state: (1 + alpha^2) A(J) = field + J torque.

    Attributes
    ----------
    layer
        Stack index of the free layer.
    state
        ``"P"`` (m0 = m_ref) or ``"AP"`` (m0 = -m_ref).
    m0
        The state, unit 3-vector.
    basis
        (2, 3): the tangent vectors e1, e2 (e1 x e2 = m0) the matrices act on.
    field
        (2, 2), 1/s: gamma (alpha - R) K, the effective field's part.
    torque
        (2, 2), 1/s per A/m^2: (gamma / (Ms d)) (1 + alpha R) D, the spin torque's part per unit J.
    slope
        (2, 2): D, the torque's derivative, J/m^2 per A/m^2 per radian.
    alpha
        Gilbert damping (A(J) is the matrices over 1 + alpha^2; the factor does not change any sign).
    """

    layer: int
    state: str
    m0: np.ndarray
    basis: np.ndarray
    field: np.ndarray
    torque: np.ndarray
    slope: np.ndarray
    alpha: float

    def matrix(self, current: float) -> np.ndarray:
        """A(J), 1/s, the 2 x 2 linearisation at current density ``current`` (A/m^2)."""
        return (self.field + current * self.torque) / (1 + self.alpha ** 2)

    def trace(self, current: ArrayLike) -> np.ndarray:
        """(1 + alpha^2) tr A(J), linear in J."""
        return np.trace(self.field) + np.asarray(current) * np.trace(self.torque)

    def determinant(self, current: ArrayLike) -> np.ndarray:
        """(1 + alpha^2)^2 det A(J), quadratic in J."""
        j = np.asarray(current)
        return self._quadratic[0] + j * self._quadratic[1] + j ** 2 * self._quadratic[2]

    @property
    def _quadratic(self) -> tuple[float, float, float]:
        """det(F + J G) = det F + J (F00 G11 + F11 G00 - F01 G10 - F10 G01) + J^2 det G."""
        F, G = self.field, self.torque
        return (float(np.linalg.det(F)), float(F[0, 0] * G[1, 1] + F[1, 1] * G[0, 0] - F[0, 1] * G[1, 0]
                                               - F[1, 0] * G[0, 1]), float(np.linalg.det(G)))

    def stable(self, current: ArrayLike) -> np.ndarray:
        """Whether the state is linearly stable at ``current`` (both eigenvalues with negative real part)."""
        return (self.trace(current) < 0) & (self.determinant(current) > 0)

    def hopf_current(self) -> float | None:
        """The current where the trace crosses zero (None when it does not depend on J)."""
        slope = float(np.trace(self.torque))
        if slope == 0:
            return None
        return -float(np.trace(self.field)) / slope

    def saddle_currents(self) -> tuple[float, ...]:
        """The real currents where the determinant crosses zero, ascending (none, one or two)."""
        c, b, a = self._quadratic
        if a == 0:
            return () if b == 0 else (-c / b,)
        discriminant = b * b - 4 * a * c
        if discriminant < 0:
            return ()
        # the root without cancellation first, the other from the product of the roots c / a
        q = -0.5 * (b + math.copysign(math.sqrt(discriminant), b))
        roots = [q / a] + ([c / q] if q != 0 else [])
        return tuple(sorted(roots))


@dataclass(frozen=True)
class Threshold:
    """The critical current of one collinear state.

    Attributes
    ----------
    current
        A/m^2: the edge nearest J = 0 of the interval of currents around 0 where the state is stable (for a
        state stable at J = 0, where it loses stability); for a state unstable at J = 0, the current nearest
        0 beyond which it is stable.  A state marginal at J = 0 (alpha = 0: the trace vanishes there) that one
        polarity destabilises and the other stabilises: 0.0 signed as the destabilising polarity (-0.0 when
        J < 0 destabilises it; the alpha -> 0 limit of MODEL.md 9d's closed form).  ``None`` when no current
        changes its stability.
    kind
        ``"hopf"`` (the trace crosses zero: an oscillatory instability, MODEL.md 9d's closed form) or
        ``"saddle"`` (the determinant crosses zero first); ``None`` with ``current``.
    stable_at_zero
        Whether the state is stable without current.
    linearisation
        The matrices it was found from.
    """

    current: float | None
    kind: str | None
    stable_at_zero: bool
    linearisation: Linearisation


def _marginal(linearisation: Linearisation, crossings: list[tuple[float, str]]) -> tuple[float, str] | None:
    """(J_c = signed 0, kind) when the state is marginal at J = 0 and any current of one polarity destabilises it
    while the other stabilises it, else ``None``.

    Undamped (alpha = 0) the field's part of the trace, gamma alpha tr K, is exactly 0: the trace crosses zero at
    J = 0 itself.  The closed form of MODEL.md 9d, J_c(P) = -alpha Ms d (B_app + B_K + mu0 Ms / 2) / (a(0) - alpha
    b(0)), tends to 0 from the destabilising polarity's side as alpha -> 0, so J_c is that limit: 0 with the sign
    of the destabilising polarity (-0.0 when J < 0 destabilises the state), not ``None`` (which means that no
    current changes the state's stability)."""
    zero = [kind for current, kind in crossings if current == 0]
    if not zero:
        return None
    sides = []
    for sign in (1.0, -1.0):
        # stability just beside 0: halfway to the nearest other crossing on that side (stability is constant there)
        beyond = [abs(current) for current, _ in crossings if current * sign > 0]
        sides.append(bool(linearisation.stable(sign * (0.5 * min(beyond) if beyond else 1.0))))
    if sides[0] == sides[1]:  # stable (or unstable) on both sides: 0 is no edge of a stability interval
        return None
    return math.copysign(0.0, -1.0 if sides[0] else 1.0), zero[0]


def _threshold(linearisation: Linearisation) -> Threshold:
    """The stability change nearest J = 0 of one linearisation (exact: between crossings stability is constant)."""
    hopf = linearisation.hopf_current()
    crossings = [(hopf, "hopf")] if hopf is not None else []
    crossings += [(root, "saddle") for root in linearisation.saddle_currents()]
    at_zero = bool(linearisation.stable(0.0))
    marginal = _marginal(linearisation, crossings)
    if marginal is not None:
        return Threshold(marginal[0], marginal[1], at_zero, linearisation)
    best: tuple[float, str] | None = None
    for sign in (1.0, -1.0):
        side = sorted((c for c in crossings if c[0] * sign > 0), key=lambda c: abs(c[0]))
        for position, (current, kind) in enumerate(side):
            # stability just beyond this crossing: at the midpoint to the next one (or twice as far)
            beyond = (current + side[position + 1][0]) / 2 if position + 1 < len(side) else 2 * current
            if bool(linearisation.stable(beyond)) != at_zero:
                if best is None or abs(current) < abs(best[0]):
                    best = (current, kind)
                break
    if best is None:
        return Threshold(None, None, at_zero, linearisation)
    return Threshold(best[0], best[1], at_zero, linearisation)


def _reference(macrospins: Macrospins, reference: ArrayLike | None) -> np.ndarray:
    """m_ref: ``reference`` normalised, or the first fixed F's magnetization (an F lead counts, in stack order:
    :func:`.states.reference_direction`)."""
    from .states import reference_direction

    if reference is not None:
        value = np.asarray(reference, dtype=float)
        if value.shape != (3,) or not np.isfinite(value).all() or not np.linalg.norm(value) > 0:
            raise SpinstackError(f"reference must be a non-zero 3-vector, got {reference!r}"[:300])
        return value / np.linalg.norm(value)
    m = reference_direction(macrospins)  # one stack configuration: the same m_ref for every member
    return np.array(m.reshape(-1, 3)[0])


def linearisations(stack: Stack, macrospins: Macrospins, *, reference: ArrayLike | None = None
                   ) -> dict[int, dict[str, Linearisation | None | np.ndarray]]:
    """The linearised LLGS at m = +-m_ref of every free layer (module docstring), ``None`` where not an equilibrium.

    A collinear state is an equilibrium when the effective field there is along m0 (B_app, the anisotropy
    axis, the exchange from the other layers along m_ref) and the torque at it vanishes (every other layer
    collinear with m_ref, no spin-orbit torque across it), both to :data:`EQUILIBRIUM_TOLERANCE`.

    For an ensemble of macrospins (``macrospins.batch_shape != ()``: fields, Ms, alpha, ... swept) each value
    is an object array of that shape holding one :class:`Linearisation` (or ``None``) per member; the
    torque's slope is computed once (the stack itself must be one configuration).
    """
    if not isinstance(macrospins, Macrospins):
        raise SpinstackError(f"macrospins must be a spinstack.macrospin.Macrospins, got {macrospins!r}"[:300])
    if macrospins.stack is not stack:  # built for another stack: checked again against this one (as simulate)
        macrospins = macrospins.with_stack(stack)
    if stack.batch_shape != ():  # the torque's slope would be one per stack member: not supported
        raise SpinstackError(f"critical currents take a stack of one configuration, this one is batched "
                             f"(shape {stack.batch_shape}): take one member (an ensemble of the macrospins' own "
                             "parameters, field, Ms, alpha, ..., is fine)")
    batch = macrospins.batch_shape
    m_ref = _reference(macrospins, reference)
    count = len(macrospins.free)
    initial = np.broadcast_to(macrospins.initial, batch + (count, 3))
    member = lambda value: np.broadcast_to(value, batch)  # noqa: E731
    result: dict[int, dict[str, Linearisation | None | np.ndarray]] = {}
    for k, layer in enumerate(macrospins.free):
        alpha, gamma = member(macrospins.alpha[..., k]), member(macrospins.gamma[..., k])
        moment = member(macrospins.Ms[..., k] * macrospins.thickness[..., k])  # Ms d, A
        states: dict[str, Linearisation | None | np.ndarray] = {}
        for state, sign in (("P", 1.0), ("AP", -1.0)):
            m0 = sign * m_ref
            torque, slope = torque_slope(stack, layer, m0)
            basis = _tangent_basis(m0)
            # B is affine in the layer's own m: B(m) = B(0) + H m, the other layers held (four probes: 0, x, y, z)
            probes = np.repeat(initial[None], 4, axis=0)
            probes[..., k, :] = np.concatenate([np.zeros((1, 3)), np.eye(3)]).reshape((4,) + (1,) * len(batch) + (3,))
            fields = np.broadcast_to(effective_field(macrospins, probes)[..., k, :], (4,) + batch + (3,))
            H = np.moveaxis(fields[1:] - fields[0], 0, -1)  # (batch, 3, 3): H[..., i, j] = dB_i/dm_j
            B0 = fields[0] + H @ m0
            found = np.empty(batch, dtype=object)
            for index in np.ndindex(*batch):
                field_scale = float(np.linalg.norm(B0[index]) + np.abs(H[index]).sum())
                if (np.linalg.norm(np.cross(m0, B0[index])) > EQUILIBRIUM_TOLERANCE * field_scale or
                        np.linalg.norm(np.cross(m0, torque)) > EQUILIBRIUM_TOLERANCE * np.abs(slope).sum()):
                    found[index] = None
                    continue
                a, g = float(alpha[index]), float(gamma[index])
                stiffness = basis @ H[index] @ basis.T - float(m0 @ B0[index]) * np.eye(2)
                found[index] = Linearisation(
                    layer, state, m0, basis,
                    field=g * (a * np.eye(2) - _QUARTER_TURN) @ stiffness,
                    torque=(g / float(moment[index])) * (np.eye(2) + a * _QUARTER_TURN) @ slope,
                    slope=slope, alpha=a)
            states[state] = found[()] if batch == () else found
        result[layer] = states
    return result


def thresholds(stack: Stack, macrospins: Macrospins, *, reference: ArrayLike | None = None
               ) -> dict[int, dict[str, Threshold | None | np.ndarray]]:
    """The critical current of every free layer's P and AP states with its kind (:class:`Threshold`), ``None``
    where the state is not an equilibrium (object arrays for an ensemble).  See :func:`critical_currents`."""
    def each(found: Linearisation | None | np.ndarray) -> Threshold | None | np.ndarray:
        if isinstance(found, np.ndarray):
            return np.frompyfunc(each, 1, 1)(found) if found.size else found
        return None if found is None else _threshold(found)

    return {layer: {state: each(found) for state, found in states.items()}
            for layer, states in linearisations(stack, macrospins, reference=reference).items()}


def critical_currents(stack: Stack, macrospins: Macrospins, *, reference: ArrayLike | None = None
                      ) -> dict[int, dict[str, float | None | np.ndarray]]:
    """Critical current densities of the collinear states of every free layer, by linear stability (MODEL.md 9d).

    Parameters
    ----------
    stack
        The SI stack (one configuration) ``macrospins`` was built for.
    macrospins
        The free layers, their constants, the applied field; or an ensemble of them (field, Ms, alpha, ...
        swept: ``macrospins.batch_shape != ()``), for the critical-current lines of a state diagram.
    reference
        m_ref, a 3-vector; default the first fixed F's magnetization (F leads count: the left lead, the fixed F
        layers, the right lead, in stack order; :func:`.states.reference_direction`).

    Returns
    -------
    dict
        ``{layer_index: {"P": J_c, "AP": J_c}}``, A/m^2 (positive along +x, the conventional current): the
        current nearest 0 where the state m = +m_ref (P) or -m_ref (AP) changes stability: the trace of the
        linearisation crosses zero (Hopf; MODEL.md 9d's closed form for an in-plane film) or its
        determinant does (a saddle), whichever comes first.  ``None`` where the state is not an equilibrium
        (B_app or the easy axis not along m_ref, a non-collinear layer) or no current changes its stability.
        Undamped (alpha = 0) a state that is a centre at J = 0 is destabilised by any current of one polarity:
        J_c = 0.0 with that polarity's sign (-0.0: J < 0 destabilises it), the alpha -> 0 limit of the closed form.
        For an ensemble: float arrays of ``macrospins.batch_shape``, NaN where a single run gives ``None``.

    Raises
    ------
    SpinstackError
        A reduced or batched stack, no fixed F (layer or lead) without ``reference``, a free layer touching another F
        layer, an open or insulator end.
    """
    def current(found: Threshold | None | np.ndarray) -> float | None | np.ndarray:
        if isinstance(found, np.ndarray):
            return np.array([np.nan if item is None or item.current is None else item.current
                             for item in found.reshape(-1)], dtype=float).reshape(found.shape)
        return None if found is None else found.current

    return {layer: {state: current(found) for state, found in states.items()}
            for layer, states in thresholds(stack, macrospins, reference=reference).items()}
