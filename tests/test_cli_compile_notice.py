"""The line on stderr before numba compiles a solver kernel cold (spinstack.macrospin.compilation.announce_compilations,
spinstack.solver.compiled.on_compile): said once, just before a real compilation (numba's compile event, a cache
miss), never on a load from numba's on-disk cache, never on stdout; the command line turns it on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from spinstack.macrospin import compilation
from spinstack.solver import compiled

numba = pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "examples" / "seed-fnf.toml")


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A process in which no notice was printed yet, no hook registered, and numba's cache in an empty folder."""
    monkeypatch.setattr(compilation, "_printed", False)
    monkeypatch.setattr(compiled, "_compile_hooks", [])
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))  # read when a dispatcher makes its cache
    return compilation


def _scaled(x, factor):
    return x * factor + 1.0


def _summed(x):
    total = 0.0
    for k in range(x.shape[0]):
        total += x[k]
    return total


def test_a_cold_kernel_is_announced_once_on_stderr_before_it_compiles(fresh, capsys):
    seen = []
    fresh.announce_compilations()
    compiled.on_compile(lambda dispatcher: seen.append((dispatcher.py_func, capsys.readouterr().err)))
    kernel = compiled.njit(cache=False)(_scaled)
    assert kernel(2.0, 3.0) == 7.0
    # the hook ran before numba compiled (inside the compile event), after the line: one of them, on stderr
    assert seen == [(_scaled, fresh.SOLVER_MESSAGE + "\n")]
    assert compiled.njit(cache=False)(_summed)(__import__("numpy").ones(3)) == 3.0
    assert len(seen) == 2  # another compilation: the hook again, the line not again
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_kernel_loaded_from_numbas_disk_cache_is_not_announced(fresh, capsys):
    seen = []
    compiled.on_compile(seen.append)
    assert compiled.njit(cache=True)(_scaled)(1.0, 2.0) == 3.0  # an empty cache folder: compiled, and written
    assert [dispatcher.py_func for dispatcher in seen] == [_scaled]
    assert compiled.njit(cache=True)(_scaled)(2.0, 2.0) == 5.0  # a new dispatcher of it: loaded from the folder
    assert compiled.njit(cache=True)(_scaled)(2.0, 2) == 5.0  # another signature: not on disk, compiled
    assert [dispatcher.py_func for dispatcher in seen] == [_scaled, _scaled]


def test_only_the_kernels_of_njit_are_heard(fresh):
    seen = []
    compiled.on_compile(seen.append)
    compiled.njit(cache=False)(_scaled)(1.0, 1.0)  # numba imported and the listener registered

    def tripled(x):  # a function of someone else's, compiled by numba itself
        return 3.0 * x

    assert numba.njit(cache=False)(tripled)(2.0) == 6.0
    assert [dispatcher.py_func for dispatcher in seen] == [_scaled]


def test_a_failing_hook_does_not_fail_the_kernel(fresh):
    compiled.on_compile(lambda dispatcher: 1 / 0)
    assert compiled.njit(cache=False)(_scaled)(1.0, 1.0) == 2.0


def test_the_dynamics_kernels_say_the_dynamics_line_and_one_line_is_all(fresh, capsys):
    def dispatcher(module):
        return SimpleNamespace(py_func=SimpleNamespace(__module__=module))

    fresh._compiling(dispatcher("spinstack.macrospin.thermal"))
    fresh._compiling(dispatcher("spinstack.solver.kernels"))
    assert capsys.readouterr().err == fresh.MESSAGE + "\n"
    fresh._printed = False
    fresh._compiling(dispatcher("spinstack.solver.kernels"))
    fresh._compiling(dispatcher("spinstack.macrospin.compiled"))
    assert capsys.readouterr().err == fresh.SOLVER_MESSAGE + "\n"


@pytest.mark.usefixtures("warm_kernels")
def test_a_warm_cache_prints_nothing_and_the_command_line_listens(tmp_path):
    """A real process of the command: the efficiency curve runs the compiled chain.  The first run may compile (then
    the line is all its stderr says); the second loads every kernel from numba's cache and says nothing."""
    runs = [subprocess.run([sys.executable, "-m", "spinstack", "plot", SEED, "--kind", "efficiency", "--out",
                            str(tmp_path / f"g{k}.png")], cwd=ROOT, capture_output=True, text=True, timeout=900)
            for k in range(2)]
    assert [run.returncode for run in runs] == [0, 0], [run.stderr for run in runs]
    assert runs[0].stderr in ("", compilation.SOLVER_MESSAGE + "\n")
    assert runs[1].stderr == ""
    code = ("from spinstack.cli import _reported\nfrom spinstack.solver import compiled\n"
            "from spinstack.macrospin.compilation import _compiling\n"
            "with _reported('x', compiles=False): pass\nprint(_compiling in compiled._compile_hooks)\n"
            "with _reported('x'): pass\nprint(_compiling in compiled._compile_hooks)\n")
    listening = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert listening.stdout.split() == ["False", "True"], listening.stderr
