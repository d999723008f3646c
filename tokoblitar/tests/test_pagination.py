import pytest

from accounts.models import User
from conftest import make_user
from tokoblitar.api import pagination
from tokoblitar.api.pagination import paginate

pytestmark = pytest.mark.django_db


def test_small_totals_are_always_exact():
    make_user("buyer")
    assert paginate(User.objects.all(), page=1, limit=10, count_cache_key="k").total == 1
    make_user("buyer")
    assert paginate(User.objects.all(), page=1, limit=10, count_cache_key="k").total == 2


def test_large_totals_are_cached_briefly_and_skip_the_count(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "CACHED_TOTAL_MIN", 2)
    make_user("buyer")
    make_user("buyer")
    assert paginate(User.objects.all(), page=1, limit=10, count_cache_key="k").total == 2
    make_user("buyer")
    with django_assert_num_queries(1):  # the page only; the total comes from the cache
        page = paginate(User.objects.all(), page=1, limit=10, count_cache_key="k")
    assert page.total == 2 and len(page.items) == 3
    # Without a key the count is exact.
    assert paginate(User.objects.all(), page=1, limit=10).total == 3
