"""`manage.py advance_shipment <order id or number>`: the simulator's next courier step.

The step's KiriminAja callback is handed to our real webhook handler in-process (same
authentication, raw log and services as a callback over HTTP), so the command works whatever
port the web server runs on, or with no server running at all; the server's open tracking pages
still update live through the channel layer.
"""

from __future__ import annotations

import json
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from orders.models import Order
from shipping.providers.webhook import KiriminAjaWebhook
from shipping.services import shipment_advance
from tokoblitar.errors import DomainError


def in_process_transport(url: str, body: bytes, headers: dict[str, str]) -> int:
    """A simulator transport that calls the KiriminAja webhook handler in this process."""
    request = RequestFactory().post(
        url,
        data=body,
        content_type=headers.get("Content-Type", "application/json"),
        HTTP_AUTHORIZATION=headers.get("Authorization", ""),
        HTTP_USER_AGENT=headers.get("User-Agent", ""),
    )
    return KiriminAjaWebhook()(request).status_code


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
            body = shipment_advance(order=order, transport=in_process_transport)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        order.refresh_from_db(fields=["status"])
        self.stdout.write(f"{body['method']} sent for {order.number}; order is now {order.status}")
        self.stdout.write(json.dumps(body))
