"""The prepared system (spinstack.prepared): every result equals a solve of the stack rebuilt with those inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack import si, units
from spinstack.analysis.efficiencies import efficiency, with_angle
from spinstack.prepared import PreparedStack, finalize, rotation_basis, turned
from tests.strategies import full_stacks

F = ss.Ferromagnet("F", 1.0, 0.5, 2.0)
G = ss.Ferromagnet("G", 2.0, -0.3, np.inf)
N = ss.Normal("N", 3.0, 10.0)
NAMES = ("g1", "g2", "g1_field", "g2_field", "sine", "cosine")


def seed_stack(theta=60.0, **keywords) -> ss.Stack:
    return ss.Stack([ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.5, ss.polar(theta))], **keywords)


def rebuilt(stack: ss.Stack, m: np.ndarray, current=None) -> ss.Stack:
    """``stack`` with the F layers' magnetizations ``m`` (..., n_F, 3), F leads touching an F layer turned with it."""
    layers = list(stack.layers)
    indices = stack.ferromagnet_indices
    for position, index in enumerate(indices):
        layers[index] = dataclasses.replace(layers[index], magnetization=m[..., position, :])
    ends = {}
    for side, layer in (("left", 0), ("right", len(layers) - 1)):
        end = getattr(stack, side)
        if isinstance(end, ss.Lead) and end.magnetization is not None and layer in indices:
            sign = np.sign(np.einsum("...i,...i->...", end.magnetization, stack.layers[layer].magnetization))[..., None]
            ends[side] = dataclasses.replace(end, magnetization=sign * m[..., indices.index(layer), :])
    extra = {} if current is None else {"current": current}
    return dataclasses.replace(stack, layers=layers, **ends, **extra)


def assert_close(value, expected, what, tolerance=1e-12, scale=0.0):
    """|value - expected| <= tolerance times the largest |expected| (or ``scale`` when larger)."""
    value, expected = np.asarray(value), np.asarray(expected)
    assert value.shape == expected.shape, (what, value.shape, expected.shape)
    scale = max(float(np.abs(expected).max(initial=0.0)), scale, np.finfo(float).tiny)
    assert np.all(np.abs(value - expected) <= tolerance * scale), (what, float(np.abs(value - expected).max()), scale)


def assert_outputs_equal_solve(prepared: PreparedStack, stack: ss.Stack, m: np.ndarray, current=None,
                               tolerance: float = 1e-12) -> None:
    outputs = prepared.solve(m, current)
    j0 = None if current is None else np.asarray(current) / (units.report(1.0, "current") if stack.units == "SI" else 1.0)
    reference = ss.solve(rebuilt(stack, m, j0))
    # a torque is a difference of face currents: its round-off is on their scale (a vanishing torque is noise)
    faces = spin_current_scale(reference)
    assert_close(outputs.torque, reference.torque, "torque", tolerance, faces)
    assert_close(outputs.accumulation, reference.accumulation, "accumulation", tolerance)
    assert_close(prepared.torques(m, current), reference.torque, "torques()", tolerance, faces)
    assert_close(outputs.current, np.broadcast_to(reference.current, outputs.current.shape), "current", tolerance)
    if reference.resistance_problem is None:
        assert_close(outputs.resistance_area, reference.resistance_area, "resistance_area", tolerance)
        assert_close(outputs.spin_resistance_area, reference.spin_resistance_area, "spin_resistance_area", tolerance)
    else:
        assert outputs.resistance_area is None and outputs.spin_resistance_area is None


def spin_current_scale(solution) -> float:
    """The largest face spin current in the torque's units (the scale of a torque's round-off)."""
    scale = max(float(np.abs(solution.spin_current_left).max(initial=0.0)),
                float(np.abs(solution.spin_current_right).max(initial=0.0)))
    if solution.stack.units == "SI":  # A/m^2 (|e| j_s) -> J/m^2 ((hbar/2) j_s)
        scale *= abs(units.report(1.0, "torque") / units.report(1.0, "spin_current"))
    return scale


