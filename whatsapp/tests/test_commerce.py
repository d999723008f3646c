"""Commerce in the chat: a chat's number finds the buyer's orders in this store."""

from __future__ import annotations

import pytest

from orders.tests.factories import make_product, place
from whatsapp.models import Chat, Contact, WhatsAppSession
from whatsapp.selectors import chat_orders_for_store, phone_variants

pytestmark = pytest.mark.django_db


def test_phone_variants():
    assert phone_variants("081234567890") == ["6281234567890", "+6281234567890", "081234567890"]
    assert phone_variants("+62 812-3456-7890") == phone_variants("6281234567890")
    assert phone_variants("") == []


def test_chat_number_finds_this_stores_orders_only(seller, other_seller, buyer, django_assert_num_queries):
    mine = place(buyer=buyer, product=make_product(store=seller.store)).order  # shipping phone 0812…
    place(buyer=buyer, product=make_product(store=other_seller.store))
    session = WhatsAppSession.objects.create(store=seller.store, name="tb-c", provider="simulator", state="WORKING")
    chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us")
    chat = Chat.objects.select_related("contact", "session").get(pk=chat.pk)
    with django_assert_num_queries(1):
        assert [o.pk for o in chat_orders_for_store(chat=chat)] == [mine.pk]
    lid_contact = Contact.objects.create(session=session, gateway_id="128473649273645@lid")
    lid = Chat.objects.create(session=session, remote_id="128473649273645@lid", contact=lid_contact)
    lid = Chat.objects.select_related("contact", "session").get(pk=lid.pk)
    with django_assert_num_queries(0):  # no phone, nothing to look up
        assert chat_orders_for_store(chat=lid) == []


@pytest.fixture
def working(wa_seller) -> tuple[WhatsAppSession, Chat]:
    session = WhatsAppSession.objects.create(store=wa_seller.store, name="tb-q", provider="simulator", state="WORKING")
    chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us")
    return session, chat


def test_product_card_payment_link_and_tracking_are_queued_into_the_chat(settings, wa_seller, buyer, working):
    from orders.models import Order
    from whatsapp.services import seller_quick_send

    settings.SITE_URL = "https://tokoblitar.com"
    session, chat = working
    product = make_product(store=wa_seller.store, price=25_000, stock=7, name="Sambal Pecel Bu Sri")
    card = seller_quick_send(
        actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="product_card", object_id=product.pk
    )
    assert card.status == "queued" and card.chat_id == chat.pk
    assert card.body.startswith("*Sambal Pecel Bu Sri*\nRp\xa025.000 · stok 7\nhttps://tokoblitar.com/p/")
    order = place(buyer=buyer, product=product).order
    link = seller_quick_send(
        actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="payment_link", object_id=order.pk
    )
    assert f"https://tokoblitar.com/pay/{order.pk}/" in link.body and order.number in link.body
    tracking = seller_quick_send(
        actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="tracking", object_id=order.pk
    )
    assert tracking.body == f"Pesanan {order.number}: Menunggu pembayaran"
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    from tokoblitar.errors import Conflict

    with pytest.raises(Conflict):
        seller_quick_send(
            actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="payment_link", object_id=order.pk
        )


def test_quick_actions_refuse_another_stores_things(wa_seller, other_seller, working):
    from tokoblitar.errors import NotFound
    from whatsapp.services import seller_quick_send
    from whatsapp.tests.conftest import inbox_on

    inbox_on(other_seller)  # switched off, she would be refused (403) before any lookup
    session, chat = working
    foreign = make_product(store=other_seller.store)
    with pytest.raises(NotFound):
        seller_quick_send(
            actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="product_card", object_id=foreign.pk
        )
    with pytest.raises(NotFound):
        seller_quick_send(
            actor=other_seller, session_id=session.pk, chat_id=chat.pk, action="product_card", object_id=foreign.pk
        )


def test_canned_reply_variables():
    from whatsapp.commerce import render_canned

    assert render_canned("Halo {nama} dari {toko} {x}", name="Bu Rina", store_name="Toko A") == (
        "Halo Bu Rina dari Toko A {x}",
        "",
    )
    # No order: never "nomor resinya -. Total -." to a buyer; the reply is unavailable instead.
    assert render_canned("Halo {nama}, total {total}, resi {resi}", name="Bu Rina") == (None, "no_shipped_order")
    assert render_canned("Total {total}", name="Bu Rina") == (None, "no_order")


