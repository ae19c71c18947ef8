"""What an update sends to the browser (issue 16 item 3: every update was 17-45 kB of figure data at full float
precision): only the changed sources and, of each, the changed columns; coordinates to 6 significant digits of
their column's largest magnitude, far below a pixel; numbers a user reads (g(theta)'s hover) exact."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from bokeh.document import Document  # noqa: E402
from bokeh.models import ColumnDataSource  # noqa: E402

from spinstack.app import views  # noqa: E402
from spinstack.app.presets import preset  # noqa: E402
from spinstack.app.explorer import Explorer  # noqa: E402


def _changes(source: ColumnDataSource, data: dict[str, np.ndarray], readable: frozenset[str] = frozenset()) -> list:
    """The document events :func:`views._show` makes showing ``data`` in ``source`` (what reaches the browser)."""
    if source.document is None:
        Document().add_root(source)
    events: list = []
    listener = events.append
    source.document.on_change(listener)
    try:
        views._show({"s": source}, {"s": data}, readable)
    finally:
        source.document.remove_on_change(listener)
    return events


def test_coordinates_are_rounded_to_six_digits_of_their_column_and_nan_breaks_kept() -> None:
    x = np.array([0.123456789012, -1.98765432109, np.nan, 1e-9])
    y = np.array([1234.56789012, 0.001, np.nan, -7.0])
    source = ColumnDataSource()
    _changes(source, {"x": x, "y": y})
    assert source.data["x"][:2] == [0.12346, -1.98765] and source.data["x"][3] == 0.0  # (of 1.98765: 5 decimals)
    assert source.data["y"][:2] == [1234.57, 0.0] and source.data["y"][3] == -7.0
    assert np.isnan(source.data["x"][2]) and np.isnan(source.data["y"][2])
    for sent, exact in ((source.data["x"], x), (source.data["y"], y)):  # within 5e-6 of the column's largest
        finite = np.isfinite(exact)
        assert np.max(np.abs(np.asarray(sent)[finite] - exact[finite])) <= 5e-6 * np.max(np.abs(exact[finite]))


def test_only_changed_columns_are_sent_and_a_readable_source_is_exact() -> None:
    source = ColumnDataSource()
    first = {"x": np.array([0.1, 0.2]), "y": np.array([1.0, 2.0]), "color": np.array(["red", "blue"])}
    _changes(source, first)
    events = _changes(source, {**first, "y": np.array([1.0, 3.0])})
    assert [(type(event).__name__, event.cols) for event in events] == [("ColumnDataChangedEvent", ["y"])]
    assert _changes(source, {**first, "y": np.array([1.0, 3.0])}) == []  # nothing changed: nothing sent
    _changes(source, {"g": np.array([0.1234567891234])}, readable=frozenset({"s"}))
    assert source.data == {"g": [0.1234567891234]}


def test_a_served_update_sends_the_efficiency_curves_exact_and_the_hodographs_rounded() -> None:
    explorer = Explorer(preset("seed"))
    curves = explorer.efficiency.sources["curves"].data
    exact = explorer._compute(explorer.stack, explorer._curve_key(explorer.stack))
    np.testing.assert_array_equal(curves["g2"], np.asarray(exact["efficiency"]["curves"]["g2"]))
    for name, source in explorer.accumulation.sources.items():
        if name in ("scale", "scale_label"):  # the force scale is read (its length against the forces): exact
            continue
        for key, column in source.data.items():
            values = np.asarray(column)
            if values.dtype.kind == "f" and values.size and np.isfinite(values).any():
                largest = np.max(np.abs(values[np.isfinite(values)]))
                digits = values[np.isfinite(values)] / (10.0 ** np.floor(np.log10(largest)) / 1e5)
                np.testing.assert_allclose(digits, np.round(digits), atol=1e-6, err_msg=f"{name}.{key}")
