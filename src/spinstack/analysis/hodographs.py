"""Hodographs of mu_s and j_s, and their folding into one plane (seed section 3.2, conclusions).

In an N layer the hodograph of mu_s lies in the plane of its two end vectors; in
an F layer it runs along m.  A chain of N layers between two F axes u and m'
lies in the plane span(u, m') (normal metals are isotropic), and the planes of
two chains meeting at an F share that F's axis.  So any stack folds flat: walk
from left to right and rotate each chain's plane about the shared axis into the
plane of the previous one.  Rotations keep lengths and the angles to every axis
of the chain; j_s(x), tangent to the mu_s cord in N and along m in F, folds with
the same rotations.

The fold frame: the first magnetization axis points along +y, the fold plane is
the xy-plane; each fold is the smaller of the two rotations that bring the next
axis into the plane, so a coplanar stack is only rotated rigidly, never mirrored.

What the figures (:mod:`spinstack.plot.hodograph`) and the explorer (:mod:`spinstack.app`)
both draw is computed here, in numbers: :func:`to_fold` puts any vector of an element
in the fold plane, :func:`hodograph_pieces` lists the pieces of a hodograph (layers, and
leads out to their far limit), :func:`magnetization_axes` the magnets, and
:func:`torque_nodes` with :func:`one_sided_spin_current` the jumps of j_s that are torques.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Lead, Stack
from ..solution import Solution, in_units_of, solution_of

_Y = np.array([0.0, 1.0, 0.0])
_Z = np.array([0.0, 0.0, 1.0])


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues: rotation by ``angle`` about the unit vector ``axis``."""
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def _align(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit vector ``source`` to ``target``."""
    axis = np.cross(source, target)
    sine, cosine = np.linalg.norm(axis), float(np.dot(source, target))
    if sine < 1e-15:
        if cosine > 0:
            return np.eye(3)
        other = np.eye(3)[np.argmin(np.abs(source))]
        half_turn_axis = np.cross(source, other)
        return _rotation(half_turn_axis / np.linalg.norm(half_turn_axis), np.pi)
    return _rotation(axis / sine, np.arctan2(sine, cosine))


def _fold(rotation: np.ndarray, hinge: np.ndarray, next_axis: np.ndarray) -> np.ndarray:
    """Rotate about the (already in-plane) hinge so that ``next_axis`` lands in the xy-plane."""
    u = rotation @ hinge
    w = rotation @ next_axis
    w = w - np.dot(w, u) * u
    if np.linalg.norm(w) < 1e-14:
        return rotation  # collinear with the hinge: nothing to fold
    in_plane = np.cross(_Z, u)
    side = 1.0 if np.dot(w, in_plane) >= 0 else -1.0
    target = side * np.linalg.norm(w) * in_plane
    angle = np.arctan2(np.dot(np.cross(w, target), u), np.dot(w, target))
    return _rotation(u, angle) @ rotation


def _samples(solution: Solution, mu: np.ndarray) -> list[np.ndarray]:
    """mu_s vectors of every element (0 = left end, L + 1 = right end: its node value, zero for a reservoir).

    Each end's value is taken on its own side of its node (they differ across a resistive interface)."""
    ends = [solution.accumulation[0], solution.accumulation_right[-1]]
    return [ends[0][None, :]] + [mu[i] for i in range(len(mu))] + [ends[1][None, :]]


def _fold_end_chains(per_element: list[np.ndarray], magnets: list[tuple[int, np.ndarray]],
                     samples: list[np.ndarray]) -> None:
    """Turn the chains beyond the first and the last magnet (or the whole stack without one) into the plane.

    A chain between two axes lies in their plane; a chain with a free end (an open or insulator face,
    a spin Hall source) lies in the plane of its axis and its own accumulation there, which the axes
    alone do not fix.  Each is rotated about its one axis (lengths and the angle to the axis kept), or,
    with no axis at all, the stack's two main directions are brought into the plane.
    """
    def widest(elements: range, axis: np.ndarray | None) -> np.ndarray | None:
        vectors = np.vstack([samples[e] for e in elements]) if len(elements) else np.zeros((0, 3))
        if axis is not None:
            vectors = vectors - np.outer(vectors @ axis, axis)
        if not len(vectors):
            return None
        norms = np.linalg.norm(vectors, axis=-1)
        largest = int(np.argmax(norms))
        scale = max(float(np.abs(np.vstack(samples)).max()), 1e-300)
        return vectors[largest] / norms[largest] if norms[largest] > 1e-9 * scale else None

    count = len(per_element)
    if not magnets:
        first = widest(range(count), None)
        if first is None:
            return
        rotation = _align(first, _Y)
        second = widest(range(count), first)
        if second is not None:
            rotation = _fold(rotation, first, second)
        per_element[:] = [rotation] * count
        return
    for elements, axis in ((range(0, magnets[0][0]), magnets[0][1]), (range(magnets[-1][0] + 1, count), magnets[-1][1])):
        direction = widest(elements, axis)
        if direction is not None:
            rotation = _fold(per_element[elements[0]], axis, direction)
            for e in elements:
                per_element[e] = rotation


def _turn_into_plane(turned: np.ndarray, hinge: np.ndarray) -> np.ndarray:
    """The rotation about ``hinge`` (unit, in the xy-plane) that lays ``turned`` (k, 3), a planar set of vectors
    whose plane holds the hinge, into the xy-plane: the smaller of the two turns that do."""
    across = np.cross(_Z, hinge)  # in the plane, normal to the hinge; turning about the hinge takes it towards z
    along, up = turned @ across, turned @ _Z
    widest = int(np.argmax(np.hypot(along, up)))
    angle = -np.arctan2(up[widest], along[widest])
    if abs(angle) > np.pi / 2:  # lay it down on the other side: the smaller turn
        angle += np.pi if angle < 0 else -np.pi
    return _rotation(hinge, angle)


def _lay_flat(per_element: list[np.ndarray], samples: list[np.ndarray], resistive: set[int]) -> None:
    """Turn every element whose hodograph the axes' planes leave out of the fold plane into it, rigidly.

    Between two magnets joined by transparent nodes every N curve lies in the plane of the two axes,
    but a resistive interface's mixing conductance (g_i: mu_N x m, MODEL.md 3b) turns mu_s out of it: an
    N layer between interfaces lies in the plane of its own two faces only (the sinh profile is a
    combination of them).  Such an element is turned about a line of its plane that is already in the
    fold plane: the face it shares with a neighbour across a transparent node (so the curves still
    meet there), else the line where its plane crosses the fold plane (the least turn).  An element
    after a turned one across a transparent node takes that one's rotation first (continuity), then is
    laid flat the same way.  Elements already in the plane (every transparent stack) are left as they are.
    """
    scale = max(float(np.abs(np.vstack(samples)).max()), 1e-300)
    flat = 1e-9 * scale
    count = len(per_element)
    for e in range(count):
        vectors = samples[e]
        rotation = per_element[e]
        continuous_left = e > 0 and (e - 1) not in resistive  # node e - 1 joins element e - 1 and e
        continuous_right = e < count - 1 and e not in resistive
        if continuous_left and np.linalg.norm((rotation - per_element[e - 1]) @ vectors[0]) > flat:
            rotation = per_element[e - 1]  # the neighbour was turned: meet it at the shared face
        turned = vectors @ rotation.T
        if np.abs(turned[:, 2]).max() <= flat:
            per_element[e] = rotation
            continue
        hinge = None
        for continuous, face in ((continuous_left, turned[0]), (continuous_right, turned[-1])):
            if continuous and np.linalg.norm(face) > flat and abs(face[2]) <= flat:
                hinge = face / np.linalg.norm(face)
                break
        if hinge is None:  # where the element's plane crosses the fold plane
            _, singular, rows = np.linalg.svd(turned, full_matrices=True)
            if len(singular) > 1 and singular[1] > flat:
                hinge = np.cross(rows[-1], _Z)  # rows[-1]: the plane's normal
            else:  # one direction only (a lead's face): any plane holding it
                hinge = np.cross(rows[0], _Z)
            hinge = hinge / np.linalg.norm(hinge)
        hinge = np.array([hinge[0], hinge[1], 0.0]) / np.hypot(hinge[0], hinge[1])
        per_element[e] = _turn_into_plane(turned, hinge) @ rotation


@dataclass(frozen=True)
class Hodograph:
    """Sampled hodographs of one solution, in 3D and folded into the xy-plane.

    Attributes
    ----------
    x : (L, n) sample positions in each layer
    accumulation : (L, n, 3) mu_s(x), original spin-space coordinates
    spin_current : (L, n, 3) j_s(x)
        (all three in the units of the solution: reduced, or m, eV and A/m^2 for an SI stack)
    rotation : (L, 3, 3) fold rotation of each layer (3D -> fold frame)
    axes : (L, 3) magnetization of each F layer (zeros for N)
    left_rotation, right_rotation : (3, 3) fold rotations of the end leads
    """

    x: np.ndarray
    accumulation: np.ndarray
    spin_current: np.ndarray
    rotation: np.ndarray
    axes: np.ndarray
    left_rotation: np.ndarray
    right_rotation: np.ndarray

    def folded(self, vectors: np.ndarray) -> np.ndarray:
        """Per-layer vectors (L, ..., 3) in the fold frame, z dropped: (L, ..., 2)."""
        turned = np.einsum("lij,l...j->l...i", self.rotation, vectors)
        return turned[..., :2]

    @property
    def folded_accumulation(self) -> np.ndarray:
        """(L, n, 2) folded mu_s hodograph."""
        return self.folded(self.accumulation)

    @property
    def folded_spin_current(self) -> np.ndarray:
        """(L, n, 2) folded j_s hodograph."""
        return self.folded(self.spin_current)

    @property
    def folded_axes(self) -> np.ndarray:
        """(L, 2) fold-frame directions of the F axes (zeros for N layers)."""
        return self.folded(self.axes)

    @property
    def planarity(self) -> float:
        """Largest |z| left after folding, relative to the largest |mu_s|: 0 up to round-off."""
        turned = np.einsum("lij,lnj->lni", self.rotation, self.accumulation)
        scale = max(np.abs(self.accumulation).max(), 1e-300)
        return float(np.abs(turned[..., 2]).max() / scale)


def hodograph(system: Stack | Solution, samples: int = 65) -> Hodograph:
    """Sample mu_s and j_s in every layer and compute the folding rotations.

    Parameters
    ----------
    system
        A single-configuration :class:`~spinstack.Stack` (solved here) or its :class:`~spinstack.Solution`.
    samples
        Points per layer, including both faces.

    Returns
    -------
    Hodograph
        In the solution's units (SI stack: x in m, mu_s in eV, j_s as |e| j_s in A/m^2;
        ``hodograph(solution.reduced)`` gives the model numbers).  The rotations do not depend on them.

    Raises
    ------
    TypeError
        For anything but a Stack or a Solution.
    SpinstackError
        For a batched stack or solution (refused before a stack is solved): a hodograph is of one
        configuration.
    """
    solution = solution_of(system, "hodograph", single=True)
    return in_units_of(solution, _hodograph(solution.reduced, samples),
                       {"x": "length", "accumulation": "accumulation", "spin_current": "spin_current"})


def _hodograph(solution: Solution, samples: int) -> Hodograph:
    """:func:`hodograph` in model numbers (``solution`` is its own :attr:`~spinstack.Solution.reduced`)."""
    arrays = solution.arrays
    n_layers = len(arrays.layers)
    positions = solution.node_positions
    t = np.linspace(0.0, 1.0, samples)
    x = positions[:-1, None] + t * (positions[1:] - positions[:-1])[:, None]
    # sample inside each layer: faces are taken from the layer's own side (mu^+ of its left node, mu^- of its
    # right one: they differ from the neighbours' across a resistive interface)
    mu = np.empty((n_layers, samples, 3))
    js = np.empty((n_layers, samples, 3))
    for i in range(n_layers):
        inner = x[i].copy()
        inner[-1] = np.nextafter(inner[-1], -np.inf)
        mu[i], js[i] = solution.spin_accumulation(inner), solution.spin_current(inner)
        mu[i, 0], mu[i, -1] = solution.accumulation_right[i], solution.accumulation[i + 1]
        js[i, -1] = solution.spin_current_right[i]
        js[i, 0] = solution.spin_current_left[i]
    axes = np.array([np.asarray(layer.m, dtype=float) if layer.is_ferromagnet else np.zeros(3) for layer in arrays.layers]).reshape(n_layers, 3)

    # the F axes in order along x, with the element each belongs to (0 = left lead, L + 1 = right lead)
    elements = arrays.elements()
    magnets = [(index, np.asarray(e.m, dtype=float)) for index, e in enumerate(elements) if e is not None and e.is_ferromagnet]
    rotation = np.eye(3) if not magnets else _align(magnets[0][1], _Y)
    per_element = [rotation] * len(elements)
    if magnets:
        hinge_index, hinge = magnets[0]
        for count, (index, axis) in enumerate(magnets[1:]):
            if index > hinge_index + 1:  # a chain of N layers lies between the two axes
                rotation = _fold(rotation, hinge, axis)
            # everything before the first chain lies on the first axis: give it the first plane
            for e in range(0 if count == 0 else hinge_index + 1, index + 1):
                per_element[e] = rotation
            hinge_index, hinge = index, axis
        for e in range(hinge_index + 1, len(elements)):
            per_element[e] = rotation
    samples_of = _samples(solution, mu)
    _fold_end_chains(per_element, magnets, samples_of)
    _lay_flat(per_element, samples_of, set(arrays.interfaces))
    return Hodograph(x, mu, js, np.array(per_element[1:-1]).reshape(n_layers, 3, 3), axes, per_element[0], per_element[-1])


# ------------------------------------------------------------------ the fold, element by element
def element_rotation(fold: Hodograph, element: int) -> np.ndarray:
    """Fold rotation (3, 3) of element ``element`` (0 = left end, 1..L = layers, L + 1 = right end)."""
    n_layers = fold.rotation.shape[0]
    if element == 0:
        return fold.left_rotation
    if element == n_layers + 1:
        return fold.right_rotation
    return fold.rotation[element - 1]


def to_fold(fold: Hodograph, element: int, vectors: np.ndarray) -> np.ndarray:
    """3D ``vectors`` (..., 3) of element ``element`` in the fold plane, (..., 2)."""
    return (np.asarray(vectors, dtype=float) @ element_rotation(fold, element).T)[..., :2]


@dataclass(frozen=True)
class HodographPiece:
    """One piece of a hodograph, in the original spin-space frame (model numbers).

    Attributes
    ----------
    kind : "F" or "N", the element's material
    element : 0 (left end), 1..L (layers), L + 1 (right end)
    lead : True for a lead, drawn from its face to its limit far away
    points : (n, 3) mu_s or j_s along the piece
    """

    kind: str
    element: int
    lead: bool
    points: np.ndarray


def hodograph_pieces(solution: Solution, quantity: str, fold: Hodograph) -> list[HodographPiece]:
    """The pieces of the hodograph of ``quantity`` ("accumulation" or "spin_current"), left to right.

    A layer's piece is its sampled curve from ``fold`` (:func:`hodograph` of ``solution.reduced``);
    a lead's runs from its face to where it tends far away: mu_s -> 0 and j_s -> p j0 m when it
    relaxes (finite l), the face value otherwise.
    """
    if quantity not in ("accumulation", "spin_current"):
        raise ValueError(f"quantity must be 'accumulation' or 'spin_current', got {quantity!r}")
    solution = solution.reduced  # model numbers, like the fold (hodograph of solution.reduced)
    stack = solution.stack
    elements = solution.arrays.elements()
    n_layers = len(stack.layers)
    samples = fold.accumulation if quantity == "accumulation" else fold.spin_current
    j0 = float(solution.current)
    pieces: list[HodographPiece] = []

    def lead_piece(element: int, face: np.ndarray) -> HodographPiece:
        lead = elements[element]
        m = np.zeros(3) if lead.m is None else np.asarray(lead.m, dtype=float)
        relaxes = bool(np.isfinite(lead.l))
        if quantity == "accumulation":
            far = np.zeros(3) if relaxes else face  # mu_s decays along its own direction
        else:
            far = float(lead.p) * j0 * m if relaxes else face
        ends = [far, face] if element == 0 else [face, far]
        return HodographPiece("F" if lead.is_ferromagnet else "N", element, True, np.array(ends))

    if isinstance(stack.left, Lead):
        face = solution.accumulation[0] if quantity == "accumulation" else solution.spin_current_in
        pieces.append(lead_piece(0, face))
    for i, layer in enumerate(stack.layers):
        pieces.append(HodographPiece("F" if layer.is_ferromagnet else "N", i + 1, False, samples[i]))
    if isinstance(stack.right, Lead):
        face = solution.accumulation_right[n_layers] if quantity == "accumulation" else solution.spin_current_out
        pieces.append(lead_piece(n_layers + 1, face))
    return pieces


@dataclass(frozen=True)
class FoldedNode:
    """mu_s on both sides of one node, each side in the fold plane of its own element (model numbers).

    Attributes
    ----------
    node : the node's index k
    left : (2,) mu_s just left of the node (:attr:`~spinstack.Solution.accumulation`, mu^-), folded with
        element k (the layer or end on the node's left): the end of that element's folded curve
    right : (2,) mu_s just right of it (:attr:`~spinstack.Solution.accumulation_right`, mu^+), folded with
        element k + 1: the start of that element's folded curve
    resistive : a resistive interface sits at the node (MODEL.md 3b): mu_s jumps there, from ``left`` to
        ``right``; elsewhere mu_s is continuous and the two sides are one point
    """

    node: int
    left: np.ndarray
    right: np.ndarray
    resistive: bool


def folded_nodes(solution: Solution, fold: Hodograph) -> list[FoldedNode]:
    """Every node's mu_s, both sides, in the fold plane of ``fold`` (:func:`hodograph` of ``solution.reduced``).

    Each side is turned by the rotation of the element it belongs to, so it lies on that element's
    folded hodograph.  Where mu_s is continuous the two sides agree up to round-off: the fold
    rotations of two neighbouring elements differ only by a turn about the magnetization of the F
    between them, along which mu_s points at that F's faces.

    Returns
    -------
    list of FoldedNode
        One per node, left to right, in model numbers (:attr:`spinstack.Solution.reduced`).
    """
    solution = solution.reduced
    interfaces = solution.arrays.interfaces
    return [FoldedNode(k, to_fold(fold, k, solution.accumulation[k]),
                       to_fold(fold, k + 1, solution.accumulation_right[k]), k in interfaces)
            for k in range(len(solution.stack.layers) + 1)]


def magnetization_axes(solution: Solution) -> list[tuple[int, np.ndarray]]:
    """(element, m) of every magnetization, F layers and ferromagnetic leads, left to right."""
    return [(index, np.asarray(element.m, dtype=float)) for index, element in enumerate(solution.arrays.elements())
            if element is not None and element.is_ferromagnet]


# ------------------------------------------------------------------ the jumps of j_s that are torques
def torque_nodes(solution: Solution) -> list[int]:
    """Nodes where a torque is deposited: an F on one side, a layer or lead (not a reservoir) on the other.

    There j_s jumps, and the jump j_s(x_k-) - j_s(x_k+) is the torque share on the F (MODEL.md 4,
    seed eq. 12)."""
    elements = solution.arrays.elements()
    nodes = []
    for k in range(len(elements) - 1):
        before, after = elements[k], elements[k + 1]
        if before is None or after is None:
            continue
        if before.is_ferromagnet or after.is_ferromagnet:
            nodes.append(k)
    return nodes


def one_sided_spin_current(solution: Solution, node: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """j_s(x_k-) and j_s(x_k+) at node ``node`` (None inside a reservoir), model numbers."""
    solution = solution.reduced
    n_layers = len(solution.stack.layers)
    if node == 0:
        before = solution.spin_current_in if isinstance(solution.stack.left, Lead) else None
    else:
        before = solution.spin_current_right[node - 1]
    if node == n_layers:
        after = solution.spin_current_out if isinstance(solution.stack.right, Lead) else None
    else:
        after = solution.spin_current_left[node]
    return before, after
