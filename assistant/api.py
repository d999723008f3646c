"""`POST /api/ai/chat` (SSE) and the panel's conversation reads.

The chat route is an async Django view (DRF has no async views): it authenticates like every
API route (knox token or session + CSRF, through DRF's own authenticators), validates with
a serializer, lets `chat_prepare` decide (errors leave in the JSON envelope with their
status, before any byte is streamed), then answers `text/event-stream` from an async
generator. Under the ASGI server no thread is held while the stream is open; Django cancels
the generator when the client disconnects, which closes the model call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from uuid import UUID

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.permissions import IsSellerOrAdmin
from assistant.services import (
    Prepared,
    chat_events,
    chat_prepare,
    conversation_get_for_owner,
    conversation_list_for_owner,
    conversation_transcript,
)
from tokoblitar.api.errors import envelope, exception_handler
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.api.parsers import BoundedJSONParser


class ChatInput(StrictInputSerializer):
    message = serializers.CharField(max_length=4000)
    session_id = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate_message(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Message is required.")
        return value.strip()


def _prepare(request: HttpRequest) -> Prepared:
    """Authenticate (token, or session with CSRF), check the role, validate, prepare the turn."""
    drf_request = Request(
        request,
        parsers=[BoundedJSONParser()],
        authenticators=[auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES],
    )
    user = drf_request.user
    if not (user and user.is_authenticated):
        raise drf.NotAuthenticated()
    if not IsSellerOrAdmin().has_permission(drf_request, None):
        raise drf.PermissionDenied(IsSellerOrAdmin.message)
    data = ChatInput(data=drf_request.data)
    data.is_valid(raise_exception=True)
    return chat_prepare(
        actor=user,
        message=data.validated_data["message"],
        session_id=data.validated_data["session_id"],
        language=translation.get_language() or "id",
    )


def _error_response(exc: Exception) -> HttpResponse:
    response = exception_handler(exc, {})
    if response is None:
        raise exc
    out = JsonResponse(response.data, status=response.status_code, encoder=DjangoJSONEncoder)
    for key, value in response.items():
        if key.lower() in ("retry-after", "www-authenticate"):
            out[key] = value
    return out


def _sse(payload: dict | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


async def _stream(prepared: Prepared) -> AsyncIterator[bytes]:
    async for event in chat_events(prepared):
        yield _sse(event)
    yield _sse("[DONE]")


@extend_schema(exclude=True)
@csrf_exempt  # CSRF is enforced for session-authenticated calls by DRF's SessionAuthentication above
async def chat(request: HttpRequest) -> HttpResponse:
    """`POST /api/ai/chat` `{message, session_id?}` → `text/event-stream` (SPEC §8)."""
    if request.method != "POST":
        return JsonResponse(
            {"data": None, "error": f'Method "{request.method}" not allowed.', "meta": {"code": "method_not_allowed"}},
            status=405,
            headers={"Allow": "POST"},
        )
    try:
        prepared = await sync_to_async(_prepare)(request)
    except Exception as exc:  # noqa: BLE001 - mapped by the API's one exception handler, re-raised if unknown
        return await sync_to_async(_error_response)(exc)
    # GZipMiddleware would buffer the small SSE frames until its compressor fills a block:
    # without Accept-Encoding it leaves this response alone, so each delta leaves at once.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    response = StreamingHttpResponse(_stream(prepared), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


class ConversationOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The chat's session_id")
    title = serializers.CharField()
    updated_at = serializers.DateTimeField()


class TranscriptItemOutput(serializers.Serializer):
    """A message (`role`, `text`) or a tool run (`tool`, `status`, `result`)."""

    # Plain strings, not choices: an enum named "Role"/"Status" would collide with the API's own.
    role = serializers.CharField(required=False, help_text='"user" or "assistant"')
    text = serializers.CharField(required=False)
    tool = serializers.CharField(required=False)
    status = serializers.CharField(required=False, help_text='"ok" or "error"')
    result = serializers.JSONField(required=False)


class ConversationDetailOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    items = TranscriptItemOutput(many=True)


class ConversationListApi(APIView):
    permission_classes = [IsSellerOrAdmin]

    @extend_schema(responses={200: ConversationOutput(many=True)})
    def get(self, request):
        return envelope(ConversationOutput(conversation_list_for_owner(actor=request.user), many=True).data)


class ConversationDetailApi(APIView):
    permission_classes = [IsSellerOrAdmin]

    @extend_schema(responses={200: ConversationDetailOutput})
    def get(self, request, session_id: UUID):
        conversation = conversation_get_for_owner(actor=request.user, conversation_id=session_id)
        items = conversation_transcript(conversation=conversation)
        return envelope({"id": str(conversation.pk), "title": conversation.title, "items": items})
