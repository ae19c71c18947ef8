"""The materials library (spinstack.library, read by spinstack.io.libraryfile) and ``spinstack materials``;
tested on a fake library file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import spinstack as ss
from spinstack import library
from spinstack.io import libraryfile
from spinstack.io.libraryfile import LibraryError, library_path, load_library
from spinstack.cli import main

FAKE = Path(__file__).with_name("data") / "fake_library.toml"
SOURCE = 'temperature = "4.2 K"\nsource = "fake"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "library.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fake_library_loads_with_values_temperatures_and_sources():
    materials = load_library(FAKE).materials
    assert list(materials) == ["TestCo", "TestCu"]
    co = load_library(FAKE).material("TestCo")
    assert co.type == "ferromagnet" and co.description == "fake ferromagnet for tests"
    assert list(co.values) == ["rho", "beta", "l_sf"]
    rho = co.values["rho"]
    assert (rho.value, rho.unit, rho.temperature, rho.source) == ("60 nOhm*m", "ohm*m", "4.2 K",
                                                                  "fake source for tests, not data")
    assert float(rho.si) == pytest.approx(60e-9)
    assert float(load_library(FAKE).material("TestCu").values["l_sf"].si) == float("inf")
    pair = load_library(FAKE).interface("TestCo/TestCu")
    assert load_library(FAKE).interface("TestCu/TestCo") is pair  # either order
    assert pair.values["G_mix"].si.tolist() == pytest.approx([0.55e15, 0.01e15])
    assert list(load_library(FAKE).interfaces) == ["TestCo/TestCu"]


def test_unknown_names_list_the_available_ones():
    with pytest.raises(ss.StackError, match=r"^materials\.Fe: not in the built-in library \(available: TestCo, TestCu\)$"):
        load_library(FAKE).material("Fe")
    with pytest.raises(ss.StackError, match=r"available pairs: TestCo/TestCu"):
        load_library(FAKE).interface("Fe/Cu")


def test_default_path_is_package_data():
    path = library_path()
    assert path.parts[-3:] == ("spinstack", "data", "materials.toml")


def test_built_in_library_follows_the_schema():
    """Whatever the built-in file holds, it must load (every value cited, right dimensions)."""
    if not library_path().exists():
        pytest.skip("the built-in library file is not there yet")
    loaded = load_library()
    for entry in [*loaded.materials.values(), *loaded.interfaces.values()]:
        for value in entry.values.values():
            assert value.source.strip() and value.temperature.strip()


def test_changed_file_is_read_again(tmp_path):
    path = write(tmp_path, FAKE.read_text(encoding="utf-8"))
    assert "TestCu" in load_library(path).materials
    path.write_text(FAKE.read_text(encoding="utf-8").replace("TestCu", "TestAg"), encoding="utf-8")
    assert "TestAg" in load_library(path).materials


MATERIAL = """
[materials.X]
type = "normal"
[materials.X.rho]
value = "5 nOhm*m"
temperature = "4.2 K"
source = "fake"
[materials.X.l_sf]
value = "100 nm"
temperature = "4.2 K"
source = "fake"
"""


@pytest.mark.parametrize(("text", "message"), [
    (MATERIAL.replace('source = "fake"\n', "", 1), 'materials.X.rho.source: missing (every library value cites'),
    (MATERIAL.replace('source = "fake"', 'source = ""', 1), 'materials.X.rho.source: must be a non-empty string'),
    (MATERIAL.replace('temperature = "4.2 K"\n', "", 1), "materials.X.rho.temperature: missing"),
    (MATERIAL.replace('temperature = "4.2 K"', 'temperature = "4.2 m"', 1),
     'materials.X.rho.temperature: expected a temperature (e.g. "4.2 K"), got "4.2 m"'),
    (MATERIAL.replace('"5 nOhm*m"', '"5 nm"'), 'materials.X.rho.value: expected a resistivity'),
    (MATERIAL.replace('"100 nm"', '"-100 nm"'), 'materials.X.l_sf.value: must be > 0, got "-100 nm"'),
    (MATERIAL.replace('type = "normal"', 'type = "metal"'), 'materials.X.type: must be "normal" or "ferromagnet"'),
    (MATERIAL.replace('type = "normal"\n', ""), 'materials.X.type: missing ("normal" or "ferromagnet")'),
    (MATERIAL.replace('type = "normal"\n', 'type = "normal"\ndescription = "no values"\n').split("[materials.X.rho]")[0],
     "materials.X: no value: a library material gives at least one sourced quantity"),
    (MATERIAL + '[materials.X.beta]\nvalue = 0.5\n' + SOURCE, "materials.X.beta: not allowed"),
    (MATERIAL + '[materials.X.conductivity]\nvalue = "1 S/m"\n' + SOURCE, "give rho or conductivity, not both"),
    (MATERIAL + 'note = "x"\n', "materials.X.l_sf.note: unknown key (expected one of: value, temperature, source)"),
    (MATERIAL.replace("[materials.X.l_sf]", "[materials.X.lsf]"), "materials.X.lsf: unknown key"),
    (MATERIAL + '[interfaces.XY.AR]\nvalue = "1 fOhm*m^2"\n' + SOURCE, 'interfaces.XY: an interface is named by its two'),
    (MATERIAL + '[interfaces."X/Y".gamma]\nvalue = 0.5\n' + SOURCE, 'interfaces."X/Y".AR: missing'),
    (MATERIAL + '[interfaces."X/Y".AR]\nvalue = "1 fOhm*m^2"\n' + SOURCE + '[interfaces."X/Y".G_mix]\nvalue = "1 S/m^2"\n'
     + SOURCE, 'interfaces."X/Y".G_mix.value: must be a pair [Re, Im]'),
    (MATERIAL + '[interfaces."X/Y".AR]\nvalue = "1 fOhm*m^2"\n' + SOURCE + '[interfaces."Y/X".AR]\nvalue = "1 fOhm*m^2"\n'
     + SOURCE, 'interfaces."X/Y": given twice, also as "Y/X"'),
    ('[meta]\nx = 1\n', "meta: unknown key (expected one of: materials, interfaces)"),
    ("[materials\n", "invalid TOML"),
])
def test_schema_is_enforced(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(LibraryError) as caught:
        load_library(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


PARTIAL = """
[materials.PartF]
type = "ferromagnet"
description = "fake partial ferromagnet"
[materials.PartF.beta]
value = 0.65
temperature = "4.2 K"
source = "fake"
[materials.PartF.l_sf]
value = "5.5 nm"
temperature = "4.2 K"
source = "fake"

