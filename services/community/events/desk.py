"""Sign-ups are served in batches (`shared.batching`, group commit): when a leader announces an event
on air and hundreds tap "sign up" at once, the taps that arrive while one batch is being written are
served together by the next, in arrival order, in one transaction under the event's row lock — so
the arrival order is the waitlist's order, and 500 taps cost a handful of transactions, not 500."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI

from services.community.events.registration import Roster, SignedUp, SignUp
from shared.batching import Batcher
from shared.correlation import Trace, bind_trace
from shared.db import Database
from shared.errors import Problem


@dataclass(frozen=True)
class Tap:
    signup: SignUp
    trace: Trace  # the request's, carried into its event


class RegistrationDesk:
    def __init__(self, db: Database, *, hold: timedelta) -> None:
        self.db, self.hold = db, hold
        self._batcher: Batcher[Tap, SignedUp] = Batcher(self._serve)

    async def sign_up(self, tap: Tap) -> SignedUp:
        """The registration (a seat or a place on the waitlist); raises the problem that refused it."""
        return await self._batcher.submit(tap)

    async def aclose(self) -> None:
        await self._batcher.aclose()

    async def _serve(self, taps: list[Tap]) -> list[SignedUp | Exception]:
        async with self.db.session() as session:
            roster = await Roster.open(session, [tap.signup for tap in taps], hold=self.hold)
            results: list[SignedUp | Exception] = []
            for tap in taps:
                bind_trace(tap.trace)
                try:
                    results.append(await roster.sign_up(tap.signup))
                except Problem as problem:  # refused before it changed anything
                    results.append(problem)
            await session.commit()
        return results


@contextlib.asynccontextmanager
async def registration_desk(app: FastAPI) -> AsyncIterator[None]:
    app.state.registration_desk = RegistrationDesk(app.state.db, hold=app.state.settings.fee_hold)
    yield
    await app.state.registration_desk.aclose()
