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

It also starts what the browser tests look at: ``spinstack explore`` in a subprocess (:func:`start`,
:func:`served`, :class:`Explorers`: one process per stack file, shared by every test that reads its page) and
a fresh page of it in its own browser context (:func:`explorer_page`).  The fixtures over them are in
``tests/app/conftest.py``.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

REPOSITORY = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
#: the stack files the browser tests open, by the name the fixtures use (``None``: the presets, no file)
STACKS: dict[str, Path | None] = {
    "seed": REPOSITORY / "examples" / "seed-fnf.toml",
    "si": REPOSITORY / "examples" / "co-cu-py.toml",
    "in-plane": REPOSITORY / "examples" / "pt-co-sot.toml",
    "oscillator": REPOSITORY / "examples" / "dynamics-oscillator.toml",
    "presets": None,
}
#: how long a starting explorer may take to answer (a cold numba cache: several start at once, compiling)
START_SECONDS = 120.0

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


# every figure's canvas box and the page's width, each animation frame, until they stay the same for ``quiet``
# frames in a row with ``figures`` canvases at least (Bokeh lays out and paints a page over several frames)
LAID_OUT = """([figures, quiet, timeout]) => new Promise((resolve, reject) => {
  const boxes = () => {
    const found = [];
    const visit = (root) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.classList && element.classList.contains('bk-Canvas')) {
          const box = element.getBoundingClientRect();
          if (box.width > 50) found.push([box.left, box.top, box.width, box.height].map(Math.round).join(','));
        }
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    return found;
  };
  const start = performance.now();
  let last = null, same = 0;
  const frame = () => {
    const found = boxes();
    const now = found.join(';') + '|' + document.documentElement.scrollWidth + 'x' + document.documentElement.scrollHeight;
    same = now === last && found.length >= figures ? same + 1 : 0;
    last = now;
    if (same >= quiet) { resolve(found.length); return; }
    if (performance.now() - start > timeout) { reject(new Error('the figures did not settle: ' + now)); return; }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})"""


def choose(page: Any, css: str, label: str) -> None:
    """Choose the option ``label`` of the menu of class ``css`` (a structure card's choice, as a user picks it)."""
    page.locator(f".{css} select").select_option(label=label)


def fill(page: Any, css: str, text: str) -> None:
    """Type ``text`` into the box of class ``css`` and press Enter (as a user enters a value)."""
    box = page.locator(f".{css} input")
    box.fill(text)
    box.press("Enter")


def wait_until_laid_out(page: Any, figures: int = 1, quiet: int = 10, timeout_ms: float = 30_000) -> int:
    """Wait until the page's figures (at least ``figures`` canvases) and its size have not moved for ``quiet``
    animation frames in a row (instead of a fixed wait after the page loads); the number of canvases."""
    return int(page.evaluate(LAID_OUT, [figures, quiet, timeout_ms]))


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


# ------------------------------------------------------------------------------------------ explorers served
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Explorer:
    """``spinstack explore [FILE]`` running in a subprocess: its URL, its port and its output files (the output
    goes to files, never to a pipe nobody reads: a long-lived server that logs would block on a full pipe)."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    stdout: Path
    stderr: Path

    def output(self, lines: int = 20) -> str:
        """The last ``lines`` lines of its stderr (for a failure's message)."""
        return "\n".join(self.stderr.read_text(errors="replace").splitlines()[-lines:])


def start(file: Path | None, logs: Path) -> Explorer:
    """Start ``spinstack explore [file]`` on a free port (returns at once; :func:`wait_until_served` waits)."""
    port = _free_port()
    logs.mkdir(parents=True, exist_ok=True)
    name = file.stem if file is not None else "presets"
    stdout, stderr = logs / f"{name}-{port}.out", logs / f"{name}-{port}.err"
    arguments = [sys.executable, "-m", "spinstack", "explore", *([str(file)] if file is not None else []),
                 "--port", str(port)]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPOSITORY)
    return Explorer(process, f"http://127.0.0.1:{port}/", port, stdout, stderr)


def wait_until_served(explorer: Explorer, timeout: float = START_SECONDS) -> None:
    """Wait until the explorer answers ``GET /`` with 200 (its first page built); fail with its stderr if it
    exits or does not answer within ``timeout`` seconds.  It printed its URL before it started serving."""
    deadline = time.monotonic() + timeout
    while True:
        if explorer.process.poll() is not None:
            pytest.fail(f"spinstack explore exited with {explorer.process.returncode}: {explorer.output()}")
        try:
            with urllib.request.urlopen(explorer.url, timeout=10) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"spinstack explore did not answer within {timeout:.0f} s: {explorer.output()}")
        time.sleep(0.2)
    printed = explorer.stdout.read_text()
    assert explorer.url in printed, printed


def stop(explorer: Explorer) -> None:
    """SIGTERM (the explorer stops at once: tests/app/test_explore_signals), SIGKILL if it has not in 15 s."""
    explorer.process.terminate()
    try:
        explorer.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        explorer.process.kill()
        explorer.process.wait(timeout=15)


@contextlib.contextmanager
def served(file: Path | None) -> Iterator[str]:
    """``spinstack explore FILE`` on a free port, its URL once it answers; always stopped afterwards (for a test
    that needs a server of its own; the shared ones are :class:`Explorers`)."""
    with tempfile.TemporaryDirectory(prefix="spinstack-explore-") as logs:
        explorer = start(file, Path(logs))
        try:
            wait_until_served(explorer)
            yield explorer.url
        finally:
            stop(explorer)


class Explorers:
    """The explorers the browser tests share: one process per stack of :data:`STACKS`, started the first time a
    test asks for it (several asked together start together) and kept until :meth:`close`.

    Every page is a session of its own on the server (its own App: a test's edits do not reach another page),
    so tests that open pages of the same file share the process and skip its start (imports, the first page:
    3-10 s each, under load more).
    """

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, Explorer] = {}

    def get(self, *names: str) -> dict[str, Explorer]:
        """The explorers of ``names`` (keys of :data:`STACKS`), started and answering."""
        starting = [name for name in dict.fromkeys(names) if name not in self.running]
        for name in starting:
            self.running[name] = start(STACKS[name], self.logs)
        for name in starting:
            try:
                wait_until_served(self.running[name])
            except BaseException:
                stop(self.running.pop(name))
                raise
        return {name: self.running[name] for name in names}

    def urls(self, *names: str) -> dict[str, str]:
        return {name: explorer.url for name, explorer in self.get(*names).items()}

    def close(self) -> None:
        """Stop every explorer started (each is started again if asked for later)."""
        while self.running:
            stop(self.running.popitem()[1])


@contextlib.contextmanager
def explorer_page(browser: Any, url: str, ready: str = "#g2", **context: Any) -> Iterator[Any]:
    """A fresh session of the explorer at ``url`` in a browser context of its own (``context``: Playwright's
    new_context arguments; 1360 x 1080 by default), loaded (``ready`` shown: the numbers arrive over the
    websocket); no request leaves the local server."""
    context.setdefault("viewport", {"width": 1360, "height": 1080})
    opened = browser.new_context(**context)
    page = opened.new_page()
    listen_to_websockets(page)  # before the page opens its websocket
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    try:
        page.goto(url, timeout=120_000)
        page.locator(ready).wait_for(timeout=120_000)
        yield page
        assert not outside, f"the page fetched from outside the local server: {outside}"
    finally:
        opened.close()
