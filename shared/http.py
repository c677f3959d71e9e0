"""Outbound HTTP for many concurrent calls to one origin."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import AsyncIterator

import httpx


class ClientPool:
    """`size` keep-alive connections to one origin, each an httpx client of its own, lent to one
    call at a time (callers beyond `size` wait their turn). One pooled client would do the same,
    but httpcore's pool re-checks every connection on every request (encode/httpcore#1035): under
    load that cost more CPU than the calls themselves."""

    def __init__(self, *, size: int, timeout: float, base_url: str = "") -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._clients = [
            httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, verify=_tls()) for _ in range(size)
        ]
        self._idle: asyncio.LifoQueue[httpx.AsyncClient] = asyncio.LifoQueue()
        for client in self._clients:
            self._idle.put_nowait(client)

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        client = await self._idle.get()  # LIFO: the most recently used connection, still warm
        try:
            yield client
        finally:
            self._idle.put_nowait(client)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: each would otherwise load the CA bundle (~1 MB, ~25 ms)."""
    return httpx.create_ssl_context()
