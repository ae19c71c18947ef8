"""The node system of MODEL.md 3a (and 3b), assembled and solved exactly for a batch of stacks.

Symbols follow the seed paper and MODEL.md: for a layer of thickness d,
conductance D, spin diffusion length l and X = d / l, the two-port (MODEL.md 2)

    j_s(x_a+) = p j0 m + Gc mu_a - Gs mu_b
    j_s(x_b-) = p j0 m + Gs mu_a - Gc mu_b,      Gc = G coth X,  Gs = G csch X,  G = D / (2 l)

and a semi-infinite lead has Gc = G, Gs = 0.  Element 0 is the left end,
elements 1..L are the layers and element L + 1 is the right end; node k sits
between elements k and k + 1.  The node value is mu_k = E_k x_k with a basis E_k
of the allowed directions: none at a reservoir (mu = 0), the magnetization m
next to a ferromagnet (the ring slides on its rail), all of R^3 between normal
metals.  The balance E_k^T [j_s(x_k-) - j_s(x_k+)] = 0 (seed eq. 7) gives

    E_k^T [(Gc_k + Gc_{k+1}) mu_k - Gs_k mu_{k-1} - Gs_{k+1} mu_{k+1}] = E_k^T (s_k - s_{k+1})

with s = p m the source per unit current.  The matrix is block tridiagonal with
blocks of 0, 1 or 3 rows (the same for every configuration of a batch) and is
the Hessian of the functional S (MODEL.md 5), so it is symmetric positive
definite and block elimination needs no pivoting.  Everything here is solved
per unit current (j0 = 1): all outputs are linear in j0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import SpinstackError
from . import banded, coherent
from .arrays import Boundary, Element, InterfaceElement, StackArrays
from .hyperbolic import x_coth_x, x_csch_x, x_tanh_half_x


@dataclass(frozen=True)
class Part:
    """One element of the chain (end, layer or interface) as a two-port, per unit current.

    j_s(a+) = source + K_aa mu_a + K_ab mu_b,   j_s(b-) = source + K_ba mu_a + K_bb mu_b

    Each K is either an array of the batch shape (a multiple of the identity: layers,
    leads, non-magnetic interfaces) or a batch of 3x3 matrices (magnetic interfaces).
    """

    kind: str  # "reservoir", "lead", "layer" or "interface"
    source: np.ndarray  # (B, 3)
    K_aa: np.ndarray
    K_ab: np.ndarray
    K_ba: np.ndarray
    K_bb: np.ndarray
    axis: np.ndarray | None = None  # m of a ferromagnetic layer or lead
    coherent: bool = False  # a ferromagnet with finite transverse coherence (MODEL.md 8e): its nodes are free
    sink: np.ndarray | None = None  # a layer's K_aa + K_ab = Gc - Gs, evaluated directly (not as a difference)
    # per channel of a layer (along m, normal to m; the same for N): whether it is thin (d/l <= 1, |kd| <= 1)
    # and its stiffness |Gc|, each (B,)
    channels: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    link: Link | None = None  # a resistive interface, in the form its elimination step uses (K's unused)
    # what takes spin out at the part's faces (not what carries it through): (axis, along it, normal to it), each
    # coefficient evaluated directly, so that 0 is exact for l = inf (an axis of None: isotropic); see _floats
    relaxation: tuple[np.ndarray | None, np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class Link:
    """A resistive interface (MODEL.md 3b) written so that it stays exact for any conductance, inf included.

    The collinear channel (along m; all three components at an N/N interface) is a symmetric
    two-port j(a+) = gamma + c mu_a - s mu_b, j(b-) = gamma + s mu_a - c mu_b, i.e. a pi network:
    a shunt ``shunt`` = c - s (spin memory loss; 0 for delta = 0) at each face and between them a
    series element of conductance ``conductance`` = s and resistance ``resistance`` = 1/s.  The
    elimination steps through it in resistance form (1/s -> 0 is the transparent interface of
    MODEL.md 3a: mu continuous, j_s continuous), never as c mu_a - s mu_b, which loses ~eps g
    when g is large.  The transverse channel of an N/F contact is a sink g_r mu_perp + g_i mu x m
    at the N-side face ``side`` (``mixing``: the matrix g_r P_perp - g_i [m]x of its finite
    configurations, ``absorbing``: where g_r is infinite, mu_perp = 0 there).
    All arrays have the batch shape (``mixing`` (B, 3, 3)).
    """

    axis: np.ndarray | None  # m of a magnetic interface (B, 3); None at an N/N interface
    gamma: np.ndarray  # the source along m per unit current (0 for the field drive and at N/N)
    conductance: np.ndarray  # s: G_I csch(delta) (inf for the transparent channel)
    resistance: np.ndarray  # 1/s (0 for the transparent channel, inf for a decoupling delta)
    shunt: np.ndarray  # c - s = G_I tanh(delta / 2), 0 without spin memory loss
    grounded: np.ndarray  # c = G_I coth(delta): the channel's load on one face when the other is a reservoir
    mixing: np.ndarray | None = None
    absorbing: np.ndarray | None = None
    side: str | None = None  # "a" (N | F) or "b" (F | N): the face whose node the sink acts on

    def pins(self, side: str) -> bool:
        """Whether the sink at face ``side`` is infinite in every configuration (mu_perp = 0 there)."""
        return self.mixing is not None and self.side == side and bool(self.absorbing.all())

    def sink(self, side: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(finite sink matrix, where it is infinite) at face ``side``, or None."""
        if self.mixing is None or self.side != side:
            return None
        return self.mixing, self.absorbing


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

    def __init__(self, arrays: StackArrays, chain: list[Part], left_node: list[int], right_node: list[int],
                 coordinates: dict[int, np.ndarray], axes: list[np.ndarray | None], dtype: np.dtype) -> None:
        self.arrays = arrays
        self._chain = chain
        self._left_node, self._right_node = left_node, right_node
        self._coordinates = coordinates  # chain node -> (B..., 1) along its axis or (B..., 3); absent = 0
        self._axes = axes
        self._dtype = dtype
        self._shape = arrays.batch_shape
        self._n_layers = len(arrays.layers)
        self._faces: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._dots: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _cached_dot(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a . b, remembered: the same axes, sources and directions recur in every projection."""
        key = (id(a), id(b))
        if key not in self._dots:
            self._dots[key] = (a, b, _dot(a, b))  # keeping a and b alive keeps their ids unique
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
        return x[..., 0] * self._cached_dot(self._axes[i], vector) if self._axes[i] is not None else _dot(x, vector)

    def _face_dot(self, part_index: int, side: str, vector: np.ndarray) -> np.ndarray:
        """j_s . v at one face of a part."""
        part = self._chain[part_index]
        first, second = (part.K_aa, part.K_ab) if side == "a" else (part.K_ba, part.K_bb)
        if first.ndim != len(self._shape) or second.ndim != len(self._shape):
            return _dot(self._face(part_index, side), vector)  # a magnetic interface: 3x3 blocks
        a = part_index - 1 if part_index > 0 else None
        b = part_index if part_index < len(self._chain) - 1 else None
        return self._cached_dot(part.source, vector) + first * self._node_dot(a, vector) + second * self._node_dot(b, vector)

    def torque_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        """torque_of(layer) . v from scalar node coordinates (no 3-vector per configuration is formed)."""
        element = self.arrays.layers[layer]
        if not element.is_ferromagnet:
            return np.zeros(self._shape)
        if element.is_coherent:
            return _dot(self.torque_of(layer), vector)
        m = self._axes[self._left_node[layer + 1]]  # the layer's own m, as its right face's rail
        m = m if m is not None else np.broadcast_to(element.m, self._shape + (3,))
        along = self._deposit_total_dot(layer, m)
        return self._deposit_total_dot(layer, vector) - along * self._cached_dot(m, vector)

    def _on_own_axis(self, layer: int, node: int) -> bool:
        """Whether the F layer's chain node at ``node`` (on the layer's side of any interface) is on its own m."""
        part = self._left_node[layer + 1]
        chain_node = part - 1 if node == layer else part
        return self._chain[part].axis is not None and self._axes[chain_node] is self._chain[part].axis

    def _neighbour_terms(self, layer: int, node: int) -> tuple[int, str, bool] | None:
        """The outer neighbour's face at an F layer's node whose along-m terms may be left out, or None.

        On a node on the layer's own axis the layer's own face carries spin along m only, and so does the
        term K mu_node of a neighbour with a scalar (isotropic) two-port at the same chain node; in the
        torque, their transverse part would be only the rounding of ~Gc mu vectors along m (a thin F
        lost its relative precision, and the ~e^-d/l torque beyond a thick spacer its sign).  Returns
        (neighbour part, its face side, whether its node term is along m and may be dropped)."""
        if not self._on_own_axis(layer, node):
            return None
        # the bulk part beyond the node (beyond an interface there: what it absorbs is the layer's too)
        neighbour, side = (self._left_node[node], "b") if node == layer else (self._right_node[node] + 1, "a")
        block = self._chain[neighbour].K_bb if side == "b" else self._chain[neighbour].K_aa
        # the neighbour's own node: this one, or beyond an interface the far one, along m too when it is on the
        # layer's rail (a transparent channel, or an N side pinned by an infinite mixing conductance)
        far = neighbour if side == "b" else neighbour - 1
        along = self._axes[far] is self._chain[self._left_node[layer + 1]].axis
        return neighbour, side, along and block.ndim == len(self._shape)

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

    def _faces_of(self, layer: int) -> Iterator[tuple[int, tuple[int, str, bool] | None]]:
        """(node, :meth:`_neighbour_terms`) at an F layer's two nodes, reservoir faces left out (no deposit)."""
        chain = self._chain
        for node in (layer, layer + 1):
            if chain[self._left_node[node]].kind != "reservoir" and chain[self._right_node[node] + 1].kind != "reservoir":
                yield node, self._neighbour_terms(layer, node)

    def _deposit_total(self, layer: int) -> np.ndarray:
        """The spin deposited at an F layer's two faces (its transverse part is the torque), with the terms
        along m left out where they are exactly along m (see :meth:`_neighbour_terms`)."""
        total = np.zeros(self._shape + (3,), dtype=self._values.dtype)
        for node, terms in self._faces_of(layer):
            if terms is None:
                total = total + self.deposit_at(node)
            else:
                face = self._outer_face(*terms)
                total = total + face if node == layer else total - face
        return total

    def _deposit_total_dot(self, layer: int, vector: np.ndarray) -> np.ndarray:
        """:meth:`_deposit_total` . v from scalar node coordinates where it can (no vector per configuration)."""
        total = 0.0
        for node, terms in self._faces_of(layer):
            if terms is None:
                total = total + self._face_dot(self._left_node[node], "b", vector) \
                    - self._face_dot(self._right_node[node] + 1, "a", vector)
                continue
            neighbour, side, drop = terms
            face = _dot(self._outer_face(neighbour, side, drop), vector) if drop else \
                self._face_dot(neighbour, side, vector)
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
        """(j_s(x_a+), j_s(x_b-)) of one layer, (B..., 3) each."""
        if layer not in self._faces:
            part = self._left_node[layer + 1]
            self._faces[layer] = (self._face(part, "a"), self._face(part, "b"))
        return self._faces[layer]

    @cached_property
    def _all_faces(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._n_layers:
            empty = self._values[..., :0, :]
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
        chain = self._chain
        if chain[self._left_node[node]].kind == "reservoir" or chain[self._right_node[node] + 1].kind == "reservoir":
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
        return total - _dot(m, total)[..., None] * m

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
                total = total + deposit - _dot(m, deposit)[..., None] * m
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
                return vector if m is None else _dot(m, vector)[..., None] * m

            def through(neighbour: int, side: str) -> np.ndarray | None:
                if chain[neighbour].kind == "reservoir":
                    return None
                face = self._face(neighbour, side)
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
        return _dot(self._result["torque"][layer], vector)

    @cached_property
    def torque(self) -> np.ndarray:
        return self._result["torque"]

    @cached_property
    def interface_currents(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return self._result.get("interface_currents", {})

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        return self._result.get("interface_axes", {})


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise a . b over the last axis (faster than einsum for short vectors)."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def layer_stiffness(element: Element) -> tuple[np.ndarray, np.ndarray]:
    """(Gc, Gs) of a layer, finite for every d / l in [0, inf)."""
    X = element.thickness / element.l  # 0 for l = inf
    scale = element.D / (2.0 * element.thickness)
    return scale * x_coth_x(X), scale * x_csch_x(X)


def coherent_layer_stiffness(element: Element, shape: tuple[int, ...], gc: np.ndarray, gs: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray]:
    """(K_aa, -K_ab) of a coherent F layer as (B, 3, 3): Gc, Gs on m m^T plus the complex transverse two-port
    Gt coth(kd), Gt csch(kd) acting on the plane normal to m (MODEL.md 8e)."""
    m = np.broadcast_to(element.m, shape + (3,))
    longitudinal = _outer(m)
    t_coth, t_csch = (np.broadcast_to(v, shape) for v in coherent.layer_stiffness(element))
    return (gc[..., None, None] * longitudinal + coherent.as_matrix(t_coth, m),
            gs[..., None, None] * longitudinal + coherent.as_matrix(t_csch, m))


def layer_sink(element: Element) -> np.ndarray:
    """Gc - Gs = D/(2d) X tanh(X/2) of a layer, evaluated directly: ~D d / (4 l^2) for a thin layer, whose
    Gc and Gs are each ~D / (2d)."""
    X = element.thickness / element.l
    return element.D / (2.0 * element.thickness) * x_tanh_half_x(X)


def coherent_transverse_sink(element: Element) -> np.ndarray:
    """The complex D_perp/(2d) (kd) tanh(kd/2) of a coherent F layer: its Gc - Gs normal to m, evaluated directly."""
    kd = coherent.wavenumber(element) * element.thickness
    return np.asarray(element.D_perp, dtype=float) / (2.0 * element.thickness) * kd**2 * coherent.tanh_half_x_over_x(kd)


def coherent_layer_sink(element: Element, shape: tuple[int, ...], along: np.ndarray) -> np.ndarray:
    """Gc - Gs of a coherent F layer, (B, 3, 3): ``along`` on m m^T plus :func:`coherent_transverse_sink`
    on the plane normal to m."""
    m = np.broadcast_to(element.m, shape + (3,))
    transverse = coherent_transverse_sink(element)
    return along[..., None, None] * _outer(m) + coherent.as_matrix(np.broadcast_to(transverse, shape), m)


def lead_stiffness(element: Element) -> np.ndarray:
    """G = D / (2 l) of a semi-infinite lead (0 for l = inf)."""
    return element.D / (2.0 * element.l)


def interface_channel(interface: InterfaceElement) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(s, 1/s, c - s, c) of the collinear channel, c = G_I coth delta, s = G_I csch delta, G_I = g (1 - gamma^2)
    delta / 2 (MODEL.md 3b; delta = 0 gives c = s = g (1 - gamma^2) / 2).

    Exact for g = inf (then delta = 0: s = c = inf, 1/s = 0) and for a large delta (s underflows to 0,
    1/s overflows to inf: the two faces decouple); each is evaluated directly, never as a difference.
    """
    channel = 0.5 * interface.g * (1.0 - interface.gamma**2)  # g (1 - gamma^2) / 2, inf at g = inf
    delta = interface.delta
    ratio = x_csch_x(delta)  # delta / sinh(delta)
    with np.errstate(divide="ignore"):
        resistance = (1.0 / channel) / ratio  # 0 at g = inf (delta = 0 there), inf where ratio underflows
    lossy = delta > 0
    # where delta = 0 the shunt is 0 (not inf * 0 at g = inf)
    shunt = np.where(lossy, channel * x_tanh_half_x(np.where(lossy, delta, 1.0)), 0.0)
    return channel * ratio, resistance, shunt, channel * x_coth_x(delta)


def _cross_matrix(m: np.ndarray) -> np.ndarray:
    """[m]x, the matrix of v -> m x v."""
    zero = np.zeros_like(m[..., 0])
    return np.stack([np.stack([zero, -m[..., 2], m[..., 1]], axis=-1),
                     np.stack([m[..., 2], zero, -m[..., 0]], axis=-1),
                     np.stack([-m[..., 1], m[..., 0], zero], axis=-1)], axis=-2)


def _outer(m: np.ndarray) -> np.ndarray:
    return m[..., :, None] * m[..., None, :]


def _interface_part(interface: InterfaceElement, before: Part, after: Part, shape: tuple[int, ...],
                    drive: str = "current") -> Part:
    """A resistive interface between ``before`` and ``after`` (MODEL.md 3b) as a :class:`Link` part.

    ``drive="field"`` drops the CPP source gamma j0 m.
    """
    s, resistance, shunt, grounded = (np.broadcast_to(v, shape) for v in interface_channel(interface))
    zero = np.zeros(shape)
    magnet = before if before.axis is not None else after
    if magnet.axis is None:  # N/N (or reservoir/N): all three components, gamma = 0
        link = Link(None, zero, s, resistance, shunt, grounded)
        return Part("interface", np.zeros(shape + (3,)), zero, zero, zero, zero, link=link)
    m = magnet.axis
    gamma = zero if drive == "field" else np.broadcast_to(interface.gamma, shape)
    mixing = absorbing = side = None
    if interface.mixing is not None and (before.axis is None) != (after.axis is None):
        # transverse spin flowing from the N side into F: g_r mu_perp + g_i mu x m (absorbed there)
        g_r = np.broadcast_to(interface.mixing[..., 0], shape)
        g_i = np.broadcast_to(interface.mixing[..., 1], shape)
        absorbing = np.isinf(g_r)  # |g_mix| = inf: mu_perp = 0 on the N side, whatever g_i
        finite = np.where(absorbing, 0.0, g_r)[..., None, None]
        mixing = finite * (np.eye(3) - _outer(m)) - np.where(absorbing, 0.0, g_i)[..., None, None] * _cross_matrix(m)
        side = "a" if before.axis is None else "b"
    link = Link(m, gamma, s, resistance, shunt, grounded, mixing, absorbing, side)
    return Part("interface", gamma[..., None] * m, zero, zero, zero, zero, link=link)


def spin_hall_source(element: Element, eps: np.ndarray) -> np.ndarray:
    """s = theta_SH D (xhat x eps) of a normal metal under the in-plane field eps (MODEL.md 8b)."""
    along = np.stack([np.zeros_like(eps[..., 0]), -eps[..., 2], eps[..., 1]], axis=-1)  # xhat x eps
    return (np.asarray(element.theta_SH) * element.D)[..., None] * along


def boundary_conductance(boundary: Boundary, shape: tuple[int, ...]) -> np.ndarray:
    """M with j_s(into the end) = M mu = g_r mu_perp + g_i mu x m + g_s (m.mu) m, (B, 3, 3) (MODEL.md 8d)."""
    if boundary.kind == "open":
        return np.zeros(shape + (3, 3))
    m = np.broadcast_to(boundary.m, shape + (3,))
    g_r, g_i, g_s = (np.broadcast_to(v, shape)[..., None, None] for v in (boundary.g_r, boundary.g_i, boundary.g_s))
    longitudinal = _outer(m)
    return g_r * (np.eye(3) - longitudinal) - g_i * _cross_matrix(m) + g_s * longitudinal


def parts(arrays: StackArrays, drive: str = "current") -> tuple[list[Part], list[int], list[int]]:
    """The chain of parts and, for every user node k, its chain node just left and just right.

    ``drive`` chooses the sources: ``"current"`` the CPP sources per unit current (p m in F,
    gamma m at interfaces), ``"field"`` the spin Hall sources of the in-plane field (MODEL.md 8b,
    absolute: the field is part of the stack).  The two-ports are the same for both.
    Two-port coefficients are evaluated once per element, on the element's own shape,
    then broadcast to the batch.
    """
    shape = arrays.batch_shape
    magnetizations = [e.m for e in arrays.elements() if e is not None and e.m is not None]
    dtype = np.result_type(*magnetizations, float)
    zero, zero3 = np.zeros(shape), np.zeros(shape + (3,), dtype=dtype)
    infinite = np.full(shape, np.inf)

    def source(element: Element) -> np.ndarray:
        if drive == "field":
            if element.m is not None or arrays.eps is None or not np.any(element.theta_SH):
                return zero3
            return np.broadcast_to(spin_hall_source(element, arrays.eps), shape + (3,))
        if element.m is None:
            return zero3
        return np.broadcast_to(element.p[..., None] * element.m, shape + (3,))

    def left_end() -> Part:
        boundary = arrays.boundaries.get("left")
        if boundary is not None:  # j_s(x_0-) = -M mu_0: flows along -x into the end
            return Part(boundary.kind, zero3, zero, zero, zero, -end_conductance(boundary),
                        relaxation=end_relaxation(boundary))
        end = arrays.left
        if end is None:
            return Part("reservoir", zero3, zero, zero, zero, zero, relaxation=(None, infinite, infinite))
        return Part("lead", source(end), zero, zero, zero, -end_stiffness(end), axis(end), end.is_coherent,
                    relaxation=lead_relaxation(end))

    def right_end() -> Part:
        boundary = arrays.boundaries.get("right")
        if boundary is not None:  # j_s(x_L+) = M mu_L
            return Part(boundary.kind, zero3, end_conductance(boundary), zero, zero, zero,
                        relaxation=end_relaxation(boundary))
        end = arrays.right
        if end is None:
            return Part("reservoir", zero3, zero, zero, zero, zero, relaxation=(None, infinite, infinite))
        return Part("lead", source(end), end_stiffness(end), zero, zero, zero, axis(end), end.is_coherent,
                    relaxation=lead_relaxation(end))

    def end_relaxation(boundary: Boundary) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        if boundary.kind == "open":
            return None, zero, zero
        g_r, g_i, g_s = (np.broadcast_to(v, shape) for v in (boundary.g_r, boundary.g_i, boundary.g_s))
        return np.broadcast_to(boundary.m, shape + (3,)), g_s, np.abs(g_r) + np.abs(g_i)

    def lead_relaxation(end: Element) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        G = np.broadcast_to(lead_stiffness(end), shape)
        if not end.is_coherent:
            return None, G, G
        return axis(end), G, np.abs(np.broadcast_to(coherent.lead_stiffness(end), shape))

    def end_conductance(boundary: Boundary) -> np.ndarray:
        # an open end takes no spin current: a scalar 0 (multiples of 1 cost nothing in the steps), not a 3x3 0
        return zero if boundary.kind == "open" else boundary_conductance(boundary, shape)

    def end_stiffness(end: Element) -> np.ndarray:
        G = np.broadcast_to(lead_stiffness(end), shape)
        if not end.is_coherent:
            return G
        m = np.broadcast_to(end.m, shape + (3,))  # G on m m^T, the complex Gt on the plane normal to m
        return G[..., None, None] * _outer(m) + coherent.as_matrix(np.broadcast_to(coherent.lead_stiffness(end), shape), m)

    axes: dict[int, np.ndarray] = {}

    def axis(element: Element) -> np.ndarray | None:
        # one array per element: an interface's m is then its F's own (``is`` tells the same rail)
        if element.m is None:
            return None
        if id(element) not in axes:
            axes[id(element)] = np.broadcast_to(element.m, shape + (3,))
        return axes[id(element)]

    chain: list[Part] = []
    left_node, right_node = [], []
    n_layers = len(arrays.layers)
    for k in range(n_layers + 1):
        if k == 0:
            chain.append(left_end())
        else:
            layer = arrays.layers[k - 1]
            gc, gs = (np.broadcast_to(v, shape) for v in layer_stiffness(layer))
            sink = np.broadcast_to(layer_sink(layer), shape)
            along = (np.broadcast_to(layer.thickness <= layer.l, shape), gc)
            channels = (along, along)
            relaxation = (None, sink, sink)
            if layer.is_coherent:
                t_coth = np.broadcast_to(coherent.layer_stiffness(layer)[0], shape)
                kd = np.broadcast_to(coherent.wavenumber(layer) * layer.thickness, shape)
                channels = (along, (np.abs(kd) <= 1.0, np.abs(t_coth)))
                gc, gs = coherent_layer_stiffness(layer, shape, gc, gs)
                relaxation = (axis(layer), sink, np.abs(np.broadcast_to(coherent_transverse_sink(layer), shape)))
                sink = coherent_layer_sink(layer, shape, sink)
            chain.append(Part("layer", source(layer), gc, -gs, gs, -gc, axis(layer), layer.is_coherent, sink,
                              channels, relaxation=relaxation))
        left_node.append(len(chain) - 1)
        if k in arrays.interfaces:
            following = arrays.layers[k] if k < n_layers else arrays.right
            after = Part("reservoir", zero3, zero, zero, zero, zero) if following is None else \
                Part("layer", zero3, zero, zero, zero, zero, None if following.m is None else axis(following))
            chain.append(_interface_part(arrays.interfaces[k], chain[-1], after, shape, drive))
        right_node.append(len(chain) - 1)
    chain.append(right_end())
    return chain, left_node, right_node


# ---------------------------------------------------------------- small blocks
def _node_basis(before: Part, after: Part, shape: tuple[int, ...]) -> tuple[bool, np.ndarray | None]:
    """(is_reservoir, basis) of the chain node between two parts: m next to a ferromagnet, None = R^3.

    Next to an interface the node belongs to the material on its other side, except that an infinite
    mixing conductance (every configuration) pins the N side's mu_perp to 0: that node is on m, as at a
    transparent N/F node (so that a thin layer beyond it is stepped through as there).
    """
    if "reservoir" in (before.kind, after.kind):
        return True, None
    for part, side in ((before, "b"), (after, "a")):
        if part.link is not None and part.link.pins(side):
            return False, part.link.axis
    neighbours = [p for p in (before, after) if p.kind != "interface"]
    # a coherent F (MODEL.md 8e) lets transverse spin in: its nodes are free unless a fully absorbing F is the
    # other neighbour
    magnet = next((p for p in neighbours if p.axis is not None and not p.coherent), None)
    return False, None if magnet is None else magnet.axis


def _sandwich(a: np.ndarray | None, K: np.ndarray, b: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """E_a^T K E_b for node bases (m vector or None = identity): (B, n_a, n_b)."""
    if K.ndim == len(shape):  # a multiple of the identity
        if a is not None and b is not None:
            return (K if a is b else K * _dot(a, b))[..., None, None]
        if a is not None:
            return K[..., None, None] * a[..., None, :]
        if b is not None:
            return K[..., None, None] * b[..., :, None]
        return K[..., None, None] * np.eye(3)
    left = K if a is None else np.einsum("...i,...ij->...j", a, K)[..., None, :]
    return left if b is None else np.einsum("...ij,...j->...i", left, b)[..., :, None]


def _apply(K: np.ndarray, vector: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """K v for a scalar-times-identity or matrix K."""
    if K.ndim == len(shape):
        if not np.any(K):  # reservoirs and the far sides of leads: nothing to add
            return np.zeros_like(vector)
        return K[..., None] * vector
    return np.einsum("...ij,...j->...i", K, vector)


def _project(axis: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """E^T v: (B, n, 1)."""
    if axis is None:
        return vector[..., :, None]
    return _dot(axis, vector)[..., None, None]


def _solve_small(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve a batch of 1x1 or 3x3 systems (no pivoting: the blocks have a positive definite symmetric part)."""
    if matrix.shape[-1] == 1:
        return rhs / matrix
    # 3x3 by the adjugate, spelled out element by element (np.cross and batched matmul are slow on
    # 3-vectors); exact for complex input too
    a = [[matrix[..., i, j] for j in range(3)] for i in range(3)]
    cofactor = [[a[(i + 1) % 3][(j + 1) % 3] * a[(i + 2) % 3][(j + 2) % 3]
                 - a[(i + 1) % 3][(j + 2) % 3] * a[(i + 2) % 3][(j + 1) % 3] for j in range(3)] for i in range(3)]
    determinant = a[0][0] * cofactor[0][0] + a[0][1] * cofactor[0][1] + a[0][2] * cofactor[0][2]
    b = [rhs[..., j, :] for j in range(3)]
    # inverse[i][j] = cofactor[j][i] / det
    rows = [(cofactor[0][i][..., None] * b[0] + cofactor[1][i][..., None] * b[1] + cofactor[2][i][..., None] * b[2])
            for i in range(3)]
    return np.stack(rows, axis=-2) / determinant[..., None, None]


def _thin(layer: Part, load: np.ndarray, channel: int = 0) -> np.ndarray:
    """Where a layer's channel is thin and the load at its left node softer than the channel, (B,)."""
    thin, stiffness = layer.channels[channel]
    if not thin.any():
        return thin
    return thin & (np.abs(load).max(axis=(-2, -1)) <= stiffness)


def _thin_step(layer: Part, load: np.ndarray, pushed: np.ndarray, block: np.ndarray, partial: np.ndarray,
               axis_a: np.ndarray | None, axis_b: np.ndarray | None, shape: tuple[int, ...],
               inverse: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load and pushed right-hand side at a thin plain layer's right node b, from those at its left node a.

    The plain Schur step gives the load L = Gc - Gs Z^-1 Gs (Z = Gc + Y the block at a, Y the
    load there).  For a thin layer both terms are ~D / (2d) and their difference ~D d / l^2 is
    lost: a thin film between open ends came out 3 % wrong at d = 1e-7 l and 0/0 at 1e-9 l.
    With the layer's sink T = Gc - Gs evaluated directly and W = Y + T (so Gs = Z - W), the same
    step is exactly

        L = Y + 2T - W Z^-1 W,        R_b = R - W Z^-1 (R - s)

    (R the pushed right-hand side at a, s the layer's source; Z^-1 (R - s) is node a's own
    eliminated right-hand side ``partial``), free of large terms when the layer is thin and Y
    no stiffer than it (where W ~ Z the form would cancel instead: the caller chooses).  From a
    rail node a (m, 1 x 1 blocks) it holds along m; normal to m the node is pinned and the
    layer's transverse stiffness Gc reaches a node b of another basis through |m x m_b|^2.
    ``inverse``, when given, is Z^-1 (a node just right of an interface, whose block may hold the
    infinite conductances of a transparent one: Z itself is not used then).
    """
    Y, Z, R = load, block, pushed
    if axis_a is None:
        W = Y + layer.sink[..., None, None] * np.eye(3)
        full = Y + 2.0 * layer.sink[..., None, None] * np.eye(3) - W @ _solve_block(Z, inverse, W)
        pushed_full = R - W @ partial
        if axis_b is None:
            return full, pushed_full
        return _sandwich(axis_b, full, axis_b, shape), _project(axis_b, pushed_full[..., 0])
    T = layer.sink[..., None, None]
    W = Y + T
    along = Y + 2.0 * T - W * W / Z
    pushed_along = R - W * partial
    if axis_b is axis_a:
        return along, pushed_along
    m = axis_a
    gc = layer.K_aa[..., None, None]
    transverse_source = layer.source - _dot(m, layer.source)[..., None] * m
    if axis_b is None:  # Gc (1 - m m^T) + L_m m m^T
        outer = _outer(m)
        return (gc * (np.eye(3) - outer) + along * outer,
                transverse_source[..., :, None] + m[..., :, None] * pushed_along)
    cosine = _dot(m, axis_b)[..., None, None]
    sine2 = np.sum(np.cross(m, axis_b) ** 2, axis=-1)[..., None, None]  # 1 - cos^2 without the cancellation
    return gc * sine2 + along * cosine**2, _project(axis_b, transverse_source) + cosine * pushed_along


def _coherent_step(layer: Part, load: np.ndarray, pushed: np.ndarray, block: np.ndarray, axis_b: np.ndarray | None,
                   shape: tuple[int, ...], inverse: np.ndarray | None = None, axis: np.ndarray | None = None,
                   along: np.ndarray | None = None, plane: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_thin_step` for a coherent F layer from its free left node, channel by channel.

    Along m and normal to m the layer may be thin or not (l and l_J differ), so the exact
    rewriting is taken on the thin channels only: P projects on the channels that are thin with a
    soft load, and with Gs = P Z + V, V = (1 - P) Gs - P W (Gs, T and P commute),

        L = (1 - P) Gc + P (Y + 2T) P - V Z^-1 V',      V' = Gs (1 - P) - W P
        R_b = s + P (R - s) + V Z^-1 (R - s)

    exactly, for any such P (P = 0 is the plain step, P = 1 that of :func:`_thin_step`).

    With ``axis``: a plain (isotropic) layer from the free node just right of a magnetic interface,
    whose load is axial about the interface's m = ``axis``: ``along`` on m m^T, and normal to m as stiff
    as a large mixing conductance (m^T load m would carry that conductance times the rounding of
    m^T P_perp m: ``along`` is given), and its part normal to m is the interface's sink there, ``plane``
    (0 without one): Q load Q would hold ``along`` times the rounding of Q m (0.1 for g = 1e16, against
    the true 0 of g_mix = 0).  The channels are then along and normal to ``axis``, each soft or not by
    its own part of the load.
    """
    Y, Z, R = load, block, pushed
    eye = np.eye(3)
    if axis is None:
        gc, gs, T = layer.K_aa, -layer.K_ab, layer.sink
        m = np.broadcast_to(layer.axis, shape + (3,))
        longitudinal = _outer(m)
        P = (_thin(layer, Y, 0)[..., None, None] * longitudinal
             + _thin(layer, Y, 1)[..., None, None] * (eye - longitudinal))
    else:
        gc, gs, T = (value[..., None, None] * eye for value in (layer.K_aa, -layer.K_ab, layer.sink))
        longitudinal = _outer(axis)
        transverse = eye - longitudinal
        thin, stiffness = layer.channels[0]
        finite = np.isfinite(Y).all(axis=(-2, -1))  # an inf-marked (pinned) load is soft nowhere
        soft = finite & (np.abs(along) <= stiffness)
        plane = np.zeros(shape + (3, 3)) if plane is None else np.where(finite[..., None, None], plane, 0.0)
        across = finite & (np.abs(plane).max(axis=(-2, -1)) <= stiffness)
        P = (thin & soft)[..., None, None] * longitudinal + (thin & across)[..., None, None] * transverse
    Y = _finite_load(Y)  # an infinite load is never thin (P = 0 there): only P-weighted terms see it
    W = Y + T
    rest = eye - P
    if axis is None:
        PW, WP, PYP = P @ W, W @ P, P @ (Y + 2.0 * T) @ P
    else:
        # Y is axial: P Y = Y P = p_along (m.Y m) m m^T + p_across Q Y Q, written so, not as products: m m^T Y
        # would carry the rounding of m^T Q times a mixing conductance of 1e30 normal to m
        p_along, p_across = (thin & soft)[..., None, None], (thin & across)[..., None, None]
        Y_along = np.where(finite, along, 0.0)[..., None, None] * longitudinal
        Y_across = np.where(p_across, plane, 0.0)
        sink = layer.sink[..., None, None]
        PW = WP = p_along * (Y_along + sink * longitudinal) + Y_across + p_across * (sink * transverse)
        PYP = p_along * (Y_along + 2.0 * sink * longitudinal) + Y_across + p_across * (2.0 * sink * transverse)
    V = rest @ gs - PW
    full = rest @ gc + PYP - V @ _solve_block(Z, inverse, gs @ rest - WP)
    source = layer.source[..., :, None]
    difference = R - source
    pushed_full = source + P @ difference + V @ _solve_block(Z, inverse, difference)
    if axis_b is None:
        return full, pushed_full
    return _sandwich(axis_b, full, axis_b, shape), _project(axis_b, pushed_full[..., 0])


def _solve_block(block: np.ndarray, inverse: np.ndarray | None, rhs: np.ndarray) -> np.ndarray:
    """block^-1 rhs, by ``inverse`` when it is known."""
    return _solve_small(block, rhs) if inverse is None else inverse @ rhs


def _finite_load(load: np.ndarray) -> np.ndarray:
    """``load`` with its infinite entries (a node pinned by a transparent interface) set to 0.

    Used where only thin configurations count (an infinite load is never thin): the others
    are discarded, and must not fill the arithmetic with inf - inf.
    """
    finite = np.isfinite(load)
    return load if finite.all() else np.where(finite, load, 0.0)


def _inverse3(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a batch of 3x3 matrices, scaled first (entries up to the conductances' 1e150 squared
    and cubed would overflow the adjugate's products)."""
    scale = np.abs(matrix).max(axis=(-2, -1))[..., None, None]
    scale = np.where(scale > 0, scale, 1.0)
    identity = np.broadcast_to(np.eye(3), matrix.shape)
    return _solve_small(matrix / scale, identity) / scale


#: singular values of a node block below this fraction of its scale are taken as exactly 0: the spin
#: accumulation along them is undetermined (no stiffness at all, see :func:`_plane_inverse`), and what
#: the arithmetic leaves there is rounding (~1e-16 of the scale), not a stiffness
FLOATING = 1e-12


def _plane_frame(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors e1, e2 spanning the plane normal to m (m, e1, e2 orthonormal), (B, 3) each.

    e1 = m x a / |m x a| with a the coordinate axis least aligned with m (|m x a|^2 >= 2/3);
    bilinear norms (no conjugate), so that a complex-step m (tiny imaginary part) stays analytic.
    """
    index = np.argmin(np.abs(np.real(m)), axis=-1)
    axis = np.eye(3)[index]
    e1 = np.cross(m, axis)
    e1 = e1 / np.sqrt(_dot(e1, e1))[..., None]
    return e1, np.cross(m, e1)


def _plane_inverse(plane: np.ndarray, m: np.ndarray, absorbing: np.ndarray | None,
                   scale: np.ndarray | float | None = None, floats: Callable[[np.ndarray], np.ndarray] | None = None,
                   floating: list | None = None) -> np.ndarray:
    """The inverse, on the plane normal to m, of a 3x3 ``plane`` that maps that plane into itself (0 on m);
    0 where ``absorbing`` (an infinite mixing conductance pins mu_perp to 0).

    Taken in an orthonormal frame (e1, e2) of the plane: A = E^T plane E (2 x 2), inverse E A^-1 E^T,
    which is 0 on m up to the rounding of the frame itself (not of a term of the size of A^-1; the
    former trace shift gave 0/0 for a traceless plane, g_r = 0 with g_i != 0).

    A plane without stiffness in some direction is the node of a spin accumulation that nothing
    fixes: an N region without relaxation (l = inf, leads with l = inf) bounded by interfaces with
    g_mix = 0 (g_r = g_i = 0 next to an l = inf lead gave NaN).  Its limit l -> inf has no
    accumulation along that direction when nothing drives it there (see :func:`_check_floating`),
    which is the pseudo-inverse's answer.  A singular value of A below ``FLOATING`` times ``scale``
    (the size of the block A was projected from; default that of A) marks a candidate, and
    ``floats(null projector)`` (B,) says where the region really has no relaxation along it
    (:func:`_floats`): a tiny stiffness may also be an exact one.  There the pseudo-inverse is taken,
    and (right null projector, left null projector), (B, 3, 3) each, are appended to ``floating``.
    """
    pinned = absorbing is not None and absorbing.any()
    e1, e2 = _plane_frame(m)
    frame = (e1, e2)
    A = [[_dot(e, (plane @ f[..., :, None])[..., 0]) for f in frame] for e in frame]
    (a, b), (c, d) = A
    determinant = a * d - b * c
    size = np.sqrt(np.abs(a)**2 + np.abs(b)**2 + np.abs(c)**2 + np.abs(d)**2)  # the Frobenius norm of A
    if scale is None:
        scale = size
    largest = np.sqrt(0.5 * (size**2 + np.sqrt(np.maximum(size**4 - 4.0 * np.abs(determinant)**2, 0.0))))
    threshold = FLOATING * scale
    regular = np.abs(determinant) > threshold * largest  # smallest singular value = |det| / largest
    if pinned:
        regular = regular | absorbing  # (discarded there)
    square = a * a + b * b + c * c + d * d  # bilinear |A|^2 (complex step)

    def lift(matrix: list[list[np.ndarray]]) -> np.ndarray:  # E M E^T
        return sum(matrix[i][j][..., None, None] * (frame[i][..., :, None] * frame[j][..., None, :])
                   for i in range(2) for j in range(2))

    def nulls(rank_one: np.ndarray, where: np.ndarray) -> list[np.ndarray]:
        # I - A^+ A and I - A A^+ in the frame where ``where`` (0 elsewhere); rank one: A^+ = A^T / |A|^2
        right = [[a * a + c * c, a * b + c * d], [b * a + d * c, b * b + d * d]]
        left = [[a * a + b * b, a * c + b * d], [c * a + d * b, c * c + d * d]]
        with np.errstate(divide="ignore", invalid="ignore"):
            return [lift([[np.where(where, (i == j) - np.where(rank_one, product[i][j] / square, 0.0), 0.0)
                           for j in range(2)] for i in range(2)]) for product in (right, left)]

    if not regular.all() and floats is not None:
        # a tiny singular value that the region's parameters do not make exactly 0 is solved as it is
        candidate = ~regular
        truly = candidate & floats(nulls(candidate & (largest > threshold), candidate)[0])
        regular = regular | (candidate & ~truly & (determinant != 0))
    rank_one = ~regular & (largest > threshold)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # full rank: the adjugate over det; rank 1 (within rounding): the pseudo-inverse of the rank-1 part;
        # no stiffness at all: 0
        inverse = [[np.where(regular, d / determinant, np.where(rank_one, a / square, 0.0)),
                    np.where(regular, -b / determinant, np.where(rank_one, c / square, 0.0))],
                   [np.where(regular, -c / determinant, np.where(rank_one, b / square, 0.0)),
                    np.where(regular, a / determinant, np.where(rank_one, d / square, 0.0))]]
    result = lift(inverse)
    if floating is not None and not regular.all():
        floating.append(tuple(nulls(rank_one, ~regular)))
    return np.where(absorbing[..., None, None], 0.0, result) if pinned else result


def _through_interface(link: Link, load: np.ndarray, pushed: np.ndarray, axis_a: np.ndarray | None,
                       axis_b: np.ndarray | None, b_active: bool, shape: tuple[int, ...],
                       floats: Callable[[np.ndarray], np.ndarray] | None = None,
                       floating: list | None = None) -> tuple[tuple[np.ndarray | None, np.ndarray],
                                  tuple[np.ndarray, np.ndarray, np.ndarray | None] | None]:
    """Eliminate the node a just left of an interface, in resistance form; the load it passes to node b.

    At node a the rest of the chain to the left gives j arriving = R - Y x_a (``pushed``, ``load``).
    Along the channel (after the components normal to m are eliminated at a free node, with the
    N side's sink g_r mu_perp + g_i mu x m when the sink is there) this is rho - h u_a; the pi
    network of :class:`Link` then gives, with H = h + (c - s) and r = 1/s,

        u_a = (u_b + r (rho - gamma)) / (1 + r H),   j_b = gamma + (rho - gamma) / (1 + r H)
                                                             - (H / (1 + r H) + c - s) u_b

    which is exact at r = 0 (u_a = u_b: the transparent node of MODEL.md 3a) and at r = inf (the
    faces decouple), and never subtracts g-sized terms (the conductance form g - g^2 / (Y + g)
    lost ~eps g / Y: 5e-5 at g = 1e12, everything at 1e16).  At an N/N interface the same holds
    with h a 3x3 matrix.

    Returns
    -------
    (carry, partial)
        x_a = partial - carry x_b (carry None when node b is a reservoir).
    (load, pushed, along) or None
        For node b: its load and pushed right-hand side from the left, and the load along m
        (or the isotropic load of a grounded N/N channel) for :func:`_block_inverse`; None when
        node b is a reservoir.
    """
    s, r, shunt, m = link.conductance, link.resistance, link.shunt, link.axis
    if m is None:  # N/N: node a is free, the channel carries all three components
        eye = np.eye(3)
        H = load + shunt[..., None, None] * eye
        # r |H| beyond 1e280 only decouples the faces further (r = inf for delta > ~745): kept finite, and
        # the scaled inverse of 1 + r H with it
        r3 = np.minimum(r, 1e280 / (1.0 + np.abs(H).max(axis=(-2, -1))))[..., None, None]
        weight = _inverse3(eye + r3 * H)
        partial = weight @ (r3 * pushed)
        if not b_active:
            return (None, partial), None
        return (-weight, partial), (weight @ H + shunt[..., None, None] * eye, weight @ pushed, None)
    gamma = link.gamma
    if axis_a is None:  # a free node a: eliminate the components normal to m first
        sink = link.sink("a")
        longitudinal = _outer(m)
        Q = np.eye(3) - longitudinal
        plane = Q @ load @ Q
        # the plane's size is judged against the whole load's (a direction it does not stiffen: see _plane_inverse)
        scale = np.abs(load).max(axis=(-2, -1))
        if sink is not None:
            plane = plane + sink[0]
            scale = np.maximum(scale, np.abs(sink[0]).max(axis=(-2, -1)))
        inverse = _plane_inverse(plane, m, None if sink is None else sink[1], scale, floats, floating)
        column = m[..., :, None]
        row = m[..., None, :]
        Ym, mY = load @ column, row @ load
        h = (mY @ column - mY @ inverse @ Ym)[..., 0, 0]
        rho = (row @ pushed - mY @ inverse @ pushed)[..., 0, 0]
        direction = column - inverse @ Ym  # x_a = direction u_a + offset_a
        offset_a = inverse @ pushed
    else:  # on the rail of the F on its left (the interface's own m)
        h, rho = load[..., 0, 0], pushed[..., 0, 0]
        direction, offset_a = np.ones(shape + (1, 1)), np.zeros(shape + (1, 1))
    relative = rho - gamma
    H = h + shunt
    with np.errstate(divide="ignore", over="ignore"):
        weight = 1.0 / (1.0 + r * H)  # 0 where r = inf (or r H overflows)
        offset = relative / (s + H)  # r (rho - gamma) / (1 + r H), 0 where s = inf
    partial = direction * offset[..., None, None] + offset_a
    if not b_active:
        return (None, partial), None
    along = H * weight + shunt  # the load along m at node b
    pushed_b = relative * weight + gamma
    if axis_b is not None:  # node b on a rail: m_b = +-m
        c = np.ones(shape) if axis_b is m else _dot(axis_b, m)
        carry = -(direction * (weight * c)[..., None, None])
        return (carry, partial), ((along * c * c)[..., None, None], (pushed_b * c)[..., None, None], along)
    carry = -(direction * weight[..., None, None]) @ m[..., None, :]
    load_b = along[..., None, None] * _outer(m)
    sink = link.sink("b")
    if sink is not None:
        load_b = load_b + sink[0]
        load_b = np.where(sink[1][..., None, None], np.inf, load_b)  # pinned normal to m: never thin
    return (carry, partial), (load_b, pushed_b[..., None, None] * m[..., :, None], along)


def _grounded(link: Link, axis_b: np.ndarray | None, shape: tuple[int, ...]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(load, pushed, along) at node b of an interface whose left face is a reservoir (mu_a = 0): the channel
    is a conductance c = G_I coth(delta) to ground (inf for a transparent interface: mu_b pinned to 0 along it)."""
    c = link.grounded
    pinned = np.isinf(c)[..., None, None]
    if link.axis is None:  # N/N: all three components
        return np.where(np.eye(3, dtype=bool) | pinned, c[..., None, None], 0.0), np.zeros(shape + (3, 1)), c
    m, gamma = link.axis, link.gamma
    if axis_b is not None:  # on the F's rail: the interface's own m
        return c[..., None, None], gamma[..., None, None], c
    finite = np.where(np.isinf(c), 0.0, c)  # a coherent F beyond: its node is free normal to m
    load = np.where(pinned, np.inf, finite[..., None, None] * _outer(m))
    return load, gamma[..., None, None] * m[..., :, None], c


def _block_inverse(link: Link, load: np.ndarray, along: np.ndarray | None, after: Part, shape: tuple[int, ...],
                   floats: Callable[[np.ndarray], np.ndarray] | None = None, floating: list | None = None
                   ) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    """The inverse of the block at the free node b just right of an interface, exact with infinite conductances.

    The block is the interface's load plus the next part's K_aa.  Behind a magnetic interface
    both are axial about m (the load: ``along`` m m^T plus the sink on the plane; the next part:
    a normal metal's scalar, or a coherent F's two-port about +-m), so the block splits into
    1 / (along + K_mm) on m and a plane inverse, each finite when a conductance is inf.  Behind an N/N
    interface the load is a finite 3x3: None (the block is solved as any other) unless it is large
    enough (a spin memory loss at a huge g) for the adjugate's products to overflow.

    Returns
    -------
    (inverse, parts)
        The whole inverse (or None) and, behind a magnetic interface, its parts on m and on the plane
        normal to m (None otherwise): the right-hand side the interface pushes to node b is along m,
        where the plane part is 0 (so it is not applied there: see :func:`solve_unit`).
    """
    K = after.K_aa
    scalar = K.ndim == len(shape)
    if link.axis is None:
        if along is not None and scalar:  # a grounded N/N channel: isotropic
            return (1.0 / (along + K))[..., None, None] * np.eye(3), None
        return (_inverse3(_sandwich(None, K, None, shape) + load) if np.abs(load).max() > 1e100 else None), None
    m = link.axis
    longitudinal = _outer(m)
    if scalar:
        K_along, plane = K, K[..., None, None] * (np.eye(3) - longitudinal)
    else:
        Q = np.eye(3) - longitudinal
        K_along, plane = _dot(m, (K @ m[..., :, None])[..., 0]), Q @ K @ Q
    sink = link.sink("b")
    if sink is not None:
        plane = plane + sink[0]
    axial = longitudinal / (along + K_along)[..., None, None]
    across = _plane_inverse(plane, m, None if sink is None else sink[1], floats=floats, floating=floating)
    return axial + across, (axial, across)


def _solve_last(block: np.ndarray, rhs: np.ndarray, floats: Callable[[np.ndarray], np.ndarray] | None = None,
                floating: list | None = None) -> np.ndarray:
    """block^-1 rhs at the last free node, the pseudo-inverse where the block is singular.

    Beside an end without stiffness in some direction (a lead with l = inf, an open end) the last
    block is singular when nothing else fixes that direction either (an N region without relaxation
    behind an N/N interface): the accumulation along it is undetermined, and its limit (l -> inf) is 0
    there (see :func:`_plane_inverse`).  A singular value below ``FLOATING`` times the largest marks a
    candidate; ``floats(null projector)`` says where the region has no relaxation along it, and only
    there is the pseudo-inverse taken (a tiny stiffness may be exact: a film of 1e-9 l beside a stiff
    transverse channel).  (right null projector, left null projector) are appended to ``floating`` there.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        solved = _solve_small(block, rhs)
    failed = ~np.isfinite(solved).all(axis=(-2, -1))
    singular = np.linalg.svd(np.real(np.where(failed[..., None, None], 0.0, block)), compute_uv=False)
    candidate = failed | (singular[..., -1] <= FLOATING * singular[..., 0])
    if not candidate.any():
        return solved
    eye = np.eye(block.shape[-1])
    pseudo = np.linalg.pinv(np.where(candidate[..., None, None], block, eye), rcond=FLOATING)
    right = np.where(candidate[..., None, None], eye - pseudo @ block, 0.0)
    stuck = candidate & (floats(right) if floats is not None else True) | failed
    if not stuck.any():
        return solved
    if floating is not None:
        floating.append((np.where(stuck[..., None, None], right, 0.0),
                         np.where(stuck[..., None, None], eye - block @ pseudo, 0.0)))
    return np.where(stuck[..., None, None], pseudo @ rhs, solved)


def _relaxes(part: Part, face: str, mode: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Where ``part`` takes spin out at its face ``face`` ("a" left, "b" right) along ``mode`` (B, 3, k), (B,).

    Judged on the part's coefficients, each exactly 0 where nothing relaxes (l = inf, g_mix = 0, an open
    end), and on the mode's components along and normal to the part's axis: a component that is only
    the rounding of the frame (|.|^2 < 1e-20 of the mode's) does not count.
    """
    if part.link is not None:
        link = part.link
        if link.axis is None:
            relaxation = (None, link.shunt, link.shunt)
        else:  # the spin memory loss along m at both faces; the mixing sink normal to m at its own face
            across = np.zeros(shape)
            sink = link.sink(face)
            if sink is not None:
                across = np.where(sink[1], np.inf, np.abs(sink[0]).max(axis=(-2, -1)))
            relaxation = (link.axis, link.shunt, across)
    else:
        relaxation = part.relaxation
    axis, along, across = relaxation
    size = np.sum(np.abs(mode)**2, axis=(-2, -1))
    if axis is None:
        return (along != 0) & (size > 0)
    e1, e2 = _plane_frame(axis)
    parts = [np.sum(np.abs(np.einsum("...i,...ik->...k", vector, mode))**2, axis=-1) for vector in (axis, e1, e2)]
    return ((along != 0) & (parts[0] > 1e-20 * size)) | ((across != 0) & (parts[1] + parts[2] > 1e-20 * size))


def _floats(i: int, mode: np.ndarray, chain: list[Part], eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]],
            previous: dict[int, int], axis: list[np.ndarray | None], shape: tuple[int, ...]) -> np.ndarray:
    """Where ``mode`` (B, n, k) at chain node i, an accumulation that costs nothing at i, spreads over a region
    in which no part relaxes it, (B,): the region is where the elimination carries it to the left (x_j =
    partial_j - carry_j x_next) undiminished, up to a rail, a reservoir or a relaxing part."""
    free = np.ones(shape, dtype=bool)
    j = i
    while True:
        vectors = mode if axis[j] is None else axis[j][..., :, None] * mode  # (B, 3, k)
        free = free & ~_relaxes(chain[j], "b", vectors, shape) & ~_relaxes(chain[j + 1], "a", vectors, shape)
        if j not in previous or not free.any() or eliminated[previous[j]][0] is None:
            return free
        mode = -eliminated[previous[j]][0] @ mode
        if np.abs(mode).max() < 1e-6:  # past the region
            return free
        j = previous[j]


def _check_floating(sites: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
                    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]], coordinates: dict[int, np.ndarray],
                    active: list[int], chain: list[Part], left_node: list[int], right_node: list[int],
                    drive: str) -> None:
    """Refuse a solution whose undetermined directions (see :func:`_plane_inverse`) are not its l -> inf limit.

    ``sites``: chain node -> [(right null projector, left null projector, right-hand side there)], the
    nodes where an accumulation costs nothing because the whole region around it has no relaxation
    along it (:func:`_floats`).  The solutions are then x + t z, z that direction carried through the
    region by the elimination (z_j = -carry_j z_next), and the pseudo-inverse took t = 0 at the node.
    As the l of the region tend to inf, the limit is x when x has no part along z anywhere in the
    region (nothing drives that direction: always so for the current, whose sources are along the
    magnetizations).  Otherwise the stack has no answer at l = inf, refused with the reason:

    * the right-hand side has a part along the left null direction: spin is injected into the region
      (a spin Hall source in an l = inf lead) with no way out: the accumulation grows without bound;
    * x varies along z inside the region (a spin Hall source in an l = inf layer there): its level is
      set only by the vanishing relaxation, so the limit depends on how each l tends to inf (unique
      only in special cases, one such layer or one l = inf lead, which are refused all the same).
    """
    if not sites:
        return
    shape = coordinates[active[0]].shape[:-1]
    current = np.zeros(shape)  # the largest source (a spin current) and accumulation: what "0" is compared to
    for part in chain:
        current = np.maximum(current, np.abs(part.source).max(axis=-1))
    accumulation = np.zeros(shape)
    for x in coordinates.values():
        accumulation = np.maximum(accumulation, np.abs(x).max(axis=-1))
    order = {node: k for k, node in enumerate(active)}

    def user_node(i: int) -> int:
        return next(k for k in range(len(left_node)) if i in (left_node[k], right_node[k]))

    source = "the in-plane field's spin Hall effect" if drive == "field" else "the current"
    region = "a region that neither relaxes spin (l = inf) nor lets it out (g_mix = 0 at its interfaces, " \
             "leads with l = inf, open ends)"
    for i, found in sites.items():
        for right, left, rhs in found:
            residual = np.abs((left @ rhs)[..., 0]).max(axis=-1)
            if np.any(residual > 1e-9 * current):
                raise SpinstackError(f"node {user_node(i)}: {source} injects spin into {region}: there is no steady "
                                     "state (the accumulation grows without bound as l -> inf); give an l there a "
                                     "finite value or g_mix > 0")
            z = right  # (B, n, 3): the columns span the undetermined directions at node i
            k = order[i]
            while True:
                along = np.abs(np.einsum("...ij,...i->...j", z, coordinates[active[k]])).max(axis=-1)
                if np.any(along > 1e-8 * accumulation):
                    raise SpinstackError(f"node {user_node(i)}: {source} drives spin accumulation inside {region}: "
                                         "its level there is set only by how the relaxation vanishes as l -> inf "
                                         "(in general by how each l tends to inf), which is not resolved here; "
                                         "give the l there finite values or g_mix > 0")
                if k == 0 or eliminated[active[k - 1]][0] is None:  # the chain's start, or a reservoir
                    break
                z = -eliminated[active[k - 1]][0] @ z
                k -= 1
                if np.abs(z).max() < 1e-6:  # past the region (as in _floats)
                    break


def solve_unit(arrays: StackArrays, drive: str = "current") -> UnitSolution:
    """Solve the node system of MODEL.md 3a/3b (and 8d) for every configuration of the batch.

    ``drive="current"``: per unit current (j0 = 1); ``"field"``: driven by the stack's in-plane
    field alone (j0 = 0).  Block elimination runs over the chain nodes (O(L)), each step
    vectorised over the batch.  A single long stack driven by the current is solved over all
    layers at once instead: banded without resistive interfaces (:mod:`.banded`), with them the
    same elimination compiled (:mod:`.linked`).
    """
    if drive == "current" and banded.applies(arrays) and len(arrays.layers) > 8:
        # a single long stack: all layers at once, banded LAPACK solve
        return LayerwiseSolution(arrays, banded.solve_layerwise(arrays))
    from . import linked  # (it builds on this module's formulas)

    if linked.applies(arrays, drive):
        # a single long stack with resistive interfaces: the same elimination, compiled
        result = linked.solve(arrays)
        if result is not None and np.isfinite(result["accumulation"]).all():
            return LayerwiseSolution(arrays, result)
    shape = arrays.batch_shape
    chain, left_node, right_node = parts(arrays, drive)
    n = len(chain) - 1  # chain nodes between consecutive parts
    bases = [_node_basis(chain[i], chain[i + 1], shape) for i in range(n)]
    reservoir = [b[0] for b in bases]
    axis = [b[1] for b in bases]
    active = [i for i in range(n) if not reservoir[i]]
    # complex when a magnetization is (complex-step efficiency limits)
    dtype = np.result_type(*(p.source for p in chain), *(a for a in axis if a is not None))

    def diagonal(i: int) -> np.ndarray:
        before, after = chain[i], chain[i + 1]
        return _sandwich(axis[i], after.K_aa, axis[i], shape) - _sandwich(axis[i], before.K_bb, axis[i], shape)

    def lower(i: int) -> np.ndarray:  # A_{i, i-1}
        return -_sandwich(axis[i], chain[i].K_ba, axis[i - 1], shape)

    def upper(i: int) -> np.ndarray:  # A_{i, i+1}
        return _sandwich(axis[i], chain[i + 1].K_ab, axis[i + 1], shape)

    # forward elimination.  Each node's block is the next part's own stiffness plus the load of
    # everything to its left (``load``); the right-hand side likewise (``pushed``).  Kept apart
    # so that a thin layer can pass its load on without cancellation (see _thin_step), and so that
    # a resistive interface is stepped through in resistance form (see _through_interface).
    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
    pending: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    previous: int | None = None
    load = pushed = block = inverse = None
    alongs: dict[int, np.ndarray] = {}  # behind a magnetic interface: the load along its m at the free node b
    sites: dict[int, list] = {}  # nodes with undetermined directions (see _check_floating)
    before_node = dict(zip(active[1:], active[:-1]))  # active node -> the active node before it

    def floats(i: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda mode: _floats(i, mode, chain, eliminated, before_node, axis, shape)

    def note(i: int, found: list, rhs: np.ndarray) -> None:
        if found:
            sites[i] = [(right, left, rhs) for right, left in found]

    for i in active:
        before, after = chain[i], chain[i + 1]
        step = previous == i - 1 and before.kind == "layer"
        along = None
        behind = chain[i - 1].link if i > 0 else None  # the interface left of the previous node, if any
        if before.link is not None:  # just right of an interface: the load it passes on
            load, pushed, along = pending.pop(i) if i in pending else _grounded(before.link, axis[i], shape)
        elif step and before.coherent and axis[i - 1] is None:
            load, pushed = _coherent_step(before, load, pushed, block, axis[i], shape, inverse)
        elif step and axis[i - 1] is None and behind is not None and behind.axis is not None \
                and before.channels[0][0].any():
            # a thin layer beyond a magnetic interface's free node: soft along m, stiff across (a large g_mix)
            sink = behind.sink("b")  # the load's part normal to m (see _coherent_step)
            load, pushed = _coherent_step(before, load, pushed, block, axis[i], shape, inverse, behind.axis,
                                          alongs[i - 1], None if sink is None else sink[0])
        else:
            # a thin layer with a soft load: the plain step would cancel (see _thin_step)
            thin = _thin(before, load) if step and not before.coherent else None
            # (behind an interface the load may hold the inf of a pinned node: never thin, kept out of the sums)
            exact = _thin_step(before, _finite_load(load) if behind is not None else load, pushed, block,
                               eliminated[previous][1], axis[i - 1], axis[i], shape, inverse) \
                if thin is not None and thin.any() else None
            if exact is not None and thin.all():
                load, pushed = exact
            else:
                load = -_sandwich(axis[i], before.K_bb, axis[i], shape)
                pushed = _project(axis[i], before.source)
                if previous is not None:
                    coupling = lower(i)
                    carry, partial = eliminated[previous]
                    load = load - coupling @ carry
                    pushed = pushed - coupling @ partial
                if exact is not None:
                    load = np.where(thin[..., None, None], exact[0], load)
                    pushed = np.where(thin[..., None, None], exact[1], pushed)
        following_active = i + 1 < n and not reservoir[i + 1]
        if after.link is not None:  # node i is eliminated through the interface (resistance form)
            found: list = []
            eliminated[i], passed = _through_interface(after.link, load, pushed, axis[i],
                                                       axis[i + 1] if following_active else None,
                                                       following_active, shape, floats(i), found)
            note(i, found, pushed)
            if passed is not None:
                pending[i + 1] = passed
            previous, block, inverse = i, None, None
            continue
        block = _sandwich(axis[i], after.K_aa, axis[i], shape) + load
        found = []
        inverse, split = _block_inverse(before.link, load, along, after, shape, floats(i), found) \
            if before.link is not None and axis[i] is None else (None, None)
        if along is not None:
            alongs[i] = along
        source = _project(axis[i], after.source)
        rhs = pushed - source
        following = upper(i) if following_active else None
        if inverse is None:
            carry = _solve_small(block, following) if following is not None else None
            # the last node beside an end may be singular (see _solve_last); no other block is
            last = following is None and after.kind in ("lead", "open", "insulator")
            eliminated[i] = (carry, _solve_last(block, rhs, floats(i), found) if last else _solve_small(block, rhs))
        else:
            # behind a magnetic interface ``pushed`` is along m, where the plane part of the inverse is 0
            # (applied, it would give its rounding times the plane's inverse, ~1e4 for a lead with l = 1e20)
            partial = inverse @ rhs if split is None else split[0] @ rhs - split[1] @ source
            eliminated[i] = (inverse @ following if following is not None else None, partial)
        note(i, found, rhs if split is None else -source)  # (the plane part sees only the source)
        previous = i

    # back substitution
    coordinates: dict[int, np.ndarray] = {}
    later: np.ndarray | None = None
    for i in reversed(active):
        carry, partial = eliminated[i]
        later = partial if later is None or carry is None else partial - carry @ later
        coordinates[i] = later[..., :, 0]  # (B..., 1) along the axis or (B..., 3)
    _check_floating(sites, eliminated, coordinates, active, chain, left_node, right_node, drive)
    _check_finite(coordinates.values())
    return UnitSolution(arrays, chain, left_node, right_node, coordinates, axis, dtype)


def _check_finite(values: Iterable[np.ndarray]) -> None:
    """Refuse node values that are not finite: never a NaN returned in silence.

    Every valid stack has a finite solution (undetermined directions are resolved or refused by
    :func:`_check_floating`), so what is left is arithmetic beyond double precision.
    """
    for value in values:
        if not np.isfinite(value).all():
            raise SpinstackError("numerical failure while solving: the spin accumulation is not finite in double "
                                 "precision (the parameters span too many orders of magnitude)")


# ------------------------------------------------------------ derived integrals
def layer_ends(unit: UnitSolution) -> tuple[np.ndarray, np.ndarray]:
    """(mu_a, mu_b): each layer's values at its left and right faces, (B..., L, 3) each."""
    return unit.accumulation_right[..., :-1, :], unit.accumulation[..., 1:, :]


def spin_flip_loss(arrays: StackArrays, mu_a: np.ndarray, mu_b: np.ndarray) -> np.ndarray:
    """Spin lost to the lattice in each layer, integral of D mu_s / (2 l^2) dx: (B..., L, 3).

    Closed form: (D / (2 d)) X tanh(X / 2) (mu_a + mu_b), zero for l = inf.
    """
    factors = []
    for layer in arrays.layers:
        X = layer.thickness / layer.l
        factors.append(np.broadcast_to(layer.D / (2.0 * layer.thickness) * x_tanh_half_x(X), arrays.batch_shape))
    if not factors:
        return np.zeros(mu_a.shape[:-2] + (0, 3))
    factor = np.stack(factors, axis=-1)[..., None]
    loss = factor * (mu_a + mu_b)
    for i, layer in enumerate(arrays.layers):
        if not layer.is_coherent:
            continue
        # MODEL.md 8e: the longitudinal part as above; the transverse part relaxes with kappa_sf on its own profile
        m = np.broadcast_to(layer.m, loss.shape[:-2] + (3,))
        total = mu_a[..., i, :] + mu_b[..., i, :]
        along = _dot(m, total)[..., None] * m
        transverse = coherent.act(np.broadcast_to(coherent.loss_factor(layer), arrays.batch_shape), m, total)
        loss[..., i, :] = factor[..., i, :] * along + transverse
    return loss


def functional(arrays: StackArrays, mu_a: np.ndarray, mu_b: np.ndarray, lead_left: np.ndarray,
               lead_right: np.ndarray, current: np.ndarray) -> np.ndarray:
    """The functional S of MODEL.md 5 at the given node values (profiles between nodes exact).

    Per layer, with a, b its end values: (1/2)[Gc (|a|^2 + |b|^2) - 2 Gs a.b] - p j0 m.(b - a)
    + p^2 j0^2 d / D (the quadratic part integrates by parts using mu'' = mu / l^2); leads add
    -p j0 m.mu_0 + (G/2)|mu_0|^2 (left, ``lead_left`` = mu_0) and +p j0 m.mu_L + (G/2)|mu_L|^2
    (right).  Transparent interfaces only: MODEL.md 5 states no interface term.
    """
    if arrays.coherent:
        raise SpinstackError("the functional S (MODEL.md 5) is not stated for finite transverse coherence "
                             "(l_J, l_phi; MODEL.md 8e): the precession term is not variational")
    shape = mu_a.shape[:-2]
    current = np.broadcast_to(current, shape)
    total = np.zeros(shape)

    def dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("...i,...i->...", u, v)

    for i, layer in enumerate(arrays.layers):
        a, b = mu_a[..., i, :], mu_b[..., i, :]
        gc, gs = layer_stiffness(layer)
        total = total + 0.5 * (gc * (dot(a, a) + dot(b, b)) - 2.0 * gs * dot(a, b))
        if layer.is_ferromagnet:
            total = total - layer.p * current * dot(layer.m, b - a) + layer.p**2 * current**2 * layer.thickness / layer.D
    for end, mu, sign in ((arrays.left, lead_left, -1.0), (arrays.right, lead_right, 1.0)):
        if end is None:
            continue
        total = total + 0.5 * lead_stiffness(end) * dot(mu, mu)
        if end.is_ferromagnet:
            total = total + sign * end.p * current * dot(end.m, mu)
    return total


def interface_drops(arrays: StackArrays, unit: UnitSolution) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per interface: (1/g, -gamma m.(mu^- - mu^+)/2), the jump of mu_0 per unit current (MODEL.md 3b)."""
    nodes, ohmic, spin = _interface_drop_arrays(arrays, unit)
    return {node: (ohmic[..., j], spin[..., j]) for j, node in enumerate(nodes)}


def _interface_drop_arrays(arrays: StackArrays, unit: UnitSolution) -> tuple[list[int], np.ndarray, np.ndarray]:
    """:func:`interface_drops` as (nodes, 1/g (B..., K), spin part (B..., K)), over all interfaces at once
    (a Python loop of array operations cost ~1 s per solve at 1e5 interfaces)."""
    nodes = list(arrays.interfaces)
    shape = unit.accumulation.shape[:-2]
    if not nodes:
        return nodes, np.zeros(shape + (0,)), np.zeros(shape + (0,))
    elements = [arrays.interfaces[node] for node in nodes]
    with np.errstate(divide="ignore"):  # g = inf: the transparent channel, no ohmic drop
        ohmic = 1.0 / _per_layer([element.g for element in elements], shape)
    gamma = _per_layer([element.gamma for element in elements], shape)
    axes = [unit.interface_axes[node] for node in nodes]
    magnetic = np.array([m is not None for m in axes])
    if not magnetic.any():
        return nodes, ohmic, np.zeros(ohmic.shape)
    m = _per_layer([np.zeros(3) if axis is None else axis for axis in axes], shape, vector=True)
    jump = unit.accumulation[..., nodes, :] - unit.accumulation_right[..., nodes, :]
    spin = np.where(magnetic, -0.5 * gamma * np.einsum("...ki,...ki->...k", m, jump), 0.0)
    return nodes, ohmic, spin


def _per_layer(values: list, shape: tuple[int, ...], vector: bool = False) -> np.ndarray:
    """Per-layer values stacked along a new axis: (B..., L), or (B..., L, 3) for vectors."""
    tail = (3,) if vector else ()
    try:  # the common unbatched case: one array call (a shape test per value cost ~1 s at 1e5 layers)
        stacked = np.array(values)
    except ValueError:  # values of different shapes
        stacked = None
    if stacked is not None and stacked.dtype != object and stacked.shape == (len(values),) + tail:
        return np.broadcast_to(np.moveaxis(stacked, 0, -1 - len(tail)), shape + stacked.shape[:1] + tail) if shape else stacked
    return np.stack([np.broadcast_to(value, shape + tail) for value in values], axis=-1 - len(tail))


def resistance_area(arrays: StackArrays, unit: UnitSolution) -> tuple[np.ndarray, np.ndarray]:
    """(total, spin part) of the resistance-area product r = [mu_0(left) - mu_0(right)] / j0 (MODEL.md 4).

    Per unit current.  Ohmic part: sum of d / sigma and of 1/g over interfaces; spin part:
    sum over F layers of (p/2)(mu_b - mu_a) (scalars along m), (p/2) mu_0 for an F lead on
    the left, -(p/2) mu_L for one on the right, and -gamma m.(mu^- - mu^+)/2 per interface.
    """
    mu_a, mu_b = layer_ends(unit)
    shape = mu_a.shape[:-2]
    ohmic = np.zeros(shape)
    spin = np.zeros(shape)
    layers = arrays.layers
    if layers:
        # per-layer parameters gathered once: a Python loop of array operations cost ~0.6 s at 1e5 layers
        D, p, d = (_per_layer([getattr(layer, key) for layer in layers], shape) for key in ("D", "p", "thickness"))
        ohmic = ohmic + np.sum(d * (1.0 - p**2) / D, axis=-1)
        magnetic = [i for i, layer in enumerate(layers) if layer.is_ferromagnet]
        if magnetic:
            m = _per_layer([layers[i].m for i in magnetic], shape, vector=True)
            jump = mu_b[..., magnetic, :] - mu_a[..., magnetic, :]
            spin = spin + np.sum(0.5 * p[..., magnetic] * np.einsum("...ki,...ki->...k", m, jump), axis=-1)
    ends = ((arrays.left, unit.accumulation[..., 0, :], 1.0), (arrays.right, unit.accumulation_right[..., -1, :], -1.0))
    for end, mu, sign in ends:
        if end is not None and end.is_ferromagnet:
            spin = spin + sign * 0.5 * end.p * np.einsum("...i,...i->...", end.m, mu)
    _, interface_ohmic, interface_spin = _interface_drop_arrays(arrays, unit)
    ohmic = ohmic + np.sum(interface_ohmic, axis=-1)
    spin = spin + np.sum(interface_spin, axis=-1)
    return ohmic + spin, spin
