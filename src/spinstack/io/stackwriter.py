"""Writing stack files: a :class:`~spinstack.Stack` as the TOML text that :func:`~spinstack.load_stack` reads
back to the same stack, number for number (``STACK_FORMAT.md``).

:func:`dumps_stack` returns the text, :func:`write_stack` writes it to a file (all or nothing: a temporary
file beside the target, renamed onto it).  Every key the reader takes is written where the stack holds it:
reduced and SI units, materials, layers, the four kinds of end, resistive interfaces, magnetizations, the
current, the in-plane field, spin Hall angles, transverse coherence, and the dynamics keys (a ferromagnet's
Ms, alpha, K_u, easy_axis, gamma; a layer's free and demag; the [dynamics] table with its waveform,
waveform_scale and [[dynamics.coupling]] tables).

Exactness.  A reduced stack holds the file's numbers themselves: they are written with ``repr``, the
shortest decimal that reads back to the same double.  An SI stack holds the model's numbers converted from
the file's quantities (MODEL.md 7: D = (1 - beta^2)/(e^2 rho), j0 = J/e, g_up = 1/(2 AR e^2 (1 - gamma)),
g = G/e^2, eps = e E), so the writer inverts each conversion and then searches the few doubles next to the
inverse for one that the reader's own arithmetic (:mod:`spinstack.si`, :mod:`spinstack.io.sifile`) turns
into the stack's number exactly, to the bit (signed zeros too).  Such a double exists for every stack that
came from a file or from :mod:`spinstack.si` (its own input is one); a stack built by hand in SI with model
numbers no quantity converts to exactly (a D = 1.0 that no resistivity gives after rounding) is written with
the nearest one, 1 ulp away.  The in-plane field is written as an electric field [0, E_y, E_z], or, when
only that converts exactly, as the current density of one layer (``{ layer = K, current_density = [...] }``).
A quantity is spelled in a readable unit (``"4 nm"``, ``"60 nOhm*m"``) when a short decimal in that unit
reads back to the same double through pint, else in the SI base unit with all the digits it needs
(``"4.000000000000001e-09 m"``).

What a stack does not keep is not written: a material taken from the built-in library is written out whole
(the stack holds its numbers, not where they came from; the library is then never read), an interface from
``pair = "A/B"`` as its AR, gamma, G_mix and delta, a ferromagnet given by D_up and D_dn as D and p, a
resistivity given as a conductivity as whichever of rho or conductivity converts exactly, and the file's
comments.

One file holds one configuration: a batched stack (an array parameter) is refused, naming the parameter.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import tomllib
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError
from ..model import Ferromagnet, Insulator, Interface, Layer, Lead, Normal, Open, Reservoir, Stack
from ..model.dynamics import Dynamics
from ..model.materials import Material
from ..units import ELECTRON_CHARGE, KINDS
from .textfile import MAX_FILE_BYTES

__all__ = ["dumps_stack", "material_table", "write_stack"]

#: e^2 (C^2), as :mod:`spinstack.si` computes it: D = 1/(e^2 rho*), g = G/e^2 (MODEL.md 7)
_E2 = ELECTRON_CHARGE**2

#: the units a quantity of each kind is spelled in when a short decimal in one of them is exact (the
#: shortest text wins); otherwise the SI base unit of :data:`spinstack.units.KINDS`
_SHOWN_UNITS: dict[str, tuple[str, ...]] = {
    "length": ("nm",),
    "resistivity": ("nOhm*m",),
    "conductivity": ("S/m",),
    "area_resistance": ("fOhm*m^2",),
    "area_conductance": ("Ohm^-1*m^-2",),
    "current_density": ("A/m^2",),
    "electric_field": ("V/m",),
    "magnetization": ("kA/m",),
    "energy_density": ("kJ/m^3",),
    "gyromagnetic_ratio": ("rad/(s*T)",),
    "magnetic_field": ("mT",),
    "time": ("ns", "ps"),
    "temperature": ("K",),
    "area": ("nm^2",),
    "energy_per_area": ("mJ/m^2",),
}

#: the doubles either side of a converted value the inverse searches (its own rounding is a few ulp)
_SEARCH_ULPS = 8
#: the doubles either side of 1 - gamma and 1 + gamma an interface's search pairs (each pair one (a, b))
_PAIR_ULPS = 3
#: the longest decimal tried in a readable unit: a longer one is no easier to read than the base unit's
_READABLE_DIGITS = 12

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ------------------------------------------------------------------ entry points
def dumps_stack(stack: Stack) -> str:
    """The stack file (TOML, ``STACK_FORMAT.md``) of ``stack``: :func:`spinstack.load_stack` reads it back to
    an equal stack.

    Parameters
    ----------
    stack
        A :class:`~spinstack.Stack` of one configuration (``batch_shape == ()``), reduced or SI units.

    Returns
    -------
    str
        The file's text: a header comment naming the spinstack version that wrote it, the top-level keys
        (units, current, field), then [materials.NAME], [left], [[layers]], [right], [[interfaces]] and
        [dynamics] tables.  SI quantities are strings with units (``"4 nm"``).

    Raises
    ------
    SpinstackError
        ``stack`` is not a Stack; it is batched (the message names the first array parameter: a file holds
        one configuration); a material name cannot be written in TOML (a lone surrogate); or the text would
        be larger than the reader takes (:data:`spinstack.io.textfile.MAX_FILE_BYTES`).
    """
    if not isinstance(stack, Stack):
        raise SpinstackError(f"dumps_stack takes a spinstack.Stack, got {type(stack).__name__}")
    _refuse_batch(stack)
    writer = _Writer(stack)
    text = writer.text()
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise SpinstackError(f"the stack file would take {size} bytes, more than the {MAX_FILE_BYTES} bytes "
                             "spinstack.load_stack reads: describe the stack in Python instead")
    return text


def material_table(material: Material, units: str = "SI") -> dict[str, Any]:
    """The ``[materials.NAME]`` table :func:`dumps_stack` writes for ``material`` in a stack of ``units``
    (``"SI"`` or ``"reduced"``), as TOML reads it: the file's keys and values (an SI stack's quantities as strings
    with units, e.g. ``{"type": "normal", "rho": "60 nOhm*m", "l_sf": "60 nm"}``), which read back to the
    material's numbers to the bit.  Only the table is written (D: the explorer's material form reads one material's
    table at every refresh; it wrote and read a whole one-layer stack file for it).

    Raises
    ------
    SpinstackError
        A name that cannot be written in TOML (a lone surrogate).
    """
    writer = _Writer.__new__(_Writer)  # the table's lines only: no stack, no header
    writer.si, writer.lines = units == "SI", []
    writer._material(material.name, material)
    body = "\n".join(line for line in writer.lines if line and not line.startswith("[materials."))
    return tomllib.loads(body)


def write_stack(stack: Stack, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``stack`` as a stack file (:func:`dumps_stack`) to ``path``, all or nothing.

    The text goes to a temporary file in the target's folder first, which is then renamed onto ``path``:
    a failure (a refused stack, a full disk) leaves no file behind and an existing file as it was.

    Parameters
    ----------
    stack
        A :class:`~spinstack.Stack` of one configuration.
    path
        The file to write (by convention ``.toml``); its folder must exist.
    overwrite
        Replace an existing file.  Default False: an existing ``path`` is refused.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    SpinstackError
        As :func:`dumps_stack`; ``path`` exists and ``overwrite`` is False; ``path`` is a folder; the file
        cannot be written (the operating system's reason in the message).
    """
    text = dumps_stack(stack)  # every refusal of the stack before any file is touched
    target = Path(path)
    if target.is_dir():
        raise SpinstackError(f"{target}: is a folder, not a stack file")
    if not overwrite and os.path.lexists(target):
        raise SpinstackError(f"{target}: exists already (write_stack(..., overwrite=True) replaces it)")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        # 0o666 and the umask: the permissions of any new file (mkstemp's would be 0o600)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            os.replace(temporary, target)
        else:
            _place_new(temporary, target)
    except OSError as error:
        raise SpinstackError(f"{target}: cannot write the stack file ({error.strerror or error})") from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    return target


