"""The Instagram Graph API (Instagram Login, content publishing): live client and simulator.

Wire facts (providers-2.md section 6):
- Consent at `www.instagram.com/oauth/authorize`; the code is exchanged at
  `POST api.instagram.com/oauth/access_token` (form: client_id, client_secret, grant_type,
  redirect_uri, code) for a 1-hour token; `GET graph.instagram.com/access_token?grant_type=
  ig_exchange_token` gives the 60-day token; `GET /refresh_access_token?grant_type=ig_refresh_token`
  renews a token only when it is at least 24 h old and unexpired.
- Publishing: `POST /<IG_ID>/media {image_url, caption}` → container; poll
  `GET /<container>?fields=status_code,status` (IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED
  after 24 h); `POST /<IG_ID>/media_publish {creation_id}` → media id; the rolling quota is read
  from `GET /<IG_ID>/content_publishing_limit?fields=quota_usage,config`.
- Errors: `{"error": {message, type, code, error_subcode, is_transient, error_user_title,
  error_user_msg, fbtrace_id}}` (api.instagram.com's code exchange answers in its older
  `{error_type, code, error_message}` shape).

`GraphPlatform` is a stateful implementation of those endpoints (an `httpx.Request -> Response`
handler). `SimulatorInstagramGraphClient` is the live client over an `httpx.MockTransport` of it,
state in the database; `instagram.fakeserver` serves the same handler on 127.0.0.1 for the live
client's tests. The client never touches our models; services decide what errors mean.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from django.utils.translation import gettext_lazy as _

from tokoblitar.errors import ProviderError

PROVIDER_NAME = "Instagram"
GRAPH_VERSION = "v23.0"
TOKEN_URL = "https://api.instagram.com/oauth/access_token"  # noqa: S105 - a URL, not a secret
SCOPES = "instagram_business_basic,instagram_business_content_publish"

# Meta's limits and lifetimes (providers-2.md section 6).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
CONTAINER_TTL = timedelta(hours=24)
SHORT_TOKEN_TTL = timedelta(hours=1)
LONG_TOKEN_TTL = timedelta(days=60)
REFRESH_MIN_AGE = timedelta(hours=24)
CODE_TTL = timedelta(hours=1)
DEFAULT_QUOTA_TOTAL = 50
QUOTA_DURATION = 86400
DEFAULT_READY_SECONDS = 5

# Error (code, subcode) pairs the services switch on.
NOT_READY = (9007, 2207027)
QUOTA_REACHED = (9, 2207042)
IMAGE_TOO_LARGE = (36000, 2207004)
DOWNLOAD_FAILED = (-2, 2207003)
MEDIA_EXPIRED = (-2, 2207020)
TOKEN_INVALID = 190


class GraphError(ProviderError):
    """The Graph API refused or failed a call.

    `code` / `subcode`: Meta's `code` and `error_subcode` (0 when absent; `status` 0 and
    `code` 0 for a network failure); `detail`: Meta's message as received; `is_transient`:
    Meta (or the network) says a retry may work."""

    default_code = "instagram_error"

    def __init__(self, detail: str, *, code: int = 0, subcode: int = 0, is_transient: bool = False, status: int = 0):
        self.graph_code = code
        self.subcode = subcode
        self.is_transient = is_transient
        self.status = status
        self.detail = detail
        # Meta's words go in a parameter (shown as received), never in the msgid.
        super().__init__(
            PROVIDER_NAME,
            _("Instagram answered: %(detail)s"),
            params={"detail": detail, "graph_code": code, "subcode": subcode},
        )

    @property
    def pair(self) -> tuple[int, int]:
        return (self.graph_code, self.subcode)

    @property
    def reason_code(self) -> str:
        """ "code/subcode" as stored on a failed post ("9007/2207027"; "network" for no answer)."""
        if not self.status and not self.graph_code:
            return "network"
        return f"{self.graph_code}/{self.subcode}" if self.subcode else str(self.graph_code)


@dataclass
class ShortLivedToken:
    access_token: str
    user_id: str
    permissions: str = ""


@dataclass
class LongLivedToken:
    """A 60-day token; `expires_in` in seconds from now."""

    access_token: str
    expires_in: int


@dataclass
class ContainerStatus:
    """`status_code`: IN_PROGRESS | FINISHED | PUBLISHED | ERROR | EXPIRED; `status`: Meta's text
    (for ERROR it carries the subcode); `subcode`: parsed from it (0 when none)."""

    status_code: str
    status: str
    subcode: int = 0


@dataclass
class PublishingLimit:
    quota_usage: int
    quota_total: int
    quota_duration: int


class InstagramGraphClient:
    """The live Graph API client (httpx). Options come from the provider registry:
    `app_id`, `app_secret`, `graph_url` (https://graph.instagram.com), `auth_url` (the consent
    page), `timeout` (seconds). `token_url` and `transport` are for the simulator and tests.
    Every method raises GraphError."""

    is_simulator = False

    def __init__(
        self,
        *,
        app_id: str = "",
        app_secret: str = "",
        graph_url: str = "https://graph.instagram.com",
        auth_url: str = "https://www.instagram.com/oauth/authorize",
        timeout: float = 20.0,
        token_url: str = TOKEN_URL,
        transport: httpx.BaseTransport | None = None,
    ):
        self.app_id = app_id
        self.app_secret = app_secret
        self.graph_url = (graph_url or "https://graph.instagram.com").rstrip("/")
        self.auth_url = auth_url or "https://www.instagram.com/oauth/authorize"
        self.token_url = token_url
        self.timeout = float(timeout or 20.0)
        self.transport = transport

    # --- HTTP -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        data: dict | None = None,
        json_body: dict | None = None,
        token: str = "",
    ) -> dict:
        # Graph calls carry the token in the Authorization header (never in a logged URL).
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                response = http.request(method, url, params=params, data=data, json=json_body, headers=headers)
        except httpx.HTTPError as exc:
            raise GraphError(f"{type(exc).__name__}: {exc}", is_transient=True) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body and body["error"]):
            raise _error_from(response.status_code, body)
        if not isinstance(body, dict):
            raise GraphError("Unexpected answer", status=response.status_code)
        return body

    def _graph(self, method: str, path: str, token: str, **fields: Any) -> dict:
        url = f"{self.graph_url}/{GRAPH_VERSION}/{path.lstrip('/')}"
        if method == "GET":
            return self._send("GET", url, params=fields, token=token)
        return self._send(method, url, json_body=fields, token=token)

    # --- Login and tokens ---------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """The consent page; Instagram comes back to `redirect_uri` with `code` and `state`."""
        query = urlencode(
            {
                "client_id": self.app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPES,
                "state": state,
            }
        )
        return f"{self.auth_url}?{query}"

    def exchange_code(self, *, code: str, redirect_uri: str) -> ShortLivedToken:
        """A 1-hour token for a single-use authorization code (valid 1 hour)."""
        # Instagram appends "#_" to the redirect; a copied code may still carry it.
        code = code.split("#", 1)[0]
        body = self._send(
            "POST",
            self.token_url,
            data={
                "client_id": self.app_id,
                "client_secret": self.app_secret,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        # Business Login answers {"data": [{...}]}; the older form is flat.
        row = body["data"][0] if isinstance(body.get("data"), list) and body["data"] else body
        if not row.get("access_token"):
            raise GraphError("No access token in the answer")
        return ShortLivedToken(str(row["access_token"]), str(row.get("user_id", "")), str(row.get("permissions", "")))

    def exchange_long_lived(self, short_token: str) -> LongLivedToken:
        body = self._send(
            "GET",
            f"{self.graph_url}/access_token",
            params={"grant_type": "ig_exchange_token", "client_secret": self.app_secret, "access_token": short_token},
        )
        return LongLivedToken(str(body["access_token"]), int(body.get("expires_in", 0)))

    def refresh(self, token: str) -> LongLivedToken:
        """A new 60-day token; Meta refuses tokens younger than 24 h or expired."""
        body = self._send(
            "GET",
            f"{self.graph_url}/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": token},
        )
        return LongLivedToken(str(body["access_token"]), int(body.get("expires_in", 0)))

    def me(self, token: str) -> tuple[str, str]:
        """(IG user id, username) of the token's account."""
        body = self._graph("GET", "me", token, fields="user_id,username")
        return str(body.get("user_id") or body.get("id")), str(body.get("username", ""))

    # --- Publishing -------------------------------------------------------------------

    def create_container(self, token: str, ig_user_id: str, *, image_url: str, caption: str) -> str:
        body = self._graph("POST", f"{ig_user_id}/media", token, image_url=image_url, caption=caption)
        return str(body["id"])

    def container_status(self, token: str, container_id: str) -> ContainerStatus:
        body = self._graph("GET", container_id, token, fields="status_code,status")
        status = str(body.get("status", ""))
        match = re.search(r"\b(22\d{5})\b", status)
        return ContainerStatus(str(body.get("status_code", "")), status, int(match.group(1)) if match else 0)

    def publish(self, token: str, ig_user_id: str, *, creation_id: str) -> str:
        body = self._graph("POST", f"{ig_user_id}/media_publish", token, creation_id=creation_id)
        return str(body["id"])

    def publishing_limit(self, token: str, ig_user_id: str) -> PublishingLimit:
        body = self._graph("GET", f"{ig_user_id}/content_publishing_limit", token, fields="quota_usage,config")
        row = (body.get("data") or [{}])[0]
        config = row.get("config") or {}
        return PublishingLimit(
            int(row.get("quota_usage", 0)),
            int(config.get("quota_total", DEFAULT_QUOTA_TOTAL)),
            int(config.get("quota_duration", QUOTA_DURATION)),
        )

    def permalink(self, token: str, media_id: str) -> str:
        body = self._graph("GET", media_id, token, fields="permalink")
        return str(body.get("permalink", ""))


