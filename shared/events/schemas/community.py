from shared.events.envelope import EventData, event_type


@event_type("community.community.created")
class CommunityCreated(EventData):
    """A community (小区) was created; its creator is its first leader."""

    community_id: str
    name: str
    leader_id: str


@event_type("community.member.joined")
class MemberJoined(EventData):
    """A person joined a community with a role (resident, leader, moderator, property_manager)."""

    community_id: str
    user_id: str
    role: str
