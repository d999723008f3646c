"""Builds the provider registry from the per-provider settings (which come from the environment).

For each kind: `<KIND>_PROVIDER` forces a mode; otherwise the live backend is chosen when its
key is set, else the local simulator. Simulators sign and verify with a per-installation
random secret (`simulator_secret`), never with a value written in the repository.

The registry is derived from the individual settings on each read (cheap), so overriding
`MIDTRANS_SERVER_KEY` or `SHIPPING_PROVIDER` in a test or a `.env` changes it at once; an
explicit `PROVIDERS` setting replaces the derivation entirely.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]


def simulator_secret(var_dir: Path, configured: str = "") -> str:
    """The secret simulators sign callbacks with and our webhooks verify in simulator mode.

    `SIMULATOR_SECRET` when set (every process of a scaled-out deployment must share it);
    otherwise a random 256-bit value generated on first start and kept in
    `var/simulator-secret` (mode 0600, outside version control), shared by every process of
    this checkout. Written atomically under a lock so two first starts agree on one value."""
    if configured:
        return configured
    path = var_dir / "simulator-secret"
    var_dir.mkdir(parents=True, exist_ok=True)
    lock_path = var_dir / ".simulator-secret.lock"
    with open(lock_path, "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():
                value = path.read_text().strip()
                if len(value) >= 32:
                    return value
            value = secrets.token_hex(32)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(value)
            os.replace(tmp, path)
            return value
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class LiveVariant:
    """A second live backend of one kind, chosen by its own alias or key (WhatsApp: the
    Cloud API beside the WAHA gateway)."""

    alias: str
    name: str
    backend: str
    key_variable: str


@dataclass(frozen=True)
class ProviderKind:
    """What can be registered for one kind: the live backend, the simulator and the
    variables that choose between them (the README's provider table is made from this)."""

    kind: str
    name: str
    live_backend: str
    simulator_backend: str
    force_variable: str
    live_alias: str
    key_variable: str
    simulator_behaviour: str
    # A simulator that is a real local implementation (not a stand-in that pays or ships for
    # free) may run with DEBUG off without ALLOW_SIMULATORS.
    simulator_in_production: bool = False
    # Other live backends, after the primary one in key precedence.
    other_live: tuple[LiveVariant, ...] = ()
    # A shop runs without it (WhatsApp): with DEBUG off, no keys and no ALLOW_SIMULATORS the
    # kind is "off" (its features answer "not set up") instead of refusing to start.
    optional: bool = False
    # Kinds added after the first four declare here what the older ones keep in the module
    # tables below: the option carrying the secret (a simulator gets this installation's
    # secret there), the webhook path the platform calls, and {option: settings attribute}.
    signing_option: str = ""
    webhook_path: str = ""
    options: tuple[tuple[str, str], ...] = ()


PROVIDER_KINDS: tuple[ProviderKind, ...] = (
    ProviderKind(
        kind="payments",
        name="Midtrans QRIS",
        live_backend="orders.payments.midtrans.MidtransPaymentProvider",
        simulator_backend="orders.payments.simulator.SimulatorPaymentProvider",
        force_variable="PAYMENT_PROVIDER",
        live_alias="midtrans",
        key_variable="MIDTRANS_SERVER_KEY",
        simulator_behaviour="QRIS string + QR; Bayar/Kedaluwarsa send signed notifications to /api/webhooks/midtrans",
    ),
    ProviderKind(
        kind="shipping",
        name="KiriminAja",
        live_backend="shipping.providers.kiriminaja.KiriminAjaShippingProvider",
        simulator_backend="shipping.providers.simulator.SimulatorShippingProvider",
        force_variable="SHIPPING_PROVIDER",
        live_alias="kiriminaja",
        key_variable="KIRIMINAJA_API_KEY",
        simulator_behaviour=(
            "rates by courier, service, distance, weight; booking; callbacks to /api/webhooks/kiriminaja"
        ),
    ),
    ProviderKind(
        kind="photo_enhance",
        name="Replicate",
        live_backend="photos.enhance.replicate.ReplicatePhotoEnhancer",
        simulator_backend="photos.enhance.simulator.SimulatorPhotoEnhancer",
        force_variable="PHOTO_ENHANCE_PROVIDER",
        live_alias="replicate",
        key_variable="REPLICATE_API_TOKEN",
        simulator_behaviour=(
            "real local enhancement with Pillow (white balance, auto-contrast, sharpening, square white canvas); "
            "allowed in production"
        ),
        simulator_in_production=True,
    ),
    ProviderKind(
        kind="whatsapp",
        name="WAHA QR gateway",
        live_backend="whatsapp.gateways.waha.WahaGateway",
        simulator_backend="whatsapp.gateways.simulator.SimulatorGateway",
        force_variable="WHATSAPP_PROVIDER",
        live_alias="waha",
        key_variable="WAHA_API_KEY",
        simulator_behaviour=(
            "WAHA state machine in the database: rotating QR (60 s, then 20 s, then FAILED), scan of the current QR, "
            "an Indonesian-speaking buyer, acks 0→3 that may stall, unlink and stale-WORKING faults; "
            "events signed with X-Webhook-Hmac to /api/webhooks/waha"
        ),
        optional=True,
        other_live=(
            LiveVariant(
                alias="cloud",
                name="WhatsApp Cloud API",
                backend="whatsapp.gateways.cloud.CloudApiGateway",
                key_variable="WHATSAPP_CLOUD_ACCESS_TOKEN",
            ),
        ),
    ),
    ProviderKind(
        kind="shopee",
        name="Shopee Open Platform",
        live_backend="marketplace.channels.shopee.ShopeeChannel",
        simulator_backend="marketplace.channels.shopee.SimulatorShopeeChannel",
        force_variable="SHOPEE_PROVIDER",
        live_alias="shopee",
        key_variable="SHOPEE_PARTNER_KEY",
        simulator_behaviour=(
            "Shopee v2 in the database: HMAC-SHA256 sign per API type, 5-minute timestamps, single-use codes and "
            "refresh tokens, partial update_stock, orders and signed pushes to /api/webhooks/shopee"
        ),
        optional=True,
        signing_option="partner_key",
        webhook_path="/api/webhooks/shopee",
        options=(
            ("partner_id", "SHOPEE_PARTNER_ID"),
            ("partner_key", "SHOPEE_PARTNER_KEY"),
            ("base_url", "SHOPEE_BASE_URL"),
            ("timeout", "MARKETPLACE_TIMEOUT_SECONDS"),
        ),
    ),
    ProviderKind(
        kind="lazada",
        name="Lazada Open Platform",
        live_backend="marketplace.channels.lazada.LazadaChannel",
        simulator_backend="marketplace.channels.lazada.SimulatorLazadaChannel",
        force_variable="LAZADA_PROVIDER",
        live_alias="lazada",
        key_variable="LAZADA_APP_SECRET",
        simulator_behaviour=(
            "Lazada in the database: sorted-parameter UPPER-hex sign, 7200 s timestamps, 30-minute single-use codes, "
            "QC on new items, XML stock updates, E901 throttling, signed pushes to /api/webhooks/lazada"
        ),
        optional=True,
        signing_option="app_secret",
        webhook_path="/api/webhooks/lazada",
        options=(
            ("app_key", "LAZADA_APP_KEY"),
            ("app_secret", "LAZADA_APP_SECRET"),
            ("api_url", "LAZADA_API_URL"),
            ("auth_url", "LAZADA_AUTH_URL"),
            ("timeout", "MARKETPLACE_TIMEOUT_SECONDS"),
        ),
    ),
    ProviderKind(
        kind="tokopedia",
        name="TikTok Shop Partner API (Tokopedia listings)",
        live_backend="marketplace.channels.tiktokshop.TikTokShopChannel",
        simulator_backend="marketplace.channels.tiktokshop.SimulatorTikTokShopChannel",
        force_variable="TIKTOK_SHOP_PROVIDER",
        live_alias="tiktokshop",
        key_variable="TIKTOK_SHOP_APP_SECRET",
        simulator_behaviour=(
            "TikTok Shop in the database: wrapped-secret sign, -300/+30 s timestamps, shop_cipher, 7-day tokens, "
            "50 QPS (429), idempotent create with audit, signed webhooks to /api/webhooks/tiktokshop"
        ),
        optional=True,
        signing_option="app_secret",
        webhook_path="/api/webhooks/tiktokshop",
        options=(
            ("app_key", "TIKTOK_SHOP_APP_KEY"),
            ("app_secret", "TIKTOK_SHOP_APP_SECRET"),
            ("service_id", "TIKTOK_SHOP_SERVICE_ID"),
            ("api_url", "TIKTOK_SHOP_API_URL"),
            ("auth_url", "TIKTOK_SHOP_AUTH_URL"),
            ("timeout", "MARKETPLACE_TIMEOUT_SECONDS"),
        ),
    ),
    ProviderKind(
        kind="instagram",
        name="Instagram Graph API",
        live_backend="instagram.graph.InstagramGraphClient",
        simulator_backend="instagram.graph.SimulatorInstagramGraphClient",
        force_variable="INSTAGRAM_PROVIDER",
        live_alias="instagram",
        key_variable="INSTAGRAM_APP_SECRET",
        simulator_behaviour=(
            "Graph API content publishing in the database: container IN_PROGRESS→FINISHED, publish-before-ready "
            "9007, image fetch errors, 24 h expiry, rolling publishing quota, token refresh rules"
        ),
        optional=True,
        signing_option="app_secret",
        options=(
            ("app_id", "INSTAGRAM_APP_ID"),
            ("app_secret", "INSTAGRAM_APP_SECRET"),
            ("graph_url", "INSTAGRAM_GRAPH_URL"),
            ("auth_url", "INSTAGRAM_AUTH_URL"),
            ("timeout", "MARKETPLACE_TIMEOUT_SECONDS"),
        ),
    ),
    ProviderKind(
        kind="ai",
        name="Anthropic Claude",
        live_backend="assistant.llm.AnthropicModel",
        simulator_backend="assistant.llm.SimulatorModel",
        force_variable="AI_PROVIDER",
        live_alias="anthropic",
        key_variable="ANTHROPIC_API_KEY",
        simulator_behaviour=(
            "Anthropic's streaming wire protocol served in-process to the same SDK code path; understands plain "
            "Indonesian commands for every assistant tool"
        ),
        optional=True,
        signing_option="api_key",
        options=(
            ("api_key", "ANTHROPIC_API_KEY"),
            ("base_url", "ANTHROPIC_BASE_URL"),
            ("model", "ANTHROPIC_MODEL"),
        ),
    ),
)


def providers_markdown() -> str:
    """The README's provider table, made from PROVIDER_KINDS (a test keeps them equal)."""
    rows = [
        "| kind | provider | live when | simulator behaviour |",
        "|---|---|---|---|",
    ]
    for k in PROVIDER_KINDS:
        others = "".join(
            f"; {v.name} (`{v.backend}`) when `{v.key_variable}` set (`{k.force_variable}` = `{v.alias}` forces)"
            for v in k.other_live
        )
        rows.append(
            f"| `{k.kind}` | {k.name} (`{k.live_backend}`) | `{k.key_variable}` set "
            f"(`{k.force_variable}` = `{k.live_alias}` or `simulator` forces){others} | {k.simulator_behaviour} |"
        )
    return "\n".join(rows)


def _mode(forced: str, *, kind_env: str, live_alias: str, has_key: bool) -> tuple[str, bool]:
    forced = (forced or "").strip().lower()
    if forced:
        if forced not in (live_alias, "simulator"):
            raise ImproperlyConfigured(f"{kind_env} must be '{live_alias}' or 'simulator'")
        return ("live" if forced == live_alias else "simulator"), True
    return ("live" if has_key else "simulator"), False


def _variant(k: ProviderKind, conf: Any) -> tuple[str, str, bool]:
    """(mode, live alias, forced) for a kind that may have several live backends: a forced
    alias wins, else the first whose key is set (primary first), else the simulator."""
    aliases = [k.live_alias, *(v.alias for v in k.other_live)]
    keys = [k.key_variable, *(v.key_variable for v in k.other_live)]
    forced = (getattr(conf, k.force_variable) or "").strip().lower()
    if forced:
        if forced not in (*aliases, "simulator"):
            raise ImproperlyConfigured(f"{k.force_variable} must be one of {', '.join(aliases)} or 'simulator'")
        return ("simulator", "", True) if forced == "simulator" else ("live", forced, True)
    for alias, key in zip(aliases, keys, strict=True):
        if getattr(conf, key):
            return "live", alias, False
    return "simulator", "", False


def _live_options(kind: str, conf: Any) -> dict[str, Any]:
    if kind == "payments":
        return {
            "server_key": conf.MIDTRANS_SERVER_KEY,
            "client_key": conf.MIDTRANS_CLIENT_KEY,
            "is_production": conf.MIDTRANS_IS_PRODUCTION,
            "base_url": conf.MIDTRANS_API_BASE_URL or None,
            "timeout": conf.MIDTRANS_TIMEOUT_SECONDS,
        }
    if kind == "photo_enhance":
        return {
            "api_token": conf.REPLICATE_API_TOKEN,
            "model": conf.REPLICATE_ENHANCE_MODEL,
            "input_key": conf.REPLICATE_ENHANCE_INPUT_KEY,
            "extra_input": conf.REPLICATE_ENHANCE_EXTRA_INPUT,
            "base_url": conf.REPLICATE_BASE_URL or None,
            "webhook_url": conf.SITE_URL.rstrip("/") + WEBHOOK_PATH[kind],
            "webhook_secret": conf.REPLICATE_WEBHOOK_SECRET,
            "webhook_tolerance": conf.REPLICATE_WEBHOOK_TOLERANCE_SECONDS,
            "timeout": conf.REPLICATE_TIMEOUT_SECONDS,
            "max_output_bytes": conf.MAX_IMAGE_UPLOAD_BYTES,
        }
    return {
        "api_key": conf.KIRIMINAJA_API_KEY,
        "base_url": conf.KIRIMINAJA_BASE_URL,
        "is_production": conf.KIRIMINAJA_IS_PRODUCTION,
        "timeout": conf.KIRIMINAJA_TIMEOUT_SECONDS,
    }


def _whatsapp_live_options(conf: Any, alias: str = "waha") -> dict[str, Any]:
    if alias == "cloud":
        return {
            "access_token": conf.WHATSAPP_CLOUD_ACCESS_TOKEN,
            "phone_number_id": conf.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
            "app_secret": conf.WHATSAPP_CLOUD_APP_SECRET,
            "verify_token": conf.WHATSAPP_CLOUD_VERIFY_TOKEN,
            "waba_id": getattr(conf, "WHATSAPP_CLOUD_WABA_ID", ""),
            "graph_version": conf.WHATSAPP_CLOUD_GRAPH_VERSION,
            "base_url": conf.WHATSAPP_CLOUD_BASE_URL or None,
            "timeout": conf.WHATSAPP_TIMEOUT_SECONDS,
        }
    return {
        "api_key": conf.WAHA_API_KEY,
        "base_url": conf.WAHA_BASE_URL,
        "hmac_key": conf.WAHA_WEBHOOK_HMAC_KEY,
        "webhook_url": conf.SITE_URL.rstrip("/") + WEBHOOK_PATH["whatsapp"],
        "timeout": conf.WHATSAPP_TIMEOUT_SECONDS,
    }


# What each WhatsApp live backend cannot run without.
WHATSAPP_REQUIRED = {
    "waha": ["api_key", "base_url", "hmac_key"],
    "cloud": ["access_token", "phone_number_id", "app_secret", "verify_token"],
}

# The option that carries each kind's secret: what a live backend cannot run without, and
# what a simulator signs its callbacks with (this installation's secret).
SECRET_OPTION = {
    "payments": "server_key",
    "shipping": "api_key",
    "photo_enhance": "api_token",
    "whatsapp": "hmac_key",
}
WEBHOOK_PATH = {
    "payments": "/api/webhooks/midtrans",
    "shipping": "/api/webhooks/kiriminaja",
    "photo_enhance": "/api/webhooks/replicate",
    "whatsapp": "/api/webhooks/waha",
}
WEBHOOK_PATH.update({k.kind: k.webhook_path for k in PROVIDER_KINDS if k.webhook_path})


def _off_if_optional(k: ProviderKind, conf: Any, mode: str, forced: bool) -> str:
    """ "off" for an optional kind that would fall back to its simulator where simulators are
    not allowed (DEBUG off, no ALLOW_SIMULATORS, not forced); otherwise `mode` unchanged."""
    allowed = bool(getattr(conf, "DEBUG", False) or getattr(conf, "ALLOW_SIMULATORS", False))
    if k.optional and mode == "simulator" and not forced and not allowed:
        return "off"
    return mode


def providers_from_settings(conf: Any) -> dict[str, dict[str, Any]]:
    """The PROVIDERS mapping (see tokoblitar.providers) for every kind in PROVIDER_KINDS,
    from the per-provider settings on `conf` (django.conf.settings).

    Raises ImproperlyConfigured for an unknown `<KIND>_PROVIDER` value."""
    providers: dict[str, dict[str, Any]] = {}
    for k in PROVIDER_KINDS:
        secret = SECRET_OPTION.get(k.kind) or k.signing_option
        if k.other_live:
            mode, alias, forced = _variant(k, conf)
            if mode == "live":
                variant = next((v for v in k.other_live if v.alias == alias), None)
                entry = {
                    "BACKEND": variant.backend if variant else k.live_backend,
                    "REQUIRED": WHATSAPP_REQUIRED[alias],
                    "OPTIONS": _whatsapp_live_options(conf, alias),
                }
                name = variant.name if variant else k.name
            else:
                entry = {
                    "BACKEND": k.simulator_backend,
                    "OPTIONS": {
                        secret: conf.SIMULATOR_SECRET,
                        "webhook_url": conf.SITE_URL.rstrip("/") + WEBHOOK_PATH[k.kind],
                    },
                }
                name = k.name
            providers[k.kind] = {
                **entry,
                "MODE": _off_if_optional(k, conf, mode, forced),
                "NAME": name,
                "FORCED": forced,
            }
            continue
        mode, forced = _mode(
            getattr(conf, k.force_variable),
            kind_env=k.force_variable,
            live_alias=k.live_alias,
            has_key=bool(getattr(conf, k.key_variable)),
        )
        webhook_url = conf.SITE_URL.rstrip("/") + WEBHOOK_PATH[k.kind] if WEBHOOK_PATH.get(k.kind) else ""
        if k.options:
            live = {option: getattr(conf, attribute) for option, attribute in k.options}
            if webhook_url:
                live["webhook_url"] = webhook_url
        if mode == "live":
            options = live if k.options else _live_options(k.kind, conf)
            required = [key for key, _ in k.options if key not in ("base_url", "api_url", "auth_url", "graph_url")]
            entry = {"BACKEND": k.live_backend, "REQUIRED": required if k.options else [secret], "OPTIONS": options}
        elif k.options:
            # The simulator gets the same option names, signing with this installation's secret.
            entry = {"BACKEND": k.simulator_backend, "OPTIONS": {**live, secret: conf.SIMULATOR_SECRET}}
        else:
            entry = {
                "BACKEND": k.simulator_backend,
                "OPTIONS": {
                    secret: conf.SIMULATOR_SECRET,
                    "webhook_url": conf.SITE_URL.rstrip("/") + WEBHOOK_PATH[k.kind],
                },
            }
        providers[k.kind] = {**entry, "MODE": _off_if_optional(k, conf, mode, forced), "NAME": k.name, "FORCED": forced}
        if k.simulator_in_production:
            providers[k.kind]["SIMULATOR_IN_PRODUCTION"] = True
    return providers
