"""Serving the explorer on the loopback interface (``spinstack explore``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from ..errors import SpinstackError
from ..model import Stack

ADDRESS = "127.0.0.1"
#: F2: the largest websocket message the server takes (bytes; Bokeh's default is 20 MiB).  An opened stack file
#: ("open a stack file") arrives as one message holding it in base64 (4 bytes per 3): a 20 MB file closed the
#: user's session silently.  This fits a file just over the 32 MiB that stack files are read up to
#: (:data:`spinstack.io.textfile.MAX_FILE_BYTES`, also the CLI's limit), so a file up to ~36 MiB is answered
#: with the page's message naming the file and that limit; 1 MiB more for the message's JSON around it
WEBSOCKET_MAX_MESSAGE_BYTES = 48 * 1024 * 1024

# Run once in the page.  BokehJS rewrites the text of a <style> element for every renderer at
# every paint (its position), even when the text is the same; each rewrite invalidates the
# page's styles, and the next CSS lookup of a renderer (getComputedStyle, for its colours) then
# recomputes them: ~20 style recalculations per figure and repaint.  Skipping identical rewrites
# changes nothing on screen and removes most of the paint time of an update.  Private BokehJS
# API, hence the guards: without it the page is only slower.
SAME_CSS_PATCH = """
try {
  const proto = Bokeh.require("core/dom").InlineStyleSheet.prototype;
  if (!proto._spinstack_same_css) {
    const update = proto._update;
    proto._update = function (css) {
      if (this.el == null || this.el.textContent !== css) update.call(this, css);
    };
    proto._spinstack_same_css = true;
  }
} catch (error) {
  console.warn("spinstack: BokehJS style patch not applied", error);
}
"""


# Run once in the page.  BokehJS lays the WHOLE page out again (every figure measured, its axes' labels
# and legends, ~300-600 ms at load 4) whenever any part of it changes its children, a widget its label, or
# any element its size: a part's layout change goes up to the root and the root computes every view's
# layout (LayoutDOMView.invalidate_layout / compute_layout, and each container's ResizeObserver calls
# compute_layout when its box changes).  The explorer's figures have fixed sizes and the page's blocks are
# placed by CSS (flex-wrap), so neither depends on the control panel: the controls' card
# (class ``spin-controls``) is made a layout boundary (a change inside it lays out the card alone), and a
# container whose width stayed the same (it only grew taller: a control panel with more boxes, a longer
# message) computes no layout when it resizes; a width change (a resized window, a tab shown) still does.
# Private BokehJS API, hence the guards: without it the page is only slower.
#: The CSS classes of the parts laid out on their own (LAYOUT_PATCH): the controls' card, the structure card (its
#: listing and choices change with every edit), every figure (a fixed size), the theta play button (its label
#: changes), the toolbar (undo, redo and reset are enabled by the first move after a load or a switch: the whole
#: page was laid out again, 150-170 ms at load 10), and any part given the class ``spin-boundary``.
LAYOUT_BOUNDARIES = ("spin-controls", "spin-structure", "spin-figure", "theta-play", "spin-toolbar", "spin-boundary",
                     "dynamics-holder")  # D2: the Dynamics tab's holder (offered or not by its class)
LAYOUT_PATCH = """
try {
  const layout_dom = Bokeh.require("models/layouts/layout_dom");
  const plot = Bokeh.require("models/plots/plot");
  const proto = layout_dom.LayoutDOMView.prototype;
  if (!proto._spinstack_boundary) {
    proto._spinstack_boundary = true;
    const BOUNDARIES = new Set(%s);
    // a figure of a fixed size (any figure of the explorer's pages) depends on nothing around it
    const fixed = (model) => model instanceof plot.Plot && (model.sizing_mode == null || model.sizing_mode == "fixed");
    const boundary = (view) => fixed(view.model) || (view.model.css_classes ?? []).some((name) => BOUNDARIES.has(name));
    const local = (view) => {  // compute_layout as a root does it, for this view's subtree only
      view.measure_layout();
      view.update_bbox();
      view._compute_layout();
      view.after_layout();
      view._layout_computed = true;
    };
    const invalidate = proto.invalidate_layout;
    const compute = proto.compute_layout;
    const after_resize = proto._after_resize;
    // while the server's update is applied, a boundary's layout waits for the update's end: one layout per
    // boundary, not one per changed widget (a switch changed 8-12 widgets of the controls' card, and each laid the
    // whole card out again: 70-150 ms)
    let pending = null;
    proto.invalidate_layout = function () {
      if (!boundary(this)) invalidate.call(this);
      else if (pending != null) pending.add(this);
      else { this.update_layout(); local(this); }
    };
    const inside = (view, views) => {
      for (let parent = view.parent; parent != null; parent = parent.parent) if (views.has(parent)) return true;
      return false;
    };
    const documents = Bokeh.require("document").Document.prototype;
    const apply = documents.apply_json_patch;
    documents.apply_json_patch = function (...args) {
      if (pending != null) return apply.apply(this, args);
      pending = new Set();
      let views;
      try { return apply.apply(this, args); } finally {
        views = pending;
        pending = null;
        // a boundary inside another that waits too is laid out with it
        for (const view of views) {
          if (view.model.document == null || inside(view, views)) continue;
          try { view.update_layout(); local(view); } catch (error) { console.warn("spinstack: layout", error); }
        }
      }
    };
    proto.compute_layout = function () {
      if (boundary(this)) local(this); else compute.call(this);
    };
    proto._after_resize = function () {
      const width = this.bbox.width;
      const same = !(this.model instanceof plot.Plot) && this._spinstack_width === width && this._layout_computed;
      this._spinstack_width = width;
      if (same) return;  // taller or shorter only: nothing inside it is sized by its height
      after_resize.call(this);
    };
  }
} catch (error) {
  console.warn("spinstack: BokehJS layout patch not applied", error);
}
""" % json.dumps(LAYOUT_BOUNDARIES)


# Run once in the page: on a window narrower than a figure, the figure's frame is made
# narrower so that the whole figure (axes, legend, toolbar) fits the window's width; a square frame (the
# hodographs: equal scales on both axes) stays square, the others keep their height (labels are placed at a
# fixed height in them).  Once at load and after the window's size changes (a phone turned), never during an
# update: the frames stay fixed between resizes, so an update re-measures nothing.  Each figure's own size is
# kept and never exceeded (a desktop window changes nothing).  Why not Bokeh's stretch or scale sizing modes:
# they re-measure every figure on every update; why not CSS zoom/transform: BokehJS then lays the figures out
# in the wrong size (the profiles came out squeezed).
FIT_FIGURES = """
if (!window.__spinstackFit) {
  window.__spinstackFit = true;
  const original = new Map();  // model id -> [frame_width, frame_height] as built
  const plots = (view, found, seen) => {
    if (view == null || seen.has(view)) return;
    seen.add(view);
    if (view.model != null && view.model.frame_width != null && view.frame != null) found.push(view);
    for (const child of view.child_views ?? []) plots(child, found, seen);
  };
  const fit = () => {
    const found = [], seen = new Set();
    for (const view of Object.values(Bokeh.index)) plots(view, found, seen);
    // a phone's browser widens its layout to content wider than the screen: the screen's width then bounds it
    const window_width = Math.min(document.documentElement.clientWidth, window.screen.width || Infinity);
    for (const view of found) {
      const model = view.model;
      const title = model.title != null && typeof model.title === "object" ? model.title : null;
      if (!original.has(model.id)) original.set(model.id, [model.frame_width, model.frame_height, title?.text]);
      const [width, height, text] = original.get(model.id);
      const box = view.el.getBoundingClientRect();
      if (box.width === 0) continue;  // in a hidden tab: fitted when shown (the resize of a tab switch)
      // axes, legend, toolbar: the canvas's width (which a wide title or legend may make wider than the view's box)
      const extra = Math.max(0, (view.canvas_view?.bbox?.width ?? view.bbox.width) - view.frame.bbox.width);
      const room = window_width - Math.max(0, box.left) - 6 - extra;
      const frame = Math.max(120, Math.min(width, Math.floor(room)));
      // a title wider than the frame would widen the figure again: on two lines, split at the middle space
      let shown = text;
      if (title != null && typeof text === "string" && frame < width && 6.5 * text.length > frame) {
        const spaces = [...text.matchAll(/ /g)].map((match) => match.index);
        const middle = spaces.reduce((best, at) => Math.abs(at - text.length / 2) < Math.abs(best - text.length / 2)
                                     ? at : best, spaces[0] ?? -1);
        if (middle > 0) shown = text.slice(0, middle) + "\\n" + text.slice(middle + 1);
      }
      if (title != null && title.text !== shown) title.text = shown;
      // a legend of two columns below a narrowed frame runs its entries into each other: one column then
      for (const legend of [...(model.below ?? []), ...(model.center ?? [])]) {
        if (legend.ncols == null || legend.items == null) continue;
        if (!original.has(legend.id)) original.set(legend.id, legend.ncols);
        const columns = frame < width && frame < 330 ? 1 : original.get(legend.id);
        if (legend.ncols !== columns) legend.ncols = columns;
      }
      if (frame === model.frame_width) continue;
      const square = width === height;
      model.setv(square ? {frame_width: frame, frame_height: frame} : {frame_width: frame});
    }
  };
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(fit, 150); };
  window.addEventListener("resize", later);
  window.addEventListener("orientationchange", later);
  document.addEventListener("click", (event) => {  // a tab shown: its figures get their width
    if (event.composedPath().some((el) => el.classList != null && el.classList.contains("bk-tab"))) later();
  }, true);
  fit();
  setTimeout(fit, 500);  // the figures laid out after the first pass (narrower page, wrapped blocks)
  // new figures (another preset, an edited structure): fitted when they appear
  setInterval(() => {
    const found = [], seen = new Set();
    for (const view of Object.values(Bokeh.index)) plots(view, found, seen);
    if (found.some((view) => !original.has(view.model.id) && view.el.getBoundingClientRect().width > 0)) fit();
  }, 400);
}
"""

# The page template: Panel's own, with the viewport line a phone needs to lay the page out at its own width
# (without it a phone's browser lays it out ~980 px wide and shrinks it).
# (Panel puts "{% extends base %}" before a template given as text.)
VIEWPORT_TEMPLATE = """{% block postamble %}<meta name="viewport" content="width=device-width, initial-scale=1">{% endblock %}"""

_WORKERS: Any = None  # the solver threads of every session (concurrent.futures.ThreadPoolExecutor), made on first use


def _background(document: Any) -> Callable[[Callable[[], Any], Callable[[Any], None]], None]:
    """A runner for :class:`~spinstack.app.explorer.Explorer`: ``work`` in a solver thread, then ``done(its
    value)`` in ``document``'s next tick (under the document's lock, where Bokeh models may change).

    Why: a solve on the server's own thread holds up the reading of the browser's messages, so
    every value of a slider drag was solved in turn; with the solve elsewhere the messages
    keep arriving and the explorer solves only the newest values.  ``work`` must not raise
    (the explorer's catches every error); ``done`` is skipped once the session is gone.

    Call it on the server's thread (the page is built there): the solver thread hands the result
    back through that thread's Tornado IOLoop (``add_callback``, Tornado's one thread-safe entry), and
    only there is ``document.add_next_tick_callback`` called.  Bokeh's document is not thread-safe:
    called from the solver thread, it ran the document's change machinery (its list of held events,
    the stack of patched ``curdoc``) in that thread while the server thread was already running the
    callback it had scheduled, showing the result under ``pn.io.hold``; now and then an update's
    changes never reached the browser (seen at load ~5-9: the server set #update to N, the page
    got no patch for it and showed N-1 for good; events added from another thread while the owner
    holds and unholds are lost, 4 of 20 000 in a stress test).
    """
    from tornado.ioloop import IOLoop

    global _WORKERS
    if _WORKERS is None:
        from concurrent.futures import ThreadPoolExecutor

        # one: the solves take turns anyway (explorer._ONE_SOLVE); one session has at most one under way
        _WORKERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spinstack-solve")
    loop = IOLoop.current()  # the server's loop (this runs on its thread)

    def run(work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def on_server_thread(future: Any) -> None:
            if document.session_context is None or document.session_context.destroyed:
                return
            document.add_next_tick_callback(lambda: done(future.result()))

        def finished(future: Any) -> None:  # in the solver thread (or here, if the work ended already)
            loop.add_callback(on_server_thread, future)

        _WORKERS.submit(work).add_done_callback(finished)

    return run


def _page(stack: Stack | None, label: str) -> object:
    """One browser session's page, with :data:`SAME_CSS_PATCH` run when the document is ready.

    When the session ends (its page closed, and Bokeh's unused-session lifetime over) the
    page releases what would otherwise keep it alive for the life of the server
    (:meth:`~spinstack.app.explorer.App.release`).
    """
    import panel as pn
    from bokeh.models import CustomJS

    from .controls import ACCESSIBLE_NAMES
    from .explorer import App

    document = pn.state.curdoc
    app = App(stack, label, _background(document) if document is not None else None)
    if document is not None:
        document.js_on_event("document_ready", CustomJS(code=SAME_CSS_PATCH))
        document.js_on_event("document_ready", CustomJS(code=LAYOUT_PATCH))  # a control panel change: no page layout
        document.js_on_event("document_ready", CustomJS(code=ACCESSIBLE_NAMES))  # every control named (E4)
        document.js_on_event("document_ready", CustomJS(code=FIT_FIGURES))  # figures as wide as a phone at most
        document.template = VIEWPORT_TEMPLATE
        document.on_session_destroyed(lambda context: app.release())
    return app.layout


def local_hosts(port: int) -> tuple[str, ...]:
    """The Host headers the explorer answers to: ``127.0.0.1:PORT`` and ``localhost:PORT``."""
    return (f"{ADDRESS}:{port}", f"localhost:{port}")


def refuse_foreign_hosts(server: Any, hosts: tuple[str, ...]) -> None:
    """Answer 403 to every request (page, static file, websocket upgrade) whose Host is not in ``hosts``.

    Why: a page from another site can make its own name resolve to 127.0.0.1 (DNS
    rebinding) and then talk to the explorer as the same origin; its requests still carry
    its own name in the Host header.  Bokeh checks the Origin of websockets only, and
    Tornado skips even that when Origin equals Host, which is exactly the rebinding case;
    nothing checks Host on plain HTTP.  The rule goes first in the Tornado application's
    router, so it sees every request before any Bokeh or Panel handler.

    Parameters
    ----------
    server
        A Bokeh ``Server`` not yet started (from ``panel.io.server.get_server``).
    hosts
        The Host header values to accept, ``name:port``, compared without regard to case.

    Raises
    ------
    RuntimeError
        If the server's Tornado application cannot be reached (a Bokeh change): the
        explorer then refuses to serve rather than serve unguarded.
    """
    from tornado.routing import Matcher, Rule
    from tornado.web import Application, RequestHandler

    application = getattr(server, "_tornado", None)  # Bokeh's BokehTornado; no public accessor
    if not isinstance(application, Application):
        raise RuntimeError("cannot install the Host check on this Bokeh server; not serving without it")
    allowed = frozenset(host.lower() for host in hosts)

    class ForeignHost(Matcher):
        def match(self, request: Any) -> dict[str, Any] | None:
            return None if request.host.lower() in allowed else {}

    class Refused(RequestHandler):
        def prepare(self) -> None:
            # the refused Host is not echoed back: its page could read it
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"403 Forbidden: the spinstack explorer answers only at http://{hosts[0]}/\n")

        def check_xsrf_cookie(self) -> None:  # a refusal changes nothing: no token needed to get it
            pass

    application.default_router.rules.insert(0, Rule(ForeignHost(), Refused))


#: Panel's route serving a component's resource files (``/components/<module>/<class>/<attribute>/<path>``):
#: it imports ``<module>`` by name on a plain GET, any module installed (``/components/this/x/_css/a`` ran
#: ``import this``).  The explorer's pages never request it (checked: every request of the seed, three-F and
#: dynamics pages in Chromium, every card and tab opened), so it is refused outright.
COMPONENTS_PREFIX = "/components/"


def refuse_component_routes(server: Any) -> None:
    """Answer 404 to every request under :data:`COMPONENTS_PREFIX`, before Panel's handler imports anything.

    The rule goes first in the Tornado application's router, as :func:`refuse_foreign_hosts`'s does.

    Raises
    ------
    RuntimeError
        If the server's Tornado application cannot be reached (a Bokeh change): not serving without it.
    """
    from tornado.routing import Matcher, Rule
    from tornado.web import Application, RequestHandler

    application = getattr(server, "_tornado", None)
    if not isinstance(application, Application):
        raise RuntimeError("cannot refuse Panel's /components/ route on this Bokeh server; not serving without it")

    class ComponentPath(Matcher):
        def match(self, request: Any) -> dict[str, Any] | None:
            # the path as the handlers see it (percent-escapes decoded: /%63omponents/ is /components/)
            from urllib.parse import unquote

            path = unquote(request.path)
            return {} if path.startswith(COMPONENTS_PREFIX) or path.rstrip("/") == COMPONENTS_PREFIX.rstrip("/") \
                else None

    class Refused(RequestHandler):
        def prepare(self) -> None:
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("404 Not Found: the spinstack explorer serves no component resources\n")

        def check_xsrf_cookie(self) -> None:  # a refusal changes nothing
            pass

    application.default_router.rules.insert(0, Rule(ComponentPath(), Refused))


def docs_routes() -> list[tuple[str, Any]]:
    """Tornado routes of the documentation the help links open (:mod:`spinstack.app.docs`): ``/docs/<page>``
    (README, MODEL, STACK_FORMAT as HTML, a heading id per section) and ``/docs/images/<name>.png``."""
    from tornado.web import RequestHandler

    from . import docs

    class Page(RequestHandler):
        def get(self, name: str) -> None:
            status, text = docs.page(name)
            self.set_status(status)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(text)

    class Image(RequestHandler):
        def get(self, name: str) -> None:
            data = docs.image(name)
            if data is None:
                self.set_status(404)
                self.finish("no such picture")
                return
            self.set_header("Content-Type", "image/png")
            self.finish(data)

    return [(rf"{docs.PREFIX}/images/([^/]+)", Image), (rf"{docs.PREFIX}/([a-z-]+)/?", Page)]


def make_server(stack: Stack | None = None, label: str = "given stack", port: int = 0, show: bool = False,
                **settings: Any) -> Any:
    """The explorer's Bokeh server on ``127.0.0.1:port``, bound but not started.

    Parameters
    ----------
    stack, label, show
        As for :func:`serve`.
    port
        A port that is free (:func:`listen_port`).
    **settings
        Passed to ``panel.io.server.get_server`` and on to Bokeh's ``Server`` (e.g. ``loop``, the
        Tornado IOLoop, and ``unused_session_lifetime_milliseconds``).

    Returns
    -------
    bokeh.server.server.Server
        Start it with ``server.start()`` and run its ``io_loop``.  It answers only to the
        Host names of :func:`local_hosts` (:func:`refuse_foreign_hosts`).
    """
    from panel.io.server import get_server

    hosts = local_hosts(port)
    patterns = [*settings.pop("extra_patterns", []), *docs_routes()]
    settings.setdefault("websocket_max_message_size", WEBSOCKET_MAX_MESSAGE_BYTES)  # F2: an opened file fits
    server = get_server({"/": lambda: _page(stack, label)}, address=ADDRESS, port=port, show=show, start=False,
                        websocket_origin=list(hosts), title="spinstack explorer", verbose=False, admin=False,
                        extra_patterns=patterns, **settings)
    refuse_component_routes(server)
    refuse_foreign_hosts(server, hosts)  # first: a foreign Host is refused before anything else is looked at
    return server


def listen_port(port: int | None = None) -> int:
    """``port`` if the explorer can listen on it at 127.0.0.1, or a free port when omitted or 0.

    Raises
    ------
    SpinstackError
        If ``port`` is taken or not allowed.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((ADDRESS, port or 0))
        except OSError as error:
            raise SpinstackError(f"--port {port}: cannot listen on {ADDRESS}:{port} ({error.strerror})") from None
        return int(probe.getsockname()[1])


