"""``python -m spinstack``: the command line of :mod:`spinstack.cli`."""

# the command's entry point: one line and exit 128 + signum for SIGINT, SIGTERM, SIGHUP (its handlers are
# installed only now, after the package's imports; the `spinstack` command installs them before those)
from _spinstack_cli import main

main()
