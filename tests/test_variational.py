"""The variational principle of MODEL.md 5 (seed eq. 11 with the corrected factor).

    S[mu] = sum over layers of integral [ (1/D) |p j0 m - (D/2) mu'|^2 + D |mu|^2 / (4 l^2) ] dx
            + left lead  (-p j0 m.mu_0 + (G/2) |mu_0|^2) + right lead (+p j0 m.mu_L + (G/2) |mu_L|^2)

over continuous mu(x) with mu || m inside every F (leads included) and mu = 0 at reservoir faces.
S is implemented here on its own, by composite Gauss-Legendre quadrature of the integrand of an
arbitrary trial function given as a callable (values and derivatives), never with the solver's
kernels.  The checks:

* ``solution.functional`` equals the quadrature of the solution's own profile (derivative
  taken from ``spin_current`` and, independently, by Chebyshev differentiation of
  ``spin_accumulation``);
* the first variation vanishes in every admissible direction v (smooth bumps in N layers,
  displacements of the nodes along their allowed directions with piecewise-polynomial
  profiles of any shape), directly and as S(sol + eps v) - S(sol) = O(eps^2), whose eps^2
  coefficient equals the quadratic form Q(v) > 0 computed on its own: the solution is the
  minimum;
* with the seed's printed factor D |mu|^2 / (2 l^2) the solution would not be stationary.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

import spinstack as ss

EPS = np.finfo(float).eps


# ----------------------------------------------------------------- stack descriptions
@dataclass
class Part:
    kind: str  # "N" or "F"
    D: float
    l: float
    p: float = 0.0
    m: np.ndarray | None = None
    d: float | None = None  # None for a lead

    @property
    def G(self) -> float:
        return 0.0 if math.isinf(self.l) else self.D / (2 * self.l)


@dataclass
class Description:
    layers: list[Part]
    left: Part | None  # None: reservoir
    right: Part | None
    j0: float
    label: str

    def stack(self) -> ss.Stack:
        def material(part: Part, name: str):
            return ss.Ferromagnet(name, part.D, part.p, part.l) if part.kind == "F" else ss.Normal(name, part.D, part.l)

        layers = [ss.Layer(material(p, f"{p.kind}{i}"), p.d, p.m) for i, p in enumerate(self.layers)]
        ends = [ss.Reservoir() if p is None else ss.Lead(material(p, f"{p.kind}_{side}"), p.m)
                for side, p in (("left", self.left), ("right", self.right))]
        return ss.Stack(layers, left=ends[0], right=ends[1], current=self.j0)

    def nodes(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum([p.d for p in self.layers])])

    def node_axis(self, k: int) -> np.ndarray | None:
        neighbours = [self.left if k == 0 else self.layers[k - 1], self.right if k == len(self.layers) else self.layers[k]]
        return next((p.m for p in neighbours if p is not None and p.kind == "F"), None)

    def is_reservoir(self, k: int) -> bool:
        return (k == 0 and self.left is None) or (k == len(self.layers) and self.right is None)


def unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def random_part(rng, kind, thickness=True):
    part = Part(kind, float(rng.uniform(0.3, 4.0)), math.inf if rng.random() < 0.2 else float(rng.uniform(0.3, 15.0)))
    if kind == "F":
        part.p, part.m = float(rng.uniform(-0.9, 0.9)), unit(rng)
    if thickness:
        part.d = float(rng.uniform(0.05, 4.0))
    return part


def random_description(rng: np.random.Generator, label: str) -> Description:
    layers: list[Part] = []
    for _ in range(int(rng.integers(1, 8))):
        part = random_part(rng, str(rng.choice(["N", "F"])))
        if part.kind == "F" and layers and layers[-1].kind == "F":
            part.m = layers[-1].m * rng.choice([1.0, -1.0])
        layers.append(part)
    ends = []
    for side in ("left", "right"):
        choice = str(rng.choice(["reservoir", "N", "F"]))
        if choice == "reservoir":
            ends.append(None)
            continue
        lead = random_part(rng, choice, thickness=False)
        neighbour = layers[0] if side == "left" else layers[-1]
        if lead.kind == "F" and neighbour.kind == "F":
            lead.m = neighbour.m * rng.choice([1.0, -1.0])
        ends.append(lead)
    if ends[0] is not None and ends[1] is not None and all(math.isinf(p.l) for p in layers + ends):
        layers[0].l = 2.0
    return Description(layers, ends[0], ends[1], float(rng.choice([-1, 1]) * rng.uniform(0.2, 3.0)), label)


def handmade() -> list[Description]:
    m1, m2, m3 = np.array([1.0, 2.0, 2.0]) / 3.0, np.array([0.0, 0.6, -0.8]), np.array([-0.48, 0.36, 0.8])
    F = lambda d, m, p=0.5, l=3.0, D=1.2: Part("F", D, l, p, m, d)  # noqa: E731
    N = lambda d, l=6.0, D=2.5: Part("N", D, l, 0.0, None, d)  # noqa: E731
    return [
        Description([N(0.7), F(1.1, m1), F(0.6, -m1, p=-0.3, l=math.inf), N(0.9), N(1.3, l=math.inf), F(0.8, m2),
                     N(2.0), F(1.5, m3, p=0.8, l=1.0), N(0.4)],
                    Part("F", 1.7, 2.5, 0.4, -m1), Part("N", 3.0, 8.0), 1.3, "F-lead|...|N-lead"),
        Description([F(1.0, m1), N(0.5), N(0.5), F(2.0, m2), F(0.3, m2, p=-0.7)],
                    None, Part("F", 0.9, 2.0, 0.6, -m2), -0.7, "reservoir|...|F-lead"),
        Description([F(2.0, m1, l=5.0), N(1.0, l=2.0), F(3.0, m2, l=4.0)], None, None, 1.0, "seed F1/N/F2"),
        Description([N(2.0, l=math.inf), F(1.0, m3, l=math.inf), N(3.0, l=math.inf)], None, None, 0.8, "all l=inf"),
    ]


DESCRIPTIONS = handmade() + [random_description(np.random.default_rng(2000 + i), f"random{i}") for i in range(24)]
IDS = [d.label for d in DESCRIPTIONS]


@pytest.fixture(scope="module")
def solved():
    return {d.label: (d, ss.solve(d.stack())) for d in DESCRIPTIONS}


# --------------------------------------------------------------- the functional S
def gauss_panels(a: float, b: float, l: float, order: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre on [a, b]: panels no longer than l / 2 and at most a tenth of the layer
    (the narrowest bump of a trial direction, width 0.05 d, then spans >= 2 widths per panel)."""
    panels = 10 if math.isinf(l) else max(10, math.ceil(2.0 * (b - a) / l))
    t, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    half, mid = 0.5 * np.diff(edges), 0.5 * (edges[1:] + edges[:-1])
    return (mid[:, None] + half[:, None] * t).ravel(), (half[:, None] * w).ravel()


