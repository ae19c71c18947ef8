"""Start-up time of the command and the package, beside the interpreter's own in the same run (issue 14).

Run on demand (not part of the tests; tests/test_startup.py checks what each of these imports):

    python benchmarks/startup.py               # 7 runs of each, from the repository root
    python benchmarks/startup.py --repeat 15

Each case is a fresh process, timed from start to exit: wall time (best and median of the runs) and the
CPU time it used (best; less disturbed by other work on the machine than the wall time).  The
references, ``python -c pass`` and ``python -c "import numpy"``, run in the same loop, so a ratio to
them is comparable between machines and between loaded and idle runs:

* ``spinstack --help``: the installed command (its entry point ``_spinstack_cli:main``);
* ``import spinstack``;
* ``spinstack solve examples/seed-fnf.toml``, warm: numba's cache on disk as a previous run left it
  (``__pycache__`` next to the sources), and cold: numba pointed at an empty cache folder
  (``NUMBA_CACHE_DIR``) every run, as after installing or editing a kernel.  Cold equals warm when the
  command runs no compiled kernel; the last line says whether it imported numba at all.

Python's own bytecode cache (``__pycache__/*.pyc``) is used as an installed package uses it: a
``PYTHONDONTWRITEBYTECODE`` in the environment is left out for the runs (without ``.pyc`` files every
run compiles the package's sources again, ~0.15 s here).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = "examples/seed-fnf.toml"

# runs the command as its installed script does, then says on stderr whether numba was imported
_COMMAND = """
import sys
from _spinstack_cli import main
sys.argv = ["spinstack", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("\\nnumba imported: %s\\n" % ("numba" in sys.modules))
"""


def command(*arguments: str) -> list[str]:
    """The installed ``spinstack`` script when it is on PATH, else the same entry point through ``-c``."""
    script = shutil.which("spinstack")
    return [script, *arguments] if script else [sys.executable, "-c", _COMMAND, *arguments]


# the environment of every run: as the caller's, but with Python's bytecode cache written and read
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], environment: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``argv`` to its exit; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=environment or ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {result.returncode}\n{result.stderr.decode(errors='replace')}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imports_numba(arguments: list[str]) -> bool:
    """Whether the command imports numba for ``arguments`` (one extra run)."""
    result = subprocess.run([sys.executable, "-c", _COMMAND, *arguments], cwd=ROOT, env=ENVIRONMENT,
                            capture_output=True, text=True, check=False)
    return "numba imported: True" in result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each case (default 7)")
    options = parser.parse_args()

    cold_cache = Path(tempfile.mkdtemp(prefix="spinstack-numba-cold-"))
    cold = dict(ENVIRONMENT)
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("python -c 'import numpy'", [sys.executable, "-c", "import numpy"], None),
        ("import spinstack", [sys.executable, "-c", "import spinstack"], None),
        ("spinstack --help", command("--help"), None),
        ("spinstack solve seed (warm)", command("solve", SEED), None),
        ("spinstack solve seed (cold numba cache)", command("solve", SEED), cold),
    ]
    for argv in (command("solve", SEED), [sys.executable, "-c", "import spinstack.solution, spinstack.io"]):
        timed(argv)  # fills numba's cache (if the command compiles anything), Python's and the OS's file cache
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in cases}
    try:
        for _ in range(options.repeat):  # interleaved, so that a burst of other work hits every case alike
            for name, argv, environment in cases:
                if environment is cold:
                    shutil.rmtree(cold_cache, ignore_errors=True)
                    cold_cache.mkdir()
                    cold["NUMBA_CACHE_DIR"] = str(cold_cache)
                samples[name].append(timed(argv, environment))
    finally:
        shutil.rmtree(cold_cache, ignore_errors=True)

    best_cpu = {name: min(cpu for _, cpu in runs) for name, runs in samples.items()}
    reference, numpy_reference = best_cpu["python -c pass"], best_cpu["python -c 'import numpy'"]
    numba_used = imports_numba(["solve", SEED])
    print(f"start-up, {options.repeat} runs each, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; ratios of the best CPU times")
    print(f"{'case':40s} {'wall best':>9s} {'median':>8s} {'CPU best':>9s} {'/ pass':>7s} {'/ numpy':>8s}")
    for name, runs in samples.items():
        walls = [wall for wall, _ in runs]
        print(f"{name:40s} {min(walls):8.3f}s {statistics.median(walls):7.3f}s {best_cpu[name]:8.3f}s "
              f"{best_cpu[name] / reference:7.2f} {best_cpu[name] / numpy_reference:8.2f}")
    print(f"spinstack solve seed imports numba: {'yes' if numba_used else 'no'}")


if __name__ == "__main__":
    main()
