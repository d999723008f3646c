"""Seller dashboard pages: each view authorizes the seller, calls one service/selector, renders."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.models import Product
from catalog.selectors import product_get_for_seller, product_list_for_seller
from catalog.services import seller_product_create, seller_product_image_delete, seller_product_update
from dashboard.forms import (
    CancelForm,
    OrderFilterForm,
    ProductEditForm,
    ProductFilterForm,
    ProductForm,
    PromoEditForm,
    PromoForm,
    ShipForm,
    ShippingForm,
    StoreForm,
)
from dashboard.selectors import integrations_status, seller_overview, seller_setup_checklist, store_public_url
from notifications.alerts import seller_alerts
from orders.models import Order
from orders.selectors import order_get_for_store, order_list_for_store
from orders.services import seller_order_cancel, seller_order_process
from photos.selectors import enhance_job_list_open_for_product
from promos.selectors import promo_get_for_owner, promo_list_for_owner
from promos.services import (
    seller_promo_create,
    seller_promo_delete,
    seller_promo_update,
    seller_store_for_promos,
)
from shipping.services import (
    seller_order_ship,
    seller_order_shipment_advance,
    shipment_can_advance,
    shipment_manual_ship_allowed,
    shipping_settings_get_or_create,
    shipping_settings_update,
)
from storefront.shortcuts import PageWindow
from stores.flags import store_feature_enabled
from stores.models import Store
from stores.selectors import store_get_for_seller
from stores.services import seller_store_link_shared, seller_store_update
from tokoblitar.errors import Conflict, DomainError, ValidationFailed
from tokoblitar.pages import (
    domain_error_message,
    domain_error_to_form,
    domain_errors_as_pages,
    form_page_status,
)
from tokoblitar.parsing import parse_int_or_none


def seller_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first (coming back here), sellers only, and hand the view the seller's store."""

    @login_required
    @domain_errors_as_pages
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != User.Role.SELLER:
            raise PermissionDenied(_("Sellers only"))
        return view(request, store_get_for_seller(user=request.user), *args, **kwargs)

    return wrapper


def _page(request: HttpRequest) -> int:
    return parse_int_or_none(request.GET.get("page", "1"), min_value=1, max_value=1000) or 1


def _form_errors_from(form: Any, exc: DomainError) -> None:
    domain_error_to_form(form, exc, aliases={"category_id": "category"})


# --- Overview --------------------------------------------------------------------------


@require_GET
@seller_page
def overview(request: HttpRequest, store: Store) -> HttpResponse:
    return render(
        request,
        "dashboard/overview.html",
        {
            "store": store,
            "overview": seller_overview(store=store),
            "checklist": seller_setup_checklist(store=store),
            "alerts": seller_alerts(store=store),
            "store_url": store_public_url(store=store),
            "nav": "overview",
        },
    )


# --- Products --------------------------------------------------------------------------


@require_GET
@seller_page
def products(request: HttpRequest, store: Store) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    qs = product_list_for_seller(store=store, status=params.get("status") or None, search=params.get("q") or None)
    window = PageWindow(qs, page=_page(request), size=20)
    return render(
        request, "dashboard/products.html", {"store": store, "form": form, "window": window, "nav": "products"}
    )


