"""The provider's RS256 signing key and its own secret key, made once and kept in files (mode 600)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def signing_key_pem(path: Path) -> str:
    """The PEM of the RSA key that signs ID tokens; generated (2048 bits) on the first start."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            _write_private(path, pem)
    return path.read_text(encoding="ascii")


def secret_key(path: Path) -> str:
    """The provider's Django SECRET_KEY (signs its own session cookie)."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, secrets.token_urlsafe(50).encode())
    return path.read_text(encoding="ascii").strip()
