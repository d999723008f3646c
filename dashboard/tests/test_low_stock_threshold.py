"""The overview's "stok menipis" card and the low-stock alert use the same per-store threshold."""

from __future__ import annotations

import pytest

from dashboard.selectors import seller_overview
from notifications.models import StoreAlertSettings
from storefront.tests.factories import add_product

pytestmark = pytest.mark.django_db


def test_overview_low_stock_follows_the_stores_threshold(seller):
    store = seller.store
    eight = add_product(store, name="Kopi Wlingi", stock=8, with_photo=False)
    three = add_product(store, name="Madu Lodoyo", stock=3, with_photo=False)
    assert [p.pk for p in seller_overview(store=store).low_stock] == [three.pk]  # default 5

    StoreAlertSettings.objects.create(store=store, low_stock_threshold=10)
    assert [p.pk for p in seller_overview(store=store).low_stock] == [three.pk, eight.pk]
