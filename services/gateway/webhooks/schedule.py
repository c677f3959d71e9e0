"""When to try a failed delivery again: the published schedule, with jitter, and `retry-after`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime


def next_delay(
    schedule: Sequence[float], failed_attempts: int, *, jitter: float, retry_after: float | None = None
) -> float | None:
    """Seconds until the next attempt after `failed_attempts` failures, None once the schedule is
    spent. `schedule[n]` is the delay before attempt n + 1 (the first is the delay after the event);
    jitter spreads retries of many deliveries that failed together. An endpoint's `retry-after` is
    honoured, up to the schedule's longest delay (so an endpoint cannot park deliveries forever)."""
    if failed_attempts >= len(schedule):
        return None
    delay = schedule[failed_attempts] * random.uniform(1 - jitter, 1 + jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max(schedule)))
    return delay


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """RFC 9110 `Retry-After`: delay-seconds or an HTTP-date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
