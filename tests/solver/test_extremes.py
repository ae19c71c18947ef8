"""Extreme parameters: d/l from 1e-9 to 1e6, l = inf, p -> +-1, theta = 0 and pi, j0 = 0.

The reference is an independent high-precision evaluation with mpmath at 60 digits:

* the seed's closed form for N/F1/N/F2/N between reservoirs (MODEL.md 6, Appendix I/II):
  G~ = G coth(d/l), A_i = G~_i + G~_N, B = G~_N / cosh(d_N/l_N) = G_N / sinh(d_N/l_N),
  Det = A1 A2 - B^2 cos^2 theta, mu1 = j0 (A2 p1 - B cos p2)/Det, mu2 = j0 (B cos p1 - A1 p2)/Det,
  g1 = B (A1 p2 - B cos p1)/Det, g2 = B (A2 p1 - B cos p2)/Det;
* for any stack, the node system of MODEL.md 3a assembled from its definition and solved by
  mpmath's LU (two-ports G coth, G csch evaluated in 60-digit arithmetic, where csch(1e6) is a
  perfectly ordinary number), with face currents, deposits, torques, losses and profiles.

Tolerances follow the conditioning of what is compared (the comments say which):

* node accumulations are well conditioned functions of the inputs: 1e-13 relative (normwise);
* a spin current, deposit or torque is a sum of terms of size |p j0| and (D / 2 min(d, l)) |mu|
  (the two-port): its round-off is a few eps of that size, however small the result (a torque
  through a spacer with d/l = 1e3 is e^-1000 ~ 0 and cannot be resolved relatively);
* g = -T.(m1 x (m2 x m1)) / sin^2 theta inherits that absolute error divided by sin theta;
* the resistance-area contains d (1 - p^2) / D: for p -> 1 the subtraction 1 - p^2 carries an
  absolute error ~ eps (p^2 is rounded), i.e. eps d / D absolute in r.
"""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest

import spinstack as ss
from spinstack.solver import kernels
from spinstack.prepared import stack_arrays
from spinstack.solver import applicable_backends, backend_names

EPS = np.finfo(float).eps
DPS = 60


# -------------------------------------------------------------------- descriptions
# layer: (kind, D, l, p, m, d); end: None (reservoir) or (kind, D, l, p, m)
def build(layers, left=None, right=None, j0=1.0) -> ss.Stack:
    def material(kind, D, l, p, name):
        return ss.Ferromagnet(name, D, p, l) if kind == "F" else ss.Normal(name, D, l)

    built = [ss.Layer(material(kind, D, l, p, f"{kind}{i}"), d, m) for i, (kind, D, l, p, m, d) in enumerate(layers)]
    ends = [ss.Reservoir() if e is None else ss.Lead(material(e[0], e[1], e[2], e[3], f"{e[0]}_{side}"), e[4])
            for side, e in (("left", left), ("right", right))]
    return ss.Stack(built, left=ends[0], right=ends[1], current=j0)


def as_used(stack: ss.Stack, layers, left, right):
    """The same description with the magnetizations exactly as the model stored them (normalised)."""
    layers = [layer[:4] + (None if layer[4] is None else np.asarray(built.magnetization, float),) + layer[5:]
              for layer, built in zip(layers, stack.layers)]
    ends = []
    for end, built in ((left, stack.left), (right, stack.right)):
        ends.append(None if end is None else end[:4] + (None if end[4] is None else np.asarray(built.magnetization, float),))
    return layers, ends[0], ends[1]


# ------------------------------------------------------------- mpmath references
def mpf(value) -> mp.mpf:
    return mp.mpf(float(value))  # exactly the double the solver sees


def mp_vector(v) -> mp.matrix:
    """A 3-vector at DPS digits (an mp.matrix passes through unchanged)."""
    return v if isinstance(v, mp.matrix) else mp.matrix([mpf(c) for c in v])


def dot(a, b):
    return sum(a[i] * b[i] for i in range(3))


def two_port(D, l, d):
    """(G coth(d/l), G csch(d/l)) at 60 digits; D / (2 d) both for l = inf."""
    D, d = mpf(D), mpf(d)
    if math.isinf(l):
        return D / (2 * d), D / (2 * d)
    l = mpf(l)
    G, X = D / (2 * l), d / l
    return G * mp.coth(X), G * mp.csch(X)


