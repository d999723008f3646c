"""The provider registry, in Django's alias style (`STORAGES`, `CACHES`, `TASKS`).

The registry maps a kind ("payments", "shipping", and the kinds that come next) to its
backend. It is derived from the per-provider settings (themselves from the environment) by
`tokoblitar.provider_settings.providers_from_settings`, or given whole as `settings.PROVIDERS`:

    PROVIDERS = {
        "payments": {
            "BACKEND": "orders.payments.midtrans.MidtransPaymentProvider",
            "MODE": "live",                      # "live" | "simulator"
            "NAME": "Midtrans",                  # who it is, for people
            "OPTIONS": {"server_key": "...", "timeout": 10.0},   # keyword arguments
            "REQUIRED": ["server_key"],          # options a live backend cannot run without
            "FORCED": True,                      # chosen by PAYMENT_PROVIDER, not by keys
        },
    }

`get_provider(kind)` instantiates the backend with its options. A Django system check
(`tokoblitar.checks`) refuses at start-up a forced live mode without its keys and, with
DEBUG off, any simulator unless `ALLOW_SIMULATORS=true`. The dashboard's integration panel
and the README table come from `provider_list()`, so only what is registered is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from tokoblitar.errors import FeatureDisabled

LIVE = "live"
SIMULATOR = "simulator"
# An optional kind (WhatsApp) with no keys where simulators are not allowed: not available.
OFF = "off"


@dataclass(frozen=True)
class ProviderConfig:
    """One registered provider kind, as configured now."""

    kind: str
    backend: str
    mode: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    forced: bool = False
    # The simulator is a real local implementation (photo enhancement with Pillow), so it
    # needs no ALLOW_SIMULATORS with DEBUG off.
    simulator_in_production: bool = False

    @property
    def is_simulator(self) -> bool:
        return self.mode == SIMULATOR

    @property
    def missing(self) -> list[str]:
        """Required options that are empty (a live mode cannot run without them)."""
        return [key for key in self.required if not self.options.get(key)]


def registry() -> dict[str, dict[str, Any]]:
    """The raw registry: `settings.PROVIDERS` when given, else derived from the settings."""
    explicit = getattr(settings, "PROVIDERS", None)
    if explicit:
        return explicit
    from tokoblitar.provider_settings import providers_from_settings

    return providers_from_settings(settings)


def provider_config(kind: str) -> ProviderConfig:
    """The configuration of `kind`; ImproperlyConfigured when the kind is not registered."""
    raw = registry().get(kind)
    if raw is None:
        raise ImproperlyConfigured(f"No provider registered for {kind!r} (settings.PROVIDERS)")
    return ProviderConfig(
        kind=kind,
        backend=raw["BACKEND"],
        mode=raw.get("MODE", LIVE),
        name=raw.get("NAME", kind),
        options=dict(raw.get("OPTIONS", {})),
        required=tuple(raw.get("REQUIRED", ())),
        forced=bool(raw.get("FORCED", False)),
        simulator_in_production=bool(raw.get("SIMULATOR_IN_PRODUCTION", False)),
    )


def provider_list() -> list[ProviderConfig]:
    """Every registered provider kind, in settings order (the integrations panel reads this)."""
    return [provider_config(kind) for kind in registry()]


def provider_mode(kind: str) -> str:
    """ "live" or "simulator" for `kind`."""
    return provider_config(kind).mode


def simulators_allowed() -> bool:
    """Simulators trust a secret only this installation knows, but they still pay and ship
    for free: outside development they run only when ALLOW_SIMULATORS forces them."""
    return bool(settings.DEBUG or getattr(settings, "ALLOW_SIMULATORS", False))


def get_provider(kind: str) -> Any:
    """A ready backend instance for `kind`.

    Raises FeatureDisabled (`provider_not_configured`, 403) for an optional kind that is off;
    ImproperlyConfigured when a live backend lacks its keys, or when a simulator is
    selected with DEBUG off and ALLOW_SIMULATORS unset (the system check says so at start-up).
    Callers type the result through their seam (`get_payment_provider() -> PaymentProvider`)."""
    config = provider_config(kind)
    if config.mode == OFF:
        raise FeatureDisabled(
            _("%(provider)s is not set up on this server"),
            code="provider_not_configured",
            params={"provider": config.name},
        )
    if config.mode == LIVE and config.missing:
        raise ImproperlyConfigured(f"The live {config.name} provider ({kind}) needs {', '.join(config.missing)}")
    if config.mode == SIMULATOR and not config.simulator_in_production and not simulators_allowed():
        raise ImproperlyConfigured(
            f"The {kind} simulator is refused with DEBUG off; set its keys, or ALLOW_SIMULATORS=true to force it"
        )
    backend = import_string(config.backend)
    return backend(**config.options)
