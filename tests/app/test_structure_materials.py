"""The structure card's material and dynamics forms without a browser (src/spinstack/app/structure.py): a layer's
material changed in place, a material defined (reduced, SI, from the library) or edited in every layer and lead,
a lead of a new material, a layer's free flag and exchange couplings; each edit one undo step, carried by the URL
and the stack download; refusals (bad number, empty or duplicate name, a ferromagnet where the model refuses it)
change nothing and say why."""

from __future__ import annotations

import html
import tomllib
from pathlib import Path

import numpy as np
import pytest

import spinstack
from spinstack.io import stack_from_dict
from tests.strategies import assert_same_stack as assert_same

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.dynamics_page import has_dynamics  # noqa: E402
from spinstack.app.explorer import App  # noqa: E402
from tests.app.structure_card import EXAMPLES  # noqa: E402
from tests.app.structure_card import alert_text as _alert  # noqa: E402
from tests.app.structure_card import card_app  # noqa: E402
from spinstack.app.session import STACK_KEY  # noqa: E402
from tests.app.structure_card import clock  # noqa: E402, F401  (autouse: every change an undo step)

SEED = EXAMPLES / "seed-fnf.toml"
SI = EXAMPLES / "co-cu-py.toml"


def _app(path: Path = SEED) -> App:
    return card_app(path)


def _exported(app: App) -> spinstack.Stack:
    return stack_from_dict(tomllib.loads(app.exports._toml().getvalue()), "exported.toml")


def _define(app: App, name: str, kind: str, **boxes: str) -> None:
    panel = app.structure
    panel.edited_material.value = panel.edited_material.options["new material"]
    panel.material_name.value, panel.material_kind.value = name, kind
    for key, text in boxes.items():
        panel.parameters[key].value = text
    panel.save_material_button.clicks += 1


def _change(app: App, index: int, material: str, theta: str = "0", phi: str = "0") -> None:
    panel = app.structure
    panel.changed_layer.value, panel.new_material.value = index, material
    panel.change_theta.value, panel.change_phi.value = theta, phi
    panel.change_button.clicks += 1


def _reopened(app: App) -> App:
    other = _app()
    assert other.open_query(app.session.query()) == []
    return other


# ------------------------------------------------------------------ a layer's material
def test_a_new_normal_metal_defined_and_given_to_the_spacer_is_one_step_in_the_url_and_the_file():
    app = _app()
    original = app.explorer.stack
    name = 'Cu "spacer" 2'  # a space and quotes: escaped in the page, quoted in the file and the link
    _define(app, name, "normal", D="2.5", l="inf", theta_SH="")
    assert _alert(app) == "" and app.explorer.stack is original  # defined only: the stack is unchanged
    assert name in app.structure.new_material.options.values() and app.structure.new_material.value == name
    assert "&quot;spacer&quot;" in app.structure.material_note.object
    _change(app, 1, name)
    assert _alert(app) == ""
    shown = app.explorer.stack
    assert [layer.material.name for layer in shown.layers] == ["F1", name, "F2"]
    assert shown.layers[1].thickness == original.layers[1].thickness
    assert float(shown.layers[1].material.D) == 2.5 and np.isinf(shown.layers[1].material.l)
    assert f"layers[1] {html.escape(name)}: d = 2" in app.structure.summary.object
    assert f"materials.{name}.D" in [c.path for c in app.explorer.controls.controls]  # its D box is there
    assert_same(_exported(app), shown)
    assert app.session.state()[STACK_KEY] is not None
    assert_same(_reopened(app).explorer.stack, shown)
    app.session.undo()
    assert_same(app.explorer.stack, original)


def test_a_ferromagnetic_layer_takes_another_ferromagnet_keeping_its_m():
    app = _app()
    _define(app, "Co", "ferromagnet", D="0.8", p="0.4", l="3")
    _change(app, 2, "Co", theta="10")  # the θ box is not used: F2 keeps its 60 degrees
    assert not app.structure.change_theta.visible
    assert _alert(app) == ""
    shown = app.explorer.stack
    np.testing.assert_array_equal(shown.layers[2].magnetization, spinstack.load_stack(SEED).layers[2].magnetization)
    assert shown.layers[2].material.name == "Co"


