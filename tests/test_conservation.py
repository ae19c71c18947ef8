"""Conservation laws and local field equations of the exact solution (MODEL.md 2-4).

Every check here compares solver outputs with something computed independently of the
solver's kernels:

* the global spin balance, spin in - spin out = deposits + spin-flip losses (a telescoping
  identity of MODEL.md 2 and 4), and the spin-flip loss of each layer against a
  composite Gauss-Legendre quadrature of D mu_s(x) / (2 l^2) over the solution's profile;
* the torque on every F layer as the transverse part of the deposits at its faces, built
  here from the profile ``spin_current(x)`` evaluated one ulp left and right of each node;
* the node conditions of MODEL.md 3a (mu_s || m next to an F, projected balance at every
  transparent node, continuity of mu_s) on the profile;
* the bulk equations of MODEL.md 2 on the profile, both with finite differences (FD
  tolerance) and with the discrete identities every solution of mu'' = mu / l^2 obeys
  exactly: f(x + h) + f(x - h) = 2 cosh(h / l) f(x) and f(x + h) - f(x - h) = 2 l sinh(h / l) f'(x);
* the electrochemical potential (seed eq. 2) and the resistance-area of MODEL.md 4.

Random stacks cover several F layers with non-coplanar magnetizations, N/N contacts,
collinear F/F contacts (m2 = +-m1), reservoir, N-lead and F-lead ends, l = inf layers,
and the bare lead/lead contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from scipy.integrate import quad

import spinstack as ss

EPS = np.finfo(float).eps


# ----------------------------------------------------------------- stack descriptions
@dataclass
class Part:
    """One layer (``d`` set) or one lead (``d`` None): plain numbers, independent of the model."""

    kind: str  # "N" or "F"
    D: float
    l: float
    p: float = 0.0
    m: np.ndarray | None = None
    d: float | None = None


@dataclass
class Description:
    layers: list[Part]
    left: Part | None = None  # None: reservoir
    right: Part | None = None
    j0: float = 1.0
    label: str = ""
    extra: dict = field(default_factory=dict)

    def stack(self) -> ss.Stack:
        def material(part: Part, name: str):
            if part.kind == "F":
                return ss.Ferromagnet(name, part.D, part.p, part.l)
            return ss.Normal(name, part.D, part.l)

        layers = [ss.Layer(material(part, f"{part.kind}{i}"), part.d, part.m) for i, part in enumerate(self.layers)]
        ends = []
        for side, part in (("left", self.left), ("right", self.right)):
            ends.append(ss.Reservoir() if part is None else ss.Lead(material(part, f"{part.kind}_{side}"), part.m))
        return ss.Stack(layers, left=ends[0], right=ends[1], current=self.j0)

    def nodes(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum([part.d for part in self.layers])])

    def node_axis(self, k: int) -> np.ndarray | None:
        """m of an F (layer or lead) touching node k, None if none does."""
        neighbours = [self.left if k == 0 else self.layers[k - 1],
                      self.right if k == len(self.layers) else self.layers[k]]
        for part in neighbours:
            if part is not None and part.kind == "F":
                return part.m
        return None

    def is_reservoir(self, k: int) -> bool:
        return (k == 0 and self.left is None) or (k == len(self.layers) and self.right is None)


def unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def random_part(rng: np.random.Generator, kind: str, thickness: bool = True, inf_chance: float = 0.2) -> Part:
    l = math.inf if rng.random() < inf_chance else float(rng.uniform(0.3, 15.0))
    part = Part(kind, float(rng.uniform(0.3, 4.0)), l)
    if kind == "F":
        part.p = float(rng.uniform(-0.9, 0.9))
        part.m = unit(rng)
    if thickness:
        part.d = float(rng.uniform(0.05, 4.0))
    return part


def random_description(rng: np.random.Generator, label: str = "") -> Description:
    n_layers = int(rng.integers(1, 8))
    layers: list[Part] = []
    for _ in range(n_layers):
        part = random_part(rng, str(rng.choice(["N", "F"])))
        if part.kind == "F" and layers and layers[-1].kind == "F":
            part.m = layers[-1].m * rng.choice([1.0, -1.0])  # F/F contacts are collinear, exactly
        layers.append(part)
    ends = []
    for side in ("left", "right"):
        choice = rng.choice(["reservoir", "N", "F"])
        if choice == "reservoir":
            ends.append(None)
            continue
        lead = random_part(rng, str(choice), thickness=False)
        neighbour = layers[0] if side == "left" else layers[-1]
        if lead.kind == "F" and neighbour.kind == "F":
            lead.m = neighbour.m * rng.choice([1.0, -1.0])
        ends.append(lead)
    if ends[0] is not None and ends[1] is not None and all(math.isinf(p.l) for p in layers + ends):
        layers[0].l = 2.0  # somewhere the spin must relax
    return Description(layers, ends[0], ends[1], j0=float(rng.choice([-1, 1]) * rng.uniform(0.2, 3.0)), label=label)


def handmade_descriptions() -> list[Description]:
    """Stacks that contain every feature at once, deterministically."""
    m1 = np.array([1.0, 2.0, 2.0]) / 3.0
    m2 = np.array([0.0, 0.6, -0.8])
    m3 = np.array([-0.48, 0.36, 0.8])
    F = lambda d, m, p=0.5, l=3.0, D=1.2: Part("F", D, l, p, m, d)  # noqa: E731
    N = lambda d, l=6.0, D=2.5: Part("N", D, l, 0.0, None, d)  # noqa: E731
    return [
        Description([N(0.7), F(1.1, m1), F(0.6, -m1, p=-0.3, l=math.inf), N(0.9), N(1.3, l=math.inf), F(0.8, m2),
                     N(2.0), F(1.5, m3, p=0.8, l=1.0), N(0.4)],
                    left=Part("F", 1.7, 2.5, 0.4, -m1), right=Part("N", 3.0, 8.0), j0=1.3, label="F-lead|...|N-lead"),
        Description([F(1.0, m1), N(0.5), N(0.5), F(2.0, m2), F(0.3, m2, p=-0.7)],
                    left=None, right=Part("F", 0.9, math.inf, 0.6, -m2), j0=-0.7, label="reservoir|...|F-lead(l=inf)"),
        Description([N(2.0, l=math.inf), F(1.0, m3, l=math.inf), N(3.0, l=math.inf)], label="all l=inf, reservoirs"),
        Description([], left=Part("F", 1.3, 2.0, 0.6, m2), right=Part("N", 2.2, 5.0), j0=0.9, label="bare F|N contact"),
        Description([N(1.0), N(2.0, l=0.5)], left=Part("N", 1.0, 4.0), right=Part("N", 2.0, 1.0), label="N only"),
    ]


DESCRIPTIONS = handmade_descriptions() + [
    random_description(np.random.default_rng(1000 + i), label=f"random{i}") for i in range(40)
]
IDS = [d.label for d in DESCRIPTIONS]


@pytest.fixture(scope="module")
def solved() -> dict[str, tuple[Description, ss.Solution]]:
    return {d.label: (d, ss.solve(d.stack())) for d in DESCRIPTIONS}


def left_of(x: float) -> float:
    return float(np.nextafter(x, -np.inf))


def right_of(x: float) -> float:
    return float(np.nextafter(x, np.inf))


def gauss_panels(a: float, b: float, l: float, order: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [a, b], panels no longer than l / 2."""
    panels = 1 if math.isinf(l) else max(1, math.ceil(2.0 * (b - a) / l))
    t, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    x = (mid[:, None] + half[:, None] * t[None, :]).ravel()
    weights = (half[:, None] * w[None, :]).ravel()
    return x, weights


