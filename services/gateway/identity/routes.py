from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from services.gateway.identity import service
from services.gateway.identity.models import OtpRequest, RefreshRequest, TokenPair, TokenRequest
from services.gateway.identity.sms import SmsSender
from services.gateway.settings import Settings
from services.gateway.upstream.deps import UpstreamsDep
from shared.errors import Unauthorized
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("/otp", status_code=status.HTTP_202_ACCEPTED, summary="Send a one-time login code by SMS")
async def request_code(
    body: OtpRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    text = await service.issue_code(session, settings=settings, phone=body.phone)
    await session.commit()
    sms: SmsSender = request.app.state.sms
    await sms.send(phone=body.phone, text=text)
    return {"status": "sent", "phone": body.phone}


@router.post("/token", summary="Exchange phone + code for an access token and a refresh token")
async def login(
    body: TokenRequest, session: SessionDep, reader: ReaderDep, settings: SettingsDep, upstreams: UpstreamsDep
) -> TokenPair:
    login = await service.check_code(reader, settings=settings, phone=body.phone, code=body.code)
    await reader.close()
    if login is None:
        await service.count_wrong_code(session, phone=body.phone)
        await session.commit()
        raise Unauthorized("wrong code")
    roles = await service.roles_of(upstreams, login.user_id)
    tokens = await service.complete_login(session, settings=settings, login=login, code=body.code, roles=roles)
    await session.commit()
    return tokens


@router.post("/refresh", summary="Rotate a refresh token; the new access token has current roles")
async def refresh(
    body: RefreshRequest, session: SessionDep, reader: ReaderDep, settings: SettingsDep, upstreams: UpstreamsDep
) -> TokenPair:
    login, reused = await service.check_refresh_token(reader, settings=settings, token=body.refresh_token)
    await reader.close()
    if not reused:
        roles = await service.roles_of(upstreams, login.user_id)
        tokens = await service.rotate_refresh_token(
            session, settings=settings, login=login, token=body.refresh_token, roles=roles
        )
        if tokens is not None:
            await session.commit()
            return tokens
    assert login.family is not None
    await service.revoke_family(session, family=login.family)
    await session.commit()
    raise Unauthorized("the refresh token was already used; every session of it is now logged out")
