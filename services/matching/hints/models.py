from typing import Literal

from pydantic import BaseModel, Field

from shared.fields import EntityId

CardKind = Literal["service", "event", "deal"]


class Card(BaseModel):
    kind: CardKind
    ref_id: str = Field(min_length=1, max_length=64, description="The offering, event or deal the card shows")
    title: str | None = Field(default=None, max_length=120, description="For an item matching has not heard of")


class LiveAudience(BaseModel):
    """Who is in a live room now and the cards the host may show (livestream's answer, passed on by the gateway)."""

    community_id: EntityId
    viewer_ids: list[str] = Field(max_length=20_000)
    candidates: list[Card] = Field(max_length=200)


class LiveHint(BaseModel):
    kind: CardKind
    ref_id: str
    title: str
    score: float = Field(description="Mean interest of the viewers in what the card is about, 0–1")
    interested: int | None = Field(
        description="Viewers into it; null when fewer than 5 (never figures about a few people)"
    )
    viewers: int
    reason: str
