"""Personal data routes: `GET /api/account/export`, `POST /api/account/delete`."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from privacy.selectors import personal_data_export
from privacy.services import account_delete
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.api.schema import error_response


class ExportProfileOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    phone = serializers.CharField()
    role = serializers.CharField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportAddressOutput(serializers.Serializer):
    label = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    district = serializers.CharField()
    city = serializers.CharField()
    postal_code = serializers.CharField()
    is_default = serializers.BooleanField()


class ExportCartLineOutput(serializers.Serializer):
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()


class ExportOrderItemOutput(serializers.Serializer):
    product_name = serializers.CharField()
    price = serializers.IntegerField(help_text="Rupiah per unit when ordered.")
    quantity = serializers.IntegerField()


class ExportOrderChangeOutput(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()


class ExportStoreRefOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class ExportOrderOutput(serializers.Serializer):
    number = serializers.CharField()
    store = ExportStoreRefOutput()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    subtotal = serializers.IntegerField()
    discount = serializers.IntegerField()
    shipping_cost = serializers.IntegerField()
    total = serializers.IntegerField()
    promo_code = serializers.CharField()
    courier = serializers.CharField()
    courier_service = serializers.CharField()
    shipping_address = serializers.DictField(
        help_text="{name, phone, address, district_id, district, city, postal_code}"
    )
    items = ExportOrderItemOutput(many=True)
    history = ExportOrderChangeOutput(many=True)


class ExportStoreOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    instagram_handle = serializers.CharField()
    created_at = serializers.DateTimeField()


class PersonalDataOutput(serializers.Serializer):
    """Everything TokoBLITAR holds about the signed-in user (UU 27/2022)."""

    format_version = serializers.IntegerField()
    exported_at = serializers.DateTimeField()
    profile = ExportProfileOutput()
    addresses = ExportAddressOutput(many=True)
    cart = ExportCartLineOutput(many=True)
    orders = ExportOrderOutput(many=True, help_text="Orders she placed, newest first.")
    store = ExportStoreOutput(allow_null=True, help_text="Her store's profile (sellers), else null.")
    messages = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Her WhatsApp chats with stores, matched by her phone: [{store, remote_id, name, messages: "
            "[{written_by_me, kind, body, status, at, has_image}]}]."
        ),
    )
    whatsapp_inbox = serializers.DictField(
        allow_null=True,
        help_text="Sellers: {session: {name, provider, state, me, created_at}, chats: [{remote_id, name, "
        "messages (count), last_message_at}]}; else null.",
    )
    notifications = serializers.ListField(
        child=serializers.DictField(),
        help_text="What she was told: [{kind, subject, data, url, created_at, read_at, email_state, whatsapp_state}].",
    )


class AccountExportApi(APIView):
    """`GET /api/account/export` → `{data: PersonalData}`: the signed-in user's own data as JSON."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="account_export", responses={200: PersonalDataOutput})
    def get(self, request):
        return envelope(personal_data_export(user=request.user))


class AccountDeleteApi(APIView):
    """`POST /api/account/delete {password}` → `{data: {deleted: true, orders_kept, …}}`.

    Anonymises the person and ends every session and token (privacy.services.account_delete).
    409 `account_has_open_orders` with `meta.orders` = [{id, number, status, as}] while orders still
    need finishing; 400 `wrong_password`; 403 `admin_account`. Rate-limited with the sign-in routes.
    """

    permission_classes = [IsAuthenticated]

    class InputSerializer(StrictInputSerializer):
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        operation_id="account_delete",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "AccountDeletedOutput",
                {
                    "deleted": serializers.BooleanField(),
                    "orders_kept": serializers.IntegerField(),
                    "orders_cancelled": serializers.IntegerField(),
                    "addresses_removed": serializers.IntegerField(),
                    "store_closed": serializers.BooleanField(),
                },
            ),
            409: error_response("Orders must be finished first (meta.orders lists them)"),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = account_delete(actor=request.user, password=data.validated_data["password"], request=request._request)
        if not isinstance(request.auth, AuthToken):
            logout(request._request)
        return envelope({"deleted": True, **summary})
