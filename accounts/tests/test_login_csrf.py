"""Login CSRF (issue 9 item 4): only a same-site request with a valid CSRF token gets a session.

A hostile page can post a form to /api/auth/login with the attacker's password; the victim's
browser must not come back signed in to the attacker's account. Token clients log in as before.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def attacker(db):
    return make_user("buyer", email="penyerang@contoh.id")


def _browser() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def test_cross_site_form_post_sets_no_session(attacker):
    browser = _browser()
    response = browser.post(
        "/api/auth/login",
        {"email": "penyerang@contoh.id", "password": PASSWORD},
        format="multipart",
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert browser.get("/pesanan/").status_code == 302  # still signed out: sent to the login page


def test_cross_site_post_with_a_stolen_looking_token_still_sets_no_session(attacker):
    # A forged header without the matching cookie (the attacker cannot set our cookie).
    browser = _browser()
    response = browser.post(
        "/api/auth/login",
        {"email": "penyerang@contoh.id", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="https://evil.example",
        HTTP_X_CSRFTOKEN="a" * 32,
    )
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_token_client_without_csrf_still_logs_in_with_a_token_and_no_cookie(attacker):
    client = _browser()
    response = client.post("/api/auth/login", {"email": "penyerang@contoh.id", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"user_id", "role", "token"} and data["token"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['token']}")
    assert token_client.get("/api/seller/store").status_code == 403  # authenticated (a buyer), not 401


def test_our_own_page_with_the_csrf_token_gets_a_session(attacker):
    browser = _browser()
    browser.get("/login/")  # sets the CSRF cookie, as any of our pages does
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        "/api/auth/login",
        {"email": "penyerang@contoh.id", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="http://testserver",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200 and response.json()["data"]["token"]
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert browser.get("/pesanan/").status_code == 200


def test_same_site_token_but_foreign_origin_gets_no_session(attacker):
    browser = _browser()
    browser.get("/login/")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        "/api/auth/login",
        {"email": "penyerang@contoh.id", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="https://evil.example",
        HTTP_X_CSRFTOKEN=token,
    )
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_session_logout_needs_the_csrf_token(attacker):
    browser = _browser()
    browser.get("/login/")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    browser.post(
        "/api/auth/login",
        {"email": "penyerang@contoh.id", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="http://testserver",
        HTTP_X_CSRFTOKEN=token,
    )
    # A cross-site post cannot sign the visitor out either.
    assert browser.post("/api/auth/logout", HTTP_ORIGIN="https://evil.example").status_code == 403
    assert browser.get("/pesanan/").status_code == 200
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value  # rotated at login
    response = browser.post("/api/auth/logout", HTTP_ORIGIN="http://testserver", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert browser.get("/pesanan/").status_code == 302
