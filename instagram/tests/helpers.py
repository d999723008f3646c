"""Builders for the Instagram tests: switch on, connect through the simulated consent, run tasks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django_tasks_db.models import DBTaskResult

from instagram.models import InstagramAccount, InstagramPost, SimulatedGraphObject
from instagram.services import instagram_connect_finish, instagram_connect_start
from instagram.tasks import instagram_post_publish
from stores.models import Store, StoreFeatureFlags
from tokoblitar.providers import get_provider

REDIRECT = "http://testserver/dashboard/instagram/kembali/"
PUBLISH_TASK = "instagram.tasks.instagram_post_publish"
REFRESH_TASK = "instagram.tasks.instagram_token_refresh_task"


def enable(store: Store, on: bool = True) -> None:
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"instagram": on})


def simulator():
    return get_provider("instagram")


def connect(seller, username: str = "tokosri") -> InstagramAccount:
    """The whole login: start (state in a session), consent on the simulated Instagram, callback."""
    session: dict = {}
    url = instagram_connect_start(actor=seller, session=session, redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    code = simulator().platform.consent(
        username=username, client_id=query["client_id"][0], redirect_uri=query["redirect_uri"][0]
    )
    return instagram_connect_finish(actor=seller, session=session, code=code, state=query["state"][0])


def configure(**values) -> None:
    simulator().platform.configure(**values)


def run(post: InstagramPost) -> InstagramPost:
    instagram_post_publish.call(post_id=str(post.pk))
    post.refresh_from_db()
    return post


def queued(task_path: str = PUBLISH_TASK) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_path).order_by("enqueued_at"))


def published_media() -> int:
    return SimulatedGraphObject.objects.filter(kind="media").count()
