"""Seller routes for the sales channels (SPEC §10; the seed's /api/seller/marketplace/*)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from marketplace.selectors import marketplace_status
from marketplace.serializers import ConnectSerializer, PlatformSerializer, SyncSerializer
from marketplace.services import marketplace_connect, marketplace_disconnect, sync_products
from stores.flags import require_feature
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope


class ConnectOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["connected"])
    platform = serializers.CharField()
    shop_name = serializers.CharField(allow_blank=True)


class SyncOutput(serializers.Serializer):
    synced = serializers.IntegerField()
    failed = serializers.IntegerField()
    queued = serializers.IntegerField(help_text="Throttled items retried in the background (not failures)")


class DisconnectOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["disconnected"])
    platform = serializers.CharField()


class ConnectionOutput(serializers.Serializer):
    platform = serializers.CharField()
    platform_name = serializers.CharField()
    mode = serializers.CharField(help_text='"live", "simulator" or "off"')
    state = serializers.CharField(help_text="not_connected, connected, expiring, expired, disconnected")
    shop_id = serializers.CharField(allow_blank=True)
    shop_name = serializers.CharField(allow_blank=True)
    last_sync_at = serializers.DateTimeField(allow_null=True)
    access_expires_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)


class ListingOutput(serializers.Serializer):
    product_id = serializers.UUIDField()
    product_name = serializers.CharField()
    platform = serializers.CharField()
    external_id = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="pending, live, pending_review, failed")
    error_code = serializers.CharField(allow_blank=True)
    error_message = serializers.CharField(allow_blank=True)
    last_synced_at = serializers.DateTimeField(allow_null=True)
    pushed_stock = serializers.IntegerField(allow_null=True)
    stock = serializers.IntegerField()
    stock_error = serializers.CharField(allow_blank=True)


class StatusOutput(serializers.Serializer):
    connections = ConnectionOutput(many=True)
    products = ListingOutput(many=True)


class MarketplaceConnectApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(
        request=ConnectSerializer,
        responses={200: ConnectOutput},
        description=(
            "Exchange an OAuth code for tokens (stored encrypted). Shopee also needs `shop_id` from its "
            "redirect. 400 `invalid_code` when the platform refuses the code, 409 `shop_taken`."
        ),
    )
    def post(self, request):
        data = ConnectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        params = {"shop_id": v["shop_id"]} if v.get("shop_id") else {}
        connection = marketplace_connect(actor=request.user, platform=v["platform"], code=v["code"], params=params)
        return envelope({"status": "connected", "platform": connection.platform, "shop_name": connection.shop_name})


class MarketplaceSyncApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(
        request=SyncSerializer,
        responses={200: SyncOutput},
        description=(
            "Create or update products on a connected platform; `product_ids` empty = every active product. "
            "404 when an id is not this store's (nothing synced), 409 `marketplace_not_connected`."
        ),
    )
    def post(self, request):
        data = SyncSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        counts = sync_products(
            actor=request.user, platform=v["platform"], product_ids=[str(x) for x in v["product_ids"]]
        )
        return envelope(counts)


class MarketplaceStatusApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(request=None, responses={200: StatusOutput})
    def get(self, request):
        store = store_get_for_seller(user=request.user)
        require_feature(store=store, feature="marketplace_sync")
        return envelope(StatusOutput(marketplace_status(store=store)).data)


class MarketplaceDisconnectApi(APIView):
    permission_classes = [IsSeller]

    def _disconnect(self, request, platform: str):
        data = PlatformSerializer(data={"platform": platform})
        data.is_valid(raise_exception=True)
        connection = marketplace_disconnect(actor=request.user, platform=data.validated_data["platform"])
        return envelope({"status": "disconnected", "platform": connection.platform})

    @extend_schema(request=None, responses={200: DisconnectOutput}, description="End the connection (tokens erased).")
    def delete(self, request, platform: str):
        return self._disconnect(request, platform)

    @extend_schema(request=None, responses={200: DisconnectOutput}, description="Same as DELETE (for HTML forms).")
    def post(self, request, platform: str):
        return self._disconnect(request, platform)
