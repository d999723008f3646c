"""The provider registry: alias-style configuration, system checks, README table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tokoblitar.checks import check_providers
from tokoblitar.provider_settings import providers_markdown
from tokoblitar.providers import get_provider, provider_config, provider_list

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_provider_table_is_made_from_the_registry():
    assert providers_markdown() in README.read_text()


def test_without_keys_every_kind_is_its_simulator(settings):
    settings.MIDTRANS_SERVER_KEY = settings.KIRIMINAJA_API_KEY = ""
    settings.PAYMENT_PROVIDER = settings.SHIPPING_PROVIDER = ""
    assert {c.kind: c.mode for c in provider_list()} == {
        "payments": "simulator",
        "shipping": "simulator",
        "photo_enhance": "simulator",
        "whatsapp": "simulator",
        "shopee": "simulator",
        "lazada": "simulator",
        "tokopedia": "simulator",
        "instagram": "simulator",
        "ai": "simulator",
    }
    assert type(get_provider("payments")).__name__ == "SimulatorPaymentProvider"
    assert type(get_provider("shipping")).__name__ == "SimulatorShippingProvider"


def test_keys_select_the_live_clients(settings):
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-abc"
    settings.KIRIMINAJA_API_KEY = "ka-key"
    settings.WAHA_API_KEY, settings.WAHA_WEBHOOK_HMAC_KEY = "waha-key", "waha-hmac"
    settings.PAYMENT_PROVIDER = settings.SHIPPING_PROVIDER = settings.WHATSAPP_PROVIDER = ""
    settings.DEBUG = False
    # Sales channels, Instagram and the assistant are optional: without keys they are off.
    settings.ALLOW_SIMULATORS = False
    assert type(get_provider("payments")).__name__ == "MidtransPaymentProvider"
    assert type(get_provider("shipping")).__name__ == "KiriminAjaShippingProvider"
    assert check_providers() == []


def test_forced_live_without_key_fails_the_system_check(settings):
    settings.PAYMENT_PROVIDER = "midtrans"
    settings.MIDTRANS_SERVER_KEY = ""
    settings.DEBUG = True  # the shipping simulator is then fine
    assert [e.id for e in check_providers()] == ["tokoblitar.E001"]
    with pytest.raises(ImproperlyConfigured):
        get_provider("payments")


def test_unknown_forced_mode_is_reported(settings):
    settings.SHIPPING_PROVIDER = "pos-indonesia"
    settings.DEBUG = True
    assert [e.id for e in check_providers()] == ["tokoblitar.E003"]


def test_simulators_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    settings.MIDTRANS_SERVER_KEY = settings.KIRIMINAJA_API_KEY = ""
    settings.PAYMENT_PROVIDER = settings.SHIPPING_PROVIDER = ""
    # WhatsApp is optional: off, not an error.
    assert sorted(e.id for e in check_providers()) == ["tokoblitar.E002"] * 2
    with pytest.raises(ImproperlyConfigured):
        get_provider("payments")
    settings.ALLOW_SIMULATORS = True
    # Payments, shipping, WhatsApp and the five optional channel/AI kinds run as simulators.
    assert sorted(e.id for e in check_providers()) == ["tokoblitar.W001"] * 8
    assert get_provider("shipping").name == "simulator"


def test_simulators_use_the_installation_secret(settings):
    settings.MIDTRANS_SERVER_KEY = settings.KIRIMINAJA_API_KEY = ""
    settings.PAYMENT_PROVIDER = settings.SHIPPING_PROVIDER = ""
    assert provider_config("payments").options["server_key"] == settings.SIMULATOR_SECRET
    assert provider_config("shipping").options["api_key"] == settings.SIMULATOR_SECRET


def test_simulator_secret_is_generated_once_and_kept(tmp_path):
    from tokoblitar.provider_settings import simulator_secret

    first = simulator_secret(tmp_path)
    assert len(first) == 64 and simulator_secret(tmp_path) == first
    assert (tmp_path / "simulator-secret").stat().st_mode & 0o777 == 0o600
    assert simulator_secret(tmp_path, "from-env-value") == "from-env-value"
