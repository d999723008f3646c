"""Issue 9 item 1 on the registry, beyond tokoblitar/tests/test_registry.py: the checks run with
Django's own `check` command, both kinds report E001, and secrets are per installation."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tokoblitar.provider_settings import simulator_secret

PUBLIC_DEV_KEYS = ("SB-Mid-server-TOKOBLITAR-LOCAL-SIMULATOR", "KA-TOKOBLITAR-LOCAL-SIMULATOR")


def _no_keys(settings) -> None:  # noqa: ANN001
    settings.MIDTRANS_SERVER_KEY = settings.KIRIMINAJA_API_KEY = ""
    settings.PAYMENT_PROVIDER = settings.SHIPPING_PROVIDER = ""
    settings.WAHA_API_KEY = settings.WHATSAPP_CLOUD_ACCESS_TOKEN = settings.WHATSAPP_PROVIDER = ""


def test_manage_py_check_refuses_simulators_with_debug_off(settings):
    _no_keys(settings)
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    # Payments and shipping refuse; WhatsApp is optional and simply off (a shop runs without it).
    assert [m.id for m in run_checks() if m.id.startswith("tokoblitar.")] == ["tokoblitar.E002"] * 2
    with pytest.raises(SystemCheckError, match="tokoblitar.E002"):
        call_command("check")


def test_an_optional_provider_without_keys_is_off_in_production_and_says_so(settings):
    from tokoblitar.errors import FeatureDisabled
    from tokoblitar.providers import get_provider, provider_mode

    _no_keys(settings)
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    assert provider_mode("whatsapp") == "off"
    with pytest.raises(FeatureDisabled) as err:
        get_provider("whatsapp")
    assert err.value.code == "provider_not_configured"
    settings.WHATSAPP_PROVIDER = "simulator"  # forcing it is still possible (and loud)
    assert provider_mode("whatsapp") == "simulator"


def test_forced_simulators_only_warn(settings):
    _no_keys(settings)
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = True
    # Payments, shipping, WhatsApp, three sales channels, Instagram and the assistant.
    assert [m.id for m in run_checks() if m.id.startswith("tokoblitar.")] == ["tokoblitar.W001"] * 8
    call_command("check")  # warnings do not stop the start


def test_development_runs_simulators_without_any_message(settings):
    _no_keys(settings)
    settings.DEBUG = True
    settings.ALLOW_SIMULATORS = False
    assert [m.id for m in run_checks() if m.id.startswith("tokoblitar.")] == []


@pytest.mark.parametrize("force, key", [("PAYMENT_PROVIDER", "midtrans"), ("SHIPPING_PROVIDER", "kiriminaja")])
def test_each_forced_live_mode_without_its_key_is_E001(settings, force, key):
    _no_keys(settings)
    settings.DEBUG = True  # the other kind stays a (development) simulator, silently
    setattr(settings, force, key)
    assert [m.id for m in run_checks() if m.id.startswith("tokoblitar.")] == ["tokoblitar.E001"]
    with pytest.raises(SystemCheckError, match="tokoblitar.E001"):
        call_command("check")


def test_every_installation_draws_its_own_secret(tmp_path):
    one, two = tmp_path / "a", tmp_path / "b"
    assert simulator_secret(one) != simulator_secret(two)
    assert simulator_secret(one) not in PUBLIC_DEV_KEYS


def test_a_damaged_secret_file_is_replaced_by_a_fresh_secret(tmp_path):
    (tmp_path / "simulator-secret").write_text("short")
    value = simulator_secret(tmp_path)
    assert len(value) == 64 and value != "short"
    assert (tmp_path / "simulator-secret").read_text() == value


def test_configured_secret_is_the_installation_secret(settings):
    assert len(settings.SIMULATOR_SECRET) >= 32
    assert settings.SIMULATOR_SECRET not in PUBLIC_DEV_KEYS
