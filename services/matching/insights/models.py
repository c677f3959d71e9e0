from datetime import date, datetime
from typing import Literal

from sqlmodel import Field

from services.matching.base import MatchingModel

Bucket = Literal["day", "week"]
Trend = Literal["up", "down", "flat", "new"]
Table = Literal["activity", "demand", "coverage_gaps", "providers", "upcoming_events"]


class DayActivity(MatchingModel, table=True):
    """What happened in a community on one of its calendar days (from orders', livestream's and
    community's events): the dashboard's charts add these days up."""

    community_id: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    orders: int = 0
    turnover_fen: int = 0  # paid, less what was refunded that day
    sessions: int = 0
    peak_viewers: int = 0  # the largest audience of the day's live sessions
    registrations: int = 0
    check_ins: int = 0
    bookings: int = 0


class ResidentDay(MatchingModel, table=True):
    """A resident was active in a community on a day, and how: every distinct-resident count (and
    the rule that hides figures of fewer than five residents) is computed from these rows."""

    community_id: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    bought: bool = False
    took_part: bool = False  # registered for or checked in at an offline event
    booked: bool = False


class EventGoer(MatchingModel, table=True):
    """A resident holds a registration for an offline event (so its turnout can be counted in residents)."""

    event_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)


class ProviderRecord(MatchingModel, table=True):
    """A provider's record in one community (from `catalog.*` and reviews of its bookings there)."""

    provider_id: str = Field(primary_key=True)
    community_id: str = Field(primary_key=True)
    rating_sum: int = 0
    rating_count: int = 0
    # Open complaints as of the latest filed, one per resident (catalog allows one open complaint each;
    # it announces no resolution, so this never goes down by itself).
    open_complaints: int = 0
    suspensions: int = 0


class Reviewer(MatchingModel, table=True):
    """A resident reviewed a provider's booking in a community: a rating is shown from five reviewers on."""

    provider_id: str = Field(primary_key=True)
    community_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)


class ProviderName(MatchingModel, table=True):
    """A provider's name as the directory announces it (`catalog.provider.registered` / `.updated`)."""

    provider_id: str = Field(primary_key=True)
    name: str


# What the API answers ------------------------------------------------------------------------------
# A figure computed from fewer than `min_residents` distinct residents is null and its row or point
# says `suppressed: true`; figures that are not about residents (sessions held, suspensions) stay.


class Withheld(MatchingModel):
    suppressed: bool = False


class OrdersPoint(Withheld):
    start: date
    orders: int | None
    turnover_fen: int | None


class ResidentsPoint(Withheld):
    start: date
    residents: int | None


class SessionsPoint(Withheld):
    start: date
    sessions: int
    peak_viewers: int | None


class AttendancePoint(Withheld):
    start: date
    registrations: int | None
    check_ins: int | None


class BookingsPoint(Withheld):
    start: date
    bookings: int | None


class Series(MatchingModel):
    orders: list[OrdersPoint]
    active_residents: list[ResidentsPoint]
    sessions: list[SessionsPoint]
    attendance: list[AttendancePoint]
    bookings: list[BookingsPoint]


class DemandRow(Withheld):
    category: str
    label: str = Field(description="The category in the language asked for (`lang`)")
    residents: int | None
    previous: int | None = Field(description="Residents in the period of the same length just before")
    trend: Trend | None


class GapRow(Withheld):
    category: str
    label: str
    residents: int | None


class ProviderRow(Withheld):
    provider_id: str
    name: str
    state: str  # its listing's state in the community
    rating: float | None
    reviews: int | None
    open_complaints: int | None
    suspensions: int


class UpcomingEventRow(Withheld):
    event_id: str
    title: str
    kind: str
    starts_at: datetime
    capacity: int
    residents: int | None = Field(description="Residents registered")


class Insights(MatchingModel):
    community_id: str
    first_day: date = Field(description="The period's first day (the community's calendar)")
    last_day: date = Field(description="The period's last day, included")
    bucket: Bucket
    min_residents: int
    series: Series
    demand: list[DemandRow]
    coverage_gaps: list[GapRow]
    providers: list[ProviderRow]
    upcoming_events: list[UpcomingEventRow]
