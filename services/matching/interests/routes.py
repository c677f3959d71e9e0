from fastapi import APIRouter, Response

from services.matching.deps import LangDep, SettingsDep
from services.matching.interests import service as interests
from services.matching.interests.models import InterestPublic, Personalisation, TopicMap
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(tags=["matching"])


@router.get("/profiles/me", summary="My interest profile in plain words")
async def my_profile(
    session: SessionDep, principal: CurrentPrincipal, community_id: EntityId, settings: SettingsDep, lang: LangDep
) -> list[InterestPublic]:
    return await interests.profile_of(
        session,
        principal=principal,
        community_id=community_id,
        half_life_days=settings.interest_half_life_days,
        lang=lang,
    )


@router.delete("/profiles/me", status_code=204, summary="Forget my profile and stop learning about me")
async def forget_me(session: SessionDep, principal: CurrentPrincipal) -> Response:
    await interests.forget(session, principal=principal)
    await session.commit()
    return Response(status_code=204)


@router.get("/profiles/me/personalisation", summary="Whether my recommendations use what I did")
async def my_personalisation(session: SessionDep, principal: CurrentPrincipal) -> Personalisation:
    return await interests.personalisation(session, principal=principal)


@router.put("/profiles/me/personalisation", summary="Switch personalisation on or off")
async def set_my_personalisation(
    session: SessionDep, principal: CurrentPrincipal, data: Personalisation
) -> Personalisation:
    result = await interests.set_personalisation(session, principal=principal, enabled=data.enabled)
    await session.commit()
    return result


@router.get("/profiles/topic-map", summary="What each food tag says about interests in this community")
async def topic_map(session: SessionDep, principal: CurrentPrincipal, community_id: EntityId) -> TopicMap:
    return await interests.topic_map_of(session, principal=principal, community_id=community_id)


@router.put("/profiles/topic-map", summary="A leader tunes what food tags say in their community")
async def tune_topic_map(
    session: SessionDep, principal: CurrentPrincipal, community_id: EntityId, data: TopicMap
) -> TopicMap:
    result = await interests.tune_topic_map(session, principal=principal, community_id=community_id, data=data)
    await session.commit()
    return result
