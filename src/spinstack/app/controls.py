"""The explorer's controls, generated from a stack: one widget per parameter path.

* every F layer (and F lead): polar angle theta and azimuth phi of m, degrees (a text box
  with a slider beside it, :class:`AngleBox`), applied together as
  ``layers[i].magnetization = {theta, phi}``;
* every layer: ``layers[i].thickness``;
* every material: ``materials.NAME.D``, ``.p`` (ferromagnets) and ``.l``;
* the sign of the current (``current`` = +-|j0|).

Numbers are typed in plain text boxes without bounds, so that an invalid value (thickness 0,
p = 1) reaches the model and comes back as its one-line message instead of being
clipped silently.  The text reaches the server as typed (:func:`parse_number`): a
browser's number box (Bokeh's Spinner) drops characters it does not know while they are
typed, so ``1,5`` became ``15`` and ``inf`` could not be typed.  Here a comma is refused
with a hint (``1,5`` is 1.5 in much of Europe but 1,500 is a thousand and five hundred in
English: no guess is safe), ``inf``/``infinity``/``∞`` is infinity (the model accepts it
where it may be: l), and an emptied box stays empty and is reported.  An SI stack's boxes
hold readable units (:mod:`spinstack.app.display`: nm, S/m for e^2 D, A/m^2), converted
back to the model's SI base numbers when applied.

Every control has an accessible name (the label shown next to it; see
:data:`ACCESSIBLE_NAMES`) and a help tooltip saying what the quantity is, with a link to the
section of the docs defining it (served by the explorer itself: :mod:`spinstack.app.docs`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import panel as pn
import param

from ..errors import StackError
from ..model import Ferromagnet, Insulator, Lead, Stack
from ..model.paths import parameter_value
from ..units import REPORTS
from .display import Display
from .docs import html_link
from .views import sub

Applied = list[tuple[str, Any]]


@dataclass
class Control:
    """A widget (or a theta/phi pair) and how its value maps onto a parameter path."""

    path: str
    widgets: tuple[Any, ...]
    initial: Any
    read: Callable[[], Any]
    #: the path each widget sets (None: every widget sets ``path``): a theta/phi pair's ``path.theta``, ``path.phi``
    paths: tuple[str, ...] | None = None
    #: what the page shows of it when that is not the widgets themselves (an angle's slider and box)
    rows: list[Any] | None = None

    def widget_paths(self) -> tuple[str, ...]:
        return self.paths if self.paths is not None else (self.path,) * len(self.widgets)

    def changed(self) -> bool:
        return not _same(self.read(), self.initial)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and all(_same(a[k], b.get(k)) for k in a)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return bool(np.all(np.asarray(a, dtype=float) == np.asarray(b, dtype=float)))


def _same_value(a: Any, b: Any) -> bool:
    """Whether two widget values are equal (NaN equals NaN: an emptied box stays as it is)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


#: a decimal number as typed: digits with at most one point, an optional exponent (no comma, no "_")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: what a box reads as infinity (lower case, without a sign)
INFINITY_WORDS = ("inf", "infinity", "\u221e")


def parse_number(text: str) -> float:
    """The number typed in a box, or ValueError with a reason that completes ``"<label>: <reason>"``.

    Decimal numbers with a point (``1.5``, ``-2e-3``, a typographic minus too); ``inf``,
    ``infinity`` or ``\u221e`` (either sign; the model says where infinity is allowed).  Refused:
    an empty box, a comma (``1,5``: "use a point: 1.5"; a comma is a decimal mark in some
    languages and a thousands separator in others, so it is never guessed), anything else
    (``nan``, ``1_000``, words).
    """
    stripped = text.strip().replace("\u2212", "-")
    if not stripped:
        raise ValueError("empty: type a number")
    sign, body = (stripped[0], stripped[1:]) if stripped[0] in "+-" else ("", stripped)
    if body.lower() in INFINITY_WORDS:
        return -math.inf if sign == "-" else math.inf
    if "," in stripped:
        pointed = stripped.replace(",", ".")
        hint = f"use a point: {pointed}" if stripped.count(",") == 1 and _DECIMAL.fullmatch(pointed) else \
            "use a point as the decimal mark and no thousands separator"
        raise ValueError(f"{stripped!r} has a comma: {hint}")
    if not _DECIMAL.fullmatch(stripped):
        raise ValueError(f"not a number: {stripped!r}")
    return float(stripped)


def number_text(value: float) -> str:
    """How a box shows a number: 12 significant digits (no ``2.500000000000001``), ``inf`` for infinity."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.12g}"


class NumberBox(pn.widgets.TextInput):
    """A text box holding a number: the text is sent as typed and parsed on the server (:func:`parse_number`).

    ``value`` is the text; from Python it may also be set to a number (shown by :func:`number_text`).
    """

    value = param.Parameter(default="", doc="The text in the box (a number set from Python is shown as text).")

    def _process_param_change(self, params: dict[str, Any]) -> dict[str, Any]:
        if "value" in params and not isinstance(params["value"], str):
            params["value"] = number_text(float(params["value"]))
        return super()._process_param_change(params)

    def number(self) -> float:
        """The box's number; ValueError with the reason when it holds none."""
        if isinstance(self.value, str):
            return parse_number(self.value)
        return float(self.value)


