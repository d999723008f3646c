"""`manage.py seed_demo_orders`: a couple of weeks of demo orders, so the admin metrics and the
seller dashboard are not empty on a fresh `make run`.

Runs once: it does nothing when the demo buyer already has an order. Every order goes through
the real services: `order_place` (stock reservation, shipping quote, QRIS charge at the payment
simulator), settlement/expiry notifications signed exactly as Midtrans signs them and applied by
`payment_notification_apply` (what the webhook calls), courier booking by `shipment_request_pickup`
and courier callbacks applied by `shipment_callback_apply` (what the KiriminAja webhook calls).
The simulators normally deliver their notifications over HTTP to the running site; this command
runs before the server starts, so their transport hands the same signed bodies to the webhook
handlers in-process.

Only with both simulators: it never charges real money or books real couriers.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from checkout.services import order_place
from orders.models import Order, OrderStatusChange, Payment, SimulatedCharge, new_order_number
from orders.payments import get_payment_provider, payment_mode
from orders.payments.webhook import MidtransWebhook
from shipping.models import Shipment, ShipmentEvent
from shipping.providers import get_shipping_provider, shipping_mode
from shipping.providers.simulator import FLOW
from shipping.providers.webhook import KiriminAjaWebhook
from shipping.services import shipment_request_pickup
from stores.models import Store
from tokoblitar.demo import demo_add_force_argument, demo_data_guard

DEMO_BUYER = "pembeli@tokoblitar.id"
DEMO_SELLER = "penjual@tokoblitar.id"
ADDRESS = {
    "name": "Dewi Pembeli",
    "phone": "081233445566",
    "address": "Jl. Kalimantan No. 21, RT 03 RW 05",
    "city": "Kota Blitar",
    "district": "Sananwetan",
    "postal_code": "66137",
}
COURIERS = ["jne", "sicepat", "jnt", "anteraja"]
ADVISORY_LOCK = 0x70B117  # two starts at once must not both seed

# (store: 0 = the demo seller's store, n = the n-th other demo store; days ago; where it ends up).
# The demo seller's store gets every state so each dashboard filter shows something.
PLAN: list[tuple[int, int, str]] = [
    (0, 13, "delivered"),
    (1, 12, "delivered"),
    (2, 11, "delivered"),
    (0, 9, "shipped"),
    (3, 8, "paid"),
    (1, 6, "expired"),
    (0, 5, "processing"),
    (2, 4, "shipped"),
    (0, 2, "paid"),
    (3, 1, "processing"),
    (0, 0, "pending"),
]
STEPS = {  # courier callbacks (KiriminAja methods) after booking, per end state
    "processing": 0,
    "shipped": FLOW.index("shipped_packages") + 1,
    "delivered": FLOW.index("finished_packages") + 1,
}


class Command(BaseCommand):
    help = "Place demo orders for the demo buyer through the real order, payment and shipping services (once)."

    def add_arguments(self, parser) -> None:
        demo_add_force_argument(parser)

    def handle(self, *args, **options) -> None:
        demo_data_guard(force=options["force"])
        buyer = User.objects.filter(email__iexact=DEMO_BUYER).first()
        if buyer is None:
            raise CommandError(f"Demo buyer {DEMO_BUYER} not found: run `manage.py seed_demo` first.")
        if payment_mode() != "simulator" or shipping_mode() != "simulator":
            self.stdout.write("Demo orders skipped: they are only placed with the payment and shipping simulators.")
            return
        # Every status change is pushed to the order's live-tracking group; nobody watches demo
        # orders before the server starts, so the channel layer's "no such group" warnings are noise.
        logging.getLogger("channels_postgres").setLevel(logging.ERROR)
        with transaction.atomic():  # all or nothing: a half-seeded run would never be completed
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            if Order.objects.filter(buyer=buyer).exists():
                self.stdout.write("Demo orders: already present.")
                return
            stores = _demo_stores()
            if not stores:
                raise CommandError("No demo stores with products in stock: run `manage.py seed_demo` first.")
            now = timezone.now()
            rng = random.Random(2026)  # the same demo every time
            for n, (store_index, days_ago, target) in enumerate(PLAN):
                store = stores[store_index % len(stores)]
                order = _place(buyer=buyer, store=store, n=n, rng=rng)
                created = now - timedelta(days=days_ago, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
                if days_ago:
                    # Demo data only: the services stamp "now", and the metrics need a spread over the
                    # last two weeks. The number carries the date it was placed on, so it is renamed
                    # before anything else refers to it (only the payment simulator's charge does).
                    _renumber(order, created)
                _move_to(order, target)
                if days_ago:
                    # (The pending order keeps "now": backdated, the expiry sweep would take it.)
                    _backdate(order, created)
        counts = dict.fromkeys(sorted({t for _, _, t in PLAN}), 0)
        for _, _, target in PLAN:
            counts[target] += 1
        self.stdout.write(
            f"Demo orders: {len(PLAN)} created ("
            + ", ".join(f"{n} {state}" for state, n in counts.items())
            + f") for {DEMO_BUYER}."
        )


def _demo_stores() -> list[Store]:
    """The demo seller's store first, then the other visible stores with stock, oldest first."""
    stores = [
        s
        for s in Store.objects.visible().select_related("owner").order_by("created_at", "pk")
        if Product.objects.public().filter(store=s, stock__gte=5).exists()
    ]
    stores.sort(key=lambda s: s.owner.email.lower() != DEMO_SELLER)  # stable: keeps the age order
    return stores


