"""Django admin for curation models.

Edits made here are audited like the API's: form saves and deletes write an AuditLog row
in the same transaction. `AuditedAdminMixin` is reusable by other apps' ModelAdmins.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin
from curation.models import Banner


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


# The Django admin of stores and products runs curation's audited actions, so it lives here
# (above stores and catalog) rather than in those apps.
from curation import admin_catalog, admin_stores  # noqa: E402, F401
