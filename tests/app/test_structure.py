"""The explorer's structure panel without a browser (src/spinstack/app/structure.py): layers added and removed,
interfaces set and removed, ends replaced, files opened (and refused as the CLI refuses them), the URL that
carries an edited structure or an opened file (packed TOML, read back to the same stack and the same state),
undo/redo/reset across edits, the stack export of an edited page."""

from __future__ import annotations

import base64
import tomllib
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack
from spinstack.errors import StackError
from spinstack.io import stack_from_dict
from spinstack.model.paths import with_parameter
from tests.strategies import assert_same_stack as assert_same

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app import session as session_module  # noqa: E402
from spinstack.app.explorer import App  # noqa: E402
from spinstack.app.session import (MAX_TEXT_BYTES, STACK_KEY, pack_text, structure_query,  # noqa: E402
                                   unpack_text)
from spinstack.app.structure import read_stack_text  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = EXAMPLES / "seed-fnf.toml"
SI = EXAMPLES / "co-cu-py.toml"


class Clock:
    def __init__(self) -> None:
        self.time = 100.0

    def __call__(self) -> float:
        return self.time


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(session_module, "now", fake)
    return fake


def _app(path: Path = SEED, unfolded: bool = True) -> App:
    app = App(spinstack.load_stack(path), f"file: {path.name}")
    app.structure.card.collapsed = not unfolded  # the card is filled while open
    return app


def _alert(app: App) -> str:
    return app.explorer.alert.object if app.explorer.alert.visible else ""


def _add_layer(app: App, material: str, thickness: str, position: int, theta: str = "0", phi: str = "0") -> None:
    panel = app.structure
    panel.material.value = material
    panel.thickness.value = thickness
    panel.theta.value, panel.phi.value = theta, phi
    panel.position.value = position
    panel.add_button.clicks += 1


def _exported(app: App) -> spinstack.Stack:
    """The stack the page's "stack" download gives, read back as a file."""
    return stack_from_dict(tomllib.loads(app.exports._toml().getvalue()), "exported.toml")


# ------------------------------------------------------------------ reading files and links
def test_an_uploaded_file_reads_as_the_file_does():
    assert_same(read_stack_text("seed-fnf.toml", SEED.read_bytes()), spinstack.load_stack(SEED))
    assert_same(read_stack_text("co-cu-py.toml", SI.read_text()), spinstack.load_stack(SI))


@pytest.mark.parametrize("data, message", [
    (b"units = 'reduced'\n[[layers]]\nmaterial = 'X'\nthickness = 1\n",
     'bad.toml: layers[0].material: undefined material "X" (defined: none)'),
    (b"[materials.N]\ntype = 'normal'\nD = 1\nl = 1\n[[layers]]\nmaterial = 'N'\nthickness = 0\n",
     "bad.toml: layers[0].thickness: must be > 0, got 0"),
    (b"current = = 1\n", "bad.toml: invalid TOML: "),
    (b"\xff\xfe\x00", "bad.toml: not UTF-8 text (byte 0xff on line 1)"),
    (b"a = 1\x00\n", "bad.toml: not a text file (control character 0x00 on line 1)"),
])
def test_a_bad_upload_is_refused_as_the_cli_refuses_the_file(data, message, tmp_path):
    with pytest.raises(StackError) as caught:
        read_stack_text("bad.toml", data)
    assert str(caught.value).startswith(message)
    # the CLI's own message for the same bytes in a file of that name (its one line, minus the "error: " part)
    (tmp_path / "bad.toml").write_bytes(data)
    with pytest.raises(StackError) as from_file:
        spinstack.load_stack(tmp_path / "bad.toml")
    assert str(from_file.value).replace(str(tmp_path / "bad.toml"), "bad.toml") == str(caught.value)


def test_a_folder_in_the_uploaded_name_is_not_kept():
    with pytest.raises(StackError, match=r"^evil\.toml: invalid TOML"):
        read_stack_text("../../etc/evil.toml", b"= 1")


