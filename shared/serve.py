"""Run one service: `python -m shared.serve orders`.

First a prestart step migrates its database, in a process of its own, so the long-running server
never loads Alembic (smaller resident memory); then uvicorn serves the app (uvloop, httptools).
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import uvicorn

SERVICES = ("gateway", "catalog", "orders", "livestream", "community", "matching")


def main(service: str) -> None:
    if service not in SERVICES:
        raise SystemExit(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    subprocess.run([sys.executable, "-m", "shared.migrations", "upgrade", service], check=True)
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
        ws_per_message_deflate=settings.ws_per_message_deflate,
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
