"""The command line: ``spinstack solve FILE [--json]``, ``--version``; bad input is one stderr line, exit 2."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack.cli import main
from spinstack.io import solution_to_dict
from tests.data import text as stack_text
from tests.io import malformed_stacks as malformed

# real processes of the command here load the compiled kernels from the cache (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("warm_kernels")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/seed-fnf.toml"


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

    monkeypatch.setattr("spinstack.solution.solve", broken)  # (the command imports it when it runs)
    example = str(ROOT / EXAMPLE)
    result = runner.invoke(main, ["solve", example])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"spinstack: error: internal error, please report it with {example}: RuntimeError: boom second line\n"


# ------------------------------------------------------------------ inputs that escaped the one-line promise (issue 13)
@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_devices_and_fifos_are_one_line_errors_in_a_real_process(tmp_path):
    """solve /dev/zero read until memory ran out; a FIFO hung (the timeout of run() catches a hang)."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = run("solve", path)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (f"spinstack: error: {path}: not a regular file (a device, pipe or socket): TOML is "
                                 "read from regular text files\n")


@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
def test_a_library_file_is_read_as_guardedly_as_a_stack_file(tmp_path):
    """materials --library FIFO hung and --library /dev/zero read until memory ran out (the same reader now)."""
    fifo = tmp_path / "library.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = run("materials", "--library", path)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (f"spinstack: error: {path}: cannot read the library: not a regular file (a device, "
                                 "pipe or socket): TOML is read from regular text files\n")


@pytest.mark.parametrize(("content", "reason"), [
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("a." * 100_000 + "b = 1\n", "a dotted key of more than 64 parts on line 1"),
    (b"A=1\0SECRET=hunter2\0", "not a text file (control character 0x00 on line 1)"),
], ids=["nesting", "dotted-key", "binary"])
def test_pathological_files_are_one_line_exit_2(runner, tmp_path, content, reason):
    path = tmp_path / "bad.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = runner.invoke(main, ["solve", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"spinstack: error: {path}: {reason}") and result.stderr.count("\n") == 1
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_a_name_over_255_characters_is_an_input_error(runner, tmp_path):
    """It was "internal error" (OSError: File name too long), exit 1."""
    path = str(tmp_path / ("n" * 300 + ".toml"))
    result = runner.invoke(main, ["solve", path])
    assert result.exit_code == 2
    assert result.stderr == f"spinstack: error: {path}: cannot read the file: File name too long\n"


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"), MemoryError()],
                         ids=["recursion", "memory"])
def test_recursion_and_memory_errors_are_one_line_exit_2(runner, monkeypatch, error):
    """Whatever runs out of recursion or memory (a deep structure, a huge request) is bad input: exit 2."""
    def exhausted(stack):
        raise error

    monkeypatch.setattr("spinstack.solution.solve", exhausted)
    example = str(ROOT / EXAMPLE)
    result = runner.invoke(main, ["solve", example])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"spinstack: error: {example}: ") and result.stderr.count("\n") == 1
    assert "internal error" not in result.stderr


# ------------------------------------------------------------------ slips a new user saw (issue 13)
def test_top_level_help_does_not_cut_a_command_short(runner):
    """The analyze line read "Sign changes of g1 and g2 (seed eq." (click cut it at the abbreviation's dot)."""
    text = runner.invoke(main, ["--help"]).stdout
    assert "analyze    Sign changes of g1, g2 and their thresholds (seed eq. 15)." in text
    assert "(seed eq.\n" not in text
    # click cuts a summary it has to shorten with "..." (plot and sweep read "(profiles, hodographs,...")
    summaries = text.split("Commands:")[1].strip().splitlines()
    assert len(summaries) == 8 and not any(line.rstrip().endswith("...") for line in summaries), summaries


