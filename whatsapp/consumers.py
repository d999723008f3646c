"""The live inbox: `ws/whatsapp/inbox/` joins group `whatsapp.inbox.<store id>` of the signed-in
seller's own store (4401 when not signed in, 4403 for a non-seller or a store whose
whatsapp_inbox switch is off). Closed on logout like the other sockets. No business rules here."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from accounts.consumers import SignedInConsumer
from stores.flags import store_feature_enabled
from stores.models import Store
from whatsapp.services import FEATURE, inbox_group


@database_sync_to_async
def _inbox_store_id(user: Any) -> str | None:
    store = Store.objects.filter(owner_id=user.pk).first()
    if store is None or not store_feature_enabled(store=store, feature=FEATURE):
        return None
    return str(store.pk)


class InboxConsumer(SignedInConsumer):
    async def topic_group(self, user: Any) -> str | None:
        store_id = await _inbox_store_id(user)
        return None if store_id is None else inbox_group(store_id)

    async def whatsapp_event(self, event: dict) -> None:
        await self.forward(dict(event.get("payload") or {}))
