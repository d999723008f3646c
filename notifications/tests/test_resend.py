"""The Resend path: settings pick anymail's Resend backend when RESEND_API_KEY is set, and a
notification email reaches a fake Resend on 127.0.0.1 as Resend's API expects it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from notifications.models import Notification
from notifications.services import notification_email_deliver, order_notify
from notifications.tests.fake_resend import FakeResend
from orders.tests.factories import place

pytestmark = pytest.mark.django_db
KEY = "re_test_0123456789abcdef"


@pytest.fixture
def resend(settings):
    with FakeResend(KEY) as fake:
        settings.EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
        settings.ANYMAIL = {"RESEND_API_KEY": KEY, "RESEND_API_URL": fake.url, "REQUESTS_TIMEOUT": 5}
        settings.DEFAULT_FROM_EMAIL = "Toko BLITAR <halo@tokoblitar.com>"
        yield fake


def test_notification_email_goes_through_resend(resend, buyer, product):
    order = place(buyer=buyer, product=product).order
    (note,) = order_notify(order_id=str(order.pk), status="expired")
    assert notification_email_deliver(notification_id=str(note.pk)) == "sent"
    (request,) = resend.requests
    assert request["path"] == "/emails"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    body = request["body"]
    assert body["to"] == [buyer.email] and body["from"] == "Toko BLITAR <halo@tokoblitar.com>"
    assert body["subject"] == f"Pesanan {order.number} kedaluwarsa"
    assert order.number in body["text"] and "<html" in body["html"]
    note.refresh_from_db()
    assert note.email_state == "sent"


def test_resend_error_is_retried(resend, buyer, product, django_capture_on_commit_callbacks):
    resend.fail_http = 500
    order = place(buyer=buyer, product=product).order
    (note,) = order_notify(order_id=str(order.pk), status="expired")
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_deliver(notification_id=str(note.pk)) == "retrying"
    resend.fail_http = None
    assert notification_email_deliver(notification_id=str(note.pk), attempt=2) == "sent"
    assert Notification.objects.get(pk=note.pk).email_state == "sent"
    assert len(resend.requests) == 2


def _backend_for(env: dict) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    base = {"DJANGO_SETTINGS_MODULE": "tokoblitar.settings", "PATH": "/usr/bin:/bin", "DEBUG": "true"}
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_settings_choose_console_resend_or_smtp():
    assert _backend_for({}) == "django.core.mail.backends.console.EmailBackend"
    assert _backend_for({"RESEND_API_KEY": KEY}) == "anymail.backends.resend.EmailBackend"
    assert _backend_for({"EMAIL_URL": "smtp+tls://u:p@mail.example.com:587"}) == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
