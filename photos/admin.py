from django.contrib import admin

from photos.models import EnhanceJob, ReplicateWebhookDelivery


@admin.register(EnhanceJob)
class EnhanceJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "product", "status", "progress", "provider", "decision", "reason_code"]
    list_filter = ["status", "decision", "provider", "reason_code"]
    search_fields = ["prediction_id", "product__name", "store__name"]
    list_select_related = ["store", "product"]
    readonly_fields = [f.name for f in EnhanceJob._meta.fields]

    # Jobs change only through the services (locks, files, pushes): view only.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReplicateWebhookDelivery)
class ReplicateWebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "webhook_id", "prediction_id"]
    search_fields = ["webhook_id", "prediction_id"]
    readonly_fields = [f.name for f in ReplicateWebhookDelivery._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
