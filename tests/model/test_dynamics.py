"""The dynamics keys in the model (MODEL.md 9): validated where they live, reachable by paths, kept by every
rebuild of a stack, and turned into an ensemble of macrospins by ``Macrospins.from_stack``."""

from __future__ import annotations

import dataclasses
import re
import math

import numpy as np
import pytest

import spinstack as ss
from spinstack import analysis, si
from spinstack._sweep.plan import set_angle
from spinstack.macrospin.integrate import RightHandSide
from spinstack.macrospin.spec import Macrospins
from spinstack.model.dynamics import DEMAG_TOLERANCE, Dynamics, ExchangeCoupling
from spinstack.model.paths import parameter_value, parse, with_parameter
from spinstack.units import QUANTITIES
from tests.strategies import structure


def valve(*, fixed_layers: int = 2, **dynamics: object) -> ss.Stack:
    """Co 8 nm | Cu 10 nm | Py 3 nm (free) | Cu 5 nm | Co 6 nm, SI, with macrospin constants on Py and Co (the last
    two layers only with ``fixed_layers == 2``)."""
    Co = dataclasses.replace(si.ferromagnet("Co", rho=60e-9, beta=0.5, l_sf=50e-9), Ms=1.4e6, alpha=0.02)
    Cu = si.normal("Cu", rho=5e-9, l_sf=500e-9)
    Py = dataclasses.replace(si.ferromagnet("Py", rho=150e-9, beta=0.7, l_sf=5.5e-9), Ms=8e5, alpha=0.01, K_u=2e3,
                             easy_axis="+z")
    layers = [si.layer(Co, 8e-9, [0, 0, 1]), si.layer(Cu, 10e-9),
              dataclasses.replace(si.layer(Py, 3e-9, [0, 0.05, 1]), free=True, demag=[0.9, 0.04, 0.06]),
              si.layer(Cu, 5e-9), si.layer(Co, 6e-9, [0, 1, 0])]
    stack = si.stack(layers[:3 if fixed_layers == 1 else 5], current_density=-1e11)
    settings = {"field": [0.0, 0.0, 5e-3], "couplings": [((0, 2), 5e-5)], **dynamics}
    return dataclasses.replace(stack, dynamics=Dynamics(**settings))


