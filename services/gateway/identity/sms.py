"""The SMS port. The embedded default writes the message to the log (no SMS leaves the machine)."""

from typing import Protocol

from shared.logging import get_logger

log = get_logger(__name__)


class SmsSender(Protocol):
    async def send(self, *, phone: str, text: str) -> None: ...


class LogSmsSender:
    async def send(self, *, phone: str, text: str) -> None:
        log.info("sms", phone=phone, text=text)
