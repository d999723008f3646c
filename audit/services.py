"""Writes to the audit trail. Any app may record; nothing here knows about the actions."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest

from audit.models import AuditLog
from tokoblitar.api.client_ip import client_ip


def _jsonable(value: Any) -> Any:
    # UUIDs, datetimes, Decimals -> JSON-native values, so the stored snapshot reads back as written.
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _valid_ip(value: str) -> str | None:
    # A socket peer that is not an IP (unix socket, odd ASGI server) must not fail the change.
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _target_parts(target: Any) -> tuple[str, str, str]:
    """(type, id, repr) from a model instance, a ("type", id) pair or a plain label."""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1]), ""
    return str(target), "", ""


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: Any,
    before: dict | None,
    after: dict | None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Append one audit entry. Call it inside the transaction of the change it records.

    `target` is a model instance (preferred), a `(type, id)` pair or a label; `action` a
    dotted verb such as "store.suspend"; `before`/`after` small JSON-able snapshots.
    """
    target_type, target_id, target_repr = _target_parts(target)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        return AuditLog.objects.create(
            actor=actor,
            actor_email=actor.get_username() if actor else "",  # USERNAME_FIELD is the email
            action=action[:80],
            target_type=target_type[:80],
            target_id=target_id[:64],
            target_repr=target_repr,
            before=_jsonable(before),
            after=_jsonable(after),
            ip=_valid_ip(client_ip(request)) if request is not None else None,
        )
