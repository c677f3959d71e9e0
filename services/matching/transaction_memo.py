"""What the event handlers read on nearly every event but what seldom changes (an offering's name and
category, an event's title and kind, a community's tag map), read once per transaction: a consumer's
batch of events then reads each once. The memo lives in the session until its transaction ends (it
may change after that), and whoever changes one of these in the transaction forgets it first."""

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
_MEMO = "matching_transaction_memo"


async def remembered(session: AsyncSession, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
    """`read()` the first time in this transaction, what it returned after."""
    memo: dict[Hashable, Any] = session.sync_session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = await read()
    return cast(T, memo[key])


def forget(session: AsyncSession, key: Hashable) -> None:
    session.sync_session.info.get(_MEMO, {}).pop(key, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost one: others may change what it read from now on
        session.info.pop(_MEMO, None)
