"""A small async client of the gateway's API, used by the demo seed, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

_CODE = re.compile(r"验证码是 (\d{6})")


async def read_sms_code(sms_log: Path, phone: str, *, after: int, timeout: float = 10) -> str:
    """The newest code sent to `phone`, from the SMS port's log (written after byte offset `after`)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with sms_log.open("rb") as f:
            f.seek(after)
            lines = f.read().decode("utf-8", errors="replace").splitlines()
        for line in reversed(lines):
            if phone in line and (match := _CODE.search(line)):
                return match.group(1)
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"no SMS code for {phone} in {sms_log}")
        await asyncio.sleep(0.05)


@dataclass
class Session:
    """A logged-in person: their tokens and an HTTP client that sends them."""

    http: httpx.AsyncClient
    phone: str
    tokens: dict[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.tokens["user_id"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Like the app: every POST carries a fresh Idempotency-Key unless the caller gives one."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if method == "POST":
            headers.setdefault("Idempotency-Key", f'"{uuid.uuid4()}"')
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def refresh(self) -> None:
        response = await self.http.post("/api/v1/auth/refresh", json={"refresh_token": self.tokens["refresh_token"]})
        response.raise_for_status()
        self.tokens = response.json()


async def login(http: httpx.AsyncClient, phone: str, *, sms_log: Path) -> Session:
    offset = sms_log.stat().st_size if sms_log.exists() else 0
    response = await http.post("/api/v1/auth/otp", json={"phone": phone})
    response.raise_for_status()
    code = await read_sms_code(sms_log, phone, after=offset)
    response = await http.post("/api/v1/auth/token", json={"phone": phone, "code": code})
    response.raise_for_status()
    return Session(http=http, phone=phone, tokens=response.json())


async def until(probe: Any, *, timeout: float = 10, interval: float = 0.05) -> Any:
    """Poll `probe()` until it returns something truthy (eventual consistency across services)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)
