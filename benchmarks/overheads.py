"""What users pay around the kernel (issue 14): end to end, stack building included, beside the kernel alone.

Run on demand (not part of the test suite):

    python benchmarks/overheads.py            # in-process figures (about a minute)
    python benchmarks/overheads.py --cli      # also `spinstack sweep` of 1e7 angles (g1, g2 and all variables)

Every figure is the best of several repeats, as wall time and as this process's CPU time (on a shared,
loaded machine the CPU time is the steadier of the two); ratios are against the numpy closed form of the
seed's eq. (14) timed in the same run (higher is better, 1.0 = as fast as the closed form).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import spinstack as ss
from spinstack.analysis import efficiency, with_angle
from solver import closed_form, seed_stack  # noqa: E402  (benchmarks/solver.py: the shared reference)
from solver import timed as best  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-fnf.toml"


def per_call(function, repeats: int = 400) -> float:
    """Seconds per call: the 10th percentile of ``repeats`` timed calls (one call is too short for the CPU clock)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 10]


def row(name: str, figure: tuple[float, float], reference: tuple[float, float], note: str = "") -> None:
    wall, cpu = figure
    print(f"  {name:44s} {wall * 1e3:9.1f} ms wall {cpu * 1e3:9.1f} ms cpu   ratio {reference[0] / wall:5.2f} wall "
          f"{reference[1] / cpu:5.2f} cpu  {note}")


def in_process(n: int = 10**6) -> None:
    theta = np.linspace(0.0, 180.0, n)
    stack = seed_stack()
    efficiency(stack, theta[:7])  # compiles the kernels (or loads them from the cache)
    ss.sweep(stack, {"theta": theta[:7]})
    reference = best(lambda: closed_form(theta))
    print(f"{n:.0e} angles, seed stack (closed form: {reference[0] * 1e3:.1f} ms wall, {reference[1] * 1e3:.1f} ms cpu)")
    turned = with_angle(stack, theta)
    row("kernel: solve(turned stack).efficiency()", best(lambda: ss.solve(turned).efficiency()), reference,
        "(stack built beforehand)")
    row("efficiency(stack, theta)", best(lambda: efficiency(stack, theta)), reference, "(end to end)")
    row("with_angle(stack, theta)", best(lambda: with_angle(stack, theta)), reference)
    row("Stack(polar(theta)) built", best(lambda: seed_stack(theta)), reference)
    row("sweep theta, g1 g2 (in memory)", best(lambda: ss.sweep(stack, {"theta": theta}, variables=["g1", "g2"]), 3),
        reference)
    row("sweep theta, every variable (in memory)", best(lambda: ss.sweep(stack, {"theta": theta}), 3), reference)
    grid = {"theta": np.linspace(0.0, 180.0, n // 1000), "materials.F2.p": np.linspace(0.05, 0.95, 1000)}
    row("sweep theta x p2, g1 g2 (in memory)", best(lambda: ss.sweep(stack, grid, variables=["g1", "g2"]), 3), reference)
    print("one configuration (10th percentile of 400 calls)")
    print(f"  {'efficiency(stack, 60)':44s} {per_call(lambda: efficiency(stack, 60.0)) * 1e6:9.1f} us")

    def everything() -> None:
        solution = ss.solve(seed_stack(60.0))
        solution.efficiency(), solution.torque, solution.accumulation, solution.resistance_area

    print(f"  {'build + solve + g, torque, mu_s, r':44s} {per_call(everything) * 1e6:9.1f} us")
    print(f"  {'Stack built (seed, from floats)':44s} {per_call(seed_stack, 2000) * 1e6:9.1f} us")
    print(f"  {'with_angle(stack, 60)':44s} {per_call(lambda: with_angle(stack, 60.0), 2000) * 1e6:9.1f} us")


def command_line(points: int = 10**7, repeats: int = 2) -> None:
    """``spinstack sweep`` of ``points`` angles into a NetCDF file: wall and user + system CPU of the process."""
    print(f"spinstack sweep, {points:.0e} angles into NetCDF (best of {repeats}; process CPU = user + system)")
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as folder:
        out = Path(folder) / "sweep.nc"
        for label, extra in (("g1, g2", ["--variables", "g1,g2"]), ("every variable", [])):
            wall, cpu = [], []
            for _ in range(repeats):
                out.unlink(missing_ok=True)
                command = [sys.executable, "-m", "spinstack", "sweep", str(SEED), "--vary", f"theta=0:180:{points}",
                           "--out", str(out), *extra]
                before = os.times()
                start = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                wall.append(time.perf_counter() - start)
                after = os.times()
                cpu.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
            size = out.stat().st_size
            print(f"  {label:44s} {min(wall):9.2f} s wall {min(cpu):9.2f} s cpu   file {size / 1e9:.2f} GB")


if __name__ == "__main__":
    in_process()
    if "--cli" in sys.argv[1:]:
        command_line()
