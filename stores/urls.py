from django.urls import path, re_path

from stores import api

app_name = "stores_api"

urlpatterns = [
    path("seller/store", api.SellerStoreApi.as_view(), name="seller-store"),
    re_path(r"^seller/store/(?P<kind>logo|banner)$", api.SellerStoreImageApi.as_view(), name="seller-store-image"),
]
