"""`manage.py reconcile`: the worker's periodic sweep, now (see shipping/reconcile.py)."""

from django.core.management.base import BaseCommand

from shipping.reconcile import reconcile_run


class Command(BaseCommand):
    help = (
        "Re-enqueue tasks whose worker died, expire overdue unpaid orders and schedule the courier "
        "booking of paid orders left without one."
    )

    def handle(self, *args, **options) -> None:
        report = reconcile_run()
        self.stdout.write(f"Reconcile: {report}.")
