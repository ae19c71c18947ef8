"""The page's tabs follow structure edits in place (issue 16): an SI page has the Transport and Dynamics tabs from the
start, and an edit that frees a layer offers the Dynamics tab (a class of its holder: the headers shown), beside the
Transport page, which stays the same object (its figures' models and views are kept in the browser: the page is not
rebuilt); fixing it again hides the tab again.  The Dynamics page is made when
its tab is shown.  The browser test checks that the Transport figures' views survive such edits."""

from __future__ import annotations

import dataclasses
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.model import edit

pn = pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.dynamics_page import DYNAMICS_HOLDER, DYNAMICS_TITLE, NO_DYNAMICS, DynamicsPage  # noqa: E402
from spinstack.app.explorer import App  # noqa: E402
from tests.app.browser_harness import choose as card_choose  # noqa: E402
from tests.app.browser_harness import fill as card_fill  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SI = EXAMPLES / "co-cu-py.toml"


def _macrospin_ready() -> tuple[spinstack.Stack, int]:
    """co-cu-py with its Py given Ms and alpha (so that it may be free), and Py's layer index."""
    stack = spinstack.load_stack(SI)
    py = next(i for i, layer in enumerate(stack.layers) if layer.material.name == "Py")
    material = dataclasses.replace(stack.materials["Py"], Ms=8e5, alpha=0.01)
    return edit.replace_material(stack, "Py", material), py


def _offered(tabs: Any) -> bool:
    """Whether the Dynamics tab of ``tabs`` is offered (its header shown: SINGLE_TAB_CSS)."""
    return len(tabs.objects) == 2 and NO_DYNAMICS not in tabs.objects[1].css_classes


def test_freeing_a_layer_offers_the_dynamics_tab_of_the_same_tabs_beside_the_same_transport_page() -> None:
    stack, py = _macrospin_ready()
    app = App(stack, "file: co-cu-py.toml")
    tabs, transport = app.body, app.explorer.layout
    # an SI page: both tabs from the start, the Dynamics tab not offered (its holder's class hides the headers)
    assert isinstance(tabs, pn.Tabs) and len(tabs.objects) == 2 and tabs.objects[0] is transport
    assert tabs._names == ["Transport", DYNAMICS_TITLE] and not _offered(tabs)
    holder = tabs.objects[1]
    assert holder.css_classes == [DYNAMICS_HOLDER, NO_DYNAMICS]
    app.structure.show_edited(edit.set_free(stack, py, True))
    # the same objects: nothing of them sent again; the Tabs' list not even changed, only the holder's class
    assert app.body is tabs and app.explorer.layout is transport
    assert tabs.objects[0] is transport and tabs.objects[1] is holder and _offered(tabs)
    assert holder.css_classes == [DYNAMICS_HOLDER]
    assert app.explorer.dynamics is None  # made when the tab is shown: meanwhile it says so
    assert [pane.css_classes for pane in holder.objects] == [["dyn-preparing"]]
    note = holder.objects[0]
    tabs.active = 1
    page = app.explorer.dynamics
    assert isinstance(page, DynamicsPage) and list(holder.objects) == [note, page.layout] and page.free == [py]
    assert not note.visible and page.layout.visible
    # another edit keeping the layer free: the tab's holder gets the new stack's page, the tabs stay
    thicker = edit.replace_layer(app.explorer.stack, 0, dataclasses.replace(app.explorer.stack.layers[0],
                                                                            thickness=9e-9))
    app.structure.show_edited(thicker)
    assert app.body is tabs and tabs.objects[0] is transport and tabs.objects[1] is holder
    assert app.explorer.dynamics is not page and page._closed  # the old page stopped
    assert list(holder.objects) == [note, app.explorer.dynamics.layout]  # shown tab: the new page at once
    assert float(app.explorer.dynamics.base.layers[0].thickness) == 9e-9
    # fixed again: the tab is no longer offered, the Transport tab is shown; the holder's children are the same
    # (a change of them costs a walk of the page's models), the old page hidden and the note shown
    last = app.explorer.dynamics
    app.structure.show_edited(edit.set_free(app.explorer.stack, py, False))
    assert app.body is tabs and tabs.objects[0] is transport and tabs.objects[1] is holder and tabs.active == 0
    assert not _offered(tabs) and list(holder.objects) == [note, last.layout]
    assert note.visible and not last.layout.visible
    assert app.explorer.dynamics is None and last._closed
    tabs.active = 1  # not offered (a keyboard, a script): the Transport tab stays, no page is made
    assert tabs.active == 0 and app.explorer.dynamics is None
    # undo brings the free layer back: the tab offered again, its page made when shown (the old one leaves then)
    app.session.undo()
    assert tabs.objects[0] is transport and tabs.objects[1] is holder and _offered(tabs)
    assert app.explorer.dynamics is None and note.visible and not last.layout.visible
    tabs.active = 1
    assert list(holder.objects) == [note, app.explorer.dynamics.layout] and app.explorer.dynamics.free == [py]
    assert not note.visible and app.explorer.dynamics.layout.visible


