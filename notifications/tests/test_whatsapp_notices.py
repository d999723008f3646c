"""Buyer order notices on WhatsApp: off until the buyer opts in, sent from the store's WORKING
session when its inbox is on, once per (event, recipient), in the buyer's language."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import PASSWORD
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_whatsapp_deliver, order_notify
from notifications.tests.helpers import run_tasks
from orders.models import Order
from orders.tests.factories import place
from shipping.models import Shipment
from stores.models import StoreFeatureFlags
from whatsapp.models import Chat, Message, WhatsAppSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_on_whatsapp(product) -> WhatsAppSession:
    StoreFeatureFlags.objects.update_or_create(store=product.store, defaults={"whatsapp_inbox": True})
    return WhatsAppSession.objects.create(store=product.store, name="tb-n", provider="simulator", state="WORKING")


def opt_in(user, language: str = "id") -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults={"language": language, "whatsapp": True})


def notify(order: Order, status: str, capture) -> list[Notification]:
    with capture(execute=True):
        notes = order_notify(order_id=str(order.pk), status=status)
    run_tasks(capture)
    return notes


def test_off_by_default_even_with_a_phone(buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks):
    order = place(buyer=buyer, product=product).order  # she gave 081234567890 for the courier
    notify(order, "paid", django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=buyer)
    assert note.whatsapp_state == "none" and not Message.objects.exists()


def test_opted_in_buyer_gets_the_notice_once_from_the_stores_number(
    buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks
):
    opt_in(buyer)
    order = place(buyer=buyer, product=product, quantity=2).order
    notify(order, "paid", django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=buyer)
    message = Message.objects.get()
    assert note.whatsapp_state == "sent" and note.whatsapp_message_id == message.pk
    assert message.session == store_on_whatsapp and message.status == "queued" and message.direction == "out"
    assert Chat.objects.get().remote_id == "6281234567890@c.us"
    assert message.body.startswith(f"*Pembayaran untuk pesanan {order.number} diterima*")
    assert f"• {product.name} × 2" in message.body and f"/pesanan/{order.pk}/" in message.body
    # Replayed event, re-run task: nothing new.
    notify(order, "paid", django_capture_on_commit_callbacks)
    assert notification_whatsapp_deliver(notification_id=str(note.pk)) == "skipped"
    assert Message.objects.count() == 1
    # The seller's own notice never goes to WhatsApp.
    assert Notification.objects.exclude(recipient=buyer).get().whatsapp_state == "none"


def test_shipped_notice_in_english_carries_the_awb_and_the_tracking_link(
    settings, buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tokoblitar.com"
    opt_in(buyer, "en")
    order = place(buyer=buyer, product=product).order
    Shipment.objects.create(order=order, provider="simulator", courier="jne", awb="JX123456789", status="shipped")
    notify(order, "shipped", django_capture_on_commit_callbacks)
    body = Message.objects.get().body
    assert body.startswith(f"*Your order {order.number} is on its way*")
    assert "Tracking number (AWB): JX123456789" in body
    assert f"Track the parcel: https://tokoblitar.com/pesanan/{order.pk}/" in body


@pytest.mark.parametrize("status", ["delivered", "expired"])
def test_delivered_and_expired_notices_go_too(
    status, buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks
):
    opt_in(buyer)
    order = place(buyer=buyer, product=product).order
    notify(order, status, django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=buyer).whatsapp_state == "sent"
    assert order.number in Message.objects.get().body


def test_store_without_a_connected_inbox_sends_nothing(
    buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks
):
    opt_in(buyer)
    WhatsAppSession.objects.update(state="FAILED")
    notify(place(buyer=buyer, product=product).order, "paid", django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=buyer).whatsapp_state == "none"
    WhatsAppSession.objects.update(state="WORKING")
    StoreFeatureFlags.objects.update(whatsapp_inbox=False)
    notify(place(buyer=buyer, product=product).order, "paid", django_capture_on_commit_callbacks)
    assert not Message.objects.exists()


def test_session_lost_before_the_task_runs_is_failed_with_its_reason(
    buyer, product, store_on_whatsapp, django_capture_on_commit_callbacks
):
    opt_in(buyer)
    order = place(buyer=buyer, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order_id=str(order.pk), status="paid")
    WhatsAppSession.objects.update(state="FAILED")  # the phone unlinked meanwhile
    run_tasks(django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=buyer)
    assert note.whatsapp_state == "failed" and note.whatsapp_error == "session_not_ready"
    assert not Message.objects.exists()


def test_buyer_opts_in_on_the_settings_page(buyer):
    client = Client()
    assert client.login(email=buyer.email, password=PASSWORD)
    page = client.get("/notifikasi/pengaturan/").content.decode()
    assert 'name="whatsapp"' in page and "checked" not in page.split('name="whatsapp"')[1].split(">")[0]
    response = client.post("/notifikasi/pengaturan/", {"language": "id", "whatsapp": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=buyer).whatsapp is True
    client.post("/notifikasi/pengaturan/", {"language": "id"})
    assert NotificationPreference.objects.get(user=buyer).whatsapp is False
