"""Admin JSON routes (SPEC §4, role admin): dashboard, stores, products, banners, flags.

Each view parses, loads through a selector (404 for unknown ids) and calls one service;
the service writes the audit row in the same transaction as the change.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from accounts.permissions import IsPlatformAdmin
from catalog.models import Product
from curation.metrics import dashboard_metrics
from curation.models import Banner
from curation.selectors import (
    STORE_FILTERS,
    banner_get_for_admin,
    banner_list_for_admin,
    product_get_for_admin,
    product_list_for_admin,
    store_get_for_admin,
    store_list_for_admin,
)
from curation.services import (
    banner_create,
    banner_delete,
    banner_update,
    product_delete_by_admin,
    product_set_featured,
    store_flags_update,
    store_restore,
    store_set_featured,
    store_suspend,
)
from stores.flags import FEATURES, store_flags
from stores.models import Store
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.api.outputs import DeletedOutput
from tokoblitar.api.pagination import PageParams, paginate
from tokoblitar.api.parsers import BoundedJSONParser
from tokoblitar.api.schema import with_body_id
from tokoblitar.errors import ValidationFailed
from tokoblitar.validators import validate_site_link, validate_web_url


class StrictBooleanField(serializers.BooleanField):
    """JSON true/false only: "yes", 1 or "true" are refused rather than guessed at."""

    default_error_messages = {"invalid": "Must be a JSON boolean (true or false)."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class AdminApi(APIView):
    permission_classes = [IsPlatformAdmin]


# --- Dashboard ---------------------------------------------------------------------------


class DashboardParams(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)


class TopProductOutput(serializers.Serializer):
    product_id = serializers.UUIDField()
    name = serializers.CharField()
    store_id = serializers.UUIDField()
    store_name = serializers.CharField()
    revenue = serializers.IntegerField(help_text="Rupiah from paid orders in the window")
    units = serializers.IntegerField()


class DailyMetricsOutput(serializers.Serializer):
    date = serializers.DateField()
    orders = serializers.IntegerField()
    paid_orders = serializers.IntegerField()
    gmv = serializers.IntegerField()


class DashboardOutput(serializers.Serializer):
    """curation.metrics.dashboard_metrics: the last `days` days in Asia/Jakarta, today included."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {  # "from" is a Python keyword: declared here instead of as class attributes
            "days": serializers.IntegerField(),
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "gmv": serializers.IntegerField(help_text="Rupiah of orders that reached payment"),
            "orders_total": serializers.IntegerField(),
            "paid_orders": serializers.IntegerField(),
            "average_order_value": serializers.IntegerField(),
            "orders_by_status": serializers.DictField(
                child=serializers.IntegerField(), help_text="Order count per order status (every status present)"
            ),
            "new_stores": serializers.IntegerField(),
            "new_buyers": serializers.IntegerField(),
            "top_products_by_revenue": TopProductOutput(many=True),
            "top_products_by_units": TopProductOutput(many=True),
            "daily": DailyMetricsOutput(many=True),
        }


class DashboardApi(AdminApi):
    @extend_schema(parameters=[DashboardParams], responses={200: DashboardOutput})
    def get(self, request):
        params = DashboardParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        return envelope(DashboardOutput(dashboard_metrics(days=params.validated_data["days"])).data)


# --- Stores ------------------------------------------------------------------------------


class OwnerOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class AdminStoreOutput(serializers.ModelSerializer):
    owner = OwnerOutput()
    product_count = serializers.IntegerField(required=False)

    class Meta:
        model = Store
        fields = [
            "id",
            "name",
            "slug",
            "owner",
            "is_active",
            "featured",
            "suspended_at",
            "suspension_reason",
            "product_count",
            "created_at",
            "updated_at",
        ]


class StoreListParams(PageParams):
    search = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=STORE_FILTERS, required=False, allow_blank=True, default="")


class StoreListApi(AdminApi):
    @extend_schema(parameters=[StoreListParams], responses={200: AdminStoreOutput(many=True)})
    def get(self, request):
        params = StoreListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        page = paginate(
            store_list_for_admin(search=p["search"].strip(), status=p["status"]), page=p["page"], limit=p["limit"]
        )
        return envelope(AdminStoreOutput(page.items, many=True).data, meta=page.meta)


class FeatureInput(StrictInputSerializer):
    featured = StrictBooleanField()


class StoreFeatureApi(AdminApi):
    @extend_schema(request=FeatureInput, responses={200: AdminStoreOutput})
    def put(self, request, store_id: UUID):
        data = FeatureInput(data=request.data)
        data.is_valid(raise_exception=True)
        store = store_get_for_admin(store_id=store_id)
        store = store_set_featured(
            store=store, featured=data.validated_data["featured"], actor=request.user, request=request
        )
        return envelope(AdminStoreOutput(store_get_for_admin(store_id=store.pk)).data)