[materials.PartN]
type = "normal"
[materials.PartN.l_sf]
value = "100 nm"
temperature = "4.2 K"
source = "fake"

[materials.OnlyG]
type = "normal"
[materials.OnlyG.conductivity]
value = "2e8 S/m"
temperature = "4.2 K"
source = "fake"
"""

PARTIAL_STACK = """
units = "SI"
current = "1e11 A/m^2"

[[layers]]
material = "PartF"
thickness = "4 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "PartN"
thickness = "10 nm"
"""


def test_partial_entries_load_and_list_what_they_lack(tmp_path):
    """An entry gives only its sourced quantities; ``missing`` names the others (rho stands for conductivity)."""
    loaded = load_library(write(tmp_path, PARTIAL))
    part_f, part_n, only_g = (loaded.materials[name] for name in ("PartF", "PartN", "OnlyG"))
    assert list(part_f.values) == ["beta", "l_sf"] and part_f.missing == ("rho",)
    assert part_f.required == ("rho", "beta", "l_sf")
    assert list(part_n.values) == ["l_sf"] and part_n.missing == ("rho",)
    assert only_g.missing == ("l_sf",)  # conductivity counts for rho
    assert part_f.to_dict()["missing"] == ["rho"] and "rho" not in part_f.to_dict()["values"]
    # a complete entry lacks nothing
    fake = load_library(FAKE)
    assert fake.material("TestCo").missing == () and fake.material("TestCu").missing == ()


@pytest.mark.parametrize(("extra", "path"), [
    ("", "materials.PartF.rho"),                                      # the first one the model needs
    ('\n[materials.PartF]\nrho = "150 nOhm*m"\n', "materials.PartN.rho"),
    ('\n[materials.PartF]\nrho = "150 nOhm*m"\n[materials.PartN]\nconductivity = "2e8 S/m"\n', None),
])
def test_a_stack_must_give_what_a_partial_entry_lacks(tmp_path, extra, path):
    from spinstack.io import load_stack

    lib = write(tmp_path, PARTIAL)
    stack_file = tmp_path / "x.toml"
    stack_file.write_text(PARTIAL_STACK + extra, encoding="utf-8")
    if path is None:
        stack = load_stack(stack_file, library=lib)
        assert float(stack.layers[0].material.p) == 0.65 and float(stack.layers[0].material.l) == pytest.approx(5.5e-9)
        assert float(stack.layers[1].material.l) == pytest.approx(100e-9)
        return
    name = path.split(".")[1]
    with pytest.raises(ss.StackError) as caught:
        load_stack(stack_file, library=lib)
    assert str(caught.value) == (f"{stack_file}: {path}: not in the built-in library (no sourced value): "
                                 f"give it in [materials.{name}]")


def test_partial_entry_in_the_cli_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(libraryfile, "library_path", lambda: write(tmp_path, PARTIAL))
    stack_file = tmp_path / "x.toml"
    stack_file.write_text(PARTIAL_STACK, encoding="utf-8")
    result = CliRunner().invoke(main, ["solve", str(stack_file)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"spinstack: error: {stack_file}: materials.PartF.rho: not in the built-in library "
                             "(no sourced value): give it in [materials.PartF]\n")


def test_partial_entry_in_python(tmp_path):
    lib = write(tmp_path, PARTIAL)
    with pytest.raises(ss.StackError) as caught:
        ss.si.material("PartF", library=lib)
    assert str(caught.value) == ('materials.PartF.rho: not in the built-in library (no sourced value): '
                                 'give it as si.material("PartF", rho=...)')
    with pytest.raises(ss.StackError, match=r"^materials\.PartN\.rho: not in the built-in library"):
        ss.si.layer("PartN", "2 nm", library=lib)
    made = ss.si.material("PartF", library=lib, rho="150 nOhm*m")
    reference = ss.si.ferromagnet("PartF", rho="150 nOhm*m", beta=0.65, l_sf="5.5 nm")
    assert (float(made.D), float(made.p), float(made.l)) == (float(reference.D), float(reference.p),
                                                            float(reference.l))
    # a value given replaces the library's, and a normal metal's type comes from the library
    assert float(ss.si.material("PartN", library=lib, rho="5 nOhm*m", l_sf="1 um").l) == pytest.approx(1e-6)


def test_materials_command_shows_missing_quantities_as_dashes(tmp_path):
    path = write(tmp_path, PARTIAL)
    result = CliRunner().invoke(main, ["materials", "--library", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # the model's order: rho first (missing), then the sourced beta and l_sf
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["PartF", "ferromagnet"])
    assert lines[start].split()[2:5] == ["rho", "-", "-"]
    assert lines[start + 1].split()[:4] == ["beta", "0.65", "4.2", "K"]
    assert lines[start + 2].split()[:3] == ["l_sf", "5.5", "nm"]
    assert any(line.split()[:5] == ["PartN", "normal", "rho", "-", "-"] for line in lines)
    assert any(line.split()[:5] == ["OnlyG", "normal", "conductivity", "2e8", "S/m"] for line in lines)
    assert any(line.split()[:3] == ["l_sf", "-", "-"] for line in lines)
    note = [line for line in lines if line.startswith('"-": ')]
    assert note == ['"-": not in the library (no value read from a source); a stack using the material gives it: '
                    "[materials.NAME] in an SI file, spinstack.si.material(NAME, key=...) in Python"]
    data = json.loads(CliRunner().invoke(main, ["materials", "--json", "--library", str(path)]).stdout)
    assert data["materials"]["PartF"]["missing"] == ["rho"] and data["materials"]["OnlyG"]["missing"] == ["l_sf"]
    # a complete library has no note
    assert '"-"' not in CliRunner().invoke(main, ["materials", "--library", str(FAKE)]).stdout


def test_built_in_partial_materials_are_reported_by_key(tmp_path):
    """The shipped library's partial entries (Py, Ni: no sourced rho) make a file that does not give rho fail."""
    loaded = load_library()
    for entry in loaded.materials.values():
        assert entry.values, entry.name  # at least one sourced value
        for key in entry.missing:
            assert key not in entry.values
    partial = [entry for entry in loaded.materials.values() if entry.missing]
    for entry in partial:
        with pytest.raises(ss.StackError) as caught:
            ss.si.material(entry.name)
        assert caught.value.path == f"materials.{entry.name}.{entry.missing[0]}"
        assert caught.value.reason.startswith("not in the built-in library (no sourced value): ")


