"""Writing stack files (src/spinstack/io/stackwriter.py): dumps_stack and write_stack give the TOML text that
load_stack reads back to the same stack.

"The same" is :func:`tests.strategies.structure`'s: every field of every dataclass in the stack (materials,
layers, ends, interfaces, the dynamics settings, units, current, field), each number compared by its dtype,
shape and bytes, so to the last bit, 0.0 against -0.0 included.  An SI stack holds converted numbers (D =
(1 - beta^2)/(e^2 rho), g = G/e^2, j0 = J/e, eps = e E), and the writer searches the doubles next to each
inverse for the one the reader's arithmetic converts exactly; that one exists for every stack that came from a
file or from spinstack.si, which is what the examples and the Hypothesis strategy build, so those round trips
are exact.  Only a stack whose SI model numbers were typed in by hand may have none: it is written with the
nearest, within 2 ulp (test_hand_made_si_numbers_are_written_to_the_nearest_double).
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack import si
from spinstack.errors import SpinstackError
from spinstack.io import dumps_stack, load_stack, stack_from_dict, write_stack
from spinstack.io.textfile import MAX_FILE_BYTES
from tests.data import FOLDER
from tests.strategies import full_stacks, assert_same_stack as assert_same

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


def read_back(text: str) -> ss.Stack:
    """The stack a written text describes, read by the file reader (no file)."""
    return stack_from_dict(tomllib.loads(text), "written.toml")


# ------------------------------------------------------------------ the examples
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips_to_the_bit(path, tmp_path):
    stack = load_stack(path)
    text = dumps_stack(stack)
    tomllib.loads(text)  # valid TOML
    assert_same(read_back(text), stack)
    written = write_stack(stack, tmp_path / path.name)
    assert written == tmp_path / path.name
    assert written.read_text(encoding="utf-8") == text
    assert_same(load_stack(written), stack)
    # and again: the written file is a fixed point of writing
    assert dumps_stack(load_stack(written)) == text


def test_the_examples_cover_both_unit_systems_and_the_dynamics_keys():
    """The parametrized round trip above is only as wide as the examples: they hold what it claims."""
    stacks = [load_stack(path) for path in EXAMPLES]
    assert {stack.units for stack in stacks} == {"reduced", "SI"}
    assert any(stack.dynamics is not None and stack.dynamics.waveform is not None for stack in stacks)
    assert any(stack.free_indices for stack in stacks)
    assert any(isinstance(stack.right, ss.Insulator) for stack in stacks)
    assert any(stack.interfaces for stack in stacks if stack.units == "SI")


def test_quantities_are_spelled_in_readable_units_when_exact():
    text = dumps_stack(load_stack(ROOT / "examples" / "dynamics-switching.toml"))
    for line in ('current = "2e12 A/m^2"', 'rho = "60 nOhm*m"', 'l_sf = "5.5 nm"', 'thickness = "8 nm"',
                 'Ms = "800 kA/m"', 'K_u = "10 kJ/m^3"', 'AR = "0.5 fOhm*m^2"', "gamma = 0.75", 'duration = "10 ns"',
                 'save_every = "5 ps"', '["0.6 ns", "2e12 A/m^2"]', "free = true"):
        assert line in text, line


def test_the_header_names_spinstack_and_its_version():
    from importlib.metadata import version

    first = dumps_stack(load_stack(ROOT / "examples" / "seed-fnf.toml")).splitlines()[0]
    assert first.startswith(f"# Stack file written by spinstack {version('spinstack')} ")


# ------------------------------------------------------------------ every feature (Hypothesis)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(full_stacks(batched=False))
def test_any_stack_round_trips_to_the_bit(stack):
    """Reduced and SI, every end kind, interfaces with g_mix and delta, coherent F, theta_SH, in-plane field,
    shared materials and layer objects, and (SI) the dynamics keys: Ms, alpha, K_u, easy_axis, gamma, free,
    demag, [dynamics] field, duration, save_every, temperature, area, seed, waveform, coupling."""
    text = dumps_stack(stack)
    assert_same(read_back(text), stack)


@PROPERTY
@given(full_stacks(units="SI", batched=False, dynamics=True, ferromagnets=2))
def test_any_dynamics_stack_round_trips_to_the_bit(stack):
    text = dumps_stack(stack)
    back = read_back(text)
    assert_same(back, stack)
    assert back.dynamics is not None and back.materials  # the drawn stack really had the keys


@settings(max_examples=60, deadline=None)
@given(st.floats(1e5, 1e9), st.sampled_from(["S/m", "MS/m"]), st.floats(-0.9, 0.9))
def test_a_resistivity_given_as_a_conductivity_round_trips(sigma, unit, beta):
    """D = (1 - beta^2)/(e^2 rho) with rho = 1/sigma: one rounding more, which rho alone may not reproduce
    (then the conductivity is written); either way the same D comes back."""
    value = f"{sigma!r} S/m" if unit == "S/m" else f"{sigma / 1e6!r} MS/m"
    Cu = si.normal("Cu", conductivity=value, l_sf="100 nm")
    Co = si.ferromagnet("Co", conductivity=value, beta=beta, l_sf="10 nm")
    stack = si.stack([si.layer(Cu, "4 nm"), si.layer(Co, "2 nm", "+z")], current_density="1e11 A/m^2")
    assert_same(read_back(dumps_stack(stack)), stack)


def test_interfaces_of_any_asymmetry_round_trip():
    """g_up, g_dn = 1/(2 AR e^2 (1 -+ gamma)): AR and gamma are found together.  A small gamma is the hard
    case: 1 - gamma and 1 + gamma may each round either way, and the pair must be the reader's (before the
    search paired them, 3 % of such random interfaces came back 1 ulp off)."""
    rng = np.random.default_rng(20261205)
    Co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.5, l_sf="50 nm")
    Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
    count = 300
    layers = [si.layer(Co, "2 nm", "+z") if i % 2 == 0 else si.layer(Cu, "3 nm") for i in range(count + 1)]
    interfaces = [si.interface(node, AR=float(rng.uniform(1e-17, 1e-14)),
                               gamma=float(rng.uniform(-0.99, 0.99)) * 10.0 ** -float(rng.integers(0, 9)),
                               G_mix=[float(rng.uniform(0.0, 1e16)), float(rng.uniform(-1e15, 1e15))])
                  for node in range(1, count + 1)]
    stack = si.stack(layers, current_density="1e11 A/m^2", interfaces=interfaces)
    assert_same(read_back(dumps_stack(stack)), stack)


def test_an_in_plane_current_density_round_trips_in_whichever_spelling_is_exact():
    """field = { layer, current_density }: eps = J / (e sigma) of that layer; E = eps / e may not convert back
    exactly, then the writer keeps the current-density spelling.  Both spellings occur over these values."""
    spellings = set()
    for J in np.linspace(1e10, 3e11, 40).tolist():
        text = f"""units = "SI"
