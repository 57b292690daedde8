"""`python -m tests.golden` (`make golden`): rewrite every tests/golden/<scenario>.prom.

Run it after a deliberate change to the exposition, then review the diff before committing.
"""

from __future__ import annotations

import logging
import sys

from tests.golden import golden_path
from tests.golden.scenarios import SCENARIOS


def main() -> int:
    # The failing scenarios make the exporter warn, as it should; not news here.
    logging.disable(logging.WARNING)
    for name, render in SCENARIOS.items():
        path = golden_path(name)
        text = render()
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        path.write_text(text, encoding="utf-8", newline="\n")
        said = "unchanged" if old == text else "written"
        print(f"{path.relative_to(path.parents[2])}: {said} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
