"""Stack files: the TOML description of a stack (``STACK_FORMAT.md``), reduced or SI units.

A stack file is the one way a structure is described outside Python, so the
reader is strict: an unknown key is an error at every level (a typo must never
silently change a result), a missing required key is an error, and a value of
the wrong type is an error.  Every error is a :class:`~spinstack.StackError`
whose message is one line, ``FILE: PATH: reason``, for example::

    examples/bad.toml: layers[2].thickness: must be > 0, got -2.0
    bad.toml: materials.F1.p: must lie strictly between -1 and 1, got 1.0
    x.toml: layers[0].materail: unknown key (expected one of: material, thickness, magnetization)
    x.toml: materials.Co.rho: expected a resistivity (e.g. "60 nOhm*m"), got "4 nm" (dimension [length])

Layers are counted from 0, as in ``STACK_FORMAT.md``.  Value checks (ranges,
finiteness, collinear F/F contacts, ...) are the model's own
(:mod:`spinstack.model`); this module checks the file's structure and types,
converts TOML values to numbers and puts the model's errors under their path
in the file.  ``units = "SI"`` files (quantities with units, the built-in
materials library) are read by :mod:`spinstack.io.sifile` through the same
layer and end tables.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable
from typing import Any

from ..errors import StackError
from ..model import Ferromagnet, Insulator, Interface, Layer, Lead, Normal, Open, Reservoir, Stack
from ..model.layers import End
from ..model.materials import Material
from .bulk import paused_collection
from .tomlvalues import (as_number, as_table, choices, known_keys, listing, one_line, quoted_key, required, show,
                         within)

__all__ = ["StackFileError", "load_stack", "read_text_file", "stack_from_dict"]

TOP_KEYS = ("units", "current", "field", "materials", "left", "layers", "right", "interfaces")
NORMAL_KEYS = ("type", "D", "l", "theta_SH")
FERROMAGNET_KEYS = ("type", "D", "p", "l", "D_up", "D_dn", "l_J", "l_phi", "D_perp")
LAYER_KEYS = ("material", "thickness", "magnetization")
LEAD_KEYS = ("kind", "material", "magnetization")
INSULATOR_KEYS = ("kind", "magnetization", "g_mix", "g_s")
INTERFACE_KEYS = ("node", "g_up", "g_dn", "g_mix", "delta")
ANGLE_KEYS = ("theta", "phi")
SI_MATERIAL_KEYS = ("rho", "conductivity", "beta", "l_sf")
MATERIAL_TYPES = ("normal", "ferromagnet")
END_KINDS = ("reservoir", "lead", "open", "insulator")
UNIT_SYSTEMS = ("reduced", "SI")

# (table, path) -> the Material the table names, with errors under path
MaterialLookup = Callable[[dict[str, Any], str, str], Material]
# (value, path) -> a thickness in the stack's numbers
ThicknessReader = Callable[[Any, str], Any]


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
        self.args = (one_line(f"{source}: {self.args[0]}"),)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.path, self.reason))


# ------------------------------------------------------------------ entry points
@paused_collection()
def load_stack(path: str | os.PathLike[str], *, library: Any = None) -> Stack:
    """Read a stack file (TOML, ``STACK_FORMAT.md``) into a validated :class:`~spinstack.Stack`.

    Parameters
    ----------
    path
        The file.  Its name, as given, starts every error message.
    library
        For SI files that name library materials: a :class:`~spinstack.library.Library`
        or a library file (default: the built-in one, read only when a name needs it).

    Returns
    -------
    Stack
        Unbatched (``batch_shape == ()``); ``units`` as the file says (``"reduced"``
        by default, or ``"SI"``: SI-base numbers, MODEL.md 7).

    Raises
    ------
    StackError
        (a :class:`StackFileError`) for every bad input: the file is missing, a
        directory, a device, pipe or socket, unreadable, larger than
        :data:`MAX_FILE_BYTES`, not UTF-8 text, not TOML (or TOML that would run the
        parser out of time or recursion), or describes an invalid stack; the message
        is one line, ``FILE: PATH: reason``, and quotes the file only around the
        offending place.
    """
    source = os.fspath(path)
    try:
        text = read_text_file(source)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise StackFileError(source, "", f"invalid TOML: {error}{_quoted_line(text, str(error))}") from None
        return stack_from_dict(data, source, library=library)
    except RecursionError:
        # tomllib and the checks recurse into nested arrays and inline tables
        raise StackFileError(source, "", "nested too deeply (arrays or inline tables hundreds of levels "
                                         "within each other): a stack file nests a few levels") from None
    except MemoryError:
        raise StackFileError(source, "", "out of memory while reading the file") from None


#: the largest stack file read (bytes): a 1e5-layer file takes about 6 MB (reduced) to 13 MB (SI, with
#: comments); anything much larger is not a stack someone wrote, and reading it whole would cost memory
MAX_FILE_BYTES = 32 * 1024 * 1024
#: the most parts a dotted key may have ("materials.Co.rho" has 3): tomllib's time grows as the square of it
MAX_KEY_PARTS = 64
# a control character TOML does not allow anywhere (tab, line feed and carriage return are allowed)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# MAX_KEY_PARTS + 1 key parts in a row, each followed by a dot: bare words (starting at a word's start, so
# the scan stays linear in a long word) or quoted keys; atomic groups, so a near-miss never backtracks
_KEY_PART = r"""(?>(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+|"(?>[^"\\\n]|\\.)*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"(?:{_KEY_PART}[ \t]*\.[ \t]*){{{MAX_KEY_PARTS}}}")


