"""Orders are placed in batches (`shared.batching`): the presses of a flash sale that arrive while
one batch is being written are served together by the next, in one transaction with their
Idempotency-Key records and their `orders.order.placed` events — so 1,000 buyers cost a handful of
transactions, not 1,000, and each buyer is still answered as if they were alone."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.orders.orders.models import OrderPublic
from services.orders.orders.service import Counter, Purchase
from shared import idempotency
from shared.batching import Batcher
from shared.correlation import Trace, bind_trace
from shared.db import Database
from shared.errors import Problem
from shared.idempotency import Claim


@dataclass(frozen=True)
class Press:
    purchase: Purchase
    claim: Claim
    trace: Trace
    path: str  # the `instance` of a problem document, as the error handler would write it


@dataclass(frozen=True)
class Placed:
    response: JSONResponse
    order: OrderPublic | None  # placed now, not replayed: its payment is still to be collected


class OrderDesk:
    def __init__(self, db: Database, *, payment_window: timedelta) -> None:
        self.db, self.payment_window = db, payment_window
        self._batcher: Batcher[Press, Placed] = Batcher(self._serve)

    async def place(self, press: Press) -> Placed:
        """The order placed, or its first result replayed; raises the problem that refused it."""
        return await self._batcher.submit(press)

    async def aclose(self) -> None:
        await self._batcher.aclose()

    async def _serve(self, presses: list[Press]) -> list[Placed | Exception]:
        async with self.db.session() as session:
            answers = await idempotency.claim(session, [press.claim for press in presses])
            fresh = [press.purchase for press, answer in zip(presses, answers, strict=True) if answer is None]
            counter = await Counter.open(session, purchases=fresh, payment_window=self.payment_window)
            results: list[Placed | Exception] = []
            records: list[tuple[Claim, int, Any]] = []
            for press, answer in zip(presses, answers, strict=True):
                if isinstance(answer, Problem):
                    results.append(answer)
                    continue
                if answer is not None:
                    results.append(Placed(answer, None))
                    continue
                bind_trace(press.trace)  # the event carries this press's correlation id
                try:
                    order = await counter.place(press.purchase)
                except Problem as problem:
                    records.append((press.claim, problem.status, problem.document(press.path)))
                    results.append(problem)
                    continue
                public = OrderPublic.of(order, viewer=press.purchase.principal.user_id)
                body = public.model_dump(mode="json")
                records.append((press.claim, 201, body))
                results.append(Placed(JSONResponse(body, status_code=201), public))
            await idempotency.record(session, records)
            await session.commit()
        return results


def order_desk(payment_window: timedelta):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def extension(app: FastAPI) -> AsyncIterator[None]:
        app.state.order_desk = OrderDesk(app.state.db, payment_window=payment_window)
        yield
        await app.state.order_desk.aclose()

    return extension
