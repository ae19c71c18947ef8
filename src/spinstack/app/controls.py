"""The explorer's controls, generated from a stack: one widget per parameter path.

* every F layer (and F lead): polar angle theta and azimuth phi of m, degrees (sliders
  with a text box), applied together as ``layers[i].magnetization = {theta, phi}``;
* every layer: ``layers[i].thickness``;
* every material: ``materials.NAME.D``, ``.p`` (ferromagnets) and ``.l``;
* the sign of the current (``current`` = +-|j0|).

Numbers are typed in plain boxes without bounds, so that an invalid value (thickness 0,
p = 1) reaches the model and comes back as its one-line message instead of being
clipped silently.  ``inf`` is accepted where the model accepts it (l).  An SI stack's
boxes hold readable units (:mod:`spinstack.app.display`: nm, S/m for e^2 D, A/m^2),
converted back to the model's SI base numbers when applied.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import panel as pn

from ..errors import StackError
from ..model import Ferromagnet, Insulator, Lead, Stack
from ..model.paths import parameter_value
from ..units import REPORTS
from .display import Display
from .views import sub

Applied = list[tuple[str, Any]]


@dataclass
class Control:
    """A widget (or a theta/phi pair) and how its value maps onto a parameter path."""

    path: str
    widgets: tuple[Any, ...]
    initial: Any
    read: Callable[[], Any]

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


def _step(value: float) -> float:
    """A spinner step of about a tenth of ``value``'s order of magnitude."""
    if not np.isfinite(value) or value == 0:
        return 0.1
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1)


def _number(value: float, path: str, label: str, width: int = 120) -> Any:
    """A numeric box; a text box for an infinite value (a spinner holds finite numbers only)."""
    css = ["ctl", "ctl-" + _css_name(path)]
    if not np.isfinite(value):
        return pn.widgets.TextInput(label=label, value=str(value), width=width, css_classes=css)
    return pn.widgets.FloatInput(label=label, value=float(value), step=_step(value), width=width, css_classes=css)


def _parse(widget: Any, path: str) -> Any:
    value = widget.value
    if value is None:
        raise StackError(path, "empty: type a number")
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise StackError(path, f"not a number: {value!r}") from None
    return value


def _css_name(path: str) -> str:
    """``layers[2].magnetization.theta`` -> ``layers-2-magnetization-theta`` (a CSS class)."""
    return path.replace("[", "-").replace("]", "").replace(".", "-")


def _angles(stack: Stack, owner: str, title: str) -> Control:
    path = f"{owner}.magnetization"
    theta = float(parameter_value(stack, path + ".theta"))
    phi = float(parameter_value(stack, path + ".phi"))
    css = _css_name(path)
    # the box of an editable slider may go past the slider's ends: theta beyond [0, 180] is still a direction
    theta_widget = pn.widgets.EditableFloatSlider(label=f"\u03b8 of {title} (deg)", start=0.0, end=180.0,
                                                  step=0.5, value=round(theta, 10), width=250,
                                                  css_classes=["ctl", f"ctl-{css}-theta"])
    phi_widget = pn.widgets.EditableFloatSlider(label=f"\u03c6 of {title} (deg)", start=-180.0, end=180.0, step=1.0,
                                                value=round(phi, 10), width=250, css_classes=["ctl", f"ctl-{css}-phi"])
    initial = {"theta": theta_widget.value, "phi": phi_widget.value}
    return Control(path, (theta_widget, phi_widget), initial,
                   lambda: {"theta": theta_widget.value, "phi": phi_widget.value})