class AngleBox(pn.widgets.TextInput):
    """A text box holding an angle in degrees, parsed on the server like a number box (:func:`parse_number`).

    ``value`` is always a finite number (the last angle the box held: a typed ``1,5``, an
    emptied box or ``inf`` leave it as it was, never NaN); ``text`` is the text as typed, and
    :meth:`number` says what is wrong with it.  Set from Python, ``value`` is shown with
    :func:`number_text` (no ``2.500000000000001``).  It replaces Bokeh's Spinner, which turned
    a typed comma into nothing (``30,5`` was 305) and whose arrows gave binary noise.
    """

    value = param.Number(default=0.0, doc="The angle (degrees): the last finite number the box held.")
    text = param.String(default="", doc="The text in the box as typed (parsed by parse_number).")

    _rename = {**pn.widgets.TextInput._rename, "text": None}

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.text = number_text(self.value)
        # a number set from Python (a slider, undo, a link) is what the box now says
        self.param.watch(self._set_from_python, "value")

    def _set_from_python(self, event: Any) -> None:
        try:
            same = parse_number(self.text) == event.new
        except ValueError:
            same = False
        if not same:
            self.text = number_text(event.new)

    def _reading(self, text: str) -> dict[str, Any]:
        """The parameters a typed ``text`` sets: ``text``, and ``value`` when it is a finite number."""
        update: dict[str, Any] = {"text": text}
        try:
            number = parse_number(text)
        except ValueError:
            return update
        if math.isfinite(number):
            update["value"] = number
        return update

    def _process_param_change(self, params: dict[str, Any]) -> dict[str, Any]:
        if "value" in params and not isinstance(params["value"], str):
            params["value"] = number_text(float(params["value"]))
        return super()._process_param_change(params)

    def _process_property_change(self, msg: dict[str, Any]) -> dict[str, Any]:
        msg = super()._process_property_change(msg)
        if "value" in msg:
            msg.update(self._reading(str(msg.pop("value") or "")))
        return msg

    def _process_event(self, event: Any) -> None:
        if event.event_name == "enter-pressed":  # Panel's own handler sets value to the raw text
            self.param.update(value_input=event.value_input, **self._reading(event.value_input or ""))
            self.enter_pressed = True
            return
        super()._process_event(event)

    def settled(self) -> bool:
        """Whether the text says the box's angle (False: it holds a bad text, ``abc`` or ``1,5``, or another
        number than :attr:`value`)."""
        try:
            return parse_number(self.text) == self.value
        except ValueError:
            return False

    def number(self) -> float:
        """The box's angle; ValueError with the reason when the text is no finite number."""
        number = parse_number(self.text)
        if not math.isfinite(number):
            raise ValueError(f"an angle must be a finite number of degrees, got {self.text.strip()!r}")
        return number


#: the red border (and light red fill) of a box holding a bad value; the class is set by Controls.mark
INVALID_CSS = """
:host(.ctl-invalid) input, :host(.ctl-invalid) .noUi-target { border: 2px solid #c0392b; background: #fdecea; }
"""


def _number(value: float, path: str, label: str, width: int = 120, help_text: str = "",
            accessible: str = "", reuse: NumberBox | None = None) -> NumberBox:
    """A number box for ``path`` showing ``value``; ``accessible``: its full name (the label when empty).
    ``reuse``: a box already on the page to show it (its differing settings set) instead of a new one."""
    settings = dict(label=label, value=number_text(value), width=width, description=help_text or None,
                    tags=[ARIA_TAG + (accessible or label)], css_classes=["ctl", "ctl-" + _css_name(path)])
    if reuse is None:
        return NumberBox(**settings, stylesheets=[INVALID_CSS])
    _set(reuse, visible=True, **settings)
    return reuse


#: settings compared with == alone (no numpy: a switch compares ~4000 of them, a numpy comparison each cost ~4 us)
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


def _same_setting(first: Any, second: Any) -> bool:
    if type(first) is not type(second):
        return False
    if isinstance(first, _PLAIN):
        try:
            return bool(first == second)
        except Exception:  # a list holding arrays: compared below
            pass
    try:
        return bool(np.all(first == second))
    except Exception:  # values that do not compare: set anew
        return False


def _set(item: Any, **settings: Any) -> None:
    """Give a widget or pane already on the page ``settings``: only those that differ, in one update (one
    message to the browser per changed property, nothing for the others)."""
    changed = {key: value for key, value in settings.items() if not _same_setting(getattr(item, key), value)}
    if changed:
        item.param.update(**changed)


def _shape(item: Any) -> tuple[Any, ...]:
    """What a control panel's item is built of: its kind and, for a row, its parts' shapes (an angle's row is a
    slider and a box; a material's row, a box per quantity)."""
    objects = getattr(item, "objects", None)
    return type(item), tuple(_shape(child) for child in objects) if isinstance(objects, list) else ()