current = "0 A/m^2"
field = {{ layer = 0, current_density = [0, "{J!r} A/m^2", "{-J / 3!r} A/m^2"] }}
[materials.Pt]
type = "normal"
rho = "207.3 nOhm*m"
l_sf = "1.4 nm"
theta_SH = 0.068
[left]
kind = "open"
[[layers]]
material = "Pt"
thickness = "3 nm"
"""
        stack = read_back(text)
        written = dumps_stack(stack)
        spellings.add("current_density" in written)
        assert_same(read_back(written), stack)
    assert spellings == {True, False}


def test_infinities_round_trip():
    """l = "inf", transparent interfaces (g_up = g_dn = inf; SI AR = 0) and full absorption (g_r = inf)."""
    N = ss.Normal("N", D=2.0, l=math.inf)
    F = ss.Ferromagnet("F", D=1.0, p=0.5, l=3.0, l_J=math.inf)
    reduced = ss.Stack([ss.Layer(N, 1.0), ss.Layer(F, 2.0, [0, 0, 1])],
                       interfaces=[ss.Interface(1, math.inf, math.inf, [math.inf, 0.0])])
    text = dumps_stack(reduced)
    assert 'g_up = "inf"' in text and 'l = "inf"' in text and 'l_J = "inf"' in text
    assert_same(read_back(text), reduced)
    Co = si.ferromagnet("Co", rho="60 nOhm*m", beta=0.5, l_sf="inf", l_phi="inf")
    Cu = si.normal("Cu", rho="5 nOhm*m", l_sf="450 nm")
    stack = si.stack([si.layer(Cu, "3 nm"), si.layer(Co, "4 nm", "+z")], current_density="-1e11 A/m^2",
                     interfaces=[si.interface(1, AR=0, G_mix=["inf", "1e14 Ohm^-1*m^-2"])])
    text = dumps_stack(stack)
    assert 'G_mix = ["inf", "1e14 Ohm^-1*m^-2"]' in text
    assert_same(read_back(text), stack)


def test_a_waveform_scale_round_trips():
    """dynamics.waveform_scale, a pure number multiplying the waveform's currents (when the reader takes it)."""
    text = (FOLDER / "free-valve.toml").read_text(encoding="utf-8") + (
        'waveform = [["0.1 ns", "0 A/m^2"], ["0.2 ns", "-3e11 A/m^2"]]\nwaveform_scale = -1.75\n')
    try:
        stack = read_back(text)
    except SpinstackError as error:
        if "waveform_scale: unknown key" in str(error):
            pytest.skip("this reader has no dynamics.waveform_scale")
        raise
    written = dumps_stack(stack)
    assert "waveform_scale = -1.75" in written
    assert_same(read_back(written), stack)