class SuspendInput(StrictInputSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StoreDetailApi(AdminApi):
    @extend_schema(responses={200: AdminStoreOutput})
    def get(self, request, store_id: UUID):
        return envelope(AdminStoreOutput(store_get_for_admin(store_id=store_id)).data)

    @extend_schema(request=SuspendInput, responses={200: AdminStoreOutput})
    def delete(self, request, store_id: UUID):
        """Suspend (the seed's "soft delete"): hidden from pages and search, reversible."""
        data = SuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        store = store_get_for_admin(store_id=store_id)
        store = store_suspend(store=store, reason=data.validated_data["reason"], actor=request.user, request=request)
        return envelope(AdminStoreOutput(store_get_for_admin(store_id=store.pk)).data)


class StoreRestoreApi(AdminApi):
    @extend_schema(operation_id="admin_stores_restore_by_store_id", request=None, responses={200: AdminStoreOutput})
    def post(self, request, store_id: UUID):
        store = store_restore(store=store_get_for_admin(store_id=store_id), actor=request.user, request=request)
        return envelope(AdminStoreOutput(store_get_for_admin(store_id=store.pk)).data)


# --- Products ----------------------------------------------------------------------------


class AdminProductOutput(serializers.ModelSerializer):
    store_id = serializers.UUIDField()
    store_name = serializers.CharField(source="store.name")
    store_is_active = serializers.BooleanField(source="store.is_active")

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "price",
            "stock",
            "status",
            "featured",
            "deleted_at",
            "store_id",
            "store_name",
            "store_is_active",
            "created_at",
        ]


class ProductListParams(PageParams):
    search = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    featured = serializers.BooleanField(required=False, allow_null=True, default=None)


class ProductListApi(AdminApi):
    @extend_schema(parameters=[ProductListParams], responses={200: AdminProductOutput(many=True)})
    def get(self, request):
        params = ProductListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        qs = product_list_for_admin(search=p["search"].strip(), featured=p["featured"])
        page = paginate(qs, page=p["page"], limit=p["limit"])
        return envelope(AdminProductOutput(page.items, many=True).data, meta=page.meta)


class ProductFeatureApi(AdminApi):
    @extend_schema(request=FeatureInput, responses={200: AdminProductOutput})
    def put(self, request, product_id: UUID):
        data = FeatureInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_get_for_admin(product_id=product_id)
        product = product_set_featured(
            product=product, featured=data.validated_data["featured"], actor=request.user, request=request
        )
        product = Product.objects.select_related("store").get(pk=product.pk)
        return envelope(AdminProductOutput(product).data)


class ProductDetailApi(AdminApi):
    @extend_schema(request=None, responses={200: DeletedOutput})
    def delete(self, request, product_id: UUID):
        product = product_delete_by_admin(
            product=product_get_for_admin(product_id=product_id), actor=request.user, request=request
        )
        return envelope(DeletedOutput(product).data)


# --- Banners -----------------------------------------------------------------------------


class BannerOutput(serializers.ModelSerializer):
    image = serializers.SerializerMethodField()

    class Meta:
        model = Banner
        fields = [
            "id",
            "title",
            "subtitle",
            "image",
            "image_url",
            "link",
            "position",
            "starts_at",
            "ends_at",
            "is_active",
            "created_at",
            "updated_at",
        ]

    def get_image(self, banner: Banner) -> str:
        """The URL to show: the uploaded file when there is one, else image_url."""
        return banner.url


class BannerInput(StrictInputSerializer):
    title = serializers.CharField(max_length=120)
    subtitle = serializers.CharField(max_length=200, required=False, allow_blank=True)
    image_url = serializers.URLField(max_length=500, required=False, allow_blank=True, validators=[validate_web_url])
    image = serializers.ImageField(required=False, max_length=200)
    link = serializers.CharField(max_length=500, required=False, allow_blank=True, validators=[validate_site_link])
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["ends_at must be after starts_at"]})
        return attrs


class BannerIdInput(serializers.Serializer):
    id = serializers.UUIDField()