def read_text_file(source: str) -> str:
    """The file's text, refused with a one-line :class:`StackFileError` unless it is a regular UTF-8 text
    file of at most :data:`MAX_FILE_BYTES` whose keys tomllib can parse in linear time (stack files, and
    the materials library's file, :mod:`spinstack.library`).

    Opened without blocking (a FIFO would wait for a writer) and checked on the open descriptor (no
    race between the check and the read); at most ``MAX_FILE_BYTES + 1`` bytes are read whatever the
    file claims (``/proc`` files report a size of 0, ``/dev/zero`` has no end).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(source, flags)
    except FileNotFoundError:
        raise StackFileError(source, "", "no such file") from None
    except IsADirectoryError:
        raise StackFileError(source, "", "is a directory, not a stack file") from None
    except PermissionError:
        raise StackFileError(source, "", "cannot read the file: permission denied") from None
    except OSError as error:  # a name too long, a loop of links, ...
        raise StackFileError(source, "", f"cannot read the file: {error.strerror or type(error).__name__}") from None
    except ValueError:  # an embedded NUL character
        raise StackFileError(source, "", "not a valid file name (it contains a NUL character)") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise StackFileError(source, "", "is a directory, not a stack file")
        if not stat.S_ISREG(info.st_mode):
            raise StackFileError(source, "", "not a regular file (a device, pipe or socket): TOML is read from "
                                             "regular text files")
        if info.st_size > MAX_FILE_BYTES:
            raise StackFileError(source, "", _too_large(info.st_size))
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise StackFileError(source, "", f"cannot read the file: {error.strerror or type(error).__name__}") from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise StackFileError(source, "", _too_large(None))
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is harmless
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise StackFileError(source, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line}); "
                                         "stack files are TOML, which is UTF-8") from None
    control = _CONTROL.search(text)
    if control is not None:  # a binary file: say where, never quote it
        line = text.count("\n", 0, control.start()) + 1
        raise StackFileError(source, "", f"not a text file (control character 0x{ord(control.group()):02x} on "
                                         f"line {line}); TOML is text")
    line = _long_key_line(text)
    if line is not None:
        raise StackFileError(source, "", f"a dotted key of more than {MAX_KEY_PARTS} parts on line {line} "
                                         "(stack files use at most 3, as in materials.NAME.key)")
    return text


def _long_key_line(text: str) -> int | None:
    """The number of the first line holding a dotted key of more than MAX_KEY_PARTS parts, else None.

    A key lies on one line, so only lines with that many dots are searched (a 1e5-layer file in 0.1 s)."""
    if text.count(".") < MAX_KEY_PARTS:
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(".") >= MAX_KEY_PARTS and _LONG_KEY.search(line):
            return number
    return None


def _too_large(size: int | None) -> str:
    limit = f"{MAX_FILE_BYTES // (1024 * 1024)} MiB"
    shown = f" ({size / (1024 * 1024):.0f} MiB)" if size is not None else ""
    return f"too large{shown}: files are read up to {limit} (a stack of about 5e5 layers)"


#: characters of a bad line shown either side of where tomllib points
_QUOTE_WINDOW = 30


def _quoted_line(text: str, message: str) -> str:
    """``: "D = 2.0"``, the line a TOML error points at (tomllib gives its number, not the key); a long line
    only around the column tomllib names, so an error never echoes much of a file."""
    match = re.search(r"at line (\d+)(?:, column (\d+))?", message)
    if match is None:
        return ""
    number = int(match.group(1))
    start = 0
    for _ in range(number - 1):  # the line's start, without splitting a large file into lines
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    column = int(match.group(2)) - 1 if match.group(2) else 0
    low, high = max(0, column - _QUOTE_WINDOW), column + _QUOTE_WINDOW
    shown = line[low:high].strip()
    if not shown:
        return ""
    shown = ("..." if low > 0 and line[:low].strip() else "") + shown + ("..." if line[high:].strip() else "")
    return f": {json.dumps(shown, ensure_ascii=False)}"


def stack_from_dict(data: dict[str, Any], source: str, *, library: Any = None) -> Stack:
    """Build a :class:`~spinstack.Stack` from a parsed stack file (the dict ``tomllib`` returns).

    Parameters
    ----------
    data
        The file's top-level table.
    source
        Where it came from (a file name); starts every error message.
    library
        As for :func:`load_stack`.

    Raises
    ------
    StackError
        (a :class:`StackFileError`) naming the key path and the reason.
    """
    try:
        return _stack(data, library)
    except StackError as error:
        raise StackFileError(source, error.path, error.reason) from None


# ------------------------------------------------------------------ the tables
def _stack(data: Any, library: Any) -> Stack:
    top = as_table(data, "", "the top level of a stack file")
    known_keys(top, TOP_KEYS, "")
    if _units(top.get("units", "reduced")) == "SI":
        from .sifile import si_stack  # pint is imported only for SI files

        return si_stack(top, library)
    current = as_number(top.get("current", 1.0), "current")
    field = read_vector(top["field"], "field", "the in-plane field [0, eps_y, eps_z]") if "field" in top else None
    materials = _materials(top.get("materials", {}))
    lookup = _defined_materials(materials)
    left = read_end(top.get("left"), "left", lookup)
    layers = read_layers(top.get("layers", []), lookup, as_number)
    right = read_end(top.get("right"), "right", lookup)
    interfaces = [_interface(table, path) for table, path in interface_tables(top.get("interfaces", []))]
    return Stack(layers, left=left, right=right, current=current, interfaces=interfaces, field=field)


def read_vector(value: Any, path: str, what: str, number: Callable[[Any, str], Any] = as_number) -> list[Any]:
    """A 3-vector [x, y, z], each component read by ``number(value, path)``."""
    if not isinstance(value, list) or len(value) != 3:
        raise StackError(path, f"must be a 3-vector: {what}, got {show(value)}")
    return [number(component, f"{path}[{i}]") for i, component in enumerate(value)]


def _units(value: Any) -> str:
    if value not in UNIT_SYSTEMS:
        raise StackError("units", f"must be {choices(UNIT_SYSTEMS)}, got {show(value)}")
    return value


def _materials(value: Any) -> dict[str, Material]:
    return read_materials(value, _material)


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


def _material(name: str, table: dict[str, Any], path: str) -> Material:
    if "type" not in table:
        raise StackError(f"{path}.type", f"missing ({choices(MATERIAL_TYPES)})")
    kind = table["type"]
    if kind not in MATERIAL_TYPES:
        raise StackError(f"{path}.type", f"must be {choices(MATERIAL_TYPES)}, got {show(kind)}")
    si_keys = [key for key in table if key in SI_MATERIAL_KEYS]
    hint = f"; {', '.join(SI_MATERIAL_KEYS)} are SI keys: add units = \"SI\" at the top" if si_keys else ""
    if kind == "normal":
        known_keys(table, NORMAL_KEYS, path, hint)
        D = as_number(required(table, "D", path, "conductance D_N > 0"), f"{path}.D")
        return Normal(name, D=D, l=_length(table, path), theta_SH=as_number(table.get("theta_SH", 0.0), f"{path}.theta_SH"))
    no_spin_hall_in_ferromagnets(table, path)
    known_keys(table, FERROMAGNET_KEYS, path, hint)
    coherence = coherence_keys(table, path, _length, as_number)
    by_d_p = [key for key in ("D", "p") if key in table]
    by_spin = [key for key in ("D_up", "D_dn") if key in table]
    if by_d_p and by_spin:
        raise StackError(f"{path}.{by_spin[0]}", "give either D and p, or D_up and D_dn, not both")
    if by_spin:
        D_up = as_number(required(table, "D_up", path, "D_up and D_dn go together"), f"{path}.D_up")
        D_dn = as_number(required(table, "D_dn", path, "D_up and D_dn go together"), f"{path}.D_dn")
        built = Ferromagnet.from_spin_conductances(name, D_up, D_dn, l=_length(table, path))
        return Ferromagnet(name, built.D, built.p, built.l, **coherence) if coherence else built
    D = as_number(required(table, "D", path, "conductance D_F > 0; or give D_up and D_dn instead of D and p"),
                  f"{path}.D")
    p = as_number(required(table, "p", path, "current polarisation, strictly between -1 and 1"), f"{path}.p")
    return Ferromagnet(name, D=D, p=p, l=_length(table, path), **coherence)


def no_spin_hall_in_ferromagnets(table: dict[str, Any], path: str) -> None:
    if "theta_SH" in table:
        raise StackError(f"{path}.theta_SH", "not modelled in a ferromagnet: the spin Hall source lives in normal "
                                             "metals (MODEL.md 8b)")


def coherence_keys(table: dict[str, Any], path: str, length: Callable[..., Any], number: Callable[[Any, str], Any]
                   ) -> dict[str, Any]:
    """l_J, l_phi and D_perp of a ferromagnet table (MODEL.md 8e), those given."""
    found = {key: length(table, path, key) for key in ("l_J", "l_phi") if key in table}
    if "D_perp" in table:
        found["D_perp"] = number(table["D_perp"], f"{path}.D_perp")
    return found


def _length(table: dict[str, Any], path: str, key: str = "l") -> float:
    """A length such as the spin diffusion length ``l``: a number or the string "inf"."""
    meaning = "spin diffusion length" if key == "l" else "coherence length"
    none = "no spin flip" if key == "l" else "none"
    value = required(table, key, path, f'{meaning} > 0; {key} = "inf" for {none}')
    if value == "inf":
        return math.inf
    if isinstance(value, str):
        raise StackError(f"{path}.{key}", f'must be a number > 0 or "inf" ({none}), got {show(value)}')
    return as_number(value, f"{path}.{key}")


def _defined_materials(materials: dict[str, Material]) -> MaterialLookup:
    def lookup(table: dict[str, Any], path: str, hint: str) -> Material:
        name = material_name(table, path, hint)
        if name not in materials:
            defined = listing(materials)
            raise StackError(f"{path}.material", f"undefined material {show(name)} (defined: {defined})")
        return materials[name]

    return lookup


def material_name(table: dict[str, Any], path: str, hint: str) -> str:
    """The ``material`` key of a layer or lead table: a string."""
    name = required(table, "material", path, hint)
    if not isinstance(name, str):
        raise StackError(f"{path}.material", f"must be the name of a material (a string), got {show(name)}")
    return name


# ------------------------------------------------------------------ layers and ends (both unit systems)
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
        layers.append(within(path, Layer, material, d, magnetization))
    return layers


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


def _conductance(value: Any, path: str) -> float:
    """An interface conductance: a number, or "inf" (the transparent limit, solved exactly; MODEL.md 3a)."""
    return math.inf if value == "inf" else as_number(value, path)


def _interface(table: dict[str, Any], path: str) -> Interface:
    """A reduced-unit interface (MODEL.md 3b): node, g_up, g_dn, optional g_mix = [g_r, g_i], delta."""
    known_keys(table, INTERFACE_KEYS, path)
    node = interface_node(table, path)
    g_up = _conductance(required(table, "g_up", path, 'spin-up conductance per area > 0, or "inf"'), f"{path}.g_up")
    g_dn = _conductance(required(table, "g_dn", path, 'spin-down conductance per area > 0, or "inf"'), f"{path}.g_dn")
    g_mix = None
    if "g_mix" in table:
        pair = table["g_mix"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise StackError(f"{path}.g_mix", f"must be a pair [g_r, g_i] (real and imaginary parts), got {show(pair)}")
        g_mix = [_conductance(component, f"{path}.g_mix[{i}]") for i, component in enumerate(pair)]
    delta = as_number(table.get("delta", 0.0), f"{path}.delta")
    return within(path, Interface, node, g_up, g_dn, g_mix, delta)