def unit_vectors(data, count: int) -> np.ndarray:
    theta = data.draw(st.lists(st.floats(0.0, 180.0), min_size=count, max_size=count))
    phi = data.draw(st.lists(st.floats(-180.0, 180.0), min_size=count, max_size=count))
    return ss.polar(np.array(theta), np.array(phi)).reshape(count, 3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(), data=st.data())
def test_solve_equals_a_solve_of_the_rebuilt_stack(stack, data):
    """Any stack (SI or reduced, interfaces, leads, open and insulator ends, fields, coherent F, batches):
    new magnetizations of its F layers give the outputs of the stack rebuilt with them."""
    prepared = finalize(stack)
    m = unit_vectors(data, len(stack.ferromagnet_indices))
    assert_outputs_equal_solve(prepared, stack, m)
    # the stack's own magnetizations are the default
    own = ss.solve(stack)
    assert_close(prepared.solve().torque, own.torque, "own torque", scale=spin_current_scale(own))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(ferromagnets=2), data=st.data())
def test_efficiency_equals_a_solve_of_the_turned_stack(stack, data):
    problem = ss.solve(stack).efficiency_problem
    if problem is not None:
        with pytest.raises(ss.SpinstackError, match="efficiency functions"):
            finalize(stack).efficiency(30.0)
        return
    theta = np.array(data.draw(st.lists(st.one_of(st.sampled_from([0.0, 90.0, 180.0]), st.floats(0.0, 180.0)),
                                        min_size=1, max_size=5)))
    values = finalize(stack).efficiency(theta[:, None] if stack.batch_shape else theta)
    reference = ss.solve(with_angle(stack, theta[:, None] if stack.batch_shape else theta)).efficiency()
    # g's are dimensionless torques per unit drive: where one is 0 in exact arithmetic (a p = 0 magnet) both
    # routes give round-off of order 1e-17, so their scale is at least 1 (a fresh run found 2.62e-17 vs 2.67e-17)
    for name in NAMES:
        assert_close(getattr(values, name), getattr(reference, name), name, 1e-11, scale=1.0)


THETA = np.array([0.0, 180.0, 1e-7, 179.9999999, 1e-3, 10.0, 45.0, 90.0, 135.0, 170.0, -30.0, 270.0, 400.0])


@pytest.mark.parametrize("right", ["reservoir", "N", "F"])
def test_efficiency_of_the_seed_stack_by_kernel_and_by_turned_stacks(right):
    """The compiled path (angles turned inside the kernel) against solves of the turned stacks; a touching F
    lead turns with F2."""
    ends = {"reservoir": ss.Reservoir(), "N": ss.Lead(N), "F": ss.Lead(G, -ss.polar(60.0))}
    stack = ss.Stack([ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.5, ss.polar(60.0))], right=ends[right])
    prepared = finalize(stack)
    assert prepared.compiled and finalize(stack) is prepared
    values = prepared.efficiency(THETA)
    reference = ss.solve(with_angle(stack, THETA), backend="numpy").efficiency()
    for name in NAMES:
        assert_close(getattr(values, name), getattr(reference, name), name)
    # radians, scalars and shapes
    radians = prepared.efficiency(np.deg2rad(THETA).reshape(13, 1), degrees=False)
    assert radians.g2.shape == (13, 1)
    assert_close(radians.g2[:, 0], reference.g2, "radians")
    single = prepared.efficiency(60.0)
    assert single.g1.shape == ()
    assert_close(single.g2, ss.solve(stack).efficiency().g2, "one angle")
    # analysis.efficiency is this path
    np.testing.assert_array_equal(efficiency(stack, THETA).g2, values.g2)


