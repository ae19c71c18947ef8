"""The structure card after the new user's and the attacker's review (issue 16, helper U): a multi-number run box
keeps the numbers not touched to the bit, refusals answer in the boxes' units, the run settings' help says what the
code does, and an end made an F lead offers the touching F layer's direction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack.model import edit

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App  # noqa: E402
from tests.app.structure_card import EXAMPLES  # noqa: E402
from tests.app.structure_card import alert_text as _alert  # noqa: E402
from tests.app.structure_card import card_app  # noqa: E402
from tests.app.structure_card import set_run as _set  # noqa: E402
from tests.app.structure_card import clock  # noqa: E402, F401  (autouse: every change an undo step)

OSCILLATOR = EXAMPLES / "dynamics-oscillator.toml"
SEED = EXAMPLES / "seed-fnf.toml"


def _app(path: Path = OSCILLATOR) -> App:
    return card_app(path)


def _random_text(generator: np.random.Generator) -> str:
    """A number of 6 to 9 significant digits between 1e-3 and 1e3 (mostly not a short decimal in SI)."""
    digits = int(generator.integers(6, 10))
    return f"{generator.uniform(-1, 1) * 10.0 ** generator.integers(-3, 4):.{digits - 1}e}"


def test_a_field_component_not_typed_in_keeps_the_stacks_number_to_the_bit() -> None:
    """U (review): editing one component of the applied field re-read the other two from their text, through
    pint's float product: an ulp off for ~16% of the SI values shown (``_shortest`` picks the text that reads back
    exactly in decimal).  A component whose text is as shown keeps the stack's number, bit for bit."""
    app = _app()
    generator = np.random.default_rng(20261205)
    boxes = app.structure.run_boxes
    for trial in range(45):
        # a stack holding any SI numbers (a file's, another unit's): random doubles of tesla
        field = generator.uniform(-1, 1, 3) * 10.0 ** generator.integers(-6, 0, 3)
        app.structure.show_edited(edit.set_dynamics(app.explorer.stack, field=field))
        before = np.array(app.explorer.stack.dynamics.field, dtype=float)
        assert before.tobytes() == field.tobytes()
        parts = [part.strip() for part in boxes["field"].value.split(",")]
        typed = trial % 3
        parts[typed] = _random_text(generator)
        _set(app, field=", ".join(parts))
        assert _alert(app) == "", _alert(app)
        after = np.array(app.explorer.stack.dynamics.field, dtype=float)
        kept = [k for k in range(3) if k != typed]
        assert after[kept].tobytes() == before[kept].tobytes(), (trial, parts, before, after)
        assert after[typed] == pytest.approx(float(parts[typed]) * 1e-3, rel=1e-15)


def test_a_waveform_point_not_typed_in_keeps_the_stacks_numbers_to_the_bit() -> None:
    app = _app()
    generator = np.random.default_rng(5)
    for trial in range(20):
        times = np.cumsum(generator.uniform(0.1, 2.0, 6)) * 1e-9  # s: random doubles, as a file may hold them
        currents = generator.uniform(-5e11, 5e11, 6)
        app.structure.show_edited(edit.set_dynamics(app.explorer.stack, waveform=list(zip(times, currents))))
        before_t, before_j = (np.array(v, dtype=float).reshape(-1) for v in app.explorer.stack.dynamics.waveform)
        points = [point.split() for point in app.structure.run_boxes["waveform"].value.split(";")]
        index = trial % len(points)
        points[index][1] = f"{generator.uniform(-5e11, 5e11):.9g}"
        _set(app, waveform="; ".join(" ".join(point) for point in points))
        assert _alert(app) == "", _alert(app)
        after_t, after_j = (np.array(v, dtype=float).reshape(-1) for v in app.explorer.stack.dynamics.waveform)
        assert after_t.tobytes() == before_t.tobytes()
        kept = [k for k in range(len(points)) if k != index]
        assert after_j[kept].tobytes() == before_j[kept].tobytes(), trial


