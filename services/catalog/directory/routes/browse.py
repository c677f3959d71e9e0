from typing import Annotated

from fastapi import APIRouter, Query

from services.catalog.directory import guide, search, unanswered
from services.catalog.directory.taxonomy import CATEGORIES, CategoryInfo
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/directory", tags=["directory: browse"])


@router.get("/categories", summary="The taxonomy: labels, and which categories need verified papers")
async def categories(principal: CurrentPrincipal) -> list[CategoryInfo]:
    return list(CATEGORIES.values())


@router.get("/search", summary="Listed services of your community by category, words, rating, availability")
async def search_offerings(
    query: Annotated[search.SearchQuery, Query()], session: ReaderDep, writer: SessionDep, principal: CurrentPrincipal
) -> search.SearchPage:
    page = await search.search(session, principal=principal, query=query)
    if not page.items and query.offset == 0 and (query.q or query.category):
        await session.close()  # the reader gives its connection back first (SQLite has one per process)
        await unanswered.record(
            writer, principal=principal, community_id=query.community_id, category=query.category, q=query.q
        )
        await writer.commit()
    return page


@router.get("/guide", summary="社区生活服务指南: the providers the leaders endorse, by category")
async def community_guide(community_id: EntityId, session: ReaderDep, principal: CurrentPrincipal) -> guide.Guide:
    return await guide.guide(session, principal=principal, community_id=community_id)
