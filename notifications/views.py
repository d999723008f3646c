"""Notification pages: the list (bell target), mark read, email preferences, a store's alert settings."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications.compose import compose
from notifications.forms import AlertSettingsForm, PreferenceForm
from notifications.selectors import notification_list_for_user, unread_count
from notifications.services import (
    alert_settings_get,
    alert_settings_update,
    notification_mark_all_read,
    notification_mark_read,
    preference_get,
    preference_update,
)
from stores.selectors import store_get_for_seller
from tokoblitar.errors import DomainError
from tokoblitar.pages import domain_error_to_form, domain_errors_as_pages, form_page_status
from tokoblitar.parsing import parse_int_or_none

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page_number = parse_int_or_none(request.GET.get("page", "1"), min_value=1, max_value=1000) or 1
    page = Paginator(notification_list_for_user(user=request.user), PAGE_SIZE).get_page(page_number)
    rows = [(note, compose(note.kind, note.data)) for note in page.object_list]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def notification_unread(request: HttpRequest) -> JsonResponse:
    """`{"unread": n}`: the bell's fallback when its socket is down or the tab comes back (1 query)."""
    response = JsonResponse({"unread": unread_count(user_id=request.user.pk)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors_as_pages
def notification_open(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    """Mark read and go where the notification leads (always a path of this site)."""
    note = notification_mark_read(actor=request.user, notification_id=notification_id)
    target = note.url if note.url.startswith("/") and not note.url.startswith("//") else ""
    return redirect(target or "storefront:notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(actor=request.user)
    return redirect("storefront:notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    pref = preference_get(user=request.user)
    is_seller = request.user.role == User.Role.SELLER
    form = PreferenceForm(request.POST or None, pref=pref, is_seller=is_seller)
    if request.method == "POST" and form.is_valid():
        try:
            preference_update(
                user=request.user,
                language=form.cleaned_data["language"],
                email=form.email_choices(),
                whatsapp=form.cleaned_data["whatsapp"],
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, _("Pengaturan pemberitahuan disimpan."))
            return redirect("storefront:notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=form_page_status(request, form))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def alert_settings(request: HttpRequest) -> HttpResponse:
    """A seller's alert thresholds (low stock, hours to ship), linked from the overview's alerts."""
    if request.user.role != User.Role.SELLER:
        raise PermissionDenied(_("Khusus penjual"))
    store = store_get_for_seller(user=request.user)
    form = AlertSettingsForm(request.POST or None, instance=alert_settings_get(store=store))
    if request.method == "POST" and form.is_valid():
        try:
            alert_settings_update(store=store, **form.cleaned_data)
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, _("Pengaturan peringatan disimpan."))
            return redirect("dashboard:overview")
    return render(
        request,
        "notifications/alert_settings.html",
        {"form": form, "store": store, "nav": "overview"},
        status=form_page_status(request, form),
    )
