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

from collections.abc import Iterator
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
        adjacent = self._left_node[node] == self._right_node[node]  # no interface at this node
        return neighbour, side, adjacent and block.ndim == len(self._shape)

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
        found = {}
        for k in self.arrays.interfaces:
            part = self._left_node[k] + 1
            found[k] = (self._face(part, "a"), self._face(part, "b"))
        return found

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        found = {}
        for k in self.arrays.interfaces:
            before, after = self._chain[self._left_node[k]], self._chain[self._right_node[k] + 1]
            found[k] = before.axis if before.axis is not None else after.axis
        return found


class LayerwiseSolution(UnitSolution):
    """The same outputs for one configuration solved over all layers at once (:mod:`.banded`)."""

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
        return self._result["accumulation"]

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
        return {}

    @cached_property
    def interface_axes(self) -> dict[int, np.ndarray | None]:
        return {}


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


def coherent_layer_sink(element: Element, shape: tuple[int, ...], along: np.ndarray) -> np.ndarray:
    """Gc - Gs of a coherent F layer, (B, 3, 3): ``along`` on m m^T plus the complex D_perp/(2d) (kd) tanh(kd/2)
    on the plane normal to m, evaluated directly."""
    m = np.broadcast_to(element.m, shape + (3,))
    kd = coherent.wavenumber(element) * element.thickness
    transverse = np.asarray(element.D_perp, dtype=float) / (2.0 * element.thickness) * kd**2 * coherent.tanh_half_x_over_x(kd)
    return along[..., None, None] * _outer(m) + coherent.as_matrix(np.broadcast_to(transverse, shape), m)


def lead_stiffness(element: Element) -> np.ndarray:
    """G = D / (2 l) of a semi-infinite lead (0 for l = inf)."""
    return element.D / (2.0 * element.l)


def interface_stiffness(interface: InterfaceElement) -> tuple[np.ndarray, np.ndarray]:
    """(G_I coth delta, G_I csch delta) of the collinear channel, G_I = g (1 - gamma^2) delta / 2.

    delta = 0 gives g (1 - gamma^2) / 2 for both (MODEL.md 3b).
    """
    scale = 0.5 * interface.g * (1.0 - interface.gamma**2)
    return scale * x_coth_x(interface.delta), scale * x_csch_x(interface.delta)


def _cross_matrix(m: np.ndarray) -> np.ndarray:
    """[m]x, the matrix of v -> m x v."""
    zero = np.zeros_like(m[..., 0])
    return np.stack([np.stack([zero, -m[..., 2], m[..., 1]], axis=-1),
                     np.stack([m[..., 2], zero, -m[..., 0]], axis=-1),
                     np.stack([-m[..., 1], m[..., 0], zero], axis=-1)], axis=-2)


def _outer(m: np.ndarray) -> np.ndarray:
    return m[..., :, None] * m[..., None, :]


