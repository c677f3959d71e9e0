"""The shared system gets more livestream instances (same database, same NATS), as when scaled out:
a second one with the defaults, and a tight one (a send queue of 8 frames, a history of 5, a room
rate of 10 frames then one every 10 s) for slow viewers, old gaps and bursts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from deploy.processes import LocalSystem, free_port

TIGHT_SETTINGS = {
    "LINLI_LIVESTREAM_ROOM_SEND_QUEUE": "8",
    "LINLI_LIVESTREAM_ROOM_HISTORY_SIZE": "5",
    "LINLI_LIVESTREAM_ROOM_RATE": "0.1",
    "LINLI_LIVESTREAM_ROOM_BURST": "10",
}


async def _instance(system: LocalSystem, name: str, **settings: str) -> AsyncIterator[str]:
    system.start_instance("livestream", name, free_port(), **settings)
    await asyncio.to_thread(system.wait_ready, [name])
    yield name
    await asyncio.to_thread(system.stop_process, name)


@pytest.fixture(scope="session")
async def second_livestream(system: LocalSystem) -> AsyncIterator[str]:
    async for name in _instance(system, "livestream-2"):
        yield name


@pytest.fixture(scope="session")
async def tight_livestream(system: LocalSystem) -> AsyncIterator[str]:
    async for name in _instance(system, "livestream-tight", **TIGHT_SETTINGS):
        yield name
