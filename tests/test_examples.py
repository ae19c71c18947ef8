"""The example scripts reproduce the seed's Figs. 2-5 and conclusions: their own asserts pass,
their numbers are the seed's closed forms, their figures are written; every example stack solves."""

from __future__ import annotations

import importlib.util
import math
import pathlib
import re
import tomllib

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import spinstack as ss  # noqa: E402

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = ("fig2_fn_contact", "fig3_collinear", "fig4_noncollinear", "fig5_negative_g2", "conclusions")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def run(name: str, out_dir: pathlib.Path, **options) -> dict:
    results = load_script(name).main(out_dir, **options)
    figures = results["figures"]
    assert figures, name
    for path in figures:
        path = pathlib.Path(path)
        assert path.parent == out_dir and path.suffix == ".png"
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, path
    assert sorted(out_dir.glob("*.png")) == sorted(map(pathlib.Path, figures))
    return results


def toml(name: str) -> dict:
    return tomllib.loads((EXAMPLES / name).read_text())


# ------------------------------------------------------------------ the stack files
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_stack_loads_and_solves(path):
    stack = ss.load_stack(path)
    solution = ss.solve(stack)
    assert np.isfinite(solution.accumulation).all() and np.isfinite(solution.torque).all()
    if solution.resistance_problem is None:  # open and insulator ends carry no charge current
        assert np.isfinite(solution.resistance_area) and solution.resistance_area > 0
    else:
        assert solution.stack.has_boundary_ends


def test_the_si_insulator_example_says_where_each_number_comes_from():
    """examples/yig-pt-smr-si.toml (the SI twin of yig-pt-smr.toml): every material and insulator value is
    the library's or marked assumed, as in the other real-stack examples (tests/test_real_stacks.py)."""
    assumed = "assumed, order of magnitude; not from a read source"
    quantity = re.compile(r"^(rho|conductivity|beta|l_sf|theta_SH|G_mix|G_s)\s*=")
    lines = (EXAMPLES / "yig-pt-smr-si.toml").read_text(encoding="utf-8").splitlines()
    values = [line for line in lines if quantity.match(line)]
    assert len(values) == 3  # rho of Pt, G_mix, G_s; l_sf and theta_SH of Pt come from the library
    for line in values:
        assert assumed in line, line
    assert any(line.startswith("[materials.Pt]") and "LIBRARY" in line for line in lines)
    data = toml("yig-pt-smr-si.toml")
    assert data["units"] == "SI" and data["right"]["kind"] == "insulator"


def test_the_figures_have_their_stacks_and_scripts():
    stacks = {"fn-contact.toml", "fnf-collinear.toml", "nfn-collinear.toml", "asymmetric-fnf.toml", "seed-fnf.toml"}
    assert stacks <= {p.name for p in EXAMPLES.glob("*.toml")}
    assert set(SCRIPTS) <= {p.stem for p in EXAMPLES.glob("*.py")}


# ------------------------------------------------------------------------- scripts
def test_fig2_fn_contact(tmp_path):
    r = run("fig2_fn_contact", tmp_path)
    data = toml("fn-contact.toml")
    F, N = data["materials"]["F"], data["materials"]["N"]
    G_F, G_N = F["D"] / (2 * F["l"]), N["D"] / (2 * N["l"])
    assert r["mu0"] == pytest.approx(F["p"] / (G_F + G_N), rel=1e-12)       # eq. (8), j0 = 1
    assert r["mu0_reversed"] == pytest.approx(-r["mu0"], rel=1e-12)         # eq. (9)
    assert r["driving_force"] == pytest.approx(F["p"])
    assert r["elastic_F"] == pytest.approx(-G_F * r["mu0"]) and r["elastic_N"] == pytest.approx(-G_N * r["mu0"])
    assert abs(r["balance"]) < 1e-13


