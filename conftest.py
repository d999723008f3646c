"""Project-wide fixtures: API clients per role, a clean rate-limit cache per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_issue_token
from stores.services import account_register

PASSWORD = "Rahasia-Kuat-123"

# Real-browser fixtures (daphne server, Chromium page, screenshots) for any app's browser tests.
pytest_plugins = ["tokoblitar.testing.browser", "tokoblitar.testing.scaled"]


@pytest.fixture(autouse=True)
def _test_platform_settings(settings):
    # pytest-django runs with DEBUG off, where simulators are refused unless forced: the suite
    # drives the simulators on purpose (tests of the refusal switch this back off). Every
    # event payload is round-tripped through JSON where it is published.
    settings.ALLOW_SIMULATORS = True
    settings.EVENTS_CHECK_JSON = True


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters live in the cache; every test starts with fresh buckets.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _steady_ratelimit_window(monkeypatch):
    """Pin django-ratelimit's clock to the test's start.

    The library counts in fixed windows that begin at a key-dependent second, so a test making
    N slow requests (password hashing on a loaded CI machine) could straddle a boundary, see
    the count restart and get 400 where 429 is due: a flaky test, not a bug. Server processes
    started by a test keep the real clock."""
    import time

    import django_ratelimit.core

    start = int(time.time())

    class _PinnedClock:
        @staticmethod
        def time() -> float:
            return float(start)

    monkeypatch.setattr(django_ratelimit.core, "time", _PinnedClock)


@pytest.fixture(scope="session", autouse=True)
def _channel_layer_on_test_db(django_db_setup):
    # The Postgres channel layer's settings name the dev database; tests push through theirs.
    from django.conf import settings
    from django.db import connection

    layer = settings.CHANNEL_LAYERS.get("default", {})
    if layer.get("BACKEND", "").endswith("PostgresChannelLayer"):
        layer["CONFIG"]["NAME"] = connection.settings_dict["NAME"]
    yield
    # Pushes keep a pooled connection open; close it so the test database can be dropped.
    from tokoblitar.realtime import realtime_shutdown

    realtime_shutdown()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def make_user(role: str, email: str | None = None, full_name: str | None = None) -> User:
    n = User.objects.count() + 1
    return account_register(
        email=email or f"{role}{n}@contoh.id",
        password=PASSWORD,
        full_name=full_name or f"{role.title()} Nomor {n}",
        role=role,
    )


def make_admin(email: str = "admin@contoh.id") -> User:
    return User.objects.create_superuser(email=email, password=PASSWORD, full_name="Admin Platform")


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {user_issue_token(user=user)}")
    return client


@pytest.fixture
def buyer(db) -> User:
    return make_user("buyer")


@pytest.fixture
def seller(db) -> User:
    return make_user("seller")


@pytest.fixture
def other_seller(db) -> User:
    return make_user("seller")


@pytest.fixture
def admin_user(db) -> User:
    return make_admin()


@pytest.fixture
def buyer_client(buyer) -> APIClient:
    return client_for(buyer)


@pytest.fixture
def seller_client(seller) -> APIClient:
    return client_for(seller)


@pytest.fixture
def other_seller_client(other_seller) -> APIClient:
    return client_for(other_seller)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return client_for(admin_user)
