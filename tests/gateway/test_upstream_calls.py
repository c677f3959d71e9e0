"""The gateway's calls to a service, over real sockets: an answer passes through; a service that
cannot be reached is 503 (nothing was done); one that was asked and stays silent is 504 (it may
have done it), after the call's timeout and not the default one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from deploy.processes import free_port
from services.gateway.settings import Settings
from services.gateway.upstream.clients import Upstreams
from shared.errors import GatewayTimeout, ServiceUnavailable

ANSWER = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


async def _serve(answer: bytes | None) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer is None:
            await reader.read()  # asked, and silent until the caller hangs up
        else:
            writer.write(answer)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def upstreams() -> AsyncIterator[tuple[Upstreams, asyncio.Server, asyncio.Server]]:
    answering, answering_port = await _serve(ANSWER)
    silent, silent_port = await _serve(None)
    settings = Settings(
        community_url=f"http://127.0.0.1:{answering_port}",
        matching_url=f"http://127.0.0.1:{silent_port}",
        catalog_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        upstream_timeout=5.0,
    )
    calls = Upstreams(settings)
    yield calls, answering, silent
    await calls.aclose()
    for server in (answering, silent):
        server.close()


async def test_an_answer_passes_through(upstreams: tuple[Upstreams, asyncio.Server, asyncio.Server]) -> None:
    calls, _, _ = upstreams
    response = await calls.call("community", "GET", "/memberships/u1", token="t")
    assert (response.status_code, response.json()) == (200, {"ok": True})


async def test_an_unreachable_service_is_503(upstreams: tuple[Upstreams, asyncio.Server, asyncio.Server]) -> None:
    calls, _, _ = upstreams
    with pytest.raises(ServiceUnavailable) as refused:
        await calls.call("catalog", "POST", "/listings", token="t", json={})
    assert refused.value.status == 503 and "unreachable" in refused.value.detail


async def test_a_silent_service_is_504_after_the_calls_own_timeout(
    upstreams: tuple[Upstreams, asyncio.Server, asyncio.Server],
) -> None:
    calls, _, _ = upstreams
    started = time.monotonic()
    with pytest.raises(GatewayTimeout) as silent:
        await calls.call("matching", "POST", "/hints/live", token="t", json={}, timeout=0.3)
    waited = time.monotonic() - started
    assert silent.value.status == 504 and "may still have done" in silent.value.detail
    assert 0.3 <= waited < 3.0  # the call's timeout, not the 5 s default