def _banner_id(request, banner_id: UUID | None) -> UUID:
    """PUT/DELETE take the id in the path or, as in the seed, in the body."""
    if banner_id is not None:
        return banner_id
    data = BannerIdInput(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["id"]


def _without_id(data: Any) -> Any:
    if hasattr(data, "dict"):
        data = data.dict()
    return {k: v for k, v in data.items() if k != "id"} if isinstance(data, dict) else data


class _BannerApiBase(AdminApi):
    """Both banner routes; the schema of each is declared on BannerApi / BannerDetailApi."""

    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get(self, request, banner_id: UUID | None = None):
        if banner_id is not None:
            return envelope(BannerOutput(banner_get_for_admin(banner_id=banner_id)).data)
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(banner_list_for_admin(), **params.validated_data)
        return envelope(BannerOutput(page.items, many=True).data, meta=page.meta)

    def post(self, request, banner_id: UUID | None = None):
        if banner_id is not None:
            raise ValidationFailed(_("Create banners on the collection route"), code="wrong_route")
        data = BannerInput(data=request.data)
        data.is_valid(raise_exception=True)
        banner = banner_create(actor=request.user, request=request, **data.validated_data)
        return envelope(BannerOutput(banner).data, status=201)

    def put(self, request, banner_id: UUID | None = None):
        banner = banner_get_for_admin(banner_id=_banner_id(request, banner_id))
        data = BannerInput(data=_without_id(request.data), partial=True)
        data.is_valid(raise_exception=True)
        banner = banner_update(banner=banner, actor=request.user, request=request, **data.validated_data)
        return envelope(BannerOutput(banner).data)

    def delete(self, request, banner_id: UUID | None = None):
        banner = banner_get_for_admin(banner_id=_banner_id(request, banner_id))
        banner_delete(banner=banner, actor=request.user, request=request)
        return envelope(DeletedOutput(banner).data)


_BANNER_UPLOAD = (
    "JSON takes `image_url`; to upload the picture send the same fields as multipart/form-data with `image`."
)


BannerUpdateInput = with_body_id(BannerInput, "BannerUpdateInput")


@extend_schema_view(
    get=extend_schema(parameters=[PageParams], responses={200: BannerOutput(many=True)}),
    post=extend_schema(request=BannerInput, responses={201: BannerOutput}, description=_BANNER_UPLOAD),
    put=extend_schema(request=BannerUpdateInput, responses={200: BannerOutput}),
    delete=extend_schema(
        request=BannerIdInput, responses={200: DeletedOutput}, description="Body `{id}`: the banner to delete."
    ),
)
class BannerApi(_BannerApiBase):
    """/api/admin/banners: list, create; PUT and DELETE take the banner's `id` in the body."""


@extend_schema_view(
    get=extend_schema(responses={200: BannerOutput}),
    post=extend_schema(exclude=True),  # always 400: banners are created on the collection route
    put=extend_schema(request=BannerInput(partial=True), responses={200: BannerOutput}, description=_BANNER_UPLOAD),
    delete=extend_schema(request=None, responses={200: DeletedOutput}),
)
class BannerDetailApi(_BannerApiBase):
    """/api/admin/banners/<id>: read, change, delete one banner."""


# --- Feature flags -----------------------------------------------------------------------


class FlagsInput(serializers.Serializer):
    """Partial: send only the switches to change. Unknown names are refused, not ignored."""

    ai_assistant = StrictBooleanField(required=False)
    marketplace_sync = StrictBooleanField(required=False)
    instagram = StrictBooleanField(required=False)
    photo_enhance = StrictBooleanField(required=False)
    whatsapp_inbox = StrictBooleanField(required=False)
    promos = StrictBooleanField(required=False)

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object of flag: boolean"]})
        unknown = sorted(set(data) - set(FEATURES))
        if unknown:
            raise serializers.ValidationError(
                {name: [f"Unknown feature flag; known: {', '.join(FEATURES)}"] for name in unknown}
            )
        values = super().to_internal_value(data)
        if not values:
            raise serializers.ValidationError({"non_field_errors": ["Send at least one flag to change"]})
        return values


class FlagsOutput(serializers.Serializer):
    store_id = serializers.UUIDField()
    store_name = serializers.CharField()
    flags = serializers.DictField(child=serializers.BooleanField())


def _flags_body(store: Store, flags: dict[str, bool]) -> dict:
    return {"store_id": str(store.pk), "store_name": store.name, "flags": flags}


class FeatureFlagsApi(AdminApi):
    parser_classes = [BoundedJSONParser]

    @extend_schema(responses={200: FlagsOutput})
    def get(self, request, store_id: UUID):
        store = store_get_for_admin(store_id=store_id)
        return envelope(_flags_body(store, store_flags(store=store)))

    @extend_schema(request=FlagsInput, responses={200: FlagsOutput})
    def put(self, request, store_id: UUID):
        store = store_get_for_admin(store_id=store_id)
        data = FlagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        flags = store_flags_update(store=store, changes=data.validated_data, actor=request.user, request=request)
        return envelope(_flags_body(store, flags))