def test_materials_help_names_materials_that_are_in_the_library(runner):
    """It named "Co" and "Co/Cu", which the library does not hold."""
    from spinstack.io.libraryfile import load_library

    library = load_library(None)
    text = " ".join(runner.invoke(main, ["materials", "--help"]).stdout.split())
    named = re.findall(r'material = "([^"]+)"', text)
    pairs = re.findall(r'pair = "([^"]+)"', text)
    assert named and pairs
    assert all(name in library.materials for name in named)
    assert all(library.find_interface(pair) is not None for pair in pairs)


def test_no_negative_zero_in_json_or_text(runner):
    """-0.0 is printed 0 (text) and 0.0 (JSON) wherever it comes from, here an angle given as -0."""
    example = str(ROOT / EXAMPLE)
    for arguments in (["analyze", example, "--theta=-0", "--json"], ["analyze", example, "--theta=-0"]):
        result = runner.invoke(main, arguments)
        assert result.exit_code == 0, result.stderr
        assert not re.search(r"(?<![\w.])-0(\.0*)?(?![\d.e])", result.stdout), result.stdout


def test_no_current_is_said_so_in_the_summary(runner):
    """An in-plane drive alone: the header said "J = 0 A/m^2 (conventional current along +x...)"."""
    path = str(ROOT / "examples" / "pt-co-sot.toml")
    result = runner.invoke(main, ["solve", path])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{path}: units SI, no current perpendicular to the layers (J = 0)"
    assert "conventional current along +x" not in result.stdout


def test_a_magnet_along_sigma_hat_is_explained_not_nan(runner, tmp_path):
    """theta = 0 meant as "perpendicular" is +z (in the film plane) = sigma_hat here: the summary says why
    there is no tau_DL and what the geometry is, instead of printing nan."""
    text = (ROOT / "examples" / "pt-co-sot.toml").read_text(encoding="utf-8").replace(
        "magnetization = { theta = 90, phi = 30 }", "magnetization = { theta = 0 }")
    path = tmp_path / "perpendicular.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["solve", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "nan" not in result.stdout.lower()
    assert "layer 1 (Co): tau_DL and tau_FL not defined (m is parallel to sigma_hat; why just below)" in result.stdout
    assert ("x is the film normal (perpendicular to the layers), y and z lie in the film plane; theta is measured "
            'from +z, in the plane; a magnet perpendicular to the film is magnetization = "normal" (+x).)') in result.stdout
    fixed = runner.invoke(main, ["solve", _with(tmp_path, text.replace("{ theta = 0 }", '"normal"'))])
    assert re.search(r"layer 1 \(Co\): tau_DL = [0-9.e-]+ J/m\^2", fixed.stdout)


def _with(folder: Path, text: str) -> str:
    path = folder / "named.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ long stacks (issue 13)