def _place(*, buyer: User, store: Store, n: int, rng: random.Random) -> Order:
    products = list(Product.objects.public().filter(store=store, stock__gte=5).order_by("name", "pk"))
    lines = rng.sample(products, k=min(len(products), 1 + n % 2))
    placed = order_place(
        buyer=buyer,
        store_id=store.pk,
        items=[{"product_id": p.pk, "quantity": 1 + (n + i) % 2} for i, p in enumerate(lines)],
        shipping_address=dict(ADDRESS),
        courier=COURIERS[n % len(COURIERS)],
    )
    return placed.order


def _renumber(order: Order, created: datetime) -> None:
    """Give the freshly placed order the number it would have had on `created`'s date; the
    payment simulator knows the charge by that number (Midtrans' order_id), so it follows."""
    old = order.number
    for _attempt in range(5):
        number = new_order_number(created)
        if not Order.objects.filter(number=number).exists():
            break
    Order.objects.filter(pk=order.pk).update(number=number)
    SimulatedCharge.objects.filter(order_ref=old).update(order_ref=number)
    order.number = number


def _backdate(order: Order, created: datetime) -> None:
    """Move the order's own timeline to start at `created`: placed, paid, booked and each courier
    step a few hours apart (never later than now), so history, receipts and metrics agree."""
    history = list(OrderStatusChange.objects.filter(order=order).order_by("at", "id"))
    events = list(ShipmentEvent.objects.filter(shipment__order=order).order_by("occurred_at", "id"))
    steps = sorted([*((h.at, "h", h) for h in history), *((e.occurred_at, "e", e) for e in events)], key=lambda t: t[0])
    gap = min(timedelta(hours=6), (timezone.now() - created) / (len(steps) + 2))
    paid_at = None
    for k, (_at, kind, row) in enumerate(steps, start=1):
        when = created + gap * k
        if kind == "h":
            row.at = when
            if row.to_status == Order.Status.PAID and paid_at is None:
                paid_at = when
        else:
            row.occurred_at = when
    OrderStatusChange.objects.bulk_update(history, ["at"])
    ShipmentEvent.objects.bulk_update(events, ["occurred_at"])
    Order.objects.filter(pk=order.pk).update(created_at=created)
    payment = Payment.objects.filter(order=order)
    payment.update(created_at=created, expires_at=created + (order.payment.expires_at - order.payment.created_at))
    if paid_at is not None:
        payment.update(paid_at=paid_at)
        Shipment.objects.filter(order=order, booked_at__isnull=False).update(booked_at=paid_at + gap / 2)
    Shipment.objects.filter(order=order).update(created_at=paid_at or created)


def _move_to(order: Order, target: str) -> None:
    if target == "pending":
        return
    if target == "expired":
        _payment_notification(order, "expire")
        return
    _payment_notification(order, "settlement")
    if target == "paid":
        return  # `make run`'s worker books the courier (the task enqueued at payment)
    shipment = shipment_request_pickup(order_id=str(order.pk), attempt=1)
    if shipment is None or not shipment.provider_order_id:
        raise CommandError(f"Courier booking failed for {order.number}: {getattr(shipment, 'last_error', '')}")
    for _ in range(STEPS[target]):
        _courier_callback(order)


def _in_process(handler: type) -> object:
    """A simulator transport that hands the body to our real webhook handler in-process
    (this command runs before the web server starts): same authentication, raw storage and
    services as a notification over HTTP."""
    factory = RequestFactory()

    def payments(url: str, body: dict) -> int:
        return handler()(factory.post(url, data=json.dumps(body), content_type="application/json")).status_code

    def shipping(url: str, body: bytes, headers: dict[str, str]) -> int:
        request = factory.post(
            url,
            data=body,
            content_type=headers.get("Content-Type", "application/json"),
            HTTP_AUTHORIZATION=headers.get("Authorization", ""),
            HTTP_USER_AGENT=headers.get("User-Agent", ""),
        )
        return handler()(request).status_code

    return payments if handler is MidtransWebhook else shipping


def _payment_notification(order: Order, transaction_status: str) -> None:
    """What the simulator's "Bayar"/"Kedaluwarsa" buttons do: the simulator moves its charge
    and delivers the signed notification to our webhook (in-process)."""
    simulator = get_payment_provider()
    simulator.transport = _in_process(MidtransWebhook)
    if transaction_status == "settlement":
        simulator.pay(order.number)
    else:
        simulator.expire(order.number)
    order.refresh_from_db()
    expected = Order.Status.PAID if transaction_status == "settlement" else Order.Status.EXPIRED
    if order.status != expected:
        raise CommandError(f"Payment {transaction_status} for {order.number} left it {order.status!r}")


def _courier_callback(order: Order) -> None:
    """One step of the shipping simulator, delivered to our KiriminAja webhook in-process."""
    simulator = get_shipping_provider()
    simulator.transport = _in_process(KiriminAjaWebhook)
    simulator.step(order.number)
