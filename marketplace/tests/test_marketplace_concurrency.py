"""Real threads against real Postgres: the last unit sold on our store and on Shopee at once,
and two workers refreshing the same single-use Shopee refresh token."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Product
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.services import channel_order_record, connection_refresh, get_channel, sync_products, tokens_of
from marketplace.tests.helpers import connect_shopee, product_with_image, seller_with_flag
from orders.models import Order
from orders.tests.factories import place, quick_user
from tokoblitar.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def wrap(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_last_unit_sold_here_and_on_shopee_at_once(round_):
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=1)
    conn = connect_shopee(seller)
    sync_products(actor=seller, platform="shopee", product_ids=[])
    listing = MarketplaceListing.objects.get(product=product)
    channel = get_channel("shopee")
    order_sn = channel.simulate_order(shop_id=conn.shop_id, lines=[(listing.external_id, 1)])
    data = channel.get_order(tokens_of(conn), order_sn)
    buyer = quick_user()

    results = run_together(
        lambda: place(buyer=buyer, product=product),
        lambda: channel_order_record(connection=MarketplaceConnection.objects.get(pk=conn.pk), data=data)[1],
    )
    ours, theirs = results
    product.refresh_from_db()
    assert product.stock == 0  # never negative, never two units out of one
    ours_ok = not isinstance(ours, Exception)
    assert ours_ok != (theirs == "applied"), results  # exactly one of the two got the unit
    if ours_ok:
        assert theirs == "attention" and ChannelOrder.objects.get().attention_reason
    else:
        assert isinstance(ours, Conflict) and not Order.objects.exists()


def test_two_workers_refreshing_use_the_single_use_token_once():
    seller = seller_with_flag()
    conn = connect_shopee(seller)
    MarketplaceConnection.objects.filter(pk=conn.pk).update(access_expires_at=timezone.now() + timedelta(minutes=1))
    results = run_together(
        lambda: connection_refresh(connection_id=conn.pk), lambda: connection_refresh(connection_id=conn.pk)
    )
    assert sorted(results) == ["fresh", "refreshed"], results
    fresh = MarketplaceConnection.objects.get(pk=conn.pk)
    assert fresh.status == "connected"
    # The stored pair is the live one: it reads the shop and refreshes again.
    assert get_channel("shopee").shop_name(tokens_of(fresh)) == "Sambal Bu Sri"
    assert connection_refresh(connection_id=conn.pk, force=True) == "refreshed"
    assert Product.objects.count() == 0
