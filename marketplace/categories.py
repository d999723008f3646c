"""Our categories (by slug) -> each platform's leaf category id for a new listing.

The ids are leaf categories of each platform's Indonesian tree (a seller can re-categorise on
the platform; updates never change the category again). A product without a category, or with
one not in the map, goes to the platform's "other" leaf (`DEFAULT`)."""

from __future__ import annotations

CATEGORY_MAP: dict[str, dict[str, str]] = {
    "shopee": {
        "makanan-minuman": "100780",
        "oleh-oleh-blitar": "100780",
        "kerajinan": "100636",
        "batik-tenun": "100017",
        "fashion": "100017",
        "pertanian": "100780",
        "kecantikan": "100630",
        "kesehatan": "100001",
        "rumah-tangga": "100636",
        "elektronik": "100535",
        "mainan-hobi": "100639",
        "jasa": "100643",
    },
    "lazada": {
        "makanan-minuman": "10000212",
        "oleh-oleh-blitar": "10000212",
        "kerajinan": "10000385",
        "batik-tenun": "10000405",
        "fashion": "10000405",
        "pertanian": "10000212",
        "kecantikan": "10000116",
        "kesehatan": "10000140",
        "rumah-tangga": "10000385",
        "elektronik": "10000600",
        "mainan-hobi": "10000478",
        "jasa": "10000385",
    },
    "tokopedia": {
        "makanan-minuman": "914824",
        "oleh-oleh-blitar": "914824",
        "kerajinan": "600001",
        "batik-tenun": "601152",
        "fashion": "601152",
        "pertanian": "914824",
        "kecantikan": "601450",
        "kesehatan": "700645",
        "rumah-tangga": "600001",
        "elektronik": "601739",
        "mainan-hobi": "604206",
        "jasa": "600001",
    },
}
DEFAULT = {"shopee": "100643", "lazada": "10000385", "tokopedia": "600001"}


def platform_category(platform: str, category_slug: str | None) -> str:
    """The platform's category id for our category slug (the platform default when unmapped)."""
    return CATEGORY_MAP.get(platform, {}).get(category_slug or "", DEFAULT.get(platform, ""))