def test_spin_conductances_are_written_as_D_and_p():
    F = ss.Ferromagnet.from_spin_conductances("F", 3.0, 1.0, l=2.0)
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 1, 0])], left=ss.Lead(ss.Normal("N", D=1.0, l=5.0)))
    text = dumps_stack(stack)
    assert "D_up" not in text and "p = 0.5" in text
    assert_same(read_back(text), stack)


def test_library_materials_and_pairs_are_written_out_whole(tmp_path):
    """The stack holds a library material's numbers, not where they came from: the file needs no library."""
    stack = load_stack(ROOT / "examples" / "py-cu-py-gmr.toml")
    text = dumps_stack(stack)
    assert "pair" not in text
    for table in tomllib.loads(text)["materials"].values():
        assert {"type", "l_sf"} <= set(table) and {"rho", "conductivity"} & set(table)
    path = tmp_path / "gmr.toml"
    path.write_text(text, encoding="utf-8")
    # a library that cannot be read: the reader would say so at the first name that needed it
    assert_same(load_stack(path, library=tmp_path / "no-such-library.toml"), stack)


@pytest.mark.parametrize("name", ["Co 2", "a.b", 'q"uote', "back\\slash", "tab\there", "del\x7f", "bell\x07",
                                  "Ni₈₀Fe₂₀", "[x]", "#"])
def test_any_material_name_is_quoted_as_toml_needs(name):
    F = ss.Ferromagnet(name, D=1.0, p=0.3, l=2.0)
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 0, 1])], right=ss.Lead(F, [0, 0, -1]))
    text = dumps_stack(stack)
    back = read_back(text)
    assert back.layers[0].material.name == name and back.right.material.name == name
    assert_same(back, stack)


def test_hand_made_si_numbers_are_written_to_the_nearest_double():
    """Model numbers typed into an SI stack by hand (not converted from a quantity) may have no exact SI
    quantity: then the nearest comes back, within 2 ulp (the last conversion's rounding)."""
    worst = 0.0
    rng = np.random.default_rng(3)
    for _ in range(40):
        D = float(rng.uniform(1.0, 2.0)) * 1e45
        j0 = float(rng.uniform(1.0, 2.0)) * 1e29
        N = ss.Normal("N", D=D, l=1e-7)
        stack = ss.Stack([ss.Layer(N, 2e-9)], current=j0, units="SI")
        back = read_back(dumps_stack(stack))
        for value, returned in ((D, back.layers[0].material.D), (j0, back.current)):
            worst = max(worst, abs(float(returned) - value) / value)
    assert worst <= 2 * np.finfo(float).eps


# ------------------------------------------------------------------ refusals
def batched_stack() -> ss.Stack:
    stack = load_stack(ROOT / "examples" / "seed-fnf.toml")
    layer = stack.layers[1]
    layers = list(stack.layers)
    layers[1] = dataclasses.replace(layer, thickness=np.array([1.0, 2.0]))
    return dataclasses.replace(stack, layers=layers)


def test_a_batched_stack_is_refused_naming_the_parameter(tmp_path):
    stack = batched_stack()
    with pytest.raises(SpinstackError, match=r"^layers\[1\]\.thickness: an array .*batch shape \(2,\).* one "
                                             r"configuration"):
        dumps_stack(stack)
    with pytest.raises(SpinstackError, match=r"layers\[1\]\.thickness"):
        write_stack(stack, tmp_path / "batched.toml")
    assert os.listdir(tmp_path) == []  # nothing written, not even a temporary file


def test_a_batched_dynamics_parameter_is_named_too():
    stack = load_stack(FOLDER / "free-valve.toml")
    from spinstack.model.paths import with_parameter

    batched = with_parameter(stack, "dynamics.field.z", np.array([0.0, 0.01]))
    with pytest.raises(SpinstackError, match=r"^dynamics\.field: an array"):
        dumps_stack(batched)


