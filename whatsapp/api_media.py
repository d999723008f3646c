"""JSON routes of the inbox for images and Cloud API templates (the `{data, error, meta}`
envelope, signed-in seller, `whatsapp_inbox` switch on):

- `POST /api/whatsapp/chats/{chat_id}/images` multipart `image` (+ `caption`) → `{data: message}` (201)
- `GET  /api/whatsapp/messages/{message_id}/media` → the stored image (JPEG bytes, private to the
  store; not in the OpenAPI document, which lists JSON operations only)
- `GET  /api/whatsapp/chats/{chat_id}/templates` → `{data: {window, templates}}`
- `POST /api/whatsapp/chats/{chat_id}/templates` `{name, language, params}` → `{data: message}` (201)
"""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.errors import ValidationFailed
from whatsapp.media import media_open_for_seller, seller_image_send
from whatsapp.payloads import message_payload
from whatsapp.templates_api import chat_templates, seller_template_send


class InboxMessageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    chat_id = serializers.UUIDField()
    provider_message_id = serializers.CharField(allow_null=True)
    from_me = serializers.BooleanField()
    body = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="received | queued | sent | delivered | read | failed")
    ack = serializers.IntegerField(allow_null=True)
    error_code = serializers.CharField(allow_blank=True)
    error_reason = serializers.CharField(allow_blank=True)
    timestamp = serializers.DateTimeField()
    kind = serializers.CharField(help_text="text | image | template")
    media_state = serializers.CharField(allow_blank=True, help_text='"", "pending", "ready" or "failed"')
    media_url = serializers.CharField(allow_null=True, help_text="Seller-only image route once ready")
    media_mime = serializers.CharField(allow_blank=True)
    media_size = serializers.IntegerField(allow_null=True, help_text="Bytes")
    template_name = serializers.CharField(allow_blank=True)


class TemplateOutput(serializers.Serializer):
    name = serializers.CharField()
    language = serializers.CharField()
    category = serializers.CharField()
    body = serializers.CharField(help_text="Text with {{1}}, {{2}} … placeholders")
    params = serializers.IntegerField(help_text="How many body values it needs")
    status = serializers.CharField()


class WindowOutput(serializers.Serializer):
    free_text = serializers.BooleanField(help_text="Free text and images may be sent now")
    expires_at = serializers.DateTimeField(allow_null=True)
    templates_only = serializers.BooleanField(help_text="Cloud API outside the 24-hour window")


class ChatImageApi(APIView):
    permission_classes = [IsSeller]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="whatsapp_chat_image_send",
        request={
            "multipart/form-data": inline_serializer(
                "WhatsAppImageUpload",
                {"image": serializers.ImageField(), "caption": serializers.CharField(required=False)},
            )
        },
        responses={201: InboxMessageOutput},
        description=(
            "Send a JPEG/PNG/WebP picture (at most MAX_IMAGE_UPLOAD_BYTES) into the chat: checked, stored "
            "without metadata, queued and sent by the task worker. 409 `session_not_ready` / `outside_24h_window`."
        ),
    )
    def post(self, request, chat_id: UUID):
        upload = request.FILES.get("image") or request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                _("No image uploaded"), code="no_image", fields={"image": [_("Send the file in the 'image' field")]}
            )
        message = seller_image_send(
            actor=request.user, chat_id=chat_id, upload=upload, caption=request.data.get("caption", "")
        )
        return envelope(message_payload(message), status=201)


class MessageMediaApi(APIView):
    """The stored image itself (JPEG bytes, not JSON): what `media_url` points at. Left out of the
    OpenAPI document, whose operations all answer the JSON envelope (tokoblitar/tests/test_api_client.py)."""

    permission_classes = [IsSeller]

    @extend_schema(exclude=True)
    def get(self, request, message_id: UUID):
        handle, mime = media_open_for_seller(actor=request.user, message_id=message_id)
        response = FileResponse(handle, content_type=mime)
        # A buyer's photo: the seller's browser may keep it, no shared cache may.
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ChatTemplatesApi(APIView):
    permission_classes = [IsSeller]

    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(max_length=512)
        language = serializers.CharField(max_length=15)
        params = serializers.ListField(child=serializers.CharField(max_length=1024), required=False, max_length=20)

    @extend_schema(
        operation_id="whatsapp_chat_templates",
        responses={
            200: inline_serializer(
                "WhatsAppChatTemplates", {"window": WindowOutput(), "templates": TemplateOutput(many=True)}
            )
        },
        description="The approved templates (Cloud API; the simulator offers two) and the chat's 24-hour window.",
    )
    def get(self, request, chat_id: UUID):
        return envelope(chat_templates(actor=request.user, chat_id=chat_id))

    @extend_schema(
        operation_id="whatsapp_chat_template_send",
        request=InputSerializer,
        responses={201: InboxMessageOutput},
        description="Queue an approved template with its body values (allowed outside the 24-hour window).",
    )
    def post(self, request, chat_id: UUID):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        message = seller_template_send(
            actor=request.user,
            chat_id=chat_id,
            name=values["name"],
            language=values["language"],
            params=values.get("params") or [],
        )
        return envelope(message_payload(message), status=201)
