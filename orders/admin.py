from django.contrib import admin

from orders.models import CartItem, Order, OrderItem, OrderStatusChange, Payment, PaymentEvent, SimulatedCharge


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    readonly_fields = ["product", "product_name", "price", "quantity", "weight_gram"]
    can_delete = False


class StatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "cause", "at"]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "store", "buyer", "status", "needs_refund", "total", "created_at"]
    list_filter = ["status", "needs_refund"]
    search_fields = ["number", "buyer__email", "store__name"]
    raw_id_fields = ["buyer", "store", "promo"]
    # Money and stock move only through orders.services; the admin is for looking.
    readonly_fields = ["status", "stock_held", "subtotal", "discount", "shipping_cost", "total"]
    inlines = [OrderItemInline, StatusChangeInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["order", "provider", "status", "gross_amount", "expires_at", "paid_at"]
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
    list_display = ["order_ref", "status", "gross_amount", "expires_at"]