def _interface_part(interface: InterfaceElement, before: Part, after: Part, shape: tuple[int, ...]) -> Part:
    """The two-port of a resistive interface between ``before`` and ``after`` (MODEL.md 3b)."""
    c, s = (np.broadcast_to(v, shape) for v in interface_stiffness(interface))
    magnet = before if before.axis is not None else after
    if magnet.axis is None:  # N/N (or reservoir/N): all three components, gamma = 0
        zero3 = np.zeros(shape + (3,))
        return Part("interface", zero3, c, -s, s, -c)
    m = magnet.axis
    longitudinal = _outer(m)
    source = np.broadcast_to(interface.gamma, shape)[..., None] * m
    K_aa, K_ab = c[..., None, None] * longitudinal, -s[..., None, None] * longitudinal
    K_ba, K_bb = s[..., None, None] * longitudinal, -c[..., None, None] * longitudinal
    if interface.mixing is not None and (before.axis is None) != (after.axis is None):
        # transverse spin flowing from the N side into F: g_r mu_perp + g_i mu x m (absorbed there)
        g_r = np.broadcast_to(interface.mixing[..., 0], shape)[..., None, None]
        g_i = np.broadcast_to(interface.mixing[..., 1], shape)[..., None, None]
        transverse = g_r * (np.eye(3) - longitudinal) - g_i * _cross_matrix(m)
        if before.axis is None:  # N | F: flows along +x out of the left side
            K_aa = K_aa + transverse
        else:  # F | N: flows along -x, from the right side into F
            K_bb = K_bb - transverse
    return Part("interface", source, K_aa, K_ab, K_ba, K_bb, None)


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
            return Part(boundary.kind, zero3, zero, zero, zero, -end_conductance(boundary))
        end = arrays.left
        if end is None:
            return Part("reservoir", zero3, zero, zero, zero, zero)
        return Part("lead", source(end), zero, zero, zero, -end_stiffness(end), axis(end), end.is_coherent)

    def right_end() -> Part:
        boundary = arrays.boundaries.get("right")
        if boundary is not None:  # j_s(x_L+) = M mu_L
            return Part(boundary.kind, zero3, end_conductance(boundary), zero, zero, zero)
        end = arrays.right
        if end is None:
            return Part("reservoir", zero3, zero, zero, zero, zero)
        return Part("lead", source(end), end_stiffness(end), zero, zero, zero, axis(end), end.is_coherent)

    def end_conductance(boundary: Boundary) -> np.ndarray:
        # an open end takes no spin current: a scalar 0 (multiples of 1 cost nothing in the steps), not a 3x3 0
        return zero if boundary.kind == "open" else boundary_conductance(boundary, shape)

    def end_stiffness(end: Element) -> np.ndarray:
        G = np.broadcast_to(lead_stiffness(end), shape)
        if not end.is_coherent:
            return G
        m = np.broadcast_to(end.m, shape + (3,))  # G on m m^T, the complex Gt on the plane normal to m
        return G[..., None, None] * _outer(m) + coherent.as_matrix(np.broadcast_to(coherent.lead_stiffness(end), shape), m)

    def axis(element: Element) -> np.ndarray | None:
        return None if element.m is None else np.broadcast_to(element.m, shape + (3,))

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
            if layer.is_coherent:
                t_coth = np.broadcast_to(coherent.layer_stiffness(layer)[0], shape)
                kd = np.broadcast_to(coherent.wavenumber(layer) * layer.thickness, shape)
                channels = (along, (np.abs(kd) <= 1.0, np.abs(t_coth)))
                gc, gs = coherent_layer_stiffness(layer, shape, gc, gs)
                sink = coherent_layer_sink(layer, shape, sink)
            chain.append(Part("layer", source(layer), gc, -gs, gs, -gc, axis(layer), layer.is_coherent, sink,
                              channels))
        left_node.append(len(chain) - 1)
        if k in arrays.interfaces:
            following = arrays.layers[k] if k < n_layers else arrays.right
            after = Part("reservoir", zero3, zero, zero, zero, zero) if following is None else \
                Part("layer", zero3, zero, zero, zero, zero, None if following.m is None else axis(following))
            interface = _interface_part(arrays.interfaces[k], chain[-1], after, shape)
            if drive == "field":  # gamma j0 m is a CPP source
                interface = Part(interface.kind, zero3, interface.K_aa, interface.K_ab, interface.K_ba, interface.K_bb)
            chain.append(interface)
        right_node.append(len(chain) - 1)
    chain.append(right_end())
    return chain, left_node, right_node


# ---------------------------------------------------------------- small blocks
def _node_basis(before: Part, after: Part, shape: tuple[int, ...]) -> tuple[bool, np.ndarray | None]:
    """(is_reservoir, basis) of the chain node between two parts: m next to a ferromagnet, None = R^3.

    Next to an interface the node belongs to the material on its other side.
    """
    if "reservoir" in (before.kind, after.kind):
        return True, None
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
               axis_a: np.ndarray | None, axis_b: np.ndarray | None, shape: tuple[int, ...]
               ) -> tuple[np.ndarray, np.ndarray]:
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
    """
    Y, Z, R = load, block, pushed
    if axis_a is None:
        W = Y + layer.sink[..., None, None] * np.eye(3)
        full = Y + 2.0 * layer.sink[..., None, None] * np.eye(3) - W @ _solve_small(Z, W)
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
                   shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_thin_step` for a coherent F layer from its free left node, channel by channel.

    Along m and normal to m the layer may be thin or not (l and l_J differ), so the exact
    rewriting is taken on the thin channels only: P projects on the channels that are thin with a
    soft load, and with Gs = P Z + V, V = (1 - P) Gs - P W (Gs, T and P commute),

        L = (1 - P) Gc + P (Y + 2T) P - V Z^-1 V',      V' = Gs (1 - P) - W P
        R_b = s + P (R - s) + V Z^-1 (R - s)

    exactly, for any such P (P = 0 is the plain step, P = 1 that of :func:`_thin_step`).
    """
    Y, Z, R = load, block, pushed
    eye = np.eye(3)
    gc, gs, T = layer.K_aa, -layer.K_ab, layer.sink
    m = np.broadcast_to(layer.axis, shape + (3,))
    longitudinal = _outer(m)
    P = (_thin(layer, Y, 0)[..., None, None] * longitudinal
         + _thin(layer, Y, 1)[..., None, None] * (eye - longitudinal))
    W = Y + T
    rest = eye - P
    V = rest @ gs - P @ W
    full = rest @ gc + P @ (Y + 2.0 * T) @ P - V @ _solve_small(Z, gs @ rest - W @ P)
    source = layer.source[..., :, None]
    difference = R - source
    pushed_full = source + P @ difference + V @ _solve_small(Z, difference)
    if axis_b is None:
        return full, pushed_full
    return _sandwich(axis_b, full, axis_b, shape), _project(axis_b, pushed_full[..., 0])


