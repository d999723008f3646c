"""Profile (name, phone) and password change pages, and the services behind them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from knox.models import AuthToken

from accounts.services import user_change_password, user_issue_token, user_profile_update
from conftest import PASSWORD, client_for
from tokoblitar.errors import ValidationFailed

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sambal-Pecel-2026"


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_profile_edit_saves_name_and_phone(buyer):
    client = _signed_in(buyer)
    response = client.post("/akun/profil/", {"full_name": "Siti Aminah", "phone": "+6281234567890"})
    assert response.status_code == 302 and response["Location"] == "/akun/"
    buyer.refresh_from_db()
    assert (buyer.full_name, buyer.phone) == ("Siti Aminah", "+6281234567890")
    assert "Siti Aminah" in client.get("/akun/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "", "phone": "081234567890"},
        {"full_name": "S", "phone": ""},
        {"full_name": "Siti Aminah", "phone": "0812-abc"},
        {"full_name": "x" * 151, "phone": ""},
    ],
)
def test_invalid_profile_is_refused_and_nothing_changes(buyer, data):
    before = (buyer.full_name, buyer.phone)
    response = _signed_in(buyer).post("/akun/profil/", data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    buyer.refresh_from_db()
    assert (buyer.full_name, buyer.phone) == before


def test_profile_service_refuses_what_the_form_would(buyer):
    with pytest.raises(ValidationFailed) as exc:
        user_profile_update(actor=buyer, full_name=" ", phone="12")
    assert exc.value.code == "invalid_profile"
    assert set(exc.value.fields) == {"full_name", "phone"}


def test_profile_pages_need_sign_in(client):
    for path in ("/akun/profil/", "/akun/kata-sandi/", "/akun/hapus/", "/akun/data-saya/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_password_change_keeps_this_session_ends_others_and_revokes_tokens(buyer):
    this_browser, other_browser = _signed_in(buyer), _signed_in(buyer)
    api = client_for(buyer)
    user_issue_token(user=buyer)
    assert api.get("/api/account/export").status_code == 200
    assert AuthToken.objects.filter(user=buyer).count() == 2

    response = this_browser.post(
        "/akun/kata-sandi/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/akun/"

    assert this_browser.get("/akun/").status_code == 200
    ended = other_browser.get("/akun/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert AuthToken.objects.filter(user=buyer).count() == 0
    assert api.get("/api/account/export").status_code == 401
    buyer.refresh_from_db()
    assert buyer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"old_password": "salah-sekali", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}, "old"),
        ({"old_password": PASSWORD, "new_password": "12345678", "new_password_again": "12345678"}, "weak"),
        ({"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "x"}, "again"),
    ],
)
def test_password_change_refusals_change_nothing(buyer, data, field):
    token_count = AuthToken.objects.filter(user=buyer).count()
    client = _signed_in(buyer)
    response = client.post("/akun/kata-sandi/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "errorlist" in body
    if field == "old":
        assert "Kata sandi sekarang salah" in body
    buyer.refresh_from_db()
    assert buyer.check_password(PASSWORD)
    assert AuthToken.objects.filter(user=buyer).count() == token_count
    assert client.get("/akun/").status_code == 200


def test_password_change_service_codes(buyer):
    with pytest.raises(ValidationFailed) as wrong:
        user_change_password(actor=buyer, old_password="bukan", new_password=NEW_PASSWORD)
    assert wrong.value.code == "wrong_password"
    with pytest.raises(ValidationFailed) as weak:
        user_change_password(actor=buyer, old_password=PASSWORD, new_password="password")
    assert weak.value.code == "weak_password"


def test_wrong_current_passwords_are_rate_limited(buyer, settings):
    settings.RATELIMIT_AUTH = "3/m"
    client = _signed_in(buyer)
    data = {"old_password": "tebak", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    for _ in range(3):
        assert client.post("/akun/kata-sandi/", data).status_code == 400
    assert client.post("/akun/kata-sandi/", data).status_code == 429


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("id", ["Ubah profil", "Nama lengkap", "Simpan profil"], ["Edit profile"]),
        ("en", ["Edit profile", "Full name", "Save profile"], ["Ubah profil", "Simpan profil"]),
    ],
)
def test_profile_page_speaks_one_language(buyer, language, expected, absent):
    client = _signed_in(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get("/akun/profil/").content.decode()
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body


@pytest.mark.parametrize(
    ("path", "indonesian", "english"),
    [
        ("/akun/kata-sandi/", ["Ganti kata sandi", "Kata sandi sekarang"], ["Change password", "Current password"]),
        ("/akun/hapus/", ["Hapus akun saya", "Kata sandi Anda"], ["Delete my account", "Your password"]),
        ("/akun/", ["Profil dan keamanan", "Unduh data saya"], ["Profile and security", "Download my data"]),
        ("/akun/lupa-kata-sandi/", ["Lupa kata sandi", "Kirim tautan"], ["Forgot password", "Send link"]),
    ],
)
def test_account_pages_in_indonesian_and_english(buyer, path, indonesian, english):
    client = _signed_in(buyer)
    body = client.get(path).content.decode()
    assert all(text in body for text in indonesian), path
    assert not any(text in body for text in english), path
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(path).content.decode()
    assert all(text in body for text in english), path
    assert not any(text in body for text in indonesian), path
