"""`python -m exporter` runs the same CLI as the console script."""

from exporter.cli import main

main()
