"""Buyer-facing pages. Thin: parse with a form, call one selector/service, render."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import saved_address_get, saved_address_list
from accounts.services import saved_address_create, saved_address_delete
from catalog.search import RESULT_WINDOW, Sort, product_search
from catalog.selectors import category_list
from checkout import services as checkout_services
from curation.selectors import active_banners, featured_product_list, featured_store_list
from orders.models import CartItem
from orders.services import RECEIVABLE, buyer_order_confirm_received, cart_set_quantity
from shipping.selectors import area_resolve, order_get_for_buyer_with_shipment, order_shipment
from shipping.services import buyer_order_shipment_advance, shipment_can_advance, shipping_rates
from storefront.forms import (
    AddToCartForm,
    CartQuantityForm,
    CheckoutForm,
    LoginForm,
    RegisterForm,
    SavedAddressForm,
    SearchForm,
)
from storefront.selectors import (
    ORDER_TABS,
    CartGroup,
    area_list_for_picker,
    cart_groups_for_buyer,
    cart_groups_for_session,
    order_list_for_buyer_tab,
    product_get_public,
    product_list_more_from_store,
    store_get_visible_or_moved,
)
from storefront.shortcuts import PageWindow, safe_next
from stores.services import account_register
from tokoblitar.errors import Conflict, DomainError, ProviderError
from tokoblitar.middleware import store_moved_url
from tokoblitar.pages import domain_error_message, domain_error_to_form, domain_errors_as_pages, form_page_status
from tokoblitar.parsing import parse_int_or_none

SESSION_CART = "cart"


# --- Browse ----------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    featured = list(featured_product_list(limit=8))
    # A new marketplace has nothing featured yet: show the newest products instead of a blank.
    latest = list(product_search(sort=Sort.NEWEST)[:8]) if len(featured) < 4 else []
    context = {
        "banners": active_banners(limit=5),
        "stores": list(featured_store_list(limit=10)),
        "featured": featured,
        "latest": latest,
        "categories": list(category_list()),
    }
    return render(request, "storefront/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    query = params.get("q") or ""
    results = product_search(
        query=query,
        category=params.get("category") or None,
        store=params.get("store") or None,
        min_price=params.get("min_price"),
        max_price=params.get("max_price"),
        sort=params.get("sort") or Sort.RELEVANCE,
    )
    window = PageWindow(results, page=params.get("page") or 1, max_results=RESULT_WINDOW)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    categories = list(category_list())
    context = {
        "form": form,
        "query": query,
        "window": window,
        "categories": categories,
        # The page is titled with the category it lists.
        "category": next((c for c in categories if c.slug == params.get("category")), None),
        "has_filters": any(params.get(k) not in (None, "") for k in ("category", "store", "min_price", "max_price")),
        "querystring": querystring.urlencode(),
    }
    return render(request, "storefront/search.html", context)


@require_GET
@domain_errors_as_pages
def store_page(request: HttpRequest, slug: str) -> HttpResponse:
    store = store_get_visible_or_moved(slug=slug)
    if store.slug != slug:
        # An address from before a change of slug (shared on WhatsApp/Instagram): 301 onwards.
        on_subdomain = getattr(request, "store_slug", None) is not None
        return redirect(
            store_moved_url(request, store.slug) if on_subdomain else reverse("storefront:store", args=[store.slug]),
            permanent=True,
        )
    page = parse_int_or_none(request.GET.get("page", "1"), min_value=1, max_value=1000) or 1
    window = PageWindow(product_search(store=str(store.pk)), page=page)
    return render(request, "storefront/store.html", {"store": store, "window": window})


def subdomain_store_page(request: HttpRequest) -> HttpResponse:
    """`<slug>.tokoblitar.com/`: the store page for the slug the middleware found in the host."""
    return store_page(request, slug=request.store_slug)


@require_GET
@domain_errors_as_pages
def product_page(request: HttpRequest, store_slug: str, product_slug: str) -> HttpResponse:
    product = product_get_public(store_slug=store_slug, product_slug=product_slug)
    if (product.store.slug, product.slug) != (store_slug, product_slug):
        # The product or its store was renamed since this link was shared: 301 to where it is now.
        return redirect("storefront:product", store_slug=product.store.slug, product_slug=product.slug, permanent=True)
    images = list(product.images.all())
    context = {
        "product": product,
        "images": images,
        "more": product_list_more_from_store(product=product),
        "form": AddToCartForm(initial={"product_id": product.pk, "quantity": 1}),
        "absolute_url": request.build_absolute_uri(),
        "og_image": request.build_absolute_uri(images[0].url) if images else "",
    }
    return render(request, "storefront/product.html", context)


# --- Cart ------------------------------------------------------------------------------


def _is_buyer(request: HttpRequest) -> bool:
    """Who may shop: buyers, and sellers in other stores than their own (checkout refuses that)."""
    return request.user.is_authenticated and request.user.can_shop


def _shoppers_only(request: HttpRequest) -> None:
    """Admins run the platform and never shop: buyer pages answer 403 for them."""
    if request.user.is_authenticated and not request.user.can_shop:
        raise PermissionDenied


def _cart_groups(request: HttpRequest) -> list[CartGroup]:
    if request.user.is_authenticated:
        return cart_groups_for_buyer(buyer=request.user)
    return cart_groups_for_session(cart=request.session.get(SESSION_CART, {}))


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    groups = _cart_groups(request)
    return render(request, "storefront/cart.html", {"groups": groups, "is_buyer": _is_buyer(request)})


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Jumlah tidak valid."))
        return redirect(safe_next(request, request.POST.get("next"), reverse("storefront:cart")))
    product_id: UUID = form.cleaned_data["product_id"]
    quantity: int = form.cleaned_data["quantity"]
    if request.user.is_authenticated and not _is_buyer(request):
        messages.error(request, _("Keranjang hanya untuk akun pembeli. Masuk dengan akun pembeli untuk berbelanja."))
        return redirect(safe_next(request, request.POST.get("next"), "/"))
    try:
        if request.user.is_authenticated:
            current = (
                CartItem.objects.filter(buyer=request.user, product_id=product_id)
                .values_list("quantity", flat=True)
                .first()
            )
            cart_set_quantity(buyer=request.user, product_id=product_id, quantity=(current or 0) + quantity)
        else:
            _session_cart_add(request, product_id, quantity)
    except DomainError as exc:
        domain_error_message(request, exc, prefix=_("Tidak bisa menambahkan ke keranjang: %(reason)s"))
        return redirect(safe_next(request, request.POST.get("next"), reverse("storefront:cart")))
    messages.success(request, _("Ditambahkan ke keranjang."))
    return redirect("storefront:cart")


def _session_cart_add(request: HttpRequest, product_id: UUID, quantity: int) -> None:
    # A visitor's cart is only remembered until login, where cart_set_quantity validates it.
    from storefront.selectors import cart_groups_for_session

    if not cart_groups_for_session(cart={str(product_id): 1}):
        raise Http404
    session_cart = dict(request.session.get(SESSION_CART, {}))
    session_cart[str(product_id)] = min(999, int(session_cart.get(str(product_id), 0)) + quantity)
    request.session[SESSION_CART] = session_cart


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = CartQuantityForm(request.POST)
    if form.is_valid():
        product_id, quantity = form.cleaned_data["product_id"], form.cleaned_data["quantity"]
        if request.user.is_authenticated:
            if _is_buyer(request):
                try:
                    cart_set_quantity(buyer=request.user, product_id=product_id, quantity=quantity)
                except DomainError as exc:
                    domain_error_message(request, exc)
        else:
            session_cart = dict(request.session.get(SESSION_CART, {}))
            if quantity:
                session_cart[str(product_id)] = quantity
            else:
                session_cart.pop(str(product_id), None)
            request.session[SESSION_CART] = session_cart
    else:
        messages.error(request, _("Jumlah tidak valid."))
    return redirect("storefront:cart")


def _merge_session_cart(request: HttpRequest, user: User) -> None:
    """Carry a visitor's cart into their account at login; lines that no longer fit are dropped with a note."""
    session_cart = request.session.pop(SESSION_CART, None) or {}
    if not user.can_shop:
        return
    for product_id, quantity in session_cart.items():
        current = CartItem.objects.filter(buyer=user, product_id=product_id).values_list("quantity", flat=True).first()
        try:
            cart_set_quantity(buyer=user, product_id=UUID(product_id), quantity=(current or 0) + int(quantity))
        except (DomainError, ValueError) as exc:
            messages.warning(
                request, _("Satu barang tidak bisa dipindahkan ke keranjang: %(reason)s") % {"reason": exc}
            )


