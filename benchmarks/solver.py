"""Solver benchmarks (issue 5): each prints its figure and a ratio against a reference timed in the same run.

Run on demand (not part of the test suite):  python benchmarks/solver.py
Timings are the best of several repeats (these machines are shared and noisy).
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

import spinstack as ss
from spinstack.analysis import sign_map


def best(function, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


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
    theta = np.linspace(0.0, 180.0, n)
    start = time.perf_counter()
    ss.solve(seed_stack(np.linspace(0.0, 180.0, 7))).efficiency()  # compiles the kernel (or loads it from cache)
    compile_time = time.perf_counter() - start
    build = best(lambda: seed_stack(theta), repeats=3)
    stack = seed_stack(theta)
    reference = best(lambda: closed_form(theta))
    general = best(lambda: ss.solve(stack).efficiency(), repeats=5)
    g1, g2 = closed_form(theta)
    values = ss.solve(stack).efficiency()
    error = max(np.abs(values.g1 - g1).max(), np.abs(values.g2 - g2).max())
    print(f"1. seed stack, {n:.0e} angles: general solver {general * 1e3:.0f} ms ({n / general:.3g} configs/s), "
          f"closed form {reference * 1e3:.0f} ms; throughput ratio solver/closed form = {reference / general:.2f} "
          f"(target >= 0.5); max |g - closed form| = {error:.1e}; building the stack (not timed above) "
          f"{build * 1e3:.0f} ms; first call (compilation or cache load) {compile_time:.2f} s")


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
    nodes on the F axis, as Pt/F between open faces), both by the batched elimination."""
    m = ss.polar(np.linspace(0.0, 180.0, n), 30.0)
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    sot = ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, 1.4, 0.19), 3.0), ss.Layer(F, 1.5, m)], left=ss.Open(),
                   right=ss.Open(), current=0.0, field=[0.0, 1.0, 0.0])
    N = ss.Normal("N", 2.0, 1.4)
    cpp = ss.Stack([ss.Layer(N, 3.0), ss.Layer(F, 1.5, m)], left=ss.Lead(N), right=ss.Lead(N), current=1.0)
    spin_orbit = best(lambda: ss.solve(sot).spin_orbit_torque, repeats=3)
    reference = best(lambda: ss.solve(cpp).torque, repeats=3)
    print(f"5. Pt/F spin-orbit torques (tau_DL, tau_FL) at {n:.0e} magnetizations: {spin_orbit * 1e3:.0f} ms "
          f"({n / spin_orbit:.3g} configs/s); CPP torques of N lead/N/F/N lead, same batch: {reference * 1e3:.0f} ms; "
          f"ratio {spin_orbit / reference:.2f} (target <= 2)")


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
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    benchmark_angles()
    benchmark_long()
    benchmark_profiles()
    benchmark_sign_map()
    benchmark_spin_orbit()
    benchmark_long_interfaces()
