"""The explorer's inputs in a real browser (issue 16, items 5, 6 and 8): typed numbers as typed, every bad box
reported by its label and marked, the message moving no figure, every control named for assistive technology.

Uses the server, browser and page fixtures of :mod:`tests.app.test_app_browser` (``spinstack explore
examples/seed-fnf.toml`` in a subprocess, Debian's chromium via Playwright); ``SPINSTACK_E4_SHOTS=DIR``
writes screenshots of the error state at 1366x768 there.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import spinstack
from spinstack.model.paths import with_parameter

from .test_app_browser import (SEED_FILE, SI_FILE, _error_text, _session, _shown, _type,  # noqa: F401
                               _wait_for_change, _wait_for_error, pytestmark)  # (fixtures: tests/app/conftest.py)

THICKNESS_BOX = ".ctl-layers-1-thickness input"
P_BOX = ".ctl-materials-F2-p input"
THETA_BOX = ".ctl-layers-2-magnetization-theta input"


def _figure_boxes(page: Any) -> list[tuple[float, float, float, float]]:
    """Where every figure's canvas is on the page (x, y, width, height in CSS px)."""
    boxes = []
    for canvas in page.locator("canvas").all():
        box = canvas.bounding_box()
        if box is not None and box["width"] > 50:
            boxes.append((box["x"], box["y"], box["width"], box["height"]))
    return boxes


