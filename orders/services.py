"""Writes for the money path: cart, order placement with stock reservation, payment
notifications, expiry, seller actions and the status machine.

Lock contract (every writer here): order row -> product rows (pk order) -> promo row.
Stock only moves through guarded UPDATEs (`stock >= q`), never read-modify-write, and an
order's `stock_held` flag (flipped under its row lock) makes every release and re-reserve
happen exactly once. Tasks and realtime pushes leave through `transaction.on_commit`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from orders.models import CartItem, Order, OrderItem, OrderStatusChange, Payment, PaymentEvent
from orders.payments import get_payment_provider
from orders.payments.base import ChargeItem, ChargeRequest, PaymentProviderError
from orders.realtime import push_order_event
from promos.services import promo_check, promo_reclaim, promo_redeem, promo_release
from stores.models import Store
from tokoblitar.api.errors import Conflict, NotFound, ProviderError, ValidationFailed

logger = logging.getLogger(__name__)


# --- Cart ---------------------------------------------------------------------------------


def cart_set_quantity(*, buyer: User, product_id: UUID, quantity: int) -> None:
    """Set a cart line's quantity (0 removes it). Unavailable products and quantities above
    stock are refused naming the product."""
    product = Product.objects.select_related("store").filter(pk=product_id).first()
    if product is None:
        raise NotFound("Product not found")
    if quantity == 0:
        CartItem.objects.filter(buyer=buyer, product=product).delete()
        return
    if product.deleted_at is not None or product.status != Product.Status.ACTIVE or not product.store.is_active:
        raise ValidationFailed(
            f"{product.name} is not available", fields={"product_id": [f"{product.name} is not available"]}
        )
    if quantity > product.stock:
        raise Conflict(
            f"Only {product.stock} of {product.name} left in stock",
            meta={"product_id": str(product.pk), "available": product.stock},
        )
    CartItem.objects.update_or_create(buyer=buyer, product=product, defaults={"quantity": quantity})


def cart_remove(*, buyer: User, product_id: UUID | None = None) -> int:
    """Remove one product from the cart, or everything when product_id is None."""
    qs = CartItem.objects.filter(buyer=buyer)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    deleted, _ = qs.delete()
    return deleted


# --- Status machine -----------------------------------------------------------------------


def _transition(order: Order, to: str, *, cause: str) -> None:
    """Move a locked order along the SPEC §5 machine; history row and live push included."""
    if not order.can_move_to(to):
        logger.warning("Refused order transition %s: %s -> %s (%s)", order.number, order.status, to, cause)
        raise Conflict(f"Order {order.number} cannot go from {order.status} to {to}")
    previous = order.status
    order.status = to
    order.save(update_fields=["status", "needs_refund", "stock_held", "updated_at"])
    OrderStatusChange.objects.create(order=order, from_status=previous, to_status=to, cause=cause[:200])
    push_order_event(order.pk, {"kind": "status", "status": to, "from": previous, "cause": cause[:200]})
    if to == Order.Status.PAID:
        transaction.on_commit(partial(_enqueue_shipment_booking, str(order.pk)), robust=True)


def _enqueue_shipment_booking(order_id: str) -> None:
    from shipping.tasks import shipment_book  # the shipping app books the parcel once paid

    shipment_book.enqueue(order_id=order_id)


def _lock(order: Order | UUID | str) -> Order:
    pk = order.pk if isinstance(order, Order) else order
    locked = Order.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound("Order not found")
    return locked


def order_transition(*, order: Order, to: str, cause: str) -> Order:
    """Public entry for other apps (shipping moves orders to shipped/delivered).

    Takes the order row lock; an illegal move raises Conflict (409) and changes nothing."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == to:
            return locked  # repeated provider callbacks land here; nothing to record twice
        _transition(locked, to, cause=cause)
    return locked


# --- Stock --------------------------------------------------------------------------------


def _stock_take(lines: list[tuple[UUID, int, str]], *, require_active: bool = True) -> None:
    """Reserve (product_id, quantity, name) lines in pk order with guarded UPDATEs; the
    consistent order means two checkouts sharing products can never deadlock."""
    for product_id, quantity, name in sorted(lines):
        guarded = Product.objects.filter(pk=product_id, stock__gte=quantity)
        if require_active:
            guarded = guarded.filter(status=Product.Status.ACTIVE, deleted_at__isnull=True)
        if not guarded.update(stock=F("stock") - quantity):
            raise Conflict(f"Not enough stock for {name}", meta={"product_id": str(product_id)})


