"""The page's tabs follow structure edits in place (issue 16): an edit that frees a layer adds the Dynamics tab to
the page's one Tabs, beside the Transport page, which stays the same object (its figures' models and views are
kept in the browser: the page is not rebuilt); fixing it again removes the tab.  The Dynamics page is made when
its tab is shown.  The browser test checks that the Transport figures' views survive such edits."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.model import edit

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.dynamics_page import DYNAMICS_TITLE, DynamicsPage  # noqa: E402
from spinstack.app.explorer import App  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SI = EXAMPLES / "co-cu-py.toml"


def _macrospin_ready() -> tuple[spinstack.Stack, int]:
    """co-cu-py with its Py given Ms and alpha (so that it may be free), and Py's layer index."""
    stack = spinstack.load_stack(SI)
    py = next(i for i, layer in enumerate(stack.layers) if layer.material.name == "Py")
    material = dataclasses.replace(stack.materials["Py"], Ms=8e5, alpha=0.01)
    return edit.replace_material(stack, "Py", material), py


def test_freeing_a_layer_adds_the_dynamics_tab_beside_the_same_transport_page() -> None:
    stack, py = _macrospin_ready()
    app = App(stack, "file: co-cu-py.toml")
    tabs, transport = app.body, app.explorer.layout
    assert isinstance(tabs, pn.Tabs) and list(tabs.objects) == [transport]  # one tab: its header hidden (CSS)
    app.structure.show_edited(edit.set_free(stack, py, True))
    assert app.body is tabs and app.explorer.layout is transport  # the same objects: nothing of them sent again
    assert len(tabs.objects) == 2 and tabs.objects[0] is transport and tabs._names == ["Transport", DYNAMICS_TITLE]
    holder = tabs.objects[1]
    assert app.explorer.dynamics is None  # made when the tab is shown: meanwhile it says so
    assert [pane.css_classes for pane in holder.objects] == [["dyn-preparing"]]
    tabs.active = 1
    page = app.explorer.dynamics
    assert isinstance(page, DynamicsPage) and list(holder.objects) == [page.layout] and page.free == [py]
    # another edit keeping the layer free: the tab's holder gets the new stack's page, the tabs stay
    thicker = edit.replace_layer(app.explorer.stack, 0, dataclasses.replace(app.explorer.stack.layers[0],
                                                                            thickness=9e-9))
    app.structure.show_edited(thicker)
    assert app.body is tabs and tabs.objects[0] is transport and tabs.objects[1] is holder
    assert app.explorer.dynamics is not page and page._closed  # the old page stopped
    assert list(holder.objects) == [app.explorer.dynamics.layout]  # shown tab: the new page at once
    assert float(app.explorer.dynamics.base.layers[0].thickness) == 9e-9
    # fixed again: the tab goes, the Transport tab is shown
    last = app.explorer.dynamics
    app.structure.show_edited(edit.set_free(app.explorer.stack, py, False))
    assert app.body is tabs and list(tabs.objects) == [transport] and tabs.active == 0
    assert app.explorer.dynamics is None and last._closed
    # undo brings the free layer back: the tab again, its page made when shown
    app.session.undo()
    assert len(tabs.objects) == 2 and tabs.objects[0] is transport and app.explorer.dynamics is None


def test_the_dynamics_tab_of_a_hidden_tab_is_emptied_for_the_new_stack() -> None:
    stack, py = _macrospin_ready()
    app = App(edit.set_free(stack, py, True), "file: free.toml")
    tabs = app.body
    assert len(tabs.objects) == 2 and app.explorer.dynamics is None
    tabs.active = 1
    first = app.explorer.dynamics
    assert isinstance(first, DynamicsPage)
    tabs.active = 0
    assert app.explorer.dynamics is first and list(tabs.objects[1].objects) == [first.layout]  # kept while hidden
    app.structure.show_edited(edit.set_demag(app.explorer.stack, py, [1.0, 0.0, 0.0]))
    assert app.explorer.dynamics is None and first._closed
    assert [pane.css_classes for pane in tabs.objects[1].objects] == [["dyn-preparing"]]
    tabs.active = 1
    assert app.explorer.dynamics is not None
    assert list(app.explorer.dynamics.base.layers[py].demag) == [1.0, 0.0, 0.0]


