"""How big the simulated world is: which catalog, how many concurrent events, how much history."""

from __future__ import annotations

from dataclasses import dataclass

SCALE_NAMES = ("typical", "forty-day", "stress")


@dataclass(frozen=True)
class Scale:
    """Sizes that drive the scenario; use the presets rather than building one by hand.

    A *lane* is a track that carries one event after another (see `scenario`); the anchor
    lanes that keep the demo dashboard busy come on top of the counts given here.
    """

    name: str
    # 0 serves Adobe's real catalog; otherwise that many synthetic products.
    synthetic_products: int = 0
    synthetic_clouds: int = 5
    # 0 gives each product a realistic subset of Adobe's three regions; else that many.
    regions_per_product: int = 0
    # About this many environments in the registry (0: one per service and region).
    environments: int = 0
    incident_lanes: int = 17
    maintenance_lanes: int = 2
    incident_minutes: tuple[int, int] = (3, 15)
    closed_linger_minutes: tuple[int, int] = (1, 5)
    # True: lanes never idle, a closed event stays until the lane's next one (a fixed count).
    fill_lanes: bool = False
    # Closed events spread over the past `backlog_days`, each product with this much history.
    backlog_events: int = 0
    backlog_days: int = 40
    backlog_history: int = 5

    @classmethod
    def typical(cls) -> Scale:
        """The real catalog with about 20 events in the feed at any moment."""
        return cls(name="typical")

    @classmethod
    def forty_day(cls) -> Scale:
        """The real catalog, about 19,000 environments as in Adobe's registry, and about
        2,500 mostly closed events of the past 40 days."""
        return cls(name="forty-day", backlog_events=2350, environments=19_000)

    @classmethod
    def stress(cls) -> Scale:
        """1,000 synthetic products in all three regions, with 5,000 events in the feed."""
        return cls(
            name="stress",
            synthetic_products=1000,
            regions_per_product=3,
            incident_lanes=3998,  # + 2 anchors = 4,000
            maintenance_lanes=995,  # + 5 anchors = 1,000
            incident_minutes=(30, 180),
            fill_lanes=True,
        )

    @classmethod
    def named(cls, name: str) -> Scale:
        """The preset called `name` ("typical", "forty-day" or "stress")."""
        presets = {"typical": cls.typical, "forty-day": cls.forty_day, "stress": cls.stress}
        key = name.strip().lower().replace("_", "-")
        if key not in presets:
            raise ValueError(f"unknown scale {name!r}; expected one of {', '.join(SCALE_NAMES)}")
        return presets[key]()
