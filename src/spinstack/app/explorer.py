"""The explorer: controls generated from a stack, live figures, numbers and a status line (Panel).

Every control change rebuilds the stack from the start stack and the controls that
moved (:func:`spinstack.model.paths.with_parameter`, which validates), solves it and
refreshes every view.  An invalid value (thickness 0, p = 1, a box without a number)
shows the model's one-line message inline; the figures keep the last valid stack and
the app keeps serving.

Served, the solves run off the page's thread (a ``background`` runner, see
:class:`Explorer`) and the newest values win: changes that arrive while a solve runs
are not solved one by one, only the last of them is, once that solve has ended (a
slider drag shows the latest angle, and the page is current soon after the mouse is
released).

The page carries ids the browser test reads: ``#g1``, ``#g2``, ``#theta`` (numbers of the
current state), ``#status`` (the status line), ``.stack-error`` (the inline message),
``.ctl-<path>`` on every control (``.ctl-layers-2-magnetization-theta``).
"""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl  # C: a link's order

import numpy as np
import panel as pn
from panel.models.markup import HTML as _HTMLModel

from ..analysis import hodograph
from ..errors import SpinstackError, StackError, numerical_failure
from ..model import Lead, Stack
from ..model.paths import parse, with_parameter
from ..solution import Solution, solve
from .controls import Controls
from .export import Exports, stack_file_name
from .session import KEYBOARD_SHORTCUTS, Session, query_preset
from .structure import UPLOAD_SIZE_CHECK, StructurePanel
from .display import Display, display_for, reduced_display
from .docs import link as docs_link, plain  # X1: plain
from .dynamics_page import explorer_tabs, follow_explorer, stop_dynamics
from .play import ThetaPlayer
from .presets import PRESETS, preset
from .status import InPlaneReadout, Readout, explained, format_number, in_plane_readout, readout
from .views import (HODOGRAPH_SAMPLES, AccumulationView, EfficiencyView, ProfilesView, SpinCurrentView, SpinOrbitView,
                    pick_direction)

# inline styles: a stylesheet per pane would travel with every update (Bokeh renders panes in shadow roots)
_STATUS_STYLE = "display: inline-block; font-size: 1.15em; padding: 6px 10px; border-radius: 4px; background: {};"
_STATUS_COLOR = {False: "#eef3f8", True: "#fbe9df"}  # light red when a g is negative

#: Window width (CSS px) from which the page has three columns: controls | hodographs | profiles over g(theta).
WIDE = 1800
#: The rules that make the page fit the window (a stylesheet of the layout holding the blocks, so it reaches
#: them inside its shadow root): the profiles and g(theta) block at most one column wide on a wide window
#: (three columns), a row of its own below otherwise.
PAGE_CSS = f"""
@media (min-width: {WIDE}px) {{ .spin-rest {{ max-width: 640px; }} }}
@media (max-width: 700px) {{ .spin-controls {{ width: calc(100vw - 20px); }} }}
"""
#: W: the hodographs' block (a stylesheet of its FlexBox, reaching the hosts of its three parts): on a desktop the
#: mu_s and j_s figures side by side and the force table and the analogy's explanation on a row of their own under
#: BOTH (it sat under the mu_s figure only, leaving a ~370 px hole under the j_s figure at 1920 px; the block is
#: now about as tall as the profiles over g(theta) beside it, or the controls at 1366 px); the part holding them
#: adds nothing to the block's width (``contain: inline-size``: the block is as wide as the two figures). On a
#: phone the order of before: mu_s, its table and explanation, then j_s.
HODOGRAPHS_CSS = """
.spin-analogy { order: 2; flex: 0 0 100%; contain: inline-size; }
.spin-js { order: 1; }
@media (max-width: 700px) { .spin-analogy { order: 1; } .spin-js { order: 2; } }
"""
#: W: the analogy's explanation (a stylesheet of its pane): open on a desktop, where the row under the hodographs
#: has the room (its title a heading, not a toggle; two columns of text from :data:`WIDE` px), folded on a phone.
#: A browser without ``::details-content`` shows it folded, as before.
ANALOGY_HELP_CSS = f"""
@media (min-width: 701px) {{
  details::details-content {{ content-visibility: visible; display: block; height: auto; }}
  summary {{ list-style: none; pointer-events: none; font-weight: 600; margin-bottom: 2px; }}
  summary::-webkit-details-marker {{ display: none; }}
}}
@media (min-width: {WIDE}px) {{ details > div {{ column-count: 2; column-gap: 24px; }} }}
"""
#: The controls' column: as tall as its content at every size (X3: a column scrolling on its own, 55vh on a
#: phone, hid boxes below its edge without a visible scrollbar); as wide as a phone allows.
CONTROLS_CSS = """
@media (max-width: 700px) { :host { width: calc(100vw - 40px) !important; } }
"""
#: A status or numbers line keeps its one-line height on a desktop (a new text never re-measures the page); on a
#: phone its text wraps and the line takes the height it needs (C: it scrolled sideways in its one-line box, half
#: of it out of sight): the host's flex basis and the inner div's declared height (Bokeh's inline 34 px) give way.
MARKUP_CSS = ("@media (max-width: 700px) { :host { flex: 0 0 auto !important; height: auto !important; } "
              "div { height: auto !important; white-space: normal; overflow-wrap: anywhere; } }")

#: Where the error message is shown: floating over the top right corner of the window, so that neither its
#: coming nor its going moves a figure (it was a full-width banner above them that pushed every figure down).
#: C: at the top, beside the title and the preset menu, where a desktop page has nothing on its right (at the
#: bottom right it covered g(theta)'s angle axis and legend at 1920 px); at most as wide as that free part
#: (the menu ends ~930 px from the left; 420 px at least) and as a phone's window.
ERROR_STYLES = {"position": "fixed", "right": "12px", "top": "8px", "z-index": "1000",
                "max-width": "min(560px, max(100vw - 950px, 420px), 100vw - 24px)",
                "box-shadow": "0 2px 10px rgba(0, 0, 0, 0.3)", "border-radius": "6px"}
