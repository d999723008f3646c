from django.contrib import admin

from shipping.models import Area, Shipment, ShipmentEvent, ShippingSettings, SimulatedShipment
from tokoblitar.admin_saves import LockedPartialSaveMixin


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "city", "province", "postal_code", "kiriminaja_id"]
    search_fields = ["name", "city", "postal_code"]


@admin.register(ShippingSettings)
class ShippingSettingsAdmin(LockedPartialSaveMixin, admin.ModelAdmin):
    list_display = ["store", "origin_area", "pickup_schedule", "updated_at"]
    list_select_related = ["store", "origin_area"]
    raw_id_fields = ["store", "origin_area"]


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0
    readonly_fields = ["status", "description", "occurred_at", "dedupe_key", "raw"]


@admin.register(Shipment)
class ShipmentAdmin(LockedPartialSaveMixin, admin.ModelAdmin):
    list_display = ["order", "courier", "service", "awb", "status", "attempts", "booked_at"]
    list_filter = ["status", "courier", "provider"]
    search_fields = ["awb", "order__number", "provider_order_id"]
    raw_id_fields = ["order"]
    inlines = [ShipmentEventInline]


@admin.register(SimulatedShipment)
class SimulatedShipmentAdmin(admin.ModelAdmin):
    list_display = ["order_ref", "pickup_number", "awb", "last_method", "updated_at"]
