"""Adobe's record over the last days, per product: what the status page's "Last 30 days"
shows (computed in `exporter.model.window`, carried by the StatusReport)."""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.model.vocabulary import Product, State


@dataclass
class Totals:
    """One product over the window: seconds at each state, incidents, availability."""

    product: Product
    seconds: dict[State, float] = field(default_factory=lambda: dict.fromkeys(State, 0.0))
    incidents: int = 0
    window: float = 0.0

    def minutes(self, state: State) -> float:
        return self.seconds[state] / 60.0

    @property
    def availability(self) -> float:
        """Share of the window not at minor or major (Adobe-reported availability)."""
        if self.window <= 0:
            return 1.0
        down = self.seconds[State.MINOR] + self.seconds[State.MAJOR]
        return max(0.0, 1.0 - down / self.window)


@dataclass(frozen=True)
class Past:
    """Adobe's record over the last days, per product, as the status page shows it."""

    since: float
    until: float
    totals: tuple[Totals, ...]
