"""Writes for the money path: cart, order placement with stock reservation, payment
notifications, expiry, seller actions and the status machine.

Lock contract (every writer here): order row -> product rows (pk order) -> promo row.
Stock only moves through guarded UPDATEs (`stock >= q`), never read-modify-write, and an
order's `stock_held` flag (flipped under its row lock) makes every release and re-reserve
happen exactly once. Tasks and realtime pushes leave through `transaction.on_commit`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product
from catalog.stock import publish_stock_changed
from orders.causes import Cause
from orders.models import CartItem, Order, OrderItem, OrderStatusChange, Payment, PaymentEvent
from orders.payments import get_payment_provider
from orders.payments.base import PaymentProviderError, status_code_matches
from orders.realtime import push_order_event
from orders.selectors import order_get_for_store
from promos.services import promo_reclaim, promo_redeem, promo_release
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict, NotFound, ProviderError, ValidationFailed
from tokoblitar.events import publish
from tokoblitar.parsing import InputError, parse_decimal

logger = logging.getLogger(__name__)


# --- Cart ---------------------------------------------------------------------------------


def cart_set_quantity(*, buyer: User, product_id: UUID, quantity: int) -> None:
    """Set a cart line's quantity (0 removes it). Unavailable products and quantities above
    stock are refused naming the product."""
    product = Product.objects.select_related("store").filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found"), code="product_not_found")
    if quantity == 0:
        CartItem.objects.filter(buyer=buyer, product=product).delete()
        return
    if not product.is_available:
        raise ValidationFailed(
            _("%(product)s is not available"),
            code="product_unavailable",
            params={"product": product.name},
            fields={"product_id": [_("%(product)s is not available")]},
        )
    if quantity > product.stock:
        raise Conflict(
            _("Only %(available)s of %(product)s left in stock"),
            code="out_of_stock",
            params={"product": product.name, "available": product.stock},
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


def _status_label(status: str) -> Any:
    """The (lazy) label of a status, lower-cased for use inside a sentence."""
    try:
        label = Order.Status(status).label
    except ValueError:
        return status
    return lazy(lambda: str(label).lower(), str)()


def _history(order: Order, *, from_status: str, to_status: str, cause: Cause) -> None:
    """One history row; the cause as a code (rendered per reader) and its English sentence."""
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        cause=cause.english(),
        cause_code=cause.code,
        cause_params=cause.params,
    )


def _refund_needed(order: Order, *, reason: str) -> None:
    """Announce (on commit) that the money of `order` must go back although its status did not
    move: `reason` is late_payment | stock_gone | partial_refund | parcel_returned. The seller
    is told (notifications subscribe); a cancel of a paid order says so through its status."""
    publish("order.refund_needed", order_id=str(order.pk), store_id=str(order.store_id), reason=reason)


def order_flag_refund(*, order: Order, reason: str) -> bool:
    """Flag `order` for a refund after its parcel came back (`reason` as in `_refund_needed`);
    a history row says why. False when it was already flagged (nothing recorded twice)."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.needs_refund:
            return False
        locked.needs_refund = True
        locked.save(update_fields=["needs_refund", "updated_at"])
        _history(locked, from_status=locked.status, to_status=locked.status, cause=Cause("parcel_returned"))
        _refund_needed(locked, reason=reason)
    return True


def _transition(order: Order, to: str, *, cause: Cause) -> None:
    """Move a locked order along the SPEC §5 machine; history row and live push included."""
    if not order.can_move_to(to):
        logger.warning("Refused order transition %s: %s -> %s (%s)", order.number, order.status, to, cause)
        raise Conflict(
            _("Order %(order)s cannot go from %(from)s to %(to)s"),
            code="invalid_transition",
            params={"order": order.number, "from": _status_label(order.status), "to": _status_label(to)},
            meta={"from": order.status, "to": str(to)},
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status", "needs_refund", "stock_held", "updated_at"])
    _history(order, from_status=previous, to_status=to, cause=cause)
    english = cause.english()
    push_order_event(
        order.pk, {"kind": "status", "status": to, "from": previous, "cause": english, "cause_code": cause.code}
    )
    ids = {"order_id": str(order.pk), "store_id": str(order.store_id)}
    publish(
        "order.status_changed",
        **ids,
        from_status=previous,
        to_status=to,
        cause=english,
        cause_code=cause.code,
        cause_params=cause.params,
    )
    # Higher layers listen: shipping books the courier on order.paid.
    if to in STATUS_EVENTS:
        publish(STATUS_EVENTS[to], **ids)


STATUS_EVENTS = {
    Order.Status.PAID: "order.paid",
    Order.Status.CANCELLED: "order.cancelled",
    Order.Status.EXPIRED: "order.expired",
}


def _lock(order: Order | UUID | str) -> Order:
    pk = order.pk if isinstance(order, Order) else order
    locked = Order.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("Order not found"), code="order_not_found")
    return locked


