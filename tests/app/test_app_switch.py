"""Another stack in place of the shown one (App.show_stack, the preset menu): the figures are kept and, for a
stack with the same controls, the page's widgets too; what is shown is still the solver's."""

from __future__ import annotations

from pathlib import Path

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


def test_a_preset_with_the_same_controls_keeps_the_page_widgets_and_shows_its_own_values() -> None:
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    figure, panel = explorer.accumulation.figure, explorer._shown_controls.panel
    app.menu.value = "asymmetric"
    assert explorer.accumulation.figure is figure  # the figures are kept
    assert explorer._shown_controls.panel is panel  # and the widgets on the page: they show the new values
    assert explorer.controls is not explorer._shown_controls
    asymmetric = preset("asymmetric")
    shown = {control.path: control.widgets for control in explorer._shown_controls.controls}
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


def test_a_stack_with_other_controls_gets_new_widgets_and_back() -> None:
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    explorer = app.explorer
    panel = explorer._shown_controls.panel
    app.menu.value = "three-f"
    assert explorer._shown_controls.panel is not panel
    assert explorer.controls is explorer._shown_controls
    assert len(explorer.stack.ferromagnet_indices) == 3
    app.menu.value = "__given__"
    assert explorer.stack is app._given
    assert _shown_g2(explorer) == pytest.approx(float(spinstack.solve(explorer.stack).efficiency().g2), rel=1e-7)


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
