"""The explorer's structure panel: layers added and removed, interfaces set and removed, ends replaced, layers'
materials changed, materials defined and edited, free flags and exchange couplings set, and another stack file
opened.

The panel (a card above the figures, folded at first) lists the stack shown, node by node (the ends, every
layer with its material, thickness and magnetization, every resistive interface with AR*, gamma and G_mix),
and edits it with :mod:`spinstack.model.edit`:

* **add a layer**: a material of the stack (or of the file it started from), its thickness, for a
  ferromagnet its magnetization (theta, phi in degrees), and where (before ``layers[k]`` or after the
  last); **remove** a layer (an interface on both its faces is refused: remove one first);
* **interface** at a node: AR*, gamma, G_mix = [Re, Im] (set or replace; a node's present values fill
  the boxes when the node is chosen), or **remove** it;
* **ends**: left or right, a reservoir or a semi-infinite lead of a material (a ferromagnetic lead with
  its magnetization); on a page driven in plane with no current (MODEL.md 8) also an open end or a
  magnetic insulator (its magnetization and [g_r, g_i], g_s);
* **a layer's material** in place (``edit.set_layer_material``): thickness kept; an F layer given another
  ferromagnet keeps its magnetization, free flag and demag factors; an N layer made F takes theta, phi;
* **materials**: a new one defined (name, N or F, its parameters: reduced D, p, l, optional theta_SH, l_J,
  l_phi; SI rho (nOhm m), beta, l_sf (nm), optional theta_SH, l_J, l_phi, Ms (kA/m), alpha, K_u (kJ/m^3),
  easy axis, or an entry of the built-in library filling the boxes) joins the material choices (layers,
  leads); one of the stack edited (``edit.replace_material``: every layer and lead of it, a rename too). A box
  left as it was filled keeps the stack's number to the bit (an SI material's boxes hold the quantities the
  stack-file writer writes for it); what the form has no box for (gamma, D_perp) is kept;
* **dynamics** (SI pages): a layer's ``free`` flag and demag factors (``edit.set_free``, ``edit.set_demag``;
  the Dynamics tab appears with a free layer) and exchange couplings J in mJ/m^2 between two F layers (``edit.set_coupling``/``remove_coupling``);
  the run's [dynamics] settings (``edit.set_dynamics``): the applied field mu0 H (mT), the temperature (K) with the
  pillar's area (nm^2), a waveform replacing the constant current (``t J`` points in ns and A/m^2), the run's
  duration (ns) and saved points (ps); a box left as shown keeps the stack's number, a refused one is named by
  its label and marked red;
* **open a stack file**: an upload of a TOML file, read as ``spinstack solve`` reads one (the same
  checks and messages: ``file.toml: layers[0].thickness: must be > 0, got 0``).

Numbers are typed in the page's units: reduced numbers for a reduced stack; for an SI stack the
thickness in nm, AR* in fOhm m^2 and G_mix (and an insulator's g) in Ohm^-1 m^-2, read through
:mod:`spinstack.si` as a file's quantities are.  An edit starts from the stack the controls describe (their
present values, also one typed while its solve still runs; a bad one refuses the edit) and shows the
result as a new page of controls (``App.show_stack``); undo, redo, reset and the URL follow it
(:mod:`spinstack.app.session`).  Anything refused (a bad number, a
structure the model refuses, a file that does not load or cannot be solved) is shown as the page's
error message, one line naming the key and why, and nothing changes; the message stays until the
user's next action (a solve ending meanwhile does not hide it).

The card is filled only while it is open: every new text or choice of a Panel pane makes BokehJS lay the
whole page out again (~90 ms of the browser's time), so a folded card is only marked stale by a control
move or a stack switch and filled when opened, and an open one sends only what differs.
"""

from __future__ import annotations

import dataclasses
import decimal
import html
import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import panel as pn

from .. import si
from ..errors import SpinstackError, StackError
from ..io.stackfile import load_stack
from ..io.stackwriter import dumps_stack, material_table
from ..io.textfile import MAX_FILE_BYTES, StackFileError
from ..model import (Ferromagnet, Insulator, Interface, Layer, Lead, Material, Normal, Open, Reservoir, Stack,
                     direction, polar)
from ..model import edit
from ..units import ELECTRON_CHARGE, to_si
from .controls import INVALID_CSS, Controls, parse_number
from .docs import plain  # X1
from .session import MAX_MATERIAL_NAME_CHARS, layers_refusal, material_name_refusal, structure_query  # X1, F2

__all__ = ["TOO_LARGE", "UPLOAD_SIZE_CHECK", "StructurePanel", "read_stack_text"]

_E2 = ELECTRON_CHARGE**2
#: the message under an error: nothing was changed
_UNCHANGED = "Nothing was changed: the page shows the stack it showed."


def read_stack_text(name: str, data: bytes | str) -> Stack:
    """A stack file's contents (an upload, a link's text) read exactly as :func:`spinstack.load_stack` reads
    a file named ``name``: the same checks and the same one-line messages, which start with ``name``.

    Raises
    ------
    StackError
        (a :class:`~spinstack.io.textfile.StackFileError`) ``name: key: reason``.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    shown = Path(name).name or "stack.toml"
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(shown)
    with tempfile.TemporaryDirectory(prefix="spinstack-upload-") as folder:
        path = os.path.join(folder, "upload.toml")  # never the user's name: no path of theirs is opened
        with open(path, "wb") as handle:
            handle.write(raw)
        try:
            stack = load_stack(path)
        except StackFileError as error:
            raise StackFileError(shown, error.path, error.reason) from None
    refusal = layers_refusal(len(stack.layers))  # X1: before any page is built or solve run (a link's GET)
    if refusal is not None:
        raise StackFileError(shown, "layers", refusal)
    for material in stack.materials:  # F2: every choice, label and link repeats a name
        refusal = material_name_refusal(material)
        if refusal is not None:
            raise StackFileError(shown, "materials", refusal)
    return stack


def _too_large(shown: str) -> StackFileError:
    return StackFileError(shown, "", f"too large: files are read up to {MAX_FILE_BYTES // (1024 * 1024)} MiB")


#: F2: the marker the page's script (:data:`UPLOAD_SIZE_CHECK`) puts in the upload's ``mime_type`` for a file it
#: did not send, followed by the file's size in bytes
TOO_LARGE = "spinstack/too-large;"

#: F2: the page's script (BokehJS, run once the page is ready): a file chosen in "open a stack file" that is over
#: the read limit is not read nor sent (its base64 in one websocket message: a file over ~36 MiB closed the
#: session, server.WEBSOCKET_MAX_MESSAGE_BYTES); the upload's model gets its name and :data:`TOO_LARGE` + its
#: size instead, and the server says so (StructurePanel._refused_upload).  The file box's "input" event (composed:
#: it reaches the document from the widget's shadow root) comes before its "change" event, on which BokehJS
#: reads the file: a capture listener on the box, run first, stops that one event.
UPLOAD_SIZE_CHECK = f"""
document.addEventListener("input", (event) => {{
  const box = event.composedPath()[0];
  if (!(box instanceof HTMLInputElement) || box.type !== "file" || box.files == null) return;
  const big = Array.from(box.files).find((file) => file.size > {MAX_FILE_BYTES});
  if (big === undefined) return;
  box.addEventListener("change", (change) => {{
    change.stopImmediatePropagation();
    box.value = "";
  }}, {{capture: true, once: true}});
  for (const doc of Bokeh.documents) {{
    for (const model of doc.all_models) {{
      if (model.type === "FileInput" && model.css_classes.includes("structure-open")) {{
        model.setv({{filename: big.name, mime_type: "{TOO_LARGE}" + big.size}});
      }}
    }}
  }}
}}, true);
"""


def _angles(m: Any) -> tuple[float, float]:
    """theta (from +z) and phi (from +x) of a unit vector, degrees, rounded to 1e-9 degrees (for the boxes)."""
    x, y, z = (float(v) for v in np.asarray(m, dtype=float))
    theta = math.degrees(math.acos(max(-1.0, min(1.0, z))))
    phi = math.degrees(math.atan2(y, x)) if abs(x) + abs(y) > 1e-15 else 0.0
    return round(theta, 9) + 0.0, round(phi, 9) + 0.0


def _short(value: float) -> str:
    return f"{value:.6g}"


class _Units:
    """How the panel's boxes read and show numbers: reduced, or SI (nm, fOhm m^2, Ohm^-1 m^-2)."""

    def __init__(self, si_units: bool) -> None:
        self.si = si_units
        self.length = "nm" if si_units else ""
        self.resistance_area = "fΩ·m²" if si_units else ""
        self.conductance = "Ω⁻¹·m⁻²" if si_units else ""

    def thickness(self, layer: Layer) -> float:
        return float(layer.thickness) * (1e9 if self.si else 1.0)

    def resistance(self, interface: Interface) -> float:
        with np.errstate(divide="ignore"):
            model = float((1.0 / interface.g_up + 1.0 / interface.g_dn) / 4.0)  # AR* (e^2 AR* in SI)
        return model / _E2 * 1e15 if self.si else model

    def mixing(self, value: float) -> float:
        return value * _E2 if self.si else value

    def layer(self, material: Material, thickness: float, m: Any) -> Layer:
        if self.si:
            return si.layer(material, f"{thickness!r} nm", m)
        return Layer(material, thickness, m)

    def lead(self, material: Material, m: Any) -> Lead:
        return si.lead(material, m) if self.si else Lead(material, m)

    def interface(self, node: int, AR: float, gamma: float, mixing: list[float] | None, delta: Any) -> Interface:  # noqa: N803
        if self.si:
            return si.interface(node, AR=f"{AR!r} fOhm*m^2", gamma=gamma, delta=delta,
                                G_mix=None if mixing is None else [f"{g!r} Ohm^-1*m^-2" for g in mixing])
        return Interface.from_valet_fert(node, AR, gamma, mixing, delta)

    def insulator(self, m: Any, mixing: list[float], g_s: float) -> Insulator:
        scale = 1.0 / _E2 if self.si else 1.0  # the model holds g = G/e^2 (MODEL.md 7)
        return Insulator(m, g_mix=[g * scale for g in mixing], g_s=g_s * scale)


