from django.contrib import admin

from instagram.models import InstagramAccount, InstagramPost, SimulatedGraphObject


@admin.register(InstagramAccount)
class InstagramAccountAdmin(admin.ModelAdmin):
    # The token never leaves the server, not even to admins' pages.
    list_display = ["username", "store", "token_expires_at", "refresh_due_at", "last_error"]
    search_fields = ["username", "store__name"]
    exclude = ["access_token"]
    readonly_fields = ["ig_user_id", "username", "token_issued_at", "token_expires_at", "refresh_due_at", "last_error"]
    raw_id_fields = ["store"]


@admin.register(InstagramPost)
class InstagramPostAdmin(admin.ModelAdmin):
    list_display = ["store", "product", "status", "schedule_at", "published_at", "error_code", "attempts"]
    list_filter = ["status"]
    search_fields = ["store__name", "product__name", "media_id", "container_id"]
    raw_id_fields = ["store", "product", "created_by"]
    readonly_fields = ["container_id", "media_id", "permalink", "error_code", "error_message", "attempts"]


@admin.register(SimulatedGraphObject)
class SimulatedGraphObjectAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key"]