#: a phone's window has no free corner: at its top the message covered the current's buttons and the first
#: slider (where a page starts, and what a user types in next); it sits at the bottom there, as a phone's
#: notices do (!important: ``styles`` are the element's own style).  R (review, issue 16): the whole message
#: there took up to the bottom third of the window, over the boxes being corrected; it is a short bar now,
#: its first problem in up to three lines (U: cut to one line it lost the fix, "... has a comma: use a p…"),
#: with a switch (:func:`error_message`)
#: that opens the rest (every problem, the closing sentence) and closes it again.  A desktop window shows the
#: whole message and no switch.
ERROR_PHONE_CSS = """
.error-switch { display: none; }
@media (max-width: 700px) {
  :host { top: auto !important; bottom: 8px !important; left: 8px !important; right: 8px !important;
          width: auto !important; max-width: none !important; max-height: 50vh; overflow-y: auto;
          padding: 7px 10px !important; }
  div:has(> .error-switch) > * { display: none; margin: 0; }
  div:has(> .error-switch) > :first-child { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3;
                                            overflow: hidden; line-height: 20px; padding-right: 92px; }
  div:has(> .error-switch) > .error-switch { display: block; position: absolute; top: 7px; right: 10px; }
  div:has(> .error-switch input:checked) > * { display: block; white-space: normal; margin: 6px 0 0 0; }
  div:has(> .error-switch input:checked) > :first-child { margin: 0; -webkit-line-clamp: none; }
  .error-switch input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
  .error-switch label { display: inline-block; padding: 1px 8px; border: 1px solid currentColor; border-radius: 4px;
                        font-size: 13px; line-height: 20px; cursor: pointer; white-space: nowrap; }
  .error-switch input:focus-visible + label { outline: 2px solid currentColor; outline-offset: 1px; }
  .error-switch .less, .error-switch:has(input:checked) .more { display: none; }
  .error-switch:has(input:checked) .less { display: inline; }
}
"""


def error_message(text: str, more: int = 0) -> str:
    """The page's message: ``text`` (its Markdown) and after it the switch that a phone shows beside the
    message's first line (:data:`ERROR_PHONE_CSS`): "details", or "+``more`` more" when ``more`` other problems
    follow the first; on, it shows the rest.  Hidden on a desktop, where the whole message shows."""
    label = f"+{more} more" if more else "details"
    return (text + '\n\n<div class="error-switch"><input type="checkbox" id="error-switch" '
            f'aria-label="the whole message"><label for="error-switch"><span class="more">{label} \u25b4</span>'
            '<span class="less">less \u25be</span></label></div>\n')


#: On a phone, once the message bar shows a new text, the box the user typed in scrolls up out from under it if
#: the bar covers it (R: a box low in the window was hidden by the message about it).  Runs in the browser when
#: the message's text changes (Panel sends its visibility apart, and a callback on it does not run): it waits up
#: to ~1 s of frames for the bar to be laid out and shown, then measures once.
ERROR_UNCOVER = """
if (window.innerWidth > 700) return;
let focused = document.activeElement;
while (focused && focused.shadowRoot && focused.shadowRoot.activeElement) focused = focused.shadowRoot.activeElement;
if (!focused || focused.tagName !== 'INPUT') return;
const find = (root) => {
  for (const element of root.querySelectorAll('*')) {
    if (element.classList.contains('stack-error')) return element;
    const inner = element.shadowRoot ? find(element.shadowRoot) : null;
    if (inner) return inner;
  }
  return null;
};
let frames = 0;
const uncover = () => {
  const bar = find(document);
  if (!bar || bar.getClientRects().length === 0) {  // not shown (yet)
    if (++frames < 60) requestAnimationFrame(uncover);
    return;
  }
  const top = bar.getBoundingClientRect().top, box = focused.getBoundingClientRect();
  if (box.bottom > top - 8) window.scrollBy(0, box.bottom - top + 16);
};
requestAnimationFrame(uncover);
"""

#: Runs ``work`` somewhere else and later calls ``done(work())`` on the page's own thread (a served
#: session: a worker thread, then the document's next tick; see ``spinstack.app.server``).
Background = Callable[[Callable[[], Any], Callable[[Any], None]], None]

# One solve at a time in the process: a served explorer solves in a worker thread while the server's own
# thread may build a new page (which solves too), and numba's default "workqueue" threading layer aborts
# the process when two threads launch parallel kernels at once.
_ONE_SOLVE = threading.Lock()


#: the docs section of each figure (the view's attribute on :class:`Explorer`: page, start of the heading, what the
#: figure shows), opened by the "?" of its toolbar (spinstack.app.docs, served at /docs); not the profiles: a fifth
#: tool does not fit their short toolbars (cut to "...", the save button hidden), and their quantities' docs are
#: linked from the D, p, l boxes
FIGURE_DOCS = {
    "accumulation": ("readme", "Figures", "\u03bc\u209b hodograph and the mechanical analogy (README, Figures)"),
    "spin_current": ("model", "4.", "j\u209b hodograph: the torques are the jumps \u0394j\u209b (docs/MODEL.md \u00a74)"),
    "efficiency": ("model", "4.", "g\u2081(\u03b8), g\u2082(\u03b8): the efficiencies of seed eq. 1 (docs/MODEL.md \u00a74)"),
    "spin_orbit": ("model", "8f.", "spin-orbit torques and SMR (docs/MODEL.md \u00a78f)"),
}


def _link_help(figure: Any, page: str, heading: str, what: str) -> None:
    """Give ``figure`` a help tool ("?" in its toolbar) opening the docs section ``heading`` of ``page``."""
    from bokeh.models import HelpTool

    if not any(isinstance(tool, HelpTool) for tool in figure.tools):
        figure.add_tools(HelpTool(redirect=docs_link(page, heading), description=f"{what}: click to open the docs"))


class Markup:
    """A fixed-size piece of HTML whose text changes in place: one property event per change.

    Panel's own HTML model: a new text only replaces the element's inner HTML, while a new
    text of a Bokeh ``Div`` re-renders it and makes BokehJS lay the whole page out again
    (every figure measured anew, ~25 ms per change); a Panel markup pane would re-send all
    its properties.  The model takes its text HTML-escaped (Panel's convention);
    :attr:`text` is the HTML as shown.
    """

    def __init__(self, height: int, css_class: str, width: int | None = None) -> None:
        # no width: as wide as the page (fixed height: a new text never re-measures the page), except
        # on a phone, where the line wraps and takes the height it needs (MARKUP_CSS)
        sizing = {"width": width} if width is not None else {"sizing_mode": "stretch_width"}
        self.model = _HTMLModel(text="", height=height, css_classes=[css_class], run_scripts=False,
                                disable_math=True, stylesheets=[MARKUP_CSS], **sizing)
        self._text = ""

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value
        self.model.text = html.escape(value)


