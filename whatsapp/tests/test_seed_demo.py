"""`manage.py seed_whatsapp_demo`: the demo seller's inbox is switched on and alive (once)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from conftest import make_user
from stores.flags import store_feature_enabled
from whatsapp.models import CannedReply, Chat, ChatLabel, Message, WhatsAppSession

pytestmark = pytest.mark.django_db


def test_demo_inbox_is_linked_with_two_chats_and_runs_once():
    seller = make_user("seller", email="penjual@tokoblitar.id")
    call_command("seed_whatsapp_demo", "--force")
    assert store_feature_enabled(store=seller.store, feature="whatsapp_inbox")
    session = WhatsAppSession.objects.get(store=seller.store)
    assert session.state == "WORKING" and session.provider == "simulator"
    chats = {c.remote_id: c for c in Chat.objects.filter(session=session)}
    assert set(chats) == {"6281234567890@c.us", "6281233445566@c.us"}
    assert chats["6281233445566@c.us"].unread_count == 2
    assert list(chats["6281233445566@c.us"].labels.values_list("name", flat=True)) == ["Belum bayar"]
    assert Message.objects.filter(session=session, direction="in").count() == 3
    assert CannedReply.objects.filter(store=seller.store).count() == 3 and ChatLabel.objects.count() == 2
    from stores.models import StoreFeatureFlags

    StoreFeatureFlags.objects.filter(store=seller.store).update(whatsapp_inbox=False)  # an admin's choice
    call_command("seed_whatsapp_demo", "--force")
    assert not store_feature_enabled(store=seller.store, feature="whatsapp_inbox")
    assert WhatsAppSession.objects.count() == 1 and Message.objects.count() == 3 and CannedReply.objects.count() == 3


def test_demo_gives_dewi_a_pending_order_with_an_open_payment_at_every_run(settings):
    """The QRIS-link step of the demo works whenever someone runs `make run`, not only in the
    first 15 minutes: a fresh pending order is placed (real checkout) when hers ran out."""
    from django.utils import timezone

    from orders.models import Order, Payment
    from orders.tests.factories import make_product

    settings.PAYMENT_PROVIDER = "simulator"
    seller = make_user("seller", email="penjual@tokoblitar.id")
    make_user("buyer", email="pembeli@tokoblitar.id")
    make_product(store=seller.store, stock=10)
    call_command("seed_whatsapp_demo", "--force")
    pending = Order.objects.filter(store=seller.store, status="pending_payment")
    assert pending.count() == 1 and pending[0].shipping_address["phone"] == "081233445566"
    call_command("seed_whatsapp_demo", "--force")  # still open: nothing new
    assert pending.count() == 1
    Payment.objects.update(expires_at=timezone.now())  # 15 minutes later
    call_command("seed_whatsapp_demo", "--force")
    assert Payment.objects.filter(order__in=pending, expires_at__gt=timezone.now()).count() == 1