# --- Checkout --------------------------------------------------------------------------


def _checkout_group(request: HttpRequest, store_id: str | None) -> CartGroup | None:
    groups = cart_groups_for_buyer(buyer=request.user)
    for group in groups:
        if store_id and str(group.store.pk) == str(store_id):
            return group
    return groups[0] if groups and not store_id else None


def _quote_context(request: HttpRequest, group: CartGroup, data: dict) -> dict:
    """Live rates and totals for the checkout: the totals come from `checkout_quote`, the one
    function order placement, the API and the assistant use."""
    rates, rates_error = [], ""
    district_id = parse_int_or_none(str(data.get("district_id") or ""), min_value=1, max_value=999_999_999)
    if district_id is not None:
        destination = {"district_id": district_id}
        try:
            rates = list(shipping_rates(store=group.store, destination=destination, weight_gram=group.weight_gram))
        except DomainError as exc:
            rates_error = exc.message
    courier = data.get("courier") or ""
    chosen = next((r for r in rates if f"{r.courier}:{r.service}" == courier), None)
    promo_code = (data.get("promo_code") or "").strip()
    items = [{"product_id": line.product.pk, "quantity": line.quantity} for line in group.lines]
    discount, promo_error = 0, ""
    if promo_code:
        try:
            discount = checkout_services.checkout_quote(
                buyer=request.user, store_id=group.store.pk, items=items, promo_code=promo_code
            ).discount
        except DomainError as exc:
            promo_error = exc.message
    shipping_cost = int(chosen.price) if chosen else 0
    return {
        "group": group,
        "rates": rates,
        "rates_error": rates_error,
        "courier": courier,
        "chosen": chosen,
        "promo_code": promo_code,
        "promo_error": promo_error,
        "discount": discount,
        "shipping_cost": shipping_cost,
        "total": group.subtotal - discount + shipping_cost,
        "address_ready": district_id is not None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    _shoppers_only(request)
    store_id = request.POST.get("store_id") or request.GET.get("store")
    group = _checkout_group(request, store_id)
    if group is None:
        messages.info(request, _("Keranjang Anda kosong. Pilih produk dulu, lalu checkout."))
        return redirect("storefront:cart")
    areas = area_list_for_picker()
    courier_error = ""
    if request.method == "POST" and request.POST.get("action") == "quote":
        # "Cek ongkir" without JavaScript: show rates for the chosen district, place nothing.
        data = _with_district_id(request.POST)
        form = CheckoutForm(initial={"form_token": secrets.token_urlsafe(24), **data}, areas=areas)
    elif request.method == "POST":
        data = _with_district_id(request.POST)
        form = CheckoutForm(data, areas=areas)
        if form.is_valid():
            try:
                placed = checkout_services.order_place(
                    buyer=request.user,
                    store_id=group.store.pk,
                    items=[{"product_id": line.product.pk, "quantity": line.quantity} for line in group.lines],
                    shipping_address=form.address_data(),
                    courier=form.cleaned_data["courier"],
                    promo_code=form.cleaned_data["promo_code"] or "",
                    # One order per submitted form: a double tap or a resent POST answers the same order.
                    idempotency_key=f"form:{form.cleaned_data['form_token']}"
                    if form.cleaned_data["form_token"]
                    else "",
                )
            except DomainError as exc:
                domain_error_message(request, exc, prefix=_("Pesanan belum dibuat: %(reason)s"))
            else:
                return redirect("orders:pay", order_id=placed.order.pk)
        # Shown beside the courier list, where the buyer has to act, not under the button.
        courier_error = form.errors.get("courier", [""])[0]
    else:
        saved = saved_address_list(user=request.user)
        chosen = saved_address_get(user=request.user, address_id=parse_int_or_none(request.GET.get("alamat", "")))
        chosen = chosen or next((a for a in saved if a.is_default), None)
        if chosen is not None:
            last = chosen.as_shipping_address()
        else:
            last = request.user.orders.order_by("-created_at").values_list("shipping_address", flat=True).first() or {}
        initial = _with_district_id(
            {
                "name": request.user.full_name,
                "phone": request.user.phone,
                **last,
                "store_id": str(group.store.pk),
                "form_token": secrets.token_urlsafe(24),
            }
        )
        form = CheckoutForm(initial=initial, areas=areas)
        data = {k: str(v) for k, v in initial.items()}
    context = {
        "form": form,
        "saved_addresses": saved_address_list(user=request.user),
        "own_store": group.store.owner_id == request.user.pk,
        **_quote_context(request, group, data),
        "courier_error": courier_error,
    }
    return render(request, "storefront/checkout.html", context)


def _with_district_id(data: Any) -> dict:
    """The form data with `district_id` filled in from an older address that names its district
    and city in words (an order placed before the district list, a client that posts names);
    the page itself only offers the list."""
    data = {k: data.get(k) for k in data}
    if not data.get("district_id") and data.get("district"):
        try:
            data["district_id"] = str(area_resolve({"district": data["district"], "city": data.get("city") or ""}).pk)
        except DomainError:
            pass  # the list then asks for the district
    return data


@login_required
@require_GET
def checkout_quote(request: HttpRequest) -> HttpResponse:
    """htmx fragment: courier choices, promo result and totals for the district chosen so far."""
    _shoppers_only(request)
    group = _checkout_group(request, request.GET.get("store_id"))
    if group is None:
        raise Http404
    data = _with_district_id(request.GET)
    return render(request, "storefront/partials/quote.html", _quote_context(request, group, data))


# --- Orders ----------------------------------------------------------------------------


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    page = parse_int_or_none(request.GET.get("page", "1"), min_value=1, max_value=1000) or 1
    tab = request.GET.get("status", "")
    tab = tab if tab in ORDER_TABS else ""
    window = PageWindow(order_list_for_buyer_tab(buyer=request.user, tab=tab), page=page, size=20)
    tabs = [(key, label) for key, (label, _statuses) in ORDER_TABS.items()]
    return render(request, "storefront/orders.html", {"window": window, "tab": tab, "tabs": tabs})


@login_required
@require_GET
@domain_errors_as_pages
def order_detail(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
    return render(request, "storefront/order_detail.html", _order_context(order))


@login_required
@require_GET
@domain_errors_as_pages
def order_tracking_fragment(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """Re-rendered when the order's WebSocket says something changed."""
    order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
    return render(request, "storefront/partials/tracking.html", _order_context(order))


def _order_context(order) -> dict:  # noqa: ANN001 - orders.Order
    shipment = order_shipment(order)
    events = list(shipment.events.all()) if shipment is not None else []
    return {
        "order": order,
        "shipment": shipment,
        "events": list(reversed(events)),
        "history": list(order.history.all()),
        "is_paid": order.status in order.PAID_STATES,
        "can_advance": shipment_can_advance(shipment),
        "can_confirm": order.status in RECEIVABLE,
    }


@login_required
@require_POST
@domain_errors_as_pages
def order_confirm_received(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """ "Pesanan diterima": the buyer closes her order (→ completed)."""
    try:
        buyer_order_confirm_received(actor=request.user, order_id=order_id)
    except Conflict as exc:
        domain_error_message(request, exc)
    else:
        messages.success(request, _("Terima kasih! Pesanan selesai."))
    return redirect("storefront:order", order_id=order_id)


@login_required
@require_POST
@domain_errors_as_pages
def order_buy_again(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """ "Beli lagi": the order's items back in the cart; what cannot come back is said."""
    _shoppers_only(request)
    result = checkout_services.buyer_order_buy_again(actor=request.user, order_id=order_id)
    for name, reason in result.skipped:
        messages.warning(request, _("%(product)s tidak dimasukkan: %(reason)s") % {"product": name, "reason": reason})
    if result.added:
        messages.success(request, _("Dimasukkan ke keranjang: %(products)s") % {"products": ", ".join(result.added)})
    return redirect("storefront:cart")


@login_required
@require_GET
@domain_errors_as_pages
def order_receipt(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """A printable receipt (print CSS: the page prints without header, footer or buttons)."""
    order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
    return render(request, "storefront/receipt.html", _order_context(order))


@login_required
@require_POST
@domain_errors_as_pages
def order_shipment_advance(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """Simulator only: the buyer plays the courier one step (the page updates live)."""
    try:
        buyer_order_shipment_advance(actor=request.user, order_id=order_id)
    except (Conflict, ProviderError) as exc:
        domain_error_message(request, exc)
    return redirect("storefront:order", order_id=order_id)


# --- Profile and saved addresses ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    areas = area_list_for_picker()
    form = SavedAddressForm(request.POST or None, areas=areas, initial={"name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            saved_address_create(
                actor=request.user,
                address=form.address_data(),
                label=form.cleaned_data["label"],
                is_default=form.cleaned_data["is_default"],
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, _("Alamat disimpan."))
            return redirect("storefront:profile")
    context = {"form": form, "addresses": saved_address_list(user=request.user)}
    return render(request, "storefront/profile.html", context, status=form_page_status(request, form))


@login_required
@require_POST
@domain_errors_as_pages
def profile_address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    saved_address_delete(actor=request.user, address_id=address_id)
    messages.success(request, _("Alamat dihapus."))
    return redirect("storefront:profile")


# --- Accounts ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        session_cart = request.session.get(SESSION_CART)
        login(request, user)
        if session_cart:
            request.session[SESSION_CART] = session_cart
            _merge_session_cart(request, user)
        default = reverse("dashboard:overview") if user.role == User.Role.SELLER else "/"
        return redirect(next_url or default)
    return render(
        request, "registration/login.html", {"form": form, "next": next_url}, status=form_page_status(request, form)
    )


@require_http_methods(["GET", "POST"])
def register_page(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_register(**form.cleaned_data)
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            session_cart = request.session.get(SESSION_CART)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if session_cart:
                request.session[SESSION_CART] = session_cart
                _merge_session_cart(request, user)
            messages.success(request, _("Selamat datang di TokoBLITAR, %(name)s!") % {"name": user.full_name})
            default = reverse("dashboard:overview") if user.role == User.Role.SELLER else "/"
            return redirect(next_url or default)
    return render(
        request, "registration/register.html", {"form": form, "next": next_url}, status=form_page_status(request, form)
    )


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Anda sudah keluar."))
    return redirect("/")
