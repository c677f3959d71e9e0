"""Ed25519 keys for access tokens. Run it to print a fresh pair as the variables that take it:

python -m shared.keys            (in the image: docker compose run --rm gateway python -m shared.keys)
"""

import functools
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def pem_body(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


@functools.cache
def load_key(text: str, kind: Literal["private", "public"]) -> Any:
    """A key from its PEM, or from the PEM's base64 body alone (handy in an environment variable)."""
    body = text.strip()
    label = "PRIVATE KEY" if kind == "private" else "PUBLIC KEY"
    if not body.startswith("-----BEGIN"):
        body = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
    try:
        key: Any = (
            serialization.load_pem_private_key(body.encode(), password=None)
            if kind == "private"
            else serialization.load_pem_public_key(body.encode())
        )
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        raise ValueError(f"not an Ed25519 {label.lower()} (PEM, or its base64 body)")
    return key


def main() -> None:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    print(f"LINLI_JWT_PRIVATE_KEY={pem_body(private)}")
    print(f"LINLI_JWT_PUBLIC_KEY={pem_body(public)}")


if __name__ == "__main__":
    main()
