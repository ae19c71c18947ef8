"""Conformance of every solver backend: every stack feature x every backend that takes it, against the
numpy backend (the general exact elimination), and against closed forms.

The cases are parametrised by :func:`spinstack.solver.backend_names`, so a backend registered later (its
module imported before collection) gets every case.  A backend that does not take a case must say so:
forced on it, it raises ValueError naming itself and the reason, and :func:`applicable_backends` leaves
it out.  Where it takes the case, every output is compared with the numpy backend's, normwise relative
(the error over the largest value of that output), at 1e-12 unless a comment says why a case needs more.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import spinstack as ss
from spinstack.prepared import stack_arrays
from spinstack.solver import StackArrays, applicable_backends, backend_names, compiled, resistance_area, solve_nodes
from spinstack.solver.backends import LONG_STACK
from tests.solver.test_closed_forms import seed_closed_form, seed_stack
from tests.strategies import full_stacks

INF = math.inf
F = ss.Ferromagnet("F", 1.0, 0.5, 2.0)
G = ss.Ferromagnet("G", 2.0, -0.3, 4.0)
N = ss.Normal("N", 3.0, 5.0)
M = ss.Normal("M", 0.7, 0.4)
UP, TILTED, SIDE = [0.0, 0.0, 1.0], ss.polar(60.0, 30.0), ss.polar(100.0, -70.0)

#: every output compared (lead currents and interface currents are compared where present)
OUTPUTS = ("accumulation", "accumulation_right", "spin_current_left", "spin_current_right", "deposit", "torque")


def multilayer(thickness: Callable[[str, int], float] = lambda kind, k: 1.0, *, F_=F, N_=N, n_layers: int = 11,
               **keywords) -> ss.Stack:
    """F / N / F / ... in three directions (more layers than LONG_STACK: the automatic choice is layerwise)."""
    directions = (UP, TILTED, SIDE)
    layers = [ss.Layer(F_, thickness("F", k), directions[(k // 2) % 3]) if k % 2 == 0 else
              ss.Layer(N_, thickness("N", k)) for k in range(n_layers)]
    return ss.Stack(layers, **keywords)


def interfaces(n_layers: int, g: float, *, mixing=(1.0, 0.3), delta: float = 0.0) -> list[ss.Interface]:
    """An interface at every inner node of :func:`multilayer` (every one an N/F contact: g_mix there)."""
    g_dn = g if math.isinf(g) else 0.5 * g
    return [ss.Interface(k, g, g_dn, list(mixing), delta) for k in range(1, n_layers)]


def complex_arrays() -> StackArrays:
    """The arrays of the seed stack with m2 turned by an imaginary angle (the complex step of the efficiency
    limits at collinear m1, m2)."""
    arrays = stack_arrays(seed_stack(1.0, 0.5, 2.0, 1.0, 3.0, 5.0, 2.0, 1.3, 0.3, 1.5, 1.0, 0.0))
    layer = arrays.layers[2]
    return arrays.with_layer(2, layer._replace(m=layer.m + 1e-20j * np.array([1.0, 0.0, 0.0])))


#: feature -> the stack (or its arrays) that has it
CASES: dict[str, Callable[[], ss.Stack | StackArrays]] = {
    "seed F/N/F between reservoirs": lambda: seed_stack(1.0, 0.5, 2.0, 1.0, 3.0, 5.0, 2.0, 1.3, 0.3, 1.5, 1.0, 1.0),
    "F/N multilayer, N leads": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M)),
    "F leads": lambda: ss.Stack([ss.Layer(N, 1.0)] + list(multilayer().layers) + [ss.Layer(M, 0.5)],
                                left=ss.Lead(G, SIDE), right=ss.Lead(F, UP)),
    "F/F contacts": lambda: ss.Stack([ss.Layer(F, 1.0, UP), ss.Layer(G, 0.5, [0.0, 0.0, -1.0]), ss.Layer(N, 2.0),
                                      ss.Layer(G, 1.5, TILTED), ss.Layer(F, 0.3, TILTED), ss.Layer(M, 1.0),
                                      ss.Layer(F, 1.0, SIDE), ss.Layer(N, 1.0), ss.Layer(G, 2.0, UP)],
                                     left=ss.Lead(N), right=ss.Lead(F, UP)),
    "thin layers d/l = 1e-8": lambda: multilayer(lambda kind, k: 1e-8 * (2.0 if kind == "F" else 5.0) if k % 4 < 2
                                                 else 1.0, left=ss.Lead(N), right=ss.Lead(M)),
    "thick layers d/l = 50": lambda: multilayer(lambda kind, k: 250.0 if kind == "N" and k == 3 else 1.0,
                                                left=ss.Lead(N), right=ss.Lead(M)),
    "l = inf layers and leads": lambda: multilayer(F_=ss.Ferromagnet("Finf", 1.0, 0.5, INF),
                                                   N_=ss.Normal("Ninf", 3.0, INF), left=ss.Lead(N),
                                                   right=ss.Lead(ss.Normal("Linf", 2.0, INF))),
    "interfaces, finite g": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M),
                                               interfaces=interfaces(11, 2.0) + [ss.Interface(0, 5.0, 5.0, [2.0, 0.0])]),
    "interfaces, g = inf": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M), interfaces=interfaces(11, INF)),
    "interfaces at reservoirs": lambda: multilayer(interfaces=[ss.Interface(0, 3.0, 1.0, [0.5, 0.1]),
                                                               ss.Interface(11, 2.0, 1.0, [1.0, 0.0])]),
    "spin memory loss": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M), interfaces=interfaces(11, 2.0, delta=0.4)),
    "g_mix = inf": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M), interfaces=interfaces(11, 4.0, mixing=(INF, 0))),
    "g_mix = 0": lambda: multilayer(left=ss.Lead(N), right=ss.Lead(M), interfaces=interfaces(11, 4.0, mixing=(0, 0))),
    "coherent F (l_J, l_phi)": lambda: multilayer(F_=ss.Ferromagnet("Fc", 1.0, 0.5, 2.0, l_J=0.8, l_phi=1.5),
                                                  left=ss.Lead(N), right=ss.Lead(M)),
    "open ends": lambda: multilayer(left=ss.Open(), right=ss.Open(), current=0.0, field=[0.0, 0.3, 0.1],
                                    N_=ss.Normal("Nsh", 3.0, 5.0, theta_SH=0.1)),
    "insulator end": lambda: ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, 1.5, theta_SH=0.1), 3.0)],
                                      right=ss.Insulator(UP, g_mix=[2.0, 0.3], g_s=0.1), current=0.0,
                                      field=[0.0, 0.5, 0.0]),
    "in-plane field, theta_SH": lambda: multilayer(N_=ss.Normal("Nsh", 3.0, 5.0, theta_SH=0.1), left=ss.Lead(N),
                                                   right=ss.Lead(M), field=[0.0, 0.2, -0.4]),
    "complex magnetization": complex_arrays,
    "batch": lambda: multilayer(lambda kind, k: np.array([0.5, 1.0, 2.0]) if k == 3 else 1.0, left=ss.Lead(N),
                                right=ss.Lead(M)),
}

def as_arrays(case: str) -> StackArrays:
    made = CASES[case]()
    return made if isinstance(made, StackArrays) else stack_arrays(made)


def drives(arrays: StackArrays) -> list[str]:
    return ["current", "field"] if arrays.eps is not None else ["current"]


#: spin currents, deposits and torques are sums of spin currents: each carries their rounding, up to this many eps of
#: the largest one, whatever its own size (a deposit 1e-6 of the flows through its node, a torque across g_mix = 0
#: that is 0 in exact arithmetic); likewise r's spin part, a sum of accumulation differences, that of the accumulations
ROUNDING = 64 * np.finfo(float).eps


def assert_conforms(unit, reference, arrays: StackArrays, tolerance: float, drive: str, label: str,
                    terms: bool = False) -> None:
    """Every output of ``unit`` equal to ``reference``'s, normwise relative to the largest value of each (plus the
    rounding of the flows for the outputs summed from them, :data:`ROUNDING`; with ``terms``, of the terms
    Gc mu the flows are summed from, as large as D / (2 min(d, l)) |mu|: see :func:`stiffness`)."""
    flows = [reference.spin_current_left, reference.spin_current_right, reference.deposit]
    flows += [v for v in (reference.lead_current_left, reference.lead_current_right) if v is not None]
    flow = max(float(np.abs(v).max(initial=0.0)) for v in flows)
    level = float(np.abs(reference.accumulation).max(initial=0.0))
    if terms:
        flow += stiffness(arrays) * level

    def close(value, expected, name):
        expected = np.asarray(expected)
        scale = float(np.abs(expected).max(initial=0.0))
        error = float(np.abs(np.asarray(value) - expected).max(initial=0.0))
        assert np.shape(value) == expected.shape, (label, name)
        rounding = 0.0 if name.startswith("accumulation") else level if name in ("resistance_area", "spin part") else flow
        allowed = tolerance * scale + ROUNDING * rounding
        assert error <= allowed, f"{label}: {name} off by {error:.3g} of {scale:.3g} (flows {flow:.3g})"

    for name in OUTPUTS:
        close(getattr(unit, name), getattr(reference, name), name)
    for name in ("lead_current_left", "lead_current_right"):
        expected = getattr(reference, name)
        assert (getattr(unit, name) is None) == (expected is None), (label, name)
        if expected is not None:
            close(getattr(unit, name), expected, name)
    assert sorted(unit.interface_currents) == sorted(reference.interface_currents)
    for node, (left, right) in reference.interface_currents.items():
        close(unit.interface_currents[node][0], left, f"interface {node} left")
        close(unit.interface_currents[node][1], right, f"interface {node} right")
    if drive == "current":
        for value, expected, name in zip(resistance_area(arrays, unit), resistance_area(arrays, reference),
                                         ("resistance_area", "spin part")):
            close(value, expected, name)


def stiffness(arrays: StackArrays) -> float:
    """The largest two-port coefficient of the stack, D / (2 min(d, l)) of a layer or D / (2 l) of a lead."""
    values = [np.max(np.asarray(e.D) / (2.0 * np.minimum(e.thickness, e.l))) for e in arrays.layers]
    values += [np.max(np.asarray(e.D) / (2.0 * e.l)) for e in (arrays.left, arrays.right) if e is not None]
    return float(max(values, default=0.0))


@pytest.mark.parametrize("backend", backend_names())
@pytest.mark.parametrize("case", list(CASES))
def test_every_backend_that_takes_a_case_gives_the_numpy_backends_outputs(case, backend):
    arrays = as_arrays(case)
    for drive in drives(arrays):
        if backend not in applicable_backends(arrays, drive):
            with pytest.raises(ValueError, match=f"solver backend '{backend}' does not apply to this stack: "):
                solve_nodes(arrays, drive, backend=backend)
            continue
        reference = solve_nodes(arrays, drive, backend="numpy")
        unit = solve_nodes(arrays, drive, backend=backend)
        assert_conforms(unit, reference, arrays, 1e-12, drive, f"{case} ({drive})")


#: the cases the layerwise backends take (one real configuration driven by the current, no open or insulator end,
#: no field, no coherent F); the banded ones only those without resistive interfaces
TRANSPARENT = {"seed F/N/F between reservoirs", "F/N multilayer, N leads", "F leads", "F/F contacts",
               "thin layers d/l = 1e-8", "thick layers d/l = 50", "l = inf layers and leads"}
#: a layer stiffer than a neighbour by more than kernels.STIFFNESS_CONTRAST: left to the numpy and linked steps
STIFF = {"thin layers d/l = 1e-8"}
RESISTIVE = {"interfaces, finite g", "interfaces, g = inf", "interfaces at reservoirs", "spin memory loss",
             "g_mix = inf", "g_mix = 0"}


@pytest.mark.parametrize("case", list(CASES))
def test_which_backends_take_which_case(case):
    """(So that a refusal added by mistake shows here, not as cases quietly compared on fewer backends.)"""
    expected = {"banded", "banded-numba", "linked"} if case in TRANSPARENT else {"linked"} if case in RESISTIVE else set()
    if case in STIFF:  # a thin layer beside thick ones: the banded blocks would lose ~eps x the contrast
        expected -= {"banded", "banded-numba"}
    if not compiled.AVAILABLE:
        expected -= {"banded-numba", "linked"}
    taken = set(applicable_backends(as_arrays(case))) & {"banded", "banded-numba", "linked"}
    assert taken == expected
    assert "numpy" in applicable_backends(as_arrays(case))


# ------------------------------------------------------------------ against closed forms
SEED = dict(D1=1.0, p1=0.5, l1=2.0, d1=1.0, DN=3.0, lN=5.0, dN=2.0, D2=1.3, p2=0.3, l2=1.5, d2=1.0)


@pytest.mark.parametrize("backend", backend_names())
@pytest.mark.parametrize("theta", [0.3, 1.0, 2.5])
def test_seed_eq14_and_appendix_ii(theta, backend):
    """Seed eq. (14): the node accumulations mu1 (on m1) and mu2 (on m2) of N/F1/N/F2/N between reservoirs,
    and Appendix II's g1, g2 from the torques (seed eq. 1: T1 = -g1 m1 x (m2 x m1), T2 = g2 m2 x (m1 x m2))."""
    stack = seed_stack(**SEED, theta=theta)
    arrays = stack_arrays(stack)
    if backend not in applicable_backends(arrays):
        pytest.skip(f"{backend} does not take the seed stack")  # (none of the built-in backends)
    unit = solve_nodes(arrays, backend=backend)
    mu1, mu2, g1, g2, *_ = seed_closed_form(**SEED, theta=theta)
    m1, m2 = np.array(UP), np.asarray(stack.layers[2].magnetization)
    assert unit.accumulation[1] @ m1 == pytest.approx(mu1, rel=1e-13)
    assert unit.accumulation[2] @ m2 == pytest.approx(mu2, rel=1e-13)
    np.testing.assert_allclose(unit.torque[0], -g1 * np.cross(m1, np.cross(m2, m1)), rtol=1e-13, atol=0)
    np.testing.assert_allclose(unit.torque[2], g2 * np.cross(m2, np.cross(m1, m2)), rtol=1e-13, atol=0)
    assert not unit.torque[1].any()


