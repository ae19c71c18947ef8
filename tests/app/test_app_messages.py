"""The page's message about a refused link (issue 16, second pass): every bad parameter named, and said as a link
that was not applied (no box holds its values, so nothing asks for a box to be corrected)."""

from __future__ import annotations

import html
import re

from spinstack.app.explorer import App


def _lines(app: App) -> list[str]:
    assert app.explorer.alert.visible
    return [html.unescape(line) for line in re.findall("<b>(.*?)</b>", app.explorer.alert.object)]


def test_a_link_with_several_bad_parameters_names_each_and_is_not_applied() -> None:
    app = App()
    before = app.explorer.numbers.text.split("computed")[0]
    query = "?layers[1].thickness=-2&layers[2].magnetization.theta=1,5"
    refusals = app.open_query(query)
    expected = ["URL parameter layers[1].thickness: d of layer 1 (N): must be > 0, got -2",
                "URL parameter layers[2].magnetization.theta: not a number: '1,5'"]
    assert refusals == expected and _lines(app) == expected  # in the link's order, by key and by label
    message = app.explorer.alert.object
    assert "correct the value" not in message
    assert "the link's state is not applied" in html.unescape(message) and "these parameters corrected" in message
    # nothing of it was applied: no box holds the link's values, the numbers are the file's
    assert app.session.query() == "" and not app.session.history.can_undo
    assert app.explorer.controls.widget("layers[1].thickness").value != "-2"
    assert app.explorer.numbers.text.split("computed")[0] == before


def test_values_the_stack_refuses_are_named_beside_a_bad_key() -> None:
    """p = 2 and d = 0 read as numbers (the model refuses them) beside a key that does not read: all three named."""
    app = App()
    refusals = app.open_query("?materials.F1.p=2&current=up&layers[0].thickness=0")
    assert refusals == ["URL parameter materials.F1.p: p of F1: must lie strictly between -1 and 1, got 2",
                        "URL parameter current: must be + or -, got 'up'",
                        "URL parameter layers[0].thickness: d of layer 0 (F1): must be > 0, got 0"]
    assert "these parameters corrected" in app.explorer.alert.object