def test_packed_text_round_trips_and_bad_tokens_are_refused():
    text = SEED.read_text()
    token = pack_text(text)
    assert unpack_text(token) == text
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(token) < len(text)  # compressed
    for bad, reason in (("%%%", "not a packed stack file"), (token[:-12], "a link cut short"),
                        (base64.urlsafe_b64encode(b"plain").decode(), "does not unpack")):
        with pytest.raises(ValueError, match=reason):
            unpack_text(bad)
    bomb = base64.urlsafe_b64encode(zlib.compress(b"#" * (MAX_TEXT_BYTES + 10))).decode()
    with pytest.raises(ValueError, match=rf"unpacks to more than {MAX_TEXT_BYTES // 1024} kB"):
        unpack_text(bomb)
    opened, stack, refusals = structure_query(f"?file={token}")
    assert opened is None and stack is None
    assert refusals == ["URL parameter file: comes with name=<the file's name>, which is missing"]


# ------------------------------------------------------------------ edits on the page
def test_adding_and_removing_a_layer_shows_the_edited_stack_and_undo_redo_reset_follow():
    app = _app()
    original = app.explorer.stack
    _add_layer(app, "N", "0.7", 3)
    assert _alert(app) == ""
    shown = app.explorer.stack
    assert [layer.material.name for layer in shown.layers] == ["F1", "N", "F2", "N"]
    assert float(shown.layers[3].thickness) == 0.7
    assert len(app.explorer.controls.controls) > len(app.session.history.initial) - 5  # the new layer's box is there
    assert "layers[3] N: d = 0.7" in app.structure.summary.object
    assert_same(_exported(app), shown)  # the stack download gives the edited stack
    assert app.session.state()[STACK_KEY] is not None and not app.session.reset_button.disabled
    # remove it again: the stack of the file, as a further step
    app.structure.removed_layer.value = 3
    app.structure.remove_button.clicks += 1
    assert_same(app.explorer.stack, original)
    app.session.undo()
    assert len(app.explorer.stack.layers) == 4
    app.session.undo()
    assert_same(app.explorer.stack, original) and app.session.state()[STACK_KEY] is None
    assert app.session.undo_button.disabled
    app.session.redo()
    assert len(app.explorer.stack.layers) == 4
    app.session.reset()
    assert_same(app.explorer.stack, original)
    assert app.session.reset_button.disabled


def test_a_control_moved_before_an_edit_is_in_the_edited_stack_and_undo_puts_it_back():
    app = _app()
    theta = next(c for c in app.explorer.controls.controls if c.path == "layers[2].magnetization").widgets[0]
    theta.value = 30.0
    _add_layer(app, "N", "1", 0)  # before F1
    shown = app.explorer.stack
    assert [layer.material.name for layer in shown.layers] == ["N", "F1", "N", "F2"]
    expected = with_parameter(spinstack.load_stack(SEED), "layers[2].magnetization.theta", 30.0).layers[2].magnetization
    np.testing.assert_allclose(shown.layers[3].magnetization, expected, rtol=0, atol=1e-15)
    app.session.undo()  # the edit undone: the file's structure with theta at 30
    assert len(app.explorer.stack.layers) == 3
    theta = next(c for c in app.explorer.controls.controls if c.path == "layers[2].magnetization").widgets[0]
    assert theta.value == 30.0
    np.testing.assert_allclose(app.explorer.stack.layers[2].magnetization, expected, rtol=0, atol=1e-15)
    app.session.undo()
    assert theta.value == 60.0


