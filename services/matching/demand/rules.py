"""Pure rules of demand aggregation: windows and how many distinct residents a set of signals makes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.matching.settings import Settings

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DemandRules:
    window_days: int = 30
    default_threshold: int = 10
    thresholds: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> "DemandRules":
        return cls(
            window_days=settings.demand_window_days,
            default_threshold=settings.demand_default_threshold,
            thresholds=tuple(settings.demand_thresholds.items()),
        )

    def threshold(self, category: str) -> int:
        return dict(self.thresholds).get(category, self.default_threshold)

    def window_start(self, at: datetime) -> datetime:
        """The start of the fixed window `at` falls in (an alert is announced once per window)."""
        window = timedelta(days=self.window_days)
        return EPOCH + window * ((at - EPOCH) // window)


def residents(known: set[str], anonymous_counts: list[int]) -> int:
    """Distinct residents: those we know by id, or the largest anonymous poll if that says more (its
    ballots may be the same people, so polls never add up)."""
    return max(len(known), max(anonymous_counts, default=0))