def test_a_reduced_page_has_the_transport_tab_alone_and_an_si_one_both() -> None:
    app = App(spinstack.load_stack(EXAMPLES / "seed-fnf.toml"), "file: seed-fnf.toml")
    tabs = app.body
    assert list(tabs.objects) == [app.explorer.layout]  # one tab: no header (SINGLE_TAB_CSS), no holder
    stack, py = _macrospin_ready()
    app.show_stack(edit.set_free(stack, py, True), "file: free.toml")
    assert app.body is tabs and tabs.objects[0] is app.explorer.layout and _offered(tabs)
    tabs.active = 1
    assert isinstance(app.explorer.dynamics, DynamicsPage)
    app.menu.value = "seed"  # a reduced preset: the Dynamics tab goes, the Transport tab is shown
    assert list(tabs.objects) == [app.explorer.layout] and tabs.active == 0 and app.explorer.dynamics is None


def test_the_dynamics_tab_of_a_hidden_tab_says_it_prepares_the_new_stacks_page() -> None:
    stack, py = _macrospin_ready()
    app = App(edit.set_free(stack, py, True), "file: free.toml")
    tabs = app.body
    assert len(tabs.objects) == 2 and app.explorer.dynamics is None
    note = tabs.objects[1].objects[0]
    assert note.css_classes == ["dyn-preparing"] and note.visible
    tabs.active = 1
    first = app.explorer.dynamics
    assert isinstance(first, DynamicsPage)
    tabs.active = 0
    assert app.explorer.dynamics is first and list(tabs.objects[1].objects) == [note, first.layout]  # kept hidden
    app.structure.show_edited(edit.set_demag(app.explorer.stack, py, [1.0, 0.0, 0.0]))
    assert app.explorer.dynamics is None and first._closed
    assert note.visible and not first.layout.visible  # says it is preparing; the old page not shown
    tabs.active = 1
    assert app.explorer.dynamics is not None and list(tabs.objects[1].objects) == [note, app.explorer.dynamics.layout]
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
  const shown = found.filter((el) => el.getClientRects().length > 0);  // not in a hidden page (display: none)
  return {figures: found.length, shown: shown.length, kept: found.filter((el) => el.__spinstackKept).length,
          shownKept: shown.filter((el) => el.__spinstackKept).length, ids: ids.sort()};
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

    choose, fill = partial(card_choose, tab), partial(card_fill, tab)  # a menu's choice, a box's value

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
    # the Transport figures shown, all of them the views of before (the old Dynamics page's, hidden, leave the
    # page when the tab is shown again: a change of the holder's children costs a walk of the page's models)
    assert fixed["shown"] == before["figures"] and fixed["shownKept"] == before["figures"], fixed
    assert set(before["ids"]) <= set(fixed["ids"])  # (the Dynamics page's figures may stay in BokehJS's list)
    assert "Traceback" not in tab.content()
