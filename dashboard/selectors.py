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
    """Which provider each integration uses right now: live (keys configured) or simulator."""
    from django.conf import settings

    from orders.payments import payment_mode
    from shipping.providers import shipping_mode

    def row(name: str, live: bool, live_label: str, detail: str = "") -> dict:
        return {"name": name, "live": live, "mode": live_label if live else "simulator", "detail": detail}

    pay = payment_mode()
    ship = shipping_mode()
    return [
        row(
            "Midtrans QRIS",
            pay == "midtrans",
            "midtrans",
            "production" if settings.MIDTRANS_IS_PRODUCTION else "sandbox",
        ),
        row("KiriminAja", ship == "kiriminaja", "kiriminaja"),
        row("Claude (AI)", bool(settings.ANTHROPIC_API_KEY), "anthropic", settings.ANTHROPIC_MODEL),
        row("Replicate", bool(settings.REPLICATE_API_TOKEN), "replicate"),
        row("Cloudflare R2", bool(settings.R2_BUCKET), "r2", settings.R2_BUCKET),
        row("Instagram", bool(settings.INSTAGRAM_APP_ID and settings.INSTAGRAM_APP_SECRET), "instagram"),
    ]