def test_efficiency_is_the_closed_form_of_the_seed():
    """Seed eq. (14) and Appendix II for F/N/F between reservoirs, to 1e-14 (the limits at 0 and 180 too)."""
    theta = np.linspace(0.0, 180.0, 1001)
    values = finalize(seed_stack()).efficiency(theta)
    g_tilde = lambda D, l, d: D / (2 * l) / np.tanh(d / l)  # noqa: E731
    A = g_tilde(1.0, 2.0, 1.5) + g_tilde(3.0, 10.0, 2.0)
    B = g_tilde(3.0, 10.0, 2.0) / np.cosh(2.0 / 10.0)
    c = np.cos(np.deg2rad(theta))
    g = B * (A * 0.5 - B * c * 0.5) / (A * A - B**2 * c**2)
    assert_close(values.g1, g, "g1", 1e-14)
    assert_close(values.g2, g, "g2", 1e-14)


def test_batched_stack_and_batched_inputs():
    """A batched stack (thicknesses) takes the general path; inputs broadcast with its batch."""
    stack = ss.Stack([ss.Layer(F, np.array([1.0, 1.5, 2.0]), [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.5, [1, 0, 0])],
                     left=ss.Lead(N), current=-0.7)
    prepared = finalize(stack)
    assert not prepared.compiled and prepared.batch_shape == (3,)
    m2 = np.broadcast_to(ss.polar(np.linspace(0, 180, 4))[:, None, :], (4, 3, 3))
    m = np.stack([np.broadcast_to([0.0, 0.0, 1.0], (4, 3, 3)), m2], axis=-2)  # (4, 3, 2, 3): with the batch (3,)
    assert_outputs_equal_solve(prepared, stack, m)
    assert_outputs_equal_solve(prepared, stack, m, current=np.array([1.0, -2.0, 0.5]))
    theta = np.linspace(0.0, 180.0, 5)[:, None]
    assert_close(prepared.efficiency(theta).g1, ss.solve(with_angle(stack, theta)).efficiency().g1, "g1")


@pytest.mark.parametrize("configurations", [(), (7,), (3, 5), (5000,)])
def test_compiled_single_and_batched_magnetizations(configurations):
    stack = ss.Stack([ss.Layer(F, 1.5, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(G, 1.0, [1, 0, 0]), ss.Layer(N, 1.0),
                      ss.Layer(F, 0.7, [0, 1, 0])], left=ss.Lead(F, [0, 0, -1]), right=ss.Lead(N), current=1.3)
    prepared = finalize(stack)
    assert prepared.compiled and prepared.ferromagnets == (0, 2, 4)
    rng = np.random.default_rng(len(configurations))
    m = rng.normal(size=configurations + (3, 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    assert_outputs_equal_solve(prepared, stack, m)
    assert prepared.torques(m).shape == configurations + (5, 3)
    assert_outputs_equal_solve(prepared, stack, m, current=-2.5)


def test_touching_ferromagnets_and_leads_follow():
    """F/F contacts stay collinear (checked); an F lead touching an F layer turns with it, sign kept."""
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(G, 0.5, [0, 0, -1]), ss.Layer(N, 2.0),
                      ss.Layer(F, 1.5, [1, 0, 0])], left=ss.Lead(G, [0, 0, -1]), right=ss.Lead(F, [-1, 0, 0]))
    prepared = finalize(stack)
    m1 = ss.polar(30.0, 40.0)
    m = np.stack([m1, -m1, ss.polar(100.0, -20.0)])
    assert_outputs_equal_solve(prepared, stack, m)
    with pytest.raises(ss.SpinstackError, match="touch but their magnetizations are not collinear"):
        prepared.torques(np.stack([m1, ss.polar(31.0, 40.0), m[2]]))


def test_si_stack_takes_and_returns_si_units():
    Co, Cu = si.ferromagnet("Co", rho="50 nOhm*m", beta=0.4, l_sf="20 nm"), si.normal("Cu", rho="20 nOhm*m", l_sf="300 nm")
    stack = si.stack([si.layer(Co, "4 nm", [0, 0, 1]), si.layer(Cu, "6 nm"), si.layer(Co, "3 nm", [1, 0, 0])],
                     current_density="1e11 A/m^2")
    prepared = finalize(stack)
    assert prepared.units == "SI" and prepared.compiled
    np.testing.assert_allclose(prepared.current, 1e11, rtol=1e-15)
    m = np.stack([np.broadcast_to([0.0, 0.0, 1.0], (6, 3)), ss.polar(np.linspace(0, 180, 6))], axis=-2)
    assert_outputs_equal_solve(prepared, stack, m)
    assert_outputs_equal_solve(prepared, stack, m, current=np.linspace(-2e11, 2e11, 6))
    theta = np.linspace(0.0, 180.0, 7)
    reference = ss.solve(with_angle(stack, theta)).efficiency()
    assert_close(prepared.efficiency(theta).g2, reference.g2, "g2")


def test_bad_inputs_are_refused_clearly():
    prepared = finalize(seed_stack())
    good = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    with pytest.raises(ss.SpinstackError, match=r"shape \(\.\.\., 2, 3\)"):
        prepared.torques(good[0])
    with pytest.raises(ss.SpinstackError, match=r"shape \(\.\.\., 2, 3\)"):
        prepared.torques(np.zeros((4, 3, 3)))
    with pytest.raises(ss.SpinstackError, match="unit vector"):
        prepared.torques(2.0 * good)
    bad = np.broadcast_to(good, (5, 2, 3)).copy()
    bad[3, 1] = [np.nan, 0.0, 0.0]
    with pytest.raises(ss.SpinstackError, match=r"magnetizations\[3, 1\] \(layer 2\) must be finite"):
        prepared.solve(bad)
    with pytest.raises(ss.SpinstackError, match="current must be finite"):
        prepared.torques(good, current=np.inf)
    with pytest.raises(ss.SpinstackError, match="theta must be finite"):
        prepared.efficiency([0.0, np.nan])
    with pytest.raises(ss.SpinstackError, match="exactly two F layers"):
        finalize(ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(N, 1.0)])).efficiency(10.0)
    with pytest.raises(TypeError, match="finalize takes a spinstack Stack"):
        finalize(ss.solve(seed_stack()))
    # a direction normalised in double precision is accepted
    m = ss.polar(np.array([33.3, 77.7]), np.array([12.0, -140.0]))
    assert np.isfinite(prepared.torques(m)).all()


