"""The payment page `/pay/<order_id>/`: QRIS as server-rendered SVG, amount, countdown, live status."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order
from orders.payments import payment_mode
from orders.qr import qr_png, qr_svg
from orders.selectors import order_get_for_buyer
from orders.services import payment_simulate
from tokoblitar.errors import DomainError, NotFound
from tokoblitar.pages import domain_error_message
from tokoblitar.providers import simulators_allowed


def _owned_order(request: HttpRequest, order_id: UUID) -> Order:
    try:
        return order_get_for_buyer(buyer=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _status_payload(order: Order) -> dict:
    payment = getattr(order, "payment", None)
    return {
        "status": order.status,
        "status_label": str(Order.Status(order.status).label),
        "payment_status": payment.status if payment else None,
        "is_paid": order.status in Order.PAID_STATES,
        "is_closed": order.status not in (Order.Status.PENDING_PAYMENT,),
        "needs_refund": order.needs_refund,
    }


@login_required
@require_GET
def payment_page(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _owned_order(request, order_id)
    payment = getattr(order, "payment", None)
    qr_markup = ""
    if payment and payment.qr_string and order.status == Order.Status.PENDING_PAYMENT:
        # Server-side SVG: no JavaScript QR library, works on any phone browser.
        qr_markup = mark_safe(qr_svg(payment.qr_string))  # noqa: S308 - segno output
    first_item = order.items.select_related("product__store").first()
    context = {
        "order": order,
        "payment": payment,
        "qr_svg": qr_markup,
        # "Pesan lagi" after expiry: back to what she wanted (the product, else the store).
        "reorder_url": (
            reverse("storefront:product", args=[first_item.product.store.slug, first_item.product.slug])
            if first_item
            else reverse("storefront:store", args=[order.store.slug])
        ),
        # Amounts are ints; the template's `rupiah` filter is the one place they become text.
        "items": [
            {"name": i.product_name, "quantity": i.quantity, "line_total": i.line_total} for i in order.items.all()
        ],
        "status": _status_payload(order),
        # Refused simulators (DEBUG off, not forced) offer no "Bayar" control either.
        "simulator": payment_mode() == "simulator" and simulators_allowed(),
    }
    return render(request, "orders/payment.html", context)


@login_required
@require_GET
def payment_status(request: HttpRequest, order_id: UUID) -> JsonResponse:
    """Polled by the payment page when the WebSocket is not available."""
    return JsonResponse(_status_payload(_owned_order(request, order_id)))


@login_required
@require_POST
def payment_simulate_view(request: HttpRequest, order_id: UUID, action: str) -> HttpResponse:
    order = _owned_order(request, order_id)
    try:
        payment_simulate(order=order, action=action)
    except DomainError as exc:
        domain_error_message(request, exc, prefix=_("Simulator gagal: %(reason)s"))
    else:
        if action == "pay":
            messages.success(request, _("Pembayaran simulasi terkirim."))
        else:
            messages.info(request, _("Pembayaran dibuat kedaluwarsa."))
    return redirect("orders:pay", order_id=order.pk)


@login_required
@require_GET
def payment_qr_png(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """The order's QRIS as a PNG download ("Simpan QR"): a phone cannot scan its own screen,
    but every e-wallet app can read a QR from the gallery. 404 once the order is no longer
    waiting for payment."""
    order = _owned_order(request, order_id)
    payment = getattr(order, "payment", None)
    if not payment or not payment.qr_string or order.status != Order.Status.PENDING_PAYMENT:
        raise Http404("No QR to pay")
    response = HttpResponse(qr_png(payment.qr_string), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="QRIS-{order.number}.png"'
    response["Cache-Control"] = "private, no-store"
    return response
