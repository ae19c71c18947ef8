"""The seed's mechanical analogy as numbers: rings on rails, cords, driving forces (seed section 3).

mu_s(x) is an elastic cord; at every node a ring joins the cord of the layer on
its left to the cord of the layer on its right.  Next to a ferromagnet the ring
slides without friction on the rail m (the magnetization axis through the
origin); between two normal metals it is free; at a reservoir the cord is
pinned to the origin (no ring).  The forces on a ring (seed section 3.2):

* the cord arriving from the left acts with +j_s(x_k-), the one leaving to the
  right with -j_s(x_k+);
* an F cord's force splits into the *driving* force +-p j0 m, which pulls the
  ring away from the origin, and its *elastic* reaction (the rest, along m);
  an N cord pulls with its *tension* (tangent to the hodograph);
* the rail holds the ring against everything transverse: ``rail_reaction`` is
  the rail's force on the ring and closes the balance exactly.

The ring presses on its rail with ``rail_load = -rail_reaction``: that is the
spin-transfer torque share of the node (MODEL.md 4; a magnet is the rail its
rings press on), and an F layer's torque is the sum of the loads of its rings.
Along every rail the forces balance without the rail (seed eq. 7).
:func:`folded_ring_forces` maps every force into the fold plane of the hodograph
(:mod:`spinstack.analysis.hodographs`), where the figures and the explorer draw them.

A resistive interface (MODEL.md 3b) is a spring between two rings at its node,
mu^- and mu^+, with its own driving force +-gamma j0 m.  At an N/F interface the
magnet absorbs the transverse spin at the interface itself: the spring passes
the transverse part of its pull on the normal-metal ring to the magnet
(``spring_load``), and an F layer's torque is the sum of its rail loads and
spring loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import Stack
from ..solution import Solution, in_units_of, solution_of
from .hodographs import element_rotation, hodograph, to_fold


@dataclass(frozen=True)
class RingForces:
    """Forces on the rings of a solution, shape ``(n_rings, 3)``: spin currents in the units of the
    solution (reduced; for an SI stack |e| j_s in A/m^2, as :attr:`spinstack.Solution.spin_current_left`),
    ring positions as its accumulations (eV for an SI stack).

    Attributes
    ----------
    nodes : node index of each ring (a resistive interface has two rings at its node,
        mu^- and mu^+, joined by the interface's cord)
    left_element, right_element : the elements whose cords pull on each side, numbered as
        :meth:`~spinstack.solver.StackArrays.elements` (0 = left end, L + 1 = right end);
        an interface cord carries the number of the normal-metal (or non-F) side it joins
    left_cord, right_cord : "elastic" (F cord), "tension" (N cord) or "interface"
    axis : rail direction m of each ring, zeros for a free ring (no rail)
    position : mu_s at the ring
    driving_left, driving_right : driving forces of the F cords on each side (+p j0 m left,
        -p j0 m right; +-gamma j0 m for a magnetic interface cord)
    cord_left, cord_right : elastic reaction (F cord), tension (N cord) or interface spring
    rail_reaction : force of the rail on the ring (zero for a free ring)
    spring_load : at the normal-metal ring of a magnetic interface, the transverse pull the
        interface spring passes to the magnet (its share of the torque; zero elsewhere)
    """

    nodes: tuple[int, ...]
    left_element: tuple[int, ...]
    right_element: tuple[int, ...]
    left_cord: tuple[str, ...]
    right_cord: tuple[str, ...]
    axis: np.ndarray
    position: np.ndarray
    driving_left: np.ndarray
    driving_right: np.ndarray
    cord_left: np.ndarray
    cord_right: np.ndarray
    rail_reaction: np.ndarray
    spring_load: np.ndarray

    @property
    def rail_load(self) -> np.ndarray:
        """Force of each ring on its rail: the torque share of that face."""
        return -self.rail_reaction

    @property
    def total(self) -> np.ndarray:
        """Sum of every force on each ring, zero at equilibrium."""
        return self.driving_left + self.driving_right + self.cord_left + self.cord_right + self.rail_reaction

    def side(self, ring: int) -> str:
        """Which of its node's two rings ``ring`` is: ``"-"`` (left of a resistive interface), ``"+"`` (right), or
        ``""`` (the node's only ring); the figures and tables name it mu_k- / mu_k+ / mu_k."""
        node = self.nodes[ring]
        if self.nodes.count(node) != 2:
            return ""
        return "-" if self.nodes.index(node) == ring else "+"

    def along_rail(self) -> np.ndarray:
        """Components along the rail of the cord and driving forces (each ring's balance), (n_rings,)."""
        cords = self.driving_left + self.driving_right + self.cord_left + self.cord_right
        return np.einsum("ri,ri->r", cords, self.axis)


#: the RingForces fields that carry units, and their kinds (the rest: nodes, names and the axis)
_REPORTED = {"position": "accumulation", **dict.fromkeys(("driving_left", "driving_right", "cord_left", "cord_right",
                                                           "rail_reaction", "spring_load"), "spin_current")}


def ring_forces(system: Stack | Solution) -> RingForces:
    """The analogy's forces at every ring of a single configuration.

    Parameters
    ----------
    system
        A :class:`~spinstack.Stack` (solved here) or its :class:`~spinstack.Solution`, unbatched.

    Returns
    -------
    RingForces
        In the solution's units: reduced, or for an SI stack positions in eV and forces in A/m^2
        (``ring_forces(solution.reduced)`` gives the model numbers).

    Raises
    ------
    TypeError
        For anything but a Stack or a Solution.
    SpinstackError
        For a batched stack.
    """
    solution = solution_of(system, "ring_forces", single=True)
    return in_units_of(solution, _ring_forces(solution.reduced), _REPORTED)


def _ring_forces(solution: Solution) -> RingForces:
    """:func:`ring_forces` in model numbers (``solution`` is its own :attr:`~spinstack.Solution.reduced`)."""
    arrays = solution.arrays
    elements = arrays.elements()
    n_layers = len(arrays.layers)
    j0 = float(solution.current)
    zero = np.zeros(3)
    per_unit = solution.per_unit_current
    arriving = [None if per_unit.lead_current_left is None else j0 * per_unit.lead_current_left]
    arriving += [solution.spin_current_right[i] for i in range(n_layers)]
    leaving = [solution.spin_current_left[i] for i in range(n_layers)]
    leaving += [None if per_unit.lead_current_right is None else j0 * per_unit.lead_current_right]

    def cord(element: int) -> tuple[str, np.ndarray]:
        e = elements[element]
        if e is not None and e.is_ferromagnet:
            return "elastic", j0 * e.p * np.asarray(e.m, dtype=float)
        return "tension", zero

    rows: list[dict] = []
    for k in range(arrays.n_nodes):
        before, after = k, k + 1
        if k in arrays.interfaces:
            interface = arrays.interfaces[k]
            axis = per_unit.interface_axes[k]
            drive = zero if axis is None else j0 * float(interface.gamma) * np.asarray(axis, dtype=float)
            through_left, through_right = solution.interface_currents(k)
            # the interface cord is folded with the plane of its non-magnetic side
            side = after if elements[before] is not None and elements[before].is_ferromagnet else before
            magnetic_side = "left" if elements[before] is not None and elements[before].is_ferromagnet else "right"

            def transverse(vector: np.ndarray) -> np.ndarray:
                m = np.asarray(axis, dtype=float)
                return vector - np.dot(vector, m) * m

            spring_left = transverse(through_left) if axis is not None and magnetic_side == "right" else zero
            spring_right = -transverse(through_right) if axis is not None and magnetic_side == "left" else zero
            left_kind, left_drive = cord(before)
            rows.append(dict(node=k, left=before, right=side, left_kind=left_kind, right_kind="interface",
                             magnet=elements[before], pinned=elements[before] is None, position=solution.accumulation[k],
                             driving_left=left_drive, cord_left=None if arriving[k] is None else arriving[k] - left_drive,
                             driving_right=-drive, cord_right=-(through_left - drive), spring=spring_left))
            right_kind, right_drive = cord(after)
            rows.append(dict(node=k, left=side, right=after, left_kind="interface", right_kind=right_kind,
                             magnet=elements[after], pinned=elements[after] is None, position=solution.accumulation_right[k],
                             driving_left=drive, cord_left=through_right - drive,
                             driving_right=-right_drive, cord_right=None if leaving[k] is None else -(leaving[k] - right_drive),
                             spring=spring_right))
            continue
        left_kind, left_drive = cord(before)
        right_kind, right_drive = cord(after)
        magnet = next((elements[e] for e in (before, after) if elements[e] is not None and elements[e].is_ferromagnet), None)
        rows.append(dict(node=k, left=before, right=after, left_kind=left_kind, right_kind=right_kind, magnet=magnet,
                         pinned=(k == 0 and elements[before] is None) or (k == n_layers and elements[after] is None),
                         position=solution.accumulation[k],
                         driving_left=left_drive, cord_left=None if arriving[k] is None else arriving[k] - left_drive,
                         driving_right=-right_drive, cord_right=None if leaving[k] is None else -(leaving[k] - right_drive),
                         spring=zero))

    kept = [row for row in rows if not row["pinned"]]  # pinned at a reservoir: no ring
    for row in kept:
        magnet = row["magnet"]
        row["axis"] = zero if magnet is None or not magnet.is_ferromagnet else np.asarray(magnet.m, dtype=float)
        for key in ("cord_left", "cord_right"):
            row[key] = zero if row[key] is None else np.asarray(row[key], dtype=float)
        net = row["driving_left"] + row["driving_right"] + row["cord_left"] + row["cord_right"]
        # the rail takes every transverse force; a free ring has no rail (and no net force)
        row["rail"] = zero if not np.any(row["axis"]) else -(net - np.dot(net, row["axis"]) * row["axis"])

    def stacked(key: str) -> np.ndarray:
        return np.array([row[key] for row in kept], dtype=float).reshape(-1, 3)

    return RingForces(tuple(row["node"] for row in kept), tuple(row["left"] for row in kept),
                      tuple(row["right"] for row in kept), tuple(row["left_kind"] for row in kept),
                      tuple(row["right_kind"] for row in kept), stacked("axis"), stacked("position"),
                      stacked("driving_left"), stacked("driving_right"), stacked("cord_left"), stacked("cord_right"),
                      stacked("rail"), stacked("spring"))


# ------------------------------------------------------------------ the forces in the fold plane
@dataclass(frozen=True)
class FoldedForce:
    """One force on one ring, in the fold plane: ``kind`` "driving", "elastic", "tension", "interface" or "rail",
    ``side`` "left", "right" or "rail"."""

    ring: int      # index into RingForces
    node: int
    kind: str
    side: str
    vector: np.ndarray  # (2,)
    out_of_plane: float  # |z| left by the fold: 0 up to round-off


@dataclass(frozen=True)
class FoldedRing:
    """One ring in the fold plane: its position (folded mu_s), its rail and the forces on it."""

    node: int
    position: np.ndarray  # (2,) folded mu_s at the ring
    axis: np.ndarray      # (2,) folded rail direction, zeros for a free ring
    forces: tuple[FoldedForce, ...]
    side: str = ""  # "-" / "+" for the two rings of a resistive interface

    @property
    def label(self) -> str:
        return f"{self.node}{self.side}"

    @property
    def total(self) -> np.ndarray:
        """Sum of the folded forces: zero at equilibrium."""
        return np.sum([f.vector for f in self.forces], axis=0) if self.forces else np.zeros(2)


def folded_ring_forces(solution: Solution | Stack, samples: int = 65) -> list[FoldedRing]:
    """The analogy's forces on every ring, mapped into the fold plane of :func:`~spinstack.analysis.hodograph`.

    The ring at node k joins element k (the layer k - 1, or the left end) and
    element k + 1 (layer k, or the right end); a force is folded with the
    rotation of the element whose cord exerts it.  Model numbers (:attr:`spinstack.Solution.reduced`).
    ``solution`` may be a stack (solved here).
    """
    solution = solution_of(solution, "folded_ring_forces").reduced
    fold = hodograph(solution, samples)
    forces = ring_forces(solution)
    elements = solution.arrays.elements()
    rings = []
    for r, k in enumerate(forces.nodes):
        left, right = forces.left_element[r], forces.right_element[r]
        kinds = {"left": forces.left_cord[r], "right": forces.right_cord[r]}
        # the rail holds the transverse force of the N cord: fold it with that cord
        n_side = right if elements[left] is not None and elements[left].is_ferromagnet else left
        if elements[n_side] is None or elements[n_side].is_ferromagnet:
            n_side = left
        entries = [("driving", "left", left, forces.driving_left[r]),
                   ("driving", "right", right, forces.driving_right[r]),
                   (kinds["left"], "left", left, forces.cord_left[r]),
                   (kinds["right"], "right", right, forces.cord_right[r]),
                   ("rail", "rail", n_side, forces.rail_reaction[r])]
        side = forces.side(r)
        pair = side != ""
        if pair:  # a ring of a resistive interface sits in its own element (mu^- left, mu^+ right): every
            # vector on it is folded with that element's rotation (where mixing turns an N layer out of the
            # axes' plane the fold turns it alone, MODEL.md 3b; one rotation keeps the ring's forces summing to 0)
            own = left if side == "-" else right
            entries = [(kind, where, own, vector) for kind, where, _, vector in entries]
            n_side = own
        folded = []
        for kind, where, element, vector in entries:
            if not np.any(vector):
                continue
            turned = element_rotation(fold, element) @ vector
            folded.append(FoldedForce(r, k, kind, where, turned[:2], float(abs(turned[2]))))
        axis_element = n_side if pair else left if elements[left] is not None and elements[left].is_ferromagnet \
            else right
        axis = to_fold(fold, axis_element, forces.axis[r]) if np.any(forces.axis[r]) else np.zeros(2)
        position = to_fold(fold, n_side, forces.position[r])
        rings.append(FoldedRing(k, position, axis, tuple(folded), side))
    return rings


#: the kinds of force on a ring, in the order the figures and tables list them
FORCE_KINDS = ("driving", "elastic", "tension", "interface", "rail")


def force_balance(rings: list[FoldedRing], factor: float = 1.0) -> dict[str, Any]:
    """The numbers of the force-balance table: per ring, the magnitude of every force by kind, and of their sum.

    Parameters
    ----------
    rings
        :func:`spinstack.analysis.analogy.folded_ring_forces` (forces are spin currents).
    factor
        Multiplies every magnitude (a change of unit: 1 keeps the rings' own units).

    Returns
    -------
    dict
        ``kinds``: the columns (driving and rail always, the others when some ring has them, in
        :data:`FORCE_KINDS` order); per kind a list over the rings of tuples of magnitudes (two for two
        cords of one kind, left then right; a ring on a rail with nothing transverse to hold has
        rail ``(0.0,)``); ``sum``: |sum of the forces| per ring, zero at equilibrium (seed eq. 10).
    """
    present = {f.kind for ring in rings for f in ring.forces}
    kinds = tuple(kind for kind in FORCE_KINDS if kind in present or kind in ("driving", "rail"))
    table: dict[str, Any] = {"kinds": kinds, "sum": [float(np.linalg.norm(ring.total)) * factor for ring in rings]}
    for kind in kinds:
        column = []
        for ring in rings:
            sizes = tuple(float(np.linalg.norm(f.vector)) * factor for f in ring.forces if f.kind == kind)
            if not sizes and kind == "rail" and np.any(ring.axis):
                sizes = (0.0,)  # on a rail, but nothing transverse to hold
            column.append(sizes)
        table[kind] = column
    return table