@dataclass
class Trial:
    """An admissible trial function: ``value(i, x)`` and ``slope(i, x)`` inside layer i, node values."""

    value: callable
    slope: callable
    node_values: np.ndarray  # (L + 1, 3)


def functional_parts(desc: Description, trial: Trial, spin_flip_factor: float = 0.25) -> tuple[float, float]:
    """(S, sum of |terms|) by quadrature; ``spin_flip_factor`` = 1/4 is MODEL.md 5, the seed printed 1/2."""
    nodes = desc.nodes()
    total, size = 0.0, 0.0
    for i, part in enumerate(desc.layers):
        x, w = gauss_panels(nodes[i], nodes[i + 1], part.l)
        mu, slope = trial.value(i, x), trial.slope(i, x)
        source = part.p * desc.j0 * (part.m if part.m is not None else np.zeros(3))
        drift = np.sum((source - 0.5 * part.D * slope) ** 2, axis=-1) / part.D
        relax = 0.0 if math.isinf(part.l) else spin_flip_factor * part.D * np.sum(mu**2, axis=-1) / part.l**2
        total += float(w @ (drift + relax))
        # scale of the round-off: the integrand before the cancellation inside |p j0 m - (D/2) mu'|
        bound = (np.linalg.norm(source) + 0.5 * part.D * np.linalg.norm(slope, axis=-1)) ** 2 / part.D
        size += float(w @ (bound + relax))
    for part, node, sign in ((desc.left, 0, -1.0), (desc.right, -1, 1.0)):
        if part is None:
            continue
        mu = trial.node_values[node]
        linear = sign * part.p * desc.j0 * float(np.dot(part.m, mu)) if part.kind == "F" else 0.0
        quadratic = 0.5 * part.G * float(mu @ mu)
        total += linear + quadratic
        size += abs(linear) + quadratic
    return total, size


