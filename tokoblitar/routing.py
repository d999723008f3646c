"""WebSocket routes; each app appends its consumers here."""

from django.urls import path

from orders.consumers import OrderConsumer

websocket_urlpatterns: list = [
    path("ws/orders/<uuid:order_id>/", OrderConsumer.as_asgi()),
]