class _Parts:
    """Where a :class:`Controls` gets its panel's items: from a panel on the page (``panel``, the panel of
    earlier controls, detached from them) whenever it has a free item of the shape needed (:func:`_shape`),
    else new.

    Items are asked for in the order the new panel shows them, and each is looked for first after the page
    item taken last: the page's items then keep their order (free ones skipped are hidden where they are) and
    the panel's children are not sent again, which makes Panel walk every model of the page (~50 ms).  A
    switch to another stack thus changes a few properties of widgets the browser already has (a label, a
    value, a range) instead of building every widget anew: a Panel widget costs ~1 ms to make on the server
    and its view (shadow root, style sheets) more in the browser, ~60 widgets a page.
    """

    def __init__(self, panel: Any | None) -> None:
        self.panel = panel
        self.page: list[Any] = list(panel.objects) if panel is not None else []
        self.shapes = [_shape(item) for item in self.page]
        self.free = [True] * len(self.page)
        self.position = 0  # the page's items before it are taken or skipped

    def take(self, shape: tuple[Any, ...]) -> Any | None:
        """A free page item of ``shape`` (no longer free): the first after the last taken, else any, else None."""
        order = [*range(self.position, len(self.page)), *range(self.position)]
        index = next((i for i in order if self.free[i] and self.shapes[i] == shape), None)
        if index is None:
            return None
        self.free[index] = False
        self.position = max(self.position, index + 1)
        return self.page[index]

    def html(self, text: str, margin: tuple[int, ...]) -> Any:
        """An HTML pane showing ``text`` (a heading, a material's name)."""
        pane = self.take((pn.pane.HTML, ()))
        if pane is None:
            return pn.pane.HTML(text, margin=margin)
        _set(pane, object=text, margin=margin, visible=True)
        return pane

    def heading(self, title: str) -> Any:
        """A section's heading (``title``: HTML)."""
        return self.html(f"<b>{title}</b>", (8, 5, 0, 5))

    def column(self, items: list[Any]) -> Any:
        """The panel showing ``items``: a new column, or the page's with its free items hidden (each where it was,
        for a later stack)."""
        if self.panel is None:
            # X3: as tall as its content (no inner scrolling: boxes below a fixed edge were hidden)
            return pn.Column(*items, width=290, css_classes=["controls"])
        where = {id(item): index for index, item in enumerate(self.page)}
        left = [index for index in range(len(self.page)) if self.free[index]]
        objects: list[Any] = []
        for item in items:
            index = where.get(id(item))
            while index is not None and left and left[0] < index:  # free items before it stay before it
                objects.append(self.page[left.pop(0)])
            objects.append(item)
        objects += [self.page[index] for index in left]
        for index, free in enumerate(self.free):
            if free:
                _hide(self.page[index])
        if len(objects) != len(self.page) or any(a is not b for a, b in zip(objects, self.page)):
            self.panel.objects = objects
        return self.panel


def _hide(item: Any) -> None:
    """Hide a control panel's item no control needs now (kept for a later stack): no ``ctl-<path>`` class names
    a control it no longer shows."""
    if item.visible:
        item.visible = False
    for part in item.select():
        classes = [word for word in (getattr(part, "css_classes", None) or ()) if not word.startswith("ctl-")]
        if classes != list(getattr(part, "css_classes", None) or ()):
            part.css_classes = classes


def _parse(widget: Any, path: str) -> Any:
    """A number box's number, or StackError(path, reason)."""
    if isinstance(widget, (NumberBox, AngleBox)):
        try:
            return widget.number()
        except ValueError as error:
            raise StackError(path, str(error)) from None
    return widget.value


#: the characters a CSS class word keeps as they are (the underscore is the escape: see _css_word)
_CSS_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def _css_word(text: str) -> str:
    """``text`` (a material's name: any characters) as part of a CSS class: letters, digits and ``-`` as they are,
    ``_`` as ``__``, any other character as ``_<hex code>_`` (``Cu spacer`` -> ``Cu_20_spacer``).

    Why: the browser refuses a class holding a space (``DOMTokenList.add`` throws
    ``InvalidCharacterError``, and Bokeh then renders nothing: a blank page), and an escape keeps two
    different names two different classes (``Cu spacer`` and ``Cu_spacer`` -> ``Cu__spacer``).
    """
    return "".join(c if c in _CSS_KEPT else "__" if c == "_" else f"_{ord(c):x}_" for c in text)


def _css_name(path: str) -> str:
    """``layers[2].magnetization.theta`` -> ``layers-2-magnetization-theta``, ``materials.N.D`` ->
    ``materials-N-D`` (a CSS class; a material's name escaped by :func:`_css_word`: ``materials.Cu spacer.D``
    -> ``materials-Cu_20_spacer-D``)."""
    if path.startswith("materials.") and path.count(".") >= 2:  # the key (D, p, l, theta_SH) is an identifier
        name, key = path[len("materials."):].rsplit(".", 1)
        return f"materials-{_css_word(name)}-{key}"
    return path.replace("[", "-").replace("]", "").replace(".", "-")