def current_scale(desc: Description, sol: ss.Solution) -> float:
    """Size of the terms a spin current is summed from: |p j0| and (D / 2 min(d, l)) |mu| per layer.

    Face currents are G coth(d/l) mu_a - G csch(d/l) mu_b + p j0 m: their round-off is relative to
    the larger of these terms, not to the (possibly much smaller) result.
    """
    values = [abs(desc.j0), float(np.abs(sol.spin_current_in).max()), float(np.abs(sol.spin_current_out).max())]
    mu = np.abs(sol.accumulation).max(axis=-1)
    for i, part in enumerate(desc.layers):
        values.append(abs(part.p * desc.j0) + part.D / (2 * min(part.d, part.l)) * (mu[i] + mu[i + 1]))
    for part, k in ((desc.left, 0), (desc.right, -1)):
        if part is not None:
            values.append(abs(part.p * desc.j0) + part.D / (2 * part.l) * mu[k])
    return float(max(values))


# ----------------------------------------------------------------------- tests
@pytest.mark.parametrize("label", IDS)
def test_global_spin_balance(solved, label):
    # in - out = sum of deposits at the nodes + sum of spin-flip losses in the layers (MODEL.md 2, 4)
    desc, sol = solved[label]
    lhs = sol.spin_current_in - sol.spin_current_out
    rhs = sol.deposit.sum(axis=-2) + sol.spin_flip_loss.sum(axis=-2)
    scale = current_scale(desc, sol) * (len(desc.layers) + 2)
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=8 * EPS * scale)
    # the end currents are the profile's currents just outside (lead) or inside (reservoir) the stack
    x_l = desc.nodes()[-1]
    left = sol.spin_current(left_of(0.0) if desc.left is not None else right_of(0.0))
    right = sol.spin_current(right_of(x_l) if desc.right is not None else left_of(x_l))
    np.testing.assert_allclose(sol.spin_current_in, left, rtol=0, atol=4 * EPS * scale)
    np.testing.assert_allclose(sol.spin_current_out, right, rtol=0, atol=4 * EPS * scale)


