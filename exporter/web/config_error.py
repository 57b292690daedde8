"""The one error a web config raises, shared by the modules that validate its parts."""

from __future__ import annotations


class WebConfigError(ValueError):
    """A web config that cannot be used; `str()` is one line naming the file and the key."""

    def __init__(self, key: str, reason: str, path: str | None = None) -> None:
        self.key = key
        self.reason = reason
        self.path = path
        parts = [f"web config {path}" if path else "web config"]
        if key:
            parts.append(key)
        parts.append(reason)
        super().__init__(" ".join(": ".join(parts).split()))

    def with_path(self, path: str) -> WebConfigError:
        return WebConfigError(self.key, self.reason, path)
