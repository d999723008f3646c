"""Django admin for curation, plus Store/Product/Category admins when their apps register none.

Changes made here are audited like the API's: actions call the same services, and plain
form saves/deletes of curated models write an AuditLog row in the same transaction.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import model_to_dict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product
from curation.flags import FEATURES
from curation.models import AuditLog, Banner, StoreFeatureFlags
from curation.services import (
    audit_record,
    product_delete_by_admin,
    product_set_featured,
    store_restore,
    store_set_featured,
    store_suspend,
)
from stores.models import Store
from tokoblitar.api.errors import Conflict


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    return {k: (v.name if hasattr(v, "name") and hasattr(v, "url") else v) for k, v in data.items()}


class AuditedAdminMixin:
    """Form saves and deletes in the Django admin leave the same trail as the API."""

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'admin_change' if change else 'admin_add'}",
                target=obj,
                before=before,
                after=_snapshot(obj),
                request=request,
            )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.admin_delete",
                target=obj,
                before=_snapshot(obj),
                after=None,
                request=request,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(
                    actor=request.user,
                    action=f"{obj._meta.model_name}.admin_delete",
                    target=obj,
                    before=_snapshot(obj),
                    after=None,
                    request=request,
                )
            super().delete_queryset(request, queryset)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the trail can be searched and filtered, never edited or pruned here."""

    list_display = ["at", "actor_email", "action", "target_type", "target_id", "target_repr", "ip"]
    list_filter = ["action", "target_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_email", "action", "target_id", "target_repr", "ip"]
    date_hierarchy = "at"
    list_per_page = 50
    fields = [
        "at",
        "actor",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "ip",
        "before_pretty",
        "after_pretty",
    ]
    readonly_fields = fields
    list_select_related = ["actor"]

    @admin.display(description="before")
    def before_pretty(self, obj: AuditLog) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.before, indent=2, ensure_ascii=False))

    @admin.display(description="after")
    def after_pretty(self, obj: AuditLog) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.after, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Banner)
class BannerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "preview", "position", "is_active", "starts_at", "ends_at", "link", "live_now"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "subtitle", "link"]
    ordering = ["position", "-created_at"]

    @admin.display(description=_("pratinjau"))
    def preview(self, obj: Banner) -> str:
        return format_html('<img src="{}" alt="" style="height:32px">', obj.url) if obj.url else "-"

    @admin.display(boolean=True, description=_("tayang sekarang"))
    def live_now(self, obj: Banner) -> bool:
        return Banner.objects.live().filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        # One query for the "live now" column instead of one per row.
        qs = super().get_queryset(request)
        return qs


@admin.register(StoreFeatureFlags)
class StoreFeatureFlagsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["store", *FEATURES, "updated_at"]
    list_editable = list(FEATURES)
    list_filter = list(FEATURES)
    search_fields = ["store__name", "store__slug", "store__owner__email"]
    autocomplete_fields = ["store"]
    list_select_related = ["store"]


def _run(modeladmin, request, queryset, fn, done: str) -> None:
    count = 0
    for obj in queryset:
        try:
            fn(obj)
            count += 1
        except Conflict as exc:
            modeladmin.message_user(request, exc.message, messages.WARNING)
    modeladmin.message_user(request, f"{done}: {count}", messages.SUCCESS)


class StoreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "is_active", "featured", "product_count", "suspended_at", "created_at"]
    list_filter = ["is_active", "featured", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["name", "slug", "owner__email", "owner__full_name"]
    readonly_fields = ["suspended_at", "created_at", "updated_at"]
    autocomplete_fields = ["owner"]
    list_select_related = ["owner"]
    actions = ["feature", "unfeature", "suspend", "restore"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_products=Count("products", filter=Q(products__deleted_at__isnull=True)))
        )

    @admin.display(description=_("produk"), ordering="_products")
    def product_count(self, obj: Store) -> int:
        return obj._products

    @admin.action(description=_("Tampilkan di beranda (unggulan)"))
    def feature(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: store_set_featured(store=s, featured=True, actor=request.user, request=request),
            "Featured",
        )

    @admin.action(description=_("Hapus dari unggulan"))
    def unfeature(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: store_set_featured(store=s, featured=False, actor=request.user, request=request),
            "Unfeatured",
        )

    @admin.action(description=_("Tangguhkan toko"))
    def suspend(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: store_suspend(
                store=s, reason="Ditangguhkan lewat Django admin", actor=request.user, request=request
            ),
            "Suspended",
        )

    @admin.action(description=_("Pulihkan toko"))
    def restore(self, request, queryset):
        _run(self, request, queryset, lambda s: store_restore(store=s, actor=request.user, request=request), "Restored")


class ProductAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "store", "category", "price", "stock", "status", "featured", "deleted_at", "created_at"]
    list_filter = ["status", "featured", ("deleted_at", admin.EmptyFieldListFilter), "category"]
    search_fields = ["name", "slug", "store__name"]
    readonly_fields = ["deleted_at", "created_at", "updated_at"]
    exclude = ["search_vector", "search_text"]
    autocomplete_fields = ["store"]
    list_select_related = ["store", "category"]
    actions = ["feature", "unfeature", "soft_delete"]

    @admin.action(description=_("Jadikan produk unggulan"))
    def feature(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: product_set_featured(product=p, featured=True, actor=request.user, request=request),
            "Featured",
        )

    @admin.action(description=_("Hapus dari unggulan"))
    def unfeature(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: product_set_featured(product=p, featured=False, actor=request.user, request=request),
            "Unfeatured",
        )

    @admin.action(description=_("Hapus produk (soft delete)"))
    def soft_delete(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(deleted_at__isnull=True),
            lambda p: product_delete_by_admin(product=p, actor=request.user, request=request),
            "Deleted",
        )


class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "icon", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# stores/ and catalog/ own these models; register here only while their apps register none
# (their admin modules load first, so their own registration wins without a clash).
for _model, _admin in ((Store, StoreAdmin), (Product, ProductAdmin), (Category, CategoryAdmin)):
    if not admin.site.is_registered(_model):
        admin.site.register(_model, _admin)
