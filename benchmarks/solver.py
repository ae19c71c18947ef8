"""Solver benchmarks (issues 5, 14): each prints its figure and a ratio against a reference timed in the same run.

Run on demand (not part of the test suite):  python benchmarks/solver.py   (about two minutes)

Timings are the best of several repeats (these machines are shared and noisy); the issue-14 figures print
end to end (stack building and every conversion included) beside the kernel alone, as wall time and as
CPU time of this process (on a loaded machine the CPU time is the steadier), with their ratios to the
numpy closed form of the seed's eq. (14) timed in the same run (higher is better; 1.0 = as fast).
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

import spinstack as ss
from spinstack.analysis import efficiency, sign_map
from spinstack.prepared import finalize
from spinstack.solver import kernels


def best(function, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(function, repeats: int = 5) -> tuple[float, float]:
    """(wall, cpu) seconds, each the smallest of ``repeats`` runs (cpu: this process, all its threads)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def per_call(function, repeats: int = 2000) -> tuple[float, float]:
    """(wall, thread cpu) seconds per call: the 10th percentile of timed calls (wall), the mean CPU time of
    the calling thread over all of them (one call is too short for the CPU clock)."""
    times = []
    start_cpu = time.thread_time()
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 10], (time.thread_time() - start_cpu) / repeats


def line(label: str, figure: tuple[float, float], reference: tuple[float, float] | None = None, unit: str = "ms") -> str:
    """'label: wall (cpu) [ratio closed form / this, wall and cpu]'."""
    scale = {"ms": 1e3, "us": 1e6}[unit]
    text = f"   {label}: {figure[0] * scale:.3g} {unit} (cpu {figure[1] * scale:.3g} {unit})"
    if reference is not None:
        text += f"  ratio {reference[0] / figure[0]:.2f} (cpu {reference[1] / figure[1]:.2f})"
    return text


