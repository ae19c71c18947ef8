"""Fixtures shared by the whole suite, and the dynamics integrator compiled on the second core."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ the dynamics compiled while other tests run
# On a cold numba cache (a fresh clone: CI) the dynamics integrator's kernels take 2-4 minutes to compile, on one
# core, in whichever test first runs the dynamics: the explorer's Dynamics page in tests/app waits for them, the
# browser idle.  The suite's workers would wait for them.  So when the session has dynamics tests and the integrator's
# cache is cold, a separate process compiles it (into the same cache) from the start of the session, while the
# first tests run, and the tests below wait for it before they start: the same machine code, compiled once,
# off the suite's path.  Tests that time themselves wait too, so that they do not share the machine with it.
_WARM_DYNAMICS = """
import sys
import numpy as np
import spinstack as ss
from spinstack.macrospin.integrate import simulate
from spinstack.macrospin.spec import Macrospins

valve = ss.load_stack(sys.argv[1])
one = Macrospins(valve, free=2, Ms=8.0e5, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1), current=1e11)
simulate(valve, one, 1e-11, 1e-11, backend="compiled")  # a single member: the loop on the calling thread
members = 130  # more than 64 per thread on 2 threads: the parallel loop (one part per thread)
many = Macrospins(valve, free=2, Ms=8.0e5, alpha=0.02, K_u=5e3, easy_axis=(0, 0, 1),
                  current=np.linspace(-2e11, 2e11, members))
simulate(valve, many, 1e-11, 1e-11, backend="compiled")
"""
_WAITS_FOR_DYNAMICS = ("app", "macrospin")  # test directories (besides any test file named after the dynamics)
_TIMED = ("test_startup.py", "test_sweep_overheads.py")
# The solver's kernels (spinstack.solver.kernels/linked/banded), cold, took 2-4.5 minutes of the suite's wall time,
# each compiled inside whichever test first solved with it (a fresh clone at load 7: test_efficiency's appendix-II
# curve 118 s, its sign map 68 s, the conformance test's linked case 45 s, test_cli's 2e4 layers 37 s; ~1 s each
# warm).  On a cold cache the second process compiles them first, by running those tests (the same calls, so the
# same argument types), then the dynamics.  Here every compilation of a spinstack kernel waits while the warm-up
# may still write that signature to the cache (numba loads it from there: nothing compiled twice), and the files
# that solve with the kernels most run after the others, so that this core runs numpy-only tests meanwhile.
_SOLVER_KERNELS = ("spinstack.solver.kernels", "spinstack.solver.linked", "spinstack.solver.banded")
_WARMED_TESTS = ("tests/analysis/test_efficiency.py::test_curve_matches_appendix_ii",
                 "tests/analysis/test_efficiency.py::test_sign_map_boundary_matches_eq15",
                 "tests/solver/test_conformance.py::test_every_backend_that_takes_a_case_gives_the_numpy_backends_"
                 "outputs[seed F/N/F between reservoirs-linked]",
                 "tests/test_cli.py::test_a_2e4_layer_file_is_read_solved_and_reported_without_per_layer_overheads")
_SOLVES_MOST = ("tests/analysis/test_efficiency.py", "tests/solver/", "tests/test_cli.py")
_WARM_SOLVER = """
import os
import subprocess
import sys
from pathlib import Path

ready, tests = sys.argv[2], sys.argv[3:]  # (sys.argv[1]: the dynamics' stack file)
subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
               env={**os.environ, "SPINSTACK_TEST_NO_WARMER": "1"}, stdin=subprocess.DEVNULL)
