"""View-only admin pages for support: connections (never the tokens), listings, channel orders."""

from django.contrib import admin

from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing


class ViewOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MarketplaceConnection)
class MarketplaceConnectionAdmin(ViewOnly):
    list_display = ["store", "platform", "status", "shop_name", "access_expires_at", "last_sync_at"]
    list_filter = ["platform", "status"]
    search_fields = ["shop_name", "shop_id", "store__name"]
    # Tokens stay out of every admin page (decrypted they would be readable on screen).
    exclude = ["access_token", "refresh_token"]


@admin.register(MarketplaceListing)
class MarketplaceListingAdmin(ViewOnly):
    list_display = ["product", "platform", "status", "external_id", "pushed_stock", "error_code", "last_synced_at"]
    list_filter = ["platform", "status"]
    search_fields = ["external_id", "product__name"]


@admin.register(ChannelOrder)
class ChannelOrderAdmin(ViewOnly):
    list_display = ["external_order_id", "platform", "store", "state", "platform_status", "total", "placed_at"]
    list_filter = ["platform", "state"]
    search_fields = ["external_order_id", "buyer_name"]
