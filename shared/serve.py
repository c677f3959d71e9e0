"""Run one service with uvicorn (uvloop, httptools): `python -m shared.serve orders`."""

from __future__ import annotations

import importlib
import sys

import uvicorn

SERVICES = ("gateway", "catalog", "orders", "livestream", "community", "matching")


def main(service: str) -> None:
    if service not in SERVICES:
        raise SystemExit(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    settings = importlib.import_module(f"services.{service}.settings").Settings()
    uvicorn.run(
        f"services.{service}.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
