"""`manage.py seller_alerts`: notify sellers of new alerts now (the worker does it every
ALERTS_INTERVAL_SECONDS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.alerts import alerts_sweep


class Command(BaseCommand):
    help = "Notify sellers of new alerts (low stock, unpaid, unshipped, failed booking) now."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{alerts_sweep()} new alert notification(s)")
