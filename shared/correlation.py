"""Request and correlation ids, carried from HTTP into events and logs and back.

An incoming `X-Request-ID` / `X-Correlation-ID` is honoured (or minted), echoed on the response,
bound into the log context, propagated on outgoing HTTP calls, and stamped on every event
published while handling the request. A consumer handling an event binds the event's correlation
id and uses the event's id as the causation id of whatever it publishes in turn.
"""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})  # probed every few seconds; not worth a line each
_log = structlog.get_logger("linli.access")
CORRELATION_ID_HEADER = "x-correlation-id"


@dataclass(frozen=True)
class Trace:
    correlation_id: str
    causation_id: str | None = None


_current: ContextVar[Trace | None] = ContextVar("linli_trace", default=None)


def current_trace() -> Trace:
    trace = _current.get()
    return trace if trace is not None else Trace(correlation_id=str(uuid.uuid4()))


def bind_trace(trace: Trace) -> None:
    _current.set(trace)
    structlog.contextvars.bind_contextvars(correlation_id=trace.correlation_id)


def outgoing_headers() -> dict[str, str]:
    trace = _current.get()
    return {CORRELATION_ID_HEADER: trace.correlation_id} if trace else {}


class CorrelationMiddleware:
    """Binds the ids, echoes them on the response and writes one access-log line per request.
    Pure ASGI (no BaseHTTPMiddleware: it would break streaming and context vars)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = _valid(headers.get(REQUEST_ID_HEADER)) or str(uuid.uuid4())
        correlation_id = _valid(headers.get(CORRELATION_ID_HEADER)) or request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        bind_trace(Trace(correlation_id=correlation_id))

        started, status = time.perf_counter(), 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                    (CORRELATION_ID_HEADER.encode(), correlation_id.encode()),
                ]
            await send(message)

        try:
            # A WebSocket's frames go straight out: the ids ride on HTTP responses only, and a room
            # sends each of its viewers thousands of frames.
            await self.app(scope, receive, send_with_ids if scope["type"] == "http" else send)
        finally:
            if scope["type"] == "http" and scope["path"] not in _QUIET_PATHS:
                _log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )
            structlog.contextvars.unbind_contextvars("request_id", "correlation_id")


def _valid(value: str | None) -> str | None:
    """Accept a caller's id only if it is short and printable, so it is safe in logs and headers."""
    if value and len(value) <= 128 and value.isprintable() and " " not in value:
        return value
    return None
