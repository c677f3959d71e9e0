from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from services.matching.deps import LangDep, SettingsDep
from services.matching.insights import service as insights
from services.matching.insights.models import Bucket, Insights, Table
from services.matching.insights.rules import Period
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.models import utcnow
from shared.service import SessionDep

router = APIRouter(tags=["matching"])

First = Annotated[date | None, Query(alias="from", description="First day (default: 29 days before `to`)")]
Last = Annotated[date | None, Query(alias="to", description="Last day, included (default: today)")]


@router.get("/insights", summary="The community at a glance over a period (leaders, property managers, operators)")
async def community_insights(
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    lang: LangDep,
    community_id: EntityId,
    first: First = None,
    last: Last = None,
    bucket: Bucket = "day",
) -> Insights:
    period = Period.asked(
        first=first, last=last, bucket=bucket, zone=ZoneInfo(settings.insights_timezone), now=utcnow()
    )
    return await insights.insights(
        session, principal=principal, community_id=community_id, period=period, now=utcnow(), lang=lang
    )


@router.get(
    "/insights/{table}.csv",
    summary="One table of the dashboard as CSV, one row per day for `activity`",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def community_insights_csv(
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    lang: LangDep,
    table: Table,
    community_id: EntityId,
    first: First = None,
    last: Last = None,
) -> Response:
    period = Period.asked(first=first, last=last, bucket="day", zone=ZoneInfo(settings.insights_timezone), now=utcnow())
    found = await insights.insights(
        session, principal=principal, community_id=community_id, period=period, now=utcnow()
    )
    return Response(
        insights.csv_of(found, table),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{table}-{period.first}-{period.last}.csv"'},
    )
