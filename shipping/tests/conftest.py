import pytest

from orders.tests.factories import product, store  # noqa: F401 - shared fixtures
from shipping.models import Area
from shipping.tests.fake_kiriminaja import API_KEY, FakeKiriminAja


@pytest.fixture
def fake_ka(settings):
    with FakeKiriminAja() as fake:
        settings.SHIPPING_PROVIDER = "kiriminaja"
        settings.KIRIMINAJA_API_KEY = API_KEY
        settings.KIRIMINAJA_BASE_URL = fake.url
        settings.KIRIMINAJA_TIMEOUT_SECONDS = 1
        # The live client needs KiriminAja's own district ids.
        Area.objects.filter(pk=357202).update(kiriminaja_id=5213)
        Area.objects.filter(pk=357203).update(kiriminaja_id=5215)
        Area.objects.filter(pk=357803).update(kiriminaja_id=6104)
        yield fake


@pytest.fixture
def simulator(settings):
    settings.SHIPPING_PROVIDER = "simulator"
    settings.KIRIMINAJA_API_KEY = ""