def serve(stack: Stack | None = None, label: str = "given stack", port: int | None = None,
          show: bool = False) -> None:
    """Serve the explorer at http://127.0.0.1:PORT/ until interrupted (Ctrl-C).

    Parameters
    ----------
    stack
        The start stack (every browser session gets its own copy of the app); the seed
        preset when omitted.
    label
        The stack's name in the preset menu.
    port
        The port; a free one when omitted or 0 (:func:`listen_port`).
    show
        Open the page in the default web browser.

    Notes
    -----
    The URL is printed (and stdout flushed) before the server blocks, so that a caller
    reading stdout learns where to connect.  Requests whose Host header is not
    ``127.0.0.1:PORT`` or ``localhost:PORT`` get 403 (:func:`refuse_foreign_hosts`).
    """
    port = listen_port(port)
    interrupt = signal.getsignal(signal.SIGINT)
    server = make_server(stack, label, port, show)
    if getattr(interrupt, "spinstack_replaceable", False) and signal.getsignal(signal.SIGINT) is not interrupt:
        # the command's Ctrl-C handler, which Panel's get_server replaced with its own (that stopped the loop
        # quietly: exit status 0 after 3 s of Python's finalization): back, and taken over as SIGTERM's
        signal.signal(signal.SIGINT, interrupt)
    print(f"spinstack explorer at http://{ADDRESS}:{port}/  (Ctrl-C stops it)", flush=True)
    received, previous = _stop_on_signals(server)
    try:
        server.start()
        server.io_loop.start()  # until _stop_on_signals's handler (or Panel's SIGINT handler) stops the loop
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        _stopped_by(received[0], previous[received[0]])
    print("spinstack explorer stopped", file=sys.stderr, flush=True)


