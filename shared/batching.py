"""Group commit: requests that arrive while a batch is being written go, together, into the next one.

One write transaction then serves many requests under load, while at rest a request waits for
nobody (there is no timer: a batch starts as soon as the previous one is done). Used where many
small writes contend for the same rows, as 1,000 buyers pressing "buy" on one deal do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

# `process` answers each item with its result or the exception to raise for it; an exception that
# escapes `process` fails the whole batch.
Process = Callable[[list[In]], Awaitable[Sequence[Out | Exception]]]


class Batcher(Generic[In, Out]):
    def __init__(self, process: Process[In, Out], *, max_size: int = 256) -> None:
        self._process, self._max_size = process, max_size
        self._waiting: list[tuple[In, asyncio.Future[Out]]] = []
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        self._arrived.set()
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name="batcher")
        return await future

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None

    async def _work(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._waiting:
                batch, self._waiting = self._waiting[: self._max_size], self._waiting[self._max_size :]
                try:
                    results: Sequence[Out | Exception] = await self._process([item for item, _ in batch])
                except Exception as failure:  # the batch's transaction failed: so did each of its items
                    results = [failure] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # its caller went away; the result stands (a retry replays it)
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