def test_a_refused_edit_changes_nothing_and_says_why():
    app = _app()
    before, steps = app.explorer.stack, app.session.history.can_undo
    _add_layer(app, "N", "0", 1)
    assert html_unescape(_alert(app)).startswith('<div class="message-line"><b>layers[1].thickness: must be > 0, got 0')
    assert "Nothing was changed" in _alert(app)
    _add_layer(app, "N", "1,5", 1)
    assert html_unescape(_alert(app)).startswith(
        '<div class="message-line"><b>new layer\'s d: \'1,5\' has a comma: use a point: 1.5</b>')
    app.structure.removed_layer.value = 1
    app.structure.remove_button.clicks += 1  # F1 and F2 would touch at 60 degrees
    assert "not collinear" in _alert(app) and "(removing layers[1])" in _alert(app)
    assert app.explorer.stack is before and app.session.history.can_undo == steps


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_an_interface_is_set_with_its_values_and_removed():
    app = _app()
    panel = app.structure
    panel.node.value = 1  # F1 | N
    panel.resistance.value, panel.gamma.value, panel.mix_real.value, panel.mix_imag.value = "0.5", "0.2", "1.5", "-0.1"
    panel.set_interface_button.clicks += 1
    assert _alert(app) == ""
    (interface,) = app.explorer.stack.interfaces
    reference = spinstack.Interface.from_valet_fert(1, 0.5, 0.2, [1.5, -0.1])
    assert interface.node == 1
    for key in ("g_up", "g_dn", "g_mix", "delta"):
        np.testing.assert_array_equal(getattr(interface, key), getattr(reference, key))
    assert "node 1: interface AR* = 0.5, γ = 0.2, G_mix = 1.5 − 0.1 i" in panel.summary.object.replace("\u00a0", " ")
    # the node chosen again fills the boxes with its values
    panel.node.value = 0
    panel.resistance.value = "9"
    panel.node.value = 1
    assert (panel.resistance.value, panel.gamma.value, panel.mix_real.value, panel.mix_imag.value) == \
        ("0.5", "0.2", "1.5", "-0.1")
    panel.remove_interface_button.clicks += 1
    assert app.explorer.stack.interfaces == ()
    panel.remove_interface_button.clicks += 1
    assert "no interface at node 1 to remove" in _alert(app)


def test_an_si_page_reads_nm_fohm_m2_and_ohm_m2_as_a_file_does():
    app = _app(SI)
    panel = app.structure
    assert panel.thickness.label == "d (nm)" and panel.resistance.label == "AR* (fΩ·m²)"
    _add_layer(app, "Cu", "3", 2)  # between Co and the Cu spacer
    assert _alert(app) == ""
    np.testing.assert_array_equal(app.explorer.stack.layers[2].thickness,
                                  spinstack.si.layer(app.explorer.stack.layers[2].material, "3 nm").thickness)
    panel.node.value = 3  # Cu | Cu (the new layer | the spacer): gamma 0, no G_mix
    panel.resistance.value, panel.gamma.value = "0.25", "0"
    panel.set_interface_button.clicks += 1
    assert _alert(app) == ""
    interface = next(i for i in app.explorer.stack.interfaces if i.node == 3)
    reference = spinstack.si.interface(3, AR="0.25 fOhm*m^2", gamma=0.0)
    np.testing.assert_array_equal(interface.g_up, reference.g_up)
    assert "node 3: interface AR* = 0.25 fΩ·m², γ = 0" in panel.summary.object.replace("\u00a0", " ")
    # the export is the edited stack, in a file that reads back
    assert_same(_exported(app), app.explorer.stack)


def test_an_end_becomes_a_lead_and_back():
    app = _app()
    panel = app.structure
    panel.side.value = "right"
    panel.end_kind.value = "lead"
    panel.end_material.value = "N"
    panel.set_end_button.clicks += 1
    assert _alert(app) == ""
    right = app.explorer.stack.right
    assert isinstance(right, spinstack.Lead) and right.material.name == "N"
    assert "right end</i>: lead of N" in panel.summary.object
    panel.end_kind.value = "lead"
    panel.end_material.value = "F1"
    panel.end_theta.value = "90"
    panel.set_end_button.clicks += 1  # an F lead touching F2 at another angle: refused by the model
    assert "not collinear" in _alert(app) or "touch" in _alert(app)
    panel.end_kind.value = "reservoir"
    panel.set_end_button.clicks += 1
    assert isinstance(app.explorer.stack.right, spinstack.Reservoir)
    # open and insulator ends are offered only on a page driven in plane without current
    assert panel.end_kind.options == ["reservoir", "lead"]
    assert "open" in _app(EXAMPLES / "pt-co-sot.toml").structure.end_kind.options


