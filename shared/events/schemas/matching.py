from shared.events.envelope import EventData, event_type


@event_type("matching.profile.updated")
class ProfileUpdated(EventData):
    """A resident's interest profile changed (what the app may refresh recommendations on)."""

    user_id: str
    community_id: str
    top_interests: list[str]
