"""Instagram tests: the simulator forced, media in a temporary folder, the instagram switch on
for the sellers' stores, and the app's clock put back after each test."""

from __future__ import annotations

import pytest

from instagram import clock


@pytest.fixture(autouse=True)
def _instagram_simulator(settings, tmp_path):
    settings.INSTAGRAM_PROVIDER = "simulator"
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "http://testserver"
    yield
    clock.reset()