def _stock_give_back(order: Order) -> bool:
    """Return a locked order's stock once (no-op when it holds none)."""
    if not order.stock_held:
        return False
    for item in sorted(order.items.all(), key=lambda i: i.product_id):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
    order.stock_held = False
    return True


def _stock_retake(order: Order) -> bool:
    """Re-reserve a released order's items if every one is still in stock (all or none)."""
    lines = [(i.product_id, i.quantity, i.product_name) for i in order.items.all()]
    try:
        with transaction.atomic():  # savepoint: a partial retake rolls back alone
            _stock_take(lines, require_active=False)
    except Conflict:
        return False
    order.stock_held = True
    return True


def _release(order: Order) -> None:
    _stock_give_back(order)
    promo_release(order=order)


# --- Placing an order ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    payment: Payment


def _quote_shipping(*, store: Store, address: dict, weight_gram: int, courier: str) -> Any:
    """The one call into the shipping app: Quote(courier, service, price, etd) for the order.

    Raises ValidationFailed for an unknown/unoffered courier and ProviderError when the rates
    provider fails (both pass straight to the API)."""
    from shipping.services import shipping_quote

    return shipping_quote(store=store, destination=address, weight_gram=weight_gram, courier=courier)


def order_place(
    *,
    buyer: User,
    store_id: UUID,
    items: list[dict],
    shipping_address: dict,
    courier: str,
    promo_code: str = "",
) -> PlacedOrder:
    """Reserve stock, write the order and open its QRIS payment, all or nothing.

    Why two transactions with compensation, not the provider call inside one: the guarded stock
    UPDATE holds the product row lock until commit, and a payment provider call takes up to its
    timeout (10 s). Inside the transaction every checkout of a popular product would queue behind
    the provider's latency. So (1) one short transaction reserves stock, writes the order and
    redeems the promo; (2) the provider is called with no locks held; (3) on failure a
    compensating transaction returns stock and promo use and deletes the order, so the 502 leaves
    nothing behind. If the process dies between (1) and (3) the order is a plain unpaid order that
    the expiry task (enqueued at commit) releases after PAYMENT_EXPIRY_MINUTES.
    """
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise NotFound("Store not found")
    if not store.is_active:
        raise ValidationFailed(f"{store.name} is not accepting orders", fields={"store_id": ["Store is suspended"]})

    wanted: dict[UUID, int] = {}
    for line in items:
        wanted[line["product_id"]] = wanted.get(line["product_id"], 0) + line["quantity"]
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(wanted))}
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None or product.store_id != store.pk:
            raise ValidationFailed(
                f"Product {product_id} is not sold by {store.name}",
                fields={"items": [f"Product {product_id} is not sold by this store"]},
            )
        if product.deleted_at is not None or product.status != Product.Status.ACTIVE:
            raise ValidationFailed(
                f"{product.name} is not available", fields={"items": [f"{product.name} is not available"]}
            )
        if product.stock < quantity:  # fast answer; the guarded UPDATE below is the real check
            raise Conflict(
                f"Not enough stock for {product.name}: {product.stock} left",
                meta={"product_id": str(product.pk), "available": product.stock},
            )

    subtotal = sum(products[pid].price * qty for pid, qty in wanted.items())
    weight = sum(products[pid].weight_gram * qty for pid, qty in wanted.items())
    application = promo_check(code=promo_code, store=store, buyer=buyer, subtotal=subtotal) if promo_code else None
    discount = application.discount if application else 0
    # Rates come from a provider too: quoted before any lock is taken.
    quote = _quote_shipping(store=store, address=shipping_address, weight_gram=weight, courier=courier)
    shipping_cost = int(quote.price)
    expiry_minutes = settings.PAYMENT_EXPIRY_MINUTES

    # (1) Reserve and write.
    with transaction.atomic():
        _stock_take([(pid, qty, products[pid].name) for pid, qty in wanted.items()])
        order = _order_insert(
            buyer=buyer,
            store=store,
            subtotal=subtotal,
            discount=discount,
            shipping_cost=shipping_cost,
            promo=application.promo if application else None,
            promo_code=application.promo.code if application else "",
            courier=quote.courier,
            courier_service=quote.service,
            shipping_etd=str(getattr(quote, "etd_days", None) or getattr(quote, "etd", "") or "")[:30],
            weight_gram=weight,
            shipping_address=shipping_address,
        )
        OrderItem.objects.bulk_create(
            [
                OrderItem(
                    order=order,
                    product_id=pid,
                    product_name=products[pid].name,
                    price=products[pid].price,
                    quantity=qty,
                    weight_gram=products[pid].weight_gram,
                )
                for pid, qty in sorted(wanted.items())
            ]
        )
        if application:
            promo_redeem(promo=application.promo, buyer=buyer, order=order)
        OrderStatusChange.objects.create(
            order=order, from_status="", to_status=Order.Status.PENDING_PAYMENT, cause="order placed"
        )
        CartItem.objects.filter(buyer=buyer, product_id__in=list(wanted)).delete()
        run_after = timezone.now() + timedelta(minutes=expiry_minutes, seconds=5)
        transaction.on_commit(partial(_enqueue_expiry, run_after), robust=True)

    # (2) Open the payment with no locks held.
    provider = get_payment_provider()
    request = ChargeRequest(
        order_ref=order.number,
        gross_amount=order.total,
        expiry_minutes=expiry_minutes,
        items=_charge_items(order, products, wanted),
        customer_name=buyer.full_name,
        customer_email=buyer.email,
        customer_phone=shipping_address.get("phone", ""),
    )
    try:
        charge = provider.charge_qris(request)
    except PaymentProviderError as exc:
        # (3) Compensate: nothing of this order may stay behind.
        _order_discard(order.pk)
        raise ProviderError(exc.provider, f"{exc.provider}: {exc}") from exc

    payment = Payment.objects.create(
        order=order,
        provider=charge.provider,
        transaction_id=charge.transaction_id,
        status=charge.status or "pending",
        gross_amount=order.total,
        qr_string=charge.qr_string,
        expires_at=charge.expires_at,
    )
    push_order_event(order.pk, {"kind": "created", "status": order.status})
    return PlacedOrder(order=order, payment=payment)


