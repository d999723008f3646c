"""Writes for Instagram: connect / disconnect the store's account, posts from products, and the
background publishing flow (container → status poll with backoff → publish at `schedule_at`,
within the rolling quota the API reports), token refresh before expiry.

Every entry service takes the acting user first, works on the actor's own store (another
store's product or post is a 404) and honours the store's `instagram` feature switch.

Lock contract of the background flow: `instagram_post_run` holds the post's row lock
(SELECT … FOR UPDATE) while it talks to the Graph API, so two deliveries of the publish task
cannot both publish; the second waits, then finds the post published (or its container
PUBLISHED) and stops. The task rows it enqueues are written in the same transaction (database
task backend), so a rolled-back step never leaves a stray follow-up behind.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from catalog.models import Product
from catalog.selectors import product_get_for_seller
from instagram import clock
from instagram.graph import (
    NOT_READY,
    PROVIDER_NAME,
    QUOTA_REACHED,
    REFRESH_MIN_AGE,
    TOKEN_INVALID,
    GraphError,
    InstagramGraphClient,
    PublishingLimit,
)
from instagram.models import InstagramAccount, InstagramPost
from instagram.selectors import instagram_account_for_store, instagram_post_get_for_store
from stores.flags import require_feature, store_feature_enabled
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict, FeatureDisabled, PermissionDenied, ProviderError, ValidationFailed
from tokoblitar.providers import get_provider

logger = logging.getLogger(__name__)

SESSION_KEY = "instagram_oauth"
# A consent that takes longer than this is started again.
STATE_TTL = timedelta(minutes=15)
# Refresh the 60-day token this long before it expires (Meta: only once it is >= 24 h old).
REFRESH_BEFORE_EXPIRY = timedelta(days=10)
REFRESH_RETRY = timedelta(hours=6)
# Instagram's caption limits.
CAPTION_MAX_CHARS = 2200
CAPTION_MAX_HASHTAGS = 30
# Container status polls: 5 s, 10 s, 20 s … at most 5 minutes apart; the container itself
# expires after 24 h, which ends the polling with a failure.
POLL_FIRST_SECONDS = 5
POLL_MAX_SECONDS = 300
# Network failures and errors Meta marks transient are retried this many times in all.
MAX_TRANSIENT_ATTEMPTS = 8
# When the quota is full and we cannot tell when it frees, look again after this long.
QUOTA_RECHECK = timedelta(hours=1)


def _client() -> InstagramGraphClient:
    return get_provider("instagram")


def _seller_store(actor: User) -> Store:
    if getattr(actor, "role", None) != User.Role.SELLER:
        raise PermissionDenied(_("Only sellers can do this"), code="not_seller")
    return store_get_for_seller(user=actor)


def _rupiah_caption(amount: int) -> str:
    """15000 -> "Rp15.000" (the way sellers write prices in captions)."""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def _hashtag(text: str) -> str:
    words = re.findall(r"[0-9A-Za-z]+", text or "")
    tag = "".join(word[:1].upper() + word[1:] for word in words)
    return "#" + tag if tag else ""


def _short_description(text: str, limit: int = 220) -> str:
    """The description's first sentences up to `limit` characters, cut on a word."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out = ""
    for sentence in sentences:
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    if out:
        return out
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def draft_caption(product: Product) -> str:
    """An Indonesian caption made only from the product's own facts: name, price ("Rp15.000"),
    a short description, the store's name and hashtags (#UMKMBlitar …). No invented claims.
    Returns at most CAPTION_MAX_CHARS characters."""
    store = product.store
    lines = [product.name.strip(), ""]
    description = _short_description(product.description)
    if description:
        lines += [description, ""]
    lines.append(f"Harga: {_rupiah_caption(product.price)}")
    lines.append(f"Pesan di {store.name.strip()} di TokoBLITAR.")
    tags = ["#UMKMBlitar", "#TokoBLITAR", "#ProdukBlitar"]
    if product.category is not None:
        tags.append(_hashtag(product.category.name))
    tags.append(_hashtag(store.name))
    unique = list(dict.fromkeys(tag for tag in tags if tag))
    lines += ["", " ".join(unique)]
    return "\n".join(lines)[:CAPTION_MAX_CHARS]


