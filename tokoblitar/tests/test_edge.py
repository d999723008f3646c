"""The edge (issue 9 items 14, 15, 16, 18): bad text, non-ASCII digits, deep JSON and huge
bodies answer 400/413 before reaching a view, a service or Postgres."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from asgiref.testing import ApplicationCommunicator

from tokoblitar.edge import BodySizeLimitMiddleware
from tokoblitar.parsing import (
    JSONInputError,
    json_loads_bounded,
    parse_decimal,
    parse_int,
    parse_int_or_none,
)

NESTED = "[" * 1000 + "]" * 1000  # ~2 KB: a RecursionError in the stock json module


# --- the JSON helper ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        NESTED,
        '{"order_id": "TB-\\u0000"}',
        '{"order_id": "\\ud800"}',
        '{"\\u0000": 1}',
        '{"a": NaN}',
        b"\xff\xfe",
        "{not json",
    ],
)
def test_json_loads_bounded_refuses(raw):
    with pytest.raises(JSONInputError):
        json_loads_bounded(raw)
    assert issubclass(JSONInputError, ValueError)


def test_json_loads_bounded_accepts_what_is_fine():
    text = '{"a": "\\\\u0000 [[[ \\"", "emoji": "\\ud83d\\ude00", "n": [[[1]]]}'
    assert json_loads_bounded(text.encode()) == {"a": '\\u0000 [[[ "', "emoji": "😀", "n": [[[1]]]}
    assert json_loads_bounded("[" * 32 + "]" * 32) is not None


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["²", "٣", " 3", "3 ", "+3", "1_000", "", "3.0", "1" * 30, None, True])
def test_parse_int_refuses_what_int_would_take(text):
    assert parse_int_or_none(text) is None


def test_parse_int_bounds_and_decimal():
    assert parse_int("42", min_value=1, max_value=42) == 42
    assert parse_int_or_none("43", max_value=42) is None
    assert str(parse_decimal("25000.00")) == "25000.00"
    for bad in ("1e3", "NaN", "١٠٠", "sNaN", "Infinity"):
        with pytest.raises(ValueError):
            parse_decimal(bad)


@pytest.mark.django_db
@pytest.mark.parametrize("destination", ["²", "٣٤", "¹²³"])
def test_rates_with_non_ascii_digits_is_400(buyer_client, destination):
    response = buyer_client.get(
        "/api/buyer/shipping/rates", {"origin": "1", "destination": destination, "weight": "1000"}
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/dashboard/products/?page=²", "/pesanan/?page=٣"])
def test_pages_with_non_ascii_page_number_do_not_fail(client, seller, buyer, url):
    from conftest import PASSWORD

    user = seller if url.startswith("/dashboard") else buyer
    client.login(email=user.email, password=PASSWORD)
    assert client.get(url).status_code in (200, 302, 404)


# --- deep JSON ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["/api/auth/login", "/api/auth/register", "/api/seller/products"])
def test_deeply_nested_json_is_400(api_client, seller_client, route):
    client = seller_client if "/seller/" in route else api_client
    response = client.post(route, data=NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]


# --- NUL and lone surrogates -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ['{"email": "a\\u0000@contoh.id", "password": "x"}', '{"email": "\\ud800@contoh.id", "password": "x"}'],
)
def test_json_text_with_nul_or_surrogate_is_400(api_client, body):
    response = api_client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ['{"order_id": "TB-\\u0000", "status_code": "200"}', '{"order_id": "\\ud800", "status_code": "200"}'],
)
def test_midtrans_webhook_with_nul_or_surrogate_is_400(api_client, body):
    started = time.monotonic()
    response = api_client.post("/api/webhooks/midtrans", data=body, content_type="application/json")
    assert response.status_code == 400
    assert time.monotonic() - started < 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("get", "/api/products", {"data": {"search": "kopi\x00"}}),
        ("get", "/api/buyer/shipping/areas", {"data": {"q": "\x00"}}),
        ("get", "/api/products/x\x00y", {}),
        ("get", "/api/products", {"HTTP_IDEMPOTENCY_KEY": "a\x00b"}),
        ("get", "/api/products", {"HTTP_COOKIE": "sessionid=abc\x00def"}),
        ("post", "/api/webhooks/kiriminaja", {"data": {"awb": "X\x00"}}),
        ("post", "/api/auth/login", {"data": {"email": "a\x00@contoh.id", "password": "x"}}),
    ],
)
def test_api_text_with_nul_is_400_envelope(api_client, method, path, kwargs):
    response = getattr(api_client, method)(path, **kwargs)
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "error": "Text must not contain NUL characters or lone surrogates",
        "meta": {"code": "bad_text"},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path, data",
    [
        ("post", "/login/", {"username": "a\x00@contoh.id", "password": "x"}),
        ("post", "/register/", {"email": "a\x00@contoh.id"}),
        ("get", "/cari/", {"q": "kopi\x00"}),
    ],
)
def test_page_text_with_nul_is_400_page(client, method, path, data):
    response = getattr(client, method)(path, data)
    assert response.status_code == 400
    assert b"<html" in response.content.lower()


# --- body size at the ASGI layer ---------------------------------------------------------------


async def _echo_app(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return  # what Django does: drop the request, answer nothing
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _run(scope, chunks):
    async def go():
        app = ApplicationCommunicator(BodySizeLimitMiddleware(_echo_app), scope)
        for index, chunk in enumerate(chunks):
            await app.send_input({"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1})
        start = await app.receive_output(2)
        body = await app.receive_output(2)
        await app.wait(2)
        return start, body

    return asyncio.run(go())


def _scope(path="/api/auth/login", content_type=b"application/json", length=None):
    headers = [(b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": "POST", "path": path, "headers": headers, "query_string": b""}


def test_declared_length_over_limit_is_413_before_reading():
    start, body = _run(_scope(length=500 * 1024 * 1024), [])
    assert start["status"] == 413
    assert json.loads(body["body"]) == {
        "data": None,
        "error": "Request body too large (limit 1 MB)",
        "meta": {"code": "body_too_large", "limit_bytes": 1024 * 1024},
    }


def test_streamed_body_is_counted_and_cut_at_limit():
    start, body = _run(_scope(), [b"x" * 600_000, b"x" * 600_000, b"x" * 600_000])
    assert start["status"] == 413
    assert b"too large" in body["body"]


def test_upload_gets_the_image_limit_and_small_bodies_pass():
    multipart = b"multipart/form-data; boundary=x"
    start, body = _run(_scope(content_type=multipart, length=5 * 1024 * 1024), [b"y" * 5 * 1024 * 1024])
    assert start["status"] == 200 and body["body"] == str(5 * 1024 * 1024).encode()
    start, _ = _run(_scope(content_type=multipart, length=12 * 1024 * 1024), [])
    assert start["status"] == 413
    start, body = _run(_scope(), [b"{}"])
    assert start["status"] == 200 and body["body"] == b"2"


def test_page_413_is_a_page_in_the_visitors_language_naming_the_photo_limit():
    """A 12 MB photo on a dashboard form: the body is refused unread, so the answer is a small
    page in the page's language that says the limit (not bare English text)."""
    scope = _scope(path="/dashboard/produk/baru/", content_type=b"multipart/form-data; boundary=x", length=12 * 2**20)
    start, body = _run(scope, [])
    html = body["body"].decode()
    assert start["status"] == 413 and (b"content-type", b"text/html; charset=utf-8") in start["headers"]
    assert '<html lang="id">' in html and "Foto paling besar 10 MB" in html and "too large" not in html
    assert 'href="/dashboard/produk/baru/"' in html

    scope["headers"].append((b"cookie", b"csrftoken=abc; django_language=en"))
    html = _run(scope, [])[1]["body"].decode()
    assert '<html lang="en">' in html and "Photos can be at most 10 MB" in html


