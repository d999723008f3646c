"""Reads for the seller dashboard overview (aggregates, constant query count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from notifications.models import StoreAlertSettings
from orders.models import Order
from shipping.models import ShippingSettings
from stores.models import Store

# The store's own low-stock threshold (the alerts settings page), else the alerts' default.
DEFAULT_LOW_STOCK = StoreAlertSettings._meta.get_field("low_stock_threshold").default


@dataclass(frozen=True)
class Overview:
    orders_today: int
    to_process: int
    revenue_week: int
    low_stock: list[Product]
    recent_orders: list[Order]


def seller_overview(*, store: Store) -> Overview:
    """Counts for the overview (3 queries). `revenue_week`: rupiah of paid orders (paid and
    every state after) placed in the last 7 days, a rolling window so a Monday morning does
    not read 0 after a busy weekend."""
    now = timezone.localtime(timezone.now())
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = now - timedelta(days=7)
    paid = list(Order.PAID_STATES)
    totals = Order.objects.filter(store=store).aggregate(
        orders_today=Count("pk", filter=Q(created_at__gte=today)),
        to_process=Count("pk", filter=Q(status__in=[Order.Status.PAID, Order.Status.PROCESSING])),
        revenue_week=Sum("total", filter=Q(created_at__gte=week_start, status__in=paid)),
    )
    low_stock = list(
        Product.objects.alive()
        .filter(store=store, status=Product.Status.ACTIVE)
        .annotate(
            threshold=Coalesce(
                Subquery(
                    StoreAlertSettings.objects.filter(store=OuterRef("store_id")).values("low_stock_threshold")[:1]
                ),
                Value(DEFAULT_LOW_STOCK),
            )
        )
        .filter(stock__lte=F("threshold"))
        .only("pk", "name", "stock", "slug")
        .order_by("stock", "name")[:10]
    )
    recent = list(Order.objects.filter(store=store).select_related("buyer").order_by("-created_at")[:5])
    return Overview(
        orders_today=totals["orders_today"] or 0,
        to_process=totals["to_process"] or 0,
        revenue_week=totals["revenue_week"] or 0,
        low_stock=low_stock,
        recent_orders=recent,
    )


@dataclass(frozen=True)
class ChecklistStep:
    key: str  # "profile" | "shipping" | "product" | "share"
    label: str
    hint: str
    done: bool
    url: str  # where the seller does it (the share step is done on the overview itself)


@dataclass(frozen=True)
class SetupChecklist:
    steps: list[ChecklistStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


def seller_setup_checklist(*, store: Store) -> SetupChecklist:
    """A new seller's first steps, ticked off from her data in one query, however much she has:
    name and logo; location on the map and shipping settings; a first product; the store link
    shared (the share buttons report it, or an order came in)."""
    alive = Product.objects.filter(store=OuterRef("pk"), deleted_at__isnull=True)
    facts = (
        Store.objects.filter(pk=store.pk)
        .annotate(
            has_product=Exists(alive),
            has_shipping=Exists(ShippingSettings.objects.filter(store=OuterRef("pk"))),
            has_order=Exists(Order.objects.filter(store=OuterRef("pk"))),
        )
        .values("name", "logo", "logo_url", "lat", "lng", "link_shared_at", "has_product", "has_shipping", "has_order")
        .get()
    )
    located = facts["lat"] is not None and facts["lng"] is not None
    steps = [
        ChecklistStep(
            "profile",
            _("Nama dan logo toko"),
            _("Pembeli mengenali toko Anda dari nama dan logonya."),
            bool(facts["name"].strip() and (facts["logo"] or facts["logo_url"])),
            reverse("dashboard:store"),
        ),
        ChecklistStep(
            "shipping",
            _("Lokasi dan asal pengiriman"),
            _("Tandai lokasi toko di peta dan pilih kecamatan asal paket."),
            located and facts["has_shipping"],
            reverse("dashboard:shipping" if located else "dashboard:store"),
        ),
        ChecklistStep(
            "product",
            _("Produk pertama"),
            _("Foto yang jelas, harga dan stok."),
            facts["has_product"],
            reverse("dashboard:product-new"),
        ),
        ChecklistStep(
            "share",
            _("Bagikan tautan toko"),
            _("Kirim ke WhatsApp atau pasang di bio Instagram."),
            facts["link_shared_at"] is not None or facts["has_order"],
            "",
        ),
    ]
    return SetupChecklist(steps=steps)


def store_public_url(*, store: Store) -> str:
    """The link a seller shares: `https://<slug>.<STORE_DOMAIN>/` where the site runs on that
    domain, else the store page under SITE_URL (a local or staging run)."""
    from django.conf import settings

    site = settings.SITE_URL.rstrip("/")
    scheme, _sep, host = site.partition("://")
    domain = settings.STORE_DOMAIN.lower()
    if domain and (host.lower() == domain or host.lower().endswith("." + domain)):
        return f"{scheme}://{store.slug}.{domain}/"
    return site + reverse("storefront:store", args=[store.slug])


def integrations_status() -> list[dict]:
    """One row per registered provider (the kernel's registry), plus media storage.

    Read from the registry, so a provider that does not exist cannot be listed as running:
    `[{"name", "kind", "live": bool, "mode": "live"|"simulator", "detail"}]`."""
    from django.conf import settings

    from tokoblitar.providers import provider_list

    rows = [
        {
            "name": config.name,
            "kind": config.kind,
            "live": not config.is_simulator,
            "mode": config.mode,
            "detail": "production"
            if config.options.get("is_production")
            else ("" if config.is_simulator else "sandbox"),
        }
        for config in provider_list()
    ]
    r2 = settings.STORAGES["default"]["BACKEND"].endswith("S3Storage")
    rows.append(
        {
            "name": "Cloudflare R2" if r2 else "Media storage",
            "kind": "storage",
            "live": r2,
            "mode": "live" if r2 else "local",
            "detail": settings.R2_BUCKET if r2 else str(settings.MEDIA_ROOT),
        }
    )
    return rows
