"""The seed's WhatsApp routes (SPEC §11), with the seed's response fields.

These routes keep the seed's own shapes (`success`, `session`, `qr`, `qr_expired`, `message`,
`connected`, `expired`, `chat`) and its error shape `{"error": "...", "code": "..."}` with the
HTTP status, not the `{data, error, meta}` envelope of the rest of the API. The owner is always
the signed-in seller: a `userId` in the body is ignored, another seller's session is 404.
"""

from __future__ import annotations

import io

import segno
from django.http import HttpResponse
from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from tokoblitar.api.schema import AutoSchema
from tokoblitar.errors import ValidationFailed
from whatsapp.payloads import chat_payload, message_payload, session_payload
from whatsapp.services import (
    QrAnswer,
    inbox_store_for_seller,
    seller_message_send,
    seller_qr_get,
    seller_session_create,
    seller_session_status,
    session_health,
)

NO_STORE = {"Cache-Control": "no-store, no-cache, must-revalidate"}


class ErrorOutput(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Stable machine code, e.g. session_not_found")
    fields = serializers.DictField(required=False)


class SessionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    owner_id = serializers.UUIDField(help_text="The signed-in seller")
    store_id = serializers.UUIDField()
    provider = serializers.ChoiceField(choices=["waha", "cloud", "simulator"])
    name = serializers.CharField(help_text="Gateway session name (or Cloud API phone number id)")
    state = serializers.ChoiceField(choices=["STOPPED", "STARTING", "SCAN_QR_CODE", "WORKING", "FAILED"])
    is_ready = serializers.BooleanField()
    is_connected = serializers.BooleanField()
    qr = serializers.CharField(allow_null=True)
    qr_expires_at = serializers.DateTimeField(allow_null=True)
    qr_expired = serializers.BooleanField()
    me = serializers.CharField(allow_null=True, help_text="The linked WhatsApp account")
    last_event_at = serializers.DateTimeField(allow_null=True, help_text="When the gateway last sent us an event")
    last_ack = serializers.IntegerField(allow_null=True, help_text="Last message ack (-1 error … 3 read)")
    health = serializers.CharField(help_text='"ok", "degraded" (WORKING but silent while sends fail), "offline"')
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SessionCreateOutput(serializers.Serializer):
    success = serializers.BooleanField()
    session = SessionOutput()
    message = serializers.CharField()


class SessionStatusOutput(serializers.Serializer):
    success = serializers.BooleanField()
    session = SessionOutput()


class QrOutput(serializers.Serializer):
    success = serializers.BooleanField()
    qr = serializers.CharField(allow_null=True, help_text="The raw QR value to render (format=text)")
    qr_expires_at = serializers.DateTimeField(required=False)
    connected = serializers.BooleanField(required=False)
    expired = serializers.BooleanField(required=False)
    message = serializers.CharField(required=False)


class MessageSendInput(serializers.Serializer):
    sessionId = serializers.CharField(max_length=64)  # noqa: N815 - the seed's field name
    to = serializers.CharField(max_length=64, help_text="6281234567890, 0812…, or a JID (…@c.us, …@lid)")
    message = serializers.CharField(max_length=4096, trim_whitespace=True)


class ChatOutput(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    remote_id = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    is_unread = serializers.BooleanField()
    unread_count = serializers.IntegerField()
    last_message = serializers.CharField(allow_blank=True)
    last_message_at = serializers.DateTimeField(allow_null=True)


class MessageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    chat_id = serializers.UUIDField()
    provider_message_id = serializers.CharField(allow_null=True)
    from_me = serializers.BooleanField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=["received", "queued", "sent", "delivered", "read", "failed"])
    ack = serializers.IntegerField(allow_null=True)
    error_code = serializers.CharField(allow_blank=True)
    error_reason = serializers.CharField(allow_blank=True)
    timestamp = serializers.DateTimeField()


class MessageSendOutput(serializers.Serializer):
    success = serializers.BooleanField()
    chat = ChatOutput()
    message = MessageOutput()


ERRORS = {
    400: OpenApiResponse(ErrorOutput, description="sessionId missing or not a UUID, bad number, empty message"),
    401: OpenApiResponse(ErrorOutput, description="Not signed in"),
    403: OpenApiResponse(ErrorOutput, description="Not a seller, or the store's whatsapp_inbox switch is off"),
    404: OpenApiResponse(ErrorOutput, description="No such session for this seller (another seller's too)"),
    429: OpenApiResponse(ErrorOutput, description="Too many requests (see Retry-After)"),
    502: OpenApiResponse(ErrorOutput, description="The WhatsApp gateway failed"),
}
SESSION_ID = OpenApiParameter("sessionId", str, OpenApiParameter.QUERY, required=True, description="Session UUID")


class SeedSchema(AutoSchema):
    """The project's schema rules (names, operation ids) without the envelope: these routes
    answer the seed's own bodies, and their errors are `ErrorOutput` as declared per view."""

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):  # noqa: ANN001
        return _AutoSchema._get_response_for_code(self, serializer, status_code, media_types, direction)

    def _get_response_bodies(self, direction="response"):  # noqa: ANN001
        return _AutoSchema._get_response_bodies(self, direction)