# ------------------------------------------------------------------------------------------------ browser
_FIGURES = """(mark) => {
  const found = [];
  const walk = (node) => { for (const el of node.querySelectorAll('*')) {
      if (el.classList && el.classList.contains('bk-Figure')) found.push(el);
      if (el.shadowRoot) walk(el.shadowRoot); } };
  walk(document);
  if (mark) { for (const el of found) el.__spinstackKept = true; }
  const ids = [];
  for (const doc of Bokeh.documents) for (const model of doc.all_models)
    if (model.type === 'Figure' || model.type === 'Tabs') ids.push(model.type + ':' + model.id);
  return {figures: found.length, kept: found.filter((el) => el.__spinstackKept).length, ids: ids.sort()};
}"""


def _tab_titles(tab: Any) -> list[str]:
    return tab.evaluate("""() => {
      const titles = [];
      const walk = (node) => { for (const el of node.querySelectorAll('*')) {
          if (el.classList && el.classList.contains('bk-tab') && el.offsetParent !== null) titles.push(el.textContent);
          if (el.shadowRoot) walk(el.shadowRoot); } };
      walk(document);
      return titles;
    }""")


def _wait(condition: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.mark.slow
@pytest.mark.usefixtures("warm_kernels")  # the explorer's process loads the kernels from the cache
def test_freeing_a_layer_in_the_browser_keeps_the_transport_figures(new_page: Any, explorer_urls: dict) -> None:
    """co-cu-py's page: Py given Ms and alpha, freed in the structure card: the Dynamics tab appears (with one
    tab no header is shown), every Transport figure keeps its Bokeh model and its view (its element on the page:
    the page is not rebuilt); fixed again, the tab goes, the figures still the same.  On the previous code the
    edit wrapped the page in new Tabs: every figure's view was built again (none of them kept)."""
    tab = new_page(explorer_urls["si"], 1920, 1080)
    tab.locator(".spin-structure .card-header").first.click()
    tab.locator("#structure").wait_for(timeout=30_000)

    def choose(css: str, label: str) -> None:
        tab.locator(f".{css} select").select_option(label=label)

    def fill(css: str, text: str) -> None:
        box = tab.locator(f".{css} input")
        box.fill(text)
        box.press("Enter")

    assert _tab_titles(tab) == []  # one tab: no header
    choose("structure-edited-material", "Py (F)")
    fill("structure-m-Ms", "800")
    fill("structure-m-alpha", "0.01")
    tab.locator(".structure-save-material button").click()
    tab.locator(".structure-material-note", has_text="Py: saved").wait_for(timeout=60_000)
    tab.wait_for_timeout(500)
    before = tab.evaluate(_FIGURES, True)
    assert before["figures"] >= 4 and before["kept"] == before["figures"]
    py = next(label for label in tab.locator(".structure-free-layer select option").all_inner_texts() if "Py" in label)
    choose("structure-free-layer", py)
    tab.locator(".structure-free input").check()
    tab.locator(".structure-set-free button").click()
    _wait(lambda: _tab_titles(tab) == ["Transport", DYNAMICS_TITLE], "the Dynamics tab appears")
    tab.wait_for_timeout(500)
    freed = tab.evaluate(_FIGURES, False)
    assert freed["kept"] == before["figures"], freed  # every Transport figure's view kept (none built again)
    assert freed["figures"] == before["figures"] and freed["ids"] == before["ids"]  # the same Tabs and Figures
    tab.locator(".bk-tab", has_text="Dynamics").first.click()  # the page is made and sent now
    tab.locator("#dyn-time").wait_for(timeout=60_000)
    tab.locator(".bk-tab", has_text="Transport").first.click()
    choose("structure-free-layer", py)
    tab.locator(".structure-free input").uncheck()
    tab.locator(".structure-set-free button").click()
    _wait(lambda: _tab_titles(tab) == [], "the Dynamics tab goes")
    tab.wait_for_timeout(500)
    fixed = tab.evaluate(_FIGURES, False)
    assert fixed["figures"] == before["figures"] and fixed["kept"] == before["figures"], fixed
    assert set(before["ids"]) <= set(fixed["ids"])  # (the Dynamics page's figures may stay in BokehJS's list)
    assert "Traceback" not in tab.content()