def functional(desc, trial, spin_flip_factor=0.25) -> float:
    return functional_parts(desc, trial, spin_flip_factor)[0]


def source_of(part: Part, j0: float) -> np.ndarray:
    return part.p * j0 * (part.m if part.m is not None else np.zeros(3))


def solution_trial(desc: Description, sol: ss.Solution) -> Trial:
    """The solution's own profile; mu' from j_s = p j0 m - (D/2) mu' (checked in test_conservation)."""
    nodes = desc.nodes()

    def inside(i, x):
        return np.clip(x, nodes[i], np.nextafter(nodes[i + 1], -np.inf))

    cache: dict = {}  # the quadrature points repeat: evaluate the profile once per layer

    def profile(i, x):
        key = (i, np.asarray(x).tobytes())
        if key not in cache:
            part = desc.layers[i]
            cache[key] = (sol.spin_accumulation(inside(i, x)),
                          2.0 / part.D * (source_of(part, desc.j0) - sol.spin_current(inside(i, x))))
        return cache[key]

    return Trial(lambda i, x: profile(i, x)[0], lambda i, x: profile(i, x)[1], sol.accumulation)


def chebyshev_trial(desc: Description, sol: ss.Solution) -> Trial:
    """The solution's profile with mu' by Chebyshev differentiation of spin_accumulation (no j_s used)."""
    nodes = desc.nodes()
    pieces: dict[int, list] = {}
    for i, part in enumerate(desc.layers):
        panels = 1 if math.isinf(part.l) else max(1, math.ceil(2.0 * part.d / part.l))
        edges = np.linspace(nodes[i], nodes[i + 1], panels + 1)
        fits = []
        for a, b in zip(edges[:-1], edges[1:]):
            top = np.nextafter(nodes[i + 1], -np.inf)
            series = [np.polynomial.Chebyshev.interpolate(
                lambda x, c=c: sol.spin_accumulation(np.clip(x, nodes[i], top))[:, c], 32, domain=[a, b]) for c in range(3)]
            fits.append((a, b, series))
        pieces[i] = fits

    def evaluate(i, x, derivative):
        out = np.zeros(np.shape(x) + (3,))
        for a, b, series in pieces[i]:
            here = (x >= a) & (x <= b)
            for c in range(3):
                f = series[c].deriv() if derivative else series[c]
                out[here, c] = f(x[here])
        return out

    return Trial(lambda i, x: evaluate(i, x, False), lambda i, x: evaluate(i, x, True), sol.accumulation)


# ------------------------------------------------------------ admissible directions
def random_direction(desc: Description, rng: np.random.Generator, *, move_nodes: bool = True,
                     bubble_degree: int = 4, bump: bool = True) -> Trial:
    """A random admissible v: node displacements along the allowed directions (0 at reservoirs),
    and inside each layer delta_a (1 - t) + delta_b t + t (1 - t) Q(t) + t (1 - t) exp(-((t - t0)/w)^2) c
    with Q a random vector polynomial, everything along m inside an F."""
    n = len(desc.layers) + 1
    deltas = np.zeros((n, 3))
    if move_nodes:
        for k in range(n):
            if desc.is_reservoir(k):
                continue
            axis = desc.node_axis(k)
            deltas[k] = rng.normal() * axis if axis is not None else rng.normal(size=3)
    coefficients, bumps = [], []
    for part in desc.layers:
        q = rng.normal(size=(bubble_degree + 1, 3)) if bubble_degree >= 0 else np.zeros((1, 3))
        c = rng.normal(size=3) if bump else np.zeros(3)
        if part.kind == "F":  # inside an F the perturbation stays on the m axis
            q = q @ np.outer(part.m, part.m)
            c = np.dot(c, part.m) * part.m
        coefficients.append(q)
        bumps.append((c, rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.3)))
    nodes = desc.nodes()

    def parts(i, x):
        d = desc.layers[i].d
        t = (np.asarray(x) - nodes[i]) / d
        q = coefficients[i]
        powers = t[:, None] ** np.arange(q.shape[0])
        dpowers = np.concatenate([np.zeros((t.size, 1)), np.arange(1, q.shape[0]) * t[:, None] ** np.arange(q.shape[0] - 1)], axis=1)
        Q, dQ = powers @ q, dpowers @ q
        c, t0, width = bumps[i]
        gauss = np.exp(-(((t - t0) / width) ** 2))
        dgauss = -2 * (t - t0) / width**2 * gauss
        bubble, dbubble = t * (1 - t), 1 - 2 * t
        value = (deltas[i] * (1 - t)[:, None] + deltas[i + 1] * t[:, None] + (bubble[:, None] * Q)
                 + (bubble * gauss)[:, None] * c)
        slope = (deltas[i + 1] - deltas[i] + dbubble[:, None] * Q + bubble[:, None] * dQ
                 + (dbubble * gauss + bubble * dgauss)[:, None] * c) / d
        return value, slope

    return Trial(lambda i, x: parts(i, x)[0], lambda i, x: parts(i, x)[1], deltas)


