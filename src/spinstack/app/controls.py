"""The explorer's controls, generated from a stack: one widget per parameter path.

* every F layer (and F lead): polar angle theta and azimuth phi of m, degrees (sliders
  with a text box), applied together as ``layers[i].magnetization = {theta, phi}``;
* every layer: ``layers[i].thickness``;
* every material: ``materials.NAME.D``, ``.p`` (ferromagnets) and ``.l``;
* the sign of the current (``current`` = +-|j0|).

Numbers are typed in plain boxes without bounds, so that an invalid value (thickness 0,
p = 1) reaches the model and comes back as its one-line message instead of being
clipped silently.  ``inf`` is accepted where the model accepts it (l).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import panel as pn

from ..errors import StackError
from ..model import Ferromagnet, Lead, Stack
from ..model.paths import parameter_value
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

    def __init__(self, stack: Stack, on_change: Callable[[], None]) -> None:
        self.stack = stack
        self.controls: list[Control] = []
        sections: list[tuple[str, list[Any]]] = []

        magnets = []
        names = {index: "F" + sub(count) for count, index in enumerate(stack.ferromagnet_indices, start=1)}
        for side in ("left", "right"):
            end = getattr(stack, side)
            if isinstance(end, Lead) and end.magnetization is not None:
                self.controls.append(_angles(stack, side, f"the {side} lead"))
                magnets += self.controls[-1].widgets
        for index in stack.ferromagnet_indices:
            self.controls.append(_angles(stack, f"layers[{index}]", f"{names[index]} (layer {index})"))
            magnets += self.controls[-1].widgets
        sections.append(("magnetizations", magnets))

        thicknesses = []
        for index, layer in enumerate(stack.layers):
            path = f"layers[{index}].thickness"
            widget = _number(float(layer.thickness), path, f"d of layer {index} ({layer.material.name})")
            self._add(path, widget)
            thicknesses.append(widget)
        sections.append(("thicknesses", thicknesses))

        materials = []
        for name, material in stack.materials.items():
            keys = ("D", "p", "l") if isinstance(material, Ferromagnet) else ("D", "l")
            widgets = []
            for key in keys:
                path = f"materials.{name}.{key}"
                widget = _number(float(getattr(material, key)), path, f"{key} of {name}", width=78)
                self._add(path, widget)
                widgets.append(widget)
            materials.append(pn.Row(*widgets, margin=0))
        sections.append(("materials: D, p, l", materials))

        magnitude = float(np.abs(stack.current))
        sign = "\u2212" if float(stack.current) < 0 else "+"
        self.current = pn.widgets.RadioButtonGroup(options=["+", "\u2212"], value=sign,
                                                   color="primary", variant="outline",
                                                   css_classes=["ctl", "ctl-current"], width=120)
        self.controls.append(Control("current", (self.current,), float(stack.current),
                                     lambda: (-1.0 if self.current.value == "\u2212" else 1.0) * magnitude))
        sections.insert(0, (f"current j\u2080 = \u00b1{magnitude:g} (+: electrons flow along +x, F1 \u2192 F2)",
                            [self.current]))

        for control in self.controls:
            for widget in control.widgets:
                widget.param.watch(lambda _event: on_change(), "value")
                _respond_at_once(widget)
        self.panel = pn.Column(*(item for title, widgets in sections if widgets
                                 for item in (pn.pane.HTML(f"<b>{title}</b>", margin=(8, 5, 0, 5)), *widgets)),
                               width=290, height=900, scroll=True, css_classes=["controls"])

    def _add(self, path: str, widget: Any) -> None:
        self.controls.append(Control(path, (widget,), _parse(widget, path), lambda: _parse(widget, path)))

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
