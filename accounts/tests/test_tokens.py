"""API tokens: one per device, with an expiry, revoked on logout and password change (issue 9 item 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from conftest import PASSWORD, make_admin, make_user

pytestmark = pytest.mark.django_db

ME = "/api/seller/store"  # any route that needs a signed-in seller


def _login(email: str, password: str = PASSWORD) -> str:
    response = APIClient().post("/api/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["token"]


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_each_login_is_its_own_device_and_logout_revokes_only_that_one():
    make_user("seller", email="sari@contoh.id")
    phone, laptop = _login("sari@contoh.id"), _login("sari@contoh.id")
    assert phone != laptop
    assert _client(phone).get(ME).status_code == 200
    assert _client(phone).post("/api/auth/logout").status_code == 200
    assert _client(phone).get(ME).status_code == 401
    assert _client(laptop).get(ME).status_code == 200


def test_tokens_are_stored_as_digests_only():
    user = make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    row = AuthToken.objects.get(user=user)
    assert token not in (row.digest, row.token_key) and token.startswith(row.token_key)


def test_token_expires(settings):
    make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    row = AuthToken.objects.get()
    assert row.expiry is not None and row.expiry > timezone.now() + timedelta(hours=1)
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _client(token).get(ME).status_code == 401
    assert not AuthToken.objects.exists()


def test_use_renews_but_never_past_the_maximum_age():
    make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    row = AuthToken.objects.get()
    soon = timezone.now() + timedelta(minutes=5)
    AuthToken.objects.filter(pk=row.pk).update(expiry=soon)
    assert _client(token).get(ME).status_code == 200
    renewed = AuthToken.objects.get(pk=row.pk).expiry
    assert renewed > soon + timedelta(hours=1)
    # Created long ago: no renewal past created + API_TOKEN_MAX_AGE_DAYS, so it ends as set.
    AuthToken.objects.filter(pk=row.pk).update(created=timezone.now() - timedelta(days=365), expiry=soon)
    assert _client(token).get(ME).status_code == 200
    assert AuthToken.objects.get(pk=row.pk).expiry == soon


def test_other_header_prefixes_are_not_tokens():
    make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(ME).status_code == 401
    response = _client("x" * 64).get(ME)
    assert response.status_code == 401 and response.json()["error"]


def test_password_change_through_the_model_revokes_every_token():
    user = make_user("seller", email="sari@contoh.id")
    phone, laptop = _login("sari@contoh.id"), _login("sari@contoh.id")
    user.set_password("Sandi-Baru-Sekali-456")
    user.save()
    assert _client(phone).get(ME).status_code == 401
    assert _client(laptop).get(ME).status_code == 401
    # Logging in with the new password works and yields a working token.
    assert _client(_login("sari@contoh.id", "Sandi-Baru-Sekali-456")).get(ME).status_code == 200


def test_password_change_in_the_django_admin_revokes_every_token():
    admin = make_admin()
    buyer = make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    web = Client()
    web.force_login(admin)
    response = web.post(
        f"/django-admin/accounts/user/{buyer.pk}/password/",
        {"password1": "Sandi-Baru-Sekali-456", "password2": "Sandi-Baru-Sekali-456", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert _client(token).get(ME).status_code == 401


def test_changepassword_command_revokes_every_token(monkeypatch):
    make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Sandi-Baru-Sekali-456")
    call_command("changepassword", "sari@contoh.id", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _client(token).get(ME).status_code == 401


def test_login_hash_upgrade_is_not_a_password_change():
    # check_password() re-saves the hash when the hasher's parameters changed; tokens must survive.
    user = make_user("seller", email="sari@contoh.id")
    token = _login("sari@contoh.id")
    user.check_password(PASSWORD)
    user.save()
    assert _client(token).get(ME).status_code == 200


def test_logout_with_a_token_leaves_the_browser_session_alone():
    make_user("seller", email="sari@contoh.id")
    web = Client()
    assert web.post("/login/", {"username": "sari@contoh.id", "password": PASSWORD}).status_code == 302
    token = _login("sari@contoh.id")
    assert _client(token).post("/api/auth/logout").status_code == 200
    assert web.get("/dashboard/").status_code == 200
