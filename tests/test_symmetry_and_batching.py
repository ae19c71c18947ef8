"""Symmetries of the model and the equivalence of batched and one-by-one solves.

* Current reversal j0 -> -j0: every spin quantity is odd (linear in j0), g1, g2, the
  resistance-area and the functional are unchanged (S is quadratic in j0).
* Global rotation (and reflection) Q of all magnetizations, layers and leads together:
  the equations of MODEL.md 2-3 contain spin vectors only through dot products with m and
  linear combinations, so mu_s, j_s, torques, deposits and losses transform as Q v, and the
  g's (defined through m1, m2 only) are invariant.
* Batches: every numeric parameter may be an array; the batched solve must equal the
  one-by-one solves, also when arrays of different shapes broadcast ((3, 1) x (1, 4)), and
  for the profiles at arrays of x with batched thicknesses.
* Hypothesis property tests over random stacks: conservation, torque normal to m,
  rotation covariance, reversal, finiteness.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss

EPS = np.finfo(float).eps


# ---------------------------------------------------------------- plain descriptions
# A stack as plain data: layers [(kind, D, l, p, m, d)], ends None (reservoir) or (kind, D, l, p, m).
def build(layers, left=None, right=None, j0=1.0, rotation=None) -> ss.Stack:
    def material(kind, D, l, p, name):
        return ss.Ferromagnet(name, D, p, l) if kind == "F" else ss.Normal(name, D, l)

    def turn(m):
        return None if m is None else (m if rotation is None else rotation @ m)

    built = [ss.Layer(material(kind, D, l, p, f"{kind}{i}"), d, turn(m)) for i, (kind, D, l, p, m, d) in enumerate(layers)]
    ends = []
    for side, end in (("left", left), ("right", right)):
        if end is None:
            ends.append(ss.Reservoir())
        else:
            kind, D, l, p, m = end
            ends.append(ss.Lead(material(kind, D, l, p, f"{kind}_{side}"), turn(m)))
    return ss.Stack(built, left=ends[0], right=ends[1], current=j0)


def unit(rng):
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def random_layers(rng, n_f=None):
    """Random layers; with ``n_f`` set, exactly that many F layers."""
    n = int(rng.integers(1, 7)) if n_f is None else int(rng.integers(2 * n_f - 1, 2 * n_f + 3))
    kinds = [str(rng.choice(["N", "F"])) for _ in range(n)]
    if n_f is not None:  # F layers separated by N spacers (generic, non-collinear angles)
        while True:
            chosen = np.sort(rng.choice(n, size=n_f, replace=False))
            if np.all(np.diff(chosen) > 1):
                break
        kinds = ["N"] * n
        for index in chosen:
            kinds[index] = "F"
    layers = []
    for kind in kinds:
        l = math.inf if rng.random() < 0.2 else float(rng.uniform(0.3, 15))
        m = unit(rng) if kind == "F" else None
        if kind == "F" and layers and layers[-1][0] == "F":
            m = layers[-1][4] * rng.choice([1.0, -1.0])
        p = float(rng.uniform(-0.9, 0.9)) if kind == "F" else 0.0
        layers.append((kind, float(rng.uniform(0.3, 4)), l, p, m, float(rng.uniform(0.05, 4))))
    return layers


def random_end(rng, neighbour):
    kind = str(rng.choice(["reservoir", "N", "F"]))
    if kind == "reservoir":
        return None
    m = None
    if kind == "F":
        m = neighbour[4] * rng.choice([1.0, -1.0]) if neighbour[0] == "F" else unit(rng)
    return (kind, float(rng.uniform(0.3, 4)), float(rng.uniform(0.3, 15)), float(rng.uniform(-0.9, 0.9)) if kind == "F" else 0.0, m)


def random_case(seed, n_f=None):
    rng = np.random.default_rng(seed)
    layers = random_layers(rng, n_f)
    return layers, random_end(rng, layers[0]), random_end(rng, layers[-1]), float(rng.uniform(0.2, 3) * rng.choice([-1, 1]))


def random_orthogonal(rng, proper=True):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if (np.linalg.det(q) > 0) != proper:
        q[:, 0] = -q[:, 0]
    return q


SPIN_OUTPUTS = ("accumulation", "spin_current_left", "spin_current_right", "torque", "deposit",
                "spin_current_in", "spin_current_out", "spin_flip_loss")


def scale_of(sol) -> float:
    return float(max(np.abs(getattr(sol, name)).max(initial=0.0) for name in SPIN_OUTPUTS)) + float(np.abs(sol.current).max())


def stiffness_scale(layers, sol) -> float:
    """Size of the terms spin currents are summed from: (D / 2 min(d, l)) |mu| (MODEL.md 2 two-port)."""
    mu = float(np.abs(sol.accumulation).max())
    return max([scale_of(sol)] + [D / (2 * min(d, l)) * mu for (_, D, l, _, _, d) in layers])


def condition_number(layers, left, right) -> float:
    """2-norm condition number of the node system of MODEL.md 3a, assembled here from its definition.

    Node k carries mu_k = E_k y_k (E_k = m next to an F, the identity between normal metals, nothing
    at a reservoir); the balance E_k^T [j(x_k-) - j(x_k+)] = 0 has diagonal blocks
    (Gc_k + Gc_k+1) E_k^T E_k and off-diagonal blocks -Gs E_k^T E_k+1, with Gc = G coth(d/l),
    Gs = G csch(d/l) (D / 2d for l = inf) and Gc = G, Gs = 0 for a lead.  The round-off of any
    solver of this system is bounded by a few eps times this number (relative to max |mu|).
    """
    elements = [left] + list(layers) + [right]
    stiff, transfer = [], []
    for index, element in enumerate(elements):
        if element is None:
            stiff.append(0.0)
            transfer.append(0.0)
        elif index in (0, len(elements) - 1):
            _, D, l, *_ = element
            stiff.append(0.0 if math.isinf(l) else D / (2 * l))
            transfer.append(0.0)
        else:
            _, D, l, _, _, d = element
            X = d / l
            stiff.append(D / (2 * d) if X == 0 else D / (2 * l) / math.tanh(X))
            transfer.append(D / (2 * d) if X == 0 else (D / (2 * l) / math.sinh(X) if X < 700 else 0.0))
    bases, offsets, size = [], [], 0
    for k in range(len(layers) + 1):
        reservoir = (k == 0 and left is None) or (k == len(layers) and right is None)
        magnets = [e[4] for e in (elements[k], elements[k + 1]) if e is not None and e[0] == "F"]
        basis = np.zeros((3, 0)) if reservoir else (magnets[0][:, None] if magnets else np.eye(3))
        bases.append(basis)
        offsets.append(size)
        size += basis.shape[1]
    if size == 0:
        return 1.0
    A = np.zeros((size, size))
    for k, basis in enumerate(bases):
        n = basis.shape[1]
        if n == 0:
            continue
        A[offsets[k]:offsets[k] + n, offsets[k]:offsets[k] + n] = (stiff[k] + stiff[k + 1]) * basis.T @ basis
        if k + 1 < len(bases) and bases[k + 1].shape[1]:
            block = -transfer[k + 1] * basis.T @ bases[k + 1]
            m = bases[k + 1].shape[1]
            A[offsets[k]:offsets[k] + n, offsets[k + 1]:offsets[k + 1] + m] = block
            A[offsets[k + 1]:offsets[k + 1] + m, offsets[k]:offsets[k] + n] = block.T
    return float(np.linalg.cond(A))


def profile_points(layers) -> np.ndarray:
    total = sum(layer[5] for layer in layers)
    return np.linspace(-2.0, total + 2.0, 37)


def generic_two_f(layers) -> bool:
    """Exactly two F layers at a generic angle (|sin theta| > 1e-3): g1, g2 by projection, no limit."""
    ms = [layer[4] for layer in layers if layer[0] == "F"]
    return len(ms) == 2 and np.linalg.norm(np.cross(ms[0], ms[1])) > 1e-3


CASES = [random_case(100 + i) for i in range(12)] + [random_case(200 + i, n_f=2) for i in range(12)]


# --------------------------------------------------------------------- reversal
@pytest.mark.parametrize("case", range(len(CASES)))
def test_current_reversal(case):
    layers, left, right, j0 = CASES[case]
    forward, backward = ss.solve(build(layers, left, right, j0)), ss.solve(build(layers, left, right, -j0))
    scale = scale_of(forward)
    for name in SPIN_OUTPUTS:
        np.testing.assert_allclose(getattr(backward, name), -getattr(forward, name), rtol=1e-14, atol=1e-15 * scale)
    x = profile_points(layers)
    np.testing.assert_allclose(backward.spin_accumulation(x), -forward.spin_accumulation(x), rtol=1e-14, atol=1e-15 * scale)
    np.testing.assert_allclose(backward.spin_current(x), -forward.spin_current(x), rtol=1e-14, atol=1e-15 * scale)
    np.testing.assert_allclose(backward.electrochemical_potential(x), -forward.electrochemical_potential(x), rtol=1e-14,
                               atol=1e-15 * scale)
    assert float(backward.resistance_area) == pytest.approx(float(forward.resistance_area), rel=1e-14)
    assert float(backward.spin_resistance_area) == pytest.approx(float(forward.spin_resistance_area), rel=1e-14, abs=1e-16)
    assert float(backward.functional) == pytest.approx(float(forward.functional), rel=1e-14)
    if generic_two_f(layers):
        a, b = forward.efficiency(), backward.efficiency()
        for name in ("g1", "g2", "g1_field", "g2_field", "theta"):
            assert float(getattr(b, name)) == pytest.approx(float(getattr(a, name)), rel=1e-14, abs=1e-16)


# --------------------------------------------------------------------- rotation
def assert_rotation_covariant(layers, left, right, j0, Q) -> None:
    """Solve with all m and with all Q m; compare mu_s, j_s, torques, deposits, losses, profiles, g's."""
    plain, turned = ss.solve(build(layers, left, right, j0)), ss.solve(build(layers, left, right, j0, rotation=Q))
    unit = ss.solve(build(layers, left, right, 1.0))
    # Tolerances.  Q m is renormalised by the model (|Q m| = 1 + O(eps)) and the solve is redone:
    # the difference is round-off amplified by the condition number kappa of the node system
    # (large when spin barely relaxes anywhere, mu_s >> p j0 / G) and, for currents, relative to
    # the terms (D / 2 min(d, l)) |mu| they are summed from: 64 eps kappa of those scales.
    relative = 64 * EPS * condition_number(layers, left, right)
    mu_tolerance = relative * float(np.abs(plain.accumulation).max(initial=0.0)) + 1e-300
    current_tolerance = relative * stiffness_scale(layers, plain) + 1e-300
    for name in SPIN_OUTPUTS:
        tolerance = mu_tolerance if name == "accumulation" else current_tolerance
        np.testing.assert_allclose(getattr(turned, name), getattr(plain, name) @ Q.T, rtol=0, atol=tolerance, err_msg=name)
    x = profile_points(layers)
    np.testing.assert_allclose(turned.spin_accumulation(x), plain.spin_accumulation(x) @ Q.T, rtol=0, atol=mu_tolerance)
    np.testing.assert_allclose(turned.spin_current(x), plain.spin_current(x) @ Q.T, rtol=0, atol=current_tolerance)
    potential = relative * (float(np.abs(plain.electrochemical_potential(x)).max()) + float(np.abs(plain.accumulation).max()))
    np.testing.assert_allclose(turned.electrochemical_potential(x), plain.electrochemical_potential(x), rtol=0, atol=potential)
    r_scale = sum(d * (1 - p**2) / D for (_, D, _, p, _, d) in layers) + float(np.abs(unit.accumulation).max())
    assert float(turned.resistance_area) == pytest.approx(float(plain.resistance_area), rel=0, abs=relative * r_scale)
    if generic_two_f(layers):
        a, b = plain.efficiency(), turned.efficiency()
        # g = -T.(m1 x (m2 x m1)) / sin^2 theta per unit current: the round-off of T (relative to
        # the unit-current scale) is magnified by 1 / sin theta
        sine = math.sin(float(a.theta))
        g_tolerance = relative * stiffness_scale(layers, unit) / sine
        for name in ("g1", "g2"):
            assert float(getattr(b, name)) == pytest.approx(float(getattr(a, name)), rel=0, abs=g_tolerance), name
        # field-like parts (non-zero only with a third, non-collinear magnetization, e.g. an F lead)
        # project on m1 x m2, an axial vector: they change sign under a reflection
        for name in ("g1_field", "g2_field"):
            assert float(getattr(b, name)) == pytest.approx(np.linalg.det(Q) * float(getattr(a, name)), rel=0,
                                                            abs=g_tolerance), name
        assert float(b.theta) == pytest.approx(float(a.theta), abs=1e-13 / sine)