@pytest.mark.parametrize("label", IDS)
def test_spin_flip_loss_is_the_integral_of_the_profile(solved, label):
    # spin_flip_loss[i] = integral over layer i of D mu_s(x) / (2 l^2) dx, by quadrature of the profile
    desc, sol = solved[label]
    nodes = desc.nodes()
    assert sol.spin_flip_loss.shape == (len(desc.layers), 3)
    for i, part in enumerate(desc.layers):
        if math.isinf(part.l):
            np.testing.assert_array_equal(sol.spin_flip_loss[i], 0.0)
            continue
        x, w = gauss_panels(nodes[i], nodes[i + 1], part.l)
        x = np.clip(x, nodes[i], left_of(nodes[i + 1]))  # stay in layer i
        mu = sol.spin_accumulation(x)
        integral = part.D / (2 * part.l**2) * (w[:, None] * mu).sum(axis=0)
        scale = part.D / (2 * part.l**2) * part.d * np.abs(mu).max(initial=0) + 1e-300
        np.testing.assert_allclose(sol.spin_flip_loss[i], integral, rtol=0, atol=1e-12 * scale)
        # the same with adaptive quadrature of one component (scipy), as a second opinion
        comp = int(np.argmax(np.abs(integral)))
        value, _ = quad(lambda s: sol.spin_accumulation(min(s, left_of(nodes[i + 1])))[comp], nodes[i], nodes[i + 1],
                        epsabs=1e-14 * scale / (part.D / (2 * part.l**2)), epsrel=1e-13, limit=200)
        np.testing.assert_allclose(sol.spin_flip_loss[i, comp], part.D / (2 * part.l**2) * value, rtol=0, atol=1e-10 * scale)


@pytest.mark.parametrize("label", IDS)
def test_deposits_and_torques_from_the_profile(solved, label):
    desc, sol = solved[label]
    nodes = desc.nodes()
    n = len(nodes)
    scale = current_scale(desc, sol)
    tol = 16 * EPS * scale
    # deposit at node k = j_s(x_k-) - j_s(x_k+), from the profile one ulp either side; 0 at reservoirs
    for k in range(n):
        if desc.is_reservoir(k):
            np.testing.assert_array_equal(sol.deposit[k], 0.0)
            continue
        jump = sol.spin_current(left_of(nodes[k])) - sol.spin_current(right_of(nodes[k]))
        np.testing.assert_allclose(sol.deposit[k], jump, rtol=0, atol=tol)
    # and from the face currents
    for i in range(len(desc.layers)):
        np.testing.assert_allclose(sol.spin_current_left[i], sol.spin_current(right_of(nodes[i])), rtol=0, atol=tol)
        np.testing.assert_allclose(sol.spin_current_right[i], sol.spin_current(left_of(nodes[i + 1])), rtol=0, atol=tol)
    # torque on F layer i: the transverse part of the deposits at its non-reservoir faces
    for i, part in enumerate(desc.layers):
        if part.kind == "N":
            np.testing.assert_array_equal(sol.torque[i], 0.0)
            continue
        total = np.zeros(3)
        for k in (i, i + 1):
            if not desc.is_reservoir(k):
                total += sol.spin_current(left_of(nodes[k])) - sol.spin_current(right_of(nodes[k]))
        transverse = total - np.dot(part.m, total) * part.m
        np.testing.assert_allclose(sol.torque[i], transverse, rtol=0, atol=tol)
        assert abs(np.dot(sol.torque[i], part.m)) <= 4 * EPS * scale
        # the longitudinal deposit at an F face vanishes by the balance: the F absorbs only transverse spin
        for k in (i, i + 1):
            if not desc.is_reservoir(k):
                assert abs(np.dot(sol.deposit[k], part.m)) <= tol


