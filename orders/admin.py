from django.contrib import admin

from orders.models import CartItem, Order, OrderItem, OrderStatusChange, Payment, PaymentEvent, SimulatedCharge
from tokoblitar.admin_saves import LockedPartialSaveMixin
from tokoblitar.money import admin_money


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = readonly_fields = ["product", "product_name", "price_rp", "quantity", "weight_gram"]
    can_delete = False
    price_rp = admin_money("price", "price")


class StatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "cause", "at"]
    can_delete = False


@admin.register(Order)
class OrderAdmin(LockedPartialSaveMixin, admin.ModelAdmin):
    list_display = ["number", "store", "buyer", "status", "needs_refund", "total_rp", "created_at"]
    list_filter = ["status", "needs_refund"]
    search_fields = ["number", "buyer__email", "store__name"]
    raw_id_fields = ["buyer", "store", "promo"]
    # Money and stock move only through orders.services; the admin is for looking.
    readonly_fields = ["status", "stock_held", "subtotal_rp", "discount_rp", "shipping_cost_rp", "total_rp"]
    exclude = ["subtotal", "discount", "shipping_cost", "total"]
    inlines = [OrderItemInline, StatusChangeInline]
    # Money as buyers see it: "Rp 38.400".
    subtotal_rp = admin_money("subtotal", "subtotal")
    discount_rp = admin_money("discount", "discount")
    shipping_cost_rp = admin_money("shipping_cost", "shipping cost")
    total_rp = admin_money("total", "total")


@admin.register(Payment)
class PaymentAdmin(LockedPartialSaveMixin, admin.ModelAdmin):
    list_display = ["order", "provider", "status", "gross_amount_rp", "expires_at", "paid_at"]
    gross_amount_rp = admin_money("gross_amount", "gross amount")
    list_filter = ["provider", "status"]
    raw_id_fields = ["order"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ["order", "key", "outcome", "created_at"]
    raw_id_fields = ["order"]


@admin.register(CartItem)
class CartItemAdmin(admin.ModelAdmin):
    list_display = ["buyer", "product", "quantity", "updated_at"]
    raw_id_fields = ["buyer", "product"]


@admin.register(SimulatedCharge)
class SimulatedChargeAdmin(admin.ModelAdmin):
    list_display = ["order_ref", "status", "gross_amount_rp", "expires_at"]
    gross_amount_rp = admin_money("gross_amount", "gross amount")
