"""Password reset from the login page: Django's token views with our pages and emails."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from knox.models import AuthToken

from accounts.models import User
from accounts.services import user_issue_token
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sambal-Pecel-2026"
RESET_URL = "/akun/lupa-kata-sandi/"


def _reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/akun/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_login_page_links_to_the_reset_page(client):
    body = client.get("/login/").content.decode()
    assert f'href="{RESET_URL}"' in body
    assert "Lupa kata sandi?" in body


def test_reset_end_to_end_email_link_new_password_login(client):
    user = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    token = user_issue_token(user=user)

    response = client.post(RESET_URL, {"email": "Siti@Contoh.id"})
    assert response.status_code == 302
    assert response["Location"] == "/akun/lupa-kata-sandi/terkirim/"
    assert "Cek email Anda" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@contoh.id"]
    assert message.subject == "Atur ulang kata sandi TokoBLITAR"
    assert "Halo Siti Aminah," in message.body
    assert message.body.count(settings.SITE_URL.rstrip("/") + "/akun/reset/") == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Buat kata sandi baru" in html

    # Django swaps the token in the link for a session-held one and redirects to set-password.
    form_page = client.get(_reset_link(message), follow=True)
    assert form_page.status_code == 200
    assert "Buat kata sandi baru" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/akun/reset/selesai/"
    assert "Kata sandi diganti" in client.get(done["Location"]).content.decode()

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not AuthToken.objects.filter(user=user).exists()  # the old API token is revoked
    assert token  # (it existed before)

    # The old password no longer signs in, the new one does.
    assert client.post("/login/", {"username": "siti@contoh.id", "password": PASSWORD}).status_code == 400
    signed_in = client.post("/login/", {"username": "siti@contoh.id", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/akun/").status_code == 200

    # The link works once.
    again = client.get(_reset_link(message), follow=True)
    assert "Tautan ini tidak berlaku lagi" in again.content.decode()


def test_unknown_email_gets_the_same_answer_and_no_email(client):
    make_user("buyer", email="siti@contoh.id")
    known = client.post(RESET_URL, {"email": "siti@contoh.id"})
    unknown = client.post(RESET_URL, {"email": "tidak-ada@contoh.id"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["siti@contoh.id"]]


def test_inactive_account_gets_no_email(client):
    user = make_user("buyer", email="siti@contoh.id")
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post(RESET_URL, {"email": "siti@contoh.id"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_email_speaks_the_language_of_the_page(client):
    make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(RESET_URL).content.decode()
    assert "Forgot password" in page and "Lupa kata sandi" not in page
    client.post(RESET_URL, {"email": "siti@contoh.id"})
    message = mail.outbox[0]
    assert message.subject == "Reset your TokoBLITAR password"
    assert "Hello Siti Aminah," in message.body
    assert "Halo" not in message.body


def test_weak_new_password_is_refused_and_nothing_changes(client):
    user = make_user("buyer", email="siti@contoh.id")
    client.post(RESET_URL, {"email": "siti@contoh.id"})
    form_page = client.get(_reset_link(mail.outbox[0]), follow=True)
    refused = client.post(form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    assert refused.status_code == 400
    assert "errorlist" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_requests_are_rate_limited_per_visitor(client, settings):
    settings.RATELIMIT_AUTH = "3/m"
    for _ in range(3):
        assert client.post(RESET_URL, {"email": "siapa@contoh.id"}).status_code == 302
    limited = client.post(RESET_URL, {"email": "siapa@contoh.id"})
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")


def test_one_address_gets_at_most_three_emails_an_hour_with_the_same_answer(client):
    make_user("buyer", email="siti@contoh.id")
    answers = set()
    for n in range(5):
        # A different visitor each time (the per-visitor limit is not what is tested here).
        response = client.post(RESET_URL, {"email": "siti@contoh.id"}, REMOTE_ADDR=f"10.0.0.{n + 1}")
        answers.add((response.status_code, response["Location"]))
    assert answers == {(302, "/akun/lupa-kata-sandi/terkirim/")}
    assert len(mail.outbox) == 3
