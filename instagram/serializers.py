"""Input and output shapes of Instagram posts. `InstagramPostSerializer` is the contract of
`POST /api/seller/instagram/post` and of the assistant's tool that drafts posts (it validates
its tool input with the same class)."""

from __future__ import annotations

from rest_framework import serializers

from instagram import clock
from instagram.models import InstagramPost
from instagram.services import CAPTION_MAX_CHARS, normalize_caption
from tokoblitar.api.inputs import StrictInputSerializer


class CaptionField(serializers.CharField):
    """A caption with its line breaks as Instagram counts them (CRLF/CR → LF) before the
    length limit is checked, so a caption the service accepts is never refused here."""

    def to_internal_value(self, data):
        return normalize_caption(super().to_internal_value(data))


class InstagramPostSerializer(StrictInputSerializer):
    """`product_id`: one of the seller's products; `caption`: optional (absent or null = the
    generated draft caption); `schedule_at`: optional ISO 8601 datetime in the future (a naive
    time is read in the site's time zone, Asia/Jakarta); `publish_now`: publish in the
    background right away. Neither time nor publish_now = a draft."""

    product_id = serializers.UUIDField()
    caption = CaptionField(max_length=CAPTION_MAX_CHARS, required=False, allow_null=True, trim_whitespace=True)
    schedule_at = serializers.DateTimeField(required=False, allow_null=True)
    publish_now = serializers.BooleanField(required=False, default=False)

    def validate_schedule_at(self, value):
        if value is not None and value <= clock.now():
            raise serializers.ValidationError("The time must be in the future")
        return value

    def validate(self, attrs):
        if attrs.get("schedule_at") is not None and attrs.get("publish_now"):
            raise serializers.ValidationError({"publish_now": ["Choose either schedule_at or publish_now"]})
        return attrs


class InstagramPostOutput(serializers.ModelSerializer):
    product_id = serializers.UUIDField(allow_null=True, read_only=True)
    product_name = serializers.SerializerMethodField()

    class Meta:
        model = InstagramPost
        fields = [
            "id",
            "product_id",
            "product_name",
            "caption",
            "status",
            "schedule_at",
            "container_id",
            "media_id",
            "permalink",
            "error_code",
            "error_message",
            "error_params",
            "attempts",
            "next_attempt_at",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    # The reason in the request's language: ours worded from its code, Instagram's as received.
    error_message = serializers.CharField(source="reason", read_only=True)

    def get_product_name(self, post: InstagramPost) -> str:
        return post.product.name if post.product is not None else ""
