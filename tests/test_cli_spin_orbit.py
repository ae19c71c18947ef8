"""``spinstack plot --kind sot-thickness|smr-thickness|smr-angle`` and ``spinstack figures`` of SOT stacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from spinstack.cli import main
from spinstack.plot.figureset import SOT_KINDS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

NO_HALL = """
current = 0
field = [0, 1, 0]
[materials.Cu]
type = "normal"
D = 2.0
l = 5.0
[materials.F]
type = "ferromagnet"
D = 1.0
p = 0.4
l = 5.0
[left]
kind = "open"
[[layers]]
material = "Cu"
thickness = 3.0
[[layers]]
material = "F"
thickness = 1.0
magnetization = [1, 0, 0]
[right]
kind = "open"
"""


def invoke(*arguments: str):
    return CliRunner().invoke(main, list(arguments))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinstack: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("kind", SOT_KINDS)
@pytest.mark.parametrize("example", ["pt-co-sot", "yig-pt-smr"])
def test_plot_spin_orbit_kinds(tmp_path, kind, example):
    target = tmp_path / f"{kind}.png"
    result = invoke("plot", str(EXAMPLES / f"{example}.toml"), "--kind", kind, "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 10_000


@pytest.mark.parametrize("kind", SOT_KINDS)
def test_spin_orbit_kinds_without_a_field(tmp_path, kind):
    result = invoke("plot", str(EXAMPLES / "seed-fnf.toml"), "--kind", kind, "--out", str(tmp_path / "x.png"))
    assert_one_line_error(result, f"no {kind} figure", "no in-plane field")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("kind", SOT_KINDS)
def test_spin_orbit_kinds_without_theta_sh(tmp_path, kind):
    stack = tmp_path / "cu-f.toml"
    stack.write_text(NO_HALL)
    result = invoke("plot", str(stack), "--kind", kind, "--out", str(tmp_path / "x.png"))
    assert_one_line_error(result, f"no {kind} figure", "theta_SH")


def test_analogy_of_an_sot_stack_is_a_clean_error(tmp_path):
    result = invoke("plot", str(EXAMPLES / "pt-co-sot.toml"), "--kind", "analogy", "--out", str(tmp_path / "a.png"))
    assert_one_line_error(result, "no analogy figure", "CPP")


def test_figures_of_an_sot_stack(tmp_path):
    result = invoke("figures", str(EXAMPLES / "pt-co-sot.toml"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = [Path(line).name for line in result.stdout.splitlines()]
    assert names == ["pt-co-sot-profiles.png", "pt-co-sot-hodograph.png", "pt-co-sot-sot-thickness.png",
                     "pt-co-sot-smr-thickness.png", "pt-co-sot-smr-angle.png"]
    assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if "no analogy figure" in line]
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("spinstack: note: ")
    for name in names:
        assert (tmp_path / name).stat().st_size > 10_000