def reference(layers, left, right, j0=1.0):
    """Exact solution of MODEL.md 3a at DPS digits: dict of node values, currents, torques, ..."""
    with mp.workdps(DPS):
        j0 = mpf(j0)
        n_layers = len(layers)
        elements = [left] + list(layers) + [right]
        zero = mp.matrix(3, 1)
        stiff, transfer, source = [], [], []
        for index, e in enumerate(elements):
            if e is None:
                stiff.append(mp.mpf(0)), transfer.append(mp.mpf(0)), source.append(zero)
                continue
            kind, D, l, p, m = e[:5]
            if index in (0, len(elements) - 1):
                stiff.append(mp.mpf(0) if math.isinf(l) else mpf(D) / (2 * mpf(l)))
                transfer.append(mp.mpf(0))
            else:
                gc, gs = two_port(D, l, e[5])
                stiff.append(gc), transfer.append(gs)
            source.append(mpf(p) * j0 * mp_vector(m) if kind == "F" else zero)
        # unknowns: coordinates of mu_k on the allowed directions E_k
        bases, offsets, size = [], [], 0
        for k in range(n_layers + 1):
            reservoir = (k == 0 and left is None) or (k == n_layers and right is None)
            magnets = [e[4] for e in (elements[k], elements[k + 1]) if e is not None and e[0] == "F"]
            if reservoir:
                basis = []
            elif magnets:
                basis = [mp_vector(magnets[0])]
            else:
                basis = [mp.matrix([1 if i == j else 0 for i in range(3)]) for j in range(3)]
            bases.append(basis)
            offsets.append(size)
            size += len(basis)

        def node_mu(y, k):
            total = mp.matrix(3, 1)
            for j, e in enumerate(bases[k]):
                total += y[offsets[k] + j] * e
            return total

        # balance at node k: E^T [ (s_k + Gs_k mu_{k-1} - Gc_k mu_k) - (s_{k+1} + Gc_{k+1} mu_k - Gs_{k+1} mu_{k+1}) ] = 0,
        # i.e. E^T [(Gc_k + Gc_{k+1}) mu_k - Gs_k mu_{k-1} - Gs_{k+1} mu_{k+1}] = E^T (s_k - s_{k+1})
        A = mp.matrix(size, size)
        rhs = mp.matrix(size, 1)
        for k, basis in enumerate(bases):
            for i, e in enumerate(basis):
                row = offsets[k] + i
                rhs[row] = dot(e, source[k] - source[k + 1])
                for j, f in enumerate(basis):
                    A[row, offsets[k] + j] = (stiff[k] + stiff[k + 1]) * dot(e, f)
                if k > 0:
                    for j, f in enumerate(bases[k - 1]):
                        A[row, offsets[k - 1] + j] = -transfer[k] * dot(e, f)
                if k < n_layers:
                    for j, f in enumerate(bases[k + 1]):
                        A[row, offsets[k + 1] + j] = -transfer[k + 1] * dot(e, f)
        y = mp.lu_solve(A, rhs) if size else mp.matrix(0, 1)
        # 1-norm condition number of the node system: the accuracy any double-precision solver of
        # MODEL.md 3a can promise is ~ eps kappa (relative to max |mu|)
        kappa = float(mp.mnorm(A, 1) * mp.mnorm(mp.inverse(A), 1)) if size else 1.0
        mu = [node_mu(y, k) for k in range(n_layers + 1)]
        left_face = [source[i + 1] + stiff[i + 1] * mu[i] - transfer[i + 1] * mu[i + 1] for i in range(n_layers)]
        right_face = [source[i + 1] + transfer[i + 1] * mu[i] - stiff[i + 1] * mu[i + 1] for i in range(n_layers)]
        lead_left = None if left is None else source[0] - stiff[0] * mu[0]
        lead_right = None if right is None else source[-1] + stiff[-1] * mu[-1]
        arriving = [lead_left if lead_left is not None else zero] + right_face
        leaving = left_face + [lead_right if lead_right is not None else zero]
        deposit = []
        for k in range(n_layers + 1):
            reservoir = (k == 0 and left is None) or (k == n_layers and right is None)
            deposit.append(zero if reservoir else arriving[k] - leaving[k])
        torque, loss = [], []
        for i, (kind, D, l, p, m, d) in enumerate(layers):
            if kind == "F":
                mv = mp_vector(m)
                total = deposit[i] + deposit[i + 1]
                torque.append(total - dot(mv, total) * mv)
            else:
                torque.append(zero)
            if math.isinf(l):
                loss.append(zero)
            else:
                loss.append(mpf(D) / (2 * mpf(l)) * mp.tanh(mpf(d) / (2 * mpf(l))) * (mu[i] + mu[i + 1]))
        ohmic, spin = mp.mpf(0), mp.mpf(0)
        for i, (kind, D, l, p, m, d) in enumerate(layers):
            ohmic += mpf(d) * (1 - mpf(p) ** 2) / mpf(D)
            if kind == "F":
                spin += mpf(p) / 2 * dot(mp_vector(m), mu[i + 1] - mu[i])
        if left is not None and left[0] == "F":
            spin += mpf(left[3]) / 2 * dot(mp_vector(left[4]), mu[0])
        if right is not None and right[0] == "F":
            spin -= mpf(right[3]) / 2 * dot(mp_vector(right[4]), mu[-1])
        return dict(mu=mu, left_face=left_face, right_face=right_face, lead_left=lead_left, lead_right=lead_right,
                    deposit=deposit, torque=torque, loss=loss, ohmic=ohmic, spin=spin, j0=j0, kappa=kappa)


def to_array(vectors) -> np.ndarray:
    return np.array([[float(v[i]) for i in range(3)] for v in vectors]).reshape(len(vectors), 3)


def reference_efficiency(layers, ref, first, second):
    """g1, g2 of seed eq. 1 from the reference torques (per unit current)."""
    with mp.workdps(DPS):
        m1, m2 = mp_vector(layers[first][4]), mp_vector(layers[second][4])
        cross = lambda a, b: mp.matrix([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])  # noqa: E731
        t1, t2 = ref["torque"][first] / ref["j0"], ref["torque"][second] / ref["j0"]
        norm = dot(cross(m1, m2), cross(m1, m2))
        return (-dot(t1, cross(m1, cross(m2, m1))) / norm, dot(t2, cross(m2, cross(m1, m2))) / norm)


def seed_closed_form(D1, p1, l1, d1, DN, lN, dN, D2, p2, l2, d2, cos_theta, j0=1.0):
    """MODEL.md 6 / Appendix I-II at DPS digits: mu1, mu2, g1, g2."""
    with mp.workdps(DPS):
        G1, GN_cs = two_port(D1, l1, d1)[0], two_port(DN, lN, dN)
        G2 = two_port(D2, l2, d2)[0]
        A1, A2, B = G1 + GN_cs[0], G2 + GN_cs[0], GN_cs[1]
        c, p1, p2, j0 = mpf(cos_theta), mpf(p1), mpf(p2), mpf(j0)
        det = A1 * A2 - B**2 * c**2
        return (j0 * (A2 * p1 - B * c * p2) / det, j0 * (B * c * p1 - A1 * p2) / det,
                B * (A1 * p2 - B * c * p1) / det, B * (A2 * p1 - B * c * p2) / det)


# ------------------------------------------------------------------ comparisons
def current_scale(layers, left, right, sol) -> float:
    """Size of the terms spin currents are summed from: |p j0|, (D / 2 min(d, l)) |mu| (two-port)."""
    j0 = float(np.abs(sol.current).max())
    mu = np.abs(sol.accumulation).max(axis=-1)
    values = [j0]
    for i, (kind, D, l, p, m, d) in enumerate(layers):
        values.append(abs(p) * j0 + D / (2 * min(d, l)) * (mu[i] + mu[i + 1]))
    for end, k in ((left, 0), (right, -1)):
        if end is not None:
            values.append(abs(end[3]) * j0 + (0 if math.isinf(end[2]) else end[1] / (2 * end[2])) * mu[k])
    return float(max(values))


