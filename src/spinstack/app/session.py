"""The explorer's session state: the moved controls as a URL query, undo/redo and reset to the file.

A *state* is the value of every control widget, keyed by the parameter path it sets: an angle
control gives two keys (``layers[2].magnetization.theta`` and ``.phi``, degrees), a number box
its path (``layers[1].thickness``, in the unit the box shows: nm for an SI file), the current
its sign (``current`` = ``+`` or ``-``), the in-plane field its direction (``field``, degrees).

* **URL.**  The controls moved away from the loaded stack are written to the page's query
  (``?layers[2].magnetization.theta=45&preset=seed``) as they move; a page opened (or
  reloaded) with such a query starts from it.  A parameter that names no control on the page,
  or whose value is not a number (or not ``+``/``-`` for the current), is refused with the
  page's error message, naming it; the other parameters are applied.  A number the model
  refuses (a thickness of 0) is applied and reported like a typed one.
* **History.**  Every change of a control is a step; changes of the same control less than
  :data:`MERGE_SECONDS` apart are one step (a slider drag, a box typed in several goes).
  :meth:`Session.undo` puts every widget back to the previous step and re-solves once,
  :meth:`Session.redo` goes forward again, :meth:`Session.reset` returns every control to
  the loaded stack (a step of its own: it can be undone).  Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y)
  press the undo / redo buttons, except in a text box, where they edit its text.  The
  browser's Back and Forward reload the page at the address they go to (its state, from its
  query), so the page always shows what its address says.

No solving here: the widgets are set through :meth:`spinstack.app.controls.Controls.assign`,
which calls the explorer's update once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import panel as pn

from .controls import Controls, NumberBox, parse_number

__all__ = ["History", "KEYBOARD_SHORTCUTS", "MERGE_SECONDS", "Session", "State", "decode_query", "encode_query",
           "query_preset", "state_widgets"]

#: consecutive changes of the same control closer than this (seconds) are one undo step
MERGE_SECONDS = 1.0
#: the URL is written this long after a change (ms), once for the changes meanwhile (a drag: one history entry)
URL_DELAY_MS = 400
#: steps kept (the oldest are dropped)
HISTORY_LENGTH = 500
#: the query key choosing the start stack (a preset's name; absent: the loaded file)
PRESET_KEY = "preset"
#: what the current's sign is written as in a URL (ASCII) and what the widget shows
_SIGNS = {"+": "+", "-": "\u2212"}

State = dict[str, Any]


def now() -> float:
    """The history's clock: :func:`time.monotonic` seconds."""
    return time.monotonic()


