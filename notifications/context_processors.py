"""The bell's unread count for every page header (lazy: one query, only when a header renders)."""

from __future__ import annotations

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict:
    def unread() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from notifications.selectors import unread_count

        return unread_count(user_id=user.pk)

    return {"notifications_unread": unread}
