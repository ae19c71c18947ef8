"""Stack files (STACK_FORMAT.md): good files load, every malformed one gives a one-line error with its path."""

from __future__ import annotations

import math
import os
import pickle
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinstack as ss
from spinstack.io import StackFileError, load_stack, stack_from_dict
from tests.data import text as stack_text
from tests.io import malformed_stacks as malformed

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"




def write(tmp_path: Path, text: str, name: str = "stack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ good files
def test_seed_example_loads_as_appendix_one_structure():
    stack = load_stack(EXAMPLES / "seed-fnf.toml")
    assert [layer.material.name for layer in stack.layers] == ["F1", "N", "F2"]
    assert isinstance(stack.left, ss.Reservoir) and isinstance(stack.right, ss.Reservoir)
    assert stack.batch_shape == ()
    assert float(stack.current) == 1.0
    f1, n, f2 = stack.layers
    assert (float(f1.material.D), float(f1.material.p), float(f1.material.l), float(f1.thickness)) == (1.0, 0.5, 2.0, 1.5)
    assert (float(n.material.D), float(n.material.l), float(n.thickness)) == (3.0, 10.0, 2.0)
    np.testing.assert_allclose(f1.magnetization, [0, 0, 1])
    np.testing.assert_allclose(f2.magnetization, [math.sin(math.radians(60)), 0, 0.5])
    assert ss.load_stack(EXAMPLES / "seed-fnf.toml").layers[2].material.name == "F2"  # the package re-export


def test_seed_example_efficiency_matches_appendix_two():
    """Seed App. II / MODEL.md 6: g_i = B (A_i p_j - B cos theta p_i) / Det with G~ = G coth(d/l)."""
    solution = ss.solve(load_stack(EXAMPLES / "seed-fnf.toml"))
    G = lambda D, l, d: D / (2 * l) / math.tanh(d / l)  # noqa: E731
    A = G(1.0, 2.0, 1.5) + G(3.0, 10.0, 2.0)
    B = 3.0 / (2 * 10.0) / math.sinh(2.0 / 10.0)
    cos = math.cos(math.radians(60))
    g = B * (A * 0.5 - B * cos * 0.5) / (A * A - B**2 * cos**2)
    efficiency = solution.efficiency()
    assert float(efficiency.g1) == pytest.approx(g, rel=1e-12)
    assert float(efficiency.g2) == pytest.approx(g, rel=1e-12)


BASE = stack_text("fn-materials.toml")  # the seed's F and N, no layers


def test_defaults_units_current_and_reservoir_ends(tmp_path):
    stack = load_stack(write(tmp_path, BASE + '\n[[layers]]\nmaterial = "N"\nthickness = 2\n'))
    assert float(stack.current) == 1.0
    assert isinstance(stack.left, ss.Reservoir) and isinstance(stack.right, ss.Reservoir)
    assert float(stack.layers[0].thickness) == 2.0  # integers are numbers too


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (BASE + '\n[[layers]]\nmaterial = "N"\nthickness = 2.0\n').encode())
    assert len(load_stack(path).layers) == 1


def test_unused_materials_are_fine(tmp_path):
    stack = load_stack(write(tmp_path, BASE + '\n[[layers]]\nmaterial = "N"\nthickness = 2.0\n'))
    assert list(stack.materials) == ["N"]


def test_both_magnetization_forms_agree(tmp_path):
    text = 'units = "reduced"\ncurrent = -0.5\n' + BASE + """
[[layers]]
material = "F"
thickness = 1.0
magnetization = { theta = 90, phi = 90 }

[[layers]]
material = "N"
thickness = 1.0

[[layers]]
material = "F"
thickness = 1.0
magnetization = [0, 3.0, 0]

[[layers]]
material = "N"
thickness = 1.0

[[layers]]
material = "F"
thickness = 1.0
magnetization = { theta = 30 }
"""
    stack = load_stack(write(tmp_path, text))
    np.testing.assert_allclose(stack.layers[0].magnetization, [0, 1, 0], atol=1e-15)
    np.testing.assert_array_equal(stack.layers[2].magnetization, [0, 1, 0])
    np.testing.assert_allclose(stack.layers[4].magnetization, [0.5, 0, math.cos(math.radians(30))])  # phi defaults to 0
    assert float(stack.current) == -0.5


