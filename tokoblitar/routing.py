"""WebSocket routes; each app appends its consumers here.

The last route catches every other path and closes the socket with 4404, so an unknown path
or a malformed id (`/ws/orders/not-a-uuid/`) is a clean close instead of a server error."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from orders.consumers import OrderConsumer


class NotFoundConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.close(code=4404)


websocket_urlpatterns: list = [
    path("ws/orders/<uuid:order_id>/", OrderConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]
