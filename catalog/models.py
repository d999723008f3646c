import uuid

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stores.models import Store
from tokoblitar.renditions import PRODUCT_RENDITIONS, StoredPictureField


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("nama"), max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    icon = models.CharField(max_length=8, blank=True, help_text="An emoji shown beside the name")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet["Product"]):
    def alive(self) -> "ProductQuerySet":
        return self.filter(deleted_at__isnull=True)

    def public(self) -> "ProductQuerySet":
        """What buyers may see: active, not deleted, in a visible store."""
        return self.filter(status=Product.Status.ACTIVE, deleted_at__isnull=True, store__is_active=True)


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        ACTIVE = "active", _("Aktif")
        ARCHIVED = "archived", _("Diarsipkan")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="products")
    name = models.CharField(_("nama"), max_length=200)
    slug = models.SlugField(max_length=220)
    description = models.TextField(_("deskripsi"), blank=True)
    # Integer rupiah; stock is guarded in SQL too so no update can take it below zero.
    price = models.PositiveBigIntegerField(_("harga"))
    stock = models.PositiveIntegerField(_("stok"), default=0)
    weight_gram = models.PositiveIntegerField(_("berat (gram)"), validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    featured = models.BooleanField(default=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Filled by a database trigger (catalog migration 0002): name A, store name B, description C.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("produk")
        verbose_name_plural = _("produk")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_product_price_gte_0"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="catalog_product_stock_gte_0"),
            models.CheckConstraint(condition=Q(weight_gram__gt=0), name="catalog_product_weight_gt_0"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="catalog_product_search_gin"),
            models.Index(fields=["store", "status", "-created_at"], name="catalog_product_store_status"),
            # Public listings: COUNT(*) and "newest" run as index-only scans over the live rows
            # instead of reading the whole table; the price index serves price sorts/ranges.
            models.Index(
                fields=["created_at", "price", "store", "category"],
                condition=Q(status="active", deleted_at__isnull=True),
                name="catalog_product_public_cover",
            ),
            models.Index(
                fields=["price", "created_at"],
                condition=Q(status="active", deleted_at__isnull=True),
                name="catalog_product_public_price",
            ),
            # The default listing's order (featured first, newest first): the first page is read
            # straight off this index instead of sorting every live product.
            models.Index(
                fields=["-featured", "-created_at", "-id"],
                condition=Q(status="active", deleted_at__isnull=True),
                name="catalog_product_public_default",
            ),
            # The home page's featured row (newest edits first): the few featured rows in order,
            # instead of sorting all of them (20,000 at 1M products: 50 ms, bench/scale.py).
            models.Index(
                fields=["-updated_at"],
                condition=Q(featured=True, status="active", deleted_at__isnull=True),
                name="catalog_product_featured",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_available(self) -> bool:
        """Buyable now: active, not deleted, in a visible store (the one copy of the rule that
        `ProductQuerySet.public()` applies in SQL). Reads `store`: select it with the product."""
        return self.deleted_at is None and self.status == Product.Status.ACTIVE and self.store.is_active


class ProductSearchEntry(models.Model):
    """The search index: one row per public product (active, not deleted, in an active store).

    Written only by database triggers (migration 0011), so ORM saves, admin edits, COPY bulk
    loads, soft deletes and store suspensions keep it exact inside the same transaction; the
    application never writes it. `document` is the product's `search_vector` (name A, store
    name B, description C). Text searches read this table instead of `catalog_product`:
    its rows are about a third narrower (no description, slug, stock...) and hold only what
    buyers may see, so a search needs no store join and scans fewer pages
    (bench/RESULTS.md, "A million products").
    """

    product = models.OneToOneField(Product, primary_key=True, on_delete=models.CASCADE, related_name="search_entry")
    store_id = models.UUIDField()
    category_id = models.UUIDField(null=True)
    price = models.PositiveBigIntegerField()  # rupiah
    created_at = models.DateTimeField()
    document = SearchVectorField()

    class Meta:
        db_table = "catalog_search_entry"
        indexes = [
            GinIndex(fields=["document"], name="catalog_search_document"),
            # The sorts of catalog.search.Sort, each in its exact order, so a sorted search can
            # walk the index and stop at a page.
            models.Index(fields=["price", "-created_at", "-product"], name="catalog_search_price_asc"),
            models.Index(fields=["-price", "-created_at", "-product"], name="catalog_search_price_desc"),
            models.Index(fields=["-created_at", "-product"], name="catalog_search_newest"),
            models.Index(fields=["store_id"], name="catalog_search_store"),
        ]

    def __str__(self) -> str:
        return str(self.product_id)


class ProductSlugHistory(models.Model):
    """A slug a product had before a rename: `/p/<store>/<old>/` answers a 301 to the current
    address. Keyed by store (not its slug), so it survives the store changing address too."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=220)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="slug_history")
    retired_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "slug"], name="catalog_product_old_slug_once")]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.slug} -> {self.product_id}"


class ProductImage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # A file in our STORAGES (local or R2); `url` is what the API answers. Its web-sized
    # renditions (tokoblitar/renditions.py) are drawn in the background after the upload;
    # pages use them once `renditions_ready`, the original before.
    image = StoredPictureField(
        upload_to="products/%Y/%m/",
        max_length=300,
        width_field="width",
        height_field="height",
        file_types=["WEBP", "JPEG"],
        **PRODUCT_RENDITIONS,
    )
    # Pixel size of the stored original (explicit width/height on pages: no layout shift).
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    renditions_ready = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.position}"

    @property
    def url(self) -> str:
        return self.image.url