@pytest.mark.parametrize("label", IDS)
def test_node_conditions(solved, label):
    # MODEL.md 3a: mu_s || m at nodes next to an F, 0 at reservoirs, continuous everywhere;
    # projected balance E^T [j_s(x_k-) - j_s(x_k+)] = 0 at every transparent node
    desc, sol = solved[label]
    nodes = desc.nodes()
    np.testing.assert_allclose(sol.node_positions, nodes, rtol=1e-15, atol=0)
    mu_scale = float(np.abs(sol.accumulation).max()) + 1e-300
    scale = current_scale(desc, sol)
    for k, x in enumerate(nodes):
        mu = sol.accumulation[k]
        if desc.is_reservoir(k):
            np.testing.assert_array_equal(mu, 0.0)
            continue
        left_mu, right_mu = sol.spin_accumulation(left_of(x)), sol.spin_accumulation(right_of(x))
        np.testing.assert_allclose(left_mu, mu, rtol=0, atol=32 * EPS * mu_scale)
        np.testing.assert_allclose(right_mu, mu, rtol=0, atol=32 * EPS * mu_scale)
        jump = sol.spin_current(left_of(x)) - sol.spin_current(right_of(x))
        axis = desc.node_axis(k)
        if axis is None:
            np.testing.assert_allclose(jump, 0.0, rtol=0, atol=16 * EPS * scale)  # all three components
        else:
            np.testing.assert_allclose(np.cross(mu, axis), 0.0, rtol=0, atol=4 * EPS * mu_scale)
            assert abs(np.dot(axis, jump)) <= 16 * EPS * scale
    # inside every F (layers and leads) the profile stays on the m axis
    for i, part in enumerate(desc.layers):
        if part.kind == "F":
            x = nodes[i] + part.d * np.linspace(0.0, 1.0, 9)[:-1]
            np.testing.assert_allclose(np.cross(sol.spin_accumulation(x), part.m), 0.0, rtol=0, atol=8 * EPS * mu_scale)
    for part, x in ((desc.left, -np.array([0.1, 1.0, 5.0])), (desc.right, nodes[-1] + np.array([0.1, 1.0, 5.0]))):
        if part is not None and part.kind == "F":
            np.testing.assert_allclose(np.cross(sol.spin_accumulation(x), part.m), 0.0, rtol=0, atol=8 * EPS * mu_scale)


def sample_points(a: float, d: float) -> np.ndarray:
    return a + d * np.array([0.1, 0.25, 0.5, 0.75, 0.9])


@pytest.mark.parametrize("label", IDS)
def test_bulk_equations_exact_discrete_identities(solved, label):
    # any solution of mu'' = mu / l^2 obeys, exactly, for every h:
    #   mu(x + h) + mu(x - h) = 2 cosh(h / l) mu(x)
    #   mu(x + h) - mu(x - h) = 2 l sinh(h / l) mu'(x),   and  j_s = p j0 m - (D / 2) mu'  (MODEL.md 2)
    desc, sol = solved[label]
    nodes = desc.nodes()
    for i, part in enumerate(desc.layers):
        x = sample_points(nodes[i], part.d)
        h = 0.09 * part.d
        plus, mid, minus = sol.spin_accumulation(x + h), sol.spin_accumulation(x), sol.spin_accumulation(x - h)
        mu_scale = float(max(np.abs(plus).max(), np.abs(minus).max(), np.abs(mid).max())) + 1e-300
        X = h / part.l
        cosh = 1.0 if math.isinf(part.l) else math.cosh(X)
        two_l_sinh = 2 * h if math.isinf(part.l) else 2 * part.l * math.sinh(X)
        np.testing.assert_allclose(plus + minus, 2 * cosh * mid, rtol=0, atol=16 * EPS * mu_scale)
        derivative = (plus - minus) / two_l_sinh
        source = part.p * desc.j0 * (part.m if part.m is not None else np.zeros(3))
        expected = source - 0.5 * part.D * derivative
        j_scale = abs(part.p * desc.j0) + 0.5 * part.D * mu_scale / h
        np.testing.assert_allclose(sol.spin_current(x), expected, rtol=0, atol=16 * EPS * j_scale)