def state_widgets(controls: Controls) -> dict[str, Any]:
    """Every widget of ``controls`` by its state key (see the module docstring), in the panel's order."""
    widgets: dict[str, Any] = {}
    for control in controls.controls:
        if len(control.widgets) == 2:  # a theta/phi pair, applied together as the magnetization
            widgets[control.path + ".theta"], widgets[control.path + ".phi"] = control.widgets
        else:
            widgets[control.path] = control.widgets[0]
    return widgets


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def _text(value: Any) -> str:
    """A widget value as URL text: the shortest decimal that reads back to the same double; the sign as + or -."""
    if isinstance(value, str):
        return {shown: ascii for ascii, shown in _SIGNS.items()}.get(value, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def encode_query(state: State, initial: State, preset: str | None = None) -> str:
    """The URL query (``"?k=v&..."``, or ``""``) of the keys of ``state`` that differ from ``initial``.

    Parameters
    ----------
    state, initial
        Widget values by state key (:func:`state_widgets`): the page's and the loaded stack's.
    preset
        The preset the page started from (None: the loaded file).
    """
    items = [(key, _text(value)) for key, value in state.items() if not _same(value, initial.get(key))]
    if preset is not None:
        items.insert(0, (PRESET_KEY, preset))
    # brackets and dots kept readable: ?layers[2].magnetization.theta=45
    return "?" + urlencode(items, safe="[]", quote_via=quote) if items else ""


def _value(widget: Any, text: str) -> Any:
    """``text`` as a value of ``widget``; ValueError with the reason."""
    options = getattr(widget, "options", None)
    if isinstance(options, list):  # the current's sign
        sign = _SIGNS.get(text.strip(), text.strip())
        if sign not in options:
            raise ValueError(f"must be + or -, got {text!r}")
        return sign
    if isinstance(widget, NumberBox) or isinstance(widget.value, str):  # a number box: its text, as typed
        parse_number(text)  # the box's own reading (ValueError: its reason); the model then judges the number
        return text.strip()
    try:
        number = float(text.strip())
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {text!r}")
    return number


def decode_query(search: str, widgets: dict[str, Any]) -> tuple[State, str | None, list[str]]:
    """The values, the preset and the refusals of a URL query.

    Parameters
    ----------
    search
        The query, with or without its ``?``.
    widgets
        The page's widgets by state key (:func:`state_widgets`).

    Returns
    -------
    values, preset, refusals
        The widget values the query sets (by state key), the preset it names (None when it names
        none) and one message per refused parameter (unknown key, repeated key, bad value).
    """
    values: State = {}
    preset: str | None = None
    refusals: list[str] = []
    seen: set[str] = set()
    for key, text in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key in seen:
            refusals.append(f"URL parameter {key}: given twice")
            continue
        seen.add(key)
        if key == PRESET_KEY:
            preset = text
            continue
        widget = widgets.get(key)
        if widget is None:
            refusals.append(f"URL parameter {key}: no such control on this page")
            continue
        try:
            values[key] = _value(widget, text)
        except ValueError as error:
            refusals.append(f"URL parameter {key}: {error}")
    return values, preset, refusals


@dataclass
class _Step:
    state: State
    keys: frozenset[str]  # the keys this step changed (merging joins steps of the same control)
    time: float


class History:
    """Undo/redo over states: a list of steps and the position of the one shown.

    Parameters
    ----------
    initial
        The state of the loaded stack (the first step).
    clock
        Seconds, monotonic (None: :func:`now`, read at every change; tests pass their own).
    """

    def __init__(self, initial: State, clock: Callable[[], float] | None = None) -> None:
        self.initial = dict(initial)
        self._clock = clock
        self._steps = [_Step(dict(initial), frozenset(), -math.inf)]
        self._index = 0

    @property
    def current(self) -> State:
        """The state shown."""
        return dict(self._steps[self._index].state)

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._steps) - 1

    def record(self, state: State, merge: bool = True) -> bool:
        """Note ``state`` as the state shown; True when it is a new step (False: unchanged, or merged).

        A change of the same control(s) as the last step, less than :data:`MERGE_SECONDS` after
        it, replaces that step (``merge=False``: never).  A new step drops the steps ahead (redo).
        """
        shown = self._steps[self._index]
        changed = frozenset(key for key in state if not _same(state[key], shown.state.get(key)))
        if not changed:
            return False
        moment = self._clock() if self._clock is not None else now()
        if (merge and self._index > 0 and self._index == len(self._steps) - 1 and shown.keys == changed
                and moment - shown.time < MERGE_SECONDS):
            previous = self._steps[self._index - 1].state
            if all(_same(state[key], previous.get(key)) for key in state):  # back where it started: no step
                self._steps.pop()
                self._index -= 1
            else:
                self._steps[self._index] = _Step(dict(state), changed, moment)
            return False
        del self._steps[self._index + 1:]
        self._steps.append(_Step(dict(state), changed, moment))
        if len(self._steps) > HISTORY_LENGTH:
            del self._steps[1]  # the loaded stack's state stays the first
        self._index = len(self._steps) - 1
        return True

    def undo(self) -> State | None:
        """The previous state (now shown), or None at the first."""
        if not self.can_undo:
            return None
        self._index -= 1
        self._steps[self._index + 1].time = -math.inf  # a step returned to is never merged into
        return self.current

    def redo(self) -> State | None:
        """The next state (now shown), or None at the last."""
        if not self.can_redo:
            return None
        self._index += 1
        self._steps[self._index].time = -math.inf
        return self.current


# Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y (Cmd on a Mac) press the undo and redo buttons; in a text box
# the browser's own text undo keeps them.  Bokeh renders every widget in a shadow root, so the
# buttons are found by their CSS class through the shadow roots.
KEYBOARD_SHORTCUTS = """
if (!window.__spinstackKeys) {
  window.__spinstackKeys = true;
  const find = (root, name) => {
    const hit = root.querySelector('.' + name);
    if (hit != null) return hit;
    for (const element of root.querySelectorAll('*')) {
      if (element.shadowRoot != null) {
        const inner = find(element.shadowRoot, name);
        if (inner != null) return inner;
      }
    }
    return null;
  };
  const press = (name) => {
    const host = find(document, name);
    const button = host == null ? null : (host.shadowRoot ?? host).querySelector('button');
    if (button != null && !button.disabled) button.click();
  };
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    let target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || target.tagName === 'TEXTAREA'
        || (target.tagName === 'INPUT' && !['range', 'button', 'checkbox', 'radio'].includes(target.type)))) return;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) press('history-undo');
    else if ((key === 'z' && event.shiftKey) || key === 'y') press('history-redo');
    else return;
    event.preventDefault();
  });
  // Back / Forward: the page is rebuilt from the address gone to (Panel does not follow popstate)
  window.addEventListener('popstate', () => window.location.reload());
}
"""