def test_an_end_made_an_f_lead_offers_the_touching_f_layers_direction() -> None:
    """U (review): the right end made a lead of F2 took θ = 0, refused beside F2 at 60° (touching ferromagnets are
    collinear); the boxes offer the touching F layer's m, so the lead is set as offered."""
    app = _app(SEED)
    panel = app.structure
    panel.side.value = "right"
    panel.end_kind.value = "lead"
    panel.end_material.value = "F2"
    assert (panel.end_theta.value, panel.end_phi.value) == ("60", "0")  # F2 at theta = 60 deg in the file
    panel.set_end_button.clicks += 1
    assert _alert(app) == ""
    right = app.explorer.stack.right
    assert isinstance(right, spinstack.Lead) and right.material.name == "F2"
    np.testing.assert_allclose(right.magnetization, app.explorer.stack.layers[-1].magnetization, rtol=0, atol=1e-15)
    panel.side.value = "left"  # the left end beside F1 (+z)
    assert (panel.end_theta.value, panel.end_phi.value) == ("0", "0")


@pytest.mark.parametrize(("texts", "said"), [
    ({"waveform": "0 0; 1 5; 0.5 3"},
     "waveform, point 3: the times must increase strictly: t = 0.5 ns follows t = 1 ns"),
    ({"temperature": "300", "area": "-5"}, "area (nm²): must be > 0, got -5 nm²"),
    ({"duration": "-1"}, "duration (ns): must be > 0 (ns), got -1 ns"),
    ({"save_every": "-2.5"}, "save every (ps): must be > 0 (ps), got -2.5 ps"),
])
def test_a_refused_run_setting_is_answered_in_its_boxs_unit(texts: dict[str, str], said: str) -> None:
    """U (review): the waveform box takes ns and its refusal said "t = 5e-10 s follows t = 1e-09 s"; the area box
    takes nm² and its refusal said "got -5e-18" (m²)."""
    app = _app()
    before = app.explorer.stack
    _set(app, **texts)
    assert said in _alert(app) and app.explorer.stack is before
    assert " s " not in _alert(app) and "e-18" not in _alert(app) and "e-10" not in _alert(app)


def test_the_demag_help_says_what_an_empty_box_does() -> None:
    """U (review): the card said "empty: none"; an empty box gives no factors, which the model takes as the thin
    film (1, 0, 0) (model.Layer, STACK_FORMAT.md "Dynamics"): the help says so."""
    from spinstack.macrospin.spec import Macrospins

    app = _app()
    note = app.structure.dynamics_note.object
    assert "empty: the thin film 1, 0, 0" in note and "empty: none" not in note
    panel = app.structure
    index = next(i for i, layer in enumerate(app.explorer.stack.layers) if layer.free)
    panel.free_layer.value = index
    panel.demag.value = ""
    panel.free_flag.value = True
    panel.set_free_button.clicks += 1
    assert _alert(app) == "" and app.explorer.stack.layers[index].demag is None
    # what a run integrates with: the thin film's factors
    np.testing.assert_array_equal(Macrospins.from_stack(app.explorer.stack).demag.reshape(-1, 3)[0], [1.0, 0.0, 0.0])


def test_with_a_waveform_the_dynamics_current_box_shows_the_waveforms_span() -> None:
    """U (review): the disabled box "current J: the waveform's" showed the unused constant current (1e+11)."""
    from spinstack.app.dynamics_page import DynamicsPage

    stack = edit.set_dynamics(spinstack.load_stack(OSCILLATOR), waveform=[(0.0, 0.0), (0.1e-9, -7e12), (1e-9, 2e11)])
    page = DynamicsPage(stack)
    assert page.current.disabled and page.current.value == "-7e+12 \u2026 2e+11"
    assert "span" in page.current.label
    assert page.run_stack() is stack  # the waveform drives: the box's text is no current