def _place_new(temporary: Path, target: Path) -> None:
    """Move ``temporary`` to ``target`` unless ``target`` exists (also when it appeared since the check)."""
    try:
        os.link(temporary, target)  # fails if target exists: no window in which another file is replaced
    except FileExistsError:
        raise SpinstackError(f"{target}: exists already (write_stack(..., overwrite=True) replaces it)") from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise SpinstackError(f"{target}: exists already (write_stack(..., overwrite=True) replaces it)") from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def _refuse_batch(stack: Stack) -> None:
    if stack.batch_shape == ():
        return
    batched = next((path for path, value in stack._parameters() if np.shape(value) != ()), "a parameter")
    raise SpinstackError(f"{batched}: an array (the stack is batched, batch shape {stack.batch_shape}): a stack "
                         "file holds one configuration; write each configuration on its own (e.g. "
                         "spinstack.model.paths.with_parameter(stack, path, value) with one value)")


# ------------------------------------------------------------------ TOML spelling
def _float(value: Any) -> float:
    return float(np.asarray(value, dtype=float))


def _number(value: Any) -> str:
    """A float as TOML writes it: the shortest decimal that reads back to the same double (``inf`` bare)."""
    number = _float(value)
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return repr(number)


def _string(text: str, path: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL, which JSON leaves raw, is escaped too)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SpinstackError(f"{path}: {text!r} cannot be written in a TOML file (not Unicode text: a lone "
                             "surrogate)"[:300]) from None
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(name: str, path: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if _BARE_KEY.fullmatch(name) else _string(name, path)


def _vector(values: Any) -> str:
    return "[" + ", ".join(_number(v) for v in np.asarray(values, dtype=float).reshape(-1)) + "]"


def _array(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


# ------------------------------------------------------------------ exact doubles
def _bits(value: float) -> int:
    return struct.unpack("<q", struct.pack("<d", value))[0]


def _same(a: float, b: float) -> bool:
    """Equal to the bit (0.0 and -0.0 differ)."""
    return _bits(a) == _bits(b)


def _neighbours(value: float, count: int) -> Iterator[float]:
    """``value``, then the finite doubles 1, 2, ... ``count`` ulp either side of it, nearest first."""
    yield value
    if value == 0.0:
        yield -value
        return
    bits = _bits(value)
    for step in range(1, count + 1):
        for candidate in (bits + step, bits - step):
            if (candidate < 0) == (bits < 0):  # the same sign: stepping the bits steps the magnitude
                number = struct.unpack("<d", struct.pack("<q", candidate))[0]
                if math.isfinite(number):
                    yield number


def _inverse(target: float, forward: Callable[[float], float], estimate: float) -> tuple[list[float], bool]:
    """The doubles x near ``estimate`` with ``forward(x)`` equal to ``target`` to the bit, and True; if there is
    none, the nearest such x by the size of the difference, and False."""
    if target == 0.0:
        candidates = [0.0, -0.0]
    elif math.isfinite(estimate):
        candidates = list(_neighbours(estimate, _SEARCH_ULPS))
    else:
        return [estimate], False
    exact = [x for x in candidates if _same(forward(x), target)]
    if exact:
        return exact, True
    return [min(candidates, key=lambda x: abs(forward(x) - target))], False


def _decimal(value: float) -> str:
    """A short spelling of a double: ``4``, ``0.5``, ``1.76e11``, ``5e-05``."""
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0"
    if 1e-4 <= abs(value) < 1e6:
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    for digits in range(17):
        text = f"{value:.{digits}e}"
        if float(text) == value:
            break
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


@lru_cache(maxsize=None)
def _unit_factor(unit: str, base: str) -> float:
    """The size of ``unit`` in ``base`` (1e-9 for nm in m): only for guessing readable decimals."""
    from ..units import registry

    return float(registry().Quantity(1.0, unit).m_as(base))


def _readable(value: float, kind: str, unit: str) -> str | None:
    """``value`` (SI base units of ``kind``) as a short decimal in ``unit`` that pint reads back to the same
    double, or None."""
    from ..units import to_si

    scaled = value / _unit_factor(unit, KINDS[kind].unit)
    tried = 0
    for digits in range(1, _READABLE_DIGITS + 1):
        guess = float(f"{scaled:.{digits}g}")
        if abs(guess - scaled) > 4 * math.ulp(scaled):
            continue
        text = f"{_decimal(guess)} {unit}"
        if _same(float(to_si(text, kind, "")), value):
            return text
        tried += 1
        if tried == 2:  # the two shortest decimals at the value: a longer one is no better than the base unit
            return None
    return None


@lru_cache(maxsize=65536)
def _quantity_bits(bits: int, kind: str) -> str:
    value = struct.unpack("<d", struct.pack("<q", bits))[0]
    if math.isinf(value):
        return "inf"  # where the reader takes it: l_sf, l_J, l_phi, G_mix's real part
    if value == 0.0:  # the same in every unit; the sign kept (pint reads "-0.0 m" as -0.0)
        return f"{_decimal(value)} {_SHOWN_UNITS.get(kind, (KINDS[kind].unit,))[0]}"
    shown = [text for unit in _SHOWN_UNITS.get(kind, ()) if (text := _readable(value, kind, unit)) is not None]
    if shown:
        return min(shown, key=len)
    # the SI base unit: pint converts a quantity in it by a factor 1, so repr's digits are read back exactly
    return f"{_number(value)} {KINDS[kind].unit}"


def _quantity(value: Any, kind: str) -> str:
    """A TOML string holding the quantity ``value`` (SI base units of ``kind``) exactly: ``"4 nm"``."""
    return json.dumps(_quantity_bits(_bits(_float(value)), kind))


def _converted(target: Any, forward: Callable[[float], float], estimate: float, kind: str) -> tuple[str, bool]:
    """The quantity of ``kind`` that the reader's ``forward`` turns into ``target`` (the shortest spelling of
    the exact ones), and whether it is exact."""
    found, exact = _inverse(_float(target), forward, estimate)
    texts = [_quantity(x, kind) for x in found[:4]]
    return min(texts, key=len), exact


# ------------------------------------------------------------------ the writer

@lru_cache(maxsize=1)
def _release() -> str:
    """The installed spinstack's version, read once (the package metadata is read from disk: ~1.5 ms, and the explorer
    writes a stack file at every structure edit)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spinstack")
    except PackageNotFoundError:  # a source tree that was never installed
        return "(version unknown)"


class _Writer:
    """The text of one stack file, built line by line."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.si = stack.units == "SI"
        self.lines: list[str] = []

    def text(self) -> str:
        stack = self.stack
        self._header()
        self.lines.append(f'units = "{stack.units}"')
        self._current()
        if stack.field is not None:
            self._field()
        for name, material in stack.materials.items():
            self._material(name, material)
        self._end("left", stack.left)
        for index, layer in enumerate(stack.layers):
            self._layer(index, layer)
        self._end("right", stack.right)
        for index, interface in enumerate(stack.interfaces):
            self._interface(index, interface)
        if stack.dynamics is not None:
            self._dynamics(stack.dynamics)
        return "\n".join(self.lines) + "\n"

    def _header(self) -> None:
        self.lines += [f"# Stack file written by spinstack {_release()} (spinstack.write_stack; STACK_FORMAT.md).",
                       "# spinstack.load_stack reads it back to the same stack, number for number."]

    def _table(self, header: str) -> None:
        self.lines += ["", header]

    # -------------------------------------------------------------- top level
    def _current(self) -> None:
        current = self.stack.current
        if not self.si:
            self.lines.append(f"current = {_number(current)}")
            return
        # j0 = J/e (io.sifile): J, the charge current density in A/m^2
        text, _ = _converted(current, lambda J: J / ELECTRON_CHARGE, _float(current) * ELECTRON_CHARGE,
                             "current_density")
        self.lines.append(f"current = {text}")

    def _field(self) -> None:
        eps = np.asarray(self.stack.field, dtype=float)
        if not self.si:
            self.lines.append(f"field = {_vector(eps)}")
            return
        # eps = e E: the electric field [0, E_y, E_z] in V/m ...
        found = [_converted(component, lambda E: ELECTRON_CHARGE * E, _float(component) / ELECTRON_CHARGE,
                            "electric_field") for component in eps]
        if all(exact for _, exact in found):
            self.lines.append(f"field = {_array([text for text, _ in found])}")
            return
        # ... or the in-plane current density J of one layer, eps = J / (e sigma) (a file's other spelling):
        # tried once per material (the first layer of each), exactness first, the text only for the one chosen
        first_layers = {layer.material.name: index for index, layer in reversed(list(enumerate(self.stack.layers)))}
        for index in sorted(first_layers.values()):
            scale = _float(ELECTRON_CHARGE * self.stack.layers[index].material.conductivity)
            inverses = [_inverse(_float(component), lambda J, s=scale: J / s, _float(component) * scale)
                        for component in eps]
            if all(exact for _, exact in inverses):
                texts = _array([min((_quantity(J, "current_density") for J in found_J[:4]), key=len)
                                for found_J, _ in inverses])
                self.lines.append(f"field = {{ layer = {index}, current_density = {texts} }}")
                return
        self.lines.append(f"field = {_array([text for text, _ in found])}")  # the nearest: 1 ulp off

    # -------------------------------------------------------------- materials
    def _material(self, name: str, material: Material) -> None:
        path = f"materials.{name}"
        self._table(f"[materials.{_key(name, path)}]")
        self.lines.append(f'type = "{material.kind}"')
        if isinstance(material, Normal):
            self._bulk(material.D, None)
            self._length("l", material.l)
            if not _same(_float(material.theta_SH), 0.0):
                self.lines.append(f"theta_SH = {_number(material.theta_SH)}")
            return
        self._bulk(material.D, material.p)
        self._length("l", material.l)
        for key in ("l_J", "l_phi"):
            if getattr(material, key) is not None:
                self._length(key, getattr(material, key))
        if material.D_perp is not None:
            if self.si:  # D_perp = sigma_perp / e^2
                text, _ = _converted(material.D_perp, lambda sigma: sigma / _E2, _float(material.D_perp) * _E2,
                                     "conductivity")
                self.lines.append(f"D_perp = {text}")
            else:
                self.lines.append(f"D_perp = {_number(material.D_perp)}")
        self._macrospin(material)

    def _bulk(self, D: Any, p: Any) -> None:
        """D (and p) of a reduced material; rho or conductivity (and beta) of an SI one."""
        if not self.si:
            self.lines.append(f"D = {_number(D)}")
            if p is not None:
                self.lines.append(f"p = {_number(p)}")
            return
        # MODEL.md 7 as spinstack.si computes it: D = (1 - beta^2) / (e^2 rho), 1 / (e^2 rho) for N
        numerator = 1.0 if p is None else 1.0 - _float(np.asarray(p, dtype=float) ** 2)
        by_rho = _converted(D, lambda rho: numerator / (_E2 * rho), numerator / (_E2 * _float(D)), "resistivity")
        chosen = ("rho", by_rho[0])
        if not by_rho[1]:  # rho = 1 / conductivity first: the file's other spelling may be the exact one
            by_sigma = _converted(D, lambda sigma: numerator / (_E2 * (1.0 / sigma)), _float(D) * _E2 / numerator,
                                  "conductivity")
            if by_sigma[1]:
                chosen = ("conductivity", by_sigma[0])
        self.lines.append(f"{chosen[0]} = {chosen[1]}")
        if p is not None:
            self.lines.append(f"beta = {_number(p)}")

    def _length(self, key: str, value: Any) -> None:
        length = _float(value)
        name = "l_sf" if (key == "l" and self.si) else key
        if math.isinf(length):
            self.lines.append(f'{name} = "inf"')
        elif self.si:
            self.lines.append(f"{name} = {_quantity(length, 'length')}")
        else:
            self.lines.append(f"{name} = {_number(length)}")

    def _macrospin(self, material: Ferromagnet) -> None:
        for key, kind in (("Ms", "magnetization"), ("alpha", None), ("K_u", "energy_density"),
                          ("easy_axis", None), ("gamma", "gyromagnetic_ratio")):
            value = getattr(material, key)
            if value is None:
                continue
            if key == "easy_axis":
                self.lines.append(f"easy_axis = {_vector(value)}")
            elif kind is None:
                self.lines.append(f"{key} = {_number(value)}")
            else:
                self.lines.append(f"{key} = {_quantity(value, kind)}")

    # -------------------------------------------------------------- layers and ends
    def _layer(self, index: int, layer: Layer) -> None:
        self._table(f"[[layers]]                      # layers[{index}]")
        self.lines.append(f"material = {_string(layer.material.name, f'layers[{index}].material')}")
        thickness = _quantity(layer.thickness, "length") if self.si else _number(layer.thickness)
        self.lines.append(f"thickness = {thickness}")
        if layer.magnetization is not None:
            self.lines.append(f"magnetization = {_vector(layer.magnetization)}")
        if layer.free:
            self.lines.append("free = true")
        if layer.demag is not None:
            self.lines.append(f"demag = {_vector(layer.demag)}")

    def _end(self, side: str, end: Any) -> None:
        self._table(f"[{side}]")
        self.lines.append(f'kind = "{end.kind}"')
        if isinstance(end, (Reservoir, Open)):
            return
        if isinstance(end, Lead):
            self.lines.append(f"material = {_string(end.material.name, f'{side}.material')}")
            if end.magnetization is not None:
                self.lines.append(f"magnetization = {_vector(end.magnetization)}")
            return
        assert isinstance(end, Insulator)
        self.lines.append(f"magnetization = {_vector(end.magnetization)}")
        g_mix = np.asarray(end.g_mix, dtype=float)
        self.lines.append(f"{'G' if self.si else 'g'}_mix = {_array([self._area_conductance(g) for g in g_mix])}")
        if not _same(_float(end.g_s), 0.0):
            self.lines.append(f"{'G' if self.si else 'g'}_s = {self._area_conductance(end.g_s)}")

    def _area_conductance(self, g: Any) -> str:
        """A conductance per area: reduced g, or SI G with g = G / e^2 (io.sifile)."""
        if not self.si:
            return _number(g)
        return _converted(g, lambda G: G / ELECTRON_CHARGE**2, _float(g) * _E2, "area_conductance")[0]

    # -------------------------------------------------------------- interfaces
    def _interface(self, index: int, interface: Interface) -> None:
        self._table("[[interfaces]]")
        self.lines.append(f"node = {interface.node}")
        if self.si:
            self._valet_fert(interface)
        else:
            self.lines += [f"g_up = {_interface_conductance(interface.g_up)}",
                           f"g_dn = {_interface_conductance(interface.g_dn)}"]
            if interface.g_mix is not None:
                self.lines.append(f"g_mix = {_array([_interface_conductance(g) for g in np.asarray(interface.g_mix)])}")
        if not _same(_float(interface.delta), 0.0):
            self.lines.append(f"delta = {_number(interface.delta)}")

    def _valet_fert(self, interface: Interface) -> None:
        """AR, gamma and G_mix of an SI interface: g_up, g_dn = 1/(2 AR e^2 (1 -+ gamma)) (si.interface)."""
        g_up, g_dn = _float(interface.g_up), _float(interface.g_dn)
        if math.isinf(g_up):  # the transparent limit: AR = 0 (gamma plays no part)
            self.lines.append(f"AR = {_quantity(0.0, 'area_resistance')}")
        else:
            resistance, gamma = _valet_fert_pair(g_up, g_dn)
            self.lines.append(f"AR = {_quantity(resistance, 'area_resistance')}")
            if not _same(gamma, 0.0):
                self.lines.append(f"gamma = {_number(gamma)}")
        if interface.g_mix is not None:
            self.lines.append(f"G_mix = {_array([self._mixing(g) for g in np.asarray(interface.g_mix)])}")

    def _mixing(self, g: Any) -> str:
        """A G_mix component of an interface: g = G / e^2 (si.interface), "inf" for full absorption."""
        if math.isinf(_float(g)):
            return '"inf"'
        return _converted(g, lambda G: G / _E2, _float(g) * _E2, "area_conductance")[0]

    # -------------------------------------------------------------- dynamics
    def _dynamics(self, dynamics: Dynamics) -> None:
        self._table("[dynamics]")
        field = np.asarray(dynamics.field, dtype=float)
        if not all(_same(component, 0.0) for component in field.tolist()):
            self.lines.append(f"field = {_array([_quantity(b, 'magnetic_field') for b in field])}")
        for key in ("duration", "save_every"):
            if getattr(dynamics, key) is not None:
                self.lines.append(f"{key} = {_quantity(getattr(dynamics, key), 'time')}")
        if not _same(_float(dynamics.temperature), 0.0):
            self.lines.append(f"temperature = {_quantity(dynamics.temperature, 'temperature')}")
        if dynamics.area is not None:
            self.lines.append(f"area = {_quantity(dynamics.area, 'area')}")
        if dynamics.seed is not None:
            self.lines.append(f"seed = {int(dynamics.seed)}")
        if dynamics.waveform is not None:
            times, currents = dynamics.waveform
            points = [_array([_quantity(t, "time"), _quantity(J, "current_density")])
                      for t, J in zip(np.asarray(times).tolist(), np.asarray(currents).tolist())]
            self.lines.append(f"waveform = {_array(points)}")
        scale = getattr(dynamics, "waveform_scale", None)  # a pure number multiplying the waveform's currents
        if scale is not None:
            self.lines.append(f"waveform_scale = {_number(scale)}")
        for coupling in dynamics.couplings:
            self._table("[[dynamics.coupling]]")
            self.lines += [f"layers = [{coupling.layers[0]}, {coupling.layers[1]}]",
                           f"J = {_quantity(coupling.J, 'energy_per_area')}"]


def _interface_conductance(value: Any) -> str:
    """A reduced interface conductance: a number, or "inf" (the transparent limit)."""
    number = _float(value)
    return '"inf"' if math.isinf(number) and number > 0 else _number(number)


def _valet_fert_pair(g_up: float, g_dn: float) -> tuple[float, float]:
    """(AR in Ohm m^2, gamma) that spinstack.si.interface turns into exactly ``g_up`` and ``g_dn`` (the nearest
    pair if none does): R = AR e^2, g_up = 1 / (2 R (1 - gamma)), g_dn = 1 / (2 R (1 + gamma))."""
    up, down = 1.0 / g_up, 1.0 / g_dn  # 2 R (1 - gamma), 2 R (1 + gamma)
    estimate = (down - up) / (down + up)

    def forward(resistance: float, gamma: float) -> tuple[float, float]:
        R = resistance * _E2
        return 1.0 / (2.0 * R * (1.0 - gamma)), 1.0 / (2.0 * R * (1.0 + gamma))

    best: tuple[float, float, float] | None = None
    for gamma in _gammas(estimate, g_up == g_dn):
        found, exact = _inverse(g_up, lambda AR, gamma=gamma: forward(AR, gamma)[0],
                                1.0 / (2.0 * g_up * (1.0 - gamma)) / _E2)
        for resistance in found:
            up_back, down_back = forward(resistance, gamma)
            if exact and _same(down_back, g_dn):
                return resistance, gamma
            error = max(abs(up_back - g_up) / g_up, abs(down_back - g_dn) / g_dn)
            if best is None or error < best[0]:
                best = (error, resistance, gamma)
    assert best is not None
    return best[1], best[2]


def _gammas(estimate: float, symmetric: bool) -> Iterator[float]:
    """Interface asymmetries to try, the readable ones first: short decimals at ``estimate``; then, for each pair
    of doubles (a, b) next to (1 - estimate, 1 + estimate), nearest first, a gamma with 1 - gamma rounding to a
    and 1 + gamma to b (the numbers the conductances are made of; one may be an ulp off while the other is not);
    then ``estimate``'s own neighbours."""
    if symmetric:
        yield 0.0
    seen: set[tuple[int, int]] = set()

    def fresh(gamma: float) -> bool:
        key = (_bits(1.0 - gamma), _bits(1.0 + gamma))
        if not -1.0 < gamma < 1.0 or key in seen:
            return False
        seen.add(key)
        return True

    for digits in range(1, 18):
        guess = float(f"{estimate:.{digits}g}")
        if abs(guess - estimate) <= 64 * math.ulp(1.0) and fresh(guess):
            yield guess
    lower, upper = list(_neighbours(1.0 - estimate, _PAIR_ULPS)), list(_neighbours(1.0 + estimate, _PAIR_ULPS))
    # _neighbours lists by distance: index 2k-1 and 2k are k ulp away
    offsets = sorted(((i, j) for i in range(len(lower)) for j in range(len(upper))),
                     key=lambda pair: (pair[0] + 1) // 2 + (pair[1] + 1) // 2)
    for i, j in offsets:
        gamma = _between(lower[i], upper[j])
        if gamma is not None and fresh(gamma):
            yield gamma
    for gamma in _neighbours(estimate, _SEARCH_ULPS):
        if fresh(gamma):
            yield gamma


def _between(a: float, b: float) -> float | None:
    """A gamma with 1 - gamma rounding to ``a`` and 1 + gamma to ``b``, or None: the two intervals of such gammas
    (an ulp of a and of b wide, about 1 - a and b - 1) overlap, if at all, near their middles."""
    low, high = 1.0 - a, b - 1.0  # exact (Sterbenz) for a, b in [0.5, 2]
    middle = 0.5 * (low + high)
    for start in (middle, low, high):
        for gamma in _neighbours(start, 2):
            if _same(1.0 - gamma, a) and _same(1.0 + gamma, b):
                return gamma
    return None
