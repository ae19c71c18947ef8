"""The theta play in a real browser: the frames advance while it plays, Pause stops them and leaves theta there
(fixtures of :mod:`tests.app.test_app_browser`: Debian's chromium via Playwright, ``spinstack explore`` served)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .test_app_browser import _session, _shown, pytestmark  # noqa: F401  (the fixtures: tests/app/conftest.py)

PLAY_BUTTON = ".theta-play button"


def _thetas(page: Any, seconds: float) -> list[float]:
    """The #theta shown, read every 50 ms for ``seconds``."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(float(_shown(page, "theta")))
        time.sleep(0.05)
    return seen


def test_theta_play_in_the_browser(browser: Any, explorer_url: str) -> None:
    from playwright.sync_api import expect

    with _session(browser, explorer_url) as page:
        button = page.locator(PLAY_BUTTON)
        assert "play" in button.inner_text()
        assert float(_shown(page, "theta")) == 60.0
        button.click()
        expect(button).to_contain_text("pause", timeout=10_000)  # (its label is drawn anew: the locator polled)
        assert "pause" in button.inner_text()
        playing = _thetas(page, 2.5)
        distinct = sorted(set(playing))
        assert len(distinct) >= 4, playing  # the frames advance (30 degrees a second: ~75 degrees in 2.5 s)
        assert playing == sorted(playing), playing  # on the way up from 60
        assert playing[-1] > 60.0 and playing[-1] <= 180.0
        button.click()  # pause
        page.wait_for_timeout(500)  # a frame under way when paused lands
        stopped = float(_shown(page, "theta"))
        assert "play" in button.inner_text()
        assert set(_thetas(page, 1.5)) == {stopped}  # paused: no more frames
        # theta stays where it stopped: the F2 angle box and slider show it (m1 along +z: theta of F2 is theta)
        box = page.locator(".ctl-layers-2-magnetization-theta input")
        assert float(box.input_value()) == pytest.approx(stopped, abs=0.05)
        # one undo step for the whole play: back to the file's 60 degrees
        page.locator(".history-undo button").click()
        deadline = time.monotonic() + 10
        while float(_shown(page, "theta")) != 60.0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert float(_shown(page, "theta")) == 60.0
        assert page.locator(".history-undo button").is_disabled()
