"""Placing an order: quote, promo check, reservation, payment opening and compensation.

Checkout sits above `orders` (the order domain: stock, status machine, payments) and
`shipping` (rates, shipments), so neither imports the other. One function computes the
totals (`checkout_quote`) for the API, the storefront checkout page and the assistant.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product
from checkout.models import CheckoutAttempt
from orders.models import Order, Payment
from orders.payments import get_payment_provider
from orders.payments.base import ChargeItem, ChargeRequest, PaymentProviderError
from orders.services import order_attach_payment, order_create_reserved, order_discard
from promos.models import Promo
from promos.services import promo_check
from shipping.providers.base import Quote
from shipping.services import shipping_quote
from stores.models import Store
from tokoblitar.errors import Conflict, NotFound, ProviderError, ValidationFailed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutQuote:
    """What an order would cost now. Amounts are integer rupiah, weight in grams."""

    store: Store
    products: dict[UUID, Product]
    wanted: dict[UUID, int]
    subtotal: int
    weight_gram: int
    discount: int
    promo: Promo | None
    shipping: Quote | None
    shipping_cost: int

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping_cost


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    payment: Payment


def _wanted(items: list[dict]) -> dict[UUID, int]:
    wanted: dict[UUID, int] = {}
    for line in items:
        wanted[line["product_id"]] = wanted.get(line["product_id"], 0) + line["quantity"]
    return wanted


def checkout_quote(
    *,
    buyer: User,
    store_id: UUID,
    items: list[dict],
    shipping_address: dict | None = None,
    courier: str = "",
    promo_code: str = "",
) -> CheckoutQuote:
    """Price `items` ([{product_id, quantity}]) from one store for `buyer`.

    The shipping price is quoted only when an address and a courier ("jne:REG") are given.
    Raises NotFound (store), ValidationFailed (`own_store` for the buyer's own store, product
    not sold here / unavailable, courier),
    Conflict (`out_of_stock`, with meta.available), the promo's errors (`promo_*` codes) and
    ProviderError when the rates provider fails."""
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise NotFound(_("Store not found"), code="store_not_found")
    if store.owner_id == buyer.pk:
        # A seller shops like any buyer, but never in her own store (no self-dealing on promos,
        # metrics or stock).
        raise ValidationFailed(
            _("You cannot order from your own store"),
            code="own_store",
            fields={"store_id": [_("You cannot order from your own store")]},
        )
    if not store.is_active:
        raise ValidationFailed(
            _("%(store)s is not accepting orders"),
            code="store_suspended",
            params={"store": store.name},
            fields={"store_id": [_("Store is suspended")]},
        )
    wanted = _wanted(items)
    products = {p.pk: p for p in Product.objects.select_related("store").filter(pk__in=list(wanted))}
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None or product.store_id != store.pk:
            raise ValidationFailed(
                _("Product %(product)s is not sold by %(store)s"),
                code="product_not_in_store",
                params={"product": product_id, "store": store.name},
                fields={"items": [_("Product %(product)s is not sold by this store")]},
            )
        if not product.is_available:
            raise ValidationFailed(
                _("%(product)s is not available"),
                code="product_unavailable",
                params={"product": product.name},
                fields={"items": [_("%(product)s is not available")]},
            )
        if product.stock < quantity:  # fast answer; the guarded UPDATE at reservation is the real check
            raise Conflict(
                _("Not enough stock for %(product)s: %(available)s left"),
                code="out_of_stock",
                params={"product": product.name, "available": product.stock},
                meta={"product_id": str(product.pk), "available": product.stock},
            )
    subtotal = sum(products[pid].price * qty for pid, qty in wanted.items())
    weight = sum(products[pid].weight_gram * qty for pid, qty in wanted.items())
    application = promo_check(code=promo_code, store=store, buyer=buyer, subtotal=subtotal) if promo_code else None
    quote = None
    if shipping_address and courier:
        quote = shipping_quote(store=store, destination=shipping_address, weight_gram=weight, courier=courier)
    return CheckoutQuote(
        store=store,
        products=products,
        wanted=wanted,
        subtotal=subtotal,
        weight_gram=weight,
        discount=application.discount if application else 0,
        promo=application.promo if application else None,
        shipping=quote,
        shipping_cost=int(quote.price) if quote else 0,
    )


def _charge_items(order: Order, quote: CheckoutQuote) -> list[ChargeItem]:
    """Midtrans requires Σ item price × qty == gross_amount, so shipping and discount are lines too."""
    items = [
        ChargeItem(id=str(pid), name=quote.products[pid].name, price=quote.products[pid].price, quantity=qty)
        for pid, qty in quote.wanted.items()
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


def order_place(
    *,
    buyer: User,
    store_id: UUID,
    items: list[dict],
    shipping_address: dict,
    courier: str,
    promo_code: str = "",
    idempotency_key: str = "",
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

    `idempotency_key` (the API's `Idempotency-Key` header, the checkout page's form token):
    the same key from the same buyer answers the same order, whatever arrives at the same
    moment; the same key with a different request body is a Conflict (`idempotency_mismatch`).
    """
    if idempotency_key:
        return _place_once(
            buyer=buyer,
            key=idempotency_key,
            request={
                "store_id": str(store_id),
                "items": sorted([str(i["product_id"]), int(i["quantity"])] for i in items),
                "shipping_address": shipping_address,
                "courier": courier,
                "promo_code": promo_code,
            },
            place=lambda: _place(
                buyer=buyer,
                store_id=store_id,
                items=items,
                shipping_address=shipping_address,
                courier=courier,
                promo_code=promo_code,
            ),
        )
    return _place(
        buyer=buyer,
        store_id=store_id,
        items=items,
        shipping_address=shipping_address,
        courier=courier,
        promo_code=promo_code,
    )


