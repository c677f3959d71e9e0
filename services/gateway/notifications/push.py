"""The push-provider port (APNs, FCM, a vendor's push service). The embedded default writes a
structured log line: nothing leaves the machine."""

from typing import Literal, Protocol

from services.gateway.notifications.builders import Notice
from shared.logging import get_logger

log = get_logger(__name__)

PushProvider = Literal["log"]


class PushSender(Protocol):
    async def send(self, *, user_id: str, notice: Notice, notification_id: int | None) -> None:
        """`notification_id`: the inbox item it opens; None when the person keeps this kind out of the inbox."""


class LogPushSender:
    async def send(self, *, user_id: str, notice: Notice, notification_id: int | None) -> None:
        log.info(
            "push",
            user_id=user_id,
            notification_id=notification_id,
            kind=notice.kind.value,
            title=notice.title,
            body=notice.body,
            link=notice.link,
        )


def push_sender(provider: PushProvider) -> PushSender:
    """The sender the setting names (a real provider adds its name to PushProvider and here)."""
    senders: dict[str, type[PushSender]] = {"log": LogPushSender}
    return senders[provider]()