def test_spin_conductances_give_d_and_p(tmp_path):
    text = """
[materials.Py]
type = "ferromagnet"
D_up = 3.0
D_dn = 1.0
l = 4.0

[[layers]]
material = "Py"
thickness = 1.0
magnetization = [0, 0, 1]
"""
    material = load_stack(write(tmp_path, text)).layers[0].material
    reference = ss.Ferromagnet.from_spin_conductances("Py", 3.0, 1.0, 4.0)
    assert float(material.p) == pytest.approx(float(reference.p)) == pytest.approx(0.5)
    assert float(material.D) == pytest.approx(float(reference.D)) == pytest.approx(3.0)
    assert float(material.l) == 4.0


@pytest.mark.parametrize("infinity", ['"inf"', "inf", "+inf"])
def test_l_may_be_infinite(tmp_path, infinity):
    text = f'[materials.Cu]\ntype = "normal"\nD = 1.0\nl = {infinity}\n\n[[layers]]\nmaterial = "Cu"\nthickness = 1.0\n'
    assert load_stack(write(tmp_path, text)).layers[0].material.l == math.inf


def test_leads(tmp_path):
    text = BASE + """
[left]
kind = "lead"
material = "N"

[[layers]]
material = "F"
thickness = 1.0
magnetization = [0, 0, 1]

[[layers]]
material = "N"
thickness = 2.0

[right]
kind = "lead"
material = "F"
magnetization = { theta = 90, phi = 0 }
"""
    stack = load_stack(write(tmp_path, text))
    assert isinstance(stack.left, ss.Lead) and stack.left.material.name == "N" and stack.left.magnetization is None
    assert isinstance(stack.right, ss.Lead) and stack.right.material.name == "F"
    np.testing.assert_allclose(stack.right.magnetization, [1, 0, 0], atol=1e-15)
    assert np.isfinite(ss.solve(stack).accumulation).all()


def test_bare_contact_of_two_leads(tmp_path):
    """No layers at all is fine between two leads (seed eq. 8: a single F/N contact)."""
    text = BASE + '\n[left]\nkind = "lead"\nmaterial = "F"\nmagnetization = [0, 0, 1]\n\n[right]\nkind = "lead"\nmaterial = "N"\n'
    stack = load_stack(write(tmp_path, text))
    assert stack.layers == ()
    mu = ss.solve(stack).accumulation[0, 2]
    G_F, G_N = 1.0 / (2 * 2.0), 3.0 / (2 * 10.0)
    assert mu == pytest.approx(0.5 / (G_F + G_N))  # seed eq. (8)


def test_explicit_reservoir_ends(tmp_path):
    text = BASE + '\n[left]\nkind = "reservoir"\n\n[[layers]]\nmaterial = "N"\nthickness = 2.0\n\n[right]\nkind = "reservoir"\n'
    stack = load_stack(write(tmp_path, text))
    assert isinstance(stack.left, ss.Reservoir) and isinstance(stack.right, ss.Reservoir)


def test_stack_from_dict_takes_python_data():
    data = {"materials": {"N": {"type": "normal", "D": 1.0, "l": 1.0}},
            "layers": [{"material": "N", "thickness": 1.0}]}
    assert len(stack_from_dict(data, "<dict>").layers) == 1
    data["layers"][0]["thickness"] = -2.0
    with pytest.raises(ss.StackError, match=r"^<dict>: layers\[0\]\.thickness: must be > 0, got -2\.0$"):
        stack_from_dict(data, "<dict>")


def test_error_carries_source_path_and_reason(tmp_path):
    path = write(tmp_path, BASE + '\n[[layers]]\nmaterial = "N"\nthickness = -2.0\n', "bad.toml")
    with pytest.raises(StackFileError) as caught:
        load_stack(str(path))
    error = caught.value
    assert (error.source, error.path, error.reason) == (str(path), "layers[0].thickness", "must be > 0, got -2.0")
    assert str(error) == f"{path}: layers[0].thickness: must be > 0, got -2.0"
    assert isinstance(error, ss.StackError) and isinstance(error, ValueError)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# ------------------------------------------------------------------ the catalogue
def test_catalogue_is_large_and_ids_are_unique():
    ids = [case.id for case in malformed.CATALOGUE]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", malformed.CATALOGUE, ids=lambda case: case.id)
def test_malformed_file_gives_one_line_error_with_path(tmp_path, case):
    path = malformed.write_case(case, tmp_path)
    with pytest.raises(ss.StackError) as caught:
        load_stack(path)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(malformed.expected_start(case, str(path))), message
    assert case.reason in message, message
    assert isinstance(caught.value, StackFileError)
    assert caught.value.path == case.path


# ------------------------------------------------------------------ properties
finite_positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(D=finite_positive, p=st.floats(min_value=-0.999, max_value=0.999), l=finite_positive, d=finite_positive,
       theta=st.floats(min_value=0.0, max_value=180.0), phi=st.floats(min_value=-360.0, max_value=360.0))
