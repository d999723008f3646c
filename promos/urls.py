from django.urls import path

from promos import api

app_name = "promos_api"

urlpatterns = [
    path("seller/promo", api.SellerPromoApi.as_view(), name="seller-promo"),
    path("seller/promo/<uuid:promo_id>", api.SellerPromoDetailApi.as_view(), name="seller-promo-detail"),
    path("admin/promo", api.AdminPromoApi.as_view(), name="admin-promo"),
    path("admin/promo/<uuid:promo_id>", api.AdminPromoDetailApi.as_view(), name="admin-promo-detail"),
]
