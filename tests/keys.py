"""Key pairs for tests that forge tokens with a key that is not the gateway's."""

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.keys import load_key, pem_body


def new_private_key() -> str:
    key = Ed25519PrivateKey.generate()
    return pem_body(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def load_private(body: str) -> Any:
    return load_key(body, "private")
