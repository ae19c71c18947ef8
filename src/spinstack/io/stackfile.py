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
materials library) are read by :mod:`spinstack.io.sifile`; both read their
layer, end and interface tables with :mod:`spinstack.io.stacktables`, and the
file itself with :func:`spinstack.io.textfile.read_text_file`.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Callable
from typing import Any

from ..errors import StackError
from ..model import Ferromagnet, Interface, Normal, Stack
from ..model.materials import Material
from .bulk import paused_collection
from .stacktables import (MaterialLookup, interface_node, interface_tables, material_name, read_end, read_layers,
                          read_materials, read_vector)
from .textfile import MAX_FILE_BYTES, StackFileError, read_text_file
from .tomlvalues import as_number, as_table, choices, known_keys, listing, required, show, within

__all__ = ["MAX_FILE_BYTES", "StackFileError", "load_stack", "stack_from_dict"]

TOP_KEYS = ("units", "current", "field", "materials", "left", "layers", "right", "interfaces", "dynamics")
NORMAL_KEYS = ("type", "D", "l", "theta_SH")
FERROMAGNET_KEYS = ("type", "D", "p", "l", "D_up", "D_dn", "l_J", "l_phi", "D_perp")
INTERFACE_KEYS = ("node", "g_up", "g_dn", "g_mix", "delta")
SI_MATERIAL_KEYS = ("rho", "conductivity", "beta", "l_sf")
MATERIAL_TYPES = ("normal", "ferromagnet")
#: a ferromagnet's macrospin constants (MODEL.md 9): keys of SI files only
DYNAMICS_MATERIAL_KEYS = ("Ms", "alpha", "K_u", "easy_axis", "gamma")
DYNAMICS_NEEDS_SI = 'dynamics needs an SI stack: add units = "SI" at the top'

UNIT_SYSTEMS = ("reduced", "SI")


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
    if "dynamics" in top:
        raise StackError("dynamics", f"{DYNAMICS_NEEDS_SI} (Ms, gamma and times have no reduced form)")
    current = as_number(top.get("current", 1.0), "current")
    field = read_vector(top["field"], "field", "the in-plane field [0, eps_y, eps_z]") if "field" in top else None
    materials = _materials(top.get("materials", {}))
    lookup = _defined_materials(materials)
    left = read_end(top.get("left"), "left", lookup)
    layers = read_layers(top.get("layers", []), lookup, as_number)
    right = read_end(top.get("right"), "right", lookup)
    interfaces = [_interface(table, path) for table, path in interface_tables(top.get("interfaces", []))]
    return Stack(layers, left=left, right=right, current=current, interfaces=interfaces, field=field)


def _units(value: Any) -> str:
    if value not in UNIT_SYSTEMS:
        raise StackError("units", f"must be {choices(UNIT_SYSTEMS)}, got {show(value)}")
    return value


def _materials(value: Any) -> dict[str, Material]:
    return read_materials(value, _material)


def _material(name: str, table: dict[str, Any], path: str) -> Material:
    if "type" not in table:
        raise StackError(f"{path}.type", f"missing ({choices(MATERIAL_TYPES)})")
    kind = table["type"]
    if kind not in MATERIAL_TYPES:
        raise StackError(f"{path}.type", f"must be {choices(MATERIAL_TYPES)}, got {show(kind)}")
    si_keys = [key for key in table if key in SI_MATERIAL_KEYS]
    hint = f"; {', '.join(SI_MATERIAL_KEYS)} are SI keys: add units = \"SI\" at the top" if si_keys else ""
    dynamics = [key for key in table if key in DYNAMICS_MATERIAL_KEYS]
    if dynamics:
        raise StackError(f"{path}.{dynamics[0]}", f"{DYNAMICS_NEEDS_SI} (and give rho, beta, l_sf in SI units)")
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


# ------------------------------------------------------------------ interfaces
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


