"""The edge: what every request passes before any view, form or webhook sees it.

Two guards, both answering in the `{"data", "error", "meta"}` envelope under /api/:

- `BodySizeLimitMiddleware` (ASGI, wraps the Django app in tokoblitar/asgi.py) caps the
  request body BEFORE it is read: a declared `Content-Length` over the limit is answered
  413 at once, and a streamed (chunked) body is counted as it arrives and cut off at the
  limit. Django itself would read (and spool) the whole body first.
  Limits: `multipart/form-data` (one image upload per request) may carry
  `MAX_UPLOAD_REQUEST_BYTES`; every other body `DATA_UPLOAD_MAX_MEMORY_SIZE` (1 MB).
- `BadTextMiddleware` (Django) refuses with 400 any NUL character or lone UTF-16
  surrogate in the path, a query parameter, a form field (name or value), an uploaded
  file's name, a cookie or a header value: Postgres cannot store NUL in text, and a
  surrogate cannot be encoded as UTF-8. JSON bodies are checked by the JSON parser
  (`tokoblitar.parsing.json_loads_bounded`, used by DRF and the webhooks), because only
  parsing tells `"\\u0000"` (refused) from `"\\\\u0000"` (fine).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tokoblitar.api.errors import error_body
from tokoblitar.parsing import has_forbidden_chars

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BAD_TEXT_MESSAGE = "Text must not contain NUL characters or lone surrogates"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


def body_limit_for(scope: Scope) -> int:
    """Bytes of body this request may send: uploads are multipart, everything else is small."""
    content_type = (_header(scope, b"content-type") or b"").split(b";", 1)[0].strip().lower()
    if content_type == b"multipart/form-data":
        return settings.MAX_UPLOAD_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _limit_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _page_language(cookie_header: bytes | None) -> str:
    """The visitor's page language from Django's language cookie (pages default to Indonesian)."""
    name = settings.LANGUAGE_COOKIE_NAME.encode()
    for part in (cookie_header or b"").split(b";"):
        key, _, value = part.strip().partition(b"=")
        if key == name and value.decode("latin-1") in dict(settings.LANGUAGES):
            return value.decode("latin-1")
    return settings.LANGUAGE_CODE


def too_large_answer(path: str, cookie_header: bytes | None, limit: int) -> tuple[bytes, bytes]:
    """(body, content type) of a 413 for a body over `limit` bytes, refused before it was read:
    the JSON envelope under /api/, otherwise a small HTML page in the visitor's language that
    names the photo limit (a page's form cannot be shown again: its body was never read)."""
    message = f"Request body too large (limit {_limit_text(limit)})"
    if path.startswith("/api/"):
        body = json.dumps(
            {"data": None, "error": message, "meta": {"code": "body_too_large", "limit_bytes": limit}}
        ).encode()
        return body, b"application/json"
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext

    language = _page_language(cookie_header)
    with translation.override(language):
        title = gettext("File too large")
        text = gettext(
            "Photos can be at most %(mb)s MB. Make the photo smaller (or take it again at a lower "
            "resolution), then upload it again."
        ) % {"mb": settings.MAX_IMAGE_UPLOAD_BYTES // (1024 * 1024)}
        back = gettext("Back")
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{settings.STATIC_URL}css/app.css"></head>'
        f'<body><main id="main" class="container section"><div class="card">'
        f'<h1>{escape(title)}</h1><p data-testid="too-large">{escape(text)}</p>'
        f'<p><a class="btn" href="{escape(path)}">{escape(back)}</a></p></div></main></body></html>'
    )
    return html.encode(), b"text/html; charset=utf-8"


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    body, content_type = too_large_answer(scope.get("path", ""), _header(scope, b"cookie"), limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The rest of an oversized body is never read: do not reuse the connection.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """ASGI middleware: 413 for bodies over `body_limit_for(scope)`, checked before reading.

    A declared Content-Length over the limit (or not a number) never reaches the app.
    Otherwise `receive` is wrapped: once the bytes received pass the limit the app is
    told the client went away (`http.disconnect`, so Django drops the request without
    reading further) and, if the app has not started a response, this answers 413.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None:
            # ASCII digits only: int() would also take " 12", "1_2" and non-ASCII digits.
            if not (declared.isascii() and declared.isdigit() and len(declared) <= 18):
                await _send_too_large(scope, send, limit)
                return
            if int(declared) > limit:
                await _send_too_large(scope, send, limit)
                return

        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
        if exceeded and not response_started:
            await _send_too_large(scope, send, limit)


def _has_bad_text(request: HttpRequest) -> bool:
    if has_forbidden_chars(request.path):
        return True
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key in ("QUERY_STRING", "CONTENT_TYPE")) and isinstance(value, str):
            if has_forbidden_chars(value):
                return True
    for key, values in request.GET.lists():
        if has_forbidden_chars(key) or any(has_forbidden_chars(v) for v in values):
            return True
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        # Parsing the form here is what CsrfViewMiddleware does anyway; DRF reuses it.
        for key, values in request.POST.lists():
            if has_forbidden_chars(key) or any(has_forbidden_chars(v) for v in values):
                return True
        for key, files in request.FILES.lists():
            if has_forbidden_chars(key) or any(has_forbidden_chars(f.name or "") for f in files):
                return True
    return False


class BadTextMiddleware:
    """Django middleware: 400 for NUL or lone surrogates anywhere in the request's text.

    Place it before anything that reads the session, the user or the body. Answers the
    envelope with `meta.code = "bad_text"` under /api/ and the styled 400 page elsewhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_bad_text(request):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(BAD_TEXT_MESSAGE, meta={"code": "bad_text"}), status=400)
            return render(request, "errors/400.html", status=400)
        return self.get_response(request)


def install_daphne_body_cap(max_bytes: int) -> bool:
    """Make daphne refuse bodies over `max_bytes` while receiving them (call once, at import).

    Daphne (through Twisted) receives the WHOLE body before it calls the app, then queues
    all of it in memory at once: a 500 MB POST costs 500 MB of RAM whatever the app does.
    This swaps daphne's request class (looked up by `HTTPFactory.buildProtocol` for every
    connection) for one that answers 413 and closes the connection as soon as the declared
    Content-Length, or the bytes received so far, pass `max_bytes`. Finer per-route limits
    stay with `BodySizeLimitMiddleware`. Returns False when daphne is not installed.
    """
    try:
        from daphne import http_protocol
    except ImportError:
        return False

    current = http_protocol.WebRequest
    if getattr(current, "body_cap", None) is not None:
        current.body_cap = max_bytes
        return True

    class BodyCappedWebRequest(current):  # type: ignore[misc, valid-type]
        body_cap = max_bytes
        _body_received = 0
        _body_refused = False

        def gotLength(self, length: int | None) -> None:  # noqa: N802 - Twisted's name
            if length is not None and length > self.body_cap:
                super().gotLength(0)
                self._refuse_body()
                return
            super().gotLength(length)

        def handleContentChunk(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
            if self._body_refused:
                return
            self._body_received += len(data)
            if self._body_received > self.body_cap:
                self._refuse_body()
                return
            super().handleContentChunk(data)

        def process(self) -> Any:
            if self._body_refused:
                return None
            return super().process()

        def _refuse_body(self) -> None:
            self._body_refused = True
            path = getattr(self.channel, "_path", b"") or b""
            cookies = (self.requestHeaders.getRawHeaders(b"cookie") or [b""])[0]
            body, content_type = too_large_answer(path.decode("latin-1"), cookies, self.body_cap)
            transport = self.channel.transport
            transport.write(
                b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: "
                + content_type
                + b"\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
            transport.loseConnection()

    http_protocol.WebRequest = BodyCappedWebRequest
    return True
