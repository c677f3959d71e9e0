"""Run a job every few seconds for as long as a service lives (a FastAPI lifespan extension).

A job must be safe to run in several instances at once (take row locks, update conditionally):
scaled-out services each run their own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import FastAPI

from shared.logging import get_logger

log = get_logger(__name__)


def every(seconds: float, job: Callable[[FastAPI], Awaitable[Any]], *, name: str):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def extension(app: FastAPI) -> AsyncIterator[None]:
        stopping = asyncio.Event()

        async def loop() -> None:
            while not stopping.is_set():
                try:
                    await job(app)
                except Exception:
                    log.exception("periodic job failed; will run again", job=name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), seconds)

        task = asyncio.create_task(loop(), name=name)
        try:
            yield
        finally:
            stopping.set()  # let a run in progress finish its transaction
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 10)

    return extension
