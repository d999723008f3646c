"""System checks for the provider registry: an impossible configuration fails at start-up,
not at the first checkout."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from tokoblitar.providers import provider_list

logger = logging.getLogger("tokoblitar.providers")


# What running each kind as its simulator means for a live site (the W001 warning says it).
DEFAULT_CONSEQUENCE = "Nothing it does reaches the real service."
SIMULATOR_CONSEQUENCE = {
    "payments": "Orders can be paid without money.",
    "shipping": "Orders can be shipped without couriers.",
    "whatsapp": "Messages go to a simulated phone, not to buyers.",
    "shopee": "Listings and stock go to a simulated Shopee, not the real marketplace.",
    "lazada": "Listings and stock go to a simulated Lazada, not the real marketplace.",
    "tokopedia": "Listings and stock go to a simulated TikTok Shop, not the real Tokopedia.",
    "instagram": "Posts go to a simulated Instagram, not the store's account.",
    "ai": "The assistant is the offline rule-based simulator, not Claude.",
}


@register(Tags.security, deploy=False)
def check_providers(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    """E001: a live provider without its keys; E002: a simulator with DEBUG off, not forced;
    E003: the registry cannot be built (e.g. an unknown *_PROVIDER value);
    W001: simulators forced with DEBUG off (loud, on purpose)."""
    try:
        configs = provider_list()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="tokoblitar.E003")]
    problems: list[Error | Warning] = []
    for config in configs:
        if config.mode == "live" and config.missing:
            problems.append(
                Error(
                    f"The {config.kind} provider is forced to live {config.name} but {', '.join(config.missing)} "
                    "is not set.",
                    hint="Set the key, or unset the *_PROVIDER variable to use the local simulator.",
                    id="tokoblitar.E001",
                )
            )
        if config.is_simulator and not settings.DEBUG and not config.simulator_in_production:
            if getattr(settings, "ALLOW_SIMULATORS", False):
                message = (
                    f"SIMULATOR MODE IN PRODUCTION: the {config.kind} provider is the local simulator "
                    f"(ALLOW_SIMULATORS=true). {SIMULATOR_CONSEQUENCE.get(config.kind, DEFAULT_CONSEQUENCE)}"
                )
                logger.warning(message)
                problems.append(Warning(message, id="tokoblitar.W001"))
            else:
                problems.append(
                    Error(
                        f"The {config.kind} provider would run as the local simulator with DEBUG off.",
                        hint=f"Set the {config.name} keys, or ALLOW_SIMULATORS=true to force simulators.",
                        id="tokoblitar.E002",
                    )
                )
    return problems


# The provider kinds whose tokens are stored encrypted (tokoblitar.crypto).
ENCRYPTED_TOKEN_KINDS = ("shopee", "lazada", "tokopedia", "instagram")


@register(Tags.security)
def check_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """E010: a malformed ENCRYPTION_KEY or ENCRYPTION_OLD_KEYS entry, or no ENCRYPTION_KEY while
    a kind that stores tokens (sales channels, Instagram) is available: their tokens could not be
    stored or read. A shop running none of them needs no key."""
    from tokoblitar.crypto import known_keys, parse_key

    try:
        if getattr(settings, "ENCRYPTION_KEY", ""):
            known_keys()
            return []
        for index, raw in enumerate(getattr(settings, "ENCRYPTION_OLD_KEYS", []) or []):
            parse_key(raw, name=f"ENCRYPTION_OLD_KEYS[{index}]")
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="openssl rand -hex 32", id="tokoblitar.E010")]
    try:
        needing = [c.kind for c in provider_list() if c.kind in ENCRYPTED_TOKEN_KINDS and c.mode != "off"]
    except ImproperlyConfigured:
        return []  # reported by check_providers (E003)
    if needing:
        return [
            Error(
                f"ENCRYPTION_KEY is not set, but {', '.join(needing)} would store tokens.",
                hint="Set ENCRYPTION_KEY (openssl rand -hex 32), or leave those providers off.",
                id="tokoblitar.E010",
            )
        ]
    return []
