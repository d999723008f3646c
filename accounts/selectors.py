"""Account reads."""

from __future__ import annotations

from accounts.models import SavedAddress, User


def saved_address_list(*, user: User) -> list[SavedAddress]:
    """`user`'s saved addresses, the default first (one query)."""
    return list(SavedAddress.objects.filter(user=user))


def saved_address_get(*, user: User, address_id: int | None) -> SavedAddress | None:
    """One of `user`'s addresses, or None (anyone else's is None too)."""
    if address_id is None:
        return None
    return SavedAddress.objects.filter(user=user, pk=address_id).first()
