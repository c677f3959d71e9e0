"""Recurring events (a weekly class) by an RFC 5545 RRULE, expanded by python-dateutil in the
event's own time zone, so 19:00 stays 19:00 across daylight-saving changes.

Only daily, weekly and monthly rules with the parts a class schedule needs are accepted, and the
first occurrence must be the event's start: every accepted rule recurs, and expanding one never
walks the centuries dateutil would for an impossible rule."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY"}
PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
MAX_OCCURRENCES = 500


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") from None


def normalise(rule: str) -> str:
    """`RRULE:freq=weekly;byday=sa` → `FREQ=WEEKLY;BYDAY=SA`; ValueError for a rule Linli does not take."""
    rule = rule.strip().upper().removeprefix("RRULE:")
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if not parts or any(not value for value in parts.values()):
        raise ValueError("the rule must be NAME=VALUE parts separated by ';', e.g. FREQ=WEEKLY;BYDAY=SA;COUNT=8")
    if unknown := set(parts) - PARTS:
        raise ValueError(f"the rule may only use {', '.join(sorted(PARTS))}; not {', '.join(sorted(unknown))}")
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValueError("the rule's FREQ must be DAILY, WEEKLY or MONTHLY")
    return ";".join(f"{name}={value}" for name, value in parts.items())


def expand(rule: str, *, starts_at: datetime, timezone: str) -> rrule:
    """The rule's occurrences (local times in `timezone`), the first being `starts_at`; ValueError if not."""
    first = starts_at.astimezone(zone(timezone))
    try:
        occurrences = rrulestr(rule, dtstart=first)
        found = next(iter(occurrences), None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid RRULE: {exc}") from None
    if found != first:
        raise ValueError("the rule's first occurrence must be the event's start (e.g. BYDAY on its weekday)")
    return occurrences  # type: ignore[no-any-return]


def last_start(rule: str, *, starts_at: datetime, timezone: str) -> datetime | None:
    """When the last occurrence starts; None for a rule without COUNT or UNTIL (it goes on)."""
    occurrences = expand(rule, starts_at=starts_at, timezone=timezone)
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        return None
    bounded = list(itertools.islice(occurrences, MAX_OCCURRENCES + 1))
    if len(bounded) > MAX_OCCURRENCES:
        raise ValueError(f"the rule repeats more than {MAX_OCCURRENCES} times; split the series")
    return bounded[-1]  # type: ignore[no-any-return]


def next_start(rule: str | None, *, starts_at: datetime, timezone: str, after: datetime) -> datetime | None:
    """The first occurrence starting at or after `after` (the event's start for a one-off), or None."""
    if rule is None:
        return starts_at if starts_at >= after else None
    return expand(rule, starts_at=starts_at, timezone=timezone).after(after, inc=True)  # type: ignore[no-any-return]
