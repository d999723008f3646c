"""Per-store feature switches (a flag is a fact about a store), checked in the services.

Entry services call `require_feature` before they act, so the API, the pages and the
assistant's tools all meet the same check; no view checks a flag on its own.

A store without a `StoreFeatureFlags` row gets the model's field defaults, so new stores
need no row and a flag added later has a default from day one.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stores.models import Store, StoreFeatureFlags
from tokoblitar.errors import FeatureDisabled

FEATURES: tuple[str, ...] = (
    "ai_assistant",
    "marketplace_sync",
    "instagram",
    "photo_enhance",
    "whatsapp_inbox",
    "promos",
)

FEATURE_LABELS = {
    "ai_assistant": _("asisten AI"),
    "marketplace_sync": _("sinkron marketplace"),
    "instagram": _("Instagram"),
    "photo_enhance": _("perbaiki foto"),
    "whatsapp_inbox": _("kotak masuk WhatsApp"),
    "promos": _("promo"),
}

# One line each on what the switch turns on, shown beside it in the admin panel.
FEATURE_DESCRIPTIONS = {
    "ai_assistant": _("Penjual bisa mengelola toko lewat obrolan dengan asisten AI."),
    "marketplace_sync": _("Produk dan stok disinkronkan ke marketplace lain yang terhubung."),
    "instagram": _("Penjual bisa membuat draf posting Instagram dari produknya."),
    "photo_enhance": _("Foto produk bisa dirapikan otomatis (latar dan pencahayaan)."),
    "whatsapp_inbox": _("Pesan WhatsApp pembeli masuk ke dasbor penjual dan bisa dibalas di sana."),
    "promos": _("Penjual bisa membuat kode promo untuk tokonya."),
}


def feature_defaults() -> dict[str, bool]:
    return {name: StoreFeatureFlags._meta.get_field(name).default for name in FEATURES}


def store_flags(*, store: Store | str) -> dict[str, bool]:
    """All switches for a store (one query; defaults when it has no row)."""
    store_id = store.pk if isinstance(store, Store) else store
    row = StoreFeatureFlags.objects.filter(store_id=store_id).values(*FEATURES).first()
    return row if row is not None else feature_defaults()


def _check_feature(feature: str) -> None:
    if feature not in FEATURES:
        # A programming error (typo in a caller), not user input.
        raise ValueError(f"Unknown feature {feature!r}; known: {', '.join(FEATURES)}")


def store_feature_enabled(*, store: Store, feature: str) -> bool:
    _check_feature(feature)
    value = StoreFeatureFlags.objects.filter(store_id=store.pk).values_list(feature, flat=True).first()
    return feature_defaults()[feature] if value is None else bool(value)


def require_feature(*, store: Store, feature: str) -> None:
    """Raise FeatureDisabled (403) when the feature is switched off for the store."""
    if not store_feature_enabled(store=store, feature=feature):
        raise FeatureDisabled(
            _("The %(feature)s feature is switched off for the store %(store)s"),
            params={"feature": feature, "store": repr(store.name)},
            meta={"feature": feature},
        )
