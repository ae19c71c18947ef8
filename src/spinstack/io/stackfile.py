"""Stack files: the TOML description of a stack (``STACK_FORMAT.md``), reduced units.

A stack file is the one way a structure is described outside Python, so the
reader is strict: an unknown key is an error at every level (a typo must never
silently change a result), a missing required key is an error, and a value of
the wrong type is an error.  Every error is a :class:`~spinstack.StackError`
whose message is one line, ``FILE: PATH: reason``, for example::

    examples/bad.toml: layers[2].thickness: must be > 0, got -2.0
    bad.toml: materials.F1.p: must lie strictly between -1 and 1, got 1.0
    x.toml: layers[0].materail: unknown key (expected one of: material, thickness, magnetization)

Layers are counted from 0, as in ``STACK_FORMAT.md``.  Value checks (ranges,
finiteness, collinear F/F contacts, ...) are the model's own
(:mod:`spinstack.model`); this module checks the file's structure and types,
converts TOML values to numbers and puts the model's errors under their path
in the file.

Not supported yet (clear errors, never silently ignored): ``units = "SI"`` and
resistive ``[[interfaces]]`` (MODEL.md 3b).
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ..errors import StackError
from ..model import Ferromagnet, Layer, Lead, Normal, Reservoir, Stack
from ..model.layers import End
from ..model.materials import Material

__all__ = ["StackFileError", "load_stack", "stack_from_dict"]

T = TypeVar("T")

TOP_KEYS = ("units", "current", "materials", "left", "layers", "right", "interfaces")
NORMAL_KEYS = ("type", "D", "l")
FERROMAGNET_KEYS = ("type", "D", "p", "l", "D_up", "D_dn")
LAYER_KEYS = ("material", "thickness", "magnetization")
LEAD_KEYS = ("kind", "material", "magnetization")
ANGLE_KEYS = ("theta", "phi")
MATERIAL_TYPES = ("normal", "ferromagnet")
END_KINDS = ("reservoir", "lead")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SHOWN_LENGTH = 60  # longest rendering of a bad value inside a message


class StackFileError(StackError):
    """A :class:`~spinstack.StackError` located in a file: ``FILE: PATH: reason``.

    Attributes
    ----------
    source
        The file name as the user gave it.
    path, reason
        As for :class:`~spinstack.StackError`; ``path`` is empty for errors
        about the file as a whole (missing, unreadable, not TOML).
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.source = source
        self.args = (_one_line(f"{source}: {self.args[0]}"),)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.path, self.reason))


# ------------------------------------------------------------------ entry points
def load_stack(path: str | os.PathLike[str]) -> Stack:
    """Read a stack file (TOML, ``STACK_FORMAT.md``) into a validated :class:`~spinstack.Stack`.

    Parameters
    ----------
    path
        The file.  Its name, as given, starts every error message.

    Returns
    -------
    Stack
        Unbatched (``batch_shape == ()``), reduced units.

    Raises
    ------
    StackError
        (a :class:`StackFileError`) if the file cannot be read, is not UTF-8 or
        not TOML, or describes an invalid stack; the message is one line,
        ``FILE: PATH: reason``.
    """
    source = os.fspath(path)
    file = Path(source)
    if file.is_dir():
        raise StackFileError(source, "", "is a directory, not a stack file")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise StackFileError(source, "", "no such file") from None
    except PermissionError:
        raise StackFileError(source, "", "cannot read the file: permission denied") from None
    except OSError as error:
        raise StackFileError(source, "", f"cannot read the file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is harmless
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise StackFileError(source, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line}); "
                                         "stack files are TOML, which is UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StackFileError(source, "", f"invalid TOML: {error}") from None
    return stack_from_dict(data, source)


def stack_from_dict(data: dict[str, Any], source: str) -> Stack:
    """Build a :class:`~spinstack.Stack` from a parsed stack file (the dict ``tomllib`` returns).

    Parameters
    ----------
    data
        The file's top-level table.
    source
        Where it came from (a file name); starts every error message.

    Raises
    ------
    StackError
        (a :class:`StackFileError`) naming the key path and the reason.
    """
    try:
        return _stack(data)
    except StackError as error:
        raise StackFileError(source, error.path, error.reason) from None