def _start_display(stack: Stack) -> Display:
    """The page's units from the start stack (SI only: a reduced stack is shown as it is); a stack that cannot
    be solved is reported by _compute."""
    if stack.units != "SI":
        return reduced_display()
    paths = [f"layers[{i}].thickness" for i in range(len(stack.layers))]
    paths += [f"materials.{name}.{key}" for name in stack.materials for key in ("D", "l")]
    paths.append("current")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        try:
            return display_for(solve(stack).reduced, paths)
        except (SpinstackError, FloatingPointError):
            return reduced_display()


def _signature(stack: Stack, display: Display) -> tuple[Any, ...]:
    """What the figures of ``stack``'s page are built for: its units, and (in-plane drive, magnetization axes, the
    spin-orbit figure's layer and kind); two stacks with equal signatures share figures (:meth:`Explorer.replace`).
    Interfaces are not part of it: the analogy's legend shows their entry while the stack has some."""
    in_plane = bool(stack.has_field or stack.has_boundary_ends)
    # magnetization axes of F layers and F leads (an insulator's m is no rail of the fold)
    axes = bool(stack.ferromagnet_indices) or any(isinstance(end, Lead) and end.magnetization is not None
                                                  for end in (stack.left, stack.right))
    spin_orbit = None
    if in_plane:  # the spin-orbit figure's title and axes name the spin Hall layer (SpinOrbitView)
        spin_orbit = (next((i for i, layer in enumerate(stack.layers)
                            if not layer.is_ferromagnet and np.any(layer.material.theta_SH)), None),
                      bool(stack.ferromagnet_indices))
    return display, (in_plane, axes, spin_orbit)


@dataclasses.dataclass
class _Views:
    """The figures of one kind of page (:func:`_signature`) and the units they draw in."""

    signature: tuple[Any, ...]
    display: Display
    in_plane: bool
    accumulation: AccumulationView
    spin_current: SpinCurrentView
    profiles: ProfilesView
    efficiency: EfficiencyView
    spin_orbit: SpinOrbitView | None


