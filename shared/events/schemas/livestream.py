from datetime import datetime

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
