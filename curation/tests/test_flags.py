"""The one feature-switch helper: defaults without a row, one query, clear 403 message."""

from __future__ import annotations

import pytest

from audit.services import audit_record
from curation.tests.factories import quick_store
from stores.flags import FEATURES, require_feature, store_feature_enabled, store_flags
from stores.models import StoreFeatureFlags
from tokoblitar.errors import FeatureDisabled

pytestmark = pytest.mark.django_db


def test_defaults_without_a_row_in_one_query(django_assert_num_queries):
    store = quick_store()
    with django_assert_num_queries(1):
        assert store_feature_enabled(store=store, feature="promos") is True
    with django_assert_num_queries(1):
        assert store_feature_enabled(store=store, feature="whatsapp_inbox") is False
    with django_assert_num_queries(1):
        assert set(store_flags(store=store)) == set(FEATURES)
    assert not StoreFeatureFlags.objects.exists()


def test_require_feature_names_feature_and_store():
    store = quick_store(name="Keripik Bu Sri")
    require_feature(store=store, feature="promos")
    StoreFeatureFlags.objects.create(store=store, promos=False)
    with pytest.raises(FeatureDisabled) as exc:
        require_feature(store=store, feature="promos")
    assert exc.value.code == "feature_disabled"  # the API maps it to 403
    assert "promos" in exc.value.message and "Keripik Bu Sri" in exc.value.message
    # Other stores keep the default.
    require_feature(store=quick_store(), feature="promos")


def test_unknown_feature_name_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown feature"):
        store_feature_enabled(store=quick_store(), feature="teleport")


def test_audit_record_accepts_pairs_and_labels_and_serialises(admin_user):
    from datetime import datetime
    from uuid import uuid4

    uid = uuid4()
    entry = audit_record(
        actor=admin_user,
        action="assistant.tool",
        target=("assistant.run", uid),
        before=None,
        after={"when": datetime(2026, 1, 2, 3, 4), "id": uid},
    )
    entry.refresh_from_db()
    assert (entry.target_type, entry.target_id, entry.ip) == ("assistant.run", str(uid), None)
    assert entry.after == {"when": "2026-01-02T03:04:00", "id": str(uid)}
    anonymous = audit_record(actor=None, action="system.job", target="nightly", before=None, after=None)
    assert anonymous.actor is None and anonymous.actor_email == "" and anonymous.target_type == "nightly"


def test_change_and_audit_row_commit_together(admin_user, monkeypatch):
    from curation import services

    store = quick_store()

    def broken_audit(**kwargs):
        raise RuntimeError("audit storage down")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.store_suspend(store=store, reason="x", actor=admin_user)
    store.refresh_from_db()
    assert store.is_active is True and store.suspended_at is None


def test_audit_ip_tolerates_non_ip_peers(admin_user, rf):
    request = rf.get("/", REMOTE_ADDR="unix:/run/daphne.sock")
    entry = audit_record(actor=admin_user, action="x.y", target="t", before=None, after=None, request=request)
    assert entry.ip is None