def test_a_folded_card_sends_nothing_and_is_filled_when_opened():
    """Every new text or choice of the card re-lays out the page in the browser: folded, it is not written on a
    control move or a preset switch, and opening it shows the stack as it is then."""
    app = _app(unfolded=False)
    panel = app.structure
    assert panel.summary.object == ""
    thickness = next(c for c in app.explorer.controls.controls if c.path == "layers[1].thickness").widgets[0]
    thickness.value = "2.5"
    app.menu.value = "three-f"
    assert panel.summary.object == "" and panel.node.options == {}
    panel.card.collapsed = False
    assert "layers[4]" in panel.summary.object and len(panel.node.options) == len(app.explorer.stack.layers) + 1
    written = []
    panel.summary.param.watch(lambda event: written.append(event.new), "object")
    thickness = next(c for c in app.explorer.controls.controls if c.path == "layers[1].thickness").widgets[0]
    thickness.value = thickness.value  # no change: nothing written
    assert written == []
    thickness.value = "0.25"
    assert len(written) == 1 and "layers[1] N: d = 0.25" in written[0]


# ------------------------------------------------------------------ the URL
def test_the_url_of_an_edited_page_opens_the_same_stack_and_state():
    app = _app()
    _add_layer(app, "F1", "0.8", 3, theta="20", phi="10")  # F2 | F1 would touch at an angle: refused
    assert "not collinear" in _alert(app)
    _add_layer(app, "N", "0.8", 3)
    _add_layer(app, "F1", "0.8", 4, theta="20", phi="10")
    app.structure.node.value = 4
    app.structure.resistance.value, app.structure.gamma.value = "0.3", "0.1"
    app.structure.mix_real.value, app.structure.mix_imag.value = "2", "0.5"
    app.structure.set_interface_button.clicks += 1
    assert _alert(app) == ""
    thickness = next(c for c in app.explorer.controls.controls if c.path == "layers[1].thickness").widgets[0]
    thickness.value = "2.5"  # a control moved after the edits
    query = app.session.query()
    assert query.startswith("?stack=") and "&layers[1].thickness=2.5" in query
    other = _app()
    assert other.open_query(query) == []
    assert_same(other.explorer.stack, app.explorer.stack)
    assert other.session.state() == app.session.state()
    assert other.session.query() == query  # the state the URL carries round-trips
    other.session.reset()  # back to the file
    assert_same(other.explorer.stack, spinstack.load_stack(SEED))


def test_the_url_of_an_opened_file_opens_it_again():
    app = _app()
    assert app.structure.open_file("co-cu-py.toml", SI.read_bytes())
    assert next(iter(app.menu.options)) == "file: co-cu-py.toml" and app.menu.value == "__given__"
    assert app.exports._file_name() == "co-cu-py.toml"
    _add_layer(app, "Cu", "2", 0)
    query = app.session.query()
    assert query.startswith("?name=co-cu-py.toml&file=") and "&stack=" in query
    other = _app()
    assert other.open_query(query) == []
    assert_same(other.explorer.stack, app.explorer.stack)
    assert other.session.query() == query
    other.session.reset()  # reset: the opened file, as in the page it was opened in
    assert_same(other.explorer.stack, spinstack.load_stack(SI))
    app.session.reset()
    assert_same(app.explorer.stack, spinstack.load_stack(SI))


