"""The plain-text report of ``spinstack solve FILE``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import spinstack as ss
from spinstack.io import format_summary, load_stack

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CU = ss.Normal("Cu", 3.0, 10.0)
CO = ss.Ferromagnet("Co", 1.0, 0.5, 2.0)


def spin_valve(theta: float = 60.0, current: float = 1.0, p1: float = 0.5, p2: float = 0.5,
               spacer: ss.Normal = CU, spacer_thickness: float = 2.0) -> ss.Solution:
    f1, f2 = ss.Ferromagnet("F1", 1.0, p1, 2.0), ss.Ferromagnet("F2", 1.0, p2, 2.0)
    return ss.solve(ss.Stack([ss.Layer(f1, 1.5, [0, 0, 1]), ss.Layer(spacer, spacer_thickness),
                              ss.Layer(f2, 1.5, ss.polar(theta))], current=current))


def table(text: str, title: str) -> list[str]:
    """The lines of the table under the section starting with ``title`` (header first)."""
    section = text.split("\n\n")
    lines = next(block for block in section if block.startswith(title)).splitlines()
    return lines[1:]


def test_seed_example_report():
    text = format_summary(ss.solve(load_stack(EXAMPLES / "seed-fnf.toml")), "examples/seed-fnf.toml")
    lines = text.splitlines()
    assert lines[0] == "examples/seed-fnf.toml: units reduced, current j0 = 1 (electrons' particle flux along +x)"
    assert "ends: left reservoir (mu_s = 0), right reservoir (mu_s = 0)" in lines
    assert "  angle between m1 and m2: theta = 60 deg" in lines
    # seed App. II with these values: g1 = g2 (symmetric structure, p1 = p2)
    assert "  g1 = 0.244095  (> 0: the current pushes F1 away from F2, towards antiparallel)" in lines
    assert "  g2 = 0.244095  (> 0: the current pulls F2 towards F1, towards parallel)" in lines
    assert "  total r = 3.08048" in lines
    assert "g1_field" not in text  # no field-like torque with transparent interfaces
    layers = table(text, "layers")
    assert layers[0].split()[:5] == ["#", "material", "type", "x", "thickness"]
    assert layers[1].split()[:3] == ["0", "F1", "ferromagnet"]
    assert "[0.866025, 0, 0.5]" in layers[3]
    assert layers[2].split()[-1] == "-"  # no torque on N
    nodes = table(text, "nodes")
    assert len(nodes) == 1 + 4
    assert "[        0, 0,  0.327634]" in nodes[2]


def test_columns_are_aligned_and_text_is_plain():
    text = format_summary(spin_valve(theta=123.0, current=-0.37), "a.toml")
    for title in ("layers", "nodes"):
        rows = table(text, title)[1:]
        assert len({len(row) for row in rows}) == 1, rows  # right-aligned last column: equal widths
        header = table(text, title)[0]
        for column in ("x",):
            assert column in header.split()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "\x1b" not in text and "\t" not in text
    assert not re.search(r"-0(?![.\de])", text), text  # no negative zeros
    assert "nan" not in text.lower()


def test_negative_g2_is_explained():
    """Seed eq. 15: g2 < 0 iff cos theta > 0 and p2/p1 > A2 / (B cos theta) (thin, long-l_N spacer)."""
    spacer = ss.Normal("N", 10.0, 100.0)
    solution = spin_valve(theta=30.0, p1=0.05, p2=0.9, spacer=spacer, spacer_thickness=0.1)
    assert float(solution.efficiency().g2) < 0
    text = format_summary(solution, "x.toml")
    assert re.search(r"\n  g2 = -[0-9.e-]+  \(< 0: the current pushes F2 away from F1, towards antiparallel\)\n", text)


def test_reversed_and_zero_current_change_the_words():
    reversed_text = format_summary(spin_valve(current=-1.0), "x.toml")
    assert "(> 0: the current pulls F1 towards F2, towards parallel)" in reversed_text
    assert "(> 0: the current pushes F2 away from F1, towards antiparallel)" in reversed_text
    still = format_summary(spin_valve(current=0.0), "x.toml")
    assert "  g1 = 0.244095  (> 0; no current, no torque)" in still


def test_stacks_without_two_ferromagnets():
    one = ss.solve(ss.Stack([ss.Layer(CU, 1.0), ss.Layer(CO, 1.0, [1, 0, 0])], right=ss.Lead(CU)))
    text = format_summary(one, "one.toml")
    assert "efficiency g1, g2: not defined (efficiency functions need exactly two F layers, this stack has 1)" in text
    assert "right semi-infinite lead of Cu (normal)" in text
    bare = ss.solve(ss.Stack([], left=ss.Lead(CO, [0, 0, 1]), right=ss.Lead(CU)))
    text = format_summary(bare, "bare.toml")
    assert "layers: none (a bare contact between the two leads)" in text
    assert "left semi-infinite lead of Co (ferromagnet, m = [0, 0, 1])" in text


def test_batched_solution_is_refused():
    stack = ss.Stack([ss.Layer(CO, 1.0, [0, 0, 1]), ss.Layer(CU, np.array([1.0, 2.0]))])
    with pytest.raises(ss.SpinstackError, match="batched"):
        format_summary(ss.solve(stack), "x.toml")


@pytest.mark.parametrize("example", ["pt-co-sot.toml", "ta-cofeb-sot.toml", "w-cofeb-sot.toml"])
def test_si_in_plane_drive_states_sigma_hat_with_e(example):
    # "E = [0, 190000, 0] V/m, sigma_hat = xhat x eps/|eps| = [0, 0, -1]" read as a contradiction (xhat x yhat
    # = +zhat) to anyone not told that eps = eE with e < 0; in SI the rule is written with E, the sign of e said
    solution = ss.solve(load_stack(EXAMPLES / example))
    text = format_summary(solution, example)
    line = next(line for line in text.splitlines() if line.startswith("in-plane field"))
    shown = re.search(r"E = \[([^\]]*)\] V/m, sigma_hat = E_hat x xhat = \[([^\]]*)\]", line)
    assert shown is not None, line
    E = np.array([float(v) for v in shown.group(1).split(",")])
    sigma = np.array([float(v) for v in shown.group(2).split(",")])
    np.testing.assert_allclose(sigma, np.cross(E / np.linalg.norm(E), [1.0, 0.0, 0.0]), atol=1e-6)  # MODEL.md 8a
    assert "eps = eE with e < 0" in text
    reduced = format_summary(ss.solve(load_stack(EXAMPLES / "yig-pt-smr.toml")), "yig-pt-smr.toml")
    assert "eps = [0, 1, 0], sigma_hat = xhat x eps/|eps| = [0, 0, 1]" in reduced  # reduced files give eps itself
