"""Editing a stack's structure: layers inserted and removed, interfaces set and removed, ends replaced, a layer's
material changed, a material replaced (new parameters or a new name), a layer's ``free`` flag, the dynamics'
exchange couplings and its other [dynamics] settings (applied field, temperature, waveform ...) set.

Every function takes a :class:`~spinstack.model.Stack` and returns a new one (the stack given is
never changed; every other field is carried over by :func:`dataclasses.replace`, which validates
the result as any stack is validated).  A structure the model refuses raises
:class:`~spinstack.errors.StackError` naming the key, as a stack file's error would, with what the
edit was; nothing else is raised for bad input.

Node numbering.  Node ``k`` is the face between ``layers[k - 1]`` and ``layers[k]``; node 0 is the
left end face and node L the right end face (STACK_FORMAT.md, ``[[interfaces]] node``).  Inserting a
layer at position ``i`` (it becomes ``layers[i]``) splits node ``i`` into two: the interface that was
at node ``i`` stays on the right face of the layer before it (node ``i``, the new layer's left face:
"add a layer after layers[i-1]" leaves that layer's right face as it was; at ``i = 0`` it stays on the
left end's face) when it fits there, else it goes to the new layer's right face (node ``i + 1``,
beside the layer it touched on that side: an N/F interface stays an N/F one when an N layer is
inserted between the N and the F), and the interfaces of the nodes after it move one node on.  Removing ``layers[i]`` merges its two faces (nodes ``i`` and
``i + 1``) into node ``i``: an interface on either face sits on the merged node, and one on each face
is refused (a node has at most one interface; remove one first).  So removing the layer just inserted
gives back the stack it was inserted into.  The layer indices of the dynamics' exchange couplings
follow the layers the same way (a coupling of a removed layer is refused).

An edit can leave an interface with neighbours it does not fit (an N/N node with a mixing
conductance, an N/F node without one): the stack refuses it, naming ``interfaces[k]``.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Literal

import numpy as np

from ..errors import StackError
from .dynamics import Dynamics, ExchangeCoupling, coupling_layers
from .interfaces import Interface
from .layers import End, Layer, Lead
from .materials import Ferromagnet, Material, Normal
from .stack import Stack

__all__ = ["DYNAMICS_SETTINGS", "insert_layer", "remove_coupling", "remove_interface", "remove_layer", "replace_layer",
           "replace_material", "set_coupling", "set_demag", "set_dynamics", "set_end", "set_free", "set_interface",
           "set_layer_material"]

Side = Literal["left", "right"]


def _rebuilt(stack: Stack, what: str, **fields: object) -> Stack:
    """``stack`` with ``fields`` replaced, validated; a refusal says which edit it was."""
    try:
        return dataclasses.replace(stack, **fields)  # type: ignore[arg-type]
    except StackError as error:
        raise StackError(error.path, f"{error.reason} ({what})") from None


def _position(stack: Stack, index: int, last: int, what: str) -> int:
    if isinstance(index, bool) or not isinstance(index, int):
        raise StackError("layers", f"{what}: the position must be an integer, got {index!r}")
    if not 0 <= index <= last:
        raise StackError("layers", f"{what}: the position must be from 0 to {last} (the stack has "
                                   f"{len(stack.layers)} layers), got {index}")
    return index


def _moved_couplings(stack: Stack, renumber: dict[int, int], what: str) -> Dynamics | None:
    """The dynamics with its couplings' layer indices renumbered (``renumber``: old -> new; an index not in it
    is a removed layer, refused)."""
    dynamics = stack.dynamics
    if dynamics is None or not dynamics.couplings:
        return dynamics
    couplings = []
    for position, coupling in enumerate(dynamics.couplings):
        for index in coupling.layers:
            if index not in renumber:
                raise StackError(f"dynamics.coupling[{position}].layers",
                                 f"joins layers[{index}]: remove the coupling before the layer ({what})")
        couplings.append(dataclasses.replace(coupling, layers=tuple(renumber[i] for i in coupling.layers)))
    return dataclasses.replace(dynamics, couplings=tuple(couplings))


def insert_layer(stack: Stack, index: int, layer: Layer) -> Stack:
    """``stack`` with ``layer`` inserted as ``layers[index]`` (0: leftmost, L: after the last layer).

    The interface at node ``index`` stays at node ``index`` (the new layer's left face), or, when the
    model refuses it there (its neighbours' kinds changed), goes to node ``index + 1`` (the right face);
    the interfaces of the nodes after it, and the dynamics' couplings of the layers after it, move one on
    (module docstring).

    Raises
    ------
    StackError
        A position outside 0..L, something that is no :class:`Layer`, or a stack the model refuses.
    """
    what = f"inserting a layer at position {index}"
    _position(stack, index, len(stack.layers), what)
    if not isinstance(layer, Layer):
        raise StackError(f"layers[{index}]", f"must be a Layer, got {layer!r}"[:300])
    layers = (*stack.layers[:index], layer, *stack.layers[index:])
    interfaces = tuple(interface if interface.node <= index else dataclasses.replace(interface, node=interface.node + 1)
                       for interface in stack.interfaces)
    renumber = {i: i if i < index else i + 1 for i in range(len(stack.layers))}
    dynamics = _moved_couplings(stack, renumber, what)
    try:
        return _rebuilt(stack, what, layers=layers, interfaces=interfaces, dynamics=dynamics)
    except StackError:
        split = [interface for interface in interfaces if interface.node == index]
        if not split:
            raise
        # the interface of the split node on the new layer's right face instead (a refusal there: the first one)
        moved = tuple(dataclasses.replace(interface, node=index + 1) if interface.node == index else interface
                      for interface in interfaces)
        first = sys.exc_info()[1]
        try:
            return _rebuilt(stack, what, layers=layers, interfaces=moved, dynamics=dynamics)
        except StackError:
            raise first from None


def remove_layer(stack: Stack, index: int) -> Stack:
    """``stack`` without ``layers[index]``; its two faces (nodes ``index`` and ``index + 1``) become one node.

    Raises
    ------
    StackError
        No such layer; an interface on both of its faces (a node holds one: remove one of them first); a
        dynamics coupling of the layer; or a stack the model refuses (the last layer between two
        non-lead ends, an interface that no longer fits its neighbours).
    """
    what = f"removing layers[{index}]"
    _position(stack, index, len(stack.layers) - 1, what)
    renumber = {i: i if i < index else i - 1 for i in range(len(stack.layers)) if i != index}
    dynamics = _moved_couplings(stack, renumber, what)
    on_faces = [interface.node for interface in stack.interfaces if interface.node in (index, index + 1)]
    if len(on_faces) == 2:
        raise StackError(f"layers[{index}]", f"both faces carry an interface (nodes {index} and {index + 1}) and "
                                             "they would become one node: remove one of the interfaces first")
    layers = (*stack.layers[:index], *stack.layers[index + 1:])
    interfaces = tuple(interface if interface.node <= index else dataclasses.replace(interface, node=interface.node - 1)
                       for interface in stack.interfaces)
    return _rebuilt(stack, what, layers=layers, interfaces=interfaces, dynamics=dynamics)


def replace_layer(stack: Stack, index: int, layer: Layer) -> Stack:
    """``stack`` with ``layers[index]`` replaced by ``layer`` (a new material, thickness or magnetization);
    nodes and interfaces unchanged.

    Raises
    ------
    StackError
        No such layer, something that is no :class:`Layer`, or a stack the model refuses.
    """
    what = f"replacing layers[{index}]"
    _position(stack, index, len(stack.layers) - 1, what)
    if not isinstance(layer, Layer):
        raise StackError(f"layers[{index}]", f"must be a Layer, got {layer!r}"[:300])
    layers = (*stack.layers[:index], layer, *stack.layers[index + 1:])
    return _rebuilt(stack, what, layers=layers)


def set_interface(stack: Stack, interface: Interface) -> Stack:
    """``stack`` with ``interface`` at its node (replacing the interface there, if any).

    Raises
    ------
    StackError
        Something that is no :class:`Interface`, a node outside 0..L, the face of an open or insulator
        end, or conductances that do not fit the node's neighbours (an N/F node needs ``g_mix``, a
        non-magnetic one has g_up = g_dn and no ``g_mix``, an F/F one no ``g_mix``).
    """
    if not isinstance(interface, Interface):
        raise StackError("interfaces", f"must be an Interface, got {interface!r}"[:300])
    what = f"setting the interface at node {interface.node}"
    if not 0 <= interface.node <= len(stack.layers):
        raise StackError("interfaces", f"{what}: the node must be from 0 to {len(stack.layers)}")
    interfaces = tuple(other for other in stack.interfaces if other.node != interface.node) + (interface,)
    return _rebuilt(stack, what, interfaces=interfaces)


def remove_interface(stack: Stack, node: int) -> Stack:
    """``stack`` with node ``node`` transparent again (its interface removed).

    Raises
    ------
    StackError
        No interface at ``node``.
    """
    kept = tuple(interface for interface in stack.interfaces if interface.node != node)
    if len(kept) == len(stack.interfaces):
        nodes = ", ".join(str(interface.node) for interface in stack.interfaces) or "none"
        raise StackError("interfaces", f"no interface at node {node!r} to remove (interfaces at nodes: {nodes})")
    return _rebuilt(stack, f"removing the interface at node {node}", interfaces=kept)


def set_end(stack: Stack, side: Side, end: End) -> Stack:
    """``stack`` with its ``side`` (``"left"`` or ``"right"``) end replaced by ``end`` (a
    :class:`~spinstack.model.Reservoir`, :class:`~spinstack.model.Lead`, :class:`~spinstack.model.Open` or
    :class:`~spinstack.model.Insulator`).

    Raises
    ------
    StackError
        A side other than left/right, or a stack the model refuses (an open or insulator end with a
        current, or with an interface on its face; an interface at the end's node that no longer fits).
    """
    if side not in ("left", "right"):
        raise StackError("", f"the side must be 'left' or 'right', got {side!r}")
    return _rebuilt(stack, f"setting the {side} end to a {getattr(end, 'kind', type(end).__name__)}", **{side: end})


# ------------------------------------------------------------------ materials
def _is_material(material: object, path: str) -> Material:
    if not isinstance(material, (Normal, Ferromagnet)):
        raise StackError(path, f"must be a Normal or Ferromagnet, got {material!r}"[:300])
    return material


def _with_layer(stack: Stack, index: int, what: str, make: Callable[[Layer], Layer]) -> Stack:
    """``stack`` with ``layers[index]`` replaced by ``make(the layer there)``; a refusal of the new layer names its
    key under ``layers[index]`` and ``what`` was done."""
    _position(stack, index, len(stack.layers) - 1, what)
    try:
        layer = make(stack.layers[index])
    except StackError as error:
        raise StackError(f"layers[{index}].{error.path}", f"{error.reason} ({what})") from None
    return _rebuilt(stack, what, layers=(*stack.layers[:index], layer, *stack.layers[index + 1:]))


def set_layer_material(stack: Stack, index: int, material: Material, magnetization: object = None) -> Stack:
    """``stack`` with ``layers[index]`` made of ``material``; its thickness (reduced length, or m in SI) kept.

    A ferromagnet replacing a ferromagnet keeps the layer's magnetization, ``free`` flag and demagnetizing
    factors (``magnetization``, when given, replaces the direction); a ferromagnet replacing a normal metal takes
    ``magnetization`` (a unit vector, a direction name or {theta, phi} in degrees, as a layer's); a normal metal
    drops all three.  Nodes, interfaces and couplings are unchanged: an interface or coupling that no longer fits
    (a mixing conductance at what became an F/F node, a coupling of what became an N layer) is refused by the
    stack, naming it.  Setting the layer's old material (and magnetization) back gives the stack back.

    Parameters
    ----------
    stack
        The stack edited (unchanged).
    index
        The layer, 0..L-1.
    material
        Its new material: one of the stack's, or a new one (its name must not be another material's of the stack).
    magnetization
        The direction of a normal layer made ferromagnetic (needed then), or a new direction of a ferromagnetic
        layer; not allowed for a normal metal.

    Raises
    ------
    StackError
        No such layer, something that is no material, a missing or disallowed magnetization, a name shared by two
        different materials, or a stack the model refuses.
    """
    def made(old: Layer) -> Layer:
        _is_material(material, "material")
        magnetic = isinstance(material, Ferromagnet)
        direction = old.magnetization if magnetization is None and magnetic and old.is_ferromagnet else magnetization
        if direction is None and magnetic:
            raise StackError("magnetization", f"missing: {material.name!r} is a ferromagnet and layers[{index}] was "
                                              "a normal metal: give its direction")
        kept = {"free": old.free, "demag": old.demag} if magnetic and old.is_ferromagnet else {}
        return Layer(material, old.thickness, direction, **kept)  # type: ignore[arg-type]

    return _with_layer(stack, index, f"setting the material of layers[{index}]", made)


def replace_material(stack: Stack, name: str, material: Material) -> Stack:
    """``stack`` with every layer and lead of the material named ``name`` made of ``material`` (new parameters,
    or a new name: a rename); thicknesses, magnetizations, flags, nodes and interfaces unchanged.

    The kind stays (a normal metal's layers have no magnetization to take): ``material`` is of the same kind
    as the material replaced.  Replacing it by the material it replaced gives the stack back.

    Parameters
    ----------
    stack
        The stack edited (unchanged).
    name
        A material of the stack (``stack.materials``).
    material
        The material taking its place: its parameters in the stack's units (reduced, or SI base units as
        :mod:`spinstack.si` makes them), its name that of no other material of the stack.

    Raises
    ------
    StackError
        No material ``name`` in the stack, something that is no material, another kind, a name shared by two
        different materials, or a stack the model refuses (a free layer's material without Ms or alpha, ...).
    """
    materials = stack.materials
    if name not in materials:
        raise StackError("materials", f"no material {name!r} in the stack (its materials: "
                                      f"{', '.join(map(repr, materials)) or 'none'})"[:300])
    what = f"replacing material {name!r}"
    _is_material(material, f"materials.{name}")
    old = materials[name]
    if type(material) is not type(old):
        kinds = {"normal": "normal metal", "ferromagnet": "ferromagnet"}
        raise StackError(f"materials.{name}", f"is a {kinds[old.kind]} and {material.name!r} a "
                                              f"{kinds[material.kind]}: a "
                                              f"material keeps its kind (change each layer's material instead) "
                                              f"({what})")
    if material.name != name and material.name in materials:
        raise StackError(f"materials.{material.name}", f"already names another material of the stack: choose "
                                                       f"another name ({what})")
    layers = tuple(dataclasses.replace(layer, material=material) if layer.material is old else layer
                   for layer in stack.layers)
    ends = {side: dataclasses.replace(end, material=material) for side in ("left", "right")
            if isinstance(end := getattr(stack, side), Lead) and end.material is old}
    return _rebuilt(stack, what, layers=layers, **ends)


# ------------------------------------------------------------------ dynamics
def set_free(stack: Stack, index: int, free: bool) -> Stack:
    """``stack`` with the ``free`` flag of ``layers[index]`` set: a free F layer's magnetization moves in a
    dynamics run (MODEL.md 9); the model asks an SI stack, a ferromagnet with Ms and alpha, and no other
    ferromagnet touching it.

    Raises
    ------
    StackError
        No such layer, a flag that is no bool, or a stack the model refuses (naming ``layers[i].free`` or the
        material's missing ``Ms``/``alpha``).
    """
    what = f"{'freeing' if free else 'fixing'} layers[{index}]"
    _position(stack, index, len(stack.layers) - 1, what)
    if not isinstance(free, bool):
        raise StackError(f"layers[{index}].free", f"must be true or false, got {free!r}"[:300])
    return _with_layer(stack, index, what, lambda old: dataclasses.replace(old, free=free))


def set_demag(stack: Stack, index: int, demag: object) -> Stack:
    """``stack`` with the demagnetizing factors of F layer ``layers[index]`` set: (N_x, N_y, N_z), dimensionless,
    >= 0, summing to 1 (MODEL.md 9b; x is the film normal, a thin film is (1, 0, 0)), or ``None`` for none (no
    shape anisotropy).

    Raises
    ------
    StackError
        No such layer, factors the model refuses (not three, negative, not summing to 1, on a normal metal), or a
        reduced stack, naming ``layers[i].demag``.
    """
    return _with_layer(stack, index, f"setting the demag factors of layers[{index}]",
                       lambda old: dataclasses.replace(old, demag=demag))


def _pair(layers: object, where: str, what: str) -> tuple[int, int]:
    """``layers`` as a coupling's layer pair (a, b), refused by the model's own check (the one a stack file's
    ``[[dynamics.coupling]] layers`` meets) under ``where`` (``dynamics.coupling[k]``), saying the edit."""
    try:
        return coupling_layers(layers)
    except StackError as error:
        raise StackError(error.within(where).path, f"{error.reason} ({what})") from None


def set_coupling(stack: Stack, layers: tuple[int, int], J: float) -> Stack:  # noqa: N803
    """``stack`` with an interlayer exchange coupling of energy per area -J m_a . m_b between the two F layers
    ``layers`` = (a, b) (MODEL.md 9b; J in J/m^2, > 0 ferromagnetic): it replaces a coupling of the same pair (in
    either order), else it is added after the others.  A stack without dynamics settings gets them (every other
    setting its default).

    Raises
    ------
    StackError
        Not two layer indices, a J that is not finite, or a stack the model refuses (a reduced stack; a layer that
        does not exist or is no ferromagnet; the same layer twice), naming ``dynamics.coupling[k]`` (k: the
        position the coupling takes) as a stack file's error would, with what the edit was.
    """
    dynamics = stack.dynamics if stack.dynamics is not None else Dynamics()
    couplings = list(dynamics.couplings)
    # a pair the model refuses matches none of the stack's: it would have been added after the others
    a, b = _pair(layers, f"dynamics.coupling[{len(couplings)}]", "setting a coupling")
    position = next((k for k, other in enumerate(couplings) if set(other.layers) == {a, b}), len(couplings))
    what = f"setting the coupling of layers[{a}] and layers[{b}]"
    try:
        coupling = ExchangeCoupling((a, b), J)
    except StackError as error:
        raise StackError(error.within(f"dynamics.coupling[{position}]").path, f"{error.reason} ({what})") from None
    couplings[position:position + 1] = [coupling]
    return _rebuilt(stack, what, dynamics=dataclasses.replace(dynamics, couplings=tuple(couplings)))


def _default(dynamics: Dynamics) -> bool:
    """Whether every setting of ``dynamics`` but its couplings is the default one (as ``Dynamics()``)."""
    defaults = Dynamics()
    for field in dataclasses.fields(Dynamics):
        if field.name == "couplings":
            continue
        value, default = getattr(dynamics, field.name), getattr(defaults, field.name)
        if (value is None) != (default is None):
            return False
        if value is not None and not (np.shape(value) == np.shape(default) and np.all(value == default)):
            return False
    return True


def remove_coupling(stack: Stack, layers: tuple[int, int]) -> Stack:
    """``stack`` without the exchange coupling of the pair ``layers`` (either order).  When it was the last one
    and every other dynamics setting is the default, the stack has no dynamics settings again (so setting a
    coupling on a stack without them and removing it gives the stack back).

    Raises
    ------
    StackError
        Not two layer indices (the model's check, naming ``dynamics.coupling.layers``), or no coupling of that
        pair.
    """
    a, b = _pair(layers, "dynamics.coupling", "removing a coupling")
    couplings = stack.dynamics.couplings if stack.dynamics is not None else ()
    kept = tuple(other for other in couplings if set(other.layers) != {a, b})
    if len(kept) == len(couplings):
        pairs = ", ".join(f"[{c.layers[0]}, {c.layers[1]}]" for c in couplings) or "none"
        raise StackError("dynamics.coupling", f"no coupling of layers {a} and {b} to remove (couplings: {pairs})")
    assert stack.dynamics is not None
    dynamics = None if not kept and _default(stack.dynamics) else dataclasses.replace(stack.dynamics, couplings=kept)
    return _rebuilt(stack, f"removing the coupling of layers[{a}] and layers[{b}]", dynamics=dynamics)


#: the settings :func:`set_dynamics` sets: every field of :class:`~spinstack.model.dynamics.Dynamics` but the
#: couplings (:func:`set_coupling`, :func:`remove_coupling`)
DYNAMICS_SETTINGS = tuple(field.name for field in dataclasses.fields(Dynamics) if field.name != "couplings")


def set_dynamics(stack: Stack, **settings: object) -> Stack:
    """``stack`` with [dynamics] settings replaced (MODEL.md 9, STACK_FORMAT.md "Dynamics"; SI base units as
    :class:`~spinstack.model.dynamics.Dynamics` holds them): ``field`` (B_app = mu0 H, tesla, a 3-vector),
    ``duration`` and ``save_every`` (s), ``temperature`` (K), ``area`` (m^2), ``seed``, ``waveform`` ([(t, J),
    ...], s and A/m^2, replacing the stack's constant current) and ``waveform_scale``; a setting given as None
    goes back to its default (no waveform, no area ...; the field and temperature: 0).  The settings not given
    and the exchange couplings are kept.  A stack without dynamics settings gets them; when every setting is then
    the default and there is no coupling, the stack has none (an all-default table says nothing; so the inverse
    edit, the old values given back, gives the stack back, a stack with an all-default table as one without).

    Raises
    ------
    StackError
        An unknown setting, a value the model refuses (a negative temperature, a temperature > 0 without an
        area, a waveform whose times do not increase ...) naming ``dynamics.KEY``, or a reduced stack.
    """
    unknown = sorted(set(settings) - set(DYNAMICS_SETTINGS))
    if unknown:
        raise StackError(f"dynamics.{unknown[0]}", f"no such setting: the settings are {', '.join(DYNAMICS_SETTINGS)}"
                                                   " (couplings: set_coupling)")
    what = f"setting {', '.join(f'dynamics.{name}' for name in settings) or 'nothing'}"
    present = stack.dynamics if stack.dynamics is not None else Dynamics()
    defaults = Dynamics()
    values = {name: getattr(defaults, name) if value is None else value for name, value in settings.items()}
    try:
        dynamics = dataclasses.replace(present, **values)  # type: ignore[arg-type]
    except StackError as error:
        raise StackError(error.path, f"{error.reason} ({what})") from None
    if not dynamics.couplings and _default(dynamics):
        return _rebuilt(stack, what, dynamics=None)
    return _rebuilt(stack, what, dynamics=dynamics)
