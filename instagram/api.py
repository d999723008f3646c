"""Seller routes for Instagram posts: `POST /api/seller/instagram/post` (draft, scheduled or
published in the background) and `GET /api/seller/instagram/post` (the store's posts)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from instagram.selectors import instagram_post_list_for_store
from instagram.serializers import InstagramPostOutput, InstagramPostSerializer
from instagram.services import create_post
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope
from tokoblitar.api.pagination import PageParams, paginate


class SellerInstagramPostApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(parameters=[PageParams], responses={200: InstagramPostOutput(many=True)})
    def get(self, request):
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        store = store_get_for_seller(user=request.user)
        page = paginate(instagram_post_list_for_store(store=store), **params.validated_data)
        return envelope(InstagramPostOutput(page.items, many=True).data, meta=page.meta)

    @extend_schema(
        request=InstagramPostSerializer,
        responses={201: InstagramPostOutput},
        description=(
            "A post from one of the seller's products: a draft (no `schedule_at`, no `publish_now`), "
            "scheduled, or published now in the background (container → status poll → publish, "
            "within Instagram's publishing quota). `caption` absent or null: a caption drafted from "
            "the product. Another store's product: 404."
        ),
    )
    def post(self, request):
        data = InstagramPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = create_post(actor=request.user, **data.validated_data)
        return envelope(InstagramPostOutput(post).data, status=201)
