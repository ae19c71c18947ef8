"""What a link (or an upload) may make the explorer do: nothing costly, nothing foreign, nothing that is not text.

* A link is cheap to send (a 319-character ``?stack=`` packs 200 layers) and was expensive to open: the
  page was built and solved on the server's one I/O thread during the GET (20 s for 200 layers, every
  other request waiting).  A stack over :data:`~spinstack.app.session.MAX_LAYERS` layers from a link, an
  upload or an edit is refused before anything is built.
* Panel's ``/components/<module>/...`` route imported any installed module on a plain GET: refused.
* A file opened in the page travels in the link as :func:`spinstack.dumps_stack` writes it (a commented
  1.6 MB file's raw text was over the link's limit, and the page refused its own link); a state no link can
  carry is said, and no broken link written.
* The page's error message quotes a link's file name and TOML: shown as text, never as Markdown (a link,
  an image).
"""

from __future__ import annotations

import html
import http.client
import time
from pathlib import Path
from typing import Any

import pytest

import spinstack

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App  # noqa: E402
from spinstack.app.session import (MAX_LAYERS, MAX_NAME_CHARS, MAX_REFUSALS, MAX_TEXT_BYTES, Session,  # noqa: E402
                                   decode_query, pack_text)
from spinstack.io.stackwriter import dumps_stack  # noqa: E402

pytestmark = pytest.mark.usefixtures("warm_kernels")

REPOSITORY = Path(__file__).resolve().parents[2]
SEED = REPOSITORY / "examples" / "seed-fnf.toml"
_HEAD = ("units = 'reduced'\ncurrent = 1.0\n[materials.F]\ntype = 'ferromagnet'\nD = 1.0\np = 0.5\nl = 2.0\n"
         "[materials.N]\ntype = 'normal'\nD = 3.0\nl = 10.0\n")


def _layers(count: int) -> str:
    """A stack file of ``count`` layers, F and N in turn (the magnetizations fanned out)."""
    body = "".join(f"[[layers]]\nmaterial = 'F'\nthickness = 1\nmagnetization = {{theta = {i * 10 % 180}, phi = 0}}\n"
                   if i % 2 == 0 else "[[layers]]\nmaterial = 'N'\nthickness = 1\n" for i in range(count))
    return _HEAD + body


def _app() -> App:
    return App(spinstack.load_stack(SEED), "file: seed-fnf.toml")


def _alert(app: App) -> str:
    return app.explorer.alert.object if app.explorer.alert.visible else ""


def _rendered(app: App) -> str:
    """The error message as the browser gets it (Panel's Markdown rendered to HTML)."""
    alert = app.explorer.alert
    return html.unescape(str(alert._transform_object(alert.object)["object"]))  # (escaped once more for Bokeh)


# ---------------------------------------------------------------------------------------------- 1. size
def test_a_link_to_a_stack_over_the_limit_is_refused_before_anything_is_built() -> None:
    app = _app()
    shown = []
    app.show_stack = lambda *args, **kwargs: shown.append(args)  # type: ignore[method-assign]
    refusals = app.open_query("?stack=" + pack_text(_layers(MAX_LAYERS + 1)))
    assert shown == []  # no page built, no solve
    assert refusals == [f"URL parameter stack: stack.toml: layers: {MAX_LAYERS + 1} layers: the explorer shows "
                        f"stacks of at most {MAX_LAYERS} layers from a link, an opened file or an edit (each move "
                        "re-solves the stack while you wait); explore a larger file with `spinstack explore FILE` "
                        "or solve it with `spinstack solve`"]
    assert f"at most {MAX_LAYERS} layers" in _alert(app)
    # the same as a file opened by a link
    refusals = _app().open_query("?name=big.toml&file=" + pack_text(_layers(200)))
    assert len(refusals) == 1 and refusals[0].startswith("URL parameter file: big.toml: layers: 200 layers: ")


def test_a_stack_at_the_limit_opens_from_a_link() -> None:
    app = _app()
    assert app.open_query("?stack=" + pack_text(_layers(MAX_LAYERS))) == []
    assert len(app.explorer.stack.layers) == MAX_LAYERS


def test_an_upload_over_the_limit_gets_the_same_refusal_and_an_edit_cannot_pass_it() -> None:
    app = _app()
    assert not app.structure.open_file("big.toml", _layers(MAX_LAYERS + 1).encode())
    assert f"big.toml: layers: {MAX_LAYERS + 1} layers: the explorer shows stacks of at most {MAX_LAYERS}" \
        in _alert(app)
    assert len(app.explorer.stack.layers) == 3  # the seed, still
    assert app.structure.open_file("full.toml", _layers(MAX_LAYERS).encode())
    panel = app.structure
    panel.card.collapsed = False
    panel.material.value = "N"
    panel.add_button.clicks += 1
    assert len(app.explorer.stack.layers) == MAX_LAYERS
    assert f"layers: {MAX_LAYERS + 1} layers: the explorer shows stacks of at most {MAX_LAYERS}" in _alert(app)


