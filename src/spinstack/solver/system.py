"""The node system of MODEL.md 3a/3b (and 8b, 8d, 8e): one description that every backend solves.

Element 0 is the left end, elements 1..L are the layers and element L + 1 is the right end; user
node k sits between elements k and k + 1.  Each element is a two-port (:mod:`.twoports`) and a
resistive interface at node k is one more two-port between them, so a stack is a *chain of parts*;
chain node i sits between parts i and i + 1 (an interface splits user node k into a chain node
just left of it and one just right of it).  The node value is mu_i = E_i x_i with a basis E_i of
the allowed directions: none at a reservoir (mu = 0), the magnetization m next to a ferromagnet
(the ring slides on its rail), all of R^3 between normal metals.  The balance
E_i^T [j_s(x_i-) - j_s(x_i+)] = 0 (seed eq. 7) gives

    E_i^T [(Gc_i + Gc_{i+1}) mu_i - Gs_i mu_{i-1} - Gs_{i+1} mu_{i+1}] = E_i^T (s_i - s_{i+1})

with s = p m the source per unit current.  The matrix is block tridiagonal with blocks of 0, 1 or
3 rows (the same for every configuration of a batch) and is the Hessian of the functional S
(MODEL.md 5), so it is symmetric positive definite and block elimination needs no pivoting.
Everything is per unit current (j0 = 1): all outputs are linear in j0.

Two forms of the same description:

* :func:`node_system`: the chain as :class:`Part` objects over a batch (every two-port, sources,
  bases, the thin-layer and relaxation data the exact elimination needs); any stack.
* :class:`FlatChain`: one real configuration as flat per-part arrays (layers, leads, reservoirs and
  resistive interfaces: the CPP model of MODEL.md 3a/3b), built without a Python object per layer,
  for the layerwise backends.

Both carry a :class:`Layout`, the integer structure (part kinds, which magnetization each node is
on), from which :func:`torque_faces` states the torque rule once for every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import coherent
from .arrays import Boundary, Element, InterfaceElement, StackArrays
from .twoports import (boundary_conductance, coherent_layer_sink, coherent_layer_stiffness, coherent_lead_stiffness,
                       coherent_transverse_sink, interface_channel, layer_sink, layer_stiffness, lead_stiffness,
                       spin_hall_source)
from .vectors import transverse_sink

#: part kinds of a :class:`Layout` (a :class:`Part`'s ``kind`` string maps to these)
RESERVOIR, LEAD, LAYER, LINK, OPEN, INSULATOR = 0, 1, 2, 3, 4, 5
_KIND_CODES = {"reservoir": RESERVOIR, "lead": LEAD, "layer": LAYER, "interface": LINK, "open": OPEN,
               "insulator": INSULATOR}
#: node kinds: mu = 0 (beside a reservoir), on a magnetization's rail (1 unknown), free (3 unknowns)
PINNED, RAIL, FREE = 0, 1, 2


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
    rail: int = -1  # the element (0 .. L + 1) whose m ``axis`` is: the identity of a rail, -1 without one

    @property
    def scalar(self) -> bool:
        """Whether the two-port's K's are multiples of the identity (not 3x3 matrices)."""
        return self.K_aa.ndim == self.source.ndim - 1 and self.K_bb.ndim == self.source.ndim - 1


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



def _interface_part(interface: InterfaceElement, before: Part, after: Part, shape: tuple[int, ...],
                    drive: str) -> Part:
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
        mixing = transverse_sink(m, np.where(absorbing, 0.0, g_r)[..., None, None],
                                 np.where(absorbing, 0.0, g_i)[..., None, None])
        side = "a" if before.axis is None else "b"
    link = Link(m, gamma, s, resistance, shunt, grounded, mixing, absorbing, side)
    return Part("interface", gamma[..., None] * m, zero, zero, zero, zero, link=link, rail=magnet.rail)



def _parts(arrays: StackArrays, drive: str) -> tuple[list[Part], list[int], list[int]]:
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

    elements = arrays.elements()
    n_layers = len(arrays.layers)
    axes: dict[int, np.ndarray] = {}

    def axis(index: int) -> np.ndarray | None:
        # one array per element: an interface's m is then its F's own (``rail`` tells the same rail)
        if elements[index].m is None:
            return None
        if index not in axes:
            axes[index] = np.broadcast_to(elements[index].m, shape + (3,))
        return axes[index]

    def rail(index: int) -> int:
        return -1 if elements[index] is None or elements[index].m is None else index

    def end(index: int, side: str) -> Part:
        boundary = arrays.boundaries.get(side)
        if boundary is not None:  # j_s(x_0-) = -M mu_0 (flows along -x into the end), j_s(x_L+) = M mu_L
            conductance = zero if boundary.kind == "open" else boundary_conductance(boundary, shape)
            faces = (zero, -conductance) if side == "left" else (conductance, zero)
            return Part(boundary.kind, zero3, faces[0], zero, zero, faces[1], relaxation=end_relaxation(boundary))
        element = elements[index]
        if element is None:
            return Part("reservoir", zero3, zero, zero, zero, zero, relaxation=(None, infinite, infinite))
        G = np.broadcast_to(lead_stiffness(element), shape)
        relaxation = (None, G, G)
        if element.is_coherent:
            relaxation = (axis(index), G, np.abs(np.broadcast_to(coherent.lead_stiffness(element), shape)))
            G = coherent_lead_stiffness(element, shape)
        faces = (zero, -G) if side == "left" else (G, zero)
        return Part("lead", source(element), faces[0], zero, zero, faces[1], axis(index), element.is_coherent,
                    relaxation=relaxation, rail=rail(index))

    def end_relaxation(boundary: Boundary) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        if boundary.kind == "open":  # it takes no spin current: a scalar 0 (cheap in the steps), not a 3x3 0
            return None, zero, zero
        g_r, g_i, g_s = (np.broadcast_to(v, shape) for v in (boundary.g_r, boundary.g_i, boundary.g_s))
        return np.broadcast_to(boundary.m, shape + (3,)), g_s, np.abs(g_r) + np.abs(g_i)

    def layer_part(index: int) -> Part:
        layer = elements[index]
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
            relaxation = (axis(index), sink, np.abs(np.broadcast_to(coherent_transverse_sink(layer), shape)))
            sink = coherent_layer_sink(layer, shape, sink)
        return Part("layer", source(layer), gc, -gs, gs, -gc, axis(index), layer.is_coherent, sink, channels,
                    relaxation=relaxation, rail=rail(index))

    chain: list[Part] = []
    left_node, right_node = [], []
    for k in range(n_layers + 1):
        chain.append(end(0, "left") if k == 0 else layer_part(k))
        left_node.append(len(chain) - 1)
        if k in arrays.interfaces:
            following = elements[k + 1]  # the layer (or right end) beyond the interface: only its m matters here
            after = Part("reservoir", zero3, zero, zero, zero, zero) if following is None else \
                Part("layer", zero3, zero, zero, zero, zero, axis(k + 1), rail=rail(k + 1))
            chain.append(_interface_part(arrays.interfaces[k], chain[-1], after, shape, drive))
        right_node.append(len(chain) - 1)
    chain.append(end(n_layers + 1, "right"))
    return chain, left_node, right_node



def _node_basis(before: Part, after: Part) -> tuple[bool, np.ndarray | None, int]:
    """(is_reservoir, basis, rail) of the chain node between two parts: m next to a ferromagnet, None = R^3;
    ``rail`` the element whose m it is (-1 for none).

    Next to an interface the node belongs to the material on its other side, except that an infinite
    mixing conductance (every configuration) pins the N side's mu_perp to 0: that node is on m, as at a
    transparent N/F node (so that a thin layer beyond it is stepped through as there).
    """
    if "reservoir" in (before.kind, after.kind):
        return True, None, -1
    for part, side in ((before, "b"), (after, "a")):
        if part.link is not None and part.link.pins(side):
            return False, part.link.axis, part.rail
    neighbours = [p for p in (before, after) if p.kind != "interface"]
    # a coherent F (MODEL.md 8e) lets transverse spin in: its nodes are free unless a fully absorbing F is the
    # other neighbour
    magnet = next((p for p in neighbours if p.axis is not None and not p.coherent), None)
    return (False, None, -1) if magnet is None else (False, magnet.axis, magnet.rail)


class Layout(NamedTuple):
    """The integer structure of a chain of P parts, the same for every configuration of a batch."""

    part_kind: np.ndarray  # (P,) RESERVOIR, LEAD, LAYER, LINK, OPEN or INSULATOR
    part_rail: np.ndarray  # (P,) the element (0 .. L + 1) whose m the part carries, -1 for none
    scalar: np.ndarray  # (P,) bool: the part's K's are multiples of the identity (not 3x3)
    node_rail: np.ndarray  # (P - 1,) the element whose m chain node i is on, -1 at a free or pinned node
    left_node: np.ndarray  # (L + 1,) the chain node just left of user node k
    right_node: np.ndarray  # (L + 1,) just right of it (the same node without an interface)

    @property
    def grounded(self) -> np.ndarray:
        """(L + 1,) bool: the user nodes beside a reservoir (across an interface there too), which receive no
        deposit (mu = 0 there: what arrives flows on into the reservoir)."""
        return (self.part_kind[self.left_node] == RESERVOIR) | (self.part_kind[self.right_node + 1] == RESERVOIR)


class TorqueFaces(NamedTuple):
    """The torque rule for F layers that absorb all transverse spin at their faces (MODEL.md 4).

    The torque on such a layer is the transverse part of the spin deposited at its two nodes.  On a
    node on the layer's own m its own face carries spin along m only, and so does the term
    K mu_node of a neighbour with a scalar two-port at that same rail node: in the torque their
    transverse part would be only the rounding of ~Gc mu vectors along m (a thin F lost its
    relative precision, and the ~e^-d/l torque beyond a thick spacer its sign).  There the
    neighbour's face current without that term stands for the deposit; elsewhere the deposit.
    Every array is (2, L): row 0 the layer's left node k, row 1 its right node k + 1 (whose
    neighbour faces are then the face b, resp. a, of the bulk part beyond the node).
    """

    counted: np.ndarray  # bool: the node is not beside a reservoir (which takes what arrives: no deposit)
    own: np.ndarray  # bool: an F layer whose node is on its own m: take -+ the neighbour's face, not the deposit
    neighbour: np.ndarray  # int: the bulk part beyond the node (beyond an interface there: what it absorbs counts)
    drop: np.ndarray  # bool: leave the neighbour's term at its node out (that node is on the layer's m too)


def torque_faces(layout: Layout) -> TorqueFaces:
    """:class:`TorqueFaces` of every layer of ``layout`` (the rule every backend applies)."""
    parts = layout.left_node[1:]  # chain index of each layer
    own_rail = layout.part_rail[parts]
    offset = np.array([[0], [1]])
    node = np.arange(len(parts)) + offset  # the layer's left and right user nodes
    # the bulk part beyond each node (across an interface there) and its node facing the layer
    beyond = np.stack([layout.left_node[:-1], layout.right_node[1:] + 1])
    far = beyond - offset
    own = (own_rail >= 0) & (layout.node_rail[parts - 1 + offset] == own_rail)  # its chain node on its side
    drop = own & (layout.node_rail[far] == own_rail) & layout.scalar[beyond]
    return TorqueFaces(~layout.grounded[node], own, beyond, drop)


@dataclass(frozen=True)
class NodeSystem:
    """The node system of a batch (:func:`node_system`): the chain, every chain node's basis, the layout."""

    arrays: StackArrays
    drive: str
    chain: list[Part]
    left_node: list[int]  # per user node k: the chain node just left of it
    right_node: list[int]  # and just right of it
    reservoir: list[bool]  # per chain node: mu = 0 there
    axis: list[np.ndarray | None]  # per chain node: its basis, m (B, 3) on a rail or None (R^3)
    layout: Layout
    dtype: np.dtype  # complex when a magnetization is (complex-step efficiency limits)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.arrays.batch_shape

    @property
    def active(self) -> list[int]:
        """The chain nodes with unknowns (not beside a reservoir)."""
        return [i for i, pinned in enumerate(self.reservoir) if not pinned]