def all_finite(sol: ss.Solution, x=None) -> None:
    names = ("accumulation", "spin_current_left", "spin_current_right", "torque", "deposit", "spin_current_in",
             "spin_current_out", "spin_flip_loss", "functional", "resistance_area", "spin_resistance_area")
    for name in names:
        assert np.all(np.isfinite(getattr(sol, name))), name
    if x is not None:
        for values in (sol.spin_accumulation(x), sol.spin_current(x), sol.electrochemical_potential(x)):
            assert np.all(np.isfinite(values))


def compare_with_reference(layers, left, right, j0=1.0, *, mu_rtol=1e-13, current_eps=64, r_extra=0.0):
    stack = build(layers, left, right, j0)
    layers, left, right = as_used(stack, layers, left, right)
    sol = ss.solve(stack)
    ref = reference(layers, left, right, j0)
    all_finite(sol, np.linspace(-5.0, float(sol.node_positions[-1]) + 5.0, 41))
    mu_ref = to_array(ref["mu"])
    # node values, normwise relative: 1e-13, or eps kappa when the node system is ill conditioned.
    # kappa ~ D / (2 d) / (the neighbours' stiffness) grows like 1/d for a layer much thinner than
    # its neighbours (d = 3e-9: kappa ~ 2e9, observed error 2.4e-7): in the Gc, Gs form of the
    # two-port the tiny spin-flip conductance Gc - Gs = G tanh(d/2l) of such a layer is a
    # difference of two huge numbers, so no solver of that system in double does better.
    mu_rtol = max(mu_rtol, 4 * EPS * ref["kappa"])
    np.testing.assert_allclose(sol.accumulation, mu_ref, rtol=0, atol=mu_rtol * np.abs(mu_ref).max() + 1e-300)
    # currents, deposits, torques: round-off relative to the terms they are summed from
    atol = current_eps * EPS * current_scale(layers, left, right, sol)
    n = len(layers)
    if n:
        np.testing.assert_allclose(sol.spin_current_left, to_array(ref["left_face"]), rtol=0, atol=atol)
        np.testing.assert_allclose(sol.spin_current_right, to_array(ref["right_face"]), rtol=0, atol=atol)
        np.testing.assert_allclose(sol.torque, to_array(ref["torque"]), rtol=0, atol=atol)
        # loss = G tanh(d/2l) (mu_a + mu_b): relative 1e-13, plus the node values' own error
        loss_ref = to_array(ref["loss"])
        for i, (_, D, l, _, _, d) in enumerate(layers):
            factor = 0.0 if math.isinf(l) else D / (2 * l) * math.tanh(d / (2 * l))
            np.testing.assert_allclose(sol.spin_flip_loss[i], loss_ref[i], rtol=1e-13,
                                       atol=2 * factor * mu_rtol * np.abs(mu_ref).max() + 1e-300)
    np.testing.assert_allclose(sol.deposit, to_array(ref["deposit"]), rtol=0, atol=atol)
    # resistance: ohmic part exact up to eps d / D per layer (rounding of 1 - p^2), spin part like mu
    ohmic, spin = float(ref["ohmic"]), float(ref["spin"] / ref["j0"]) if j0 else None
    polarisations = sum(abs(layer[3]) for layer in layers) + sum(abs(e[3]) for e in (left, right) if e is not None)
    r_tol = (1e-13 * (abs(ohmic) + abs(float(ref["spin"]))) + sum(4 * EPS * d / D for (_, D, _, _, _, d) in layers)
             + mu_rtol * polarisations * np.abs(mu_ref).max() / max(abs(j0), 1e-300) + r_extra)
    if spin is not None:
        assert float(sol.resistance_area) == pytest.approx(ohmic + spin, rel=0, abs=r_tol)
        assert float(sol.spin_resistance_area) == pytest.approx(spin, rel=0, abs=r_tol)
    ref["mu_rtol"] = mu_rtol
    return sol, ref, layers, left, right


# ------------------------------------------------------------------------ d / l
RATIOS = [1e-9, 1e-6, 1e-3, 1.0, 30.0, 1e3, 1e6]
WHERE = ["outer N", "F1", "spacer", "F2", "all"]


def extreme_stack(where: str, ratio: float, vary: str):
    """N-lead | N0 | F1 | N1 | F2 | N2 | reservoir with d/l = ratio in the chosen layer(s)."""
    m1, m2 = ss.polar(20.0, 10.0), ss.polar(110.0, 75.0)
    layers = [["N", 2.0, 3.0, 0.0, None, 1.0], ["F", 1.2, 2.0, 0.55, m1, 1.5], ["N", 2.5, 6.0, 0.0, None, 0.8],
              ["F", 0.9, 1.5, -0.35, m2, 2.0], ["N", 1.7, 4.0, 0.0, None, 0.6]]
    chosen = {"outer N": [0, 4], "F1": [1], "spacer": [2], "F2": [3], "all": [0, 1, 2, 3, 4]}[where]
    for i in chosen:
        if vary == "l":
            layers[i][2] = layers[i][5] / ratio
        else:
            layers[i][5] = layers[i][2] * ratio
    return [tuple(layer) for layer in layers], ("N", 1.4, 5.0, 0.0, None), None


