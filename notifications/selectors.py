"""Reads: the unread count (the header's bell, one query) and a user's notification list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def unread_count(*, user_id: Any) -> int:
    """Unread notifications of one user (one COUNT on the partial index `notifications_unread`)."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (no relations: text comes from `kind` + `data`)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
