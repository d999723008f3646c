from django.urls import path

from checkout import api
from orders.payments.webhook import MidtransWebhook
from shipping.providers.webhook import KiriminAjaWebhook

app_name = "orders_api"

urlpatterns = [
    # Provider webhooks (their handlers live beside the providers).
    path("webhooks/midtrans", MidtransWebhook.as_view(), name="webhook-midtrans"),
    path("webhooks/kiriminaja", KiriminAjaWebhook.as_view(), name="webhook-kiriminaja"),
    path("buyer/cart", api.CartApi.as_view(), name="cart"),
    path("buyer/orders", api.BuyerOrdersApi.as_view(), name="buyer-orders"),
    path("buyer/orders/<uuid:order_id>", api.BuyerOrderDetailApi.as_view(), name="buyer-order"),
    path("buyer/orders/<uuid:order_id>/track", api.BuyerOrderTrackApi.as_view(), name="buyer-order-track"),
    path("seller/orders", api.SellerOrdersApi.as_view(), name="seller-orders"),
    path(
        "seller/orders/<uuid:order_id>/process",
        api.SellerOrderProcessApi.as_view(),
        name="seller-order-process",
    ),
    path("seller/orders/<uuid:order_id>/ship", api.SellerOrderShipApi.as_view(), name="seller-order-ship"),
    path(
        "seller/orders/<uuid:order_id>/cancel",
        api.SellerOrderCancelApi.as_view(),
        name="seller-order-cancel",
    ),
]