@pytest.mark.parametrize("proper", [True, False], ids=["rotation", "reflection"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_global_rotation(case, proper):
    layers, left, right, j0 = CASES[case]
    assert_rotation_covariant(layers, left, right, j0, random_orthogonal(np.random.default_rng(case), proper))


# ------------------------------------------------------------------------ batching
def seed_like(D_F1, p1, l1, d1, D_N, l_N, d_N, D_F2, p2, l2, d2, m1, m2, j0, lead_l=3.0, lead_m=None):
    """N-lead | F1 | N | F2 | F-lead(collinear with F2): every parameter may be an array."""
    F1, F2 = ss.Ferromagnet("F1", D_F1, p1, l1), ss.Ferromagnet("F2", D_F2, p2, l2)
    N, NL = ss.Normal("N", D_N, l_N), ss.Normal("NL", 1.7, lead_l)
    FL = ss.Ferromagnet("FL", 2.2, 0.4, 5.0)
    layers = [ss.Layer(F1, d1, m1), ss.Layer(N, d_N), ss.Layer(F2, d2, m2), ss.Layer(N, 0.6)]
    right = ss.Reservoir() if lead_m is None else ss.Lead(FL, lead_m)
    return ss.Stack(layers, left=ss.Lead(NL), right=right, current=j0)


OUTPUTS = SPIN_OUTPUTS + ("functional", "resistance_area", "spin_resistance_area", "node_positions")


VECTORS = ("m1", "m2", "lead_m")  # parameters with a trailing (3,) axis (unless given as {theta, phi})


def compare_batch_with_loop(make, parameters: dict, x: np.ndarray, shape: tuple[int, ...]) -> None:
    """Solve ``make(**parameters)`` once as a batch and element by element; compare every output."""
    batch = ss.solve(make(**parameters))
    assert batch.batch_shape == shape
    efficiency = batch.efficiency()
    profiles = (batch.spin_accumulation(x), batch.spin_current(x), batch.electrochemical_potential(x))
    assert profiles[0].shape == shape + x.shape + (3,) and profiles[2].shape == shape + x.shape
    for index in np.ndindex(*shape):
        def pick(key, value):
            if isinstance(value, dict):
                return {name: np.broadcast_to(v, shape)[index] for name, v in value.items()}
            if key in VECTORS:
                return np.broadcast_to(value, shape + (3,))[index]
            return np.broadcast_to(value, shape)[index]

        single = ss.solve(make(**{k: pick(k, v) for k, v in parameters.items()}))
        assert single.batch_shape == ()
        scale = scale_of(single)
        for name in OUTPUTS:
            np.testing.assert_allclose(getattr(batch, name)[index], getattr(single, name), rtol=1e-13, atol=1e-15 * scale,
                                       err_msg=f"{name} at {index}")
        single_efficiency = single.efficiency()
        for name in ("g1", "g2", "g1_field", "g2_field", "theta"):
            np.testing.assert_allclose(getattr(efficiency, name)[index], getattr(single_efficiency, name), rtol=1e-13,
                                       atol=1e-15, err_msg=f"{name} at {index}")
        np.testing.assert_allclose(profiles[0][index], single.spin_accumulation(x), rtol=1e-13, atol=1e-15 * scale)
        np.testing.assert_allclose(profiles[1][index], single.spin_current(x), rtol=1e-13, atol=1e-15 * scale)
        np.testing.assert_allclose(profiles[2][index], single.electrochemical_potential(x), rtol=1e-13, atol=1e-15 * scale)


BASE = dict(D_F1=1.2, p1=0.6, l1=4.0, d1=1.5, D_N=2.5, l_N=8.0, d_N=1.0, D_F2=0.9, p2=0.35, l2=2.0, d2=2.5,
            m1=np.array([0.0, 0.0, 1.0]), m2=ss.polar(60.0, 30.0), j0=1.0)


def test_batch_broadcasts_thickness_column_with_angle_row():
    # thickness (3, 1) x theta (1, 4) -> batch (3, 4), the F-lead co-rotating with F2
    theta = np.array([[0.0, 45.0, 120.0, 180.0]])
    m2 = ss.polar(theta, 30.0)
    parameters = dict(BASE, d_N=np.array([[0.3], [1.0], [4.0]]), m2=m2, lead_m=m2)
    compare_batch_with_loop(seed_like, parameters, np.array([[-1.0, 0.0, 0.7, 1.5, 2.0], [2.4, 3.1, 5.0, 5.6, 9.0]]), (3, 4))


def test_batch_of_every_parameter():
    rng = np.random.default_rng(11)
    parameters = dict(
        D_F1=rng.uniform(0.5, 3, (2, 1, 1)), p1=np.array([-0.8, 0.1, 0.7])[None, :, None], l1=np.array([[[1.0]], [[np.inf]]]),
        d1=rng.uniform(0.2, 3, (1, 3, 1)), D_N=rng.uniform(0.5, 3, (1, 1, 4)), l_N=np.array([0.5, 5.0, np.inf, 20.0]),
        d_N=rng.uniform(0.2, 3, (2, 3, 4)), D_F2=rng.uniform(0.5, 3, (3, 1)), p2=rng.uniform(-0.9, 0.9, (1, 4)),
        l2=np.array([2.0, np.inf, 7.0, 0.4]), d2=rng.uniform(0.2, 3, (2, 1, 4)),
        m1={"theta": rng.uniform(0, 180, (2, 3, 1)), "phi": rng.uniform(0, 360, (1, 1, 4))},
        m2=ss.polar(rng.uniform(0, 180, (3, 4)), 15.0), j0=np.array([[0.0, 1.0, -2.5, 0.3]]),
        lead_l=np.array([1.0, 3.0, 9.0, np.inf])[None, None, :],
    )
    compare_batch_with_loop(seed_like, parameters, np.linspace(-3.0, 12.0, 23), (2, 3, 4))


def test_batch_with_collinear_angles_and_vector_magnetizations():
    # theta exactly 0 and 180 (efficiency limits) mixed with generic angles in one batch
    theta = np.array([0.0, 1e-5, 30.0, 90.0, 179.9999, 180.0])
    m1 = np.array([[0.0, 0.0, 2.0]] * 6)  # vectors, normalised by the model
    parameters = dict(BASE, m1=m1, m2=ss.polar(theta, 0.0), j0=np.array([1.0, 0.0, -1.0, 2.0, 0.5, 1.0]))
    compare_batch_with_loop(seed_like, parameters, np.array([0.1, 1.7, 4.9]), (6,))


def test_batched_profiles_with_batched_thicknesses():
    # the same x falls in different layers for different configurations
    d1 = np.array([0.5, 1.0, 2.0, 4.0])[:, None]
    d2 = np.array([0.5, 3.0])[None, :]
    parameters = dict(BASE, d1=d1, d2=d2)
    x = np.array([[0.4, 0.5, 0.6], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 20.0]])
    compare_batch_with_loop(seed_like, parameters, x, (4, 2))
    sol = ss.solve(seed_like(**parameters))
    # every batch element's node positions are its own cumulative thicknesses
    expected = np.cumsum(np.stack(np.broadcast_arrays(0 * d1 * d2, d1 + 0 * d2, 1.0 + 0 * d1 * d2, d2 + 0 * d1,
                                                      0.6 + 0 * d1 * d2), axis=-1), axis=-1)
    np.testing.assert_allclose(sol.node_positions, expected, rtol=1e-15)


# ----------------------------------------------------------------- hypothesis
def floats(low, high):
    # physical parameters: no subnormal numbers (their round-off is not relative)
    return st.floats(low, high, allow_subnormal=False)


finite_l = floats(0.2, 20.0)
lengths = st.one_of(st.just(math.inf), finite_l)


@st.composite
def unit_vectors(draw):
    theta = draw(floats(0.0, 180.0))
    phi = draw(floats(0.0, 360.0))
    return ss.polar(theta, phi)


@st.composite
def stacks(draw):
    n = draw(st.integers(0, 5))
    layers = []
    for _ in range(n):
        kind = draw(st.sampled_from(["N", "F"]))
        D, l, d = draw(floats(0.2, 5.0)), draw(lengths), draw(floats(0.01, 10.0))
        p, m = 0.0, None
        if kind == "F":
            p = draw(floats(-0.95, 0.95))
            m = draw(unit_vectors())
            if layers and layers[-1][0] == "F":
                m = layers[-1][4] * draw(st.sampled_from([1.0, -1.0]))
        layers.append((kind, D, l, p, m, d))
    ends = []
    for side in ("left", "right"):
        options = ["N", "F"] if n == 0 else ["reservoir", "N", "F"]
        kind = draw(st.sampled_from(options))
        if kind == "reservoir":
            ends.append(None)
            continue
        neighbour = (layers[0] if side == "left" else layers[-1]) if layers else None
        m = None
        if kind == "F":
            if neighbour is not None and neighbour[0] == "F":
                m = neighbour[4] * draw(st.sampled_from([1.0, -1.0]))
            elif side == "right" and n == 0 and ends[0] is not None and ends[0][0] == "F":
                m = ends[0][4] * draw(st.sampled_from([1.0, -1.0]))  # bare F/F contact: collinear
            else:
                m = draw(unit_vectors())
        ends.append((kind, draw(floats(0.2, 5.0)), draw(finite_l if n == 0 else lengths),
                     draw(floats(-0.95, 0.95)) if kind == "F" else 0.0, m))
    if ends[0] is not None and ends[1] is not None and all(math.isinf(part[2]) for part in layers + ends):
        first = layers[0]
        layers[0] = first[:2] + (draw(finite_l),) + first[3:]
    j0 = draw(st.one_of(st.just(0.0), floats(0.01, 5.0), floats(-5.0, -0.01)))  # no subnormal currents
    return layers, ends[0], ends[1], j0


@st.composite
def rotations(draw):
    # a rotation from a random non-zero quaternion
    q = np.array([draw(floats(-1, 1)) for _ in range(4)])
    if np.linalg.norm(q) < 0.1:
        q = np.array([1.0, 0.2, -0.3, 0.5])
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(stacks())
def test_property_finite_and_conserving(case):
    layers, left, right, j0 = case
    sol = ss.solve(build(layers, left, right, j0))
    x = profile_points(layers)
    for value in [getattr(sol, name) for name in OUTPUTS] + [sol.spin_accumulation(x), sol.spin_current(x),
                                                            sol.electrochemical_potential(x)]:
        assert np.all(np.isfinite(value))
    if generic_two_f(layers):
        efficiency = sol.efficiency()
        assert all(np.isfinite(getattr(efficiency, name)) for name in ("g1", "g2", "g1_field", "g2_field", "theta"))
    # spin in - spin out = deposits + spin-flip losses
    scale = stiffness_scale(layers, sol) * (len(layers) + 2)
    np.testing.assert_allclose(sol.spin_current_in - sol.spin_current_out,
                               sol.deposit.sum(axis=-2) + sol.spin_flip_loss.sum(axis=-2), rtol=0, atol=16 * EPS * scale)
    # torque normal to m, and equal to the transverse part of the deposits at the layer's two faces
    reservoir = [left is None] + [False] * (len(layers) - 1) + [right is None] if layers else []
    for i, (kind, *_rest) in enumerate(layers):
        m = layers[i][4]
        if kind == "N":
            assert np.all(sol.torque[i] == 0)
            continue
        assert abs(np.dot(sol.torque[i], m)) <= 16 * EPS * scale
        total = sum(sol.deposit[k] for k in (i, i + 1) if not reservoir[k])
        np.testing.assert_allclose(sol.torque[i], total - np.dot(total, m) * m, rtol=0, atol=16 * EPS * scale)


@PROPERTY
@given(stacks(), rotations())
def test_property_rotation_covariance(case, Q):
    assert_rotation_covariant(*case, Q)


@PROPERTY
@given(stacks())
def test_property_current_reversal(case):
    layers, left, right, j0 = case
    forward, backward = ss.solve(build(layers, left, right, j0)), ss.solve(build(layers, left, right, -j0))
    for name in SPIN_OUTPUTS:
        np.testing.assert_allclose(getattr(backward, name), -getattr(forward, name), rtol=1e-14, atol=1e-300)
    assert float(backward.resistance_area) == float(forward.resistance_area)
    if generic_two_f(layers):
        a, b = forward.efficiency(), backward.efficiency()
        assert float(a.g1) == pytest.approx(float(b.g1), rel=1e-14, abs=1e-300)
        assert float(a.g2) == pytest.approx(float(b.g2), rel=1e-14, abs=1e-300)