def _error_from(status: int, body: Any) -> GraphError:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return GraphError(
            str(err.get("error_user_msg") or err.get("message") or "error"),
            code=int(err.get("code") or 0),
            subcode=int(err.get("error_subcode") or 0),
            is_transient=bool(err.get("is_transient")) or status >= 500,
            status=status,
        )
    if isinstance(body, dict) and "error_message" in body:  # api.instagram.com's older shape
        return GraphError(str(body["error_message"]), code=int(body.get("code") or status), status=status)
    return GraphError(f"HTTP {status}", code=status, is_transient=status >= 500 or status == 429, status=status)


# --- The platform side ------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.isoformat()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _new_id() -> str:
    # Graph ids are long decimal strings.
    return str(17_000_000_000_000_000 + secrets.randbelow(10**15))


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    transient: bool = False,
    user_title: str = "",
    user_msg: str = "",
) -> httpx.Response:
    """Meta's error envelope."""
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": secrets.token_urlsafe(12),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
    return httpx.Response(status, json={"error": error})


class GraphPlatform:
    """A stateful Instagram Graph API (the endpoints we use) as an httpx handler.

    `state`: DbState or MemoryState; `app_id` / `app_secret`: the one app it knows;
    `now`: the clock (aware datetimes); `image_size(url) -> int | None`: what "fetching" the
    image URL finds (bytes, or None when unreachable). Its rules (providers-2.md section 6):
    containers go IN_PROGRESS → FINISHED after `ready_after_seconds` (config), publishing before
    FINISHED is 9007/2207027, an unreachable image ERRORs with 2207003 and one over 8 MiB is
    refused with 36000/2207004, containers EXPIRE 24 h after creation, a rolling quota
    (config `quota_total`, default 50, per 86400 s) refuses with 9/2207042, tokens refresh only
    when at least 24 h old and unexpired, and a container publishes once."""

    def __init__(
        self,
        state: Any,
        *,
        app_id: str,
        app_secret: str,
        now: Callable[[], datetime],
        image_size: Callable[[str], int | None],
    ):
        self.state = state
        self.app_id = app_id
        self.app_secret = app_secret
        self.now = now
        self.image_size = image_size

    # --- Control surface (simulator buttons, demo, tests) ---------------------------------

    def config(self) -> dict[str, Any]:
        stored = self.state.get("config", "platform") or {}
        return {"ready_after_seconds": DEFAULT_READY_SECONDS, "quota_total": DEFAULT_QUOTA_TOTAL, **stored}

    def configure(self, **values: Any) -> dict[str, Any]:
        """Set `ready_after_seconds` and/or `quota_total`; returns the whole config."""
        config = {**self.config(), **values}
        self.state.put("config", "platform", config)
        return config

    def consent(self, *, username: str, client_id: str, redirect_uri: str) -> str:
        """The account owner allows the app: a fresh single-use code (valid 1 hour) for
        `username` (made on first use as a professional account)."""
        users = {data["username"]: key for key, data in self.state.all("user")}
        user_id = users.get(username)
        if user_id is None:
            user_id = _new_id()
            self.state.put("user", user_id, {"username": username})
        code = secrets.token_urlsafe(24)
        self.state.put(
            "code",
            code,
            {"user_id": user_id, "client_id": client_id, "redirect_uri": redirect_uri, "issued_at": _iso(self.now())},
        )
        return code

    # --- HTTP -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            body = request.read()
            if "json" in content_type:
                try:
                    params.update({k: str(v) for k, v in json.loads(body or b"{}").items()})
                except (ValueError, AttributeError):
                    return graph_error(400, 100, "Invalid JSON body")
            else:
                params.update(dict(parse_qsl(body.decode("utf-8", "replace"))))
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and "access_token" not in params:
            params["access_token"] = auth[7:].strip()
        path = re.sub(r"^/v\d+\.\d+(?=/)", "", urlsplit(str(request.url)).path).rstrip("/")
        method = request.method

        if path == "/oauth/access_token" and method == "POST":
            return self._oauth_token(params)
        if path == "/access_token" and method == "GET":
            return self._exchange(params)
        if path == "/refresh_access_token" and method == "GET":
            return self._refresh(params)
        token = self._token(params.get("access_token", ""))
        if isinstance(token, httpx.Response):
            return token
        parts = path.strip("/").split("/")
        if parts == ["me"] and method == "GET":
            user = self.state.get("user", token["user_id"]) or {}
            return httpx.Response(
                200, json={"user_id": token["user_id"], "username": user.get("username", ""), "id": token["user_id"]}
            )
        if len(parts) == 2 and parts[0] != token["user_id"]:
            return graph_error(400, 100, f"Unsupported request - object with ID '{parts[0]}' cannot be accessed")
        if len(parts) == 2 and parts[1] == "media" and method == "POST":
            return self._create_container(token["user_id"], params)
        if len(parts) == 2 and parts[1] == "media_publish" and method == "POST":
            return self._publish(token["user_id"], params)
        if len(parts) == 2 and parts[1] == "content_publishing_limit" and method == "GET":
            config = self.config()
            return httpx.Response(
                200,
                json={
                    "data": [
                        {
                            "quota_usage": self._usage(token["user_id"]),
                            "config": {"quota_total": int(config["quota_total"]), "quota_duration": QUOTA_DURATION},
                        }
                    ]
                },
            )
        if len(parts) == 1 and method == "GET":
            return self._read_object(token["user_id"], parts[0])
        return graph_error(400, 100, "Unsupported request")

    # --- Tokens -----------------------------------------------------------------------

    def _oauth_token(self, params: dict[str, str]) -> httpx.Response:
        def refuse(message: str, code: int = 400) -> httpx.Response:
            return httpx.Response(code, json={"error_type": "OAuthException", "code": code, "error_message": message})

        if params.get("client_id") != self.app_id or not secrets.compare_digest(
            params.get("client_secret", ""), self.app_secret
        ):
            return refuse("Invalid platform app")
        if params.get("grant_type") != "authorization_code":
            return refuse("Invalid grant_type")
        # Single use: taken in one step, so two exchanges of one code cannot both succeed.
        code = self.state.take("code", params.get("code", ""))
        if code is None:
            return refuse("This authorization code has been used")
        if self.now() - _parse(code["issued_at"]) > CODE_TTL:
            return refuse("This authorization code has expired")
        if code["redirect_uri"] != params.get("redirect_uri"):
            return refuse("Error validating verification code. Please make sure your redirect_uri is identical")
        token = self._issue(code["user_id"], "short", SHORT_TOKEN_TTL)
        return httpx.Response(
            200, json={"data": [{"access_token": token, "user_id": code["user_id"], "permissions": SCOPES}]}
        )

    def _issue(self, user_id: str, kind: str, ttl: timedelta) -> str:
        token = "IG" + secrets.token_urlsafe(32)
        now = self.now()
        self.state.put(
            "token", token, {"user_id": user_id, "kind": kind, "issued_at": _iso(now), "expires_at": _iso(now + ttl)}
        )
        return token

    def _token(self, value: str) -> dict[str, Any] | httpx.Response:
        row = self.state.get("token", value) if value else None
        if row is None:
            return graph_error(400, TOKEN_INVALID, "Invalid OAuth access token - Cannot parse access token")
        if self.now() >= _parse(row["expires_at"]):
            return graph_error(400, TOKEN_INVALID, "Error validating access token: Session has expired", subcode=463)
        return row

    def _exchange(self, params: dict[str, str]) -> httpx.Response:
        if params.get("grant_type") != "ig_exchange_token":
            return graph_error(400, 100, "Invalid grant_type")
        if not secrets.compare_digest(params.get("client_secret", ""), self.app_secret):
            return graph_error(400, 101, "Error validating client secret.")
        token = self._token(params.get("access_token", ""))
        if isinstance(token, httpx.Response):
            return token
        long = self._issue(token["user_id"], "long", LONG_TOKEN_TTL)
        return httpx.Response(
            200, json={"access_token": long, "token_type": "bearer", "expires_in": int(LONG_TOKEN_TTL.total_seconds())}
        )

    def _refresh(self, params: dict[str, str]) -> httpx.Response:
        if params.get("grant_type") != "ig_refresh_token":
            return graph_error(400, 100, "Invalid grant_type")
        value = params.get("access_token", "")
        token = self._token(value)
        if isinstance(token, httpx.Response):
            return token
        if token["kind"] != "long":
            return graph_error(400, 100, "Only long-lived tokens can be refreshed")
        # Meta refreshes only tokens at least 24 h old (the error wording is ours: unverified).
        if self.now() - _parse(token["issued_at"]) < REFRESH_MIN_AGE:
            return graph_error(400, 100, "The access token must be at least 24 hours old to be refreshed")
        new = self._issue(token["user_id"], "long", LONG_TOKEN_TTL)
        return httpx.Response(
            200, json={"access_token": new, "token_type": "bearer", "expires_in": int(LONG_TOKEN_TTL.total_seconds())}
        )

    # --- Containers and media ---------------------------------------------------------

    def _create_container(self, user_id: str, params: dict[str, str]) -> httpx.Response:
        image_url = params.get("image_url", "")
        if not image_url:
            return graph_error(400, 100, "The parameter image_url is required")
        if len(params.get("caption", "")) > 2200:
            return graph_error(400, 100, "The caption is longer than 2200 characters")
        size = self.image_size(image_url)
        if size is not None and size > MAX_IMAGE_BYTES:
            return graph_error(
                400,
                IMAGE_TOO_LARGE[0],
                "The image size is too large.",
                subcode=IMAGE_TOO_LARGE[1],
                user_title="Ukuran gambar terlalu besar",
                user_msg="The image is larger than the maximum size of 8 MiB.",
            )
        container_id = _new_id()
        self.state.put(
            "container",
            container_id,
            {
                "user_id": user_id,
                "image_url": image_url,
                "caption": params.get("caption", ""),
                "created_at": _iso(self.now()),
                "download_failed": size is None,
                "media_id": "",
            },
        )
        return httpx.Response(200, json={"id": container_id})

    def _container_status(self, container: dict[str, Any]) -> tuple[str, str]:
        if container.get("media_id"):
            return "PUBLISHED", "Published"
        age = self.now() - _parse(container["created_at"])
        if age >= CONTAINER_TTL:
            return "EXPIRED", "Expired: the container was not published within 24 hours"
        if age < timedelta(seconds=float(self.config()["ready_after_seconds"])):
            return "IN_PROGRESS", "In Progress: Media is still being processed."
        if container.get("download_failed"):
            return "ERROR", f"Error: Media download has failed. Subcode {DOWNLOAD_FAILED[1]}: the media URI timed out."
        return "FINISHED", "Finished: Media has been uploaded and it is ready to be published."

    def _read_object(self, user_id: str, object_id: str) -> httpx.Response:
        container = self.state.get("container", object_id)
        if container is not None and container["user_id"] == user_id:
            status_code, status = self._container_status(container)
            return httpx.Response(200, json={"status_code": status_code, "status": status, "id": object_id})
        media = self.state.get("media", object_id)
        if media is not None and media["user_id"] == user_id:
            return httpx.Response(
                200, json={"id": object_id, "permalink": media["permalink"], "timestamp": media["published_at"]}
            )
        return graph_error(
            400, 100, f"Unsupported get request. Object with ID '{object_id}' does not exist", subcode=33
        )

    def _usage(self, user_id: str) -> int:
        since = self.now() - timedelta(seconds=QUOTA_DURATION)
        return sum(
            1
            for _key, media in self.state.all("media")
            if media["user_id"] == user_id and _parse(media["published_at"]) > since
        )

    def _publish(self, user_id: str, params: dict[str, str]) -> httpx.Response:
        creation_id = params.get("creation_id", "")
        container = self.state.get("container", creation_id)
        if container is None or container["user_id"] != user_id:
            return graph_error(400, 100, "The parameter creation_id is invalid", subcode=2207032)
        status_code, _status = self._container_status(container)
        if status_code == "PUBLISHED":
            # Publish once per container (the wording is ours: unverified).
            return graph_error(400, 100, "The media has already been published")
        if status_code == "EXPIRED":
            return graph_error(
                400,
                MEDIA_EXPIRED[0],
                "The media you are trying to publish has expired. Please create a new media container.",
                subcode=MEDIA_EXPIRED[1],
            )
        if status_code != "FINISHED":
            return graph_error(
                400,
                NOT_READY[0],
                "Media ID is not available",
                subcode=NOT_READY[1],
                user_title="Media tidak siap untuk dipublikasikan",
                user_msg="The media is not ready for publishing, please wait for a moment",
            )
        if self._usage(user_id) >= int(self.config()["quota_total"]):
            return graph_error(
                400,
                QUOTA_REACHED[0],
                "Application request limit reached",
                subcode=QUOTA_REACHED[1],
                user_title="Batas posting tercapai",
                user_msg="You reached the maximum number of posts allowed through the API in 24 hours.",
            )
        media_id = _new_id()
        user = self.state.get("user", user_id) or {}
        self.state.put(
            "media",
            media_id,
            {
                "user_id": user_id,
                "container_id": creation_id,
                "caption": container["caption"],
                "published_at": _iso(self.now()),
                "permalink": f"https://www.instagram.com/p/{secrets.token_urlsafe(8)}/",
                "username": user.get("username", ""),
            },
        )
        container["media_id"] = media_id
        self.state.put("container", creation_id, container)
        return httpx.Response(200, json={"id": media_id})


