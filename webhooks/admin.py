from django.contrib import admin

from webhooks.models import ProviderNotification


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(admin.ModelAdmin):
    list_display = ["received_at", "provider", "reference", "event", "signature_valid", "outcome", "http_status"]
    list_filter = ["provider", "outcome", "signature_valid"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in ProviderNotification._meta.fields]

    # Raw provider notifications are audit evidence: view only.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