#: X3: the interface boxes of a node without an interface, {SI page?: (AR*, gamma, Re G_mix, Im G_mix)}: reduced
#: AR* = 0.5, G_mix = 1; SI AR* = 0.5 fOhm m^2, G_mix = 5e14 Ohm^-1 m^-2 (a Co/Cu-like interface)
_INTERFACE_DEFAULTS = {False: ("0.5", "0", "1", "0"), True: ("0.5", "0", "5e+14", "0")}


@dataclass(frozen=True)
class _Parameter:
    """A box of the material form: the file's key, its label, where it is shown and how an SI number is typed."""

    key: str
    label: str
    pages: str  # "reduced", "SI" or "both"
    kinds: str  # "N", "F" or "NF"
    optional: bool = False  # blank: absent (theta_SH: 0)
    quantity: str = "dimensionless"  # an SI box's kind (spinstack.units.KINDS)
    unit: str = ""  # the SI box's unit, as pint reads it ("" for a number)
    shown_unit: str = ""  # the unit in the box's label
    per_si: float = 1.0  # the box's number for 1 in the SI base unit


#: the material form's boxes, in order; a reduced page types D, p, l (MODEL.md 1), an SI page the file's quantities
#: (STACK_FORMAT.md: rho, beta, l_sf; a ferromagnet's macrospin constants Ms, alpha, K_u, easy_axis, MODEL.md 9)
_PARAMETERS = (
    _Parameter("D", "D", "reduced", "NF"),
    _Parameter("p", "p", "reduced", "F"),
    _Parameter("l", "l", "reduced", "NF"),
    _Parameter("rho", "ρ", "SI", "NF", quantity="resistivity", unit="nOhm*m", shown_unit="nΩ·m", per_si=1e9),
    _Parameter("beta", "β", "SI", "F"),
    _Parameter("l_sf", "l_sf", "SI", "NF", quantity="length", unit="nm", shown_unit="nm", per_si=1e9),
    _Parameter("theta_SH", "θ_SH", "both", "N", optional=True),
    _Parameter("l_J", "l_J", "both", "F", optional=True, quantity="length", unit="nm", shown_unit="nm", per_si=1e9),
    _Parameter("l_phi", "l_φ", "both", "F", optional=True, quantity="length", unit="nm", shown_unit="nm",
               per_si=1e9),
    _Parameter("Ms", "Ms", "SI", "F", optional=True, quantity="magnetization", unit="kA/m", shown_unit="kA/m",
               per_si=1e-3),
    _Parameter("alpha", "α", "SI", "F", optional=True),
    _Parameter("K_u", "K_u", "SI", "F", optional=True, quantity="energy_density", unit="kJ/m^3",
               shown_unit="kJ/m³", per_si=1e-3),
    _Parameter("easy_axis", "easy axis", "SI", "F", optional=True),
)
#: a new material's boxes on a blank form, {SI page?: {key: text}} (a Cu-like N, a Co-like F)
_MATERIAL_DEFAULTS = {False: {"D": "1", "p": "0.5", "l": "10"},
                      True: {"rho": "60", "beta": "0.46", "l_sf": "60"}}
class _NewMaterial:
    """F2: the material form's choice "new material", an object no material's name equals (it was the string
    "__new__": a material of that name took over every later "new material" save)."""

    def __repr__(self) -> str:
        return "<new material>"


#: the choice of the material form that defines a new material
_NEW = _NewMaterial()


@dataclass(frozen=True)
class _RunSetting:
    """A box of the run's settings: the [dynamics] key, its label (with the file's unit), the SI kind and the unit
    a typed number is read in (as a file's quantity: ``5`` in the mT box is ``"5 mT"``), the box's width (px)."""

    key: str
    label: str
    kind: str
    unit: str  # as pint reads it (the file's spelling)
    width: int


#: D: the [dynamics] settings the card sets (STACK_FORMAT.md "Dynamics"), in the units a file writes them in;
#: the waveform's points are "t J" pairs (ns, A/m^2) separated by ";"
_RUN_SETTINGS = (
    _RunSetting("field", "applied field μ₀H: x, y, z (mT)", "magnetic_field", "mT", 190),
    _RunSetting("temperature", "temperature (K)", "temperature", "K", 110),
    _RunSetting("area", "area (nm²)", "area", "nm^2", 100),
    _RunSetting("waveform", "waveform: t J; … (ns, A/m²; empty: the current)", "current_density", "A/m^2", 330),
    _RunSetting("duration", "duration (ns)", "time", "ns", 100),
    _RunSetting("save_every", "save every (ps)", "time", "ps", 110),
)
#: the box of a [dynamics] key a refusal names (``dynamics.waveform[1][0]`` -> waveform)
_RUN_BOX_OF = {f"dynamics.{setting.key}": setting for setting in _RUN_SETTINGS}


def _run_box_of(path: str) -> _RunSetting | None:
    """The run setting whose box a refusal of ``path`` (``dynamics.KEY...``) is about."""
    for key, setting in _RUN_BOX_OF.items():
        if path == key or path.startswith((key + "[", key + ".")):
            return setting
    return None


#: D: the power of ten of each run box's unit in the SI base unit (mT = 1e-3 T, nm^2 = 1e-18 m^2 ...)
_POWERS = {"mT": -3, "K": 0, "nm^2": -18, "A/m^2": 0, "ns": -9, "ps": -12}


def _shortest(value: float, unit: str) -> str:
    """The SI number ``value`` in the box unit ``unit`` with the fewest significant digits that read back to it
    (``3.1`` ns for 3.1e-9 s, where 3.1e-9 / 1e-9 is 3.0999999999999996; ``-3e11``, not ``-300000000000``)."""
    scale = decimal.Decimal(10) ** _POWERS[unit]
    with decimal.localcontext() as context:
        context.prec = 60
        exact = decimal.Decimal(value) / scale
        for digits in range(1, 18):
            text = f"{exact:.{digits - 1}e}"
            if float(decimal.Decimal(text) * scale) == value:
                break
        number = float(decimal.Decimal(text))
    if number == 0 or 1e-3 <= abs(number) < 1e6:
        return np.format_float_positional(number, trim="-")
    return np.format_float_scientific(number, trim="-", exp_digits=1).replace("e+", "e")


#: U: the SI unit a model's refusal gives for each box unit, and how the box's label writes the box unit
_SI_OF = {"mT": "T", "nm^2": "m^2", "ns": "s", "ps": "s"}
_WRITTEN = {"mT": "mT", "nm^2": "nm\u00b2", "ns": "ns", "ps": "ps"}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _in_box_units(reason: str, unit: str) -> str:
    """A model's refusal of a run setting said in the box's unit (U, review: the waveform box takes ns, its
    refusal said "t = 5e-10 s follows t = 1e-09 s"; the area box takes nm², its refusal said "got -5e-18"): every
    number given in the SI unit, a unit in parentheses and a bare number after "got" at the end."""
    si_unit = _SI_OF.get(unit)
    if si_unit is None:
        return reason
    written = _WRITTEN[unit]

    def shown(match: re.Match[str]) -> str:
        return f"{_shortest(float(match[1]), unit)} {written}"

    reason = re.sub(rf"({_NUMBER}) {re.escape(si_unit)}(?![\w^/])", shown, reason)
    reason = reason.replace(f"({si_unit})", f"({written})")
    return re.sub(rf"(?<=got )({_NUMBER})$", shown, reason)


