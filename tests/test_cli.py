"""The command line: ``spinstack solve FILE [--json]``, ``--version``; bad input is one stderr line, exit 2."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack.cli import main
from spinstack.io import solution_to_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/seed-fnf.toml"


def _catalogue():
    name = "spinstack_tests_malformed_stacks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "io" / "malformed_stacks.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


malformed = _catalogue()
CASES = {case.id: case for case in malformed.CATALOGUE}


def run(*arguments: str, module: str = "spinstack.cli") -> subprocess.CompletedProcess[str]:
    """The real command in a fresh interpreter, from the repository root."""
    return subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)


def assert_input_error(returncode: int, stdout: str, stderr: str, file: str, case) -> None:
    """STACK_FORMAT.md: nothing on stdout, one line on stderr naming the file, the key and why; exit 2."""
    assert returncode == 2, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), stderr
    assert "Traceback" not in stderr
    line = lines[0]
    assert line.startswith("spinstack: error: ")
    assert file in line
    assert malformed.expected_start(case, file) in line
    assert case.reason in line


# ------------------------------------------------------------------ real processes
def test_solve_example_prints_the_summary():
    result = run("solve", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"{EXAMPLE}: units reduced, current j0 = 1")
    assert "\n  g1 = 0.244095" in result.stdout
    assert "\n  g2 = 0.244095" in result.stdout
    assert "theta = 60 deg" in result.stdout
    assert "total r = 3.08048" in result.stdout


def test_solve_json_matches_solution_to_dict():
    result = run("solve", EXAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data == solution_to_dict(ss.solve(ss.load_stack(ROOT / EXAMPLE)))
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_version_and_python_dash_m_spinstack():
    result = run("--version", module="spinstack")
    assert result.returncode == 0
    assert result.stdout.strip() == f"spinstack, version {ss.__version__}"
    assert run("solve", EXAMPLE, module="spinstack").stdout == run("solve", EXAMPLE).stdout


@pytest.mark.parametrize("case_id", ["thickness-negative", "si-rho-length", "interface-g_mix-missing-at-N-F",
                                     "invalid-toml", "not-utf8",
                                     "missing-file", "directory"])
def test_bad_input_in_a_real_process(tmp_path, case_id):
    case = CASES[case_id]
    path = malformed.write_case(case, tmp_path)
    result = run("solve", str(path))
    assert_input_error(result.returncode, result.stdout, result.stderr, str(path), case)


def test_usage_error_exits_2_without_traceback():
    result = run("solve")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Missing argument 'FILE'" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ in process (fast)
@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("as_json", [False, True], ids=["summary", "json"])
@pytest.mark.parametrize("case", malformed.CATALOGUE, ids=lambda case: case.id)
def test_every_malformed_file_is_one_line_and_exit_2(runner, tmp_path, case, as_json):
    path = malformed.write_case(case, tmp_path)
    result = runner.invoke(main, ["solve", str(path)] + (["--json"] if as_json else []))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert_input_error(result.exit_code, result.stdout, result.stderr, str(path), case)


def test_relative_file_name_is_reported_as_given(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text(CASES["p-one"].content, encoding="utf-8")
    result = runner.invoke(main, ["solve", "bad.toml"])
    assert result.exit_code == 2
    assert result.stderr == "spinstack: error: bad.toml: materials.F.p: must lie strictly between -1 and 1, got 1.0\n"


def test_help_lists_the_solve_command(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "solve" in result.stdout
    result = runner.invoke(main, ["solve", "--help"])
    assert result.exit_code == 0 and "--json" in result.stdout


def test_unknown_option_is_a_usage_error(runner):
    result = runner.invoke(main, ["solve", EXAMPLE, "--jsn"])
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(("replace", "key"), [(("D = 3.0", "D = 1e300"), "materials.N.D"),
                                             (("D = 3.0", "D = 1e-308"), "materials.N.D")])
@pytest.mark.parametrize("json_output", [True, False])
def test_overflowing_parameters_are_one_line_naming_the_key(runner, tmp_path, replace, key, json_output):
    """Absurd magnitudes (D = 1e300 with d = 1e-300) would overflow doubles in the solve: refused when the
    stack is built, naming the key, the same way with and without --json (one line, exit 2, no NaN)."""
    path = tmp_path / "extreme.toml"
    path.write_text(malformed.MATERIALS.replace(*replace) + malformed.f_layer() + malformed.layer(thickness="1"),
                    encoding="utf-8")
    result = runner.invoke(main, ["solve", str(path)] + (["--json"] if json_output else []))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"spinstack: error: {path}: {key}: must lie between 1e-150 and 1e+150 in magnitude")


def test_huge_and_tiny_magnetization_vectors_are_directions(runner, tmp_path):
    """[0, 0, 1e308] and [1e-320, 0, 0] are valid directions (normalised without overflow): +z and +x."""
    layer = ss.Layer(ss.Ferromagnet("F", 1.0, 0.5, 2.0), 1.0, [0.0, 0.0, 1e308])
    np.testing.assert_array_equal(layer.magnetization, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(ss.Layer(layer.material, 1.0, [1e-320, 0.0, 0.0]).magnetization, [1.0, 0.0, 0.0])


def test_an_internal_error_is_still_one_line(runner, monkeypatch):
    def broken(stack):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("spinstack.cli.solve", broken)
    example = str(ROOT / EXAMPLE)
    result = runner.invoke(main, ["solve", example])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"spinstack: error: internal error, please report it with {example}: RuntimeError: boom second line\n"
