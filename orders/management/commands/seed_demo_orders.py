"""`manage.py seed_demo_orders`: a couple of weeks of demo orders, so the admin metrics and the
seller dashboard are not empty on a fresh `make run`.

Runs once: it does nothing when the demo buyer already has an order. Every order goes through
the real services: `order_place` (stock reservation, shipping quote, QRIS charge at the payment
simulator), settlement/expiry notifications signed exactly as Midtrans signs them and applied by
`payment_notification_apply` (what the webhook calls), courier booking by `shipment_request_pickup`
and courier callbacks applied by `shipment_callback_apply` (what the KiriminAja webhook calls).
The simulators normally deliver their notifications over HTTP to the running site; this command
runs before the server starts, so it applies the very same signed bodies in-process instead.

Only with both simulators: it never charges real money or books real couriers.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from orders.models import Order
from orders.payments import payment_mode
from orders.payments.base import notification_signature_valid
from orders.payments.simulator import SimulatorPaymentProvider
from orders.services import order_place, payment_notification_apply
from shipping.models import SimulatedShipment
from shipping.providers import shipping_mode
from shipping.providers.simulator import FLOW, _awb_for, callback_item
from shipping.services import shipment_callback_apply, shipment_request_pickup
from stores.models import Store

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

    def handle(self, *args, **options) -> None:
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
                _move_to(order, target)
                if days_ago:
                    # Demo data only: the services stamp created_at with "now", and the metrics need a
                    # spread over the last two weeks, so one UPDATE backdates the finished order.
                    # (The pending order keeps "now": backdated, the expiry sweep would take it.)
                    created = now - timedelta(days=days_ago, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
                    Order.objects.filter(pk=order.pk).update(created_at=created)
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


def _payment_notification(order: Order, transaction_status: str) -> None:
    """What the simulator's "Bayar"/"Kedaluwarsa" buttons do, minus the HTTP hop: move the
    simulated charge, build the signed Midtrans notification, apply it as the webhook does."""
    simulator = SimulatorPaymentProvider()
    charge = simulator._move(order.number, to=transaction_status)  # the simulator's own state rules
    notification = simulator.notification_for(charge)
    if not notification_signature_valid(notification):
        raise CommandError(f"Simulator notification for {order.number} is not signed correctly")
    outcome = payment_notification_apply(notification=notification)
    expected = "paid" if transaction_status == "settlement" else "released"
    if outcome != expected:
        raise CommandError(f"Payment {transaction_status} for {order.number} gave {outcome!r}, not {expected!r}")


def _courier_callback(order: Order) -> None:
    """One step of SimulatorShippingProvider.advance(), applied in-process instead of POSTed."""
    sim = SimulatedShipment.objects.select_for_update().get(order_ref=order.number)
    method = FLOW[FLOW.index(sim.last_method) + 1 if sim.last_method in FLOW else 0]
    if method == "processed_packages" and not sim.awb:
        sim.awb = _awb_for(sim.courier)
    sim.last_method = method
    sim.save(update_fields=["awb", "last_method", "updated_at"])
    outcome = shipment_callback_apply(method=method, item=callback_item(method=method, sim=sim, at=timezone.now()))
    if outcome != "applied":
        raise CommandError(f"Courier callback {method} for {order.number} gave {outcome!r}")