def test_fig3_collinear(tmp_path):
    r = run("fig3_collinear", tmp_path)
    assert r["fnf_mu0"] > 0 > r["fnf_mu1"] and r["nfn_mu0"] < 0 < r["nfn_mu1"]
    # F lead | N | F lead, parallel and symmetric: mu0 = -mu1 = p j0 / (G_F + G~_N + B)
    data = toml("fnf-collinear.toml")
    F, N, d = data["materials"]["F"], data["materials"]["N"], data["layers"][0]["thickness"]
    G_F, G_N = F["D"] / (2 * F["l"]), N["D"] / (2 * N["l"])
    expected = F["p"] / (G_F + G_N / math.tanh(d / N["l"]) + G_N / math.sinh(d / N["l"]))
    assert r["fnf_mu0"] == pytest.approx(expected, rel=1e-12)
    for key in ("fnf_mu0", "fnf_mu1", "nfn_mu0", "nfn_mu1"):
        assert r[key] == pytest.approx(r[f"{key}_seed"], rel=1e-12)


def test_fig4_noncollinear(tmp_path):
    r = run("fig4_noncollinear", tmp_path)
    assert r["g1"] > 0 and r["g2"] > 0 and r["min_g1"] > 0 and r["min_g2"] > 0
    assert r["g2"] == pytest.approx(r["B"] * r["mu1"], rel=1e-12)          # App. II, j0 = 1
    assert r["g1"] == pytest.approx(-r["B"] * r["mu2"], rel=1e-12)
    assert r["planarity"] < 1e-13
    assert r["theta"] == pytest.approx(60.0)


def test_fig5_negative_g2(tmp_path):
    r = run("fig5_negative_g2", tmp_path)
    assert r["g2"] < 0 < r["g1"] and r["mu1"] < 0
    assert r["g2"] == pytest.approx(-0.311369228246, rel=1e-9)
    assert r["sign_change_g2"] == pytest.approx(r["eq15_angle"], abs=1e-9)
    data = toml("asymmetric-fnf.toml")
    p1, p2 = data["materials"]["F1"]["p"], data["materials"]["F2"]["p"]
    assert r["eq15_angle"] == pytest.approx(math.degrees(math.acos(r["A2"] * p1 / (r["B"] * p2))), abs=1e-12)
    assert r["eq15_angle"] == pytest.approx(63.547, abs=1e-3)
    assert r["p2_threshold"] == pytest.approx(r["eq15_p2_threshold"], rel=1e-9)
    assert r["map_g1_negative"] > 0 and r["map_g2_negative"] > 0


def test_conclusions(tmp_path):
    r = run("conclusions", tmp_path, samples=1500)
    assert r["samples"] == 1500 and r["both_negative"] == 0
    assert r["g1_negative"] > 0 and r["g2_negative"] > 0
    assert r["max_theta_g1_negative"] < 90 and r["max_theta_g2_negative"] < 90
    assert r["case_g1"] < 0 < r["case_g2"]
    thresholds = [key for key in r if key.startswith("p1_threshold_")]
    assert thresholds
    for key in thresholds:
        assert r[key] == pytest.approx(r[f"eq15_{key}"], rel=1e-9)
    # eq. (15) at theta = 0 for seed-fnf.toml: p1 = p2 A1 / B
    assert r["p1_threshold_0deg"] == pytest.approx(0.774191889741, rel=1e-9)


def test_spin_hall_sign_picture(tmp_path):
    """examples/spin_hall_sign.py: the MODEL.md 8b sentence (J along +y in Pt: moment along -z at the top face)."""
    script = load_script("spin_hall_sign")
    solution = script.film()
    # MODEL.md 8b: for eps = +y, mu(top) = +0.420279 z; J along +y means eps along -y: the opposite
    np.testing.assert_allclose(solution.accumulation[-1], [0.0, 0.0, -0.420279], atol=5e-7)
    np.testing.assert_allclose(solution.accumulation[0], [0.0, 0.0, 0.420279], atol=5e-7)
    script.draw(tmp_path / "sign.png")
    assert (tmp_path / "sign.png").stat().st_size > 10_000
