from django.urls import path

from webhooks.kiriminaja import KiriminAjaWebhookApi
from webhooks.midtrans import MidtransWebhookApi

app_name = "webhooks"

urlpatterns = [
    path("webhooks/midtrans", MidtransWebhookApi.as_view(), name="midtrans"),
    path("webhooks/kiriminaja", KiriminAjaWebhookApi.as_view(), name="kiriminaja"),
]
