"""io.stackwriter.material_table: one material's [materials.NAME] table, the same as dumps_stack writes it in a
stack file (the explorer's material form reads it at every refresh without writing a whole file)."""

from __future__ import annotations

import tomllib

from hypothesis import HealthCheck, given, settings

from spinstack.io import dumps_stack
from spinstack.io.stackwriter import material_table
from tests.strategies import full_stacks


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=full_stacks(batched=False))
def test_the_table_is_the_stack_files_table(stack):
    tables = tomllib.loads(dumps_stack(stack))["materials"]
    for name, material in stack.materials.items():
        assert material_table(material, stack.units) == tables[name]