class Explorer:
    """The controls, views and numbers of one stack.

    Parameters
    ----------
    stack
        A single-configuration stack (the start values of every control).
    background
        Where the solves after a control change run (:data:`Background`); None: at once, in
        the caller's thread (a notebook, the tests).  With a runner at most one solve is
        under way: changes that arrive meanwhile are coalesced, and only the newest values
        are solved when it ends.

    Raises
    ------
    SpinstackError
        If the stack is a batch, or the start stack cannot be solved.
    """

    def __init__(self, stack: Stack, background: Background | None = None) -> None:
        self.background = background
        self.changes_seen = 0  # control changes so far
        self.solves = 0  # solves run for them: fewer when changes came faster than the solves
        self.updates = 0  # results shown (the page's #update counter)
        self._solving = False
        # the message shown is a refusal (refuse()): no solve ending hides it, only the user's next action
        self._refusal: str | None = None
        # one more per stack shown by replace(): a solve started for an earlier stack is dropped when it ends
        self._generation = 0
        self._replaced_at = 0  # changes_seen when the present stack came
        # called with every stack shown after a control change (the numbers table: spinstack.app.export)
        self.listeners: list[Callable[[Stack], None]] = []
        # called with no arguments after replace() showed another stack (its controls are new widgets)
        self.on_replace: list[Callable[[], None]] = []
        # before any widget exists: a bad start stack raises here
        views = self._views_for(stack)
        first = self._compute(stack, self._curve_key(stack), views)
        self._adopt(stack, views, first)
        self.controls = Controls(stack, self._changed, self.display)
        # the control panel on the page: the first controls' column, whose items later controls take again
        # (replace(): Controls(panel=...))
        self._page_panel = self.controls.panel
        self.status = Markup(height=34, css_class="status")
        self.numbers = Markup(height=22, css_class="numbers")
        # the message floats over the window's top right corner (ERROR_STYLES): shown or hidden, it moves no figure
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["stack-error"],
                                   styles=ERROR_STYLES, stylesheets=[ERROR_PHONE_CSS], margin=0)
        # R: a phone's bar covers no typed box (``text``: the Bokeh model's name of the message; ``object`` has none)
        self.alert.jscallback(text=ERROR_UNCOVER)
        self.alert.param.watch(lambda event: None if event.new else self.controls.mark(()), "visible")
        self._show(first)
        self.layout = self._layout()

    # ------------------------------------------------------------------ another stack
    def _views_for(self, stack: Stack) -> _Views:
        """The figures for ``stack``: the present ones when they fit it (:func:`_signature`), else new ones.

        Raises :class:`SpinstackError` for a batch."""
        if stack.batch_shape != ():
            raise SpinstackError(f"the explorer takes a single configuration, this stack is a batch of shape "
                                 f"{stack.batch_shape}")
        display = _start_display(stack)  # units chosen once per stack (an SI stack's nm, eV, A/m^2)
        signature = _signature(stack, display)
        present: _Views | None = getattr(self, "_views", None)
        if present is not None and present.signature == signature:
            return present
        in_plane, axes, _ = signature[1]
        interfaces = bool(stack.interfaces)  # the legend's interface entry at first (shown while it has some)
        efficiency = EfficiencyView()
        efficiency.on_pick(self._pick_theta)  # a tap on g(theta) sets theta (E1)
        return _Views(signature=signature, display=display, in_plane=in_plane,
                      accumulation=AccumulationView(interfaces=interfaces, display=display, analogy=not in_plane,
                                                    axes=axes),
                      spin_current=SpinCurrentView(display=display, axes=axes),
                      profiles=ProfilesView(display=display), efficiency=efficiency,
                      spin_orbit=SpinOrbitView(stack, display=display) if in_plane else None)

    def _adopt(self, stack: Stack, views: _Views, first: dict[str, Any]) -> None:
        """Make ``stack`` (its ``views``, its first result) the explorer's: the attributes the page reads."""
        self.base = stack
        self.stack = stack
        self.solution: Solution = first["solution"]  # R: the reduced solution of the stack shown (export's table)
        self._views = views
        # an in-plane drive (MODEL.md 8): spin-orbit torques and SMR instead of g1, g2 and the analogy's forces
        self.in_plane = views.in_plane
        self.display = views.display
        self.accumulation = views.accumulation
        self.spin_current = views.spin_current
        self.profiles = views.profiles
        self.efficiency = views.efficiency
        self.spin_orbit = views.spin_orbit
        self.has_efficiency = "efficiency" in first

    def replace(self, stack: Stack) -> bool:
        """Show ``stack`` from now on, as a new explorer of it would (its controls at its values, the
        figures and numbers of its solution), reusing the figures when they fit it.

        The figures (Bokeh models already in the browser) are kept when ``stack`` has the
        present one's kind of page (:func:`_signature`: units, in-plane drive, magnetization axes): only
        their data change, as after a control change, and the new controls are made of the page's control
        widgets (:class:`Controls` ``panel``: same widgets, their labels, ranges and values changed; only
        widgets no page widget fits are new).  Otherwise new figures and a new :attr:`layout` are made.

        Returns
        -------
        bool
            True when :attr:`layout` is still the same object (only its parts changed), False when it is a
            new one (the caller shows it in place of the old).

        Raises
        ------
        SpinstackError
            If ``stack`` is a batch or cannot be solved; then nothing has changed.
        """
        views = self._views_for(stack)
        reused = views is self._views
        self._generation += 1  # before the solve: curves cached for the old stack are not reused
        first = self._compute(stack, self._curve_key(stack), views)
        self._adopt(stack, views, first)
        self._replaced_at = self.changes_seen
        self.controls.detach()  # the page's widgets take the new stack's values: no change of the old controls
        dropped = []
        with pn.io.hold():
            self._refusal = None
            self.alert.visible = False
            # the page's widgets show the new controls (their changed properties sent, not new widgets)
            self.controls = Controls(stack, self._changed, self.display, panel=self._page_panel if reused else None)
            if reused:
                for view in (self.accumulation, self.spin_current, self.efficiency):
                    view.renew()  # fitted afresh, as a new page would be
                self.profiles.renew()
                if self.spin_orbit is not None:
                    self.spin_orbit.renew()
                self._show(first)
                if not self.in_plane:
                    self._show_right()
            else:
                self._show(first)
                dropped = [self._page_panel]
                self._page_panel = self.controls.panel
                self.layout = self._layout()
        for item in dropped:
            forget_js_links(item)  # off the page: its browser-side links are never read again
        for callback in self.on_replace:
            callback()
        return reused

    # ------------------------------------------------------------------ update
    def _compute(self, stack: Stack, curve_key: Any = (), views: _Views | None = None) -> dict[str, Any]:
        """Everything the page shows for ``stack`` in ``views`` (the present ones by default); raises before
        anything is shown.  ``curve_key``: what the g(theta) curves depend on (:meth:`_curve_key`), to reuse
        them when it is unchanged."""
        with _ONE_SOLVE:
            return self._compute_now(stack, curve_key, views or self._views)

    def _compute_now(self, stack: Stack, curve_key: Any, views: _Views) -> dict[str, Any]:
        start = time.perf_counter()
        # valid but extreme values overflow double precision: a message, never NaN figures
        try:
            return self._compute_raising(stack, curve_key, views, start)
        except FloatingPointError as error:  # F2: a refusal like any other (every caller catches SpinstackError:
            # a structure edit, a link, an opened file, a preset), worded as the CLI words it
            raise SpinstackError(numerical_failure(error)) from None

    def _compute_raising(self, stack: Stack, curve_key: Any, views: _Views, start: float) -> dict[str, Any]:
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            solution: Solution = solve(stack).reduced  # model numbers: the page's Display converts them
            numbers = in_plane_readout(solution) if views.in_plane else readout(solution)
            fold = hodograph(solution, HODOGRAPH_SAMPLES)  # one sampling for both hodographs and the profiles
            result: dict[str, Any] = {"solution": solution, "readout": numbers,
                                      "accumulation": views.accumulation.prepare(solution, fold),
                                      "spin_current": views.spin_current.prepare(solution, fold),
                                      "profiles": views.profiles.prepare(solution, fold)}
            if views.spin_orbit is not None:
                result["spin_orbit"] = views.spin_orbit.prepare(solution)
            elif solution.efficiency_problem is None:
                result["efficiency"] = views.efficiency.prepare(solution, numbers.theta, numbers.g1, numbers.g2,
                                                                key=curve_key)
        result["milliseconds"] = 1e3 * (time.perf_counter() - start)
        return result

    def _pick_theta(self, theta: float) -> None:
        """A tap on g(theta) at ``theta`` degrees: turn m2 in the plane of m1 and m2 to that angle from m1
        (:func:`~spinstack.app.views.pick_direction`), through its angle controls (one update)."""
        first, second = self.stack.ferromagnet_indices[:2]
        layers = self.stack.layers
        polar, azimuth = pick_direction(layers[first].magnetization, layers[second].magnetization, theta)
        path = f"layers[{second}].magnetization"
        theta_widget, phi_widget = next(c for c in self.controls.controls if c.path == path).widgets[:2]
        widgets = {theta_widget: round(polar, 6)}
        if 1e-6 < polar < 180.0 - 1e-6:  # at a pole the azimuth is any: leave it
            widgets[phi_widget] = round(azimuth, 6)
        self.controls.assign(widgets)

    def _curve_key(self, stack: Stack, moved: list[tuple[str, Any]] | None = None) -> Any:
        """What g(theta) depends on: every moved control (``moved``, none by default) but the two F layers'
        directions.

        With nothing else magnetic (no F lead) the curves depend on the angle between m1
        and m2 only (spin space is isotropic), so turning either magnet reuses them.
        """
        if any(isinstance(end, Lead) and end.magnetization is not None for end in (stack.left, stack.right)):
            return None
        # the stack's generation first: another stack shown by replace() has other curves
        return (self._generation, *((path, repr(value)) for path, value in (moved or [])
                                    if not (parse(path).owner == "layer" and parse(path).kind == "direction")))

    def _changed(self) -> None:
        """A control moved: solve its values, or, while a solve is under way, leave them to the solve that
        follows it (which reads the controls then: only the newest values are solved)."""
        self.changes_seen += 1
        self._refusal = None  # the user's next action: a refused edit's message may go with the next result
        if not self._solving:
            self._next()

    def _next(self) -> None:
        """Solve the controls' present values (in the background runner when there is one) and show them."""
        seen = self.changes_seen
        try:
            moved = self.controls.changes()  # the widgets are read here, on the page's thread
        except SpinstackError as error:
            self._fail(str(error))
            return
        self.solves += 1
        # what the solve is of, taken now: replace() may show another stack while it runs
        base, views, generation = self.base, self._views, self._generation
        key = self._curve_key(base, moved)
        if self.background is None:
            self._finished(seen, self._attempt(moved, base, views, key), generation)
            return
        self._solving = True
        self.background(lambda: self._attempt(moved, base, views, key),
                        lambda outcome: self._finished(seen, outcome, generation))

    def _attempt(self, moved: list[tuple[str, Any]], base: Stack, views: _Views,
                 curve_key: Any) -> tuple[Stack | None, dict[str, Any] | None, str]:
        """(stack, what the page shows, "") for the controls ``moved`` away from ``base``, or (None, None, the
        message); any thread."""
        try:
            stack = base
            for path, value in moved:
                stack = with_parameter(stack, path, value)
            return stack, self._compute(stack, curve_key, views), ""
        except SpinstackError as error:
            return None, None, str(error)
        except FloatingPointError as error:  # (with_parameter's arithmetic; a solve's is a SpinstackError)
            return None, None, numerical_failure(error)
        except Exception as error:  # a bug: say so on the page and keep serving
            return None, None, f"internal error, please report it: {type(error).__name__}: {error}"

    def _finished(self, seen: int, outcome: tuple[Stack | None, dict[str, Any] | None, str],
                  generation: int | None = None) -> None:
        """A solve of the values as they were after ``seen`` changes has ended: start the next one if the
        controls moved since, and show this one (a stale message is dropped: its values are gone).  A solve
        of an earlier stack (``generation``, see :meth:`replace`) is dropped whole."""
        self._solving = False
        if generation is not None and generation != self._generation:
            if self.changes_seen != self._replaced_at:  # the new stack's controls moved meanwhile
                self._next()
            return
        stale = seen != self.changes_seen
        if stale:
            self._next()  # first, so that it runs while this result is sent
        stack, result, message = outcome
        if result is None:
            if not stale:
                self._fail(message)
            return
        self.stack, self.solution = stack, result["solution"]
        with pn.io.hold():
            self._show(result)
            for listener in self.listeners:
                listener(stack)
            if self.alert.visible and not stale and self._refusal is None:
                self.alert.visible = False

    def _fail(self, message: str) -> None:
        """Say why the controls' values are not shown: every bad box by its label on the page, each marked
        (every moved control is checked on its own, :meth:`Controls.problems`), or ``message`` when no box
        is bad alone (values that clash, a numerical failure, a link's refusals)."""
        problems = self.controls.problems(self.base)
        self.controls.mark([path for path, _ in problems])
        lines = [text for _, text in problems] or [message]
        self.alert.object = error_message((self._refusal + "\n\n" if self._refusal else "")  # a refusal stays
                                          + "".join(plain(line) for line in lines)  # X1: as text, not Markdown
                                          + "The figures and numbers show the last valid stack; correct the "
                                          + ("values" if len(lines) > 1 else "value") + " to go on.",
                                          more=len(lines) - 1 + (self._refusal is not None))
        self.alert.visible = True

    def refuse(self, text: str) -> None:
        """Show ``text`` (Markdown) as the page's message about an action that was refused (a structure edit, a
        file): it stays until the user's next action (a control moved, another stack shown), even when a solve
        started before it ends meanwhile (which would hide a control's message: its values are shown)."""
        self._refusal = text
        self.alert.object = error_message(text)
        self.alert.visible = True

    def withdraw_refusal(self) -> None:  # S hook: a structure action succeeded without showing another stack
        """Hide the message of a refused action (:meth:`refuse`) once the user's next action succeeded without a new
        stack (a material defined in the structure card); a bad control's message stays."""
        if self._refusal is not None:
            self._refusal = None
            self.alert.visible = False

    def present_stack(self) -> Stack:
        """The stack the controls' present values describe: :attr:`stack` once their solve has ended, the
        values typed since then included while it runs (:attr:`stack` is the last stack solved and shown).

        Raises
        ------
        SpinstackError
            If a control holds a bad value (its label and why, as the page's message says it).
        """
        try:
            stack = self.base
            for path, value in self.controls.changes():
                stack = with_parameter(stack, path, value)
        except StackError as error:
            raise SpinstackError(self.controls.message(error)) from None
        return stack

    def _show(self, result: dict[str, Any]) -> None:
        self.accumulation.show(result["accumulation"])
        self.spin_current.show(result["spin_current"])
        self.profiles.show(result["profiles"])
        if "efficiency" in result:
            self.efficiency.show(result["efficiency"])
        if "spin_orbit" in result:
            self.spin_orbit.show(result["spin_orbit"])
            self._show_in_plane(result)
            return
        numbers: Readout = result["readout"]
        negative = (numbers.g2 < 0 or numbers.g1 < 0) if np.isfinite(numbers.g2) else False
        # the numbers last: the browser test waits for them, and they travel in the same message
        self.status.text = (f'<div id="status" style="{_STATUS_STYLE.format(_STATUS_COLOR[negative])}">'
                            f'{html.escape(numbers.status)}</div>')
        shown = self.display
        torques = ", ".join(f"F{i + 1}: {shown.torque(t):.4g}" for i, t in enumerate(numbers.torques))
        degrees = "\u00b0" if np.isfinite(numbers.theta) else ""  # U: no angle (three F): "θ = —", not "—°"
        self.numbers.text = (
            '<div style="font-family: monospace">'
            f'{explained("θ", "theta")} = <b id="theta">{format_number(numbers.theta)}</b>{degrees} &nbsp; '
            f'{explained("g₁", "g")} = <b id="g1">{format_number(numbers.g1)}</b> &nbsp; '
            f'{explained("g₂", "g")} = <b id="g2">{format_number(numbers.g2)}</b> &nbsp; '
            f'{explained("|T|", "torque")} = <span id="torques">{torques or chr(0x2014)}</span>'
            f'{shown.unit("torque")} &nbsp; {explained("r", "resistance")} = '
            f'<span id="resistance">{shown.resistance_area(numbers.resistance_area):.6g}</span>'
            f'{shown.unit("resistance_area")} '
            f'<span style="color:#888">(computed in <span id="compute-ms">{result["milliseconds"]:.0f}'
            f'</span> ms)</span>{self._count()}</div>')

    def _count(self) -> str:
        """The hidden ``#update`` counter: one more per result shown (the browser test waits for it)."""
        self.updates += 1
        return f'<span id="update" hidden>{self.updates}</span>'

    def _show_in_plane(self, result: dict[str, Any]) -> None:
        numbers: InPlaneReadout = result["readout"]
        shown = self.display
        self.status.text = (f'<div id="status" style="{_STATUS_STYLE.format(_STATUS_COLOR[False])}">'
                            f'{html.escape(numbers.status)}</div>')
        sigma = "\u2014" if numbers.sigma_hat is None else "[" + ", ".join(f"{v + 0.0:.3g}" for v in numbers.sigma_hat) + "]"
        torques = ", ".join(f"F{i + 1}: {format_number(shown.torque(d), 5)} / {format_number(shown.torque(f), 5)}"
                            for i, (d, f) in enumerate(zip(numbers.damping, numbers.field_like)))
        ends = ", ".join(f"{side} insulator |T| = {format_number(shown.torque(value), 5)}"
                         for side, value in numbers.end_torques.items())
        smr = ("\u2014" if numbers.smr is None else
               f'<span id="smr-long">{numbers.smr[0] + 0.0:.6g}</span> / '
               f'<span id="smr-trans">{numbers.smr[1] + 0.0:.6g}</span>')  # + 0.0: no "-0"
        self.numbers.text = (
            '<div style="font-family: monospace">'
            f'{explained("σ̂", "sigma")} = <span id="sigma">{sigma}</span> &nbsp; '
            f'{explained("τ_DL / τ_FL", "spin_orbit")} = <span id="spin-orbit-torques">{torques or chr(0x2014)}</span>'
            f'{shown.unit("torque")} &nbsp; {ends + " &nbsp; " if ends else ""}'
            f'{explained("SMR long / trans", "smr")} = {smr} '
            f'<span style="color:#888">(computed in <span id="compute-ms">{result["milliseconds"]:.0f}'
            f'</span> ms)</span>{self._count()}</div>')

    # ------------------------------------------------------------------ layout
    def _right_pane(self) -> Any:
        """Beside the profiles: the spin-orbit figure, or g(theta) and why a stack has no g(theta), one of them
        hidden (:meth:`_show_right`: another stack shows the other without building a figure); kept as
        ``_right``."""
        if self.spin_orbit is not None:
            right = pn.pane.Bokeh(self.spin_orbit.figure, margin=0, css_classes=["spin-figure"])
        else:
            self._efficiency_pane = pn.pane.Bokeh(self.efficiency.figure, margin=0, css_classes=["spin-figure"])
            # laid out on its own when shown or hidden (server.LAYOUT_PATCH): the page around it is placed by CSS
            self._no_efficiency = pn.pane.Markdown("", width=380, css_classes=["spin-boundary"])
            right = pn.Column(self._efficiency_pane, self._no_efficiency, margin=0, sizing_mode=None)
            self._show_right()
        self._right = right
        return right

    def _show_right(self) -> None:
        """g(theta) when the stack has it, else why not (only what changes is set)."""
        text = ("" if self.has_efficiency else
                "**g\u2081(\u03b8), g\u2082(\u03b8)** are defined for exactly two F layers with a spacer; this stack "
                f"has {len(self.stack.ferromagnet_indices)}.  The torque on every F layer is in the numbers above and "
                "in the j\u209b hodograph.")
        if self._no_efficiency.object != text:
            self._no_efficiency.object = text
        # F4: the figure's own flag, not its Bokeh pane's: the pane's visible=True (its default) re-reads the
        # figure's False into the pane while sending True to the figure, so after three-F -> seed the pane said
        # hidden, the next three-F set nothing and the seed curve stayed shown under the note (review U2 item 6)
        for part, shown in ((self.efficiency.figure, self.has_efficiency),
                            (self._no_efficiency, not self.has_efficiency)):
            if part.visible != shown:
                part.visible = shown

    def _layout(self) -> Any:
        """The page below the header: the status line and numbers, then controls | hodographs | profiles and
        g(theta), wrapping (CSS flex-wrap) onto as many rows as the window needs.

        Every figure keeps its fixed size (no stretch sizing: an update re-measures nothing); the
        browser wraps the blocks: three columns from :data:`WIDE` px of window (profiles over
        g(theta)), controls and hodographs over profiles and g(theta) below it (1366 px), one
        column on a phone with the controls first, in a card that folds away (:data:`PAGE_CSS`).  On a desktop
        the force table and the analogy's explanation (open) are a row under both hodographs, making them about
        as tall as the profiles over g(theta) (1920 px) or the controls (1366 px); on a phone they stay under the
        mu_s figure, the explanation folded (:data:`HODOGRAPHS_CSS`, :data:`ANALOGY_HELP_CSS`).
        """
        def pane(figure: Any) -> Any:
            return pn.pane.Bokeh(figure, margin=0, css_classes=["spin-figure"])

        for name, (page, heading, what) in FIGURE_DOCS.items():  # a "?" in every figure's toolbar: its docs
            view = getattr(self, name, None)
            for figure in getattr(view, "figures", None) or ([view.figure] if view is not None else []):
                _link_help(figure, page, heading, what)
        # E1's force balance table and the analogy's explanation: on a desktop a row under both hodographs, on a
        # phone under the mu_s figure they explain (HODOGRAPHS_CSS)
        analogy = []
        for part in (self.accumulation.table, self.accumulation.explanation):
            # the table as wide as the figure, or the window on a phone; the explanation as wide as the row
            limit = "100%" if part is self.accumulation.explanation else f"{part.width}px"
            part.styles = {**part.styles, "max-width": f"min({limit}, 100vw - 24px)"}
            part.width = None  # Bokeh's fixed width would also set the minimum width
            analogy.append(part)
        explanation = self.accumulation.explanation
        if ANALOGY_HELP_CSS not in explanation.stylesheets:
            explanation.stylesheets = [*explanation.stylesheets, ANALOGY_HELP_CSS]
        hodographs = pn.FlexBox(pn.Column(pane(self.accumulation.figure), margin=0),
                                pn.Column(pane(self.spin_current.figure), margin=0, css_classes=["spin-js"]),
                                pn.Column(*analogy, margin=0, sizing_mode="stretch_width", css_classes=["spin-analogy"]),
                                flex_wrap="wrap", align_items="flex-start", margin=0, sizing_mode=None,
                                css_classes=["spin-hodographs"], stylesheets=[HODOGRAPHS_CSS])
        profiles = pn.Column(*(pane(f) for f in self.profiles.figures), margin=0)
        right = self._right_pane()
        rest = pn.FlexBox(profiles, right, flex_wrap="wrap", align_items="flex-start", margin=0, sizing_mode=None,
                          css_classes=["spin-rest"])
        self._page_panel.stylesheets = [*self._page_panel.stylesheets, CONTROLS_CSS]
        controls = pn.Card(self._page_panel, title="controls", collapsible=True, margin=(5, 5),
                           css_classes=["spin-controls"], header_background="#eef3f8")
        status, numbers = (pn.pane.Bokeh(markup.model, margin=0) for markup in (self.status, self.numbers))
        body = pn.FlexBox(controls, hodographs, rest, flex_wrap="wrap", align_items="flex-start",
                          stylesheets=[PAGE_CSS], sizing_mode="stretch_width", margin=0)
        return pn.Column(status, numbers, self.alert, body, sizing_mode="stretch_width")