# ------------------------------------------------------------------ the tables
def _stack(data: Any) -> Stack:
    top = _table(data, "", "the top level of a stack file")
    _known_keys(top, TOP_KEYS, "")
    _units(top.get("units", "reduced"))
    if "interfaces" in top:
        raise StackError("interfaces", "resistive interfaces (MODEL.md 3b) are not supported yet")
    current = _number(top.get("current", 1.0), "current")
    materials = _materials(top.get("materials", {}))
    left = _end(top.get("left"), "left", materials)
    layers = _layers(top.get("layers", []), materials)
    right = _end(top.get("right"), "right", materials)
    return Stack(layers, left=left, right=right, current=current)


def _units(value: Any) -> None:
    if value == "reduced":
        return
    if value == "SI":
        raise StackError("units", 'SI units are not supported yet (a later version adds them); '
                                  'write the stack in reduced units (units = "reduced")')
    raise StackError("units", f'must be "reduced" (or "SI", not supported yet), got {_show(value)}')


def _materials(value: Any) -> dict[str, Material]:
    tables = _table(value, "materials", "one [materials.NAME] table per material")
    materials: dict[str, Material] = {}
    for name, entry in tables.items():
        path = f"materials.{_key(name)}"
        if not name:
            raise StackError(path, "a material needs a non-empty name")
        try:
            materials[name] = _material(name, _table(entry, path, f"a [{path}] table"), path)
        except StackError as error:
            # the model writes materials.NAME.key with the bare name; quote it as TOML would
            raw = f"materials.{name}"
            if path != raw and (error.path == raw or error.path.startswith(raw + ".")):
                raise StackError(path + error.path[len(raw):], error.reason) from None
            raise
    return materials


def _material(name: str, table: dict[str, Any], path: str) -> Material:
    if "type" not in table:
        raise StackError(f"{path}.type", f"missing ({_choices(MATERIAL_TYPES)})")
    kind = table["type"]
    if kind not in MATERIAL_TYPES:
        raise StackError(f"{path}.type", f"must be {_choices(MATERIAL_TYPES)}, got {_show(kind)}")
    if kind == "normal":
        _known_keys(table, NORMAL_KEYS, path)
        D = _number(_required(table, "D", path, "conductance D_N > 0"), f"{path}.D")
        return Normal(name, D=D, l=_length(table, path))
    _known_keys(table, FERROMAGNET_KEYS, path)
    by_d_p = [key for key in ("D", "p") if key in table]
    by_spin = [key for key in ("D_up", "D_dn") if key in table]
    if by_d_p and by_spin:
        raise StackError(f"{path}.{by_spin[0]}", "give either D and p, or D_up and D_dn, not both")
    if by_spin:
        D_up = _number(_required(table, "D_up", path, "D_up and D_dn go together"), f"{path}.D_up")
        D_dn = _number(_required(table, "D_dn", path, "D_up and D_dn go together"), f"{path}.D_dn")
        return Ferromagnet.from_spin_conductances(name, D_up, D_dn, l=_length(table, path))
    D = _number(_required(table, "D", path, "conductance D_F > 0; or give D_up and D_dn instead of D and p"),
                f"{path}.D")
    p = _number(_required(table, "p", path, "current polarisation, strictly between -1 and 1"), f"{path}.p")
    return Ferromagnet(name, D=D, p=p, l=_length(table, path))


def _length(table: dict[str, Any], path: str) -> float:
    """The spin diffusion length ``l``: a number or the string "inf" (no spin flip)."""
    value = _required(table, "l", path, 'spin diffusion length > 0; l = "inf" for no spin flip')
    if value == "inf":
        return math.inf
    if isinstance(value, str):
        raise StackError(f"{path}.l", f'must be a number > 0 or "inf" (no spin flip), got {_show(value)}')
    return _number(value, f"{path}.l")


