"""Seller dashboard: the WhatsApp inbox (whatsapp app services and selectors).

One page, two panes: the chat list (search, label filter, unread counts, the session's health)
and the open conversation (ticks, composer, quick actions, the buyer's orders). On a phone only
one pane shows at a time. static/js/inbox.js keeps it live: it listens on `ws/whatsapp/inbox/`
and re-reads the panes' HTML from the partial views below on every event (polling when the
socket is down), so every label stays in the page's language.

Writes are plain POST forms (they work without JavaScript: flash message and redirect). The
script posts the same forms with `X-Inbox: 1` and gets 204, or the error's message as text with
its 4xx/5xx status.
"""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.views import seller_page
from stores.models import Store
from tokoblitar.api.errors import status_for
from tokoblitar.errors import DomainError, FeatureDisabled, NotFound, PermissionDenied, ValidationFailed
from tokoblitar.pages import domain_error_first_message
from tokoblitar.parsing import parse_int_or_none
from whatsapp.gateways.base import ACK_NAMES
from whatsapp.models import LabelColour, SessionState, WhatsAppSession
from whatsapp.selectors import (
    canned_replies_for_chat,
    canned_reply_list_for_store,
    chat_orders_for_store,
    inbox_chat_list,
    label_list_for_store,
    message_list_for_chat,
    product_pick_list,
    session_for_store,
)
from whatsapp.services import (
    CLOUD_WINDOW,
    inbox_store_for_seller,
    seller_canned_reply_delete,
    seller_canned_reply_save,
    seller_chat_labels_set,
    seller_chat_mark_read,
    seller_chat_reply,
    seller_label_create,
    seller_label_delete,
    seller_qr_get,
    seller_quick_send,
    seller_session_action,
    seller_session_create,
    seller_session_status,
    seller_simulator_buyer,
    seller_simulator_scan,
    session_health,
)
from whatsapp.templates_api import seller_template_send, templates_available

SESSION_ACTIONS = ("restart", "logout")


def _fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Inbox") == "1"


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _run(request: HttpRequest, action: Any, *, back: str, done: str = "") -> HttpResponse:
    """Run one service for a POST form: 204 / the error's text for the script, else a flash
    message and a redirect to `back`."""
    try:
        action()
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied) and not _fetch(request):
            raise  # the styled 404/403 page (seller_page), as for a GET of another store's chat
        if _fetch(request):
            return HttpResponse(
                domain_error_first_message(exc), status=status_for(exc), content_type="text/plain; charset=utf-8"
            )
        messages.error(request, domain_error_first_message(exc))
        return redirect(_back(request, back))
    if _fetch(request):
        return HttpResponse(status=204)
    if done:
        messages.success(request, done)
    return redirect(_back(request, back))


def _filters(request: HttpRequest) -> dict[str, Any]:
    search = (request.GET.get("q") or "").strip()[:100]
    label = parse_int_or_none(request.GET.get("label") or "", min_value=1, max_value=2**31 - 1)
    return {"q": search, "label": label}