def test_a_ferromagnet_on_the_spacer_is_refused_where_the_model_refuses_it():
    app = _app()
    before, steps = app.explorer.stack, app.session.history.can_undo
    app.structure.changed_layer.value, app.structure.new_material.value = 1, "F1"
    assert app.structure.change_theta.visible  # a normal layer made ferromagnetic needs its m
    _change(app, 1, "F1", theta="0")  # F1 | F1 | F2: F2 at 60 degrees touches it
    assert "not collinear" in _alert(app) and "(setting the material of layers[1])" in _alert(app)
    assert "Nothing was changed" in _alert(app)
    _change(app, 1, "F1", theta="1,5")
    assert "layers[1]'s m θ: '1,5' has a comma: use a point: 1.5" in _alert(app)
    assert app.explorer.stack is before and app.session.history.can_undo == steps


# ------------------------------------------------------------------ defining and editing materials
@pytest.mark.parametrize(("name", "kind", "boxes", "message"), [
    ("", "normal", {"D": "1", "l": "2"}, "materials: the material's name is empty: type one"),
    ("   ", "normal", {"D": "1", "l": "2"}, "materials: the material's name is empty"),
    ("N", "normal", {"D": "1", "l": "2"}, "materials.N: already names a material"),
    ("Ag", "normal", {"D": "1,5", "l": "2"}, "materials.Ag.D: '1,5' has a comma: use a point: 1.5"),
    ("Ag", "normal", {"D": "", "l": "2"}, "materials.Ag.D: empty: type a number"),
    ("Ag", "normal", {"D": "-1", "l": "2"}, "materials.Ag.D: must be > 0"),
    ("Fe", "ferromagnet", {"D": "1", "p": "1", "l": "2"}, "materials.Fe.p: must lie strictly between -1 and 1, got 1.0"),
])
def test_a_bad_material_is_refused_and_nothing_is_defined(name, kind, boxes, message):
    app = _app()
    offered = dict(app.structure.new_material.options)
    _define(app, name, kind, **boxes)
    assert message in _alert(app)
    assert app.structure.new_material.options == offered


def test_editing_a_material_changes_every_layer_of_it_and_undo_gives_it_back():
    app = _app()
    original = app.explorer.stack
    name = next(n for n, m in original.materials.items() if isinstance(m, spinstack.Normal))
    panel = app.structure
    panel.edited_material.value = name
    assert panel.material_name.value == name and panel.parameters["D"].value == repr(float(original.materials[name].D))
    panel.save_material_button.clicks += 1  # saved as shown: the same numbers to the bit
    assert_same(app.explorer.stack, original)
    panel.parameters["D"].value = "7.5"
    panel.material_name.value = "Ag"  # a rename too
    panel.save_material_button.clicks += 1
    assert _alert(app) == ""
    shown = app.explorer.stack
    users = [i for i, layer in enumerate(original.layers) if layer.material.name == name]
    assert all(shown.layers[i].material.name == "Ag" and float(shown.layers[i].material.D) == 7.5 for i in users)
    assert name not in panel.edited_material.options.values() and panel.edited_material.value == "Ag"
    app.session.undo()
    assert_same(app.explorer.stack, original)


def test_an_si_material_saved_as_shown_is_the_same_stack_and_a_library_entry_needs_its_missing_values():
    app = _app(SI)
    original = app.explorer.stack
    panel = app.structure
    for name in original.materials:
        panel.edited_material.value = name
        panel.save_material_button.clicks += 1
        assert _alert(app) == ""
        assert_same(app.explorer.stack, original)
    assert panel.library.visible and "Py" in panel.library.options.values()
    panel.edited_material.value = panel.edited_material.options["new material"]
    panel.library.value = "Pt"
    assert panel.material_name.value == "Pt" and panel.material_kind.value == "normal"
    assert panel.parameters["rho"].value == "" and "Type what it lacks: rho." in panel.material_note.object
    panel.save_material_button.clicks += 1
    assert "materials.Pt.rho: empty: type a number" in _alert(app)
    panel.parameters["rho"].value = "200"
    panel.save_material_button.clicks += 1
    assert _alert(app) == ""
    _change(app, 1, "Pt")  # Co | Pt | Py
    shown = app.explorer.stack
    Pt = shown.layers[1].material
    expected = spinstack.si.material("Pt", rho="200 nOhm*m")
    assert float(Pt.D) == float(expected.D) and float(Pt.l) == float(expected.l)
    assert float(Pt.theta_SH) == float(expected.theta_SH) != 0.0
    assert_same(_exported(app), shown)


