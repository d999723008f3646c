"""`{% assistant_panel_state as ai %}`: whether the dashboard's chat panel is shown, and its
texts for the script (in the page's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from stores.flags import store_feature_enabled
from stores.models import Store
from tokoblitar.providers import OFF, provider_config

register = template.Library()


@register.simple_tag(takes_context=True)
def assistant_panel_state(context) -> dict:
    """{"enabled": bool, "texts": {...}}: sellers whose store has `ai_assistant` on, and admins,
    on a server where the "ai" provider is not off (one query for a seller, none otherwise)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (User.Role.SELLER, User.Role.ADMIN):
        return {"enabled": False}
    if provider_config("ai").mode == OFF:
        return {"enabled": False}
    if user.role == User.Role.SELLER:
        store = context.get("store")
        if not isinstance(store, Store) or store.owner_id != user.pk:
            store = Store.objects.filter(owner=user).first()
        if store is None or not store_feature_enabled(store=store, feature="ai_assistant"):
            return {"enabled": False}
    return {
        "enabled": True,
        "texts": {
            "you": pgettext("assistant", "Anda"),
            "assistant": pgettext("assistant", "Asisten"),
            "ok": pgettext("assistant", "Berhasil"),
            "failed": _("Gagal"),
            "failed_title": _("Perintah tidak berhasil"),
            "open": pgettext("assistant", "Buka"),
            "thinking": _("Menulis…"),
            "error": _("Asisten tidak bisa dihubungi. Coba lagi sebentar lagi."),
            "empty_history": _("Belum ada percakapan."),
            "tools": {
                "create_product": _("Produk dibuat"),
                "update_store_info": _("Info toko diperbarui"),
                "set_store_location": _("Lokasi toko disimpan"),
                "sync_to_marketplace": _("Sinkron marketplace"),
                "create_promo": _("Kode promo dibuat"),
                "draft_instagram_post": _("Draf posting Instagram"),
                "get_order_summary": _("Ringkasan pesanan"),
                "enhance_product_photo": _("Perbaikan foto"),
                "feature_store": _("Toko unggulan"),
                "feature_product": _("Produk unggulan"),
            },
            "orders": _("pesanan"),
            "paid": pgettext("assistant", "dibayar"),
            "revenue": pgettext("assistant", "omzet"),
            "stock": _("stok"),
        },
    }
