"""The seller's Instagram page (under /dashboard/instagram/): connect through Instagram login,
drafts from products with the generated caption editable, schedule, publish now, and each
post's status with Instagram's reason when it failed. In simulator mode the consent page is
local (`simulator_authorize`): it issues a code on the simulated Graph API and redirects back
to the callback like Instagram does."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.models import Product
from instagram import clock
from instagram.models import InstagramPost
from instagram.selectors import (
    instagram_account_for_store,
    instagram_post_count_waiting,
    instagram_post_get_for_store,
    instagram_post_list_for_store,
)
from instagram.services import (
    create_post,
    instagram_connect_finish,
    instagram_connect_start,
    instagram_disconnect,
    instagram_post_delete,
    instagram_post_edit,
    instagram_post_schedule,
)
from stores.flags import store_feature_enabled
from stores.selectors import store_get_for_seller
from tokoblitar.errors import DomainError, NotFound, ValidationFailed
from tokoblitar.pages import domain_error_message, domain_errors_as_pages
from tokoblitar.providers import OFF, get_provider, provider_config

# Status → the pill colour classes the dashboard already has.
STATUS_PILL = {
    "draft": "pill-draft",
    "scheduled": "pill-processing",
    "publishing": "pill-processing",
    "published": "pill-delivered",
    "failed": "pill-cancelled",
    "waiting_quota": "pill-pending",
    "on_hold": "pill-pending",
}
# The buttons of a post's form.
POST_ACTIONS = ("save", "schedule", "publish", "delete")
# Service field names → the post form's fields; any other field's error goes on top of the form.
FORM_FIELDS = ("caption", "schedule_at")


def _seller(request: HttpRequest):
    if request.user.role != User.Role.SELLER:
        raise DjangoPermissionDenied(_("Khusus penjual"))
    return store_get_for_seller(user=request.user)


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("dashboard:instagram:callback"))


def _parse_local(value: str) -> datetime | None:
    """A datetime-local input ("2026-12-01T19:30") in the page's time zone; None when empty or
    unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_GET
@domain_errors_as_pages
def posts(request: HttpRequest) -> HttpResponse:
    return _posts_page(request, _seller(request))


