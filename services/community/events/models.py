from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from sqlalchemy import Text
from sqlmodel import JSON, Column, Field, Index, UniqueConstraint

from services.community.base import CommunityModel
from services.community.events import recurrence
from shared.fields import EntityId, ImageUrl, Name
from shared.models import UTCDateTime, new_id, utcnow

# What kind of event it is, with the label residents see.
KINDS = {
    "flea_market": "跳蚤市场",
    "sports_day": "亲子运动会",
    "tasting": "品鉴会",
    "workshop": "手作工坊",
    "health_talk": "健康讲座",
    "culture": "文化活动",
}
Kind = Literal["flea_market", "sports_day", "tasting", "workshop", "health_talk", "culture"]

# An event's life: draft → published → closed (for sign-up) → held → archived, or cancelled.
DRAFT, PUBLISHED, CLOSED, HELD, ARCHIVED, CANCELLED = "draft", "published", "closed", "held", "archived", "cancelled"
EventStatus = Literal["draft", "published", "closed", "held", "archived", "cancelled"]

# A registration's: a seat (registered; awaiting_payment when the event has a fee, until its fee is
# paid through orders or its hold runs out), or a place on the waitlist; then checked in or, once the
# event is held, a no-show; or withdrawn (also: a hold released unpaid).
REGISTERED, AWAITING_PAYMENT, WAITLISTED = "registered", "awaiting_payment", "waitlisted"
CHECKED_IN, NO_SHOW, WITHDRAWN = "checked_in", "no_show", "cancelled"
RegistrationStatus = Literal["registered", "awaiting_payment", "waitlisted", "checked_in", "no_show", "cancelled"]
HOLDING_SEATS = (REGISTERED, AWAITING_PAYMENT, CHECKED_IN)

MAX_CAPACITY = 2000
MAX_WAITLIST = 2000  # recipients travel in events: a cancellation tells at most capacity + waitlist people

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class EventTerms(CommunityModel):
    """What an organiser sets; a draft holds these, checked in full when it is published."""

    title: Name
    kind: Kind = Field(
        description="flea_market 跳蚤市场, sports_day 亲子运动会, tasting 品鉴会, workshop 手作工坊, "
        "health_talk 健康讲座, culture 文化活动"
    )
    description: str = Field(default="", max_length=2000)
    place: Text200 = Field(description="e.g. 南门广场, 3号楼活动室")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: str = Field(default="Asia/Shanghai", description="IANA zone the event's local times (and RRULE) are in")
    capacity: int = Field(ge=1, le=MAX_CAPACITY, description="Seats, companions included")
    max_companions: int = Field(default=2, ge=0, le=10, description="Companions one sign-up may bring")
    questions: list[Question] = Field(
        default_factory=list, max_length=5, description="Asked at sign-up; every sign-up answers each"
    )
    fee_fen: int = Field(
        default=0, ge=0, le=1_000_000, description="Fee per seat in fen; a sign-up then awaits payment"
    )
    rrule: str | None = Field(
        default=None, max_length=200, description="Repeats it (RFC 5545), e.g. FREQ=WEEKLY;BYDAY=SA;COUNT=8"
    )
    registration_closes_at: AwareDatetime | None = Field(default=None, description="Sign-up closes (default: start)")

    @field_validator("starts_at", "ends_at", "registration_closes_at")
    @classmethod
    def _whole_seconds(cls, value: datetime | None) -> datetime | None:
        # Calendars and recurrence rules count in seconds (dateutil drops the rest of a rule's start).
        return value.replace(microsecond=0) if value is not None else None

    def check(self, *, ahead: bool) -> None:
        """The rules across fields; `ahead`: the event and its sign-up are still to come (publishing)."""
        if self.ends_at <= self.starts_at:
            raise ValueError("the event must end after it starts")
        recurrence.zone(self.timezone)
        if self.rrule is not None:
            self.rrule = recurrence.normalise(self.rrule)
            recurrence.last_start(self.rrule, starts_at=self.starts_at, timezone=self.timezone)
        if self.registration_closes_at is not None and self.registration_closes_at > self.ends_at:
            raise ValueError("sign-up must close before the event ends")
        now = utcnow()
        if ahead and self.starts_at <= now:
            raise ValueError("the event must start in the future")
        if ahead and self.registration_closes_at is not None and self.registration_closes_at <= now:
            raise ValueError("sign-up must close in the future")