def _field_direction(stack: Stack, si: bool = False) -> Control:
    """The in-plane field's direction in the y-z plane (degrees from +y towards +z), its magnitude kept.

    A reduced stack shows the direction of its field eps = eE (MODEL.md 8a); an SI stack that of E (and of
    the current J = sigma E), the direction its file gives: eps = eE points the other way (e < 0).
    """
    field = np.asarray(stack.field, dtype=float)
    magnitude = float(np.hypot(field[1], field[2]))
    sign = float(np.sign(REPORTS["field"].to_unit)) if si else 1.0  # E = eps / e: -1 (e < 0)
    angle = float(np.rad2deg(np.arctan2(sign * field[2], sign * field[1])))
    name = "E (and J)" if si else "\u03b5 = eE"
    widget = pn.widgets.EditableFloatSlider(label=f"direction of {name} in the y-z plane (deg from +y)",
                                            start=-180.0, end=180.0, step=1.0, value=round(angle, 10) + 0.0,
                                            width=250, css_classes=["ctl", "ctl-field"])

    def read() -> Any:
        radians = np.deg2rad(widget.value)
        direction = np.array([0.0, np.cos(radians), np.sin(radians)])
        direction[np.abs(direction) < 1e-15] = 0.0  # exact zeros at multiples of 90 degrees (cos 90 deg is 6e-17)
        return sign * magnitude * direction + 0.0  # + 0.0: no -0 components

    return Control("field", (widget,), read(), read)


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
    """

    def __init__(self, stack: Stack, on_change: Callable[[], None], display: Display | None = None) -> None:
        self.stack = stack
        self.display = display
        self.controls: list[Control] = []
        sections: list[tuple[str, list[Any]]] = []

        magnets = []
        names = {index: "F" + sub(count) for count, index in enumerate(stack.ferromagnet_indices, start=1)}
        for side in ("left", "right"):
            end = getattr(stack, side)
            if isinstance(end, (Lead, Insulator)) and end.magnetization is not None:
                kind = "insulator" if isinstance(end, Insulator) else "lead"
                self.controls.append(_angles(stack, side, f"the {side} {kind}"))
                magnets += self.controls[-1].widgets
        for index in stack.ferromagnet_indices:
            self.controls.append(_angles(stack, f"layers[{index}]", f"{names[index]} (layer {index})"))
            magnets += self.controls[-1].widgets
        sections.append(("magnetizations", magnets))

        thicknesses = []
        for index, layer in enumerate(stack.layers):
            path = f"layers[{index}].thickness"
            widget = self._number(float(layer.thickness), path, f"d of layer {index} ({layer.material.name})")
            thicknesses.append(widget)
        sections.append(("thicknesses", thicknesses))

        materials = []
        for name, material in stack.materials.items():
            keys = ("D", "p", "l") if isinstance(material, Ferromagnet) else ("D", "l")
            if stack.has_field and not isinstance(material, Ferromagnet):
                keys += ("theta_SH",)
            widgets = []
            for key in keys:
                path = f"materials.{name}.{key}"
                shown = "\u03b8_SH" if key == "theta_SH" else key
                if self._si or stack.has_field:  # long labels: the material's name heads its row instead
                    label = "e\u00b2D" if key == "D" and self._si else shown
                else:
                    label = f"{shown} of {name}"
                widgets.append(self._number(float(getattr(material, key)), path, label, width=78))
            if self._si or stack.has_field:
                materials.append(pn.pane.HTML(f"<i>{html.escape(name)}</i>", margin=(4, 5, -6, 5)))
            materials.append(pn.Row(*widgets, margin=0))
        sections.append(("materials: e\u00b2D = 1/\u03c1*, p, l" if self._si else "materials: D, p, l", materials))

        if stack.has_field and np.any(stack.field):
            self.field = _field_direction(stack, self._si)
            self.controls.append(self.field)
            # sigma_hat = xhat x eps_hat = E_hat x xhat (MODEL.md 8a): said with the vector the control turns
            rule = ("E\u0302 \u00d7 x\u0302" if self._si else "x\u0302 \u00d7 \u03b5\u0302")
            sections.insert(0, (f"in-plane field (\u03c3\u0302 = {rule})", [self.field.widgets[0]]))
        if stack.has_boundary_ends:  # no charge current crosses an open or insulator end: no current control
            self._watch(on_change)
            self.panel = self._column(sections)
            return
        magnitude = float(np.abs(stack.current))
        sign = "\u2212" if float(stack.current) < 0 else "+"
        self.current = pn.widgets.RadioButtonGroup(options=["+", "\u2212"], value=sign,
                                                   color="primary", variant="outline",
                                                   css_classes=["ctl", "ctl-current"], width=120)
        self.controls.append(Control("current", (self.current,), float(stack.current),
                                     lambda: (-1.0 if self.current.value == "\u2212" else 1.0) * magnitude))
        if self._si:
            # J = e j0 with e < 0: "+" (electrons along +x) is a conventional current along -x
            title = (f"current |J| = {abs(self.display.parameter('current')(magnitude)):g} A/m\u00b2 "
                     "(+: electrons flow along +x, F1 \u2192 F2)")
        else:
            title = f"current j\u2080 = \u00b1{magnitude:g} (+: electrons flow along +x, F1 \u2192 F2)"
        sections.insert(0, (title, [self.current]))

        self._watch(on_change)
        self.panel = self._column(sections)

    def _watch(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._assigning = False  # set while assign() sets several widgets: one on_change for all of them
        for control in self.controls:
            for widget in control.widgets:
                widget.param.watch(lambda _event: None if self._assigning else on_change(), "value")
                _respond_at_once(widget)

    @staticmethod
    def _column(sections: list[tuple[str, list[Any]]]) -> Any:
        return pn.Column(*(item for title, widgets in sections if widgets
                           for item in (pn.pane.HTML(f"<b>{title}</b>", margin=(8, 5, 0, 5)), *widgets)),
                         width=290, height=900, scroll=True, css_classes=["controls"])

    @property
    def _si(self) -> bool:
        return self.display is not None and self.display.si

    def _number(self, value: float, path: str, label: str, width: int = 120) -> Any:
        """A numeric box for ``path`` showing ``value`` in the display's unit; its reading is in model units."""
        factor = self.display.parameter(path).factor if self._si else 1.0
        unit = self.display.parameter_unit(path) if self._si else ""
        # 12 digits: the unit change must not show 12.499999999999998 for 12.5
        shown = float(f"{value * factor:.12g}") if factor != 1.0 else value
        widget = _number(shown, path, label + unit, width=width)

        def read() -> Any:
            return _parse(widget, path) / factor

        self.controls.append(Control(path, (widget,), read(), read))
        return widget

    def assign(self, values: dict[Any, Any]) -> None:
        """Set several widgets (``{widget: value}``) and then call ``on_change`` once (undo, reset, a URL's state).

        Only the widgets whose value differs are set; nothing is called when none does.
        """
        moved = {widget: value for widget, value in values.items() if not _same_value(widget.value, value)}
        if not moved:
            return
        self._assigning = True
        try:
            for widget, value in moved.items():
                widget.value = value
        finally:
            self._assigning = False
        self._on_change()

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


__all__ = ["Control", "Controls"]
