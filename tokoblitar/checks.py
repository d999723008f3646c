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
                    "(ALLOW_SIMULATORS=true). Orders can be paid and shipped without money or couriers."
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


@register(Tags.security)
def check_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """E010: ENCRYPTION_KEY missing (DEBUG off) or malformed, or a malformed ENCRYPTION_OLD_KEYS
    entry: marketplace and Instagram tokens could not be stored or read."""
    from tokoblitar.crypto import known_keys

    try:
        known_keys()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="openssl rand -hex 32", id="tokoblitar.E010")]
    return []