def _link_value_problems(search: str, explorer: Explorer) -> list[str]:  # C: a link's refusals by the stack
    """One message per parameter of the URL query ``search`` that reads as a value but that the stack shown by
    ``explorer`` refuses (``layers[1].thickness=-2``), each by its label on the page.

    Judged on a throwaway copy of the controls (about 10 ms): nothing on the page moves."""
    from .session import decode_query, state_widgets

    controls = Controls(explorer.stack, lambda: None, explorer.display)
    widgets = state_widgets(controls)
    values, _, _ = decode_query(search, widgets)
    controls.assign({widgets[key]: value for key, value in values.items()})
    keys = {id(widget): key for key, widget in widgets.items()}
    found = []
    for path, message in controls.problems(explorer.base):
        control = next(c for c in controls.controls if path == c.path or path in c.widget_paths())
        given = [keys[id(widget)] for widget in control.widgets if keys.get(id(widget)) in values]
        found.append(f"URL parameter {path if path in values else ', '.join(given) or path}: {message}")
    return found


def _in_link_order(search: str, refusals: list[str]) -> list[str]:  # C
    """``refusals`` ("URL parameter <key>: ...") in the order of their keys in the URL query ``search``."""
    order = [key for key, _ in parse_qsl(search.lstrip("?"), keep_blank_values=True)]

    def position(text: str) -> int:
        return next((index for index, key in enumerate(order)
                     if text.startswith((f"URL parameter {key}:", f"URL parameter {key},"))), len(order))

    return sorted(refusals, key=position)