#: the signals that stop a served explorer promptly with the command's line and status, by name (SIGINT only
#: when the command's handler has it: a Python caller's Ctrl-C is Panel's, which stops the loop)
STOP_SIGNALS = tuple(name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stop_on_signals(server: Any) -> tuple[list[int], dict[int, Any]]:
    """Make SIGINT, SIGTERM and SIGHUP stop ``server``'s loop (its thread then goes on after ``io_loop.start()``).

    Why: the command's own handlers (``_spinstack_cli``) raise an exception where the signal lands; in the
    server's loop that is often inside a callback (a session's message, a solve's result), where asyncio
    logs and drops it, and the explorer went on serving.  Only a handler left at Python's default or the
    command's is replaced (a caller's own handler stays).

    Returns the list that gets the received signal's number, and the replaced handlers by signal.
    """
    received: list[int] = []
    previous: dict[int, Any] = {}
    loop = server.io_loop.asyncio_loop

    def handler(signum: int, frame: Any) -> None:
        if not received:
            received.append(signum)
            loop.call_soon_threadsafe(server.io_loop.stop)

    for name in STOP_SIGNALS:
        signum = getattr(signal, name)
        current = signal.getsignal(signum)
        if current == signal.SIG_DFL or getattr(current, "spinstack_replaceable", False):
            previous[signum] = current
            signal.signal(signum, handler)
    return received, previous


def _stopped_by(signum: int, handler: Any) -> None:
    """End as ``handler`` (the one replaced by :func:`_stop_on_signals`) would have for ``signum``, at once.

    The command's handler raises its stop (the command then prints one line and exits 128 + the number);
    Python's default ends the process by the signal.
    """
    if callable(handler):
        _exit_promptly(128 + signum)
        handler(signum, None)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _exit_promptly(status: int) -> None:
    """Make the process end with ``status`` as soon as the command has said why (its first exit handler).

    Why: Python's finalization of a served explorer (the Bokeh documents of every session, numba's compiled
    kernels, Panel's and Tornado's state) took 3-6 s after the stop line, so a service manager's SIGTERM
    was answered late (and maybe with a SIGKILL).  Nothing is left to write by then: the explorer keeps no
    file open, and the standard streams are flushed first.  Non-daemon threads (a solve under way) are
    still joined before exit handlers run.
    """
    import atexit

    def leave() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed, or no stream
                pass
        os._exit(status)

    atexit.register(leave)  # registered last: run first


__all__ = ["ADDRESS", "COMPONENTS_PREFIX", "WEBSOCKET_MAX_MESSAGE_BYTES", "docs_routes", "listen_port", "local_hosts",
           "make_server", "refuse_component_routes", "refuse_foreign_hosts", "serve"]
