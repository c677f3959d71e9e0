"""Schedules as iCalendar recurrence (RFC 5545), parsed and expanded by python-dateutil.

A schedule is a DTSTART with a time zone (`TZID=Asia/Shanghai` or a UTC time ending in Z), one or
more RRULE lines and optional EXDATE/RDATE lines, e.g.

    DTSTART;TZID=Asia/Shanghai:20261201T090000
    RRULE:FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=9,14

Each occurrence is the start of a slot. Occurrences of the next `HORIZON` are stored as slots so
a search can ask "has a slot in this window" with an index instead of expanding every rule.

Rules are limited to what a service timetable needs (daily, weekly, monthly; by weekday, hour,
minute and day of month): every such rule occurs again within a few years, so expanding one can
never spin through the centuries dateutil would walk for an impossible rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.rrule import rruleset, rrulestr

HORIZON = timedelta(days=60)
MAX_SLOTS = 400  # in one horizon: about six a day
MAX_AGE = timedelta(days=366)  # how far back a rule may start (expanding walks from its start)

_LINES = {"DTSTART", "RRULE", "EXDATE", "RDATE"}
_RULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYHOUR", "BYMINUTE", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY"}


def parse(text: str, *, now: datetime) -> rruleset:
    """The schedule's recurrence set, or ValueError saying what is wrong with it."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    names = [line.split(":", 1)[0].split(";", 1)[0].upper() for line in lines]
    if unknown := sorted(set(names) - _LINES):
        raise ValueError(f"a schedule has DTSTART, RRULE, EXDATE and RDATE lines only, not {', '.join(unknown)}")
    if names.count("DTSTART") != 1:
        raise ValueError("a schedule needs one DTSTART line, e.g. DTSTART;TZID=Asia/Shanghai:20261201T090000")
    if not 1 <= names.count("RRULE") <= 5:
        raise ValueError("a schedule needs one to five RRULE lines, e.g. RRULE:FREQ=WEEKLY;BYDAY=SA")
    for line, name in zip(lines, names, strict=True):
        if name == "RRULE":
            _check_rule(line.split(":", 1)[-1])
    try:
        rules = parse_stored("\n".join(lines))
        first = next(iter(rules), None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid recurrence rule: {exc}") from None
    if first is not None and first.tzinfo is None:
        raise ValueError("DTSTART needs a time zone: TZID=Asia/Shanghai, or a UTC time ending in Z")
    if first is None or rules.after(now) is None:
        raise ValueError("the schedule has no occurrence after now")
    if first < now - MAX_AGE:
        raise ValueError("the schedule starts more than a year ago: give a recent DTSTART")
    if len(occurrences(rules, now, now + HORIZON)) > MAX_SLOTS:
        raise ValueError(f"the schedule has more than {MAX_SLOTS} slots in the next {HORIZON.days} days")
    return rules


def parse_stored(text: str) -> rruleset:
    """A schedule that `parse` accepted when it was written (it may have run out since)."""
    return rrulestr(text, forceset=True, unfold=True)


def occurrences(rules: rruleset, start: datetime, end: datetime) -> list[datetime]:
    """Slot starts in [start, end], in UTC."""
    return [moment.astimezone(UTC) for moment in rules.between(start, end, inc=True)]


def _check_rule(value: str) -> None:
    parts = dict(part.partition("=")[::2] for part in value.upper().split(";") if part)
    if unknown := sorted(set(parts) - _RULE_PARTS):
        raise ValueError(f"RRULE parts allowed: {', '.join(sorted(_RULE_PARTS))}; not {', '.join(unknown)}")
    if parts.get("FREQ") not in _FREQUENCIES:
        raise ValueError(f"RRULE FREQ must be one of {', '.join(sorted(_FREQUENCIES))}")
