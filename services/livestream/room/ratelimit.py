"""Token buckets: per connection, per person, and the room's, which admits frames by priority."""

from __future__ import annotations

import time
from collections import OrderedDict

from services.livestream.room.protocol import Priority


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def level(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.tokens

    def take(self, *, keep: float = 0.0) -> bool:
        """Take a token if at least `keep` would be left (a floor reserved for what matters more)."""
        if self.level() - 1 < keep:
            return False
        self.tokens -= 1
        return True

    def retry_after(self) -> float:
        return max(0.0, (1 - self.level()) / self.rate)


class Buckets:
    """One bucket per key (person), the least recently used forgotten beyond `limit` keys."""

    def __init__(self, rate: float, burst: float, limit: int = 100_000) -> None:
        self.rate, self.burst, self.limit = rate, burst, limit
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def get(self, key: str) -> TokenBucket:
        bucket = self._buckets.pop(key, None) or TokenBucket(self.rate, self.burst)
        self._buckets[key] = bucket
        if len(self._buckets) > self.limit:
            self._buckets.popitem(last=False)
        return bucket


class RoomAdmission:
    """The room-wide rate. Reactions pass only while the bucket is at least half full, chat while a
    token is left; host and system frames always pass (and use a token if there is one). A burst
    therefore sheds reactions first, then chat, and never a host action."""

    def __init__(self, rate: float, burst: float) -> None:
        self.bucket = TokenBucket(rate, burst)
        self.shed: dict[str, int] = {p.name: 0 for p in Priority}

    def admit(self, priority: Priority) -> bool:
        if priority >= Priority.system:
            self.bucket.take()
            return True
        keep = self.bucket.burst / 2 if priority == Priority.reaction else 0.0
        if self.bucket.take(keep=keep):
            return True
        self.shed[priority.name] += 1
        return False