def order_transition(*, order: Order, to: str, cause: Cause) -> Order:
    """Public entry for other apps (shipping moves orders to shipped/delivered).

    Takes the order row lock; an illegal move raises Conflict (409) and changes nothing."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == to:
            return locked  # repeated provider callbacks land here; nothing to record twice
        _transition(locked, to, cause=cause)
    return locked


# --- Stock --------------------------------------------------------------------------------


def _stock_take(lines: list[tuple[UUID, int, str]], *, store_id: Any, require_active: bool = True) -> None:
    """Reserve (product_id, quantity, name) lines in pk order with guarded UPDATEs; the
    consistent order means two checkouts sharing products can never deadlock."""
    for product_id, quantity, name in sorted(lines):
        guarded = Product.objects.filter(pk=product_id, stock__gte=quantity)
        if require_active:
            guarded = guarded.filter(status=Product.Status.ACTIVE, deleted_at__isnull=True)
        if not guarded.update(stock=F("stock") - quantity):
            raise Conflict(
                _("Not enough stock for %(product)s"),
                code="out_of_stock",
                params={"product": name},
                meta={"product_id": str(product_id)},
            )
        publish_stock_changed(product_id, store_id)


def stock_take_guarded(lines: list[tuple[UUID, int, str]], *, store_id: Any) -> None:
    """The checkout's guarded stock update for other apps (marketplace channel orders):
    (product_id, quantity, name) lines, all or none inside the caller's transaction; stock never
    goes below zero. Raises Conflict `out_of_stock` when a line finds too little stock."""
    _stock_take(lines, store_id=store_id, require_active=False)


def _stock_give_back(order: Order) -> bool:
    """Return a locked order's stock once (no-op when it holds none)."""
    if not order.stock_held:
        return False
    for item in sorted(order.items.all(), key=lambda i: i.product_id):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
        publish_stock_changed(item.product_id, order.store_id)
    order.stock_held = False
    return True


def _stock_retake(order: Order) -> bool:
    """Re-reserve a released order's items if every one is still in stock (all or none)."""
    lines = [(i.product_id, i.quantity, i.product_name) for i in order.items.all()]
    try:
        with transaction.atomic():  # savepoint: a partial retake rolls back alone
            _stock_take(lines, store_id=order.store_id, require_active=False)
    except Conflict:
        return False
    order.stock_held = True
    return True


def _release(order: Order) -> None:
    _stock_give_back(order)
    promo_release(order=order)


# --- Placing an order (orchestrated by checkout.services.order_place) --------------------


def order_create_reserved(
    *,
    buyer: User,
    store: Store,
    products: dict[UUID, Product],
    wanted: dict[UUID, int],
    discount: int,
    promo: Any,
    shipping_cost: int,
    courier: str,
    courier_service: str,
    shipping_etd: str,
    shipping_address: dict,
) -> Order:
    """One short transaction: reserve stock (guarded UPDATEs in pk order), write the order,
    its items and first history row, redeem the promo, empty those cart lines, and enqueue
    the expiry sweep at commit. Amounts are integer rupiah; weights grams.

    Raises Conflict (`out_of_stock`) when a guarded UPDATE finds too little stock, and the
    promo's errors when its use is exhausted meanwhile; nothing is written then."""
    subtotal = sum(products[pid].price * qty for pid, qty in wanted.items())
    weight = sum(products[pid].weight_gram * qty for pid, qty in wanted.items())
    # A random order number that clashes (32^6 per day) retries the whole transaction, not a
    # savepoint around the INSERT: that savepoint cost two round trips on every checkout
    # (bench/RESULTS.md, "Checkout against its floor") for a clash that almost never happens.
    for _attempt in range(3):
        try:
            return _reserve_and_write(
                buyer=buyer,
                store=store,
                products=products,
                wanted=wanted,
                discount=discount,
                promo=promo,
                shipping_cost=shipping_cost,
                courier=courier,
                courier_service=courier_service,
                shipping_etd=shipping_etd,
                shipping_address=shipping_address,
                subtotal=subtotal,
                weight=weight,
            )
        except IntegrityError as exc:
            if "number" not in str(exc):
                raise
    raise Conflict(_("Could not allocate an order number, please try again"), code="order_number_busy")


