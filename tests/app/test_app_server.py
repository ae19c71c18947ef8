"""The explorer's server: it answers only to local Host names, and a closed session leaves nothing of ours behind.

DNS rebinding: a page of evil.example makes its name resolve to 127.0.0.1 and then reaches
the explorer as its own origin; the browser still sends ``Host: evil.example:PORT`` (and, on
a websocket, an Origin equal to that Host, which Tornado does not check).  Raw requests with
http.client play that browser against ``spinstack explore`` in a subprocess.

Memory: every session builds an :class:`~spinstack.app.explorer.App`; once the session has
ended, none of them may stay alive (they did, about 2 MB each, through Panel's registry of
browser-side callbacks).  That runs in this process, against :func:`make_server` in a thread.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import re
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spinstack

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App, Explorer  # noqa: E402
from spinstack.app.server import listen_port, make_server  # noqa: E402

# real processes of the command here load the compiled kernels from the cache (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("warm_kernels")

REPOSITORY = Path(__file__).resolve().parents[2]


def _request(port: int, path: str, host: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET ``path`` from 127.0.0.1:``port`` with the given Host header: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace") if response.status != 101 else ""
        return response.status, body
    finally:
        connection.close()


@pytest.fixture
def served(presets_server: Any) -> int:
    """The port of ``spinstack explore`` (the presets), shared with the other tests of tests/app (conftest.py)."""
    return int(presets_server.port)


def _token(page: str) -> str:
    """The Bokeh session token a served page carries (the websocket needs it)."""
    found = re.search(r'"token"\s*:\s*"([^"]+)"', page)
    assert found, "no session token in the page"
    return found.group(1)


def _upgrade(port: int, host: str, token: str) -> tuple[int, str]:
    """A browser's websocket upgrade to /ws with ``Origin`` equal to ``Host`` (what DNS rebinding sends)."""
    return _request(port, "/ws", host, {"Origin": f"http://{host}", "Connection": "Upgrade", "Upgrade": "websocket",
                                        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                        "Sec-WebSocket-Protocol": f"bokeh, {token}"})


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.evil.example:{port}", "localhost.:{port}",
                                  "127.0.0.1:1", "localhost", "127.0.0.1", "[::1]:{port}", ""])
def test_a_foreign_host_gets_403_and_no_page(served: int, host: str) -> None:
    """The page, a static file, an unknown path and the websocket path: 403 for any other Host."""
    host = host.format(port=served)
    for path in ("/", "/static/js/bokeh.min.js", "/favicon.ico", "/no-such-page", "/ws"):
        status, body = _request(served, path, host)
        assert status == 403, (host, path, status)
        assert "Bokeh" not in body and "spinstack explorer at" not in body and "<html" not in body.lower()
        assert "evil" not in body  # the refused Host is not echoed back


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}"])
def test_a_local_host_gets_the_page(served: int, host: str) -> None:
    status, body = _request(served, "/", host.format(port=served))
    assert status == 200
    assert "<title>spinstack explorer</title>" in body
    status, script = _request(served, "/static/js/bokeh.min.js", host.format(port=served))
    assert status == 200 and "Bokeh" in script


def test_a_websocket_upgrade_from_a_foreign_host_is_refused(served: int) -> None:
    """With a valid session token the upgrade succeeds (101) from 127.0.0.1 and is refused (403) from
    evil.example, whose Origin equals its Host: the case Tornado's own origin check lets through."""
    local = f"127.0.0.1:{served}"
    status, page = _request(served, "/", local)
    assert status == 200
    status, body = _upgrade(served, f"evil.example:{served}", _token(page))
    assert status == 403, status
    assert "evil" not in body

    status, page = _request(served, "/", local)
    status, _ = _upgrade(served, local, _token(page))
    assert status == 101  # the same request from the local name is a websocket


