"""Timing the explorer in a real browser: input event -> every figure repainted, and the bytes it took.

The browser test (:mod:`tests.app.test_app_browser`) drives each kind of control with
Playwright as a user would (keys on a slider handle, a number typed and Enter, a click, a
menu choice) and asks the page, in its own clock, how long it took from the user's last
input event to the last figure repaint of the update it caused:

* :data:`INSTALL` (once per page) wraps BokehJS's ``PlotView.paint`` on the prototype, so that
  every figure, also those a preset switch makes later, notes when it last painted; and
  records the time of every input event (capture phase, at the window);
* :data:`ARM` before the input notes the page's ``#update`` counter (a hidden element the
  explorer bumps with every result it shows) and forgets earlier events;
* :data:`SETTLE` after the input waits for the counter to change (in any shadow root: a preset
  switch replaces the whole page), then for four animation frames in a row without a paint;
  it answers the times from the last input event before the update to the update's arrival
  (``dom``) and to the last paint (``paint``), in ms.

The bytes are those of the websocket frames the server sent meanwhile (Playwright's frame
events).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INSTALL = """
() => {
  if (window.__spinstack) return true;
  const state = {paints: 0, lastPaint: 0, events: []};
  window.__spinstack = state;
  for (const kind of ["keydown", "change", "click", "pointerup", "mouseup", "input"]) {
    window.addEventListener(kind, (event) => {
      if (event.isTrusted || kind === "change") state.events.push(performance.now());
    }, true);
  }
  const seen = new Set();
  let patched = false;
  const walk = (view) => {
    if (patched || view == null || seen.has(view)) return;
    seen.add(view);
    const name = view.model != null ? view.model.constructor.__name__ : "";
    if (name === "Figure" || name === "Plot") {
      let proto = Object.getPrototypeOf(view);
      while (proto != null && !Object.prototype.hasOwnProperty.call(proto, "paint")) {
        proto = Object.getPrototypeOf(proto);
      }
      if (proto != null) {
        const paint = proto.paint;
        proto.paint = function (...args) {
          const result = paint.apply(this, args);
          state.paints += 1;
          state.lastPaint = performance.now();
          return result;
        };
        patched = true;
      }
      return;
    }
    for (const child of view.child_views ?? []) walk(child);
  };
  for (const view of Object.values(Bokeh.index)) walk(view);
  return patched;
}
"""

# the #update element wherever it is (Panel and Bokeh render every pane in its own shadow root)
_FIND = """
const __spinstackFind = (id) => {
  const stack = [document];
  while (stack.length) {
    const root = stack.pop();
    const found = root.getElementById ? root.getElementById(id) : root.querySelector('#' + id);
    if (found) return found;
    for (const element of root.querySelectorAll('*')) if (element.shadowRoot) stack.push(element.shadowRoot);
  }
  return null;
};
"""

ARM = "() => {" + _FIND + """
  const state = window.__spinstack;
  const element = __spinstackFind('update');
  state.before = element ? element.textContent : null;
  state.beforeElement = element;
  state.events = [];
  state.armed = performance.now();
  state.paintsArmed = state.paints;
  return state.before;
}
"""

SETTLE = "([timeout]) => new Promise((resolve, reject) => {" + _FIND + """
  const state = window.__spinstack;
  let arrived = 0, quiet = 0, paints = -1;
  const frame = () => {
    const now = performance.now();
    if (!arrived) {
      const element = __spinstackFind('update');
      if (element && (element !== state.beforeElement || element.textContent !== state.before)) arrived = now;
      else if (now - state.armed > timeout) { reject(new Error('no update within ' + timeout + ' ms')); return; }
    } else {
      quiet = state.paints === paints ? quiet + 1 : 0;
      paints = state.paints;
      if (quiet >= 4) {
        const before = state.events.filter((t) => t <= arrived);
        const start = before.length ? before[before.length - 1] : state.armed;
        const painted = state.paints > state.paintsArmed ? Math.max(state.lastPaint, arrived) : arrived;
        resolve({dom: arrived - start, paint: painted - start, figures: state.paints - state.paintsArmed,
                 update: __spinstackFind('update').textContent});
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})
"""


@dataclass
class Timings:
    """Per control: ms from input to the last repaint, ms to the update's arrival, bytes received."""

    paint: list[float] = field(default_factory=list)
    dom: list[float] = field(default_factory=list)
    received: list[int] = field(default_factory=list)

    @staticmethod
    def p90(values: list[float]) -> float:
        """The 90th percentile (linear between the order statistics)."""
        ordered = sorted(values)
        position = 0.9 * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    def row(self, name: str) -> str:
        return (f"| {name} | {len(self.paint)} | {statistics.median(self.paint):.0f} | {self.p90(self.paint):.0f} | "
                f"{statistics.median(self.dom):.0f} | {statistics.median(self.received) / 1e3:.1f} |")


HEADER = ("| control | n | input -> repainted, median (ms) | p90 (ms) | input -> update arrived, median (ms) "
          "| received per update, median (kB) |\n|---|---|---|---|---|---|")


def listen_to_websockets(page: Any) -> list[int]:
    """The sizes (bytes) of the websocket frames ``page`` receives, appended as they come; call it before the
    page is loaded (the explorer opens its websocket once).  One list per page."""
    frames = getattr(page, "_spinstack_frames", None)
    if frames is None:
        frames = []
        page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(len(payload))))
        page._spinstack_frames = frames
    return frames


class Harness:
    """Measures updates of one Playwright page (see the module's docstring)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames = listen_to_websockets(page)
        self.table: dict[str, Timings] = {}

    def install(self) -> None:
        assert self.page.evaluate(INSTALL), "no Bokeh figure on the page"

    def measure(self, name: str, action: Callable[[], None], timeout_ms: float = 20_000) -> dict[str, Any]:
        """Run ``action`` (a user's input) and wait for its update to be painted; the timing is added to
        the row ``name`` of :attr:`table` and returned."""
        self.page.evaluate(INSTALL)  # after a preset switch the prototype is patched already: a no-op
        self.page.evaluate(ARM)
        self.frames.clear()
        action()
        try:
            timing = self.page.evaluate(SETTLE, [timeout_ms])
        except Exception as error:  # say which control and where the page stands
            shown = self.page.evaluate("() => window.__spinstack.before")
            raise AssertionError(f"{name}: no update painted within {timeout_ms:.0f} ms of the input (the page's "
                                 f"#update counter stayed at {shown}; {len(self.frames)} websocket frames "
                                 f"received meanwhile): {error}") from None
        row = self.table.setdefault(name, Timings())
        row.paint.append(timing["paint"])
        row.dom.append(timing["dom"])
        row.received.append(sum(self.frames))
        return timing

    def report(self, title: str) -> str:
        return f"\n{title}\n{HEADER}\n" + "\n".join(timings.row(name) for name, timings in self.table.items())
