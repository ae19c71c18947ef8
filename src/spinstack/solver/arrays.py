"""The numeric description of a stack that the solver consumes: plain arrays, no model objects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np


class Element(NamedTuple):
    """One layer or one semi-infinite lead, in reduced units (MODEL.md 1).

    Every array has a shape that broadcasts to the stack's batch shape ``B``
    (``m`` to ``B + (3,)``); arrays are not broadcast here so that functions of
    unchanged parameters are evaluated once, not once per configuration.  (A named
    tuple, not a dataclass: a stack of 10^4 layers builds 10^4 of them per solve.)

    Attributes
    ----------
    D : conductance (D_F for a ferromagnet)
    l : spin diffusion length (may be inf)
    p : current polarisation (0 in N)
    m : unit magnetization (..., 3), ``None`` in N.  May be complex: the
        efficiency functions rotate it by an imaginary angle (complex step).
    thickness : d, ``None`` for a lead
    theta_SH : spin Hall angle (N only; MODEL.md 8b), 0 by default
    l_J, l_phi, D_perp : finite transverse coherence of a ferromagnet (MODEL.md 8e): precession and
        dephasing lengths (inf where not given) and the transverse conductance; all ``None`` for
        full absorption at the faces (the seed model) and in N
    """

    D: np.ndarray
    l: np.ndarray
    p: np.ndarray
    m: np.ndarray | None
    thickness: np.ndarray | None = None
    theta_SH: np.ndarray | float = 0.0
    l_J: np.ndarray | None = None
    l_phi: np.ndarray | None = None
    D_perp: np.ndarray | None = None

    @property
    def is_ferromagnet(self) -> bool:
        return self.m is not None

    @property
    def is_coherent(self) -> bool:
        """A ferromagnet that transverse spin penetrates (MODEL.md 8e)."""
        return self.m is not None and self.l_J is not None


@dataclass(frozen=True)
class InterfaceElement:
    """A resistive interface (MODEL.md 3b) in reduced units; arrays broadcast to the batch.

    Attributes
    ----------
    g : total conductance g_up + g_dn
    gamma : spin asymmetry (g_up - g_dn) / g
    mixing : (..., 2) [g_r, g_i], ``None`` where no transverse channel is modelled
    delta : spin memory loss
    """

    g: np.ndarray
    gamma: np.ndarray
    mixing: np.ndarray | None
    delta: np.ndarray


class Boundary(NamedTuple):
    """An open or magnetic-insulator end (MODEL.md 8d): spin current into it g_r mu_perp + g_i mu x m +
    g_s (m.mu) m (all zero for ``open``); arrays broadcast to the batch."""

    kind: str  # "open" or "insulator"
    m: np.ndarray | None = None
    g_r: np.ndarray | float = 0.0
    g_i: np.ndarray | float = 0.0
    g_s: np.ndarray | float = 0.0


@dataclass(frozen=True)
class StackArrays:
    """A stack as arrays: layers left to right, the two ends (``None`` = reservoir, or an open or
    insulator end listed in ``boundaries``), interfaces by node, the in-plane field ``eps`` (or None)."""

    layers: tuple[Element, ...]
    left: Element | None
    right: Element | None
    batch_shape: tuple[int, ...]
    interfaces: dict[int, InterfaceElement] = field(default_factory=dict)
    boundaries: dict[str, Boundary] = field(default_factory=dict)  # "left"/"right" -> open or insulator end
    eps: np.ndarray | None = None  # the in-plane field e E, (..., 3)

    @property
    def plain(self) -> bool:
        """Whether only the CPP model of MODEL.md 3 is involved (no open or insulator end, no field)."""
        return not self.boundaries and self.eps is None

    @cached_property
    def coherent(self) -> bool:
        """Whether a layer or lead is a ferromagnet with finite transverse coherence (MODEL.md 8e)."""
        return any(e is not None and e.is_coherent for e in self.elements())

    @property
    def n_nodes(self) -> int:
        return len(self.layers) + 1

    @cached_property
    def columns(self) -> dict[str, np.ndarray]:
        """The layers of a single configuration as columns: ``D``, ``l``, ``p``, ``thickness`` (L,),
        ``m`` (L, 3) (zero in N), ``ferro`` (L,) bool and ``complex`` (whether a magnetization is
        complex; then ``m`` holds the real parts); built once per stack (a long stack has one element
        object per layer)."""
        layers = self.layers
        n = len(layers)
        columns = list(zip(*layers)) if n else [()] * 5
        D, l, p, d = (np.fromiter(columns[i], dtype=float, count=n) for i in (0, 1, 2, 4))
        ferro = np.fromiter((e.m is not None for e in layers), dtype=bool, count=n)
        m = np.zeros((n, 3))
        magnetizations = [e.m for e in (*layers, self.left, self.right) if e is not None and e.m is not None]
        is_complex = any(np.iscomplexobj(v) for v in magnetizations)
        if ferro.any():
            m[ferro] = np.real(np.array([e.m for e in layers if e.m is not None]))
        return {"D": D, "l": l, "p": p, "thickness": d, "m": m, "ferro": ferro, "complex": is_complex}

    def elements(self) -> list[Element | None]:
        """Element 0 = left end, 1..L = layers, L + 1 = right end (node k sits between k and k + 1)."""
        return [self.left, *self.layers, self.right]

    def with_layer(self, index: int, layer: Element) -> "StackArrays":
        layers = list(self.layers)
        layers[index] = layer
        return dataclasses.replace(self, layers=tuple(layers))

    def with_right(self, right: Element | None) -> "StackArrays":
        return dataclasses.replace(self, right=right)

    def take(self, selection: np.ndarray) -> "StackArrays":
        """The configurations at flat batch indices ``selection`` (a 1D batch)."""

        def pick(array: np.ndarray | None, vector: bool = False, width: int = 3) -> np.ndarray | None:
            if array is None:
                return None
            shape = self.batch_shape + ((width,) if vector else ())
            flat = np.broadcast_to(array, shape).reshape((-1,) + shape[len(self.batch_shape):])
            return flat[selection]

        def element(e: Element | None) -> Element | None:
            if e is None:
                return None
            return Element(pick(e.D), pick(e.l), pick(e.p), pick(e.m, vector=True), pick(e.thickness), pick(e.theta_SH),
                           pick(e.l_J), pick(e.l_phi), pick(e.D_perp))

        def boundary(b: Boundary) -> Boundary:
            return Boundary(b.kind, pick(b.m, vector=True), pick(b.g_r), pick(b.g_i), pick(b.g_s))

        def interface(i: InterfaceElement) -> InterfaceElement:
            mixing = None if i.mixing is None else pick(i.mixing, vector=True, width=2)
            return InterfaceElement(pick(i.g), pick(i.gamma), mixing, pick(i.delta))

        size = int(np.size(selection))
        return StackArrays(tuple(element(e) for e in self.layers), element(self.left), element(self.right), (size,),
                           {node: interface(i) for node, i in self.interfaces.items()},
                           {side: boundary(b) for side, b in self.boundaries.items()},
                           pick(self.eps, vector=True))
