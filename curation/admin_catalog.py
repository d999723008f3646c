from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin import AuditedAdminMixin
from audit.services import audit_record
from catalog.models import Category, Product, ProductImage
from curation.services import product_delete_by_admin, product_set_featured
from tokoblitar.money import admin_money


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "icon", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "position", "alt_text", "created_at"]
    readonly_fields = ["created_at"]
    ordering = ["position", "created_at"]


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


@admin.register(Product)
class ProductAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "store", "category", "price_rp", "stock", "status", "featured", "deleted_at", "created_at"]
    price_rp = admin_money("price", "price")
    list_filter = ["status", "featured", DeletedFilter, "category", "store__is_active"]
    # Admin search is plain icontains over the few fields staff type; buyers use catalog.search.
    search_fields = ["name", "slug", "store__name", "store__slug"]
    list_select_related = ["store", "category"]
    raw_id_fields = ["store"]
    readonly_fields = ["created_at", "updated_at", "deleted_at"]
    exclude = ["search_vector"]
    inlines = [ProductImageInline]
    ordering = ["-created_at"]
    show_full_result_count = False  # COUNT(*) over 100k rows on every page is wasted work
    actions = ["feature", "unfeature", "soft_delete", "restore"]
    # Buyers reserve stock while the change form is open: an edit lands as a delta.
    relative_fields = ("stock",)

    # Each action goes through the curation services so it is audited like the API.
    @admin.action(description="Feature selected products")
    def feature(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset.filter(featured=False):
            product_set_featured(product=product, featured=True, actor=request.user, request=request)
        self.message_user(request, "Selected products are featured.")

    @admin.action(description="Stop featuring selected products")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset.filter(featured=True):
            product_set_featured(product=product, featured=False, actor=request.user, request=request)
        self.message_user(request, "Selected products are no longer featured.")

    @admin.action(description="Soft-delete selected products (hidden everywhere)")
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        products = list(queryset.filter(deleted_at__isnull=True))
        for product in products:
            product_delete_by_admin(product=product, actor=request.user, request=request)
        self.message_user(request, f"{len(products)} product(s) deleted.")

    @admin.action(description="Restore selected deleted products")
    def restore(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        products = list(queryset.filter(deleted_at__isnull=False))
        with transaction.atomic():
            for product in products:
                before = {"deleted_at": product.deleted_at.isoformat()}
                product.deleted_at = None
                product.save(update_fields=["deleted_at", "updated_at"])
                audit_record(
                    actor=request.user,
                    action="product.restore",
                    target=product,
                    before=before,
                    after={"deleted_at": None},
                    request=request,
                )
        self.message_user(request, f"{len(products)} product(s) restored.")
