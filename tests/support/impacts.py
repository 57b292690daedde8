"""An `Impact` built in one line: a major incident on Adobe Analytics unless told otherwise."""

from __future__ import annotations

from dataclasses import replace

from exporter.model.vocabulary import Impact, State

ANALYTICS_ID = "503467"


def an_impact(event_id: str, **overrides: object) -> Impact:
    """A major, opened incident `event_id` on Adobe Analytics, no regions; `overrides` as
    `dataclasses.replace` takes them."""
    base = Impact(
        event_id=event_id,
        kind="incident",
        product_id=ANALYTICS_ID,
        product_name="Adobe Analytics",
        severity="major",
        status="opened",
        state=State.MAJOR,
        region_ids=(),
        region_names=(),
        clouds=(),
        start=None,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]
