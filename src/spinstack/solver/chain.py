"""The "compiled" backend: the node system of a stack solved by the chain kernel (resistive interfaces too).

:func:`.kernels.run` solves a whole batch, one configuration at a time in compiled code, and returns the
node values (spin accumulation, both sides of an interface), the torque on every layer and the spin part of
the resistance-area;
:class:`ChainSolution` holds them with the read-out of :class:`.readout.UnitSolution` (face currents and
deposits from the node values and the two-ports, evaluated when asked for).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from . import kernels
from .arrays import Element, StackArrays
from .readout import UnitSolution
from .twoports import interface_channel, layer_stiffness, lead_stiffness, spin_hall_source
from .vectors import dot


def refusal(arrays: StackArrays, drive: str) -> str | None:
    """Why the chain kernel does not take ``arrays`` driven by ``drive``, or None (:func:`.kernels.refusal`)."""
    return kernels.refusal(arrays, drive)


def preferred(arrays: StackArrays, drive: str) -> bool:
    """The automatic choice takes the chain kernel for batches (a single short stack stays on the numpy
    backend, which needs no compiled kernel loaded; a single long one goes to the banded solve)."""
    return arrays.batch_shape != ()


def solve(arrays: StackArrays, drive: str = "current") -> "ChainSolution":
    """The node system of ``arrays`` per unit current (or driven by the in-plane field, ``drive="field"``) by
    the chain kernel (see :func:`refusal`)."""
    found = kernels.run(kernels.Table(arrays, drive), torque=True, accumulation=True, resistance=drive == "current")
    return ChainSolution(arrays, found, drive)


class ChainSolution(UnitSolution):
    """Node values, torques and the spin part of r of a batch from the chain kernel, per unit current.

    ``found`` holds the kernel's flat arrays: ``accumulation`` (size, L + 1, 3), ``torque`` (size, L, 3)
    and ``spin_resistance`` (size,) (any may be missing: then it is formed from the node values).
    """

    def __init__(self, arrays: StackArrays, found: dict[str, np.ndarray], drive: str = "current") -> None:
        self.arrays = arrays
        self.drive = drive
        self._shape = arrays.batch_shape
        self._n_layers = len(arrays.layers)
        self._found = found

    @cached_property
    def accumulation(self) -> np.ndarray:
        return self._found["accumulation"].reshape(self._shape + (self._n_layers + 1, 3))

    @cached_property
    def accumulation_right(self) -> np.ndarray:
        if "accumulation_right" not in self._found:
            return self.accumulation  # transparent nodes: mu is continuous
        return self._found["accumulation_right"].reshape(self._shape + (self._n_layers + 1, 3))

    @cached_property
    def spin_resistance(self) -> np.ndarray | None:
        """The spin part of r per unit current (MODEL.md 4), batch shape, or None when not computed (or with
        resistive interfaces, whose ohmic 1/g :func:`.integrals.resistance_area` adds from the node values)."""
        value = self._found.get("spin_resistance")
        return None if value is None or self.arrays.interfaces else value.reshape(self._shape)

    def _source(self, element: Element) -> np.ndarray:
        """p m per unit current; under the field drive the spin Hall source of an N element (MODEL.md 8b)."""
        if self.drive == "field":
            if element.m is not None or not np.any(element.theta_SH):
                return np.zeros(3)
            return spin_hall_source(element, self.arrays.eps)
        if element.m is None:
            return np.zeros(3)
        return np.asarray(element.p)[..., None] * element.m

    def layer_faces(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(j_s(x_a+), j_s(x_b-)) of one layer (MODEL.md 2): p m + Gc mu_a - Gs mu_b, p m + Gs mu_a - Gc mu_b."""
        element = self.arrays.layers[layer]
        gc, gs = (np.asarray(value)[..., None] for value in layer_stiffness(element))
        mu_a, mu_b = self.accumulation_right[..., layer, :], self.accumulation[..., layer + 1, :]
        source = self._source(element)
        return source + gc * mu_a - gs * mu_b, source + gs * mu_a - gc * mu_b

    @cached_property
    def _all_faces(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._n_layers:
            empty = self.accumulation[..., :0, :]
            return empty, empty
        faces = [self.layer_faces(i) for i in range(self._n_layers)]
        return np.stack([f[0] for f in faces], axis=-2), np.stack([f[1] for f in faces], axis=-2)

    def _open(self, side: str) -> bool:
        boundary = self.arrays.boundaries.get(side)
        return boundary is not None and boundary.kind == "open"

    @cached_property
    def lead_current_left(self) -> np.ndarray | None:
        lead = self.arrays.left
        if lead is None:
            return np.zeros(self._shape + (3,)) if self._open("left") else None
        return self._source(lead) - np.asarray(lead_stiffness(lead))[..., None] * self.accumulation[..., 0, :]

    @cached_property
    def lead_current_right(self) -> np.ndarray | None:
        lead = self.arrays.right
        if lead is None:
            return np.zeros(self._shape + (3,)) if self._open("right") else None
        return self._source(lead) + np.asarray(lead_stiffness(lead))[..., None] * self.accumulation_right[..., -1, :]

    def deposit_at(self, node: int) -> np.ndarray:
        """Bulk spin current arriving at ``node`` minus leaving it, (B..., 3); zero at a reservoir face."""
        elements = self.arrays.elements()
        reservoir = (elements[node] is None and not (node == 0 and self._open("left"))) or \
            (elements[node + 1] is None and not (node == self._n_layers and self._open("right")))
        if reservoir:
            return np.zeros(self._shape + (3,))
        arriving = self.lead_current_left if node == 0 else self.layer_faces(node - 1)[1]
        leaving = self.lead_current_right if node == self._n_layers else self.layer_faces(node)[0]
        return np.broadcast_to(arriving - leaving, self._shape + (3,))

    @cached_property
    def deposit(self) -> np.ndarray:
        return np.stack([self.deposit_at(k) for k in range(self._n_layers + 1)], axis=-2)

    @cached_property
    def torque(self) -> np.ndarray:
        return self._found["torque"].reshape(self._shape + (self._n_layers, 3))

    def torque_of(self, layer: int) -> np.ndarray:
        return self.torque[..., layer, :]

    def torque_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        return dot(self.torque[..., layer, :], vector)

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        """node -> m of a magnetic interface (that of the F beside it, the left one when both are), None at N/N."""
        elements = self.arrays.elements()
        found = {}
        for node in self.arrays.interfaces:
            magnet = next((e for e in (elements[node], elements[node + 1]) if e is not None and e.m is not None), None)
            found[node] = None if magnet is None else np.broadcast_to(magnet.m, self._shape + (3,))
        return found

    @cached_property
    def interface_currents(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """node -> (j_s on its left face, on its right face) of each interface, from the bulk faces beside it as
        :attr:`.readout.UnitSolution.interface_currents` (along m on an F side; beside a reservoir the other
        face plus what the spin memory loss c - s keeps)."""
        elements = self.arrays.elements()
        found = {}
        for node, interface in self.arrays.interfaces.items():
            m = self.interface_axes[node]

            def along(vector: np.ndarray) -> np.ndarray:
                return vector if m is None else dot(m, vector)[..., None] * m

            before, after = elements[node], elements[node + 1]
            left = right = None
            if before is not None:
                face = self.lead_current_left if node == 0 else self.layer_faces(node - 1)[1]
                left = along(face) if m is not None and before.m is not None else face
            if after is not None:
                face = self.lead_current_right if node == self._n_layers else self.layer_faces(node)[0]
                right = along(face) if m is not None and after.m is not None else face
            shunt = np.asarray(interface_channel(interface)[2])[..., None]
            if left is None:  # a reservoir on the left: mu^- = 0
                left = right + shunt * along(self.accumulation_right[..., node, :])
            if right is None:
                right = left - shunt * along(self.accumulation[..., node, :])
            found[node] = (np.broadcast_to(left, self._shape + (3,)), np.broadcast_to(right, self._shape + (3,)))
        return found


__all__ = ["ChainSolution", "preferred", "refusal", "solve"]
