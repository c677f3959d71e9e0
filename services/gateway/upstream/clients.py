"""HTTP clients for the five services, with timeouts, correlation ids and service tokens."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.gateway.settings import Settings
from shared.auth import Principal, issue_access_token
from shared.correlation import outgoing_headers
from shared.errors import GatewayTimeout, Problem, ServiceUnavailable
from shared.http import Origin
from shared.logging import get_logger

log = get_logger(__name__)

SERVICE_PRINCIPAL = Principal(user_id="service:gateway", kind="service")


class UpstreamProblem(Problem):
    """A service's own problem document, passed on to the client unchanged."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(str(document.get("detail", "")))
        self.status = int(document.get("status", 502))
        self._document = document

    def document(self, instance: str | None = None) -> dict[str, Any]:
        return self._document


class Upstreams:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.origins = {
            name: Origin(url, connections=settings.upstream_connections, timeout=settings.upstream_timeout)
            for name, url in settings.upstreams().items()
        }

    def token_for(self, principal: Principal) -> str:
        """A one-minute token for a call the gateway makes itself or for a partner it authenticated."""
        return issue_access_token(self.settings.jwt_private_key, principal, ttl=timedelta(minutes=1))

    def service_token(self) -> str:
        return self.token_for(SERVICE_PRINCIPAL)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Any = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,  # instead of upstream_timeout
    ) -> httpx.Response:
        """One call to a service as the given bearer (or as the gateway itself): 503 if it could not be
        reached (nothing was done), 504 if it was asked and did not answer in time (it may have done it,
        so a write's outcome is for the client to look up, or to retry with its Idempotency-Key)."""
        all_headers = {**outgoing_headers(), **(headers or {})}
        all_headers["authorization"] = f"Bearer {token or self.service_token()}"
        try:
            return await self.origins[service].request(
                method, path, params=params, json=json, content=content, headers=all_headers, timeout=timeout
            )
        except httpx.TransportError as exc:
            if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
                raise GatewayTimeout(
                    f"the {service} service did not answer within {timeout or self.settings.upstream_timeout:g} s; "
                    "it may still have done what was asked: check before trying again",
                    service=service,
                ) from None
            log.warning("service unreachable", service=service, error=repr(exc.__cause__ or exc))
            raise ServiceUnavailable(f"the {service} service is unreachable", service=service) from None

    async def aclose(self) -> None:
        for origin in self.origins.values():
            await origin.aclose()


def upstreams_extension(settings: Settings):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def extension(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstreams = Upstreams(settings)
        yield
        await app.state.upstreams.aclose()

    return extension
