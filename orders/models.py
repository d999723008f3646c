import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from orders.causes import cause_render
from stores.models import Store


class CartItem(models.Model):
    """One line of a buyer's cart (DB-backed so it follows the buyer across devices)."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cart_items")
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "product"], name="orders_cart_one_line_per_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_cart_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id}:{self.product_id}x{self.quantity}"


_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_order_number(at: datetime | None = None) -> str:
    """`TB-20261123-7KQ2XM`: the Jakarta date of `at` (default now) and six random characters
    (32^6 per day)."""
    day = timezone.localtime(at or timezone.now()).strftime("%Y%m%d")
    return f"TB-{day}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Menunggu pembayaran")
        PAID = "paid", _("Dibayar")
        PROCESSING = "processing", _("Diproses")
        SHIPPED = "shipped", _("Dikirim")
        DELIVERED = "delivered", _("Diterima")
        COMPLETED = "completed", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")
        EXPIRED = "expired", _("Kedaluwarsa")
        REFUNDED = "refunded", _("Dikembalikan")

    # SPEC §5 state machine. expired/cancelled -> paid only for a late settlement that could
    # re-reserve its stock (see orders.services.payment_notification_apply).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING_PAYMENT: frozenset({Status.PAID, Status.CANCELLED, Status.EXPIRED}),
        Status.PAID: frozenset({Status.PROCESSING, Status.SHIPPED, Status.CANCELLED, Status.REFUNDED}),
        Status.PROCESSING: frozenset({Status.SHIPPED, Status.CANCELLED, Status.REFUNDED}),
        Status.SHIPPED: frozenset({Status.DELIVERED, Status.REFUNDED}),
        Status.DELIVERED: frozenset({Status.COMPLETED, Status.REFUNDED}),
        Status.COMPLETED: frozenset(),
        Status.CANCELLED: frozenset({Status.REFUNDED}),
        Status.EXPIRED: frozenset({Status.PAID, Status.REFUNDED}),
        Status.REFUNDED: frozenset(),
    }
    PAID_STATES = frozenset({Status.PAID, Status.PROCESSING, Status.SHIPPED, Status.DELIVERED, Status.COMPLETED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=32, unique=True, default=new_order_number)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True)
    # Paid money we cannot fulfil (late settlement with no stock left, seller cancel after payment).
    needs_refund = models.BooleanField(default=False, db_index=True)
    # True while this order holds its items' stock (reserved, or final once paid). Release and
    # re-reserve flip it under the order row lock, so stock moves exactly once either way.
    stock_held = models.BooleanField(default=True)
    subtotal = models.PositiveBigIntegerField()
    discount = models.PositiveBigIntegerField(default=0)
    shipping_cost = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField()
    promo = models.ForeignKey("promos.Promo", on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    promo_code = models.CharField(max_length=40, blank=True)
    courier = models.CharField(max_length=30)
    courier_service = models.CharField(max_length=50, blank=True)
    shipping_etd = models.CharField(max_length=30, blank=True)
    weight_gram = models.PositiveIntegerField(default=0)
    # {name, phone, address, city, district, postal_code}, validated by the API serializer.
    shipping_address = models.JSONField()
    # An AWB typed by the seller when the shipment was not booked automatically.
    manual_awb = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount") + F("shipping_cost")), name="orders_total_adds_up"
            ),
            models.CheckConstraint(condition=Q(discount__lte=F("subtotal")), name="orders_discount_within_subtotal"),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"], name="orders_store_status"),
            models.Index(fields=["buyer", "-created_at"], name="orders_buyer_recent"),
        ]

    def __str__(self) -> str:
        return self.number

    def can_move_to(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, frozenset())


class OrderItem(models.Model):
    """A line with the product's name and price as they were when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    product_name = models.CharField(max_length=200)
    price = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()
    weight_gram = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_item_quantity_positive"),
            models.UniqueConstraint(fields=["order", "product"], name="orders_item_one_line_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} x{self.quantity}"

    @property
    def line_total(self) -> int:
        return self.price * self.quantity


class OrderStatusChange(models.Model):
    """Every status change with its time and cause (history shown to buyer and seller)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    # The English sentence (admin, logs); pages show `cause_text`, rendered from the code.
    cause = models.CharField(max_length=200)
    # orders.causes.MESSAGES key and its parameters; blank on rows older than cause codes.
    cause_code = models.CharField(max_length=40, blank=True)
    cause_params = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} -> {self.to_status}"

    @property
    def cause_text(self) -> str:
        """Why the status changed, in the active language (the stored English for old rows)."""
        return cause_render(self.cause_code, self.cause_params, fallback=self.cause)


class Payment(models.Model):
    """The order's QRIS payment at the provider (one per order)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    provider = models.CharField(max_length=20)
    transaction_id = models.CharField(max_length=100, blank=True)
    # The provider's last transaction_status we applied (pending, settlement, expire, ...).
    status = models.CharField(max_length=20, default="pending")
    gross_amount = models.PositiveBigIntegerField()
    qr_string = models.TextField(blank=True)
    expires_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.provider}:{self.order_id}:{self.status}"


class PaymentEvent(models.Model):
    """Notifications already applied to an order: the idempotency keys of the webhook."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payment_events")
    key = models.CharField(max_length=200)
    transaction_status = models.CharField(max_length=20)
    outcome = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "key"], name="orders_payment_event_once")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.key}"


class SimulatedCharge(models.Model):
    """State of the payment simulator: what Midtrans would hold for a QRIS charge."""

    order_ref = models.CharField(max_length=50, unique=True)  # Midtrans order_id (our order number)
    transaction_id = models.UUIDField(default=uuid.uuid4, unique=True)
    gross_amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, default="pending")
    qr_string = models.TextField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.order_ref}:{self.status}"
