from django.urls import path

from instagram import api

app_name = "instagram_api"

urlpatterns = [
    path("seller/instagram/post", api.SellerInstagramPostApi.as_view(), name="seller-instagram-post"),
]
