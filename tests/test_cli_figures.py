"""``spinstack plot | figures | analyze``: files written whole, numbers as the library's, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack.analysis import sign_change_angles, threshold
from spinstack.cli import main
from spinstack.plot import KINDS
from tests.data import text as stack_text

# real processes of the command here load the compiled kernels from the cache (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("warm_kernels")

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "examples" / "seed-fnf.toml")

ONE_F = stack_text("fn-materials.toml") + """
[[layers]]
material = "N"
thickness = 1.0
[[layers]]
material = "F"
thickness = 1.0
magnetization = [0, 0, 1]
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


@pytest.mark.parametrize("kind", KINDS)
def test_plot_every_kind(tmp_path, kind):
    target = tmp_path / f"{kind}.png"
    result = invoke("plot", SEED, "--kind", kind, "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left behind


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_formats_by_extension(tmp_path, suffix, magic):
    target = tmp_path / f"analogy{suffix}"
    assert invoke("plot", SEED, "--kind", "analogy", "--out", str(target)).exit_code == 0
    assert target.read_bytes().startswith(magic)


def test_one_ferromagnet_has_no_efficiency_figure(tmp_path):
    stack = tmp_path / "one.toml"
    stack.write_text(ONE_F)
    assert_one_line_error(invoke("plot", str(stack), "--kind", "efficiency", "--out", str(tmp_path / "e.png")),
                          "no efficiency figure", "exactly two F layers")
    assert not (tmp_path / "e.png").exists()
    result = invoke("figures", str(stack), "--out", str(tmp_path / "set"))
    assert result.exit_code == 0
    assert [Path(p).name for p in result.stdout.splitlines()] == ["one-profiles.png", "one-hodograph.png", "one-analogy.png"]
    assert_one_line_error(invoke("analyze", str(stack)), "exactly two F layers")


def test_plot_errors_are_one_line(tmp_path):
    assert_one_line_error(invoke("plot", SEED, "--out", str(tmp_path / "x.jpg")), "unknown figure format '.jpg'")
    assert_one_line_error(invoke("plot", SEED, "--out", str(tmp_path / "missing" / "x.png")), "does not exist")
    assert_one_line_error(invoke("plot", str(tmp_path / "nothing.toml")), "nothing.toml")
    assert invoke("plot", SEED, "--kind", "nonsense").exit_code == 2  # click's usage error


def test_analyze_matches_the_library():
    result = invoke("analyze", SEED, "--json", "--theta", "0", "--theta", "45")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    stack = ss.load_stack(SEED)
    assert data["g2"] == pytest.approx(float(ss.solve(stack).efficiency().g2), rel=1e-14)
    assert data["sign_changes"]["g2"] == list(sign_change_angles(stack, "g2"))
    entry = next(t for t in data["thresholds"] if t["parameter"] == "materials.F2.p" and t["efficiency"] == "g2"
                 and t["theta"] == 45.0)
    expected = threshold(stack, "materials.F2.p", "g2", theta=45.0, bounds=(0.001, 0.999))
    if expected.found[0]:
        assert entry["value"] == pytest.approx(float(expected.value[0]), rel=1e-12)
    else:
        assert entry["value"] is None
    text = invoke("analyze", SEED)
    assert text.exit_code == 0 and "sign changes over theta" in text.stdout and "materials.F2.p" in text.stdout


def test_analyze_argument_errors():
    assert_one_line_error(invoke("analyze", SEED, "--parameter", "materials.Q.p"), "materials.Q.p", "no material")
    assert_one_line_error(invoke("analyze", SEED, "--bounds", "1"), "--bounds")
    assert_one_line_error(invoke("analyze", SEED, "--parameter", "layers[1].thickness", "--bounds", "2:1"),
                          "low < high")


def test_figures_writes_the_set_in_a_real_process(tmp_path):
    folder = tmp_path / "set"  # created by the command
    result = subprocess.run([sys.executable, "-m", "spinstack", "figures", SEED, "--out", str(folder)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    written = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in written] == [f"seed-fnf-{kind}.png" for kind in KINDS]
    assert all(p.parent == folder and p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 10_000
               for p in written)
    assert sorted(folder.iterdir()) == sorted(written)


def test_figures_are_readable_by_others(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        target = tmp_path / "p.png"
        assert invoke("plot", SEED, "--out", str(target)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_sign_map_of_a_stack_with_one_ferromagnet_material(tmp_path):
    # p2/p1 is pinned to 1 when F1 and F2 are the same material: the map runs over the spacer thickness
    stack = tmp_path / "same.toml"
    stack.write_text(ONE_F + '''
[[layers]]
material = "N"
thickness = 2.0
[[layers]]
material = "F"
thickness = 1.0
magnetization = { theta = 40, phi = 0 }
''')
    result = invoke("plot", str(stack), "--kind", "signmap", "--out", str(tmp_path / "map.png"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "map.png").stat().st_size > 10_000
