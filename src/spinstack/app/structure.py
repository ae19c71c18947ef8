"""The explorer's structure panel: layers added and removed, interfaces set and removed, ends replaced, and
another stack file opened.

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

import html
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import panel as pn

from .. import si
from ..errors import SpinstackError, StackError
from ..io.stackfile import load_stack
from ..io.stackwriter import dumps_stack
from ..io.textfile import MAX_FILE_BYTES, StackFileError
from ..model import Ferromagnet, Insulator, Interface, Layer, Lead, Material, Open, Reservoir, Stack, polar
from ..model import edit
from ..units import ELECTRON_CHARGE
from .controls import Controls, parse_number
from .docs import plain  # X1
from .session import layers_refusal, structure_query  # X1: layers_refusal

__all__ = ["StructurePanel", "read_stack_text"]

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
        raise StackFileError(shown, "", f"too large: files are read up to {MAX_FILE_BYTES // (1024 * 1024)} MiB")
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
    return stack


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


def _offer(select: pn.widgets.Select, options: Any) -> None:
    """New choices, sent only when they differ (each change re-lays out the page in the browser)."""
    if select.options != options:
        select.options = options


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

        self.add_button.on_click(lambda _event: self._act(self._insert))
        self.remove_button.on_click(lambda _event: self._act(self._remove))
        self.set_interface_button.on_click(lambda _event: self._act(self._set_interface))
        self.remove_interface_button.on_click(lambda _event: self._act(self._remove_interface))
        self.set_end_button.on_click(lambda _event: self._act(self._set_end))
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
            heading("ends"),
            row(self.side, self.end_kind, self.end_material, self.end_theta, self.end_phi, self.end_real,
                self.end_imag, self.end_sink, self.set_end_button),
            margin=0, sizing_mode=None, styles={"flex": "1 1 560px", "max-width": "calc(100vw - 30px)"})
        listing = pn.Column(heading("the stack shown, node by node"), self.summary, margin=0, sizing_mode=None,
                            styles={"flex": "0 1 440px", "max-width": "calc(100vw - 30px)"})
        self.card = pn.Card(
            row(pn.pane.HTML("<b>open a stack file</b> (TOML, as <code>spinstack solve</code> reads)",
                             margin=(8, 4)), self.open_input),
            row(listing, editors),
            title="structure: layers, interfaces, ends · open a file", collapsed=True, collapsible=True,
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
        names = {f"{name} ({'F' if isinstance(m, Ferromagnet) else 'N'})": name for name, m in self._palette.items()}
        _offer(self.material, names)
        _offer(self.end_material, dict(names))
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
        for select in (self.material, self.end_material, self.removed_layer, self.node):
            if select.value not in select.options.values():
                select.value = next(iter(select.options.values()), None)
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
        self._write_listing()

    def _listen(self, _stack: Stack) -> None:
        """A control moved: the listing's numbers (only while the card is open)."""
        if self.card.collapsed:
            self._stale = True
        else:
            self._write_listing()

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
            lines.append(f"<div class='structure-layer'>{html.escape(text)}</div>")
            lines.append(node(index + 1))
        lines.append(end("right", stack.right))
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
        material = self._palette[self.material.value]
        magnetization = self._direction(self.theta, self.phi, "new layer's m") \
            if isinstance(material, Ferromagnet) else None
        thickness = self._number(self.thickness, "new layer's d")
        position = int(self.position.value)
        try:
            layer = self.units.layer(material, thickness, magnetization)
        except StackError as error:
            raise error.within(f"layers[{position}]") from None  # where it would have been
        return edit.insert_layer(stack, position, layer)

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
            material = self._palette[self.end_material.value]
            magnetization = self._direction(self.end_theta, self.end_phi, f"{side} lead's m") \
                if isinstance(material, Ferromagnet) else None
            end = self.units.lead(material, magnetization)
        return edit.set_end(stack, side, end)

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

    def open_file(self, name: str, data: bytes | str) -> bool:
        """Open a stack file's contents as the page's file (the menu's first entry; reset comes back to it;
        a new history); False, with the page's error message, when it does not load or cannot be solved."""
        try:
            stack = read_stack_text(name, data)
            # X1: the link carries the stack as dumps_stack writes it (no comments: a commented 1.6 MB file's
            # raw text was over the link's limit), which reads back to the same stack, number for number
            text = dumps_stack(stack)
            shown = Path(name).name or "stack.toml"
            self._display(stack, f"file: {shown}")
        except SpinstackError as error:
            self.report(str(error))
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