def _angle(label: str, value: float, start: float, end: float, step: float, css: str,
           reuse: Any | None = None) -> tuple[AngleBox, Any]:
    """An angle's box (degrees, any number, also beyond the slider's ends) and its slider beside it, kept in step
    on the server: the slider moves the box, the box moves the slider (to its end when beyond it).

    Returns ``(box, row)``: the box is the control's widget, the row (class ``ctl ctl-<css>``) what the page shows.
    ``reuse``: such a row already on the page (its slider and box stay in step) to show this angle instead.
    """
    value = round(value, 10) + 0.0  # no -0, no 1e-15 noise of a unit conversion
    if reuse is not None:
        slider, box = reuse.objects
        _set(slider, label=label, start=start, end=end, step=step, value=min(max(value, start), end),
             tags=[ARIA_TAG + label])
        if not _same_value(box.value, value):
            box.value = value  # (its text follows: AngleBox._set_from_python)
        elif not box.settled():  # a bad text typed for the earlier stack: the text of this value instead
            box.text = number_text(value)
            box.param.trigger("value")
        _set(box, tags=[ARIA_TAG + label], css_classes=["angle-box"])
        _set(reuse, visible=True, css_classes=["ctl", "ctl-" + css])
        return box, reuse
    box = AngleBox(value=value, width=72, margin=(18, 5, 5, 0), tags=[ARIA_TAG + label], stylesheets=[INVALID_CSS],
                   css_classes=["angle-box"])
    slider = pn.widgets.FloatSlider(label=label, start=start, end=end, step=step, value=min(max(value, start), end),
                                    show_value=False, width=190, margin=(5, 8, 5, 5), tags=[ARIA_TAG + label],
                                    css_classes=["angle-slider"])
    syncing = [False]

    def from_slider(event: Any) -> None:
        if not syncing[0]:
            box.value = round(event.new, 10) + 0.0  # the box's watchers apply it (one change)

    def from_box(event: Any) -> None:
        syncing[0] = True
        try:
            # the slider's ends as they are now: the page may give this row to another angle (Controls(panel=...))
            slider.value = min(max(event.new, slider.start), slider.end)
        finally:
            syncing[0] = False

    slider.param.watch(from_slider, "value")
    box.param.watch(from_box, "value")
    _respond_at_once(slider)
    row = pn.Row(slider, box, margin=0, css_classes=["ctl", "ctl-" + css])
    return box, row


#: an angle's row on the page: its slider and its box (_angle)
_ANGLE_ROW = (pn.Row, ((pn.widgets.FloatSlider, ()), (AngleBox, ())))


def _angles(stack: Stack, owner: str, title: str, parts: _Parts | None = None) -> Control:
    """The control of a magnetization's direction: theta and phi boxes, each with its slider (its ``rows``)."""
    path = f"{owner}.magnetization"
    theta = float(parameter_value(stack, path + ".theta"))
    phi = float(parameter_value(stack, path + ".phi"))
    css = _css_name(path)
    theta_label, phi_label = f"\u03b8 of {title} (deg)", f"\u03c6 of {title} (deg)"
    parts = parts or _Parts(None)
    theta_box, theta_row = _angle(theta_label, theta, 0.0, 180.0, 0.5, f"{css}-theta", parts.take(_ANGLE_ROW))
    phi_box, phi_row = _angle(phi_label, phi, -180.0, 180.0, 1.0, f"{css}-phi", parts.take(_ANGLE_ROW))

    def read() -> Any:
        return {"theta": _parse(theta_box, path + ".theta"), "phi": _parse(phi_box, path + ".phi")}

    return Control(path, (theta_box, phi_box), {"theta": theta_box.value, "phi": phi_box.value}, read,
                   paths=(path + ".theta", path + ".phi"), rows=[theta_row, phi_row])


def _field_direction(stack: Stack, si: bool = False, parts: _Parts | None = None) -> Control:
    """The in-plane field's direction in the y-z plane (degrees from +y towards +z), its magnitude kept.

    A reduced stack shows the direction of its field eps = eE (MODEL.md 8a); an SI stack that of E (and of
    the current J = sigma E), the direction its file gives: eps = eE points the other way (e < 0).
    """
    field = np.asarray(stack.field, dtype=float)
    magnitude = float(np.hypot(field[1], field[2]))
    sign = float(np.sign(REPORTS["field"].to_unit)) if si else 1.0  # E = eps / e: -1 (e < 0)
    angle = float(np.rad2deg(np.arctan2(sign * field[2], sign * field[1])))
    name = "E (and J)" if si else "\u03b5 = eE"
    label = f"direction of {name} in the y-z plane (deg from +y)"
    widget, row = _angle(label, angle, -180.0, 180.0, 1.0, "field", (parts or _Parts(None)).take(_ANGLE_ROW))

    def read() -> Any:
        radians = np.deg2rad(_parse(widget, "field"))
        direction = np.array([0.0, np.cos(radians), np.sin(radians)])
        direction[np.abs(direction) < 1e-15] = 0.0  # exact zeros at multiples of 90 degrees (cos 90 deg is 6e-17)
        return sign * magnitude * direction + 0.0  # + 0.0: no -0 components

    return Control("field", (widget,), read(), read, rows=[row])