Path(ready).touch()
"""
# The suite runs on two pytest-xdist workers (pyproject.toml's addopts: -n 2), each a process of its own: the first
# ("gw0", or the only process without xdist) decides whether a warm-up is needed and starts it; both wait for it.
# They share what they know of it through files in one directory, made by the controlling process before the
# workers start (SPINSTACK_WARM_DIR, inherited): PLAN (written once the first worker decided: "solver" and/or
# "dynamics", or empty), the solver part's ready file, and DONE (the warm-up ended, or was ended).
_WARM_DIR = "SPINSTACK_WARM_DIR"
_PLAN, _READY, _DONE, _PID = "plan", "solver-kernels-ready", "done", "pid"
_warmer: dict = {}


def _worker(config: pytest.Config) -> str | None:
    """This process's pytest-xdist worker id ("gw0", "gw1"...), None without xdist (or in xdist's controller)."""
    return getattr(config, "workerinput", {}).get("workerid")


def pytest_configure(config: pytest.Config) -> None:
    # the controller (or the only process) makes its own directory, also when one is inherited (a stale one's PLAN
    # and DONE would be read as this run's); the warm-up's own pytest (SPINSTACK_TEST_NO_WARMER) needs none
    if _worker(config) is None and not os.environ.get("SPINSTACK_TEST_NO_WARMER"):
        os.environ[_WARM_DIR] = _warmer["own_dir"] = tempfile.mkdtemp(prefix="spinstack-warm-")


def pytest_unconfigure(config: pytest.Config) -> None:
    own = _warmer.pop("own_dir", None)
    if own is not None:  # (after every worker ended: none reads it any more)
        shutil.rmtree(own, ignore_errors=True)
        os.environ.pop(_WARM_DIR, None)


def _warm_up_running() -> bool:
    """The warm-up was started (by this process or the first worker) and has not ended."""
    directory = _warmer.get("directory")
    if directory is None or (directory / _DONE).exists():
        return False
    process = _warmer.get("process")
    if process is None:  # the first worker's: alive as long as its process id is
        return _alive(directory / _PID)
    if process.poll() is None:
        return True
    (directory / _DONE).touch()  # it ended without writing DONE (a signal: the OOM killer): the other worker waits
    return False


def _alive(pid_file: Path) -> bool:
    """Whether the process whose id ``pid_file`` holds still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:  # no such process, or no /proc
        pass
    except (OSError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _runs_dynamics(item: pytest.Item) -> bool:
    path = Path(str(item.fspath))
    return (path.parent.name in _WAITS_FOR_DYNAMICS or "dynamics" in path.name or path.name in _TIMED
            or "dynamics" in item.name  # (a dynamics run in another file: it waited 4 min on this core, idle)
            or item.get_closest_marker("slow") is not None)


def _group(item: pytest.Item) -> int:
    if _runs_dynamics(item):
        return 2
    return 1 if item.nodeid.startswith(_SOLVES_MOST) else 0


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that solve with the compiled kernels most, then those that wait for the dynamics (above), run after
    all the others, each group in its own order: on a cold cache the others run on this core while the second
    process compiles (a fresh clone's first test of tests/app waited 2 min for it, this core idle); on a warm cache
    nothing waits, and the order is the same either way."""
    items[:] = sorted(items, key=_group)  # (a stable sort)


def _solver_cache_is_cold() -> bool:
    import importlib

    from spinstack.macrospin.compilation import cache_is_cold
    from spinstack.solver.compiled import Kernel

    kernels = [value for name in _SOLVER_KERNELS for value in vars(importlib.import_module(name)).values()
               if isinstance(value, Kernel)]
    # all: a kernel only ever called from other kernels (inside their machine code) has no cache entry of its own
    return all(cache_is_cold(kernel) for kernel in kernels)


def pytest_collection_finish(session: pytest.Session) -> None:
    if os.environ.get("SPINSTACK_TEST_NO_WARMER") or _WARM_DIR not in os.environ:
        return
    directory = Path(os.environ[_WARM_DIR])
    if _worker(session.config) not in (None, "gw0"):  # another worker: it follows the first one's plan
        _follow(directory)
        return
    plan = ""
    try:
        from spinstack.macrospin import compiled
        from spinstack.macrospin.compilation import cache_is_cold

        if compiled.AVAILABLE:
            dynamics = (any(_runs_dynamics(item) for item in session.items)
                        and bool(cache_is_cold(compiled._advance_serial)))
            tests = [test for test in _WARMED_TESTS if any(item.nodeid == test for item in session.items)]
            if not (tests and _solver_cache_is_cold()):
                tests = []
            plan = ("solver " if tests else "") + ("dynamics" if dynamics else "")
    except Exception:  # no numba, or its internals moved: the tests compile what they run
        plan = ""
    if plan:
        _start_warm_up(session, directory, tests, dynamics)
    (directory / (_PLAN + ".part")).write_text(plan)
    (directory / (_PLAN + ".part")).replace(directory / _PLAN)  # (whole, for the other worker)
    if plan:
        _wait_in_compilations()


def _start_warm_up(session: pytest.Session, directory: Path, tests: list[str], dynamics: bool) -> None:
    log = tempfile.TemporaryFile(mode="w+")
    _warmer["log"] = log
    _warmer["directory"] = directory
    if not tests:
        (directory / _READY).touch()
    body = (_WARM_SOLVER if tests else "") + (_WARM_DYNAMICS if dynamics else "")
    # DONE written however the warm-up ends (the other worker cannot see this process's exit)
    script = ("import sys\nfrom pathlib import Path\ntry:\n" + "".join("    " + line + "\n" for line in body.splitlines())
              + "finally:\n    (Path(sys.argv[2]).parent / " + repr(_DONE) + ").touch()\n")
    arguments = [str(ROOT / "examples" / "co-cu-py.toml"), str(directory / _READY), *tests]
    _warmer["process"] = subprocess.Popen(
        [sys.executable, "-c", script, *arguments], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, cwd=str(session.config.rootpath))
    (directory / _PID).write_text(str(_warmer["process"].pid))  # (before the plan: the other worker reads it after)


def _follow(directory: Path) -> None:
    """A worker other than the first: wait (briefly: both collect at once) for the first worker's plan; when it
    started a warm-up, this process waits for it as the first one does."""
    import time

    deadline = time.monotonic() + 300.0
    while not (directory / _PLAN).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if (directory / _PLAN).exists() and (directory / _PLAN).read_text().strip():
        _warmer["directory"] = directory
        _wait_in_compilations()


def _wait_in_compilations() -> None:
    """numba's Dispatcher.compile, in this process, waits before it compiles a spinstack kernel for a signature that
    the warm-up may still write to the cache (a solver kernel: until the warm-up's solver part ended; a kernel of
    the dynamics: until it exited); it then loads the signature from the cache, or compiles it when the warm-up did
    not.  Other kernels, which the warm-up never compiles, compile at once (waiting for it idled this core 1-2 min)."""
    import time

    from numba.core.dispatcher import Dispatcher

    compile_now = Dispatcher.compile

    def cached(dispatcher: Dispatcher, signature: tuple) -> bool:
        try:
            return any(key[0] == signature for key in dispatcher._cache._cache_file._load_index())
        except Exception:  # another numba: no waiting
            return True

    def compile_after_warm_up(self: Dispatcher, sig: tuple) -> object:
        module = getattr(self.py_func, "__module__", "") or ""
        solver = module.startswith("spinstack.solver.")
        if (solver or module.startswith("spinstack.macrospin.")) and sig not in self.overloads:
            ready = _warmer["directory"] / _READY
            deadline = time.monotonic() + 900.0
            while (_warm_up_running() and not (solver and ready.exists())
                   and not cached(self, sig) and time.monotonic() < deadline):
                time.sleep(0.2)
        return compile_now(self, sig)

    Dispatcher.compile = compile_after_warm_up
    _warmer["compile"] = compile_now


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _runs_dynamics(item) and _warm_up_running():
        import time

        deadline = time.monotonic() + 900.0
        while _warm_up_running() and time.monotonic() < deadline:  # (past it: the test compiles what it needs)
            time.sleep(0.2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    compile_now = _warmer.pop("compile", None)
    if compile_now is not None:
        from numba.core.dispatcher import Dispatcher

        Dispatcher.compile = compile_now
    process = _warmer.pop("process", None)
    if process is not None:
        if process.poll() is None:  # (a session that ended before any test waited for it)
            os.killpg(process.pid, 9)  # (its own session: the pytest it may run with it)
            process.wait()
            (_warmer["directory"] / _DONE).touch()  # (another worker may still wait for it)
        else:
            _warmer["returncode"] = process.returncode
    _warmer.pop("directory", None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    log = _warmer.pop("log", None)
    if log is None:
        return
    log.seek(0)
    text = log.read().strip().splitlines()
    log.close()
    if _warmer.pop("returncode", 0):  # only slower tests follow from it, but say so
        terminalreporter.write_line("the warm-up process failed: " + " | ".join(text[-5:]))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)


@pytest.fixture(scope="session")
def warm_kernels() -> None:
    """Compile (or load from numba's on-disk cache) the kernels that ``spinstack solve``, the efficiency
    curves and sweeps run, in this process, once.

    A test that runs the command in a fresh interpreter, with a timeout or a timed budget, then loads
    the machine code from the cache instead of compiling it: on a cold cache (a fresh checkout, or
    after a kernel's source changed) the first compile takes a minute or more, and it would land in
    whichever such test came first.  Without numba this only solves a stack.
    """
    from click.testing import CliRunner

    import spinstack as ss
    from spinstack.analysis import efficiency
    from spinstack.cli import main

    seed = str(ROOT / "examples" / "seed-fnf.toml")
    for arguments in (["solve", seed], ["solve", seed, "--json"]):
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, result.output
    stack = ss.load_stack(seed)
    efficiency(stack, np.linspace(0.0, 180.0, 181))
    if importlib.util.find_spec("xarray") is not None:  # sweeps: theta alone, and theta with another parameter
        ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, 7)}, progress=False)
        ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, 7), "materials.F2.p": [0.2, 0.8]}, progress=False)


@pytest.fixture(autouse=True, scope="session")
def _no_compile_notice() -> None:
    """The one-line notice the dynamics print before numba first compiles their loop (on stderr, once per process:
    spinstack.macrospin.compilation) counted as said: on a cold cache it would land in whichever test ran the first
    dynamics, and tests that check a command's stderr is empty would see it.  tests/macrospin/test_compilation.py
    tests the notice itself."""
    from spinstack.macrospin import compilation

    compilation._printed = True
