"""Editing the structure in a real browser (fixtures of ``test_app_browser``): a user opens the structure card,
adds a layer and removes it, sets an interface (the page's g2 is then the solver's for the edited stack),
reloads the URL the page wrote (same structure, same numbers), opens another stack file by upload, and is told
by name (file, key, reason) what is wrong with a broken one, nothing changed.

``SPINSTACK_SCREENSHOT=1`` writes the card before and after an edit and a bad file's message at 1920x1080 and
390x844 to ``$SPINSTACK_SCREENSHOT_DIR`` (default /tmp/spinstack-structure).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.model import edit

from .browser_harness import choose as _choose
from .browser_harness import fill as _fill
from .test_app_browser import (  # (the fixtures browser, explorer_url: tests/app/conftest.py)
    REPOSITORY,
    SEED_FILE,
    _shown,
    _wait_for_change,
    _wait_for_error,
    pytestmark,
)

pytestmark = pytestmark  # slow, kernels warm, skipped without playwright or chromium (as test_app_browser)

SI_FILE = REPOSITORY / "examples" / "co-cu-py.toml"
SHOTS = Path(os.environ.get("SPINSTACK_SCREENSHOT_DIR", "/tmp/spinstack-structure"))


@pytest.fixture
def opened(new_page: Any, explorer_url: str) -> Any:
    """``open(url, width, height)``: a fresh page (default: the explorer itself), loaded, its structure card
    unfolded."""

    def open_(url: str | None = None, width: int = 1920, height: int = 1080) -> Any:
        tab = new_page(url or explorer_url, width, height, is_mobile=width < 700)
        tab.locator(".spin-structure .card-header").first.click()
        tab.locator("#structure").wait_for(timeout=30_000)
        return tab

    return open_


def _listing(tab: Any) -> str:
    # an interface's values keep their spaces non-breaking on the page (no line break inside a number)
    return tab.locator("#structure").inner_text().replace("\xa0", " ")


def _wait_for_listing(tab: Any, present: str | None = None, absent: str | None = None, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = _listing(tab)
        if (present is None or present in text) and (absent is None or absent not in text):
            return text
        tab.wait_for_timeout(50)  # (Playwright's events are handled while it waits, not in time.sleep)
    raise AssertionError(f"the structure listing never showed {present!r} / lost {absent!r}: {_listing(tab)!r}")


def _press(tab: Any, css: str) -> None:
    tab.locator(f".{css} button").click()


def _shoot(tab: Any, name: str) -> None:
    if os.environ.get("SPINSTACK_SCREENSHOT"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        time.sleep(0.5)  # the figures' last paint
        tab.screenshot(path=str(SHOTS / f"{name}.png"))


def _g2(stack: spinstack.Stack) -> str:
    return f"{float(spinstack.solve(stack).efficiency().g2):.8g}"


def _add_spacer(tab: Any, press: bool = True) -> None:
    _choose(tab, "structure-material", "N (N)")
    _fill(tab, "structure-thickness", "0.7")
    _choose(tab, "structure-position", "after the last layer (3)")
    if press:
        _press(tab, "structure-add")


def test_a_layer_is_added_and_removed_and_an_interface_set(opened: Any) -> None:
    tab = opened()  # (at 1920 x 1080; a phone's card: test_the_card_fits_a_phone_and_its_forms_answer_there)
    tag = "1920"
    _shoot(tab, f"structure-{tag}-before")
    seed = spinstack.load_stack(SEED_FILE)
    assert _shown(tab, "g2") == _g2(seed)
    _add_spacer(tab, press=False)
    start = time.perf_counter()
    _press(tab, "structure-add")
    _wait_for_listing(tab, "layers[3] N: d = 0.7")
    # the new layer has its own thickness box among the controls
    tab.locator(".ctl-layers-3-thickness").first.wait_for(timeout=30_000)
    print(f"\nadd a layer ({tag}): {1e3 * (time.perf_counter() - start):.0f} ms from the click to the new listing "
          "and the new layer's box shown")
    _shoot(tab, f"structure-{tag}-after")
    _choose(tab, "structure-layer", "layers[3] (N)")
    _press(tab, "structure-remove")
    _wait_for_listing(tab, absent="layers[3]")
    # an interface at node 1 (F1 | N): the numbers are the solver's for the stack with it
    old = _shown(tab, "g2")
    _choose(tab, "structure-node", "node 1 (F1 | N)")
    for css, text in (("structure-AR", "0.5"), ("structure-gamma", "0.2"), ("structure-gr", "1.5"),
                      ("structure-gi", "-0.1")):
        _fill(tab, css, text)
    _press(tab, "structure-set-interface")
    _wait_for_listing(tab, "node 1: interface AR* = 0.5, γ = 0.2, G_mix = 1.5 − 0.1 i")
    expected = edit.set_interface(seed, spinstack.Interface.from_valet_fert(1, 0.5, 0.2, [1.5, -0.1]))
    assert _wait_for_change(tab, "g2", old, timeout=60) == _g2(expected)


def test_the_url_of_an_edited_page_reloads_to_the_same_stack(opened: Any) -> None:
    tab = opened()
    _add_spacer(tab)
    _wait_for_listing(tab, "layers[3] N: d = 0.7")
    tab.wait_for_function("window.location.search.startsWith('?stack=')", timeout=30_000)  # written 400 ms on
    listing, g2 = _listing(tab), _shown(tab, "g2")
    other = opened(tab.url)  # a shared link, in a fresh browser context
    assert _wait_for_listing(other, "layers[3] N: d = 0.7") == listing
    assert _shown(other, "g2") == g2
    tab.reload(timeout=120_000)  # and a reload of the same page
    tab.locator("#g2").wait_for(timeout=120_000)
    tab.locator(".spin-structure .card-header").first.click()
    assert _wait_for_listing(tab, "layers[3] N: d = 0.7") == listing
    # undo in the reloaded page: the loaded file's structure
    tab.locator(".history-undo button").click()
    _wait_for_listing(tab, absent="layers[3]")


def test_another_file_is_opened_and_a_broken_one_refused_by_name(opened: Any, tmp_path: Path) -> None:
    tab = opened()  # (at 1920 x 1080; a phone's card: test_the_card_fits_a_phone_and_its_forms_answer_there)
    tag = "1920"
    tab.locator(".structure-open input[type=file]").set_input_files(str(SI_FILE))
    _wait_for_listing(tab, "left end: lead of Cu")
    assert "file: co-cu-py.toml" in tab.locator(".preset-select select").inner_text()
    before = _listing(tab)
    broken = tmp_path / "broken.toml"
    broken.write_text(SI_FILE.read_text(encoding="utf-8").replace('thickness = "8 nm"', "thickness = 8"),
                      encoding="utf-8")
    with pytest.raises(spinstack.StackError) as cli:  # what `spinstack solve broken.toml` says (its one line)
        spinstack.load_stack(broken)
    expected = str(cli.value).replace(str(broken), "broken.toml")
    assert expected.startswith("broken.toml: layers[0].thickness: ")
    tab.locator(".structure-open input[type=file]").set_input_files(str(broken))
    message = _wait_for_error(tab, "broken.toml: layers[0].thickness: ")
    assert message.splitlines()[0] == expected
    assert "Nothing was changed" in message
    assert "Traceback" not in tab.content()
    _shoot(tab, f"structure-{tag}-bad-file")
    assert _listing(tab) == before


# the page's width at a phone's size (the card unfolded; test_app_layout checks the page with it folded)
_WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def test_the_card_fits_a_phone_and_its_forms_answer_there(opened: Any, tmp_path: Path) -> None:
    """At 390 x 844 the unfolded card keeps the page as wide as the phone, before and after an edit and with a bad
    file's message; its add form and its file input answer there.  (The add/remove/interface and open sequences,
    each assertion, run at 1920 x 1080 above: they were replayed whole at both sizes, ~30 s each.)"""
    tab = opened(width=390, height=844)
    _shoot(tab, "structure-phone-before")
    widths = tab.evaluate(_WIDTHS)
    assert widths[0] <= widths[1] == 390, widths
    _add_spacer(tab)
    _wait_for_listing(tab, "layers[3] N: d = 0.7")
    tab.locator(".ctl-layers-3-thickness").first.wait_for(timeout=30_000)
    _shoot(tab, "structure-phone-after")
    widths = tab.evaluate(_WIDTHS)
    assert widths[0] <= widths[1], widths
    before = _listing(tab)
    broken = tmp_path / "broken.toml"
    broken.write_text(SI_FILE.read_text(encoding="utf-8").replace('thickness = "8 nm"', "thickness = 8"),
                      encoding="utf-8")
    tab.locator(".structure-open input[type=file]").set_input_files(str(broken))
    _wait_for_error(tab, "broken.toml: layers[0].thickness: ")
    # on a phone the bar shows the first problem; its "details" switch opens the rest (as a user taps it)
    tab.locator(".stack-error .error-switch label").first.click()
    message = _wait_for_error(tab, "Nothing was changed")
    assert "broken.toml: layers[0].thickness: " in message
    _shoot(tab, "structure-phone-bad-file")
    widths = tab.evaluate(_WIDTHS)
    assert widths[0] <= widths[1], widths
    assert _listing(tab) == before


def test_materials_are_defined_given_to_a_layer_and_a_lead_and_a_layer_freed(opened: Any) -> None:
    """The card's material and dynamics forms end to end: a new normal metal (a name with a space) defined and
    given to the spacer (g2 is then the solver's for that stack) and to the right lead; then an SI file opened,
    its Py given Ms and alpha, Py freed: the Dynamics tab appears."""
    tab = opened()
    seed = spinstack.load_stack(SEED_FILE)
    _choose(tab, "structure-edited-material", "new material")
    _fill(tab, "structure-material-name", "Ag film")
    _choose(tab, "structure-material-kind", "N (normal metal)")
    _fill(tab, "structure-m-D", "2")
    _fill(tab, "structure-m-l", "5")
    _press(tab, "structure-save-material")
    tab.locator(".structure-material-note", has_text="Ag film is defined").wait_for(timeout=30_000)
    old = _shown(tab, "g2")
    _choose(tab, "structure-changed-layer", "layers[1] (N)")
    _choose(tab, "structure-new-material", "Ag film (N)")
    _press(tab, "structure-change-material")
    _wait_for_listing(tab, "layers[1] Ag film: d = 2")
    expected = edit.set_layer_material(seed, 1, spinstack.Normal("Ag film", D=2.0, l=5.0))
    assert _wait_for_change(tab, "g2", old, timeout=60) == _g2(expected)
    _choose(tab, "structure-side", "right")
    _choose(tab, "structure-end-kind", "lead")
    _choose(tab, "structure-end-material", "Ag film (N)")
    _press(tab, "structure-set-end")
    _wait_for_listing(tab, "right end: lead of Ag film")
    _shoot(tab, "structure-materials-1920")
    tab.locator(".structure-open input[type=file]").set_input_files(str(SI_FILE))
    _wait_for_listing(tab, "left end: lead of Cu")
    _choose(tab, "structure-edited-material", "Py (F)")
    _fill(tab, "structure-m-Ms", "800")
    _fill(tab, "structure-m-alpha", "0.01")
    _press(tab, "structure-save-material")
    tab.locator(".ctl-materials-Py-D").first.wait_for(timeout=30_000)
    py = next(i for i, layer in enumerate(spinstack.load_stack(SI_FILE).layers) if layer.material.name == "Py")
    _choose(tab, "structure-free-layer", f"layers[{py}] (Py)")
    tab.locator(".structure-free input").check()
    _press(tab, "structure-set-free")
    _wait_for_listing(tab, ", free")
    tab.get_by_text("Dynamics: m(t)").wait_for(timeout=60_000)
    assert "Traceback" not in tab.content()