def _wait_until_no_error(page: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _error_text(page) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _error_text(page) == ""


def test_every_control_has_an_accessible_name(page: Any) -> None:
    """Sliders, angle boxes and the sign buttons had no name in Chromium's accessibility tree."""
    theta = "\u03b8 of F\u2082 (layer 2) (deg)"
    page.get_by_role("slider", name=theta).wait_for(timeout=10_000)  # the page script names them once it runs
    assert page.get_by_role("slider", name=theta, exact=True).count() == 1
    assert page.get_by_role("textbox", name=theta, exact=True).count() == 1  # the box beside the slider
    assert page.get_by_role("button", name="increase " + theta).count() == 0  # no spinner arrows any more
    assert page.get_by_role("slider", name="\u03c6 of F\u2081 (layer 0) (deg)", exact=True).count() == 1
    assert page.get_by_role("textbox", name="d of layer 1 (N)", exact=True).count() == 1
    assert page.get_by_role("textbox", name="l of F2", exact=True).count() == 1
    assert page.get_by_role("button", name="j\u2080: +", exact=True).count() == 1
    assert page.get_by_role("button", name="j\u2080: \u2212", exact=True).count() == 1
    # no control is left unnamed
    for role in ("slider", "textbox"):
        for element in page.get_by_role(role).all():
            assert element.get_attribute("aria-label") or element.evaluate("e => e.labels?.length > 0"), role


def test_bad_boxes_are_listed_marked_and_move_no_figure(page: Any, tmp_path: Path) -> None:
    """Two bad boxes at once: both listed by their labels, both marked aria-invalid, the figures where they
    were (the message was a banner above them that pushed every figure down 84 px)."""
    page.wait_for_timeout(500)
    before = _figure_boxes(page)
    assert len(before) >= 5, before
    g2 = _shown(page, "g2")

    _type(page, THICKNESS_BOX, "1,5")  # was silently read as 15
    _wait_for_error(page, "d of layer 1 (N): '1,5' has a comma: use a point: 1.5")
    _type(page, P_BOX, "1")
    message = _wait_for_error(page, "p of F2: must lie strictly between -1 and 1, got 1")
    assert "d of layer 1 (N): '1,5' has a comma: use a point: 1.5" in message  # both listed
    assert "layers[1]" not in message and "materials.F2" not in message
    assert _shown(page, "g2") == g2
    assert page.locator(THICKNESS_BOX).input_value() == "1,5"  # the box keeps what was typed
    deadline = time.monotonic() + 5
    while page.locator(P_BOX).get_attribute("aria-invalid") != "true" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.locator(THICKNESS_BOX).get_attribute("aria-invalid") == "true"
    assert page.locator(P_BOX).get_attribute("aria-invalid") == "true"
    assert page.locator(".ctl-layers-0-thickness input").get_attribute("aria-invalid") == "false"
    assert _figure_boxes(page) == before  # the message floats: no figure moved
    shots = os.environ.get("SPINSTACK_E4_SHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "error-state.png"))

    _type(page, THICKNESS_BOX, "1.5")
    _type(page, P_BOX, "0.5")
    _wait_until_no_error(page)
    assert _figure_boxes(page) == before
    assert _wait_for_attribute(page, THICKNESS_BOX, "aria-invalid", "false")  # the mark is gone


def _wait_for_attribute(page: Any, selector: str, key: str, value: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(selector).get_attribute(key) == value:
            return True
        time.sleep(0.05)
    return False


def test_inf_typed_in_an_l_box_is_no_spin_flip(page: Any) -> None:
    """The README says inf is accepted for l; the browser's number box could not take it."""
    old = _shown(page, "g2")
    _type(page, ".ctl-materials-N-l input", "\u221e")
    shown = float(_wait_for_change(page, "g2", old))
    stack = with_parameter(spinstack.load_stack(SEED_FILE), "materials.N.l", np.inf)
    assert shown == pytest.approx(float(spinstack.solve(stack).efficiency().g2), rel=1e-7)
    assert _error_text(page) == ""
    _type(page, ".ctl-materials-N-l input", "")  # emptied: reported, never NaN
    _wait_for_error(page, "l of N: empty: type a number")
    assert page.locator(".ctl-materials-N-l input").input_value() == ""


def test_the_numbers_line_explains_its_symbols(page: Any) -> None:
    """Hovering "r" or "|T|" shows what they are (a title tooltip, underlined dotted)."""
    resistance = page.locator("abbr", has_text="r").filter(has_text="r").first
    titles = [element.get_attribute("title") for element in page.locator("abbr").all()]
    assert any(title.startswith("r: the resistance-area product") for title in titles), titles
    assert any(title.startswith("|T|: the size of the spin-transfer torque") for title in titles), titles
    assert resistance.count() == 1


def test_an_si_page_shows_the_file_s_current_sign(browser: Any, explorer_urls: dict[str, str]) -> None:
    """examples/co-cu-py.toml has J = +1e11 A/m^2: the page showed the "-" button pressed and said "reversed"."""
    assert SI_FILE.name == "co-cu-py.toml"
    with _session(browser, explorer_urls["si"]) as page:
        plus = page.get_by_role("button", name="J: +", exact=True)
        plus.wait_for(timeout=10_000)
        assert "bk-active" in plus.get_attribute("class")
        assert "bk-active" not in page.get_by_role("button", name="J: \u2212", exact=True).get_attribute("class")
        assert "(J > 0: electrons flowing from F2 to F1)" in _shown(page, "status")


def _wait_for_text(page: Any, element: str, expected: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _shown(page, element) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _shown(page, element) == expected


def test_an_angle_box_is_read_on_the_server_like_the_other_boxes(page: Any) -> None:
    """The angle boxes were Bokeh spinners: a typed comma was turned into a point (or dropped: "30,5" was 305),
    their arrows gave 2.500000000000001.  Now a text box read by parse_number: a comma refused with the number
    boxes' message, inf and an emptied box refused by name and marked (never NaN), the slider beside it in step."""
    theta = "\u03b8 of F\u2082 (layer 2) (deg)"
    box = page.locator(THETA_BOX)
    handle = page.locator(".ctl-layers-2-magnetization-theta .noUi-handle")
    page.get_by_role("textbox", name=theta).wait_for(timeout=10_000)  # the page script ran
    assert box.input_value() == "60" and handle.get_attribute("aria-valuenow") == "60.0"
    old = _shown(page, "g2")
    _type(page, THETA_BOX, "30,5")
    _wait_for_error(page, f"{theta}: '30,5' has a comma: use a point: 30.5")
    assert box.input_value() == "30,5"  # as typed
    assert _wait_for_attribute(page, THETA_BOX, "aria-invalid", "true")
    assert _shown(page, "g2") == old  # the figures keep the last valid stack
    _type(page, THETA_BOX, "inf")
    _wait_for_error(page, f"{theta}: an angle must be a finite number of degrees, got 'inf'")
    _type(page, THETA_BOX, "")
    _wait_for_error(page, f"{theta}: empty: type a number")
    assert "NaN" not in box.input_value()

    _type(page, THETA_BOX, "30.5")
    _wait_until_no_error(page)
    _wait_for_text(page, "theta", "30.5")
    assert _wait_for_attribute(page, THETA_BOX, "aria-invalid", "false")
    assert _wait_for_attribute(page, ".ctl-layers-2-magnetization-theta .noUi-handle", "aria-valuenow", "30.5")
    _type(page, THETA_BOX, "200")  # beyond the slider's end: the box's angle, the slider at its end
    _wait_for_text(page, "theta", "160")  # the angle between m1 and m2
    assert _wait_for_attribute(page, ".ctl-layers-2-magnetization-theta .noUi-handle", "aria-valuenow", "180.0")

    # the slider moves the box: 0.5 degree steps, written with 12 digits at most
    _type(page, THETA_BOX, "2")
    _wait_for_text(page, "theta", "2")
    handle.focus()
    page.keyboard.press("ArrowRight")
    _wait_for_text(page, "theta", "2.5")
    assert box.input_value() == "2.5"


def test_a_material_name_with_a_space_shows_its_page(browser: Any, explorer_url: str) -> None:
    """``[materials."Cu spacer"]`` (a file ``spinstack solve`` takes) gave a blank page: its control's class
    ``ctl-materials-Cu spacer-D`` made the browser throw InvalidCharacterError and Bokeh render nothing.  The
    file opened by a link on the served page: no page error, the numbers shown, its box answers."""
    from urllib.parse import urlencode

    from spinstack.app.session import pack_text

    text = SEED_FILE.read_text(encoding="utf-8").replace("[materials.N]", '[materials."Cu spacer"]') \
        .replace('material = "N"', 'material = "Cu spacer"')
    assert "Cu spacer" in text
    url = explorer_url.rstrip("/") + "/?" + urlencode({"name": "space.toml", "file": pack_text(text)})
    errors: list[str] = []
    with _session(browser, url) as page:
        page.on("pageerror", lambda error: errors.append(str(error)))
        box = page.locator(".ctl-materials-Cu_20_spacer-D input")
        box.wait_for(timeout=30_000)
        old = _shown(page, "g2")
        _type(page, ".ctl-materials-Cu_20_spacer-D input", "5")
        shown = float(_wait_for_change(page, "g2", old))
    stack = with_parameter(spinstack.load_stack(SEED_FILE), "materials.N.D", 5.0)
    assert shown == pytest.approx(float(spinstack.solve(stack).efficiency().g2), rel=1e-7)
    assert errors == []
