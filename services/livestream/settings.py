from typing import ClassVar

from pydantic import Field

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_LIVESTREAM_<FIELD>. The room's figures are explained in docs/live-room.md."""

    service_name: ClassVar[str] = "livestream"
    default_port: ClassVar[int] = 8003

    # Reminders: residents who subscribed hear `reminder_minutes` before the planned start.
    reminder_minutes: int = Field(default=15, ge=1)
    clock_seconds: float = Field(default=5.0, gt=0)
    # Guests' one-time links.
    guest_link_hours: int = Field(default=48, ge=1)

    # The room: one connection's limits.
    room_max_frame_bytes: int = Field(default=4096, ge=256)
    room_send_queue: int = Field(default=256, ge=1)
    room_auth_seconds: float = Field(default=5.0, gt=0)
    room_inbound_rate: float = Field(default=20.0, gt=0)  # frames a second a connection may send
    room_inbound_burst: float = Field(default=40.0, ge=1)
    # A gateway's link (one socket for all its viewers of a room here): its send queue, larger than a
    # viewer's as it carries them all, and the frames one linked viewer may have waiting to be read.
    room_link_queue: int = Field(default=4096, ge=1)
    room_link_inbox: int = Field(default=64, ge=1)
    # One person's limits (across tabs and instances), applied by the room's sequencer.
    room_chat_rate: float = Field(default=1.0, gt=0)
    room_chat_burst: float = Field(default=3.0, ge=1)
    room_react_rate: float = Field(default=5.0, gt=0)
    room_react_burst: float = Field(default=10.0, ge=1)
    room_ask_seconds: float = Field(default=10.0, ge=0)
    # The whole room: frames a second admitted by priority (reactions first shed, then chat).
    room_rate: float = Field(default=50.0, gt=0)
    room_burst: float = Field(default=100.0, ge=1)
    # Recovery history kept by each instance, and for how long after its last viewer left.
    room_history_size: int = Field(default=500, ge=1)
    room_history_seconds: float = Field(default=120.0, ge=0)
    room_messages: int = Field(default=50, ge=1)  # chat messages in a snapshot
    # The sequencer's lease on a room (a row in `liveroom`), and how often tallies are re-sent.
    room_lease_seconds: float = Field(default=5.0, gt=0)
    room_coalesce_seconds: float = Field(default=0.25, gt=0)
    room_presence_seconds: float = Field(default=2.0, gt=0)