@require_http_methods(["GET", "POST"])
@seller_page
def product_new(request: HttpRequest, store: Store) -> HttpResponse:
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("image")
        try:
            # The product and its photo are saved together or not at all.
            product = seller_product_create(
                actor=request.user, uploads=[upload] if upload else [], **form.product_data()
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Produk “%(name)s” tersimpan.") % {"name": product.name})
            return redirect("dashboard:products")
    return render(
        request,
        "dashboard/product_form.html",
        {"store": store, "form": form, "nav": "products"},
        status=form_page_status(request, form),
    )


@require_http_methods(["GET", "POST"])
@seller_page
def product_edit(request: HttpRequest, store: Store, product_id: UUID) -> HttpResponse:
    product = product_get_for_seller(store=store, product_id=product_id)
    initial = {
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "stock": product.stock,
        "weight_gram": product.weight_gram,
        "category": product.category_id,
        "status": product.status,
        "stock_loaded": product.stock,
    }
    form = ProductEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # Only the fields the seller changed; stock as a delta on reservations made since.
            upload = form.cleaned_data.get("image")
            product = seller_product_update(
                actor=request.user,
                product_id=product.pk,
                data=form.changed_product_data(),
                stock_loaded=form.cleaned_data.get("stock_loaded"),
                uploads=[upload] if upload else [],
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Perubahan tersimpan."))
            return redirect("dashboard:product-edit", product_id=product.pk)
    context = {
        "store": store,
        "form": form,
        "product": product,
        "images": list(product.images.all()),
        "nav": "products",
        # "Perbaiki foto" (photos app): the switch, and jobs still to show or decide on.
        "photo_enhance_on": store_feature_enabled(store=store, feature="photo_enhance"),
        "enhance_jobs": list(enhance_job_list_open_for_product(product=product)),
    }
    return render(request, "dashboard/product_form.html", context, status=form_page_status(request, form))


@require_POST
@seller_page
def product_archive(request: HttpRequest, store: Store, product_id: UUID) -> HttpResponse:
    product = seller_product_update(actor=request.user, product_id=product_id, data={"status": Product.Status.ARCHIVED})
    messages.success(request, _("“%(name)s” diarsipkan dan tidak tampil lagi di toko.") % {"name": product.name})
    return redirect("dashboard:products")


@require_POST
@seller_page
def product_image_remove(request: HttpRequest, store: Store, product_id: UUID, image_id: UUID) -> HttpResponse:
    seller_product_image_delete(actor=request.user, product_id=product_id, image_id=image_id)
    messages.success(request, _("Foto dihapus."))
    return redirect("dashboard:product-edit", product_id=product_id)


# --- Orders ----------------------------------------------------------------------------


@require_GET
@seller_page
def orders(request: HttpRequest, store: Store) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    status = status if status in Order.Status.values else ""
    window = PageWindow(order_list_for_store(store=store, status=status or None), page=_page(request), size=20)
    context = {"store": store, "window": window, "status": status, "statuses": Order.Status.choices, "nav": "orders"}
    return render(request, "dashboard/orders.html", context)


@require_GET
@seller_page
def order_detail(request: HttpRequest, store: Store, order_id: UUID) -> HttpResponse:
    order = order_get_for_store(store=store, order_id=order_id)
    shipment = getattr(order, "shipment", None)
    context = {
        "store": store,
        "order": order,
        "shipment": shipment,
        # After an automatic booking the page shows it and never offers a second, typed AWB.
        "manual_ship_allowed": shipment_manual_ship_allowed(shipment),
        "can_advance": shipment_can_advance(shipment),
        "pickup_schedule": shipping_settings_get_or_create(store=store).get_pickup_schedule_display()
        if shipment is not None
        else "",
        "events": list(shipment.events.all()) if shipment is not None else [],
        "ship_form": ShipForm(),
        "cancel_form": CancelForm(),
        "nav": "orders",
    }
    return render(request, "dashboard/order_detail.html", context)


@require_POST
@seller_page
def order_action(request: HttpRequest, store: Store, order_id: UUID, action: str) -> HttpResponse:
    order = order_get_for_store(store=store, order_id=order_id)
    try:
        if action == "process":
            seller_order_process(actor=request.user, order_id=order.pk)
            messages.success(request, _("Pesanan sedang diproses."))
        elif action == "ship":
            form = ShipForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Isi nomor resi (minimal 4 karakter)."))
            else:
                seller_order_ship(actor=request.user, order_id=order.pk, awb=form.cleaned_data["awb"])
                messages.success(request, _("Pesanan ditandai dikirim."))
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Tulis alasan pembatalan."))
            else:
                seller_order_cancel(actor=request.user, order_id=order.pk, reason=form.cleaned_data["reason"])
                messages.success(request, _("Pesanan dibatalkan; stok dikembalikan."))
        elif action == "advance":
            seller_order_shipment_advance(actor=request.user, order_id=order.pk)
            messages.success(request, _("Simulator kurir memajukan status paket."))
        else:
            messages.error(request, _("Aksi tidak dikenal."))
    except DomainError as exc:
        domain_error_message(request, exc, prefix=_("Tidak bisa: %(reason)s"))
    return redirect("dashboard:order", order_id=order.pk)


# --- Promos ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_page
def promos(request: HttpRequest, store: Store) -> HttpResponse:
    enabled = store_feature_enabled(store=store, feature="promos")  # only to show the notice
    form = PromoForm(request.POST or None)
    if request.method == "POST" and not enabled:
        # The entry service refuses too; answer 403 even when the form is incomplete.
        seller_store_for_promos(request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            # The entry service scopes to the seller's store and checks the promos switch (403).
            promo = seller_promo_create(actor=request.user, **data)
        except (ValidationFailed, Conflict) as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Promo %(code)s dibuat.") % {"code": promo.code})
            return redirect("dashboard:promos")
    context = {
        "store": store,
        "form": form,
        "promos": list(promo_list_for_owner(store=store)),
        "enabled": enabled,
        "nav": "promos",
    }
    return render(request, "dashboard/promos.html", context, status=form_page_status(request, form))


@require_http_methods(["GET", "POST"])
@seller_page
def promo_edit(request: HttpRequest, store: Store, promo_id: UUID) -> HttpResponse:
    promo = promo_get_for_owner(promo_id=promo_id, store=store)  # 404 for anyone else's
    form = PromoEditForm(request.POST or None, initial=PromoEditForm.initial_for(promo))
    if request.method == "POST" and form.is_valid():
        try:
            # Only the fields the seller changed; the entry service checks the promos switch (403).
            promo = seller_promo_update(actor=request.user, promo_id=promo.pk, **form.changed_promo_data())
        except (ValidationFailed, Conflict) as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Promo %(code)s disimpan.") % {"code": promo.code})
            return redirect("dashboard:promos")
    context = {
        "store": store,
        "form": form,
        "promo": promo,
        "enabled": store_feature_enabled(store=store, feature="promos"),
        "nav": "promos",
    }
    return render(request, "dashboard/promo_form.html", context, status=form_page_status(request, form))


@require_POST
@seller_page
def promo_remove(request: HttpRequest, store: Store, promo_id: UUID) -> HttpResponse:
    promo = seller_promo_delete(actor=request.user, promo_id=promo_id)
    messages.success(request, _("Promo %(code)s dihapus.") % {"code": promo.code})
    return redirect("dashboard:promos")


# --- Settings --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_page
def store_settings(request: HttpRequest, store: Store) -> HttpResponse:
    fields = [name for name in StoreForm.base_fields if name not in StoreForm.UPLOADS]
    form = StoreForm(
        request.POST or None, request.FILES or None, initial={name: getattr(store, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Fields, a new address and the uploaded logo/banner: saved together or not at all.
            store = seller_store_update(
                actor=request.user,
                data=form.store_data(),
                logo=form.cleaned_data.get("logo"),
                banner=form.cleaned_data.get("banner"),
            )
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Pengaturan toko tersimpan."))
            return redirect("dashboard:store")
    return render(
        request,
        "dashboard/store_settings.html",
        {"store": store, "form": form, "nav": "store"},
        status=form_page_status(request, form),
    )


@require_POST
@seller_page
def store_link_shared(request: HttpRequest, store: Store) -> HttpResponse:
    """The share buttons report a share here (a beacon from static/js/share.js), for the checklist."""
    seller_store_link_shared(actor=request.user)
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
@seller_page
def shipping_settings(request: HttpRequest, store: Store) -> HttpResponse:
    conf = shipping_settings_get_or_create(store=store)
    initial = {
        "origin_area_id": conf.origin_area_id,
        "couriers": list(conf.couriers),
        "pickup_name": conf.pickup_name,
        "pickup_phone": conf.pickup_phone,
        "pickup_address": conf.pickup_address,
        "pickup_schedule": conf.pickup_schedule,
    }
    form = ShippingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conf = shipping_settings_update(store=store, **form.cleaned_data)
        except DomainError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Pengaturan pengiriman tersimpan."))
            return redirect("dashboard:shipping")
    return render(
        request,
        "dashboard/shipping_settings.html",
        {"store": store, "form": form, "conf": conf, "nav": "shipping"},
        status=form_page_status(request, form),
    )


@require_GET
@seller_page
def integrations(request: HttpRequest, store: Store) -> HttpResponse:
    return render(
        request, "dashboard/integrations.html", {"store": store, "rows": integrations_status(), "nav": "integrations"}
    )