def test_not_a_stack_is_refused():
    with pytest.raises(SpinstackError, match="takes a spinstack.Stack, got str"):
        dumps_stack("examples/seed-fnf.toml")


def test_a_name_toml_cannot_hold_is_refused():
    stack = ss.Stack([ss.Layer(ss.Normal("bad\ud800", D=1.0, l=1.0), 1.0)])
    with pytest.raises(SpinstackError, match="cannot be written in a TOML file"):
        dumps_stack(stack)


def test_an_existing_file_is_kept_unless_overwrite(tmp_path):
    stack = load_stack(ROOT / "examples" / "seed-fnf.toml")
    target = tmp_path / "stack.toml"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(SpinstackError, match=r"stack\.toml: exists already .*overwrite=True"):
        write_stack(stack, target)
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert os.listdir(tmp_path) == ["stack.toml"]
    write_stack(stack, target, overwrite=True)
    assert_same(load_stack(target), stack)
    assert os.listdir(tmp_path) == ["stack.toml"]


def test_a_folder_or_a_missing_folder_is_refused(tmp_path):
    stack = load_stack(ROOT / "examples" / "seed-fnf.toml")
    with pytest.raises(SpinstackError, match="is a folder"):
        write_stack(stack, tmp_path, overwrite=True)
    with pytest.raises(SpinstackError, match="cannot write the stack file"):
        write_stack(stack, tmp_path / "no-such-folder" / "stack.toml")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch, overwrite):
    stack = load_stack(ROOT / "examples" / "seed-fnf.toml")
    target = tmp_path / "stack.toml"
    if overwrite:
        target.write_text("old\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(SpinstackError, match="cannot write the stack file .No space left on device"):
        write_stack(stack, target, overwrite=overwrite)
    assert os.listdir(tmp_path) == (["stack.toml"] if overwrite else [])
    if overwrite:
        assert target.read_text(encoding="utf-8") == "old\n"


def test_a_written_file_has_ordinary_permissions(tmp_path):
    """Not the 0600 of a temporary file: what any new file gets under the umask."""
    mask = os.umask(0)
    os.umask(mask)
    written = write_stack(load_stack(ROOT / "examples" / "seed-fnf.toml"), tmp_path / "s.toml")
    assert written.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_text_the_reader_would_refuse_for_its_size_is_refused(monkeypatch):
    from spinstack.io import stackwriter

    monkeypatch.setattr(stackwriter, "MAX_FILE_BYTES", 100)
    with pytest.raises(SpinstackError, match="more than the 100 bytes"):
        dumps_stack(load_stack(ROOT / "examples" / "seed-fnf.toml"))
    assert MAX_FILE_BYTES > 100


def test_writing_a_reduced_stack_imports_no_pint():
    code = ("import sys, spinstack as ss\n"
            f"ss.dumps_stack(ss.load_stack({str(ROOT / 'examples' / 'seed-fnf.toml')!r}))\n"
            "print('pint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_package_exports_the_writer():
    assert ss.dumps_stack is dumps_stack and ss.write_stack is write_stack
    assert ss.io.dumps_stack is dumps_stack and ss.io.write_stack is write_stack


# ------------------------------------------------------------------ the dynamics dataset's stack_toml
def test_a_dynamics_run_carries_its_stack_as_a_stack_file(tmp_path):
    stack = load_stack(FOLDER / "free-valve.toml")
    run = ss.dynamics(stack, duration=2e-11, save_every=1e-11, progress=False)
    assert "stack" in run.attrs  # the JSON attribute is kept
    path = tmp_path / "run.toml"
    path.write_text(run.attrs["stack_toml"], encoding="utf-8")
    back = load_stack(path)
    assert_same(back, stack)
    assert back.free_indices == (2,) and back.materials["Py"].Ms == 8e5 and back.dynamics.duration == 2e-10


def test_a_varied_run_carries_the_stack_as_given_and_the_file_keeps_it(tmp_path):
    stack = load_stack(FOLDER / "free-valve.toml")
    target = tmp_path / "run.nc"
    with ss.dynamics(stack, duration=2e-11, save_every=1e-11, vary={"layers[2].thickness": [3e-9, 5e-9]},
                     out=target, progress=False) as run:
        assert_same(read_back(run.attrs["stack_toml"]), stack)