def normalize_caption(caption: str | None) -> str:
    """Line breaks as Instagram counts them: CRLF and CR become LF (browsers send a textarea's
    line breaks as CRLF, which would count twice against the 2,200 limit and reach Instagram
    as stray `\\r`), then trimmed. None → ""."""
    return (caption or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _validate_caption(caption: str) -> str:
    caption = normalize_caption(caption)
    errors: list[Any] = []
    if not caption:
        errors.append(_("Write a caption"))
    if len(caption) > CAPTION_MAX_CHARS:
        errors.append(_("Instagram accepts at most %(max)s characters") % {"max": CAPTION_MAX_CHARS})
    if len(re.findall(r"#\w+", caption)) > CAPTION_MAX_HASHTAGS:
        errors.append(_("Instagram accepts at most %(max)s hashtags") % {"max": CAPTION_MAX_HASHTAGS})
    if errors:
        raise ValidationFailed(_("Invalid caption"), code="invalid_caption", fields={"caption": errors})
    return caption


def _require_future(schedule_at: datetime | None) -> None:
    if schedule_at is not None and schedule_at <= clock.now():
        raise ValidationFailed(
            _("The time must be in the future"),
            code="schedule_in_past",
            fields={"schedule_at": [_("The time must be in the future")]},
        )


def _require_account(store: Store) -> InstagramAccount:
    account = instagram_account_for_store(store=store)
    if account is None:
        raise Conflict(_("Connect an Instagram account first"), code="instagram_not_connected")
    return account


def _require_photo(product: Product | None) -> None:
    if product is None or not product.images.exists():
        raise ValidationFailed(
            _("The product needs a photo to be posted on Instagram"),
            code="product_has_no_photo",
            fields={"product_id": [_("The product needs a photo to be posted on Instagram")]},
        )


def _enqueue_run(post: InstagramPost, when: datetime | None) -> None:
    from instagram.tasks import instagram_post_publish

    # Real time for the worker: the test clock offset is zero outside tests.
    task = instagram_post_publish.using(run_after=when) if when is not None else instagram_post_publish
    task.enqueue(post_id=str(post.pk))


def _schedule(post: InstagramPost, *, when: datetime) -> None:
    """Move a draft/failed/scheduled post to scheduled at `when` and queue its run (in the
    caller's transaction). A failed post starts over with a new container."""
    post.status = InstagramPost.Status.SCHEDULED
    post.schedule_at = when
    post.next_attempt_at = None
    post.container_id = ""
    post.container_created_at = None
    post.error_code = ""
    post.error_message = ""
    post.error_params = {}
    post.attempts = 0
    post.save()
    _enqueue_run(post, when if when > clock.now() else None)


# --- Posts ------------------------------------------------------------------------------


def create_post(
    *,
    actor: User,
    product_id: UUID | str,
    caption: str | None = None,
    schedule_at: datetime | None = None,
    publish_now: bool = False,
) -> InstagramPost:
    """A post of one of the actor's products: a draft (neither `schedule_at` nor `publish_now`),
    scheduled for `schedule_at` (aware, in the future) or published now in the background.
    `caption` None = the generated draft caption (`draft_caption`).

    Raises NotFound (another store's or a deleted product), FeatureDisabled (the store's
    `instagram` switch is off), ValidationFailed (caption rules, past time, both `schedule_at`
    and `publish_now`, no product photo when publishing), Conflict (`instagram_not_connected`
    when scheduling or publishing without a connected account). Nothing is written on error."""
    store = _seller_store(actor)
    require_feature(store=store, feature="instagram")
    product = product_get_for_seller(store=store, product_id=product_id)
    if schedule_at is not None and publish_now:
        raise ValidationFailed(
            _("Choose either a time or publish now"),
            code="schedule_and_publish_now",
            fields={"schedule_at": [_("Choose either a time or publish now")]},
        )
    _require_future(schedule_at)
    text = _validate_caption(draft_caption(product) if caption is None else caption)
    if schedule_at is not None or publish_now:
        _require_account(store)
        _require_photo(product)
    with transaction.atomic():
        post = InstagramPost.objects.create(store=store, product=product, caption=text, created_by=actor)
        if schedule_at is not None or publish_now:
            _schedule(post, when=schedule_at or clock.now())
    return post


def instagram_post_edit(*, actor: User, post_id: UUID | str, caption: str) -> InstagramPost:
    """Change the caption of a draft, scheduled or failed post. Raises NotFound, Conflict
    (`post_not_editable`: publishing or published), ValidationFailed (caption rules)."""
    store = _seller_store(actor)
    require_feature(store=store, feature="instagram")
    text = _validate_caption(caption)
    with transaction.atomic():
        post = instagram_post_get_for_store(store=store, post_id=post_id)
        post = InstagramPost.objects.select_for_update().get(pk=post.pk)
        if post.status not in InstagramPost.EDITABLE:
            raise Conflict(_("This post can no longer be changed"), code="post_not_editable")
        post.caption = text
        post.save(update_fields=["caption", "updated_at"])
    return post


def instagram_post_schedule(
    *, actor: User, post_id: UUID | str, schedule_at: datetime | None = None, publish_now: bool = False
) -> InstagramPost:
    """Schedule a draft, scheduled or failed post for `schedule_at`, or publish it now
    (`publish_now`). Raises NotFound, Conflict (not connected; publishing or published),
    ValidationFailed (no time and not now, past time, no product photo)."""
    store = _seller_store(actor)
    require_feature(store=store, feature="instagram")
    if schedule_at is None and not publish_now:
        raise ValidationFailed(
            _("Choose a time or publish now"),
            code="schedule_missing",
            fields={"schedule_at": [_("Choose a time or publish now")]},
        )
    if publish_now:
        schedule_at = None
    _require_future(schedule_at)
    post = instagram_post_get_for_store(store=store, post_id=post_id)  # another store's: 404 first
    _require_account(store)
    with transaction.atomic():
        post = InstagramPost.objects.select_for_update(of=("self",)).select_related("product").get(pk=post.pk)
        if post.status not in InstagramPost.EDITABLE:
            raise Conflict(_("This post can no longer be changed"), code="post_not_editable")
        _require_photo(post.product)
        _schedule(post, when=schedule_at or clock.now())
    return post


def instagram_post_delete(*, actor: User, post_id: UUID | str) -> None:
    """Delete a draft, failed or held post (scheduled ones are changed back first). Raises
    NotFound, Conflict (`post_not_deletable`)."""
    store = _seller_store(actor)
    with transaction.atomic():
        post = instagram_post_get_for_store(store=store, post_id=post_id)
        post = InstagramPost.objects.select_for_update().get(pk=post.pk)
        if post.status not in (InstagramPost.Status.DRAFT, InstagramPost.Status.FAILED, InstagramPost.Status.ON_HOLD):
            raise Conflict(_("Only drafts and failed posts can be deleted"), code="post_not_deletable")
        post.delete()


# --- Publishing in the background -----------------------------------------------------------


def poll_backoff(polls: int) -> timedelta:
    """Wait before status poll number `polls` (1-based): 5 s, 10 s, 20 s … at most 5 minutes."""
    return timedelta(seconds=min(POLL_FIRST_SECONDS * 2 ** max(polls - 1, 0), POLL_MAX_SECONDS))


def _again(post: InstagramPost, *, at: datetime) -> None:
    post.next_attempt_at = at
    _enqueue_run(post, at)


def _fail(post: InstagramPost, code: str, message: Any = "", params: dict | None = None) -> None:
    """Failed with Meta's "code/subcode" and words, or with one of OUR codes (OWN_REASONS:
    `message` empty, `params` for its wording)."""
    post.status = InstagramPost.Status.FAILED
    post.error_code = code[:40]
    post.error_message = str(message)[:1000]
    post.error_params = params or {}
    post.next_attempt_at = None


def _hold(post: InstagramPost, code: str) -> None:
    """On hold for a reason of ours ("disconnected", "token_expired"): nothing runs until the
    store connects again (`_resume_held`). The container, if any, belonged to the old login."""
    post.status = InstagramPost.Status.ON_HOLD
    post.error_code = code
    post.error_message = ""
    post.error_params = {}
    post.next_attempt_at = None
    post.container_id = ""
    post.container_created_at = None


def _resume_held(store: Store) -> int:
    """Schedule the store's held posts again (in the caller's transaction): each at its own
    time, or now when that time passed while it was held. Returns how many."""
    now = clock.now()
    held = InstagramPost.objects.select_for_update().filter(store=store, status=InstagramPost.Status.ON_HOLD)
    count = 0
    for post in held:
        when = post.schedule_at if post.schedule_at is not None and post.schedule_at > now else now
        _schedule(post, when=when)
        count += 1
    return count


def _quota_frees_at(post: InstagramPost, limit: PublishingLimit, now: datetime) -> datetime:
    """When a slot frees: our oldest publish inside the window plus the window, when we know
    one (other apps may have posted too: then we simply look again); else QUOTA_RECHECK."""
    window = timedelta(seconds=limit.quota_duration or 86400)
    oldest = (
        InstagramPost.objects.filter(store_id=post.store_id, published_at__gt=now - window)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    at = oldest + window + timedelta(seconds=1) if oldest is not None else now + QUOTA_RECHECK
    return min(max(at, now + timedelta(minutes=1)), now + window)


def _wait_quota(post: InstagramPost, limit: PublishingLimit, now: datetime, message: str = "") -> None:
    """Waiting for the quota: with Meta's words when Meta refused (`message`), else with our
    own reason ("quota_used") from the numbers the API reported."""
    post.status = InstagramPost.Status.WAITING_QUOTA
    if message:
        post.error_code = f"{QUOTA_REACHED[0]}/{QUOTA_REACHED[1]}"
        post.error_message = message[:1000]
        post.error_params = {}
    else:
        post.error_code = "quota_used"
        post.error_message = ""
        post.error_params = {"usage": limit.quota_usage, "total": limit.quota_total}
    _again(post, at=_quota_frees_at(post, limit, now))


def _published(post: InstagramPost, *, media_id: str, permalink: str, now: datetime) -> None:
    post.status = InstagramPost.Status.PUBLISHED
    post.media_id = media_id
    post.permalink = permalink
    post.published_at = now
    post.next_attempt_at = None
    post.error_code = ""
    post.error_message = ""
    post.error_params = {}


def _image_url(product: Product | None) -> str:
    """The absolute public URL of the product's first photo (Meta fetches it when it makes the
    container, so a presigned URL is made now, not at scheduling time)."""
    image = product.images.order_by("position", "created_at").first() if product is not None else None
    if image is None:
        return ""
    url = image.url
    if url.startswith("/"):
        url = settings.SITE_URL.rstrip("/") + url
    return url


def _token_for(account: InstagramAccount, client: InstagramGraphClient, now: datetime) -> str:
    """The account's token, refreshed first when it is due (and at least 24 h old)."""
    if now >= account.refresh_due_at and now - account.token_issued_at >= REFRESH_MIN_AGE:
        _refresh_account(account, client, now)
    return account.access_token


def _step(post: InstagramPost, account: InstagramAccount, client: InstagramGraphClient, now: datetime) -> None:
    token = _token_for(account, client, now)
    ig = account.ig_user_id
    if not post.container_id:
        # The quota first: a post that must wait should not hold a container that expires.
        limit = client.publishing_limit(token, ig)
        if limit.quota_usage >= limit.quota_total:
            _wait_quota(post, limit, now)
            return
        post.image_url = _image_url(post.product)
        if not post.image_url:
            _fail(post, "no_photo")
            return
        post.container_id = client.create_container(token, ig, image_url=post.image_url, caption=post.caption)
        post.container_created_at = now
        post.status = InstagramPost.Status.PUBLISHING
        post.error_code = post.error_message = ""
        post.error_params = {}
    status = client.container_status(token, post.container_id)
    if status.status_code == "IN_PROGRESS":
        post.status = InstagramPost.Status.PUBLISHING
        _again(post, at=now + poll_backoff(post.attempts))
        return
    if status.status_code == "ERROR":
        _fail(post, f"ERROR/{status.subcode}" if status.subcode else "ERROR", status.status)
        return
    if status.status_code == "EXPIRED":
        if post.status == InstagramPost.Status.WAITING_QUOTA:
            # It waited for the quota past the container's 24 h: start over with a new one.
            post.container_id = ""
            post.container_created_at = None
            _again(post, at=now)
            return
        _fail(post, "EXPIRED", status.status)
        return
    if status.status_code == "PUBLISHED":
        # An earlier run published it and its write was lost: record it, never publish twice.
        _published(post, media_id=post.media_id, permalink=post.permalink, now=now)
        return
    limit = client.publishing_limit(token, ig)
    if limit.quota_usage >= limit.quota_total:
        _wait_quota(post, limit, now)
        return
    try:
        media_id = client.publish(token, ig, creation_id=post.container_id)
    except GraphError:
        if client.container_status(token, post.container_id).status_code == "PUBLISHED":
            _published(post, media_id="", permalink="", now=now)
            return
        raise
    try:
        permalink = client.permalink(token, media_id)
    except GraphError:
        permalink = ""  # Nice to have; the post is published either way.
    _published(post, media_id=media_id, permalink=permalink, now=now)


def instagram_post_run(*, post_id: str) -> str:
    """One step of a post's publishing (the publish task's body); returns the post's status.

    Scheduled and due: makes the container (after checking the quota), polls its status, then
    publishes; each step that must wait (container IN_PROGRESS, quota full, a transient error)
    enqueues the next run with its backoff and returns. A run that is early (duplicate task,
    rescheduled post) or finds the post done does nothing. Platform refusals end as `failed`
    with Meta's code and words on the post."""
    with transaction.atomic():
        post = (
            InstagramPost.objects.select_for_update(of=("self",))
            .select_related("product", "store")
            .filter(pk=post_id)
            .first()
        )
        if post is None:
            return "missing"
        if post.status not in InstagramPost.IN_FLIGHT:
            return post.status
        now = clock.now()
        due = post.next_attempt_at or post.schedule_at
        if due is not None and due > now:
            return post.status
        account = instagram_account_for_store(store=post.store)
        if not store_feature_enabled(store=post.store, feature="instagram"):
            _fail(post, "feature_disabled")
        elif account is None:
            _hold(post, "disconnected")  # e.g. disconnected while this run waited for the lock
        elif account.token_expires_at <= now:
            _hold(post, "token_expired")
        else:
            post.attempts += 1
            try:
                client = _client()
            except FeatureDisabled as exc:  # the server has no Instagram keys (and no simulator)
                # Our code (worded when shown); the message stays only as a fallback.
                _fail(post, exc.code, exc.message, params=dict(exc.params or {}))
            else:
                try:
                    _step(post, account, client, now)
                except GraphError as exc:
                    _on_error(post, exc, now, account)
        post.save()
        return post.status


def _on_error(post: InstagramPost, exc: GraphError, now: datetime, account: InstagramAccount) -> None:
    if exc.pair == NOT_READY:
        post.status = InstagramPost.Status.PUBLISHING
        _again(post, at=now + poll_backoff(post.attempts))
    elif exc.pair == QUOTA_REACHED:
        _wait_quota(post, PublishingLimit(0, 0, 86400), now, message=exc.detail)
    elif exc.is_transient and post.attempts < MAX_TRANSIENT_ATTEMPTS:
        post.error_code = exc.reason_code
        post.error_message = exc.detail[:1000]
        post.error_params = {}
        _again(post, at=now + poll_backoff(post.attempts))
    else:
        if exc.graph_code == TOKEN_INVALID:
            InstagramAccount.objects.filter(pk=account.pk).update(last_error=exc.detail[:500])
        _fail(post, exc.reason_code, exc.detail)
    logger.info("Instagram post %s: %s (%s)", post.pk, exc.detail, exc.reason_code)


# --- Connect, disconnect, tokens ----------------------------------------------------------


def instagram_connect_start(*, actor: User, session: SessionBase | dict, redirect_uri: str) -> str:
    """The URL of Instagram's consent page for the actor's store. A fresh random `state` is kept
    in the actor's session (with the store and `redirect_uri`), so only a callback in this same
    session can complete the connection. Raises FeatureDisabled, NotFound (no store)."""
    store = _seller_store(actor)
    require_feature(store=store, feature="instagram")
    state = secrets.token_urlsafe(32)
    session[SESSION_KEY] = {
        "state": state,
        "store_id": str(store.pk),
        "redirect_uri": redirect_uri,
        "started_at": clock.now().isoformat(),
    }
    return _client().authorize_url(state=state, redirect_uri=redirect_uri)


def instagram_connect_finish(*, actor: User, session: SessionBase | dict, code: str, state: str) -> InstagramAccount:
    """Complete the connection from the consent page's callback: check `state` against the
    session (once: it is removed), exchange `code` for a 1-hour token and that for the 60-day
    token, read the account (`/me`), store it (token encrypted) and schedule its refresh.
    Posts put on hold by a disconnect or an expired login are scheduled again.

    Raises PermissionDenied (`oauth_state_mismatch`: missing, wrong, expired or another
    session's state), ValidationFailed (no code), ProviderError (`instagram_connect_failed`
    with Instagram's words)."""
    store = _seller_store(actor)
    require_feature(store=store, feature="instagram")
    pending = session.pop(SESSION_KEY, None) if hasattr(session, "pop") else None
    fresh = (
        isinstance(pending, dict)
        and pending.get("store_id") == str(store.pk)
        and clock.now() - datetime.fromisoformat(pending.get("started_at", "1970-01-01T00:00:00+00:00")) <= STATE_TTL
    )
    if not fresh or not state or not secrets.compare_digest(str(pending.get("state", "")), str(state)):
        raise PermissionDenied(
            _("This Instagram login was not started here; please connect again"), code="oauth_state_mismatch"
        )
    if not code:
        raise ValidationFailed(_("Instagram did not send an authorization code"), code="oauth_code_missing")
    client = _client()
    try:
        short = client.exchange_code(code=code, redirect_uri=pending["redirect_uri"])
        long = client.exchange_long_lived(short.access_token)
        ig_user_id, username = client.me(long.access_token)
    except GraphError as exc:
        raise ProviderError(
            PROVIDER_NAME,
            _("Instagram refused the connection: %(detail)s"),
            code="instagram_connect_failed",
            params={"detail": exc.detail},
        ) from exc
    now = clock.now()
    expires_at = now + timedelta(seconds=long.expires_in or 60 * 86400)
    with transaction.atomic():
        account, created = InstagramAccount.objects.select_for_update().update_or_create(
            store=store,
            defaults={
                "ig_user_id": ig_user_id or short.user_id,
                "username": username,
                "access_token": long.access_token,
                "token_issued_at": now,
                "token_expires_at": expires_at,
                "refresh_due_at": _refresh_due(now, expires_at),
                "last_error": "",
            },
        )
        _resume_held(store)
        audit_record(
            actor=actor,
            action="instagram.connect",
            target=store,
            before=None,
            after={"username": username, "ig_user_id": account.ig_user_id},
        )
        _enqueue_refresh(account)
    return account


def _refresh_due(issued_at: datetime, expires_at: datetime) -> datetime:
    return max(expires_at - REFRESH_BEFORE_EXPIRY, issued_at + REFRESH_MIN_AGE)


def _enqueue_refresh(account: InstagramAccount) -> None:
    from instagram.tasks import instagram_token_refresh_task

    instagram_token_refresh_task.using(run_after=account.refresh_due_at).enqueue(account_id=str(account.pk))


def instagram_disconnect(*, actor: User) -> int:
    """Forget the store's account and token. Drafts stay drafts; posts still waiting to publish
    (scheduled, publishing, waiting for quota) go on hold ("disconnected", our reason, not
    Instagram's) and are scheduled again when the store reconnects. Returns how many were put
    on hold. Raises Conflict (`instagram_not_connected`) when none is connected."""
    store = _seller_store(actor)
    with transaction.atomic():
        account = InstagramAccount.objects.select_for_update().filter(store=store).first()
        if account is None:
            raise Conflict(_("Instagram is not connected"), code="instagram_not_connected")
        held = 0
        for post in InstagramPost.objects.select_for_update().filter(store=store, status__in=InstagramPost.IN_FLIGHT):
            _hold(post, "disconnected")
            post.save()
            held += 1
        audit_record(
            actor=actor, action="instagram.disconnect", target=store, before={"username": account.username}, after=None
        )
        account.delete()
    return held


def _refresh_account(account: InstagramAccount, client: InstagramGraphClient, now: datetime) -> bool:
    """Refresh under the caller's lock; True on success. A refusal is kept on the account and
    the old token stays in use while it is valid."""
    try:
        token = client.refresh(account.access_token)
    except GraphError as exc:
        account.last_error = exc.detail[:500]
        # Try again later while the old token still works.
        account.refresh_due_at = min(now + REFRESH_RETRY, account.token_expires_at)
        account.save(update_fields=["last_error", "refresh_due_at", "updated_at"])
        if account.refresh_due_at < account.token_expires_at:
            _enqueue_refresh(account)
        return False
    account.access_token = token.access_token
    account.token_issued_at = now
    account.token_expires_at = now + timedelta(seconds=token.expires_in or 60 * 86400)
    account.refresh_due_at = _refresh_due(now, account.token_expires_at)
    account.last_error = ""
    account.save()
    _enqueue_refresh(account)
    return True


def instagram_token_refresh(*, account_id: str) -> str:
    """The background refresh of an account's token: "refreshed", "not_due" (an early or
    duplicate task: the one queued for `refresh_due_at` does it), "expired" (too late:
    the seller must connect again), "failed" (Instagram refused; kept in `last_error`) or
    "missing". Never calls Instagram for a token younger than 24 h."""
    with transaction.atomic():
        account = InstagramAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None:
            return "missing"
        now = clock.now()
        if account.token_expires_at <= now:
            # The page tells the seller from `token_expires_at` (in her language); `last_error`
            # keeps only Instagram's own words.
            return "expired"
        if now < account.refresh_due_at or now - account.token_issued_at < REFRESH_MIN_AGE:
            return "not_due"
        return "refreshed" if _refresh_account(account, _client(), now) else "failed"
