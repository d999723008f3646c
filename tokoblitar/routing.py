"""WebSocket routes; each app appends its consumers here.

The last route catches every other path and closes the socket with 4404, so an unknown path
or a malformed id (`/ws/orders/not-a-uuid/`) is a clean close instead of a server error."""

from typing import Any

from django.urls import path, re_path

from notifications.consumers import NotificationConsumer
from orders.consumers import OrderConsumer
from photos.consumers import ProductPhotosConsumer
from whatsapp.consumers import InboxConsumer


async def socket_not_found(scope: dict, receive: Any, send: Any) -> None:
    """Refuse the handshake with 4404 (a bare ASGI app: no channel layer, nothing to clean up)."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4404})


websocket_urlpatterns: list = [
    path("ws/orders/<uuid:order_id>/", OrderConsumer.as_asgi()),
    path("ws/photos/products/<uuid:product_id>/", ProductPhotosConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/whatsapp/inbox/", InboxConsumer.as_asgi()),
    re_path(r"", socket_not_found),
]