def _run_texts(stack: Stack) -> dict[str, str]:
    """The run settings' boxes for ``stack``: its [dynamics] values in the boxes' units (empty: not set)."""
    dynamics = stack.dynamics
    texts = {setting.key: "" for setting in _RUN_SETTINGS}
    field = np.asarray(dynamics.field if dynamics is not None else np.zeros(3), dtype=float)
    texts["field"] = ", ".join(_shortest(float(b), "mT") for b in field)
    temperature = float(np.asarray(dynamics.temperature)) if dynamics is not None else 0.0
    texts["temperature"] = _shortest(temperature, "K")
    if dynamics is None:
        return texts
    if dynamics.area is not None:
        texts["area"] = _shortest(float(np.asarray(dynamics.area)), "nm^2")
    for key, unit in (("duration", "ns"), ("save_every", "ps")):
        value = getattr(dynamics, key)
        if value is not None:
            texts[key] = _shortest(float(value), unit)
    if dynamics.waveform is not None:
        times, currents = dynamics.waveform
        texts["waveform"] = "; ".join(f"{_shortest(float(t), 'ns')} {_shortest(float(j), 'A/m^2')}"
                                      for t, j in zip(times, np.asarray(currents, dtype=float).reshape(len(times))))
    return texts


def _run_numbers(stack: Stack) -> dict[tuple[str, str], dict[str, float]]:
    """The numbers of the multi-number run boxes (field; waveform times and currents) by the text
    :func:`_run_texts` shows for each: a component typed as shown keeps the stack's number (``_si``)."""
    dynamics = stack.dynamics
    field = np.asarray(dynamics.field if dynamics is not None else np.zeros(3), dtype=float)
    numbers: dict[tuple[str, str], dict[str, float]] = {
        ("field", "mT"): {_shortest(float(b), "mT"): float(b) for b in field}}
    if dynamics is not None and dynamics.waveform is not None:
        times, currents = dynamics.waveform
        numbers[("waveform", "ns")] = {_shortest(float(t), "ns"): float(t) for t in times}
        numbers[("waveform", "A/m^2")] = {_shortest(float(j), "A/m^2"): float(j)
                                          for j in np.asarray(currents, dtype=float).reshape(len(times))}
    return numbers


#: U (review): unfolded on a laptop (1366x768) the card filled the window, an edit's only visible effect one line
#: of its listing.  On a desktop window the listing and the editors each scroll in at most 42% of the window's
#: height, so that the status line, the numbers and the figures' tops stay in view below the card (the listing
#: stays beside the editor used); a phone's one column keeps its full height (no scroll in a scroll).
CARD_PART_CSS = """
@media (min-width: 701px) {
  :host { max-height: 42vh; overflow-y: auto !important; overscroll-behavior: contain; }
}
"""


def _offer(select: pn.widgets.Select, options: Any) -> None:
    """New choices, sent only when they differ (each change re-lays out the page in the browser)."""
    if select.options != options:
        select.options = options


@lru_cache(maxsize=1)
def _builtin_library() -> Any:
    """The built-in library of materials (``spinstack materials``)."""
    from ..io.libraryfile import load_library

    return load_library(None)


def _file_table(material: Material) -> dict[str, Any]:
    """An SI material's table as the stack-file writer writes it (quantities that read back to its numbers; D:
    the table alone, no stack file written and read for it)."""
    return material_table(material, "SI")


def _same_material(a: Material | None, b: Material | None) -> bool:
    """Whether two materials have the same kind, name and parameters (every number to the bit)."""
    if a is None or b is None or type(a) is not type(b):
        return a is b
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if (x is None) != (y is None) or (x is not None and not np.array_equal(x, y)):
            return False
    return True


def _axis_value(text: str, path: str) -> Any:
    """An easy axis typed as a direction name (``+z``) or three numbers (``0, 0, 1``)."""
    parts = [part for part in text.replace(",", " ").split() if part]
    if len(parts) == 1:
        return parts[0]  # a direction name; the model says which it takes
    try:
        return [parse_number(part) for part in parts]
    except ValueError as error:
        raise StackError(path, f"a direction name such as +z or three numbers such as 0, 0, 1: {error}") from None


def _box(label: str, css: str, value: str = "", width: int = 86) -> pn.widgets.TextInput:
    return pn.widgets.TextInput(label=label, value=value, width=width, margin=(2, 4), css_classes=[css])


def _select(label: str, css: str, width: int = 170) -> pn.widgets.Select:
    return pn.widgets.Select(label=label, options={}, width=width, margin=(2, 4), css_classes=[css])


def _button(label: str, css: str, width: int = 110) -> pn.widgets.Button:
    # no description: its tooltip, left shown after a tap on a phone, stuck out past the window's edge
    return pn.widgets.Button(label=label, width=width, margin=(20, 4, 2, 4), css_classes=[css])


