"""`manage.py advance_shipment <order id or number>`: the simulator's next courier step."""

from __future__ import annotations

import json
import uuid

from django.core.management.base import BaseCommand, CommandError

from orders.models import Order
from shipping.services import shipment_advance
from tokoblitar.errors import DomainError


class Command(BaseCommand):
    help = "Advance a simulated shipment one step (processed → shipped → finished) via the real webhook."

    def add_arguments(self, parser):
        parser.add_argument("order", help="Order UUID or number (TB-...)")

    def handle(self, *args, **options):
        ref = options["order"].strip()
        try:
            lookup = {"pk": uuid.UUID(ref)}
        except ValueError:
            lookup = {"number": ref}
        order = Order.objects.filter(**lookup).first()
        if order is None:
            raise CommandError(f"Order {ref} not found")
        try:
            body = shipment_advance(order=order)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        order.refresh_from_db(fields=["status"])
        self.stdout.write(f"{body['method']} sent for {order.number}; order is now {order.status}")
        self.stdout.write(json.dumps(body))
