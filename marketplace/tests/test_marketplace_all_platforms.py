"""The same services drive all three platforms' simulators: connect, sync, a platform order
lowers our stock, and our stock change is pushed to every connected platform."""

from __future__ import annotations

import pytest

from catalog.models import Product
from catalog.stock import publish_stock_changed
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.services import get_channel, marketplace_connect, simulator_order, sync_products
from marketplace.tests.helpers import product_with_image, run_queued, seller_with_flag

pytestmark = pytest.mark.django_db

PLATFORMS = ["shopee", "lazada", "tokopedia"]


def connect(seller, platform):
    consent = get_channel(platform).simulate_consent(shop_name=f"Toko {platform}")
    params = {k: v for k, v in consent.items() if k != "code"}
    return marketplace_connect(actor=seller, platform=platform, code=consent["code"], params=params)


def test_sell_on_one_platform_and_every_platform_gets_the_new_stock(django_capture_on_commit_callbacks):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=5)
    for platform in PLATFORMS:
        assert connect(seller, platform).status == "connected"
        result = sync_products(actor=seller, platform=platform, product_ids=[])
        assert result["failed"] == 0, (platform, result, list(MarketplaceListing.objects.values()))
    assert MarketplaceConnection.objects.filter(status="connected").count() == 3
    listings = {x.platform: x for x in MarketplaceListing.objects.filter(product=product)}
    assert all(x.external_id for x in listings.values())

    with django_capture_on_commit_callbacks(execute=True):
        order = simulator_order(actor=seller, platform="shopee", product_id=product.pk, quantity=2)
    assert order.state == "applied" and Product.objects.get(pk=product.pk).stock == 3
    with django_capture_on_commit_callbacks(execute=True):
        [counts] = run_queued("stock_push_task")
    assert counts["pushed"] == 3, counts
    assert {x.platform: x.pushed_stock for x in MarketplaceListing.objects.filter(product=product)} == {
        "shopee": 3,
        "lazada": 3,
        "tokopedia": 3,
    }

    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=product.pk).update(stock=9)
        publish_stock_changed(product.pk, seller.store.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued("stock_push_task")
    assert set(MarketplaceListing.objects.filter(product=product).values_list("pushed_stock", flat=True)) == {9}
    assert ChannelOrder.objects.count() == 1
