"""Which endpoints the sender leaves alone for now.

An endpoint that fails as a whole — no connection, no answer in time, 429, 5xx — is paused, then
probed with one delivery at a time, at intervals doubling from the schedule's first retry delay
up to `max_pause`, until a delivery gets through. Its other waiting deliveries are not each sent
only to fail: they keep their attempts for when it is back, and a dead endpoint costs one probe
per interval instead of an attempt per delivery (and the database writes that go with each). A
delivery the endpoint refuses on its own (another 4xx) says nothing about the endpoint. One that
answered 410 Gone is held while its disabling commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from services.gateway.webhooks.deliveries import Outcome

GONE_HOLD = 60.0


@dataclass
class _Trouble:
    until: float  # no sends before (clock time)
    pause: float  # the last pause; the next failed probe doubles it


class EndpointHealth:
    def __init__(self, *, first_pause: float, max_pause: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.first_pause, self.max_pause, self.clock = first_pause, max_pause, clock
        self._trouble: dict[str, _Trouble] = {}

    def limit(self, endpoint: str, per_endpoint: int) -> int:
        """Sends the endpoint may have in flight now: 0 while paused, 1 while probed."""
        trouble = self._trouble.get(endpoint)
        if trouble is None:
            return per_endpoint
        return 0 if trouble.until > self.clock() else 1

    def observe(self, endpoint: str, outcome: Outcome) -> None:
        now = self.clock()
        trouble = self._trouble.get(endpoint)
        if outcome.ok:
            self._trouble.pop(endpoint, None)
        elif outcome.gone:
            self._trouble[endpoint] = _Trouble(now + GONE_HOLD, GONE_HOLD)
        elif outcome.endpoint_down and (trouble is None or trouble.until <= now):  # sends in flight together: once
            pause = self.first_pause if trouble is None else min(2 * trouble.pause, self.max_pause)
            self._trouble[endpoint] = _Trouble(now + pause, pause)

    def forget_all_but(self, active: Collection[str]) -> None:
        """Endpoints no longer active (disabled, deleted) start afresh if they come back."""
        self._trouble = {e: t for e, t in self._trouble.items() if e in active}
