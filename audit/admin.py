"""Django admin for the audit trail, and the mixin that audits other apps' admin edits.

Edits made in the Django admin are audited like the API's: form saves and deletes write an
AuditLog row in the same transaction. The trail itself is read-only here.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils.html import format_html

from audit.models import AuditLog
from audit.services import audit_record
from tokoblitar.admin_saves import LockedPartialSaveMixin


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    return {k: ((v.name or "") if isinstance(v, FieldFile) else v) for k, v in data.items()}


class AuditedAdminMixin(LockedPartialSaveMixin):
    """Form saves and deletes in the Django admin leave the same trail as the API.

    Change saves write only the changed fields under the row lock (LockedPartialSaveMixin);
    `before` is read under that lock, so it is the row the change actually replaced."""

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            before = _snapshot(type(obj).objects.select_for_update().get(pk=obj.pk)) if change else None
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
