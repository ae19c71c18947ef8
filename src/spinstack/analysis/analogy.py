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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SpinstackError
from ..solution import Solution


@dataclass(frozen=True)
class RingForces:
    """Forces on the rings of a solution, in hbar/2 spin-current units, shape ``(n_rings, 3)``.

    Attributes
    ----------
    nodes : node index of each ring
    axis : rail direction m of each ring, zeros for a free ring (no rail)
    position : mu_s at the ring
    driving_left, driving_right : driving forces of the F cords on each side (+p j0 m left, -p j0 m right)
    cord_left, cord_right : elastic reaction (F cord) or tension (N cord) of each side
    rail_reaction : force of the rail on the ring (zero for a free ring)
    """

    nodes: tuple[int, ...]
    axis: np.ndarray
    position: np.ndarray
    driving_left: np.ndarray
    driving_right: np.ndarray
    cord_left: np.ndarray
    cord_right: np.ndarray
    rail_reaction: np.ndarray

    @property
    def rail_load(self) -> np.ndarray:
        """Force of each ring on its rail: the torque share of that face."""
        return -self.rail_reaction

    @property
    def total(self) -> np.ndarray:
        """Sum of every force on each ring, zero at equilibrium."""
        return self.driving_left + self.driving_right + self.cord_left + self.cord_right + self.rail_reaction

    def along_rail(self) -> np.ndarray:
        """Components along the rail of the cord and driving forces (each ring's balance), (n_rings,)."""
        cords = self.driving_left + self.driving_right + self.cord_left + self.cord_right
        return np.einsum("ri,ri->r", cords, self.axis)


def ring_forces(solution: Solution) -> RingForces:
    """The analogy's forces at every ring of a single-configuration solution."""
    if solution.batch_shape != ():
        raise SpinstackError("ring_forces takes a single configuration (batch_shape == ())")
    arrays = solution.arrays
    elements = arrays.elements()
    n_layers = len(arrays.layers)
    j0 = float(solution.current)
    arriving = [None if solution.unit.lead_current_left is None else j0 * solution.unit.lead_current_left]
    arriving += [solution.spin_current_right[i] for i in range(n_layers)]
    leaving = [solution.spin_current_left[i] for i in range(n_layers)]
    leaving += [None if solution.unit.lead_current_right is None else j0 * solution.unit.lead_current_right]

    rows: dict[str, list[np.ndarray]] = {key: [] for key in
                                         ("axis", "position", "driving_left", "driving_right", "cord_left", "cord_right", "rail")}
    nodes = []
    zero = np.zeros(3)
    for k in range(arrays.n_nodes):
        before, after = elements[k], elements[k + 1]
        if (k == 0 and before is None) or (k == n_layers and after is None):
            continue  # pinned at a reservoir: no ring
        nodes.append(k)
        magnet = next((e for e in (before, after) if e is not None and e.is_ferromagnet), None)
        axis = zero if magnet is None else np.asarray(magnet.m, dtype=float)
        drive_left = j0 * before.p * before.m if before is not None and before.is_ferromagnet else zero
        drive_right = -j0 * after.p * after.m if after is not None and after.is_ferromagnet else zero
        cord_left = zero if arriving[k] is None else arriving[k] - drive_left
        cord_right = zero if leaving[k] is None else -leaving[k] - drive_right
        net = drive_left + drive_right + cord_left + cord_right
        rows["axis"].append(axis)
        rows["position"].append(solution.accumulation[k])
        rows["driving_left"].append(drive_left)
        rows["driving_right"].append(drive_right)
        rows["cord_left"].append(cord_left)
        rows["cord_right"].append(cord_right)
        # the rail takes every transverse force; a free ring has no rail (and no net force)
        rows["rail"].append(zero if magnet is None else -(net - np.dot(net, axis) * axis))
    as_array = lambda key: np.array(rows[key], dtype=float).reshape(-1, 3)  # noqa: E731
    return RingForces(tuple(nodes), as_array("axis"), as_array("position"), as_array("driving_left"),
                      as_array("driving_right"), as_array("cord_left"), as_array("cord_right"), as_array("rail"))