class App:
    """The page: a preset menu above the :class:`Explorer` of the chosen stack.

    Parameters
    ----------
    stack
        The stack to start from; the ``seed`` preset when omitted.
    label
        Its name in the menu (e.g. the file name).
    background
        Where the explorers' solves run (:class:`Explorer`); None: at once.
    """

    def __init__(self, stack: Stack | None = None, label: str = "given stack",
                 background: Background | None = None) -> None:
        self.background = background
        options = {f"{label}": "__given__"} if stack is not None else {}
        options.update({title: name for name, (title, _) in PRESETS.items()})
        self._given = stack
        self._quiet = False  # set while the menu is made to follow the page (show_stack)
        self.menu = pn.widgets.Select(label="start from", options=options, value=next(iter(options.values())),
                                      width=330, css_classes=["preset-select"])
        self.menu._debounce = 0  # handled at once, not after Panel's 50 ms (as the controls, controls._respond_at_once)
        self.explorer = Explorer(stack if stack is not None else preset("seed"), background)
        # the stack loaded (the file, a preset, an opened file) and its stack file once written (_edited)
        self._loaded, self._loaded_text = self.explorer.stack, None
        # D: Tabs, the Transport tab and a Dynamics tab with free layers (headers hidden with one tab); an edit
        # adds, replaces or removes the Dynamics tab in place (App._replace)
        self.body = explorer_tabs(self.explorer)
        self.menu.param.watch(self._chosen, "value")
        # title and menu side by side, or the menu below on a phone (flex-wrap)
        header = pn.FlexBox(pn.pane.HTML("<h2 style='margin:4px 0'>spinstack explorer</h2>"
                                         "<div style='color:#555'>exact diffusive spin transport and the mechanical "
                                         "analogy of the seed paper; numbers in the stack's units (reduced, or "
                                         "nm, eV, A/m\u00b2, J/m\u00b2 for an SI file)</div>",
                                         styles={"max-width": "560px"}, sizing_mode="stretch_width"),
                            self.menu, flex_wrap="wrap", sizing_mode="stretch_width")
        # undo/redo/reset and the URL's state (spinstack.app.session), the exports (spinstack.app.export)
        self._label = label
        served = pn.state.curdoc is not None and pn.state.curdoc.session_context is not None
        location = pn.state.location if served else None
        self.session = Session(location=location)
        self.exports = Exports(lambda: self.explorer.stack, self._file_name, lambda: not self.explorer.in_plane,
                               lambda: self.explorer.display,  # X3: the table in the page's units
                               edited=self._edited,  # F1: an edited stack's file not named as the loaded one
                               solution=lambda: self.explorer.solution)  # R: the table from the page's solve
        # U: play a theta sweep (spinstack.app.play), stopped when another stack is shown
        self.player = ThetaPlayer(self)
        self.player.follow()
        self.explorer.on_replace.append(self.player.follow)
        toolbar = pn.FlexBox(*self.session.buttons, pn.Spacer(width=12), *self.exports.buttons, self.player.button,
                             flex_wrap="wrap",
                             align_items="center", margin=(0, 5), sizing_mode="stretch_width",
                             css_classes=["spin-toolbar"])
        self._bind(write_url=False)
        # S: the structure card (edit layers, interfaces, ends; open a file), folded above the figures
        self.structure = StructurePanel(self)
        self.layout = pn.Column(header, toolbar, self.structure.card, self.body, self.exports.numbers,
                                sizing_mode="stretch_width")
        if location is not None:
            from bokeh.models import CustomJS

            pn.state.curdoc.js_on_event("document_ready", CustomJS(code=KEYBOARD_SHORTCUTS))
            pn.state.curdoc.js_on_event("document_ready", CustomJS(code=UPLOAD_SIZE_CHECK))  # F2
            self.open_query(location.search or "")

    def open_query(self, search: str) -> list[str]:
        """Show the state a URL query carries (a preset, moved controls); the refusals, shown as the page's error
        (:mod:`spinstack.app.session`: a query with a bad parameter is not applied at all)."""
        names = [name for name in self.menu.options.values() if name != "__given__"]
        chosen, refusal = query_preset(search, names)
        if refusal is None and chosen is not None and chosen != self.menu.value:
            self.menu.value = chosen  # a new explorer: the query's controls are read against its widgets
        # S: a file or an edited stack the link carries is shown first; its controls then take the rest
        refusals = [refusal] if refusal else (self.structure.open_query(search) or self.session.refusals(search))
        if refusals:
            # C: every bad parameter named, also those read but refused by the stack (d = -2 beside a theta of
            # 1,5), and no box holds them: the message says the link was not applied instead of asking for a
            # box to be corrected (Explorer._fail's words)
            if refusal is None:
                refusals = _in_link_order(search, [*refusals, *_link_value_problems(search, self.explorer)])
            self.explorer.refuse("".join(plain(text) for text in refusals)  # X1: as text
                                 + html.escape("The figures and numbers show the stack as it was: the link's "
                                               "state is not applied; open the link again with "
                                               + ("these parameters" if len(refusals) > 1 else "this parameter")
                                               + " corrected."))
            return refusals
        self.session.apply_query(search)
        return []

    def _file_name(self) -> str:
        return stack_file_name(self._label, None if self.menu.value == "__given__" else self.menu.value)

    def _edited(self) -> bool:
        """F1: whether the stack shown differs from the one loaded (the file, an opened file, the preset chosen):
        a moved control or a structure edit; compared as stack files (asked by every switch and download: the
        stack just loaded is not written at all, the loaded one once per load)."""
        from ..io.stackwriter import dumps_stack

        shown = self.explorer.stack
        if shown is self._loaded:
            return False
        if self._loaded_text is None:
            self._loaded_text = dumps_stack(self._loaded)
        return dumps_stack(shown) != self._loaded_text

    def _bind(self, write_url: bool = True) -> None:
        """Undo/redo, the URL and the exports follow the stack shown (its history starts anew)."""
        start = next(iter(self.menu.options.values()))
        self.session.bind(self.explorer.controls, None if self.menu.value == start else self.menu.value,
                          write_url=write_url)
        if self.exports.refresh not in self.explorer.listeners:
            self.explorer.listeners.append(self.exports.refresh)
        self.exports.renamed()

    def show_stack(self, stack: Stack, label: str | None = None) -> None:
        """Show ``stack`` in place of the present one (a file opened, the structure edited): its controls at its
        values, its figures and numbers, undo/redo and the URL starting from it.

        The fast way: the figures already in the browser are kept when ``stack`` needs the same
        kind (:meth:`Explorer.replace`), only their data and the controls change.

        Parameters
        ----------
        stack
            A single-configuration stack.
        label
            Its name in the "start from" menu, as the first entry (where the loaded file's name
            is), which the menu then shows; None: the menu is left as it is (a preset chosen).

        Raises
        ------
        SpinstackError
            If ``stack`` is a batch or cannot be solved; the page then shows what it showed.
        """
        with pn.io.hold():  # one message to the browser for all of it (each costs a walk of the page's models)
            self._replace(stack)
            if label is not None:
                self._given, self._label = stack, label
                self._loaded, self._loaded_text = stack, None
                options = {label: "__given__", **{title: name for title, name in self.menu.options.items()
                                                  if name != "__given__"}}
                self._quiet = True  # the menu follows the page: no second replacement
                try:
                    self.menu.param.update(options=options, value="__given__")
                finally:
                    self._quiet = False
            self._bind()

    def _replace(self, stack: Stack) -> None:
        """The explorer shows ``stack``; the page's tabs follow (D: the Transport tab keeps its layout, and its
        models in the browser, when the explorer kept its figures; the Dynamics tab is added, replaced or
        removed in place: :func:`~spinstack.app.dynamics_page.follow_explorer`)."""
        explorer = self.explorer
        old_layout = explorer.layout
        # the page's widgets take the new stack's values (Explorer.replace): no undo step of their own
        self.session.hold()
        try:
            reused = explorer.replace(stack)
        finally:
            self.session.release_hold(record=False)  # the history restarts (App._bind) or the structure card sets it
        stop_dynamics(explorer)  # the old stack's run and its periodic callback
        follow_explorer(self.body, explorer)
        if not reused:
            forget_js_links(old_layout)  # off the page: nothing renders it again

    def _chosen(self, event: Any) -> None:
        if self._quiet:
            return
        with pn.io.hold():  # one message to the browser for all of it (each costs a walk of the page's models)
            chosen = self._given if event.new == "__given__" else preset(event.new)
            self._replace(chosen)
            self._loaded, self._loaded_text = chosen, None
            self._bind()

    def release(self) -> None:
        """Let the page be freed once its session has ended (:func:`forget_js_links`)."""
        stop_dynamics(self.explorer)
        forget_js_links(self.layout)


def forget_js_links(viewable: Any) -> None:
    """Drop Panel's global record of the browser-side callbacks of ``viewable`` and of everything in it.

    Panel keeps every ``jscallback`` in ``panel.links.Callback.registry``, a class-level
    ``WeakKeyDictionary`` keyed by the source widget.  An ``EditableFloatSlider`` (our angle
    sliders) registers one on its text box with the slider in ``args``, and the slider's
    watchers lead back to the text box: the value keeps its own key alive, so the entry never
    dies, and through the slider's watchers (our controls' callbacks) it kept a whole
    :class:`Explorer` with its figures and Bokeh models alive after its page was gone (about
    2 MB per closed browser session).  The registry is only read when models are built, so
    dropping the entries of a page that will not be rendered again changes nothing on screen.
    """
    registry = pn.links.Callback.registry
    for part in viewable.select():
        registry.pop(part, None)


def build_app(stack: Stack | None = None, label: str = "given stack") -> Any:
    """The explorer page for ``stack`` (or the seed preset), a Panel object to serve or show.

    Raises
    ------
    SpinstackError
        If ``stack`` is a batch or cannot be solved.
    """
    return App(stack, label).layout


__all__ = ["App", "Explorer", "Markup", "build_app", "forget_js_links"]
