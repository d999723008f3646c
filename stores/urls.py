from django.urls import path

from stores import api

app_name = "stores_api"

urlpatterns = [
    path("seller/store", api.SellerStoreApi.as_view(), name="seller-store"),
]