def test_values_survive_the_file_exactly(D, p, l, d, theta, phi):
    """A number written with repr() comes back bit for bit (TOML floats are IEEE doubles)."""
    data = {"materials": {"F": {"type": "ferromagnet", "D": D, "p": p, "l": l}},
            "layers": [{"material": "F", "thickness": d, "magnetization": {"theta": theta, "phi": phi}}]}
    stack = stack_from_dict(data, "<generated>")
    layer = stack.layers[0]
    assert (float(layer.material.D), float(layer.material.p), float(layer.material.l), float(layer.thickness)) == (D, p, l, d)
    np.testing.assert_allclose(layer.magnetization, ss.polar(theta, phi))


@settings(max_examples=60, deadline=None)
@given(key=st.text(min_size=1, max_size=12).filter(lambda k: k not in ("material", "thickness", "magnetization")),
       value=st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.booleans()))
def test_any_unknown_layer_key_is_refused(key, value):
    data = {"materials": {"N": {"type": "normal", "D": 1.0, "l": 1.0}},
            "layers": [{"material": "N", "thickness": 1.0, key: value}]}
    with pytest.raises(ss.StackError) as caught:
        stack_from_dict(data, "f.toml")
    message = str(caught.value)
    assert message.startswith("f.toml: layers[0].")
    assert "unknown key (expected one of: material, thickness, magnetization, free, demag)" in message
    assert "\n" not in message


# ------------------------------------------------------------------ what is not a stack file (issue 13)
GOOD = BASE + '\n[[layers]]\nmaterial = "N"\nthickness = 2.0\n'


