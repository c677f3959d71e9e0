"""Recurrence rules of weekly classes: what is accepted, and how far a series runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.community.events import recurrence

WEDNESDAY_7PM = datetime(2030, 1, 2, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
SHANGHAI = "Asia/Shanghai"


def test_a_rule_is_normalised() -> None:
    assert recurrence.normalise(" rrule:freq=weekly;byday=we;count=8 ") == "FREQ=WEEKLY;BYDAY=WE;COUNT=8"


@pytest.mark.parametrize(
    "rule",
    ["", "FREQ=YEARLY", "FREQ=WEEKLY;BYHOUR=9", "FREQ", "BYDAY=WE", "FREQ=WEEKLY;;DTSTART=20300101", "every week"],
)
def test_rules_linli_does_not_take(rule: str) -> None:
    with pytest.raises(ValueError):
        recurrence.normalise(rule)


def test_the_first_occurrence_is_the_start() -> None:
    recurrence.expand("FREQ=WEEKLY;BYDAY=WE", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)
    with pytest.raises(ValueError, match="first occurrence"):
        recurrence.expand("FREQ=WEEKLY;BYDAY=SA", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)
    with pytest.raises(ValueError, match="UTC"):
        recurrence.expand("FREQ=WEEKLY;UNTIL=20300301", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)


def test_how_far_a_series_runs() -> None:
    last = recurrence.last_start("FREQ=WEEKLY;BYDAY=WE;COUNT=8", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)
    assert last == WEDNESDAY_7PM + timedelta(weeks=7)
    until = recurrence.last_start("FREQ=DAILY;UNTIL=20300105T000000Z", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)
    assert until == WEDNESDAY_7PM + timedelta(days=2)
    assert recurrence.last_start("FREQ=WEEKLY", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI) is None
    with pytest.raises(ValueError, match="more than 500"):
        recurrence.last_start("FREQ=DAILY;COUNT=501", starts_at=WEDNESDAY_7PM, timezone=SHANGHAI)


def test_local_hours_hold_across_daylight_saving() -> None:
    """A class at 19:00 in Berlin stays at 19:00 when the clocks change (18:00 then 17:00 UTC)."""
    start = datetime(2030, 3, 20, 18, 0, tzinfo=UTC)  # 19:00 CET, a Wednesday
    after_change = recurrence.next_start(
        "FREQ=WEEKLY;BYDAY=WE", starts_at=start, timezone="Europe/Berlin", after=start + timedelta(days=13)
    )
    assert after_change == datetime(2030, 4, 3, 17, 0, tzinfo=UTC)  # summer time since 31 March
    assert recurrence.next_start(None, starts_at=start, timezone="Europe/Berlin", after=start) == start
    assert recurrence.next_start(None, starts_at=start, timezone="Europe/Berlin", after=start + timedelta(1)) is None


def test_unknown_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        recurrence.zone("Mars/Olympus")
