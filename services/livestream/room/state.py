"""The room's state as the fold of its frames: what a snapshot shows. The sequencer loads it from
the database when it takes a room over and then applies every frame it publishes, so a snapshot
never needs the database."""

from __future__ import annotations

from collections import deque
from typing import Any

OPEN_QUESTIONS, ANSWERED_QUESTIONS = 20, 5


class RoomState:
    def __init__(self, messages: int) -> None:
        self.session: dict[str, Any] = {}
        self.room: dict[str, Any] = {}
        self.cards: dict[str, Any] = {"items": [], "pinned_id": None}
        self.pinned_message: dict[str, Any] | None = None
        self.polls: dict[str, dict[str, Any]] = {}
        self.questions: dict[str, dict[str, Any]] = {}
        self.giveaway: dict[str, Any] | None = None
        self.guests: dict[str, Any] = {"items": []}
        self.viewers: dict[str, int] = {"count": 0, "peak": 0}
        self.reactions: dict[str, int] = {}
        self.messages: deque[dict[str, Any]] = deque(maxlen=messages)

    def apply(self, type_: str, data: dict[str, Any]) -> None:
        match type_:
            case "session":
                self.session = data
            case "room":
                self.room = data
            case "cards":
                self.cards = data
            case "card":
                card = data["card"]
                self.cards["items"] = [card if c["id"] == card["id"] else c for c in self.cards["items"]]
            case "pinned_message":
                self.pinned_message = data["message"]
            case "poll":
                self.polls[data["id"]] = data
            case "question":
                self.questions[data["id"]] = data
            case "giveaway":
                self.giveaway = data
            case "guests":
                self.guests = data
            case "viewers":
                self.viewers = data
            case "reactions":
                self.reactions = data["totals"]
            case "chat":
                self.messages.append(data)
            case "chat.deleted":
                kept = [m for m in self.messages if m["id"] != data["id"]]
                self.messages.clear()
                self.messages.extend(kept)

    def message(self, message_id: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["id"] == message_id), None)

    def snapshot(self) -> dict[str, Any]:
        polls = sorted(self.polls.values(), key=lambda p: p.get("opened_at") or "")
        closed = [p for p in polls if p["status"] == "closed"]
        questions = sorted(self.questions.values(), key=lambda q: (-q["upvotes"], q["created_at"]))
        return {
            "session": self.session,
            "room": self.room,
            "cards": self.cards,
            "pinned_message": self.pinned_message,
            "polls": [p for p in polls if p["status"] == "open"] + closed[-1:],
            "questions": [q for q in questions if not q["answered"]][:OPEN_QUESTIONS]
            + [q for q in questions if q["answered"]][:ANSWERED_QUESTIONS],
            "giveaway": self.giveaway,
            "guests": self.guests,
            "viewers": self.viewers,
            "reactions": self.reactions,
            "messages": list(self.messages),
        }