class StructurePanel:
    """The structure card of an :class:`~spinstack.app.explorer.App` (see the module docstring).

    Parameters
    ----------
    app
        The page: its ``explorer`` (the stack shown, its error message), ``session`` (undo/redo, URL),
        ``show_stack`` (a stack shown in place of the present one) and ``menu``.

    Attributes
    ----------
    card
        The panel, to place on the page.
    open_input
        The file upload (``pn.widgets.FileInput``, ``.toml``).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._stacks: dict[str, Stack] = {}  # structure texts shown in this session -> their stacks
        self._palette: dict[str, Material] = {}  # materials offered: the stack's, then those seen before
        self.summary = pn.pane.HTML("", css_classes=["structure-summary"], sizing_mode="stretch_width",
                                    margin=(0, 4), styles={"overflow-x": "auto"})
        self.open_input = pn.widgets.FileInput(accept=".toml", multiple=False, margin=(2, 4), width=260,
                                               css_classes=["structure-open"])
        self.open_input.param.watch(self._uploaded, "value")
        self.open_input.param.watch(self._refused_upload, "mime_type")  # F2: UPLOAD_SIZE_CHECK's note
        # add / remove a layer
        self.material = _select("material", "structure-material", 150)
        self.thickness = _box("d", "structure-thickness", "1")
        self.theta, self.phi = _box("θ (deg)", "structure-theta", "0", 70), _box("φ (deg)", "structure-phi", "0", 70)
        self.position = _select("where", "structure-position", 200)
        self.add_button = _button("+ add layer", "structure-add")
        self.removed_layer = _select("layer", "structure-layer", 170)
        self.remove_button = _button("− remove layer", "structure-remove", 130)
        # interfaces
        self.node = _select("node", "structure-node", 190)
        self.resistance = _box("AR*", "structure-AR", "0.5")
        self.gamma = _box("γ", "structure-gamma", "0", 66)
        self.mix_real, self.mix_imag = _box("Re G_mix", "structure-gr", "1"), _box("Im G_mix", "structure-gi", "0")
        self.set_interface_button = _button("set interface", "structure-set-interface")
        self.remove_interface_button = _button("remove interface", "structure-remove-interface", 130)
        # ends
        self.side = pn.widgets.Select(label="end", options=["left", "right"], width=80, margin=(2, 4),
                                      css_classes=["structure-side"])
        self.end_kind = _select("kind", "structure-end-kind", 110)
        self.end_material = _select("lead material", "structure-end-material", 150)
        self.end_theta = _box("θ (deg)", "structure-end-theta", "0", 70)
        self.end_phi = _box("φ (deg)", "structure-end-phi", "0", 70)
        self.end_real, self.end_imag = _box("g_r", "structure-end-gr", "1"), _box("g_i", "structure-end-gi", "0")
        self.end_sink = _box("g_s", "structure-end-gs", "0", 70)
        self.set_end_button = _button("set end", "structure-set-end", 90)
        # a layer's material in place
        self.changed_layer = _select("layer", "structure-changed-layer", 170)
        self.new_material = _select("new material", "structure-new-material", 150)
        self.change_theta = _box("θ (deg)", "structure-change-theta", "0", 70)
        self.change_phi = _box("φ (deg)", "structure-change-phi", "0", 70)
        self.change_button = _button("change material", "structure-change-material", 130)
        # a material defined or edited
        self.edited_material = _select("material", "structure-edited-material", 160)
        self.library = _select("from the library", "structure-library", 150)
        self.material_name = _box("name", "structure-material-name", "", 120)
        self.material_name.max_length = MAX_MATERIAL_NAME_CHARS  # F2: the browser's box takes no more
        self.material_kind = pn.widgets.Select(label="kind", options={"N (normal metal)": "normal",
                                                                      "F (ferromagnet)": "ferromagnet"},
                                               width=140, margin=(2, 4), css_classes=["structure-material-kind"])
        self.parameters = {parameter.key: _box(parameter.label, f"structure-m-{parameter.key}", "",
                                               96 if parameter.key != "easy_axis" else 110)
                           for parameter in _PARAMETERS}
        self.save_material_button = _button("save material", "structure-save-material", 120)
        self.material_note = pn.pane.HTML("", margin=(0, 4), sizing_mode="stretch_width",
                                          css_classes=["structure-material-note"])
        self.material_help = pn.pane.HTML("", margin=(0, 4), sizing_mode="stretch_width",
                                          css_classes=["structure-material-help"])
        self._exact: dict[str, tuple[str, str, Any]] = {}  # box key -> (text shown, file key, file value)
        self._filled: Material | None = None  # the material the form was filled from
        self._hidden: dict[str, Any] = {}  # the edited material's file keys the form has no box for (gamma, D_perp)
        # dynamics (SI pages): free flags and exchange couplings
        self.free_layer = _select("F layer", "structure-free-layer", 170)
        self.free_flag = pn.widgets.Checkbox(label="free (its m moves in the Dynamics tab)", value=False,
                                             margin=(24, 6, 2, 4), css_classes=["structure-free"])
        self.demag = _box("demag N_x, N_y, N_z", "structure-demag", "", 150)
        self.set_free_button = _button("set free, demag", "structure-set-free", 130)
        self.coupling_a = _select("coupling: F layer", "structure-coupling-a", 150)
        self.coupling_b = _select("and F layer", "structure-coupling-b", 150)
        self.coupling_J = _box("J (mJ/m²)", "structure-coupling-J", "0.1", 90)
        self.set_coupling_button = _button("set coupling", "structure-set-coupling", 110)
        self.remove_coupling_button = _button("remove coupling", "structure-remove-coupling", 130)
        self.dynamics_note = pn.pane.HTML("", margin=(0, 4), sizing_mode="stretch_width",
                                          css_classes=["structure-dynamics-note"])
        # D: the run's [dynamics] settings (STACK_FORMAT.md "Dynamics"), in the file's units; a box left as shown
        # keeps the stack's number to the bit (only the boxes whose text changed are set)
        self.run_boxes = {setting.key: _box(setting.label, f"structure-dyn-{setting.key}", "", setting.width)
                          for setting in _RUN_SETTINGS}
        for box in self.run_boxes.values():
            box.stylesheets = [INVALID_CSS]  # a refused box red, as the controls' boxes
        self.set_run_button = _button("set run settings", "structure-set-run", 130)
        self.run_note = pn.pane.HTML("", margin=(0, 4), sizing_mode="stretch_width", css_classes=["structure-run-note"])
        self._run_shown: dict[str, str] = {}  # box key -> the text it was filled with
        # U: (box key, unit) -> {a number's text shown in a multi-number box: the stack's SI number}
        self._run_exact: dict[tuple[str, str], dict[str, float]] = {}

        self.add_button.on_click(lambda _event: self._act(self._insert))
        self.remove_button.on_click(lambda _event: self._act(self._remove))
        self.set_interface_button.on_click(lambda _event: self._act(self._set_interface))
        self.remove_interface_button.on_click(lambda _event: self._act(self._remove_interface))
        self.set_end_button.on_click(lambda _event: self._act(self._set_end))
        self.change_button.on_click(lambda _event: self._act(self._change_material))
        self.save_material_button.on_click(lambda _event: self._save_material())
        self.set_free_button.on_click(lambda _event: self._act(self._set_free))
        self.set_coupling_button.on_click(lambda _event: self._act(self._set_coupling))
        self.set_run_button.on_click(lambda _event: self._act(self._set_run))
        self.remove_coupling_button.on_click(lambda _event: self._act(self._remove_coupling))
        for widget in (self.changed_layer, self.new_material):
            widget.param.watch(lambda _event: self._show_change_boxes(), "value")
        self.edited_material.param.watch(lambda _event: self._fill_material(), "value")
        self.library.param.watch(lambda _event: self._fill_library(), "value")
        self.material_kind.param.watch(lambda _event: self._show_material_boxes(), "value")
        self.free_layer.param.watch(lambda _event: self._fill_free(), "value")
        self.node.param.watch(lambda _event: self._fill_interface(), "value")
        self.material.param.watch(lambda _event: self._show_direction(), "value")
        for widget in (self.end_kind, self.end_material):
            widget.param.watch(lambda _event: self._show_end_boxes(), "value")
        self.side.param.watch(lambda _event: self._fill_end(), "value")

        def row(*parts: Any) -> pn.FlexBox:
            return pn.FlexBox(*parts, flex_wrap="wrap", align_items="flex-start", margin=0, sizing_mode="stretch_width")

        def heading(text: str) -> pn.pane.HTML:
            return pn.pane.HTML(f"<b>{text}</b>", margin=(8, 4, 0, 4), sizing_mode="stretch_width")

        editors = pn.Column(
            heading("layers"),
            row(self.material, self.thickness, self.theta, self.phi, self.position, self.add_button),
            row(self.removed_layer, self.remove_button),
            heading("interface at a node (AR*, γ, G_mix; an N/F node needs G_mix, an N/N one γ = 0 and none)"),
            row(self.node, self.resistance, self.gamma, self.mix_real, self.mix_imag, self.set_interface_button,
                self.remove_interface_button),
            heading("ends (a lead is a semi-infinite layer of a material: N, or F with its m)"),
            row(self.side, self.end_kind, self.end_material, self.end_theta, self.end_phi, self.end_real,
                self.end_imag, self.end_sink, self.set_end_button),
            heading("a layer's material (thickness kept; an F layer keeps its m)"),
            row(self.changed_layer, self.new_material, self.change_theta, self.change_phi, self.change_button),
            heading("materials: define a new one or edit one (every layer and lead of it follows)"),
            self.material_help,
            row(self.edited_material, self.library, self.material_name, self.material_kind),
            row(*self.parameters.values(), self.save_material_button),
            self.material_note,
            heading("dynamics: free layers, exchange couplings and the run's settings"),
            self.dynamics_note,
            row(self.free_layer, self.free_flag, self.demag, self.set_free_button),
            row(self.coupling_a, self.coupling_b, self.coupling_J, self.set_coupling_button,
                self.remove_coupling_button),
            self.run_note,
            row(*self.run_boxes.values(), self.set_run_button),
            margin=0, sizing_mode=None, styles={"flex": "1 1 560px", "max-width": "calc(100vw - 30px)"},
            stylesheets=[CARD_PART_CSS])
        listing = pn.Column(heading("the stack shown, node by node"), self.summary, margin=0, sizing_mode=None,
                            styles={"flex": "0 1 440px", "max-width": "calc(100vw - 30px)"},
                            stylesheets=[CARD_PART_CSS])
        self.card = pn.Card(
            row(pn.pane.HTML("<b>open a stack file</b> (TOML, as <code>spinstack solve</code> reads)",
                             margin=(8, 4)), self.open_input),
            row(listing, editors),
            title="structure: layers, interfaces, ends, materials, dynamics · open a file", collapsed=True, collapsible=True,
            css_classes=["spin-structure"], header_background="#eef3f8", margin=(0, 5),
            sizing_mode="stretch_width")
        app.session.show_structure = self._show_text
        app.session.tell = lambda text: app.explorer.refuse(plain(text))  # X1: a state no link can carry
        app.menu.param.watch(lambda _event: self.refresh(reset_palette=True), "value")  # after App's own watcher
        # filled only while open (every new text or choice re-lays out the page in the browser): folded, the
        # card is marked stale and filled when opened
        self._stale, self._reset_pending = True, True
        self.card.param.watch(lambda event: None if event.new else self.refresh(), "collapsed")
        self.units = _Units(self.stack.units == "SI")

    # ------------------------------------------------------------------ what the page shows
    @property
    def stack(self) -> Stack:
        """The stack the page shows, as last solved (the listing, the choices and the boxes' values)."""
        return self.app.explorer.stack

    def refresh(self, reset_palette: bool = False, _stack: Stack | None = None) -> None:
        """The listing, the choices and the boxes' units follow the stack shown (also a listener of the
        explorer: a moved control changes the listing's numbers)."""
        explorer = self.app.explorer
        if self._listen not in explorer.listeners:
            explorer.listeners.append(self._listen)
        if self.card.collapsed:
            self._stale, self._reset_pending = True, self._reset_pending or reset_palette
            return
        reset_palette, self._stale, self._reset_pending = reset_palette or self._reset_pending, False, False
        stack = self.stack
        self.units = _Units(stack.units == "SI")
        kept = {} if reset_palette else self._palette
        self._palette = {**stack.materials, **{name: m for name, m in kept.items() if name not in stack.materials}}
        self._offer_materials()
        layers = stack.layers
        _offer(self.position, {**{f"before layers[{i}] ({layer.material.name})": i for i, layer in enumerate(layers)},
                               f"after the last layer ({len(layers)})": len(layers)})
        self.position.value = len(layers)
        _offer(self.removed_layer, {f"layers[{i}] ({layer.material.name})": i for i, layer in enumerate(layers)})
        nodes = {}
        for node in range(len(layers) + 1):
            before = layers[node - 1].material.name if node > 0 else f"left {stack.left.kind}"
            after = layers[node].material.name if node < len(layers) else f"right {stack.right.kind}"
            nodes[f"node {node} ({before} | {after})"] = node
        _offer(self.node, nodes)
        _offer(self.changed_layer, {f"layers[{i}] ({layer.material.name})": i for i, layer in enumerate(layers)})
        ferromagnets = {f"layers[{i}] ({layers[i].material.name})": i for i in stack.ferromagnet_indices}
        for select in (self.free_layer, self.coupling_a, self.coupling_b):
            _offer(select, dict(ferromagnets))
        for select in (self.material, self.end_material, self.removed_layer, self.node, self.changed_layer,
                       self.new_material, self.edited_material, self.free_layer, self.coupling_a, self.coupling_b):
            if select.value not in select.options.values():
                select.value = next(iter(select.options.values()), None)
        if len(ferromagnets) > 1 and self.coupling_a.value == self.coupling_b.value:
            self.coupling_b.value = list(ferromagnets.values())[1]
        _offer(self.library, {"—": "", **{f"{name} ({'F' if entry.type == 'ferromagnet' else 'N'})": name
                                          for name, entry in _builtin_library().materials.items()}}
               if self.units.si else {"—": ""})
        self.library.visible = self.units.si
        self.material_help.object = (
            "<span style='font-size:0.9em'>" + (
                "SI quantities in the boxes' units (ρ as measured, β = bulk spin asymmetry, l_sf); or pick a "
                "cited material <i>from the library</i> and type what it lacks. Left empty: θ_SH = 0, no l_J / "
                "l_φ (full absorption), no Ms, α, K_u, easy axis (+z or 0, 0, 1; needed with K_u). "
                if self.units.si else
                "Reduced units (MODEL.md 1): D conductance, p polarisation (F), l spin diffusion length (inf: no "
                "spin flip). Left empty: θ_SH = 0, no l_J / l_φ (full absorption). ")
            + "A new material is offered in the layer and lead choices; an edited one changes every layer and "
              "lead of it (one undo step).</span>")
        for widget in (self.free_layer, self.free_flag, self.demag, self.set_free_button, self.coupling_a,
                       self.coupling_b,
                       self.coupling_J, self.set_coupling_button, self.remove_coupling_button, self.set_run_button,
                       self.run_note, *self.run_boxes.values()):
            widget.visible = self.units.si
        self.dynamics_note.object = (
            "<span style='font-size:0.9em'>A free layer's material needs Ms and α (edit the material above); the "
            "<i>Dynamics</i> tab appears once a layer is free. Demag factors N_x, N_y, N_z sum to 1 (x is the "
            "film normal; empty: the thin film 1, 0, 0, as in a file). J &gt; 0 couples ferromagnetically.</span>"
            if self.units.si else
            "<span style='font-size:0.9em'>Free layers and couplings need an SI stack (units = \"SI\": Ms, α "
            "and times have no reduced form): open an SI stack file above, e.g. examples/co-cu-py.toml.</span>")
        in_plane = stack.has_field and not np.any(stack.current != 0)
        _offer(self.end_kind, ["reservoir", "lead"] + (["open", "insulator"] if in_plane else []))
        length = f" ({self.units.length})" if self.units.length else ""
        self.thickness.label = f"d{length}"
        self.resistance.label = f"AR*{f' ({self.units.resistance_area})' if self.units.si else ''}"
        for box, label in ((self.mix_real, "Re G_mix"), (self.mix_imag, "Im G_mix"), (self.end_real, "g_r"),
                           (self.end_imag, "g_i"), (self.end_sink, "g_s")):
            box.label = f"{label}{f' ({self.units.conductance})' if self.units.si else ''}"
            box.width = 132 if self.units.si else (86 if label.endswith("G_mix") else 70)  # the label's width
        if self.units.si and self.thickness.value == "1":
            self.thickness.value = "5"
        self._fill_interface()
        self._fill_end()
        self._show_direction()
        self._show_change_boxes()
        self.material_note.object = ""  # a note of an earlier save is not about the stack now shown
        self._fill_material()
        self._fill_free()
        self._fill_run()
        self._write_listing()

    def _offer_materials(self) -> None:
        """The palette's materials in every material choice (add a layer, a layer's material, a lead, edit)."""
        names = {f"{name} ({'F' if isinstance(m, Ferromagnet) else 'N'})": name for name, m in self._palette.items()}
        for select in (self.material, self.end_material, self.new_material):
            _offer(select, dict(names))
        _offer(self.edited_material, {"new material": _NEW, **names})

    def _listen(self, _stack: Stack) -> None:
        """A control moved: the listing's numbers, and the material form's when it shows a material whose
        parameters a control moved (only while the card is open)."""
        if self.card.collapsed:
            self._stale = True
            return
        self._write_listing()
        materials = self.stack.materials
        self._palette.update(materials)  # the materials as the stack now holds them
        chosen = self.edited_material.value
        if chosen in materials and not _same_material(materials[chosen], self._filled):
            self._fill_material()

    def _write_listing(self) -> None:
        text = self._listing(self.stack)
        if self.summary.object != text:  # an unchanged text is not sent (each one re-lays out the page)
            self.summary.object = text

    def _listing(self, stack: Stack) -> str:
        """The stack node by node, as HTML (id ``structure``)."""
        units = self.units
        unit = f" {units.length}" if units.length else ""

        def end(side: str, value: Any) -> str:
            text = value.kind
            if isinstance(value, Lead):
                text = f"lead of {value.material.name}"
            if getattr(value, "magnetization", None) is not None:
                theta, phi = _angles(value.magnetization)
                text += f", m: θ = {_short(theta)}°, φ = {_short(phi)}°"
            return f"<div class='structure-end'><i>{side} end</i>: {html.escape(text)}</div>"

        interfaces = {interface.node: interface for interface in stack.interfaces}

        def node(index: int) -> str:
            interface = interfaces.get(index)
            if interface is None:
                return ""
            parts = [f"AR* = {_short(units.resistance(interface))}"
                     f"{' ' + units.resistance_area if units.si else ''}", f"γ = {_short(float(interface.gamma))}"]
            if interface.g_mix is not None:
                real, imaginary = (units.mixing(float(g)) for g in interface.g_mix)
                parts.append(f"G_mix = {_short(real)} {'+' if imaginary >= 0 else '−'} {_short(abs(imaginary))} i"
                             f"{' ' + units.conductance if units.si else ''}")
            if np.any(interface.delta != 0):
                parts.append(f"δ = {_short(float(interface.delta))}")
            # X3: each part's spaces non-breaking: a narrow card wraps between parts only (it broke
            # "G_mix = 5e+14 + / 0 i" inside the number)
            return (f"<div class='structure-interface' style='color:#8a4b00'>&nbsp;&nbsp;node {index}: interface "
                    f"{html.escape(', '.join(part.replace(' ', chr(0xa0)) for part in parts))}</div>")

        lines = [end("left", stack.left), node(0)]
        for index, layer in enumerate(stack.layers):
            text = f"layers[{index}] {layer.material.name}: d = {_short(units.thickness(layer))}{unit}"
            if layer.magnetization is not None:
                theta, phi = _angles(layer.magnetization)
                text += f", m: θ = {_short(theta)}°, φ = {_short(phi)}°"
            if layer.free:
                text += ", free"
            if layer.demag is not None:
                text += f", demag ({', '.join(_short(float(n)) for n in layer.demag)})"
            lines.append(f"<div class='structure-layer'>{html.escape(text)}</div>")
            lines.append(node(index + 1))
        lines.append(end("right", stack.right))
        for coupling in stack.dynamics.couplings if stack.dynamics is not None else ():
            a, b = coupling.layers
            lines.append(f"<div class='structure-coupling'>coupling layers[{a}]–layers[{b}]: J = "
                         f"{_short(float(coupling.J) * 1e3)} mJ/m²</div>")
        if stack.dynamics is not None:  # D: the run's settings that are set
            texts = _run_texts(stack)
            parts = [f"{setting.label.split(':')[0].split(' (')[0]} = {texts[setting.key]}"
                     + (f" {setting.label.rsplit('(', 1)[1].rstrip(')')}" if setting.key != "waveform" else
                        " (ns, A/m²)")
                     for setting in _RUN_SETTINGS if texts[setting.key] and (
                         setting.key not in ("field", "temperature") or texts[setting.key] not in ("0, 0, 0", "0"))]
            if parts:
                lines.append(f"<div class='structure-run'>{html.escape('run: ' + '; '.join(parts))}</div>")
        return f"<div id='structure' style='font-family: monospace; font-size: 0.95em'>{''.join(lines)}</div>"

    def _fill_interface(self) -> None:
        """The chosen node's interface in the boxes (when it has one)."""
        interface = next((i for i in self.stack.interfaces if i.node == self.node.value), None)
        # X3: a node without an interface shows the unit system's defaults, never what an earlier stack's node
        # held (co-cu-py's G_mix = 5e14 Ohm^-1 m^-2 stayed in the box of a reduced stack opened next)
        resistance, gamma, real, imaginary = _INTERFACE_DEFAULTS[self.units.si]
        if interface is not None:
            resistance, gamma = _short(self.units.resistance(interface)), _short(float(interface.gamma))
            if interface.g_mix is not None:
                real, imaginary = (_short(self.units.mixing(float(g))) for g in interface.g_mix)
        self.resistance.value, self.gamma.value = resistance, gamma
        self.mix_real.value, self.mix_imag.value = real, imaginary

    def _fill_end(self) -> None:
        end = getattr(self.stack, self.side.value)
        if end.kind in self.end_kind.options:
            self.end_kind.value = end.kind
        if isinstance(end, Lead) and end.material.name in self.end_material.options.values():
            self.end_material.value = end.material.name
        if getattr(end, "magnetization", None) is not None:
            self.end_theta.value, self.end_phi.value = (_short(a) for a in _angles(end.magnetization))
        else:
            # U (review): an end made an F lead took m = +z, refused beside an F layer at another angle (touching
            # ferromagnets must be collinear): the boxes offer the touching F layer's m, else +z
            layers = self.stack.layers
            touching = (layers[0] if self.side.value == "left" else layers[-1]) if layers else None
            beside = touching.magnetization if touching is not None and touching.is_ferromagnet else (0, 0, 1)
            self.end_theta.value, self.end_phi.value = (_short(a) for a in _angles(beside))
        self._show_end_boxes()

    def _show_direction(self) -> None:
        magnetic = isinstance(self._palette.get(self.material.value), Ferromagnet)
        self.theta.visible = self.phi.visible = magnetic

    def _show_end_boxes(self) -> None:
        kind = self.end_kind.value
        lead = kind == "lead"
        self.end_material.visible = lead
        magnetic = kind == "insulator" or (lead and isinstance(self._palette.get(self.end_material.value), Ferromagnet))
        self.end_theta.visible = self.end_phi.visible = magnetic
        self.end_real.visible = self.end_imag.visible = self.end_sink.visible = kind == "insulator"

    def _show_change_boxes(self) -> None:
        """θ, φ of a layer's new material only for a normal layer made ferromagnetic (an F layer keeps its m)."""
        index, layers = self.changed_layer.value, self.stack.layers
        layer = layers[index] if isinstance(index, int) and index < len(layers) else None
        needs = isinstance(self._palette.get(self.new_material.value), Ferromagnet) and layer is not None \
            and not layer.is_ferromagnet
        self.change_theta.visible = self.change_phi.visible = needs

    def _fill_material(self) -> None:
        """The material form: the chosen material's parameters (exactly as the stack holds them), or a new
        material's defaults."""
        chosen = self.edited_material.value
        material = self._palette.get(chosen) if chosen != _NEW else None
        self._exact, self._hidden = {}, {}
        self._filled = material
        texts: dict[str, str] = {}
        if material is None:
            self.material_name.value = ""
            texts = dict(_MATERIAL_DEFAULTS[self.units.si])
        else:
            self.material_name.value = material.name
            self.material_kind.value = material.kind
            if self.units.si:
                texts = self._si_texts(material)
            else:
                for parameter in _PARAMETERS:
                    value = getattr(material, parameter.key, None) if parameter.pages != "SI" else None
                    if value is not None and (parameter.key != "p" or isinstance(material, Ferromagnet)):
                        texts[parameter.key] = repr(float(value))  # reads back to the same double
                if isinstance(material, Ferromagnet) and material.D_perp is not None:
                    self._hidden["D_perp"] = material.D_perp
        for key, box in self.parameters.items():
            box.value = texts.get(key, "")
        if self.library.value:
            self._quiet_library = True
            try:
                self.library.value = ""
            finally:
                self._quiet_library = False
        self._show_material_boxes()

    def _si_texts(self, material: Material) -> dict[str, str]:
        """An SI material's boxes: the file's quantities (as the stack-file writer writes them, which read back
        to the same numbers to the bit: a box left as shown gives that quantity back) in the boxes' units."""
        try:
            table = _file_table(material)
        except SpinstackError:
            return {}
        texts: dict[str, str] = {}
        boxes = {parameter.key: parameter for parameter in _PARAMETERS if parameter.pages != "reduced"}
        for key, value in table.items():
            shown_key = "rho" if key == "conductivity" else key
            parameter = boxes.get(shown_key)
            if key == "type":
                continue
            if parameter is None:
                self._hidden[key] = value  # gamma, D_perp: kept as they are
                continue
            if key == "easy_axis":
                text = value if isinstance(value, str) else ", ".join(_short(float(x)) for x in value)
            else:
                number = float(to_si(value, "conductivity" if key == "conductivity" else parameter.quantity,
                                     f"materials.{material.name}.{key}", allow_inf=True))
                number = 1.0 / number if key == "conductivity" else number
                text = _short(number * parameter.per_si)
            texts[shown_key] = text
            self._exact[shown_key] = (text, key, value)
        return texts

    def _fill_library(self) -> None:
        """A library material's cited values in the boxes (STACK_FORMAT.md: a partial entry leaves boxes to fill)."""
        name = self.library.value
        if not name or getattr(self, "_quiet_library", False):
            return
        entry = _builtin_library().materials[name]
        self.material_kind.value = entry.type
        if self.edited_material.value == _NEW:
            self.material_name.value = name
        self._exact, self._hidden = {}, {}
        texts: dict[str, str] = {}
        for key, value in entry.values.items():
            shown_key = "rho" if key == "conductivity" else key
            parameter = next((p for p in _PARAMETERS if p.key == shown_key and p.pages != "reduced"), None)
            if parameter is None:
                continue
            number = float(value.si)
            text = _short((1.0 / number if key == "conductivity" else number) * parameter.per_si)
            texts[shown_key] = text
            self._exact[shown_key] = (text, key, value.value)
        for key, box in self.parameters.items():
            box.value = texts.get(key, "")
        missing = ", ".join(entry.missing)
        self.material_note.object = html.escape(
            f"{name} from the built-in library ({entry.description})"
            + (f". Type what it lacks: {missing}." if missing else "."))
        self._show_material_boxes()

    def _show_material_boxes(self) -> None:
        letter = "F" if self.material_kind.value == "ferromagnet" else "N"
        page = "SI" if self.units.si else "reduced"
        for parameter in _PARAMETERS:
            box = self.parameters[parameter.key]
            box.visible = parameter.pages in ("both", page) and letter in parameter.kinds
            unit = f" ({parameter.shown_unit})" if self.units.si and parameter.shown_unit else ""
            box.label = f"{parameter.label}{unit}"  # (optional ones: the help line above; a longer label overlapped)

    def _fill_free(self) -> None:
        index, layers = self.free_layer.value, self.stack.layers
        layer = layers[index] if isinstance(index, int) and index < len(layers) else None
        self.free_flag.value = bool(layer is not None and layer.free)
        demag = layer.demag if layer is not None else None
        self.demag.value = "" if demag is None else ", ".join(repr(float(n)) for n in demag)

    def _fill_run(self) -> None:
        """The run settings' boxes: the stack's [dynamics] values (unmarked); the note says what drives a run."""
        texts = _run_texts(self.stack) if self.units.si else {setting.key: "" for setting in _RUN_SETTINGS}
        for key, box in self.run_boxes.items():
            if box.value != texts[key]:
                box.value = texts[key]
        self._run_shown = texts
        self._run_exact = _run_numbers(self.stack) if self.units.si else {}
        self._mark_run(None)
        self.run_note.object = (
            "<span style='font-size:0.9em'>The Dynamics tab's run: the applied field μ₀H (x is the film normal), "
            "the temperature (&gt; 0 needs the pillar's area: a thermal field), a waveform replacing the constant "
            "current (points <i>t J</i> in ns and A/m², separated by ;, e.g. <code>0 0; 1 -3e11; 3 -3e11; 3.1 "
            "0</code>), the run's length and its saved points (empty: the tab's 5 ns and 5 ps). A box left as "
            "shown keeps its value.</span>")

    def _mark_run(self, key: str | None) -> None:
        """The run settings' box ``key`` red (the class of a refused box), the others not."""
        for name, box in self.run_boxes.items():
            classes = [c for c in box.css_classes if c != "ctl-invalid"] + (["ctl-invalid"] if name == key else [])
            if classes != list(box.css_classes):
                box.css_classes = classes

    def _run_value(self, setting: _RunSetting, text: str) -> Any:
        """A run setting's box text as the model's SI value (None: empty, the default)."""
        if not text:
            return None
        path = f"dynamics.{setting.key}"
        if setting.key == "field":
            parts = [part for part in text.replace(",", " ").split() if part]
            if len(parts) != 3:
                raise StackError(path, f"three numbers B_x, B_y, B_z in mT such as 0, 0, 5, got {text!r}"[:200])
            return [self._si(part, setting, path, self._run_exact.get(("field", "mT"))) for part in parts]
        if setting.key == "waveform":
            points = []
            for index, point in enumerate(part.strip() for part in text.split(";")):
                numbers = [part for part in point.replace(",", " ").split() if part]
                if len(numbers) != 2:
                    raise StackError(f"{path}[{index}]", f"a point is a time in ns and a current density in A/m² "
                                                         f"such as 1 -3e11, points separated by ;, got {point!r}"
                                     [:200])
                points.append((self._si(numbers[0], _RunSetting("", "", "time", "ns", 0), f"{path}[{index}][0]",
                                        self._run_exact.get(("waveform", "ns"))),
                               self._si(numbers[1], setting, f"{path}[{index}][1]",
                                        self._run_exact.get(("waveform", "A/m^2")))))
            return points
        return self._si(text, setting, path)

    @staticmethod
    def _si(text: str, setting: _RunSetting, path: str, shown: dict[str, float] | None = None) -> float:
        """One number typed in the setting's unit, in SI base units (as a file's quantity is read).

        ``shown``: the numbers of a multi-number box by the text shown for each; a number whose text is one
        of them is the stack's number to the bit (U: read back through pint's float product, 16% of the
        texts :func:`_shortest` wrote came back an ulp off: editing one field component moved the others)."""
        if shown is not None and text in shown:
            return shown[text]
        try:
            number = parse_number(text)
        except ValueError as error:
            raise StackError(path, str(error)) from None
        if not math.isfinite(number):
            raise StackError(path, f"must be a finite number, got {text!r}")
        return float(to_si(f"{number!r} {setting.unit}", setting.kind, path))

    def _set_run(self, stack: Stack) -> Stack:
        """The run settings whose box changed (a box left as shown keeps the stack's number), one edit
        (``edit.set_dynamics``); a refusal names the box by its label and marks it red."""
        self._mark_run(None)
        changes: dict[str, Any] = {}
        try:
            for setting in _RUN_SETTINGS:
                text = self.run_boxes[setting.key].value.strip()
                if text != self._run_shown.get(setting.key, "").strip():
                    changes[setting.key] = self._run_value(setting, text)
            if not changes:
                raise StackError("run settings", "no box changed: type a new value in one first")
            return edit.set_dynamics(stack, **changes)
        except StackError as error:
            setting = _run_box_of(error.path)
            if setting is None:
                raise
            self._mark_run(setting.key)
            where = error.path[len(f"dynamics.{setting.key}"):]  # a waveform's point: [1] or [1][0]
            point = where[1:].split("]")[0] if where.startswith("[") else ""
            label = setting.label.split(":")[0].split(" (")[0] if point else setting.label
            named = f"{label}, point {int(point) + 1}" if point.isdigit() else label
            reason = error.reason  # the edit's own words name the file's keys: the box's label says which
            if reason.endswith(")") and " (setting dynamics." in reason:
                reason = reason[:reason.rindex(" (setting dynamics.")]
            # the model says SI numbers (s, m^2): the box's unit (a waveform's times in ns; its currents are A/m^2)
            raise StackError(named, _in_box_units(reason, "ns" if setting.key == "waveform" else setting.unit)) \
                from None

    # ------------------------------------------------------------------ edits
    def _number(self, box: pn.widgets.TextInput, label: str) -> float:
        try:
            return parse_number(box.value)
        except ValueError as error:
            raise StackError(label, str(error)) from None

    def _direction(self, theta: pn.widgets.TextInput, phi: pn.widgets.TextInput, label: str) -> Any:
        return polar(self._number(theta, f"{label} θ"), self._number(phi, f"{label} φ"))

    def _insert(self, stack: Stack) -> Stack:
        refusal = layers_refusal(len(stack.layers) + 1)  # X1: an edit stays within what a link can reopen
        if refusal is not None:
            raise StackError("layers", refusal)
        material = self._named(stack, self.material.value)
        magnetization = self._direction(self.theta, self.phi, "new layer's m") \
            if isinstance(material, Ferromagnet) else None
        thickness = self._number(self.thickness, "new layer's d")
        position = int(self.position.value)
        try:
            layer = self.units.layer(material, thickness, magnetization)
        except StackError as error:
            raise error.within(f"layers[{position}]") from None  # where it would have been
        return edit.insert_layer(stack, position, layer)

    def _named(self, stack: Stack, name: str) -> Material:
        """The material ``name`` as ``stack`` holds it (a control may have moved its D since the choices were
        offered: the palette's older object would be a second material of that name), else the palette's."""
        return stack.materials.get(name) or self._palette[name]

    def _remove(self, stack: Stack) -> Stack:
        if self.removed_layer.value is None:
            raise StackError("layers", "no layer to remove")
        return edit.remove_layer(stack, int(self.removed_layer.value))

    def _set_interface(self, stack: Stack) -> Stack:
        node = int(self.node.value)
        present = next((i for i in stack.interfaces if i.node == node), None)
        layers, ends = stack.layers, (stack.left, stack.right)
        before = layers[node - 1] if node > 0 else ends[0]
        after = layers[node] if node < len(layers) else ends[1]
        magnetic = sum(getattr(e, "magnetization", None) is not None for e in (before, after))
        # G_mix only where the model uses it: an N/F node (at a reservoir optional: given when typed)
        mixing = [self._number(self.mix_real, "Re G_mix"), self._number(self.mix_imag, "Im G_mix")] \
            if magnetic == 1 else None
        delta = present.delta if present is not None else 0.0  # a spin memory loss the file gave is kept
        interface = self.units.interface(node, self._number(self.resistance, "AR*"), self._number(self.gamma, "γ"),
                                         mixing, delta)
        return edit.set_interface(stack, interface)

    def _remove_interface(self, stack: Stack) -> Stack:
        return edit.remove_interface(stack, int(self.node.value))

    def _set_end(self, stack: Stack) -> Stack:
        kind, side = self.end_kind.value, self.side.value
        if kind == "reservoir":
            end: Any = Reservoir()
        elif kind == "open":
            end = Open()
        elif kind == "insulator":
            end = self.units.insulator(self._direction(self.end_theta, self.end_phi, f"{side} end's m"),
                                       [self._number(self.end_real, "g_r"), self._number(self.end_imag, "g_i")],
                                       self._number(self.end_sink, "g_s"))
        else:
            material = self._named(stack, self.end_material.value)
            magnetization = self._direction(self.end_theta, self.end_phi, f"{side} lead's m") \
                if isinstance(material, Ferromagnet) else None
            end = self.units.lead(material, magnetization)
        return edit.set_end(stack, side, end)

    def _change_material(self, stack: Stack) -> Stack:
        index = self.changed_layer.value
        if index is None:
            raise StackError("layers", "no layer to change")
        material = self._named(stack, self.new_material.value)
        magnetization = None
        if isinstance(material, Ferromagnet) and not stack.layers[int(index)].is_ferromagnet:
            magnetization = self._direction(self.change_theta, self.change_phi, f"layers[{index}]'s m")
        return edit.set_layer_material(stack, int(index), material, magnetization)

    def material_from_form(self) -> Material:
        """The material the form describes, in the page's units (a box left as it was filled keeps the stack's
        number to the bit).

        Raises
        ------
        StackError
            An empty name, an empty box of a required parameter, a bad number, or a value the model refuses,
            naming ``materials.NAME.KEY``.
        """
        name = self.material_name.value.strip()
        if not name:
            raise StackError("materials", "the material's name is empty: type one")
        refusal = material_name_refusal(name)  # F2: the box stops at the limit; a value set otherwise is refused
        if refusal is not None:
            raise StackError("materials", refusal)
        kind = self.material_kind.value
        letter = "F" if kind == "ferromagnet" else "N"
        page = "SI" if self.units.si else "reduced"
        edited = self._palette.get(self.edited_material.value)
        same_kind = edited is not None and edited.kind == kind
        table: dict[str, Any] = {"type": kind}
        if same_kind:  # what the form has no box for (gamma, D_perp) stays as it was
            table.update(self._hidden)
        values: dict[str, float] = {}
        for parameter in _PARAMETERS:
            if parameter.pages not in ("both", page) or letter not in parameter.kinds:
                continue
            key, text = parameter.key, self.parameters[parameter.key].value.strip()
            path = f"materials.{name}.{key}"
            if not text:
                if parameter.optional:
                    continue
                raise StackError(path, "empty: type a number")
            exact = self._exact.get(key)
            if self.units.si and exact is not None and exact[0] == text:
                table[exact[1]] = exact[2]
                continue
            if key == "easy_axis":
                table[key] = _axis_value(text, path)
                continue
            try:
                number = parse_number(text)
            except ValueError as error:
                raise StackError(path, str(error)) from None
            if self.units.si:
                table[key] = f"{number!r} {parameter.unit}" if parameter.unit and math.isfinite(number) else \
                    number / parameter.per_si if parameter.unit else number
            else:
                values[key] = number
        if not self.units.si:
            if letter == "N":
                return Normal(name, D=values["D"], l=values["l"], theta_SH=values.get("theta_SH", 0.0))
            coherent = "l_J" in values or "l_phi" in values
            return Ferromagnet(name, D=values["D"], p=values["p"], l=values["l"], l_J=values.get("l_J"),
                               l_phi=values.get("l_phi"),
                               D_perp=table.get("D_perp") if coherent else None)
        if "l_J" not in table and "l_phi" not in table:
            table.pop("D_perp", None)  # only used with a coherence length
        return si.material_from_table(name, table)

    def _save_material(self) -> None:
        """Save the material form: a material of the stack is replaced in every layer and lead using it (an
        undoable edit); a new one joins the materials offered (the stack changes when a layer or lead uses it)."""
        try:
            material = self.material_from_form()
            chosen = self.edited_material.value
            others = {name for name in self._palette if name != chosen}
            if material.name in others:
                raise StackError(f"materials.{material.name}", "already names a material: choose another name, or "
                                                               "choose that material in the form to edit it")
            stack = self.app.explorer.present_stack()
            if chosen in stack.materials:
                edited = edit.replace_material(stack, chosen, material)
                self._palette.pop(chosen, None)
                self._palette[material.name] = material
                with pn.io.hold():
                    self.show_edited(edited)
                    self.edited_material.value = material.name
                self.material_note.object = html.escape(f"{material.name}: saved (every layer and lead of it).")
                return
            self.app.explorer.withdraw_refusal()
            self._palette.pop(chosen, None)  # a material defined here and not used yet: its new definition
            self._palette[material.name] = material
            with pn.io.hold():
                self._offer_materials()
                self.edited_material.value = material.name
                self.material.value = self.new_material.value = material.name
            self.material_note.object = html.escape(
                f"{material.name} is defined: add a layer of it, change a layer's material to it or make it a lead's "
                "material (the stack, its link and its file hold it once a layer or lead uses it).")
        except SpinstackError as error:
            self.report(str(error))

    def _set_free(self, stack: Stack) -> Stack:
        """The chosen F layer's free flag and demag factors (empty box: none given, the thin film (1, 0, 0) of
        model.Layer), one edit."""
        if self.free_layer.value is None:
            raise StackError("layers", "no F layer to free")
        index = int(self.free_layer.value)
        text = self.demag.value.strip()
        demag = None
        if text:
            parts = text.replace(",", " ").split()
            try:
                demag = [parse_number(part) for part in parts]
            except ValueError as error:
                raise StackError(f"layers[{index}].demag", f"three numbers N_x, N_y, N_z: {error}") from None
        return edit.set_free(edit.set_demag(stack, index, demag), index, bool(self.free_flag.value))

    def _coupled_pair(self) -> tuple[int, int]:
        if self.coupling_a.value is None or self.coupling_b.value is None:
            raise StackError("dynamics.coupling", "a coupling joins two F layers: the stack has fewer")
        return int(self.coupling_a.value), int(self.coupling_b.value)

    def _set_coupling(self, stack: Stack) -> Stack:
        J = self._number(self.coupling_J, "J (mJ/m²)") * 1e-3  # noqa: N806  mJ/m^2 -> J/m^2
        return edit.set_coupling(stack, self._coupled_pair(), J)

    def _remove_coupling(self, stack: Stack) -> Stack:
        return edit.remove_coupling(stack, self._coupled_pair())

    def _act(self, change: Callable[[Stack], Stack]) -> None:
        """Apply an edit to the stack the controls now describe and show the result (an undoable step), or say
        why not.

        The edit starts from the controls' present values (``Explorer.present_stack``), not from the last
        stack solved: a value typed just before the click, whose solve is still running, is part of it
        (it was silently dropped); a control holding a bad value refuses the edit with its message.
        """
        try:
            stack = change(self.app.explorer.present_stack())
            with pn.io.hold():  # the page's new parts and the card's new choices in one message
                self.show_edited(stack)
        except SpinstackError as error:
            self.report(str(error))

    def show_edited(self, stack: Stack) -> None:
        """Show ``stack`` as an edit of the structure: a step of the history, carried by the URL.

        Raises
        ------
        SpinstackError
            If it cannot be shown (a batch, or it cannot be solved): nothing changes.
        """
        text = dumps_stack(stack)
        self._stacks[text] = stack
        controls = self._display(stack)
        self.app.session.adopt(controls, text)
        self.refresh()

    def _display(self, stack: Stack, label: str | None = None) -> Controls:
        """Show ``stack`` (``App.show_stack``) keeping the session's history (a structure edit is one of its
        steps, not a new page); its controls."""
        session = self.app.session
        kept = (session.history, session.structure, session.opened, session.preset)
        self.app.show_stack(stack, label)  # raises (nothing shown) if it cannot be solved
        if label is None:  # an edit: the history goes on (show_stack starts a new one, as for a new page)
            session.history, session.structure, session.opened, session.preset = kept
        return self.app.explorer.controls

    def _show_text(self, text: str | None) -> Controls:
        """Undo/redo/reset across an edit: show the structure of ``text`` (None: the loaded file's)."""
        if text is None:
            stack = self.app._given if self.app.menu.value == "__given__" else None
            if stack is None:
                from .presets import preset

                stack = preset(self.app.menu.value)
        else:
            stack = self._stacks.get(text) or read_stack_text("stack.toml", text)
            self._stacks[text] = stack
        controls = self._display(stack)
        self.refresh()
        return controls

    def report(self, message: str) -> None:
        """Say why nothing changed: the page's error message (floating, moves no figure), shown until the user's
        next action (``Explorer.refuse``: a solve ending meanwhile leaves it)."""
        self.app.explorer.refuse(f"{plain(message)}{_UNCHANGED}")  # X1: shown literally

    # ------------------------------------------------------------------ files and links
    def _uploaded(self, event: Any) -> None:
        if event.new is None:
            return
        name = self.open_input.filename or "uploaded.toml"
        try:
            self.open_file(name, event.new)
        finally:
            # the box forgets the file: the page names the file it shows in its menu, and the same file can be
            # chosen again (a browser sends no change for the file already chosen)
            self.open_input.clear()

    def _refused_upload(self, event: Any) -> None:
        """F2: the page's script did not send a file over the read limit (:data:`UPLOAD_SIZE_CHECK`): say so, as
        :func:`read_stack_text` says it of a file it was sent."""
        if not str(event.new or "").startswith(TOO_LARGE):
            return
        self.report(str(_too_large(Path(self.open_input.filename or "").name or "stack.toml")))
        self.open_input.mime_type = ""  # the next file's note is a change again

    def open_file(self, name: str, data: bytes | str) -> bool:
        """Open a stack file's contents as the page's file (the menu's first entry; reset comes back to it;
        a new history); False, with the page's error message, when it does not load or cannot be solved."""
        shown = Path(name).name or "stack.toml"
        try:
            stack = read_stack_text(name, data)
            # X1: the link carries the stack as dumps_stack writes it (no comments: a commented 1.6 MB file's
            # raw text was over the link's limit), which reads back to the same stack, number for number
            text = dumps_stack(stack)
            self._display(stack, f"file: {shown}")
        except SpinstackError as error:
            message = str(error)  # F2: named by the file as the CLI names it (a solve's refusal names none)
            self.report(message if message.startswith(f"{shown}: ") else f"{shown}: {message}")
            return False
        self._stacks.clear()
        self.app.session.opened = (shown, text)
        self.app.session._refresh()
        self.refresh(reset_palette=True)
        return True

    def open_query(self, search: str) -> list[str]:
        """Show the structure a URL query carries (an opened file, then an edited stack); the refusals (the
        link's file or stack is then not shown)."""
        opened, structure, refusals = structure_query(search)
        if refusals:
            return refusals
        if opened is not None:
            name, text = opened
            try:
                stack = read_stack_text(name, text)
                self._display(stack, f"file: {Path(name).name}")
            except SpinstackError as error:
                return [f"URL parameter file: {error}"]
            self.app.session.opened = (Path(name).name, text)
            self.refresh(reset_palette=True)
        if structure is not None:
            try:
                stack = read_stack_text("stack.toml", structure)
                self._stacks[structure] = stack
                controls = self._display(stack)
            except SpinstackError as error:
                return [f"URL parameter stack: {error}"]
            self.app.session.adopt(controls, structure, write_url=False)
            self.refresh()
        return []
