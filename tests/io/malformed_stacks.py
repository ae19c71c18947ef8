"""A catalogue of malformed stack files and the one-line error each must give.

Shared by ``tests/io/test_stackfile.py`` (the loader) and ``tests/test_cli.py``
(``spinstack solve``).  Every case names the exact key path (``""`` for
errors about the file as a whole) and a fragment of the reason; the message
must read ``FILE: PATH: reason`` (STACK_FORMAT.md, "Invalid input").
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tests.data import text as stack_text

MATERIALS = stack_text("fn-materials.toml")  # the seed's F and N
F, _, rest = MATERIALS.partition("[materials.N]")
N = "[materials.N]" + rest


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


def interface(extra: str = "", node: str = "1", g_up: str = "2.0", g_dn: str = "1.0",
              g_mix: str | None = "[1.5, 0.1]") -> str:
    """One reduced [[interfaces]] table; arguments are TOML source text (None leaves the key out)."""
    text = f"\n[[interfaces]]\nnode = {node}\ng_up = {g_up}\ng_dn = {g_dn}\n"
    if g_mix is not None:
        text += f"g_mix = {g_mix}\n"
    return text + extra


# An SI stack (units = "SI") with names no materials library should hold: SiF | SiN | SiF
SI_MATERIALS = """
[materials.SiF]
type = "ferromagnet"
rho = "60 nOhm*m"
beta = 0.46
l_sf = "60 nm"

[materials.SiN]
type = "normal"
rho = "5 nOhm*m"
l_sf = "450 nm"
"""
SI_LAYERS = """
[[layers]]
material = "SiF"
thickness = "4 nm"
magnetization = [0, 0, 1]

[[layers]]
material = "SiN"
thickness = "10 nm"