@pytest.mark.parametrize("backend", backend_names())
@pytest.mark.parametrize("d_over_l", [1e-8, 1e-3, 1.0, 50.0])
def test_a_single_layer_has_the_sinh_profile(d_over_l, backend):
    """F lead | N layer | reservoir: the layer's two-port (MODEL.md 2) gives the node value mu0 = p m / (G_F + G_N
    coth X) along the lead's m and the face currents p m - G_F mu0 (entering), G_N csch X mu0 (leaving), X = d/l:
    the sinh profile between mu0 and the reservoir's 0.  Evaluated here with numpy's cosh/sinh, independently
    of the solver's forms (:mod:`spinstack.solver.hyperbolic`), from a layer 1e-8 l thin to one 50 l thick."""
    D_F, p, l_F, D_N, l_N = 1.0, 0.5, 2.0, 3.0, 5.0
    d = d_over_l * l_N
    m = np.array(TILTED)
    stack = ss.Stack([ss.Layer(N, d)], left=ss.Lead(ss.Ferromagnet("F", D_F, p, l_F), m))
    arrays = stack_arrays(stack)
    if backend not in applicable_backends(arrays):
        pytest.skip(f"{backend} does not take this stack")
    unit = solve_nodes(arrays, backend=backend)
    G_F, G_N, X = D_F / (2 * l_F), D_N / (2 * l_N), d_over_l
    mu0 = p / (G_F + G_N * np.cosh(X) / np.sinh(X))
    np.testing.assert_allclose(unit.accumulation[0], mu0 * m, rtol=1e-13, atol=0)
    assert not unit.accumulation[1].any()
    np.testing.assert_allclose(unit.spin_current_left[0], (p - G_F * mu0) * m, rtol=1e-13, atol=0)
    # the current leaving into the reservoir, G_N csch X mu0, underflows relative to mu0 beyond X ~ 700
    np.testing.assert_allclose(unit.spin_current_right[0], G_N / np.sinh(X) * mu0 * m, rtol=1e-13, atol=0)