def _place(
    *, buyer: User, store_id: UUID, items: list[dict], shipping_address: dict, courier: str, promo_code: str
) -> PlacedOrder:
    # Rates and promo are checked before any lock is taken.
    quote = checkout_quote(
        buyer=buyer,
        store_id=store_id,
        items=items,
        shipping_address=shipping_address,
        courier=courier,
        promo_code=promo_code,
    )
    assert quote.shipping is not None  # noqa: S101 - an address and a courier were given
    # (1) Reserve and write.
    order = order_create_reserved(
        buyer=buyer,
        store=quote.store,
        products=quote.products,
        wanted=quote.wanted,
        discount=quote.discount,
        promo=quote.promo,
        shipping_cost=quote.shipping_cost,
        courier=quote.shipping.courier,
        courier_service=quote.shipping.service,
        shipping_etd=str(quote.shipping.etd_days or ""),
        shipping_address=shipping_address,
    )
    # (2) Open the payment with no locks held.
    request = ChargeRequest(
        order_ref=order.number,
        gross_amount=order.total,
        expiry_minutes=settings.PAYMENT_EXPIRY_MINUTES,
        items=_charge_items(order, quote),
        customer_name=buyer.full_name,
        customer_email=buyer.email,
        customer_phone=shipping_address.get("phone", ""),
    )
    try:
        charge = get_payment_provider().charge_qris(request)
    except PaymentProviderError as exc:
        # (3) Compensate: nothing of this order may stay behind.
        order_discard(order_id=order.pk)
        # People get a sentence in their language; the provider's technical reason stays in
        # the log and on the error, never in the answer.
        logger.warning("Payment opening for %s failed: %s", order.number, exc)
        error = ProviderError(
            exc.provider,
            _("%(provider)s could not open the payment, please try again in a moment"),
            code="payment_unavailable",
        )
        error.reason = str(exc)
        raise error from exc
    payment = order_attach_payment(order=order, charge=charge)
    return PlacedOrder(order=order, payment=payment)


def _fingerprint(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _advisory_key(buyer: User, key: str) -> int:
    digest = hashlib.blake2b(f"checkout:{buyer.pk}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _place_once(*, buyer: User, key: str, request: dict[str, Any], place: Any) -> PlacedOrder:
    """At most one order per (buyer, key), whatever arrives at the same moment.

    A session-level Postgres advisory lock on (buyer, key) serialises duplicates without
    holding any row lock across the payment provider call: the second request waits for the
    first to finish, then answers the order it made. The attempt row (unique per buyer and
    key) remembers the order for later retries; a failed attempt leaves no row, so the buyer
    can try again with the same key."""
    key = key[:100]
    fingerprint = _fingerprint(request)
    lock_id = _advisory_key(buyer, key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
    try:
        attempt = CheckoutAttempt.objects.select_related("order__payment").filter(buyer=buyer, key=key).first()
        if attempt is not None:
            if attempt.fingerprint != fingerprint:
                raise Conflict(
                    _("This idempotency key was already used for a different order"), code="idempotency_mismatch"
                )
            return PlacedOrder(order=attempt.order, payment=attempt.order.payment)
        placed = place()
        CheckoutAttempt.objects.create(buyer=buyer, key=key, fingerprint=fingerprint, order=placed.order)
        return placed
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


# --- Buy again ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyAgainResult:
    """What "Beli lagi" put back in the cart: product names added, and (name, reason) skipped."""

    store_id: UUID
    added: list[str]
    skipped: list[tuple[str, str]]


def buyer_order_buy_again(*, actor: User, order_id: UUID | str) -> BuyAgainResult:
    """Entry service: put the items of one of `actor`'s orders back in her cart (the quantity
    ordered, on top of what the cart holds, capped at the stock left). Products that are gone,
    unavailable or sold out are skipped with a reason in the buyer's language. NotFound for
    anyone else's order."""
    from orders.models import CartItem
    from orders.selectors import order_get_for_buyer
    from orders.services import cart_set_quantity

    order = order_get_for_buyer(buyer=actor, order_id=order_id)
    added: list[str] = []
    skipped: list[tuple[str, str]] = []
    items = list(order.items.all())
    products = Product.objects.filter(pk__in=[i.product_id for i in items if i.product_id]).select_related("store")
    by_id = {p.pk: p for p in products}
    in_cart = dict(CartItem.objects.filter(buyer=actor, product__in=list(by_id)).values_list("product_id", "quantity"))
    for item in items:
        product = by_id.get(item.product_id)
        if product is None or not product.is_available:
            skipped.append((item.product_name, str(_("no longer sold"))))
            continue
        if product.store.owner_id == actor.pk:
            skipped.append((item.product_name, str(_("it is from your own store"))))
            continue
        current = in_cart.get(product.pk, 0)
        wanted = min(current + item.quantity, product.stock)
        if wanted <= current:
            skipped.append((item.product_name, str(_("out of stock"))))
            continue
        cart_set_quantity(buyer=actor, product_id=product.pk, quantity=wanted)
        added.append(product.name)
    return BuyAgainResult(store_id=order.store_id, added=added, skipped=skipped)