def file_error(path, *, match: str) -> str:
    """load_stack(path) raises a one-line StackFileError about the file as a whole matching ``match``."""
    with pytest.raises(StackFileError) as caught:
        load_stack(path)
    message = str(caught.value)
    assert "\n" not in message and caught.value.path == ""
    assert re.search(match, message), message
    return message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_without_reading_it():
    """/dev/zero used to be read until memory ran out."""
    file_error("/dev/zero", match=r"^/dev/zero: not a regular file \(a device, pipe or socket\)")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    """Opening a FIFO used to block until something wrote to it (forever)."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_stack(fifo)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)

    reader = threading.Thread(target=load, daemon=True)  # daemon: a reader that blocks does not hold pytest
    reader.start()
    reader.join(timeout=20)
    assert outcome, "load_stack blocked on the FIFO"
    assert isinstance(outcome[0], StackFileError) and "not a regular file" in str(outcome[0])


def test_a_directory_and_a_missing_file(tmp_path):
    file_error(tmp_path, match=r"is a directory, not a stack file$")
    file_error(tmp_path / "nope.toml", match=r"no such file$")


def test_a_name_too_long_or_with_a_nul_is_a_stack_error(tmp_path):
    """A name over 255 characters was an internal error (OSError), a NUL a ValueError."""
    file_error(tmp_path / ("x" * 300 + ".toml"), match=r"cannot read the file: File name too long$")
    file_error(str(tmp_path / "a\0b.toml"), match=r"not a valid file name \(it contains a NUL character\)$")


def test_a_file_beyond_the_size_limit_is_refused(tmp_path, monkeypatch):
    from spinstack.io import textfile  # the guarded reader behind load_stack

    path = write(tmp_path, GOOD)
    monkeypatch.setattr(textfile, "MAX_FILE_BYTES", len(GOOD.encode()) - 1)
    file_error(path, match=r"too large \(0 MiB\): files are read up to 0 MiB")
    monkeypatch.setattr(textfile, "MAX_FILE_BYTES", len(GOOD.encode()))
    assert len(load_stack(path).layers) == 1


def test_the_size_limit_holds_a_1e5_layer_file():
    """The limit (docs: 32 MiB) is far above a 1e5-layer file (about 6 MB reduced, 13 MB SI with comments)."""
    from spinstack.io.stackfile import MAX_FILE_BYTES

    layer = '[[layers]]\nmaterial = "F1"\nthickness = "1.5 nm"\nmagnetization = { theta = 90, phi = 0 }  # a comment\n'
    assert 100_000 * len(layer) * 1.5 < MAX_FILE_BYTES == 32 * 1024 * 1024


def test_a_binary_file_is_refused_without_quoting_it(tmp_path):
    """A test read /proc/self/environ and got environment variables quoted back in the TOML error."""
    secret = "SECRET_TOKEN=hunter2"
    path = tmp_path / "environ"
    path.write_bytes(f"PATH=/usr/bin\0HOME=/root\0{secret}\0".encode())
    message = file_error(path, match=r"not a text file \(control character 0x00 on line 1\)")
    assert "hunter2" not in message and "/usr/bin" not in message


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc here")
def test_proc_self_environ_is_not_echoed(monkeypatch):
    monkeypatch.setenv("SPINSTACK_TEST_SECRET", "do-not-print-me")
    message = file_error("/proc/self/environ", match=r"not a text file")
    assert "do-not-print-me" not in message


def test_a_toml_error_quotes_only_a_short_window_of_its_line(tmp_path):
    """The quote is cut to 30 characters either side of the column tomllib names (it was the line's first 80)."""
    path = write(tmp_path, GOOD + "bad = 1 " + "." * 40 + " hunter2 " + "x" * 5000 + "\n")
    message = file_error(path, match=r"invalid TOML: .* \(at line \d+, column 9\): \"bad = 1 \.{33}\"$")  # 30 dots shown, then "..."
    assert "hunter2" not in message
    # a short line is quoted whole, as before
    file_error(write(tmp_path, GOOD + "D = 1\nD = 2\n", "dup.toml"), match=r': "D = 2"$')


def test_a_dotted_key_of_many_parts_is_refused_before_parsing(tmp_path):
    """tomllib's time grows as the square of a dotted key's parts: 200 kB of "a." took 2 minutes and 7.6 GB."""
    path = write(tmp_path, "a." * 100_000 + "b = 1\n")
    start = time.perf_counter()
    file_error(path, match=r"a dotted key of more than 64 parts on line 1")
    assert time.perf_counter() - start < 5  # was 2 minutes; a guard, not a benchmark
    # a table header and quoted parts count too; keys of the format's depth are untouched
    line = GOOD.count("\n") + 1
    file_error(write(tmp_path, GOOD + "[" + '"a" . ' * 80 + "b]\n", "header.toml"), match=rf"more than 64 parts on line {line} \(")
    assert len(load_stack(write(tmp_path, GOOD.replace("[materials.N]", "[materials . N]"), "spaced.toml")).layers) == 1


@pytest.mark.parametrize("nested", ["x = " + "[" * 2000 + "]" * 2000, "x = " + "{a = " * 600 + "1" + "}" * 600,
                                    "layers = " + "[" * 400 + "]" * 400], ids=["arrays", "tables", "layers"])
def test_deep_nesting_is_a_stack_error(tmp_path, nested):
    """Deep arrays or inline tables ran tomllib out of recursion: "internal error: RecursionError"."""
    file_error(write(tmp_path, nested + "\n"), match=r"nested too deeply")


def test_unknown_keys_and_names_are_shortened_in_messages(tmp_path):
    key = "k" * 5000
    with pytest.raises(ss.StackError) as caught:
        load_stack(write(tmp_path, GOOD + f"{key} = 1\n"))
    assert len(str(caught.value)) < len(str(tmp_path)) + 200
    names = "".join(f'\n[materials.M{i}]\ntype = "normal"\nD = 1.0\nl = 1.0\n' for i in range(40))
    with pytest.raises(ss.StackError, match=r"\(defined: M0, M1, .*, M11, \.\.\. \(42 in all\)\)$"):
        load_stack(write(tmp_path, BASE.replace("[materials.F]", names + "\n[materials.F]")
                         + '\n[[layers]]\nmaterial = "Q"\nthickness = 1.0\n', "many.toml"))


# ------------------------------------------------------------------ named directions (issue 13)
DIRECTION_FILE = """current = 0
field = [0, 1, 0]
[materials.Pt]
type = "normal"
D = 2.0
l = 1.4
theta_SH = 0.19
[materials.Co]
type = "ferromagnet"
D = 1.0
p = 0.4
l = 5.0
[left]
kind = "open"
[[layers]]
material = "Pt"
thickness = 3.0
[[layers]]
material = "Co"
thickness = 1.5
magnetization = MAGNET
[right]
kind = "insulator"
magnetization = "-y"
g_mix = [0.7, 0.2]
"""


@pytest.mark.parametrize(("name", "vector"), [('"normal"', [1, 0, 0]), ('"+normal"', [1, 0, 0]),
                                              ('"-normal"', [-1, 0, 0]), ('"+x"', [1, 0, 0]), ('"-x"', [-1, 0, 0]),
                                              ('"+y"', [0, 1, 0]), ('"-y"', [0, -1, 0]), ('"+z"', [0, 0, 1]),
                                              ('"-z"', [0, 0, -1]), ('" normal "', [1, 0, 0])])
def test_named_directions_in_a_file(tmp_path, name, vector):
    """x is the film normal (the stack axis); y and z lie in the film plane.  A name cannot be misread the
    way theta = 0 (which is +z, in the plane) is by a thin-film user meaning "perpendicular"."""
    named = load_stack(write(tmp_path, DIRECTION_FILE.replace("MAGNET", name)))
    given = load_stack(write(tmp_path, DIRECTION_FILE.replace("MAGNET", str(vector)).replace('"-y"', "[0, -1, 0]"),
                             "vector.toml"))
    np.testing.assert_array_equal(named.layers[1].magnetization, vector)
    np.testing.assert_array_equal(named.right.magnetization, [0, -1, 0])
    np.testing.assert_array_equal(ss.solve(named).torque, ss.solve(given).torque)


def test_a_perpendicular_magnet_written_as_normal_has_a_spin_orbit_torque(tmp_path):
    """theta = 0 is +z = sigma_hat here (in the film plane): no tau_DL; "normal" is perpendicular: tau_DL > 0."""
    wrong = ss.solve(load_stack(write(tmp_path, DIRECTION_FILE.replace("MAGNET", "{ theta = 0 }"))))
    right = ss.solve(load_stack(write(tmp_path, DIRECTION_FILE.replace("MAGNET", '"normal"'), "normal.toml")))
    assert math.isnan(wrong.spin_orbit_torque[0][1])
    assert right.spin_orbit_torque[0][1] > 0


def test_an_unknown_direction_name_lists_the_names_and_the_geometry(tmp_path):
    with pytest.raises(ss.StackError) as caught:
        load_stack(write(tmp_path, DIRECTION_FILE.replace("MAGNET", '"up"')))
    assert caught.value.path == "layers[1].magnetization"
    assert ('unknown direction "up" (named directions: "normal", "+normal", "-normal", "+x", "-x", "+y", "-y", '
            '"+z", "-z"; x is the film normal (perpendicular to the layers), y and z lie in the film plane; theta is '
            "measured from +z, in the plane)") in str(caught.value)


# ------------------------------------------------------------------ every bad input is a StackError (issue 13)
FRAGMENTS = ["[materials.F]", "[materials.N]", "[[layers]]", "[left]", "[right]", "[[interfaces]]", 'type = "normal"',
             'type = "ferromagnet"', "D = 1.0", "p = 0.5", "l = 2.0", 'l = "inf"', 'material = "F"', 'material = "N"',
             "thickness = 1.5", "thickness = -1", "magnetization = [0, 0, 1]", 'magnetization = "normal"',
             "magnetization = { theta = 30 }", 'kind = "lead"', 'kind = "open"', "current = 0", 'units = "SI"',
             'thickness = "4 nm"', "node = 1", "g_up = 1", "g_dn = 2", "g_mix = [1, 0]", "x = [[[[1]]]]", "a.b.c = 1",
             '"key" = 1', "= 1", "[", "]", "{", "}", '"', "\\u0000", "# comment", "nan", "inf", "1e400", "\t", "\r\n"]


@settings(max_examples=250, deadline=None)
@given(pieces=st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=25),
       raw=st.binary(max_size=40), binary=st.booleans())