def _posts_page(request: HttpRequest, store, *, unsaved: dict | None = None, status: int = 200) -> HttpResponse:
    """The page; `unsaved` = what the seller sent for one post that was refused
    ({"post_id", "caption", "schedule_at", "errors": {field: [..]}, "form_errors": [..]}):
    that post's form shows her text and the errors instead of the stored values."""
    rows = [
        (post, STATUS_PILL.get(post.status, ""), unsaved if unsaved and unsaved["post_id"] == str(post.pk) else None)
        for post in instagram_post_list_for_store(store=store)[:50]
    ]
    account = instagram_account_for_store(store=store)
    products = (
        Product.objects.filter(store=store, deleted_at__isnull=True)
        .exclude(status=Product.Status.ARCHIVED)
        .order_by("name")
        .only("id", "name")
    )
    config = provider_config("instagram")
    return render(
        request,
        "instagram/posts.html",
        {
            "store": store,
            "nav": "instagram",
            "account": account,
            "token_expired": account is not None and account.token_expires_at <= clock.now(),
            "waiting_count": instagram_post_count_waiting(store=store),
            "rows": rows,
            "products": products,
            "enabled": store_feature_enabled(store=store, feature="instagram"),
            "is_simulator": config.is_simulator,
            "provider_off": config.mode == OFF,
            "editable": InstagramPost.EDITABLE,
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors_as_pages
def connect(request: HttpRequest) -> HttpResponse:
    _seller(request)
    try:
        url = instagram_connect_start(actor=request.user, session=request.session, redirect_uri=_callback_uri(request))
    except DomainError as exc:
        domain_error_message(request, exc)
        return redirect("dashboard:instagram:posts")
    return redirect(url)


@login_required
@require_GET
@domain_errors_as_pages
def callback(request: HttpRequest) -> HttpResponse:
    _seller(request)
    if request.GET.get("error"):
        # The seller said no on Instagram's page (error=access_denied&error_reason=user_denied).
        request.session.pop("instagram_oauth", None)
        messages.error(request, _("Instagram tidak dihubungkan: izin tidak diberikan."))
        return redirect("dashboard:instagram:posts")
    try:
        account = instagram_connect_finish(
            actor=request.user,
            session=request.session,
            code=request.GET.get("code", ""),
            state=request.GET.get("state", ""),
        )
    except DomainError as exc:
        domain_error_message(request, exc, prefix=_("Instagram tidak terhubung: %(reason)s"))
    else:
        messages.success(request, _("Instagram @%(username)s terhubung.") % {"username": account.username})
    return redirect("dashboard:instagram:posts")


@login_required
@require_POST
@domain_errors_as_pages
def disconnect(request: HttpRequest) -> HttpResponse:
    _seller(request)
    try:
        held = instagram_disconnect(actor=request.user)
    except DomainError as exc:  # nothing was connected: say so, not "disconnected"
        domain_error_message(request, exc)
        return redirect("dashboard:instagram:posts")
    text = _("Instagram diputuskan.")
    if held:
        text += " " + ngettext(
            "%(count)s posting terjadwal ditahan sampai Instagram dihubungkan lagi.",
            "%(count)s posting terjadwal ditahan sampai Instagram dihubungkan lagi.",
            held,
        ) % {"count": held}
    messages.success(request, text)
    return redirect("dashboard:instagram:posts")


@login_required
@require_POST
@domain_errors_as_pages
def draft_new(request: HttpRequest) -> HttpResponse:
    store = _seller(request)
    try:
        product_id = UUID(request.POST.get("product_id", ""))
    except ValueError:
        messages.error(request, _("Pilih produk."))
        return _posts_page(request, store, status=400)
    try:
        post = create_post(actor=request.user, product_id=product_id)
    except NotFound:
        raise  # another store's or a made-up product: the styled 404
    except DomainError as exc:
        domain_error_message(request, exc)
        return redirect("dashboard:instagram:posts")
    messages.success(request, _("Draf dibuat. Periksa keterangannya, lalu jadwalkan atau terbitkan."))
    return redirect(reverse("dashboard:instagram:posts") + f"#post-{post.pk}")


@login_required
@require_POST
@domain_errors_as_pages
def post_action(request: HttpRequest, post_id: UUID) -> HttpResponse:
    """One form per post; the button pressed says what to do: save the caption, schedule,
    publish now or delete. The caption in the form is saved first (an absent caption is an
    empty one: refused). Another store's or an unknown post: 404; an unknown action: 400. A
    refusal shows the page again (400) with the seller's own text and the errors in her form."""
    store = _seller(request)
    instagram_post_get_for_store(store=store, post_id=post_id)  # unknown or another store's: 404 first
    action = request.POST.get("action", "")
    if action not in POST_ACTIONS:
        messages.error(request, _("Tindakan tidak dikenal. Muat ulang halaman lalu coba lagi."))
        return _posts_page(request, store, status=400)
    caption = request.POST.get("caption", "")
    schedule_value = request.POST.get("schedule_at", "")
    try:
        if action == "delete":
            instagram_post_delete(actor=request.user, post_id=post_id)
            messages.success(request, _("Draf dihapus."))
            return redirect("dashboard:instagram:posts")
        instagram_post_edit(actor=request.user, post_id=post_id, caption=caption)
        if action == "schedule":
            when = _parse_local(schedule_value)
            if when is None:
                raise ValidationFailed(
                    _("Isi tanggal dan jam terbit."), fields={"schedule_at": [_("Isi tanggal dan jam terbit.")]}
                )
            instagram_post_schedule(actor=request.user, post_id=post_id, schedule_at=when)
            messages.success(request, _("Posting dijadwalkan."))
        elif action == "publish":
            instagram_post_schedule(actor=request.user, post_id=post_id, publish_now=True)
            messages.success(request, _("Posting sedang diterbitkan. Statusnya diperbarui di sini."))
        else:
            messages.success(request, _("Keterangan disimpan."))
    except NotFound:
        raise  # the post went away meanwhile: the styled 404
    except DomainError as exc:
        return _posts_page(request, store, unsaved=_unsaved(request, post_id, caption, schedule_value, exc), status=400)
    return redirect(reverse("dashboard:instagram:posts") + f"#post-{post_id}")


def _unsaved(request: HttpRequest, post_id: UUID, caption: str, schedule_value: str, exc: DomainError) -> dict:
    """The refused form of one post: her text back, field errors beside their fields, other
    fields' errors on top of the form; an error without fields is the flash message."""
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    for name, texts in (exc.fields or {}).items():
        if name in FORM_FIELDS:
            errors.setdefault(name, []).extend(texts)
        else:
            form_errors.extend(texts)
    if exc.fields:
        messages.error(request, _("Perubahan belum disimpan. Periksa isian posting di bawah."))
    else:
        # No field to point at (not connected, no longer editable): the reason itself, on top,
        # where it is seen even when the post shows no form any more.
        domain_error_message(request, exc)
    return {
        "post_id": str(post_id),
        "caption": caption,
        "schedule_at": schedule_value,
        "errors": errors,
        "form_errors": form_errors,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def simulator_authorize(request: HttpRequest) -> HttpResponse:
    """Simulator only: Instagram's consent page, played locally. Allowing issues a single-use
    code on the simulated Graph API and goes back to our own callback with `code` and `state`;
    refusing goes back with `error=access_denied`. Any other redirect target is refused (no
    open redirect)."""
    store = _seller(request)
    client = get_provider("instagram")
    if not getattr(client, "is_simulator", False):
        raise Http404("Not in simulator mode")
    params = request.POST if request.method == "POST" else request.GET
    redirect_uri = params.get("redirect_uri", "")
    target = urlsplit(redirect_uri)
    if target.netloc != request.get_host() or target.path != reverse("dashboard:instagram:callback"):
        raise DjangoPermissionDenied(_("Alamat kembali tidak dikenal."))
    state = params.get("state", "")
    if request.method == "POST":
        if params.get("decision") not in ("allow", "deny"):
            return HttpResponseBadRequest(_("Pilih Izinkan atau Tolak."))
        if params.get("decision") == "allow":
            username = (params.get("username") or "").strip().lstrip("@")[:30] or store.slug.replace("-", "_")
            code = client.platform.consent(
                username=username, client_id=params.get("client_id", ""), redirect_uri=redirect_uri
            )
            query = {"code": code, "state": state}
        else:
            query = {"error": "access_denied", "error_reason": "user_denied", "state": state}
        return redirect(f"{redirect_uri}?{urlencode(query)}#_")
    return render(
        request,
        "instagram/simulator_consent.html",
        {
            "store": store,
            "nav": "instagram",
            "client_id": params.get("client_id", ""),
            "redirect_uri": redirect_uri,
            "state": state,
            "suggested": store.instagram_handle or store.slug.replace("-", "_"),
        },
    )