@pytest.mark.parametrize("label", IDS)
def test_bulk_equations_finite_differences(solved, label):
    # d^2 mu/dx^2 = mu / l^2 and j_s = p j0 m - (D/2) dmu/dx inside every layer, by finite differences:
    # 3-point second difference (truncation ~ (h/l)^2/12, round-off ~ 4 eps (L/h)^2 relative, L = min(d, l))
    # and 5-point first difference (truncation ~ (h/l)^4/30, round-off ~ eps L/h)
    desc, sol = solved[label]
    nodes = desc.nodes()
    for i, part in enumerate(desc.layers):
        length = min(part.d, part.l)
        x = sample_points(nodes[i], part.d)
        h = 1e-3 * length
        f = lambda s: sol.spin_accumulation(s)  # noqa: E731
        second = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
        mu_scale = float(np.abs(f(x)).max()) + float(np.abs(sol.accumulation[i:i + 2]).max()) + 1e-300
        curvature = 0.0 if math.isinf(part.l) else 1.0 / part.l**2
        np.testing.assert_allclose(second, curvature * f(x), rtol=0, atol=1e-6 * mu_scale / length**2)
        h = 1e-2 * length
        first = (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)
        source = part.p * desc.j0 * (part.m if part.m is not None else np.zeros(3))
        j_scale = abs(part.p * desc.j0) + part.D * mu_scale / length
        np.testing.assert_allclose(sol.spin_current(x), source - 0.5 * part.D * first, rtol=0, atol=1e-8 * j_scale)


def potential_scale(desc: Description, sol: ss.Solution) -> float:
    ohmic = sum(abs(desc.j0) * p.d * (1 - p.p**2) / p.D for p in desc.layers)
    return ohmic + float(np.abs(sol.accumulation).max()) + abs(desc.j0)


@pytest.mark.parametrize("label", IDS)
def test_electrochemical_potential(solved, label):
    # seed eq. 2: j0 = -sigma (dmu_0/dx + (p/2) d(m.mu_s)/dx), sigma = D / (1 - p^2); mu_0 continuous, 0 at node 0
    desc, sol = solved[label]
    nodes = desc.nodes()
    scale = potential_scale(desc, sol)
    assert sol.electrochemical_potential(0.0) == pytest.approx(0.0, abs=4 * EPS * scale)
    for x in nodes:
        a, b = sol.electrochemical_potential(left_of(x)), sol.electrochemical_potential(right_of(x))
        assert abs(a - b) <= 8 * EPS * scale, (k, a, b)
    for i, part in enumerate(desc.layers):
        sigma = part.D / (1 - part.p**2)
        m = part.m if part.m is not None else np.zeros(3)
        x = np.linspace(nodes[i], left_of(nodes[i + 1]), 11)
        # exact: mu_0 + j0 x / sigma + (p/2) m.mu_s is constant across the layer
        invariant = sol.electrochemical_potential(x) + desc.j0 * x / sigma + 0.5 * part.p * sol.spin_accumulation(x) @ m
        np.testing.assert_allclose(invariant, invariant[0], rtol=0, atol=16 * EPS * scale)
        # and the slope by finite differences (5 points, h = 1e-2 min(d, l))
        length = min(part.d, part.l)
        h = 1e-2 * length
        xs = sample_points(nodes[i], part.d)
        f = sol.electrochemical_potential
        g = lambda s: sol.spin_accumulation(s) @ m  # noqa: E731
        slope = (-f(xs + 2 * h) + 8 * f(xs + h) - 8 * f(xs - h) + f(xs - 2 * h)) / (12 * h)
        spin_slope = (-g(xs + 2 * h) + 8 * g(xs + h) - 8 * g(xs - h) + g(xs - 2 * h)) / (12 * h)
        np.testing.assert_allclose(slope, -desc.j0 / sigma - 0.5 * part.p * spin_slope, rtol=0, atol=1e-8 * scale / length)
    # in the leads, the same law with the lead's own sigma and m
    for part, xs in ((desc.left, -np.array([0.2, 0.7, 2.0])), (desc.right, nodes[-1] + np.array([0.2, 0.7, 2.0]))):
        if part is None:
            continue
        sigma = part.D / (1 - part.p**2)
        m = part.m if part.m is not None else np.zeros(3)
        invariant = sol.electrochemical_potential(xs) + desc.j0 * xs / sigma + 0.5 * part.p * sol.spin_accumulation(xs) @ m
        np.testing.assert_allclose(invariant, invariant[0], rtol=0, atol=16 * EPS * scale)


