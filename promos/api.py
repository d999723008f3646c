"""Promo routes: `/api/seller/promo` (the seller's store) and `/api/admin/promo` (platform-wide).

Both share one serializer set and one service set; only the owner differs (the seller's store
vs. store NULL). The seed's routes take PUT/DELETE on the collection with `id` in the body;
`/<id>` is accepted too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.permissions import IsPlatformAdmin, IsSeller
from promos.models import Promo
from promos.selectors import promo_get_for_owner, promo_list_for_owner
from promos.services import (
    platform_promo_create,
    platform_promo_delete,
    platform_promo_update,
    promo_create,
    promo_delete,
    promo_update,
    seller_promo_create,
    seller_promo_delete,
    seller_promo_update,
    seller_store_for_promos,
)
from stores.models import Store
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.api.outputs import DeletedOutput
from tokoblitar.api.pagination import PageParams, paginate
from tokoblitar.api.schema import with_body_id
from tokoblitar.errors import ValidationFailed


class PromoOutput(serializers.ModelSerializer):
    store_id = serializers.UUIDField(allow_null=True, read_only=True)

    class Meta:
        model = Promo
        fields = [
            "id",
            "store_id",
            "code",
            "type",
            "value",
            "min_order",
            "max_discount",
            "usage_limit",
            "per_buyer_limit",
            "used_count",
            "starts_at",
            "ends_at",
            "is_active",
            "created_at",
            "updated_at",
        ]


class PromoInput(StrictInputSerializer):
    """What the promo owner writes; `used_count`, `store` and `id` are never client-writable."""

    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]{3,40}$", error_messages={"invalid": "3-40 letters, digits, '-' or '_'"}
    )
    type = serializers.ChoiceField(choices=Promo.Type.choices)
    value = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
    min_order = serializers.IntegerField(min_value=0, max_value=10_000_000_000, default=0)
    max_discount = serializers.IntegerField(min_value=1, max_value=10_000_000_000, allow_null=True, required=False)
    usage_limit = serializers.IntegerField(min_value=1, max_value=10_000_000, allow_null=True, required=False)
    per_buyer_limit = serializers.IntegerField(min_value=1, max_value=10_000, allow_null=True, required=False)
    starts_at = serializers.DateTimeField(required=False)  # defaults to now on create
    ends_at = serializers.DateTimeField(required=False, allow_null=True)  # absent/null: no end
    is_active = serializers.BooleanField(default=True)


class PromoIdInput(serializers.Serializer):
    id = serializers.UUIDField()


class _PromoApiBase(APIView):
    """Owner resolution is the only difference between the seller and admin routes."""

    # Subclasses define owner_store(request) -> Store | None; the admin route also
    # overrides the write hooks so platform promo changes land in the audit log.

    def create_promo(self, request, store: Store | None, data: dict) -> Promo:
        return promo_create(store=store, **data)

    def update_promo(self, request, promo: Promo, data: dict) -> Promo:
        return promo_update(promo=promo, **data)

    def delete_promo(self, request, promo: Promo) -> None:
        promo_delete(promo=promo)

    def _promo_id(self, request, promo_id: UUID | None) -> UUID:
        if promo_id is not None:
            return promo_id
        data = PromoIdInput(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["id"]

    def get(self, request, promo_id: UUID | None = None):
        store = self.owner_store(request)
        if promo_id is not None:
            return envelope(PromoOutput(promo_get_for_owner(promo_id=promo_id, store=store)).data)
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(promo_list_for_owner(store=store), **params.validated_data)
        return envelope(PromoOutput(page.items, many=True).data, meta=page.meta)

    def post(self, request, promo_id: UUID | None = None):
        if promo_id is not None:
            raise ValidationFailed(_("Create promos on the collection route"), code="wrong_route")
        store = self.owner_store(request)
        data = PromoInput(data=request.data)
        data.is_valid(raise_exception=True)
        promo = self.create_promo(request, store, data.validated_data)
        return envelope(PromoOutput(promo).data, status=201)

    def put(self, request, promo_id: UUID | None = None):
        store = self.owner_store(request)
        promo = promo_get_for_owner(promo_id=self._promo_id(request, promo_id), store=store)
        data = PromoInput(data=_without_id(request.data), partial=True)
        data.is_valid(raise_exception=True)
        promo = self.update_promo(request, promo, data.validated_data)
        return envelope(PromoOutput(promo).data)

    def delete(self, request, promo_id: UUID | None = None):
        store = self.owner_store(request)
        promo = promo_get_for_owner(promo_id=self._promo_id(request, promo_id), store=store)
        self.delete_promo(request, promo)
        return envelope(DeletedOutput(promo).data)


def _without_id(data: Any) -> Any:
    if hasattr(data, "dict"):
        data = data.dict()
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k != "id"}
    return data


class _SellerPromoApi(_PromoApiBase):
    permission_classes = [IsSeller]

    def owner_store(self, request) -> Store:
        return seller_store_for_promos(request.user)

    def create_promo(self, request, store: Store | None, data: dict) -> Promo:
        return seller_promo_create(actor=request.user, **data)

    def update_promo(self, request, promo: Promo, data: dict) -> Promo:
        return seller_promo_update(actor=request.user, promo_id=promo.pk, **data)

    def delete_promo(self, request, promo: Promo) -> None:
        seller_promo_delete(actor=request.user, promo_id=promo.pk)


class _AdminPromoApi(_PromoApiBase):
    permission_classes = [IsPlatformAdmin]

    def owner_store(self, request) -> None:
        return None

    def create_promo(self, request, store: None, data: dict) -> Promo:
        return platform_promo_create(actor=request.user, request=request, **data)

    def update_promo(self, request, promo: Promo, data: dict) -> Promo:
        return platform_promo_update(promo=promo, actor=request.user, request=request, **data)

    def delete_promo(self, request, promo: Promo) -> None:
        platform_promo_delete(promo=promo, actor=request.user, request=request)


# The schema of each route (the methods above serve both the collection and the detail route).
PromoUpdateInput = with_body_id(PromoInput, "PromoUpdateInput")
_COLLECTION = {
    "get": extend_schema(parameters=[PageParams], responses={200: PromoOutput(many=True)}),
    "post": extend_schema(request=PromoInput, responses={201: PromoOutput}),
    "put": extend_schema(request=PromoUpdateInput, responses={200: PromoOutput}),
    "delete": extend_schema(
        request=PromoIdInput, responses={200: DeletedOutput}, description="Body `{id}`: the promo to delete."
    ),
}
_DETAIL = {
    "get": extend_schema(responses={200: PromoOutput}),
    "post": extend_schema(exclude=True),  # always 400: promos are created on the collection route
    "put": extend_schema(request=PromoInput(partial=True), responses={200: PromoOutput}),
    "delete": extend_schema(request=None, responses={200: DeletedOutput}),
}


@extend_schema_view(**_COLLECTION)
class SellerPromoApi(_SellerPromoApi):
    """/api/seller/promo: the seller's store's promo codes; PUT and DELETE take `id` in the body."""


@extend_schema_view(**_DETAIL)
class SellerPromoDetailApi(_SellerPromoApi):
    """/api/seller/promo/<id>."""


@extend_schema_view(**_COLLECTION)
class AdminPromoApi(_AdminPromoApi):
    """/api/admin/promo: platform-wide promo codes; PUT and DELETE take `id` in the body."""


@extend_schema_view(**_DETAIL)
class AdminPromoDetailApi(_AdminPromoApi):
    """/api/admin/promo/<id>."""
