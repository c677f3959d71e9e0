"""Codes people read out and type (pickup codes, check-in codes, invite codes): short, and without
look-alike characters, typed in any case or scanned from a QR code."""

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
LENGTH = 6  # 31^6 ≈ 887 million: a collision within one pickup point or event is negligible (and refused)


def new_code(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def from_input(value: str, *, qr_prefix: str) -> str:
    """A code as typed (any case, spaces, dashes) or as scanned: a QR payload `{qr_prefix}…:{code}`."""
    value = value.strip()
    if value.startswith(qr_prefix):
        value = value.rsplit(":", 1)[-1]
    return value.upper().replace(" ", "").replace("-", "")