def test_inputs_that_do_not_fit_the_batch_are_refused_by_name():
    """A batched stack fixes the configurations' shape: theta, magnetizations and current must broadcast with it
    (and with each other), else a SpinstackError naming the input, not numpy's broadcast error."""
    batched = finalize(seed_stack(np.linspace(0.0, 180.0, 11)))
    m = np.broadcast_to([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], (5, 2, 3))
    with pytest.raises(ss.SpinstackError, match=r"theta of shape \(7,\) does not broadcast with the stack's batch shape \(11,\)"):
        batched.efficiency(np.linspace(0.0, 1.0, 7))
    with pytest.raises(ss.SpinstackError, match=r"magnetizations \(leading axes\) of shape \(5,\)"):
        batched.torques(m)
    with pytest.raises(ss.SpinstackError, match=r"current of shape \(4,\)"):
        batched.solve(current=np.ones(4))
    single = finalize(seed_stack())
    with pytest.raises(ss.SpinstackError, match=r"magnetizations \(leading axes \(5,\)\) and current \(shape \(4,\)\)"):
        single.torques(m, current=np.ones(4))
    assert single.torques(m, current=np.ones((4, 1))).shape == (4, 5, 3, 3)
    assert batched.efficiency(np.linspace(0.0, 1.0, 11)).g1.shape == (11,)


def test_huge_angles_in_degrees_keep_their_meaning():
    """fmod(theta, 360) is exact: 1e20 degrees is 1e20 mod 360 = 80 degrees, not NaN or a rounded quadrant."""
    prepared = finalize(seed_stack())
    huge = np.array([1e20, 1e100, -1e300, 30.0])
    reduced = np.fmod(huge, 360.0)
    got, want = prepared.efficiency(huge), prepared.efficiency(reduced)
    np.testing.assert_array_equal(got.g1, want.g1)
    np.testing.assert_array_equal(got.g2, want.g2)
    assert np.isfinite(got.g1).all()
    np.testing.assert_array_equal(efficiency(seed_stack(), huge).g2, want.g2)
    np.testing.assert_array_equal(with_angle(seed_stack(), 1e20).layers[2].magnetization,
                                  with_angle(seed_stack(), float(np.fmod(1e20, 360.0))).layers[2].magnetization)


