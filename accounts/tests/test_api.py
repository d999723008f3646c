import pytest
from django.test import override_settings

from accounts.models import User
from conftest import PASSWORD, make_user
from stores.models import Store

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    body = {"email": "sari@contoh.id", "password": PASSWORD, "full_name": "Sari Wulandari", "role": "buyer"}
    body.update(overrides)
    return client.post("/api/auth/register", body, format="json")


def test_register_buyer_answers_user_id_in_envelope(api_client):
    response = register(api_client)
    assert response.status_code == 201
    body = response.json()
    assert body["error"] is None and body["meta"] == {}
    user = User.objects.get(pk=body["data"]["user_id"])
    assert user.role == "buyer" and user.full_name == "Sari Wulandari"
    assert not Store.objects.filter(owner=user).exists()


def test_register_seller_gets_open_store_with_unique_slug(api_client):
    first = register(api_client, email="a@contoh.id", role="seller", full_name="Budi Santoso")
    second = register(api_client, email="b@contoh.id", role="seller", full_name="Budi Santoso")
    stores = Store.objects.filter(owner__email__in=["a@contoh.id", "b@contoh.id"]).order_by("created_at")
    assert first.status_code == second.status_code == 201
    assert [s.slug for s in stores] == ["toko-budi-santoso", "toko-budi-santoso-2"]
    assert all(s.is_active and s.name == "Toko Budi Santoso" for s in stores)


def test_duplicate_email_is_400_case_insensitive(api_client):
    register(api_client)
    response = register(api_client, email="SARI@contoh.id")
    assert response.status_code == 400
    assert "email" in response.json()["meta"]["fields"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"role": "admin"}, "role"),
        ({"email": "bukan-email"}, "email"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_register_bad_input_is_400_with_fields(api_client, overrides, field):
    response = register(api_client, **overrides)
    assert response.status_code == 400
    assert field in response.json()["meta"]["fields"]
    assert User.objects.count() == 0


def test_login_answers_token_and_session_and_token_authenticates(api_client):
    user = make_user("seller", email="toko@contoh.id")
    response = api_client.post("/api/auth/login", {"email": "TOKO@contoh.id", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["user_id"] == str(user.id) and data["role"] == "seller" and data["token"]
    assert "sessionid" in response.cookies

    from rest_framework.test import APIClient

    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['token']}")
    assert token_client.post("/api/auth/logout").status_code == 200
    # The token is revoked by logout.
    assert token_client.post("/api/auth/logout").status_code == 401


def test_login_wrong_password_is_401(api_client):
    make_user("buyer", email="x@contoh.id")
    response = api_client.post("/api/auth/login", {"email": "x@contoh.id", "password": "salah-sekali"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "Wrong email or password"


def test_logout_requires_login(api_client):
    response = api_client.post("/api/auth/logout")
    assert response.status_code == 401
    # The envelope carries the stable machine code of every error (issue 10: meta.code).
    assert response.json() == {"data": None, "error": response.json()["error"], "meta": {"code": "not_authenticated"}}


def test_session_writes_require_csrf():
    from django.test import Client

    make_user("buyer", email="c@contoh.id")
    client = Client(enforce_csrf_checks=True)
    client.login(username="c@contoh.id", password=PASSWORD)
    response = client.post("/api/auth/logout")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]


def test_createsuperuser_makes_admin_role():
    user = User.objects.create_superuser(email="boss@contoh.id", password=PASSWORD, full_name="Boss")
    assert user.role == "admin" and user.is_staff


@override_settings(DEBUG=False)
def test_debug_off_refuses_default_secret_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import tokoblitar.settings as settings_module

    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "dev-only-insecure-key-change-me")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:1/x")
    with pytest.raises(ImproperlyConfigured):
        importlib.reload(settings_module)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    reloaded = importlib.reload(settings_module)
    assert reloaded.SESSION_COOKIE_SECURE and reloaded.SECURE_HSTS_SECONDS > 0
    monkeypatch.undo()
    importlib.reload(settings_module)
