"""The organisers' participant list: who signed up, when, with what answers — JSON, or CSV to print
or open in a spreadsheet (times in the event's own time zone)."""

import csv
import io
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.service import display_names
from services.community.events import access
from services.community.events.models import WAITLISTED, OfflineEvent, Participant, Registration
from services.community.events.recurrence import zone
from shared.auth import Principal


async def participants(
    session: AsyncSession, *, principal: Principal, event_id: str
) -> tuple[OfflineEvent, list[Participant]]:
    """Everyone who signed up, in arrival order, with their waitlist position and name."""
    event = await access.organised_event(session, principal=principal, event_id=event_id, lock=False)
    rows = (
        await session.exec(
            select(Registration).where(Registration.event_id == event.id).order_by(col(Registration.seq))
        )
    ).all()
    names = await display_names(session, community_id=event.community_id, user_ids=[r.user_id for r in rows])
    waiting = 0
    lines = []
    for row in rows:
        position = None
        if row.status == WAITLISTED:
            waiting += 1
            position = waiting
        lines.append(
            Participant.model_validate(
                {**row.model_dump(exclude={"code"}), "name": names[row.user_id], "waitlist_position": position}
            )
        )
    return event, lines


def as_csv(event: OfflineEvent, lines: list[Participant]) -> str:
    local = zone(event.timezone)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(local).isoformat(timespec="seconds") if moment is not None else ""

    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet apps read the names as UTF-8
    writer = csv.writer(out)
    writer.writerow(
        [
            "seq", "name", "user_id", "status", "waitlist_position", "companions", "seats", "registered_at",
            "promoted_at", "cancelled_at", "checked_in_at", *event.questions,
        ]
    )  # fmt: skip
    for line in lines:
        writer.writerow(
            [
                line.seq, line.name, line.user_id, line.status, line.waitlist_position or "", line.companions,
                line.seats, when(line.registered_at), when(line.promoted_at), when(line.cancelled_at),
                when(line.checked_in_at), *line.answers,
            ]
        )  # fmt: skip
    return out.getvalue()
