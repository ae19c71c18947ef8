"""Read-out of a solved node system: face currents, deposits, torques and interface currents.

:class:`UnitSolution` reads a batch solved by the numpy backend (:mod:`.elimination`) from its
chain of parts, lazily (a sweep of g1, g2 needs the torques of two layers, not every spin current);
:class:`LayerwiseSolution` holds the same outputs of one configuration evaluated for all layers at
once (:func:`chain_outputs`, from a :class:`.system.FlatChain` and its node values: the banded and
linked backends).  Both apply the one torque rule of :func:`.system.torque_faces`, and both read the face
current of a thin layer whose far node is free through that layer (:meth:`UnitSolution._through_thin`), or
across a free node from the softer part there (:meth:`UnitSolution._across`): the face currents, deposits
and interface currents as the torques, to double precision for d/l down to 1e-15.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property, wraps
from typing import Any

import numpy as np

from . import coherent
from .arrays import Element, StackArrays
from .system import FREE, LAYER, LEAD, LINK, RESERVOIR, FlatChain, NodeSystem, torque_faces
from .vectors import dot

#: a face current is read through a layer (:meth:`UnitSolution._through_thin`) where the layer is stiffer than the
#: part it is read from by more than this: below it the direct read loses at most ~eps x this
READ_THROUGH = 16.0


def _remembered(method: Callable[..., Any]) -> Callable[..., Any]:
    """A read-out route of a part's face, asked by the read-outs of faces, deposits and torques alike: found once per
    solution and (part, side), kept in its ``_routes``."""
    @wraps(method)
    def remembered(self: Any, part: int, side: str) -> Any:
        key = (method.__name__, part, side)
        if key not in self._routes:
            self._routes[key] = method(self, part, side)
        return self._routes[key]

    return remembered


class UnitSolution:
    """Node values of a batch per unit particle current j0 = 1, and what follows from them.

    Only the node system is solved up front; face currents, deposits and torques are
    evaluated when first asked for (a sweep of g1, g2 needs the torques of two layers,
    not every spin current of the stack).

    Attributes
    ----------
    accumulation : (B..., L + 1, 3)  mu_s just left of each node (mu^- at an interface)
    accumulation_right : (B..., L + 1, 3)  mu_s just right of each node (mu^+)
    spin_current_left : (B..., L, 3)  j_s(x_a+) just inside each layer's left face
    spin_current_right : (B..., L, 3)  j_s(x_b-) just inside each layer's right face
    lead_current_left : (B..., 3)  j_s(x_0-) in the left lead, or into an open or insulator end
        (None for a reservoir)
    lead_current_right : (B..., 3)  j_s(x_L+), likewise
    deposit : (B..., L + 1, 3)  spin current deposited at each node (bulk current arriving
        minus leaving, across the interface if there is one), zero at reservoir nodes
    torque : (B..., L, 3)  transverse spin deposited on each F layer (zero for N)
    interface_currents : node -> (j_s on the left side, j_s on the right side) of its interface
    interface_axes : node -> m of a magnetic interface (None for N/N)
    """

    def __init__(self, system: NodeSystem, coordinates: dict[int, np.ndarray]) -> None:
        self.arrays = system.arrays
        self._chain = system.chain
        self._left_node, self._right_node = system.left_node, system.right_node
        self._coordinates = coordinates  # chain node -> (B..., 1) along its axis or (B..., 3); absent = 0
        self._axes = system.axis
        self._dtype = system.dtype
        self._shape = system.shape
        self._n_layers = len(system.arrays.layers)
        self._layout = system.layout
        self._faces: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._dots: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._routes: dict[tuple[str, int, str], object] = {}  # (_through_thin, _reach or _across, part, side) -> it

    def _cached_dot(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a . b, remembered: the same axes, sources and directions recur in every projection."""
        key = (id(a), id(b))
        if key not in self._dots:
            self._dots[key] = (a, b, dot(a, b))  # keeping a and b alive keeps their ids unique
        return self._dots[key][2]

    @cached_property
    def _values(self) -> np.ndarray:
        """mu_s at every chain node, (B..., chain nodes, 3) (built only when vectors are asked for)."""
        values = np.zeros(self._shape + (len(self._chain) - 1, 3), dtype=self._dtype)
        for i, x in self._coordinates.items():
            values[..., i, :] = x if self._axes[i] is None else x * self._axes[i]
        return values

    # ------------------------------------------------------- projections (scalars)
    def _node_dot(self, i: int | None, vector: np.ndarray) -> np.ndarray | float:
        """mu_i . v without building mu_i: x (m_i . v) on an axis, x . v when free, 0 at a reservoir."""
        if i is None or i not in self._coordinates:
            return 0.0
        x = self._coordinates[i]
        return x[..., 0] * self._cached_dot(self._axes[i], vector) if self._axes[i] is not None else dot(x, vector)

    def _face_dot(self, part_index: int, side: str, vector: np.ndarray) -> np.ndarray:
        """j_s . v at one face of a part."""
        part = self._chain[part_index]
        first, second = (part.K_aa, part.K_ab) if side == "a" else (part.K_ba, part.K_bb)
        if first.ndim != len(self._shape) or second.ndim != len(self._shape):
            return dot(self._face(part_index, side), vector)  # a magnetic interface: 3x3 blocks
        a = part_index - 1 if part_index > 0 else None
        b = part_index if part_index < len(self._chain) - 1 else None
        return self._cached_dot(part.source, vector) + first * self._node_dot(a, vector) + second * self._node_dot(b, vector)

    def torque_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        """torque_of(layer) . v from scalar node coordinates (no 3-vector per configuration is formed)."""
        element = self.arrays.layers[layer]
        if not element.is_ferromagnet:
            return np.zeros(self._shape)
        if element.is_coherent:
            return dot(self.torque_of(layer), vector)
        m = self._axes[self._left_node[layer + 1]]  # the layer's own m, as its right face's rail
        m = m if m is not None else np.broadcast_to(element.m, self._shape + (3,))
        along = self._deposit_total_dot(layer, m)
        return self._deposit_total_dot(layer, vector) - along * self._cached_dot(m, vector)

    def _outer_face(self, neighbour: int, side: str, drop: bool) -> np.ndarray:
        """The neighbour's face current, without its term along the F's node value when ``drop``."""
        if not drop:
            return self._face(neighbour, side)
        part = self._chain[neighbour]
        values = self._values
        total = part.source.astype(values.dtype, copy=True)
        if side == "b" and neighbour > 0:
            total += _apply(part.K_ba, values[..., neighbour - 1, :], self._shape)
        if side == "a" and neighbour < len(self._chain) - 1:
            total += _apply(part.K_ab, values[..., neighbour, :], self._shape)
        return total

    @_remembered
    def _through_thin(self, neighbour: int, side: str) -> tuple[np.ndarray, int, float] | None:
        """Where the face ``side`` of the layer ``neighbour`` is better read through it: (where (B,), the part
        beyond its other node, the sign of its sink term), or None where it never is.

        A layer whose other node is free passes on, at that node, exactly what the part beyond carries (all
        three components balance there), and j(a+) - j(b-) = T (mu_a + mu_b) with its sink T = Gc - Gs
        evaluated directly.  So its face current equals the face current of the part beyond plus or minus
        T (mu_a + mu_b), which carries the rounding of the part beyond only (itself read through where that
        is softer still: :meth:`_reach`), where Gc mu_a - Gs mu_b carried eps Gc |mu|: read so where that is
        softer than the layer by more than :data:`READ_THROUGH` (the torque on an F beside a thin N layer lost
        ~1e-16 x spacer / d).
        """
        chain = self._chain
        part = chain[neighbour]
        if not self._passable(neighbour):
            return None
        far, beyond = (neighbour, neighbour + 1) if side == "a" else (neighbour - 1, neighbour - 1)
        if far not in self._coordinates or self._axes[far] is not None or not 0 <= beyond < len(chain):
            return None
        other = chain[beyond]
        if (other.link is not None and other.link.axis is not None) or other.kind == "reservoir":
            return None
        own = np.inf if part.link is not None else np.abs(part.K_aa)  # (an interface's face is never read directly)
        where = own > READ_THROUGH * self._reach(beyond, side)
        return (where, beyond, 1.0 if side == "a" else -1.0) if np.any(where) else None

    def _passable(self, index: int) -> bool:
        """Whether a face current can be read through the part ``index``: a plain layer, whose j(a+) - j(b-) is its
        sink T (mu_a + mu_b), or an N/N interface, likewise with its shunt c - s (MODEL.md 3b)."""
        part = self._chain[index]
        if part.link is not None:
            return part.link.axis is None
        return part.kind == "layer" and not part.coherent and part.sink is not None and part.scalar

    def _sink(self, index: int) -> np.ndarray:
        """T = Gc - Gs of a plain layer, c - s of an N/N interface (see :meth:`_passable`), (B,)."""
        part = self._chain[index]
        return part.link.shunt if part.link is not None else part.sink

    @_remembered
    def _reach(self, part: int, side: str) -> np.ndarray:
        """The stiffness (B,) of the two-port whose face current :meth:`_read_face` evaluates for the face ``side``
        of ``part``: its own, or the softer one it is read through to."""
        K = self._chain[part].K_aa if side == "a" else self._chain[part].K_bb
        own = np.abs(K) if K.ndim == len(self._shape) else np.abs(K).max(axis=(-2, -1))
        if self._chain[part].link is not None:
            own = np.full(self._shape, np.inf)
        through = self._through_thin(part, side)
        return own if through is None else np.where(through[0], self._reach(through[1], side), own)

    def _read_face(self, part: int, side: str) -> np.ndarray:
        """j_s at the face ``side`` of ``part``, read through it where that is exact (:meth:`_through_thin`)."""
        through = self._through_thin(part, side)
        if through is None:
            return self._face(part, side)
        where, beyond, sign = through
        values = self._values
        passed = self._read_face(beyond, side) + sign * self._sink(part)[..., None] * (
            values[..., part - 1, :] + values[..., part, :])
        return passed if where.all() else np.where(where[..., None], passed, self._face(part, side))

    def _read_face_dot(self, part: int, side: str, vector: np.ndarray) -> np.ndarray:
        """:meth:`_read_face` . v from scalar node coordinates."""
        through = self._through_thin(part, side)
        if through is None:
            return self._face_dot(part, side, vector)
        where, beyond, sign = through
        passed = self._read_face_dot(beyond, side, vector) + sign * self._sink(part) * (
            self._node_dot(part - 1, vector) + self._node_dot(part, vector))
        return passed if where.all() else np.where(where, passed, self._face_dot(part, side, vector))

    @_remembered
    def _across(self, part: int, side: str) -> tuple[np.ndarray, int, str] | None:
        """Where the face ``side`` of the layer or lead ``part`` is better read on the far side of its node: (where
        (B,), the part across the node, its face there), or None where it never is.

        At a free node all three components of j_s balance, so the face b of a part is the face a of the part right of
        it (and the other way round): read so where that part's face (itself read through thin layers beyond it, or
        through an N/N interface, :meth:`_read_face`) is softer by more than :data:`READ_THROUGH` than this face's
        read.  The two faces of a free node are then the same numbers, and its deposit is 0 as the node system says.
        """
        chain = self._chain
        node, neighbour, other = (part, part + 1, "a") if side == "b" else (part - 1, part - 1, "b")
        if not 0 <= neighbour < len(chain) or node not in self._coordinates or self._axes[node] is not None:
            return None
        if chain[part].link is not None:
            return None
        if chain[neighbour].link is not None:  # an N/N interface: read through it where it is everywhere
            through = self._through_thin(neighbour, other) if chain[neighbour].link.axis is None else None
            if through is None or not through[0].all():
                return None
        elif chain[neighbour].kind not in ("layer", "lead"):
            return None
        where = self._reach(part, side) > READ_THROUGH * self._reach(neighbour, other)
        return (where, neighbour, other) if np.any(where) else None

    def _read_face_full(self, part: int, side: str) -> np.ndarray:
        """j_s at the face ``side`` of ``part`` read through it (:meth:`_read_face`) or across its node
        (:meth:`_across`), whichever reads the softer part: the face currents and deposits of the outputs."""
        across = self._across(part, side)
        if across is None:
            return self._read_face(part, side)
        where, neighbour, other = across
        passed = self._read_face(neighbour, other)
        return passed if where.all() else np.where(where[..., None], passed, self._read_face(part, side))

    def _read_face_full_dot(self, part: int, side: str, vector: np.ndarray) -> np.ndarray:
        """:meth:`_read_face_full` . v from scalar node coordinates."""
        across = self._across(part, side)
        if across is None:
            return self._read_face_dot(part, side, vector)
        where, neighbour, other = across
        passed = self._read_face_dot(neighbour, other, vector)
        return passed if where.all() else np.where(where, passed, self._read_face_dot(part, side, vector))

    def _neighbour_face(self, neighbour: int, side: str, drop: bool) -> np.ndarray:
        """The neighbour's face current that stands for an F layer's deposit (:meth:`_outer_face`), read through
        a thin neighbour where that is exact (:meth:`_through_thin`)."""
        through = self._through_thin(neighbour, side)
        if through is None:
            return self._outer_face(neighbour, side, drop)
        passed = self._read_face(neighbour, side)
        return passed if through[0].all() else np.where(through[0][..., None], passed,
                                                         self._outer_face(neighbour, side, drop))

    def _neighbour_face_dot(self, neighbour: int, side: str, drop: bool, vector: np.ndarray) -> np.ndarray:
        """:meth:`_neighbour_face` . v, from scalar node coordinates where it can."""
        through = self._through_thin(neighbour, side)
        if through is None or not through[0].all():
            face = dot(self._outer_face(neighbour, side, drop), vector) if drop else \
                self._face_dot(neighbour, side, vector)
            if through is None:
                return face
            return np.where(through[0], self._read_face_dot(neighbour, side, vector), face)
        return self._read_face_dot(neighbour, side, vector)

    @cached_property
    def _torque_faces(self):
        return torque_faces(self._layout)

    def _faces_of(self, layer: int) -> Iterator[tuple[int, tuple[int, str, bool] | None]]:
        """(node, None or (neighbour part, its face, drop)) at an F layer's two nodes by the torque rule of
        :func:`.system.torque_faces`: None where the node's deposit counts, otherwise the neighbour's face
        (without its term at the node when ``drop``) stands for it; reservoir faces left out (no deposit)."""
        faces = self._torque_faces
        for row, (node, side) in enumerate(((layer, "b"), (layer + 1, "a"))):
            if faces.counted[row, layer]:
                terms = (int(faces.neighbour[row, layer]), side, bool(faces.drop[row, layer]))
                yield node, terms if faces.own[row, layer] else None

    def _deposit_total(self, layer: int) -> np.ndarray:
        """The spin deposited at an F layer's two faces (its transverse part is the torque), with the terms
        along m left out where they are exactly along m (see :func:`.system.torque_faces`)."""
        total = np.zeros(self._shape + (3,), dtype=self._values.dtype)
        for node, terms in self._faces_of(layer):
            if terms is None:
                total = total + self.deposit_at(node)
            else:
                face = self._neighbour_face(*terms)
                total = total + face if node == layer else total - face
        return total

    def _deposit_total_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        """:meth:`_deposit_total` . v from scalar node coordinates where it can (no vector per configuration)."""
        total = 0.0
        for node, terms in self._faces_of(layer):
            if terms is None:
                total = total + self._read_face_full_dot(self._left_node[node], "b", vector) \
                    - self._read_face_full_dot(self._right_node[node] + 1, "a", vector)
                continue
            neighbour, side, drop = terms
            face = self._neighbour_face_dot(neighbour, side, drop, vector)
            total = total + face if node == layer else total - face
        return total

    # ---------------------------------------------------------------- node values
    @cached_property
    def accumulation(self) -> np.ndarray:
        return self._values[..., self._left_node, :]

    @cached_property
    def accumulation_right(self) -> np.ndarray:
        return self._values[..., self._right_node, :]

    def _face(self, part_index: int, side: str) -> np.ndarray:
        part = self._chain[part_index]
        if part.link is not None:  # its K's are not kept (see interface_currents)
            raise AssertionError("an interface's face currents come from its neighbours")
        values = self._values
        a = values[..., part_index - 1, :] if part_index > 0 else None
        b = values[..., part_index, :] if part_index < len(self._chain) - 1 else None
        first, second = (part.K_aa, part.K_ab) if side == "a" else (part.K_ba, part.K_bb)
        total = part.source.astype(values.dtype, copy=True)
        for K, value in ((first, a), (second, b)):
            if value is not None:
                total += _apply(K, value, self._shape)
        return total

    # ------------------------------------------------------------------ currents
    def layer_faces(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(j_s(x_a+), j_s(x_b-)) of one layer, (B..., 3) each, read through thin layers or across a free node where
        that reads a softer two-port (:meth:`_read_face_full`)."""
        if layer not in self._faces:
            part = self._left_node[layer + 1]
            self._faces[layer] = (self._read_face_full(part, "a"), self._read_face_full(part, "b"))
        return self._faces[layer]

    @cached_property
    def _all_faces(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._n_layers:  # (from the node values whatever holds them: subclasses inherit this)
            empty = self.accumulation[..., :0, :]
            return empty, empty
        faces = [self.layer_faces(i) for i in range(self._n_layers)]
        return np.stack([f[0] for f in faces], axis=-2), np.stack([f[1] for f in faces], axis=-2)

    @property
    def spin_current_left(self) -> np.ndarray:
        return self._all_faces[0]

    @property
    def spin_current_right(self) -> np.ndarray:
        return self._all_faces[1]

    @cached_property
    def lead_current_left(self) -> np.ndarray | None:
        return None if self._chain[0].kind == "reservoir" else self._face(0, "b")

    @cached_property
    def lead_current_right(self) -> np.ndarray | None:
        return None if self._chain[-1].kind == "reservoir" else self._face(len(self._chain) - 1, "a")

    def deposit_at(self, node: int) -> np.ndarray:
        """Bulk spin current arriving at ``node`` minus leaving it, (B..., 3); zero at a reservoir face."""
        if self._layout.grounded[node]:
            return np.zeros(self._shape + (3,), dtype=self._values.dtype)
        arriving = self.lead_current_left if node == 0 else self.layer_faces(node - 1)[1]
        leaving = self.lead_current_right if node == self._n_layers else self.layer_faces(node)[0]
        return arriving - leaving

    @cached_property
    def deposit(self) -> np.ndarray:
        return np.stack([self.deposit_at(k) for k in range(self._n_layers + 1)], axis=-2)

    def torque_of(self, layer: int) -> np.ndarray:
        """Transverse spin deposited on layer ``layer`` (zero for N), (B..., 3)."""
        element = self.arrays.layers[layer]
        if not element.is_ferromagnet:
            return np.zeros(self._shape + (3,), dtype=self._values.dtype)
        m = np.broadcast_to(element.m, self._shape + (3,))
        if element.is_coherent:
            return self._coherent_torque(layer, element, m)
        total = self._deposit_total(layer)
        return total - dot(m, total)[..., None] * m

    def _coherent_torque(self, layer: int, element: Element, m: np.ndarray) -> np.ndarray:
        """Torque on a coherent F layer (MODEL.md 8e): exchange and dephasing inside it,
        C(1 - kappa_sf / k^2) [j_perp(a+) - j_perp(b-)], plus the transverse spin absorbed at a resistive
        interface on its faces (the F side of one carries none).  A transparent face deposits nothing on
        the layer: a free node balances, and a rail node belongs to the fully absorbing F on its other side.

        The current through a free face is taken on the neighbour's side (equal up to rounding): next to
        a short l_J the layer's own two-port is stiff (Gt ~ D_perp / l_J) and its face currents carry
        Gt times the rounding of mu, the neighbour's do not.
        """
        chain = self._chain

        def through(node: int, own: np.ndarray, neighbour: int, side: str) -> np.ndarray | None:
            if node in self.arrays.interfaces:
                return None
            i = self._left_node[node]  # the chain node (no interface here)
            if chain[i].kind == "reservoir" or chain[i + 1].kind == "reservoir" or self._axes[i] is not None:
                return own
            return self._face(neighbour, side)

        part = self._left_node[layer + 1]
        entering = through(layer, self._face(part, "a"), self._left_node[layer], "b")
        leaving = through(layer + 1, self._face(part, "b"), self._right_node[layer + 1] + 1, "a")
        jump = np.zeros(self._shape + (3,), dtype=self._values.dtype)
        if entering is not None:
            jump = jump + entering
        if leaving is not None:
            jump = jump - leaving
        total = coherent.act(np.broadcast_to(coherent.torque_share(element), self._shape), m, jump)
        for node in (layer, layer + 1):
            if node in self.arrays.interfaces:
                deposit = self.deposit_at(node)
                total = total + deposit - dot(m, deposit)[..., None] * m
        return total

    @cached_property
    def torque(self) -> np.ndarray:
        if not self._n_layers:
            return self._values[..., :0, :]
        return np.stack([self.torque_of(i) for i in range(self._n_layers)], axis=-2)

    @cached_property
    def interface_currents(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """node -> (j_s on its left face, on its right face) of each interface.

        Taken from the bulk faces beside it, which the node balance makes equal to the interface's
        own (the F side of one carries spin along m only), not from its two-port: that would
        multiply a conductance that may be infinite by a jump that is then 0.  Beside a reservoir
        the other face is used, plus what the channel's spin memory loss (c - s) keeps.
        """
        found = {}
        chain, values = self._chain, self._values
        for k in self.arrays.interfaces:
            part = self._left_node[k] + 1
            link = chain[part].link
            m = link.axis

            def along(vector: np.ndarray) -> np.ndarray:
                return vector if m is None else dot(m, vector)[..., None] * m

            def through(neighbour: int, side: str) -> np.ndarray | None:
                if chain[neighbour].kind == "reservoir":
                    return None
                face = self._read_face_full(neighbour, side)
                return along(face) if m is not None and chain[neighbour].axis is not None else face

            left, right = through(part - 1, "b"), through(part + 1, "a")
            shunt = link.shunt[..., None]
            if left is None:  # a reservoir on the left: mu_a = 0, and no sink there matters
                left = right + shunt * along(values[..., part, :])
            if right is None:
                right = left - shunt * along(values[..., part - 1, :])
            found[k] = (left, right)
        return found

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        found = {}
        for k in self.arrays.interfaces:
            before, after = self._chain[self._left_node[k]], self._chain[self._right_node[k] + 1]
            found[k] = before.axis if before.axis is not None else after.axis
        return found


class LayerwiseSolution(UnitSolution):
    """The same outputs for one configuration solved over all layers at once (:mod:`.banded`, or with
    resistive interfaces :mod:`.linked`)."""

    def __init__(self, arrays: StackArrays, result: dict[str, np.ndarray | None]) -> None:
        self.arrays = arrays
        self._shape = ()
        self._n_layers = len(arrays.layers)
        self._result = result

    @cached_property
    def accumulation(self) -> np.ndarray:
        return self._result["accumulation"]

    @cached_property
    def accumulation_right(self) -> np.ndarray:
        return self._result.get("accumulation_right", self._result["accumulation"])

    def layer_faces(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        return self._result["spin_current_left"][layer], self._result["spin_current_right"][layer]

    @cached_property
    def _all_faces(self) -> tuple[np.ndarray, np.ndarray]:
        return self._result["spin_current_left"], self._result["spin_current_right"]

    @cached_property
    def lead_current_left(self) -> np.ndarray | None:
        return self._result["lead_current_left"]

    @cached_property
    def lead_current_right(self) -> np.ndarray | None:
        return self._result["lead_current_right"]

    def deposit_at(self, node: int) -> np.ndarray:
        return self._result["deposit"][node]

    @cached_property
    def deposit(self) -> np.ndarray:
        return self._result["deposit"]

    def torque_of(self, layer: int) -> np.ndarray:
        return self._result["torque"][layer]

    def torque_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        return dot(self._result["torque"][layer], vector)

    @cached_property
    def torque(self) -> np.ndarray:
        return self._result["torque"]

    @cached_property
    def interface_currents(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return self._result.get("interface_currents", {})

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        return self._result.get("interface_axes", {})



def _apply(K: np.ndarray, vector: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """K v for a scalar-times-identity or matrix K."""
    if K.ndim == len(shape):
        if not np.any(K):  # reservoirs and the far sides of leads: nothing to add
            return np.zeros_like(vector)
        return K[..., None] * vector
    return np.einsum("...ij,...j->...i", K, vector)


def chain_outputs(arrays: StackArrays, chain: FlatChain, values: np.ndarray) -> dict[str, object]:
    """Faces, deposits, torques and interface currents of one configuration for all layers at once, from the
    values ``values`` (chain nodes, 3) of mu at every chain node of ``chain``: the outputs of
    :class:`LayerwiseSolution`, as :class:`UnitSolution` defines them (its methods, written per layer, give
    the same numbers)."""
    kind, source, gc, gs = chain.kind, chain.source, chain.gc, chain.gs
    L = len(arrays.layers)
    left_node, right_node = chain.left_node, chain.right_node
    padded = np.concatenate([np.zeros((1, 3)), values, np.zeros((1, 3))])  # 0 beyond the chain's ends
    accumulation, accumulation_right = _gather(values, left_node), _gather(values, right_node)
    layers = left_node[1:]  # chain index of layer k = left node of user node k + 1
    mu_a, mu_b = _gather(values, layers - 1), _gather(values, layers)
    source_layers, gc_layers, gs_layers = (_gather(v, layers) for v in (source, gc[:, None], gs[:, None]))
    face_a = source_layers + gc_layers * mu_a - gs_layers * mu_b
    face_b = source_layers + gs_layers * mu_a - gc_layers * mu_b
    _read_faces(chain, padded, layers, face_a, face_b)  # (where a thin layer makes the direct read cancel)
    lead_left = None if kind[0] == RESERVOIR else source[0] - gc[0] * values[0]
    lead_right = None if kind[-1] == RESERVOIR else source[-1] + gc[-1] * values[-1]
    zero = np.zeros((1, 3))
    arriving = np.vstack([zero if lead_left is None else lead_left[None], face_b])
    leaving = np.vstack([face_a, zero if lead_right is None else lead_right[None]])
    grounded = chain.layout.grounded  # a node beside a reservoir receives no deposit
    deposit = np.where(grounded[:, None], 0.0, arriving - leaving)

    # torque: the transverse part of the deposits at an F layer's two nodes, by the rule of system.torque_faces
    ferro = arrays.columns["ferro"]
    m = arrays.columns["m"]
    # (``arriving`` and ``leaving`` at user node k are the faces of the bulk parts beside it: the neighbours')
    faces = torque_faces(chain.layout)
    total = np.zeros((L, 3))
    # row 0: the face b of the part left of the layer's left node (+Gs mu_a in it); row 1: the face a of the part
    # right of its right node (-Gs mu_b), which leaves the layer's node: it counts with a minus sign
    for row, sign, beside in ((0, 1.0, arriving), (1, -1.0, leaving)):
        node = slice(row, L + row)
        beyond = faces.neighbour[row]
        # the neighbour's face without its term at the node facing the layer: its other node's term only
        kept = _gather(source, beyond) + _gather(gs[:, None], beyond) * _gather(padded, beyond + row) * sign
        face = np.where(faces.drop[row][:, None], kept, beside[node])
        _read_through_thin(chain, padded, beyond, row, faces.own[row] & faces.counted[row], face)
        contribution = np.where(faces.own[row][:, None], face if row == 0 else -face, deposit[node])
        total += np.where(faces.counted[row][:, None], contribution, 0.0)
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
    left = through(before, arriving[link_nodes])  # the bulk faces beside each interface (0 at a reservoir)
    right = through(after, leaving[link_nodes])
    left = np.where((kind[before] == RESERVOIR)[:, None], right + shunt[:, None] * along_axis(values[links]), left)
    right = np.where((kind[after] == RESERVOIR)[:, None], left - shunt[:, None] * along_axis(values[links - 1]), right)
    interface_axes = dict(zip(link_nodes.tolist(), [axis if magnetic_ else None
                                                    for axis, magnetic_ in zip(axes, magnetic.tolist())]))
    return {"accumulation": accumulation, "accumulation_right": accumulation_right, "spin_current_left": face_a,
            "spin_current_right": face_b, "lead_current_left": lead_left, "lead_current_right": lead_right,
            "deposit": deposit, "torque": torque, "interface_currents": Currents(link_nodes, left, right),
            "interface_axes": interface_axes}


def _read_faces(chain: FlatChain, padded: np.ndarray, layers: np.ndarray, face_a: np.ndarray,
                face_b: np.ndarray) -> None:
    """Replace, in place, the layers' face currents ``face_a``, ``face_b`` (L, 3) by the same currents read where a
    softer two-port gives them (:meth:`UnitSolution._read_face_full`): through the layer to the softest part of
    the run of layers beyond its far node while that node is free (:func:`_read_through_thin`), or across a
    free node without an interface from the face of the layer or lead on its other side, where that part is softer
    by more than :data:`READ_THROUGH`.  ``layers`` (L,): each layer's chain index."""
    L = len(layers)
    if not L:
        return
    kind, gc = chain.kind, chain.gc
    bulk = (kind == LAYER) | (kind == LEAD)
    if not (gc[layers] > READ_THROUGH * gc[bulk].min()).any():
        return  # no layer is stiffer than READ_THROUGH times the softest part: nothing is read elsewhere
    reach_a, reach_b = gc[layers].copy(), gc[layers].copy()
    everywhere = np.ones(L, dtype=bool)
    _read_through_thin(chain, padded, layers, 1, everywhere, face_a, reach_a)
    _read_through_thin(chain, padded, layers, 0, everywhere, face_b, reach_b)
    # across the free nodes between two layers (no interface between them)
    free = (layers[1:] - layers[:-1] == 1) & (chain.node_kind[layers[:-1]] == FREE)
    right_softer = free & (reach_b[:-1] > READ_THROUGH * reach_a[1:])
    left_softer = free & (reach_a[1:] > READ_THROUGH * reach_b[:-1])
    read_a, read_b = face_a[1:].copy(), face_b[:-1].copy()
    face_b[:-1][right_softer] = read_a[right_softer]
    face_a[1:][left_softer] = read_b[left_softer]
    # across the free node between a layer and an N/N interface: the interface's face read through it
    P = len(kind)
    for row, step, face, reach in ((1, 1, face_b, reach_b), (0, -1, face_a, reach_a)):
        beside = layers + step
        node = layers if row else layers - 1
        inside = (beside >= 0) & (beside < P)
        beside, node = np.clip(beside, 0, P - 1), np.clip(node, 0, P - 2)
        link = inside & (kind[beside] == LINK) & (chain.rail[beside] < 0) & (chain.node_kind[node] == FREE)
        if link.any():
            read, read_reach = np.zeros((L, 3)), np.full(L, np.inf)
            _read_through_thin(chain, padded, beside, row, link, read, read_reach)
            softer = link & (reach > READ_THROUGH * read_reach)
            face[softer] = read[softer]
    # and from a lead's face beside the first or the last layer (the lead's own current is read directly)
    part_kind = chain.layout.part_kind
    if part_kind[0] == LEAD and layers[0] == 1 and chain.node_kind[0] == FREE \
            and reach_a[0] > READ_THROUGH * gc[0]:
        face_a[0] = chain.source[0] - gc[0] * padded[1]
    if part_kind[-1] == LEAD and layers[-1] == P - 2 and chain.node_kind[P - 2] == FREE \
            and reach_b[-1] > READ_THROUGH * gc[-1]:
        face_b[-1] = chain.source[-1] + gc[-1] * padded[P - 1]


def _read_through_thin(chain: FlatChain, padded: np.ndarray, neighbour: np.ndarray, row: int, used: np.ndarray,
                       face: np.ndarray, reach: np.ndarray | None = None) -> None:
    """Replace, in place, the neighbour faces ``face`` (L, 3) that stand for F layers' deposits by the same currents
    read through the neighbour (:meth:`UnitSolution._through_thin`): along the run of layers from it whose far
    node is free (and N/N interfaces, c - s their sink), the face current of the softest part reached (a layer or
    a lead; Gc its stiffness), -+ the sinks T (mu_a + mu_b) of the parts passed on the way, where that part is
    softer than the neighbour by more than :data:`READ_THROUGH`.

    ``neighbour`` (L,): the chain index of each layer's neighbour part on side ``row`` (0 its left, whose face b
    counts; 1 its right, face a); ``used``: where that face counts; ``padded``: mu at chain node c in row c + 1;
    ``reach`` (L,), if given: set, where a face is read through, to the stiffness of the part read
    (:meth:`UnitSolution._reach`).
    """
    kind, gc, gs, sink = chain.kind, chain.gc, chain.gs, chain.sink
    P = len(kind)
    step, sign = (1, 1.0) if row else (-1, -1.0)
    plain_link = (kind == LINK) & (chain.rail < 0)  # an N/N interface: passed with its shunt c - s
    if plain_link.any():
        sink = sink.copy()
        sink[chain.links] = np.where(plain_link[chain.links], chain.link_data[:, 2], 0.0)
    stiffness = np.where(kind == LINK, np.inf, gc)  # (an interface's face is never read directly)

    def passing(part: np.ndarray) -> np.ndarray:
        """Whether each part is a layer or an N/N interface whose far node is free and whose part beyond is a
        layer, a lead or an N/N interface."""
        beyond = part + step
        inside = (beyond >= 0) & (beyond < P)
        beyond = np.clip(beyond, 0, P - 1)
        far = np.clip(part - (0 if row else 1), 0, P - 2)  # its node on the far side
        return inside & ((kind[part] == LAYER) | plain_link[part]) & (chain.node_kind[far] == FREE) & \
            ((kind[beyond] == LAYER) | (kind[beyond] == LEAD) | plain_link[beyond])

    # (a neighbour no stiffer than READ_THROUGH times the softest part of the chain is never read through: most
    # stacks have none that is, and pay only this)
    bulk = (kind == LAYER) | (kind == LEAD)
    floor = READ_THROUGH * gc[bulk].min() if bulk.any() else np.inf
    layers = np.flatnonzero(used & (stiffness[neighbour] > floor))
    part = neighbour[layers]
    going = passing(part)
    layers, part, going = layers[going], part[going], going[going]
    if not layers.size:
        return
    best, best_losses, softest = part.copy(), np.zeros((layers.size, 3)), stiffness[part]
    losses = np.zeros((layers.size, 3))
    while going.any():  # along the run (usually one layer)
        losses[going] += sign * sink[part[going]][:, None] * (padded[part[going]] + padded[part[going] + 1])
        part = np.where(going, part + step, part)
        softer = going & (stiffness[part] < softest)
        best, softest = np.where(softer, part, best), np.where(softer, stiffness[part], softest)
        best_losses[softer] = losses[softer]
        going &= passing(part)
    read = READ_THROUGH * softest < stiffness[neighbour[layers]]
    layers, best, best_losses = layers[read], best[read], best_losses[read]
    mu_left, mu_right = padded[best], padded[best + 1]  # the nodes of the part read
    if row:  # its face a
        passed = chain.source[best] + gc[best][:, None] * mu_left - gs[best][:, None] * mu_right
    else:  # its face b
        passed = chain.source[best] + gs[best][:, None] * mu_left - gc[best][:, None] * mu_right
    face[layers] = passed + best_losses
    if reach is not None:
        reach[layers] = softest[read]


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


def _gather(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """array[index] for increasing indices, as a view when they are a run of consecutive integers (the chain
    of a stack without interfaces: a gather of 1e5 rows costs more than all the arithmetic on them)."""
    if index.size and index[-1] - index[0] == index.size - 1:
        return array[int(index[0]):int(index[-1]) + 1]
    return array[index]