def test_missing_file():
    with pytest.raises(LibraryError, match="no such library file"):
        load_library("/no/such/library.toml")


# ------------------------------------------------------------------ spinstack materials
def test_materials_command_lists_every_value(monkeypatch):
    runner = CliRunner()
    result = runner.invoke(main, ["materials", "--library", str(FAKE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"materials library: {FAKE}"
    header = next(line for line in lines if line.split()[:3] == ["name", "type", "quantity"])
    assert header.split() == ["name", "type", "quantity", "value", "temperature", "source"]
    assert any(line.split()[:4] == ["TestCo", "ferromagnet", "rho", "60"] for line in lines)
    assert any(line.split()[:2] == ["l_sf", "inf"] for line in lines)
    assert any(line.split()[:3] == ["TestCo/TestCu", "AR", "0.5"] for line in lines)
    assert "[0.55e15 Ohm^-1*m^-2, 0.01e15 Ohm^-1*m^-2]" in result.stdout
    assert "fake source for tests, not data" in result.stdout
    assert "  TestCo: fake ferromagnet for tests" in lines
    # the default is the built-in file
    monkeypatch.setattr(libraryfile, "library_path", lambda: FAKE)
    assert runner.invoke(main, ["materials"]).stdout == result.stdout


def test_materials_command_json():
    result = CliRunner().invoke(main, ["materials", "--json", "--library", str(FAKE)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["library"] == str(FAKE)
    rho = data["materials"]["TestCo"]["values"]["rho"]
    assert rho == {"value": "60 nOhm*m", "si": pytest.approx(6e-8), "unit": "ohm*m", "temperature": "4.2 K",
                   "source": "fake source for tests, not data"}
    assert data["materials"]["TestCu"]["values"]["l_sf"]["si"] == "inf"  # strict JSON has no infinity
    assert data["interfaces"]["TestCo/TestCu"]["values"]["G_mix"]["si"] == pytest.approx([0.55e15, 0.01e15])


def test_materials_command_without_the_data_file(monkeypatch, tmp_path):
    missing = tmp_path / "materials.toml"
    monkeypatch.setattr(libraryfile, "library_path", lambda: missing)
    result = CliRunner().invoke(main, ["materials"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"spinstack: error: {missing}: the built-in materials library is missing\n"


def test_materials_command_with_a_broken_file(tmp_path):
    path = write(tmp_path, MATERIAL.replace('source = "fake"\n', "", 1))
    result = CliRunner().invoke(main, ["materials", "--library", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "materials.X.rho.source: missing" in result.stderr


# ------------------------------------------------------------------ spin Hall metals (issue 8): theta_SH
SPIN_HALL = """
[materials.HM]
type = "normal"
[materials.HM.l_sf]
value = "1.4 nm"
temperature = "room temperature"
source = "fake"
[materials.HM.theta_SH]
value = -0.11
temperature = "room temperature"
source = "fake"
"""


def test_built_in_spin_hall_metals_are_cited_with_published_signs():
    """Pt and beta-Ta: normal metals with a sourced theta_SH (Pt > 0, Ta < 0, MODEL.md 8b) and l_sf; no rho."""
    loaded = load_library()
    signs = {"Pt": 1.0, "Ta": -1.0, "W": -1.0}  # W: not shipped yet (no read source); checked if it ever is
    assert {"Pt", "Ta"} <= set(loaded.materials)
    for name, sign in signs.items():
        if name not in loaded.materials:
            continue
        entry = loaded.materials[name]
        assert entry.type == "normal" and entry.description
        theta = entry.values["theta_SH"]
        assert theta.unit == "" and isinstance(theta.value, float)
        assert float(theta.si) * sign > 0 and abs(float(theta.si)) < 1
        assert "theta_SH" not in entry.missing and "theta_SH" not in entry.required
        for value in entry.values.values():  # every value: a source that says where, and a parseable temperature
            assert "arXiv:" in value.source or "Phys." in value.source, (name, value.key)
            assert value.temperature == library.ROOM_TEMPERATURE or float(ss.units.to_si(value.temperature, "temperature", "t")) > 0
    assert float(loaded.materials["Pt"].values["theta_SH"].si) == pytest.approx(0.068)
    assert float(loaded.materials["Ta"].values["theta_SH"].si) == pytest.approx(-0.11)
    assert float(loaded.materials["Pt"].values["l_sf"].si) == pytest.approx(1.4e-9)
    assert float(loaded.materials["Ta"].values["l_sf"].si) == pytest.approx(2.5e-9)
    assert loaded.materials["Pt"].missing == ("rho",) and loaded.materials["Ta"].missing == ("rho",)
    # the room-temperature papers say "room temperature": kept as printed, no invented Kelvin figure
    for name in ("Pt", "Ta"):
        for value in loaded.materials[name].values.values():
            assert value.temperature == "room temperature" and "room temperature" in value.source


def test_built_in_spin_hall_metal_gives_theta_sh_to_a_stack():
    """A stack that gives the missing rho takes l_sf and theta_SH from the library (or its own theta_SH)."""
    pt = ss.si.material("Pt", rho="200 nOhm*m")
    assert float(pt.theta_SH) == pytest.approx(0.068) and float(pt.l) == pytest.approx(1.4e-9)
    assert float(ss.si.material("Ta", rho="1900 nOhm*m").theta_SH) == pytest.approx(-0.11)
    assert float(ss.si.material("Pt", rho="200 nOhm*m", theta_SH=0.1).theta_SH) == pytest.approx(0.1)
    with pytest.raises(ss.StackError) as caught:
        ss.si.material("Pt")
    assert caught.value.path == "materials.Pt.rho"


def test_theta_sh_is_accepted_on_a_normal_metal_and_optional(tmp_path):
    loaded = load_library(write(tmp_path, SPIN_HALL + MATERIAL))
    hm = loaded.materials["HM"]
    assert list(hm.values) == ["l_sf", "theta_SH"] and hm.missing == ("rho",)
    theta = hm.values["theta_SH"]
    assert (theta.value, float(theta.si), theta.unit, theta.temperature) == (-0.11, -0.11, "", "room temperature")
    assert hm.to_dict()["values"]["theta_SH"]["si"] == -0.11
    # optional: a complete normal metal without theta_SH lacks nothing
    assert "theta_SH" not in loaded.materials["X"].values and loaded.materials["X"].missing == ()
    # an entry may give only theta_SH (partial: rho and l_sf then come from the stack)
    only = SPIN_HALL.split("[materials.HM.l_sf]")[0] + "[materials.HM.theta_SH]" + SPIN_HALL.split(
        "[materials.HM.theta_SH]")[1]
    assert load_library(write(tmp_path, only)).materials["HM"].missing == ("rho", "l_sf")
    # an integer is a plain number too
    assert float(load_library(write(tmp_path, SPIN_HALL.replace("-0.11", "0"))).materials["HM"]
                 .values["theta_SH"].si) == 0.0


@pytest.mark.parametrize(("text", "message"), [
    (SPIN_HALL.replace('type = "normal"', 'type = "ferromagnet"'),
     "materials.HM.theta_SH: not allowed: the spin Hall source is modelled in normal metals only"),
    (SPIN_HALL.replace("-0.11", '"-0.11"'), "materials.HM.theta_SH.value: must be a plain number"),
    (SPIN_HALL.replace("-0.11", "true"), "materials.HM.theta_SH.value: must be a plain number"),
    (SPIN_HALL.replace("-0.11", '"0.1 nm"'), "materials.HM.theta_SH.value: must be a plain number"),
    (SPIN_HALL.replace("-0.11", "-1.5"), "materials.HM.theta_SH.value:"),
    (SPIN_HALL.replace("-0.11", "nan"), "materials.HM.theta_SH.value:"),
    (SPIN_HALL.rstrip().rsplit("\n", 1)[0] + "\n", "materials.HM.theta_SH.source: missing"),
    (SPIN_HALL.replace('value = -0.11\ntemperature = "room temperature"', "value = -0.11"),
     "materials.HM.theta_SH.temperature: missing"),
    (SPIN_HALL.replace("[materials.HM.theta_SH]", "[materials.HM.theta_sh]"), "materials.HM.theta_sh: unknown key"),
    ('[materials.HM]\ntype = "normal"\ntheta_SH = -0.11\n',
     "materials.HM.theta_SH: must be a table (value, temperature and source)"),
])
def test_theta_sh_schema_is_enforced(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(LibraryError) as caught:
        load_library(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_materials_command_shows_theta_sh(tmp_path):
    result = CliRunner().invoke(main, ["materials", "--library", str(write(tmp_path, SPIN_HALL))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["HM", "normal"])
    # the model's order: rho (missing), l_sf, then the optional theta_SH
    assert [line.split()[0 if i else 2] for i, line in enumerate(lines[start:start + 3])] == ["rho", "l_sf",
                                                                                            "theta_SH"]
    assert lines[start + 2].split()[:4] == ["theta_SH", "-0.11", "room", "temperature"]
    data = json.loads(CliRunner().invoke(main, ["materials", "--json", "--library",
                                                str(tmp_path / "library.toml")]).stdout)
    assert data["materials"]["HM"]["values"]["theta_SH"] == {"value": -0.11, "si": -0.11, "unit": "",
                                                             "temperature": "room temperature", "source": "fake"}
    assert data["materials"]["HM"]["missing"] == ["rho"]
    # the built-in library: Pt and Ta with their theta_SH rows
    built_in = CliRunner().invoke(main, ["materials"]).stdout.splitlines()
    assert any(line.split()[:3] == ["theta_SH", "0.068", "room"] for line in built_in)
    assert any(line.split()[:3] == ["theta_SH", "-0.11", "room"] for line in built_in)


def test_a_temperature_is_a_quantity_or_the_words_room_temperature(tmp_path):
    """'room temperature' is kept as printed; other free text is refused (no invented Kelvin figure)."""
    base = '[materials.X]\ntype = "normal"\n[materials.X.l_sf]\nvalue = "1 nm"\ntemperature = {}\nsource = "s"\n'
    good = tmp_path / "good.toml"
    good.write_text(base.format('"room temperature"'))
    assert load_library(good).materials["X"].values["l_sf"].temperature == "room temperature"
    bad = tmp_path / "bad.toml"
    bad.write_text(base.format('"warm"'))
    with pytest.raises(LibraryError, match="temperature"):
        load_library(bad)
