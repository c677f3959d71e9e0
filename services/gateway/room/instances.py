"""Which livestream instance serves a person's room connection.

Rendezvous hashing: each person ranks the instances by a hash of (person, instance) and takes the
first that answers. The same person lands on the same instance from any gateway replica without
shared state — the instance whose recovery history holds what they missed when they reconnect —
viewers spread evenly, and removing an instance moves only the people it served."""

from __future__ import annotations

import hashlib


def websocket_url(base_url: str) -> str:
    """`http://host:port` → `ws://host:port` (https → wss)."""
    scheme, _, rest = base_url.partition("://")
    return {"http": "ws", "https": "wss"}[scheme] + "://" + rest.rstrip("/")


def preference(instances: list[str], person: str) -> list[str]:
    def weight(instance: str) -> bytes:
        return hashlib.blake2b(f"{person}\n{instance}".encode(), digest_size=8).digest()

    return sorted(instances, key=weight, reverse=True)
