"""Issue 9 item 22: with trusted proxies configured, X-Forwarded-For is believed only from them."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory, override_settings

from tokoblitar.api.client_ip import client_ip
from webhooks.models import ProviderNotification

PROXIES = ["10.1.0.0/16"]


@override_settings(TRUSTED_PROXIES=PROXIES)
def test_untrusted_peer_cannot_forge_forwarded_for():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=PROXIES)
def test_trusted_proxy_is_believed_for_the_hop_before_it():
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.1.9.9")
    # The right-most hop that is not a proxy; the client-chosen left-most one is ignored.
    assert client_ip(request) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=PROXIES)
def test_garbage_from_a_trusted_proxy_falls_back_to_the_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.1.2.3"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=PROXIES)
def test_webhook_log_records_the_real_peer_not_the_forged_header(client):
    client.post(
        "/api/webhooks/midtrans",
        data=json.dumps({"order_id": "TB-X", "status_code": "200", "gross_amount": "1.00", "signature_key": "x"}),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="10.1.0.1",
    )
    assert ProviderNotification.objects.get().remote_addr == "203.0.113.9"
