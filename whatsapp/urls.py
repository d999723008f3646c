from django.urls import path

from whatsapp import api
from whatsapp.webhook import CloudApiWebhook, WahaWebhook

app_name = "whatsapp_api"

# The seed's paths exactly (SPEC §11), mounted under /api/.
urlpatterns = [
    path("session/create", api.SessionCreateApi.as_view(), name="session-create"),
    path("session/status", api.SessionStatusApi.as_view(), name="session-status"),
    path("qr", api.QrApi.as_view(), name="qr"),
    path("messages/send", api.MessageSendApi.as_view(), name="messages-send"),
    path("webhook", CloudApiWebhook.as_view(), name="webhook-cloud"),
    path("webhooks/waha", WahaWebhook.as_view(), name="webhook-waha"),
]
