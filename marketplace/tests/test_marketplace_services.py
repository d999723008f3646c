"""Connect, sync, stock pushes and channel orders against the Shopee simulator (database state)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db
from django.utils import timezone

from catalog.models import Product
from catalog.stock import publish_stock_changed
from marketplace.channels.base import ChannelError
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.services import (
    channel_order_record,
    connection_refresh,
    get_channel,
    marketplace_connect,
    marketplace_disconnect,
    simulator_order,
    sync_products,
    tokens_of,
)
from marketplace.tests.helpers import (
    connect_shopee,
    platform_item,
    product_with_image,
    queued,
    run_queued,
    seller_with_flag,
)
from marketplace.webhook import in_process_push_transport
from tokoblitar.errors import Conflict, FeatureDisabled, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_connect_stores_encrypted_tokens_and_code_is_single_use():
    seller = seller_with_flag()
    channel = get_channel("shopee")
    consent = channel.simulate_consent(shop_name="Sambal Bu Sri")
    conn = marketplace_connect(
        actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]}
    )
    assert conn.status == "connected" and conn.shop_name == "Sambal Bu Sri" and conn.shop_id == consent["shop_id"]
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM marketplace_marketplaceconnection WHERE id = %s", [conn.pk])
        raw = cursor.fetchone()[0]
    assert conn.access_token not in raw and ":" in raw
    before = MarketplaceConnection.objects.get(pk=conn.pk).access_token
    with pytest.raises(ValidationFailed) as err:
        marketplace_connect(
            actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]}
        )
    assert err.value.code == "invalid_code"
    assert MarketplaceConnection.objects.get(pk=conn.pk).access_token == before
    assert queued("connection_maintain_task") or True  # enqueued on commit (not run in this wrapper)


def test_flag_off_refuses_everything():
    seller = seller_with_flag(enabled=False)
    consent = get_channel("shopee").simulate_consent()
    with pytest.raises(FeatureDisabled):
        marketplace_connect(
            actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]}
        )
    with pytest.raises(FeatureDisabled):
        sync_products(actor=seller, platform="shopee", product_ids=[])
    assert not MarketplaceConnection.objects.exists()


def test_same_platform_shop_cannot_be_planted_in_two_stores():
    seller, other = seller_with_flag(), seller_with_flag()
    channel = get_channel("shopee")
    consent = channel.simulate_consent()
    marketplace_connect(actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]})
    second = channel.platform_side.state.get("shop", consent["shop_id"])
    assert second
    channel.platform_side.state.put("code", "again", {"shop_id": consent["shop_id"], "expires_at": 4e9})
    with pytest.raises(Conflict):
        marketplace_connect(actor=other, platform="shopee", code="again", params={"shop_id": consent["shop_id"]})
    assert not MarketplaceConnection.objects.filter(store=other.store).exists()


def test_sync_all_active_products_with_partial_failure():
    seller = seller_with_flag()
    store = seller.store
    good = product_with_image(store, stock=5)
    no_image = Product.objects.create(
        store=store, name="Tanpa Foto", slug="tanpa-foto", price=10000, stock=2, weight_gram=100, status="active"
    )
    product_with_image(store, stock=1, status=Product.Status.DRAFT)  # not active: not in "all"
    connect_shopee(seller)
    result = sync_products(actor=seller, platform="shopee", product_ids=[])
    assert result == {"synced": 1, "failed": 1, "queued": 0}
    listing = MarketplaceListing.objects.get(product=good, platform="shopee")
    assert listing.status == "live" and listing.external_id and listing.pushed_stock == 5
    item = platform_item(listing.external_id)
    assert item["stock"] == 5 and item["item_name"] == good.name and item["original_price"] == 25000
    assert item["weight"] == 0.25 and item["item_sku"] == str(good.pk)
    failed = MarketplaceListing.objects.get(product=no_image)
    assert failed.status == "failed" and "image" in failed.error_message
    # A second sync updates (same external id), never lists twice.
    Product.objects.filter(pk=good.pk).update(price=27000)
    assert sync_products(actor=seller, platform="shopee", product_ids=[str(good.pk)])["synced"] == 1
    assert MarketplaceListing.objects.get(pk=listing.pk).external_id == listing.external_id
    assert platform_item(listing.external_id)["original_price"] == 27000
    assert MarketplaceConnection.objects.get(store=store).last_sync_at is not None


def test_sync_refuses_another_stores_product_and_changes_nothing():
    seller, other = seller_with_flag(), seller_with_flag()
    mine = product_with_image(seller.store)
    theirs = product_with_image(other.store)
    connect_shopee(seller)
    with pytest.raises(NotFound):
        sync_products(actor=seller, platform="shopee", product_ids=[str(mine.pk), str(theirs.pk)])
    assert not MarketplaceListing.objects.exists()
    with pytest.raises(ValidationFailed):
        sync_products(actor=seller, platform="ebay", product_ids=[])


def test_sync_without_connection_is_conflict():
    seller = seller_with_flag()
    product_with_image(seller.store)
    with pytest.raises(Conflict):
        sync_products(actor=seller, platform="shopee", product_ids=[])


def test_throttling_is_retried_with_backoff_not_failed(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    connect_shopee(seller)
    get_channel("shopee").platform_side.inject_fault("/api/v2/media_space/upload_image", "error_system_busy", times=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_products(actor=seller, platform="shopee", product_ids=[])
    assert result == {"synced": 0, "failed": 0, "queued": 1}
    [row] = queued("sync_retry_task")
    assert row.run_after and row.run_after > timezone.now() + timedelta(seconds=3)
    assert MarketplaceListing.objects.get(product=product).status == "pending"
    [retried] = run_queued("sync_retry_task")
    assert retried["synced"] == 1
    assert MarketplaceListing.objects.get(product=product).status == "live"


def test_ten_stock_changes_make_one_push_of_the_final_number(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=20)
    connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            Product.objects.filter(pk=product.pk).update(stock=19 - n)
            publish_stock_changed(product.pk, seller.store.pk)
    assert len(queued("stock_push_task")) == 1
    [counts] = run_queued("stock_push_task")
    assert counts == {"pushed": 1, "skipped": 0, "failed": 0}
    assert platform_item(listing.external_id)["stock"] == 10
    listing.refresh_from_db()
    assert listing.pushed_stock == 10 and listing.pushed_seq == 10


def test_stale_push_never_overwrites_newer(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=9)
    connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=product.pk).update(stock=8)
        publish_stock_changed(product.pk, seller.store.pk)
    first = queued("stock_push_task")[0].args_kwargs["kwargs"]
    run_queued("stock_push_task")
    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=product.pk).update(stock=7)
        publish_stock_changed(product.pk, seller.store.pk)
    run_queued("stock_push_task")
    assert platform_item(listing.external_id)["stock"] == 7
    # A late duplicate of the first push task (a retry delivered twice) changes nothing.
    from marketplace.tasks import stock_push_task

    assert stock_push_task.call(**first) == {"pushed": 0, "skipped": 1, "failed": 0}
    assert platform_item(listing.external_id)["stock"] == 7


def test_failed_push_is_retried_and_pushes_the_current_number(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=9)
    connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    get_channel("shopee").platform_side.inject_fault("/api/v2/product/update_stock", "error_server", status=500)
    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=product.pk).update(stock=6)
        publish_stock_changed(product.pk, seller.store.pk)
    with django_capture_on_commit_callbacks(execute=True):
        [counts] = run_queued("stock_push_task")
    assert counts == {"pushed": 0, "skipped": 0, "failed": 1}
    listing.refresh_from_db()
    assert listing.stock_error and listing.pushed_stock == 9
    [retry] = queued("stock_push_task")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    Product.objects.filter(pk=product.pk).update(stock=5)  # changed again before the retry ran
    run_queued("stock_push_task")
    assert platform_item(listing.external_id)["stock"] == 5


def test_platform_order_reduces_our_stock_once_and_webhook_retry_does_nothing(
    client, django_capture_on_commit_callbacks
):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=3)
    conn = connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    channel = get_channel("shopee")
    order_sn = channel.simulate_order(shop_id=conn.shop_id, lines=[(listing.external_id, 2)])
    [(_key, raw, headers)] = channel.platform_side.pending_pushes()
    for _ in range(2):  # Shopee redelivers: the second does nothing
        response = client.post(
            "/api/webhooks/shopee",
            data=raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=headers["Authorization"],
        )
        assert response.status_code == 200 and response.content == b""
    order = ChannelOrder.objects.get(platform="shopee", external_order_id=order_sn)
    assert order.state == "applied" and order.stock_taken and order.lines[0]["product_id"] == str(product.pk)
    assert Product.objects.get(pk=product.pk).stock == 1
    # The platform cancels: our stock comes back once.
    channel.simulate_cancel(shop_id=conn.shop_id, external_order_id=order_sn)
    data = channel.get_order(tokens_of(conn), order_sn)
    channel_order_record(connection=conn, data=data)
    channel_order_record(connection=conn, data=data)
    assert Product.objects.get(pk=product.pk).stock == 3
    assert ChannelOrder.objects.get(pk=order.pk).state == "cancelled"


def test_bad_push_signature_is_refused_and_changes_nothing(client):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=3)
    conn = connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    channel = get_channel("shopee")
    channel.simulate_order(shop_id=conn.shop_id, lines=[(listing.external_id, 1)])
    [(_key, raw, headers)] = channel.platform_side.pending_pushes()
    bad = client.post("/api/webhooks/shopee", data=raw, content_type="application/json", HTTP_AUTHORIZATION="0" * 64)
    assert bad.status_code == 403
    missing = client.post("/api/webhooks/shopee", data=raw, content_type="application/json")
    assert missing.status_code == 403
    assert not ChannelOrder.objects.exists() and Product.objects.get(pk=product.pk).stock == 3


def test_platform_order_when_our_stock_is_short_needs_attention():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=2)
    conn = connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    Product.objects.filter(pk=product.pk).update(stock=0)  # sold here before the push reached Shopee
    order = simulator_order(actor=seller, platform="shopee", product_id=product.pk, quantity=1)
    assert order.state == "attention" and not order.stock_taken and "stock" in order.attention_reason
    assert Product.objects.get(pk=product.pk).stock == 0
    assert conn


def test_poll_pulls_orders_and_dedupes():
    from marketplace.services import orders_poll

    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=5)
    conn = connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    get_channel("shopee").simulate_order(shop_id=conn.shop_id, lines=[(listing.external_id, 1)])
    assert orders_poll(connection=conn) == 1
    assert orders_poll(connection=MarketplaceConnection.objects.get(pk=conn.pk)) == 0
    assert Product.objects.get(pk=product.pk).stock == 4 and ChannelOrder.objects.count() == 1


def test_simulated_order_through_in_process_webhook():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    order = simulator_order(actor=seller, platform="shopee", product_id=product.pk, quantity=3)
    assert order.state == "applied" and Product.objects.get(pk=product.pk).stock == 1
    assert in_process_push_transport("shopee")


def test_refresh_rotates_and_keeps_connection(settings):
    seller = seller_with_flag()
    conn = connect_shopee(seller)
    old = (conn.access_token, conn.refresh_token)
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() + timedelta(minutes=5))
    assert connection_refresh(connection_id=conn.pk) == "refreshed"
    fresh = MarketplaceConnection.objects.get(pk=conn.pk)
    assert (fresh.access_token, fresh.refresh_token) != old and fresh.token_version == conn.token_version + 1
    assert fresh.access_expires_at > timezone.now() + timedelta(hours=3)
    assert get_channel("shopee").shop_name(tokens_of(fresh)) == "Sambal Bu Sri"
    assert connection_refresh(connection_id=conn.pk) == "fresh"


def test_refresh_cut_off_by_network_keeps_old_tokens_and_retries(settings):
    from tokoblitar.provider_settings import providers_from_settings

    seller = seller_with_flag()
    conn = connect_shopee(seller)
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() + timedelta(minutes=5))
    before = MarketplaceConnection.objects.get(pk=conn.pk)
    registry = providers_from_settings(settings)
    live = dict(registry["shopee"])
    live["BACKEND"] = "marketplace.channels.shopee.ShopeeChannel"
    live["OPTIONS"] = {**live["OPTIONS"], "base_url": "http://127.0.0.1:9", "partner_id": "100001", "timeout": 1}
    settings.PROVIDERS = {**registry, "shopee": live}  # the platform cannot be reached
    assert connection_refresh(connection_id=conn.pk) == "retry"
    kept = MarketplaceConnection.objects.get(pk=conn.pk)
    assert kept.status == "connected" and kept.refresh_token == before.refresh_token and kept.last_error
    settings.PROVIDERS = None  # reachable again: the kept refresh token still works
    assert connection_refresh(connection_id=conn.pk) == "refreshed"
    assert MarketplaceConnection.objects.get(pk=conn.pk).status == "connected"


def test_refused_refresh_after_access_expiry_marks_expired():
    seller = seller_with_flag()
    conn = connect_shopee(seller)
    channel = get_channel("shopee")
    channel.refresh(tokens_of(conn))  # someone used the refresh token (it is single-use)
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() - timedelta(seconds=1))
    assert connection_refresh(connection_id=conn.pk) == "expired"
    assert MarketplaceConnection.objects.get(pk=conn.pk).status == "expired"
    with pytest.raises(Conflict):
        sync_products(actor=seller, platform="shopee", product_ids=[])


def test_disconnect_erases_tokens():
    seller = seller_with_flag()
    connect_shopee(seller)
    conn = marketplace_disconnect(actor=seller, platform="shopee")
    fresh = MarketplaceConnection.objects.get(pk=conn.pk)
    assert fresh.status == "disconnected" and fresh.access_token == "" and fresh.refresh_token == ""
    with pytest.raises(NotFound):
        marketplace_disconnect(actor=seller, platform="lazada")


def test_channel_error_message_names_platform():
    err = ChannelError("shopee", "Wrong sign", platform_code="error_sign")
    assert str(err.message).endswith("Wrong sign") and err.params["platform_name"] == "Shopee"


def test_background_round_polls_orders_refreshes_and_reschedules(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        conn = connect_shopee(seller)
    assert len(queued("connection_maintain_task")) == 1
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    get_channel("shopee").simulate_order(shop_id=conn.shop_id, lines=[(listing.external_id, 2)])
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() + timedelta(minutes=10))
    old_refresh = MarketplaceConnection.objects.get(pk=conn.pk).refresh_token
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued("connection_maintain_task") == ["refreshed"]
    fresh = MarketplaceConnection.objects.get(pk=conn.pk)
    assert fresh.refresh_token != old_refresh and fresh.status == "connected"
    assert Product.objects.get(pk=product.pk).stock == 3 and ChannelOrder.objects.count() == 1
    [next_round] = queued("connection_maintain_task")
    assert next_round.run_after > timezone.now()


def test_deauthorization_push_disconnects(client):
    import json

    from marketplace.channels.shopee import push_signature

    seller = seller_with_flag()
    conn = connect_shopee(seller)
    channel = get_channel("shopee")
    raw = json.dumps({"shop_id": int(conn.shop_id), "code": 2, "timestamp": 1, "data": {}}).encode()
    response = client.post(
        "/api/webhooks/shopee",
        data=raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=push_signature(channel.partner_key, channel.webhook_url, raw),
    )
    assert response.status_code == 200
    fresh = MarketplaceConnection.objects.get(pk=conn.pk)
    assert fresh.status == "disconnected" and fresh.access_token == ""


def test_webhook_for_a_platform_that_is_off_is_refused(client, settings):
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False  # optional kinds without keys are "off"
    response = client.post("/api/webhooks/shopee", data=b'{"code":3}', content_type="application/json")
    assert response.status_code == 403


def test_refresh_answer_lost_keeps_connection_while_the_access_token_works():
    """Shopee rotated the pair but the answer never reached us (the refresh token we hold is
    spent): the connection stays usable on its access token and is only marked expired once
    that stops working."""
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=2)
    conn = connect_shopee(seller)
    get_channel("shopee").refresh(tokens_of(conn))  # the lost answer: our refresh token is spent
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() + timedelta(minutes=4))
    assert connection_refresh(connection_id=conn.pk) == "retry"
    kept = MarketplaceConnection.objects.get(pk=conn.pk)
    assert kept.status == "connected" and kept.last_error
    # Shopee keeps the old access token 5 more minutes: a sync still works meanwhile.
    assert sync_products(actor=seller, platform="shopee", product_ids=[str(product.pk)])["synced"] == 1
