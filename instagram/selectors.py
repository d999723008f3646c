"""Reads for Instagram: the store's account and its posts."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from instagram.models import InstagramAccount, InstagramPost
from stores.models import Store
from tokoblitar.errors import NotFound


def instagram_account_for_store(*, store: Store) -> InstagramAccount | None:
    """The store's connected account, or None."""
    return InstagramAccount.objects.filter(store=store).first()


def instagram_post_list_for_store(*, store: Store) -> QuerySet[InstagramPost]:
    """The store's posts, newest first, with their product (one query)."""
    return InstagramPost.objects.filter(store=store).select_related("product").order_by("-created_at")


def instagram_post_count_waiting(*, store: Store) -> int:
    """How many of the store's posts still wait to publish (scheduled, publishing, quota)."""
    return InstagramPost.objects.filter(store=store, status__in=InstagramPost.IN_FLIGHT).count()


def instagram_post_get_for_store(*, store: Store, post_id: UUID | str) -> InstagramPost:
    """One post of this store; another store's is a 404 (no leak)."""
    post = instagram_post_list_for_store(store=store).filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("Instagram post not found"), code="instagram_post_not_found")
    return post
