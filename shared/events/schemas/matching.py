from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventData, event_type


@event_type("matching.profile.updated")
class ProfileUpdated(EventData):
    """A resident's interest profile changed (what the app may refresh recommendations on)."""

    user_id: str
    community_id: str
    top_interests: list[str]


class SuggestedProvider(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    provider_id: str
    offering_id: str
    name: str
    rating: float | None  # average of its reviews; None: not rated yet


@event_type("matching.demand.threshold_reached")
class DemandThresholdReached(EventData):
    """Enough distinct residents of a community asked for a category within the window (polls, leads):
    the leader's cue to bring a provider in. `suggested_providers` are listed there, best rated first;
    none means no provider covers this yet. Announced once per window."""

    community_id: str
    category: str
    residents: int = Field(ge=0)
    threshold: int = Field(ge=1)
    window_start: datetime
    window_days: int = Field(ge=1)
    suggested_providers: list[SuggestedProvider]