# ------------------------------------------------------------------ the model's own checks
def test_the_constants_are_checked_where_they_live() -> None:
    Py = si.ferromagnet("Py", rho=150e-9, beta=0.7, l_sf=5.5e-9)
    cases = [({"Ms": 0.0}, "materials.Py.Ms: must be > 0"), ({"alpha": -1e-3}, "materials.Py.alpha: must be >= 0"),
             ({"alpha": [0.01, 1e4]}, "materials.Py.alpha: must be at most 1000 (Gilbert damping: measured values "
                                      "lie below ~1; larger ones overflow the dynamics' arithmetic), got 10000"),
             ({"gamma": -1.0}, "materials.Py.gamma: must be > 0"),
             ({"K_u": 1e3}, "materials.Py.easy_axis: missing: K_u needs the anisotropy axis"),
             ({"K_u": 1e3, "easy_axis": [0, 0, 0]}, "materials.Py.easy_axis: must be"),
             ({"K_u": math.inf, "easy_axis": "+z"}, "materials.Py.K_u: must be finite")]
    for change, message in cases:
        with pytest.raises(ss.StackError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
            dataclasses.replace(Py, **change)
    axis = dataclasses.replace(Py, K_u=-1e3, easy_axis={"theta": 90, "phi": 90}).easy_axis  # K_u < 0: a hard axis
    np.testing.assert_allclose(axis, [0, 1, 0], atol=1e-16)
    Cu = si.normal("Cu", rho=5e-9, l_sf=500e-9)
    for change, message in [({"free": True}, "free: only a ferromagnet moves"),
                            ({"demag": [1, 0, 0]}, "demag: only a ferromagnet has demagnetizing factors")]:
        with pytest.raises(ss.StackError, match="^" + message):
            ss.Layer(Cu, 1e-9, **change)
    with pytest.raises(ss.StackError, match="^free: must be true or false"):
        ss.Layer(Py, 1e-9, [0, 0, 1], free=1)


def test_demag_factors_sum_to_one_within_the_tolerance() -> None:
    Py = si.ferromagnet("Py", rho=150e-9, beta=0.7, l_sf=5.5e-9)
    almost = [1.0 - 0.5 * DEMAG_TOLERANCE, 0.0, 0.0]
    np.testing.assert_array_equal(ss.Layer(Py, 1e-9, "+z", demag=almost).demag, almost)
    with pytest.raises(ss.StackError, match=r"^demag: must sum to 1 .*got a sum of 0\.999999998"):
        ss.Layer(Py, 1e-9, "+z", demag=[1.0 - 2 * DEMAG_TOLERANCE, 0.0, 0.0])
    with pytest.raises(ss.StackError, match=r"^demag: must be non-negative"):
        ss.Layer(Py, 1e-9, "+z", demag=[1.5, -0.5, 0.0])
    batch = ss.Layer(Py, 1e-9, "+z", demag=[[1, 0, 0], [0.5, 0.25, 0.25]]).demag
    assert batch.shape == (2, 3)


def test_dynamics_settings_are_checked() -> None:
    cases = [({"duration": 0.0}, "dynamics.duration: must be > 0"),
             ({"duration": [1e-9, 2e-9]}, "dynamics.duration: must be a single number"),
             ({"save_every": -1e-12}, "dynamics.save_every: must be > 0"),
             ({"duration": 1e-9, "save_every": 2e-9}, "dynamics.save_every: must be at most the duration"),
             ({"temperature": -1.0}, "dynamics.temperature: must be >= 0"),
             ({"temperature": [0.0, 300.0]}, "dynamics.area: missing: a temperature > 0 needs the pillar area"),
             ({"temperature": 300.0, "area": 0.0}, "dynamics.area: must be > 0"),
             ({"seed": -1}, "dynamics.seed: must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got -1"), ({"seed": 1.0}, "dynamics.seed: must be an"),
             ({"seed": 2**63}, "dynamics.seed: must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got 9223372036854775808"),
             ({"seed": np.uint64(2**64 - 1)}, "dynamics.seed: must be an integer from 0 to 2^63 - 1 = 9223372036854775807, got np.uint64"),
             ({"field": [0.0, 1.0]}, "dynamics.field: must be a 3-vector"),
             ({"waveform": [(0.0, 1.0), (0.0, 2.0)]}, "dynamics.waveform[1]: the times must increase strictly"),
             ({"waveform": [(0.0, 1.0), (2e-9, 2.0), (1e-9, 0.0)]}, "dynamics.waveform[2]: the times must increase"),
             ({"waveform": []}, "dynamics.waveform: must be a list of [t, J] pairs"),
             ({"couplings": [((0, 1, 2), 1e-5)]}, "dynamics.coupling[0].layers: must be two layer indices"),
             ({"couplings": [((0, 1), math.nan)]}, "dynamics.coupling[0].J: must be finite")]
    for change, message in cases:
        with pytest.raises(ss.StackError, match="^" + re.escape(message)):
            Dynamics(**change)


def test_a_free_layer_touching_another_ferromagnet_is_refused_by_its_key() -> None:
    """MODEL.md 1 (touching ferromagnets stay collinear) and 9 (every other F layer and F lead keeps its m): a free
    layer touching a fixed layer failed only when the run started, with the solver's words; one touching an F lead
    dragged the lead with it; two touching free layers.  Refused when the stack is built, naming the key, with or
    without a resistive interface at the contact (one node, one magnetization axis)."""
    Co = dataclasses.replace(si.ferromagnet("Co", rho=60e-9, beta=0.5, l_sf=50e-9), Ms=1.4e6, alpha=0.02)
    Cu = si.normal("Cu", rho=5e-9, l_sf=500e-9)
    Py = dataclasses.replace(si.ferromagnet("Py", rho=150e-9, beta=0.7, l_sf=5.5e-9), Ms=8e5, alpha=0.01)
    free_py = dataclasses.replace(si.layer(Py, 3e-9, [0, 0, 1]), free=True)
    spacer, fixed = si.layer(Cu, 10e-9), si.layer(Co, 8e-9, [0, 0, 1])
    why = ("ferromagnets in contact stay collinear (MODEL.md 1) and every other F layer and F lead keeps its m "
           "(MODEL.md 9), so it could not turn alone; a free layer needs a normal-metal spacer between it and any "
           "other ferromagnet (a resistive interface alone does not separate them)")
    cases = [(dict(layers=[fixed, free_py, spacer]), "layers[1].free: touches the ferromagnetic layer layers[0] (Co)"),
             (dict(layers=[fixed, spacer, free_py, dataclasses.replace(free_py)]),
              "layers[2].free: touches the ferromagnetic layer layers[3] (Py, also free)"),
             (dict(layers=[spacer, free_py], right=si.lead(Co, [0, 0, -1])),
              "layers[1].free: touches the ferromagnetic lead right (Co)"),
             (dict(layers=[free_py, spacer, fixed], left=si.lead(Co, [0, 0, 1]),
                   interfaces=[si.interface(0, AR=5e-16, gamma=0.7)]),
              "layers[0].free: touches the ferromagnetic lead left (Co)")]
    for keywords, message in cases:
        with pytest.raises(ss.StackError, match="^" + re.escape(f"{message}: {why}") + "$"):
            si.stack(current_density=1e11, **keywords)
        still = [dataclasses.replace(layer, free=False) for layer in keywords.pop("layers")]
        si.stack(still, current_density=1e11, **keywords)  # the same stack with nothing free is a valid one
    # an N lead, a reservoir or a spacer on both sides: free to turn
    si.stack([spacer, free_py, spacer, fixed], left=si.lead(Cu), current_density=1e11)


def test_the_stack_checks_what_needs_its_layers() -> None:
    stack = valve()
    assert stack.free_indices == (2,)
    for couplings, message in [([((0, 1), 1e-5)], r"layer 1 is not an F layer \('Cu'; the F layers are \[0, 2, 4\]\)"),
                               ([((2, 2), 1e-5)], "names layer 2 twice"), ([((0, 9), 1e-5)], "layer 9 does not exist")]:
        with pytest.raises(ss.StackError, match=r"^dynamics\.coupling\[0\]\.layers: " + message):
            dataclasses.replace(stack, dynamics=Dynamics(couplings=couplings))
    Co = stack.layers[0]
    with pytest.raises(ss.StackError, match=r"^materials\.Co\.Ms: missing: layers\[0\] is free and needs it"):
        dataclasses.replace(stack, layers=[dataclasses.replace(Co, material=dataclasses.replace(Co.material, Ms=None),
                                                               free=True)] + list(stack.layers[1:]))


def test_a_reduced_stack_with_any_dynamics_key_is_refused() -> None:
    F, N = ss.Ferromagnet("F", D=1.0, p=0.5, l=2.0), ss.Normal("N", D=1.0, l=3.0)
    plain = ss.Stack([ss.Layer(F, 1.0, "+z"), ss.Layer(N, 1.0), ss.Layer(F, 1.0, "+x")])
    message = r'dynamics needs an SI stack \(units = "SI"\)'
    with pytest.raises(ss.StackError, match=r"^dynamics: " + message):
        dataclasses.replace(plain, dynamics=Dynamics())
    for index, change, path in [(2, {"free": True}, "layers[2].free"), (0, {"demag": [1, 0, 0]}, "layers[0].demag")]:
        layers = list(plain.layers)
        layers[index] = dataclasses.replace(layers[index], **change)
        with pytest.raises(ss.StackError, match="^" + path.replace("[", r"\[").replace("]", r"\]") + ": " + message):
            dataclasses.replace(plain, layers=layers)
    with pytest.raises(ss.StackError, match=r"^materials\.F\.Ms: " + message):
        with_parameter(plain, "materials.F.Ms", 8e5)
    with pytest.raises(ss.StackError, match=r"^dynamics: " + message):
        with_parameter(plain, "dynamics.temperature", 0.0)


# ------------------------------------------------------------------ paths
PATHS = [  # path, owner, parameter, component, kind, quantity
    ("materials.Py.Ms", "material", "Ms", None, "magnetization", "magnetization"),
    ("materials.Py.alpha", "material", "alpha", None, "damping", "dimensionless"),
    ("materials.Py.K_u", "material", "K_u", None, "anisotropy", "anisotropy"),
    ("materials.Py.gamma", "material", "gamma", None, "gyromagnetic_ratio", "gyromagnetic_ratio"),
    ("materials.Py.easy_axis", "material", "easy_axis", None, "direction", None),
    ("materials.Py.easy_axis.phi", "material", "easy_axis", "phi", "direction_angle", "angle"),
    ("layers[2].demag", "layer", "demag", None, "demag_factors", "dimensionless"),
    ("dynamics.field", "dynamics", "field", None, "applied_field", "magnetic_field"),
    ("dynamics.field.x", "dynamics", "field", "x", "applied_field_component", "magnetic_field"),
    ("dynamics.temperature", "dynamics", "temperature", None, "temperature", "temperature"),
    ("dynamics.area", "dynamics", "area", None, "area", "area"),
    ("dynamics.duration", "dynamics", "duration", None, "time", "time"),
    ("dynamics.save_every", "dynamics", "save_every", None, "time", "time"),
    ("dynamics.coupling[0].J", "dynamics", "J", None, "exchange", "exchange"),
]


@pytest.mark.parametrize(("text", "owner", "parameter", "component", "kind", "quantity"), PATHS)
def test_the_grammar_names_the_dynamics_keys(text: str, owner: str, parameter: str, component: str | None, kind: str,
                                             quantity: str | None) -> None:
    path = parse(text)
    assert (path.owner, path.parameter, path.component, path.kind, path.quantity) == (owner, parameter, component, kind,
                                                                                      quantity)
    assert path.vector == (kind in ("direction", "demag_factors", "applied_field"))
    if quantity is not None:
        assert path.units("SI") == QUANTITIES[quantity].udunits
    assert path.long_name("SI", valve())  # words, for a sweep's or an ensemble's long_name


def test_units_and_labels_of_the_dynamics_paths() -> None:
    assert parse("dynamics.field.z").units("SI") == "T" and parse("materials.Py.Ms").units("SI") == "A m-1"
    assert parse("dynamics.temperature").units("SI") == "K" and parse("dynamics.area").units("SI") == "m2"
    assert parse("dynamics.field.z").long_name("SI") == "applied field B_z = mu0 H_z"
    assert parse("materials.Py.alpha").long_name("SI") == "Gilbert damping alpha of Py"
    assert parse("materials.Py.Ms").label("A/m", si=True) == r"$M_{s,\mathrm{Py}}$ (A/m)"
    assert parse("dynamics.field.z").label("mT", si=True) == "applied field $B_{z}$ (mT)"
    assert parse("dynamics.temperature").label("K", si=True) == "temperature $T$ (K)"


def test_unknown_dynamics_paths_are_refused_with_the_forms() -> None:
    with pytest.raises(ss.StackError, match=r"^dynamics\.fields: unknown parameter path .*dynamics\.temperature"):
        parse("dynamics.fields")
    with pytest.raises(ss.StackError, match=r"^dynamics\.field\.w: unknown component 'w' of the applied field"):
        parse("dynamics.field.w")
    with pytest.raises(ss.StackError, match=r"^materials\.Py\.easy_axis\.psi: unknown parameter \(expected easy_axis"):
        parse("materials.Py.easy_axis.psi")
    stack = valve()
    with pytest.raises(ss.StackError, match=r"^dynamics\.coupling\[3\]\.J: no such coupling: the stack has 1"):
        with_parameter(stack, "dynamics.coupling[3].J", 1e-5)
    with pytest.raises(ss.StackError, match=r"^layers\[1\]\.demag: not a ferromagnet"):
        parameter_value(stack, "layers[1].demag")
    with pytest.raises(ss.StackError, match=r"^materials\.Co\.K_u: not set for 'Co'"):
        parameter_value(stack, "materials.Co.K_u")
    with pytest.raises(ss.StackError, match=r"^dynamics\.area: not set"):
        parameter_value(stack, "dynamics.area")


def test_reading_and_setting_every_dynamics_path() -> None:
    stack = valve(duration=10e-9, save_every=1e-11)
    assert float(parameter_value(stack, "materials.Py.Ms")) == 8e5
    assert float(parameter_value(stack, "materials.Py.easy_axis.theta")) == 0.0
    np.testing.assert_array_equal(parameter_value(stack, "layers[-3].demag"), [0.9, 0.04, 0.06])
    assert float(parameter_value(stack, "dynamics.field.z")) == 5e-3
    assert float(parameter_value(stack, "dynamics.coupling[0].J")) == 5e-5
    assert float(parameter_value(stack, "dynamics.duration")) == 10e-9
    for path, value in [("materials.Py.Ms", 6e5), ("materials.Py.alpha", 0.03), ("materials.Py.K_u", -1e3),
                        ("materials.Py.gamma", 1.7e11), ("dynamics.field.x", 2e-3), ("dynamics.temperature", 0.0),
                        ("dynamics.coupling[0].J", -2e-5), ("dynamics.duration", 20e-9), ("dynamics.save_every", 1e-10),
                        ("materials.Py.easy_axis.theta", 90.0)]:
        changed = with_parameter(stack, path, value)
        assert float(parameter_value(changed, path)) == pytest.approx(value, abs=1e-13 if "theta" in path else 0)
    turned = with_parameter(stack, "materials.Py.easy_axis.theta", 90.0)
    np.testing.assert_allclose(turned.materials["Py"].easy_axis, [1.0, 0.0, 0.0], atol=1e-16)  # phi = 0 kept
    tilted = with_parameter(stack, "dynamics.field.x", 2e-3)
    np.testing.assert_array_equal(tilted.dynamics.field, [2e-3, 0.0, 5e-3])
    with pytest.raises(ss.StackError, match=r"^dynamics\.save_every: must be at most the duration"):
        with_parameter(stack, "dynamics.save_every", 1e-8 * 2)
    with pytest.raises(ss.StackError, match=r"^dynamics\.duration: must be a single number"):
        with_parameter(stack, "dynamics.duration", [1e-9, 2e-9])
    with pytest.raises(ss.StackError, match=r"^materials\.Py\.alpha: must be >= 0"):
        with_parameter(stack, "materials.Py.alpha", [0.01, -0.01])
    with pytest.raises(ss.StackError, match=r"^layers\[2\]\.demag: must sum to 1"):
        with_parameter(stack, "layers[2].demag", [0.5, 0.5, 0.5])


def test_setting_a_dynamics_path_on_a_stack_without_dynamics_starts_the_defaults() -> None:
    stack = dataclasses.replace(valve(), dynamics=None)
    np.testing.assert_array_equal(parameter_value(stack, "dynamics.field"), [0.0, 0.0, 0.0])
    assert float(parameter_value(stack, "dynamics.temperature")) == 0.0
    warmer = with_parameter(with_parameter(stack, "dynamics.area", 5e-15), "dynamics.temperature", 300.0)
    assert float(warmer.dynamics.temperature) == 300.0 and float(warmer.dynamics.area) == 5e-15
    np.testing.assert_array_equal(warmer.dynamics.field, [0.0, 0.0, 0.0])
    with pytest.raises(ss.StackError, match=r"^dynamics\.area: missing: a temperature > 0 needs the pillar area"):
        with_parameter(stack, "dynamics.temperature", 300.0)


def test_a_transport_sweep_refuses_the_dynamics_vectors() -> None:
    """Vectors of the dynamics are refused as dynamics parameters (tests/sweep/test_transport_paths.py has the
    scalars): they do not enter the transport, whatever their shape."""
    pytest.importorskip("xarray")
    stack = valve()
    for path in ("layers[2].demag", "dynamics.field"):
        with pytest.raises(ss.StackError, match=rf"^{re.escape(path)}: a macrospin dynamics parameter: it does not "
                                                r"enter the transport solution"):
            ss.sweep(stack, {path: [0.0, 0.5, 1.0]})


# ------------------------------------------------------------------ every rebuild keeps them
def _dynamics_items(stack: ss.Stack) -> dict[str, object]:
    """The structure entries of the dynamics keys: [dynamics], free, demag, the materials' constants."""
    keys = ("Ms", "alpha", "K_u", "easy_axis", "gamma")
    return {path: value for path, value in structure(stack).items()
            if path.startswith("dynamics") or path.endswith((".free", ".demag"))
            or any(path.endswith(f".material.{key}") for key in keys)}


def test_every_rebuild_keeps_the_dynamics_keys() -> None:
    """with_parameter of every transport path, the theta routes, replace and batching keep every dynamics key
    to the bit (a rebuild once dropped the in-plane field silently)."""
    stack = valve(fixed_layers=1, duration=1e-8, save_every=1e-11, temperature=300.0, area=5e-15, seed=3,
                  waveform=[(0.0, 0.0), (1e-9, -3e11)])
    kept = _dynamics_items(stack)
    assert len(kept) > 30 and any(path.startswith("dynamics.waveform") for path in kept)
    rebuilt = [with_parameter(stack, "current", stack.current * 2), with_parameter(stack, "layers[1].thickness", 2e-9),
               with_parameter(stack, "layers[2].magnetization.theta", [10.0, 20.0]),
               with_parameter(stack, "materials.Py.D", stack.materials["Py"].D * 1.5),
               with_parameter(stack, "materials.Co.p", 0.3), with_parameter(stack, "layers[0].magnetization", [0, 1, 1]),
               dataclasses.replace(stack, current=0.0), set_angle(stack, np.array([30.0, 60.0])),
               analysis.with_angle(stack, 45.0)]
    for other in rebuilt:
        assert _dynamics_items(other) == kept
    spins = Macrospins.from_stack(stack)
    assert _dynamics_items(spins.with_stack(rebuilt[1]).stack) == kept


def test_batched_paths_become_an_ensemble_member_by_member() -> None:
    """with_parameter arrays (Ms, alpha, the field, the coupling, the demag factors, the current) make one
    ensemble; each member's right-hand side is that of the stack with the member's values, to 1e-12."""
    stack = valve(couplings=[((0, 2), 5e-5), ((2, 4), -2e-5)])
    Ms, alpha, Bz = np.array([6e5, 8e5, 1e6]), np.array([0.01, 0.02, 0.05]), np.array([0.0, 5e-3, 2e-2])
    J = np.array([1e-5, 0.0, -1e-5])
    demag = np.array([[1.0, 0.0, 0.0], [0.9, 0.05, 0.05], [0.8, 0.1, 0.1]])
    batched = stack
    for path, values in [("materials.Py.Ms", Ms), ("materials.Py.alpha", alpha), ("dynamics.field.z", Bz),
                         ("dynamics.coupling[1].J", J), ("layers[2].demag", demag),
                         ("current", stack.current * np.array([1.0, -1.0, 2.0]))]:
        batched = with_parameter(batched, path, values)
    assert batched.batch_shape == (3,)
    ensemble = Macrospins.from_stack(batched)
    assert ensemble.batch_shape == (3,)
    m = np.array([[[0.3, 0.4, np.sqrt(0.75)]], [[0.0, 0.6, 0.8]], [[-0.6, 0.0, 0.8]]])
    together = RightHandSide(ensemble)(0.0, m)
    for k in range(3):
        member = stack
        for path, value in [("materials.Py.Ms", Ms[k]), ("materials.Py.alpha", alpha[k]), ("dynamics.field.z", Bz[k]),
                            ("dynamics.coupling[1].J", J[k]), ("layers[2].demag", demag[k]),
                            ("current", stack.current * [1.0, -1.0, 2.0][k])]:
            member = with_parameter(member, path, value)
        alone = RightHandSide(Macrospins.from_stack(member))(0.0, m[k])
        scale = float(np.max(np.abs(alone)))
        np.testing.assert_allclose(together[k], alone, rtol=0, atol=1e-12 * scale)
    assert np.max(np.abs(together[0] - together[1])) > 1e-3 * np.max(np.abs(together))  # the members differ


def test_an_ensemble_of_temperatures_and_fields_broadcasts() -> None:
    stack = valve(area=5e-15)
    warm = with_parameter(stack, "dynamics.temperature", np.array([[0.0], [300.0]]))
    both = with_parameter(warm, "dynamics.field.y", np.array([0.0, 1e-3, 2e-3]))
    spins = Macrospins.from_stack(both)
    assert spins.batch_shape == (2, 3)
    np.testing.assert_array_equal(np.broadcast_to(spins.temperature, (2, 3))[:, 0], [0.0, 300.0])
    np.testing.assert_array_equal(spins.field[..., 1], [0.0, 1e-3, 2e-3])
    assert ExchangeCoupling((0, 2), 1e-5).layers == (0, 2)


def test_a_waveform_with_one_current_per_member() -> None:
    """Waveform currents that are arrays (one per member) make an ensemble, from the stack and as an override
    (pairs whose currents are arrays are no rectangular array: np.ndim of them used to raise)."""
    times = np.array([0.0, 1e-9])
    stack = valve(waveform=(times, np.array([[0.0, 0.0, 0.0], [1e11, 2e11, -1e11]])))
    assert stack.batch_shape == (3,)
    spins = Macrospins.from_stack(stack)
    assert spins.batch_shape == (3,)
    np.testing.assert_array_equal(spins.current_at(0.5e-9), [0.5e11, 1e11, -0.5e11])
    override = Macrospins.from_stack(valve(), current=[(0.0, 0.0), (1e-9, np.array([1e11, 3e11]))])
    assert override.batch_shape == (2,)
    np.testing.assert_array_equal(override.current_at(2e-9), [1e11, 3e11])


# ------------------------------------------------------------------ the waveform's amplitude (issue 15)
def test_waveform_scale_is_checked_and_scales_the_drive_member_by_member():
    pulse = [(0.0, 0.0), (1e-9, -3e11), (2e-9, 0.0)]
    scaled = Dynamics(waveform=pulse, waveform_scale=np.array([0.5, 2.0, -1.0]))
    times, currents = scaled.scaled_waveform()
    np.testing.assert_array_equal(times, [0.0, 1e-9, 2e-9])
    np.testing.assert_array_equal(currents, np.array([0.0, -3e11, 0.0])[:, None] * np.array([0.5, 2.0, -1.0]))
    np.testing.assert_array_equal(scaled.waveform[1], [0.0, -3e11, 0.0])  # kept as written
    assert ("dynamics.waveform_scale", scaled.waveform_scale) in scaled.parameters()  # a batch dimension
    np.testing.assert_array_equal(Dynamics(waveform=pulse).scaled_waveform()[1], [0.0, -3e11, 0.0])  # no scale: 1
    assert parse("dynamics.waveform_scale").quantity == "dimensionless"
    for value, reason in ((np.nan, "must be finite"), (np.inf, "must be finite"),
                          (1e300, "scales the waveform's currents beyond the largest drive")):
        with pytest.raises(ss.StackError, match=f"^dynamics.waveform_scale: {reason}"):
            Dynamics(waveform=pulse, waveform_scale=value)
    with pytest.raises(ss.StackError, match=r"^dynamics.waveform_scale: no waveform to scale"):
        Dynamics(waveform_scale=2.0)


def test_a_waveform_beyond_the_largest_drive_is_refused_as_the_stack_s_current_is():
    """Review (issue 16's run-settings row): a waveform point of 1e308 A/m^2 passed (finite) and the integrator
    overflowed and never returned; a drive is held to the span of the stack's own current, j0 = J/e within
    checks.LARGEST, i.e. |J| <= 1e150 x e = 1.602e131 A/m^2 (the file's current: io/sifile.py)."""
    from spinstack.model import checks
    from spinstack.units import ELEMENTARY_CHARGE

    limit = checks.LARGEST * ELEMENTARY_CHARGE
    assert Dynamics(waveform=[(0.0, 0.0), (1e-9, -limit)]).waveform[1][1] == -limit  # the end of the span: taken
    for value in (1e308, -1.7e131):
        with pytest.raises(ss.StackError, match=r"^dynamics.waveform\[1\]: the current density must lie within "
                                                r"\+-1.60218e\+131 A/m\^2"):
            Dynamics(waveform=[(0.0, 0.0), (1e-9, value), (2e-9, 0.0)])
    with pytest.raises(ss.StackError, match=r"^dynamics.waveform_scale: scales the waveform's currents beyond"):
        Dynamics(waveform=[(0.0, 0.0), (1e-9, 1e131)], waveform_scale=2.0)
