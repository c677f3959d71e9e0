"""Logging for the bench: warnings shown, except the expected noise of stopping a Bus, which is
counted (and reported) instead of printed."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import structlog

from shared.logging import configure_logging

# Logged by the bus on a deliberate stop: `nc.close()` fires the disconnected callback, and
# cancelling the relay/consumer tasks mid-query makes SQLAlchemy's pool log a failed reset.
EXPECTED_ON_STOP = {"disconnected from NATS", "Exception during reset or similar"}


class _Noise:
    def __init__(self) -> None:
        self.stopping = False
        self.dropped: Counter[str] = Counter()

    def drop(self, message: str) -> bool:
        if self.stopping and message in EXPECTED_ON_STOP:
            self.dropped[message] += 1
            return True
        return False


NOISE = _Noise()


def _structlog_filter(_logger: Any, _method: str, event_dict: Any) -> Any:
    if NOISE.drop(str(event_dict.get("event"))):
        raise structlog.DropEvent
    return event_dict


class _LoggingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not NOISE.drop(record.getMessage())


def configure() -> None:
    configure_logging(service="bench", level="warning")
    config = structlog.get_config()
    structlog.configure(processors=[_structlog_filter, *config["processors"]])
    for handler in logging.getLogger().handlers:
        handler.addFilter(_LoggingFilter())


@contextlib.contextmanager
def stopping() -> Iterator[None]:
    NOISE.stopping = True
    try:
        yield
    finally:
        NOISE.stopping = False
