from django.urls import path

from shipping import api

app_name = "shipping_api"

urlpatterns = [
    path("seller/shipping", api.SellerShippingApi.as_view(), name="seller-shipping"),
    path("buyer/shipping/rates", api.BuyerShippingRatesApi.as_view(), name="rates"),
    path("buyer/shipping/areas", api.AreasApi.as_view(), name="areas"),
    path(
        "seller/orders/<uuid:order_id>/shipment/advance",
        api.SellerShipmentAdvanceApi.as_view(),
        name="seller-shipment-advance",
    ),
    path(
        "buyer/orders/<uuid:order_id>/shipment/advance",
        api.BuyerShipmentAdvanceApi.as_view(),
        name="buyer-shipment-advance",
    ),
]
