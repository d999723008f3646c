"""Reads for the seller dashboard overview (aggregates, constant query count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalog.models import Product
from orders.models import Order
from stores.models import Store

LOW_STOCK_THRESHOLD = 5


@dataclass(frozen=True)
class Overview:
    orders_today: int
    to_process: int
    revenue_week: int
    low_stock: list[Product]
    recent_orders: list[Order]


def seller_overview(*, store: Store) -> Overview:
    now = timezone.localtime(timezone.now())
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = today - timedelta(days=today.weekday())
    paid = list(Order.PAID_STATES)
    totals = Order.objects.filter(store=store).aggregate(
        orders_today=Count("pk", filter=Q(created_at__gte=today)),
        to_process=Count("pk", filter=Q(status__in=[Order.Status.PAID, Order.Status.PROCESSING])),
        revenue_week=Sum("total", filter=Q(created_at__gte=week_start, status__in=paid)),
    )
    low_stock = list(
        Product.objects.alive()
        .filter(store=store, status=Product.Status.ACTIVE, stock__lte=LOW_STOCK_THRESHOLD)
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
            "detail": "production" if config.options.get("is_production") else ("" if config.is_simulator else "sandbox"),
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