@pytest.mark.parametrize("vary", ["l", "d"])
@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("ratio", RATIOS)
def test_thickness_over_length_against_mpmath(ratio, where, vary):
    layers, left, right = extreme_stack(where, ratio, vary)
    sol, ref, layers, left, right = compare_with_reference(layers, left, right, j0=1.3)
    # g1, g2: torque round-off / sin theta (theta = angle between m1, m2, here ~ 95 degrees)
    g1, g2 = (float(g) for g in reference_efficiency(layers, ref, 1, 3))
    efficiency = sol.efficiency()
    unit_scale = current_scale(layers, left, right, sol) / 1.3
    sine = math.sqrt(1 - float(np.dot(layers[1][4], layers[3][4])) ** 2)
    # (relative: like the node values, 1e-12 or the conditioning-limited mu_rtol)
    rel = max(1e-12, 4 * ref["mu_rtol"])
    assert float(efficiency.g1) == pytest.approx(g1, rel=rel, abs=64 * EPS * unit_scale / sine)
    assert float(efficiency.g2) == pytest.approx(g2, rel=rel, abs=64 * EPS * unit_scale / sine)


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("where", ["F1", "spacer", "F2", "all"])
def test_seed_closed_form_at_extreme_ratios(ratio, where):
    # MODEL.md 6 closed form at 60 digits vs the solver, reservoir | F1 | N | F2 | reservoir
    base = dict(D1=1.0, p1=0.5, l1=2.0, d1=1.0, DN=1.3, lN=3.0, dN=1.2, D2=2.0, p2=0.3, l2=1.0, d2=1.5)
    for key in {"F1": ["l1"], "spacer": ["lN"], "F2": ["l2"], "all": ["l1", "lN", "l2"]}[where]:
        base[key] = base["d" + key[1:]] / ratio
    theta = 60.0
    m2 = ss.polar(theta, 0.0)
    layers = [("F", base["D1"], base["l1"], base["p1"], np.array([0.0, 0.0, 1.0]), base["d1"]),
              ("N", base["DN"], base["lN"], 0.0, None, base["dN"]),
              ("F", base["D2"], base["l2"], base["p2"], m2, base["d2"])]
    sol = ss.solve(build(layers))
    all_finite(sol, np.linspace(-1, 5, 13))
    mu1, mu2, g1, g2 = (float(v) for v in seed_closed_form(**base, cos_theta=m2[2]))
    # mu1, mu2 along m1, m2: well conditioned (Det >= A1 A2 sin^2 > 0)
    assert float(sol.accumulation[1] @ [0, 0, 1]) == pytest.approx(mu1, rel=1e-13)
    assert float(sol.accumulation[2] @ m2) == pytest.approx(mu2, rel=1e-13)
    np.testing.assert_allclose(np.cross(sol.accumulation[2], m2), 0, atol=4 * EPS * abs(mu2))
    # g_i: exact B mu_j is tiny for a thick spacer (B = G / sinh(d/l) ~ e^-X, 0 beyond X ~ 745 in
    # double); the solver gets it as a difference of face currents, absolute error ~ eps x scale / sin
    scale = current_scale(layers, None, None, sol)
    efficiency = sol.efficiency()
    sine = math.sin(math.radians(theta))
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-12, abs=64 * EPS * scale / sine)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-12, abs=64 * EPS * scale / sine)


@pytest.mark.parametrize("ratio", [1e-9, 1e-3, 1.0, 1e3, 1e6])
def test_profiles_at_extreme_ratios(ratio):
    # mu_s(x), j_s(x) and mu_0(x) inside layers with d/l = ratio, against MODEL.md 2 at 60 digits
    layers, left, right = extreme_stack("all", ratio, "l")
    stack = build(layers, left, right, 0.8)
    layers, left, right = as_used(stack, layers, left, right)
    sol = ss.solve(stack)
    ref = reference(layers, left, right, 0.8)
    nodes = np.asarray(sol.node_positions)
    mu_scale = max(float(abs(v)) for vec in ref["mu"] for v in vec) + 1e-300
    for i, (kind, D, l, p, m, d) in enumerate(layers):
        t = np.array([0.0, 1e-7, 0.01, 0.3, 0.5, 0.99, 1 - 1e-7])
        x = nodes[i] + t * d
        got_mu, got_j = sol.spin_accumulation(x), sol.spin_current(x)
        with mp.workdps(DPS):
            a, b = ref["mu"][i], ref["mu"][i + 1]
            xa, xb, lm = mpf(nodes[i]), mpf(nodes[i + 1]), mpf(l)
            source = mpf(p) * ref["j0"] * (mp_vector(m) if m is not None else mp.matrix(3, 1))
            for point, mu_row, j_row in zip(x, got_mu, got_j):
                s = mpf(point)
                # exact profile and derivative (l = inf would be the straight line; l is finite here)
                mu_exact = (a * mp.sinh((xb - s) / lm) + b * mp.sinh((s - xa) / lm)) / mp.sinh((xb - xa) / lm)
                slope = (-a * mp.cosh((xb - s) / lm) + b * mp.cosh((s - xa) / lm)) / (lm * mp.sinh((xb - xa) / lm))
                j_exact = source - mpf(D) / 2 * slope
                # x itself is rounded (|dx| <= eps |x|): mu moves by |mu'| eps |x|, j by |j'| eps |x|
                np.testing.assert_allclose(mu_row, [float(v) for v in mu_exact], rtol=0,
                                           atol=16 * EPS * (mu_scale + float(mp.norm(slope)) * abs(point)))
                j_scale = abs(p) * 0.8 + D / (2 * min(d, l)) * mu_scale
                np.testing.assert_allclose(j_row, [float(v) for v in j_exact], rtol=0,
                                           atol=64 * EPS * j_scale * (1 + abs(point) / min(d, l)))
    all_finite(sol, np.linspace(-3.0, nodes[-1] + 3.0, 101))


def test_batch_of_extreme_ratios_is_finite():
    # one batch sweeping d/l from 1e-9 to 1e6 in every layer and the leads' l from 1e-9 to inf
    ratio = np.logspace(-9, 6, 31)
    F1, F2 = ss.Ferromagnet("F1", 1.0, 0.6, 1.0 / ratio), ss.Ferromagnet("F2", 2.0, -0.4, 2.0 / ratio[::-1])
    N = ss.Normal("N", 1.5, 0.5 / ratio)
    lead_l = np.concatenate([np.logspace(-9, 9, 30), [np.inf]])
    NL, FL = ss.Normal("NL", 1.0, lead_l), ss.Ferromagnet("FL", 1.0, 0.3, lead_l[::-1])
    stack = ss.Stack([ss.Layer(F1, 1.0, [1, 0, 0]), ss.Layer(N, 0.5), ss.Layer(F2, 2.0, ss.polar(80, 30))],
                     left=ss.Lead(NL), right=ss.Lead(FL, ss.polar(80, 30)), current=1.0)
    sol = ss.solve(stack)
    all_finite(sol, np.linspace(-2, 6, 33))
    efficiency = sol.efficiency()
    for name in ("g1", "g2", "g1_field", "g2_field"):
        assert np.all(np.isfinite(getattr(efficiency, name)))
    lhs = sol.spin_current_in - sol.spin_current_out
    rhs = sol.deposit.sum(-2) + sol.spin_flip_loss.sum(-2)
    # scale: the largest two-port term, D / (2 min(d, l)) |mu| ~ 1e9 for the thinnest ratio
    scale = np.max(np.abs(sol.accumulation), axis=(-1, -2)) * np.maximum(1.0, 1.0 * ratio) + 1.0
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=64 * EPS * scale.max())


