"""Encryption at rest for third-party secrets (marketplace and Instagram tokens): AES-256-GCM.

Stored form: ``"<key id>:<base64(nonce 12 bytes | tag 16 bytes | ciphertext)>"``. The key id
(first 8 hex digits of SHA-256 of the key) sits beside each ciphertext so keys can rotate:
``ENCRYPTION_KEY`` is the key new values are written with; ``ENCRYPTION_OLD_KEYS`` (comma
separated) are keys still accepted for reading until ``manage.py rotate_encryption_key`` has
re-encrypted every value under the current key. The nonce|tag|ciphertext layout follows the
seed's sketch (``../shared/seeds/000_989278e78c4a5c1c.txt``, "MARKETPLACE SYNC PATTERN"), with
the tag after the nonce as there; `cryptography`'s AESGCM appends the tag, so it is moved.

``ENCRYPTION_KEY`` is 32 bytes written as 64 hex digits (``openssl rand -hex 32``). With DEBUG
on and no key, a random key is generated once into ``var/encryption/`` (settings.py, like the
simulator secret) so ``make run`` works on a fresh machine; with DEBUG off a missing or malformed key is a
start-up error (system check ``tokoblitar.E010``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionFailed(Exception):
    """A stored value cannot be decrypted: unknown key id, tampered or truncated data."""


def parse_key(value: str, *, name: str = "ENCRYPTION_KEY") -> bytes:
    """32 bytes from 64 hex digits; ImproperlyConfigured naming `name` otherwise."""
    value = (value or "").strip()
    try:
        key = bytes.fromhex(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be 64 hex digits (32 bytes); generate with: openssl rand -hex 32"
        ) from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 64 hex digits (32 bytes), got {len(key)} bytes")
    return key


def key_id(key: bytes) -> str:
    """The public id of a key: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


def current_key() -> bytes:
    """The key new values are encrypted with (settings.ENCRYPTION_KEY).

    Raises ImproperlyConfigured when it is missing or malformed."""
    raw = getattr(settings, "ENCRYPTION_KEY", "")
    if not raw:
        raise ImproperlyConfigured("ENCRYPTION_KEY is not set; generate one with: openssl rand -hex 32")
    return parse_key(raw)


def known_keys() -> dict[str, bytes]:
    """{key id: key} for the current key and every key in ENCRYPTION_OLD_KEYS."""
    keys = {}
    for index, raw in enumerate(getattr(settings, "ENCRYPTION_OLD_KEYS", []) or []):
        if raw.strip():
            key = parse_key(raw, name=f"ENCRYPTION_OLD_KEYS[{index}]")
            keys[key_id(key)] = key
    key = current_key()
    keys[key_id(key)] = key
    return keys


def encrypt(plaintext: str) -> str:
    """``"<key id>:<base64>"`` for `plaintext` (UTF-8) under the current key, fresh 96-bit nonce.

    Raises ImproperlyConfigured when ENCRYPTION_KEY is missing or malformed."""
    key = current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), None)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return f"{key_id(key)}:{base64.b64encode(nonce + tag + body).decode('ascii')}"


def stored_key_id(stored: str) -> str:
    """The key id a stored value was written with ('' when it is not in the stored form)."""
    kid, sep, _ = (stored or "").partition(":")
    return kid if sep else ""


def decrypt(stored: str) -> str:
    """The plaintext of a value made by `encrypt`, with whichever known key its id names.

    Raises DecryptionFailed (unknown key id, tampered or malformed value) and
    ImproperlyConfigured (ENCRYPTION_KEY missing or malformed)."""
    kid, sep, payload = (stored or "").partition(":")
    if not sep:
        raise DecryptionFailed("not an encrypted value")
    key = known_keys().get(kid)
    if key is None:
        raise DecryptionFailed(f"no key with id {kid} (is it in ENCRYPTION_OLD_KEYS?)")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionFailed("malformed ciphertext") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("truncated ciphertext")
    nonce, tag, body = raw[:NONCE_BYTES], raw[NONCE_BYTES : NONCE_BYTES + TAG_BYTES], raw[NONCE_BYTES + TAG_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body + tag, None).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionFailed("ciphertext does not authenticate (tampered or wrong key)") from exc


class EncryptedTextField(models.TextField):
    """A text column holding `encrypt(value)`; Python code sees the plaintext.

    Empty strings are stored empty (nothing to protect, and "not connected" stays queryable).
    Values cannot be filtered on (each encryption uses a fresh nonce). Every model field of this
    class is re-encrypted by ``manage.py rotate_encryption_key``."""

    description = "Text encrypted at rest with AES-256-GCM"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
