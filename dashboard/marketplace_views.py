"""Seller dashboard: sales channels (Shopee, Lazada, Tokopedia via TikTok Shop).

One page: each platform's connection ("Hubungkan" starts the platform's OAuth with a `state`
bound to this session; the callback checks it and calls the same connect service as the API),
sync all or per product with each listing's status and error, and the orders that came in
from the platforms. In simulator mode the authorize URL is our own consent page below, and a
"simulate an order" button plays the platform's buyer.

Writes are plain POST forms (flash message and redirect).
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Product
from dashboard.views import seller_page
from marketplace.channels.base import PLATFORM_NAMES, PLATFORMS, ChannelError
from marketplace.reasons import attention_text
from marketplace.selectors import channel_orders_for_store, marketplace_status
from marketplace.services import (
    channel_order_resolve,
    channel_order_retry,
    get_channel,
    marketplace_authorize_url,
    marketplace_connect,
    marketplace_disconnect,
    simulator_order,
    sync_products,
)
from stores.flags import store_feature_enabled
from stores.models import Store
from tokoblitar.errors import DomainError, NotFound, PermissionDenied
from tokoblitar.pages import domain_error_first_message

SESSION_KEY = "marketplace_oauth_state"

logger = logging.getLogger(__name__)


def _platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise NotFound(_("Platform tidak dikenal"))
    return platform


def _page_url() -> str:
    return reverse("dashboard:marketplace:index")


def _callback_uri(request: HttpRequest, platform: str) -> str:
    # The host the seller is on (request.get_host() only answers for ALLOWED_HOSTS): coming back
    # to another host than the one she started from would lose her session cookie and the state.
    return request.build_absolute_uri(reverse("dashboard:marketplace:callback", args=[platform]))


def _refused(request: HttpRequest, store: Store, reason: str) -> HttpResponse:
    """An expected refusal (replayed callback, foreign return address): a 403 page that says
    why, logged as one line (Django's request log), no traceback."""
    logger.info("Marketplace page refused %s: %s", request.path, reason)
    return render(
        request,
        "dashboard/marketplace/refused.html",
        {"store": store, "nav": "marketplace", "reason": reason},
        status=403,
    )


@require_GET
@seller_page
def index(request: HttpRequest, store: Store) -> HttpResponse:
    enabled = store_feature_enabled(store=store, feature="marketplace_sync")
    status = marketplace_status(store=store) if enabled else {"connections": [], "products": []}
    by_product: dict[str, dict] = {}
    for row in status["products"]:
        by_product.setdefault(row["product_id"], {})[row["platform"]] = row
    products = list(Product.objects.alive().filter(store=store, status=Product.Status.ACTIVE).order_by("name")[:200])
    connected = [c for c in status["connections"] if c["state"] in ("connected", "expiring")]
    rows = []
    for p in products:
        listings = by_product.get(str(p.pk), {})
        rows.append({"product": p, "listings": listings, "actions": [_actions(c, listings) for c in connected]})
    return render(
        request,
        "dashboard/marketplace/index.html",
        {
            "store": store,
            "nav": "marketplace",
            "enabled": enabled,
            "connections": status["connections"],
            "connected": connected,
            "rows": rows,
            "orders": _with_reason_text(channel_orders_for_store(store=store)) if enabled else [],
        },
    )


def _actions(connection: dict, listings: dict) -> dict:
    """One platform's per-product actions. A simulated order needs a listing that is on sale
    there: one still in review ("review") cannot be bought yet, so no button then."""
    listing = listings.get(connection["platform"])
    simulate = ""
    if connection["mode"] == "simulator" and listing and listing.get("external_id", True):
        simulate = "review" if listing["status"] == "pending_review" else "ready"
    return {"platform": connection["platform"], "platform_name": connection["platform_name"], "simulate": simulate}


def _with_reason_text(orders: list) -> list:
    for order in orders:
        order.reason_text = attention_text(order.attention_code, order.attention_params, order.attention_reason)
    return orders


@require_POST
@seller_page
def order_action(request: HttpRequest, store: Store, order_id: str, action: str) -> HttpResponse:
    """A channel order that needed attention: "retry" takes the stock again (after a restock),
    "resolve" marks it handled by the seller."""
    try:
        if action == "retry":
            order = channel_order_retry(actor=request.user, order_id=order_id)
            if order.state == "applied":
                messages.success(request, _("Stok pesanan %(id)s sudah diambil.") % {"id": order.external_order_id})
            else:
                messages.warning(
                    request,
                    _("Pesanan %(id)s masih perlu dicek: %(reason)s")
                    % {
                        "id": order.external_order_id,
                        "reason": attention_text(order.attention_code, order.attention_params, order.attention_reason),
                    },
                )
        elif action == "resolve":
            order = channel_order_resolve(actor=request.user, order_id=order_id)
            messages.success(request, _("Pesanan %(id)s ditandai sudah ditangani.") % {"id": order.external_order_id})
        else:
            raise NotFound(_("Tindakan tidak dikenal"))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, domain_error_first_message(exc))
    return redirect(_page_url())


