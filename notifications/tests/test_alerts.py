"""Proactive seller alerts: computed from the store's data with a flat query count, shown on the
overview with a link to the fix, and notified once when they first appear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from notifications.alerts import alerts_sweep, seller_alerts
from notifications.models import Kind, Notification, StoreAlertSettings
from orders.models import Order, Payment
from orders.tests.factories import make_product, place
from shipping.models import Shipment

pytestmark = pytest.mark.django_db


def _paid(order: Order, *, hours_ago: float) -> Order:
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    Payment.objects.filter(order=order).update(paid_at=timezone.now() - timedelta(hours=hours_ago), status="settlement")
    return order


def _world(store, buyer, n: int) -> None:
    """n of every alert kind (plus as many rows that must not alert)."""
    for _ in range(n):
        low = make_product(store=store, stock=10)
        make_product(store=store, stock=100)  # plenty: no alert
        place(buyer=buyer, product=low, quantity=7)  # 3 left <= 5
        expiring = place(buyer=buyer, product=make_product(store=store, stock=100)).order
        Payment.objects.filter(order=expiring).update(expires_at=timezone.now() + timedelta(minutes=2))
        place(buyer=buyer, product=make_product(store=store, stock=100))  # 15 minutes left: no alert
        late = place(buyer=buyer, product=make_product(store=store, stock=100)).order
        _paid(late, hours_ago=30)
        _paid(place(buyer=buyer, product=make_product(store=store, stock=100)).order, hours_ago=1)  # in time
        failed = _paid(place(buyer=buyer, product=make_product(store=store, stock=100)).order, hours_ago=2)
        Shipment.objects.create(order=failed, provider="simulator", courier="jne", status=Shipment.Status.FAILED)


def test_alerts_cover_each_kind_with_links(store, buyer):
    _world(store, buyer, 1)
    alerts = seller_alerts(store=store)
    assert sorted(a.kind for a in alerts) == ["booking_failed", "expiring", "low_stock", "unshipped"]
    by_kind = {a.kind: a for a in alerts}
    assert by_kind["low_stock"].url.startswith("/dashboard/produk/")
    assert by_kind["booking_failed"].url.startswith("/dashboard/pesanan/")
    assert by_kind["low_stock"].data["stock"] == 3 and by_kind["low_stock"].data["threshold"] == 5
    assert by_kind["unshipped"].data["hours"] == 24


def test_thresholds_are_per_store(store, buyer):
    _world(store, buyer, 1)
    StoreAlertSettings.objects.create(store=store, low_stock_threshold=2, ship_within_hours=48)
    kinds = sorted(a.kind for a in seller_alerts(store=store))
    assert kinds == ["booking_failed", "expiring"]  # 3 left > 2; paid 30 h ago < 48 h


@pytest.mark.parametrize("n", [1, 6])
def test_alert_queries_flat_as_rows_grow(store, buyer, n, django_assert_max_num_queries):
    _world(store, buyer, n)
    with django_assert_max_num_queries(4):
        alerts = seller_alerts(store=store)
    assert len(alerts) == 4 * n


def test_overview_shows_alerts_with_fix_links(seller, store, buyer):
    _world(store, buyer, 1)
    client = Client()
    client.post("/login/", {"username": seller.email, "password": PASSWORD})
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="seller-alerts"' in page
    for kind in ("low_stock", "expiring", "unshipped", "booking_failed"):
        assert f'data-alert="{kind}"' in page
    assert "Stok menipis:" in page and "/dashboard/peringatan/" in page


def test_alert_settings_page(seller, store):
    client = Client()
    client.post("/login/", {"username": seller.email, "password": PASSWORD})
    assert client.get("/dashboard/peringatan/").status_code == 200
    response = client.post("/dashboard/peringatan/", {"low_stock_threshold": "8", "ship_within_hours": "12"})
    assert response.status_code == 302
    settings_row = StoreAlertSettings.objects.get(store=store)
    assert (settings_row.low_stock_threshold, settings_row.ship_within_hours) == (8, 12)
    assert (
        client.post("/dashboard/peringatan/", {"low_stock_threshold": "-1", "ship_within_hours": "0"}).status_code
        == 400
    )
    settings_row.refresh_from_db()
    assert (settings_row.low_stock_threshold, settings_row.ship_within_hours) == (8, 12)


def test_sweep_notifies_each_alert_once(seller, store, buyer, django_capture_on_commit_callbacks, mailoutbox):
    _world(store, buyer, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_sweep() == 8
        assert alerts_sweep() == 0
    notes = Notification.objects.filter(recipient=seller, kind=Kind.SELLER_ALERT)
    assert notes.count() == 8
    assert mailoutbox == []  # alerts are emailed only when the seller turns them on


def test_seller_alerts_command(seller, store, buyer, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    _world(store, buyer, 1)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seller_alerts", stdout=out)
    assert out.getvalue().strip() == "4 new alert notification(s)"


def test_console_email_with_debug_off_is_warned(settings):
    from notifications.checks import email_backend_configured

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in email_backend_configured()] == ["notifications.W001"]
    settings.EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    assert email_backend_configured() == []


@pytest.mark.parametrize(("language", "subject"), [("id", "Stok menipis: "), ("en", "Low stock: ")])
def test_alert_email_when_the_seller_turns_it_on(
    language, subject, seller, store, buyer, django_capture_on_commit_callbacks, mailoutbox
):
    from notifications.models import NotificationPreference
    from notifications.tests.helpers import run_tasks

    NotificationPreference.objects.create(user=seller, language=language, email={Kind.SELLER_ALERT: True})
    product = make_product(store=store, stock=10)
    place(buyer=buyer, product=product, quantity=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_sweep() == 1
    run_tasks(django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    assert message.subject.startswith(subject + product.name)
    assert f"/dashboard/produk/{product.pk}/" in message.body