def test_a_long_link_is_not_a_long_message_and_a_file_name_is_a_name() -> None:
    refusals = decode_query("&".join(f"x{i}=1" for i in range(100)), {})[2]
    assert refusals == [f"URL parameter x{i}: no such control on this page" for i in range(MAX_REFUSALS)] + [
        f"and {100 - MAX_REFUSALS} more parameters refused"]
    refusals = _app().open_query(f"?name={'a' * (MAX_NAME_CHARS + 1)}&file={pack_text(SEED.read_text())}")
    assert refusals == [f"URL parameter name: a file name of at most {MAX_NAME_CHARS} characters expected"]


# ---------------------------------------------------------------------------------------------- 3. links
def test_a_large_commented_file_gives_a_link_that_reopens_the_same_stack() -> None:
    text = SEED.read_text() + "".join(f"# comment line {i} {'x' * 60}\n" for i in range(20000))
    assert len(text) > 1_600_000 > MAX_TEXT_BYTES
    app = _app()
    assert app.structure.open_file("big.toml", text.encode())
    query = app.session.query()
    assert app.session.unlinkable(query) is None
    again = _app()
    assert again.open_query(query) == []
    assert dumps_stack(again.explorer.stack) == dumps_stack(spinstack.load_stack(SEED))
    assert app.session.opened is not None and again.session.opened == app.session.opened


class _Location:
    search = ""


def test_a_state_no_link_can_carry_writes_no_link_and_says_so() -> None:
    app = _app()
    session: Session = app.session
    location = _Location()
    session.location = location
    told: list[str] = []
    session.tell = told.append
    session.opened = ("huge.toml", "#" * (MAX_TEXT_BYTES + 1))
    session._write_url()
    assert location.search == ""  # no broken link
    assert told and "too large for a link" in told[0]
    session.opened = ("small.toml", SEED.read_text())
    session._write_url()
    assert location.search.startswith("?name=small.toml&file=")


# ---------------------------------------------------------------------------------------------- 4. markdown
@pytest.mark.parametrize("name", ["[fix](http:evil.example)", "![t](http:evil.example)", "evil.com",
                                  "<img src=x onerror=alert(1)>"])
def test_a_file_name_in_the_message_is_text_not_markdown(name: str) -> None:
    from urllib.parse import quote

    app = _app()
    refusals = app.open_query(f"?name={quote(name)}&file={pack_text('layers = 1')}")
    assert refusals
    rendered = _rendered(app)
    assert "<a " not in rendered and "<img" not in rendered and "href" not in rendered
    assert html.escape(Path(name).name) in rendered  # shown, literally


def test_an_upload_name_in_the_message_is_text_not_markdown() -> None:
    app = _app()
    assert not app.structure.open_file("[x](http:evil.example).toml", b"layers = 1")
    rendered = _rendered(app)
    assert "<a " not in rendered and "[x](http:evil.example).toml" in rendered


# ---------------------------------------------------------------------------------------------- HTTP
def _get(port: int, path: str) -> tuple[int, str, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), time.perf_counter() - start
    finally:
        connection.close()


@pytest.fixture
def served(presets_server: Any) -> tuple[int, Path]:
    """``spinstack explore`` (the presets, shared with the other tests of tests/app: conftest.py), its stderr in a
    file: (port, that file)."""
    return int(presets_server.port), presets_server.stderr


@pytest.mark.parametrize("path", ["/components/this/x/_css/a", "/components/antigravity/x/_css/a",
                                  "/%63omponents/this/x/_css/a", "/components/panel/Card/_stylesheets/x.css",
                                  "/components/", "/components"])
def test_the_components_route_is_refused_and_imports_nothing(served: tuple[int, Path], path: str) -> None:
    port, log = served
    status, body, _ = _get(port, path)
    assert status == 404 and "serves no component resources" in body
    assert "Beautiful is better than ugly" not in log.read_text()  # `import this` prints the Zen of Python


def test_a_link_to_200_layers_costs_what_a_page_costs(served: tuple[int, Path]) -> None:
    port, _ = served
    token = pack_text(_layers(200))
    assert len(token) < 400  # cheap to send ...
    _get(port, "/")  # (the first page of a server: its imports)
    status, _, seconds = _get(port, "/?stack=" + token)  # the page (its App) is built during the GET
    assert status == 200
    _, _, plain_seconds = _get(port, "/")
    # ... and now as cheap to open as the page without it (it took 20 s, 7x a page, before)
    assert seconds < 2 * plain_seconds + 2, (seconds, plain_seconds)
