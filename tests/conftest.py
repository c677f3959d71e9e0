"""Fixtures shared by every tier of tests.

Integration and end-to-end tests start what they need themselves: a real nats-server from the
venv (free port, temp store) and the real services as processes, on temp SQLite files or, when
LINLI_TEST_POSTGRES_URL is set, on fresh PostgreSQL databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from deploy.processes import BIN, SERVICES, LocalSystem, free_port
from tests.databases import Databases


@pytest.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    await dbs.drop_all()


class NatsServer:
    """A real nats-server with JetStream that a test may stop and start again (same store)."""

    def __init__(self, store: Path) -> None:
        self.store, self.port = store, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [str(BIN / "nats-server"), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import socket
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@contextlib.asynccontextmanager
async def running_system(
    tmp: Path, databases: Databases, *, ports: dict[str, int] | None = None, **env: str
) -> AsyncIterator[LocalSystem]:
    """The whole system on free ports (or those given, for settings that name them) and fresh
    databases, with extra settings; stopped on exit."""
    urls = {service: await databases.new(service) for service in SERVICES}
    system = LocalSystem(
        var_dir=tmp,
        nats_port=free_port(),
        ports={service: free_port() for service in SERVICES} | (ports or {}),
        database_urls=urls,
        extra_env={"LINLI_ENVIRONMENT": "test", "LINLI_GATEWAY_OTP_RESEND_SECONDS": "0", **env},
    )
    await asyncio.to_thread(system.start)
    try:
        yield system
    finally:
        await asyncio.to_thread(system.stop)


@pytest.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> AsyncIterator[LocalSystem]:
    """The whole system, shared by end-to-end tests that do not break it."""
    async with running_system(tmp_path_factory.mktemp("system"), databases) as running:
        yield running


@pytest.fixture
async def gateway(system: LocalSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=15) as client:
        yield client
