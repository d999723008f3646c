"""Input fields and output shapes for the catalogue API."""

from __future__ import annotations

from rest_framework import serializers

from catalog.models import Product
from tokoblitar.api.inputs import StrictInputSerializer


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: "12", 12.5, 12.0 and true are refused (money and stock are exact)."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ImageOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    position = serializers.IntegerField()


class ProductOutput(serializers.Serializer):
    """The seller's view of a product (SPEC §4)."""

    id = serializers.UUIDField()
    store_id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    price = serializers.IntegerField()
    stock = serializers.IntegerField()
    weight_gram = serializers.IntegerField()
    category_id = serializers.UUIDField(allow_null=True)
    status = serializers.CharField()
    featured = serializers.BooleanField()
    images = ImageOutput(many=True, source="images.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class StoreBrief(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()


class CategoryBrief(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()


class PublicProductOutput(serializers.Serializer):
    """A search hit for buyers: the store and first image come with the row (no N+1)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    price = serializers.IntegerField()
    stock = serializers.IntegerField()
    weight_gram = serializers.IntegerField()
    featured = serializers.BooleanField()
    store = StoreBrief()
    category = CategoryBrief(allow_null=True)
    image_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_image_url(self, product: Product) -> str | None:
        images = product.images.all()  # prefetched, ordered by position
        return images[0].url if images else None


class ProductInput(StrictInputSerializer):
    """What a seller may write on her product. `featured` is not here: only curation
    (admin, audited) features a product; any undeclared field answers 400."""

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    price = StrictIntegerField(min_value=0, max_value=1_000_000_000_000)
    stock = StrictIntegerField(min_value=0, max_value=2_147_483_647, required=False, default=0)
    weight_gram = StrictIntegerField(min_value=1, max_value=1_000_000)
    category_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=Product.Status.choices, required=False, default=Product.Status.DRAFT)
    images = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=10, allow_empty=True
    )

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Name is required.")
        return value.strip()


class ProductUpdateInput(ProductInput):
    """Partial: only the fields sent change (used with partial=True).

    `expected_stock` (optional): the stock the client read before this edit. With it, `stock`
    is applied relative to what buyers reserved or released meanwhile
    (new = stock + (current - expected_stock), at least 0); without it `stock` is set as sent.
    """

    images = None  # images change through the image routes
    expected_stock = StrictIntegerField(
        min_value=0,
        max_value=2_147_483_647,
        required=False,
        help_text="Stock as last read by the client; makes `stock` relative to reservations made since.",
    )


class SellerProductListParams(serializers.Serializer):
    status = serializers.ChoiceField(choices=Product.Status.choices, required=False)
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PublicSearchParams(serializers.Serializer):
    search = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True)
    store = serializers.CharField(max_length=80, required=False, allow_blank=True)
    min_price = serializers.IntegerField(min_value=0, max_value=1_000_000_000_000, required=False)
    max_price = serializers.IntegerField(min_value=0, max_value=1_000_000_000_000, required=False)
    sort = serializers.ChoiceField(
        choices=["relevance", "newest", "price_asc", "price_desc"], required=False, default="relevance"
    )

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["min_price must not exceed max_price."]})
        return attrs