def solve_unit(arrays: StackArrays, drive: str = "current") -> UnitSolution:
    """Solve the node system of MODEL.md 3a/3b (and 8d) for every configuration of the batch.

    ``drive="current"``: per unit current (j0 = 1); ``"field"``: driven by the stack's in-plane
    field alone (j0 = 0).  Block elimination runs over the chain nodes (O(L)), each step
    vectorised over the batch.
    """
    if drive == "current" and banded.applies(arrays) and len(arrays.layers) > 8:
        # a single long stack: all layers at once, banded LAPACK solve
        return LayerwiseSolution(arrays, banded.solve_layerwise(arrays))
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
    # so that a thin layer can pass its load on without cancellation (see _thin_step).
    eliminated: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
    previous: int | None = None
    load = pushed = block = None
    for i in active:
        before, after = chain[i], chain[i + 1]
        step = previous == i - 1 and before.kind == "layer"
        if step and before.coherent and axis[i - 1] is None:
            load, pushed = _coherent_step(before, load, pushed, block, axis[i], shape)
        else:
            # a thin layer with a soft load: the plain step would cancel (see _thin_step)
            thin = _thin(before, load) if step and not before.coherent else None
            exact = _thin_step(before, load, pushed, block, eliminated[previous][1], axis[i - 1], axis[i], shape) \
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
        block = _sandwich(axis[i], after.K_aa, axis[i], shape) + load
        rhs = pushed - _project(axis[i], after.source)
        following = upper(i) if (i + 1 < n and not reservoir[i + 1]) else None
        carry = _solve_small(block, following) if following is not None else None
        eliminated[i] = (carry, _solve_small(block, rhs))
        previous = i

    # back substitution
    coordinates: dict[int, np.ndarray] = {}
    later: np.ndarray | None = None
    for i in reversed(active):
        carry, partial = eliminated[i]
        later = partial if later is None or carry is None else partial - carry @ later
        coordinates[i] = later[..., :, 0]  # (B..., 1) along the axis or (B..., 3)
    return UnitSolution(arrays, chain, left_node, right_node, coordinates, axis, dtype)


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
    drops = {}
    for node, interface in arrays.interfaces.items():
        m = unit.interface_axes[node]
        ohmic = 1.0 / interface.g
        if m is None:
            drops[node] = (ohmic, np.zeros(()))
            continue
        jump = unit.accumulation[..., node, :] - unit.accumulation_right[..., node, :]
        drops[node] = (ohmic, -0.5 * interface.gamma * np.einsum("...i,...i->...", m, jump))
    return drops


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
    for i, layer in enumerate(arrays.layers):
        sigma = layer.D / (1.0 - layer.p**2)
        ohmic = ohmic + layer.thickness / sigma
        if layer.is_ferromagnet:
            spin = spin + 0.5 * layer.p * np.einsum("...i,...i->...", layer.m, mu_b[..., i, :] - mu_a[..., i, :])
    ends = ((arrays.left, unit.accumulation[..., 0, :], 1.0), (arrays.right, unit.accumulation_right[..., -1, :], -1.0))
    for end, mu, sign in ends:
        if end is not None and end.is_ferromagnet:
            spin = spin + sign * 0.5 * end.p * np.einsum("...i,...i->...", end.m, mu)
    for interface_ohmic, interface_spin in interface_drops(arrays, unit).values():
        ohmic = ohmic + interface_ohmic
        spin = spin + interface_spin
    return ohmic + spin, spin
