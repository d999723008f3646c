"""Faults found in the new-user trial of the sales channels, one test (at least) each:
consent parameters of every platform, seller stock edits and archive/delete reaching the
platforms, channel orders for products not for sale, attention actions with translated
reasons, bad form input, a refused consent, refusals that say why, callback host."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from catalog.models import Product
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.services import get_channel, marketplace_connect, simulator_order, sync_products
from marketplace.tests.helpers import product_with_image, run_queued, seller_with_flag

pytestmark = pytest.mark.django_db

PLATFORMS = ["shopee", "lazada", "tokopedia"]


def browser_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def connect(seller, platform):
    consent = get_channel(platform).simulate_consent(shop_name=f"Toko {platform}")
    params = {k: v for k, v in consent.items() if k != "code"}
    return marketplace_connect(actor=seller, platform=platform, code=consent["code"], params=params)


def consent_via_pages(client: Client, platform: str, decision: str = "allow", **extra):
    start = client.post(f"/dashboard/marketplace/hubungkan/{platform}/", **extra)
    assert start.status_code == 302, start
    consent_url = start["Location"]
    page = client.get(consent_url, **extra)
    assert page.status_code == 200, (platform, page.status_code, page.content[:500])
    assert "Izinkan" in page.content.decode()
    # What the browser posts: the page's own hidden fields, to the same address.
    import re

    hidden = dict(re.findall(r'<input type="hidden" name="(redirect)" value="([^"]*)"', page.content.decode()))
    hidden = {k: v.replace("&amp;", "&") for k, v in hidden.items()}
    answer = client.post(consent_url, {**hidden, "decision": decision}, **extra)
    assert answer.status_code == 302, (platform, answer.status_code)
    return answer["Location"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hubungkan_works_for_every_platform(platform):
    seller = seller_with_flag()
    client = browser_for(seller)
    callback = consent_via_pages(client, platform)
    assert "state" in parse_qs(urlsplit(callback).query) and "code" in parse_qs(urlsplit(callback).query)
    done = client.get(callback, follow=True)
    assert "Terhubung ke" in done.content.decode()
    connection = MarketplaceConnection.objects.get(store=seller.store, platform=platform)
    assert connection.status == "connected"
    # The shop is named after the store, not "Store (Platform)".
    assert connection.shop_name == seller.store.name


@pytest.mark.parametrize("platform", ["shopee", "lazada"])
def test_refusing_consent_says_permission_was_refused(platform):
    seller = seller_with_flag()
    client = browser_for(seller)
    callback = consent_via_pages(client, platform, decision="deny")
    body = client.get(callback, follow=True).content.decode()
    assert "izin tidak diberikan" in body
    assert "Wajib diisi" not in body
    assert not MarketplaceConnection.objects.exists()


def test_replayed_callback_and_foreign_return_say_why_without_traceback(caplog):
    seller = seller_with_flag()
    client = browser_for(seller)
    callback = consent_via_pages(client, "shopee")
    assert client.get(callback).status_code == 302
    with caplog.at_level(logging.INFO):
        replay = client.get(callback)
        foreign = client.get(
            "/dashboard/marketplace/simulator/lazada/authorize?redirect_uri=https://evil.example/cb&state=x"
        )
    assert replay.status_code == 403 and "tidak cocok dengan sesi ini" in replay.content.decode()
    assert foreign.status_code == 403 and "Alamat kembali tidak dikenal" in foreign.content.decode()
    assert not any(r.exc_info for r in caplog.records)


def test_callback_is_built_on_the_host_the_seller_uses():
    seller = seller_with_flag()
    client = browser_for(seller, HTTP_HOST="127.0.0.1:8000")
    start = client.post("/dashboard/marketplace/hubungkan/lazada/", HTTP_HOST="127.0.0.1:8000")
    redirect_uri = parse_qs(urlsplit(start["Location"]).query)["redirect_uri"][0]
    assert redirect_uri.startswith("http://127.0.0.1:8000/dashboard/marketplace/callback/lazada/")


@pytest.mark.parametrize("value", ["", "not-a-uuid", "   "])
def test_simulated_order_with_bad_product_id_is_a_clear_message(value):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=3)
    connect(seller, "shopee")
    sync_products(actor=seller, platform="shopee", product_ids=[])
    client = browser_for(seller)
    page = client.post("/dashboard/marketplace/simulasi-pesanan/shopee/", {"product_id": value}, follow=True)
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode() or "alert" in page.content.decode()
    assert Product.objects.get(pk=product.pk).stock == 3 and not ChannelOrder.objects.exists()
    sync = client.post("/dashboard/marketplace/sinkron/shopee/", {"product_id": value or "x"})
    assert sync.status_code == 302
    bad_action = client.post(f"/dashboard/marketplace/pesanan/{value or 'x'}/resolve/")
    assert bad_action.status_code in (302, 404)


def _listed_everywhere(seller, stock=5):
    product = product_with_image(seller.store, stock=stock)
    for platform in PLATFORMS:
        connect(seller, platform)
        assert sync_products(actor=seller, platform=platform, product_ids=[])["failed"] == 0
    return product


def _pushed(product):
    return {x.platform: x.pushed_stock for x in MarketplaceListing.objects.filter(product=product)}


def test_seller_stock_edit_through_the_api_reaches_every_platform(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = _listed_everywhere(seller, stock=5)
    client = browser_for(seller)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.patch(f"/api/seller/products/{product.pk}", {"stock": 12}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    with django_capture_on_commit_callbacks(execute=True):
        [counts] = run_queued("stock_push_task")
    assert counts["pushed"] == 3
    assert _pushed(product) == {"shopee": 12, "lazada": 12, "tokopedia": 12}


@pytest.mark.parametrize("how", ["archive", "draft", "delete"])
def test_product_off_sale_is_emptied_on_platforms_and_orders_take_no_stock(how, django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = _listed_everywhere(seller, stock=5)
    client = browser_for(seller)
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete":
            answer = client.delete(f"/api/seller/products/{product.pk}")
        else:
            status = "archived" if how == "archive" else "draft"
            answer = client.patch(
                f"/api/seller/products/{product.pk}", {"status": status}, content_type="application/json"
            )
    assert answer.status_code in (200, 204), answer.content
    with django_capture_on_commit_callbacks(execute=True):
        run_queued("stock_push_task")
    assert _pushed(product) == {"shopee": 0, "lazada": 0, "tokopedia": 0}
    assert set(MarketplaceListing.objects.filter(product=product).values_list("status", flat=True)) == {"unlisted"}

    # An order that still arrives from a platform takes nothing and asks the seller.
    channel = get_channel("shopee")
    connection = MarketplaceConnection.objects.get(store=seller.store, platform="shopee")
    listing = MarketplaceListing.objects.get(product=product, platform="shopee")
    from marketplace.services import channel_order_record

    data = _order_data(listing.external_id, str(product.pk))
    order, outcome = channel_order_record(connection=connection, data=data)
    assert outcome == "attention" and not order.stock_taken
    assert order.attention_code == "not_for_sale"
    assert Product.objects.get(pk=product.pk).stock == 5
    assert channel  # the simulator stays usable


def _order_data(external_id: str, sku: str, quantity: int = 1):
    from django.utils import timezone

    from marketplace.channels.base import ChannelOrderData, ChannelOrderLine

    return ChannelOrderData(
        external_order_id=f"T-{external_id}-{quantity}",
        status="READY_TO_SHIP",
        buyer_name="Pembeli",
        total=25_000 * quantity,
        created_at=timezone.now(),
        lines=[ChannelOrderLine(external_id=external_id, sku=sku, quantity=quantity, unit_price=25_000)],
    )


def test_attention_order_can_be_retried_after_restock_or_resolved_and_reads_in_page_language():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=1)
    connect(seller, "shopee")
    sync_products(actor=seller, platform="shopee", product_ids=[])
    connection = MarketplaceConnection.objects.get(store=seller.store, platform="shopee")
    listing = MarketplaceListing.objects.get(product=product)
    from marketplace.services import channel_order_record

    short, outcome = channel_order_record(connection=connection, data=_order_data(listing.external_id, "", 3))
    assert outcome == "attention" and short.attention_code == "not_enough_stock"
    client = browser_for(seller)
    page = client.get("/dashboard/marketplace/").content.decode()
    assert "Stok tidak cukup" in page and 'data-testid="order-retry"' in page
    english = client.get("/dashboard/marketplace/", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    english = client.get("/dashboard/marketplace/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not enough stock" in english
    client.cookies.pop("django_language")

    # Retry while still short: stays attention, nothing taken.
    client.post(f"/dashboard/marketplace/pesanan/{short.pk}/retry/")
    assert ChannelOrder.objects.get(pk=short.pk).state == "attention"
    Product.objects.filter(pk=product.pk).update(stock=4)
    done = client.post(f"/dashboard/marketplace/pesanan/{short.pk}/retry/", follow=True)
    assert "sudah diambil" in done.content.decode()
    short.refresh_from_db()
    assert short.state == "applied" and short.stock_taken
    assert Product.objects.get(pk=product.pk).stock == 1

    other, _ = channel_order_record(connection=connection, data=_order_data(listing.external_id, "", 5))
    assert other.state == "attention"
    client.post(f"/dashboard/marketplace/pesanan/{other.pk}/resolve/")
    other.refresh_from_db()
    assert other.state == "resolved" and not other.stock_taken
    assert Product.objects.get(pk=product.pk).stock == 1
    # Another store's seller cannot touch it.
    stranger = browser_for(seller_with_flag())
    assert stranger.post(f"/dashboard/marketplace/pesanan/{short.pk}/resolve/").status_code == 404


def test_page_controls_name_their_platform_and_ask_before_disconnecting():
    seller = seller_with_flag()
    product_with_image(seller.store, stock=2)
    for platform in PLATFORMS:
        connect(seller, platform)
        sync_products(actor=seller, platform=platform, product_ids=[])
    body = browser_for(seller).get("/dashboard/marketplace/").content.decode()
    assert 'aria-label="Sinkron semua produk ke Shopee"' in body
    assert body.count('data-confirm="Putuskan sambungan ke') == 3
    assert 'data-testid="product-actions"' in body


def test_simulated_order_button_waits_while_listing_is_in_review():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=2)
    connect(seller, "shopee")
    sync_products(actor=seller, platform="shopee", product_ids=[])
    MarketplaceListing.objects.filter(product=product).update(status="pending_review")
    body = browser_for(seller).get("/dashboard/marketplace/").content.decode()
    assert 'data-testid="simulate-wait-shopee"' in body and 'data-testid="simulate-order-shopee"' not in body
    assert simulator_order  # the service stays importable for the button's route


def test_reconnecting_gives_the_same_shop_and_listings_keep_working():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    client = browser_for(seller)
    client.get(consent_via_pages(client, "shopee"))
    first = MarketplaceConnection.objects.get(store=seller.store).shop_id
    sync_products(actor=seller, platform="shopee", product_ids=[])
    client.post("/dashboard/marketplace/putuskan/shopee/")
    client.get(consent_via_pages(client, "shopee"))
    assert MarketplaceConnection.objects.get(store=seller.store).shop_id == first
    assert sync_products(actor=seller, platform="shopee", product_ids=[str(product.pk)]) == {
        "synced": 1,
        "failed": 0,
        "queued": 0,
    }


def test_another_shop_or_a_vanished_item_makes_the_listing_again():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    connect(seller, "shopee")
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    old_item = listing.external_id

    # The item vanished on the platform: an update re-creates it instead of failing forever.
    get_channel("shopee").platform_side.state.delete("item", old_item)
    assert sync_products(actor=seller, platform="shopee", product_ids=[])["synced"] == 1
    listing.refresh_from_db()
    assert listing.external_id and listing.external_id != old_item and listing.status == "live"

    # Reconnected to ANOTHER shop: listings of the old shop are made again in the new one.
    consent = get_channel("shopee").simulate_consent(shop_name="Toko Lain", seller_key="other-login")
    marketplace_connect(actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]})
    listing.refresh_from_db()
    assert listing.external_id == "" and listing.status == "pending"
    assert sync_products(actor=seller, platform="shopee", product_ids=[])["synced"] == 1
    listing.refresh_from_db()
    item = get_channel("shopee").platform_side.item(listing.external_id)
    assert item["shop_id"] == consent["shop_id"]


@pytest.mark.parametrize("platform", ["lazada", "tokopedia"])
def test_listing_in_review_stays_in_review_until_the_platform_passes_it(platform):
    from marketplace.services import listings_review_poll

    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    connection = connect(seller, platform)
    sync_products(actor=seller, platform=platform, product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    assert listing.status == "pending_review"
    # A second sync (an update) while QC/audit still runs must not claim "live".
    sync_products(actor=seller, platform=platform, product_ids=[])
    listing.refresh_from_db()
    assert listing.status == "pending_review"
    page = browser_for(seller).get("/dashboard/marketplace/").content.decode()
    assert f'data-testid="simulate-wait-{platform}"' in page

    # The platform passes it: the next poll records it.
    sim = get_channel(platform).sim
    kind, stamp = ("item", "created") if platform == "lazada" else ("product", "submitted")
    row = sim.state.get(kind, listing.external_id)
    row[stamp] -= 3600
    sim.state.put(kind, listing.external_id, row)
    assert listings_review_poll(connection=connection) == 0
    listing.refresh_from_db()
    assert listing.status == "live"
    page = browser_for(seller).get("/dashboard/marketplace/").content.decode()
    assert f'data-testid="simulate-order-{platform}"' in page


def test_suspended_store_empties_its_listings_and_restore_brings_stock_back(django_capture_on_commit_callbacks):
    from conftest import make_admin
    from curation.services import store_restore, store_suspend

    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=6)
    connect(seller, "shopee")
    sync_products(actor=seller, platform="shopee", product_ids=[])
    admin = make_admin()
    with django_capture_on_commit_callbacks(execute=True):
        store_suspend(store=seller.store, reason="Cek dokumen", actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued("stock_push_task")
    assert _pushed(product) == {"shopee": 0}
    with django_capture_on_commit_callbacks(execute=True):
        store_restore(store=seller.store, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued("stock_push_task")
    assert _pushed(product) == {"shopee": 6}
    assert MarketplaceListing.objects.get(product=product).status == "live"