def test_a_lead_of_a_new_material():
    app = _app()
    _define(app, "Cu lead", "normal", D="4", l="20")
    panel = app.structure
    panel.side.value, panel.end_kind.value, panel.end_material.value = "right", "lead", "Cu lead"
    panel.set_end_button.clicks += 1
    assert _alert(app) == ""
    assert app.explorer.stack.right.material.name == "Cu lead"
    assert "right end</i>: lead of Cu lead" in panel.summary.object
    assert_same(_reopened(app).explorer.stack, app.explorer.stack)


def test_a_material_named_like_the_forms_new_choice_is_a_material_like_any_other():
    """F2: the form's "new material" choice was the string "__new__": a material of that name took over every later
    "new material" save (defining Ag renamed the __new__ layer to Ag)."""
    app = _app()
    panel = app.structure
    _define(app, "__new__", "normal", D="2", l="5")
    _change(app, 1, "__new__")
    assert _alert(app) == "" and [layer.material.name for layer in app.explorer.stack.layers] == ["F1", "__new__", "F2"]
    _define(app, "Ag", "normal", D="7", l="5")  # a NEW material: the stack is unchanged, Ag is offered
    assert _alert(app) == ""
    shown = app.explorer.stack
    assert [layer.material.name for layer in shown.layers] == ["F1", "__new__", "F2"]
    assert float(shown.materials["__new__"].D) == 2.0
    assert {"__new__", "Ag"} <= set(panel.new_material.options.values())
    assert "Ag is defined" in panel.material_note.object
    _define(app, "Ag", "normal", D="7", l="5")  # a new one of a name in use is still refused by name
    assert "materials.Ag: already names a material" in _alert(app)


def test_a_material_name_has_at_most_64_characters_typed_opened_or_linked():
    """F2: a 5 MB name was accepted (2.3 s of the server's thread per edit); the box stops at the limit, a longer
    value is refused by name with the limit, as is a file or a link with such a name."""
    from spinstack.app.session import MAX_MATERIAL_NAME_CHARS, pack_text

    assert MAX_MATERIAL_NAME_CHARS == 64
    app = _app()
    panel = app.structure
    assert panel.material_name.max_length == 64
    _define(app, "n" * 64, "normal", D="2", l="5")  # at the limit: defined
    assert _alert(app) == "" and "n" * 64 in panel.new_material.options.values()
    offered = dict(panel.new_material.options)
    _define(app, "m" * 65, "normal", D="2", l="5")
    assert "materials: a material name of at most 64 characters expected, got 65 ('mmmm" in _alert(app)
    assert panel.new_material.options == offered
    long = "x" * 1000
    text = SEED.read_text().replace("[materials.N]", f'[materials."{long}"]').replace('"N"', f'"{long}"')
    assert long in stack_from_dict(tomllib.loads(text), "long.toml").materials  # a valid file (the CLI reads it)
    stack = app.explorer.stack
    assert not panel.open_file("long.toml", text)
    assert "long.toml: materials: a material name of at most 64 characters expected, got 1000" in _alert(app)
    assert app.explorer.stack is stack
    refusals = _app().open_query(f"?{STACK_KEY}={pack_text(text)}")
    assert len(refusals) == 1 and "a material name of at most 64 characters expected, got 1000" in refusals[0]


