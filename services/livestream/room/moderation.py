"""The room's rules the sequencer applies to chat: mutes, slow mode, the per-person rates, the keyword
filter and the host's lead keywords. Pure: no I/O, the clock passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.livestream.room.ratelimit import Buckets

STAFF = frozenset({"host", "moderator", "guest"})


@dataclass
class Refusal:
    code: str
    message: str
    extra: dict[str, object] = field(default_factory=dict)


def _contains(text: str, words: list[str]) -> str | None:
    folded = text.casefold()
    return next((w for w in words if w.casefold() in folded), None)


@dataclass
class RoomRules:
    chat: Buckets
    reactions: Buckets
    ask_seconds: float
    slow_mode_seconds: int = 0
    blocked_words: list[str] = field(default_factory=list)
    lead_keywords: list[str] = field(default_factory=list)
    muted: dict[str, datetime] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    _last_chat: dict[str, float] = field(default_factory=dict)
    _last_ask: dict[str, float] = field(default_factory=dict)

    def silenced(self, user_id: str, now: datetime) -> Refusal | None:
        if user_id in self.removed:
            return Refusal("forbidden", "you were removed from this session")
        until = self.muted.get(user_id)
        if until is not None and until > now:
            return Refusal("muted", "a moderator muted you", {"until": until.isoformat()})
        return None

    def check_chat(self, *, user_id: str, role: str, text: str, now: datetime, clock: float) -> Refusal | None:
        if refusal := self.silenced(user_id, now):
            return refusal
        if word := _contains(text, self.blocked_words):
            return Refusal("filtered", f"the room does not allow {word!r}")
        if role in STAFF:
            return None
        if self.slow_mode_seconds:
            wait = self._last_chat.get(user_id, -1e9) + self.slow_mode_seconds - clock
            if wait > 0:
                return Refusal(
                    "slow_mode",
                    f"slow mode: one message every {self.slow_mode_seconds} s",
                    {"retry_after": round(wait, 1)},
                )
        bucket = self.chat.get(user_id)
        if not bucket.take():
            return Refusal(
                "rate_limited", "you are sending messages too fast", {"retry_after": round(bucket.retry_after(), 1)}
            )
        return None

    def sent_chat(self, user_id: str, clock: float) -> None:
        self._last_chat[user_id] = clock

    def check_react(self, user_id: str) -> Refusal | None:
        if user_id in self.removed:
            return Refusal("forbidden", "you were removed from this session")
        if not self.reactions.get(user_id).take():
            return Refusal("rate_limited", "too many reactions")
        return None

    def check_ask(self, *, user_id: str, role: str, now: datetime, clock: float) -> Refusal | None:
        if refusal := self.silenced(user_id, now):
            return refusal
        if role in STAFF:
            return None
        wait = self._last_ask.get(user_id, -1e9) + self.ask_seconds - clock
        if wait > 0:
            return Refusal(
                "rate_limited", f"one question every {self.ask_seconds:g} s", {"retry_after": round(wait, 1)}
            )
        self._last_ask[user_id] = clock
        return None

    def lead_keyword(self, text: str) -> str | None:
        return _contains(text, self.lead_keywords)
