import zlib

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
