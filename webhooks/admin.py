from django.contrib import admin

from webhooks.models import ProviderNotification


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(admin.ModelAdmin):
    list_display = ["received_at", "provider", "reference", "event", "signature_valid", "outcome", "http_status"]
    list_filter = ["provider", "outcome", "signature_valid"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in ProviderNotification._meta.fields]
