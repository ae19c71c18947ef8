"""Another stack in place of the shown one (App.show_stack, the preset menu): the figures are kept and, for a
stack with the same controls, the page's widgets too; what is shown is still the solver's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

import spinstack  # noqa: E402
from spinstack.app.explorer import App, Explorer  # noqa: E402
from spinstack.app.presets import preset  # noqa: E402
from spinstack.model.paths import with_parameter  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _shown_g2(explorer: Explorer) -> float:
    text = explorer.numbers.text
    return float(text.split('id="g2">')[1].split("<")[0])


def _page_widgets(explorer: Explorer) -> dict[str, tuple[Any, ...]]:
    """The widgets on the page showing each control of ``explorer.controls`` (by path)."""
    return {control.path: tuple(control.widgets)
            for control in explorer.controls.controls}


def _on_page(explorer: Explorer) -> list[Any]:
    """Every visible part of the page's control panel."""
    return [part for item in explorer._page_panel.objects if item.visible for part in item.select()]


def test_a_preset_with_the_same_controls_keeps_the_page_widgets_and_shows_its_own_values() -> None:
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    figure, panel = explorer.accumulation.figure, explorer._page_panel
    before = _page_widgets(explorer)
    app.menu.value = "asymmetric"
    assert explorer.accumulation.figure is figure  # the figures are kept
    assert explorer._page_panel is panel  # and the widgets on the page: they show the new values
    shown = _page_widgets(explorer)
    assert all(a is b for path in shown for a, b in zip(shown[path], before[path]))
    # (the new controls are made of the page's widgets: no second set of widgets on the server)
    assert {id(part) for part in _on_page(explorer)} >= {id(w) for c in explorer.controls.controls for w in c.widgets}
    asymmetric = preset("asymmetric")
    assert shown["layers[1].thickness"][0].value == "0.5"
    assert shown["materials.F2.p"][0].value == "0.9"
    assert shown["layers[2].magnetization"][0].value == 40.0
    expected = float(spinstack.solve(asymmetric).efficiency().g2)
    assert _shown_g2(explorer) == pytest.approx(expected, rel=1e-7)
    assert np.real(expected) < 0  # seed Fig. 5: g2 < 0 at 40 degrees

    # a user's input on the page's widget is solved with the new stack's controls
    shown["layers[1].thickness"][0].value = "0.75"
    assert float(explorer.stack.layers[1].thickness) == 0.75
    assert float(explorer.stack.materials["F2"].p) == 0.9
    moved = with_parameter(asymmetric, "layers[1].thickness", 0.75)
    assert _shown_g2(explorer) == pytest.approx(float(spinstack.solve(moved).efficiency().g2), rel=1e-7)
    # values set from Python on the controls in use (undo, a link) reach the page's widget
    explorer.controls.widget("layers[1].thickness").value = "0.6"
    assert shown["layers[1].thickness"][0].value == "0.6"
    assert float(explorer.stack.layers[1].thickness) == 0.6
    # and so do the marks of a bad value
    shown["layers[1].thickness"][0].value = "0"
    assert "ctl-invalid" in shown["layers[1].thickness"][0].css_classes
    assert explorer.alert.visible
    app.session.undo()  # (quick moves of one control are one step: back to the preset's value)
    assert shown["layers[1].thickness"][0].value == explorer.controls.widget("layers[1].thickness").value != "0"
    assert "ctl-invalid" not in shown["layers[1].thickness"][0].css_classes


def _labels(explorer: Explorer) -> dict[str, str]:
    """Each control path's label(s) and value(s) as the page shows them (an angle: its slider's label)."""
    found = {}
    for part in _on_page(explorer):
        classes = [word for word in part.css_classes if word.startswith("ctl-") and word != "ctl-invalid"]
        if classes:
            widgets = part.select(lambda w: hasattr(w, "label") and hasattr(w, "value"))
            found[classes[0]] = [(w.label, w.value) for w in widgets]
    return found


