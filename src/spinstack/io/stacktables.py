"""The tables a stack file shares between its unit systems: materials, layers, ends, interfaces.

Reduced files (:mod:`spinstack.io.stackfile`) and SI files (:mod:`spinstack.io.sifile`) have the
same [[layers]], [left]/[right] and [[interfaces]] tables; what differs is how a number is read
(a bare number, or a quantity with units) and where a material comes from (the file, or also the
materials library).  The readers here take those differences as arguments: a ``lookup`` that
finds a layer's material, a ``thickness`` reader, a ``conductance`` reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import StackError
from ..model import Insulator, Layer, Lead, Open, Reservoir
from ..model.layers import End
from ..model.materials import Material
from .tomlvalues import as_number, as_table, choices, known_keys, quoted_key, required, show, within

__all__ = ["MaterialLookup", "ThicknessReader", "interface_node", "interface_tables", "material_name", "read_end",
           "read_direction", "read_layers", "read_materials", "read_vector", "unquoted_error"]

LAYER_KEYS = ("material", "thickness", "magnetization", "free", "demag")
LEAD_KEYS = ("kind", "material", "magnetization")
ANGLE_KEYS = ("theta", "phi")
END_KINDS = ("reservoir", "lead", "open", "insulator")

# (table, path, hint) -> the Material the table names, with errors under path
MaterialLookup = Callable[[dict[str, Any], str, str], Material]
# (value, path) -> a thickness in the stack's numbers
ThicknessReader = Callable[[Any, str], Any]


def read_vector(value: Any, path: str, what: str, number: Callable[[Any, str], Any] = as_number) -> list[Any]:
    """A 3-vector [x, y, z], each component read by ``number(value, path)``."""
    if not isinstance(value, list) or len(value) != 3:
        raise StackError(path, f"must be a 3-vector: {what}, got {show(value)}")
    return [number(component, f"{path}[{i}]") for i, component in enumerate(value)]


# ------------------------------------------------------------------ materials
def read_materials(value: Any, build: Callable[[str, dict[str, Any], str], Material]) -> dict[str, Material]:
    """Every [materials.NAME] table, built by ``build(name, table, path)``; errors under the quoted path."""
    tables = as_table(value, "materials", "one [materials.NAME] table per material")
    materials: dict[str, Material] = {}
    for name, entry in tables.items():
        path = f"materials.{quoted_key(name)}"
        if not name:
            raise StackError(path, "a material needs a non-empty name")
        try:
            materials[name] = build(name, as_table(entry, path, f"a [{path}] table"), path)
        except StackError as error:
            raise unquoted_error(error, name, path) from None
    return materials


def unquoted_error(error: StackError, name: str, path: str) -> StackError:
    """The model writes materials.NAME.key with the bare name; quote it as TOML would."""
    raw = f"materials.{name}"
    if path != raw and (error.path == raw or error.path.startswith(raw + ".")):
        return StackError(path + error.path[len(raw):], error.reason)
    return error


def material_name(table: dict[str, Any], path: str, hint: str) -> str:
    """The ``material`` key of a layer or lead table: a string."""
    name = required(table, "material", path, hint)
    if not isinstance(name, str):
        raise StackError(f"{path}.material", f"must be the name of a material (a string), got {show(name)}")
    return name


# ------------------------------------------------------------------ layers and ends
def read_end(value: Any, side: str, lookup: MaterialLookup, conductance: Callable[[Any, str], Any] = as_number,
             conductance_key: str = "g") -> End:
    """The [left] or [right] table: a reservoir (the default), a lead of a material, an open face or a
    magnetic insulator (whose mixing and sink conductances ``conductance(value, path)`` reads, under the
    keys ``{conductance_key}_mix`` and ``{conductance_key}_s``)."""
    if value is None:
        return Reservoir()
    table = as_table(value, side, f'a [{side}] table with kind = "reservoir" or "lead"')
    if "kind" not in table:
        raise StackError(f"{side}.kind", f"missing ({choices(END_KINDS)})")
    kind = table["kind"]
    if kind not in END_KINDS:
        raise StackError(f"{side}.kind", f"must be {choices(END_KINDS)}, got {show(kind)}")
    if kind == "reservoir":
        extra = [key for key in table if key != "kind"]
        if extra:
            raise StackError(f"{side}.{quoted_key(extra[0])}", 'not allowed: a reservoir end takes only kind = "reservoir"')
        return Reservoir()
    if kind == "open":
        extra = [key for key in table if key != "kind"]
        if extra:
            raise StackError(f"{side}.{quoted_key(extra[0])}", 'not allowed: an open end takes only kind = "open"')
        return Open()
    if kind == "insulator":
        mix, sink = f"{conductance_key}_mix", f"{conductance_key}_s"
        known_keys(table, ("kind", "magnetization", mix, sink), side)
        magnetization = _magnetization(required(table, "magnetization", side, "the insulator's magnetization"),
                                       f"{side}.magnetization")
        pair = required(table, mix, side, "mixing conductance [real, imaginary]")
        if not isinstance(pair, list) or len(pair) != 2:
            raise StackError(f"{side}.{mix}", f"must be a pair [real, imaginary], got {show(pair)}")
        g_mix = [conductance(component, f"{side}.{mix}[{i}]") for i, component in enumerate(pair)]
        g_s = conductance(table.get(sink, 0.0), f"{side}.{sink}")
        return within(side, Insulator, magnetization, g_mix, g_s)
    if "free" in table:  # dynamics (MODEL.md 9): only a layer moves
        raise StackError(f"{side}.free", "a lead cannot be free: its magnetization stays fixed (mark an F layer of "
                                         "[[layers]] free instead)")
    known_keys(table, LEAD_KEYS, side)
    material = lookup(table, side, "a lead needs the material it is made of")
    magnetization = _magnetization(table.get("magnetization"), f"{side}.magnetization")
    return within(side, Lead, material, magnetization)


def read_layers(value: Any, lookup: MaterialLookup, thickness: ThicknessReader) -> list[Layer]:
    """The [[layers]] array; ``thickness(value, path)`` reads d in the file's units."""
    if not isinstance(value, list):
        raise StackError("layers", f"must be an array of tables ([[layers]]), got {show(value)}")
    layers = []
    for index, entry in enumerate(value):
        path = f"layers[{index}]"
        table = as_table(entry, path, "a [[layers]] table")
        known_keys(table, LAYER_KEYS, path)
        material = lookup(table, path, "the name of a [materials.NAME] table")
        d = thickness(required(table, "thickness", path, "d > 0"), f"{path}.thickness")
        magnetization = _magnetization(table.get("magnetization"), f"{path}.magnetization")
        free = table.get("free", False)
        if not isinstance(free, bool):
            raise StackError(f"{path}.free", f"must be true or false, got {show(free)}")
        demag = (read_vector(table["demag"], f"{path}.demag", "the demagnetizing factors [N_x, N_y, N_z]")
                 if "demag" in table else None)
        layers.append(within(path, Layer, material, d, magnetization, free, demag))
    return layers