def _end(value: Any, side: str, materials: dict[str, Material]) -> End:
    if value is None:
        return Reservoir()
    table = _table(value, side, f'a [{side}] table with kind = "reservoir" or "lead"')
    if "kind" not in table:
        raise StackError(f"{side}.kind", f"missing ({_choices(END_KINDS)})")
    kind = table["kind"]
    if kind not in END_KINDS:
        raise StackError(f"{side}.kind", f"must be {_choices(END_KINDS)}, got {_show(kind)}")
    if kind == "reservoir":
        extra = [key for key in table if key != "kind"]
        if extra:
            raise StackError(f"{side}.{_key(extra[0])}", 'not allowed: a reservoir end takes only kind = "reservoir"')
        return Reservoir()
    _known_keys(table, LEAD_KEYS, side)
    material = _material_reference(table, side, materials, "a lead needs the material it is made of")
    magnetization = _magnetization(table.get("magnetization"), f"{side}.magnetization")
    return _within(side, Lead, material, magnetization)


def _layers(value: Any, materials: dict[str, Material]) -> list[Layer]:
    if not isinstance(value, list):
        raise StackError("layers", f"must be an array of tables ([[layers]]), got {_show(value)}")
    layers = []
    for index, entry in enumerate(value):
        path = f"layers[{index}]"
        table = _table(entry, path, "a [[layers]] table")
        _known_keys(table, LAYER_KEYS, path)
        material = _material_reference(table, path, materials, "the name of a [materials.NAME] table")
        thickness = _number(_required(table, "thickness", path, "d > 0"), f"{path}.thickness")
        magnetization = _magnetization(table.get("magnetization"), f"{path}.magnetization")
        layers.append(_within(path, Layer, material, thickness, magnetization))
    return layers


def _material_reference(table: dict[str, Any], path: str, materials: dict[str, Material], hint: str) -> Material:
    name = _required(table, "material", path, hint)
    if not isinstance(name, str):
        raise StackError(f"{path}.material", f"must be the name of a material (a string), got {_show(name)}")
    if name not in materials:
        defined = ", ".join(materials) if materials else "none"
        raise StackError(f"{path}.material", f"undefined material {_show(name)} (defined: {defined})")
    return materials[name]


def _magnetization(value: Any, path: str) -> list[float] | dict[str, float] | None:
    """A vector [x, y, z] or {theta, phi} in degrees, type-checked; the model normalises it."""
    if value is None:
        return None
    if isinstance(value, dict):
        _known_keys(value, ANGLE_KEYS, path)
        if "theta" not in value:
            raise StackError(f"{path}.theta", "missing (polar angle from +z, degrees)")
        return {key: _number(value[key], f"{path}.{key}") for key in ANGLE_KEYS if key in value}
    if isinstance(value, list) and len(value) == 3:
        return [_number(component, f"{path}[{i}]") for i, component in enumerate(value)]
    raise StackError(path, f"must be a 3-vector [x, y, z] or {{theta = .., phi = ..}} in degrees, got {_show(value)}")


# ------------------------------------------------------------------ helpers
def _table(value: Any, path: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StackError(path, f"must be a table ({what}), got {_show(value)}")
    return value


def _known_keys(table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in table:
        if key not in allowed:
            where = f"{path}.{_key(key)}" if path else _key(key)
            raise StackError(where, f"unknown key (expected one of: {', '.join(allowed)})")


def _required(table: Mapping[str, Any], key: str, path: str, hint: str) -> Any:
    if key not in table:
        raise StackError(f"{path}.{key}", f"missing ({hint})")
    return table[key]


def _number(value: Any, path: str) -> float:
    """A TOML integer or float as a Python float; booleans, strings, nan refused.

    Infinities pass: the model decides where they are allowed (only ``l``).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StackError(path, f"must be a number, got {_show(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise StackError(path, f"must be finite, got {_show(value)}") from None
    if math.isnan(number):
        raise StackError(path, "must be a number, got nan")
    return number


def _within(path: str, build: Callable[..., T], *arguments: Any) -> T:
    """Call a model constructor and put its errors (paths like ``thickness``) under ``path``."""
    try:
        return build(*arguments)
    except StackError as error:
        raise error.within(path) from None


def _key(key: str) -> str:
    """A key as it appears in a TOML path: bare when it can be, else quoted ("a b", "")."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _choices(options: tuple[str, ...]) -> str:
    quoted = [f'"{option}"' for option in options]
    return " or ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _show(value: Any) -> str:
    """A value as it is written in TOML (true, "text", [1, 2], {theta = 1}), shortened."""
    text = _toml(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