# ------------------------------------------------------------------ dynamics
def test_a_layer_freed_after_its_material_gets_ms_and_alpha_opens_the_dynamics_tab_and_a_coupling():
    app = _app(SI)
    panel = app.structure
    assert panel.free_layer.visible and not has_dynamics(app.explorer.stack)
    py = next(i for i, layer in enumerate(app.explorer.stack.layers) if layer.material.name == "Py")
    panel.free_layer.value, panel.free_flag.value = py, True
    panel.set_free_button.clicks += 1
    assert f"materials.Py.Ms: missing: layers[{py}] is free" in _alert(app)
    panel.edited_material.value = "Py"
    panel.parameters["Ms"].value, panel.parameters["alpha"].value = "800", "0.01"
    panel.save_material_button.clicks += 1
    assert _alert(app) == ""
    assert float(app.explorer.stack.materials["Py"].Ms) == 8e5
    panel.free_layer.value, panel.free_flag.value = py, True
    panel.demag.value = "0.5, 0, 0"
    panel.set_free_button.clicks += 1
    assert f"layers[{py}].demag: must sum to 1" in _alert(app) and not app.explorer.stack.free_indices
    panel.demag.value = "1, 0, 0"  # a thin film
    panel.set_free_button.clicks += 1
    assert _alert(app) == ""
    stack = app.explorer.stack
    assert stack.free_indices == (py,) and has_dynamics(stack)
    np.testing.assert_array_equal(stack.layers[py].demag, [1.0, 0.0, 0.0])
    tabs = app.body  # the page's Dynamics tab beside the transport page
    assert isinstance(tabs, pn.Tabs) and "explorer-tabs" in tabs.css_classes and len(tabs.objects) == 2
    assert ", free, demag (1, 0, 0)" in panel.summary.object
    assert panel.demag.value == "1.0, 0.0, 0.0" and panel.free_flag.value
    fixed = next(i for i in stack.ferromagnet_indices if i != py)
    panel.coupling_a.value, panel.coupling_b.value, panel.coupling_J.value = fixed, py, "0.2"
    panel.set_coupling_button.clicks += 1
    assert _alert(app) == ""
    (coupling,) = app.explorer.stack.dynamics.couplings
    assert coupling.layers == (fixed, py) and float(coupling.J) == pytest.approx(2e-4, rel=1e-15)
    assert "J = 0.2 mJ/m²" in panel.summary.object
    assert_same(_exported(app), app.explorer.stack)
    other = _app(SI)
    assert other.open_query(app.session.query()) == []
    assert_same(other.explorer.stack, app.explorer.stack)
    panel.remove_coupling_button.clicks += 1
    assert app.explorer.stack.dynamics is None or not app.explorer.stack.dynamics.couplings
    app.session.undo()
    assert len(app.explorer.stack.dynamics.couplings) == 1


def test_a_reduced_page_says_dynamics_needs_si():
    app = _app()
    panel = app.structure
    assert not panel.free_layer.visible and not panel.set_coupling_button.visible
    assert "need an SI stack" in panel.dynamics_note.object
    assert not panel.library.visible


def test_a_material_name_with_markup_is_shown_as_text():
    app = _app()
    name = "<b>Cu</b> & 'x'"
    _define(app, name, "normal", D="2", l="5")
    assert _alert(app) == ""
    assert "<b>Cu</b>" not in app.structure.material_note.object
    assert html.escape(name) in app.structure.material_note.object
    _change(app, 1, name)
    assert _alert(app) == ""
    assert html.escape(name) in app.structure.summary.object and "<b>Cu</b>" not in app.structure.summary.object
    assert_same(_reopened(app).explorer.stack, app.explorer.stack)


def test_a_material_whose_control_moved_is_used_and_shown_as_the_stack_holds_it():
    """A control moved materials.N.D: a layer added of N, a layer changed to N and the material form use N as the
    stack now holds it (the choices' older N was a second material of that name: 'two different materials share
    this name', refused)."""
    app = _app()
    panel = app.structure
    panel.edited_material.value = "N"
    box = next(c for c in app.explorer.controls.controls if c.path == "materials.N.D").widgets[0]
    box.value = 4.0
    assert float(app.explorer.present_stack().materials["N"].D) == 4.0
    panel.material.value, panel.thickness.value, panel.position.value = "N", "1", 3
    panel.add_button.clicks += 1
    assert _alert(app) == ""
    assert [float(layer.material.D) for layer in app.explorer.stack.layers if layer.material.name == "N"] == [4.0, 4.0]
    assert panel.parameters["D"].value == "4.0"  # the form shows the stack's N
    _define(app, "Ag", "normal", D="2", l="5")
    _change(app, 1, "Ag")
    _change(app, 1, "N")
    assert _alert(app) == ""
    assert [layer.material.name for layer in app.explorer.stack.layers] == ["F1", "N", "F2", "N"]