[[layers]]
material = "SiF"
thickness = "4 nm"
magnetization = [1, 0, 0]
"""


def si(current: str = '"1e11 A/m^2"', f_rho: str = '"60 nOhm*m"', beta: str | None = "0.46",
       f_l_sf: str = '"60 nm"', n_type: str = '"normal"', n_rho: str | None = '"5 nOhm*m"', n_extra: str = "",
       layers: str = SI_LAYERS, interfaces: str = "", extra: str = "") -> str:
    """A valid SI stack file with one value replaced (arguments are TOML source text; None leaves a key out)."""
    text = f'units = "SI"\ncurrent = {current}\n\n[materials.SiF]\ntype = "ferromagnet"\nrho = {f_rho}\n'
    if beta is not None:
        text += f"beta = {beta}\n"
    text += f"l_sf = {f_l_sf}\n\n[materials.SiN]\ntype = {n_type}\n"
    if n_rho is not None:
        text += f"rho = {n_rho}\n"
    return text + 'l_sf = "450 nm"\n' + n_extra + extra + layers + interfaces


def si_interface(node: str | None = "1", AR: str | None = '"0.5 fOhm*m^2"', gamma: str | None = "0.7",  # noqa: N803
                 G_mix: str | None = '["0.55e15 Ohm^-1*m^-2", "0.01e15 Ohm^-1*m^-2"]', extra: str = "") -> str:  # noqa: N803
    """One SI [[interfaces]] table at the SiF/SiN node (arguments are TOML text; None leaves a key out)."""
    text = "\n[[interfaces]]\n"
    for key, value in (("node", node), ("AR", AR), ("gamma", gamma), ("G_mix", G_mix)):
        if value is not None:
            text += f"{key} = {value}\n"
    return text + extra


SI_INSULATOR = """units = "SI"
current = "0 A/m^2"
field = [0, "2e4 V/m", 0]
[materials.Pt]
type = "normal"
rho = "200 nOhm*m"
l_sf = "1.4 nm"
theta_SH = 0.068
[left]
kind = "open"
[[layers]]
material = "Pt"
thickness = "5 nm"
[right]
kind = "insulator"
magnetization = [0, 0, 1]
G_mix = ["3e14 1/(Ohm*m^2)", 0]
G_s = "1e13 1/(Ohm*m^2)"
"""


SOT = stack_text("pt-co-open.toml")  # Pt / Co between open faces, no top-level keys


class Case(NamedTuple):
    id: str
    content: str | bytes | None  # None: no such file; "<directory>": a directory
    path: str  # the key path the message must name ("" for the file itself)
    reason: str  # a fragment of the reason


DIRECTORY = "<directory>"

CATALOGUE: list[Case] = [
    # ---- top level
    Case("top-unknown-key", "curent = 2.0\n" + MATERIALS + GOOD_LAYERS, "curent",
         "unknown key (expected one of: units, current, field, materials, left, layers, right, interfaces, dynamics)"),
    Case("top-unknown-quoted-key", '"a.b" = 1\n' + MATERIALS + GOOD_LAYERS, '"a.b"', "unknown key"),
    Case("top-typo-layer", MATERIALS + GOOD_LAYERS.replace("[[layers]]", "[[layer]]"), "layer", "unknown key"),
    Case("top-typo-materials", MATERIALS.replace("[materials.", "[material.") + GOOD_LAYERS, "material", "unknown key"),
    Case("units-foo", 'units = "foo"\n' + MATERIALS + GOOD_LAYERS, "units", 'must be "reduced" or "SI", got "foo"'),
    Case("units-si-lowercase", 'units = "si"\n' + MATERIALS + GOOD_LAYERS, "units", 'must be "reduced" or "SI", got "si"'),
    Case("units-number", "units = 1\n" + MATERIALS + GOOD_LAYERS, "units", 'must be "reduced" or "SI", got 1'),
    Case("current-string", 'current = "1"\n' + MATERIALS + GOOD_LAYERS, "current", 'must be a number, got "1"'),
    Case("current-nan", "current = nan\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got nan"),
    Case("current-inf", "current = inf\n" + MATERIALS + GOOD_LAYERS, "current", "must be finite, got inf"),
    Case("current-boolean", "current = true\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got true"),
    Case("current-list", "current = [1.0]\n" + MATERIALS + GOOD_LAYERS, "current", "must be a number, got [1.0]"),
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
         "unknown key (expected one of: type, D, l, theta_SH)"),
    Case("ferromagnet-typo", with_f_material('type = "ferromagnet"\nD = 1.0\npp = 0.5\nl = 2.0\n'), "materials.F.pp",
         "unknown key (expected one of: type, D, p, l, D_up, D_dn, l_J, l_phi, D_perp)"),
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
         "unknown key (expected one of: material, thickness, magnetization, free, demag)"),
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
         "a 3-vector [x, y, z] or {theta = .., phi = ..} in degrees (theta from +z, in the film plane), got [0, 1]"),
    Case("magnetization-string", MATERIALS + f_layer('"z"') + layer(), "layers[0].magnetization",
         'unknown direction "z" (named directions: "normal", "+normal", "-normal", "+x", "-x", "+y", "-y", "+z", '
         '"-z"; x is the film normal (perpendicular to the layers), y and z lie in the film plane'),
    Case("magnetization-table-string", MATERIALS + f_layer("{ theta = 0 }") + layer(magnetization='"normal"'),
         "layers[1].magnetization", "not allowed: 'N' is a normal metal"),
    Case("magnetization-number", MATERIALS + f_layer("1") + layer(), "layers[0].magnetization",
         'must be a direction name ("normal" = "+x", the film normal; "+y", "-z", ... in the film plane)'),
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
         "missing (polar angle in degrees from +z, which lies in the film plane; the film normal is x)"),
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
         'must be "reservoir", "lead", "open" or "insulator", got "bath"'),
    Case("end-missing-kind", MATERIALS + '\n[left]\nmaterial = "N"\n' + GOOD_LAYERS, "left.kind",
         'missing ("reservoir", "lead", "open" or "insulator")'),
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
    Case("duplicate-key", MATERIALS.replace("D = 3.0", "D = 3.0\nD = 4.0") + GOOD_LAYERS, "",
         'invalid TOML: Cannot overwrite a value (at line'),
    Case("duplicate-key-line", MATERIALS.replace("D = 3.0", "D = 3.0\nD = 4.0") + GOOD_LAYERS, "", '): "D = 4.0"'),
    Case("not-utf8", MATERIALS.encode() + b"# caf\xe9\n" + GOOD_LAYERS.encode(), "", "not UTF-8 text (byte 0xe9 on line 12)"),
    Case("missing-file", None, "", "no such file"),
    Case("directory", DIRECTORY, "", "is a directory"),
    # ---- reduced [[interfaces]] (MODEL.md 3b); GOOD_LAYERS is F | N: node 1 is N/F, node 2 N/reservoir
    Case("interfaces-number", "interfaces = 3\n" + MATERIALS + GOOD_LAYERS, "interfaces",
         "must be an array of tables ([[interfaces]]), got 3"),
    Case("interface-unknown-key", MATERIALS + GOOD_LAYERS + interface("AR = 1.0\n"), "interfaces[0].AR",
         "unknown key (expected one of: node, g_up, g_dn, g_mix, delta)"),
    Case("interface-missing-node", MATERIALS + GOOD_LAYERS + "\n[[interfaces]]\ng_up = 1.0\ng_dn = 1.0\n",
         "interfaces[0].node", "missing (node index"),
    Case("interface-node-string", MATERIALS + GOOD_LAYERS + interface(node='"1"'), "interfaces[0].node",
         'must be an integer node index (0 = left end face), got "1"'),
    Case("interface-node-float", MATERIALS + GOOD_LAYERS + interface(node="1.0"), "interfaces[0].node",
         "must be an integer node index (0 = left end face), got 1.0"),
    Case("interface-node-out-of-range", MATERIALS + GOOD_LAYERS + interface(node="5"), "interfaces[0].node",
         "must be a node index from 0 to 2, got 5"),
    Case("interface-node-negative", MATERIALS + GOOD_LAYERS + interface(node="-1"), "interfaces[0].node",
         "must be a node index from 0 to 2, got -1"),
    Case("interface-duplicate-node", MATERIALS + GOOD_LAYERS + interface() + interface(), "interfaces[1].node",
         "node 1 already has an interface (interfaces[0])"),
    Case("interface-g_up-negative", MATERIALS + GOOD_LAYERS + interface(g_up="-1.0"), "interfaces[0].g_up",
         "must be > 0, got -1.0"),
    Case("interface-g_up-string", MATERIALS + GOOD_LAYERS + interface(g_up='"2"'), "interfaces[0].g_up",
         'must be a number, got "2"'),
    Case("interface-g_dn-missing", MATERIALS + GOOD_LAYERS + "\n[[interfaces]]\nnode = 1\ng_up = 1.0\ng_mix = [1.0, 0.0]\n",
         "interfaces[0].g_dn", "missing"),
    Case("interface-g_mix-scalar", MATERIALS + GOOD_LAYERS + interface(g_mix="1.5"), "interfaces[0].g_mix",
         "must be a pair [g_r, g_i] (real and imaginary parts), got 1.5"),
    Case("interface-g_mix-string", MATERIALS + GOOD_LAYERS + interface(g_mix='[1.5, "0"]'), "interfaces[0].g_mix[1]",
         'must be a number, got "0"'),
    Case("interface-g_mix-negative-real", MATERIALS + GOOD_LAYERS + interface(g_mix="[-1.5, 0.0]"),
         "interfaces[0].g_mix", "the real part g_r must be >= 0, got -1.5"),
    Case("interface-g_mix-missing-at-N-F", MATERIALS + GOOD_LAYERS + interface(g_mix=None), "interfaces[0].g_mix",
         "missing: an N/F interface needs its mixing conductance"),
    Case("interface-g_mix-at-non-magnetic", MATERIALS + GOOD_LAYERS + interface(node="2", g_dn="2.0"),
         "interfaces[0].g_mix", "not used at a non-magnetic interface"),
    Case("interface-non-magnetic-asymmetry", MATERIALS + GOOD_LAYERS + interface(node="2", g_mix=None),
         "interfaces[0].g_dn", "a non-magnetic interface has no spin asymmetry"),
    Case("interface-delta-negative", MATERIALS + GOOD_LAYERS + interface(extra="delta = -0.5\n"),
         "interfaces[0].delta", "must be >= 0, got -0.5"),
    Case("interface-not-table", "interfaces = [1]\n" + MATERIALS + GOOD_LAYERS, "interfaces[0]", "must be a table"),
    Case("si-keys-in-reduced-file", SI_MATERIALS + SI_LAYERS, "materials.SiF.rho",
         'unknown key (expected one of: type, D, p, l, D_up, D_dn, l_J, l_phi, D_perp; rho, conductivity, beta, l_sf are SI keys: '
         'add units = "SI" at the top)'),
    # ---- SI files (units = "SI"): quantities with units, parsed by pint
    Case("si-current-missing", 'units = "SI"\n' + SI_MATERIALS + SI_LAYERS, "current",
         'missing (the charge current density J, e.g. "1e11 A/m^2")'),
    Case("si-current-amperes", si(current='"1e11 A"'), "current",
         'expected a current density (e.g. "1e11 A/m^2"), got "1e11 A" (dimension [current])'),
    Case("si-current-unit-typo", si(current='"1e11 A/m2"'), "current", 'unknown unit "m2"'),
    Case("si-current-nan", si(current='"nan A/m^2"'), "current", 'must be a number, got "nan A/m^2"'),
    Case("si-current-boolean", si(current="true"), "current", "got true"),
    Case("si-rho-length", si(f_rho='"4 nm"'), "materials.SiF.rho",
         'expected a resistivity (e.g. "60 nOhm*m"), got "4 nm" (dimension [length])'),
    Case("si-rho-unknown-unit", si(f_rho='"60 nOhmm"'), "materials.SiF.rho",
         'expected a resistivity (e.g. "60 nOhm*m"), got "60 nOhmm": unknown unit "nOhmm"'),
    Case("si-rho-abc", si(f_rho='"abc"'), "materials.SiF.rho", 'got "abc": unknown unit "abc"'),
    Case("si-rho-garbled", si(f_rho='"60 nOhm*m)"'), "materials.SiF.rho", 'got "60 nOhm*m)": not a number with a unit'),
    Case("si-rho-plain-string", si(f_rho='"60"'), "materials.SiF.rho",
         'got "60" (dimensionless, a plain number)'),
    Case("si-rho-negative", si(f_rho='"-60 nOhm*m"'), "materials.SiF.rho", 'must be > 0, got "-60 nOhm*m"'),
    # a bare number for a quantity with a dimension is refused with the unit it needs (it used to be read
    # in SI base units: thickness = 3, meant in nm, made a 3 m layer); 0 and the dimensionless keys pass
    Case("si-rho-negative-number", si(f_rho="-6e-8"), "materials.SiF.rho",
         'a bare number has no unit: write it with one, e.g. "-6e-08 nOhm*m" or, in SI base units, "-6e-08 ohm*m"'),
    Case("si-thickness-bare-number", si(layers=SI_LAYERS.replace('"4 nm"', "3", 1)), "layers[0].thickness",
         'a bare number has no unit: write it with one, e.g. "3 nm" or, in SI base units, "3 m" (a length)'),
    Case("si-current-bare-number", si(current="1e11"), "current",
         'a bare number has no unit: write it with one, e.g. "1e+11 A/m^2"'),
    Case("si-rho-bare-number", si(f_rho="60"), "materials.SiF.rho",
         'a bare number has no unit: write it with one, e.g. "60 nOhm*m"'),
    Case("si-l_sf-bare-number", si(f_l_sf="60"), "materials.SiF.l_sf",
         'a bare number has no unit: write it with one, e.g. "60 nm"'),
    Case("si-conductivity-bare-number", si(n_rho=None, n_extra="conductivity = 2e8\n"), "materials.SiN.conductivity",
         'a bare number has no unit: write it with one, e.g. "2e+08 S/m"'),
    Case("si-d-perp-bare-number", si(f_l_sf='"60 nm"\nl_J = "2 nm"\nD_perp = 5e6'), "materials.SiF.D_perp",
         'a bare number has no unit: write it with one, e.g. "5e+06 S/m"'),
    Case("si-interface-AR-bare-number", si(interfaces=si_interface(AR="0.5")), "interfaces[0].AR",
         'a bare number has no unit: write it with one, e.g. "0.5 fOhm*m^2"'),
    Case("si-interface-G_mix-bare-number", si(interfaces=si_interface(G_mix='[5.5e14, "0.01e15 Ohm^-1*m^-2"]')),
         "interfaces[0].G_mix[0]", 'a bare number has no unit: write it with one, e.g. "5.5e+14 Ohm^-1*m^-2"'),
    Case("si-field-bare-number", SI_INSULATOR.replace('field = [0, "2e4 V/m", 0]', "field = [0, 2e4, 0]"),
         "field[1]", 'a bare number has no unit: write it with one, e.g. "20000 V/m"'),
    Case("si-insulator-G_s-bare-number", SI_INSULATOR.replace('G_s = "1e13 1/(Ohm*m^2)"', "G_s = 1e13"),
         "right.G_s", 'a bare number has no unit: write it with one, e.g. "1e+13 Ohm^-1*m^-2"'),
    Case("si-rho-zero", si(f_rho='"0 Ohm*m"'), "materials.SiF.rho", 'must be > 0, got "0 Ohm*m"'),
    Case("si-rho-inf", si(f_rho='"inf nOhm*m"'), "materials.SiF.rho", 'must be finite, got "inf nOhm*m"'),
    Case("si-rho-nan", si(f_rho="nan"), "materials.SiF.rho", "must be a number, got nan"),
    Case("si-rho-boolean", si(f_rho="true"), "materials.SiF.rho", 'expected a resistivity (e.g. "60 nOhm*m"), got true'),
    Case("si-rho-table", si(f_rho="{ value = 1 }"), "materials.SiF.rho", "expected a resistivity"),
    Case("si-rho-list", si(f_rho="[1, 2]"), "materials.SiF.rho",
         "must be a single value (a number or a quantity string), got [1, 2]"),
    Case("si-thickness-list", si(layers=SI_LAYERS.replace('"10 nm"', '["10 nm", "20 nm"]')), "layers[1].thickness",
         "must be a single value"),
    Case("si-current-list", si(current='["1e11 A/m^2", "2e11 A/m^2"]'), "current", "must be a single value"),
    Case("si-rho-and-conductivity", si(n_extra='conductivity = "2e8 S/m"\n'), "materials.SiN.conductivity",
         "give rho or conductivity, not both"),
    Case("si-conductivity-resistivity", si(n_rho=None, n_extra='conductivity = "5 nOhm*m"\n'),
         "materials.SiN.conductivity", 'expected a conductivity (e.g. "1.7e7 S/m"), got "5 nOhm*m"'),
    Case("si-beta-one", si(beta="1"), "materials.SiF.beta", "must lie strictly between -1 and 1, got 1.0"),
    Case("si-beta-minus-one", si(beta='"-100 %"'), "materials.SiF.beta", 'must lie strictly between -1 and 1, got "-100 %"'),
    Case("si-beta-length", si(beta='"0.5 nm"'), "materials.SiF.beta",
         'expected a dimensionless number (e.g. "0.46"), got "0.5 nm" (dimension [length])'),
    Case("si-beta-on-normal", si(n_extra="beta = 0.2\n"), "materials.SiN.beta",
         "not allowed: a normal metal has no bulk spin asymmetry"),
    Case("si-l_sf-mass", si(f_l_sf='"4 kg"'), "materials.SiF.l_sf",
         'expected a length (e.g. "4 nm"), got "4 kg" (dimension [mass])'),
    Case("si-l_sf-zero", si(f_l_sf='"0 nm"'), "materials.SiF.l_sf", 'must be > 0, got "0 nm"'),
    Case("si-l_sf-infinite-word", si(f_l_sf='"infinite"'), "materials.SiF.l_sf", 'unknown unit "infinite"'),
    Case("si-l_sf-minus-inf", si(f_l_sf='"-inf nm"'), "materials.SiF.l_sf", 'must be > 0, got "-inf nm"'),
    Case("si-reduced-key", si(n_extra="D = 3.0\n"), "materials.SiN.D",
         "unknown key in an SI file (expected one of: type, rho, conductivity, beta, l_sf, theta_SH, l_J, l_phi, D_perp; D, p, l, D_up, D_dn are "
         "reduced-unit keys)"),
    Case("si-unknown-material-key", si(n_extra='rhoo = "5 nOhm*m"\n'), "materials.SiN.rhoo",
         "unknown key (expected one of: type, rho, conductivity, beta, l_sf, theta_SH, l_J, l_phi, D_perp, Ms, alpha, K_u, easy_axis, gamma)"),
    Case("si-missing-rho", si(n_rho=None), "materials.SiN.rho", "missing"),
    Case("si-missing-beta", si(beta=None), "materials.SiF.beta", "missing"),
    Case("si-bad-type", si(n_type='"metal"'), "materials.SiN.type", 'must be "normal" or "ferromagnet", got "metal"'),
    # an unknown type is named first, not after the keys (rho, l_sf) a kind never read would need
    Case("si-bad-type-before-missing-keys", si(n_type='"insulator"', n_rho=None), "materials.SiN.type",
         'must be "normal" or "ferromagnet", got "insulator"'),
    Case("si-thickness-mass", si(layers=SI_LAYERS.replace('"10 nm"', '"4 kg"')), "layers[1].thickness",
         'expected a length (e.g. "4 nm"), got "4 kg" (dimension [mass])'),
    Case("si-thickness-negative", si(layers=SI_LAYERS.replace('"10 nm"', '"-10 nm"')), "layers[1].thickness",
         'must be > 0, got "-10 nm"'),
    Case("si-thickness-no-unit", si(layers=SI_LAYERS.replace('"10 nm"', '"10"')), "layers[1].thickness",
         'expected a length (e.g. "4 nm"), got "10" (dimensionless, a plain number)'),
    Case("si-thickness-inf", si(layers=SI_LAYERS.replace('"10 nm"', "inf")), "layers[1].thickness",
         "must be finite, got inf"),
    Case("si-unknown-library-material", si(layers=SI_LAYERS + '\n[[layers]]\nmaterial = "Unobtainium"\nthickness = "2 nm"\n'),
         "layers[3].material", 'undefined material "Unobtainium": no [materials.Unobtainium] table'),
    Case("si-library-override-unknown-key", si(extra='\n[materials.Co]\nlsf = "40 nm"\n'), "materials.Co.lsf",
         "unknown key (expected one of: type, rho, conductivity, beta, l_sf, theta_SH, l_J, l_phi, D_perp, Ms, alpha, K_u, easy_axis, gamma)"),
    # the built-in library's Py is partial (no sourced rho, data/SOURCES.md): a file using it must give rho
    Case("si-library-partial-no-rho", si(layers=SI_LAYERS + '\n[[layers]]\nmaterial = "Py"\nthickness = "4 nm"\n'
                                        "magnetization = [0, 0, 1]\n"),
         "materials.Py.rho", "not in the built-in library (no sourced value): give it in [materials.Py]"),
    Case("si-library-partial-table-no-rho", si(extra='\n[materials.Py]\nl_sf = "4 nm"\n',
                                              layers=SI_LAYERS + '\n[[layers]]\nmaterial = "Py"\n'
                                              'thickness = "4 nm"\nmagnetization = [0, 0, 1]\n'),
         "materials.Py.rho", "not in the built-in library (no sourced value): give it in [materials.Py]"),
    Case("si-interface-AR-negative", si(interfaces=si_interface(AR='"-0.5 fOhm*m^2"')), "interfaces[0].AR",
         'must be >= 0, got "-0.5 fOhm*m^2"'),
    Case("si-interface-AR-dimension", si(interfaces=si_interface(AR='"0.5 fOhm"')), "interfaces[0].AR",
         'expected a resistance-area product (e.g. "0.5 fOhm*m^2"), got "0.5 fOhm" (dimension'),
    Case("si-interface-AR-missing", si(interfaces=si_interface(AR=None)), "interfaces[0].AR",
         "missing (interface resistance-area AR*"),
    Case("si-interface-gamma-one", si(interfaces=si_interface(gamma="1.0")), "interfaces[0].gamma",
         "must lie strictly between -1 and 1, got 1.0"),
    Case("si-interface-gamma-unit", si(interfaces=si_interface(gamma='"0.5 Ohm"')), "interfaces[0].gamma",
         'expected a dimensionless number (e.g. "0.46"), got "0.5 Ohm"'),
    Case("si-interface-G_mix-scalar", si(interfaces=si_interface(G_mix='"1e15 S/m^2"')), "interfaces[0].G_mix",
         "must be a pair [Re, Im] of conductances per area"),
    Case("si-interface-G_mix-three", si(interfaces=si_interface(G_mix='["1e15 S/m^2", "0 S/m^2", "0 S/m^2"]')),
         "interfaces[0].G_mix", "must be a pair [Re, Im] of conductances per area"),
    Case("si-interface-G_mix-dimension", si(interfaces=si_interface(G_mix='["1e15 Ohm", "0 S/m^2"]')),
         "interfaces[0].G_mix[0]", 'expected a conductance per area (e.g. "0.55e15 Ohm^-1*m^-2"), got "1e15 Ohm"'),
    Case("si-interface-G_mix-negative", si(interfaces=si_interface(G_mix='["-1e15 S/m^2", "0 S/m^2"]')),
         "interfaces[0].G_mix[0]", 'must be >= 0, got "-1e15 S/m^2"'),
    Case("si-interface-G_mix-missing", si(interfaces=si_interface(G_mix=None)), "interfaces[0].G_mix",
         "missing: an N/F interface needs its mixing conductance G_mix = [Re, Im]"),
    Case("si-interface-delta-negative", si(interfaces=si_interface(extra="delta = -0.1\n")), "interfaces[0].delta",
         "must be >= 0, got -0.1"),
    Case("si-interface-node-out-of-range", si(interfaces=si_interface(node="7")), "interfaces[0].node",
         "must be a node index from 0 to 3, got 7"),
    Case("si-interface-node-float", si(interfaces=si_interface(node="1.5")), "interfaces[0].node",
         "must be an integer node index"),
    Case("si-interface-node-missing", si(interfaces=si_interface(node=None)), "interfaces[0].node", "missing"),
    Case("si-interface-reduced-key", si(interfaces=si_interface(extra="g_up = 2.0\n")), "interfaces[0].g_up",
         "unknown key in an SI file (expected one of: node, pair, AR, gamma, G_mix, delta; g_up, g_dn, g_mix are "
         "reduced-unit keys)"),
    Case("si-interface-unknown-key", si(interfaces=si_interface(extra="Gmix = 1\n")), "interfaces[0].Gmix",
         "unknown key (expected one of: node, pair, AR, gamma, G_mix, delta)"),
    Case("si-interface-unknown-pair", si(interfaces=si_interface(extra='pair = "Foo/Bar"\n')), "interfaces[0].pair",
         'library interface "Foo/Bar"'),
    Case("si-interface-pair-number", si(interfaces=si_interface(extra="pair = 3\n")), "interfaces[0].pair",
         'must be the name of a library interface ("A/B"), got 3'),
    Case("si-non-magnetic-gamma", si(layers=SI_LAYERS + '\n[[layers]]\nmaterial = "SiN"\nthickness = "3 nm"\n',
                                     interfaces=si_interface(node="4", G_mix=None)),
         "interfaces[0].gamma", "a non-magnetic interface has no spin asymmetry: gamma must be 0"),

    # ---- the in-plane drive (MODEL.md 8)
    Case("field-x-component", "current = 0\nfield = [0.5, 1, 0]\n" + SOT, "field", "must have no x component"),
    Case("field-not-a-vector", "current = 0\nfield = 1\n" + SOT, "field", "must be a 3-vector"),
    Case("field-component-string", 'current = 0\nfield = [0, "a", 0]\n' + SOT, "field[1]", "must be a number"),
    Case("open-end-with-current", "current = 1\nfield = [0, 1, 0]\n" + SOT, "current", "must be 0: no charge current"),
    Case("open-end-extra-key", "current = 0\n" + SOT.replace('[right]\nkind = "open"', '[right]\nkind = "open"\nmaterial = "N"'),
         "right.material", 'an open end takes only kind = "open"'),
    Case("insulator-without-magnetization", "current = 0\n" + SOT.replace('[right]\nkind = "open"',
                                                                            '[right]\nkind = "insulator"\ng_mix = [1, 0]'),
         "right.magnetization", "missing"),
    Case("insulator-without-g-mix", "current = 0\n" + SOT.replace('[right]\nkind = "open"',
                                                                    '[right]\nkind = "insulator"\nmagnetization = [0, 0, 1]'),
         "right.g_mix", "missing"),
    Case("insulator-negative-g-r", "current = 0\n" + SOT.replace(
        '[right]\nkind = "open"', '[right]\nkind = "insulator"\nmagnetization = [0, 0, 1]\ng_mix = [-1, 0]'),
         "right.g_mix", "g_r must be >= 0"),
    Case("theta-sh-in-ferromagnet", "current = 0\nfield = [0, 1, 0]\n" + SOT.replace("p = 0.4\n", "p = 0.4\ntheta_SH = 0.1\n"),
         "materials.Co.theta_SH", "not modelled in a ferromagnet"),
    Case("l-j-not-positive", "current = 0\nfield = [0, 1, 0]\n" + SOT.replace("p = 0.4\n", "p = 0.4\nl_J = 0\n"),
         "materials.Co.l_J", "must be > 0"),
    Case("d-perp-alone", "current = 0\nfield = [0, 1, 0]\n" + SOT.replace("p = 0.4\n", "p = 0.4\nD_perp = 2\n"),
         "materials.Co.D_perp", "only used with l_J or l_phi"),
    Case("si-d-perp-resistivity", si(f_l_sf='"60 nm"\nl_J = "1 nm"\nD_perp = "60 nOhm*m"'), "materials.SiF.D_perp",
         'expected a conductivity (e.g. "1.7e7 S/m"), got "60 nOhm*m"'),
    Case("si-d-perp-zero", si(f_l_sf='"60 nm"\nl_phi = "2 nm"\nD_perp = "0 S/m"'), "materials.SiF.D_perp",
         'must be > 0, got "0 S/m"'),
    Case("si-d-perp-alone", si(f_l_sf='"60 nm"\nD_perp = "1e7 S/m"'), "materials.SiF.D_perp",
         "only used with l_J or l_phi"),
    Case("si-d-perp-on-normal", si(n_extra='D_perp = "1e7 S/m"\n'), "materials.SiN.D_perp",
         "not allowed: a normal metal has no magnetization"),
    Case("si-insulator-negative-g-r", SI_INSULATOR.replace('G_s = "1e13 1/(Ohm*m^2)"', "").replace(
        '"3e14 1/(Ohm*m^2)"', '"-3e14 1/(Ohm*m^2)"'), "right.G_mix[0]", 'must be >= 0, got "-3e14 1/(Ohm*m^2)"'),
    Case("si-insulator-negative-g-s", SI_INSULATOR.replace('G_s = "1e13', 'G_s = "-1e13'), "right.G_s",
         'must be >= 0, got "-1e13 1/(Ohm*m^2)"'),
    Case("si-field-x-component", SI_INSULATOR.replace('field = [0, "2e4 V/m", 0]', 'field = ["1 V/m", "2e4 V/m", 0]'),
         "field[0]", 'must be 0: the in-plane drive is tangential to the layers (x is the stack axis, the film normal; '
         'y and z lie in the film plane), got "1 V/m"'),
    Case("si-field-current-density-x-component", SI_INSULATOR.replace(
        'field = [0, "2e4 V/m", 0]', 'field = { layer = 0, current_density = ["1e9 A/m^2", "1e11 A/m^2", 0] }'),
         "field.current_density[0]", 'must be 0: the in-plane drive is tangential to the layers'),
    Case("si-field-wrong-unit", si(current='"0 A/m^2"\nfield = [0, "1 A/m^2", 0]',
                                   layers=SI_LAYERS.replace('[[layers]]', '[left]\nkind = "open"\n\n[[layers]]', 1)),
         "field[1]", "an electric field"),
    Case("si-field-layer-out-of-range", si(current='"0 A/m^2"\nfield = { layer = 9, current_density = [0, "1e11 A/m^2", 0] }'),
         "field.layer", "must be a layer index"),
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
