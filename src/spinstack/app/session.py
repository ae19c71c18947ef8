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
  refuses (a thickness of 0) is applied and reported like a typed one.  The URL carries the state the page
  shows: while a box holds a refused entry (``1,5``, emptied, a thickness of -2) it keeps the last state
  without one (a copied link is never refused).
* **Structure.**  A structure edit (a layer added or removed, an interface set, an end replaced:
  :mod:`spinstack.app.structure`) shows a new stack with its own controls; the state then also
  holds :data:`STACK_KEY`, the new stack's TOML text (None: the loaded file's structure), and the
  URL carries it compressed (``?stack=<zlib + base64url of the TOML text>``, :func:`pack_text`),
  followed by the controls moved since that edit.  A file opened in the page (not the one the
  server was started with) travels the same way as ``?name=<file name>&file=<packed text>``; a
  link is opened by showing its file, then its stack, then its controls.  A text that does not
  unpack or does not load is refused by name like a stack file's error (``URL parameter stack:
  link.toml: layers[0].thickness: must be > 0``).  A link is no way to send a large stack: its texts unpack
  to at most :data:`MAX_TEXT_BYTES`, a stack of more than :data:`MAX_LAYERS` layers is refused before any
  page is built (:func:`layers_refusal`), at most :data:`MAX_REFUSALS` refusals are named, a file name has at
  most :data:`MAX_NAME_CHARS` characters (and the server refuses a URL over 64 kB).  A state no link can
  carry is not written to the address (:meth:`Session.unlinkable`; the page says so).
* **History.**  Every change of a control is a step; changes of the same control less than
  :data:`MERGE_SECONDS` apart are one step (a slider drag, a box typed in several goes).
  :meth:`Session.undo` puts every widget back to the previous step and re-solves once,
  :meth:`Session.redo` goes forward again, :meth:`Session.reset` returns every control to
  the loaded stack (a step of its own: it can be undone).  A value refused on its own (``1,5``, a
  thickness of 0: the box marked red) is no step: undo after the next good value skips it, and undo while
  it is shown puts back the step before it.  A structure edit is a step: undo shows
  the stack before it (with its controls as they were), reset the loaded file's structure.
  Opening a file or switching presets starts a new history (reset goes to what was opened).  Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y)
  press the undo / redo buttons, except in a text box, where they edit its text.  The
  browser's Back and Forward reload the page at the address they go to (its state, from its
  query), so the page always shows what its address says.

No solving here: the widgets are set through :meth:`spinstack.app.controls.Controls.assign`,
which calls the explorer's update once.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
import weakref
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import panel as pn

from .controls import AngleBox, Controls, NumberBox, parse_number

__all__ = ["FILE_KEY", "History", "KEYBOARD_SHORTCUTS", "MAX_LAYERS", "MAX_MATERIAL_NAME_CHARS", "MAX_NAME_CHARS",
           "MAX_QUERY_CHARS", "MAX_REFUSALS", "MAX_TEXT_BYTES", "MERGE_SECONDS", "NAME_KEY", "STACK_KEY", "Session",
           "State", "decode_query", "encode_query", "layers_refusal", "material_name_refusal", "pack_text",
           "query_preset", "state_widgets",
           "structure_query", "unpack_text"]

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
#: the state key and URL key of an edited structure: the TOML text of the stack shown (None: the loaded file's)
STACK_KEY = "stack"
#: the URL keys of a file opened in the page: its packed TOML text and its name
FILE_KEY, NAME_KEY = "file", "name"
#: the URL keys that carry structure, not control values
STRUCTURE_KEYS = (NAME_KEY, FILE_KEY, STACK_KEY)
#: the most layers a stack shown from a link, an upload or a structure edit may have.  Why this number: the
#: page is built and solved on the server's one I/O thread while the link's GET is answered (every other
#: request waits), and each control move re-solves it.  Measured (load ~8-10, 2 cores): alternating F/N
#: stacks of 20 / 40 / 50 / 64 / 100 / 200 layers: a control move re-solves in 0.06-0.17 / 0.20-0.27 / 0.63 /
#: 1.2 / 1.4 s, the link's page GET 2-3.7 s up to 50 layers (the seed page alone: 2.3-3.3 s), 5.5-7 s at 64,
#: 11-13 s at 100, 20 s at 200.  Up to 40 a move stays near the page's 200 ms budget and a link costs what any
#: page costs.  A file given on the command line (``spinstack explore FILE``) is not limited.
MAX_LAYERS = 40
#: the longest stack text a link may unpack to (bytes): a link is no way to send a 1e5-layer stack (the
#: text is parsed before its layers are counted: 256 kB parse in ~0.3 s; a 40-layer stack as
#: :func:`spinstack.dumps_stack` writes it is ~5-30 kB)
MAX_TEXT_BYTES = 256 * 1024
#: the longest file name a link may give (characters)
MAX_NAME_CHARS = 255
#: F2: the longest material name typed in the structure card or carried by a link or an opened file
#: (characters): every choice, the listing, the controls' labels and the URL repeat it (a 5 MB name took
#: 2.3 s of the server's one thread per edit); the library's and the examples' names have at most 16
MAX_MATERIAL_NAME_CHARS = 64
#: the longest URL query written (characters): the server refuses a request whose first line and headers
#: pass 64 kB (Tornado's limit), so a longer link would not even open
MAX_QUERY_CHARS = 60_000
#: the refusals of one link named at most (the others counted): a URL of 64 kB holds thousands of parameters
MAX_REFUSALS = 8

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


