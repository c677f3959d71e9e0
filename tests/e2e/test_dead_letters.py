"""Dead letters in a real service: parked after bounded redelivery, listed and replayed by an
operator through the CLI and the admin API."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest

from deploy.client import until
from deploy.processes import LocalSystem
from shared.auth import Principal, issue_access_token
from shared.events import new_event
from shared.events.schemas.orders import OrderPaid
from shared.settings import LOCAL_JWT_PRIVATE_KEY
from tests.conftest import running_system
from tests.databases import Databases


@pytest.fixture
async def quick_retry_system(tmp_path: Path, databases: Databases) -> AsyncIterator[LocalSystem]:
    async with running_system(tmp_path, databases, LINLI_MATCHING_REDELIVERY_BACKOFF="[0.05, 0.05, 0.05]") as running:
        yield running


def cli(system: LocalSystem, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", "dead-letters", *args], capture_output=True, text=True, env=system.env()
    )


async def test_a_poison_event_is_parked_listed_and_refused_on_replay(quick_retry_system: LocalSystem) -> None:
    system = quick_retry_system
    # Valid against its schema, but matching cannot apply a paid order without its community.
    poison = new_event(
        OrderPaid(
            order_id="o" * 32,
            deal_id="d" * 32,
            buyer_id="u",
            product_id="p",
            product_name="米粉",
            tags=[],
            quantity=1,
            amount_fen=1,
        ),
        subject="o" * 32,
    )
    nc = await nats.connect(system.nats_url)
    js = nc.jetstream()
    await js.publish(poison.type, poison.model_dump_json().encode(), headers={"Nats-Msg-Id": poison.id})
    await js.publish("orders.order.paid", b"this is not an event")
    await nc.close()

    def listed(status: str) -> list[dict[str, object]]:
        out = cli(system, "list", "matching", "--status", status)
        assert out.returncode == 0, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines()]

    async def parked() -> list[dict[str, object]]:
        return await asyncio.to_thread(listed, "dead")

    [dead] = await until(parked, timeout=20)
    assert (dead["event_id"], dead["type"], dead["attempts"]) == (poison.id, "orders.order.paid", 4)
    [rejected] = await asyncio.to_thread(listed, "rejected")
    assert "malformed envelope" in str(rejected["error"])

    again = await asyncio.to_thread(cli, system, "replay", "matching", str(dead["id"]))
    assert again.returncode == 1 and "failed again" in again.stderr
    assert (await asyncio.to_thread(listed, "dead"))[0]["id"] == dead["id"], "still parked after a failed replay"

    operator = issue_access_token(LOCAL_JWT_PRIVATE_KEY, Principal(user_id="op", operator=True))
    async with httpx.AsyncClient(base_url=system.url("matching")) as matching:
        headers = {"Authorization": f"Bearer {operator}"}
        listed_by_api = (await matching.get("/admin/dead-letters", headers=headers)).json()
        assert [d["event_id"] for d in listed_by_api] == [poison.id]
        replay = await matching.post(f"/admin/dead-letters/{dead['id']}/replay", headers=headers)
        assert replay.status_code == 409 and "failed again" in replay.json()["detail"]
