"""Solve a stack and read off every derived quantity (MODEL.md 4, 5).

>>> solution = solve(stack)
>>> solution.accumulation            # (..., L + 1, 3) spin accumulation at the nodes
>>> solution.spin_accumulation(x)     # profile at any x, vectorised
>>> solution.torque                   # (..., L, 3) on every layer (zero in N)
>>> solution.efficiency().g2          # two-F stacks: seed eq. (1)

All arrays carry the stack's batch shape in front; vectors are [x, y, z].  A reduced stack reports
the seed's reduced units, an SI stack the report units of MODEL.md 7 (the table in :class:`Solution`).
The numerics live in :mod:`spinstack.solver` (node system, profiles, in-plane read-out); a Solution
solves lazily, keeps what it solved, and converts.
"""

from __future__ import annotations

import dataclasses

from collections.abc import Callable
from typing import Any
from functools import cached_property, wraps
from operator import attrgetter

import numpy as np
from numpy.typing import ArrayLike

from . import units
from .errors import SpinstackError
from .model import Stack
from .prepared import efficiency_problem, stack_arrays
from .solver import StackArrays, UnitSolution, functional, layer_ends, resistance_area, solve_nodes, spin_flip_loss
from .solver import in_plane
from .solver.efficiency import Efficiency, efficiency
from .solver.in_plane import SpinHallMagnetoresistance
from .solver.profile import node_potentials, profile, responds_to_field
from .solver.vectors import dot

# the profile values not asked for are kept for the next call up to this many points (times the batch)
_KEEP_PROFILE_POINTS = 4_000_000


def _report(value: Any, kind: str | None) -> Any:
    """A model value of an SI stack in the report unit of ``units.REPORTS[kind]`` (tuples and dicts elementwise);
    ``kind`` None: the value as it is (a pure number, or a quantity whose SI base unit is its report unit)."""
    if kind is None:
        return value
    if isinstance(value, tuple):
        return tuple(_report(item, kind) for item in value)
    if isinstance(value, dict):
        return {key: _report(item, kind) for key, item in value.items()}
    return units.report(value, kind)


def _reported(kind: str | None) -> Callable[[Callable[..., Any]], cached_property]:
    """A cached property computed in model units by :attr:`Solution.reduced`; an SI solution reports it
    converted by ``units.REPORTS[kind]`` (the one table of MODEL.md 7), so nothing is solved twice."""
    def decorate(compute: Callable[..., Any]) -> cached_property:
        @wraps(compute)
        def get(self: "Solution") -> Any:
            reduced = self.reduced
            return compute(self) if reduced is self else _report(getattr(reduced, reported.attrname), kind)

        reported = cached_property(get)  # its attrname: the name it is given in the class
        return reported
    return decorate


def _node_output(kind: str, doc: str) -> cached_property:
    """``name = _node_output(kind, doc)`` in :class:`Solution`: the :func:`_reported` property whose value
    is ``self._driven("name", 2)``, the node solution's own output of that name, driven (MODEL.md 8a)."""
    def compute(self: "Solution") -> np.ndarray:
        return self._driven(output.attrname, 2)

    compute.__doc__ = doc
    output = _reported(kind)(compute)
    return output


