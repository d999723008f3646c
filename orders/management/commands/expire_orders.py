from django.core.management.base import BaseCommand

from orders.services import orders_expire_overdue


class Command(BaseCommand):
    help = "Expire unpaid orders older than PAYMENT_EXPIRY_MINUTES and release their stock and promo use."

    def handle(self, *args, **options) -> None:
        expired = orders_expire_overdue()
        self.stdout.write(f"Expired {expired} unpaid order(s).")
