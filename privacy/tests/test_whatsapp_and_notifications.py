"""Personal data held by the WhatsApp inbox and the notifications app: in the export, and gone (or
scrubbed) when the account is deleted; courier callbacks of her orders lose personal fields."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from notifications.models import Notification, NotificationPreference
from notifications.services import order_notify
from notifications.tests.helpers import run_tasks
from orders.models import Order
from orders.tests.factories import place
from privacy.selectors import personal_data_export
from privacy.services import account_delete
from shipping.models import Shipment, ShipmentEvent
from whatsapp.models import Chat, Contact, Message, WhatsAppSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti(db):
    user = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    user.phone = "0812-3456-7890"
    user.save(update_fields=["phone"])
    return user


def _session(store, name: str) -> WhatsAppSession:
    return WhatsAppSession.objects.create(store=store, name=name, provider="simulator", state="WORKING")


def _message(chat: Chat, direction: str, body: str) -> Message:
    return Message.objects.create(
        session=chat.session,
        chat=chat,
        direction=direction,
        body=body,
        status="received" if direction == "in" else "read",
    )


def test_buyer_export_has_her_whatsapp_chats_by_phone_and_her_notifications(
    siti, product, other_seller, django_capture_on_commit_callbacks
):
    first = _session(product.store, "tb-a")
    chat = Chat.objects.create(session=first, remote_id="6281234567890@c.us", name="Siti")
    _message(chat, "in", "Kak, sambalnya masih ada?")
    _message(chat, "out", "Masih kak")
    # In another store she wrote from a privacy id, later resolved to her number.
    second = _session(other_seller.store, "tb-b")
    lid = Contact.objects.create(session=second, gateway_id="9988776655@lid", phone="6281234567890")
    _message(Chat.objects.create(session=second, remote_id="9988776655@lid", contact=lid), "in", "Halo")
    someone = Chat.objects.create(session=first, remote_id="6289999999999@c.us")
    _message(someone, "in", "Pesan orang lain")
    order = place(buyer=siti, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order_id=str(order.pk), status="paid")

    data = personal_data_export(user=siti)
    chats = {c["remote_id"]: c for c in data["messages"]}
    assert set(chats) == {"6281234567890@c.us", "9988776655@lid"}
    mine = chats["6281234567890@c.us"]
    assert mine["store"] == product.store.name
    assert [(m["written_by_me"], m["body"]) for m in mine["messages"]] == [
        (True, "Kak, sambalnya masih ada?"),
        (False, "Masih kak"),
    ]
    assert "Pesan orang lain" not in json.dumps(data)
    (note,) = data["notifications"]
    assert note["kind"] == "buyer_payment_received" and order.number in note["subject"]
    assert data["whatsapp_inbox"] is None


def test_seller_export_has_her_inbox_as_metadata_without_buyers_words(seller, product, siti):
    session = _session(seller.store, "tb-s")
    chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us", name="Siti")
    _message(chat, "in", "Rahasia pembeli")
    _message(chat, "out", "Baik")
    data = personal_data_export(user=seller)
    inbox = data["whatsapp_inbox"]
    assert inbox["session"]["name"] == "tb-s" and inbox["session"]["state"] == "WORKING"
    assert inbox["chats"] == [
        {"remote_id": "6281234567890@c.us", "name": "Siti", "messages": 2, "last_message_at": None}
    ]
    assert "Rahasia pembeli" not in json.dumps(data)


def test_export_queries_stay_flat_with_chats_and_notifications(siti, product, django_assert_num_queries):
    session = _session(product.store, "tb-q")
    for n in range(3):
        chat = Chat.objects.create(session=session, remote_id=f"62812345678{n}0@c.us")
        _message(chat, "in", "x")
    chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us")
    _message(chat, "in", "y")
    for _ in range(3):
        order_notify(order_id=str(place(buyer=siti, product=product).order.pk), status="paid")
    # 6 (profile, orders…) + 2 WhatsApp chats/messages + 2 notifications/preferences.
    with django_assert_num_queries(10):
        data = personal_data_export(user=siti)
    assert len(data["notifications"]) == 3 and len(data["messages"]) == 1


def test_deletion_erases_her_notifications_and_preferences_only(
    siti, buyer, product, django_capture_on_commit_callbacks
):
    mine = place(buyer=siti, product=product).order
    theirs = place(buyer=buyer, product=product).order
    NotificationPreference.objects.create(user=siti, language="en", whatsapp=True)
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order_id=str(mine.pk), status="expired")
        order_notify(order_id=str(theirs.pk), status="expired")
    run_tasks(django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=siti).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(actor=siti, password=PASSWORD)
    run_tasks(django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=siti).exists()
    assert not NotificationPreference.objects.filter(user=siti).exists()
    assert Notification.objects.filter(recipient=buyer).count() == 1
    assert personal_data_export(user=siti)["notifications"] == []


def test_deletion_scrubs_courier_callbacks_of_her_orders_but_keeps_the_tracking_text(siti, buyer, product):
    def delivered(user) -> ShipmentEvent:
        order = place(buyer=user, product=product).order
        Order.objects.filter(pk=order.pk).update(status="delivered")
        shipment = Shipment.objects.create(
            order=order, provider="kiriminaja", courier="jne", awb="JX1", status="delivered"
        )
        return ShipmentEvent.objects.create(
            shipment=shipment,
            status="delivered",
            description="Paket diterima",
            occurred_at=timezone.now() - timedelta(hours=1),
            raw={
                "method": "finished_packages",
                "order_id": order.number,
                "awb": "JX1",
                "finished_at": "2026-11-30 10:00:00",
                "receiver_name": "Siti Aminah",
                "receiver_phone": "081234567890",
                "received_by": "Siti (yang bersangkutan)",
                "address": "Jl. Merdeka No. 12",
            },
            dedupe_key=f"finished_packages:{order.number}",
        )

    hers, theirs = delivered(siti), delivered(buyer)
    account_delete(actor=siti, password=PASSWORD)
    hers.refresh_from_db()
    assert hers.raw == {
        "method": "finished_packages",
        "order_id": hers.shipment.order.number,
        "awb": "JX1",
        "finished_at": "2026-11-30 10:00:00",
    }
    assert hers.description == "Paket diterima" and hers.status == "delivered"
    theirs.refresh_from_db()
    assert theirs.raw["receiver_name"] == "Siti Aminah"  # someone else's parcel: untouched