class EventCreate(EventTerms):
    draft: bool = Field(
        default=False, description="Keep it as a draft: only organisers see it; edit it, then publish it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> "EventCreate":
        self.check(ahead=not self.draft)
        return self


class EventUpdate(BaseModel):
    """New details: only the fields given change; the result is checked like a new event's."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    kind: str | None = None
    description: str | None = None
    place: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    capacity: int | None = None
    max_companions: int | None = None
    questions: list[str] | None = None
    fee_fen: int | None = None
    rrule: str | None = None
    registration_closes_at: datetime | None = None


class OfflineEvent(CommunityModel, table=True):
    __table_args__ = (
        Index("ix_offlineevent_community_starts", "community_id", "status", "starts_at"),
        Index("ix_offlineevent_community_published", "community_id", "published_at"),  # the board
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(foreign_key="community.id")
    created_by: str = Field(description="The organiser")
    title: str
    kind: str
    description: str = ""
    place: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    timezone: str
    capacity: int
    max_companions: int
    questions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fee_fen: int = 0
    rrule: str | None = None
    registration_closes_at: datetime = Field(sa_type=UTCDateTime)
    # When the last occurrence ends (None: a rule without end); the calendar feed shows events until then.
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = DRAFT
    # Kept under the event's row lock with every registration change: seats held, places waitlisted,
    # and the arrival number the next sign-up gets (the waitlist's order).
    seats_taken: int = 0
    waitlisted: int = 0
    next_seq: int = 1
    # The occurrence the clock last sent a reminder for (once per occurrence).
    reminded_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = None
    # RFC 5545 SEQUENCE: bumped when what a calendar shows changes; `ics` is this event's VEVENT as
    # rendered then, so a feed of a thousand events is a concatenation, not a thousand renderings.
    sequence: int = 0
    ics: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class EventPublic(CommunityModel):
    id: str
    community_id: str
    organiser_id: str = Field(validation_alias="created_by")
    title: str
    kind: str
    kind_label: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int
    max_companions: int
    questions: list[str]
    fee_fen: int
    rrule: str | None
    registration_closes_at: datetime
    status: EventStatus
    seats_taken: int = Field(description="Seats held by sign-ups, companions included")
    seats_left: int
    waitlisted: int = Field(description="Sign-ups waiting for a seat")
    cancel_reason: str | None
    created_at: datetime
    published_at: datetime | None

    @classmethod
    def of(cls, event: OfflineEvent) -> "EventPublic":
        return cls.model_validate(
            {**event.model_dump(), "kind_label": KINDS.get(event.kind, event.kind), "seats_left": event.seats_left}
        )


class Registration(CommunityModel, table=True):
    __tablename__ = "eventregistration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),  # one per resident
        UniqueConstraint("event_id", "code"),
        Index("ix_eventregistration_event_status_seq", "event_id", "status", "seq"),
        Index("ix_eventregistration_status_pay_by", "status", "pay_by"),  # holds the clock releases
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    event_id: str = Field(foreign_key="offlineevent.id")
    community_id: str
    user_id: str
    seq: int = Field(description="Arrival number within the event: the waitlist's order")
    status: str
    companions: int = 0
    seats: int = 1
    answers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    code: str = Field(max_length=8, description="Shown at the door to check in")
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_in_by: str | None = None
    # awaiting_payment: the seat is held until then, and released (the waitlist moves up) if unpaid.
    pay_by: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RegistrationCreate(CommunityModel):
    companions: int = Field(default=0, ge=0, le=10, description="People coming with you (each takes a seat)")
    answers: list[Answer] = Field(default_factory=list, max_length=5, description="One per sign-up question, in order")


# What a participant's QR code carries: `linli:event:{event id}:{code}`; scanning it is typing the code.
QR_PREFIX = "linli:event:"


class RegistrationPublic(CommunityModel):
    id: str
    event_id: str
    community_id: str
    user_id: str
    status: RegistrationStatus
    companions: int
    seats: int
    answers: list[str]
    seq: int = Field(description="Arrival number: who signed up first")
    waitlist_position: int | None = Field(default=None, description="1 = next to get a seat")
    registered_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    pay_by: datetime | None = Field(
        default=None,
        description="awaiting_payment: pay the fee by then (POST /event-fees with this registration's id), "
        "or the seat goes to the waitlist",
    )
    code: str | None = Field(default=None, description="Check-in code, for the participant only, with a seat")
    qr: str | None = Field(default=None, description="The code as a QR payload (scan it at the door)")

    @classmethod
    def of(cls, registration: Registration, *, viewer_id: str, position: int | None) -> "RegistrationPublic":
        """The check-in code is the participant's own, shown once they hold a (paid) seat."""
        public = cls.model_validate({**registration.model_dump(exclude={"code"}), "waitlist_position": position})
        if viewer_id == registration.user_id and registration.status in (REGISTERED, CHECKED_IN):
            public.code = registration.code
            public.qr = f"{QR_PREFIX}{registration.event_id}:{registration.code}"
        return public


class Participant(RegistrationPublic):
    """A line of an organiser's participant list."""

    name: str = Field(description="The participant's name in the community (群昵称)")


class Organiser(CommunityModel, table=True):
    """A member a leader allowed to organise events in a community (a resident talent 能人)."""

    __tablename__ = "eventorganiser"

    community_id: str = Field(foreign_key="community.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    granted_by: str
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrganiserGrant(CommunityModel):
    user_id: EntityId


class OrganiserPublic(CommunityModel):
    community_id: str
    user_id: str
    name: str
    granted_by: str
    granted_at: datetime


class Helper(CommunityModel, table=True):
    """A member an event's organiser named to check people in at the door."""

    __tablename__ = "eventhelper"

    event_id: str = Field(foreign_key="offlineevent.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    added_by: str
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HelperCreate(CommunityModel):
    user_id: EntityId


class CheckInRequest(CommunityModel):
    code: str = Field(min_length=4, max_length=120, description="As typed (any case) or scanned (the QR payload)")


class Announcement(CommunityModel):
    message: str = Field(min_length=1, max_length=500)


class AnnouncementSent(CommunityModel):
    event_id: str
    recipients: int


class CancelRequest(CommunityModel):
    reason: Text200


class Feedback(CommunityModel, table=True):
    __tablename__ = "eventfeedback"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    event_id: str = Field(foreign_key="offlineevent.id")
    community_id: str
    user_id: str
    rating: int
    comment: str = ""
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedbackCreate(CommunityModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)
    photos: list[ImageUrl] = Field(default_factory=list, max_length=9)


class FeedbackPublic(CommunityModel):
    id: str
    event_id: str
    name: str = Field(description="The attendee's name in the community (群昵称)")
    rating: int
    comment: str
    photos: list[str]
    created_at: datetime


class FeedbackSummary(CommunityModel):
    count: int
    average_rating: float | None
    items: list[FeedbackPublic]


class Highlight(CommunityModel, table=True):
    __tablename__ = "eventhighlight"
    __table_args__ = (Index("ix_eventhighlight_community_created", "community_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    event_id: str = Field(foreign_key="offlineevent.id")
    community_id: str
    author_id: str
    text: str
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    replay_url: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HighlightCreate(CommunityModel):
    text: str = Field(min_length=1, max_length=1000)
    photos: list[ImageUrl] = Field(default_factory=list, max_length=9)
    replay_url: ImageUrl | None = Field(default=None, description="The live session's replay (https)")


class HighlightPublic(CommunityModel):
    id: str
    event_id: str
    event_title: str
    community_id: str
    author_id: str
    text: str
    photos: list[str]
    replay_url: str | None
    created_at: datetime


class CalendarFeed(CommunityModel, table=True):
    """A member's secret calendar-feed URL for one community; only the token's hash is kept."""

    community_id: str = Field(foreign_key="community.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarFeedPublic(CommunityModel):
    community_id: str
    url: str = Field(description="Subscribe to it in a phone's calendar; keep it secret (rotate it if it leaks)")
    created_at: datetime
