from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_COMMUNITY_<FIELD>."""

    service_name: ClassVar[str] = "community"
    default_port: ClassVar[int] = 8004

    # How often the events clock closes sign-ups that are due and sends reminders.
    events_clock_seconds: float = Field(default=10.0, gt=0)
    # How long before an event (each session of a recurring one) everyone with a seat is reminded.
    event_reminder_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)
    # How long a seat at an event with a fee is held for its payment (through orders) before it is
    # released and the waitlist moves up; the events clock releases it.
    fee_hold_seconds: float = Field(default=30 * 60, gt=0, le=24 * 60 * 60)

    @property
    def fee_hold(self) -> timedelta:
        return timedelta(seconds=self.fee_hold_seconds)
