import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stores.models import Store


class PromoQuerySet(models.QuerySet["Promo"]):
    def alive(self) -> "PromoQuerySet":
        return self.filter(deleted_at__isnull=True)


class Promo(models.Model):
    """A promo code of one store, or of the whole platform when `store` is NULL.

    `code` is stored upper-case so look-ups are case-insensitive; `used_count` only moves
    through guarded UPDATEs in promos.services (never read-modify-write).
    """

    class Type(models.TextChoices):
        PERCENTAGE = "percentage", _("Persentase")
        FIXED = "fixed", _("Potongan tetap")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, null=True, blank=True, related_name="promos")
    code = models.CharField(_("kode"), max_length=40)
    type = models.CharField(max_length=10, choices=Type.choices)
    # Percent (1..100) for percentage promos, rupiah for fixed ones.
    value = models.PositiveBigIntegerField()
    min_order = models.PositiveBigIntegerField(default=0)
    max_discount = models.PositiveBigIntegerField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    per_buyer_limit = models.PositiveIntegerField(null=True, blank=True)
    used_count = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField()
    # NULL: no end, the promo runs until it is switched off (is_active) or deleted.
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PromoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Unique per store; platform promos (store NULL) unique among themselves.
            models.UniqueConstraint(
                fields=["store", "code"],
                condition=Q(store__isnull=False, deleted_at__isnull=True),
                name="promos_code_unique_per_store",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(store__isnull=True, deleted_at__isnull=True),
                name="promos_code_unique_platform",
            ),
            models.CheckConstraint(condition=Q(code=models.functions.Upper("code")), name="promos_code_upper"),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="promos_used_within_limit",
            ),
            models.CheckConstraint(
                condition=~Q(type="percentage") | Q(value__gte=1, value__lte=100), name="promos_percentage_range"
            ),
            models.CheckConstraint(condition=Q(value__gte=1), name="promos_value_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")), name="promos_window_valid"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="promos_code_idx")]

    def __str__(self) -> str:
        return self.code

    def discount_for(self, subtotal: int) -> int:
        """Rupiah off a subtotal: integer maths, capped by max_discount and the subtotal itself."""
        if self.type == self.Type.PERCENTAGE:
            discount = subtotal * self.value // 100
        else:
            discount = self.value
        if self.max_discount is not None:
            discount = min(discount, self.max_discount)
        return max(0, min(discount, subtotal))


class PromoRedemption(models.Model):
    """One use of a promo by one order. Active while the order holds it; released when the
    order expires, is cancelled or denied (the promo's used_count goes back down once)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Dipakai")
        RELEASED = "released", _("Dikembalikan")

    promo = models.ForeignKey(Promo, on_delete=models.PROTECT, related_name="redemptions")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promo_redemptions")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="promo_redemption")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["promo", "buyer", "status"], name="promos_redemption_buyer")]

    def __str__(self) -> str:
        return f"{self.promo_id}:{self.order_id}"