class Session:
    """Undo/redo/reset buttons and the URL of one page, over the explorer shown.

    Parameters
    ----------
    preset
        The preset the page shows (None: the loaded file); written to the URL.
    location
        Where the URL is read and written (``pn.state.location`` of a served page; None: no URL).

    Call :meth:`bind` with the page's :class:`~spinstack.app.controls.Controls` (again after a
    preset switch: the history starts anew) and :meth:`apply_query` with a URL's query.
    """

    def __init__(self, preset: str | None = None, location: Any = None) -> None:
        self.preset = preset
        self.location = location
        self.controls: Controls | None = None
        self.widgets: dict[str, Any] = {}
        self.history = History({})
        self._restoring = False
        self._url_pending = False
        self.undo_button = pn.widgets.Button(label="\u21b6 undo", description="undo the last change (Ctrl+Z)",
                                             width=66, margin=(5, 2), css_classes=["history-undo"], disabled=True)
        self.redo_button = pn.widgets.Button(label="\u21b7 redo", description="redo (Ctrl+Shift+Z)",
                                             width=66, margin=(5, 2), css_classes=["history-redo"], disabled=True)
        self.reset_button = pn.widgets.Button(label="reset", description="every control back to the loaded stack",
                                              width=58, margin=(5, 2), css_classes=["history-reset"], disabled=True)
        self.undo_button.on_click(lambda _event: self.undo())
        self.redo_button.on_click(lambda _event: self.redo())
        self.reset_button.on_click(lambda _event: self.reset())
        self.buttons = (self.undo_button, self.redo_button, self.reset_button)

    def bind(self, controls: Controls, preset: str | None = None, write_url: bool = True) -> None:
        """Follow ``controls`` (a new page: its widgets' values now are the loaded state, the history restarts).

        ``preset``: the preset shown (None: the loaded file); ``write_url``: put the page's state in the
        URL now (not before a URL's own query is read).
        """
        self.controls = controls
        self.preset = preset
        self.widgets = state_widgets(controls)
        self.history = History(self.state())
        for widget in self.widgets.values():
            widget.param.watch(lambda _event: self._moved(), "value")
        self._refresh(write_url)

    def state(self) -> State:
        """Every widget's value by state key."""
        return {key: widget.value for key, widget in self.widgets.items()}

    def _moved(self) -> None:
        if self._restoring:
            return
        self.history.record(self.state())
        self._refresh()

    def _restore(self, state: State) -> None:
        assert self.controls is not None
        self._restoring = True
        try:
            self.controls.assign({self.widgets[key]: value for key, value in state.items()})
        finally:
            self._restoring = False
        self._refresh()

    def undo(self) -> None:
        """Back to the previous step (every widget as it was; one re-solve)."""
        state = self.history.undo()
        if state is not None:
            self._restore(state)

    def redo(self) -> None:
        """Forward to the next step."""
        state = self.history.redo()
        if state is not None:
            self._restore(state)

    def reset(self) -> None:
        """Every control back to the loaded stack (an undoable step)."""
        self.history.record(self.history.initial, merge=False)
        self._restore(self.history.initial)

    def query(self) -> str:
        """The URL query of the page's state (``""`` when nothing moved)."""
        return encode_query(self.state(), self.history.initial, self.preset)

    def refusals(self, search: str) -> list[str]:
        """What a URL query names that the page cannot show (one message each; none: it can be applied)."""
        return decode_query(search, self.widgets)[2]

    def apply_query(self, search: str) -> None:
        """Set the widgets a URL query names (one undoable step, one re-solve).

        Raises ValueError (the refusals) when it names something the page cannot show
        (:meth:`refusals`).  The ``preset`` key is not applied here: the page chooses its stack
        first (:func:`query_preset`).
        """
        values, _, refusals = decode_query(search, self.widgets)
        if refusals:
            raise ValueError("; ".join(refusals))
        if values:
            state = self.state()
            state.update(values)
            self.history.record(state, merge=False)
            self._restore(state)

    def _refresh(self, write_url: bool = True) -> None:
        self.undo_button.disabled = not self.history.can_undo
        self.redo_button.disabled = not self.history.can_redo
        self.reset_button.disabled = all(_same(value, self.history.initial.get(key))
                                         for key, value in self.state().items())
        if write_url and self.location is not None:
            self._write_url_soon()

    def _write_url_soon(self) -> None:
        """Write the URL :data:`URL_DELAY_MS` after a change, once for all changes meanwhile.

        Why: each write is a new entry of the browser's history (Panel's Location pushes it), and
        a slider drag would push one per value (Chromium also ignores pushes beyond a rate).
        """
        document = pn.state.curdoc
        if document is None or document.session_context is None:
            self._write_url()
            return
        if not self._url_pending:
            self._url_pending = True
            document.add_timeout_callback(self._write_url, URL_DELAY_MS)

    def _write_url(self) -> None:
        self._url_pending = False
        search = self.query()
        if self.location is not None and self.location.search != search:
            self.location.search = search


def query_preset(search: str, presets: Iterable[str]) -> tuple[str | None, str | None]:
    """The preset a URL query names and a refusal message (unknown preset), from the query's ``preset`` key."""
    names = list(presets)
    for key, text in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key == PRESET_KEY:
            if text in names:
                return text, None
            return None, f"URL parameter {PRESET_KEY}: no preset {text!r} (one of {', '.join(names)})"
    return None, None
