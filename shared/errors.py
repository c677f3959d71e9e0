"""RFC 9457 problem details for every error, validation errors included; no stack trace leaks.

Domain code raises `Problem` subclasses (no FastAPI types in domain rules); the handlers
installed by `install_problem_handlers` turn them, and FastAPI's own errors, into
`application/problem+json` documents.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://linli.dev/problems/"

log = get_logger(__name__)


class Problem(Exception):
    """A client-visible failure. Subclasses set the status and the problem type slug."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None
    # False: kept as the answer to an Idempotency-Key. True: a state that may change by itself (what
    # this service learns from another's events has not arrived yet), so the same key may be retried.
    transient: bool = False

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    def document(self, instance: str | None = None) -> dict[str, Any]:
        return problem_document(self.status, self.title, self.detail, self.slug, instance, **self.extensions)


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad request"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class NotFoundYet(NotFound):
    """Unknown here, though perhaps only for now: this service learns of it from another's events."""

    transient = True


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class Unprocessable(Problem):
    status, slug, title = 422, "unprocessable", "Unprocessable request"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(Problem):
    status, slug, title = 503, "unavailable", "Service unavailable"


class GatewayTimeout(Problem):
    """The request reached the service, which did not answer in time: it may still have done it."""

    status, slug, title = 504, "gateway-timeout", "No answer in time"


def problem_document(
    status: int, title: str, detail: str, slug: str, instance: str | None = None, **extensions: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    if instance:
        doc["instance"] = instance
    doc.update(extensions)
    return doc


def problem_response(doc: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(doc, status_code=doc["status"], media_type=PROBLEM_JSON, headers=headers)


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable request"),
    429: ("too-many-requests", "Too many requests"),
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.document(request.url.path), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": [str(p) for p in err.get("loc", ())],
                "message": err.get("msg", ""),
                "type": err.get("type"),
            }
            for err in exc.errors()
        ]
        malformed = any(e["type"] == "json_invalid" for e in errors)
        detail = "The request body is not valid JSON." if malformed else "The request has invalid fields."
        doc = problem_document(
            400 if malformed else 422,
            "Malformed request" if malformed else "Validation failed",
            detail,
            "malformed-json" if malformed else "validation",
            request.url.path,
            errors=errors,
        )
        return problem_response(doc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            problem_document(exc.status_code, title, detail, slug, request.url.path),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        doc = problem_document(500, "Internal error", "Something went wrong on our side.", "internal", request.url.path)
        return problem_response(doc)