def test_any_file_gives_a_stack_or_a_stack_error(tmp_path_factory, pieces, raw, binary):
    """Whatever a file holds, load_stack returns a Stack or raises a one-line StackError about it: never
    RecursionError, ValueError, OSError, TypeError or anything else."""
    path = tmp_path_factory.mktemp("fuzz") / "f.toml"
    path.write_bytes(raw if binary else "\n".join(pieces).encode("utf-8", "surrogatepass"))
    try:
        stack = load_stack(path)
    except ss.StackError as error:
        assert isinstance(error, StackFileError)
        assert "\n" not in str(error) and str(error).startswith(f"{path}: ")
    else:
        assert isinstance(stack, ss.Stack)


def test_operating_system_errors_while_opening_or_reading_are_stack_errors(tmp_path, monkeypatch):
    """Permission denied (not testable as root, so simulated) and a failing read are StackErrors too."""
    from spinstack.io import textfile  # the guarded reader behind load_stack

    path = write(tmp_path, GOOD)

    def refuse(*arguments, **keywords):
        raise PermissionError(13, "Permission denied")

    # patched only inside these blocks: os is the global module, and pytest itself calls
    # os.fstat when it captures output after the test (pytest >= 9.2)
    with monkeypatch.context() as patch:
        patch.setattr(textfile.os, "open", refuse)
        file_error(path, match=r"cannot read the file: permission denied$")

    def broken(*arguments, **keywords):
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(textfile.os, "fstat", broken)
        file_error(path, match=r"cannot read the file: Input/output error$")