def _docs(page: str, heading: str, text: str) -> str:
    """"Docs: " and a link (HTML in the tooltip's Markdown: it opens a new tab, the explorer stays) to the section
    of the explorer's own docs pages (:mod:`spinstack.app.docs`)."""
    return "Docs: " + html_link(page, heading, text)


#: help tooltips of the controls, by kind: what the quantity is, its allowed values, and a link to the section of
#: the docs defining it (served by the explorer at /docs/<page>, see spinstack.app.docs)
HELP = {
    "theta": ("**\u03b8**: polar angle of the magnetization m from +z (z lies in the film plane), degrees. The box "
              "takes any angle, also beyond the slider's ends. " + _docs("readme", "Conventions", "README, Conventions")),
    "phi": ("**\u03c6**: azimuth of m from +x (the stack axis, the film normal) towards +y, degrees. "
            + _docs("readme", "Conventions", "README, Conventions")),
    "thickness": ("**d**: thickness of the layer, > 0. "
                  + _docs("stack-format", "Reduced units", "docs/STACK_FORMAT.md, reduced units")),
    # X3: an SI page's thickness (nm) links to the SI section (it opened "Reduced units (the seed's)")
    "thickness_si": ("**d**: thickness of the layer in nm, > 0. "
                     + _docs("stack-format", "SI units", "docs/STACK_FORMAT.md, SI units")),
    "D": ("**D**: the material's conductance (reduced units: the seed's D, a conductance per length), > 0. "
          + _docs("model", "2.", "docs/MODEL.md \u00a72")),
    "D_si": ("**e\u00b2D = 1/\u03c1\\***: the conductivity, with \u03c1\\* = \u03c1/(1 \u2212 \u03b2\u00b2) for a "
             "ferromagnet (Valet-Fert), > 0. " + _docs("model", "7.", "docs/MODEL.md \u00a77, units")),
    "p": ("**p** (\u03b2): bulk spin asymmetry of the ferromagnet's conductivity, \u22121 < p < 1. "
          + _docs("model", "2.", "docs/MODEL.md \u00a72")),
    "l": ("**l** (l_sf): spin diffusion length, > 0; type `inf` (or \u221e) for no spin flip. "
          + _docs("model", "2.", "docs/MODEL.md \u00a72")),
    "theta_SH": ("**\u03b8_SH**: spin Hall angle of the normal metal (either sign). "
                 + _docs("model", "8b.", "docs/MODEL.md \u00a78b")),
    "field": ("**\u03b5 = eE**: direction of the in-plane field in the y-z plane, degrees from +y towards +z; "
              "\u03c3\u0302 = x\u0302 \u00d7 \u03b5\u0302. " + _docs("model", "8a.", "docs/MODEL.md \u00a78a")),
    "field_si": ("**E** (and J = \u03c3E): direction of the in-plane electric field as the file gives it, degrees "
                 "from +y towards +z; \u03c3\u0302 = \u00ca \u00d7 x\u0302 (\u03b5 = eE points the other way, "
                 "e < 0). " + _docs("model", "8a.", "docs/MODEL.md \u00a78a")),
    "current": ("j\u2080: the charge current as a particle (electron) flux along +x, reduced units (the seed's "
                "convention). " + _docs("model", "1.", "docs/MODEL.md \u00a71")),
    "current_si": ("J: charge current density, conventional (the file's sign): J > 0 flows along +x, from F1 to F2, "
                   "carried by electrons flowing the other way; j\u2080 = J/e, e < 0. "
                   + _docs("model", "7.", "docs/MODEL.md \u00a77, units")),
}

#: a control's tag carrying its accessible name (read by :data:`ACCESSIBLE_NAMES` in the page)
ARIA_TAG = "aria:"

#: Run once in the page (``spinstack.app.server``): gives every control an accessible name, the label shown
#: next to it (Bokeh labels only a plain text box with a title): the text box and the slider's handle, from the
#: control's ``aria:`` tag; marks a box holding a bad value ``aria-invalid`` (the class ``ctl-invalid``, see
#: :meth:`Controls.mark`).  Walked again every 300 ms: a
#: preset switch makes new views, a mark comes and goes (~100 views, microseconds).
ACCESSIBLE_NAMES = """
if (!window.__spinstackNames) {
  window.__spinstackNames = true;
  const name = (view) => {
    for (const tag of view.model.tags ?? []) {
      if (typeof tag === "string" && tag.startsWith("aria:")) return tag.slice(5);
    }
    return null;
  };
  const set = (el, key, value) => { if (el != null && el.getAttribute(key) !== value) el.setAttribute(key, value); };
  const label = (view, text, invalid) => {
    if (view.input_el != null) {
      set(view.input_el, "aria-label", text);
      set(view.input_el, "aria-invalid", invalid ? "true" : "false");
    }
    if (view.slider_el != null) {
      for (const handle of view.slider_el.querySelectorAll(".noUi-handle")) set(handle, "aria-label", text);
    }
    if (view.model.labels != null && view.shadow_el != null) {  // a button group: "current: +"
      for (const button of view.shadow_el.querySelectorAll("button")) {
        set(button, "aria-label", text + ": " + button.textContent.trim());
      }
    }
    for (const child of view.child_views ?? []) label(child, text, invalid);
  };
  const walk = (view, seen) => {
    if (view == null || seen.has(view)) return;
    seen.add(view);
    const text = view.model != null ? name(view) : null;
    if (text != null) {
      label(view, text, (view.model.css_classes ?? []).includes("ctl-invalid"));
      return;
    }
    for (const child of view.child_views ?? []) walk(child, seen);
  };
  const run = () => { const seen = new Set(); for (const view of Object.values(Bokeh.index)) walk(view, seen); };
  setInterval(run, 300);
  run();
}
"""