def _reserve_and_write(
    *,
    buyer: User,
    store: Store,
    products: dict[UUID, Product],
    wanted: dict[UUID, int],
    discount: int,
    promo: Any,
    shipping_cost: int,
    courier: str,
    courier_service: str,
    shipping_etd: str,
    shipping_address: dict,
    subtotal: int,
    weight: int,
) -> Order:
    with transaction.atomic():
        _stock_take([(pid, qty, products[pid].name) for pid, qty in wanted.items()], store_id=store.pk)
        order = Order(
            buyer=buyer,
            store=store,
            subtotal=subtotal,
            discount=discount,
            shipping_cost=shipping_cost,
            promo=promo,
            promo_code=promo.code if promo else "",
            courier=courier,
            courier_service=courier_service,
            shipping_etd=shipping_etd[:30],
            weight_gram=weight,
            shipping_address=shipping_address,
            total=subtotal - discount + shipping_cost,
        )
        order.save(force_insert=True)
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
        if promo is not None:
            promo_redeem(promo=promo, buyer=buyer, order=order)
        _history(order, from_status="", to_status=Order.Status.PENDING_PAYMENT, cause=Cause("order_placed"))
        CartItem.objects.filter(buyer=buyer, product_id__in=list(wanted)).delete()
        run_after = timezone.now() + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES, seconds=5)
        transaction.on_commit(partial(_enqueue_expiry, run_after), robust=True)
    return order


def order_attach_payment(*, order: Order, charge: Any) -> Payment:
    """Record the opened QRIS charge (`QrisCharge`) for a freshly placed order and announce
    the order (`order.placed` event, live "created" push)."""
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
    publish("order.placed", order_id=str(order.pk), store_id=str(order.store_id), buyer_id=str(order.buyer_id))
    return payment


def order_discard(*, order_id: UUID) -> None:
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


def notification_key(notification: dict) -> str:
    """Idempotency key: the same (order, status, status_code, fraud) never applies twice."""
    return ":".join(
        str(notification.get(k) or "") for k in ("order_id", "transaction_status", "status_code", "fraud_status")
    )[:200]


def _amount_matches(gross_amount: Any, total: int) -> bool:
    # Midtrans sends "25000.00": plain ASCII decimals only (Decimal() also takes "١٠٠", "1e3", "NaN").
    try:
        return parse_decimal(str(gross_amount), name="gross_amount") == Decimal(total)
    except InputError:
        return False