def read_direction(value: Any, path: str) -> str | list[float] | dict[str, float]:
    """A direction as a magnetization is written (a name, [x, y, z] or {theta, phi}), type-checked; the model
    resolves it (an anisotropy axis)."""
    if value is None:
        raise StackError(path, "must be a direction, got nothing")
    return _magnetization(value, path)


def _magnetization(value: Any, path: str) -> str | list[float] | dict[str, float] | None:
    """A direction name ("normal", "+y", ...), a vector [x, y, z] or {theta, phi} in degrees, type-checked;
    the model resolves the name and normalises the vector (:func:`spinstack.direction`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        known_keys(value, ANGLE_KEYS, path)
        if "theta" not in value:
            raise StackError(f"{path}.theta", "missing (polar angle in degrees from +z, which lies in the film "
                                              "plane; the film normal is x)")
        return {key: as_number(value[key], f"{path}.{key}") for key in ANGLE_KEYS if key in value}
    if isinstance(value, list) and len(value) == 3:
        return [as_number(component, f"{path}[{i}]") for i, component in enumerate(value)]
    raise StackError(path, f'must be a direction name ("normal" = "+x", the film normal; "+y", "-z", ... in the '
                           f"film plane), a 3-vector [x, y, z] or {{theta = .., phi = ..}} in degrees (theta from "
                           f"+z, in the film plane), got {show(value)}")


# ------------------------------------------------------------------ interfaces
def interface_tables(value: Any) -> list[tuple[dict[str, Any], str]]:
    """The [[interfaces]] array as (table, path) pairs."""
    if not isinstance(value, list):
        raise StackError("interfaces", f"must be an array of tables ([[interfaces]]), got {show(value)}")
    return [(as_table(entry, f"interfaces[{index}]", "an [[interfaces]] table"), f"interfaces[{index}]")
            for index, entry in enumerate(value)]


def interface_node(table: dict[str, Any], path: str) -> int:
    """The ``node`` key: an integer node index."""
    node = required(table, "node", path, "node index: 0 = left end face, L = right end face")
    if isinstance(node, bool) or not isinstance(node, int):
        raise StackError(f"{path}.node", f"must be an integer node index (0 = left end face), got {show(node)}")
    return node
