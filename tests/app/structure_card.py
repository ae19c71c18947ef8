"""What the Python-level tests of the structure card share (tests/app/test_structure_*.py): a session clock that
makes every change an undo step of its own, an App of a stack file with its card unfolded, and the page's message.

Import it after ``pytest.importorskip("panel")``: it imports the explorer."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

import spinstack
from spinstack.app import session as session_module
from spinstack.app.explorer import App

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every change a step of its own (the session coalesces changes closer than its time window)."""
    times = iter(range(100, 1_000_000, 10))
    monkeypatch.setattr(session_module, "now", lambda: float(next(times)))


def card_app(path: Path) -> App:
    """The explorer's page of the stack file ``path``, its structure card unfolded."""
    app = App(spinstack.load_stack(path), f"file: {path.name}")
    app.structure.card.collapsed = False
    return app


def alert_text(app: App) -> str:
    """The page's message as shown (HTML entities read), "" when none is shown."""
    return html.unescape(app.explorer.alert.object) if app.explorer.alert.visible else ""


def set_run(app: App, **texts: str) -> None:
    """Type ``texts`` into the run-settings boxes (by key) and press "set run settings"."""
    for key, text in texts.items():
        app.structure.run_boxes[key].value = text
    app.structure.set_run_button.clicks += 1
