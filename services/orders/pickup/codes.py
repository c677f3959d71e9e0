"""Pickup codes people read out and type (the generator is shared: `shared.codes`)."""

from shared import codes
from shared.codes import new_code as new_code  # re-exported: pickup gives codes from here

QR_PREFIX = "linli:pickup:"


def qr_payload(order_id: str, code: str) -> str:
    """What the buyer's QR code carries; scanning it is the same as typing the code."""
    return f"{QR_PREFIX}{order_id}:{code}"


def from_input(value: str) -> str:
    """A code as typed (any case, spaces, dashes) or as scanned (the QR payload)."""
    return codes.from_input(value, qr_prefix=QR_PREFIX)