def test_complex_and_text_inputs_are_refused_by_name():
    prepared = finalize(seed_stack())
    for call, name in ((lambda: prepared.torques([[0, 0, 1 + 0.5j], [1j, 1, 0]]), "magnetizations"),
                       (lambda: prepared.torques(np.array([[0, 0, 1], [1, 0, 0]], dtype=complex)), "magnetizations"),
                       (lambda: prepared.solve(current=1j), "current"), (lambda: prepared.efficiency(1j), "theta"),
                       (lambda: prepared.efficiency("abc"), "theta"), (lambda: prepared.solve("abc"), "magnetizations"),
                       (lambda: prepared.solve([[0, 0, 1], [1, 0]]), "magnetizations")):
        with pytest.raises(ss.SpinstackError, match=f"^{name}"):
            call()


def test_rotation_basis_is_orthonormal_near_collinear_and_one_pass_elsewhere():
    """Found by Hypothesis: m2 4.3e-7 from m1 left one Gram-Schmidt pass 5e-10 off normal (g's 1e-11 off the
    turned stack's); a second pass everywhere added 3.5e-15 of its own at 1 degree (against 6e-16)."""
    m2 = np.array([0.0, 0.0, 1.0])
    near = np.array([4.32869358e-07, 0.0, 1.0])
    near = near / np.linalg.norm(near)
    m1, e = rotation_basis(near, m2)
    assert abs(float(m1 @ e)) < 1e-15 and abs(float(np.linalg.norm(e)) - 1.0) < 1e-15
    far = np.array([0.01745240643728351, 0.0, 0.9998476951563913])
    far = far / np.linalg.norm(far)
    normal = m2 - (far @ m2) * far
    np.testing.assert_array_equal(rotation_basis(far, m2)[1], normal / np.linalg.norm(normal))


def test_named_directions_and_outputs():
    prepared = finalize(seed_stack())
    np.testing.assert_array_equal(prepared.torques(["+z", "normal"]), prepared.torques([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))
    mixed = prepared.torques(["+z", ss.polar(np.array([10.0, 20.0]))])  # a name beside a batch of vectors
    assert mixed.shape == (2, 3, 3)
    with pytest.raises(ss.SpinstackError, match=r"magnetizations\[1\]"):
        prepared.torques(["+z", "sideways"])
    outputs = prepared.solve()
    assert all(isinstance(value, np.ndarray) for value in (outputs.resistance_area, outputs.spin_resistance_area))
    assert outputs == outputs and outputs != prepared.solve()  # identity, not an ambiguous array comparison


def test_rotation_plane_and_turn():
    m1, e = rotation_basis(np.array([0.0, 0.0, 1.0]), ss.polar(60.0))
    np.testing.assert_allclose(e, [1.0, 0.0, 0.0], atol=1e-15)
    m1, e = rotation_basis(np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0]))  # collinear: a fallback axis
    assert abs(np.dot(m1, e)) < 1e-15 and abs(np.linalg.norm(e) - 1.0) < 1e-15
    exact = turned(np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]), np.array([0.0, 90.0, 180.0]))
    np.testing.assert_array_equal(exact, [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]])


def test_magnetizations_per_layer():
    """A list of per-layer arrays (N, 3) is the same as one (N, n_F, 3) array; a single configuration as well."""
    prepared = finalize(seed_stack())
    m2 = ss.polar(np.linspace(0.0, 180.0, 9))
    m1 = np.broadcast_to([0.0, 0.0, 1.0], m2.shape)
    together = prepared.torques(np.stack([m1, m2], axis=-2))
    assert together.shape == (9, 3, 3)
    np.testing.assert_array_equal(prepared.torques([m1, m2]), together)
    np.testing.assert_array_equal(prepared.torques([[0.0, 0.0, 1.0], m2[3]]), together[3])