def test_a_bad_file_opens_nothing():
    app = _app()
    stack, label = app.explorer.stack, next(iter(app.menu.options))
    assert not app.structure.open_file("broken.toml", b"[[layers]]\nmaterial = 'F'\nthickness = -1\n")
    assert 'broken.toml: layers[0].material: undefined material "F"' in html_unescape(_alert(app))
    assert app.explorer.stack is stack and next(iter(app.menu.options)) == label
    assert app.session.opened is None


@pytest.mark.parametrize("query, message", [
    ("?stack=abc", "URL parameter stack: not a packed stack file"),
    (f"?stack={pack_text('current = 1')}", "URL parameter stack: stack.toml: layers: empty"),
    (f"?name=x.toml&file={pack_text('units = 3')}", "URL parameter file: x.toml: units: must be"),
])
def test_a_bad_structure_in_a_link_is_refused_by_name(query, message):
    app = _app()
    stack = app.explorer.stack
    refusals = app.open_query(query)
    assert len(refusals) == 1 and refusals[0].startswith(message), refusals
    assert message.split(": ")[0] in _alert(app) and "the link" in _alert(app)
    assert app.explorer.stack is stack


def test_hold_makes_one_step_of_many_changes():
    app = _app()
    theta = next(c for c in app.explorer.controls.controls if c.path == "layers[2].magnetization").widgets[0]
    app.session.hold()
    for value in (10.0, 20.0, 30.0):
        theta.value = value
    assert not app.session.history.can_undo
    app.session.release_hold()
    app.session.undo()
    assert theta.value == 60.0 and not app.session.history.can_undo


# ------------------------------------------------------------------ edits while a solve runs
class Queued:
    """A background runner that runs nothing until told (a served page's worker, slow): ``run()`` finishes every
    solve started, in order, as the page's next ticks would."""

    def __init__(self) -> None:
        self.jobs: list[tuple] = []

    def __call__(self, work, done) -> None:
        self.jobs.append((work, done))

    def run(self) -> None:
        while self.jobs:
            work, done = self.jobs.pop(0)
            done(work())


def _queued_app(path: Path = SEED) -> tuple[App, Queued]:
    runner = Queued()
    app = App(spinstack.load_stack(path), f"file: {path.name}", background=runner)
    app.structure.card.collapsed = False
    return app, runner


def _box(app: App, path: str):
    return next(c for c in app.explorer.controls.controls if c.path == path).widgets[0]


def test_an_edit_clicked_while_a_typed_value_is_solved_keeps_that_value(clock):
    """d of layer 1 typed as 3, "+ add layer" clicked before its solve ended: the edit started from the last
    stack solved (d = 2), and the typed 3 was gone without a word."""
    app, runner = _queued_app()
    _box(app, "layers[1].thickness").value = "3"
    assert len(runner.jobs) == 1 and float(app.explorer.stack.layers[1].thickness) == 2.0  # still solving
    clock.time += 5
    _add_layer(app, "N", "1", 3)  # after the last layer
    runner.run()  # the typed value's solve ends: it belongs to the stack replaced, and is dropped
    expected = edit_insert(with_parameter(spinstack.load_stack(SEED), "layers[1].thickness", 3.0), 3, "N", 1.0)
    assert_same(app.explorer.stack, expected)
    assert _box(app, "layers[1].thickness").value == "3" and _alert(app) == ""
    app.session.undo()  # before the edit: the file's structure with the typed 3
    runner.run()
    assert len(app.explorer.stack.layers) == 3 and _box(app, "layers[1].thickness").value == "3"
    assert float(app.explorer.stack.layers[1].thickness) == 3.0


def edit_insert(stack: spinstack.Stack, index: int, material: str, thickness: float) -> spinstack.Stack:
    from spinstack.model import Layer, edit

    return edit.insert_layer(stack, index, Layer(stack.materials[material], thickness, None))