def _aria_name(widget: Any) -> str:
    """A control widget's accessible name (its ``aria:`` tag)."""
    return next(tag[len(ARIA_TAG):] for tag in widget.tags if tag.startswith(ARIA_TAG))


#: an HTML link's address, and any tag
_HREF, _TAG = re.compile(r'href="([^"]*)"'), re.compile(r"<[^>]*>")


def _titled(heading: str, help_text: str) -> str:
    """A section heading (HTML) whose tooltip is ``help_text`` (as plain text) and a "?" mark linking to the docs
    section ``help_text`` links to (opened in a new tab)."""
    plain = html.unescape(_TAG.sub("", help_text)).replace("**", "").replace("*", "").replace("`", "").replace("\\", "")
    target = _HREF.search(help_text)
    mark = '<sup style="color:#0072b5">?</sup>'
    if target is not None:
        mark = (f'<a class="doc-link" href="{target.group(1)}" target="_blank" rel="noopener" '
                f'title="{html.escape(plain)} (click: open the docs)" style="text-decoration: none">{mark}</a>')
    return f'<span title="{html.escape(plain)}" style="cursor: help">{html.escape(heading)} {mark}</span>'


def _respond_at_once(widget: Any) -> None:
    """Process this widget's browser events at once instead of after Panel's 50 ms debounce.

    Panel coalesces a widget's events for ``Syncable._debounce`` ms before handling them and
    has no public setting for it; the explorer's budget is 200 ms from a control change to
    the redrawn page, so its widgets (and the parts of composite widgets) skip the wait.
    """
    parts = [widget, getattr(widget, "_slider", None), getattr(widget, "_value_edit", None)]
    for part in parts:
        if part is not None and hasattr(part, "_debounce"):
            part._debounce = 0


