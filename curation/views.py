"""Server-rendered admin panel (/admin-panel/): the same selectors and services as the API.

Anonymous visitors are sent to the login page; signed-in non-admins get the 403 page.
Every write is a POST with CSRF and goes through an audited service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from curation.audit_labels import audit_action_label, audit_target_label
from curation.forms import BannerForm, DaysForm, FlagsForm, ProductFilterForm, PromoForm, StoreFilterForm, SuspendForm
from curation.metrics import chart_bars, dashboard_metrics
from curation.selectors import (
    audit_filter_values,
    audit_list_for_admin,
    banner_get_for_admin,
    banner_list_for_admin,
    product_get_for_admin,
    product_list_for_admin,
    store_get_for_admin,
    store_list_for_admin,
)
from curation.services import (
    banner_create,
    banner_delete,
    banner_update,
    product_delete_by_admin,
    product_set_featured,
    store_flags_update,
    store_restore,
    store_set_featured,
    store_suspend,
)
from orders.models import Order
from promos.selectors import promo_get_for_owner, promo_list_for_owner
from promos.services import platform_promo_create, platform_promo_delete, platform_promo_update
from stores.flags import FEATURE_DESCRIPTIONS, FEATURE_LABELS, FEATURES, store_flags
from tokoblitar.api.pagination import Page, paginate
from tokoblitar.errors import DomainError, NotFound
from tokoblitar.pages import form_page_status, run_with_message

PAGE_SIZE = 25


def admin_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != User.Role.ADMIN:
            raise PermissionDenied(_("Halaman ini hanya untuk admin."))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def _pager(request: HttpRequest, page: Page) -> dict:
    """Previous/next links that keep the current filters."""

    def query(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return params.urlencode()

    return {
        "page": page.page,
        "has_previous": page.page > 1,
        "has_next": page.page * page.limit < page.total,
        "previous_query": query(page.page - 1),
        "next_query": query(page.page + 1),
    }


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    # Return to the filtered list the admin acted from (same-site paths only).
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/admin-panel/") else fallback)


# --- Overview ---------------------------------------------------------------------------


@require_GET
@admin_page
def overview(request: HttpRequest) -> HttpResponse:
    form = DaysForm(request.GET)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 30
    metrics = dashboard_metrics(days=days)
    bars, peak = chart_bars(daily=metrics["daily"])
    context = {
        "nav": "overview",
        "days": days,
        "day_choices": (7, 30, 90, 365),
        "m": metrics,
        "bars": bars,
        "peak": peak,
        "status_rows": [(value, label, metrics["orders_by_status"][value]) for value, label in Order.Status.choices],
    }
    return render(request, "curation/overview.html", context)


# --- Stores -----------------------------------------------------------------------------


@require_GET
@admin_page
def stores(request: HttpRequest) -> HttpResponse:
    form = StoreFilterForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    qs = store_list_for_admin(search=(params.get("q") or "").strip(), status=params.get("status") or "")
    page = paginate(qs, page=params.get("page") or 1, limit=PAGE_SIZE)
    context = {"nav": "stores", "page": page, "params": params, "pager": _pager(request, page)}
    return render(request, "curation/stores.html", context)


@require_POST
@admin_page
def store_action(request: HttpRequest, store_id: UUID, action: str) -> HttpResponse:
    store = store_get_for_admin(store_id=store_id)
    who = {"actor": request.user, "request": request}
    if action == "feature":
        run_with_message(
            request, lambda: store_set_featured(store=store, featured=True, **who), _("Toko ditampilkan di beranda.")
        )
    elif action == "unfeature":
        run_with_message(
            request, lambda: store_set_featured(store=store, featured=False, **who), _("Toko dihapus dari unggulan.")
        )
    elif action == "suspend":
        form = SuspendForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        run_with_message(request, lambda: store_suspend(store=store, reason=reason, **who), _("Toko ditangguhkan."))
    elif action == "restore":
        run_with_message(request, lambda: store_restore(store=store, **who), _("Toko dipulihkan."))
    else:
        raise Http404
    return _back(request, "curation:stores")


@require_http_methods(["GET", "POST"])
@admin_page
def store_flags_page(request: HttpRequest, store_id: UUID) -> HttpResponse:
    store = store_get_for_admin(store_id=store_id)
    if request.method == "POST":
        form = FlagsForm(request.POST)
        if form.is_valid():
            store_flags_update(store=store, changes=form.cleaned_data, actor=request.user, request=request)
            messages.success(request, _("Fitur toko disimpan."))
            return redirect("curation:store-flags", store_id=store.pk)
    else:
        form = FlagsForm(initial=store_flags(store=store))
    rows = [(form[name], FEATURE_LABELS[name], FEATURE_DESCRIPTIONS[name]) for name in FEATURES]
    context = {"nav": "stores", "store": store, "form": form, "rows": rows}
    return render(request, "curation/flags.html", context, status=form_page_status(request, form))


# --- Products ---------------------------------------------------------------------------


@require_GET
@admin_page
def products(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    qs = product_list_for_admin(
        search=(params.get("q") or "").strip(), featured=True if params.get("featured") else None
    )
    page = paginate(qs, page=params.get("page") or 1, limit=PAGE_SIZE)
    context = {"nav": "products", "page": page, "params": params, "pager": _pager(request, page)}
    return render(request, "curation/products.html", context)


@require_POST
@admin_page
def product_action(request: HttpRequest, product_id: UUID, action: str) -> HttpResponse:
    product = product_get_for_admin(product_id=product_id)
    who = {"actor": request.user, "request": request}
    if action == "feature":
        run_with_message(
            request, lambda: product_set_featured(product=product, featured=True, **who), _("Produk diunggulkan.")
        )
    elif action == "unfeature":
        run_with_message(
            request,
            lambda: product_set_featured(product=product, featured=False, **who),
            _("Produk tidak lagi unggulan."),
        )
    elif action == "delete":
        run_with_message(request, lambda: product_delete_by_admin(product=product, **who), _("Produk dihapus."))
    else:
        raise Http404
    return _back(request, "curation:products")


# --- Banners ----------------------------------------------------------------------------


def _save_banner(request: HttpRequest, form: BannerForm, banner=None) -> bool:
    """Service errors land on the form so the admin sees them beside the fields."""
    if not form.is_valid():
        return False
    try:
        if banner is None:
            banner_create(actor=request.user, request=request, **form.cleaned_fields())
        else:
            banner_update(banner=banner, actor=request.user, request=request, **form.cleaned_fields())
    except DomainError as exc:
        for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return False
    return True


@require_http_methods(["GET", "POST"])
@admin_page
def banners(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = BannerForm(request.POST, request.FILES)
        if _save_banner(request, form):
            messages.success(request, _("Banner ditambahkan."))
            return redirect("curation:banners")
    else:
        form = BannerForm()
    context = {"nav": "banners", "form": form, "banners": list(banner_list_for_admin())}
    return render(request, "curation/banners.html", context, status=form_page_status(request, form))


@require_http_methods(["GET", "POST"])
@admin_page
def banner_edit(request: HttpRequest, banner_id: UUID) -> HttpResponse:
    banner = banner_get_for_admin(banner_id=banner_id)
    if request.method == "POST":
        form = BannerForm(request.POST, request.FILES, instance=banner_get_for_admin(banner_id=banner_id))
        if _save_banner(request, form, banner):
            messages.success(request, _("Banner disimpan."))
            return redirect("curation:banners")
    else:
        form = BannerForm(instance=banner)
    context = {"nav": "banners", "form": form, "banner": banner}
    return render(request, "curation/banner_edit.html", context, status=form_page_status(request, form))


@require_POST
@admin_page
def banner_remove(request: HttpRequest, banner_id: UUID) -> HttpResponse:
    banner = banner_get_for_admin(banner_id=banner_id)
    banner_delete(banner=banner, actor=request.user, request=request)
    messages.success(request, _("Banner dihapus."))
    return redirect("curation:banners")


# --- Platform promos --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_page
def promos(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PromoForm(request.POST)
        if form.is_valid():
            try:
                platform_promo_create(actor=request.user, request=request, **form.cleaned_data)
            except DomainError as exc:
                for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Promo platform dibuat."))
                return redirect("curation:promos")
    else:
        form = PromoForm()
    context = {"nav": "promos", "form": form, "promos": list(promo_list_for_owner(store=None)[:100])}
    return render(request, "curation/promos.html", context, status=form_page_status(request, form))


@require_POST
@admin_page
def promo_action(request: HttpRequest, promo_id: UUID, action: str) -> HttpResponse:
    promo = promo_get_for_owner(promo_id=promo_id, store=None)
    who = {"actor": request.user, "request": request}
    if action == "activate":
        run_with_message(
            request, lambda: platform_promo_update(promo=promo, is_active=True, **who), _("Promo diaktifkan.")
        )
    elif action == "deactivate":
        run_with_message(
            request, lambda: platform_promo_update(promo=promo, is_active=False, **who), _("Promo dinonaktifkan.")
        )
    elif action == "delete":
        run_with_message(request, lambda: platform_promo_delete(promo=promo, **who), _("Promo dihapus."))
    else:
        raise Http404
    return redirect("curation:promos")


# --- Audit ------------------------------------------------------------------------------


@require_GET
@admin_page
def audit(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")[:80]
    target_type = request.GET.get("target_type", "")[:80]
    entries = list(audit_list_for_admin(action=action, target_type=target_type)[:100])
    actions, targets = audit_filter_values()
    context = {
        "nav": "audit",
        "rows": [(entry, audit_action_label(entry.action), audit_target_label(entry.target_type)) for entry in entries],
        "action": action,
        "target_type": target_type,
        "action_choices": [(code, audit_action_label(code)) for code in actions],
        "target_choices": [(code, audit_target_label(code)) for code in targets],
    }
    return render(request, "curation/audit.html", context)