def _order_insert(**fields: Any) -> Order:
    fields["total"] = fields["subtotal"] - fields["discount"] + fields["shipping_cost"]
    for _attempt in range(3):
        order = Order(**fields)
        try:
            with transaction.atomic():  # savepoint: a clashing random number just draws again
                order.save(force_insert=True)
            return order
        except IntegrityError as exc:
            if "number" not in str(exc):
                raise
    raise Conflict("Could not allocate an order number, please try again")


def _charge_items(order: Order, products: dict, wanted: dict) -> list[ChargeItem]:
    """Midtrans requires Σ item price × qty == gross_amount, so shipping and discount are lines too."""
    items = [
        ChargeItem(id=str(pid), name=products[pid].name, price=products[pid].price, quantity=qty)
        for pid, qty in wanted.items()
    ]
    if order.shipping_cost:
        items.append(
            ChargeItem(id="shipping", name=f"Ongkir {order.courier.upper()}", price=order.shipping_cost, quantity=1)
        )
    if order.discount:
        items.append(
            ChargeItem(id="discount", name=f"Promo {order.promo_code or ''}".strip(), price=-order.discount, quantity=1)
        )
    return items


def _order_discard(order_id: UUID) -> None:
    """Compensation for a failed payment opening: give back stock and promo use, delete the order."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            return
        _release(order)
        order.delete()


def _enqueue_expiry(run_after: datetime) -> None:
    from orders.tasks import orders_expire_unpaid

    orders_expire_unpaid.using(run_after=run_after).enqueue()


# --- Payment notifications ----------------------------------------------------------------

RELEASING = {"deny": Order.Status.CANCELLED, "cancel": Order.Status.CANCELLED, "failure": Order.Status.CANCELLED,
             "expire": Order.Status.EXPIRED}  # fmt: skip
REFUNDING = {"refund", "partial_refund"}


def notification_key(notification: dict) -> str:
    """Idempotency key: the same (order, status, status_code, fraud) never applies twice."""
    return ":".join(
        str(notification.get(k) or "") for k in ("order_id", "transaction_status", "status_code", "fraud_status")
    )[:200]


def _amount_matches(gross_amount: Any, total: int) -> bool:
    try:
        return Decimal(str(gross_amount)) == Decimal(total)
    except (InvalidOperation, ValueError):
        return False


def payment_notification_apply(*, notification: dict) -> str:
    """Apply a verified Midtrans notification to its order; returns the outcome.

    Under the order row lock: unknown order -> NotFound; gross_amount not the order total ->
    ValidationFailed (nothing changes); a key seen before -> "duplicate". Otherwise the
    transaction_status is applied by the rules below and the key recorded in the same transaction.
    """
    order_ref = str(notification.get("order_id") or "")
    status = str(notification.get("transaction_status") or "")
    fraud = str(notification.get("fraud_status") or "")
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_ref).first()
        if order is None:
            raise NotFound(f"Unknown order {order_ref}")
        if not _amount_matches(notification.get("gross_amount"), order.total):
            raise ValidationFailed(
                f"gross_amount {notification.get('gross_amount')} does not match the order total {order.total}"
            )
        key = notification_key(notification)
        if PaymentEvent.objects.filter(order=order, key=key).exists():
            return "duplicate"
        outcome = _apply_status(order, status=status, fraud=fraud, notification=notification)
        PaymentEvent.objects.create(order=order, key=key, transaction_status=status[:20], outcome=outcome)
    return outcome


def _apply_status(order: Order, *, status: str, fraud: str, notification: dict) -> str:
    payment = Payment.objects.filter(order=order).first()

    def record(payment_status: str, *, paid: bool = False) -> None:
        if payment is None:
            return
        payment.status = payment_status[:20]
        if notification.get("transaction_id") and not payment.transaction_id:
            payment.transaction_id = str(notification["transaction_id"])[:100]
        if paid:
            payment.paid_at = timezone.now()
        payment.save(update_fields=["status", "transaction_id", "paid_at", "updated_at"])
        push_order_event(order.pk, {"kind": "payment", "payment_status": payment.status, "status": order.status})

    if status == "settlement" or (status == "capture" and fraud in ("accept", "")):
        return _apply_paid(order, status=status, record=record)
    if status == "capture":  # fraud challenge: money not ours yet, wait for the next notification
        return "ignored"
    if status == "pending":
        if order.status == Order.Status.PENDING_PAYMENT:
            record("pending")
            return "pending"
        return "ignored"  # pending after settlement/expiry never moves an order back
    if status in RELEASING:
        if order.status != Order.Status.PENDING_PAYMENT:
            return "ignored"  # e.g. expire after settlement
        _release(order)
        _transition(order, RELEASING[status], cause=f"payment {status}")
        record(status)
        return "released"
    if status in REFUNDING:
        if order.status not in Order.PAID_STATES and not order.needs_refund:
            return "ignored"
        if order.status in (Order.Status.PAID, Order.Status.PROCESSING):
            _release(order)  # the parcel never left: its stock and promo use go back
        order.needs_refund = False
        if order.status == Order.Status.REFUNDED:
            order.save(update_fields=["needs_refund", "updated_at"])
        else:
            _transition(order, Order.Status.REFUNDED, cause=f"payment {status}")
        record(status)
        return "refunded"
    return "ignored"


def _apply_paid(order: Order, *, status: str, record: Any) -> str:
    if order.status == Order.Status.PENDING_PAYMENT:
        if not order.stock_held and not _stock_retake(order):
            order.needs_refund = True
            order.save(update_fields=["needs_refund", "updated_at"])
            record(status, paid=True)
            return "needs_refund"
        _transition(order, Order.Status.PAID, cause=f"payment {status}")
        record(status, paid=True)
        return "paid"
    if order.status in (Order.Status.EXPIRED, Order.Status.CANCELLED) and not order.needs_refund:
        # Settlement after the reservation was released: re-reserve if we still can (expired
        # only; a deliberate cancel stays cancelled), otherwise flag the money for refund.
        if order.status == Order.Status.EXPIRED and _stock_retake(order):
            cause = f"late payment {status}; stock re-reserved"
            if order.promo_id and not promo_reclaim(order=order):
                cause += "; promo already used up, price kept"
            _transition(order, Order.Status.PAID, cause=cause)
            record(status, paid=True)
            return "paid_late"
        order.needs_refund = True
        order.save(update_fields=["needs_refund", "updated_at"])
        OrderStatusChange.objects.create(
            order=order, from_status=order.status, to_status=order.status, cause=f"late payment {status}; needs refund"
        )
        record(status, paid=True)
        return "needs_refund"
    return "ignored"  # already paid (capture then settlement) or refunded


# --- Expiry -------------------------------------------------------------------------------


def order_expire(*, order_id: UUID | str, now: datetime | None = None) -> bool:
    """Expire one unpaid order whose window has passed; releases stock and promo once."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != Order.Status.PENDING_PAYMENT or order.created_at > cutoff:
            return False
        _release(order)
        _transition(order, Order.Status.EXPIRED, cause="payment window passed")
        Payment.objects.filter(order=order).update(status="expire", updated_at=now)
    return True


