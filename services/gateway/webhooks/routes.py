"""The partner API's webhook side: subscriptions, deliveries with their attempts, replays, notices."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.gateway.partners.auth import CurrentPartner
from services.gateway.webhooks import deliveries, subscriptions
from services.gateway.webhooks.dispatcher import Dispatcher
from services.gateway.webhooks.events import partner_event_types
from services.gateway.webhooks.models import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    NoticePublic,
    SubscriptionCreate,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/partner/v1", tags=["partner API: webhooks"])
CATALOGUE = "docs/events/schemas"


def _dispatcher(request: Request) -> Dispatcher:
    return request.app.state.dispatcher  # type: ignore[no-any-return]


@router.get("/event-types", summary="The event types you may subscribe to, with their payload schemas")
async def event_types(partner: CurrentPartner) -> list[dict[str, str]]:
    return [
        {"type": name, "summary": schema.summary, "schema": f"{CATALOGUE}/{name}.v{schema.version}.json"}
        for name, schema in partner_event_types().items()
    ]


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionPublic,
    summary="Subscribe an https URL to event types; deliveries are signed with this key's whsec_ secret",
)
async def subscribe(body: SubscriptionCreate, request: Request, session: SessionDep, partner: CurrentPartner) -> object:
    subscription = await subscriptions.create(session, partner=partner, data=body, guard=_dispatcher(request).guard)
    await session.commit()
    return subscription


@router.get("/subscriptions", response_model=list[SubscriptionPublic], summary="Your provider's subscriptions")
async def list_subscriptions(reader: ReaderDep, partner: CurrentPartner) -> object:
    return await subscriptions.list_subscriptions(reader, partner=partner)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionPublic)
async def get_subscription(subscription_id: str, reader: ReaderDep, partner: CurrentPartner) -> object:
    return await subscriptions.get(reader, partner=partner, subscription_id=subscription_id)


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary='Change the URL, event types or description; {"enabled": true} re-enables a disabled one',
)
async def change_subscription(
    subscription_id: str, body: SubscriptionUpdate, request: Request, session: SessionDep, partner: CurrentPartner
) -> object:
    dispatcher = _dispatcher(request)
    subscription = await subscriptions.change(
        session, partner=partner, subscription_id=subscription_id, data=body, guard=dispatcher.guard
    )
    await session.commit()
    await dispatcher.wake()  # re-enabled: its waiting deliveries go now
    return subscription


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsubscribe; deliveries not yet sent are cancelled, the log is kept",
)
async def unsubscribe(subscription_id: str, session: SessionDep, partner: CurrentPartner) -> Response:
    await subscriptions.delete(session, partner=partner, subscription_id=subscription_id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/deliveries", response_model=list[DeliveryPublic], summary="Deliveries to your endpoints, newest first")
async def list_deliveries(
    reader: ReaderDep,
    partner: CurrentPartner,
    subscription_id: EntityId | None = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> object:
    return await deliveries.list_deliveries(
        reader, partner=partner, subscription_id=subscription_id, status=delivery_status, limit=limit, offset=offset
    )


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail, summary="A delivery and its payload")
async def get_delivery(delivery_id: str, reader: ReaderDep, partner: CurrentPartner) -> object:
    return deliveries.detail(await deliveries.get(reader, partner=partner, delivery_id=delivery_id))


@router.get(
    "/deliveries/{delivery_id}/attempts",
    response_model=list[AttemptPublic],
    summary="Every attempt: when, the status code or the error, how long it took",
)
async def delivery_attempts(delivery_id: str, reader: ReaderDep, partner: CurrentPartner) -> object:
    return await deliveries.attempts(reader, partner=partner, delivery_id=delivery_id)


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    summary="Send a delivered or failed delivery again, now (same webhook-id)",
)
async def replay(delivery_id: str, request: Request, session: SessionDep, partner: CurrentPartner) -> object:
    delivery = await deliveries.replay(session, partner=partner, delivery_id=delivery_id)
    await session.commit()
    await _dispatcher(request).wake()
    return delivery


@router.get("/notices", response_model=list[NoticePublic], summary="What Linli had to tell you: disabled endpoints")
async def notices(reader: ReaderDep, partner: CurrentPartner, limit: Limit = 50, offset: Offset = 0) -> object:
    return await subscriptions.notices(reader, partner=partner, limit=limit, offset=offset)
