"""Pickup codes people read out and type: short, and without look-alike characters."""

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
LENGTH = 6  # 31^6 ≈ 887 million: a collision within one pickup point is negligible (and refused)
QR_PREFIX = "linli:pickup:"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def qr_payload(order_id: str, code: str) -> str:
    """What the buyer's QR code carries; scanning it is the same as typing the code."""
    return f"{QR_PREFIX}{order_id}:{code}"


def from_input(value: str) -> str:
    """A code as typed (any case, spaces, dashes) or as scanned (the QR payload)."""
    value = value.strip()
    if value.startswith(QR_PREFIX):
        value = value.rsplit(":", 1)[-1]
    return value.upper().replace(" ", "").replace("-", "")
