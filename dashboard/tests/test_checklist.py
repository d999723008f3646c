"""The new seller's set-up checklist (issue 11 item 13) and the overview's revenue window."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from dashboard.selectors import seller_overview, seller_setup_checklist
from orders.models import Order
from shipping.services import shipping_settings_get_or_create
from storefront.tests.factories import add_product
from stores.models import Store

pytestmark = pytest.mark.django_db


def _done(store: Store) -> dict[str, bool]:
    return {step.key: step.done for step in seller_setup_checklist(store=store).steps}


def test_checklist_ticks_itself_off_from_the_sellers_data(seller, client):
    store = seller.store
    assert _done(store) == {"profile": False, "shipping": False, "product": False, "share": False}

    Store.objects.filter(pk=store.pk).update(logo_url="https://cdn.example.id/logo.png")
    Store.objects.filter(pk=store.pk).update(lat=Decimal("-8.1"), lng=Decimal("112.16"))
    store.refresh_from_db()
    shipping_settings_get_or_create(store=store)
    add_product(store, with_photo=False)
    assert _done(store) == {"profile": True, "shipping": True, "product": True, "share": False}

    assert client.login(email=seller.email, password=PASSWORD)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="setup-checklist"' in page and 'data-step="share" data-done="false"' in page
    assert client.post("/dashboard/toko/dibagikan/").status_code == 204
    store.refresh_from_db()
    assert _done(store)["share"] is True
    # All done: the checklist leaves the overview.
    assert 'data-testid="setup-checklist"' not in client.get("/dashboard/").content.decode()


def test_checklist_costs_one_query_however_much_data(seller, django_assert_num_queries):
    store = seller.store
    with django_assert_num_queries(1):
        seller_setup_checklist(store=store)
    for _ in range(5):
        add_product(store, with_photo=False)
    shipping_settings_get_or_create(store=store)
    with django_assert_num_queries(1):
        seller_setup_checklist(store=store)


def test_share_report_needs_a_seller(client, buyer):
    assert client.post("/dashboard/toko/dibagikan/").status_code == 302  # to the login page
    assert client.login(email=buyer.email, password=PASSWORD)
    assert client.post("/dashboard/toko/dibagikan/").status_code == 403


def test_revenue_counts_paid_orders_of_the_last_seven_days(seller, buyer):
    from orders.tests.factories import place

    store = seller.store
    product = add_product(store, with_photo=False, price=10_000, stock=50)
    recent = place(buyer=buyer, product=product).order
    old = place(buyer=buyer, product=product).order
    unpaid = place(buyer=buyer, product=product).order
    Order.objects.filter(pk__in=[recent.pk, old.pk]).update(status=Order.Status.PAID)
    # Six days ago is "this week" for a seller looking on a Monday morning; eight days is not.
    Order.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=6))
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent.refresh_from_db()
    assert unpaid.status == Order.Status.PENDING_PAYMENT
    assert seller_overview(store=store).revenue_week == recent.total
