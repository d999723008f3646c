"""Admin dashboard figures, aggregated in SQL: five queries whatever the data size.

The window is the last `days` calendar days in Asia/Jakarta, today included, so the
daily series has exactly `days` points and "today" means the shopkeepers' today.
An order counts towards GMV when it reached payment (paid and every later state);
cancelled/expired/refunded and unpaid orders do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from orders.models import Order, OrderItem
from stores.models import Store

JAKARTA = ZoneInfo("Asia/Jakarta")
TOP_N = 5


@dataclass(frozen=True)
class Window:
    days: int
    first_day: date
    last_day: date
    start: datetime  # aware, Jakarta midnight of first_day


def metrics_window(*, days: int, now: datetime | None = None) -> Window:
    today = timezone.localtime(now or timezone.now(), JAKARTA).date()
    first_day = today - timedelta(days=days - 1)
    return Window(days, first_day, today, datetime.combine(first_day, time.min, tzinfo=JAKARTA))


def _top_products(items, order_by: str) -> list[dict]:
    rows = items.order_by(f"-{order_by}", "product_id")[:TOP_N]
    return [
        {
            "product_id": str(row["product_id"]),
            "name": row["product__name"],
            "store_id": str(row["product__store_id"]),
            "store_name": row["product__store__name"],
            "revenue": int(row["revenue"] or 0),
            "units": int(row["units"] or 0),
        }
        for row in rows
    ]


def dashboard_metrics(*, days: int, now: datetime | None = None) -> dict:
    window = metrics_window(days=days, now=now)
    paid = Q(status__in=Order.PAID_STATES)
    orders = Order.objects.filter(created_at__gte=window.start)

    # 1: orders per status with their money; GMV and counts derive from these rows.
    by_status = {s: {"count": 0, "total": 0} for s in Order.Status.values}
    for row in orders.order_by().values("status").annotate(n=Count("id"), total=Sum("total")):
        by_status[row["status"]] = {"count": row["n"], "total": int(row["total"] or 0)}
    gmv = sum(v["total"] for s, v in by_status.items() if s in Order.PAID_STATES)
    paid_orders = sum(v["count"] for s, v in by_status.items() if s in Order.PAID_STATES)

    # 2: one grouped query per Jakarta day; the missing days are filled with zeros below.
    per_day = {
        row["day"]: row
        for row in orders.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=JAKARTA))
        .values("day")
        .annotate(orders=Count("id"), paid_orders=Count("id", filter=paid), gmv=Sum("total", filter=paid))
    }
    series = []
    for offset in range(window.days):
        day = window.first_day + timedelta(days=offset)
        row = per_day.get(day)
        series.append(
            {
                "date": day.isoformat(),
                "orders": row["orders"] if row else 0,
                "paid_orders": row["paid_orders"] if row else 0,
                "gmv": int(row["gmv"] or 0) if row else 0,
            }
        )

    # 3 and 4: newcomers in the window.
    new_stores = Store.objects.filter(created_at__gte=window.start).count()
    new_buyers = User.objects.filter(role=User.Role.BUYER, date_joined__gte=window.start).count()

    # 5 and 6: best sellers from the paid orders' snapshotted lines.
    items = (
        OrderItem.objects.filter(order__created_at__gte=window.start, order__status__in=Order.PAID_STATES)
        .values("product_id", "product__name", "product__store_id", "product__store__name")
        .annotate(revenue=Sum(F("price") * F("quantity")), units=Sum("quantity"))
    )

    return {
        "days": window.days,
        "from": window.first_day.isoformat(),
        "to": window.last_day.isoformat(),
        "gmv": gmv,
        "orders_total": sum(v["count"] for v in by_status.values()),
        "paid_orders": paid_orders,
        "average_order_value": gmv // paid_orders if paid_orders else 0,
        "orders_by_status": {s: v["count"] for s, v in by_status.items()},
        "new_stores": new_stores,
        "new_buyers": new_buyers,
        "top_products_by_revenue": _top_products(items, "revenue"),
        "top_products_by_units": _top_products(items, "units"),
        "daily": series,
    }


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    date: str
    gmv: int
    orders: int


def chart_bars(*, daily: list[dict], width: int = 720, height: int = 160) -> tuple[list[Bar], int]:
    """Daily GMV as SVG bar geometry (server-side: no chart library, no JS) and the peak."""
    peak = max((d["gmv"] for d in daily), default=0)
    slot = width / max(len(daily), 1)
    bars = []
    for index, day in enumerate(daily):
        h = (day["gmv"] / peak * (height - 4)) if peak else 0
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 2),
                y=round(height - h, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(h, 2),
                date=day["date"],
                gmv=day["gmv"],
                orders=day["orders"],
            )
        )
    return bars, peak
