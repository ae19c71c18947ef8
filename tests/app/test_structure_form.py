"""The structure card's interface form after a stack change (src/spinstack/app/structure.py): it shows the
chosen node's present interface, or the unit system's defaults, never an earlier stack's numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import spinstack

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

from spinstack.app.explorer import App  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _boxes(app: App) -> tuple[str, str, str, str]:
    panel = app.structure
    return panel.resistance.value, panel.gamma.value, panel.mix_real.value, panel.mix_imag.value


def test_a_file_opened_after_an_si_file_shows_its_own_interface_values() -> None:
    app = App(spinstack.load_stack(EXAMPLES / "co-cu-py.toml"), "file: co-cu-py.toml")
    panel = app.structure
    panel.card.collapsed = False
    panel.node.value = 1  # Co | Cu in co-cu-py: AR* 0.5 fOhm m^2, gamma 0.75, G_mix 5e14
    assert _boxes(app)[:3] == ("0.5", "0.75", "5e+14")
    assert panel.open_file("asymmetric-fnf.toml", (EXAMPLES / "asymmetric-fnf.toml").read_bytes())
    stack = app.explorer.stack
    assert stack.units != "SI" and stack.interfaces == ()
    for node in range(len(stack.layers) + 1):
        panel.node.value = node
        assert _boxes(app) == ("0.5", "0", "1", "0"), node  # the reduced defaults, not co-cu-py's numbers
    # "set interface" then sets the reduced defaults (G_mix = 1, not 5e14 in reduced units)
    panel.node.value = 1
    panel.set_interface_button.clicks += 1
    (interface,) = app.explorer.stack.interfaces
    np.testing.assert_array_equal(interface.g_mix, spinstack.Interface.from_valet_fert(1, 0.5, 0.0, [1.0, 0.0]).g_mix)
    # and back to an SI file: its node 1's interface again
    assert panel.open_file("co-cu-py.toml", (EXAMPLES / "co-cu-py.toml").read_bytes())
    panel.node.value = 1
    assert _boxes(app)[:3] == ("0.5", "0.75", "5e+14")


def test_the_listing_wraps_an_interface_between_its_values_only() -> None:
    """Reviewer: a narrow card broke "G_mix = 5e+14 + / 0 i" inside the number: each value's spaces are
    non-breaking, the line wraps only after a comma."""
    app = App(spinstack.load_stack(EXAMPLES / "co-cu-py.toml"), "file: co-cu-py.toml")
    app.structure.card.collapsed = False
    listing = app.structure.summary.object
    assert "G_mix\u00a0=\u00a05e+14\u00a0+\u00a00\u00a0i\u00a0" in listing
    assert "AR*\u00a0=\u00a00.5\u00a0fΩ·m², γ\u00a0=\u00a00.75, G_mix" in listing