def payment_notification_apply(*, notification: dict) -> str:
    """Apply a verified Midtrans notification to its order; returns the outcome.

    The caller has checked the signature and, in live mode, replaced the status fields with
    Midtrans' own answer (`confirm_notification`). Here, under the order row lock: unknown
    order -> NotFound; a status_code that does not fit the transaction_status ->
    ValidationFailed (`status_code_mismatch`); gross_amount not the order total ->
    ValidationFailed (`amount_mismatch`); nothing changes then. A key seen before ->
    "duplicate". Otherwise the transaction_status is applied by the rules below and the key
    recorded in the same transaction.
    """
    order_ref = str(notification.get("order_id") or "")
    status = str(notification.get("transaction_status") or "")
    fraud = str(notification.get("fraud_status") or "")
    if not status_code_matches(status, str(notification.get("status_code") or "")):
        raise ValidationFailed(
            _("status_code %(code)s does not match transaction_status %(status)s"),
            code="status_code_mismatch",
            params={"code": notification.get("status_code"), "status": status},
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_ref).first()
        if order is None:
            raise NotFound(_("Unknown order %(order)s"), code="unknown_order", params={"order": order_ref})
        if not _amount_matches(notification.get("gross_amount"), order.total):
            raise ValidationFailed(
                _("gross_amount %(amount)s does not match the order total %(total)s"),
                code="amount_mismatch",
                params={"amount": notification.get("gross_amount"), "total": order.total},
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
        _transition(order, RELEASING[status], cause=Cause("payment_released", {"status": status}))
        record(status)
        return "released"
    if status == "partial_refund":
        # Part of the money went back: the order stays as it is (stock and promo use stay
        # taken) and a person must look at it.
        if order.status not in Order.PAID_STATES and order.status != Order.Status.REFUNDED:
            return "ignored"
        order.needs_refund = True
        order.save(update_fields=["needs_refund", "updated_at"])
        _history(
            order,
            from_status=order.status,
            to_status=order.status,
            cause=Cause("partial_refund", {"amount": str(notification.get("refund_amount") or "?")[:40]}),
        )
        _refund_needed(order, reason="partial_refund")
        record(status)
        return "partial_refund"
    if status == "refund":
        if order.status not in Order.PAID_STATES and not order.needs_refund:
            return "ignored"
        if order.status in (Order.Status.PAID, Order.Status.PROCESSING):
            _release(order)  # the parcel never left: its stock and promo use go back
        order.needs_refund = False
        if order.status == Order.Status.REFUNDED:
            order.save(update_fields=["needs_refund", "updated_at"])
        else:
            _transition(order, Order.Status.REFUNDED, cause=Cause("payment_refunded"))
        record(status)
        return "refunded"
    return "ignored"


def _apply_paid(order: Order, *, status: str, record: Any) -> str:
    if order.status == Order.Status.PENDING_PAYMENT:
        if not order.stock_held and not _stock_retake(order):
            order.needs_refund = True
            order.save(update_fields=["needs_refund", "updated_at"])
            _history(
                order,
                from_status=order.status,
                to_status=order.status,
                cause=Cause("paid_without_stock", {"status": status}),
            )
            _refund_needed(order, reason="stock_gone")
            record(status, paid=True)
            return "needs_refund"
        _transition(order, Order.Status.PAID, cause=Cause("payment_received", {"status": status}))
        record(status, paid=True)
        return "paid"
    if order.status in (Order.Status.EXPIRED, Order.Status.CANCELLED) and not order.needs_refund:
        # Settlement after the reservation was released: re-reserve if we still can (expired
        # only; a deliberate cancel stays cancelled), otherwise flag the money for refund.
        if order.status == Order.Status.EXPIRED and _stock_retake(order):
            code = "late_payment_restocked"
            if order.promo_id and not promo_reclaim(order=order):
                code = "late_payment_promo_kept"
            _transition(order, Order.Status.PAID, cause=Cause(code, {"status": status}))
            record(status, paid=True)
            return "paid_late"
        order.needs_refund = True
        order.save(update_fields=["needs_refund", "updated_at"])
        _history(
            order,
            from_status=order.status,
            to_status=order.status,
            cause=Cause("late_payment_needs_refund", {"status": status}),
        )
        _refund_needed(order, reason="late_payment")
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
        _transition(order, Order.Status.EXPIRED, cause=Cause("payment_window_passed"))
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
    return order_transition(order=order, to=Order.Status.PROCESSING, cause=Cause("seller_processing"))


def order_ship(*, order: Order, awb: str) -> Order:
    """Mark shipped with an AWB the seller typed. Only for parcels that were not booked
    automatically: the seller-facing entry point (`shipping.services.order_ship_manual`)
    refuses orders with a booked shipment before calling this."""
    with transaction.atomic():
        locked = _lock(order)
        locked.manual_awb = awb
        locked.save(update_fields=["manual_awb", "updated_at"])
        _transition(locked, Order.Status.SHIPPED, cause=Cause("shipped_by_seller", {"awb": awb}))
    return locked


CANCELLABLE = frozenset({Order.Status.PENDING_PAYMENT, Order.Status.PAID, Order.Status.PROCESSING})


def order_cancel(*, order: Order, reason: str, by: str = "seller") -> Order:
    """Cancel: stock and promo use go back; a paid order is flagged for refund."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in CANCELLABLE:
            raise Conflict(
                _("Order %(order)s is already %(status)s"),
                code="order_not_cancellable",
                params={"order": locked.number, "status": _status_label(locked.status)},
                meta={"status": locked.status},
            )
        was_pending = locked.status == Order.Status.PENDING_PAYMENT
        locked.needs_refund = locked.status in Order.PAID_STATES
        _release(locked)
        _transition(locked, Order.Status.CANCELLED, cause=Cause("cancelled", {"by": by, "reason": reason[:150]}))
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
    notification to our webhook (the same path a real Midtrans notification takes).

    NotFound when payments are live (no simulator to drive); ValidationFailed for an unknown
    action; ProviderError when the simulator refuses or cannot deliver."""
    from orders.payments import payment_mode
    from tokoblitar.providers import simulators_allowed

    if payment_mode() != "simulator" or not simulators_allowed():
        raise NotFound(_("The payment simulator is not enabled"), code="simulator_disabled")
    if action not in ("pay", "expire"):
        raise ValidationFailed(_("Unknown simulator action"), fields={"action": [_("Use pay or expire")]})
    simulator = get_payment_provider()
    try:
        if action == "pay":
            simulator.pay(order.number)
        else:
            simulator.expire(order.number)
    except PaymentProviderError as exc:
        raise ProviderError(exc.provider, _("%(provider)s: %(reason)s"), params={"reason": str(exc)}) from exc


# --- Entry services: the acting seller, scoped to her store --------------------------------
# The API, the dashboard and the assistant's tools call these; another store's order is 404.


def _seller_order(actor: User, order_id: UUID | str) -> Order:
    return order_get_for_store(store=store_get_for_seller(user=actor), order_id=order_id)


def seller_order_process(*, actor: User, order_id: UUID | str) -> Order:
    """The seller starts packing a paid order (paid -> processing); Conflict otherwise."""
    return order_process(order=_seller_order(actor, order_id))


def seller_order_cancel(*, actor: User, order_id: UUID | str, reason: str) -> Order:
    """The seller cancels an order of her store; a paid one is flagged for refund."""
    return order_cancel(order=_seller_order(actor, order_id), reason=reason, by="seller")


# --- Buyer after-sales --------------------------------------------------------------------

RECEIVABLE = frozenset({Order.Status.SHIPPED, Order.Status.DELIVERED})


def order_complete(*, order: Order | UUID, cause: Cause) -> Order:
    """Close a shipped or delivered order (→ completed; a shipped one passes through delivered,
    as the parcel evidently arrived). Conflict (`order_not_receivable`) from any other state;
    an order already completed is answered as it is."""
    with transaction.atomic():
        locked = _lock(order)
        if locked.status == Order.Status.COMPLETED:
            return locked
        if locked.status not in RECEIVABLE:
            raise Conflict(
                _("Order %(order)s is %(status)s and cannot be confirmed as received"),
                code="order_not_receivable",
                params={"order": locked.number, "status": _status_label(locked.status)},
                meta={"status": locked.status},
            )
        if locked.status == Order.Status.SHIPPED:
            _transition(locked, Order.Status.DELIVERED, cause=cause)
        _transition(locked, Order.Status.COMPLETED, cause=cause)
    return locked


def buyer_order_confirm_received(*, actor: User, order_id: UUID | str) -> Order:
    """Entry service: the buyer says "Pesanan diterima" for her shipped/delivered order
    (→ completed). NotFound for anyone else's order; Conflict before it was shipped."""
    from orders.selectors import order_get_for_buyer

    order = order_get_for_buyer(buyer=actor, order_id=order_id)
    return order_complete(order=order, cause=Cause("buyer_confirmed"))


def orders_complete_delivered(*, now: datetime | None = None, days: int | None = None, batch: int = 500) -> int:
    """Complete orders delivered more than `days` (ORDER_AUTO_COMPLETE_DAYS) ago that the buyer
    never confirmed; answers how many. Idempotent: the periodic reconcile calls it."""
    days = settings.ORDER_AUTO_COMPLETE_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    delivered_before = OrderStatusChange.objects.filter(to_status=Order.Status.DELIVERED, at__lte=cutoff)
    ids = list(
        Order.objects.filter(status=Order.Status.DELIVERED, pk__in=delivered_before.values("order_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    done = 0
    for order_id in ids:
        try:
            order_complete(order=order_id, cause=Cause("auto_completed", {"days": days}))
        except (Conflict, NotFound):
            continue  # moved on meanwhile (refunded); nothing to do
        done += 1
    return done
