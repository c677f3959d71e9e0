"""API keys, managed by a provider's owner with their login (operators list and revoke any)."""

from fastapi import APIRouter, Request, status

from services.gateway.partners import service
from services.gateway.partners.models import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from services.gateway.upstream.deps import UpstreamsDep
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.fields import EntityId
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/api/v1/api-keys", tags=["partner API keys"])


def _token(request: Request) -> str:
    return request.headers["authorization"][7:]  # CurrentPrincipal has checked it is a bearer token


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key for your provider: the key and its whsec_ signing secret are shown once",
)
async def create_key(
    body: ApiKeyCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, upstreams: UpstreamsDep
) -> ApiKeyCreated:
    await service.require_owner(upstreams, principal=principal, token=_token(request), provider_id=body.provider_id)
    created = await service.create_key(session, principal=principal, data=body)
    await session.commit()
    return created


@router.get("", response_model=list[ApiKeyPublic], summary="Your provider's API keys (never the keys themselves)")
async def list_keys(
    provider_id: EntityId, request: Request, reader: ReaderDep, principal: CurrentPrincipal, upstreams: UpstreamsDep
) -> object:
    if not principal.operator:
        await service.require_owner(upstreams, principal=principal, token=_token(request), provider_id=provider_id)
    return await service.list_keys(reader, provider_id=provider_id)


@router.delete(
    "/{key_id}",
    response_model=ApiKeyPublic,
    summary="Revoke an API key (its owner, or an operator); the subscriptions it signs are disabled",
)
async def revoke_key(
    key_id: str,
    request: Request,
    session: SessionDep,
    reader: ReaderDep,
    principal: CurrentPrincipal,
    upstreams: UpstreamsDep,
) -> object:
    if not principal.operator:
        key = await service.get_key(reader, key_id=key_id)
        await reader.close()
        try:
            await service.require_owner(
                upstreams, principal=principal, token=_token(request), provider_id=key.provider_id
            )
        except NotFound:  # a stranger learns nothing, not even which provider the key is of
            raise NotFound(f"API key {key_id} does not exist") from None
    key = await service.revoke_key(session, principal=principal, key_id=key_id)
    await session.commit()
    return key
