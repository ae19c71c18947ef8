"""The structure card's run settings (issue 16): the [dynamics] applied field, temperature (with the pillar's
area), waveform, duration and saved points of an SI page set in the file's units (mT, K, nm^2, ns and A/m^2, ps),
one undoable edit (model.edit.set_dynamics) carried by the stack download (it round-trips through load_stack) and
by the URL; a refusal names the box by its label and marks it red, nothing changed; a box left as shown keeps
the stack's number to the bit.  The Dynamics tab follows: a waveform drives its run (the current box is then
not used) and each frame's hodographs are those of the waveform's current at that time."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack.model import edit
from tests.strategies import assert_same_stack as assert_same

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.dynamics_page import DynamicsPage, si_current  # noqa: E402
from spinstack.app.explorer import App  # noqa: E402
from tests.app.structure_card import EXAMPLES  # noqa: E402
from tests.app.structure_card import alert_text as _alert  # noqa: E402
from tests.app.structure_card import card_app  # noqa: E402
from tests.app.structure_card import set_run as _set  # noqa: E402
from tests.app.structure_card import clock  # noqa: E402, F401  (autouse: every change an undo step)

OSCILLATOR = EXAMPLES / "dynamics-oscillator.toml"


def _app(path: Path = OSCILLATOR) -> App:
    return card_app(path)


def test_the_run_settings_are_set_undone_exported_and_carried_by_the_link(tmp_path: Path) -> None:
    app = _app()
    boxes = app.structure.run_boxes
    loaded = app.explorer.stack
    assert {key: box.value for key, box in boxes.items()} == {
        "field": "0, 0, 0", "temperature": "0", "area": "", "waveform": "", "duration": "12", "save_every": "5"}
    _set(app, field="0, 0, 5", temperature="300", area="5000", waveform="0 0; 1 -3e11; 3 -3e11; 3.1 0")
    assert _alert(app) == ""
    shown = app.explorer.stack
    expected = edit.set_dynamics(loaded, field=[0.0, 0.0, 5e-3], temperature=300.0, area=5e-15,
                                 waveform=[(0.0, 0.0), (1e-9, -3e11), (3e-9, -3e11), (3.1e-9, 0.0)])
    assert_same(shown, expected)
    assert shown.dynamics.duration == loaded.dynamics.duration  # a box left as shown: the stack's number
    listed = app.structure.summary.object
    assert "run: applied field μ₀H = 0, 0, 5 mT; temperature = 300 K; area = 5000 nm²" in listed
    assert boxes["waveform"].value == "0 0; 1 -3e11; 3 -3e11; 3.1 0"  # filled back from the stack
    # the stack download round-trips through load_stack
    path = tmp_path / "edited.toml"
    path.write_text(app.exports._toml().getvalue(), encoding="utf-8")
    assert_same(spinstack.load_stack(path), shown)
    # the link: another page opened with it shows the same stack
    other = _app()
    assert other.open_query(app.session.query()) == []
    assert_same(other.explorer.stack, shown)
    assert other.structure.run_boxes["temperature"].value == "300"
    # one undo step, redo brings it back
    app.session.undo()
    assert_same(app.explorer.stack, loaded)
    assert boxes["waveform"].value == "" and boxes["temperature"].value == "0"
    app.session.redo()
    assert_same(app.explorer.stack, shown)
    # emptied boxes: the defaults again (no waveform: the current box drives)
    _set(app, waveform="", temperature="0", area="")
    assert _alert(app) == "" and app.explorer.stack.dynamics.waveform is None
    assert float(app.explorer.stack.dynamics.temperature) == 0.0 and app.explorer.stack.dynamics.area is None


def test_a_box_left_as_shown_keeps_the_stack_number_to_the_bit(tmp_path: Path) -> None:
    text = OSCILLATOR.read_text(encoding="utf-8").replace(
        'field = ["0 mT", "0 mT", "0 mT"]', 'field = ["0.1 mT", "0 mT", "1e-4 T"]\nwaveform = [["0.3 ns", '
                                            '"1.1e11 A/m^2"], ["3.1 ns", "-7e12 A/m^2"]]')
    path = tmp_path / "odd.toml"
    path.write_text(text, encoding="utf-8")
    app = _app(path)
    loaded = app.explorer.stack
    assert app.structure.run_boxes["waveform"].value == "0.3 1.1e11; 3.1 -7e12"
    assert app.structure.run_boxes["field"].value == "0.1, 0, 0.1"
    _set(app, temperature="4.2", area="1e4")
    assert _alert(app) == ""
    for key in ("field", "duration", "save_every"):
        np.testing.assert_array_equal(getattr(app.explorer.stack.dynamics, key), getattr(loaded.dynamics, key))
    for shown, given in zip(app.explorer.stack.dynamics.waveform, loaded.dynamics.waveform):
        np.testing.assert_array_equal(shown, given)
    # a waveform's point changed: the others read back from their text to the same numbers (3.1 ns is 3.1e-9 s)
    _set(app, waveform="0.3 1.1e11; 3.1 -6e12")
    times, currents = app.explorer.stack.dynamics.waveform
    np.testing.assert_array_equal(times, loaded.dynamics.waveform[0])
    np.testing.assert_array_equal(currents, [1.1e11, -6e12])


@pytest.mark.parametrize("texts, label, words, marked", [
    ({"temperature": "300"}, "area (nm²)", "missing: a temperature > 0 needs the pillar area", "area"),
    ({"temperature": "1,5"}, "temperature (K)", "'1,5' has a comma: use a point: 1.5", "temperature"),
    ({"temperature": "-3"}, "temperature (K)", "must be >= 0 (K), got -3.0", "temperature"),
    ({"field": "0, 5"}, "applied field μ₀H: x, y, z (mT)", "three numbers B_x, B_y, B_z in mT", "field"),
    ({"field": "0, 0, 2e7"}, "applied field μ₀H: x, y, z (mT)", "|B_app| must be at most 1e6 mT, got 2e7 mT",
     "field"),  # U: in the box's unit (the model says 1000 T)
    ({"waveform": "0 0; 2 1e11; 1 0"}, "waveform, point 3", "the times must increase strictly", "waveform"),
    ({"waveform": "0 0; 2"}, "waveform, point 2", "a point is a time in ns and a current density", "waveform"),
    ({"save_every": "2e4"}, "save every (ps)", "must be at most the duration", "save_every"),
    ({"duration": "0"}, "duration (ns)", "must be > 0", "duration"),
])
def test_a_refusal_names_the_box_by_its_label_marks_it_and_changes_nothing(texts, label, words, marked) -> None:
    app = _app()
    before = app.explorer.stack
    _set(app, **texts)
    message = _alert(app)
    assert f"{label}: " in message and words in message and "Nothing was changed" in message, message
    assert "dynamics." not in message.split("Nothing was changed")[0]  # the label on screen, not the file's key
    assert app.explorer.stack is before
    assert [key for key, box in app.structure.run_boxes.items() if "ctl-invalid" in box.css_classes] == [marked]
    # the boxes as shown again but for a good field: set, the marks gone
    _set(app, field="0, 0, 1", temperature="0", area="", waveform="", duration="12", save_every="5")
    assert _alert(app) == "" and float(app.explorer.stack.dynamics.field[2]) == 1e-3
    assert not any("ctl-invalid" in box.css_classes for box in app.structure.run_boxes.values())


def test_nothing_changed_is_said() -> None:
    app = _app()
    before = app.explorer.stack
    app.structure.set_run_button.clicks += 1
    assert "run settings: no box changed" in _alert(app) and app.explorer.stack is before


def test_a_reduced_page_has_no_run_settings() -> None:
    app = _app(EXAMPLES / "seed-fnf.toml")
    assert not any(box.visible for box in app.structure.run_boxes.values())
    assert not app.structure.set_run_button.visible


def test_the_dynamics_tab_runs_the_waveform_and_draws_each_frame_at_its_current() -> None:
    stack = edit.set_dynamics(spinstack.load_stack(OSCILLATOR), waveform=[(0.0, 0.0), (0.1e-9, -7e12)])
    page = DynamicsPage(stack)
    assert page.current.disabled and "waveform" in page.current.label
    assert "driven by the waveform (2 points, 0 to 0.1 ns)" in html.unescape(page.notice.object)
    page.duration.value = "0.3"
    page.wait()
    assert page.run.complete and page.run.error is None
    expected = spinstack.dynamics(stack, duration=0.3e-9, save_every=5e-12, progress=False)
    np.testing.assert_array_equal(page.drive, expected.current.values)
    assert page.frame_current(10) == pytest.approx(-3.5e12, rel=1e-12)  # halfway up the ramp at 0.05 ns
    page.show_frame(10)
    frame = page.frame_stack(10)
    assert si_current(frame) == pytest.approx(-3.5e12, rel=1e-12)
    solved = spinstack.solve(frame).reduced
    from spinstack.analysis import hodograph
    from spinstack.app.views import HODOGRAPH_SAMPLES, SpinCurrentView, plotted

    prepared = SpinCurrentView(size=330).prepare(solved, hodograph(solved, HODOGRAPH_SAMPLES))
    assert page.spin_current.sources["jumps"].data["x0"] == plotted(list(prepared["jumps"]["x0"]))
    page.stop()