def _long_stack_file(folder: Path, layers: int) -> Path:
    """An N/F alternating reduced stack of ``layers`` layers, F magnetizations at varied angles."""
    parts = ["current = 1.0\n", stack_text("fn-materials.toml")]
    for i in range(layers):
        if i % 2 == 0:
            parts.append(f'[[layers]]\nmaterial = "F"\nthickness = 1.5\nmagnetization = {{ theta = {(7 * i) % 180} }}\n')
        else:
            parts.append('[[layers]]\nmaterial = "N"\nthickness = 2.0\n')
    path = folder / f"long-{layers}.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_a_2e4_layer_file_is_read_solved_and_reported_without_per_layer_overheads(runner, tmp_path, monkeypatch):
    """1e5 layers took 59 s around a 0.65 s solve (now a few seconds).  The causes, each checked by a count
    that does not depend on the machine's speed: the garbage collector walked the millions of objects of
    the file and the report as they piled up (now paused: no collection runs); the summary's GMR solved a
    batch of two stacks, which takes the general per-layer elimination (now two single stacks on the O(L)
    banded path); the JSON writer called json.dumps for every number at every nesting level (now never
    for a number).  And a loose time ratio against parsing the same file with tomllib, a linear
    reference timed here (before: 16 to 28 times; now about 3)."""
    import time
    import tomllib

    import spinstack.solution

    path = _long_stack_file(tmp_path, 20_000)
    text = path.read_text(encoding="utf-8")
    runner.invoke(main, ["solve", str(ROOT / EXAMPLE)])  # imports and compiled kernels loaded outside the counts
    collections: list[int] = []
    shapes: list[tuple[int, ...]] = []
    dumps_calls: list[int] = []
    real_solve_nodes, real_dumps = spinstack.solution.solve_nodes, json.dumps

    def solve_nodes(arrays, *rest, **keywords):
        shapes.append(arrays.batch_shape)
        return real_solve_nodes(arrays, *rest, **keywords)

    def dumps(*arguments, **keywords):
        dumps_calls.append(1)
        return real_dumps(*arguments, **keywords)

    def collected(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    monkeypatch.setattr(spinstack.solution, "solve_nodes", solve_nodes)
    monkeypatch.setattr(json, "dumps", dumps)
    start = time.perf_counter()
    tomllib.loads(text)
    reference = time.perf_counter() - start
    for arguments in (["solve", str(path)], ["solve", "--json", str(path)]):
        gc.collect()  # start from empty generations: a full collection counts only if the command causes it
        gc.callbacks.append(collected)
        try:
            start = time.perf_counter()
            result = runner.invoke(main, arguments)
            elapsed = time.perf_counter() - start
        finally:
            gc.callbacks.remove(collected)
        assert result.exit_code == 0, result.stderr
        assert elapsed < 15 * reference, (arguments, elapsed, reference)
    assert len(collections) < 10 and 2 not in collections, collections  # a few, from click around the command
    assert shapes and all(shape == () for shape in shapes), shapes
    assert len(dumps_calls) < 100, len(dumps_calls)
    assert json.loads(result.stdout)["layers"][-1]["x"][1] == pytest.approx(10_000 * 1.5 + 10_000 * 2.0)


# ------------------------------------------------------------------ signals: one line and 128 + signum, every phase
SIGNALLED = """
import gc, os, signal, sys
phase, signum, target, command = sys.argv[1], getattr(signal, sys.argv[2]), sys.argv[3], sys.argv[4:]


class Collected:
    def __del__(self):  # a signal handled inside a garbage-collection callback, where Python drops exceptions
        signal.raise_signal(signum)


def send():
    if phase == "collected":
        Collected()
        gc.collect()
    else:
        os.kill(os.getpid(), signum)


class DuringImports:  # the signal arrives while the command's modules are being imported
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            send()
        return None


if phase == "imports":
    sys.meta_path.insert(0, DuringImports())
from importlib.metadata import entry_points

sys.argv = ["spinstack", *command]
main = entry_points(group="console_scripts")["spinstack"].load()  # the installed command, as its script runs it
if phase != "imports":
    import click
    import spinstack.analysis
    import spinstack.io
    import spinstack.solution

    # a command imports what it runs when it runs: patch the name where the command finds it
    owner = {"echo": click, "load_stack": spinstack.io, "sign_report": spinstack.analysis, "solve": spinstack.solution}[target]
    original = getattr(owner, target)

    def trapped(*args, **kwargs):
        send()
        return original(*args, **kwargs)

    setattr(owner, target, trapped)
main()
"""


@pytest.mark.parametrize("phase, name, target, command, stopped", [
    ("imports", "SIGINT", "-", ["solve", EXAMPLE], "solve stopped by SIGINT"),
    ("imports", "SIGTERM", "-", ["sweep", EXAMPLE, "--vary", "theta=0:180:3", "--out", "r.nc"], "sweep stopped"),
    ("reading", "SIGHUP", "load_stack", ["solve", EXAMPLE], "solve stopped by SIGHUP"),
    ("reading", "SIGINT", "load_stack", ["sweep", EXAMPLE, "--vary", "theta=0:180:3", "--out", "r.nc"],
     "sweep stopped by SIGINT; r.nc was not written"),
    ("solving", "SIGTERM", "sign_report", ["analyze", EXAMPLE], "analyze stopped by SIGTERM"),
    ("collected", "SIGINT", "solve", ["solve", EXAMPLE, "--json"], "solve stopped by SIGINT"),
    ("writing", "SIGHUP", "echo", ["materials"], "materials stopped by SIGHUP"),
])
def test_a_signal_in_any_phase_is_one_line_and_128_plus_signum(tmp_path, phase, name, target, command, stopped):
    """Ctrl-C in the first 0.7 s (the imports) printed a 40-line KeyboardInterrupt traceback, a little later click's
    "Aborted!" with exit 1; SIGTERM ended the command without a word (exit -15); a Ctrl-C in a garbage-collection
    callback was dropped.  Now every command, in every phase, stops with one line and exit 128 + signum."""
    import signal

    arguments = [str(ROOT / a) if a == EXAMPLE else a for a in command]
    result = subprocess.run([sys.executable, "-c", SIGNALLED, phase, name, target, *arguments], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 128 + getattr(signal, name), result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinstack: error: ") and stopped in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []  # no sweep file, no temporary file


def test_the_command_is_the_entry_point_that_handles_signals_before_its_imports():
    """The `spinstack` script must start at _spinstack_cli, which imports nothing heavy before its handlers."""
    from importlib.metadata import entry_points

    assert entry_points(group="console_scripts")["spinstack"].value == "_spinstack_cli:main"
    imported = subprocess.run([sys.executable, "-c", "import sys, _spinstack_cli; print(sorted(m for m in sys.modules "
                               "if m.split('.')[0] in ('spinstack', 'numpy', 'click')))"],
                              capture_output=True, text=True, timeout=60, check=True)
    assert imported.stdout.strip() == "[]"


# ------------------------------------------------------------------ analyze --bounds of an SI stack
CO_CU_PY = str(ROOT / "examples" / "co-cu-py.toml")


def test_si_bounds_take_units_and_refuse_bare_numbers(runner):
    """--bounds 0.1:100 silently meant metres for an SI stack's thickness (while "1 nm:20 nm" took units)."""
    spacer = ["analyze", CO_CU_PY, "--parameter", "layers[1].thickness", "--theta", "30", "--json"]
    with_units = runner.invoke(main, [*spacer, "--bounds", "1 nm:20 nm"])
    assert with_units.exit_code == 0, with_units.output
    assert json.loads(with_units.stdout)["thresholds"][0]["bounds"] == pytest.approx([1e-9, 2e-8], rel=1e-15)
    for bounds, fragment in [
        ("0.1:100", "a bare number has no unit (a length in an SI stack) for layers[1].thickness: write the bounds "
                    'with one, e.g. "0.1 nm:100 nm" or "0.1 m:100 m"'),
        ("1 nm:2 A", "expected a length"),
    ]:
        refused = runner.invoke(main, [*spacer, "--bounds", bounds])
        assert refused.exit_code == 2 and refused.stdout == "" and len(refused.stderr.splitlines()) == 1
        assert fragment in refused.stderr, refused.stderr
    current = runner.invoke(main, ["analyze", CO_CU_PY, "--parameter", "current", "--bounds", "1e10:1e12"])
    assert current.exit_code == 2 and 'e.g. "1e+10 A/m^2:1e+12 A/m^2"' in current.stderr
    mixed = runner.invoke(main, ["analyze", CO_CU_PY, "--parameter", "current", "--parameter", "materials.Co.p",
                                 "--bounds", "1 A/m^2:2 A/m^2"])
    assert mixed.exit_code == 2 and "parameters of different kinds" in mixed.stderr
    # dimensionless parameters (the default: p of F1 and F2) keep plain numbers; reduced stacks too
    assert runner.invoke(main, ["analyze", CO_CU_PY, "--bounds", "0.1:0.9"]).exit_code == 0
    assert runner.invoke(main, ["analyze", str(ROOT / EXAMPLE), "--parameter", "layers[1].thickness",
                                "--bounds", "0.1:5"]).exit_code == 0
