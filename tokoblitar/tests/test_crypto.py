"""AES-256-GCM token encryption: round trip, tampering, key ids, rotation, system check E010."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from marketplace.models import MarketplaceConnection
from tokoblitar.checks import check_encryption_key
from tokoblitar.crypto import DecryptionFailed, decrypt, encrypt, key_id, stored_key_id

KEY_A = "11" * 32
KEY_B = "22" * 32


@pytest.fixture
def key_a(settings):
    settings.ENCRYPTION_KEY = KEY_A
    settings.ENCRYPTION_OLD_KEYS = []
    return settings


def test_round_trip_with_key_id_and_fresh_nonce(key_a):
    stored = encrypt("token rahasia é✓")
    assert stored.startswith(key_id(bytes.fromhex(KEY_A)) + ":")
    assert "rahasia" not in stored
    assert decrypt(stored) == "token rahasia é✓"
    assert encrypt("sama") != encrypt("sama")  # a fresh 96-bit nonce each time


def test_tampering_detected(key_a):
    stored = encrypt("access-token-123")
    kid, payload = stored.split(":")
    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 0x01  # flip one ciphertext bit
    with pytest.raises(DecryptionFailed):
        decrypt(f"{kid}:{base64.b64encode(bytes(raw)).decode()}")
    raw = bytearray(base64.b64decode(payload))
    raw[14] ^= 0x01  # flip one tag bit
    with pytest.raises(DecryptionFailed):
        decrypt(f"{kid}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(DecryptionFailed):
        decrypt(f"{kid}:{base64.b64encode(b'short').decode()}")
    with pytest.raises(DecryptionFailed):
        decrypt("no-key-id-here")


def test_unknown_key_id_refused(key_a, settings):
    stored = encrypt("x")
    settings.ENCRYPTION_KEY = KEY_B
    with pytest.raises(DecryptionFailed, match="no key with id"):
        decrypt(stored)
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]
    assert decrypt(stored) == "x"


@pytest.mark.django_db
def test_rotation_command_reencrypts_rows_and_old_key_can_go(key_a, settings):
    from orders.tests.factories import quick_user

    store = quick_user("seller").store
    row = MarketplaceConnection.objects.create(
        store=store, platform="shopee", shop_id="1", access_token="akses-lama", refresh_token="segar-lama"
    )

    def raw_values():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT access_token, refresh_token FROM marketplace_marketplaceconnection WHERE id = %s", [row.pk]
            )
            return cursor.fetchone()

    assert {stored_key_id(v) for v in raw_values()} == {key_id(bytes.fromhex(KEY_A))}
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "marketplace.MarketplaceConnection: 1 re-encrypted" in out.getvalue()
    assert {stored_key_id(v) for v in raw_values()} == {key_id(bytes.fromhex(KEY_B))}
    settings.ENCRYPTION_OLD_KEYS = []  # the old key dropped: everything still reads
    fresh = MarketplaceConnection.objects.get(pk=row.pk)
    assert (fresh.access_token, fresh.refresh_token) == ("akses-lama", "segar-lama")
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)  # a second run has nothing to do
    assert "marketplace.MarketplaceConnection: 0 re-encrypted" in out.getvalue()


@pytest.mark.django_db
def test_empty_tokens_stay_empty(key_a):
    from orders.tests.factories import quick_user

    row = MarketplaceConnection.objects.create(store=quick_user("seller").store, platform="lazada")
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM marketplace_marketplaceconnection WHERE id = %s", [row.pk])
        assert cursor.fetchone() == ("",)


def test_e010_missing_key_with_debug_off(settings):
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = True  # the sales channels and Instagram are then available
    settings.ENCRYPTION_KEY = ""
    [error] = check_encryption_key()
    assert error.id == "tokoblitar.E010" and "ENCRYPTION_KEY is not set" in error.msg
    assert "shopee" in error.msg and "instagram" in error.msg


def test_no_key_needed_when_no_provider_stores_tokens(settings):
    # A production shop without marketplace or Instagram keys: those kinds are off, nothing is stored.
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    settings.ENCRYPTION_KEY = ""
    for name in ("SHOPEE_PARTNER_KEY", "LAZADA_APP_SECRET", "TIKTOK_SHOP_APP_SECRET", "INSTAGRAM_APP_SECRET"):
        setattr(settings, name, "")
    for name in ("SHOPEE_PROVIDER", "LAZADA_PROVIDER", "TIKTOK_SHOP_PROVIDER", "INSTAGRAM_PROVIDER"):
        setattr(settings, name, "")
    assert check_encryption_key() == []


@pytest.mark.parametrize("bad", ["abc", "zz" * 32, "11" * 31, "11" * 33])
def test_e010_malformed_key(settings, bad):
    settings.ENCRYPTION_KEY = bad
    [error] = check_encryption_key()
    assert error.id == "tokoblitar.E010" and "64 hex digits" in error.msg


def test_e010_malformed_old_key(settings):
    settings.ENCRYPTION_KEY = KEY_A
    settings.ENCRYPTION_OLD_KEYS = ["nope"]
    [error] = check_encryption_key()
    assert "ENCRYPTION_OLD_KEYS[0]" in error.msg


def test_good_key_passes(settings):
    settings.ENCRYPTION_KEY = os.urandom(32).hex()
    assert check_encryption_key() == []
