import zlib
from datetime import datetime

from pydantic import Field

from shared.events.envelope import EventData, event_type


def default_display_name(user_id: str) -> str:
    """What a member is called until they choose a name (群昵称): the same everywhere, so a service
    that has not heard of a member yet (or reads an event from before names) shows what community does."""
    return f"邻居{zlib.crc32(user_id.encode()) % 10_000:04d}"


@event_type("community.community.created")
class CommunityCreated(EventData):
    """A community (小区) was created; its creator is its first leader."""

    community_id: str
    name: str
    leader_id: str


@event_type("community.member.joined")
class MemberJoined(EventData):
    """A person joined a community with a role (resident, leader…) and the name neighbours know them by."""

    community_id: str
    user_id: str
    role: str
    display_name: str | None = None  # added later: None in older events means default_display_name(user_id)


@event_type("community.member.renamed")
class MemberRenamed(EventData):
    """A member changed the name neighbours know them by in a community (群昵称, e.g. 3栋 王阿姨)."""

    community_id: str
    user_id: str
    display_name: str


# --------------------------------------------------------------------------------------------
# Offline events (线下活动). `recipient_ids` name the people a notification is for, so the gateway
# can fill inboxes without asking community who signed up.


@event_type("community.event.published")
class OfflineEventPublished(EventData):
    """An organiser published an offline event (flea market, workshop…): members may sign up until
    `registration_closes_at`; `rrule` (RFC 5545) repeats it, e.g. a weekly class."""

    event_id: str
    community_id: str
    organiser_id: str
    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=0)
    fee_fen: int = Field(ge=0)
    rrule: str | None = None
    registration_closes_at: datetime


@event_type("community.event.updated")
class OfflineEventUpdated(EventData):
    """A published event's details changed (`changed` names the fields); everyone signed up is told."""

    event_id: str
    community_id: str
    changed: list[str]
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    recipient_ids: list[str]


@event_type("community.event.closed")
class OfflineEventClosed(EventData):
    """Sign-up for an event closed (its closing time passed, or an organiser closed it)."""

    event_id: str
    community_id: str
    seats_taken: int = Field(ge=0)
    waitlisted: int = Field(ge=0)


@event_type("community.event.held")
class OfflineEventHeld(EventData):
    """An organiser marked an event held: who came (`attended`) and who did not (`no_show_ids`)."""

    event_id: str
    community_id: str
    attended: int = Field(ge=0)
    no_show_ids: list[str]


@event_type("community.event.archived")
class OfflineEventArchived(EventData):
    """A held event was archived: its feedback and highlights stay, nothing else changes."""

    event_id: str
    community_id: str


@event_type("community.event.cancelled")
class OfflineEventCancelled(EventData):
    """An organiser cancelled an event; everyone signed up or waitlisted is told why."""

    event_id: str
    community_id: str
    title: str
    starts_at: datetime
    reason: str
    recipient_ids: list[str]


@event_type("community.event.registered")
class OfflineEventRegistered(EventData):
    """A member signed up (with `companions`, `seats` in all): `registered`, `awaiting_payment` (a seat
    held for an event with a fee) or `waitlisted` at `waitlist_position`. A notice for the organiser."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    status: str
    companions: int = Field(ge=0)
    seats: int = Field(ge=1)
    waitlist_position: int | None = None


@event_type("community.registration.cancelled")
class RegistrationCancelled(EventData):
    """A member withdrew their sign-up (`was`: registered, awaiting_payment or waitlisted); a notice
    for the organiser. Seats it freed go to the waitlist in order (`community.registration.promoted`)."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    was: str
    seats: int = Field(ge=1)


@event_type("community.registration.promoted")
class RegistrationPromoted(EventData):
    """A seat freed up and the first on the waitlist got it (`registered`, or `awaiting_payment` for
    an event with a fee): tell them."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    status: str
    seats: int = Field(ge=1)


@event_type("community.event.checked_in")
class OfflineEventCheckedIn(EventData):
    """A participant was checked in at the door by an organiser or helper (`checked_in_by`)."""

    registration_id: str
    event_id: str
    community_id: str
    user_id: str
    checked_in_by: str


@event_type("community.event.reminder")
class OfflineEventReminder(EventData):
    """An event (or the next session of a recurring one) starts soon: remind everyone with a seat."""

    event_id: str
    community_id: str
    title: str
    place: str
    starts_at: datetime
    recipient_ids: list[str]


@event_type("community.event.announced")
class OfflineEventAnnounced(EventData):
    """An organiser's announcement to everyone with a seat at an event."""

    event_id: str
    community_id: str
    author_id: str
    message: str
    recipient_ids: list[str]


@event_type("community.event.feedback_posted")
class OfflineEventFeedbackPosted(EventData):
    """An attendee rated an event (1–5) after taking part."""

    feedback_id: str
    event_id: str
    community_id: str
    user_id: str
    rating: int = Field(ge=1, le=5)


@event_type("community.event.highlight_posted")
class OfflineEventHighlightPosted(EventData):
    """An organiser posted a highlight of an event (text, photos, a replay link) on the community's page."""

    highlight_id: str
    event_id: str
    community_id: str
    author_id: str
    text: str
    photos: list[str]
    replay_url: str | None = None