def _reported_method(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """As :func:`_reported`, for a method (the profiles at positions x)."""
    def decorate(compute: Callable[..., Any]) -> Callable[..., Any]:
        name = compute.__name__

        @wraps(compute)
        def method(self: "Solution", *args: Any, **kwargs: Any) -> Any:
            reduced = self.reduced
            if reduced is self:
                return compute(self, *args, **kwargs)
            return _report(getattr(reduced, name)(*args, **kwargs), kind)

        return method
    return decorate


class Solution:
    """The exact solution of a stack (or of a batch of stacks).

    Parameters
    ----------
    stack
        The validated :class:`~spinstack.model.Stack`.
    backend
        The solver backend that solves the node system (:func:`spinstack.solver.backend_names`), or None
        to let :func:`spinstack.solver.solve_nodes` choose; ValueError when the forced one does not apply.

    Notes
    -----
    The node system is solved once per unit current; every output is that
    solution times j0, so quantities that are ratios (efficiencies, resistance)
    are defined at j0 = 0 too.

    Units.  For a reduced stack every output is in the seed's reduced units.  For an SI
    stack (``stack.units == "SI"``) every dimensional output is in the report unit of
    MODEL.md 7 (:data:`spinstack.si.REPORTS`), the same numbers as ``spinstack solve
    --json``, sweeps and the explorer:

    ==========================================================  ================================
    output                                                      SI stack
    ==========================================================  ================================
    ``node_positions``, profile positions ``x``                 m
    ``accumulation``, ``accumulation_right``,                   eV (mu / |e|)
    ``spin_accumulation(x)``, ``electrochemical_potential(x)``
    ``spin_current_*``, ``spin_current(x)``, ``deposit``,       A/m^2 (|e| j_s, the sign of the
    ``interface_currents``, ``spin_flip_loss``                  particle-flux vector kept)
    ``torque``, ``torque_ends``, ``spin_orbit_torque``          J/m^2 ((hbar/2) x spin current)
    ``resistance_area``, ``spin_resistance_area``               Ohm m^2
    ``current``                                                 A/m^2 (J = e j0: J > 0 is j0 < 0)
    ``smr.change``, ``smr.total``                               A/m (charge current per width)
    ``functional``                                              W/m^2 (its SI base unit)
    ``efficiency()``, ``smr.longitudinal``, ``sigma_hat``, ...  dimensionless either way
    ==========================================================  ================================

    :attr:`reduced` is the same solution in the solver's model numbers (for an SI stack the
    SI base units of the reduced model: mu in J, spin currents as particle fluxes in
    m^-2 s^-1, j0 = J/e); ``spinstack.si.report(value, kind)`` (a plain array) and
    ``spinstack.si.from_reduced(value, kind)`` (a pint Quantity) convert its values.
    """

    def __init__(self, stack: Stack, backend: str | None = None) -> None:
        self.stack = stack
        self.arrays = stack_arrays(stack)
        self.backend = backend
        j0 = np.broadcast_to(stack.current, stack.batch_shape)
        # an SI solution reports; its model-unit twin solves (one solve, shared)
        self._model: Solution | None = _model_units(stack, self.arrays, j0, backend) if stack.units == "SI" else None
        self.current = j0 if self._model is None else units.report(j0, "current")
        """The drive: j0 (reduced), or the charge current density J = e j0 in A/m^2 (SI stack); batch shape."""

    @property
    def reduced(self) -> "Solution":
        """This solution in the solver's model numbers (MODEL.md 1-5): the solution itself for a
        reduced stack; for an SI stack its twin reporting the SI base numbers of the reduced model
        (x in m, mu in J, j0 and j_s particle fluxes in m^-2 s^-1, torques as deposited spin
        currents), which :func:`spinstack.si.report` converts to the public values."""
        return self if self._model is None else self._model

    @_reported(None)
    def per_unit_current(self) -> UnitSolution:
        """The node system solved per unit CPP current j0 = 1 (solved when first needed: efficiencies of
        interface-free stacks come from a compiled kernel that does not need it); model numbers."""
        return solve_nodes(self.arrays, backend=self.backend)

    # ------------------------------------------------------------- node values
    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.stack.batch_shape

    @_reported("length")
    def node_positions(self) -> np.ndarray:
        """x of the L + 1 nodes, (..., L + 1) (m for an SI stack)."""
        return self.stack.node_positions

    @_reported(None)
    def field_driven(self) -> UnitSolution | None:
        """The node system driven by the in-plane field alone (j0 = 0; MODEL.md 8a, 8b), or ``None``
        when nothing responds to it (no field, or no N material with theta_SH != 0); model numbers."""
        return solve_nodes(self.arrays, "field", self.backend) if responds_to_field(self.arrays) else None

    def _driven(self, read: str | Callable[[UnitSolution], Any], extra_axes: int) -> np.ndarray:
        """``read`` (an attribute name or a function) of the solution: j0 times its value per unit current
        plus the field-driven one (the drives superpose, MODEL.md 8a).  Model numbers: only the reduced
        solution calls it (the public properties of an SI solution ask :attr:`reduced`)."""
        read = attrgetter(read) if isinstance(read, str) else read
        field = self.field_driven
        if field is not None and not np.any(self.current):  # a pure in-plane drive: no CPP solve
            return np.array(read(field))
        total = self.current.reshape(self.current.shape + (1,) * extra_axes) * read(self.per_unit_current)
        return total if field is None else total + read(field)

    # the node solution's outputs, j0 times their value per unit current plus the field-driven one
    accumulation = _node_output("accumulation", """Spin accumulation mu_s at the nodes, (..., L + 1, 3), energy
        units (eV for an SI stack).

        At a resistive interface this is the value just left of it (mu^-); see
        :attr:`accumulation_right`.
        """)
    accumulation_right = _node_output("accumulation", """mu_s just right of each node (mu^+ at a resistive
        interface), (..., L + 1, 3).""")
    spin_current_left = _node_output("spin_current", """j_s just inside each layer's left face, (..., L, 3) (|e| j_s
        in A/m^2 for an SI stack).""")
    spin_current_right = _node_output("spin_current", """j_s just inside each layer's right face, (..., L, 3).""")
    torque = _node_output("torque", """Spin-transfer torque on every layer (hbar/2 units; J/m^2 for an SI stack),
        (..., L, 3); zero for N layers.

        The transverse part (w.r.t. the layer's m) of the spin current deposited at
        its faces, sum over faces of j_s(x_k-) - j_s(x_k+); nothing at reservoir faces.
        """)
    deposit = _node_output("spin_current", """Spin current deposited at each node, j_s(x_k-) - j_s(x_k+),
        (..., L + 1, 3).""")

    @_reported_method("spin_current")
    def interface_currents(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Spin current through the resistive interface at ``node`` on its left and right side, (..., 3) each.

        They differ by what the interface keeps: the transverse spin absorbed by the
        ferromagnet (torque) and the spin memory loss.
        """
        if node not in self.arrays.interfaces:
            raise SpinstackError(f"node {node} has no resistive interface")
        return self._driven(lambda unit: unit.interface_currents[node][0], 1), \
            self._driven(lambda unit: unit.interface_currents[node][1], 1)

    @_reported("spin_current")
    def spin_current_in(self) -> np.ndarray:
        """Spin current entering at the left end: j_s(x_0-) for a lead, j_s(x_0+) for a reservoir."""
        return self._end_current("left")

    @_reported("spin_current")
    def spin_current_out(self) -> np.ndarray:
        """Spin current leaving at the right end: j_s(x_L+) for a lead, j_s(x_L-) for a reservoir."""
        return self._end_current("right")

    def _end_current(self, side: str) -> np.ndarray:
        def value(unit: UnitSolution) -> np.ndarray:
            lead = unit.lead_current_left if side == "left" else unit.lead_current_right
            if lead is not None:
                return lead
            return unit.spin_current_left[..., 0, :] if side == "left" else unit.spin_current_right[..., -1, :]

        return self._driven(value, 1)

    @_reported("spin_current")
    def spin_flip_loss(self) -> np.ndarray:
        """Spin lost to the lattice in each layer, integral of D mu_s / (2 l^2) dx, (..., L, 3)."""
        return spin_flip_loss(self.arrays, self.accumulation_right[..., :-1, :], self.accumulation[..., 1:, :])

    @_reported(None)  # SI stack: W/m^2, the SI base unit of S (no conversion)
    def functional(self) -> np.ndarray:
        """The functional S of MODEL.md 5 at the solution (its minimum), shape ``batch_shape``.

        Raises
        ------
        SpinstackError
            With resistive interfaces, for which MODEL.md 5 states no functional.
        """
        if self.stack.interfaces:
            raise SpinstackError("the functional S (MODEL.md 5) is defined for transparent interfaces only")
        if not self.arrays.plain:
            raise SpinstackError("the functional S (MODEL.md 5) is stated for the CPP drive between reservoirs "
                                 "and leads only (no in-plane field, no open or insulator end)")
        mu_a, mu_b = layer_ends(self.per_unit_current)
        j0 = self.current[..., None, None]
        return functional(self.arrays, j0 * mu_a, j0 * mu_b, self.accumulation[..., 0, :],
                          self.accumulation_right[..., -1, :], self.current)

    @property
    def resistance_problem(self) -> str | None:
        """Why :attr:`resistance_area` is not defined for this stack, or ``None`` when it is."""
        if self.stack.has_boundary_ends:
            return "no charge current crosses an open or insulator end: the CPP resistance-area is not defined"
        return None

    @cached_property
    def _resistance(self) -> tuple[np.ndarray, np.ndarray]:
        if self.resistance_problem is not None:
            raise SpinstackError(self.resistance_problem)
        return resistance_area(self.arrays, self.per_unit_current)

    @_reported("resistance_area")
    def resistance_area(self) -> np.ndarray:
        """Total resistance-area product r = [mu_0(left) - mu_0(right)] / j0 (MODEL.md 4), of the CPP
        drive (an in-plane field does not enter it); Ohm m^2 for an SI stack (r / e^2)."""
        return np.broadcast_to(self._resistance[0], self.batch_shape)

    @_reported("resistance_area")
    def spin_resistance_area(self) -> np.ndarray:
        """The spin-accumulation part of :attr:`resistance_area`."""
        return np.broadcast_to(self._resistance[1], self.batch_shape)

    # ------------------------------------------------------- in-plane drive (MODEL.md 8)
    def _field_direction(self) -> np.ndarray:
        if self.arrays.eps is None:
            raise SpinstackError("this stack has no in-plane field (give 'field')")
        eps = np.broadcast_to(self.arrays.eps, self.batch_shape + (3,))
        norm = np.linalg.norm(eps, axis=-1, keepdims=True)
        if np.any(norm == 0):
            raise SpinstackError("the in-plane field is zero (in some configurations): sigma_hat, tau_DL, tau_FL "
                                 "and the SMR are not defined there")
        return eps / norm

    @cached_property
    def sigma_hat(self) -> np.ndarray:
        """sigma_hat = xhat x eps / |eps| (= E_hat x xhat), (..., 3) (MODEL.md 8a)."""
        return in_plane.sigma_hat(self._field_direction())

    @_reported("torque")
    def torque_ends(self) -> dict[str, np.ndarray]:
        """Torque on each magnetic-insulator end, ``{"left"|"right": (..., 3)}``: the transverse part
        (w.r.t. its m) of the spin current flowing into it (MODEL.md 8d, 8f); J/m^2 for an SI stack."""
        found = {}
        for side, boundary in self.arrays.boundaries.items():
            if boundary.kind != "insulator":
                continue
            into = self.spin_current_out if side == "right" else -self.spin_current_in
            m = np.broadcast_to(boundary.m, into.shape)
            found[side] = into - dot(m, into)[..., None] * m
        return found

    @_reported("torque")
    def spin_orbit_torque(self) -> tuple[np.ndarray, np.ndarray]:
        """(tau_DL, tau_FL), (..., L) each: torque = tau_DL m x (sigma_hat x m) + tau_FL m x sigma_hat on
        every F layer (MODEL.md 8f); 0 for N layers; torque units (J/m^2 for an SI stack).

        NaN where m is parallel to sigma_hat (to 1e-12 in |m x sigma_hat|): both basis vectors vanish
        there, so the decomposition is undefined; the torque is then reported as a vector in
        :attr:`torque` only.  :attr:`spin_orbit_torque_problem` names the layers (and configurations)
        where this happens, or why there is no spin-orbit torque at all.

        Raises
        ------
        SpinstackError
            Without an in-plane field, or with a zero one (:attr:`spin_orbit_torque_problem`).
        """
        shape = self.batch_shape + (len(self.arrays.layers),)
        damping, field_like = np.zeros(shape), np.zeros(shape)
        for i, layer in enumerate(self.arrays.layers):
            if layer.m is not None:
                # projections from scalar node coordinates: no torque vector per configuration is formed
                project = lambda v, i=i: self._driven(lambda unit: unit.torque_dot(i, v), 0)  # torque[..., i, :] . v
                damping[..., i], field_like[..., i] = in_plane.torque_parts(project, layer.m, self.sigma_hat)
        return damping, field_like

    def torque_parts(self, torque: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(tau_DL, tau_FL) of a torque (..., 3) on a magnet m: torque = tau_DL m x (sigma_hat x m) +
        tau_FL m x sigma_hat (complete for a torque normal to m), in the unit of ``torque``; NaN where
        m || sigma_hat."""
        return in_plane.torque_parts(lambda v: dot(torque, v), m, self.sigma_hat)

    @cached_property
    def spin_orbit_torque_problem(self) -> str | None:
        """Why :attr:`spin_orbit_torque` is not defined, or not everywhere; ``None`` when every value is.

        Without an in-plane field, or with a zero one, there is no sigma_hat: the property raises
        with this reason.  Where an F layer's m is parallel to sigma_hat its tau_DL and tau_FL are
        NaN (m x sigma_hat = 0: no basis to decompose the torque on); the reason names those layers.
        """
        try:
            sigma = self.sigma_hat
        except SpinstackError as error:
            return str(error)
        parallel = [f"layers[{i}]" for i, layer in enumerate(self.arrays.layers)
                    if layer.m is not None and np.any(in_plane.parallel_to_sigma_hat(layer.m, sigma))]
        if not parallel:
            return None
        where = " (in some configurations)" if self.batch_shape else ""
        direction = "" if self.batch_shape else " = [" + ", ".join(f"{c + 0.0:.3g}" for c in sigma) + "]"
        return (f"{', '.join(parallel)}: m is parallel to sigma_hat{direction}{where}, so m x sigma_hat = 0 and "
                "the torque has no damping-like/field-like decomposition: tau_DL and tau_FL are NaN there "
                "(the torque vector is in Solution.torque)")

    @cached_property
    def smr_problem(self) -> str | None:
        """Why the SMR is not defined for this stack, or None: it is relative to the in-plane current of the
        layers, and a bare contact (two leads, no layer) carries none."""
        if not self.arrays.layers:
            return "the SMR is not defined: no layer carries the in-plane current, the stack has no finite layer"
        return None

    @cached_property
    def smr(self) -> SpinHallMagnetoresistance:
        """Spin Hall magnetoresistance of the whole stack to first order (MODEL.md 8c); for an SI stack
        ``change`` and ``total`` in A/m (charge current per width), the ratios dimensionless."""
        if self.reduced is not self:
            found = self.reduced.smr
            return dataclasses.replace(found, change=units.report(found.change, "sheet_current"),
                                       total=units.report(found.total, "sheet_current"))
        direction = self._field_direction()  # raises without a field
        if self.smr_problem is not None:
            raise SpinstackError(self.smr_problem)
        return in_plane.spin_hall_magnetoresistance(self.arrays, self.accumulation, self.accumulation_right, direction,
                                                    self.sigma_hat)

    # ------------------------------------------------------------- efficiency
    def efficiency(self) -> Efficiency:
        """g1, g2 and their field-like partners for a stack with exactly two F layers.

        Raises
        ------
        SpinstackError
            If the stack does not have exactly two ferromagnetic layers (leads not counted).
        """
        problem = self.efficiency_problem
        if problem is not None:
            raise SpinstackError(problem)
        first, second = self.stack.ferromagnet_indices
        # the compiled kernel where it applies (no node system kept), else the projected per-unit-current solve
        return efficiency(self.arrays, first, second, self.backend, lambda: self.per_unit_current)

    @property
    def efficiency_problem(self) -> str | None:
        """Why :meth:`efficiency` is not defined for this stack, or ``None`` when it is.

        g1, g2 need exactly two F layers (leads not counted) with something between
        them: two touching F layers must stay collinear, so no angle can be varied.
        """
        return efficiency_problem(self.stack)

    # ---------------------------------------------------------------- profiles
    @_reported_method("accumulation")
    def spin_accumulation(self, x: ArrayLike) -> np.ndarray:
        """mu_s(x) at any positions, shape ``batch_shape + shape(x) + (3,)`` (MODEL.md 2).

        Inside the stack the exact sinh profile; in a lead the exp(-|x|/l) tail; in a
        reservoir 0.  At an interior node the layer to the right is used (mu_s is
        continuous there).
        """
        return self._profile_part(x, 0)

    @_reported_method("spin_current")
    def spin_current(self, x: ArrayLike) -> np.ndarray:
        """j_s(x) at any positions, shape ``batch_shape + shape(x) + (3,)``; 0 inside a reservoir."""
        return self._profile_part(x, 1)

    @_reported_method("accumulation")  # mu_0 is an energy like mu_s: eV
    def electrochemical_potential(self, x: ArrayLike) -> np.ndarray:
        """mu_0(x), shape ``batch_shape + shape(x)``, with mu_0 = 0 at node 0.

        From j0 = -sigma (dmu_0/dx + (p/2) dmu_s/dx) (seed eq. 2), mu_s the scalar along m in F.
        """
        return self._profile_part(x, 2)

    # mu_s, j_s, mu_0 of the last profile call that were not asked for, kept for the next call at the
    # same positions: (positions, {part: values}); each array is handed out once, so no caller sees
    # another's writes.  Only the model-number solution (:attr:`reduced`) keeps them.
    _kept_profile: tuple[np.ndarray, dict[int, np.ndarray]] | None = None

    def _profile_part(self, x: ArrayLike, part: int) -> np.ndarray:
        """mu_s (0), j_s (1) or mu_0 (2) at ``x`` in model numbers, all three from one pass of
        :func:`spinstack.solver.profile.profile` (the other two kept in :attr:`_kept_profile`)."""
        if self.reduced is not self:
            return self.reduced._profile_part(x, part)
        points = np.asarray(x, dtype=float)
        kept = self._kept_profile
        if kept is not None and part in kept[1] and kept[0].shape == points.shape and np.array_equal(kept[0], points):
            return kept[1].pop(part)
        if not np.isfinite(points).all():
            raise SpinstackError("positions x must be finite")
        mu, js, mu0 = profile(self.arrays, points.reshape(-1), self.current, self.accumulation, self.accumulation_right,
                              *self._node_potentials, spin_hall=self.field_driven is not None)
        shape = self.batch_shape + points.shape
        values = {0: mu.reshape(shape + (3,)), 1: js.reshape(shape + (3,)), 2: mu0.reshape(shape)}
        result = values.pop(part)
        if mu0.size <= _KEEP_PROFILE_POINTS:
            self._kept_profile = (points.copy(), values)
        return result

    @cached_property
    def _node_potentials(self) -> tuple[np.ndarray, np.ndarray]:
        """mu_0 just left and just right of every node, (..., L + 1) each, mu_0 = 0 left of node 0 (model numbers)."""
        return node_potentials(self.arrays, self.current, self.accumulation, self.accumulation_right,
                               self.per_unit_current, self.field_driven)


def solution_of(system: Any, caller: str, *, single: bool = False) -> Solution:
    """``system`` itself when it is a :class:`Solution`, its solution when it is a
    :class:`~spinstack.model.Stack`; a TypeError naming ``caller`` for anything else.  With ``single``
    (for functions of one configuration), a SpinstackError naming ``caller`` for a batched one."""
    if not isinstance(system, (Solution, Stack)):
        raise TypeError(f"{caller} takes a spinstack Stack or Solution, got {type(system).__name__}")
    if single and system.batch_shape != ():  # before solving a batched stack for nothing
        raise SpinstackError(f"{caller} takes a single configuration (batch_shape == ())")
    return system if isinstance(system, Solution) else solve(system)


def in_units_of(solution: Solution, record: Any, kinds: dict[str, str]) -> Any:
    """``record``, a dataclass computed from ``solution.reduced`` (model numbers), as ``solution`` reports:
    itself for a reduced solution; for an SI one, a copy with each field named in ``kinds`` converted by
    ``units.report(value, kind)`` (MODEL.md 7)."""
    if solution.reduced is solution:
        return record
    return dataclasses.replace(record, **{name: units.report(getattr(record, name), kind)
                                          for name, kind in kinds.items()})


def stack_of(system: Any, caller: str) -> Stack:
    """``system`` itself when it is a :class:`~spinstack.model.Stack`, the stack it solves when it is a
    :class:`Solution` (for functions that vary the stack); a TypeError naming ``caller`` for anything else."""
    if isinstance(system, Stack):
        return system
    if isinstance(system, Solution):
        return system.stack
    raise TypeError(f"{caller} takes a spinstack Stack or Solution, got {type(system).__name__}")


def _model_units(stack: Stack, arrays: StackArrays, j0: np.ndarray, backend: str | None) -> Solution:
    """The Solution of ``stack`` that reports the solver's own numbers (:attr:`Solution.reduced`)."""
    model = Solution.__new__(Solution)
    model.stack, model.arrays, model.current, model._model, model.backend = stack, arrays, j0, None, backend
    return model


def solve(stack: Stack, backend: str | None = None) -> Solution:
    """Solve ``stack`` exactly (MODEL.md 3a) for every configuration of its batch.

    Parameters
    ----------
    stack
        A :class:`~spinstack.model.Stack`; every numeric parameter may be an array.
    backend
        Force a solver backend (:func:`spinstack.solver.backend_names`: "numpy", "banded", ...); None
        lets :func:`spinstack.solver.solve_nodes` choose.  ValueError when it does not apply to the stack.

    Returns
    -------
    Solution
    """
    return Solution(stack, backend)


