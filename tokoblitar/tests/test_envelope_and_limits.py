import pytest
from django.test import override_settings

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_unknown_api_route_is_json_404(api_client):
    response = api_client.get("/api/nope")
    assert response.status_code == 404
    assert response.json() == {"data": None, "error": "Not found", "meta": {}}


def test_wrong_method_is_405_envelope(api_client):
    response = api_client.get("/api/auth/login")
    assert response.status_code == 405
    assert response.json()["data"] is None and response.json()["error"]


def test_malformed_json_is_400(api_client):
    response = api_client.post("/api/auth/register", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed request body")


def test_wrong_content_type_is_400(api_client):
    response = api_client.post("/api/auth/register", data="email=x", content_type="text/plain")
    assert response.status_code == 400
    assert "content type" in response.json()["error"]


def test_body_over_one_megabyte_is_400(api_client):
    big = '{"email": "a@b.id", "full_name": "' + "x" * (1024 * 1024 + 10) + '"}'
    response = api_client.post("/api/auth/register", data=big, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["error"]


def test_wrong_types_are_400_with_fields(api_client):
    response = api_client.post(
        "/api/auth/register",
        {"email": ["a"], "password": {"x": 1}, "full_name": 5, "role": "buyer"},
        format="json",
    )
    assert response.status_code == 400
    assert {"email", "password"} <= set(response.json()["meta"]["fields"])


def test_openapi_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/auth/register" in schema.content.decode()
    assert api_client.get("/api/docs").status_code == 200


@override_settings(RATELIMIT_DEFAULT="5/m")
def test_rate_limit_answers_429_envelope_with_retry_after(api_client):
    codes = [api_client.get("/api/nope").status_code for _ in range(6)]
    assert codes[:5] == [404] * 5 and codes[5] == 429
    response = api_client.get("/api/nope")
    assert response.json() == {"data": None, "error": "Too many requests", "meta": {}}
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(RATELIMIT_DEFAULT="3/m")
def test_spoofed_forwarded_for_from_untrusted_peer_is_still_limited(api_client):
    codes = [
        api_client.get("/api/nope", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(5)
    ]
    assert codes.count(429) == 2


@override_settings(RATELIMIT_DEFAULT="3/m", TRUSTED_PROXIES=["10.1.0.0/16"])
def test_trusted_proxy_limits_each_forwarded_client_on_its_own(api_client):
    def hit(client_addr: str) -> int:
        return api_client.get(
            "/api/nope", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_addr}, 10.1.9.9"
        ).status_code

    assert [hit("198.51.100.1") for _ in range(4)] == [404, 404, 404, 429]
    # Another client behind the same proxy has its own bucket; the spoofed left-most hop is ignored.
    assert hit("198.51.100.2") == 404


@override_settings(RATELIMIT_AUTH="2/m")
def test_login_has_a_tighter_bucket(api_client):
    body = {"email": "x@contoh.id", "password": PASSWORD}
    codes = [api_client.post("/api/auth/login", body, format="json").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    # The general bucket is separate.
    assert api_client.get("/api/nope").status_code == 404


@override_settings(RATELIMIT_ENABLE=False, RATELIMIT_DEFAULT="1/m")
def test_rate_limit_can_be_switched_off(api_client):
    assert {api_client.get("/api/nope").status_code for _ in range(3)} == {404}
