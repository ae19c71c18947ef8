"""Editing a stack's structure: layers inserted and removed, interfaces set and removed, ends replaced.

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
from typing import Literal

from ..errors import StackError
from .dynamics import Dynamics
from .interfaces import Interface
from .layers import End, Layer
from .stack import Stack

__all__ = ["insert_layer", "remove_interface", "remove_layer", "replace_layer", "set_end", "set_interface"]

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