# ------------------------------------------------------------------------ l = inf
NO_FLIP_CASES = {
    "reservoirs, every layer l=inf": ([("N", 2.0, math.inf, 0.0, None, 1.0), ("F", 1.0, math.inf, 0.5, ss.polar(30, 0), 2.0),
                                       ("N", 1.5, math.inf, 0.0, None, 0.7), ("F", 0.8, math.inf, -0.3, ss.polar(100, 60), 1.2),
                                       ("N", 2.5, math.inf, 0.0, None, 0.3)], None, None),
    "N lead l=inf | ... | reservoir": ([("F", 1.0, math.inf, 0.5, ss.polar(30, 0), 2.0), ("N", 1.5, math.inf, 0.0, None, 0.7),
                                        ("F", 0.8, math.inf, 0.6, ss.polar(100, 60), 1.2)], ("N", 1.0, math.inf, 0.0, None), None),
    "reservoir | ... | F lead l=inf": ([("N", 1.5, math.inf, 0.0, None, 0.7), ("F", 0.8, math.inf, 0.6, ss.polar(100, 60), 1.2),
                                        ("N", 1.0, math.inf, 0.0, None, 0.4)], None, ("F", 1.1, math.inf, 0.45, ss.polar(10, 200))),
    "F lead l=inf | F l=inf (collinear) | N | reservoir": ([("F", 0.8, math.inf, 0.6, -ss.polar(40, 60), 1.2),
                                                             ("N", 1.0, math.inf, 0.0, None, 0.4)],
                                                            ("F", 1.1, math.inf, 0.45, ss.polar(40, 60)), None),
    "leads l=inf, one relaxing layer": ([("N", 1.5, math.inf, 0.0, None, 0.7), ("F", 0.8, math.inf, 0.6, ss.polar(100, 60), 1.2),
                                         ("N", 1.0, 3.0, 0.0, None, 0.4)],
                                        ("F", 1.1, math.inf, 0.45, ss.polar(10, 200)), ("N", 1.0, math.inf, 0.0, None)),
    "bare F|N leads, one l=inf": ([], ("F", 1.1, math.inf, 0.45, ss.polar(10, 200)), ("N", 1.0, 2.0, 0.0, None)),
}


@pytest.mark.parametrize("case", list(NO_FLIP_CASES))
def test_no_spin_flip_anywhere_against_mpmath(case):
    layers, left, right = NO_FLIP_CASES[case]
    sol, ref, layers, left, right = compare_with_reference(layers, left, right, j0=-0.9)
    # no relaxation: the spin-flip loss is exactly zero and j_s is uniform inside every layer
    np.testing.assert_array_equal(sol.spin_flip_loss[[i for i, layer in enumerate(layers) if math.isinf(layer[2])]], 0.0)
    for i, layer in enumerate(layers):
        if math.isinf(layer[2]):
            np.testing.assert_allclose(sol.spin_current_left[i], sol.spin_current_right[i], rtol=0,
                                       atol=64 * EPS * current_scale(layers, left, right, sol))


def test_infinite_length_is_the_limit_of_long_lengths():
    # l = inf equals l -> inf: at l = 1e12 the two differ by O(d^2 / l^2) = 1e-24, invisible
    def stack(l):
        return build([("N", 2.0, l, 0.0, None, 1.0), ("F", 1.0, l, 0.5, ss.polar(30, 0), 2.0),
                      ("N", 1.5, l, 0.0, None, 0.7), ("F", 0.8, l, -0.3, ss.polar(100, 60), 1.2)], ("N", 1.0, 3.0, 0.0, None), None)
    a, b = ss.solve(stack(math.inf)), ss.solve(stack(1e12))
    for name in ("accumulation", "spin_current_left", "torque", "deposit"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=1e-13 * np.abs(getattr(a, name)).max())
    assert float(a.resistance_area) == pytest.approx(float(b.resistance_area), rel=1e-13)


# ------------------------------------------------------------------------ p -> +-1
P_EXTREMES = [1 - 1e-12, -(1 - 1e-12), float(np.nextafter(1.0, 0.0)), -float(np.nextafter(1.0, 0.0))]


@pytest.mark.parametrize("p", P_EXTREMES)
def test_polarisation_close_to_one(p):
    layers = [("N", 2.0, 3.0, 0.0, None, 1.0), ("F", 1.2, 2.0, p, ss.polar(20, 10), 1.5), ("N", 2.5, 6.0, 0.0, None, 0.8),
              ("F", 0.9, 1.5, -p, ss.polar(110, 75), 2.0), ("F", 0.7, 1.0, p, -ss.polar(110, 75), 0.5)]
    left, right = ("F", 1.0, 2.0, p, ss.polar(20, 10)), ("N", 1.0, 4.0, 0.0, None)
    # D is D_F (finite), so mu_s and torques are smooth in p; the resistance's d (1 - p^2)/D terms
    # carry the absolute rounding error of 1 - p^2 (~eps), covered in compare_with_reference
    sol, ref, layers, left, right = compare_with_reference(layers, left, right, j0=1.0)
    F = ss.Ferromagnet("F", 1.0, p, 2.0)
    assert np.isfinite(F.conductivity) and F.conductivity > 1e11


