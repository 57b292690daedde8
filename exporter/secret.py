"""A string that never shows itself: secrets are held in this type end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Final

MASK: Final = "********"  # what a secret shows instead of itself, also in logs


class Secret:
    """Wraps a secret value so that repr, str, format and logging show a mask.

    The value is reachable only through :meth:`reveal`, which makes every place
    that needs the plain text easy to find with grep.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the plain value somewhere we do not control.
        raise TypeError("Secret values cannot be pickled")


def read_secret_file(path: str | Path) -> Secret:
    """Read a secret file as Kubernetes mounts it: one value, trailing newline stripped."""
    text = Path(path).read_text(encoding="utf-8")
    return Secret(text.rstrip("\r\n"))


class SecretFile:
    """A secret read from a file at start and again on demand (SIGHUP), for rotation."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._value = read_secret_file(self.path)  # OSError here is a config error

    def __call__(self) -> Secret:
        return self._value

    def reload(self) -> bool:
        """Re-read the file; on failure keep the current value. Returns whether it changed."""
        fresh = read_secret_file(self.path)
        changed = fresh != self._value
        self._value = fresh
        return changed
