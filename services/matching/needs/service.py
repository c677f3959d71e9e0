"""Posted needs matched to the offerings of providers listed in the community (organisations and
resident talents), by words and category: "找人修水管" reaches the handyman. The need's text is seen by
its poster and the community's leaders only, and so are its matches."""

import re
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.rules import label
from services.matching.needs import text
from services.matching.needs.models import NeedMatch, NeedView, OfferingText, ProviderView
from services.matching.recommendations.models import ListingView, OfferingView
from shared import segmenter
from shared.auth import LEADER, Principal
from shared.errors import Forbidden, NotFound
from shared.events.schemas.catalog import OfferingSnapshot

MATCHES = 10


_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")


async def words(phrase: str) -> list[str]:
    """jieba's words and every two Han characters in a row: a short need is often cut otherwise than
    the offering that answers it ("找人修水管" → 修水 / 管; "水管维修" → 水管), its pairs still meet."""
    if not phrase.strip():
        return []
    pairs = {run[i : i + 2] for run in _HAN_RUN.findall(phrase) for i in range(len(run) - 1)}
    return sorted(await segmenter.terms(phrase) | pairs)


def gist(said: str, length: int = 24) -> str:
    """The start of a need's text, as a reason or a profile names it."""
    said = " ".join(said.split())
    return said if len(said) <= length else said[: length - 1] + "…"


async def remember_offering(session: AsyncSession, *, data: OfferingSnapshot) -> None:
    """Keep the offering's words, cut now if the tokenizer is loaded already, else when a need is
    matched next (matching loads jieba only once it has a need to match)."""
    said = f"{data.name} {data.description} {label(data.category, 'zh')}"
    found = await session.get(OfferingText, data.offering_id)
    if found is None or found.text != said:
        cut = await words(said) if segmenter.loaded() else None
        await session.merge(OfferingText(offering_id=data.offering_id, text=said, terms=cut))


async def remember_provider(session: AsyncSession, *, provider_id: str, name: str, kind: str | None = None) -> None:
    provider = await session.get(ProviderView, provider_id) or ProviderView(id=provider_id, kind=kind or "", name=name)
    provider.name, provider.kind = name, kind or provider.kind
    session.add(provider)


async def _offerings(session: AsyncSession, community_id: str) -> list[OfferingView]:
    """Active offerings of providers listed in the community."""
    return list(
        (
            await session.exec(
                select(OfferingView)
                .join(ListingView, col(ListingView.provider_id) == col(OfferingView.provider_id))
                .where(
                    ListingView.community_id == community_id, ListingView.state == "listed", col(OfferingView.active)
                )
            )
        ).all()
    )


async def _terms(session: AsyncSession, offerings: list[OfferingView]) -> dict[str, list[str]]:
    """The offerings' terms, cut now for those not cut yet (kept when the session commits)."""
    rows = (
        await session.exec(select(OfferingText).where(col(OfferingText.offering_id).in_([o.id for o in offerings])))
    ).all()
    found: dict[str, list[str]] = {}
    for row in rows:
        if row.terms is None:
            row.terms = await words(row.text)
            session.add(row)
        found[row.offering_id] = row.terms
    return found


async def _corpus(session: AsyncSession, community_id: str) -> tuple[list[OfferingView], dict[str, list[str]]]:
    offerings = await _offerings(session, community_id)
    return offerings, await _terms(session, offerings)


async def category_of(session: AsyncSession, *, community_id: str, terms: list[str]) -> str | None:
    """The directory category these words name (for a need or a search that came without one)."""
    offerings, docs = await _corpus(session, community_id)
    return text.category_of(terms, docs, {o.id: o.category for o in offerings})


async def remember_need(
    session: AsyncSession,
    *,
    need_id: str,
    community_id: str,
    poster_id: str,
    category: str,
    said: str,
    visibility: str,
    at: datetime,
) -> NeedView:
    need = NeedView(
        id=need_id,
        community_id=community_id,
        poster_id=poster_id,
        category=category,
        text=said,
        terms=await words(said),
        visibility=visibility,
        posted_at=at,
    )
    await session.merge(need)
    return need


async def close_need(session: AsyncSession, *, need_id: str) -> None:
    if (need := await session.get(NeedView, need_id)) is not None:
        need.open = False
        session.add(need)


async def need_view(session: AsyncSession, need_id: str) -> NeedView | None:
    return await session.get(NeedView, need_id)


async def matches(session: AsyncSession, need: NeedView, *, limit: int = MATCHES) -> list[NeedMatch]:
    offerings, docs = await _corpus(session, need.community_id)
    by_id = {o.id: o for o in offerings}
    ranked = text.rank(need.terms, need.category, docs, {o.id: o.category for o in offerings})[:limit]
    providers = {
        p.id: p
        for p in (
            await session.exec(
                select(ProviderView).where(col(ProviderView.id).in_({by_id[d].provider_id for d, _, _ in ranked}))
            )
        ).all()
    }
    found = []
    for offering_id, score, matched in ranked:
        o = by_id[offering_id]
        p = providers.get(o.provider_id)
        found.append(
            NeedMatch(
                offering_id=o.id,
                name=o.name,
                category=o.category,
                provider_id=o.provider_id,
                provider_name=p.name if p else None,
                provider_kind=p.kind if p and p.kind else None,
                score=score,
                words=matched,
                same_category=o.category == need.category,
            )
        )
    return found


async def matches_of(session: AsyncSession, *, principal: Principal, need_id: str) -> list[NeedMatch]:
    """A need's matches, for its poster and the community's leaders; to anyone else outside the
    community it does not exist, and a leaders-only need does not exist for other members either."""
    need = await session.get(NeedView, need_id)
    if need is None or not (principal.operator or principal.roles_in(need.community_id)):
        raise NotFound(f"need {need_id} does not exist")
    if principal.user_id != need.poster_id and LEADER not in principal.roles_in(need.community_id):
        if need.visibility == "leaders":
            raise NotFound(f"need {need_id} does not exist")
        raise Forbidden("only the need's poster and the community's leaders see its matches")
    return await matches(session, need)


# Read for every recommendation (built once, see `prepared`).
_OPEN_NEEDS = select(NeedView).where(
    NeedView.poster_id == bindparam("user_id"), NeedView.community_id == bindparam("community_id"), col(NeedView.open)
)


async def matching_services(session: AsyncSession, *, user_id: str, community_id: str) -> dict[str, tuple[float, str]]:
    """Services matching the resident's open needs: item → (score relative to the best, the need's text)."""
    needs = (await session.exec(_OPEN_NEEDS, params={"user_id": user_id, "community_id": community_id})).all()
    found: dict[str, tuple[float, str]] = {}
    for need in needs:
        for m in await matches(session, need):
            if m.score > found.get(f"service:{m.offering_id}", (0.0, ""))[0]:
                found[f"service:{m.offering_id}"] = (m.score, gist(need.text))
    best = max((s for s, _ in found.values()), default=0.0)
    return {item: (score / best, need) for item, (score, need) in found.items()} if best else {}