class Controls:
    """All controls of a stack and the panel laying them out.

    Parameters
    ----------
    stack
        A single-configuration stack; its values are the controls' start values.
    on_change
        Called with no arguments after any control changed.
    display
        The units the page shows (an SI stack's nm, S/m, A/m^2); None: the model's.
    panel
        A control panel on the page (the :attr:`panel` of earlier controls, :meth:`detach` ed from it first):
        its items show these controls (their labels, ranges, values and classes set: only what differs
        reaches the browser), items of a shape it lacks are added, its items no control needs are hidden
        (kept for a later stack, their ``ctl-<path>`` classes removed), and it is :attr:`panel`.  None: a
        new panel.
    """

    def __init__(self, stack: Stack, on_change: Callable[[], None], display: Display | None = None,
                 panel: Any | None = None) -> None:
        self.stack = stack
        self.display = display
        self.controls: list[Control] = []
        parts = self._parts = _Parts(panel)
        #: the name of every control's path as the page shows it (messages, accessible names)
        self.labels: dict[str, str] = {}
        # the panel's items are made (or taken from the page's panel) in the order they are shown: a page item
        # is taken again where it is whenever the new stack's panel has the same kind of item there (_Parts)
        items: list[Any] = []
        late: list[Control] = []  # the field's and the current's controls: after the others (the URL's order)

        if stack.has_field and np.any(stack.field):
            # sigma_hat = xhat x eps_hat = E_hat x xhat (MODEL.md 8a): said with the vector the control turns
            rule = ("E\u0302 \u00d7 x\u0302" if self._si else "x\u0302 \u00d7 \u03b5\u0302")
            items.append(parts.heading(_titled(f"in-plane field (\u03c3\u0302 = {rule})",
                                               HELP["field_si" if self._si else "field"])))
            self.field = _field_direction(stack, self._si, parts)
            late.append(self.field)
            self.labels["field"] = "direction of the in-plane field"
            items += self.field.rows

        if not stack.has_boundary_ends:  # no charge current crosses an open or insulator end: no current control
            magnitude = float(np.abs(stack.current))
            # the sign as the user's convention has it: an SI page shows J (conventional current, J = e j0 with
            # e < 0, MODEL.md 7), so its "+" is j0 < 0; a reduced page shows j0 (electrons along +x)
            shown_sign = float(np.sign(REPORTS["current"].to_unit)) if self._si else 1.0
            sign = "\u2212" if shown_sign * float(stack.current) < 0 else "+"
            name = "J" if self._si else "j\u2080"
            if self._si:
                title = (f"current J = \u00b1{abs(self.display.parameter('current')(magnitude)):g} A/m\u00b2 "
                         "(+: conventional current along +x, electrons flow F2 \u2192 F1)")
                help_text = HELP["current_si"]
            else:
                title = f"current j\u2080 = \u00b1{magnitude:g} (+: electrons flow along +x, F1 \u2192 F2)"
                help_text = HELP["current"]
            items.append(parts.heading(_titled(title, help_text)))
            self.current = parts.take((pn.widgets.RadioButtonGroup, ()))
            if self.current is None:
                self.current = pn.widgets.RadioButtonGroup(options=["+", "\u2212"], value=sign,
                                                           color="primary", variant="outline",
                                                           tags=[ARIA_TAG + name],
                                                           css_classes=["ctl", "ctl-current"], width=120)
            else:
                _set(self.current, value=sign, tags=[ARIA_TAG + name], css_classes=["ctl", "ctl-current"],
                     visible=True)
            current = self.current
            late.append(Control("current", (current,), float(stack.current),
                                lambda: (-1.0 if current.value == "\u2212" else 1.0) * shown_sign * magnitude))
            self.labels["current"] = f"the sign of {name}"
            items.append(current)

        names = {index: "F" + sub(count) for count, index in enumerate(stack.ferromagnet_indices, start=1)}
        magnetized = [side for side in ("left", "right") if isinstance(getattr(stack, side), (Lead, Insulator))
                      and getattr(stack, side).magnetization is not None]
        if magnetized or stack.ferromagnet_indices:
            items.append(parts.heading(_titled("magnetizations", HELP["theta"] + " " + HELP["phi"])))
        # in the stack's order: the left end's, the layers', the right end's (the page's rows of F1, F2 then show
        # them again when the right end becomes a lead or a reservoir: no row changes its label and value)
        def end(side: str) -> tuple[str, str, str]:
            kind = "insulator" if isinstance(getattr(stack, side), Insulator) else "lead"
            return side, f"the {side} {kind}", f"direction of the {side} {kind}"

        owners = [end("left")] if "left" in magnetized else []
        owners += [(f"layers[{index}]", f"{names[index]} (layer {index})", f"direction of {names[index]} (layer {index})")
                   for index in stack.ferromagnet_indices]
        owners += [end("right")] if "right" in magnetized else []
        for owner, title, name in owners:
            self.controls.append(_angles(stack, owner, title, parts))
            self.labels[self.controls[-1].path] = name
            items += self.controls[-1].rows
        for control in self.controls:  # each angle box's own name (its messages)
            for widget, path in zip(control.widgets, control.widget_paths()):
                self.labels[path] = _aria_name(widget)

        if stack.layers:
            items.append(parts.heading("thicknesses"))
        for index, layer in enumerate(stack.layers):
            path = f"layers[{index}].thickness"
            items.append(self._number(float(layer.thickness), path, f"d of layer {index} ({layer.material.name})",
                                      HELP["thickness_si" if self._si else "thickness"],
                                      reuse=parts.take((NumberBox, ()))))

        if stack.materials:
            items.append(parts.heading("materials: e\u00b2D = 1/\u03c1*, p, l" if self._si
                                       else "materials: D, p, l"))
        for name, material in stack.materials.items():
            keys = ("D", "p", "l") if isinstance(material, Ferromagnet) else ("D", "l")
            if stack.has_field and not isinstance(material, Ferromagnet):
                keys += ("theta_SH",)
            if self._si or stack.has_field:  # long labels: the material's name heads its row instead
                items.append(parts.html(f"<i>{html.escape(name)}</i>", (4, 5, -6, 5)))
            widgets = []
            row = parts.take((pn.Row, ((NumberBox, ()),) * len(keys)))
            boxes = list(row.objects) if row is not None else [None] * len(keys)
            for key, box in zip(keys, boxes):
                path = f"materials.{name}.{key}"
                shown = "\u03b8_SH" if key == "theta_SH" else key
                if self._si or stack.has_field:
                    label = "e\u00b2D" if key == "D" and self._si else shown
                else:
                    label = f"{shown} of {name}"
                full = f"{label if self._si else shown} of {name}"
                help_text = HELP["D_si" if key == "D" and self._si else key]
                widgets.append(self._number(float(getattr(material, key)), path, label, width=78,
                                            help_text=help_text, full=full, reuse=box))
            if row is None:
                row = pn.Row(*widgets, margin=0)
            else:
                _set(row, visible=True)
            items.append(row)
        self.controls += late

        self._watch(on_change)
        self.panel = parts.column(items)

    def _watch(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._assigning = False  # set while assign() sets several widgets: one on_change for all of them
        self._watchers: list[tuple[Any, Any]] = []
        for control in self.controls:
            for widget in control.widgets:
                # an angle box's text changes with its every value, and alone when it holds no angle (reported)
                watched = "text" if isinstance(widget, AngleBox) else "value"
                self._watchers.append((widget, widget.param.watch(
                    lambda _event: None if self._assigning else on_change(), watched)))
                _respond_at_once(widget)

    def detach(self) -> None:
        """Call ``on_change`` no more for any of its widgets: the page's widgets now show other controls
        (new :class:`Controls` made with ``panel=``), which report their changes; the widgets keep nothing of these
        controls alive."""
        for widget, watcher in self._watchers:
            widget.param.unwatch(watcher)
        self._watchers = []

    @property
    def _si(self) -> bool:
        return self.display is not None and self.display.si

    def _number(self, value: float, path: str, label: str, help_text: str, width: int = 120,
                full: str = "", reuse: NumberBox | None = None) -> Any:
        """A number box for ``path`` showing ``value`` in the display's unit; its reading is in model units.
        ``full``: its name on its own (messages, accessible name), when ``label`` needs the row's heading."""
        factor = self.display.parameter(path).factor if self._si else 1.0
        unit = self.display.parameter_unit(path) if self._si else ""
        # 12 digits (number_text): the unit change must not show 12.499999999999998 for 12.5
        shown = value * factor if factor != 1.0 else value
        self.labels[path] = (full or label) + unit
        widget = _number(shown, path, label + unit, width=width, help_text=help_text, accessible=self.labels[path],
                         reuse=reuse)

        def read() -> Any:
            return _parse(widget, path) / factor

        self.controls.append(Control(path, (widget,), read(), read))
        return widget

    def assign(self, values: dict[Any, Any]) -> None:
        """Set several widgets (``{widget: value}``) and then call ``on_change`` once (undo, reset, a URL's state).

        Only the widgets whose value differs are set, and an angle box holding a bad text (``abc``: its
        value is still its last angle, :meth:`AngleBox.settled`) gets the text of its value back: after
        it every widget shows its value.  Nothing is called when no widget changed.
        """
        moved = {widget: value for widget, value in values.items() if not _same_value(widget.value, value)
                 or (isinstance(widget, AngleBox) and not widget.settled())}
        if not moved:
            return
        self._assigning = True
        try:
            for widget, value in moved.items():
                if isinstance(widget, AngleBox) and _same_value(widget.value, value):
                    widget.text = number_text(value)  # the same angle: only the bad text goes
                else:
                    widget.value = value
        finally:
            self._assigning = False
        self._on_change()

    def problems(self, base: Stack) -> list[tuple[str, str]]:
        """(path, message) of every moved control whose value is bad on its own, in the panel's order.

        Each moved control is read and applied to ``base`` alone (:func:`with_parameter` validates),
        so every bad box is reported, not only the first; the message names the control by its label
        on the page (``"d of layer 1 (N): must be > 0, got 0"``) and, on an SI page, says the value as
        it was typed (the model's number is in SI base units).
        """
        from ..model.paths import with_parameter

        found = []
        for control in self.controls:
            try:
                if not control.changed():
                    continue
                with_parameter(base, control.path, control.read())
            except StackError as error:
                found.append((error.path if error.path in control.widget_paths() else control.path,
                              self.message(error, control)))
        return found

    def refuses(self, widget: Any) -> bool:
        """Whether ``widget`` holds a value refused on its own: a box holding no number (``1,5``, emptied) or a
        number the model refuses for its parameter (a thickness of 0), judged on :attr:`stack` as
        :meth:`problems` judges it.  An angle box never does (its value is always the last angle it held;
        a bad text leaves it), nor a widget of no control here."""
        from ..model.paths import with_parameter

        if isinstance(widget, AngleBox):
            return False
        control = next((c for c in self.controls if any(w is widget for w in c.widgets)), None)
        if control is None:
            return False
        try:
            with_parameter(self.stack, control.path, control.read())
        except StackError:
            return True
        return False

    def message(self, error: StackError, control: Control | None = None) -> str:
        """``error`` said with the control's label instead of its path (the path when no control has it)."""
        control = control or next((c for c in self.controls if error.path in c.widget_paths()), None)
        if control is None or error.path not in control.widget_paths():
            return str(error)
        reason = error.reason
        widget = control.widgets[control.widget_paths().index(error.path)]
        if isinstance(widget, NumberBox) and ", got " in reason:  # the value as the box shows it
            reason = reason[:reason.rindex(", got ")] + f", got {str(widget.value).strip() or 'nothing'}"
        return f"{self.labels.get(error.path, error.path)}: {reason}"

    def mark(self, paths: list[str] | tuple[str, ...]) -> None:
        """Mark the boxes of ``paths`` as holding a bad value (red border, ``aria-invalid``); unmark the others."""
        bad = set(paths)
        for control in self.controls:
            for widget, path in zip(control.widgets, control.widget_paths()):
                classes = [c for c in widget.css_classes if c != "ctl-invalid"]
                if path in bad or control.path in bad:
                    classes.append("ctl-invalid")
                if classes != list(widget.css_classes):
                    widget.css_classes = classes

    def changes(self) -> Applied:
        """(path, value) of every control moved away from the start stack, in the panel's order.

        Raises :class:`StackError` for a box that holds no number.
        """
        return [(control.path, control.read()) for control in self.controls if control.changed()]

    def widget(self, path: str) -> Any:
        """The (first) widget of the control at ``path``."""
        for control in self.controls:
            if control.path == path:
                return control.widgets[0]
        raise KeyError(path)


__all__ = ["AngleBox", "Control", "Controls", "NumberBox", "number_text", "parse_number"]
