"""Reads: the unread count (the header's bell, one query) and a user's notification list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from accounts.models import User
from notifications.compose import compose
from notifications.models import Notification, NotificationPreference


def unread_count(*, user_id: Any) -> int:
    """Unread notifications of one user (one COUNT on the partial index `notifications_unread`)."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (no relations: text comes from `kind` + `data`)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notifications_export(*, user: User) -> list[dict]:
    """Her notifications for the personal-data export, newest first: {kind, subject (in her
    language), data, url, created_at, read_at, email_state, whatsapp_state}. Two queries."""
    pref = NotificationPreference.objects.filter(user=user).first()
    rows = []
    with translation.override(pref.language if pref else "id"):
        for note in Notification.objects.filter(recipient=user).order_by("-created_at", "-id"):
            rows.append(
                {
                    "kind": note.kind,
                    "subject": compose(note.kind, note.data).subject,
                    "data": note.data,
                    "url": note.url,
                    "created_at": note.created_at.isoformat(),
                    "read_at": note.read_at.isoformat() if note.read_at else None,
                    "email_state": note.email_state,
                    "whatsapp_state": note.whatsapp_state,
                }
            )
    return rows