def combine(base: Trial, direction: Trial, eps: float) -> Trial:
    return Trial(lambda i, x: base.value(i, x) + eps * direction.value(i, x),
                 lambda i, x: base.slope(i, x) + eps * direction.slope(i, x),
                 base.node_values + eps * direction.node_values)


def quadratic_form(desc: Description, v: Trial) -> float:
    """Q(v) = sum integral [(D/4)|v'|^2 + D |v|^2 / (4 l^2)] + leads (G/2)|v|^2: S(sol + eps v) = S(sol) + eps^2 Q(v)."""
    nodes = desc.nodes()
    total = 0.0
    for i, part in enumerate(desc.layers):
        x, w = gauss_panels(nodes[i], nodes[i + 1], part.l)
        value, slope = v.value(i, x), v.slope(i, x)
        relax = 0.0 if math.isinf(part.l) else part.D * np.sum(value**2, axis=-1) / (4 * part.l**2)
        total += float(w @ (0.25 * part.D * np.sum(slope**2, axis=-1) + relax))
    for part, node in ((desc.left, 0), (desc.right, -1)):
        if part is not None:
            total += 0.5 * part.G * float(v.node_values[node] @ v.node_values[node])
    return total


def first_variation(desc: Description, sol: ss.Solution, v: Trial, spin_flip_factor: float = 0.25,
                    trial: Trial | None = None) -> tuple[float, float]:
    """dS/d eps at eps = 0 in direction v, and the sum of |terms| (its natural scale).

    d/d eps of the integrand: -(p j0 m - (D/2) mu').v' + 2 factor D mu.v / l^2 (factor = 1/4 in
    MODEL.md 5); of the lead terms: -+ p j0 m.v + G mu.v."""
    nodes = desc.nodes()
    trial = trial or solution_trial(desc, sol)
    total, size = 0.0, 0.0
    for i, part in enumerate(desc.layers):
        x, w = gauss_panels(nodes[i], nodes[i + 1], part.l)
        mu, slope = trial.value(i, x), trial.slope(i, x)
        current = source_of(part, desc.j0) - 0.5 * part.D * slope
        drift = -np.sum(current * v.slope(i, x), axis=-1)
        relax = 0.0 if math.isinf(part.l) else 2 * spin_flip_factor * part.D * np.sum(mu * v.value(i, x), axis=-1) / part.l**2
        total += float(w @ (drift + relax))
        size += float(w @ (np.abs(drift) + np.abs(relax)))
    for part, node, sign in ((desc.left, 0, -1.0), (desc.right, -1, 1.0)):
        if part is None:
            continue
        mu, dv = sol.accumulation[node], v.node_values[node]
        linear = sign * part.p * desc.j0 * float(np.dot(part.m, dv)) if part.kind == "F" else 0.0
        quadratic = part.G * float(mu @ dv)
        total += linear + quadratic
        size += abs(linear) + abs(quadratic)
    return total, size


# ----------------------------------------------------------------------- tests
@pytest.mark.parametrize("label", IDS)
def test_functional_equals_quadrature_of_the_solution(solved, label):
    desc, sol = solved[label]
    value, size = functional_parts(desc, solution_trial(desc, sol))
    assert float(sol.functional) == pytest.approx(value, rel=0, abs=1e-13 * size)
    # independent of j_s: mu' by Chebyshev differentiation (degree 32 per panel of length <= l/2;
    # differentiation loses ~ n^2 eps relative, hence 1e-11)
    value, size = functional_parts(desc, chebyshev_trial(desc, sol))
    assert float(sol.functional) == pytest.approx(value, rel=0, abs=1e-11 * size)


