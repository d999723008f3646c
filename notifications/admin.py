from django.contrib import admin

from notifications.models import Notification, NotificationPreference, StoreAlertSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "event_key", "email_state", "read_at"]
    list_filter = ["kind", "email_state"]
    search_fields = ["event_key", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(StoreAlertSettings)
class StoreAlertSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "low_stock_threshold", "ship_within_hours"]
    raw_id_fields = ["store"]
