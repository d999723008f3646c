"""Phone numbers are taken as people type them ("0812-3456-7890", "+62 812 3456 7890") and
stored as digits, in every form and API field; what is not a number is refused in the
reader's language."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import PASSWORD
from tokoblitar.phones import phone_normalize

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("(0342) 801.234", "0342801234"),
        ("0812\u00a03456\u00a07890", "081234567890"),  # NBSP from a pasted contact
    ],
)
def test_profile_page_takes_the_number_as_typed(buyer, typed, stored):
    client = Client()
    assert client.login(email=buyer.email, password=PASSWORD)
    response = client.post("/akun/profil/", {"full_name": "Siti Aminah", "phone": typed})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.phone == stored == phone_normalize(typed)


def test_api_register_takes_the_number_as_typed_and_refuses_letters_in_the_asked_language(api_client):
    body = {"email": "rina@contoh.id", "password": PASSWORD, "full_name": "Rina", "role": "buyer"}
    ok = api_client.post("/api/auth/register", {**body, "phone": "0812-3456-7890"}, format="json")
    assert ok.status_code == 201, ok.json()
    bad = api_client.post(
        "/api/auth/register",
        {**body, "email": "rina2@contoh.id", "phone": "0812-abc"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert bad.status_code == 400
    assert bad.json()["meta"]["fields"]["phone"] == ["8–15 angka, boleh diawali +"]
