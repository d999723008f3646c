from django.contrib import admin

from promos.models import Promo, PromoRedemption
from tokoblitar.admin_saves import LockedPartialSaveMixin


@admin.register(Promo)
class PromoAdmin(LockedPartialSaveMixin, admin.ModelAdmin):
    # Orders move used_count while the form is open: save only what the admin changed.
    list_display = ["code", "store", "type", "value", "used_count", "usage_limit", "starts_at", "ends_at", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["code", "store__name"]
    readonly_fields = ["used_count"]
    raw_id_fields = ["store"]


@admin.register(PromoRedemption)
class PromoRedemptionAdmin(admin.ModelAdmin):
    list_display = ["promo", "buyer", "order", "status", "created_at", "released_at"]
    list_filter = ["status"]
    raw_id_fields = ["promo", "buyer", "order"]
