"""Every way to submit a password shares one tight bucket per client (issue 9 item 3)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from conftest import PASSWORD, make_admin, make_user

pytestmark = pytest.mark.django_db

WRONG = "salah-sekali-123"


def _html_login(client: Client, email: str, password: str) -> int:
    return client.post("/login/", {"username": email, "password": password}).status_code


def _admin_login(client: Client, email: str, password: str) -> int:
    return client.post("/django-admin/login/", {"username": email, "password": password}).status_code


def _api_login(client: Client, email: str, password: str) -> int:
    return client.post(
        "/api/auth/login", {"email": email, "password": password}, content_type="application/json"
    ).status_code


def _html_register(client: Client, email: str, password: str) -> int:
    body = {"email": email, "password": password, "full_name": "Sari", "role": "buyer"}
    return client.post("/register/", body).status_code


@override_settings(RATELIMIT_AUTH="5/h")
@pytest.mark.parametrize("attempt", [_html_login, _admin_login, _api_login])
def test_right_password_after_too_many_wrong_ones_is_refused(attempt):
    make_admin(email="boss@contoh.id")
    client = Client()
    codes = [attempt(client, "boss@contoh.id", WRONG) for _ in range(5)]
    assert 429 not in codes
    response_code = attempt(client, "boss@contoh.id", PASSWORD)
    assert response_code == 429
    assert settings.SESSION_COOKIE_NAME not in client.cookies


@override_settings(RATELIMIT_AUTH="3/h")
def test_register_page_is_limited():
    client = Client()
    codes = [_html_register(client, f"sari{i}@contoh.id", "pendek") for i in range(4)]
    assert codes == [400, 400, 400, 429]


@override_settings(RATELIMIT_AUTH="4/h")
def test_one_bucket_for_every_door():
    make_user("buyer", email="sari@contoh.id")
    client = Client()
    assert _html_login(client, "sari@contoh.id", WRONG) == 400
    assert _admin_login(client, "sari@contoh.id", WRONG) == 200  # Django admin's own page
    assert _api_login(client, "sari@contoh.id", WRONG) == 401
    assert _html_register(client, "baru@contoh.id", "pendek") == 400
    assert _api_login(client, "sari@contoh.id", PASSWORD) == 429
    assert _html_login(client, "sari@contoh.id", PASSWORD) == 429
    # Another client has its own bucket.
    assert _html_login(Client(REMOTE_ADDR="198.51.100.7"), "sari@contoh.id", PASSWORD) == 302


@override_settings(RATELIMIT_AUTH="2/h")
def test_admin_password_change_is_limited():
    admin = make_admin(email="boss@contoh.id")
    client = Client()
    client.force_login(admin)
    body = {"old_password": WRONG, "new_password1": "Sandi-Baru-456", "new_password2": "Sandi-Baru-456"}
    codes = [client.post("/django-admin/password_change/", body).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@override_settings(RATELIMIT_AUTH="1/h")
def test_viewing_the_login_page_costs_nothing():
    client = Client()
    assert {client.get("/login/").status_code for _ in range(5)} == {200}
    assert client.get("/django-admin/login/").status_code == 200
    assert _html_login(client, "x@contoh.id", WRONG) == 400


@override_settings(RATELIMIT_AUTH="1/h")
def test_limited_page_speaks_the_visitors_language_and_api_gets_the_envelope():
    client = Client()
    _html_login(client, "x@contoh.id", WRONG)
    page = client.post("/login/", {"username": "x@contoh.id", "password": WRONG})
    assert page.status_code == 429 and 1 <= int(page["Retry-After"]) <= 3600
    assert "Terlalu banyak percobaan" in page.content.decode()
    assert page["Content-Type"].startswith("text/html")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/register/", {"email": "x@contoh.id"})
    assert page.status_code == 429
    assert "Too many attempts" in page.content.decode()

    api = client.post("/api/auth/login", {"email": "x@contoh.id", "password": WRONG}, content_type="application/json")
    assert api.status_code == 429
    assert api.json() == {"data": None, "error": "Too many requests", "meta": {}}
