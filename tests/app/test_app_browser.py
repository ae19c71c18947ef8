"""The explorer in a real browser: ``spinstack explore`` in a subprocess, Debian's chromium via Playwright.

What a user does, checked against the solver: move the F2 angle (the slider's text box and
the slider itself, by keyboard) and read the displayed g2; type invalid values (thickness 0,
p = 1) and read the inline message; the server keeps answering.  The time from the input
event to the updated page is measured in the browser and printed (run with ``-s`` to see
it); ``SPINSTACK_SCREENSHOT=1`` writes the screenshot for the README to
``docs/images/explorer.png``.

Needs ``playwright`` (the Python package; no browser download) and ``/usr/bin/chromium``
(``apt-get install -y chromium``); skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.model.paths import with_parameter

REPOSITORY = Path(__file__).resolve().parents[2]
SEED_FILE = REPOSITORY / "examples" / "seed-fnf.toml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
THETA_F2 = "layers[2].magnetization.theta"
THETA_BOX = ".ctl-layers-2-magnetization-theta input"
# the budget the issue sets is 200 ms; a shared CI machine may be far slower, so the assertion
# is loose by default and the measured median is printed (SPINSTACK_LATENCY_LIMIT_MS=200 to hold it)
LATENCY_LIMIT_MS = float(os.environ.get("SPINSTACK_LATENCY_LIMIT_MS", "1000"))

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.slow,  # a browser and an explorer process per module: ~30 s in all
    pytest.mark.usefixtures("warm_kernels"),  # the explorer's process loads the kernels from the cache
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium "
                                                     "(apt-get install -y chromium)"),
]

# Once per page: every Bokeh figure notes when it last finished painting its canvas.
WATCH_PAINTS = """
() => {
  window.__spinstackPaints = new Map();
  const seen = new Set();
  const walk = (view) => {
    if (view == null || seen.has(view)) return;
    seen.add(view);
    const name = view.model != null ? view.model.constructor.__name__ : "";
    if ((name === "Figure" || name === "Plot") && !view.__spinstackWatched) {
      view.__spinstackWatched = true;
      const paint = view.paint.bind(view);
      view.paint = (...args) => {
        const result = paint(...args);
        window.__spinstackPaints.set(view, performance.now());
        return result;
      };
    }
    for (const child of view.child_views ?? []) walk(child);
  };
  for (const view of Object.values(Bokeh.index)) walk(view);
  return window.__spinstackPaints.size + [...seen].filter((v) => v.__spinstackWatched).length;
}
"""

# Sets the theta box in the page and reports, in ms from the input event, when the displayed g2
# changes (dom: the update has arrived and been applied) and when the frame showing the new
# figures has been rendered (paint): the first animation frame after which every figure has
# repainted its canvas since the update arrived, and a message posted from that frame is
# delivered once the frame is drawn.
MEASURE = """
([box, probe, value]) => new Promise((resolve, reject) => {
  const root = probe.getRootNode();
  const before = root.querySelector('#g2').textContent;
  const figures = [...window.__spinstackPaints.keys()];
  let start = 0;
  const observer = new MutationObserver(() => {
    const g2 = root.querySelector('#g2');
    if (!g2 || g2.textContent === before) return;
    const arrived = performance.now();
    const dom = arrived - start;
    observer.disconnect();
    const frame = () => {
      // Bokeh's repaints are queued animation frames: run after them, in the same frame
      const stale = figures.filter((view) => !(window.__spinstackPaints.get(view) > arrived));
      if (stale.length > 0) {
        if (performance.now() - start > 20000) reject(new Error(`${stale.length} figures never repainted`));
        else requestAnimationFrame(frame);
        return;
      }
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve({dom: dom, paint: performance.now() - start, text: g2.textContent,
                                               figures: figures.length});
      channel.port2.postMessage(null);
    };
    requestAnimationFrame(frame);
  });
  observer.observe(root, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('g2 did not change within 20 s')); }, 20000);
  box.value = String(value);
  start = performance.now();
  box.dispatchEvent(new Event('change', {bubbles: true}));
})
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def explorer_url() -> Iterator[str]:
    """``spinstack explore examples/seed-fnf.toml`` on a free port; always stopped afterwards."""
    pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "spinstack", "explore", str(SEED_FILE), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPOSITORY)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"spinstack explore exited with {process.returncode}: {process.stderr.read()}")
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("spinstack explore did not answer within 120 s")
            time.sleep(0.3)
        printed = process.stdout.readline()  # printed before the server started: already in the pipe
        assert url in printed, printed
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        process.stdout.close()
        process.stderr.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, explorer_url: str) -> Iterator[Any]:
    """A fresh session of the explorer, loaded (the numbers arrive over the websocket)."""
    context = browser.new_context(viewport={"width": 1360, "height": 1080})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    try:
        page.goto(explorer_url, timeout=120_000)
        page.locator("#g2").wait_for(timeout=120_000)
        yield page
        assert not outside, f"the page fetched from outside the local server: {outside}"
    finally:
        context.close()


def _solver_g2(theta: float) -> float:
    stack = with_parameter(spinstack.load_stack(SEED_FILE), THETA_F2, theta)
    return float(spinstack.solve(stack).efficiency().g2)


