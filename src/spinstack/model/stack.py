"""The stack: layers between a left and a right end, driven by a current (MODEL.md 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks
from .dynamics import Dynamics
from .interfaces import Interface
from .layers import End, Insulator, Layer, Lead, Open, Reservoir
from .materials import Ferromagnet, Material

UNIT_SYSTEMS = ("reduced", "SI")

# the layer attributes the dynamics checks read, by C-level map (a stack may have 1e5 layers)
_FREE, _DEMAG, _MATERIAL = attrgetter("free"), attrgetter("demag"), attrgetter("material")

# |m1 x m2| below this counts as collinear for F/F contacts (input round-off only)
COLLINEAR_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Stack:
    """An F/N multilayer, validated when built.

    Parameters
    ----------
    layers
        The layers from left to right (x grows to the right, node 0 is the left face).
        The only positional argument: every other one is keyword-only.
    left, right
        The ends: :class:`Reservoir` (default) or :class:`Lead`.
    current
        Particle flux j0 along +x (reduced units); scalar or array, may be 0.
    units
        What the numbers mean: ``"reduced"`` (the seed's units) or ``"SI"`` (SI base
        units mapped as MODEL.md 7: D = 1/(e^2 rho*), j0 = J/e, lengths in m, mu in J).
        The solver is the same; only reports convert.
    interfaces
        Resistive interfaces (:class:`Interface`, MODEL.md 3b) at chosen nodes; every
        other node is transparent (MODEL.md 3a).
    field
        In-plane drive eps = e E (MODEL.md 8a), a vector [0, eps_y, eps_z] (E is tangential,
        the same in every layer); ``None`` (default) for none.  It drives the spin Hall
        effect of N layers with ``theta_SH`` (MODEL.md 8b); ends may then be :class:`Open`
        or :class:`Insulator` (with ``current = 0``).
    dynamics
        The magnetization-dynamics settings (:class:`~spinstack.model.dynamics.Dynamics`: applied
        field, duration, sampling, temperature, area, seed, current waveform, exchange couplings;
        MODEL.md 9), or ``None`` (default).  Dynamics needs an SI stack: a reduced stack with these,
        a free layer, demagnetizing factors or a material's macrospin constants is refused.  A free
        layer's material must give Ms and alpha.

    Notes
    -----
    Every numeric parameter of the stack (thicknesses, material constants,
    magnetizations, current) may be an array; all of them broadcast together to
    :attr:`batch_shape`, and one solve handles the whole batch.

    Derive a changed stack with ``dataclasses.replace(stack, ...)`` or
    :func:`spinstack.model.paths.with_parameter`: both keep every other field.
    """

    layers: Sequence[Layer]
    # every other field by keyword only: a positional rebuild that forgets one (it once dropped `field`)
    # cannot be written; derive stacks with dataclasses.replace, which carries every field over
    _: KW_ONLY
    left: End = field(default_factory=Reservoir)
    right: End = field(default_factory=Reservoir)
    current: ArrayLike = 1.0
    interfaces: Sequence[Interface] = ()
    units: str = "reduced"
    field: ArrayLike | None = None
    dynamics: Dynamics | None = None

    def __post_init__(self) -> None:
        if self.units not in UNIT_SYSTEMS:
            raise StackError("units", f"must be one of {', '.join(UNIT_SYSTEMS)}, got {self.units!r}")
        layers = tuple(self.layers) if not isinstance(self.layers, Layer) else (self.layers,)
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise StackError(f"layers[{index}]", f"must be a Layer, got {layer!r}")
        object.__setattr__(self, "layers", layers)
        for side in ("left", "right"):
            end = getattr(self, side)
            if not isinstance(end, (Reservoir, Lead, Open, Insulator)):
                raise StackError(side, f"must be a Reservoir, Lead, Open or Insulator, got {end!r}")
        object.__setattr__(self, "current", checks.finite(self.current, "current"))
        for side in ("left", "right"):
            end = getattr(self, side)
            if isinstance(end, (Open, Insulator)) and np.any(self.current != 0):
                raise StackError("current", f"must be 0: no charge current crosses the {end.kind} {side} end "
                                            "(drive an open stack with the in-plane field)")
        if self.field is not None:
            field_value = checks.finite(self.field, "field")
            if field_value.ndim == 0 or field_value.shape[-1] != 3:
                raise StackError("field", f"must be a 3-vector [0, eps_y, eps_z], got {self.field!r}")
            if np.any(field_value[..., 0] != 0):
                raise StackError("field", "must have no x component: the in-plane field is tangential to the "
                                          "layers (x is the film normal; y and z lie in the film plane), got eps_x = "
                                          f"{float(np.max(np.abs(field_value[..., 0])))!r}")
            object.__setattr__(self, "field", field_value)
        if not layers and not (isinstance(self.left, Lead) and isinstance(self.right, Lead)):
            raise StackError("layers", "empty: a stack needs at least one layer (or two leads for a bare contact)")
        self._check_interfaces()
        self._check_dynamics(layers)
        self._check_broadcast()
        self._check_ferromagnet_contacts()
        self._check_relaxation()

    # ------------------------------------------------------------------ checks
    def _check_interfaces(self) -> None:
        interfaces = tuple(self.interfaces) if not isinstance(self.interfaces, Interface) else (self.interfaces,)
        seen: dict[int, int] = {}
        for index, interface in enumerate(interfaces):
            path = f"interfaces[{index}]"
            if not isinstance(interface, Interface):
                raise StackError(path, f"must be an Interface, got {interface!r}")
            if not 0 <= interface.node <= len(self.layers):
                raise StackError(f"{path}.node", f"must be a node index from 0 to {len(self.layers)}, got {interface.node}")
            if interface.node in seen:
                raise StackError(f"{path}.node", f"node {interface.node} already has an interface (interfaces[{seen[interface.node]}])")
            seen[interface.node] = index
            for end, end_node in ((self.left, 0), (self.right, len(self.layers))):
                if interface.node == end_node and isinstance(end, (Open, Insulator)):
                    raise StackError(f"{path}.node", f"node {end_node} is the face of an {end.kind} end: no interface "
                                                     "there (an insulator end carries its own g_mix)")
            before, after = self._neighbours(interface.node)
            magnetic = [e for e in (before, after) if e is not None and e.magnetization is not None]
            reservoir = before is None or after is None
            if not magnetic and np.any(interface.g_up != interface.g_dn):
                raise StackError(f"{path}.g_dn", "a non-magnetic interface has no spin asymmetry: g_up and g_dn must be equal")
            if len(magnetic) == 1 and not reservoir and interface.g_mix is None:
                raise StackError(f"{path}.g_mix", "missing: an N/F interface needs its mixing conductance [g_r, g_i]")
            if interface.g_mix is not None and (not magnetic or len(magnetic) == 2):
                kind = "an F/F" if magnetic else "a non-magnetic"
                raise StackError(f"{path}.g_mix", f"not used at {kind} interface: remove it")
        object.__setattr__(self, "interfaces", tuple(sorted(interfaces, key=lambda i: i.node)))

    def _check_dynamics(self, layers: tuple[Layer, ...]) -> None:
        """Dynamics (MODEL.md 9) only in SI stacks; a free layer's material gives Ms and alpha; couplings
        join two different F layers."""
        if self.dynamics is not None and not isinstance(self.dynamics, Dynamics):
            raise StackError("dynamics", f"must be a spinstack.model.dynamics.Dynamics, got {self.dynamics!r}"[:300])
        if self.units != "SI":
            asked = self._dynamics_keys(layers)
            if asked:
                raise StackError(asked, 'dynamics needs an SI stack (units = "SI"): Ms, gamma and times have no '
                                        "reduced form")
            return
        free = list(map(_FREE, layers))
        for index in (i for i, flag in enumerate(free) if flag) if any(free) else ():
            contact = self.free_layer_contact(index)
            if contact is not None:
                raise StackError(f"layers[{index}].free", contact)
            material = layers[index].material
            for key, meaning in (("Ms", 'saturation magnetization, e.g. "800 kA/m"'), ("alpha", "Gilbert damping")):
                if getattr(material, key) is None:
                    raise StackError(f"materials.{material.name}.{key}",
                                     f"missing: layers[{index}] is free and needs it ({meaning})")
        if self.dynamics is None:
            return
        ferromagnets = [i for i, layer in enumerate(layers) if layer.is_ferromagnet]
        for position, coupling in enumerate(self.dynamics.couplings):
            path = f"dynamics.coupling[{position}].layers"
            for index in coupling.layers:
                if not 0 <= index < len(layers):
                    raise StackError(path, f"layer {index} does not exist (the stack has {len(layers)} layers, "
                                           "counted from 0)")
                if index not in ferromagnets:
                    raise StackError(path, f"layer {index} is not an F layer ({layers[index].material.name!r}; "
                                           f"the F layers are {ferromagnets})")
            if coupling.layers[0] == coupling.layers[1]:
                raise StackError(path, f"names layer {coupling.layers[0]} twice: a coupling joins two different F "
                                       "layers")

    def _dynamics_keys(self, layers: tuple[Layer, ...]) -> str:
        """The path of the first dynamics setting of the stack ("" if none): [dynamics], a free layer, a layer's
        demag, a material's macrospin constants."""
        if self.dynamics is not None:
            return "dynamics"
        first = next((index for index, (free, demag) in enumerate(zip(map(_FREE, layers), map(_DEMAG, layers)))
                      if free or demag is not None), None)
        if first is not None:
            return f"layers[{first}].{'free' if layers[first].free else 'demag'}"
        users = list(dict.fromkeys(map(_MATERIAL, layers)))  # each material once, in order of first use
        users += [end.material for end in (self.left, self.right) if isinstance(end, Lead)]
        for material in users:
            if isinstance(material, Ferromagnet) and material.dynamics_constants:
                return f"materials.{material.name}.{next(iter(material.dynamics_constants))}"
        return ""

    def free_layer_contact(self, index: int) -> str | None:
        """Why F layer ``index`` cannot turn on its own (None when it can): it touches another ferromagnet.

        The one rule of every door that makes a layer move (a stack's ``free`` flags, :class:`Macrospins`,
        critical currents).  Ferromagnets in direct contact stay collinear (MODEL.md 1: the node between them
        carries one spin-accumulation axis; a resistive interface there has one magnetization too, so it does
        not separate them), and in a dynamics run every other F layer and every F lead keeps its m (MODEL.md 9):
        a layer touching one could not turn (or would drag a lead or a fixed layer with it).

        Returns
        -------
        str | None
            ``"touches the ferromagnetic layer layers[1] (Co) ..."`` (or lead ``right (Py)``), with what to do.
        """
        before, after = self._neighbours(index), self._neighbours(index + 1)
        for node, neighbour in ((index, before[0]), (index + 1, after[1])):
            if neighbour is None or getattr(neighbour, "magnetization", None) is None:
                continue  # a reservoir, an N layer or an N lead
            if isinstance(neighbour, Lead):
                name = f"lead {'left' if node == 0 else 'right'} ({neighbour.material.name})"
            else:
                neighbour_index = index - 1 if node == index else index + 1
                name = f"layer layers[{neighbour_index}] ({neighbour.material.name}" + \
                    (", also free)" if neighbour.free else ")")
            return (f"touches the ferromagnetic {name}: ferromagnets in contact stay collinear (MODEL.md 1) and "
                    "every other F layer and F lead keeps its m (MODEL.md 9), so it could not turn alone; a free "
                    "layer needs a normal-metal spacer between it and any other ferromagnet (a resistive "
                    "interface alone does not separate them)")
        return None

    @property
    def free_indices(self) -> tuple[int, ...]:
        """Indices of the layers marked ``free`` (their magnetizations move in a dynamics run)."""
        return tuple(i for i, layer in enumerate(self.layers) if layer.free)

    @property
    def has_field(self) -> bool:
        """Whether an in-plane field drives the stack (MODEL.md 8a)."""
        return self.field is not None

    @property
    def has_boundary_ends(self) -> bool:
        """Whether an end is :class:`Open` or :class:`Insulator` (no charge current: no resistance)."""
        return isinstance(self.left, (Open, Insulator)) or isinstance(self.right, (Open, Insulator))

    def _neighbours(self, node: int) -> tuple[Any, Any]:
        """The layers or leads on both sides of a node (None for a reservoir)."""
        before = self.layers[node - 1] if node > 0 else (self.left if isinstance(self.left, Lead) else None)
        after = self.layers[node] if node < len(self.layers) else (self.right if isinstance(self.right, Lead) else None)
        return before, after

    def _parameters(self) -> list[tuple[str, np.ndarray]]:
        """Every numeric parameter with its path, magnetizations without their vector axis."""
        found: list[tuple[str, np.ndarray]] = [("current", self.current)]
        if self.field is not None:
            found.append(("field", self.field[..., 0]))
        for name, material in self.materials.items():
            keys = ("D", "p", "l", "l_J", "l_phi", "D_perp", "Ms", "alpha", "K_u", "gamma") \
                if isinstance(material, Ferromagnet) else ("D", "l", "theta_SH")
            for key in keys:
                if getattr(material, key) is not None:
                    found.append((f"materials.{name}.{key}", getattr(material, key)))
            if isinstance(material, Ferromagnet) and material.easy_axis is not None:
                found.append((f"materials.{name}.easy_axis", material.easy_axis[..., 0]))
        for index, layer in enumerate(self.layers):
            found.append((f"layers[{index}].thickness", layer.thickness))
            if layer.magnetization is not None:
                found.append((f"layers[{index}].magnetization", layer.magnetization[..., 0]))
            if layer.demag is not None:
                found.append((f"layers[{index}].demag", layer.demag[..., 0]))
        for side, end in (("left", self.left), ("right", self.right)):
            if isinstance(end, (Lead, Insulator)) and end.magnetization is not None:
                found.append((f"{side}.magnetization", end.magnetization[..., 0]))
            if isinstance(end, Insulator):
                found.append((f"{side}.g_mix", end.g_mix[..., 0]))
                found.append((f"{side}.g_s", end.g_s))
        for index, interface in enumerate(self.interfaces):
            for key in ("g_up", "g_dn", "delta"):
                found.append((f"interfaces[{index}].{key}", getattr(interface, key)))
            if interface.g_mix is not None:
                found.append((f"interfaces[{index}].g_mix", interface.g_mix[..., 0]))
        if self.dynamics is not None:
            found += self.dynamics.parameters()
        return found

    def _check_broadcast(self) -> None:
        shape: tuple[int, ...] = ()
        for path, value in self._parameters():
            own = np.shape(value)
            if own == () or own == shape:  # nothing to broadcast (a long single stack: 1e5 of these)
                continue
            try:
                shape = np.broadcast_shapes(shape, own)
            except ValueError:
                raise StackError(path, f"array shape {np.shape(value)} does not broadcast with the "
                                       f"other parameters (shape {shape})") from None
        object.__setattr__(self, "_batch_shape", shape)

    def _check_ferromagnet_contacts(self) -> None:
        elements: list[tuple[str, Any]] = []
        if isinstance(self.left, Lead):
            elements.append(("left", self.left))
        elements += [(f"layers[{i}]", layer) for i, layer in enumerate(self.layers)]
        if isinstance(self.right, Lead):
            elements.append(("right", self.right))
        for (path_a, a), (path_b, b) in zip(elements, elements[1:]):
            if a.magnetization is None or b.magnetization is None:
                continue
            sine = np.linalg.norm(np.cross(a.magnetization, b.magnetization), axis=-1)
            if np.any(sine > COLLINEAR_TOLERANCE):
                raise StackError(f"{path_b}.magnetization",
                                 f"ferromagnets {path_a} and {path_b} touch but are not collinear "
                                 "(m2 must be +-m1); put a normal-metal spacer between them")

    def _check_relaxation(self) -> None:
        if isinstance(self.left, Reservoir) or isinstance(self.right, Reservoir):
            return
        lengths = [layer.material.l for layer in self.layers]
        for end in (self.left, self.right):
            if isinstance(end, Lead):
                lengths.append(end.material.l)
            elif isinstance(end, Insulator):  # relaxes every component only with g_r > 0 and g_s > 0
                lengths.append(np.where((end.g_mix[..., 0] > 0) & (end.g_s > 0), 0.0, np.inf))
        no_relaxation = np.ones((), dtype=bool)
        for length in lengths:
            no_relaxation = no_relaxation & np.isinf(length)
        if np.any(no_relaxation):
            raise StackError("layers", "no spin relaxation anywhere (every l = inf) and no reservoir end: "
                                       "the spin accumulation is undefined; give some l a finite value "
                                       "or make an end a reservoir")

    # --------------------------------------------------------------- queries
    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of all numeric parameters (``()`` for a single configuration)."""
        return self._batch_shape  # type: ignore[attr-defined]

    @property
    def materials(self) -> dict[str, Material]:
        """The distinct materials by name, in order of first use (layers, then leads)."""
        found: dict[str, Material] = {}
        users = [layer.material for layer in self.layers]
        users += [end.material for end in (self.left, self.right) if isinstance(end, Lead)]
        for material in users:
            other = found.setdefault(material.name, material)
            if other is not material:
                raise StackError(f"materials.{material.name}", "two different materials share this name")
        return found

    @property
    def ferromagnet_indices(self) -> tuple[int, ...]:
        """Indices of the F layers (leads not counted)."""
        return tuple(i for i, layer in enumerate(self.layers) if layer.is_ferromagnet)

    @property
    def node_positions(self) -> np.ndarray:
        """x of the L + 1 nodes, shape ``(..., L + 1)``; node 0 sits at x = 0."""
        thicknesses = [np.broadcast_to(layer.thickness, self.batch_shape) for layer in self.layers]
        zero = np.zeros(self.batch_shape)
        return np.cumsum(np.stack([zero, *thicknesses], axis=-1), axis=-1)
