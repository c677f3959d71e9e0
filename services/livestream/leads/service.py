"""Comment to be connected (留言牵线): "I need this" on a service card, or chat with a keyword the host
set, becomes a lead routed to the provider (or, for a keyword, the leader), announced as
`livestream.lead.captured` with the viewer's consent to be contacted. Leads name the viewer's id
only: their phone never reaches livestream, let alone other viewers."""

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards import service as cards
from services.livestream.cards.models import CardKind
from services.livestream.directory import service as directory
from services.livestream.directory.models import KnownListing
from services.livestream.leads.models import CARD, KEYWORD, LEADER, PROVIDER, Lead, LeadPublic
from services.livestream.members import service as members
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Unprocessable
from shared.events.schemas.livestream import LeadCaptured


async def capture_need(
    session: AsyncSession, *, principal: Principal, live: LiveSession, card_id: str, consent: bool, note: str
) -> tuple[Lead, bool]:
    """The lead for "I need this" on a service card, and whether it is new (one per viewer and card)."""
    sessions.require_open(live)
    card = await cards.get_card(session, session_id=live.id, card_id=card_id)
    if card.kind != CardKind.service:
        raise Unprocessable('"I need this" is for service cards')
    offering = await directory.offering(session, card.ref_id)
    listing = await session.get(KnownListing, (offering.provider_id, live.community_id))
    listed = listing is not None and listing.state == directory.LISTED
    lead = Lead(
        session_id=live.id,
        community_id=live.community_id,
        viewer_id=principal.user_id,
        source=CARD,
        card_id=card.id,
        provider_id=offering.provider_id,
        offering_id=offering.id,
        category=offering.category,
        # a provider suspended since the card was pinned gets no leads; the leader follows up instead
        route_to=PROVIDER if listed else LEADER,
        route_to_id=offering.provider_id if listed else live.host_id,
        consent=consent,
        note=note,
        dedupe_key=f"{live.id}:{principal.user_id}:card:{card.id}",
    )
    return await _capture(session, lead, actor_id=principal.user_id)


async def capture_keyword(
    session: AsyncSession, *, principal: Principal, live: LiveSession, keyword: str, consent: bool, text: str
) -> tuple[Lead, bool]:
    lead = Lead(
        session_id=live.id,
        community_id=live.community_id,
        viewer_id=principal.user_id,
        source=KEYWORD,
        keyword=keyword,
        route_to=LEADER,
        route_to_id=live.host_id,
        consent=consent,
        note=text,
        dedupe_key=f"{live.id}:{principal.user_id}:keyword:{keyword.casefold()}",
    )
    return await _capture(session, lead, actor_id=principal.user_id)


async def _capture(session: AsyncSession, lead: Lead, *, actor_id: str) -> tuple[Lead, bool]:
    existing = (await session.exec(select(Lead).where(Lead.dedupe_key == lead.dedupe_key))).first()
    if existing is not None:
        return existing, False
    session.add(lead)
    await emit(
        session,
        LeadCaptured(
            lead_id=lead.id,
            session_id=lead.session_id,
            community_id=lead.community_id,
            viewer_id=lead.viewer_id,
            source=lead.source,
            keyword=lead.keyword,
            card_id=lead.card_id,
            provider_id=lead.provider_id,
            offering_id=lead.offering_id,
            category=lead.category,
            route_to=lead.route_to,
            route_to_id=lead.route_to_id,
            consent=lead.consent,
            note=lead.note,
        ),
        subject=lead.id,
        community_id=lead.community_id,
        actor_id=actor_id,
    )
    return lead, True


async def list_leads(session: AsyncSession, *, principal: Principal, session_id: str) -> list[LeadPublic]:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    rows = (await session.exec(select(Lead).where(Lead.session_id == live.id).order_by(col(Lead.created_at)))).all()
    names = await members.names(session, community_id=live.community_id, user_ids=[r.viewer_id for r in rows])
    return [LeadPublic(**r.model_dump(), viewer_name=names[r.viewer_id]) for r in rows]


async def count(session: AsyncSession, session_id: str) -> int:
    return int((await session.exec(select(func.count()).where(Lead.session_id == session_id))).one())