def test_an_edit_with_a_bad_value_in_a_control_is_refused_and_keeps_the_text():
    """The edit starts from the controls' values: one that holds no value refuses it by its label (starting from
    the last valid stack instead would drop what was typed)."""
    app = _app()
    before = app.explorer.stack
    _box(app, "layers[1].thickness").value = "1,5"
    _add_layer(app, "N", "1", 3)
    assert "d of layer 1 (N): '1,5' has a comma: use a point: 1.5" in html_unescape(_alert(app))
    assert "Nothing was changed" in _alert(app)
    assert app.explorer.stack is before and _box(app, "layers[1].thickness").value == "1,5"


def test_a_refused_edit_stays_said_when_a_solve_ends_after_it(clock):
    """A refusal shown while a solve of a typed value ran was hidden by that solve's end, before anyone read it;
    it goes with the user's next action."""
    app, runner = _queued_app()
    _box(app, "layers[1].thickness").value = "3"
    _add_layer(app, "F1", "1", 3, theta="0")  # F1 (m along z) touching F2 at 60 degrees: refused
    refusal = _alert(app)
    assert "touch but are not collinear" in refusal and "Nothing was changed" in refusal
    runner.run()
    assert _alert(app) == refusal  # the typed value is shown, the refusal still said
    assert float(app.explorer.stack.layers[1].thickness) == 3.0 and len(app.explorer.stack.layers) == 3
    clock.time += 5
    _box(app, "layers[1].thickness").value = "2.5"  # the next action: the message goes with its result
    runner.run()
    assert _alert(app) == "" and float(app.explorer.stack.layers[1].thickness) == 2.5


def test_a_refusal_keeps_the_message_of_a_bad_value_solved_after_it(clock):
    """A typed bad value whose solve ends after a refusal: both are said (the box's reason and the refusal)."""
    app, runner = _queued_app()
    _box(app, "layers[1].thickness").value = "0"
    app.structure.removed_layer.value = 1
    app.structure.remove_button.clicks += 1  # refused: d of layer 1 holds 0
    assert "d of layer 1 (N): must be > 0, got 0" in html_unescape(_alert(app))
    runner.run()
    shown = html_unescape(_alert(app))
    assert "Nothing was changed" in shown and "correct the value to go on" in shown
    assert "ctl-invalid" in _box(app, "layers[1].thickness").css_classes


#: F2: seed-fnf with G_mix = 1e150 at node 1 (F1 | N): a valid stack whose solve overflows double precision
_HUGE_MIXING = SEED.read_text() + "\n[[interfaces]]\nnode = 1\ng_up = 2.0\ng_dn = 2.0\ng_mix = [1e150, 0]\n"
_OVERFLOW = ("numerical failure while solving (overflow encountered in scalar power): the parameters span too many "
             "orders of magnitude for double precision")


def test_a_stack_overflowing_double_precision_is_refused_by_every_door_with_the_cli_words(tmp_path):
    from click.testing import CliRunner

    from spinstack.cli import main

    path = tmp_path / "huge.toml"
    path.write_text(_HUGE_MIXING)
    result = CliRunner().invoke(main, ["solve", str(path)])
    assert result.exit_code == 2 and f"{path}: {_OVERFLOW}" in result.output  # the words the page reuses
    # the structure card's "set interface"
    app = _app()
    stack, steps = app.explorer.stack, app.session.history.can_undo
    panel = app.structure
    panel.node.value = 1
    panel.resistance.value, panel.gamma.value, panel.mix_real.value, panel.mix_imag.value = "0.5", "0", "1e150", "0"
    panel.set_interface_button.clicks += 1  # raised FloatingPointError out of the click
    assert html_unescape(_alert(app)).startswith(f'<div class="message-line"><b>{_OVERFLOW}</b>')
    assert "Nothing was changed" in _alert(app)
    assert app.explorer.stack is stack and app.session.history.can_undo == steps and app.explorer.stack.interfaces == ()
    # an opened file: named by the file
    assert not panel.open_file("huge.toml", _HUGE_MIXING)
    assert f"huge.toml: {_OVERFLOW}" in html_unescape(_alert(app))
    assert app.explorer.stack is stack and app.session.opened is None
    # a link carrying it (was: a traceback out of App.__init__, a blank page)
    for query in (f"?{STACK_KEY}={pack_text(_HUGE_MIXING)}", f"?name=huge.toml&file={pack_text(_HUGE_MIXING)}"):
        other = _app()
        shown = other.explorer.stack
        refusals = other.open_query(query)
        assert len(refusals) == 1 and refusals[0].endswith(_OVERFLOW), refusals
        assert _OVERFLOW in _alert(other) and other.explorer.stack is shown
    # a page started with it: one SpinstackError (the CLI's explore says it in one line)
    with pytest.raises(spinstack.SpinstackError, match=r"numerical failure while solving \(overflow"):
        App(spinstack.load_stack(path), "file: huge.toml")


