"""The explorer's exports, shareable URL and undo in a real browser (fixtures of ``test_app_browser``).

A user moves F2's angle, downloads the stack file (it loads to the stack the page shows),
downloads every figure as one PNG and one SVG, opens (and reloads, and goes back in) a link
that carries a state and reads ``#theta``, is told by name what a broken link holds, and undoes a change
(button and Ctrl+Z) to read the earlier ``#g2`` again.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.io.stackwriter import dumps_stack
from spinstack.model.paths import with_parameter

from .browser_harness import wait_until_laid_out
from .test_app_browser import (  # (the fixtures browser, explorer_url: tests/app/conftest.py)
    SEED_FILE,
    THETA_BOX,
    THETA_F2,
    _shown,
    _solver_g2,
    _type,
    _wait_for_change,
    _wait_for_error,
    pytestmark,
)

pytestmark = pytestmark  # slow, kernels warm, skipped without playwright or chromium (as test_app_browser)


@pytest.fixture
def opened(new_page: Any, explorer_url: str) -> Any:
    """``open(query)``: a fresh page of the explorer at ``explorer_url + query``, loaded."""

    def open_(query: str = "", width: int = 1366, height: int = 768) -> Any:
        return new_page(explorer_url + query, width, height, accept_downloads=True)

    return open_


def _button(tab: Any, css: str) -> Any:
    return tab.locator(f".{css} button")


def _download(tab: Any, css: str) -> tuple[str, bytes]:
    with tab.expect_download(timeout=60_000) as info:
        _button(tab, css).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_the_downloaded_stack_file_loads_to_the_stack_shown(opened: Any, tmp_path: Path) -> None:
    tab = opened()
    old = _shown(tab, "g2")
    _type(tab, THETA_BOX, "45")
    _wait_for_change(tab, "g2", old)
    name, data = _download(tab, "export-stack")
    assert name == "seed-fnf-edited.toml"  # F1: not the loaded file's name, another stack
    (tmp_path / name).write_bytes(data)
    loaded = spinstack.load_stack(tmp_path / name)
    expected = with_parameter(spinstack.load_stack(SEED_FILE), THETA_F2, 45.0)
    assert dumps_stack(loaded) == dumps_stack(expected)
    assert float(spinstack.solve(loaded).efficiency().g2) == float(spinstack.solve(expected).efficiency().g2)


def test_every_figure_downloads_as_one_png_and_one_svg(opened: Any) -> None:
    tab = opened()
    wait_until_laid_out(tab, figures=5)  # the canvases drawn
    name, png = _download(tab, "export-png")
    assert name == "seed-fnf-figures.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 1000 and height >= 700, (width, height)  # the hodographs, profiles and g(theta) side by side
    name, svg = _download(tab, "export-svg")
    text = svg.decode()
    assert name == "seed-fnf-figures.svg" and text.startswith("<svg")
    assert text.count("<svg") == 1 + 5  # the page's five figures inside one picture
    assert "hodograph" in text  # titles are text in the SVG


def test_numbers_csv_downloads(opened: Any) -> None:
    tab = opened()
    name, data = _download(tab, "export-csv")
    lines = data.decode().splitlines()
    assert name == "seed-fnf-numbers.csv"
    assert lines[0] == "quantity (unit),where,x (row's unit),y (row's unit),z (row's unit),unit"  # units named
    torque = [line for line in lines if line.startswith("torque (reduced),layer 2")][0].split(",")
    expected = spinstack.solve(spinstack.load_stack(SEED_FILE)).torque[2]
    assert [float(value) for value in torque[2:5]] == [float(value) for value in expected]


def test_a_link_carries_the_state_and_survives_a_reload(opened: Any, explorer_url: str) -> None:
    tab = opened("?" + urllib.parse.urlencode({THETA_F2: "37.5"}, safe="[]"))
    assert float(_shown(tab, "theta")) == 37.5
    assert float(_shown(tab, "g2")) == pytest.approx(_solver_g2(37.5), rel=1e-7)
    tab.reload()
    tab.locator("#g2").wait_for(timeout=120_000)
    assert float(_shown(tab, "theta")) == 37.5

    # a move writes the page's address: opened elsewhere, it shows the same
    old = _shown(tab, "g2")
    _type(tab, THETA_BOX, "52")
    _wait_for_change(tab, "g2", old)
    deadline = 100
    while "theta=52" not in tab.url and deadline:
        tab.wait_for_timeout(100)
        deadline -= 1
    assert re.search(r"\?layers\[2\]\.magnetization\.theta=52$", urllib.parse.unquote(tab.url)), tab.url
    other = opened(tab.url[len(explorer_url):])
    assert float(_shown(other, "theta")) == 52.0

    # Back: the address before the move, and the page shows it (rebuilt from the address)
    tab.go_back()
    tab.wait_for_function("() => !location.search.includes('52')", timeout=30_000)
    shown = ""
    for _ in range(600):  # the old page until the reload has replaced it
        try:
            shown = _shown(tab, "theta")
        except Exception:  # noqa: BLE001 - the page is being replaced
            shown = ""
        if shown == "37.5":
            break
        tab.wait_for_timeout(100)
    assert shown == "37.5"


def test_a_bad_link_is_refused_by_name_and_the_page_shows_the_file(opened: Any) -> None:
    tab = opened("?layers[7].thickness=3&layers[1].thickness=abc")
    message = _wait_for_error(tab, "URL parameter layers[7].thickness: no such control on this page")
    assert "URL parameter layers[1].thickness: not a number: 'abc'" in message
    assert float(_shown(tab, "theta")) == 60.0
    assert float(_shown(tab, "g2")) == pytest.approx(_solver_g2(60.0), rel=1e-7)


def test_undo_restores_g2_and_redo_brings_the_change_back(opened: Any) -> None:
    tab = opened()
    start = _shown(tab, "g2")
    _type(tab, THETA_BOX, "30")
    moved = _wait_for_change(tab, "g2", start)
    assert float(moved) == pytest.approx(_solver_g2(30.0), rel=1e-7)
    _button(tab, "history-undo").click()
    assert _wait_for_change(tab, "g2", moved) == start
    assert float(tab.locator(THETA_BOX).input_value()) == 60.0

    tab.locator("h2").click()  # focus off the text box: Ctrl+Shift+Z and Ctrl+Z are the page's
    tab.keyboard.press("Control+Shift+Z")
    assert _wait_for_change(tab, "g2", start) == moved
    tab.keyboard.press("Control+Z")
    assert _wait_for_change(tab, "g2", moved) == start

    _type(tab, THETA_BOX, "75")
    changed = _wait_for_change(tab, "g2", start)
    _button(tab, "history-reset").click()
    assert _wait_for_change(tab, "g2", changed) == start
    assert float(tab.locator(THETA_BOX).input_value()) == 60.0


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_toolbar_screenshot(opened: Any, width: int, height: int, tmp_path: Path) -> None:
    """The toolbar at a laptop's and a phone's size: every button in the window, none cut."""
    tab = opened("?" + urllib.parse.urlencode({THETA_F2: "45"}, safe="[]"), width, height)
    for css in ("history-undo", "history-redo", "history-reset", "export-stack", "export-png", "export-svg",
                "export-csv", "copy-link"):
        box = _button(tab, css).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (css, box)
    tab.screenshot(path=str(tmp_path / f"toolbar-{width}x{height}.png"))


#: every figure's legends, each as (figure title, left, right) in the figure's own pixels, and the figure's width
_LEGENDS = """() => {
  const found = [], seen = new Set();
  const walk = (view) => {
    if (view == null || seen.has(view)) return;
    seen.add(view);
    const type = view.model != null ? view.model.constructor.__name__ : "";
    if (type === "Figure" || type === "Plot") {
      for (const part of [...view.model.below, ...view.model.right, ...view.model.center]) {
        const legend = part.constructor.__name__ === "Legend" ? view.views.find_one(part) : null;
        if (legend != null && legend.bbox.width > 0) {
          found.push([view.model.title?.text ?? "", legend.bbox.x, legend.bbox.x + legend.bbox.width,
                      view.bbox.width]);
        }
      }
      return;
    }
    for (const child of view.child_views ?? []) walk(child);
  };
  for (const view of Object.values(Bokeh.index)) walk(view);
  return found;
}"""

#: the numbers table's cells cut short (their text wider than the cell) and the widths of its header and first row
_CLIPPED_CELLS = """() => {
  const cells = [], headers = [], rows = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.classList.contains("slick-cell")) cells.push(el);
      if (el.classList.contains("slick-header-columns")) headers.push(el);
      if (el.classList.contains("slick-row")) rows.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const row = rows.length ? rows[0].getBoundingClientRect().width : 0;
  const header = headers.length ? headers[0].parentElement.getBoundingClientRect().width : 0;
  const clipped = cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent);
  return {cells: cells.length, clipped, header, row};
}"""


def test_the_legends_lie_within_their_figures_the_png_keeps_them_and_no_number_is_cut(opened: Any) -> None:
    """Review (issue 16, items 2 and 8): the mu_s hodograph's legend reached 34 px left of its figure (over the
    controls on the page; its swatches and first letters cut off in the PNG/SVG export), and the numbers table cut
    its longest quantity names and ruled its header past the rows."""
    from PIL import Image

    tab = opened()
    wait_until_laid_out(tab, figures=5)
    legends = tab.evaluate(_LEGENDS)
    assert len(legends) >= 4
    for title, left, right, width in legends:
        assert 0 <= left and right <= width, (title, left, right, width)
    _, png = _download(tab, "export-png")
    picture = Image.open(io.BytesIO(png)).convert("L")
    edge = picture.crop((0, 0, 3, picture.height))  # nothing drawn cut at the picture's left edge
    assert edge.getextrema()[0] >= 250, edge.getextrema()
    tab.locator(".numbers-card .card-header").click()
    tab.locator(".numbers-table").wait_for(timeout=30_000)
    tab.wait_for_function(f"() => ({_CLIPPED_CELLS})().cells > 30", timeout=30_000)
    table = tab.evaluate(_CLIPPED_CELLS)
    assert table["clipped"] == [] and table["header"] <= table["row"] + 2, table
