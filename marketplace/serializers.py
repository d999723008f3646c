"""Input serializers of the sales-channel routes (also used by the assistant's tools)."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.channels.base import PLATFORMS


class SyncSerializer(serializers.Serializer):
    """`{platform, product_ids}`; empty `product_ids` = every active product."""

    platform = serializers.ChoiceField(choices=list(PLATFORMS))
    product_ids = serializers.ListField(
        child=serializers.UUIDField(format="hex_verbose"),
        allow_empty=True,
        required=False,
        default=list,
        max_length=500,
    )


class ConnectSerializer(serializers.Serializer):
    """`{platform, code}`; Shopee also sends `shop_id` (its redirect carries it beside the code)."""

    platform = serializers.ChoiceField(choices=list(PLATFORMS))
    code = serializers.CharField(max_length=500, trim_whitespace=True)
    shop_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PlatformSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=list(PLATFORMS))