def orders_expire_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire every unpaid order past PAYMENT_EXPIRY_MINUTES (one short transaction each)."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    expired = 0
    while True:
        ids = list(
            Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lte=cutoff)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch]
        )
        done = sum(order_expire(order_id=pk, now=now) for pk in ids)
        expired += done
        if len(ids) < batch or not done:
            return expired


# --- Seller actions -----------------------------------------------------------------------


def order_process(*, order: Order) -> Order:
    return order_transition(order=order, to=Order.Status.PROCESSING, cause="seller is processing the order")


def order_ship(*, order: Order, awb: str) -> Order:
    """Mark shipped with an AWB the seller typed (when the parcel was not booked automatically)."""
    with transaction.atomic():
        locked = _lock(order)
        shipment = getattr(locked, "shipment", None) if _has_shipment_model() else None
        if shipment is not None and getattr(shipment, "awb", ""):
            raise Conflict(f"Order {locked.number} was already booked with AWB {shipment.awb}")
        locked.manual_awb = awb
        locked.save(update_fields=["manual_awb", "updated_at"])
        _transition(locked, Order.Status.SHIPPED, cause=f"shipped by seller, AWB {awb}")
    return locked


def _has_shipment_model() -> bool:
    return any(f.name == "shipment" for f in Order._meta.related_objects)


