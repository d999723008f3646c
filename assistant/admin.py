"""Conversations and token usage in the Django admin: read-only (they are records, not settings)."""

from __future__ import annotations

from django.contrib import admin

from assistant.models import ChatMessage, Conversation, UsageDay


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ("turn", "role", "content", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(_ReadOnly):
    list_display = ("title", "owner", "updated_at")
    search_fields = ("title", "owner__email")
    list_select_related = ("owner",)
    inlines = [ChatMessageInline]


@admin.register(UsageDay)
class UsageDayAdmin(_ReadOnly):
    list_display = (
        "subject",
        "day",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_creation_tokens",
        "requests",
    )
    list_filter = ("day",)
    search_fields = ("subject",)