@require_POST
@seller_page
def connect_start(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    platform = _platform(platform)
    try:
        url, state = marketplace_authorize_url(
            actor=request.user, platform=platform, redirect_uri=_callback_uri(request, platform)
        )
    except DomainError as exc:
        messages.error(request, domain_error_first_message(exc))
        return redirect(_page_url())
    # Bound to this session: the callback accepts only the state it was sent off with.
    states = dict(request.session.get(SESSION_KEY) or {})
    states[platform] = state
    request.session[SESSION_KEY] = states
    return redirect(url)


@require_GET
@seller_page
def connect_callback(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    platform = _platform(platform)
    states = dict(request.session.get(SESSION_KEY) or {})
    expected = states.pop(platform, "")
    request.session[SESSION_KEY] = states  # one use, whatever the outcome
    given = request.GET.get("state", "")
    if not expected or not given or not hmac.compare_digest(expected, given):
        return _refused(
            request, store, _("Tautan persetujuan tidak cocok dengan sesi ini. Mulai lagi dari tombol Hubungkan.")
        )
    if request.GET.get("error"):
        # The seller said no on the platform's consent page (error=access_denied).
        messages.error(
            request,
            _("%(platform)s tidak dihubungkan: izin tidak diberikan.") % {"platform": PLATFORM_NAMES[platform]},
        )
        return redirect(_page_url())
    params = {k: v for k, v in request.GET.items() if k not in ("code", "state")}
    try:
        connection = marketplace_connect(
            actor=request.user, platform=platform, code=request.GET.get("code", ""), params=params
        )
    except DomainError as exc:
        messages.error(request, domain_error_first_message(exc))
        return redirect(_page_url())
    messages.success(
        request,
        _("Terhubung ke %(platform)s: %(shop)s.")
        % {"platform": PLATFORM_NAMES[platform], "shop": connection.shop_name},
    )
    return redirect(_page_url())


@require_POST
@seller_page
def disconnect(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    platform = _platform(platform)
    try:
        marketplace_disconnect(actor=request.user, platform=platform)
        messages.success(request, _("Sambungan ke %(platform)s diputus.") % {"platform": PLATFORM_NAMES[platform]})
    except DomainError as exc:
        messages.error(request, domain_error_first_message(exc))
    return redirect(_page_url())


@require_POST
@seller_page
def sync(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    platform = _platform(platform)
    product_ids = [x for x in request.POST.getlist("product_id") if x]
    try:
        counts = sync_products(actor=request.user, platform=platform, product_ids=product_ids)
    except DomainError as exc:
        messages.error(request, domain_error_first_message(exc))
        return redirect(_page_url())
    text = _("Sinkron ke %(platform)s: %(synced)s berhasil, %(failed)s gagal.") % {
        "platform": PLATFORM_NAMES[platform],
        "synced": counts["synced"],
        "failed": counts["failed"],
    }
    if counts.get("queued"):
        text += " " + _("%(queued)s menunggu giliran dan dicoba lagi otomatis.") % {"queued": counts["queued"]}
    (messages.success if not counts["failed"] else messages.warning)(request, text)
    return redirect(_page_url())


@require_POST
@seller_page
def simulate_order(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    platform = _platform(platform)
    try:
        order = simulator_order(
            actor=request.user, platform=platform, product_id=request.POST.get("product_id", ""), quantity=1
        )
    except (DomainError, ChannelError) as exc:
        messages.error(request, domain_error_first_message(exc))
        return redirect(_page_url())
    if order is None:
        messages.warning(request, _("Pesanan simulasi dibuat, tetapi belum sampai ke toko ini."))
    elif order.state == "applied":
        messages.success(
            request,
            _("Pesanan %(platform)s %(id)s masuk; stok berkurang.")
            % {"platform": PLATFORM_NAMES[platform], "id": order.external_order_id},
        )
    else:
        messages.warning(
            request,
            _("Pesanan %(platform)s %(id)s perlu dicek: %(reason)s")
            % {
                "platform": PLATFORM_NAMES[platform],
                "id": order.external_order_id,
                "reason": attention_text(order.attention_code, order.attention_params, order.attention_reason),
            },
        )
    return redirect(_page_url())


@require_http_methods(["GET", "POST"])
@seller_page
def simulator_authorize(request: HttpRequest, store: Store, platform: str) -> HttpResponse:
    """The simulated platform's consent page: "Izinkan" makes a fresh single-use code and goes
    back to the redirect (which carries our state)."""
    platform = _platform(platform)
    channel = get_channel(platform)
    if not getattr(channel, "is_simulator", False):
        raise NotFound(_("Halaman ini hanya ada dalam mode simulator"))
    target = _consent_return(request)
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host(), _site_host()}):
        return _refused(request, store, _("Alamat kembali tidak dikenal."))
    if request.method == "POST":
        if request.POST.get("decision") != "allow":
            return redirect(target + ("&" if "?" in target else "?") + urlencode({"error": "access_denied"}))
        params = channel.simulate_consent(shop_name=store.name, seller_key=f"store-{store.pk}")
        return redirect(target + ("&" if "?" in target else "?") + urlencode(params))
    return render(
        request,
        "dashboard/marketplace/simulator_authorize.html",
        {
            "store": store,
            "nav": "marketplace",
            "platform": platform,
            "platform_name": PLATFORM_NAMES[platform],
            "redirect": target,
        },
    )


def _consent_return(request: HttpRequest) -> str:
    """Where the consent goes back to, in each channel's own words: Shopee sends one `redirect`
    (our state already inside it); Lazada and TikTok Shop send `redirect_uri` and a separate
    `state`, which the platform appends on the way back. The page posts the result back as
    `redirect`."""
    params = request.POST if request.method == "POST" and request.POST.get("redirect") else request.GET
    target = params.get("redirect", "")
    if target:
        return target
    uri, state = params.get("redirect_uri", ""), params.get("state", "")
    if uri and state:
        return uri + ("&" if "?" in uri else "?") + urlencode({"state": state})
    return uri


def _site_host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).netloc
