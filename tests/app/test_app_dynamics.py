"""The explorer's Dynamics tab in a real browser: ``spinstack explore examples/dynamics-oscillator.toml``, Play, and
the frames advance (the time shown grows, the end state of the run is said).  ``SPINSTACK_SCREENSHOT=1`` writes the
README's ``docs/images/explorer-dynamics.png`` (1920 x 1080, while playing).

Reuses the browser fixture and helpers of :mod:`tests.app.test_app_browser` (same skips: playwright, chromium).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

# the file's marks; the fixtures browser and dynamics_url (examples/dynamics-oscillator.toml served): conftest.py
from tests.app.test_app_browser import REPOSITORY, pytestmark  # noqa: F401


def _time_shown(page: Any) -> float:
    return float(page.locator("#dyn-time").inner_text().strip())


@pytest.mark.parametrize("size", [(1920, 1080), (390, 844)], ids=["1920x1080", "390x844"])
def test_playing_the_oscillator_advances_the_frames(browser: Any, dynamics_url: str, size: tuple[int, int],
                                                     tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(dynamics_url, timeout=120_000)
        page.locator("#g2").wait_for(timeout=120_000)  # the transport tab is there as before
        page.get_by_text("Dynamics: m(t)").click()
        page.locator(".dyn-play button").click()
        pressed = time.monotonic()
        arrivals = []
        # the run's first prefix (1/16 of 12 ns) arrives, then the player moves
        deadline = time.monotonic() + 300
        shown = [0.0]
        while time.monotonic() < deadline and (len(shown) < 6 or shown[-1] <= 0.2):
            text = page.locator("#dyn-time").inner_text().strip()
            if text != "0" and float(text) != shown[-1]:
                shown.append(float(text))
                arrivals.append(time.monotonic())
            time.sleep(0.05)
        assert len(shown) >= 6 and shown[-1] > 0.2, f"the frames did not advance: {shown}"
        assert shown == sorted(shown)  # forward, by whole saved points of 5 ps
        rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        print(f"\n{size[0]}x{size[1]}: first frame {arrivals[0] - pressed:.2f} s after Play, then {rate:.1f} frames/s")
        steps = [round((b - a) / 0.005) for a, b in zip(shown[1:], shown[2:])]
        assert all(step >= 1 for step in steps), shown
        # the whole run ends in the precession the command line reports (README, examples/dynamics-oscillator.toml)
        notice = page.locator("#dyn-notice")
        end = time.monotonic() + 300
        while "end state" not in notice.inner_text() and time.monotonic() < end:
            time.sleep(0.2)
        words = notice.inner_text()
        assert "precession at 5.75 GHz" in words, words
        assert "-3.58e+12" in words and "-4.43e+11" in words, words
        first = _time_shown(page)
        time.sleep(1.0)
        assert _time_shown(page) != first  # still playing
        if os.environ.get("SPINSTACK_SCREENSHOT"):  # the README's picture: the orbit grown (a few ns in)
            page.locator(".dyn-speed select").select_option(label="20 points / frame")
            end = time.monotonic() + 300
            while _time_shown(page) < 7.0 and time.monotonic() < end:
                time.sleep(0.2)
            page.locator(".dyn-speed select").select_option(label="1 point / frame")
            time.sleep(2.0)
        name = f"explorer-dynamics-{size[0]}x{size[1]}.png"
        page.screenshot(path=str(tmp_path / name), full_page=size[0] < 500)
        if os.environ.get("SPINSTACK_SCREENSHOT") and size == (1920, 1080):
            page.screenshot(path=str(REPOSITORY / "docs" / "images" / "explorer-dynamics.png"))
    finally:
        context.close()
