"""Name a stack parameter by a path and replace it: the one way sweeps, thresholds and the app do it.

Paths read like the stack file:

* ``current``
* ``field``                                           (the in-plane drive eps, shape (..., 3); MODEL.md 8a)
* ``field.y`` / ``field.z``                           (its in-plane components; x is the film normal, always 0)
* ``materials.NAME.D`` / ``.p`` / ``.l``            (every layer and lead made of NAME)
* ``layers[i].thickness``
* ``layers[i].magnetization``                         (vectors, shape (..., 3))
* ``layers[i].magnetization.theta`` / ``.phi``        (degrees; the other angle is kept)
* ``left.magnetization...``, ``right.magnetization...`` (F leads and magnetic-insulator ends)
* ``left.g_mix`` / ``right.g_mix`` ([g_r, g_i], shape (..., 2)), ``left.g_s`` / ``right.g_s`` (insulator ends)
* ``left.g_mix.real`` / ``.imag`` (and ``right.``): g_r and g_i alone

Negative layer indices count from the right as in Python.  A component path sets one number of a vector
and keeps the others (broadcast against each other): the number a sweep varies (a sweep refuses the
vector paths ``field``, ``...g_mix`` and ``...magnetization``, whose numbers would each be read as the whole
vector).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import StackError
from . import checks
from .layers import Insulator, Layer, Lead
from .materials import Ferromagnet, Material
from .stack import Stack

_LAYER = re.compile(r"^layers\[(-?\d+)\]\.(.+)$")

#: the vectors with component paths: their names and the names of their components, in order
COMPONENTS = {"field": ("x", "y", "z"), "g_mix": ("real", "imag")}


def _component(vector: str, name: str, path: str) -> int:
    """The index of the component ``name`` of ``vector`` (``field``: x, y, z; ``g_mix``: real, imag)."""
    names = COMPONENTS[vector]
    if name not in names:
        offered = names[1:] if vector == "field" else names  # x is no component a path sets
        raise StackError(path, f"unknown component {name!r} of {vector} (expected {' or '.join(offered)})")
    if vector == "field" and name == "x":
        raise StackError(path, "x is the film normal: the in-plane field has no x component (field.y or field.z)")
    return names.index(name)


def _with_component(old: np.ndarray, index: int, value: ArrayLike, path: str) -> np.ndarray:
    """``old`` (shape (..., n)) with component ``index`` set to ``value``, broadcast against each other."""
    value = checks.finite(value, path)
    shape = np.broadcast_shapes(old.shape[:-1], value.shape)
    new = np.array(np.broadcast_to(old, shape + old.shape[-1:]), dtype=float)
    new[..., index] = value
    return new


def _angles(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polar angle from +z and azimuth from +x, degrees."""
    # atan2 of the in-plane length and z, not arccos(z): exact to round-off at every angle (arccos loses
    # half the digits near the poles, where dz/dtheta -> 0)
    theta = np.rad2deg(np.arctan2(np.hypot(vector[..., 0], vector[..., 1]), vector[..., 2]))
    phi = np.rad2deg(np.arctan2(vector[..., 1], vector[..., 0]))
    return theta, phi


def _new_magnetization(current: np.ndarray | None, key: str, value: ArrayLike, path: str) -> Any:
    if current is None:
        raise StackError(path, "not a ferromagnet: it has no magnetization")
    if key == "":
        return value
    theta, phi = _angles(current)
    if key == "theta":
        return {"theta": value, "phi": phi}
    if key == "phi":
        return {"theta": theta, "phi": value}
    raise StackError(path, "unknown parameter (expected magnetization, magnetization.theta or magnetization.phi)")


def _material_keys(material: Material) -> tuple[str, ...]:
    """The numeric parameters of a material that a path may name."""
    return ("D", "p", "l", "l_J", "l_phi", "D_perp") if isinstance(material, Ferromagnet) else ("D", "l", "theta_SH")


def _material_with(material: Material, key: str, value: ArrayLike, path: str) -> Material:
    keys = _material_keys(material)
    if key not in keys:
        raise StackError(path, f"unknown parameter (expected one of: {', '.join(keys)})")
    return dataclasses.replace(material, **{key: value})


