"""Serving the explorer on the loopback interface (``spinstack explore``)."""

from __future__ import annotations

import socket
import sys

from ..errors import SpinstackError
from ..model import Stack

ADDRESS = "127.0.0.1"

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


def _page(stack: Stack | None, label: str) -> object:
    """One browser session's page, with :data:`SAME_CSS_PATCH` run when the document is ready."""
    import panel as pn
    from bokeh.models import CustomJS

    from .explorer import build_app

    page = build_app(stack, label)
    if pn.state.curdoc is not None:
        pn.state.curdoc.js_on_event("document_ready", CustomJS(code=SAME_CSS_PATCH))
    return page


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
    reading stdout learns where to connect.
    """
    import panel as pn

    port = listen_port(port)
    url = f"http://{ADDRESS}:{port}/"
    print(f"spinstack explorer at {url}  (Ctrl-C stops it)", flush=True)
    origins = [f"{ADDRESS}:{port}", f"localhost:{port}"]
    try:
        pn.serve({"/": lambda: _page(stack, label)}, address=ADDRESS, port=port, show=show,
                 threaded=False, websocket_origin=origins, title="spinstack explorer", verbose=False,
                 admin=False)
    except KeyboardInterrupt:
        print("spinstack explorer stopped", file=sys.stderr, flush=True)


__all__ = ["ADDRESS", "listen_port", "serve"]
