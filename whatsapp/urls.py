from django.urls import path

from whatsapp import api, api_media
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
    # The inbox's JSON routes for images and templates (envelope; whatsapp.api_media).
    path("whatsapp/chats/<uuid:chat_id>/images", api_media.ChatImageApi.as_view(), name="chat-images"),
    path("whatsapp/chats/<uuid:chat_id>/templates", api_media.ChatTemplatesApi.as_view(), name="chat-templates"),
    path("whatsapp/messages/<uuid:message_id>/media", api_media.MessageMediaApi.as_view(), name="message-media"),
]