class SeedApiView(APIView):
    """Answers errors in the seed's `{error}` shape (plus `code`) instead of the envelope."""

    permission_classes = [IsSeller]
    schema = SeedSchema()

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        body = response.data if isinstance(response.data, dict) else {}
        meta = body.get("meta") or {}
        seed = {"error": body.get("error") or "Error", "code": meta.get("code", "error")}
        if meta.get("fields"):
            seed["fields"] = meta["fields"]
        response.data = seed
        return response


def _session_id(request) -> str:
    # A missing id is refused by the service, after the store's whatsapp_inbox switch.
    return request.query_params.get("sessionId", "")


def _session_out(session) -> dict:
    return session_payload(session, health=session_health(session))


class SessionCreateApi(SeedApiView):
    @extend_schema(
        request=None,
        responses={200: SessionCreateOutput, **ERRORS},
        description=(
            "Create and start the signed-in seller's WhatsApp session (one per store); answers the "
            "existing one with `message: 'Session already exists'`. A `userId` in the body is ignored."
        ),
    )
    def post(self, request):
        session, created = seller_session_create(actor=request.user)
        message = "Session created successfully" if created else "Session already exists"
        return Response({"success": True, "session": _session_out(session), "message": message})


class SessionStatusApi(SeedApiView):
    @extend_schema(
        parameters=[SESSION_ID],
        responses={200: SessionStatusOutput, **ERRORS},
        description="The session's state as the gateway reports it, with `qr_expired` and session health.",
    )
    def get(self, request):
        session = seller_session_status(actor=request.user, session_id=_session_id(request))
        return Response({"success": True, "session": _session_out(session)})


class IgnoreFormatParam(DefaultContentNegotiation):
    """`?format=` is the seed's QR format here, not DRF's renderer override."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def qr_image(value: str, kind: str) -> HttpResponse:
    """The QR rendered server-side with segno: PNG (`image`) or SVG (`svg`)."""
    code = segno.make(value, error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=6, border=2, xmldecl=False)
        return HttpResponse(out.getvalue(), content_type="image/svg+xml", headers=NO_STORE)
    code.save(out, kind="png", scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/png", headers=NO_STORE)


class QrApi(SeedApiView):
    content_negotiation_class = IgnoreFormatParam

    @extend_schema(
        parameters=[
            SESSION_ID,
            OpenApiParameter("format", str, OpenApiParameter.QUERY, enum=["text", "image", "svg"], default="text"),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                QrOutput,
                description=(
                    "text: `{success, qr, qr_expires_at}`; connected: `{success, connected: true, qr: null, message}`; "
                    "not yet generated: `{success: false, qr: null, message}`; expired: "
                    "`{success: false, qr: null, expired: true, message}` (all formats)"
                ),
            ),
            (200, "image/png"): OpenApiResponse(bytes, description="format=image; X-QR-Expires-At header"),
            (200, "image/svg+xml"): OpenApiResponse(str, description="format=svg; X-QR-Expires-At header"),
            **ERRORS,
        },
        description="The QR to link the seller's phone; each QR carries `qr_expires_at` (first 60 s, then 20 s).",
    )
    def get(self, request):
        kind = request.query_params.get("format") or "text"
        inbox_store_for_seller(actor=request.user)  # the switch before the parameters
        if kind not in ("text", "image", "svg"):
            raise ValidationFailed("format must be text, image or svg", code="invalid_format")
        answer: QrAnswer = seller_qr_get(actor=request.user, session_id=_session_id(request))
        if answer.connected:
            body = {"success": True, "connected": True, "qr": None, "message": "WhatsApp already connected"}
            return Response(body, headers=NO_STORE)
        if answer.expired:
            body = {"success": False, "qr": None, "expired": True, "message": "QR expired. Generating new one..."}
            return Response(body, headers=NO_STORE)
        if not answer.qr:
            return Response({"success": False, "qr": None, "message": "QR not yet generated. Please wait..."})
        expires = answer.expires_at.isoformat() if answer.expires_at else None
        if kind in ("image", "svg"):
            response = qr_image(answer.qr, kind)
            response["X-QR-Expires-At"] = expires or ""
            return response
        return Response({"success": True, "qr": answer.qr, "qr_expires_at": expires}, headers=NO_STORE)


class MessageSendApi(SeedApiView):
    @extend_schema(
        request=MessageSendInput,
        responses={200: MessageSendOutput, 409: OpenApiResponse(ErrorOutput, description="Not connected"), **ERRORS},
        description=(
            "Queue a text to `to` (stored `queued`, sent by the task worker with retry and backoff; its "
            "status then moves through sent/delivered/read/failed from the gateway's events)."
        ),
    )
    def post(self, request):
        inbox_store_for_seller(actor=request.user)  # the switch before the body is even read
        data = MessageSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        chat, message = seller_message_send(
            actor=request.user, session_id=values["sessionId"], to=values["to"], text=values["message"]
        )
        return Response({"success": True, "chat": chat_payload(chat), "message": message_payload(message)})
