from django.urls import path

from photos import api
from photos.enhance.webhook import ReplicateWebhook

app_name = "photos_api"

urlpatterns = [
    path(
        "seller/products/<uuid:product_id>/enhance-photo",
        api.SellerEnhancePhotoApi.as_view(),
        name="seller-product-enhance-photo",
    ),
    path("seller/enhance-jobs/<uuid:job_id>", api.SellerEnhanceJobApi.as_view(), name="seller-enhance-job"),
    path("seller/enhance-jobs/<uuid:job_id>/keep", api.SellerEnhanceKeepApi.as_view(), name="seller-enhance-keep"),
    path(
        "seller/enhance-jobs/<uuid:job_id>/discard",
        api.SellerEnhanceDiscardApi.as_view(),
        name="seller-enhance-discard",
    ),
    path("webhooks/replicate", ReplicateWebhook.as_view(), name="webhook-replicate"),
]