# --- The simulator ----------------------------------------------------------------------


def our_media_size(url: str) -> int | None:
    """What Meta's fetch of `url` would find, offline: the size in bytes of a file in our own
    media storage that the URL names (on our site's host, or on the storage's own host for R2),
    else None: an address we do not serve is "unreachable", and the simulator never fetches
    anything from the network."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    parts = urlsplit(url)
    site_host = urlsplit(settings.SITE_URL).netloc
    prefix = urlsplit(settings.MEDIA_URL).path or "/media/"
    names = [parts.path[len(prefix) :]] if parts.path.startswith(prefix) else []
    names.append(parts.path.lstrip("/"))  # R2: the object key is the whole path
    for name in names:
        if not name or ".." in name.split("/"):
            continue
        try:
            if not default_storage.exists(name):
                continue
            storage_host = urlsplit(default_storage.url(name)).netloc
            if parts.netloc not in {site_host, storage_host or site_host}:
                continue
            return default_storage.size(name)
        except (OSError, NotImplementedError, ValueError):
            # A storage backend without size()/url() (Django's Storage raises NotImplementedError)
            # or a bad name: the image cannot be vouched for, so Instagram "cannot fetch" it.
            return None
    return None


class SimulatorInstagramGraphClient(InstagramGraphClient):
    """The live client over an in-process `GraphPlatform` (state in SimulatedGraphObject rows,
    clock `instagram.clock.now`, images "fetched" from our own media storage). Its consent page
    is the dashboard's `/dashboard/instagram/simulator/authorize`. The registry gives it this
    installation's secret as `app_secret`."""

    is_simulator = True

    def __init__(self, **options: Any):
        from instagram import clock
        from instagram.simstate import DbState

        options = dict(options)
        options["app_id"] = options.get("app_id") or "tokoblitar-simulator"
        options["app_secret"] = options.get("app_secret") or "simulator"
        self.platform = GraphPlatform(
            DbState(),
            app_id=options["app_id"],
            app_secret=options["app_secret"],
            now=clock.now,
            image_size=our_media_size,
        )
        options["transport"] = httpx.MockTransport(self.platform)
        super().__init__(**options)

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        from django.urls import reverse

        query = urlencode(
            {
                "client_id": self.app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPES,
                "state": state,
            }
        )
        return f"{reverse('dashboard:instagram:simulator-authorize')}?{query}"