def test_canned_resi_comes_from_the_shipped_order_and_total_from_the_pending_one(wa_seller, buyer, working):
    from orders.models import Order
    from shipping.models import Shipment
    from whatsapp.models import CannedReply
    from whatsapp.selectors import canned_replies_for_chat

    _session, chat = working
    product = make_product(store=wa_seller.store, price=10_000, stock=20)
    shipped = place(buyer=buyer, product=product, quantity=2).order
    Order.objects.filter(pk=shipped.pk).update(status=Order.Status.SHIPPED, manual_awb="JNE123456")
    pending = place(buyer=buyer, product=product).order  # the newest order, unpaid
    for shortcut, text in [("resi", "Sudah dikirim, resinya {resi}. Total {total}."), ("bayar", "Total {total} ya")]:
        CannedReply.objects.create(store=wa_seller.store, shortcut=shortcut, text=text)
    chat = Chat.objects.select_related("contact", "session").get(pk=chat.pk)
    replies = CannedReply.objects.filter(store=wa_seller.store).order_by("shortcut")
    orders = chat_orders_for_store(chat=chat)
    assert orders[0].pk == pending.pk
    rows = {
        r["shortcut"]: r
        for r in canned_replies_for_chat(store=wa_seller.store, chat=chat, replies=list(replies), orders=orders)
    }
    shipped.refresh_from_db()
    pending.refresh_from_db()
    from tokoblitar.money import format_rupiah

    assert rows["resi"]["filled"] == f"Sudah dikirim, resinya JNE123456. Total {format_rupiah(shipped.total)}."
    assert rows["bayar"]["filled"] == f"Total {format_rupiah(pending.total)} ya"
    assert not Shipment.objects.filter(order=pending).exists()
    # Shipped without a waybill yet: {resi} has no true value, the reply is marked unavailable.
    Order.objects.filter(pk=shipped.pk).update(manual_awb="")
    rows = canned_replies_for_chat(
        store=wa_seller.store, chat=chat, replies=list(replies), orders=chat_orders_for_store(chat=chat)
    )
    assert rows[1]["shortcut"] == "resi" and rows[1]["filled"] == "" and rows[1]["unavailable"] == "no_shipped_order"


def test_qris_link_states_the_deadline_in_wib(settings, wa_seller, buyer, working):
    import zoneinfo

    from orders.models import Payment
    from whatsapp.services import seller_quick_send

    session, chat = working
    order = place(buyer=buyer, product=make_product(store=wa_seller.store, stock=3)).order
    local = Payment.objects.get(order=order).expires_at.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    link = seller_quick_send(
        actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="payment_link", object_id=order.pk
    )
    assert f"Bayar sebelum {local:%H:%M} WIB, {local.day} " in link.body
    # A payment that already ran out (sweep not yet run) gets no link.
    from django.utils import timezone

    from tokoblitar.errors import Conflict

    Payment.objects.filter(order=order).update(expires_at=timezone.now())
    with pytest.raises(Conflict):
        seller_quick_send(
            actor=wa_seller, session_id=session.pk, chat_id=chat.pk, action="payment_link", object_id=order.pk
        )


@pytest.mark.parametrize(
    "to, expected",
    [
        ("6281234567890@s.whatsapp.net", "6281234567890@c.us"),  # the seed's Baileys-style JID
        ("6281234567890@c.us", "6281234567890@c.us"),
        ("128473649273645@lid", "128473649273645@lid"),
        ("+62 812-3456.7890", "6281234567890@c.us"),
        ("0812 3456 7890", "6281234567890@c.us"),
    ],
)
def test_recipients_are_normalized(to, expected):
    from whatsapp.services import normalize_recipient

    assert normalize_recipient(to, provider="waha") == expected
    if not expected.endswith("@lid"):
        assert normalize_recipient(to, provider="cloud") == expected.split("@")[0]


@pytest.mark.parametrize("to", ["abc", "12", "6281234567890@g.us", "+62 81"])
def test_bad_recipients_are_refused(to):
    from tokoblitar.errors import ValidationFailed
    from whatsapp.services import normalize_recipient

    with pytest.raises(ValidationFailed):
        normalize_recipient(to, provider="waha")