def material_name_refusal(name: str) -> str | None:
    """F2: why a material named ``name`` is not shown from a link, an upload or an edit (None: it is), naming
    :data:`MAX_MATERIAL_NAME_CHARS`."""
    if len(name) <= MAX_MATERIAL_NAME_CHARS:
        return None
    return (f"a material name of at most {MAX_MATERIAL_NAME_CHARS} characters expected, got {len(name)} "
            f"({name[:24]!r}...): the explorer shows shorter names (`spinstack solve` reads the file)")


def layers_refusal(count: int) -> str | None:
    """Why a stack of ``count`` layers is not shown from a link, an upload or an edit (None: it is), naming
    :data:`MAX_LAYERS`."""
    if count <= MAX_LAYERS:
        return None
    return (f"{count} layers: the explorer shows stacks of at most {MAX_LAYERS} layers from a link, an opened "
            f"file or an edit (each move re-solves the stack while you wait); explore a larger file with "
            f"`spinstack explore FILE` or solve it with `spinstack solve`")


def pack_text(text: str) -> str:
    """A stack file's text as a URL-safe token: zlib-compressed UTF-8, base64url without padding
    (:func:`unpack_text` is its inverse)."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def unpack_text(token: str) -> str:
    """The text :func:`pack_text` packed; ValueError with the reason (not base64url, not zlib data, larger
    than :data:`MAX_TEXT_BYTES` unpacked, not UTF-8)."""
    token = token.strip()
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not a packed stack file (base64url expected)") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_TEXT_BYTES + 1)  # at most this much, whatever it claims
    except zlib.error:
        raise ValueError("not a packed stack file (the data does not unpack: a link cut short?)") from None
    if len(raw) > MAX_TEXT_BYTES or inflater.unconsumed_tail:
        raise ValueError(f"unpacks to more than {MAX_TEXT_BYTES // 1024} kB: a link carries stacks of at most "
                         f"{MAX_LAYERS} layers")
    if not inflater.eof:
        raise ValueError("not a packed stack file (the data ends early: a link cut short?)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the packed stack file is not UTF-8 text") from None


def encode_query(state: State, initial: State, preset: str | None = None,
                 opened: tuple[str, str] | None = None) -> str:
    """The URL query (``"?k=v&..."``, or ``""``) of the keys of ``state`` that differ from ``initial``.

    Parameters
    ----------
    state, initial
        Widget values by state key (:func:`state_widgets`): the page's and those of the stack its controls
        started from.  ``state[STACK_KEY]``, when it is a text, is written packed (:func:`pack_text`).
    preset
        The preset the page started from (None: the loaded file).
    opened
        ``(name, text)`` of a file opened in the page, written as :data:`NAME_KEY` and :data:`FILE_KEY`.
    """
    items = [(key, _text(value)) for key, value in state.items()
             if key != STACK_KEY and not _same(value, initial.get(key))]
    if state.get(STACK_KEY) is not None:
        items.insert(0, (STACK_KEY, pack_text(state[STACK_KEY])))
    if opened is not None:
        items[:0] = [(NAME_KEY, opened[0]), (FILE_KEY, pack_text(opened[1]))]
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
        if key in STRUCTURE_KEYS:  # read by structure_query
            continue
        widget = widgets.get(key)
        if widget is None:
            refusals.append(f"URL parameter {key}: no such control on this page")
            continue
        try:
            values[key] = _value(widget, text)
        except ValueError as error:
            refusals.append(f"URL parameter {key}: {error}")
    return values, preset, _at_most(refusals)


def _at_most(refusals: list[str]) -> list[str]:
    """The first :data:`MAX_REFUSALS` refusals and a count of the others (a long link is not a long message)."""
    if len(refusals) <= MAX_REFUSALS:
        return refusals
    return [*refusals[:MAX_REFUSALS], f"and {len(refusals) - MAX_REFUSALS} more parameters refused"]


def structure_query(search: str) -> tuple[tuple[str, str] | None, str | None, list[str]]:
    """The structure a URL query carries: ``(name, text)`` of an opened file (or None), the edited stack's text
    (or None) and one refusal per bad parameter (a token that does not unpack, a file without its name).
    Whether the texts are stacks is for the page to find out (:mod:`spinstack.app.structure`)."""
    found: dict[str, str] = {}
    refusals: list[str] = []
    for key, text in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key not in STRUCTURE_KEYS or key in found:
            continue  # a repeated key is refused by decode_query
        try:
            found[key] = text if key == NAME_KEY else unpack_text(text)
        except ValueError as error:
            refusals.append(f"URL parameter {key}: {error}")
            found[key] = ""
    if FILE_KEY in found and not found.get(NAME_KEY, "").strip():
        refusals.append(f"URL parameter {FILE_KEY}: comes with {NAME_KEY}=<the file's name>, which is missing")
    if len(found.get(NAME_KEY, "")) > MAX_NAME_CHARS:
        refusals.append(f"URL parameter {NAME_KEY}: a file name of at most {MAX_NAME_CHARS} characters expected")
    opened = (found[NAME_KEY].strip(), found[FILE_KEY]) if FILE_KEY in found and not refusals else None
    return opened, found.get(STACK_KEY) if not refusals else None, refusals


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
    preset switch or a file opened: the history starts anew), :meth:`adopt` after a structure edit
    (a step), and :meth:`apply_query` with a URL's query.

    Attributes
    ----------
    structure
        The TOML text of the edited stack shown (None: the loaded file's structure).
    opened
        ``(name, text)`` of a file opened in the page (None: the server's file or a preset).
    base
        The widget values of the stack the controls were built from (the URL writes the moves from them).
    show_structure
        Set by the page (:class:`spinstack.app.structure.StructurePanel`): shows the stack of a text (None:
        the loaded file) and returns its controls; undo, redo and reset across a structure edit call it.
    tell
        Set by the page: shows a message (plain text) to the user; called when the state is too large for a
        link (:meth:`unlinkable`: the address is then not written).
    """

    def __init__(self, preset: str | None = None, location: Any = None) -> None:
        self.preset = preset
        self.location = location
        self.controls: Controls | None = None
        self.widgets: dict[str, Any] = {}
        self.history = History({})
        self.structure: str | None = None
        self.opened: tuple[str, str] | None = None
        self.base: State = {}
        self.show_structure: Callable[[str | None], Controls] | None = None
        self.tell: Callable[[str], None] | None = None
        self._restoring = False
        self._holding = False
        self._url_pending = False
        # U (review): the keys of the widgets holding a refused entry, and the last state without one (what the
        # page shows): the URL carries that state, never a refused entry (a link that would be refused)
        self._refused: set[str] = set()
        self._shown: State = {}
        self._watched: weakref.WeakSet[Any] = weakref.WeakSet()  # each widget watched once (pages reuse them)
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

    def bind(self, controls: Controls, preset: str | None = None, write_url: bool = True,
             opened: tuple[str, str] | None = None) -> None:
        """Follow ``controls`` (a new page: its widgets' values now are the loaded state, the history restarts).

        ``preset``: the preset shown (None: the loaded file); ``write_url``: put the page's state in the
        URL now (not before a URL's own query is read); ``opened``: ``(name, text)`` of a file opened in the
        page (None: the server's file or the preset).
        """
        self.preset = preset
        self.opened = opened
        self.structure = None
        self._follow(controls)
        self.history = History(self.state())
        self._refresh(write_url)

    def _follow(self, controls: Controls) -> None:
        """Read and watch the widgets of ``controls``; their values now are :attr:`base`."""
        self.controls = controls
        self.widgets = state_widgets(controls)
        for widget in self.widgets.values():
            if widget not in self._watched:
                # an angle box's text alone: a bad text (no step: its value stays) makes reset clear it (X2)
                names = ["value", "text"] if isinstance(widget, AngleBox) else ["value"]
                widget.param.watch(lambda *events: self._moved(events[0].obj), names)
                self._watched.add(widget)
        self.base = {key: widget.value for key, widget in self.widgets.items()}
        self._judge()
        self._shown = self.state()

    def _judge(self, keys: Iterable[str] | None = None) -> None:
        """Note which widgets of ``keys`` (None: all) hold an entry refused on its own (:meth:`Controls.refuses`)."""
        if self.controls is None:
            return
        for key in self.widgets if keys is None else keys:
            if self.controls.refuses(self.widgets[key]):
                self._refused.add(key)
            else:
                self._refused.discard(key)

    def adopt(self, controls: Controls, structure: str | None, write_url: bool = True) -> None:
        """The page now shows the stack of the text ``structure`` with ``controls`` (a structure edit): one
        undoable step, the history kept."""
        self.structure = structure
        self._follow(controls)
        self.history.record(self.state(), merge=False)
        self._refresh(write_url)

    def state(self) -> State:
        """Every widget's value by state key, and :data:`STACK_KEY`: the edited structure (None: the file's)."""
        state: State = {key: widget.value for key, widget in self.widgets.items()}
        state[STACK_KEY] = self.structure
        return state

    def _moved(self, widget: Any) -> None:
        if self._restoring or self._holding or not any(widget is shown for shown in self.widgets.values()):
            return  # (a widget of a replaced page: gone)
        # a refused entry (``1,5``, a thickness of 0: the box marked red) is no step: undo after the next good
        # value goes back past it, to the value before it
        keys = [key for key, shown in self.widgets.items() if shown is widget]
        self._judge(keys)
        if not self._refused.intersection(keys):
            self.history.record(self.state())
        self._refresh()

    def _unrecorded(self, state: dict[str, Any] | None = None) -> bool:
        """Whether the widgets show a refused entry that is no step (the state differs from the step shown);
        ``state``: :meth:`state`, when the caller has it."""
        if self._holding:
            return False
        step = self.history.current
        return not all(_same(value, step.get(key)) for key, value in (state or self.state()).items())

    def hold(self) -> None:
        """Record no step until :meth:`release_hold` (a theta play: one step for the whole play)."""
        self._holding = True

    def release_hold(self, record: bool = True) -> None:
        """Record the state reached since :meth:`hold` as one step (none if nothing changed); ``record`` False:
        end the hold without a step (the caller restarts or sets the history itself, e.g. a new stack shown)."""
        self._holding = False
        if record:
            self.history.record(self.state(), merge=False)
            self._refresh()

    def _restore(self, state: State) -> None:
        assert self.controls is not None
        self._restoring = True
        try:
            structure = state.get(STACK_KEY)
            if structure != self.structure:
                if self.show_structure is None:
                    raise RuntimeError("a structure step without a page to show it (Session.show_structure)")
                controls = self.show_structure(structure)  # a new page of controls, at the stack's values
                self.structure = structure
                self._follow(controls)
            # every widget: assign() sets those that differ and clears an angle box's bad text (X2)
            values = {self.widgets[key]: value for key, value in state.items() if key in self.widgets}
            if values:
                self.controls.assign(values)
        finally:
            self._restoring = False
        self._judge()
        self._refresh()

    def undo(self) -> None:
        """Back to the previous step (every widget as it was; one re-solve); with a refused entry shown (no
        step), back to the step shown before it."""
        if self._unrecorded():
            self._restore(self.history.current)
            return
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
        """The URL query of the state the page shows (``""`` when nothing moved): while a box holds a refused
        entry (``1,5``, emptied, a thickness of -2; the figures show the last valid stack) the last state
        without one, so that a copied link opens what the page shows and is never refused."""
        return encode_query(self._shown if self._refused else self.state(), self.base, self.preset, self.opened)

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
        state = self.state()  # (once per control move: both buttons read it)
        if not self._refused:
            self._shown = state
        self.undo_button.disabled = not (self.history.can_undo or self._unrecorded(state))
        self.redo_button.disabled = not self.history.can_redo
        self.reset_button.disabled = all(_same(value, self.history.initial.get(key))
                                         for key, value in state.items()) \
            and all(widget.settled() for widget in self.widgets.values() if isinstance(widget, AngleBox))
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
        problem = self.unlinkable(search)
        if problem is not None:  # no broken link: the address stays, the user is told why
            if self.tell is not None:
                self.tell(problem)
            return
        if self.location is not None and self.location.search != search:
            self.location.search = search

    def unlinkable(self, search: str | None = None) -> str | None:
        """Why the page's state cannot be written as a link that reopens it (None: it can): a stack text over
        :data:`MAX_TEXT_BYTES` or a query over :data:`MAX_QUERY_CHARS`."""
        search = self.query() if search is None else search
        texts = [self.structure, self.opened[1] if self.opened is not None else None]
        if any(text is not None and len(text.encode("utf-8")) > MAX_TEXT_BYTES for text in texts) \
                or len(search) > MAX_QUERY_CHARS:
            return (f"This stack is too large for a link (over {MAX_TEXT_BYTES // 1024} kB of stack file or "
                    f"{MAX_QUERY_CHARS} characters of address): the address does not follow the page; save the "
                    f"stack as a file (export) to share it")
        return None


def query_preset(search: str, presets: Iterable[str]) -> tuple[str | None, str | None]:
    """The preset a URL query names and a refusal message (unknown preset), from the query's ``preset`` key."""
    names = list(presets)
    for key, text in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key == PRESET_KEY:
            if text in names:
                return text, None
            return None, f"URL parameter {PRESET_KEY}: no preset {text!r} (one of {', '.join(names)})"
    return None, None
