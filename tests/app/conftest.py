"""Fixtures of the explorer's tests: the served explorers and the browser the browser tests share, and a clock
moved by hand.

* The explorers (``spinstack explore FILE`` in a subprocess, :class:`tests.app.browser_harness.Explorers`): one
  process per stack file for the whole of ``tests/app``, started when a test first asks for it and stopped after
  the package's last test.  Each page opened is a session of its own on the server (its own App), so tests that
  edit their page do not reach another test's page; a process's start (imports, the first page: 3-10 s, more
  under load) is paid once instead of once per test file.
* One Chromium for the browser tests that run one after another, closed as soon as the next test needs none:
  Playwright's sync API keeps its asyncio loop marked as running in the main thread between its calls, and an
  in-process test that runs a loop of its own there (``tests/app/test_app_server.py``) would then fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.app.browser_harness import CHROMIUM, CHROMIUM_ARGS, Explorer, Explorers, explorer_page, sync_playwright


# ----------------------------------------------------------------------------------------------- the browser
class _Chromium:
    """Chromium under Playwright's sync API, launched on demand and closed by :meth:`close`."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self.browser: Any = None

    def get(self) -> Any:
        if self.browser is None or not self.browser.is_connected():
            self.close()
            self._playwright = sync_playwright().start()
            try:
                self.browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                                args=CHROMIUM_ARGS)
            except BaseException:
                self.close()
                raise
        return self.browser

    def close(self) -> None:
        browser, playwright = self.browser, self._playwright
        self.browser = self._playwright = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


_chromium = _Chromium()


@pytest.fixture
def browser() -> Any:
    """Chromium (Playwright's Browser), shared by consecutive browser tests: give each test its own context."""
    if sync_playwright is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not at /usr/bin/chromium (apt-get install -y chromium)")
    return _chromium.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    try:
        return (yield)  # the test's fixtures first (its pages and contexts)
    finally:
        if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
            _chromium.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _chromium.close()  # (a session stopped in a browser test)


# -------------------------------------------------------------------------------------------- the explorers
@pytest.fixture(scope="package")
def explorers(warm_kernels: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Explorers]:
    """The shared explorer processes (they load the compiled kernels from the cache: ``warm_kernels``)."""
    pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")
    pool = Explorers(tmp_path_factory.mktemp("explorers"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="package")
def explorer_urls(explorers: Explorers) -> dict[str, str]:
    """The URLs of ``spinstack explore`` of the seed stack, an SI stack and an in-plane (SOT) stack
    (``examples/seed-fnf.toml``, ``co-cu-py.toml``, ``pt-co-sot.toml``), by the names seed, si and in-plane."""
    return explorers.urls("seed", "si", "in-plane")


@pytest.fixture(scope="package")
def explorer_url(explorers: Explorers) -> str:
    """The URL of ``spinstack explore examples/seed-fnf.toml``."""
    return explorers.urls("seed")["seed"]


@pytest.fixture(scope="package")
def dynamics_url(explorers: Explorers) -> str:
    """The URL of ``spinstack explore examples/dynamics-oscillator.toml``."""
    return explorers.urls("oscillator")["oscillator"]


@pytest.fixture(scope="package")
def presets_server(explorers: Explorers) -> Explorer:
    """``spinstack explore`` without a file (the presets): its port and its stderr's file."""
    return explorers.get("presets")["presets"]


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """``new_page(url, width=1366, height=768, ready="#g2", **context)``: a fresh page of ``url`` in a browser context
    of its own (``context``: Playwright's new_context arguments besides the viewport), loaded (``ready`` shown);
    every context the test opened is closed after it."""
    contexts: list[Any] = []

    def open_(url: str, width: int = 1366, height: int = 768, ready: str = "#g2", **context: Any) -> Any:
        opened = browser.new_context(viewport={"width": width, "height": height}, **context)
        contexts.append(opened)
        tab = opened.new_page()
        tab.goto(url, timeout=120_000)
        tab.locator(ready).wait_for(timeout=120_000)
        return tab

    try:
        yield open_
    finally:
        for opened in contexts:
            opened.close()


@pytest.fixture
def page(browser: Any, explorer_url: str) -> Iterator[Any]:
    """A fresh session of the seed stack's explorer (1360 x 1080), loaded."""
    with explorer_page(browser, explorer_url) as opened:
        yield opened


# ------------------------------------------------------------------------------------------------ the clock
class ManualClock:
    """A clock the tests move by hand (seconds): set :attr:`time`."""

    def __init__(self) -> None:
        self.time = 100.0

    def __call__(self) -> float:
        return self.time


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The explorer session's clock (``spinstack.app.session.now``: when an undo step was taken), moved by hand."""
    pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")
    from spinstack.app import session

    fake = ManualClock()
    monkeypatch.setattr(session, "now", fake)
    return fake
