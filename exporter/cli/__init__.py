"""Command line: serve, check and simulate. The only package that reads options and environment.

Bad configuration ends the program with exit code 2 and one line naming the option.

- `entry`: the command group, `main` (the console script, `exporter.cli:main`) and `run`,
  the one place a `ConfigError` or a usage error becomes exit 2.
- `serve`, `check`, `simulate`: one command each.
- `options`: every option declared once (flag, environment variable, type, default, help,
  --help section, the field it fills), grouped per concern; each command lists its groups.
- `declare`: what a declaration is (`Opt`, `Group`) and the --help with an "Advanced
  options" section (`SectionedCommand`).
- `types`: the click types that check a value as it is parsed (durations, listen address,
  web config file, comma-separated lists).
- `configs`: the typed option values and from them the config objects (cache lifetime, upstream,
  with --demo the embedded simulator).
"""

from exporter.cli.configs import cache_ttl_for
from exporter.cli.entry import cli, main, run
from exporter.cli.options import PROG

__all__ = ["PROG", "cache_ttl_for", "cli", "main", "run"]