# ---------------------------------------------------------------- sessions and memory
@pytest.fixture(scope="module")
def in_process() -> Iterator[Any]:
    """The explorer's server in a thread of this process, sessions expiring 0.1 s after their last connection."""
    holder: dict[str, Any] = {}
    started = threading.Event()
    port = listen_port()

    def run() -> None:
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = IOLoop.current()
        try:
            holder["server"] = make_server(None, "presets", port, loop=loop, check_unused_sessions_milliseconds=100,
                                           unused_session_lifetime_milliseconds=100)
            holder["server"].start()
        finally:
            started.set()
        loop.start()
        loop.close(all_fds=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(60)
    server = holder["server"]
    try:
        yield server
    finally:
        server.io_loop.add_callback(server.stop)
        server.io_loop.add_callback(server.io_loop.stop)
        thread.join(30)


def test_an_opened_stack_file_up_to_the_file_limit_fits_one_websocket_message(in_process: Any) -> None:
    """F2: "open a stack file" sends the file in base64 (4 bytes per 3) in one websocket message; Bokeh's default
    limit (20 MiB) closed the session of a 20 MB file silently.  The served explorer takes a message holding a file
    over the 32 MiB files are read up to (so that one is answered with the page's message) and its JSON."""
    import math

    from spinstack.app.server import WEBSOCKET_MAX_MESSAGE_BYTES
    from spinstack.io.textfile import MAX_FILE_BYTES

    taken = in_process._tornado.settings["websocket_max_message_size"]
    assert taken == WEBSOCKET_MAX_MESSAGE_BYTES
    assert taken >= 4 * math.ceil((MAX_FILE_BYTES + 1) / 3) + 2**20


@pytest.mark.slow  # sessions opened and closed until the collector has freed them: ~10-30 s
def test_no_app_or_explorer_outlives_its_session(in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five sessions (three page loads, two websocket sessions, closed): once Bokeh has discarded them,
    none of their App or Explorer objects is alive (before the fix, every one stayed, ~2 MB each)."""
    from bokeh.client import pull_session

    built: list[weakref.ref[Any]] = []
    init = App.__init__

    def recorded(self: App, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        built.extend((weakref.ref(self), weakref.ref(self.explorer)))

    monkeypatch.setattr(App, "__init__", recorded)
    port = in_process.port
    for _ in range(3):
        assert _request(port, "/", f"127.0.0.1:{port}")[0] == 200
    clients = [pull_session(url=f"http://127.0.0.1:{port}/") for _ in range(2)]
    for client in clients:
        client.close()
    assert len(built) == 2 * 5  # an App and its Explorer per session

    deadline = time.monotonic() + 30
    while in_process.get_sessions("/") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not in_process.get_sessions("/"), "the sessions were not discarded"
    deadline = time.monotonic() + 10  # the discard runs on the server's loop: let it finish
    while True:
        gc.collect()
        left = [type(ref()).__name__ for ref in built if ref() is not None]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert left == [], f"{len(left)} objects of closed sessions still alive: {left}"


def test_a_replaced_stack_is_freed() -> None:
    """Choosing another preset drops the old stack's controls (they stayed alive for the life of the server);
    a stack that needs other figures (an in-plane drive) drops the old figures too."""
    app = App(None, "presets")
    old = weakref.ref(app.explorer.controls)
    app.menu.value = "three-f"
    gc.collect()
    assert old() is None
    assert len(app.explorer.stack.ferromagnet_indices) == 3
    figure = weakref.ref(app.explorer.accumulation.figure)
    old = weakref.ref(app.explorer.controls)
    app.show_stack(spinstack.load_stack(Path(__file__).parents[2] / "examples" / "pt-co-sot.toml"), "pt-co-sot.toml")
    gc.collect()
    assert old() is None and figure() is None
    assert app.explorer.in_plane
    app.menu.value = "three-f"
    app.explorer.controls.widget("layers[1].thickness").value = 2.5  # the new one still re-solves
    assert float(app.explorer.stack.layers[1].thickness) == 2.5


class _RecordingDocument:
    """A stand-in for a session's Bokeh document: notes the thread of every ``add_next_tick_callback`` and runs
    the callback (as the server's next tick would)."""

    def __init__(self) -> None:
        self.session_context = type("Context", (), {"destroyed": False})()
        self.threads: list[str] = []

    def add_next_tick_callback(self, callback: Any) -> None:
        self.threads.append(threading.current_thread().name)
        callback()


def test_a_background_solve_hands_its_result_back_on_the_server_thread() -> None:
    """The solver thread never touches the session's document: ``done`` is scheduled through the server's IOLoop
    and ``add_next_tick_callback`` is called on the server's thread.  Called from the solver thread it ran Bokeh's
    (not thread-safe) document machinery there while the server thread showed the result under a hold, and an
    update now and then never reached the browser (the browser budget test: 'no update painted within 20000 ms')."""
    from tornado.ioloop import IOLoop

    from spinstack.app.server import _background

    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        document = _RecordingDocument()
        results: list[tuple[Any, str]] = []
        server_thread = threading.current_thread().name

        async def solve_twice() -> None:
            run = _background(document)  # built on the server's thread, as _page does
            for value in (1, 2):
                finished = asyncio.Event()
                run(lambda value=value: (time.sleep(0.02), value)[1],
                    lambda result: (results.append((result, threading.current_thread().name)), finished.set()))
                await asyncio.wait_for(finished.wait(), timeout=30)

        IOLoop.current().run_sync(solve_twice)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert results == [(1, server_thread), (2, server_thread)]
    assert document.threads == [server_thread, server_thread]
