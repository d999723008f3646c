from django.contrib import admin

from whatsapp.models import (
    Chat,
    Contact,
    Message,
    SimulatedWahaEvent,
    SimulatedWahaMessage,
    SimulatedWahaSession,
    WhatsAppSession,
)


class _ReadOnly(admin.ModelAdmin):
    # Rows change only through the services and webhooks (ranks, locks, pushes): view only.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WhatsAppSession)
class WhatsAppSessionAdmin(_ReadOnly):
    list_display = ["store", "name", "provider", "state", "last_event_at", "last_ack", "updated_at"]
    list_filter = ["provider", "state"]
    search_fields = ["name", "store__name"]
    list_select_related = ["store"]


@admin.register(Contact)
class ContactAdmin(_ReadOnly):
    list_display = ["gateway_id", "phone", "name", "session"]
    search_fields = ["gateway_id", "phone", "name"]
    list_select_related = ["session"]


@admin.register(Chat)
class ChatAdmin(_ReadOnly):
    list_display = ["remote_id", "name", "session", "unread_count", "last_message_at"]
    search_fields = ["remote_id", "name"]
    list_select_related = ["session"]


@admin.register(Message)
class MessageAdmin(_ReadOnly):
    list_display = ["created_at", "direction", "status", "ack", "provider_message_id", "error_code"]
    list_filter = ["direction", "status"]
    search_fields = ["provider_message_id", "body"]


@admin.register(SimulatedWahaSession)
class SimulatedWahaSessionAdmin(_ReadOnly):
    list_display = ["name", "status", "linked", "stale_working", "qr_refs_used", "qr_expires_at"]


@admin.register(SimulatedWahaMessage)
class SimulatedWahaMessageAdmin(_ReadOnly):
    list_display = ["id", "session_name", "chat_id", "from_me", "ack", "created_at"]


@admin.register(SimulatedWahaEvent)
class SimulatedWahaEventAdmin(_ReadOnly):
    list_display = ["id", "session_name", "due_at", "attempts", "delivered_at", "last_status"]
    list_filter = ["delivered_at"]