@pytest.mark.parametrize("label", IDS)
def test_first_variation_vanishes(solved, label):
    desc, sol = solved[label]
    rng = np.random.default_rng(zlib.crc32(label.encode()))
    base = solution_trial(desc, sol)
    S0, size = functional_parts(desc, base)
    kinds = [dict(move_nodes=False, bubble_degree=-1, bump=True),  # smooth bumps only (N and F interiors)
             dict(move_nodes=True, bubble_degree=-1, bump=False),  # node displacements, linear in between
             dict(move_nodes=True, bubble_degree=5, bump=True)]  # both, any shape
    for kind in kinds:
        v = random_direction(desc, rng, **kind)
        derivative, scale = first_variation(desc, sol, v, trial=base)
        # the bound is the round-off of summing the quadrature terms (~ n eps relative to their size)
        assert abs(derivative) <= 1e-11 * scale, (derivative, scale)
        # the same from S itself: S(sol + eps v) - S(sol) = eps^2 Q(v), no linear term
        Q = quadratic_form(desc, v)
        assert Q > 0
        for eps in (1.0, 1e-2, 1e-3):
            S_plus = functional(desc, combine(base, v, eps))
            S_minus = functional(desc, combine(base, v, -eps))
            # round-off of S: a few eps times the sum of |terms| (size), and of Q(v) scale
            tolerance = 1e-13 * (size + eps**2 * Q) + 1e-12 * eps * scale
            assert S_plus - S0 == pytest.approx(eps**2 * Q, rel=1e-11, abs=tolerance)
            assert S_minus - S0 == pytest.approx(eps**2 * Q, rel=1e-11, abs=tolerance)
            assert (S_plus - S_minus) / (2 * eps) == pytest.approx(0.0, abs=tolerance / eps)


@pytest.mark.parametrize("label", IDS)
def test_solution_is_the_minimum(solved, label):
    # S at the solution is below S at many random admissible trial functions, near and far
    desc, sol = solved[label]
    rng = np.random.default_rng(zlib.crc32(label.encode()) + 1)
    base = solution_trial(desc, sol)
    S0, size = functional_parts(desc, base)
    for _ in range(12):
        v = random_direction(desc, rng, move_nodes=bool(rng.random() < 0.7), bubble_degree=int(rng.integers(-1, 6)),
                             bump=bool(rng.random() < 0.7))
        for eps in (10.0 ** rng.uniform(-3, 1),):
            S = functional(desc, combine(base, v, eps))
            assert S > S0 - 1e-13 * size
            assert S - S0 > 0.5 * eps**2 * quadratic_form(desc, v) - 1e-12 * size


def test_functional_matches_the_solvers_value_for_other_currents():
    # S scales as j0^2 (the minimum of a quadratic form with a source linear in j0)
    desc = handmade()[0]
    values = []
    for j0 in (0.5, -2.0, 3.0):
        desc_j = Description(desc.layers, desc.left, desc.right, j0, desc.label)
        sol = ss.solve(desc_j.stack())
        value, size = functional_parts(desc_j, solution_trial(desc_j, sol))
        assert float(sol.functional) == pytest.approx(value, abs=1e-13 * size)
        values.append(value / j0**2)
    np.testing.assert_allclose(values, values[0], rtol=1e-12)
    zero = ss.solve(Description(desc.layers, desc.left, desc.right, 0.0, "").stack())
    assert float(zero.functional) == 0.0


def test_seed_printed_factor_is_not_stationary():
    # MODEL.md 5: with the seed's rho mu^2 / tau = D mu^2 / (2 l^2) (twice the corrected value) the
    # exact solution is not a stationary point: a bump in the relaxing N spacer changes S linearly
    desc = handmade()[2]
    sol = ss.solve(desc.stack())
    rng = np.random.default_rng(3)
    v = random_direction(desc, rng, move_nodes=False, bubble_degree=2, bump=True)
    corrected, scale = first_variation(desc, sol, v, spin_flip_factor=0.25)
    printed, _ = first_variation(desc, sol, v, spin_flip_factor=0.5)
    assert abs(corrected) <= 1e-12 * scale
    assert abs(printed) > 1e-3 * scale
