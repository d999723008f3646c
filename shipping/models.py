"""Shipping: districts, each store's shipping settings, shipments and their tracking events."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import Store

# Courier codes as KiriminAja names them, with the label shown to buyers.
COURIERS: dict[str, str] = {
    "jne": "JNE",
    "jnt": "J&T Express",
    "sicepat": "SiCepat",
    "anteraja": "AnterAja",
    "pos": "Pos Indonesia",
    "ninja": "Ninja Xpress",
    "lion": "Lion Parcel",
    "idx": "ID Express",
}
DEFAULT_COURIERS = ["jne", "jnt", "sicepat", "anteraja", "pos"]
# Kota Blitar, Kec. Kepanjenkidul (the town centre): where a new store ships from.
DEFAULT_ORIGIN_AREA_ID = 357202


class Area(models.Model):
    """A kecamatan (district), the unit KiriminAja prices by.

    `id` is the Kemendagri kecamatan code; `kiriminaja_id` is KiriminAja's own kecamatan id,
    needed only by the live client (the simulator prices by coordinates).
    """

    id = models.PositiveIntegerField(primary_key=True)
    name = models.CharField(max_length=80)
    city = models.CharField(max_length=80)
    province = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=5, blank=True)
    lat = models.FloatField()
    lng = models.FloatField()
    kiriminaja_id = models.PositiveIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["province", "city", "name"]
        indexes = [models.Index(fields=["name"], name="shipping_area_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def label(self) -> str:
        return f"{self.name}, {self.city}, {self.province}"


class ShippingSettings(models.Model):
    class Schedule(models.TextChoices):
        ASAP = "asap", _("Secepatnya")
        MORNING = "morning", _("Pagi (09.00–12.00)")
        AFTERNOON = "afternoon", _("Siang (13.00–16.00)")

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="shipping_settings")
    origin_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    couriers = ArrayField(models.CharField(max_length=20), default=list)
    # Where the courier picks parcels up; empty falls back to the store's address/owner.
    pickup_name = models.CharField(max_length=100, blank=True)
    pickup_phone = models.CharField(max_length=20, blank=True)
    pickup_address = models.CharField(max_length=300, blank=True)
    pickup_schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.ASAP)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "shipping settings"

    def __str__(self) -> str:
        return f"{self.store_id}: {self.origin_area_id} {','.join(self.couriers)}"


class Shipment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu pemesanan kurir")
        BOOKING = "booking", _("Memesan kurir")
        RETRYING = "retrying", _("Mencoba lagi")
        BOOKED = "booked", _("Kurir dipesan")
        PROCESSED = "processed", _("Diproses kurir")
        SHIPPED = "shipped", _("Dalam perjalanan")
        DELIVERED = "delivered", _("Diterima")
        CANCELED = "canceled", _("Dibatalkan kurir")
        RETURNED = "returned", _("Dikembalikan")
        FAILED = "failed", _("Gagal dipesan")

    # Forward order of the courier's statuses: a late event never moves a shipment back.
    RANK = {
        Status.PENDING: 0,
        Status.BOOKING: 0,
        Status.RETRYING: 0,
        Status.FAILED: 0,
        Status.BOOKED: 1,
        Status.PROCESSED: 2,
        Status.SHIPPED: 3,
        Status.DELIVERED: 4,
        Status.CANCELED: 4,
        Status.RETURNED: 5,
    }

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="shipment")
    provider = models.CharField(max_length=20)
    courier = models.CharField(max_length=20)
    service = models.CharField(max_length=50, blank=True)
    awb = models.CharField(max_length=60, blank=True, db_index=True)
    # KiriminAja's pickup number for the booking (e.g. XID-...).
    provider_order_id = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.order_id}:{self.courier}:{self.status}"


class ShipmentEvent(models.Model):
    """One courier update as received (webhook callbacks are deduplicated on `dedupe_key`)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Shipment.Status.choices)
    description = models.CharField(max_length=300)
    occurred_at = models.DateTimeField()
    raw = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.shipment_id}:{self.status}@{self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def description_text(self) -> str:
        """What to show: the courier's own words as received, but our own "courier booked" line
        in the reader's language (it is ours, not the courier's, and carries no internal id)."""
        if self.dedupe_key.startswith("booked:"):
            courier = self.shipment.courier
            return str(_("Courier %(courier)s booked") % {"courier": COURIERS.get(courier, courier)})
        return self.description


class SimulatedShipment(models.Model):
    """State of the KiriminAja simulator: what KiriminAja would hold for a booked package."""

    order_ref = models.CharField(max_length=50, unique=True)  # the package order_id (our order number)
    pickup_number = models.CharField(max_length=40, unique=True)
    awb = models.CharField(max_length=40, blank=True)
    courier = models.CharField(max_length=20)
    service = models.CharField(max_length=20)
    # The last callback method sent (empty = booked, nothing sent yet).
    last_method = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.order_ref}:{self.last_method or 'booked'}"