def _shown(page: Any, element: str) -> str:
    return page.locator(f"#{element}").inner_text().strip()


def _wait_for_change(page: Any, element: str, old: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = _shown(page, element)
        if text != old:
            return text
        time.sleep(0.02)
    raise AssertionError(f"#{element} still shows {old!r} after {timeout} s")


def _type(page: Any, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill(text)
    box.press("Enter")


def _error_text(page: Any) -> str:
    alert = page.locator(".stack-error p").first
    return alert.inner_text() if alert.count() and alert.is_visible() else ""


def _wait_for_error(page: Any, expected: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = _error_text(page)
        if expected in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"no inline message with {expected!r}; shown: {_error_text(page)!r}")


def test_the_seed_stack_is_shown_with_the_solver_numbers(page: Any) -> None:
    """Start state: theta = 60 deg, g2 as the solver gives it (seed App. II: g1 = g2 here), status in words."""
    assert float(_shown(page, "theta")) == 60.0
    assert float(_shown(page, "g2")) == pytest.approx(_solver_g2(60.0), rel=1e-7)
    assert _shown(page, "status").startswith("g2 > 0: the current pulls F2 towards F1")


def test_moving_f2_theta_shows_the_solver_g2_within_the_budget(page: Any) -> None:
    """Move theta of F2 several times; after each move the shown g2 is the solver's for the new state."""
    old = _shown(page, "g2")
    _type(page, THETA_BOX, "30")  # as a user types it; also warms the page up
    assert float(_wait_for_change(page, "g2", old)) == pytest.approx(_solver_g2(30.0), rel=1e-7)

    figures = page.evaluate(WATCH_PAINTS)
    assert figures == 5, figures  # two hodographs, two profiles, g(theta)
    dom, paint = [], []
    for theta in (35.0, 40.0, 45.0, 50.0, 55.0, 62.5, 65.0, 70.0, 75.0, 85.0, 80.0):
        box = page.locator(THETA_BOX).element_handle()
        probe = page.locator("#g2").element_handle()
        timing = page.evaluate(MEASURE, [box, probe, theta])
        assert float(timing["text"]) == pytest.approx(_solver_g2(theta), rel=1e-7), theta
        assert float(_shown(page, "theta")) == pytest.approx(theta)
        dom.append(timing["dom"])
        paint.append(timing["paint"])
        page.wait_for_timeout(100)  # a user's next move comes later than the redraw

    def spread(times: list[float]) -> str:
        quartiles = statistics.quantiles(times, n=4)
        return (f"median {statistics.median(times):.0f} ms (quartiles {quartiles[0]:.0f}-{quartiles[2]:.0f}; "
                f"all: {', '.join(f'{t:.0f}' for t in times)})")

    print(f"\nexplorer latency from the input event, {len(dom)} moves of F2's theta:\n"
          f"  -> g2 in the DOM (update arrived and applied): {spread(dom)}\n"
          f"  -> frame drawn with all {figures} figures repainted: {spread(paint)}\n"
          f"  server compute of the last move: {_shown(page, 'compute-ms')} ms")
    assert statistics.median(paint) < LATENCY_LIMIT_MS

    # the slider itself, by keyboard: one step of 0.5 deg
    old = _shown(page, "g2")
    handle = page.locator(".ctl-layers-2-magnetization-theta .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    assert float(_wait_for_change(page, "g2", old)) == pytest.approx(_solver_g2(80.5), rel=1e-7)
    assert float(_shown(page, "theta")) == pytest.approx(80.5)


def test_invalid_values_show_an_inline_message_and_the_app_keeps_serving(page: Any, explorer_url: str) -> None:
    g2 = _shown(page, "g2")
    _type(page, ".ctl-layers-1-thickness input", "0")
    message = _wait_for_error(page, "layers[1].thickness: must be > 0, got 0")
    assert "last valid stack" in message
    assert _shown(page, "g2") == g2  # the figures and numbers keep the last valid stack

    _type(page, ".ctl-layers-1-thickness input", "2")
    _type(page, ".ctl-materials-F2-p input", "1")
    _wait_for_error(page, "materials.F2.p: must lie strictly between -1 and 1, got 1")
    assert _shown(page, "g2") == g2

    _type(page, ".ctl-materials-F2-p input", "0.5")
    deadline = time.monotonic() + 30
    while _error_text(page) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _error_text(page) == ""

    # still answering: over HTTP, and in the page
    with urllib.request.urlopen(explorer_url, timeout=30) as response:
        assert response.status == 200
    _type(page, THETA_BOX, "45")
    assert float(_wait_for_change(page, "g2", g2)) == pytest.approx(_solver_g2(45.0), rel=1e-7)


def test_screenshot(page: Any, tmp_path: Path) -> None:
    """The whole page; for the README with SPINSTACK_SCREENSHOT=1 (docs/images/explorer.png)."""
    if os.environ.get("SPINSTACK_SCREENSHOT") == "1":
        target = REPOSITORY / "docs" / "images" / "explorer.png"
    else:
        target = tmp_path / "explorer.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # let the canvases finish drawing
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    assert re.match(rb"\x89PNG", target.read_bytes()[:4])
