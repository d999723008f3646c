"""Dashboard marketplace page: OAuth state bound to the session, simulator consent, sync and a
simulated order, in both languages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from catalog.models import Product
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.tests.helpers import product_with_image, seller_with_flag

pytestmark = pytest.mark.django_db


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start_and_consent(client: Client) -> str:
    """Hubungkan -> simulator consent -> Izinkan; the callback URL the platform sends back."""
    start = client.post("/dashboard/marketplace/hubungkan/shopee/")
    assert start.status_code == 302
    consent_url = start["Location"]
    assert consent_url.startswith("/dashboard/marketplace/simulator/shopee/authorize?")
    page = client.get(consent_url)
    assert page.status_code == 200 and "Izinkan" in page.content.decode()
    redirect = parse_qs(urlsplit(consent_url).query)["redirect"][0]
    allowed = client.post(consent_url, {"redirect": redirect, "decision": "allow"})
    assert allowed.status_code == 302
    return allowed["Location"]


def test_connect_through_simulator_consent_then_sync_and_simulated_order():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=3)
    client = browser_for(seller)
    callback = start_and_consent(client)
    query = parse_qs(urlsplit(callback).query)
    assert {"code", "shop_id", "state"} <= set(query)
    done = client.get(urlsplit(callback).path + "?" + urlsplit(callback).query, follow=True)
    assert "Terhubung ke Shopee" in done.content.decode()
    assert MarketplaceConnection.objects.get(store=seller.store).status == "connected"

    client.post("/dashboard/marketplace/sinkron/shopee/")
    assert MarketplaceListing.objects.get(product=product).status == "live"
    page = client.post("/dashboard/marketplace/simulasi-pesanan/shopee/", {"product_id": str(product.pk)}, follow=True)
    assert "stok berkurang" in page.content.decode()
    assert Product.objects.get(pk=product.pk).stock == 2
    assert ChannelOrder.objects.get().state == "applied"
    assert 'data-testid="channel-order"' in page.content.decode()


def test_callback_with_another_state_is_refused():
    seller = seller_with_flag()
    client = browser_for(seller)
    callback = start_and_consent(client)
    query = parse_qs(urlsplit(callback).query)
    forged = f"{urlsplit(callback).path}?code={query['code'][0]}&shop_id={query['shop_id'][0]}&state=planted"
    assert client.get(forged).status_code == 403
    # A callback with no state started in this session (another site's link) is refused too.
    other = browser_for(seller_with_flag())
    assert other.get(callback).status_code == 403
    assert not MarketplaceConnection.objects.exists()


def test_state_is_single_use():
    seller = seller_with_flag()
    client = browser_for(seller)
    callback = start_and_consent(client)
    assert client.get(callback).status_code == 302
    assert client.get(callback).status_code == 403


def test_consent_page_refuses_foreign_redirect():
    seller = seller_with_flag()
    client = browser_for(seller)
    url = "/dashboard/marketplace/simulator/shopee/authorize?redirect=https://evil.example/cb"
    assert client.get(url).status_code == 403


def test_page_in_english_and_flag_off_notice():
    seller = seller_with_flag()
    client = browser_for(seller)
    client.cookies["django_language"] = "en"
    body = client.get("/dashboard/marketplace/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Connect" in body
    off = browser_for(seller_with_flag(enabled=False))
    assert 'data-testid="marketplace-off"' in off.get("/dashboard/marketplace/").content.decode()


def test_admin_pages_never_show_tokens():
    from conftest import make_admin
    from marketplace.tests.helpers import connect_shopee

    conn = connect_shopee(seller_with_flag())
    client = browser_for(make_admin())
    listing = client.get("/django-admin/marketplace/marketplaceconnection/")
    detail = client.get(f"/django-admin/marketplace/marketplaceconnection/{conn.pk}/change/")
    assert listing.status_code == 200 and detail.status_code == 200
    assert conn.access_token not in detail.content.decode() and conn.refresh_token not in detail.content.decode()