@pytest.mark.parametrize("p", P_EXTREMES)
def test_polarisation_close_to_one_seed_closed_form(p):
    base = dict(D1=1.0, p1=p, l1=2.0, d1=1.0, DN=1.3, lN=3.0, dN=1.2, D2=2.0, p2=-p * 0.5, l2=1.0, d2=1.5)
    for theta in (0.0, 45.0, 180.0):
        m2 = ss.polar(theta, 0.0)
        layers = [("F", 1.0, 2.0, p, np.array([0.0, 0.0, 1.0]), 1.0), ("N", 1.3, 3.0, 0.0, None, 1.2),
                  ("F", 2.0, 1.0, -p * 0.5, m2, 1.5)]
        sol = ss.solve(build(layers))
        mu1, mu2, g1, g2 = (float(v) for v in seed_closed_form(**base, cos_theta=m2[2]))
        assert float(sol.accumulation[1, 2]) == pytest.approx(mu1, rel=1e-13)
        assert float(sol.accumulation[2] @ m2) == pytest.approx(mu2, rel=1e-13)
        efficiency = sol.efficiency()
        assert float(efficiency.g1) == pytest.approx(g1, rel=1e-11)
        assert float(efficiency.g2) == pytest.approx(g2, rel=1e-11)


# ------------------------------------------------------------------------ theta = 0, pi
SEED_BASES = [
    dict(D1=1.0, p1=0.5, l1=2.0, d1=1.0, DN=1.3, lN=3.0, dN=1.2, D2=2.0, p2=0.3, l2=1.0, d2=1.5),
    dict(D1=0.4, p1=0.9, l1=10.0, d1=5.0, DN=3.0, lN=50.0, dN=0.1, D2=1.5, p2=0.2, l2=0.5, d2=0.2),
    dict(D1=2.0, p1=-0.6, l1=1.0, d1=0.3, DN=0.5, lN=0.7, dN=2.0, D2=0.3, p2=0.8, l2=4.0, d2=8.0),
]


@pytest.mark.parametrize("theta", [0.0, 180.0])
@pytest.mark.parametrize("base", range(len(SEED_BASES)))
def test_collinear_efficiency_is_the_closed_form_limit(base, theta):
    parameters = SEED_BASES[base]
    m2 = ss.polar(theta, 0.0)
    assert np.array_equal(np.abs(m2), [0.0, 0.0, 1.0])  # exactly collinear input
    layers = [("F", parameters["D1"], parameters["l1"], parameters["p1"], np.array([0.0, 0.0, 1.0]), parameters["d1"]),
              ("N", parameters["DN"], parameters["lN"], 0.0, None, parameters["dN"]),
              ("F", parameters["D2"], parameters["l2"], parameters["p2"], m2, parameters["d2"])]
    sol = ss.solve(build(layers))
    efficiency = sol.efficiency()
    _, _, g1, g2 = (float(v) for v in seed_closed_form(**parameters, cos_theta=m2[2]))
    # the closed form is continuous at cos = +-1; the solver's limit (complex step) is exact to O(h^2)
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-13, abs=1e-15)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-13, abs=1e-15)
    assert float(efficiency.g1_field) == pytest.approx(0.0, abs=1e-15)
    assert float(efficiency.theta) == math.radians(theta)
    assert np.all(sol.torque == 0) or np.abs(sol.torque).max() <= 4 * EPS


@pytest.mark.parametrize("side", [0.0, math.pi])
@pytest.mark.parametrize("angle", [0.0, 1e-12, 1e-9, 1e-7, 0.999e-6, 1.001e-6, 1e-5, 1e-3])
def test_efficiency_is_continuous_through_collinearity(angle, side):
    # g at angles 0 < |theta - side| << 1 against the 60-digit closed form at exactly that angle.
    # Below |sin| = 1e-6 the solver returns the limit (error O(theta^2) <= 1e-12 relative); above,
    # the projection T.(m1 x (m2 x m1)) / sin^2 (error ~ eps scale / sin theta <= 1e-10 relative).
    parameters = SEED_BASES[0]
    theta = side + angle if side == 0 else side - angle
    m2 = np.array([math.sin(theta), 0.0, math.cos(theta)])
    layers = [("F", 1.0, 2.0, 0.5, np.array([0.0, 0.0, 1.0]), 1.0), ("N", 1.3, 3.0, 0.0, None, 1.2), ("F", 2.0, 1.0, 0.3, m2, 1.5)]
    stack = build(layers)
    m2_used = np.asarray(stack.layers[2].magnetization)
    with mp.workdps(DPS):
        cos = mpf(m2_used[2]) / mp.sqrt(mpf(m2_used[0]) ** 2 + mpf(m2_used[2]) ** 2)
        _, _, g1, g2 = (float(v) for v in seed_closed_form(**parameters, cos_theta=cos))
    efficiency = ss.solve(stack).efficiency()
    sine = max(abs(math.sin(theta)), 1e-300)
    tolerance = 1e-12 + 64 * EPS / sine if sine > 1e-6 else 1e-12
    assert float(efficiency.g1) == pytest.approx(g1, rel=tolerance)
    assert float(efficiency.g2) == pytest.approx(g2, rel=tolerance)


def general_collinear_case(with_lead: str | None):
    """N-lead | N | F1 | N | F2 | N | reservoir (or leads), m1 generic, m2 = +-m1 exactly."""
    m1 = ss.polar(63.0, 201.0)
    layers = [("N", 2.0, 3.0, 0.0, None, 1.0), ("F", 1.2, 2.0, 0.55, m1, 1.5), ("N", 2.5, 6.0, 0.0, None, 0.8),
              ("F", 0.9, 1.5, -0.35, m1, 2.0)]
    left, right = ("N", 1.4, 5.0, 0.0, None), None
    if with_lead == "left F lead":  # F lead next to a spacer, collinear with m1
        left = ("F", 1.1, 4.0, 0.4, m1)
    if with_lead == "F lead touching F2":  # F2's own lead, which must turn with it
        right = ("F", 1.1, 4.0, 0.4, m1)
    elif with_lead is None:
        layers.append(("N", 1.7, 4.0, 0.0, None, 0.6))
    return layers, left, right


