"""Pure rules of the dashboard: the period and its buckets, the five-resident rule, a trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.matching.insights.models import Bucket, Trend
from shared.errors import Unprocessable

# A figure computed from fewer distinct residents than this is withheld: a small group is too easy
# to recognise ("the one family that booked a clinic escort").
MIN_RESIDENTS = 5
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Days of the community's calendar (`zone`), from `first` to `last` included."""

    first: date
    last: date
    zone: ZoneInfo
    bucket: Bucket = "day"

    @classmethod
    def asked(cls, *, first: date | None, last: date | None, bucket: Bucket, zone: ZoneInfo, now: datetime) -> Period:
        """The period a request names; by default the last 30 days up to today."""
        last = last or local_day(now, zone)
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise Unprocessable(f"the period starts ({first}) after it ends ({last})")
        if (last - first).days >= MAX_DAYS:
            raise Unprocessable(f"a period is at most {MAX_DAYS} days; this one has {(last - first).days + 1}")
        return cls(first, last, zone, bucket)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (what a trend compares with)."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone, self.bucket)

    def starts_at(self) -> datetime:
        return _midnight(self.first, self.zone)

    def ends_at(self) -> datetime:
        """The instant after the last day (excluded)."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    def bucket_of(self, day: date) -> date:
        """The first day of the bucket `day` falls in: itself, or its week's Monday (not before the period)."""
        if self.bucket == "day":
            return day
        return max(day - timedelta(days=day.weekday()), self.first)

    def buckets(self) -> list[date]:
        days = (self.first + timedelta(days=i) for i in range(self.days))
        return sorted({self.bucket_of(d) for d in days})


def local_day(at: datetime, zone: ZoneInfo) -> date:
    """The community's calendar day of an instant (a 23:30 order in Shanghai is that day's)."""
    return at.astimezone(zone).date()


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def shown(residents: int) -> bool:
    """Whether a figure of this many residents may be shown (none at all identifies nobody)."""
    return residents == 0 or residents >= MIN_RESIDENTS


def trend(now: int, before: int | None) -> Trend:
    if not before:
        return "new"
    if now > before:
        return "up"
    return "down" if now < before else "flat"
