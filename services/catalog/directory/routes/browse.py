from typing import Annotated

from fastapi import APIRouter, Query

from services.catalog.directory import guide, search
from services.catalog.directory.taxonomy import CATEGORIES, CategoryInfo
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import ReaderDep

router = APIRouter(prefix="/directory", tags=["directory: browse"])


@router.get("/categories", summary="The taxonomy: labels, and which categories need verified papers")
async def categories(principal: CurrentPrincipal) -> list[CategoryInfo]:
    return list(CATEGORIES.values())


@router.get("/search", summary="Listed services of your community by category, words, rating, availability")
async def search_offerings(
    query: Annotated[search.SearchQuery, Query()], session: ReaderDep, principal: CurrentPrincipal
) -> search.SearchPage:
    return await search.search(session, principal=principal, query=query)


@router.get("/guide", summary="社区生活服务指南: the providers the leaders endorse, by category")
async def community_guide(community_id: EntityId, session: ReaderDep, principal: CurrentPrincipal) -> guide.Guide:
    return await guide.guide(session, principal=principal, community_id=community_id)