def test_a_stack_with_other_controls_reuses_the_page_widgets_and_shows_only_its_own() -> None:
    """seed file (F1/N/F2) -> three F layers (five layers, four materials) -> back: the page's widgets are reused
    (only the widgets the page never had are new), each shows its new label and value, the controls the new stack
    has not are hidden and lose their ctl- class, and every visible control is solved as the new stack's."""
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    panel = explorer._page_panel
    seed_parts = {id(part) for part in panel.select()}
    seed_labels = _labels(explorer)
    app.menu.value = "three-f"
    assert explorer._page_panel is panel
    three = preset("three-f")
    assert len(explorer.stack.ferromagnet_indices) == 3
    shown = _page_widgets(explorer)
    reused = [path for path, widgets in shown.items() if all(id(w) in seed_parts for w in widgets)]
    # the seed's 3 thicknesses, 2 directions, 3 materials' boxes, the current: all reused
    assert len(reused) == 3 + 2 + 8 + 1, reused
    fresh = App(three, "three").explorer
    assert _labels(explorer) == _labels(fresh)  # the page shows what a new page of the stack shows
    assert shown["layers[4].thickness"][0].label == "d of layer 4 (F3)"
    assert shown["layers[0].thickness"][0].label == "d of layer 0 (F1)"
    # a user's input on a reused widget is solved as the new stack's
    shown["layers[2].magnetization"][0].value = 75.0
    moved = with_parameter(three, "layers[2].magnetization.theta", 75.0)
    for mine, theirs in zip(explorer.stack.layers, moved.layers):
        assert float(mine.thickness) == float(theirs.thickness)
        assert np.array_equal(np.asarray(mine.magnetization, dtype=float), np.asarray(theirs.magnetization, dtype=float),
                              equal_nan=True)  # (None, a normal layer's, is NaN here)
    assert float(explorer.stack.materials["F3"].p) == 0.7

    app.menu.value = "__given__"
    assert explorer._page_panel is panel
    assert explorer.stack is app._given
    assert _labels(explorer) == seed_labels  # the three-F controls hidden, no stale label or class
    hidden = [item for item in panel.objects if not item.visible]
    assert hidden and all(not [w for p in item.select() for w in p.css_classes if w.startswith("ctl-")]
                          for item in hidden)
    assert _shown_g2(explorer) == pytest.approx(float(spinstack.solve(explorer.stack).efficiency().g2), rel=1e-7)
    # and once more: no new widget at all, the hidden ones shown again
    parts = {id(part) for part in panel.select()}
    app.menu.value = "three-f"
    assert {id(part) for part in panel.select()} == parts
    assert _labels(explorer) == _labels(fresh)


def test_a_solve_of_the_replaced_stack_is_dropped() -> None:
    """A solve under way when another stack comes is not shown when it ends; the new stack's moves are solved."""
    queued = []
    explorer = Explorer(preset("seed"), background=lambda work, done: queued.append((work, done)))
    explorer.controls.widget("layers[1].thickness").value = "3"
    assert len(queued) == 1
    explorer.replace(preset("asymmetric"))
    explorer.controls.widget("layers[1].thickness").value = "0.7"  # waits for the solve under way
    work, done = queued.pop()
    done(work())
    assert float(explorer.stack.layers[1].thickness) == 0.5  # the seed stack's solve is dropped
    assert len(queued) == 1  # the new stack's move is solved next
    work, done = queued.pop()
    done(work())
    assert float(explorer.stack.layers[1].thickness) == 0.7
    assert float(explorer.stack.materials["F2"].p) == 0.9


def test_a_structure_edit_setting_an_interface_keeps_the_figures_and_names_the_interface_drive() -> None:
    """An interface set and removed (App.show_stack, as the structure card does): the same figures, the analogy's
    legend shows the interface drive's entry only while the stack has an interface, and the numbers are the
    solver's for the edited stack."""
    from spinstack.model import edit

    seed = spinstack.load_stack(EXAMPLES / "seed-fnf.toml")
    app = App(seed, "file: seed-fnf.toml")
    explorer = app.explorer
    figures = [explorer.accumulation.figure, explorer.spin_current.figure, explorer.efficiency.figure]
    assert explorer.accumulation.interface_item is not None and not explorer.accumulation.interface_item.visible
    edited = edit.set_interface(seed, spinstack.Interface.from_valet_fert(1, 0.5, 0.2, [1.5, -0.1]))
    app.show_stack(edited)
    assert [explorer.accumulation.figure, explorer.spin_current.figure, explorer.efficiency.figure] == figures
    assert explorer.accumulation.interface_item.visible
    assert _shown_g2(explorer) == pytest.approx(float(spinstack.solve(edited).efficiency().g2), rel=1e-7)
    app.show_stack(seed)
    assert explorer.accumulation.figure is figures[0]
    assert not explorer.accumulation.interface_item.visible
    assert _shown_g2(explorer) == pytest.approx(float(spinstack.solve(seed).efficiency().g2), rel=1e-7)


