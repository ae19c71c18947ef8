"""A catalogue of malformed stack files and the one-line error each must give.

Shared by ``tests/io/test_stackfile.py`` (the loader) and ``tests/test_cli.py``
(``spinstack solve``).  Every case names the exact key path (``""`` for
errors about the file as a whole) and a fragment of the reason; the message
must read ``FILE: PATH: reason`` (STACK_FORMAT.md, "Invalid input").
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

F = """
[materials.F]
type = "ferromagnet"
D = 1.0
p = 0.5
l = 2.0
"""
N = """
[materials.N]
type = "normal"
D = 3.0
l = 10.0
"""
MATERIALS = F + N


def layer(material: str = '"N"', thickness: str = "2.0", magnetization: str | None = None, extra: str = "") -> str:
    """One [[layers]] table; arguments are TOML source text."""
    text = f"\n[[layers]]\nmaterial = {material}\nthickness = {thickness}\n"
    if magnetization is not None:
        text += f"magnetization = {magnetization}\n"
    return text + extra


def f_layer(magnetization: str = "[0, 0, 1]", **kwargs: str) -> str:
    return layer(material='"F"', thickness="1.5", magnetization=magnetization, **kwargs)


GOOD_LAYERS = f_layer() + layer()


def with_material(table: str) -> str:
    """A valid stack whose material N is replaced by ``table`` (the body of [materials.N])."""
    return F + "\n[materials.N]\n" + table + GOOD_LAYERS


def with_f_material(table: str) -> str:
    """A valid stack whose material F is replaced by ``table`` (the body of [materials.F])."""
    return N + "\n[materials.F]\n" + table + GOOD_LAYERS


class Case(NamedTuple):
    id: str
    content: str | bytes | None  # None: no such file; "<directory>": a directory
    path: str  # the key path the message must name ("" for the file itself)
    reason: str  # a fragment of the reason


DIRECTORY = "<directory>"

CATALOGUE: list[Case] = [
    # ---- top level
    Case("top-unknown-key", "curent = 2.0\n" + MATERIALS + GOOD_LAYERS, "curent",
         "unknown key (expected one of: units, current, materials, left, layers, right, interfaces)"),
    Case("top-unknown-quoted-key", '"a.b" = 1\n' + MATERIALS + GOOD_LAYERS, '"a.b"', "unknown key"),
    Case("top-typo-layer", MATERIALS + GOOD_LAYERS.replace("[[layers]]", "[[layer]]"), "layer", "unknown key"),
    Case("top-typo-materials", MATERIALS.replace("[materials.", "[material.") + GOOD_LAYERS, "material", "unknown key"),
    Case("units-SI", 'units = "SI"\n' + MATERIALS + GOOD_LAYERS, "units", "SI units are not supported yet"),
    Case("units-foo", 'units = "foo"\n' + MATERIALS + GOOD_LAYERS, "units", 'must be "reduced" (or "SI", not supported yet), got "foo"'),
    Case("units-number", "units = 1\n" + MATERIALS + GOOD_LAYERS, "units", 'must be "reduced" (or "SI", not supported yet), got 1'),
    Case("current-string", 'current = "1"\n' + MATERIALS + GOOD_LAYERS, "current", 'must be a number, got "1"'),
    Case("current-nan", "current = nan\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got nan"),
    Case("current-inf", "current = inf\n" + MATERIALS + GOOD_LAYERS, "current", "must be finite, got inf"),
    Case("current-boolean", "current = true\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got true"),
    Case("current-list", "current = [1.0]\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got [1.0]"),
    Case("interfaces", MATERIALS + GOOD_LAYERS + "\n[[interfaces]]\nnode = 1\ng_up = 2.0\ng_dn = 1.0\n",
         "interfaces", "resistive interfaces (MODEL.md 3b) are not supported yet"),
    # ---- materials
    Case("materials-array", '[[materials]]\ntype = "normal"\n' + GOOD_LAYERS, "materials", "must be a table"),
    Case("material-not-table", "[materials]\nN = 3.0\n" + GOOD_LAYERS, "materials.N", "must be a table"),
    Case("material-empty-name", '[materials.""]\ntype = "normal"\nD = 1.0\nl = 1.0\n' + MATERIALS + GOOD_LAYERS,
         'materials.""', "non-empty name"),
    Case("quoted-material-name", '[materials."Cu 2"]\ntype = "normal"\nD = -1.0\nl = 1.0\n' + MATERIALS + GOOD_LAYERS,
         'materials."Cu 2".D', "must be > 0, got -1.0"),
    Case("material-missing-type", with_material("D = 3.0\nl = 10.0\n"), "materials.N.type",
         'missing ("normal" or "ferromagnet")'),
    Case("material-bad-type", with_material('type = "metal"\nD = 3.0\nl = 10.0\n'), "materials.N.type",
         'must be "normal" or "ferromagnet", got "metal"'),
    Case("normal-with-p", with_material('type = "normal"\nD = 3.0\np = 0.1\nl = 10.0\n'), "materials.N.p",
         "unknown key (expected one of: type, D, l)"),
    Case("ferromagnet-typo", with_f_material('type = "ferromagnet"\nD = 1.0\npp = 0.5\nl = 2.0\n'), "materials.F.pp",
         "unknown key (expected one of: type, D, p, l, D_up, D_dn)"),
    Case("normal-missing-D", with_material('type = "normal"\nl = 10.0\n'), "materials.N.D", "missing"),
    Case("normal-missing-l", with_material('type = "normal"\nD = 3.0\n'), "materials.N.l", 'missing (spin diffusion length'),
    Case("ferromagnet-missing-p", with_f_material('type = "ferromagnet"\nD = 1.0\nl = 2.0\n'), "materials.F.p", "missing"),
    Case("ferromagnet-nothing", with_f_material('type = "ferromagnet"\nl = 2.0\n'), "materials.F.D",
         "missing (conductance D_F > 0; or give D_up and D_dn"),
    Case("p-one", with_f_material('type = "ferromagnet"\nD = 1.0\np = 1.0\nl = 2.0\n'), "materials.F.p",
         "must lie strictly between -1 and 1, got 1.0"),
    Case("p-minus-one", with_f_material('type = "ferromagnet"\nD = 1.0\np = -1\nl = 2.0\n'), "materials.F.p",
         "must lie strictly between -1 and 1, got -1.0"),
    Case("p-nan", with_f_material('type = "ferromagnet"\nD = 1.0\np = nan\nl = 2.0\n'), "materials.F.p",
         "must be a number, got nan"),
    Case("D-zero", with_material('type = "normal"\nD = 0\nl = 10.0\n'), "materials.N.D", "must be > 0, got 0.0"),
    Case("D-negative", with_f_material('type = "ferromagnet"\nD = -1.0\np = 0.5\nl = 2.0\n'), "materials.F.D",
         "must be > 0, got -1.0"),
    Case("D-inf", with_f_material('type = "ferromagnet"\nD = inf\np = 0.5\nl = 2.0\n'), "materials.F.D",
         "must be finite, got inf"),
    Case("D-string", with_material('type = "normal"\nD = "3"\nl = 10.0\n'), "materials.N.D", 'must be a number, got "3"'),
    Case("D-boolean", with_material('type = "normal"\nD = true\nl = 10.0\n'), "materials.N.D", "must be a number, got true"),
    Case("D-table", with_material('type = "normal"\nD = { value = 3 }\nl = 10.0\n'), "materials.N.D",
         "must be a number, got {value = 3}"),
    Case("l-zero", with_material('type = "normal"\nD = 3.0\nl = 0.0\n'), "materials.N.l", "must be > 0, got 0.0"),
    Case("l-negative", with_f_material('type = "ferromagnet"\nD = 1.0\np = 0.5\nl = -2\n'), "materials.F.l",
         "must be > 0, got -2.0"),
    Case("l-minus-inf", with_material('type = "normal"\nD = 3.0\nl = -inf\n'), "materials.N.l", "must be > 0, got -inf"),
    Case("l-infinite-word", with_material('type = "normal"\nD = 3.0\nl = "infinite"\n'), "materials.N.l",
         'must be a number > 0 or "inf" (no spin flip), got "infinite"'),
    Case("l-nan", with_material('type = "normal"\nD = 3.0\nl = nan\n'), "materials.N.l", "must be a number, got nan"),
    Case("spin-conductances-and-D", with_f_material('type = "ferromagnet"\nD = 1.0\np = 0.5\nD_up = 3.0\nD_dn = 1.0\nl = 2.0\n'),
         "materials.F.D_up", "give either D and p, or D_up and D_dn, not both"),
    Case("only-D-up", with_f_material('type = "ferromagnet"\nD_up = 3.0\nl = 2.0\n'), "materials.F.D_dn",
         "missing (D_up and D_dn go together)"),
    Case("D-dn-zero", with_f_material('type = "ferromagnet"\nD_up = 3.0\nD_dn = 0.0\nl = 2.0\n'), "materials.F.D_dn",
         "must be > 0, got 0.0"),
    # ---- layers
    Case("layer-typo", MATERIALS + f_layer() + layer().replace("material =", "materail ="), "layers[1].materail",
         "unknown key (expected one of: material, thickness, magnetization)"),
    Case("layer-unknown-key", MATERIALS + f_layer(extra="spin = 1\n") + layer(), "layers[0].spin", "unknown key"),
    Case("layer-missing-material", MATERIALS + f_layer() + "\n[[layers]]\nthickness = 2.0\n", "layers[1].material", "missing"),
    Case("layer-missing-thickness", MATERIALS + f_layer() + '\n[[layers]]\nmaterial = "N"\n', "layers[1].thickness", "missing"),
    Case("thickness-zero", MATERIALS + f_layer() + layer(thickness="0"), "layers[1].thickness", "must be > 0, got 0.0"),
    Case("thickness-negative", MATERIALS + f_layer() + layer() + layer(thickness="-2.0"), "layers[2].thickness",
         "must be > 0, got -2.0"),
    Case("thickness-nan", MATERIALS + f_layer() + layer(thickness="nan"), "layers[1].thickness", "must be a number, got nan"),
    Case("thickness-inf", MATERIALS + f_layer() + layer(thickness="inf"), "layers[1].thickness", "must be finite, got inf"),
    Case("thickness-string", MATERIALS + f_layer() + layer(thickness='"2 nm"'), "layers[1].thickness",
         'must be a number, got "2 nm"'),
    Case("thickness-boolean", MATERIALS + f_layer() + layer(thickness="false"), "layers[1].thickness",
         "must be a number, got false"),
    Case("thickness-huge-integer", MATERIALS + f_layer() + layer(thickness="9" * 400), "layers[1].thickness",
         "must be finite"),
    Case("magnetization-zero", MATERIALS + f_layer("[0, 0, 0]") + layer(), "layers[0].magnetization",
         "must be a non-zero vector"),
    Case("magnetization-2-vector", MATERIALS + f_layer("[0, 1]") + layer(), "layers[0].magnetization",
         "must be a 3-vector [x, y, z] or {theta = .., phi = ..} in degrees, got [0, 1]"),
    Case("magnetization-string", MATERIALS + f_layer('"z"') + layer(), "layers[0].magnetization",
         'must be a 3-vector [x, y, z] or {theta = .., phi = ..} in degrees, got "z"'),
    Case("magnetization-string-components", MATERIALS + f_layer('["0", "0", "1"]') + layer(), "layers[0].magnetization[0]",
         'must be a number, got "0"'),
    Case("magnetization-boolean-component", MATERIALS + f_layer("[0, 0, true]") + layer(), "layers[0].magnetization[2]",
         "must be a number, got true"),
    Case("magnetization-nan-component", MATERIALS + f_layer("[nan, 0, 1]") + layer(), "layers[0].magnetization[0]",
         "must be a number, got nan"),
    Case("magnetization-inf-component", MATERIALS + f_layer("[inf, 0, 1]") + layer(), "layers[0].magnetization",
         "must be finite"),
    Case("magnetization-missing-on-F", MATERIALS + layer() + f_layer().replace("magnetization = [0, 0, 1]\n", ""),
         "layers[1].magnetization", "missing: ferromagnet 'F' needs a direction"),
    Case("magnetization-on-N", MATERIALS + f_layer() + layer(magnetization="[0, 0, 1]"), "layers[1].magnetization",
         "not allowed: 'N' is a normal metal"),
    Case("magnetization-unknown-angle", MATERIALS + f_layer("{ theta = 30, psi = 0 }") + layer(),
         "layers[0].magnetization.psi", "unknown key (expected one of: theta, phi)"),
    Case("magnetization-missing-theta", MATERIALS + f_layer("{ phi = 0 }") + layer(), "layers[0].magnetization.theta",
         "missing (polar angle from +z, degrees)"),
    Case("magnetization-theta-string", MATERIALS + f_layer('{ theta = "30" }') + layer(), "layers[0].magnetization.theta",
         'must be a number, got "30"'),
    Case("magnetization-theta-inf", MATERIALS + f_layer("{ theta = inf }") + layer(), "layers[0].magnetization.theta",
         "must be finite, got inf"),
    Case("non-collinear-F-F", MATERIALS + f_layer() + f_layer("{ theta = 60 }") + layer(), "layers[1].magnetization",
         "ferromagnets layers[0] and layers[1] touch but are not collinear"),
    Case("undefined-material", MATERIALS + f_layer() + layer('"Cu"'), "layers[1].material",
         'undefined material "Cu" (defined: F, N)'),
    Case("material-not-a-name", MATERIALS + f_layer() + layer("1"), "layers[1].material",
         "must be the name of a material (a string), got 1"),
    Case("layers-number", "layers = 3\n" + MATERIALS, "layers", "must be an array of tables ([[layers]]), got 3"),
    Case("layers-single-table", MATERIALS + '\n[layers]\nmaterial = "N"\nthickness = 1.0\n', "layers",
         "must be an array of tables"),
    Case("layers-entry-not-table", "layers = [1.0]\n" + MATERIALS, "layers[0]", "must be a table"),
    Case("empty-layers", MATERIALS, "layers", "empty: a stack needs at least one layer"),
    Case("empty-layers-array", "layers = []\n" + MATERIALS, "layers", "empty"),
    # ---- ends
    Case("end-bad-kind", MATERIALS + '\n[left]\nkind = "bath"\n' + GOOD_LAYERS, "left.kind",
         'must be "reservoir" or "lead", got "bath"'),
    Case("end-missing-kind", MATERIALS + '\n[left]\nmaterial = "N"\n' + GOOD_LAYERS, "left.kind",
         'missing ("reservoir" or "lead")'),
    Case("end-not-table", 'left = "reservoir"\n' + MATERIALS + GOOD_LAYERS, "left", 'must be a table'),
    Case("reservoir-with-material", MATERIALS + GOOD_LAYERS + '\n[right]\nkind = "reservoir"\nmaterial = "N"\n',
         "right.material", "not allowed: a reservoir end takes only kind"),
    Case("lead-without-material", MATERIALS + GOOD_LAYERS + '\n[right]\nkind = "lead"\n', "right.material",
         "missing (a lead needs the material it is made of)"),
    Case("lead-undefined-material", MATERIALS + '\n[left]\nkind = "lead"\nmaterial = "Cu"\n' + GOOD_LAYERS,
         "left.material", 'undefined material "Cu"'),
    Case("lead-unknown-key", MATERIALS + GOOD_LAYERS + '\n[right]\nkind = "lead"\nmaterial = "N"\nthicknes = 1.0\n',
         "right.thicknes", "unknown key (expected one of: kind, material, magnetization)"),
    Case("F-lead-without-magnetization", MATERIALS + GOOD_LAYERS + '\n[right]\nkind = "lead"\nmaterial = "F"\n',
         "right.magnetization", "missing: ferromagnet 'F' needs a direction"),
    Case("N-lead-with-magnetization", MATERIALS + GOOD_LAYERS + '\n[right]\nkind = "lead"\nmaterial = "N"\nmagnetization = [1, 0, 0]\n',
         "right.magnetization", "not allowed"),
    Case("F-lead-non-collinear", MATERIALS + '\n[left]\nkind = "lead"\nmaterial = "F"\nmagnetization = [1, 0, 0]\n'
         + GOOD_LAYERS, "layers[0].magnetization", "ferromagnets left and layers[0] touch but are not collinear"),
    Case("no-relaxation-two-leads",
         '[materials.Cu]\ntype = "normal"\nD = 3.0\nl = "inf"\n' + F.replace("l = 2.0", 'l = "inf"')
         + '\n[left]\nkind = "lead"\nmaterial = "Cu"\n\n[right]\nkind = "lead"\nmaterial = "Cu"\n'
         + f_layer() + layer('"Cu"'),
         "layers", "no spin relaxation anywhere"),
    # ---- the file itself
    Case("invalid-toml", MATERIALS + "[[layers]\nmaterial = 'N'\n", "", "invalid TOML: "),
    Case("duplicate-key", MATERIALS.replace("D = 3.0", "D = 3.0\nD = 4.0") + GOOD_LAYERS, "", "invalid TOML: "),
    Case("not-utf8", MATERIALS.encode() + b"# caf\xe9\n" + GOOD_LAYERS.encode(), "", "not UTF-8 text (byte 0xe9 on line 12)"),
    Case("missing-file", None, "", "no such file"),
    Case("directory", DIRECTORY, "", "is a directory"),
]


def write_case(case: Case, directory: Path) -> Path:
    """Put ``case`` on disk under ``directory``; return the path to give the loader."""
    path = directory / f"{case.id}.toml"
    if case.content is None:
        return path
    if case.content == DIRECTORY:
        path.mkdir()
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


def expected_start(case: Case, file: str) -> str:
    """How the one-line message must begin: ``FILE: PATH: `` (``FILE: `` for file errors)."""
    return f"{file}: {case.path}: " if case.path else f"{file}: "
