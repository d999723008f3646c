"""Account reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import SavedAddress, User
from tokoblitar.errors import PermissionDenied


def saved_address_list(*, user: User) -> list[SavedAddress]:
    """`user`'s saved addresses, the default first (one query)."""
    return list(SavedAddress.objects.filter(user=user))


def saved_address_get(*, user: User, address_id: int | None) -> SavedAddress | None:
    """One of `user`'s addresses, or None (anyone else's is None too)."""
    if address_id is None:
        return None
    return SavedAddress.objects.filter(user=user, pk=address_id).first()


def require_platform_admin(actor: User) -> None:
    """Entry services of the admin panel call this first: whatever route or tool reached them
    (API, page, the AI assistant), only a platform admin may act. Raises PermissionDenied."""
    if not (actor and actor.is_authenticated and actor.is_platform_admin):
        raise PermissionDenied(_("Only admins can do this"), code="admin_only")
