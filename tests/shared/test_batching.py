"""Group commit: what arrives while a batch runs goes together into the next; failures stay per item."""

from __future__ import annotations

import asyncio

import pytest

from shared.batching import Batcher


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def process(self, items: list[int]) -> list[int | Exception]:
        self.batches.append(items)
        await self.release.wait()
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


async def test_items_that_arrive_while_a_batch_runs_form_the_next_batch() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder.process)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0.01)  # the first batch is running (waiting on release)
    rest = [asyncio.create_task(batcher.submit(i)) for i in (2, 4, 6)]
    await asyncio.sleep(0.01)
    recorder.release.set()
    assert await first == 0 and [await r for r in rest] == [20, 40, 60]
    assert recorder.batches == [[0], [2, 4, 6]]
    await batcher.aclose()


async def test_a_failed_item_fails_alone_and_a_failed_batch_fails_each_of_its_items() -> None:
    recorder = Recorder()
    recorder.release.set()
    batcher: Batcher[int, int] = Batcher(recorder.process)
    results = await asyncio.gather(*(batcher.submit(i) for i in (1, 2)), return_exceptions=True)
    assert isinstance(results[0], ValueError) and results[1] == 20

    async def broken(items: list[int]) -> list[int | Exception]:
        raise RuntimeError("the transaction failed")

    failing: Batcher[int, int] = Batcher(broken)
    for outcome in await asyncio.gather(*(failing.submit(i) for i in range(3)), return_exceptions=True):
        assert isinstance(outcome, RuntimeError)
    await batcher.aclose()
    await failing.aclose()


async def test_a_caller_that_goes_away_does_not_stop_the_others() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder.process, max_size=2)
    gone = asyncio.create_task(batcher.submit(0))
    stays = asyncio.create_task(batcher.submit(2))
    later = asyncio.create_task(batcher.submit(4))  # beyond max_size: the next batch
    await asyncio.sleep(0.01)
    gone.cancel()
    recorder.release.set()
    assert await stays == 20 and await later == 40
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert recorder.batches == [[0, 2], [4]]
    await batcher.aclose()
