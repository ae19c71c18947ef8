"""Thin layers with a soft load (open or insulator ends, MODEL.md 8d): the elimination must not cancel.

A layer of thickness d has two-port coefficients Gc, Gs ~ D / (2d) whose difference, the layer's
spin-flip sink ~D d / (4 l^2), is what holds the spin accumulation of a stack that no reservoir
anchors.  The references are closed forms of the drift-diffusion equation (derived in the
docstrings), independent of the node system; relative tolerances are those of double precision.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.solver import coherent

EPS = np.finfo(float).eps
THICKNESSES = np.logspace(-9, 6, 31)


@pytest.mark.parametrize("l", [1e-3, 1.4, 1e3])
def test_free_film_accumulation_for_every_thickness(l):
    """Open | HM(d) | open, eps = +y: mu'' = mu / l^2, j = s - (D/2) mu' = 0 at both faces, s = theta D z, so
    mu(x) = -(2 l theta / cosh(d/2l)) sinh((d/2 - x)/l) z: mu(top) = 2 theta l tanh(d / 2l) (MODEL.md 8b)."""
    theta, D = 0.19, 2.0
    film = ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), THICKNESSES)], left=ss.Open(), right=ss.Open(),
                    current=0.0, field=[0.0, 1.0, 0.0])
    solution = ss.solve(film)
    top = 2 * theta * l * np.tanh(THICKNESSES / (2 * l))
    np.testing.assert_allclose(solution.accumulation[:, 1, 2], top, rtol=8 * EPS, atol=0)
    np.testing.assert_allclose(solution.accumulation[:, 0, 2], -top, rtol=8 * EPS, atol=0)
    np.testing.assert_allclose(solution.accumulation[..., :2], 0.0, atol=0)


@pytest.mark.parametrize("l", [1e-3, 1.4, 1e3])
def test_heavy_metal_on_an_absorbing_magnet_for_every_thickness(l):
    """Open | HM(d) | F(m = x) | open: the F face pins mu_perp = 0, so in the HM mu_z = A sinh((d - x)/l) with
    j(0) = 0: mu_z(0) = -2 theta l tanh(d/l) (eps = +y), and the torque is theta D (1 - sech(d/l)) (limit 4).

    The accumulation comes out to double precision for every d.  The torque, a difference of face
    currents ~theta D, is good to a few eps of theta D in absolute terms (so relatively only where
    it is not ~(d/l)^2 smaller than that)."""
    theta, D = 0.19, 2.0
    F = ss.Ferromagnet("F", 1.0, 0.4, 5.0)
    stack = ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), THICKNESSES), ss.Layer(F, 1.5, [1.0, 0.0, 0.0])],
                     left=ss.Open(), right=ss.Open(), current=0.0, field=[0.0, 1.0, 0.0])
    solution = ss.solve(stack)
    X = THICKNESSES / l
    np.testing.assert_allclose(solution.accumulation[:, 0, 2], -2 * theta * l * np.tanh(X), rtol=8 * EPS, atol=0)
    damping, field_like = solution.spin_orbit_torque
    sech = np.exp(-X) * 2 / (1 + np.exp(-2 * X))
    expected = theta * D * np.where(X < 1e-4, X**2 / 2 - 5 * X**4 / 24, 1 - sech)  # the series where 1 - sech cancels
    np.testing.assert_allclose(damping[:, 1], expected, rtol=1e-12, atol=16 * EPS * theta * D)
    np.testing.assert_allclose(field_like[:, 1], 0.0, atol=16 * EPS * theta * D)


@pytest.mark.parametrize("d", [1e-9, 1e-5, 1e-2])
def test_heavy_metal_on_an_insulator_for_every_thickness(d):
    """Open | HM(d) | insulator (g_mix, no g_s): limit 5, theta |j_in| 2 l g~ tanh(d/2l) / (D + 2 l g~ coth(d/l)).

    With coth(d/l) ~ l/d the torque is ~d^2 and its field-like part ~d^3.  Along m only the film's sink ~d / l^2 holds the accumulation (g_s = 0), against
    g_r normal to m, so the node's 3 x 3 block has a condition number ~l / d and both parts carry an
    error of up to ~eps l / d of the torque (2e-8 at d = 1e-9 l; before the thin-layer step, 0/0)."""
    theta, D, l, g_r, g_i = 0.19, 2.0, 1.4, 0.7, 0.2
    stack = ss.Stack([ss.Layer(ss.Normal("HM", D, l, theta), d)], left=ss.Open(),
                     right=ss.Insulator([0.0, 0.6, 0.8], [g_r, g_i]), current=0.0, field=[0.0, 1.0, 0.0])
    solution = ss.solve(stack)
    g = g_r - 1j * g_i
    expected = theta * D * 2 * l * g * np.tanh(d / (2 * l)) / (D + 2 * l * g / np.tanh(d / l))
    m, sigma = np.array([0.0, 0.6, 0.8]), solution.sigma_hat
    torque = solution.torque_ends["right"]
    field = np.cross(m, sigma)
    damping = torque @ np.cross(m, np.cross(sigma, m)) / (field @ field)
    field_like = torque @ field / (field @ field)
    conditioning = 4 * EPS * (l / d) * abs(expected)
    np.testing.assert_allclose(damping, expected.real, rtol=1e-12, atol=conditioning)
    np.testing.assert_allclose(field_like, expected.imag, rtol=1e-12, atol=conditioning)


@pytest.mark.parametrize("coherence", [{}, {"l_J": 1e-9, "l_phi": 1e-9}, {"l_J": np.inf, "l_phi": 2.0},
                                       {"l_J": 1.0, "l_phi": np.inf}])
@pytest.mark.parametrize("l_heavy", [1.4, np.inf])
def test_a_thin_magnet_between_open_faces_is_finite_and_conserves_spin(coherence, l_heavy):
    """Open | Pt(3) | Co(1e-9) | open (the cases that gave 0/0): finite, and the angular momentum balance
    in - out = deposits + spin-flip loss holds to rounding: eps times the largest two-port coefficient
    times |mu| (l_J = 1e-9 makes the transverse stiffness ~D_perp / l_J ~ 1e9)."""
    Co = ss.Ferromagnet("Co", 1.0, 0.4, 5.0, **coherence)
    stack = ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, l_heavy, 0.19), 3.0), ss.Layer(Co, 1e-9, [0.6, 0.0, 0.8])],
                     left=ss.Open(), right=ss.Open(), current=0.0, field=[0.0, 1.0, 0.0])
    with np.errstate(all="raise"):
        solution = ss.solve(stack)
        outputs = (solution.accumulation, solution.torque, solution.spin_orbit_torque[0], solution.smr.longitudinal,
                   solution.spin_current_left, solution.spin_current_right)
    assert all(np.isfinite(value).all() for value in outputs)
    balance = (solution.spin_current_in - solution.spin_current_out - solution.torque.sum(-2)
               - solution.spin_flip_loss.sum(-2))
    stiffness = max(1.0, abs(complex(coherent.lead_stiffness(solution.arrays.layers[1]))) if coherence else 1.0)
    rounding = 64 * EPS * stiffness * float(np.abs(solution.accumulation).max())
    np.testing.assert_allclose(balance, 0.0, atol=1e-12 + rounding)


# A thin F between N layers (the review of issue 14): the compiled chain kernel and the banded solves form
# Gc and Gs ~ D / 2d of the thin layer side by side and lose ~eps x its stiffness contrast with the
# neighbours; the dispatch leaves such stacks to the numpy and linked steps.  Reference: one numpy solve per
# configuration (whose thin steps are exact to ~1e-16 here against a 60-digit solve, tests/solver/test_extremes.py).
@pytest.mark.parametrize("d", [2e-12, 2e-9, 2e-6, 2e-3])
def test_a_thin_magnet_between_normal_layers_keeps_its_precision_through_every_door(d):
    from spinstack.analysis import efficiency, with_angle

    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    stack = ss.Stack([ss.Layer(N, 5.0), ss.Layer(F, d, [0, 0, 1]), ss.Layer(N, 5.0), ss.Layer(F, d, [0, 1, 0]),
                      ss.Layer(N, 5.0)])
    theta = np.array([20.0, 60.0, 120.0, 170.0])
    singles = [ss.solve(with_angle(stack, angle), backend="numpy") for angle in theta]
    torque = np.array([s.torque for s in singles])
    scale = np.abs(torque).max()
    g1, g2 = (np.array([getattr(s.efficiency(), name) for s in singles]) for name in ("g1", "g2"))
    batched = ss.solve(with_angle(stack, theta))  # a batch: the dispatch's choice
    np.testing.assert_allclose(batched.torque, torque, rtol=0, atol=2e-13 * scale)
    for values in (efficiency(stack, theta), ss.finalize(stack).efficiency(theta), batched.efficiency()):
        np.testing.assert_allclose(values.g1, g1, rtol=2e-13)
        np.testing.assert_allclose(values.g2, g2, rtol=2e-13)
    m = np.stack([np.broadcast_to([0.0, 0.0, 1.0], (4, 3)), ss.polar(theta, 90.0)], axis=-2)  # the with_angle plane
    np.testing.assert_allclose(ss.finalize(stack).torques(m), torque, rtol=0, atol=2e-13 * scale)
    # one long stack (the banded and linked backends): the same thin magnets repeated
    long = ss.Stack([ss.Layer(N, 5.0)] + [ss.Layer(F, d, ss.polar(30.0 * k, 10.0 * k)) if k % 2 else ss.Layer(N, 5.0)
                                          for k in range(1, 12)])
    reference = ss.solve(long, backend="numpy").torque
    np.testing.assert_allclose(ss.solve(long).torque, reference, rtol=0, atol=2e-13 * np.abs(reference).max())


# A thin N layer beside an F layer, with an N/N (free) node beyond it: the seed spin valve with an N(d) of the
# spacer's own metal inserted beside F1 or F2 is the seed with one spacer of 2 + d (mu_s and j_s are continuous
# at the extra node), so g1, g2 and the torques must be the same numbers computed another way: 1e-12 relative
# (the seed's node system is well conditioned; the reference is exact to ~1e-16).  That node's block, ~D/d
# across the F's m, lost ~1e-16 x (2 / d) when inverted in Cartesian coordinates, and so did the torque read as
# D/d times its O(d) transverse mu_s (g1 = 0 at d = 1e-20 beside F1): the block is now inverted on m and normal
# to m apart and the torque read through the thin layer (elimination._axial_inverse, UnitSolution._through_thin).
@pytest.mark.parametrize("position", [1, 2])
@pytest.mark.parametrize("d", [1e-20, 1e-12, 1e-6])
def test_a_vanishing_normal_layer_beside_a_magnet_changes_nothing(d, position):
    from spinstack.analysis import efficiency

    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    def seed(spacer: list[ss.Layer]) -> ss.Stack:
        # generic axes: with m1 along z the torque vector on F1 happens to stay exact (not g1)
        return ss.Stack([ss.Layer(F, 1.5, ss.polar(30.0, 20.0)), *spacer, ss.Layer(F, 1.5, ss.polar(80.0, 95.0))])

    inserted = seed([ss.Layer(N, d), ss.Layer(N, 2.0)] if position == 1 else [ss.Layer(N, 2.0), ss.Layer(N, d)])
    merged = seed([ss.Layer(N, 2.0 + d)])
    reference, solution = ss.solve(merged), ss.solve(inserted)
    first, second = inserted.ferromagnet_indices
    np.testing.assert_allclose(solution.torque[[first, second]], reference.torque[[0, 2]], rtol=0,
                               atol=1e-12 * np.abs(reference.torque).max())
    theta = np.array([30.0, 60.0, 120.0])
    for values, expected in ((solution.efficiency(), reference.efficiency()),
                             (efficiency(inserted, theta), efficiency(merged, theta)),
                             (ss.finalize(inserted).efficiency(theta), ss.finalize(merged).efficiency(theta))):
        np.testing.assert_allclose(values.g1, expected.g1, rtol=1e-12)
        np.testing.assert_allclose(values.g2, expected.g2, rtol=1e-12)


# A layer of zero thickness is a node.  Splitting a spacer N(s) into N(d) | N(s - d) (the same metal) changes
# nothing physically for any d, and as d -> 0 the extra free node merges with the F/N node beside it: the
# stack's node system then holds a block ~D / 2d across the F's m next to O(1) ones.  Every output must be the
# zero-thickness stack's to ~1e-12 for d / l from 1e-3 down to 1e-12, on a non-coplanar three-F stack whose
# middle F has such a layer on both faces (the free node beyond on the right of F1, on the left and right of F2)
# and a lead at the right end, on each backend that takes it, and in a batch of all those d at once.
THIN_RATIOS = np.logspace(-12, -3, 10)


def _split_spacers(d) -> tuple[ss.Stack, ss.Stack]:
    """(F1 | N(d) | N(2 - 2d) | N(d) | F2 | N(d) | N(3 - d) | F3 | N lead, the same with N(2), N(3) unsplit)."""
    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    magnets = [ss.Layer(F, 1.5, ss.polar(30.0, 20.0)), ss.Layer(F, 1.0, ss.polar(80.0, 95.0)),
               ss.Layer(ss.Ferromagnet("G", D=0.7, p=-0.3, l=4.0), 2.5, ss.polar(125.0, 230.0))]
    lead = ss.Lead(ss.Normal("lead", D=2.0, l=5.0))
    split = ss.Stack([magnets[0], ss.Layer(N, d), ss.Layer(N, 2.0 - 2 * d), ss.Layer(N, d), magnets[1],
                      ss.Layer(N, d), ss.Layer(N, 3.0 - d), magnets[2]], right=lead)
    whole = ss.Stack([magnets[0], ss.Layer(N, 2.0), magnets[1], ss.Layer(N, 3.0), magnets[2]], right=lead)
    return split, whole


def _assert_same_as_zero_thickness(split: ss.Solution, whole: ss.Solution) -> None:
    torque = whole.torque[..., [0, 2, 4], :]  # (a batch of split stacks against the one unsplit: broadcast)
    np.testing.assert_allclose(split.torque[..., [0, 4, 7], :], np.broadcast_to(torque, split.torque[..., :3, :].shape),
                               rtol=0, atol=1e-12 * np.abs(torque).max())
    # the unsplit stack's nodes are the split one's 0, 1, 4, 5, 7, 8 (2 is within d of 1, 3 of 4, 6 of 5)
    mu = whole.accumulation[..., [0, 1, 2, 3, 4, 5], :]
    np.testing.assert_allclose(split.accumulation[..., [0, 1, 4, 5, 7, 8], :],
                               np.broadcast_to(mu, split.accumulation[..., :6, :].shape), rtol=0,
                               atol=1e-12 * np.abs(mu).max())
    np.testing.assert_allclose(split.resistance_area,
                               np.broadcast_to(whole.resistance_area, split.resistance_area.shape), rtol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "linked"])
@pytest.mark.parametrize("ratio", THIN_RATIOS, ids=[f"{ratio:.0e}" for ratio in THIN_RATIOS])
def test_a_layer_thinning_to_a_node_is_the_node(ratio, backend):
    from spinstack.prepared import stack_arrays
    from spinstack.solver import applicable_backends

    split, whole = _split_spacers(ratio * 10.0)  # l = 10 in N
    if backend not in applicable_backends(stack_arrays(split)):
        pytest.skip(f"{backend} does not take the stack (numba is not installed)")
    _assert_same_as_zero_thickness(ss.solve(split, backend=backend), ss.solve(whole, backend="numpy"))


def test_a_batch_of_layers_thinning_to_a_node_is_the_node():
    split, whole = _split_spacers(THIN_RATIOS * 10.0)
    solution = ss.solve(split)
    assert solution.torque.shape[:-2] == THIN_RATIOS.shape
    _assert_same_as_zero_thickness(solution, ss.solve(whole))


# Against an independent 60-digit evaluation (tests/solver/test_extremes.py's reference: the node system of
# MODEL.md 3a assembled from its definition, two-ports G coth, G csch at 60 digits) for thin layers of another
# metal than their neighbours (so no merged stack is the same): non-coplanar m1, m2, m3, two thin layers in a row
# beside F1 (free nodes beyond), one on each face of F2, and one beside F3 with a lead beyond.  The node values,
# torques and g1, g2 to 1e-12 relative (formerly ~1e-16 x spacer / d: 1e-7 at d / l = 1e-9), on each backend
# that takes the stack.
@pytest.mark.parametrize("backend", ["numpy", "linked"])
@pytest.mark.parametrize("ratio", [1e-12, 1e-9, 1e-5])
def test_thin_normal_layers_beside_magnets_against_mpmath(ratio, backend):
    from spinstack.prepared import stack_arrays
    from spinstack.solver import applicable_backends
    from tests.solver.test_extremes import as_used, build, reference, reference_efficiency, to_array

    thin = ("N", 1.3, 0.7, 0.0, None, ratio * 0.7)  # another metal, d = ratio l
    second = ("N", 0.9, 1.6, 0.0, None, ratio * 4.0)  # and a third one, thicker and softer
    F1, F2, F3 = (("F", 1.0, 2.0, 0.5, ss.polar(30.0, 20.0), 1.5), ("F", 0.8, 3.0, 0.35, ss.polar(80.0, 95.0), 1.0),
                  ("F", 1.1, 4.0, -0.3, ss.polar(125.0, 230.0), 2.5))
    spacer, other = ("N", 3.0, 10.0, 0.0, None, 2.0), ("N", 2.0, 6.0, 0.0, None, 1.2)
    layers = [F1, thin, second, spacer, thin, F2, thin, other, thin, F3, thin]
    right = ("N", 2.0, 5.0, 0.0, None)
    stack = build(layers, None, right)
    if backend not in applicable_backends(stack_arrays(stack)):
        pytest.skip(f"{backend} does not take the stack (numba is not installed)")
    layers, left, right = as_used(stack, layers, None, right)
    expected = reference(layers, left, right)
    solution = ss.solve(stack, backend=backend)
    mu = to_array(expected["mu"])
    np.testing.assert_allclose(solution.accumulation, mu, rtol=0, atol=1e-12 * np.abs(mu).max())
    torque = to_array(expected["torque"])
    np.testing.assert_allclose(solution.torque, torque, rtol=0, atol=1e-12 * np.abs(torque).max())
    for one, two in ((0, 5), (5, 9)):  # g1, g2 of two of the three (MODEL.md 4), from the torque vectors
        g1, g2 = (float(g) for g in reference_efficiency(layers, expected, one, two))
        m1, m2 = (np.asarray(stack.layers[i].magnetization) for i in (one, two))
        normal = np.cross(m1, m2) @ np.cross(m1, m2)
        assert -solution.torque[one] @ np.cross(m1, np.cross(m2, m1)) / normal == pytest.approx(g1, rel=1e-12)
        assert solution.torque[two] @ np.cross(m2, np.cross(m1, m2)) / normal == pytest.approx(g2, rel=1e-12)


# The same thin layer with an N/N interface at its free node (MODEL.md 3b), stepped through in resistance form:
# transparent (g = inf) it changes nothing, so the split spacer is the unsplit one; with a finite g and spin memory
# loss delta the interface is the two-port of a layer with d / l = delta and D / (2 l) = g delta / 2
# (tests/solver/test_interfaces.py), so the stack is the one with that layer in its place: two thin layers in a
# row, checked against the 60-digit reference above.  Both to 1e-12 for d / l down to 1e-12.
@pytest.mark.parametrize("backend", ["numpy", "linked"])
@pytest.mark.parametrize("ratio", [1e-12, 1e-7, 1e-3])
def test_a_thin_layer_before_a_normal_interface_keeps_its_precision(ratio, backend):
    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    m1, m2 = ss.polar(30.0, 20.0), ss.polar(80.0, 95.0)
    d = ratio * 10.0

    def spin_valve(spacer: list[ss.Layer], interfaces: list[ss.Interface] = ()) -> ss.Stack:
        return ss.Stack([ss.Layer(F, 1.5, m1), *spacer, ss.Layer(F, 1.5, m2)], interfaces=interfaces)

    transparent = ss.solve(spin_valve([ss.Layer(N, d), ss.Layer(N, 2.0 - d)], [ss.Interface(2, np.inf, np.inf)]),
                           backend=backend)
    whole = ss.solve(spin_valve([ss.Layer(N, 2.0)]), backend="numpy")
    np.testing.assert_allclose(transparent.torque[[0, 3]], whole.torque[[0, 2]], rtol=0,
                               atol=1e-12 * np.abs(whole.torque).max())
    g, delta, l = 4.0, 0.3, 1e-3
    lossy = ss.solve(spin_valve([ss.Layer(N, d), ss.Layer(N, 2.0)], [ss.Interface(2, g / 2, g / 2, delta=delta)]),
                     backend=backend)
    layer = ss.solve(spin_valve([ss.Layer(N, d), ss.Layer(ss.Normal("loss", D=g * delta * l, l=l), delta * l),
                                 ss.Layer(N, 2.0)]), backend="numpy")
    np.testing.assert_allclose(lossy.torque[[0, 3]], layer.torque[[0, 4]], rtol=0, atol=1e-12 * np.abs(layer.torque).max())
    np.testing.assert_allclose(lossy.accumulation[[1, 2]], layer.accumulation[[1, 2]], rtol=0,
                               atol=1e-12 * np.abs(layer.accumulation).max())


# The face currents and deposits of the split spacers (the same read-out as the torques: through the thin layer, or
# across its free node, where its own two-port's Gc mu_a - Gs mu_b would cancel to eps x spacer / d of the current).
# Matched faces and nodes equal the unsplit stack's; the faces of a node inside the spacer are one current, whose
# deposit is 0 (spin conserved at a transparent node); the torque is the transverse deposit at the F's faces.
FACE_RATIOS = np.logspace(-15, -3, 13)
# (split layer, face) -> (unsplit layer, face) where the two are at the same place
MATCHED_FACES = [((0, 0), (0, 0)), ((0, 1), (0, 1)), ((1, 0), (1, 0)), ((3, 1), (1, 1)), ((4, 0), (2, 0)),
                 ((4, 1), (2, 1)), ((5, 0), (3, 0)), ((6, 1), (3, 1)), ((7, 0), (4, 0)), ((7, 1), (4, 1))]
INSIDE_NODES = [2, 3, 6]  # the split stack's nodes inside a spacer (between two N layers)


def _assert_faces_and_deposits_as_zero_thickness(split: ss.Solution, whole: ss.Solution) -> None:
    faces = (split.spin_current_left, split.spin_current_right)
    unsplit = (whole.spin_current_left, whole.spin_current_right)
    scale = np.abs(unsplit).max()
    for (layer, face), (one, other) in MATCHED_FACES:
        np.testing.assert_allclose(faces[face][..., layer, :], np.broadcast_to(unsplit[other][..., one, :],
                                   faces[face][..., layer, :].shape), rtol=0, atol=1e-12 * scale,
                                   err_msg=f"split layer {layer}, face {'ab'[face]}")
    for node in INSIDE_NODES:  # the two faces of a node inside a spacer carry one current
        np.testing.assert_allclose(faces[1][..., node - 1, :], faces[0][..., node, :], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(split.deposit[..., [0, 1, 4, 5, 7, 8], :],
                               np.broadcast_to(whole.deposit, split.deposit[..., :6, :].shape), rtol=0,
                               atol=1e-12 * scale)
    assert np.abs(split.deposit[..., INSIDE_NODES, :]).max() <= 1e-12 * np.abs(faces).max()
    for layer, m in zip((0, 4, 7), (ss.polar(30.0, 20.0), ss.polar(80.0, 95.0), ss.polar(125.0, 230.0))):
        # each F's torque is the transverse part of the spin deposited at its two faces (m as in _split_spacers)
        m = np.asarray(m)
        deposited = split.deposit[..., layer, :] + split.deposit[..., layer + 1, :]
        transverse = deposited - (deposited @ m)[..., None] * m
        np.testing.assert_allclose(split.torque[..., layer, :], transverse, rtol=0,
                                   atol=1e-15 * np.abs(split.torque[..., layer, :]).max())


@pytest.mark.parametrize("backend", ["numpy", "linked"])
@pytest.mark.parametrize("ratio", FACE_RATIOS, ids=[f"{ratio:.0e}" for ratio in FACE_RATIOS])
def test_face_currents_and_deposits_of_a_layer_thinning_to_a_node_are_the_node(ratio, backend):
    from spinstack.prepared import stack_arrays
    from spinstack.solver import applicable_backends

    split, whole = _split_spacers(ratio * 10.0)  # l = 10 in N
    if backend not in applicable_backends(stack_arrays(split)):
        pytest.skip(f"{backend} does not take the stack (numba is not installed)")
    solution, unsplit = ss.solve(split, backend=backend), ss.solve(whole, backend="numpy")
    _assert_same_as_zero_thickness(solution, unsplit)
    _assert_faces_and_deposits_as_zero_thickness(solution, unsplit)


def test_face_currents_and_deposits_of_a_batch_of_layers_thinning_to_a_node_are_the_node():
    split, whole = _split_spacers(FACE_RATIOS * 10.0)
    solution = ss.solve(split)
    assert solution.deposit.shape[:-2] == FACE_RATIOS.shape
    _assert_faces_and_deposits_as_zero_thickness(solution, ss.solve(whole))


@pytest.mark.parametrize("backend", ["numpy", "linked"])
@pytest.mark.parametrize("ratio", [1e-15, 1e-12, 1e-7, 1e-3])
def test_faces_beside_a_thin_layer_before_a_transparent_interface_are_the_unsplit_ones(ratio, backend):
    """F1 | N(d) | N(2 - d) | F2 with a transparent N/N interface at node 2: the faces at the nodes of the unsplit
    spacer, the deposits there and the F's torques as the unsplit stack's; the interface's two currents (on its
    left and right faces) are the faces beside it, one current: no spin is deposited at node 2."""
    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=3.0, l=10.0)
    m1, m2 = ss.polar(30.0, 20.0), ss.polar(80.0, 95.0)
    d = ratio * 10.0
    split = ss.solve(ss.Stack([ss.Layer(F, 1.5, m1), ss.Layer(N, d), ss.Layer(N, 2.0 - d), ss.Layer(F, 1.5, m2)],
                              interfaces=[ss.Interface(2, np.inf, np.inf)]), backend=backend)
    whole = ss.solve(ss.Stack([ss.Layer(F, 1.5, m1), ss.Layer(N, 2.0), ss.Layer(F, 1.5, m2)]), backend="numpy")
    scale = np.abs(whole.spin_current_left).max()
    for (faces, unsplit) in ((split.spin_current_left, whole.spin_current_left),
                             (split.spin_current_right, whole.spin_current_right)):
        np.testing.assert_allclose(faces[[0, 3]], unsplit[[0, 2]], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(split.spin_current_left[1], whole.spin_current_left[1], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(split.spin_current_right[2], whole.spin_current_right[1], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(split.deposit[[0, 1, 3, 4]], whole.deposit, rtol=0, atol=1e-12 * scale)
    assert np.abs(split.deposit[2]).max() <= 1e-12 * scale
    left, right = split.interface_currents(2)
    np.testing.assert_allclose(left, split.spin_current_right[1], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(right, split.spin_current_left[2], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(left, right, rtol=0, atol=1e-12 * scale)
    for layer, m in ((0, np.asarray(m1)), (3, np.asarray(m2))):
        deposited = split.deposit[layer] + split.deposit[layer + 1]
        np.testing.assert_allclose(split.torque[layer], deposited - (deposited @ m) * m, rtol=0,
                                   atol=1e-15 * np.abs(split.torque[layer]).max())
