"""``python -m spinstack``: the command line of :mod:`spinstack.cli`."""

from .cli import main

main(prog_name="spinstack")