def parameter_value(stack: Stack, path: str) -> np.ndarray:
    """The current value of the parameter at ``path`` (angles in degrees)."""
    head, _, rest = path.partition(".")
    if path == "current":
        return stack.current
    if head == "field":
        if stack.field is None:
            raise StackError(path, "this stack has no in-plane field")
        return stack.field[..., _component("field", rest, path)] if rest else stack.field
    if head == "materials":
        name, _, key = rest.partition(".")
        material = stack.materials.get(name)
        if material is None:
            raise StackError(path, f"no material named {name!r} in this stack")
        keys = _material_keys(material)
        if key not in keys:
            raise StackError(path, f"unknown parameter (expected one of: {', '.join(keys)})")
        if getattr(material, key) is None:
            raise StackError(path, f"not set for {name!r} (full absorption: no l_J, l_phi)")
        return np.asarray(getattr(material, key))
    element, key, _ = _element(stack, path)
    if key == "thickness" and isinstance(element, Layer):
        return element.thickness
    if key in _INSULATOR_KEYS and isinstance(element, Insulator):
        return np.asarray(getattr(element, key))
    if key.startswith("g_mix.") and isinstance(element, Insulator):
        return element.g_mix[..., _component("g_mix", key[len("g_mix."):], path)]
    if key.startswith("magnetization"):
        sub = key[len("magnetization"):].lstrip(".")
        if element.magnetization is None:
            raise StackError(path, "not a ferromagnet: it has no magnetization")
        if sub == "":
            return element.magnetization
        theta, phi = _angles(element.magnetization)
        return {"theta": theta, "phi": phi}[sub] if sub in ("theta", "phi") else _bad(path)
    return _bad(path)


def _bad(path: str) -> Any:
    raise StackError(path, "unknown parameter path (see spinstack.model.paths for the forms)")


_INSULATOR_KEYS = ("g_mix", "g_s")


def _element(stack: Stack, path: str) -> tuple[Layer | Lead | Insulator, str, int | str]:
    """The layer or end a path names, the rest of the path, and where it sits: a layer index (from 0) or
    ``"left"``/``"right"``.  Where, not the object: one Layer or Lead object may sit in several places, and
    a path changes one of them."""
    match = _LAYER.match(path)
    if match:
        index = int(match.group(1))
        if not -len(stack.layers) <= index < len(stack.layers):
            raise StackError(path, f"no such layer: the stack has {len(stack.layers)} layers")
        return stack.layers[index], match.group(2), index % len(stack.layers)
    head, _, rest = path.partition(".")
    if head in ("left", "right"):
        end = getattr(stack, head)
        if not isinstance(end, (Lead, Insulator)):
            raise StackError(path, f"the {head} end is {'an open face' if end.kind == 'open' else 'a reservoir'}: "
                                   "it has no parameters")
        return end, rest, head
    return _bad(path)


def with_parameter(stack: Stack, path: str, value: ArrayLike) -> Stack:
    """A new, validated stack with the parameter at ``path`` set to ``value`` (scalar or array).

    Raises
    ------
    StackError
        For an unknown path or an invalid value (the path names the parameter).
    """
    try:
        return _with_parameter(stack, path, value)
    except StackError as error:
        if not error.path.startswith(("thickness", "magnetization") + _INSULATOR_KEYS):
            raise
        # errors of a single layer, lead or insulator end carry paths relative to it: layers[i], left or right
        match = _LAYER.match(path)
        raise error.within(f"layers[{match.group(1)}]" if match else path.partition(".")[0]) from None


def _with_parameter(stack: Stack, path: str, value: ArrayLike) -> Stack:
    """A new, validated stack with the parameter at ``path`` set to ``value`` (scalar or array).

    Raises
    ------
    StackError
        For an unknown path or an invalid value (the path names the parameter).
    """
    if path in ("current", "field"):
        return dataclasses.replace(stack, **{path: value})
    head, _, rest = path.partition(".")
    if head == "field":
        index = _component("field", rest, path)
        if stack.field is None:
            raise StackError(path, "this stack has no in-plane field")
        return dataclasses.replace(stack, field=_with_component(stack.field, index, value, path))
    if head == "materials":
        name, _, key = rest.partition(".")
        material = stack.materials.get(name)
        if material is None:
            raise StackError(path, f"no material named {name!r} in this stack")
        replacement = _material_with(material, key, value, path)
        swap = lambda m: replacement if m is material else m  # noqa: E731
        layers = [dataclasses.replace(layer, material=swap(layer.material)) for layer in stack.layers]
        ends = {side: dataclasses.replace(end, material=swap(end.material)) if isinstance(end, Lead) else end
                for side, end in (("left", stack.left), ("right", stack.right))}
        return dataclasses.replace(stack, layers=layers, **ends)
    element, key, where = _element(stack, path)
    if key == "thickness" and isinstance(element, Layer):
        changed = dataclasses.replace(element, thickness=value)
    elif key in _INSULATOR_KEYS and isinstance(element, Insulator):
        changed = dataclasses.replace(element, **{key: value})
    elif key.startswith("g_mix.") and isinstance(element, Insulator):
        index = _component("g_mix", key[len("g_mix."):], path)
        changed = dataclasses.replace(element, g_mix=_with_component(element.g_mix, index, value, path))
    elif key.startswith("magnetization"):
        sub = key[len("magnetization"):].lstrip(".")
        changed = dataclasses.replace(element, magnetization=_new_magnetization(element.magnetization, sub, value, path))
    else:
        return _bad(path)
    if isinstance(where, str):
        return dataclasses.replace(stack, **{where: changed})
    layers = list(stack.layers)
    layers[where] = changed
    return dataclasses.replace(stack, layers=layers)


__all__ = ["COMPONENTS", "parameter_value", "with_parameter"]
