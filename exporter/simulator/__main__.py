"""`python -m exporter.simulator`: the CLI's `simulate` command, its options and help."""

from exporter.cli import run
from exporter.cli.simulate import simulate

run(simulate, None, "python -m exporter.simulator")
