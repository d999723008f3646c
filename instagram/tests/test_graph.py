"""The simulated Graph API's rules (providers-2.md section 6, "a faithful simulator must
enforce" 1-7), driven through the live client over real HTTP on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from instagram.fakeserver import FakeGraphServer
from instagram.graph import GraphError, GraphPlatform, InstagramGraphClient
from instagram.simstate import MemoryState

APP_ID = "990011"
APP_SECRET = "s3cret-app"
REDIRECT = "https://tokoblitar.test/dashboard/instagram/kembali/"
GOOD = "https://tokoblitar.test/media/products/sambal.jpg"
BIG = "https://tokoblitar.test/media/products/poster.jpg"


class FakeClock:
    def __init__(self):
        self.value = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.value

    def advance(self, **delta) -> None:
        self.value += timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def platform(clock):
    sizes = {GOOD: 350_000, BIG: 8 * 1024 * 1024 + 1}
    return GraphPlatform(MemoryState(), app_id=APP_ID, app_secret=APP_SECRET, now=clock.now, image_size=sizes.get)


@pytest.fixture
def server(platform):
    with FakeGraphServer(platform) as running:
        yield running


@pytest.fixture
def client(server):
    return InstagramGraphClient(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        graph_url=server.url,
        token_url=server.url + "/oauth/access_token",
        timeout=5,
    )


def _connect(platform, client, username="tokosri"):
    code = platform.consent(username=username, client_id=APP_ID, redirect_uri=REDIRECT)
    short = client.exchange_code(code=code, redirect_uri=REDIRECT)
    long = client.exchange_long_lived(short.access_token)
    return short, long


def _error(excinfo) -> GraphError:
    return excinfo.value


def test_login_code_exchange_long_lived_token_and_me(platform, client, server):
    short, long = _connect(platform, client)
    assert short.user_id and "instagram_business_content_publish" in short.permissions
    assert long.expires_in == 60 * 86400 and long.access_token != short.access_token
    user_id, username = client.me(long.access_token)
    assert (user_id, username) == (short.user_id, "tokosri")
    # What went over the wire: the code exchange is a form POST with the app's secret, the
    # long-lived exchange a GET with grant_type=ig_exchange_token.
    token_call = next(r for r in server.requests if r.url.path == "/oauth/access_token")
    assert token_call.method == "POST" and b"grant_type=authorization_code" in token_call.content
    exchange = next(r for r in server.requests if r.url.path == "/access_token")
    assert exchange.url.params["grant_type"] == "ig_exchange_token"
    # Graph calls carry the token in the Authorization header, never in the (logged) URL.
    me_call = next(r for r in server.requests if r.url.path == "/v23.0/me")
    assert "access_token" not in me_call.url.params
    assert me_call.headers["authorization"] == f"Bearer {long.access_token}"


def test_code_is_single_use_expires_and_binds_redirect_uri_and_app_secret(platform, client, clock, server):
    code = platform.consent(username="tokosri", client_id=APP_ID, redirect_uri=REDIRECT)
    client.exchange_code(code=code, redirect_uri=REDIRECT)
    with pytest.raises(GraphError) as again:
        client.exchange_code(code=code, redirect_uri=REDIRECT)
    assert "has been used" in _error(again).detail

    code = platform.consent(username="tokosri", client_id=APP_ID, redirect_uri=REDIRECT)
    with pytest.raises(GraphError) as elsewhere:
        client.exchange_code(code=code, redirect_uri="https://evil.test/cb")
    assert "redirect_uri" in _error(elsewhere).detail

    code = platform.consent(username="tokosri", client_id=APP_ID, redirect_uri=REDIRECT)
    clock.advance(hours=1, seconds=1)
    with pytest.raises(GraphError) as late:
        client.exchange_code(code=code, redirect_uri=REDIRECT)
    assert "expired" in _error(late).detail

    code = platform.consent(username="tokosri", client_id=APP_ID, redirect_uri=REDIRECT)
    wrong = InstagramGraphClient(
        app_id=APP_ID, app_secret="guess", graph_url=server.url, token_url=server.url + "/oauth/access_token"
    )
    with pytest.raises(GraphError):
        wrong.exchange_code(code=code, redirect_uri=REDIRECT)


def test_meta_error_shape(platform, server):
    response = httpx.get(f"{server.url}/v23.0/me", params={"fields": "user_id,username", "access_token": "nope"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "OAuthException" and error["code"] == 190
    assert {"message", "type", "code", "is_transient", "fbtrace_id"} <= set(error)


def test_container_in_progress_then_finished_and_early_publish_refused(platform, client, clock):
    """Rules 1 and 2: IN_PROGRESS until the configured delay; media_publish before FINISHED is
    9007/2207027; after it, the publish succeeds."""
    platform.configure(ready_after_seconds=30)
    short, long = _connect(platform, client)
    container = client.create_container(long.access_token, short.user_id, image_url=GOOD, caption="Sambal pecel")
    assert client.container_status(long.access_token, container).status_code == "IN_PROGRESS"
    with pytest.raises(GraphError) as early:
        client.publish(long.access_token, short.user_id, creation_id=container)
    assert _error(early).pair == (9007, 2207027) and _error(early).status == 400
    clock.advance(seconds=30)
    assert client.container_status(long.access_token, container).status_code == "FINISHED"
    media_id = client.publish(long.access_token, short.user_id, creation_id=container)
    assert client.permalink(long.access_token, media_id).startswith("https://www.instagram.com/p/")
    assert client.container_status(long.access_token, container).status_code == "PUBLISHED"


def test_unreachable_image_errors_and_large_image_is_refused(platform, client, clock):
    """Rule 3: an image URL that cannot be fetched → container ERROR with 2207003; over 8 MiB → 36000/2207004."""
    short, long = _connect(platform, client)
    container = client.create_container(
        long.access_token, short.user_id, image_url="https://elsewhere.test/x.jpg", caption="x"
    )
    clock.advance(seconds=10)
    status = client.container_status(long.access_token, container)
    assert status.status_code == "ERROR" and status.subcode == 2207003
    with pytest.raises(GraphError) as big:
        client.create_container(long.access_token, short.user_id, image_url=BIG, caption="x")
    assert _error(big).pair == (36000, 2207004)


def test_container_expires_after_24_hours(platform, client, clock):
    """Rule 4: EXPIRED 24 h after creation; publishing it is -2/2207020."""
    short, long = _connect(platform, client)
    container = client.create_container(long.access_token, short.user_id, image_url=GOOD, caption="x")
    clock.advance(hours=23, minutes=59)
    assert client.container_status(long.access_token, container).status_code == "FINISHED"
    clock.advance(minutes=1)
    assert client.container_status(long.access_token, container).status_code == "EXPIRED"
    with pytest.raises(GraphError) as expired:
        client.publish(long.access_token, short.user_id, creation_id=container)
    assert _error(expired).pair == (-2, 2207020)


def test_rolling_quota(platform, client, clock):
    """Rule 5: the limit endpoint reports usage and total (default 50, configurable); over it,
    media_publish is 9/2207042; the window rolls after 86400 s."""
    short, long = _connect(platform, client)
    token, ig = long.access_token, short.user_id
    limit = client.publishing_limit(token, ig)
    assert (limit.quota_usage, limit.quota_total, limit.quota_duration) == (0, 50, 86400)
    platform.configure(quota_total=2, ready_after_seconds=0)
    for _ in range(2):
        client.publish(token, ig, creation_id=client.create_container(token, ig, image_url=GOOD, caption="x"))
        clock.advance(hours=1)
    assert client.publishing_limit(token, ig).quota_usage == 2
    third = client.create_container(token, ig, image_url=GOOD, caption="x")
    with pytest.raises(GraphError) as over:
        client.publish(token, ig, creation_id=third)
    assert _error(over).pair == (9, 2207042)
    clock.advance(hours=22, seconds=1)  # the first publish leaves the 24 h window
    assert client.publishing_limit(token, ig).quota_usage == 1
    assert client.publish(token, ig, creation_id=third)


def test_token_refresh_only_when_at_least_24_hours_old_and_unexpired(platform, client, clock):
    """Rule 6."""
    short, long = _connect(platform, client)
    with pytest.raises(GraphError) as young:
        client.refresh(long.access_token)
    assert "24 hours" in _error(young).detail
    with pytest.raises(GraphError):
        client.refresh(short.access_token)  # a short-lived token is never refreshed
    clock.advance(hours=24)
    fresh = client.refresh(long.access_token)
    assert fresh.access_token != long.access_token and fresh.expires_in == 60 * 86400
    clock.advance(days=61)
    with pytest.raises(GraphError) as expired:
        client.refresh(fresh.access_token)
    assert _error(expired).graph_code == 190 and _error(expired).subcode == 463


def test_a_container_publishes_once(platform, client):
    """Rule 7."""
    platform.configure(ready_after_seconds=0)
    short, long = _connect(platform, client)
    container = client.create_container(long.access_token, short.user_id, image_url=GOOD, caption="x")
    client.publish(long.access_token, short.user_id, creation_id=container)
    with pytest.raises(GraphError) as twice:
        client.publish(long.access_token, short.user_id, creation_id=container)
    assert _error(twice).status == 400
    assert client.publishing_limit(long.access_token, short.user_id).quota_usage == 1


def test_another_accounts_objects_are_not_reachable(platform, client):
    platform.configure(ready_after_seconds=0)
    sri, sri_token = _connect(platform, client, "tokosri")
    budi, budi_token = _connect(platform, client, "tokobudi")
    container = client.create_container(sri_token.access_token, sri.user_id, image_url=GOOD, caption="x")
    with pytest.raises(GraphError):
        client.container_status(budi_token.access_token, container)
    with pytest.raises(GraphError):
        client.publish(budi_token.access_token, sri.user_id, creation_id=container)


def test_network_failure_is_a_transient_graph_error():
    client = InstagramGraphClient(app_id=APP_ID, app_secret=APP_SECRET, graph_url="http://127.0.0.1:9", timeout=1)
    with pytest.raises(GraphError) as down:
        client.me("token")
    assert _error(down).is_transient and _error(down).reason_code == "network"