def seed_stack(theta=60.0) -> ss.Stack:
    F1, F2, N = ss.Ferromagnet("F1", 1.0, 0.5, 2.0), ss.Ferromagnet("F2", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    return ss.Stack([ss.Layer(F1, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F2, 1.5, ss.polar(theta))])


def closed_form(theta_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seed eq. (14) and Appendix II in plain numpy for the seed stack (the reference)."""
    theta = np.deg2rad(theta_deg)
    g_tilde = lambda D, l, d: D / (2 * l) / np.tanh(d / l)  # noqa: E731
    A1 = g_tilde(1.0, 2.0, 1.5) + g_tilde(3.0, 10.0, 2.0)
    A2 = A1
    B = g_tilde(3.0, 10.0, 2.0) / np.cosh(2.0 / 10.0)
    c = np.cos(theta)
    det = A1 * A2 - B**2 * c**2
    return B * (A1 * 0.5 - B * c * 0.5) / det, B * (A2 * 0.5 - B * c * 0.5) / det


def benchmark_angles(n: int = 10**6) -> None:
    """g1, g2 over n angles: end to end through analysis.efficiency, Solution.efficiency of a polar stack and
    spinstack.sweep, beside the kernel alone; all against the closed form."""
    theta = np.linspace(0.0, 180.0, n)
    start = time.perf_counter()
    efficiency(seed_stack(), theta[:7])  # compiles the kernels (or loads them from the cache)
    ss.solve(seed_stack(theta[:7])).efficiency()
    compile_time = time.perf_counter() - start
    reference = timed(lambda: closed_form(theta))
    prepared = finalize(seed_stack())
    table, plane = prepared._by_angles
    flat = np.ascontiguousarray(theta)
    kernel = timed(lambda: kernels.run(table, angles=flat, plane=plane, pair=(0, 2), degenerate_sine=1e-6))
    through_efficiency = timed(lambda: efficiency(seed_stack(), theta))  # a new stack each time: finalize included
    through_solve = timed(lambda: ss.solve(seed_stack(theta)).efficiency(), repeats=3)
    through_sweep = timed(lambda: ss.sweep(seed_stack(), {"theta": theta}, variables=["g1", "g2"], progress=False),
                          repeats=3)
    g1, g2 = closed_form(theta)
    values = efficiency(seed_stack(), theta)
    error = max(np.abs(values.g1 - g1).max(), np.abs(values.g2 - g2).max())
    print(f"1. seed stack, g1 and g2 at {n:.0e} angles (target: end to end >= 1.0 of the closed form); "
          f"max |g - closed form| = {error:.1e}; first call (compilation or cache load) {compile_time:.2f} s")
    print(line("closed form (numpy, eq. 14)", reference))
    print(line("kernel alone (angles turned inside it)", kernel, reference))
    print(line("analysis.efficiency(new stack, theta), end to end", through_efficiency, reference))
    print(line("solve(Stack(polar(theta))).efficiency(), stack building included", through_solve, reference))
    print(line("sweep(stack, {theta}, variables=[g1, g2]), end to end", through_sweep, reference))


def benchmark_everything(n: int = 10**6) -> None:
    """Torque, node accumulation and r for n magnetization configurations (issue 14: >= 0.3 of the closed form)."""
    theta = np.linspace(0.0, 180.0, n)
    m = np.stack([np.broadcast_to([0.0, 0.0, 1.0], (n, 3)), ss.polar(theta)], axis=-2)
    reference = timed(lambda: closed_form(theta))
    prepared = finalize(seed_stack())
    prepared.solve(m[:7])
    table = prepared._by_magnetizations
    kernel = timed(lambda: kernels.run(table, mvary=m, torque=True, accumulation=True, resistance=True), repeats=3)
    through_prepared = timed(lambda: prepared.solve(m), repeats=3)

    def from_stack() -> None:
        solution = ss.solve(seed_stack(theta))
        solution.torque, solution.accumulation, solution.resistance_area

    from_stack()
    through_solve = timed(from_stack, repeats=3)
    print(f"7. torque, accumulation and r at {n:.0e} magnetization configurations of the seed stack (target >= 0.3)")
    print(line("kernel alone", kernel, reference))
    print(line("finalize(stack).solve(m), end to end", through_prepared, reference))
    print(line("solve(Stack(polar(theta))): torque, accumulation, r, stack building included", through_solve, reference))


def benchmark_one_configuration() -> None:
    """One configuration (issue 14: <= 20 us from a prepared system, <= 200 us from a Stack)."""
    stack = seed_stack()
    prepared = finalize(stack)
    m = np.array([[0.0, 0.0, 1.0], ss.polar(60.0)])
    prepared.torques(m), prepared.efficiency(60.0), efficiency(seed_stack(), 60.0)
    ss.solve(seed_stack(), backend="compiled").torque

    def everything(solution: ss.Solution) -> None:
        solution.torque, solution.accumulation, solution.resistance_area

    print("8. one configuration of the seed stack (targets: <= 20 us prepared, <= 200 us from a Stack; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, serial kernel below {kernels.SERIAL_BELOW} configurations)")
    print(line("prepared.torques(m)", per_call(lambda: prepared.torques(m)), unit="us"))
    print(line("prepared.solve(m): torque, accumulation, r", per_call(lambda: prepared.solve(m)), unit="us"))
    print(line("prepared.efficiency(60)", per_call(lambda: prepared.efficiency(60.0)), unit="us"))
    print(line("build Stack + analysis.efficiency(stack, 60)", per_call(lambda: efficiency(seed_stack(), 60.0), 500),
               unit="us"))
    print(line("build Stack + finalize + torques(m)", per_call(lambda: finalize(seed_stack()).torques(m), 500), unit="us"))
    print(line("build Stack + solve(backend='compiled') + torque, accumulation, r",
               per_call(lambda: everything(ss.solve(seed_stack(), backend="compiled")), 500), unit="us"))
    print(line("build Stack + solve() (default backend: numpy for a short stack) + the same",
               per_call(lambda: everything(ss.solve(seed_stack())), 300), unit="us"))


def long_stack(n_layers: int) -> ss.Stack:
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 10.0)
    layers = [ss.Layer(F, 1.0, ss.polar(7.0 * i, 3.0 * i)) if i % 2 == 0 else ss.Layer(N, 1.0) for i in range(n_layers)]
    return ss.Stack(layers)


def benchmark_long() -> None:
    stacks = {n: long_stack(n) for n in (1000, 10000)}
    times = {n: best(lambda s=s: ss.solve(s).accumulation, repeats=3) for n, s in stacks.items()}
    print(f"2. one solve of a 1e4-layer stack: {times[10000] * 1e3:.1f} ms (target < 20 ms); "
          f"time(1e4)/time(1e3) = {times[10000] / times[1000]:.2f} (target <= 12)")


def benchmark_profiles(points: int = 10**6) -> None:
    solution = ss.solve(long_stack(20))
    x = np.linspace(0.0, 20.0, points)
    start = time.perf_counter()
    solution.spin_accumulation(x[:3])  # compiles the kernel (or loads it from cache)
    compile_time = time.perf_counter() - start
    elapsed = best(lambda: (solution.spin_accumulation(x), solution.spin_current(x)), repeats=3)
    reference = best(lambda: np.sinh(x) + np.cosh(x))
    print(f"3. mu_s(x) and j_s(x) at {points:.0e} points of a 20-layer stack: {elapsed * 1e3:.0f} ms (target < 100 ms); "
          f"ratio to one numpy sinh + cosh over the same points = {elapsed / reference:.1f}; "
          f"first call (compilation or cache load) {compile_time:.2f} s")


def benchmark_sign_map(n: int = 1000) -> None:
    stack = seed_stack()
    theta, p2 = np.linspace(0.0, 180.0, n), np.linspace(0.01, 0.99, n)
    elapsed = best(lambda: sign_map(stack, ("theta", theta), ("materials.F2.p", p2)), repeats=2)
    reference = best(lambda: closed_form(np.broadcast_to(theta, (n, n))), repeats=2)
    print(f"4. {n} x {n} sign map of the seed stack: {elapsed:.2f} s (target < 2 s); "
          f"ratio to the closed form on the same grid = {elapsed / reference:.1f}")


def benchmark_spin_orbit(n: int = 10**6) -> None:
    """Pt/F with open faces driven in plane (tau_DL, tau_FL over n magnetization directions) against the
    CPP torque of the same node structure (N lead | N | F | N lead with a current: a free node and two
    nodes on the F axis, as Pt/F between open faces), both through the default dispatch (the compiled chain)."""
    m = ss.polar(np.linspace(0.0, 180.0, n), 30.0)
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    sot = ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, 1.4, 0.19), 3.0), ss.Layer(F, 1.5, m)], left=ss.Open(),
                   right=ss.Open(), current=0.0, field=[0.0, 1.0, 0.0])
    N = ss.Normal("N", 2.0, 1.4)
    cpp = ss.Stack([ss.Layer(N, 3.0), ss.Layer(F, 1.5, m)], left=ss.Lead(N), right=ss.Lead(N), current=1.0)
    spin_orbit = best(lambda: ss.solve(sot).spin_orbit_torque, repeats=3)
    reference = best(lambda: ss.solve(cpp).torque, repeats=3)
    closed = best(lambda: closed_form(np.linspace(0.0, 180.0, n)))
    print(f"5. Pt/F spin-orbit torques (tau_DL, tau_FL) at {n:.0e} magnetizations: {spin_orbit * 1e3:.0f} ms "
          f"({n / spin_orbit:.3g} configs/s); CPP torques of N lead/N/F/N lead, same batch: {reference * 1e3:.0f} ms; "
          f"ratio {spin_orbit / reference:.2f} (target <= 2); closed form / spin-orbit torques = "
          f"{closed / spin_orbit:.3f} (issue 14 target >= 0.2; the field drive by the compiled chain, tau_DL/tau_FL decomposed in numpy)")


def benchmark_long_interfaces(n_layers: int = 20000) -> None:
    """A long stack with a resistive interface at every node (compiled elimination, solver/linked.py)."""
    plain = long_stack(n_layers)
    interfaces = [ss.Interface(0, 2.0, 1.0)] + [ss.Interface(k, 2.0, 1.0, [1.0, 0.3]) for k in range(1, n_layers)]
    interfaces.append(ss.Interface(n_layers, 2.0, 1.0) if n_layers % 2 else ss.Interface(n_layers, 2.0, 2.0))
    resistive = ss.Stack(plain.layers, interfaces=interfaces)
    ss.solve(long_stack(20)).accumulation  # compiled kernels loaded outside the timings
    ss.solve(ss.Stack(long_stack(20).layers, interfaces=interfaces[:20] + [ss.Interface(20, 2.0, 2.0)])).accumulation
    with_interfaces = best(lambda: ss.solve(resistive).torque, repeats=3)
    without = best(lambda: ss.solve(plain).torque, repeats=3)
    print(f"6. one solve of a {n_layers:.0e}-layer stack with an interface at every node: {with_interfaces * 1e3:.0f} ms; "
          f"ratio to the same stack without interfaces (banded) = {with_interfaces / without:.1f}")


if __name__ == "__main__":
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
          f"(load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}), Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    benchmark_angles()
    benchmark_everything()
    benchmark_one_configuration()
    benchmark_long()
    benchmark_profiles()
    benchmark_sign_map()
    benchmark_spin_orbit()
    benchmark_long_interfaces()
