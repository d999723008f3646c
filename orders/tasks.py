"""Background jobs for orders (django-tasks, database queue; run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from orders.services import orders_expire_overdue


@task()
def orders_expire_unpaid() -> int:
    """Expire every unpaid order past PAYMENT_EXPIRY_MINUTES and release its stock and promo use.

    Enqueued once per order at placement with run_after = its expiry time, so the worker runs it
    on time with no scheduler; each run sweeps all overdue orders, so a missed run is caught by
    the next one (and `manage.py expire_orders` does the same sweep on demand)."""
    return orders_expire_overdue()
