"""The explorer's session state without a browser: URL query round trips and refusals, undo/redo/reset."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

import spinstack
from spinstack.model.paths import with_parameter

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App  # noqa: E402
from spinstack.app.session import MERGE_SECONDS, History, decode_query, encode_query, state_widgets  # noqa: E402
from tests.app.conftest import ManualClock as Clock  # noqa: E402  (the fixture clock: conftest.py)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = EXAMPLES / "seed-fnf.toml"
THETA = "layers[2].magnetization.theta"


def _app(path: Path = SEED) -> App:
    return App(spinstack.load_stack(path), f"file: {path.name}")


def _g2(app: App) -> str:
    text = app.explorer.numbers.text
    return text.split('id="g2">')[1].split("<")[0]


def _solver_g2(stack: spinstack.Stack) -> str:
    return f"{float(spinstack.solve(stack).efficiency().g2):.8g}"


def _alert(app: App) -> str:
    return app.explorer.alert.object if app.explorer.alert.visible else ""


# ------------------------------------------------------------------ the URL query
def test_moved_controls_round_trip_through_the_url_query(clock: Clock) -> None:
    """Move four kinds of control; a fresh page opened with the query shows the same widgets and the same stack."""
    app = _app()
    assert app.session.query() == ""
    controls = app.explorer.controls
    controls.widget("layers[2].magnetization").value = 42.5
    clock.time += 5
    controls.widget("layers[1].thickness").value = 2.75
    clock.time += 5
    controls.widget("materials.F2.p").value = 0.3
    clock.time += 5
    controls.widget("current").value = "\u2212"
    query = app.session.query()
    assert query == "?layers[2].magnetization.theta=42.5&layers[1].thickness=2.75&materials.F2.p=0.3&current=-"

    fresh = _app()
    assert fresh.open_query(query) == []
    assert fresh.explorer.controls.changes() == app.explorer.controls.changes()
    assert fresh.session.query() == query
    expected = spinstack.load_stack(SEED)
    for path, value in (("layers[2].magnetization.theta", 42.5), ("layers[1].thickness", 2.75),
                        ("materials.F2.p", 0.3), ("current", -1.0)):
        expected = with_parameter(expected, path, value)
    assert fresh.explorer.stack.current == expected.current
    assert _g2(fresh) == _g2(app) == _solver_g2(expected)
    assert fresh.session.history.can_undo  # the link's state is one step: undo goes back to the file
    fresh.session.undo()
    assert fresh.session.query() == ""


def test_encode_and_decode_are_inverse_for_every_widget_value() -> None:
    app = _app()
    widgets = state_widgets(app.explorer.controls)
    initial = app.session.state()
    state = dict(initial)
    # values a double's repr spells in many digits, an exponent, a negative angle, the sign, a box's text
    state.update({THETA: 0.1 + 0.2, "layers[2].magnetization.phi": -1e-7, "materials.N.l": "1.2345678e7",
                  "materials.F1.l": "inf", "current": "\u2212"})
    values, preset, refusals = decode_query(encode_query(state, initial, "seed"), widgets)
    assert refusals == [] and preset == "seed"
    assert values == {key: value for key, value in state.items() if value != initial[key]}


@pytest.mark.parametrize(("query", "message"), [
    ("?layers[9].thickness=3", "URL parameter layers[9].thickness: no such control on this page"),
    ("?layers[1].thickness=abc", "URL parameter layers[1].thickness: not a number: 'abc'"),
    ("?layers[1].thickness=nan", "URL parameter layers[1].thickness: not a number: 'nan'"),
    ("?layers[1].thickness=", "URL parameter layers[1].thickness: empty: type a number"),
    ("?layers[1].thickness=1,5", "URL parameter layers[1].thickness: '1,5' has a comma: use a point: 1.5"),
    (f"?{THETA}=inf", f"URL parameter {THETA}: must be a finite number, got 'inf'"),
    ("?current=up", "URL parameter current: must be + or -, got 'up'"),
    (f"?{THETA}=30&{THETA}=40", f"URL parameter {THETA}: given twice"),
    ("?preset=nope", "URL parameter preset: no preset 'nope' (one of seed, asymmetric, three-f)"),
])
def test_a_bad_url_parameter_is_refused_with_the_page_message(query: str, message: str) -> None:
    """Nothing of the link is applied (the page shows the file), the message names the parameter; no exception."""
    app = _app()
    g2 = _g2(app)
    assert app.open_query(f"{query}&layers[0].thickness=2" if "preset" not in query else query) == [message]
    assert html.escape(message) in _alert(app)
    assert html.escape("the link's state is not applied") in _alert(app)
    assert app.session.query() == "" and _g2(app) == g2 and not app.session.history.can_undo


def test_a_value_the_model_refuses_is_applied_and_reported_as_a_typed_one() -> None:
    app = _app()
    assert app.open_query("?layers[1].thickness=0") == []
    assert "d of layer 1 (N): must be &gt; 0, got 0" in _alert(app)
    # the box shows it (the user corrects it there); the address carries what the page shows, the file's stack
    # (U, review: a refused entry in the address made a copied link that is refused)
    assert app.session.query() == ""


def test_the_preset_key_chooses_the_start_stack() -> None:
    app = _app()
    assert app.open_query("?preset=asymmetric&layers[2].magnetization.theta=50") == []
    assert app.menu.value == "asymmetric"
    assert _g2(app) == _solver_g2(with_parameter(spinstack.app.preset("asymmetric"), THETA, 50.0))
    assert app.session.query() == "?preset=asymmetric&layers[2].magnetization.theta=50"
    assert app.exports.stack_button.filename == "asymmetric.toml"


def test_an_si_file_carries_the_box_units(clock: Clock) -> None:
    """co-cu-py.toml: a thickness box in nm; the URL says what the box says, the stack gets metres."""
    app = _app(EXAMPLES / "co-cu-py.toml")
    app.explorer.controls.widget("layers[1].thickness").value = 7.5
    assert app.session.query() == "?layers[1].thickness=7.5"
    fresh = _app(EXAMPLES / "co-cu-py.toml")
    fresh.open_query("?layers[1].thickness=7.5")
    assert float(fresh.explorer.stack.layers[1].thickness) == pytest.approx(7.5e-9, rel=1e-15)


# ------------------------------------------------------------------ history
def test_history_merges_quick_changes_of_one_control_and_drops_redo_on_a_new_step() -> None:
    clock = Clock()
    history = History({"a": 1.0, "b": 2.0}, clock=clock)
    assert history.record({"a": 1.5, "b": 2.0})
    clock.time += MERGE_SECONDS / 2
    assert not history.record({"a": 1.7, "b": 2.0})  # the same drag: merged into one step
    clock.time += MERGE_SECONDS * 2
    assert history.record({"a": 1.9, "b": 2.0})  # later: a step of its own
    clock.time += 0.1
    assert history.record({"a": 1.9, "b": 3.0})  # another control: a step
    assert history.undo() == {"a": 1.9, "b": 2.0}
    assert history.undo() == {"a": 1.7, "b": 2.0}
    assert history.redo() == {"a": 1.9, "b": 2.0}
    assert history.record({"a": 0.0, "b": 2.0})  # a new step after an undo: the redo is gone
    assert not history.can_redo
    assert history.undo() == {"a": 1.9, "b": 2.0}
    assert history.undo() == {"a": 1.7, "b": 2.0}
    assert history.undo() == {"a": 1.0, "b": 2.0}
    assert history.undo() is None and not history.can_undo


def test_a_drag_back_to_where_it_started_is_no_step() -> None:
    clock = Clock()
    history = History({"a": 1.0}, clock=clock)
    history.record({"a": 2.0})
    clock.time += 0.2
    history.record({"a": 1.0})
    assert not history.can_undo and history.current == {"a": 1.0}


def test_undo_redo_and_reset_restore_the_widgets_and_the_numbers(clock: Clock) -> None:
    app = _app()
    base = spinstack.load_stack(SEED)
    theta = app.explorer.controls.widget("layers[2].magnetization")
    thickness = app.explorer.controls.widget("layers[1].thickness")
    start = _g2(app)
    assert app.session.undo_button.disabled and app.session.reset_button.disabled
    theta.value = 30.0
    clock.time += 5
    thickness.value = 3.0
    both = with_parameter(with_parameter(base, THETA, 30.0), "layers[1].thickness", 3.0)
    assert _g2(app) == _solver_g2(both)

    solves = app.explorer.solves
    app.session.undo_button.clicks += 1  # as the button (and Ctrl+Z) does it
    assert float(thickness.value) == 2.0 and theta.value == 30.0  # the file's spacer, theta kept
    assert app.explorer.solves == solves + 1  # one re-solve for the step
    assert _g2(app) == _solver_g2(with_parameter(base, THETA, 30.0))
    assert not app.session.redo_button.disabled
    app.session.undo()
    assert theta.value == 60.0 and _g2(app) == start and app.session.undo_button.disabled
    app.session.redo()
    app.session.redo()
    assert (theta.value, float(thickness.value)) == (30.0, 3.0) and _g2(app) == _solver_g2(both)
    assert app.session.redo_button.disabled

    app.session.reset_button.clicks += 1
    assert (theta.value, float(thickness.value)) == (60.0, 2.0) and _g2(app) == start
    assert app.session.query() == "" and app.session.reset_button.disabled
    app.session.undo()  # a reset is a step: undone, the moved controls come back
    assert (theta.value, float(thickness.value)) == (30.0, 3.0) and _g2(app) == _solver_g2(both)


def test_reset_and_undo_clear_a_bad_text_in_an_angle_box(clock: Clock) -> None:
    """An angle box holding ``abc`` with every control at the file's value: its value is still 60 (the state
    unchanged), so reset was disabled and reset() left the text and the message."""
    app = _app()
    start = _g2(app)
    theta = app.explorer.controls.widget("layers[2].magnetization")
    theta.text = "abc"
    assert "not a number: 'abc'" in html.unescape(_alert(app)) and "ctl-invalid" in theta.css_classes
    assert not app.session.reset_button.disabled  # something to reset
    assert app.session.undo_button.disabled  # no step: the value did not change
    app.session.reset_button.clicks += 1
    assert (theta.text, theta.value) == ("60", 60.0) and _alert(app) == ""
    assert "ctl-invalid" not in theta.css_classes and app.session.reset_button.disabled and _g2(app) == start

    thickness = app.explorer.controls.widget("layers[1].thickness")
    clock.time += 5
    thickness.value = "3"
    theta.text = "1,5"
    assert "use a point: 1.5" in _alert(app)
    app.session.undo()  # back to the file's values: the box shows its angle again
    assert (theta.text, thickness.value) == ("60", "2") and _alert(app) == "" and _g2(app) == start


def test_a_refused_entry_is_no_step(clock: Clock) -> None:
    """Review U2 (1): ``1,5`` typed in a box (refused, marked red), then a good value: undo went back to ``1,5``
    with its red error, and a second undo was needed.  A refused entry (the box's own refusal or the model's)
    is no step: undo after the next good value goes to the value before it, redo returns to the good one; undo
    while a refused entry is shown puts back the last step."""
    app = _app()
    session = app.session
    thickness = app.explorer.controls.widget("layers[1].thickness")
    start = _g2(app)
    assert thickness.value == "2"  # the file's spacer
    thickness.value = "1,5"  # refused by the box
    assert "ctl-invalid" in thickness.css_classes and "use a point: 1.5" in _alert(app)
    clock.time += 5
    thickness.value = "2"  # the review's sequence: back at the file's value, nothing to undo
    assert _alert(app) == "" and not session.history.can_undo and session.undo_button.disabled
    assert session.reset_button.disabled and _g2(app) == start

    base = spinstack.load_stack(SEED)
    clock.time += 5
    thickness.value = "3"
    three = _g2(app)
    assert three == _solver_g2(with_parameter(base, "layers[1].thickness", 3.0))
    for refused, reason in (("1,5", "use a point: 1.5"), ("0", "must be > 0")):
        clock.time += 5
        thickness.value = refused
        assert "ctl-invalid" in thickness.css_classes and reason in html.unescape(_alert(app))
        assert _g2(app) == three  # the last valid stack is shown
    clock.time += 5
    thickness.value = "2.5"
    assert _alert(app) == "" and _g2(app) == _solver_g2(with_parameter(base, "layers[1].thickness", 2.5))

    session.undo_button.clicks += 1  # past both refused entries: to 3
    assert thickness.value == "3" and _alert(app) == "" and "ctl-invalid" not in thickness.css_classes
    assert _g2(app) == three and not session.undo_button.disabled
    session.undo()
    assert thickness.value == "2" and _g2(app) == start and session.undo_button.disabled
    session.redo()
    session.redo()
    assert thickness.value == "2.5" and session.redo_button.disabled and _alert(app) == ""

    clock.time += 5
    thickness.value = "0"  # a refused entry shown: undo takes it away, back to the step shown (2.5)
    assert "must be > 0" in html.unescape(_alert(app)) and not session.undo_button.disabled
    session.undo()
    assert thickness.value == "2.5" and _alert(app) == "" and "ctl-invalid" not in thickness.css_classes
    assert session.redo_button.disabled  # nothing was undone
    session.undo()
    assert thickness.value == "3"


def test_a_preset_switch_starts_a_new_history() -> None:
    app = _app()
    app.explorer.controls.widget("layers[2].magnetization").value = 30.0
    app.menu.value = "three-f"
    assert not app.session.history.can_undo and app.session.query() == "?preset=three-f"
    assert set(app.session.widgets) >= {"layers[4].magnetization.theta", "layers[4].magnetization.phi"}


def test_the_address_carries_the_stack_shown_never_a_refused_entry(clock: Clock) -> None:
    """U (review, issue 16): after -2, ``1,5`` or an emptied box the address read ``layers[1].thickness=-2`` while
    the page showed the last valid stack, so "copy link" gave a link that is refused.  The query is that of the
    last state without a refused entry; a good value moves it on, and a second control moved while a box is
    refused (nothing is shown meanwhile) waits for the refused box to be corrected."""
    app = _app()
    session = app.session
    thickness = app.explorer.controls.widget("layers[1].thickness")
    theta = app.explorer.controls.widget("layers[2].magnetization")
    clock.time += 5
    thickness.value = "3"
    assert session.query() == "?layers[1].thickness=3"
    for refused in ("-2", "1,5", "", "0"):
        clock.time += 5
        thickness.value = refused
        assert _alert(app) and session.query() == "?layers[1].thickness=3", refused
        assert decode_query(session.query(), session.widgets)[2] == []  # the link opens
    clock.time += 5
    theta.value = 45.0  # good alone; the page still shows the last valid stack (the thickness is refused)
    assert session.query() == "?layers[1].thickness=3"
    clock.time += 5
    thickness.value = "2.5"
    assert _alert(app) == "" and session.query() == f"?{THETA}=45&layers[1].thickness=2.5"
    fresh = _app()
    assert fresh.open_query(session.query()) == [] and _g2(fresh) == _g2(app)
    clock.time += 5
    thickness.value = "abc"
    session.undo()  # the refused entry taken away: the address as before
    assert thickness.value == "2.5" and session.query() == f"?{THETA}=45&layers[1].thickness=2.5"