CANCELLABLE = frozenset({Order.Status.PENDING_PAYMENT, Order.Status.PAID, Order.Status.PROCESSING})


def order_cancel(*, order: Order, reason: str, by: str = "seller") -> Order:
    """Cancel: stock and promo use go back; a paid order is flagged for refund."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in CANCELLABLE:
            raise Conflict(f"Order {locked.number} is already {locked.status}")
        was_pending = locked.status == Order.Status.PENDING_PAYMENT
        locked.needs_refund = locked.status in Order.PAID_STATES
        _release(locked)
        _transition(locked, Order.Status.CANCELLED, cause=f"cancelled by {by}: {reason}")
        if was_pending:
            transaction.on_commit(partial(_cancel_payment, locked.number), robust=True)
    return locked


def _cancel_payment(order_ref: str) -> None:
    """Close the QR at the provider so the buyer cannot pay a cancelled order. Best effort:
    if it still gets paid, the late settlement flags the order for refund."""
    try:
        get_payment_provider().cancel(order_ref)
    except PaymentProviderError as exc:
        logger.warning("Could not cancel payment %s at %s: %s", order_ref, exc.provider, exc)


# --- Simulator controls (payment page, development only) ----------------------------------


def payment_simulate(*, order: Order, action: str) -> None:
    """Make the payment simulator pay or expire the order's QR and deliver the signed
    notification to our webhook (the same path a real Midtrans notification takes)."""
    from orders.payments import payment_mode
    from orders.payments.simulator import SimulatorPaymentProvider

    if payment_mode() != "simulator":
        raise NotFound("The payment simulator is not enabled")
    simulator = SimulatorPaymentProvider()
    try:
        if action == "pay":
            simulator.pay(order.number)
        elif action == "expire":
            simulator.expire(order.number)
        else:
            raise ValidationFailed("Unknown simulator action", fields={"action": ["Use pay or expire"]})
    except PaymentProviderError as exc:
        raise ProviderError(exc.provider, f"{exc.provider}: {exc}") from exc