def normal_axis(m1) -> np.ndarray:
    axis = np.cross(m1, [0.0, 0.0, 1.0] if abs(m1[2]) < 0.9 else [1.0, 0.0, 0.0])
    return axis / np.linalg.norm(axis)


def reference_limit(layers, left, right, second, turn_right_lead):
    """g1, g2 at theta -> 0 (or pi) from the 60-digit solution at 1e-25 rad away (error O(1e-50)).

    F2 (and its touching lead, which must stay collinear with it) is turned about an axis normal to m1.
    """
    with mp.workdps(DPS):
        axis = mp_vector(normal_axis(layers[1][4]))
        angle = mp.mpf("1e-25")

        def turn(v):  # Rodrigues' formula
            v = mp_vector(v)
            cross = mp.matrix([axis[1] * v[2] - axis[2] * v[1], axis[2] * v[0] - axis[0] * v[2], axis[0] * v[1] - axis[1] * v[0]])
            return v * mp.cos(angle) + cross * mp.sin(angle) + axis * dot(axis, v) * (1 - mp.cos(angle))

        turned = list(layers)
        turned[second] = layers[second][:4] + (turn(layers[second][4]),) + layers[second][5:]
        if turn_right_lead:
            right = right[:4] + (turn(right[4]),)
        ref = reference(turned, left, right, 1.0)
        return tuple(float(g) for g in reference_efficiency(turned, ref, 1, second))


def turned_by(layers, right, angle, turn_right_lead):
    """The description with m2 (and its lead) turned by ``angle`` rad about an axis normal to m1 (doubles)."""
    axis = normal_axis(layers[1][4])
    old = layers[3][4]
    m2 = old * math.cos(angle) + np.cross(axis, old) * math.sin(angle) + axis * np.dot(axis, old) * (1 - math.cos(angle))
    layers = list(layers)
    layers[3] = layers[3][:4] + (m2,) + layers[3][5:]
    if turn_right_lead:
        right = right[:4] + (np.sign(np.dot(right[4], old)) * m2,)
    return layers, right


def collinear_case(kind: str | None, flip: float):
    layers, left, right = general_collinear_case(kind)
    layers[3] = layers[3][:4] + (flip * layers[3][4],) + layers[3][5:]
    if kind == "F lead touching F2":
        right = right[:4] + (flip * right[4],)
    stack = build(layers, left, right)
    return stack, *as_used(stack, layers, left, right)


@pytest.mark.parametrize("flip", [1.0, -1.0], ids=["theta=0", "theta=pi"])
def test_collinear_efficiency_general_stack(flip):
    # N-lead | N | F1 | N | F2 | N | reservoir with m2 = +-m1 exactly, m1 off the axes
    stack, layers, left, right = collinear_case(None, flip)
    g1, g2 = reference_limit(layers, left, right, 3, False)
    efficiency = ss.solve(stack).efficiency()
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-12)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-12)
    # nearby valid angles agree to O(theta^2) (+ eps / theta from the projection)
    for angle in (1e-4, -1e-4, 1e-7):
        near_layers, near_right = turned_by(layers, right, angle, False)
        near = ss.solve(build(near_layers, left, near_right)).efficiency()
        # g is a smooth function of cos theta: the offset is O(angle^2) in absolute terms
        tolerance = 10 * angle**2 * max(1.0, abs(g1), abs(g2)) + 1e-9
        assert float(near.g1) == pytest.approx(g1, rel=0, abs=tolerance)
        assert float(near.g2) == pytest.approx(g2, rel=0, abs=tolerance)


@pytest.mark.parametrize("flip", [1.0, -1.0], ids=["theta=0", "theta=pi"])
def test_collinear_efficiency_with_left_ferromagnetic_lead(flip):
    stack, layers, left, right = collinear_case("left F lead", flip)
    g1, g2 = reference_limit(layers, left, right, 3, False)
    # nearby valid angles and the collinear limit (complex step with a real left-lead source) agree
    near_layers, near_right = turned_by(layers, right, 1e-4, False)
    near = ss.solve(build(near_layers, left, near_right)).efficiency()
    assert float(near.g1) == pytest.approx(g1, rel=0, abs=1e-7 * max(1.0, abs(g1), abs(g2)))
    assert float(near.g2) == pytest.approx(g2, rel=0, abs=1e-7 * max(1.0, abs(g1), abs(g2)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        efficiency = ss.solve(stack).efficiency()
    complex_warnings = [w for w in caught if issubclass(w.category, np.exceptions.ComplexWarning)]
    assert not complex_warnings, "imaginary parts of the complex-step solve discarded"
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-12)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-12)


@pytest.mark.parametrize("flip", [1.0, -1.0], ids=["theta=0", "theta=pi"])
def test_collinear_efficiency_with_lead_touching_f2(flip):
    stack, layers, left, right = collinear_case("F lead touching F2", flip)
    g1, g2 = reference_limit(layers, left, right, 3, True)
    # nearby valid angles (the lead turned with F2) approach the reference limit ...
    near_layers, near_right = turned_by(layers, right, 1e-4, True)
    near = ss.solve(build(near_layers, left, near_right)).efficiency()
    assert float(near.g1) == pytest.approx(g1, rel=0, abs=1e-7 * max(1.0, abs(g1), abs(g2)))
    assert float(near.g2) == pytest.approx(g2, rel=0, abs=1e-7 * max(1.0, abs(g1), abs(g2)))
    # ... and so does the collinear value (F2 and the lead turn together in the complex step)
    efficiency = ss.solve(stack).efficiency()
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-12)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-12)