@pytest.mark.browser
def test_daphne_refuses_huge_body_without_buffering_it(asgi_server):
    """Daphne itself receives a whole body before the app runs; our cap stops it at the door."""

    def rss() -> int:
        status = open(f"/proc/{asgi_server.process.pid}/status").read()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024

    rss_before = rss()

    def post(head: bytes, chunk: bytes, chunks: int) -> bytes:
        with socket.create_connection(("127.0.0.1", asgi_server.port), timeout=10) as sock:
            sock.sendall(head)
            try:
                for _ in range(chunks):
                    sock.sendall(chunk)
            except OSError:
                pass  # the server closed on us: that is the point
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
            except OSError:
                pass
            return answer

    declared = post(
        b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 524288000\r\n\r\n",
        b"x" * (1024 * 1024),
        chunks=50,
    )
    assert declared.startswith(b"HTTP/1.1 413")
    assert b'"body_too_large"' in declared
    chunked = post(
        b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        b"100000\r\n" + b"x" * 0x100000 + b"\r\n",
        chunks=40,
    )
    assert chunked.startswith(b"HTTP/1.1 413")
    page = post(
        b"POST /dashboard/produk/baru/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x"
        b"\r\nCookie: django_language=id\r\nContent-Length: 12582912\r\n\r\n",
        b"x" * (1024 * 1024),
        chunks=12,
    )
    assert page.startswith(b"HTTP/1.1 413") and b"Foto paling besar 10 MB" in page
    assert rss() - rss_before < 40 * 1024 * 1024
