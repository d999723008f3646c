from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from audit.admin import AuditedAdminMixin
from curation.services import store_restore, store_set_featured, store_suspend
from stores.flags import FEATURES
from stores.models import Store, StoreFeatureFlags


@admin.register(Store)
class StoreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "is_active", "featured", "product_count", "created_at"]
    list_filter = ["is_active", "featured", "created_at"]
    search_fields = ["name", "slug", "owner__email", "owner__full_name", "address", "instagram_handle"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "suspended_at"]
    ordering = ["-created_at"]
    actions = ["feature", "unfeature", "suspend", "unsuspend"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Store]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="Products", ordering="product_total")
    def product_count(self, obj: Store) -> int:
        return obj.product_total

    # Each action goes through the curation services so it is audited like the API.
    @admin.action(description="Feature selected stores")
    def feature(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        for store in queryset.filter(featured=False):
            store_set_featured(store=store, featured=True, actor=request.user, request=request)
        self.message_user(request, "Selected stores are featured.")

    @admin.action(description="Stop featuring selected stores")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        for store in queryset.filter(featured=True):
            store_set_featured(store=store, featured=False, actor=request.user, request=request)
        self.message_user(request, "Selected stores are no longer featured.")

    @admin.action(description="Suspend selected stores (hidden from buyers)")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        stores = list(queryset.filter(is_active=True))
        for store in stores:
            store_suspend(store=store, reason="Suspended from Django admin", actor=request.user, request=request)
        self.message_user(request, f"{len(stores)} store(s) suspended.", messages.WARNING)

    @admin.action(description="Lift suspension of selected stores")
    def unsuspend(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        stores = list(queryset.filter(is_active=False))
        for store in stores:
            store_restore(store=store, actor=request.user, request=request)
        self.message_user(request, f"{len(stores)} store(s) reopened.")


@admin.register(StoreFeatureFlags)
class StoreFeatureFlagsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["store", *FEATURES, "updated_at"]
    list_editable = list(FEATURES)
    list_filter = list(FEATURES)
    search_fields = ["store__name", "store__slug", "store__owner__email"]
    autocomplete_fields = ["store"]
    list_select_related = ["store"]
