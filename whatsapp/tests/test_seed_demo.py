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
