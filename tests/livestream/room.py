"""A real WebSocket client of the live room (the `websockets` library), for the tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from deploy.client import Session
from deploy.processes import LocalSystem

_ids = itertools.count(1)


def room_url(system: LocalSystem, session_id: str, *, instance: str = "livestream", **query: Any) -> str:
    base = system.url(instance).replace("http://", "ws://")
    params = urlencode({k: v for k, v in query.items() if v is not None})
    return f"{base}/sessions/{session_id}/room" + (f"?{params}" if params else "")


@dataclass
class Room:
    ws: ClientConnection
    log: list[dict[str, Any]] = field(default_factory=list)
    _used: set[int] = field(default_factory=set)

    @classmethod
    async def join(
        cls, system: LocalSystem, session_id: str, who: Session | None, *, instance: str = "livestream", **query: Any
    ) -> Room:
        if who is not None:
            query.setdefault("token", who.tokens["access_token"])
        ws = await connect(room_url(system, session_id, instance=instance, **query), proxy=None)
        return cls(ws)

    @property
    def last_seq(self) -> int:
        return max((f["seq"] for f in self.log if f["seq"] is not None), default=0)

    async def send(self, type_: str, data: dict[str, Any] | None = None, *, ack: bool = False) -> str | None:
        frame_id = f"f{next(_ids)}" if ack else None
        await self.ws.send(json.dumps({"type": type_, "data": data or {}, **({"id": frame_id} if frame_id else {})}))
        return frame_id

    async def ask(self, type_: str, data: dict[str, Any] | None = None, *, timeout: float = 5) -> dict[str, Any]:
        """Send a frame and wait for its `ack` or `error`."""
        frame_id = await self.send(type_, data, ack=True)
        return await self.next(
            lambda f: f["type"] in ("ack", "error") and f["data"].get("id") == frame_id, timeout=timeout
        )

    async def next(self, match: str | Any = None, *, timeout: float = 5) -> dict[str, Any]:
        """The first frame not taken yet that matches (a type, or a predicate), waiting for it."""
        test = (lambda f: f["type"] == match) if isinstance(match, str) else (match or (lambda f: True))
        deadline = asyncio.get_running_loop().time() + timeout
        index = 0
        while True:
            while index < len(self.log):
                if index not in self._used and test(self.log[index]):
                    self._used.add(index)
                    return self.log[index]
                index += 1
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no frame matching {match!r}; got {[f['type'] for f in self.log]}")
            raw = await asyncio.wait_for(self.ws.recv(), remaining)
            self.log.append(json.loads(raw))

    def seen(self, type_: str) -> list[dict[str, Any]]:
        return [f for f in self.log if f["type"] == type_]

    async def closed(self, timeout: float = 10) -> tuple[int | None, str]:
        """Read until the server closes: (close code, reason)."""
        try:
            async with asyncio.timeout(timeout):
                async for raw in self.ws:
                    self.log.append(json.loads(raw))
        except ConnectionClosed:
            pass
        return self.ws.close_code, self.ws.close_reason or ""

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Whatever arrives within `seconds`."""
        start = len(self.log)
        try:
            async with asyncio.timeout(seconds):
                while True:
                    self.log.append(json.loads(await self.ws.recv()))
        except TimeoutError:
            pass
        return self.log[start:]

    async def close(self) -> None:
        await self.ws.close()