def test_an_opened_file_over_the_file_limit_is_refused_by_name_with_the_limit():
    """F2: a file of the size the server's websocket now takes (WEBSOCKET_MAX_MESSAGE_BYTES: 20 MB closed the
    session silently) but over the CLI's 32 MiB is refused by the page's message, naming the file and the limit."""
    from spinstack.io.textfile import MAX_FILE_BYTES

    app = _app()
    stack, label = app.explorer.stack, next(iter(app.menu.options))
    panel = app.structure
    panel.open_input.filename = "big-comment.toml"
    panel.open_input.value = b"#" * MAX_FILE_BYTES + b"\n"  # one byte over (the widget gives the file's bytes)
    assert "big-comment.toml: too large: files are read up to 32 MiB" in html_unescape(_alert(app))
    assert "Nothing was changed" in _alert(app)
    assert app.explorer.stack is stack and next(iter(app.menu.options)) == label and app.session.opened is None


def test_a_file_the_page_did_not_send_for_its_size_is_refused_by_name_with_the_limit():
    """F2: the page's script (structure.UPLOAD_SIZE_CHECK) sends only the name and the size of a file over the read
    limit (TOO_LARGE in the upload's mime_type): the message is read_stack_text's, nothing changes."""
    from spinstack.app.structure import TOO_LARGE

    app = _app()
    stack, panel = app.explorer.stack, app.structure
    panel.open_input.filename = "huge.toml"
    panel.open_input.mime_type = f"{TOO_LARGE}{50 * 2**20}"
    assert "huge.toml: too large: files are read up to 32 MiB" in html_unescape(_alert(app))
    assert app.explorer.stack is stack and app.session.opened is None
    assert panel.open_input.mime_type == ""  # the same note again is a change
    app.explorer.withdraw_refusal()
    panel.open_input.mime_type = "text/plain"  # a file that was sent: no message of this kind
    assert _alert(app) == ""


def test_the_page_sends_no_file_over_the_read_limit_and_says_so(new_page: Any, explorer_url: str,
                                                                tmp_path: Path) -> None:
    """F2: a file over ~20 MB (Bokeh's websocket limit then; ~36 MiB with the server's setting now) closed the
    session silently; over 32 MiB the browser does not send it, the page names it, and the session lives on."""
    from spinstack.io.textfile import MAX_FILE_BYTES

    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 8 * 2**20) + b"\n")  # its base64 is over the websocket's limit
    tab = new_page(explorer_url, 1366, 768)
    tab.locator(".spin-structure .card-header").first.click()
    tab.locator("#structure").wait_for(timeout=30_000)
    tab.locator(".structure-open input[type=file]").set_input_files(str(big))
    message = tab.locator(".stack-error")
    message.get_by_text("big.toml: too large: files are read up to 32 MiB").wait_for(timeout=30_000)
    before = tab.locator("#g2").inner_text()
    box = tab.locator(".ctl-layers-1-thickness input").first
    box.fill("2.25")
    box.press("Enter")
    for _ in range(150):  # the session answers a control (it was closed)
        if tab.locator("#g2").inner_text() != before:
            break
        tab.wait_for_timeout(200)
    assert tab.locator("#g2").inner_text() != before