def _qr_data_uri(value: str) -> str:
    """The QR as an inline SVG image (rendered here, so what is shown is the value the
    "scan" button sends)."""
    out = io.BytesIO()
    segno.make(value, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _session_context(request: HttpRequest, session: WhatsAppSession | None) -> dict[str, Any]:
    """The health panel: the state the gateway reports now (or the last we were told), the QR
    with its expiry while scanning, and whether the simulator controls apply."""
    if session is None:
        return {"session": None}
    try:
        session = seller_session_status(actor=request.user, session_id=session.pk)
    except DomainError:
        pass  # the last state we know is shown
    qr = None
    if session.state in (SessionState.STARTING, SessionState.SCAN_QR_CODE):
        try:
            answer = seller_qr_get(actor=request.user, session_id=session.pk)
        except DomainError:
            answer = None
        if answer is not None:
            session = answer.session
            if answer.qr:
                qr = {"value": answer.qr, "image": _qr_data_uri(answer.qr), "expires_at": answer.expires_at}
            elif answer.expired:
                qr = {"expired": True}
    return {
        "session": session,
        "health": session_health(session),
        "qr": qr,
        "ack_name": ACK_NAMES.get(session.last_ack) if session.last_ack is not None else "",
        # timesince says "0 menit" under a minute: people read "baru saja" there.
        "event_just_now": session.last_event_at is not None
        and timezone.now() - session.last_event_at < timedelta(minutes=1),
        "simulator": session.provider == "simulator",
    }


def _inbox_context(request: HttpRequest, store: Store, chat_id: UUID | None) -> dict[str, Any]:
    session = session_for_store(store=store)
    filters = _filters(request)
    labels = label_list_for_store(store=store)
    context: dict[str, Any] = {
        "store": store,
        "nav": "whatsapp",
        "filters": filters,
        "labels": labels,
        "chats": inbox_chat_list(session=session, search=filters["q"], label_id=filters["label"]) if session else [],
        "chat": None,
        "query": request.GET.urlencode(),
        **_session_context(request, session),
    }
    if chat_id is not None:
        chat = seller_chat_mark_read(actor=request.user, chat_id=chat_id)
        context.update(_chat_context(store, chat, labels))
    return context


ORDERS_SHOWN = 5
ORDER_LOOKBACK = 50


def _chat_context(store: Store, chat: Any, labels: list) -> dict[str, Any]:
    # Canned {resi}/{total} need the order they are about, which may be older than the few listed.
    orders = chat_orders_for_store(chat=chat, limit=ORDER_LOOKBACK)
    session = chat.session
    window_closed = session.provider == "cloud" and (
        chat.last_inbound_at is None or chat.last_inbound_at < timezone.now() - CLOUD_WINDOW
    )
    chosen = {label.pk for label in chat.labels.all()}
    templates: list = []
    if window_closed:
        # Outside the 24-hour window only approved templates may go; Meta unreachable = none offered.
        try:
            templates = [{"t": t, "slots": range(1, t.params + 1)} for t in templates_available()]
        except DomainError:
            templates = []
    return {
        "templates": templates,
        "chat": chat,
        "chat_messages": message_list_for_chat(chat=chat, limit=80),
        "orders": orders[:ORDERS_SHOWN],
        "orders_more": len(orders) > ORDERS_SHOWN,
        "products": product_pick_list(store=store),
        "canned": canned_replies_for_chat(
            store=store, chat=chat, replies=canned_reply_list_for_store(store=store), orders=orders
        ),
        "label_choices": [(label, label.pk in chosen) for label in labels],
        "window_closed": window_closed,
        "session_ready": session.state == SessionState.WORKING,
    }


def _disabled(request: HttpRequest, store: Store, exc: FeatureDisabled) -> HttpResponse:
    return render(
        request,
        "dashboard/whatsapp/disabled.html",
        {"store": store, "nav": "whatsapp", "reason": exc.message},
        status=403,
    )


# --- pages and partials -------------------------------------------------------------------


@require_GET
@seller_page
def inbox(request: HttpRequest, store: Store, chat_id: UUID | None = None) -> HttpResponse:
    try:
        inbox_store_for_seller(actor=request.user)
    except FeatureDisabled as exc:
        return _disabled(request, store, exc)
    return render(request, "dashboard/whatsapp/inbox.html", _inbox_context(request, store, chat_id))


@require_GET
@seller_page
def chat_list_partial(request: HttpRequest, store: Store) -> HttpResponse:
    inbox_store_for_seller(actor=request.user)
    session = session_for_store(store=store)
    filters = _filters(request)
    open_chat = request.GET.get("open") or ""
    chats = inbox_chat_list(session=session, search=filters["q"], label_id=filters["label"]) if session else []
    query = request.GET.copy()
    query.pop("open", None)
    return render(
        request,
        "dashboard/whatsapp/_chat_list.html",
        {"chats": chats, "open_id": open_chat, "query": query.urlencode(), "session": session, "filters": filters},
    )


@require_GET
@seller_page
def messages_partial(request: HttpRequest, store: Store, chat_id: UUID) -> HttpResponse:
    chat = seller_chat_mark_read(actor=request.user, chat_id=chat_id)
    return render(
        request,
        "dashboard/whatsapp/_messages.html",
        {"chat": chat, "chat_messages": message_list_for_chat(chat=chat, limit=80)},
    )


@require_GET
@seller_page
def session_partial(request: HttpRequest, store: Store) -> HttpResponse:
    inbox_store_for_seller(actor=request.user)
    context = _session_context(request, session_for_store(store=store))
    return render(request, "dashboard/whatsapp/_session.html", {**context, "store": store})


# --- writes -------------------------------------------------------------------------------


def _inbox_url(chat_id: Any = None) -> str:
    if chat_id is None:
        return reverse("dashboard:whatsapp:inbox")
    return reverse("dashboard:whatsapp:chat", kwargs={"chat_id": chat_id})


@require_POST
@seller_page
def chat_send(request: HttpRequest, store: Store, chat_id: UUID) -> HttpResponse:
    text = request.POST.get("text", "")
    return _run(
        request,
        lambda: seller_chat_reply(actor=request.user, chat_id=chat_id, text=text),
        back=_inbox_url(chat_id),
    )


@require_POST
@seller_page
def chat_quick(request: HttpRequest, store: Store, chat_id: UUID) -> HttpResponse:
    action = request.POST.get("action", "")
    object_id = request.POST.get("object_id", "")

    def send() -> None:
        try:
            UUID(object_id)
        except ValueError:
            raise ValidationFailed(_("Choose what to send first")) from None
        seller_quick_send(
            actor=request.user, session_id=_session_pk(store), chat_id=chat_id, action=action, object_id=object_id
        )

    return _run(request, send, back=_inbox_url(chat_id))


@require_POST
@seller_page
def chat_template(request: HttpRequest, store: Store, chat_id: UUID) -> HttpResponse:
    """Send an approved Cloud API template (the only message allowed outside the 24-hour window)."""
    name = request.POST.get("name", "")[:512]
    language = request.POST.get("language", "")[:20]
    params = request.POST.getlist("param")[:20]
    return _run(
        request,
        lambda: seller_template_send(actor=request.user, chat_id=chat_id, name=name, language=language, params=params),
        back=_inbox_url(chat_id),
        done=_("Template message queued."),
    )


def _session_pk(store: Store) -> Any:
    session = session_for_store(store=store)
    return session.pk if session else ""


@require_POST
@seller_page
def chat_labels(request: HttpRequest, store: Store, chat_id: UUID) -> HttpResponse:
    ids = request.POST.getlist("labels")
    return _run(
        request,
        lambda: seller_chat_labels_set(actor=request.user, chat_id=chat_id, label_ids=ids),
        back=_inbox_url(chat_id),
        done=_("Labels saved."),
    )


@require_POST
@seller_page
def session_connect(request: HttpRequest, store: Store) -> HttpResponse:
    return _run(request, lambda: seller_session_create(actor=request.user), back=_inbox_url())


@require_POST
@seller_page
def session_action(request: HttpRequest, store: Store, action: str) -> HttpResponse:
    def act() -> None:
        if action not in SESSION_ACTIONS:
            raise ValidationFailed(_("Unknown session action"))
        seller_session_action(actor=request.user, session_id=_session_pk(store), action=action)

    return _run(request, act, back=_inbox_url())


@require_POST
@seller_page
def simulator_scan(request: HttpRequest, store: Store) -> HttpResponse:
    qr = request.POST.get("qr", "")
    return _run(
        request,
        lambda: seller_simulator_scan(actor=request.user, session_id=_session_pk(store), qr=qr),
        back=_inbox_url(),
    )


@require_POST
@seller_page
def simulator_buyer(request: HttpRequest, store: Store) -> HttpResponse:
    text = request.POST.get("text", "")
    return _run(
        request,
        lambda: seller_simulator_buyer(actor=request.user, session_id=_session_pk(store), text=text),
        back=_inbox_url(),
    )


# --- canned replies and labels ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@seller_page
def settings_page(request: HttpRequest, store: Store) -> HttpResponse:
    try:
        inbox_store_for_seller(actor=request.user)
    except FeatureDisabled as exc:
        return _disabled(request, store, exc)
    errors: dict[str, Any] = {}
    form: dict[str, str] = {}
    edit_id = parse_int_or_none(request.GET.get("edit") or "", min_value=1, max_value=2**31 - 1)
    back = reverse("dashboard:whatsapp:settings")
    status = 200
    if request.method == "POST":
        kind = request.POST.get("form")
        form = {k: request.POST.get(k, "") for k in ("shortcut", "text", "name", "colour", "reply_id")}
        try:
            if kind == "canned":
                seller_canned_reply_save(
                    actor=request.user, shortcut=form["shortcut"], text=form["text"], reply_id=form["reply_id"] or None
                )
                messages.success(request, _("Canned reply saved."))
            elif kind == "label":
                seller_label_create(actor=request.user, name=form["name"], colour=form["colour"])
                messages.success(request, _("Label saved."))
            else:
                raise ValidationFailed(_("Unknown form"))
        except DomainError as exc:
            fields = exc.fields or {}
            # Each error is shown once: under its field when the form has that field, else in the banner.
            under_field = kind == "canned" and any(fields.get(f) for f in ("shortcut", "text"))
            errors = {
                "form": kind,
                "message": "" if under_field else domain_error_first_message(exc),
                "fields": fields,
            }
            status = status_for(exc)
        else:
            return redirect(back)
    replies = canned_reply_list_for_store(store=store)
    editing = next((r for r in replies if r.pk == edit_id), None)
    if editing is not None and not form:
        form = {"shortcut": editing.shortcut, "text": editing.text, "reply_id": str(editing.pk)}
    return render(
        request,
        "dashboard/whatsapp/settings.html",
        {
            "store": store,
            "nav": "whatsapp",
            "replies": replies,
            "labels": label_list_for_store(store=store),
            "colours": LabelColour.choices,
            "form": form,
            "errors": errors,
            "editing": editing,
        },
        status=status,
    )


@require_POST
@seller_page
def canned_delete(request: HttpRequest, store: Store, reply_id: int) -> HttpResponse:
    return _run(
        request,
        lambda: seller_canned_reply_delete(actor=request.user, reply_id=reply_id),
        back=reverse("dashboard:whatsapp:settings"),
        done=_("Canned reply deleted."),
    )


@require_POST
@seller_page
def label_delete(request: HttpRequest, store: Store, label_id: int) -> HttpResponse:
    return _run(
        request,
        lambda: seller_label_delete(actor=request.user, label_id=label_id),
        back=reverse("dashboard:whatsapp:settings"),
        done=_("Label deleted."),
    )