# ------------------------------------------------------------------ drawn stacks
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_stacks())
def test_drawn_stacks_conform_on_every_backend_that_takes_them(stack):
    """Stacks with any mix of features (tests/strategies.py): every backend that takes one, forced, gives the
    numpy backend's outputs.  (A drawn layer may be 30 times thinner than its l: the currents then carry the
    rounding of terms Gc mu larger than themselves, which the fixed cases above keep within their flows.)"""
    arrays = stack_arrays(stack)
    for drive in drives(arrays):
        try:
            reference = solve_nodes(arrays, drive, backend="numpy")
        except ss.SpinstackError:  # refused with its reason (spin injected where nothing relaxes it)
            continue
        for backend in applicable_backends(arrays, drive):
            unit = solve_nodes(arrays, drive, backend=backend)
            assert_conforms(unit, reference, arrays, 1e-12, drive, backend, terms=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(full_stacks(batched=False))
def test_drawn_single_stacks_conform_on_the_layerwise_backends(stack):
    """The same for the drawn single stacks that a layerwise backend takes (a fifth of all drawn stacks)."""
    arrays = stack_arrays(stack)
    assume(len(applicable_backends(arrays)) > 1)
    try:
        reference = solve_nodes(arrays, backend="numpy")
    except ss.SpinstackError:
        return
    for backend in applicable_backends(arrays):
        assert_conforms(solve_nodes(arrays, backend=backend), reference, arrays, 1e-12, "current", backend, terms=True)


def test_long_single_stacks_are_chosen_layerwise():
    stack = multilayer(left=ss.Lead(N), right=ss.Lead(M))
    assert len(stack.layers) > LONG_STACK
    arrays = stack_arrays(stack)
    assert type(solve_nodes(arrays)).__name__ == "LayerwiseSolution"
    short = stack_arrays(multilayer(n_layers=LONG_STACK))
    assert type(solve_nodes(short)).__name__ == "UnitSolution"
