"""`POST|GET /api/seller/instagram/post`: the envelope, outcomes on rows, 4xx with nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from instagram import clock
from instagram.models import InstagramPost
from instagram.serializers import InstagramPostSerializer
from instagram.tests.helpers import configure, connect, enable, queued, run
from storefront.tests.factories import add_product

pytestmark = pytest.mark.django_db
URL = "/api/seller/instagram/post"


@pytest.fixture
def product(seller):
    enable(seller.store)
    return add_product(seller.store, name="Sambal Pecel Bu Sri", price=15_000)


def test_post_creates_a_draft_with_the_generated_caption(seller_client, product):
    response = seller_client.post(URL, {"product_id": str(product.pk)}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["error"] is None and body["meta"] == {}
    data = body["data"]
    assert data["status"] == "draft" and data["product_id"] == str(product.pk)
    assert data["product_name"] == "Sambal Pecel Bu Sri" and "Rp15.000" in data["caption"]
    assert InstagramPost.objects.get().pk.hex == data["id"].replace("-", "")


def test_post_scheduled_then_published_in_the_background(seller, seller_client, product):
    connect(seller)
    when = (clock.now() + timedelta(hours=3)).isoformat()
    response = seller_client.post(
        URL, {"product_id": str(product.pk), "caption": "Sambal pecel! #UMKMBlitar", "schedule_at": when}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["status"] == "scheduled"
    post = InstagramPost.objects.get()
    assert post.caption == "Sambal pecel! #UMKMBlitar" and len(queued()) == 1
    clock.advance(hours=3, seconds=10)
    configure(ready_after_seconds=0)
    assert run(post).status == "published"
    listed = seller_client.get(URL).json()
    assert listed["data"][0]["status"] == "published" and listed["data"][0]["media_id"]
    assert listed["meta"]["total"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"product_id": "not-a-uuid"},
        {"product_id": "{pid}", "schedule_at": "2020-01-01T10:00:00+07:00"},
        {"product_id": "{pid}", "schedule_at": "besok"},
        {"product_id": "{pid}", "caption": ""},
        {"product_id": "{pid}", "caption": "x" * 2201},
        {"product_id": "{pid}", "featured": True},
        {"product_id": "{pid}", "publish_now": True, "schedule_at": "2099-01-01T10:00:00+07:00"},
    ],
)
def test_bad_input_is_400_and_changes_nothing(seller_client, product, body):
    body = {k: (str(product.pk) if v == "{pid}" else v) for k, v in body.items()}
    response = seller_client.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["data"] is None and response.json()["error"]
    assert not InstagramPost.objects.exists() and queued() == []


def test_publish_without_a_connected_account_is_409(seller_client, product):
    response = seller_client.post(URL, {"product_id": str(product.pk), "publish_now": True}, format="json")
    assert response.status_code == 409 and response.json()["meta"]["code"] == "instagram_not_connected"
    assert not InstagramPost.objects.exists()


def test_another_stores_product_is_404_and_lists_are_per_store(
    seller_client, other_seller_client, other_seller, product
):
    enable(other_seller.store)
    response = other_seller_client.post(URL, {"product_id": str(product.pk)}, format="json")
    assert response.status_code == 404 and not InstagramPost.objects.exists()
    seller_client.post(URL, {"product_id": str(product.pk)}, format="json")
    assert other_seller_client.get(URL).json()["data"] == []
    assert len(seller_client.get(URL).json()["data"]) == 1


def test_switch_off_is_403(seller, seller_client, product):
    enable(seller.store, on=False)
    response = seller_client.post(URL, {"product_id": str(product.pk)}, format="json")
    assert response.status_code == 403 and response.json()["meta"]["code"] == "feature_disabled"


def test_buyers_and_anonymous_are_refused(buyer_client, api_client, product):
    assert buyer_client.post(URL, {"product_id": str(product.pk)}, format="json").status_code == 403
    assert api_client.get(URL).status_code in (401, 403)
    assert not InstagramPost.objects.exists()


def test_serializer_is_the_tool_contract(product):
    ok = InstagramPostSerializer(data={"product_id": str(product.pk), "caption": None})
    assert ok.is_valid(), ok.errors
    assert ok.validated_data["caption"] is None and ok.validated_data["publish_now"] is False
    naive = InstagramPostSerializer(data={"product_id": str(product.pk), "schedule_at": "2099-05-01T09:00:00"})
    assert naive.is_valid() and naive.validated_data["schedule_at"].utcoffset() == timedelta(hours=7)


def test_crlf_line_breaks_count_once_as_on_instagram(seller_client, product):
    # 2,199 characters as Instagram counts them; 2,418 with CRLF line breaks.
    caption = "\r\n".join(["aaaaaaaaa"] * 220)
    response = seller_client.post(URL, {"product_id": str(product.pk), "caption": caption}, format="json")
    assert response.status_code == 201, response.json()
    stored = InstagramPost.objects.get().caption
    assert "\r" not in stored and len(stored) == 2199 and response.json()["data"]["caption"] == stored


def test_own_reasons_are_worded_in_the_requests_language(seller_client, product):
    post = InstagramPost.objects.create(
        store=product.store, product=product, caption="x", status="on_hold", error_code="disconnected"
    )
    body = seller_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["data"][0]["id"] == str(post.pk) and body["data"][0]["status"] == "on_hold"
    assert body["data"][0]["error_message"].startswith("Instagram is disconnected")