# ------------------------------------------------------------------------ j0 = 0
def test_zero_current():
    layers = [("N", 2.0, 3.0, 0.0, None, 1.0), ("F", 1.2, 2.0, 0.55, ss.polar(20, 10), 1.5), ("N", 2.5, math.inf, 0.0, None, 0.8),
              ("F", 0.9, 1.5, -0.35, ss.polar(110, 75), 2.0), ("N", 1.7, 4.0, 0.0, None, 0.6)]
    left, right = ("F", 1.0, 2.0, 0.3, ss.polar(50, 50)), ("N", 1.0, 4.0, 0.0, None)
    zero, one = ss.solve(build(layers, left, right, 0.0)), ss.solve(build(layers, left, right, 1.0))
    x = np.linspace(-3, 9, 49)
    for name in ("accumulation", "spin_current_left", "spin_current_right", "torque", "deposit", "spin_current_in",
                 "spin_current_out", "spin_flip_loss", "functional"):
        assert np.all(getattr(zero, name) == 0), name
    for values in (zero.spin_accumulation(x), zero.spin_current(x), zero.electrochemical_potential(x)):
        assert np.all(values == 0)
    # ratios are defined at j0 = 0 and equal their j0 = 1 values (outputs are linear in j0)
    assert float(zero.resistance_area) == pytest.approx(float(one.resistance_area), rel=1e-15)
    assert float(zero.spin_resistance_area) == pytest.approx(float(one.spin_resistance_area), rel=1e-15)
    a, b = zero.efficiency(), one.efficiency()
    for name in ("g1", "g2", "g1_field", "g2_field", "theta"):
        assert np.isfinite(getattr(a, name))
        assert float(getattr(a, name)) == pytest.approx(float(getattr(b, name)), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("theta", [0.0, 180.0])
def test_zero_current_at_collinear_angles(theta):
    layers = [("F", 1.0, 2.0, 0.5, np.array([0.0, 0.0, 1.0]), 1.0), ("N", 1.3, 3.0, 0.0, None, 1.2),
              ("F", 2.0, 1.0, 0.3, ss.polar(theta, 0.0), 1.5)]
    zero = ss.solve(build(layers, j0=0.0))
    _, _, g1, g2 = (float(v) for v in seed_closed_form(**SEED_BASES[0], cos_theta=math.cos(math.radians(theta))))
    efficiency = zero.efficiency()
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-13)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-13)
    assert np.all(zero.torque == 0)


@pytest.mark.parametrize("backend", backend_names())
@pytest.mark.parametrize("case", ["thin F, d/l = 1e-9", "thin F, d/l = 1e-12", "spacer d/l = 40", "spacer d/l = 100",
                                  "spacer d/l = 300"])
def test_torques_keep_their_relative_precision(case, backend):
    """Tilted m1, m2 (no axis alignment to hide rounding): g1, g2 and the torque vectors to 1e-11 relative against
    the 60-digit closed form, even where they are ~1e-18 (a spacer 40 l thick) or carried by a 1e-9 l thin F, on
    every solver backend (the efficiencies by the compiled kernel for "compiled", from the torques otherwise).
    An F's own faces and the neighbours' terms along m are left out of the torque: they are exactly along m,
    and their rounding (~eps Gc mu) once flipped the sign of g2 beyond a thick spacer."""
    base = dict(D1=1.0, p1=0.5, l1=1.0, d1=1.0, DN=3.0, lN=10.0, dN=2.0, D2=1.0, p2=0.5, l2=1.0, d2=1.0)
    value = float(case.split("= ")[1])
    if case.startswith("thin"):
        base["d1"] = base["d2"] = value
    else:
        base["dN"] = value * base["lN"]
    m1, m2 = ss.polar(20.0, 30.0), ss.polar(80.0, 30.0)
    F1, F2 = (ss.Ferromagnet(f"F{i}", base[f"D{i}"], base[f"p{i}"], base[f"l{i}"]) for i in (1, 2))
    stack = ss.Stack([ss.Layer(F1, base["d1"], m1), ss.Layer(ss.Normal("N", base["DN"], base["lN"]), base["dN"]),
                      ss.Layer(F2, base["d2"], m2)])
    arrays = stack_arrays(stack)
    if backend not in applicable_backends(arrays):
        if backend in ("compiled", "banded", "banded-numba") and kernels.stiff_layer(arrays) is not None:
            pytest.skip(f"{backend} leaves a stiff thin layer to the numpy and linked steps")
        pytest.skip(f"{backend} does not take the stack (numba is not installed)")
    solution = ss.solve(stack, backend=backend)
    _, _, g1, g2 = (float(v) for v in seed_closed_form(**base, cos_theta=float(m1 @ m2)))
    efficiency = solution.efficiency()
    assert float(efficiency.g1) == pytest.approx(g1, rel=1e-11)
    assert float(efficiency.g2) == pytest.approx(g2, rel=1e-11)
    # seed eq. (1): T1 = -j0 g1 m1 x (m2 x m1), T2 = +j0 g2 m2 x (m1 x m2)
    np.testing.assert_allclose(solution.torque[0], -g1 * np.cross(m1, np.cross(m2, m1)), rtol=1e-11, atol=0)
    np.testing.assert_allclose(solution.torque[2], g2 * np.cross(m2, np.cross(m1, m2)), rtol=1e-11, atol=0)


def test_long_stack_path_keeps_the_torques_precision():
    """A single stack of more than 8 layers takes the banded path (solver/banded.py): the ~e^-40 torque on the
    last F, 40 l of N away from the one before it, equals the batched elimination's (a batch of one, checked
    against the closed form above) to 1e-11 relative.  (Through several N layers in a row the transverse
    spin passes free nodes, whose 3-vectors carry it with an absolute, not relative, error of ~eps |mu|.)"""
    F, N = ss.Ferromagnet("F", 1.0, 0.5, 1.0), ss.Normal("N", 3.0, 10.0)
    layers = []
    for k in range(5):
        layers.append(ss.Layer(F, 1.0, ss.polar(20.0 + 15.0 * k, 30.0 * k)))
        if k < 4:
            layers.append(ss.Layer(N, 400.0 if k == 3 else 2.0))
    single = ss.solve(ss.Stack(layers))
    batch = ss.solve(ss.Stack([ss.Layer(layer.material, np.array([layer.thickness]), layer.magnetization)
                               for layer in layers]))
    assert len(layers) > 8
    assert 0 < np.abs(single.torque[-1]).max() < 1e-15
    np.testing.assert_allclose(single.torque, batch.torque[0], rtol=1e-11, atol=0)
