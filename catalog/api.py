"""Catalogue routes: the seller's products and images, and the public search."""

from __future__ import annotations

import hashlib
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from catalog.listing_cache import listing_cache_get, listing_cache_set
from catalog.search import RESULT_WINDOW, product_search
from catalog.selectors import product_get_for_seller, product_list_for_seller
from catalog.serializers import (
    ImageOutput,
    ProductInput,
    ProductOutput,
    ProductUpdateInput,
    PublicProductOutput,
    PublicSearchParams,
    SellerProductListParams,
)
from catalog.services import (
    seller_product_create,
    seller_product_delete,
    seller_product_image_add,
    seller_product_image_delete,
    seller_product_update,
)
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope
from tokoblitar.api.outputs import DeletedOutput
from tokoblitar.api.pagination import PageParams, paginate
from tokoblitar.errors import ValidationFailed


class SellerProductListApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(parameters=[PageParams, SellerProductListParams], responses={200: ProductOutput(many=True)})
    def get(self, request):
        paging = PageParams(data=request.query_params)
        paging.is_valid(raise_exception=True)
        params = SellerProductListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        store = store_get_for_seller(user=request.user)
        page = paginate(product_list_for_seller(store=store, **params.validated_data), **paging.validated_data)
        return envelope(ProductOutput(page.items, many=True).data, meta=page.meta)

    @extend_schema(request=ProductInput, responses={201: ProductOutput})
    def post(self, request):
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = seller_product_create(actor=request.user, **data.validated_data)
        product = product_get_for_seller(store=product.store, product_id=product.pk)
        return envelope(ProductOutput(product).data, status=201)


class SellerProductDetailApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(request=ProductUpdateInput, responses={200: ProductOutput})
    def put(self, request, product_id: UUID):
        data = ProductUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        # Optional: the stock the client read; the seller's stock change then lands as a delta
        # on what buyers reserved meanwhile instead of overwriting it (catalog.services).
        stock_loaded = values.pop("expected_stock", None)
        product = seller_product_update(
            actor=request.user, product_id=product_id, data=values, stock_loaded=stock_loaded
        )
        product = product_get_for_seller(store=product.store, product_id=product_id)
        return envelope(ProductOutput(product).data)

    patch = put

    @extend_schema(request=None, responses={200: DeletedOutput})
    def delete(self, request, product_id: UUID):
        product = seller_product_delete(actor=request.user, product_id=product_id)
        return envelope(DeletedOutput(product).data)


class SellerProductImageApi(APIView):
    permission_classes = [IsSeller]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ImageUpload", {"image": serializers.ImageField()})},
        responses={201: ImageOutput},
    )
    def post(self, request, product_id: UUID):
        upload = request.FILES.get("image") or request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                _("No image uploaded"), code="no_image", fields={"image": [_("Send the file in the 'image' field")]}
            )
        image = seller_product_image_add(actor=request.user, product_id=product_id, upload=upload)
        return envelope(ImageOutput(image).data, status=201)


class SellerProductImageDetailApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(request=None, responses={200: DeletedOutput})
    def delete(self, request, product_id: UUID, image_id: UUID):
        seller_product_image_delete(actor=request.user, product_id=product_id, image_id=image_id)
        return envelope(DeletedOutput({"id": image_id}).data)


class PublicProductSearchApi(APIView):
    permission_classes = [AllowAny]
    # Public and cacheable: no session/token lookup for anonymous search traffic.
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            PublicSearchParams,
            PageParams,
            OpenApiParameter("category", str, description="Category slug or id"),
            OpenApiParameter("store", str, description="Store slug or id"),
        ],
        responses={200: PublicProductOutput(many=True)},
    )
    def get(self, request):
        paging = PageParams(data=request.query_params)
        paging.is_valid(raise_exception=True)
        params = PublicSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        # Keyed on the validated filters and paging, not the raw query string.
        cache_key, cached = listing_cache_get({**p, **paging.validated_data})
        if cached is not None:
            return envelope(cached["data"], meta=cached["meta"])
        qs = product_search(
            query=p.get("search"),
            category=p.get("category") or None,
            store=p.get("store") or None,
            min_price=p.get("min_price"),
            max_price=p.get("max_price"),
            sort=p["sort"],
        )
        count_key = "search-total:" + hashlib.sha1(repr(sorted(p.items())).encode(), usedforsecurity=False).hexdigest()
        page = paginate(qs, **paging.validated_data, count_cache_key=count_key, max_results=RESULT_WINDOW)
        data = PublicProductOutput(page.items, many=True).data
        listing_cache_set(cache_key, {"data": data, "meta": page.meta})
        return envelope(data, meta=page.meta)