@pytest.mark.parametrize("label", IDS)
def test_resistance_area(solved, label):
    # MODEL.md 4: r = [mu_0(x_0) - mu_0(x_L)] / j0 + (p/2) m.mu_0 / j0 (F lead left) - (p/2) m.mu_L / j0 (F lead right)
    desc, sol = solved[label]
    nodes = desc.nodes()
    j0 = desc.j0
    if desc.layers:
        drop = sol.electrochemical_potential(0.0) - sol.electrochemical_potential(nodes[-1])
    else:
        drop = 0.0
    lead_terms = 0.0
    if desc.left is not None and desc.left.kind == "F":
        lead_terms += 0.5 * desc.left.p * np.dot(desc.left.m, sol.accumulation[0]) / j0
    if desc.right is not None and desc.right.kind == "F":
        lead_terms -= 0.5 * desc.right.p * np.dot(desc.right.m, sol.accumulation[-1]) / j0
    scale = potential_scale(desc, sol) / abs(j0)
    assert sol.resistance_area == pytest.approx(drop / j0 + lead_terms, abs=16 * EPS * scale)
    # the same as sum of d / sigma + the spin part (own arithmetic on the node values)
    ohmic = sum(p.d * (1 - p.p**2) / p.D for p in desc.layers)
    spin = lead_terms + sum(0.5 * p.p * np.dot(p.m, sol.accumulation[i + 1] - sol.accumulation[i]) / j0
                            for i, p in enumerate(desc.layers) if p.kind == "F")
    assert sol.resistance_area == pytest.approx(ohmic + spin, abs=16 * EPS * scale)
    assert sol.spin_resistance_area == pytest.approx(spin, abs=16 * EPS * scale)
    # far in the leads (60 spin diffusion lengths, exp(-60) ~ 1e-26) the lead's spin term is the
    # excess potential drop over the bulk ohmic drop of the lead
    left, right = desc.left, desc.right
    if all(part is None or not math.isinf(part.l) for part in (left, right)) and desc.layers:
        x_a = -60 * left.l if left is not None else 0.0
        x_b = nodes[-1] + (60 * right.l if right is not None else 0.0)
        far = sol.electrochemical_potential(x_a) - sol.electrochemical_potential(x_b)
        lead_ohmic = sum(j0 * abs(x) * (1 - part.p**2) / part.D
                         for part, x in ((left, x_a), (right, x_b - nodes[-1])) if part is not None)
        far_scale = scale + sum(60 * part.l * (1 - part.p**2) / part.D for part in (left, right) if part is not None)
        assert (far - lead_ohmic) / j0 == pytest.approx(sol.resistance_area, abs=64 * EPS * far_scale)


def test_batched_random_stacks_conserve_spin():
    # the same balance on a batch: arrays of thicknesses, materials, angles and currents
    rng = np.random.default_rng(7)
    shape = (6, 5)
    F1 = ss.Ferromagnet("F1", rng.uniform(0.5, 3, shape), rng.uniform(-0.9, 0.9, shape), rng.uniform(0.5, 10, shape))
    F2 = ss.Ferromagnet("F2", 1.4, 0.6, rng.uniform(0.5, 10, (6, 1)))
    N = ss.Normal("N", rng.uniform(0.5, 3, (1, 5)), np.where(rng.random(shape) < 0.3, np.inf, 4.0))
    NL = ss.Normal("NL", 2.0, 6.0)
    m1 = ss.polar(rng.uniform(0, 180, shape), rng.uniform(0, 360, shape))
    m2 = ss.polar(rng.uniform(0, 180, (1, 5)), 40.0)
    layers = [ss.Layer(F1, rng.uniform(0.1, 3, shape), m1), ss.Layer(N, 1.0), ss.Layer(N, rng.uniform(0.1, 3, (6, 1))),
              ss.Layer(F2, 0.8, m2), ss.Layer(F2, 0.5, -m2)]
    sol = ss.solve(ss.Stack(layers, left=ss.Lead(NL), right=ss.Reservoir(), current=rng.uniform(-2, 2, shape)))
    lhs = sol.spin_current_in - sol.spin_current_out
    rhs = sol.deposit.sum(axis=-2) + sol.spin_flip_loss.sum(axis=-2)
    scale = np.abs(sol.spin_current_left).max() + np.abs(sol.spin_current_in).max()
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=64 * EPS * scale)
    m_all = np.stack([np.broadcast_to(v, shape + (3,)) for v in (m1, np.zeros(3), np.zeros(3), m2, -m2)], axis=-2)
    np.testing.assert_allclose(np.einsum("...i,...i->...", sol.torque, m_all), 0.0, atol=16 * EPS * scale)
