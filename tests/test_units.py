"""Quantities converted to SI (spinstack.units.to_si): a power-of-ten unit gives the float nearest the value written.

"0.2 ns" is 0.2e-9 s; the float product 0.2 * 1e-9 is 2.0000000000000003e-10, one unit in the last place
above 2e-10, the float nearest 0.2e-9.  Every door takes the same conversion: SI stack files
(spinstack.io.sifile), spinstack.si, and the command line's quantities (--vary, --duration).
"""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest

from spinstack.units import Q_, to_si


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("0.2 ns", "time", 2e-10),
    ("3.1 ns", "time", 3.1e-9),
    ("60 nOhm*m", "resistivity", 60e-9),
    ("800 kA/m", "magnetization", 8e5),
    ("0.7 nm", "length", 0.7e-9),
    ("5000 nm^2", "area", 5000e-18),  # pint's factor 1e-9 * 1e-9 is itself a float product
    ("0.3 fOhm*m^2", "area_resistance", 0.3e-15),
    ("0.1 uOhm*cm", "resistivity", 0.1e-8),
    ("2.2 kJ/m^3", "energy_density", 2.2e3),
    ("0.1 GA/m^2", "current_density", 0.1e9),
    ("46 %", "dimensionless", 0.46),
    ("-0.3 mT", "magnetic_field", -0.3e-3),
])
def test_a_prefixed_unit_gives_the_float_nearest_the_value(text, kind, expected):
    assert float(to_si(text, kind, "x")) == expected  # exactly: the float the decimal literal reads as


def test_the_float_product_was_one_unit_off():
    # what this conversion is for: the naive product misses the nearest float
    assert 0.2 * 1e-9 != 2e-10
    assert float(to_si("0.2 ns", "time", "x")) == 2e-10


@pytest.mark.parametrize(("value", "kind"), [
    ("4.2 K", "temperature"), ("1e11 A/m^2", "current_density"), ("1.7e7 S/m", "conductivity"),
    ("0.1 m", "length"), ("30 deg", "angle"), ("0.46", "dimensionless"),
])
def test_values_without_a_prefix_are_unchanged(value, kind):
    number = float(value.split()[0])
    assert float(to_si(value, kind, "x")) == number
    assert float(to_si(number, kind, "x")) == number  # a plain number: SI as given


@pytest.mark.parametrize(("text", "kind", "product"), [
    ("0.1 eV", "energy", 0.1 * 1.602176634e-19),
    ("1.5 inch", "length", 1.5 * 0.0254),
    ("10 rad", "angle", 10 * (180 / np.pi)),
])
def test_other_factors_keep_the_float_product(text, kind, product):
    assert float(to_si(text, kind, "x")) == pytest.approx(product, rel=4e-16)


def test_random_decimals_with_prefixes_are_correctly_rounded():
    rng = random.Random(15)
    prefixes = {"fs": -15, "ps": -12, "ns": -9, "us": -6, "ms": -3, "s": 0, "ks": 3}
    for _ in range(2000):
        digits = rng.randint(1, 9)
        text = f"{rng.randint(1, 10 ** digits)}e-{rng.randint(0, digits + 2)}"
        prefix, k = rng.choice(list(prefixes.items()))
        expected = float(Decimal(text).scaleb(k))  # the float nearest text * 10^k, by exact decimal arithmetic
        assert float(to_si(f"{text} {prefix}", "time", "x")) == expected, (text, prefix)


def test_quantities_and_arrays_of_them_take_the_same_conversion():
    assert float(to_si(Q_(0.2, "ns"), "time", "x")) == 2e-10
    array = to_si(Q_(np.array([[0.2, 3.1], [0.7, 0.0]]), "ns"), "time", "x")
    assert array.shape == (2, 2) and array.dtype == float
    assert array.tolist() == [[2e-10, 3.1e-9], [7e-10, 0.0]]
    assert float(to_si(Q_(800, "kA/m"), "magnetization", "x")) == 8e5  # an integer magnitude


def test_infinities_and_refusals_are_as_before():
    assert float(to_si("inf", "length", "x", allow_inf=True)) == np.inf
    with pytest.raises(Exception, match="must be finite"):
        to_si(Q_(np.inf, "nm"), "length", "x")
    with pytest.raises(Exception, match="must be > 0"):
        to_si("-4 nm", "length", "x", sign="positive")
    with pytest.raises(Exception, match=r"dimension \[length\]"):
        to_si("4 nm", "resistivity", "x")


def test_every_door_reads_the_same_number(tmp_path):
    import spinstack as ss
    from spinstack import si
    from spinstack._sweep.quantities import value
    from spinstack.trajectories import parse_time

    assert parse_time("0.2 ns", "--duration") == 2e-10
    assert value("0.7 nm", "layers[0].thickness", "SI") == 0.7e-9
    cu = si.normal("Cu", rho="60 nOhm*m", l_sf="300 nm")
    layer = si.layer(cu, "0.7 nm")
    assert layer.thickness == 0.7e-9
    file = tmp_path / "stack.toml"
    file.write_text('units = "SI"\ncurrent = "1e11 A/m^2"\n\n[materials.Cu]\ntype = "normal"\nrho = "60 nOhm*m"\n'
                    'l_sf = "300 nm"\n\n[[layers]]\nmaterial = "Cu"\nthickness = "0.7 nm"\n')
    stack = ss.load_stack(file)
    assert stack.layers[0].thickness == 0.7e-9
