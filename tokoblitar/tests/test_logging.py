"""Refusals (4xx) are logged as one line; server errors keep their traceback; no line twice."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from conftest import PASSWORD, make_user


@pytest.mark.django_db
def test_a_buyer_on_the_seller_dashboard_is_logged_once_without_a_traceback(caplog):
    buyer = make_user("buyer")
    client = Client()
    assert client.login(email=buyer.email, password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/dashboard/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].exc_info is None and records[0].exc_text is None


def test_server_errors_keep_their_traceback():
    from tokoblitar.logging_filters import ClientErrorWithoutTraceback

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), info)
    record.status_code = 500
    assert ClientErrorWithoutTraceback().filter(record) and record.exc_info is info
    record.status_code = 403
    assert ClientErrorWithoutTraceback().filter(record) and record.exc_info is None


def test_django_lines_are_not_printed_twice():
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [] and django_logger.propagate