def test_a_reused_angle_box_holding_a_bad_text_shows_the_new_stack_s_angle() -> None:
    """A box left holding a text that is no angle (``abc``: its value is still its last angle) shows the new
    stack's angle after a switch, also when that angle is the value it still had (nothing else would resend it),
    and is not marked."""
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    box = explorer.controls.widget("layers[2].magnetization")
    box.text = "abc"  # as typed in the browser
    assert not box.settled() and explorer.alert.visible and "ctl-invalid" in box.css_classes
    app.menu.value = "seed"  # theta 60 deg, as the file: the same value
    reused = explorer.controls.widget("layers[2].magnetization")
    assert reused is box and box.settled() and box.text == "60" and box.value == 60.0
    assert "ctl-invalid" not in box.css_classes and not explorer.alert.visible
    assert float(explorer.stack.layers[2].magnetization[0]) == pytest.approx(np.sin(np.deg2rad(60.0)), abs=1e-15)


def test_a_switch_to_three_f_layers_hides_g_theta_and_shows_why_in_the_same_update() -> None:
    """Review U2 item 6: after seed -> asymmetric -> file -> asymmetric -> seed -> three-F -> seed -> three-F the
    g(theta) figure stayed shown (the seed curve and its theta = 60 marker) under the note while the numbers read
    theta = -: Panel's Bokeh pane re-read the figure's hidden flag into the pane when it was shown again, so the next
    three-F switch set nothing.  After every switch the figure's model is shown exactly when the stack has g(theta),
    the note's model when it has not, and the switch's own document changes carry both (one held update)."""
    from bokeh.document import Document
    from bokeh.document.events import ModelChangedEvent

    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    document = Document()
    root = app.layout.get_root(document)
    document.add_root(root)
    changes: list[Any] = []
    document.on_change(changes.append)
    for name in ("seed", "asymmetric", "__given__", "asymmetric", "seed", "three-f", "seed", "three-f",
                 "__given__", "three-f"):
        changes.clear()
        was = app.explorer.has_efficiency
        app.menu.value = name
        explorer = app.explorer
        has = name != "three-f"
        assert explorer.has_efficiency is has
        figure = explorer.efficiency.figure
        on_page = set(root.references())
        notes = [model for model, _ in explorer._no_efficiency._models.values() if model in on_page]
        assert figure in on_page and len(notes) == 1
        assert figure.visible is has, name
        assert all(note.visible is not has for note in notes), name
        assert ("defined for exactly two F layers" in explorer._no_efficiency.object) is not has
        if was != has:  # shown or hidden by this switch: both flags change in its own update
            changed = {(event.model, event.attr): event.new for event in changes
                       if isinstance(event, ModelChangedEvent)}
            assert changed.get((figure, "visible")) is has, name
            assert all(changed.get((note, "visible")) is not has for note in notes), name


def test_a_right_lead_s_direction_follows_the_layers_and_leaves_their_rows_alone() -> None:
    """Issue 16 item 3 (an end made a lead, 202/234 ms): the magnetizations' rows are in the stack's order, the left
    end's, the layers', the right end's, so the right end made an F lead and a reservoir again changes no F layer's
    row (same widget, label and value: nothing of it sent) and the lead's rows, hidden, are shown again."""
    from spinstack.model import Lead, Reservoir, edit

    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    file_stack = explorer.stack
    lead = edit.set_end(file_stack, "right", Lead(file_stack.materials["F2"], file_stack.layers[2].magnetization))
    left_lead = edit.set_end(file_stack, "left", Lead(file_stack.materials["F1"], file_stack.layers[0].magnetization))

    def rows() -> list[tuple[str, Any, str]]:
        return [(next(word for word in row.css_classes if word.startswith("ctl-")), row, row.objects[0].label)
                for row in explorer._page_panel.objects if row.visible and "-magnetization-" in " ".join(row.css_classes)]

    app.show_stack(lead)
    app.show_stack(file_stack)
    before = rows()
    assert [css for css, _, _ in before] == ["ctl-layers-0-magnetization-theta", "ctl-layers-0-magnetization-phi",
                                             "ctl-layers-2-magnetization-theta", "ctl-layers-2-magnetization-phi"]
    app.show_stack(lead)
    after = rows()
    assert [css for css, _, _ in after] == [css for css, _, _ in before] + ["ctl-right-magnetization-theta",
                                                                            "ctl-right-magnetization-phi"]
    assert all(row is old and label == old_label for (_, row, label), (_, old, old_label) in zip(after, before))
    assert after[-2][2] == "\u03b8 of the right lead (deg)"
    app.show_stack(left_lead)  # the left end's first
    assert [css for css, _, _ in rows()][:2] == ["ctl-left-magnetization-theta", "ctl-left-magnetization-phi"]
    app.show_stack(edit.set_end(file_stack, "right", Reservoir()))
    assert [css for css, _, _ in rows()] == [css for css, _, _ in before]
