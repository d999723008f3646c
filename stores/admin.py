from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from stores.models import Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
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

    @admin.action(description="Feature selected stores")
    def feature(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        self.message_user(request, f"{queryset.update(featured=True, updated_at=timezone.now())} store(s) featured.")

    @admin.action(description="Stop featuring selected stores")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        self.message_user(request, f"{queryset.update(featured=False, updated_at=timezone.now())} store(s) unfeatured.")

    @admin.action(description="Suspend selected stores (hidden from buyers)")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        now = timezone.now()
        count = queryset.filter(is_active=True).update(
            is_active=False, suspended_at=now, suspension_reason="Suspended from Django admin", updated_at=now
        )
        self.message_user(request, f"{count} store(s) suspended.", messages.WARNING)

    @admin.action(description="Lift suspension of selected stores")
    def unsuspend(self, request: HttpRequest, queryset: QuerySet[Store]) -> None:
        count = queryset.filter(is_active=False).update(
            is_active=True, suspended_at=None, suspension_reason="", updated_at=timezone.now()
        )
        self.message_user(request, f"{count} store(s) reopened.")