def node_system(arrays: StackArrays, drive: str = "current") -> NodeSystem:
    """The node system of ``arrays``: its chain of parts (:func:`_parts`) and every chain node's basis."""
    chain, left_node, right_node = _parts(arrays, drive)
    bases = [_node_basis(chain[i], chain[i + 1]) for i in range(len(chain) - 1)]
    reservoir, axis, rails = ([b[k] for b in bases] for k in range(3))
    dtype = np.result_type(*(p.source for p in chain), *(a for a in axis if a is not None))
    layout = Layout(np.array([_KIND_CODES[p.kind] for p in chain]), np.array([p.rail for p in chain]),
                    np.array([p.scalar for p in chain]), np.array(rails, dtype=np.int64), np.array(left_node),
                    np.array(right_node))
    return NodeSystem(arrays, drive, chain, left_node, right_node, reservoir, axis, layout, dtype)


class FlatChain:
    """The chain of one real configuration as flat per-part arrays, and its node layout (the input of the
    layerwise backends, :mod:`.banded` and :mod:`.linked`).

    The CPP model of MODEL.md 3a/3b only: layers, leads, reservoirs and resistive interfaces, every
    two-port a multiple of the identity (no open or insulator end, in-plane field or finite transverse
    coherence).  Parts in chain order: the left end, then for every user node k the layer k - 1 (k > 0)
    and the interface at k (if any), then the right end.  ``left_node[k]``, ``right_node[k]``: the chain
    nodes just left and right of user node k (equal without an interface).  Per part: ``kind``,
    ``source`` (3,), ``gc`` (K_aa of a layer or right lead, -K_bb of a left lead), ``gs`` (a layer's Gs),
    ``sink`` (Gc - Gs), ``thin`` (d <= l), ``axis`` and ``rail``; per interface ``link_data`` (s, 1/s,
    c - s, c, g_r, g_i, the face of the mixing sink (0 none, 1 a, 2 b), gamma); per chain node
    ``node_kind`` (PINNED, RAIL, FREE), ``node_axis`` and ``node_rail``.
    """

    def __init__(self, arrays: StackArrays) -> None:
        columns = arrays.columns
        L = len(arrays.layers)
        nodes = sorted(arrays.interfaces)
        has_link = np.zeros(L + 1, dtype=bool)
        has_link[nodes] = True
        # chain index of element k (0 left end, 1..L layers, L + 1 right end) and of the interface at node k
        before = np.concatenate([[0], np.cumsum(has_link)])  # interfaces before element k
        element = np.arange(L + 2) + before
        self.left_node = element[:L + 1]
        self.right_node = element[:L + 1] + has_link
        P = int(element[-1]) + 1
        self.n_parts = P
        kind = np.full(P, LINK, dtype=np.int64)
        source = np.zeros((P, 3))
        gc, gs, sink = np.zeros(P), np.zeros(P), np.zeros(P)
        thin = np.zeros(P, dtype=bool)
        axis = np.zeros((P, 3))
        rail = np.full(P, -1, dtype=np.int64)  # which element's m (the identity of a rail)

        # layers: Gc, Gs and the sink T = Gc - Gs of all layers at once (the columns as one Element)
        D, l, p, d, m, ferro = (columns[key] for key in ("D", "l", "p", "thickness", "m", "ferro"))
        layers = element[1:L + 1]
        kind[layers] = LAYER
        gc[layers], gs[layers] = layer_stiffness(Element(D, l, p, m, d))
        sink[layers] = layer_sink(Element(D, l, p, m, d))
        thin[layers] = d <= l
        source[layers] = p[:, None] * m
        axis[layers] = m
        rail[layers] = np.where(ferro, np.arange(1, L + 1), -1)
        for index, end in ((0, arrays.left), (P - 1, arrays.right)):
            if end is None:
                kind[index] = RESERVOIR
                continue
            kind[index] = LEAD
            gc[index] = sink[index] = float(lead_stiffness(end))  # K_aa of the right lead, -K_bb of the left
            if end.m is not None:
                axis[index] = np.real(np.asarray(end.m, dtype=float))
                source[index] = float(end.p) * axis[index]
                rail[index] = 0 if index == 0 else L + 1

        # interfaces (MODEL.md 3b): the collinear channel's s, 1/s, c - s, c; the mixing sink on the N side
        K = len(nodes)
        links = element[nodes] + 1 if K else np.zeros(0, dtype=np.int64)
        self.links, self.link_nodes = links, np.asarray(nodes, dtype=np.int64)
        elements = [arrays.interfaces[node] for node in nodes]
        g, gamma, delta = (np.fromiter((float(getattr(e, key)) for e in elements), dtype=float, count=K)
                           for key in ("g", "gamma", "delta"))
        mixed = np.fromiter((e.mixing is not None for e in elements), dtype=bool, count=K)
        mixing = np.zeros((K, 2))
        if mixed.any():
            mixing[mixed] = np.array([np.asarray(e.mixing, dtype=float) for e in elements if e.mixing is not None])
        a, b = rail[element[nodes]], rail[element[np.asarray(nodes, dtype=np.int64) + 1]]
        magnet = np.where(a >= 0, a, b)  # the element whose m the interface's is (before's first), -1 at N/N
        sinked = mixed & ((a >= 0) != (b >= 0))  # the transverse sink of an N/F contact, on its N side
        side = np.where(sinked, np.where(a < 0, 1, 2), 0)  # 1: at face a (N | F), 2: at face b (F | N)
        g_r, g_i = np.where(sinked, mixing[:, 0], 0.0), np.where(sinked, mixing[:, 1], 0.0)

        channel = interface_channel(InterfaceElement(g, gamma, None, delta))  # over all interfaces at once
        s, resistance, shunt, grounded = (np.broadcast_to(v, (K,)).astype(float) for v in channel)
        magnetic = magnet >= 0
        magnet_part = np.where(magnetic, element[np.maximum(magnet, 0)], 0)
        axis[links] = np.where(magnetic[:, None], axis[magnet_part], 0.0)
        rail[links] = magnet
        source[links] = np.where(magnetic[:, None], gamma[:, None] * axis[links], 0.0)
        self.link_data = np.stack([s, resistance, shunt, grounded, g_r, g_i, side.astype(float), gamma], axis=1)
        link_of = np.full(P, -1, dtype=np.int64)
        link_of[links] = np.arange(K)
        pins = np.zeros(P, dtype=np.int64)  # the face a link pins to its m (g_r = inf): 1 a, 2 b
        pins[links] = np.where(np.isinf(g_r), side, 0)

        # chain nodes: pinned at a reservoir, on a rail beside a ferromagnet (or an N side pinned by g_r = inf;
        # _node_basis), free between normal metals
        first, second = np.arange(P - 1), np.arange(1, P)
        pinned = (kind[first] == RESERVOIR) | (kind[second] == RESERVOIR)
        magnet_first = (kind[first] != LINK) & (rail[first] >= 0)
        magnet_second = (kind[second] != LINK) & (rail[second] >= 0)
        owner = np.where(pins[first] == 2, first, np.where(pins[second] == 1, second,
                         np.where(magnet_first, first, np.where(magnet_second, second, -1))))
        on_rail = ~pinned & (owner >= 0)
        node_kind = np.where(pinned, PINNED, np.where(on_rail, RAIL, FREE)).astype(np.int64)
        node_axis = np.where(on_rail[:, None], axis[np.maximum(owner, 0)], 0.0)
        node_rail = np.where(on_rail, rail[np.maximum(owner, 0)], -1).astype(np.int64)
        self.kind, self.source, self.gc, self.gs, self.sink, self.thin = kind, source, gc, gs, sink, thin
        self.axis, self.rail, self.link_of = axis, rail, link_of
        self.node_kind, self.node_axis, self.node_rail = node_kind, node_axis, node_rail
        self.layout = Layout(kind, rail, np.ones(P, dtype=bool), node_rail, self.left_node, self.right_node)
