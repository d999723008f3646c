"""Sockets end with the sign-in they were opened under.

Every WebSocket consumer that serves a signed-in user joins two Channels groups: one for the
user (`auth_user_group`) and one for the browser session (`auth_session_group`). Logout sends
`{"type": "auth.ended"}` to the session's group and a password change to the user's group
(every session and token of that user ends there); consumers answer by closing with 4401.
Consumers also re-check the session before each push (`session_is_current`), so a session
that expired or was deleted without a logout (another process, `clearsessions`) delivers
nothing either.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

AUTH_ENDED = "auth.ended"
SEND_TIMEOUT = 5.0


def auth_user_group(user_id: Any) -> str:
    return f"auth.user.{user_id}"


def auth_session_group(session_key: str) -> str:
    # The group table is readable by whoever reads the channel layer: store a digest, not the key.
    return "auth.session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


async def _send(groups: list[str]) -> None:
    # A layer instance of its own: this runs from web threads, the task worker and commands,
    # each in whatever event loop async_to_sync gives it (see tokoblitar/channel_layer.py).
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    try:
        for group in groups:
            await asyncio.wait_for(layer.group_send(group, {"type": AUTH_ENDED}), SEND_TIMEOUT)
    finally:
        close = getattr(layer, "close", None)
        if close is not None:
            await close()


def auth_sockets_close(*, user_id: Any = None, session_key: str | None = None) -> None:
    """Close the open sockets of one session and/or every socket of one user.

    Best effort: a channel layer that is down must not break a logout, so failures are logged."""
    groups = []
    if session_key:
        groups.append(auth_session_group(session_key))
    if user_id is not None:
        groups.append(auth_user_group(user_id))
    if not groups or not getattr(settings, "CHANNEL_LAYERS", {}).get(DEFAULT_CHANNEL_LAYER):
        return
    try:
        async_to_sync(_send)(groups)
    except Exception:  # noqa: BLE001 - sockets also re-check the session before every push
        logger.warning("Closing sockets of an ended sign-in failed", exc_info=True)


def session_is_current(*, session_key: str | None, user_id: Any) -> bool:
    """True while `session_key` still signs in `user_id` with the user's current password hash."""
    from accounts.models import User

    if not session_key:
        return False
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    data = store.load()
    if str(data.get(SESSION_KEY)) != str(user_id):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        auth_sockets_close(session_key=session_key)


def connect_signals() -> None:
    user_logged_out.connect(_on_logout, dispatch_uid="accounts.realtime.logout")
