"""The seller's own store (read and partial update) and sign-up (a seller gets her store)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsSeller
from stores.selectors import store_get_for_seller
from stores.services import account_register, seller_store_update
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.errors import ValidationFailed
from tokoblitar.phones import PhoneSerializerField
from tokoblitar.validators import validate_web_url


class _Coordinate(serializers.FloatField):
    default_error_messages = {"invalid": "A number is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StoreOutput(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    logo_url = serializers.CharField()
    banner_url = serializers.CharField()
    # What pages show: the uploaded picture, else the link above, else "".
    logo = serializers.CharField(source="logo_src")
    banner = serializers.CharField(source="banner_src")
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    google_maps_url = serializers.CharField()
    instagram_handle = serializers.CharField()
    is_active = serializers.BooleanField()
    featured = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class StoreUpdateInput(StrictInputSerializer):
    """What a seller may write on her store (not slug, featured, is_active: curation's).
    URLs: web links only, no javascript:/data:, quotes, parentheses or whitespace."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, allow_blank=True)
    logo_url = serializers.CharField(max_length=500, allow_blank=True, validators=[validate_web_url])
    banner_url = serializers.CharField(max_length=500, allow_blank=True, validators=[validate_web_url])
    address = serializers.CharField(max_length=300, allow_blank=True)
    lat = _Coordinate(min_value=-90, max_value=90, allow_null=True)
    lng = _Coordinate(min_value=-180, max_value=180, allow_null=True)
    google_maps_url = serializers.CharField(max_length=500, allow_blank=True, validators=[validate_web_url])
    instagram_handle = serializers.RegexField(
        r"^@?(?!\.)(?!.*\.\.)[A-Za-z0-9._]{1,30}(?<!\.)$",
        max_length=31,
        allow_blank=True,
        error_messages={"invalid": "Use 1–30 letters, digits, dots or underscores (e.g. @tokoblitar)."},
    )

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Name is required.")
        return value.strip()

    def validate_instagram_handle(self, value: str) -> str:
        return value.lstrip("@").lower()


class SellerStoreApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(responses={200: StoreOutput})
    def get(self, request):
        return envelope(StoreOutput(store_get_for_seller(user=request.user)).data)

    @extend_schema(request=StoreUpdateInput, responses={200: StoreOutput})
    def put(self, request):
        data = StoreUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        store = seller_store_update(actor=request.user, data=data.validated_data)
        return envelope(StoreOutput(store).data)

    patch = put


class SellerStoreImageApi(APIView):
    """`POST /api/seller/store/logo|banner` (multipart `image`): the same validated upload as
    product photos (content checked, EXIF stripped, re-encoded JPEG)."""

    permission_classes = [IsSeller]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("StoreImageUpload", {"image": serializers.ImageField()})},
        responses={200: StoreOutput},
    )
    def post(self, request, kind: str):
        upload = request.FILES.get("image") or request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                _("No image uploaded"), code="no_image", fields={"image": [_("Send the file in the 'image' field")]}
            )
        store = seller_store_update(actor=request.user, data={}, **{kind: upload})
        return envelope(StoreOutput(store).data)


class RegisterApi(APIView):
    """`POST /api/auth/register`: a buyer, or a seller with her store (stores is the layer
    that knows both)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        full_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=[User.Role.BUYER, User.Role.SELLER])
        phone = PhoneSerializerField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="auth_register",
        request=InputSerializer,
        responses={201: inline_serializer("RegisterOutput", {"user_id": serializers.UUIDField()})},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = account_register(**data.validated_data)
        return envelope({"user_id": str(user.id)}, status=201)
