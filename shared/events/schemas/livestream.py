from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventData, event_type


@event_type("livestream.session.scheduled")
class SessionScheduled(EventData):
    """A leader scheduled a live session for a community."""

    session_id: str
    community_id: str
    host_id: str
    title: str
    kind: str
    planned_start: datetime
    topics: list[str]


@event_type("livestream.session.reminder_due")
class SessionReminderDue(EventData):
    """A session starts soon: remind the residents who subscribed (`subscriber_ids`)."""

    session_id: str
    community_id: str
    title: str
    planned_start: datetime
    subscriber_ids: list[str]


@event_type("livestream.session.started")
class SessionStarted(EventData):
    """The host went live."""

    session_id: str
    community_id: str
    host_id: str
    title: str
    kind: str
    started_at: datetime


@event_type("livestream.session.ended")
class SessionEnded(EventData):
    """The host ended the session; with its figures (distinct viewers at the peak, orders paid for the
    deals and sign-ups for the events shown during it, leads captured)."""

    session_id: str
    community_id: str
    host_id: str
    started_at: datetime | None
    ended_at: datetime
    peak_viewers: int = Field(ge=0)
    orders: int = Field(ge=0)
    sign_ups: int = Field(ge=0)
    leads: int = Field(ge=0)


class PollOptionCount(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    option_id: str
    label: str
    category: str | None  # a directory category the option stands for, for demand aggregation
    votes: int = Field(ge=0)


@event_type("livestream.poll.closed")
class PollClosed(EventData):
    """A poll that collected needs (需求征集) closed; counts per option, one ballot per person."""

    poll_id: str
    session_id: str
    community_id: str
    question: str
    multiple: bool
    voters: int = Field(ge=0)
    options: list[PollOptionCount]


@event_type("livestream.lead.captured")
class LeadCaptured(EventData):
    """A viewer asked to be connected (留言牵线): "I need this" on a service card, or a keyword the host
    set. Routed to the provider (`route_to` provider) or the leader; the viewer's contact may be shared
    with them only if `consent`."""

    lead_id: str
    session_id: str
    community_id: str
    viewer_id: str
    source: str  # card | keyword
    keyword: str | None
    card_id: str | None
    provider_id: str | None
    offering_id: str | None
    category: str | None
    route_to: str  # provider | leader
    route_to_id: str
    consent: bool
    note: str


@event_type("livestream.giveaway.drawn")
class GiveawayDrawn(EventData):
    """A giveaway (福袋) was drawn among the viewers present when it closed; `seed` reproduces the draw
    from the eligible list kept with it."""

    giveaway_id: str
    session_id: str
    community_id: str
    title: str
    prizes: int = Field(ge=1)
    seed: str
    eligible: int = Field(ge=0)
    winner_ids: list[str]
