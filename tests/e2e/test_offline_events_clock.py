"""The events clock in a running community service (a periodic job, ticking fast here): sign-up closes
at its time, and everyone with a seat — not the waitlist — is reminded once, a lead before the start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Events

LEAD = timedelta(minutes=1)  # the shortest lead the setting takes


@pytest.fixture
async def ticking(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    env = {"LINLI_COMMUNITY_EVENTS_CLOCK_SECONDS": "0.3", "LINLI_COMMUNITY_EVENT_REMINDER_MINUTES": "1"}
    async with running_system(tmp_path, databases, **env) as running:
        yield running


async def test_sign_up_closes_on_time_and_seats_are_reminded_once(ticking: LocalSystem) -> None:
    async with httpx.AsyncClient(base_url=ticking.url("gateway"), timeout=15) as gateway:
        hood = await Events.build(gateway, ticking)
        now = datetime.now(UTC)
        starts = now + LEAD + timedelta(seconds=8)  # the reminder is due 8 s from now
        event = await factories.offline_event(
            hood.leader,
            hood.community_id,
            capacity=1,
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=1)).isoformat(),
            registration_closes_at=(now + timedelta(seconds=4)).isoformat(),
        )
        path = f"/api/v1/community-events/{event['id']}"
        await factories.register(hood.resident, event["id"])
        await factories.register(hood.neighbour, event["id"])  # waitlisted: not reminded

        async def closed() -> bool:
            return (await hood.leader.request("GET", path)).json()["status"] == "closed"

        await until(closed, timeout=15)
        assert_problem(await hood.outsider.request("POST", f"{path}/registrations", json={}), 403)
        late = await hood.leader.request("POST", f"{path}/registrations", json={})
        assert "closed" in assert_problem(late, 409)["detail"]

        reminders = await until(lambda: published(ticking, "community.event.reminder", subject=event["id"]), timeout=30)
        assert [r.data.recipient_ids for r in reminders] == [[hood.resident.user_id]]
        assert datetime.fromisoformat(event["starts_at"]) == reminders[0].data.starts_at
        await asyncio.sleep(1.5)  # several more ticks: still one reminder
        assert len(await published(ticking, "community.event.reminder", subject=event["id"])) == 1
        [closing] = await published(ticking, "community.event.closed", subject=event["id"])
        assert (closing.data.seats_taken, closing.data.waitlisted, closing.actor_id) == (1, 1, None)
