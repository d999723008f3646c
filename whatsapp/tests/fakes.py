"""Local fakes on 127.0.0.1 of the two live WhatsApp APIs, for the live clients' tests.

`FakeWaha` speaks WAHA's HTTP API as the live client uses it: `X-Api-Key` (401 without),
`POST /api/sessions` (422 when the name exists), `POST /api/sessions/{s}/start|stop|logout|restart`,
`GET /api/sessions/{s}`, `GET /api/{s}/auth/qr?format=raw` → `{value}` and `POST /api/sendText`,
both behind WAHA's 422 state guard `{error, session, status, expected}`; `POST /api/sendImage`
(`file.url` or base64 `file.data`), received files under `GET /api/files/{s}/{name}` (`files`)
and `GET /api/{s}/lids/{lid}` → `{lid, pn}` (`lids`, pn null when unknown).

`FakeGraph` speaks the Cloud API's `POST /{version}/{phone_number_id}/messages` with a Bearer
token, answering `{messaging_product, contacts, messages:[{id: "wamid…"}]}` or the Graph error
envelope `{error: {message, type, code, error_data, fbtrace_id}}` (190 bad token, 131009 bad
parameter, 130429 throughput when `throttle` is set). Media: `POST /{phone_number_id}/media`
(multipart upload → `{id}`), `GET /{media_id}` → `{url, mime_type, file_size, …}` and the URL
itself (Bearer only). Templates: `GET /{waba_id}/message_templates` (two pages) and
`type: template` sends (132001 for an unknown name, 132000 for a wrong parameter count).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

GUARD = "Session status is not as expected. Try again later or restart the session"


@dataclass
class FakeWaha:
    api_key: str
    sessions: dict[str, dict] = field(default_factory=dict)
    sent: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lids: dict[str, str | None] = field(default_factory=dict)
    # The id the next send answers with (tests of acks that arrive before the send returns).
    next_id: str = ""
    url: str = ""

    def set_status(self, name: str, status: str) -> None:
        self.sessions[name]["status"] = status
        if status == "SCAN_QR_CODE":
            self.sessions[name]["qr"] = "2@" + secrets.token_urlsafe(40)


@dataclass
class FakeGraph:
    token: str
    phone_number_id: str
    version: str = "v25.0"
    sent: list[dict] = field(default_factory=list)
    throttle: bool = False
    waba_id: str = "102290129340398"
    uploads: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    templates: list[dict] = field(default_factory=list)
    url: str = ""


class _Base(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")


def _waha_handler(fake: FakeWaha) -> type[BaseHTTPRequestHandler]:
    class Handler(_Base):
        def _auth(self) -> bool:
            if self.headers.get("X-Api-Key") != fake.api_key:
                self._send(401, {"message": "Unauthorized", "statusCode": 401})
                return False
            return True

        def _session(self, name: str) -> dict:
            s = fake.sessions[name]
            me = {"id": "6285100000009@c.us", "pushName": "Toko Fake"} if s["status"] == "WORKING" else None
            return {"name": name, "status": s["status"], "me": me, "engine": {"engine": "WEBJS"}, "config": s["config"]}

        def _guard(self, name: str, expected: str) -> bool:
            status = fake.sessions[name]["status"]
            if status != expected:
                self._send(422, {"error": GUARD, "session": name, "status": status, "expected": [expected]})
                return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            fake.requests.append(("GET", parts.path))
            if not self._auth():
                return
            if m := re.fullmatch(r"/api/sessions/([\w-]+)", parts.path):
                if m.group(1) not in fake.sessions:
                    return self._send(404, {"message": "Session not found"})
                return self._send(200, self._session(m.group(1)))
            if m := re.fullmatch(r"/api/files/([\w-]+)/([\w.@-]+)", parts.path):
                if parts.path not in fake.files:
                    return self._send(404, {"message": "File not found"})
                data, mime = fake.files[parts.path]
                self.send_response(200)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if m := re.fullmatch(r"/api/([\w-]+)/lids/([^/]+)", parts.path):
                lid = unquote(m.group(2))
                return self._send(200, {"lid": lid, "pn": fake.lids.get(lid)})
            if m := re.fullmatch(r"/api/([\w-]+)/auth/qr", parts.path):
                name = m.group(1)
                if name not in fake.sessions or not self._guard(name, "SCAN_QR_CODE"):
                    return None
                if parse_qs(parts.query).get("format") == ["raw"]:
                    return self._send(200, {"value": fake.sessions[name]["qr"]})
                return self._send(200, {"mimetype": "image/png", "data": ""})
            self._send(404, {"message": "Not found"})

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            fake.requests.append(("POST", path))
            if not self._auth():
                return
            body = self._json()
            if path == "/api/sessions":
                name = body["name"]
                if name in fake.sessions:
                    return self._send(422, {"message": f"Session '{name}' already exists"})
                fake.sessions[name] = {
                    "status": "STARTING" if body.get("start") else "STOPPED",
                    "config": body.get("config"),
                }
                return self._send(201, self._session(name))
            if m := re.fullmatch(r"/api/sessions/([\w-]+)/(start|stop|logout|restart)", path):
                name, action = m.groups()
                if name not in fake.sessions:
                    return self._send(404, {"message": "Session not found"})
                fake.sessions[name]["status"] = {"start": "STARTING", "restart": "STARTING"}.get(action, "STOPPED")
                return self._send(201, self._session(name))
            if path == "/api/sendImage":
                name = body.get("session", "")
                if name not in fake.sessions or not self._guard(name, "WORKING"):
                    return None
                file = body.get("file") or {}
                if not file.get("mimetype") or not (file.get("url") or file.get("data")):
                    return self._send(400, {"message": "file.mimetype and file.url or file.data are required"})
                serialized = f"true_{body['chatId']}_{secrets.token_hex(10).upper()}"
                fake.sent.append({**body, "id": serialized})
                return self._send(201, {"id": {"fromMe": True, "_serialized": serialized}, "ack": 0})
            if path == "/api/sendText":
                name = body.get("session", "")
                if name not in fake.sessions or not self._guard(name, "WORKING"):
                    return None
                serialized = fake.next_id or f"true_{body['chatId']}_{secrets.token_hex(10).upper()}"
                fake.sent.append({**body, "id": serialized})
                return self._send(
                    201,
                    {
                        "id": {
                            "fromMe": True,
                            "remote": body["chatId"],
                            "id": serialized[-20:],
                            "_serialized": serialized,
                        },
                        "body": body["text"],
                        "ack": 0,
                    },
                )
            self._send(404, {"message": "Not found"})

    return Handler


def _graph_handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(_Base):
        def _error(
            self, status: int, code: int, message: str, type_: str = "OAuthException", details: str = ""
        ) -> None:
            error = {"message": message, "type": type_, "code": code, "fbtrace_id": "A" + secrets.token_hex(8)}
            if details:
                error["error_data"] = {"messaging_product": "whatsapp", "details": details}
            self._send(status, {"error": error})

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._error(401, 190, "Error validating access token: Session has expired")
                return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if not self._authorized():
                return None
            if m := re.fullmatch(r"/files/(\w+)", parts.path):  # the short-lived media URL
                if m.group(1) not in fake.media:
                    return self._error(404, 100, "Media not found")
                data, mime = fake.media[m.group(1)]
                self.send_response(200)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if parts.path == f"/{fake.version}/{fake.waba_id}/message_templates":
                after = parse_qs(parts.query).get("after", [""])[0]
                page, rest = (fake.templates[:1], fake.templates[1:]) if not after else (fake.templates[1:], [])
                body: dict = {"data": page}
                if rest:
                    body["paging"] = {"cursors": {"after": "QVFIUk"}, "next": f"{fake.url}/next"}
                return self._send(200, body)
            if m := re.fullmatch(rf"/{fake.version}/(\d+)", parts.path):
                media_id = m.group(1)
                if media_id not in fake.media:
                    return self._error(400, 100, "Unsupported get request", "GraphMethodException")
                data, mime = fake.media[media_id]
                return self._send(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "url": f"{fake.url}/files/{media_id}",
                        "mime_type": mime,
                        "sha256": "0" * 64,
                        "file_size": len(data),
                        "id": media_id,
                    },
                )
            return self._error(400, 100, "Unsupported get request", "GraphMethodException")

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if not self._authorized():
                return None
            if path == f"/{fake.version}/{fake.phone_number_id}/media":
                form = cgi_form(self)
                if form.get("messaging_product") != "whatsapp" or "file" not in form:
                    return self._error(400, 131009, "(#131009) Parameter value is not valid", details="file")
                media_id = str(secrets.randbelow(10**15) + 10**15)
                fake.uploads[media_id] = form["file"]
                return self._send(200, {"id": media_id})
            if path != f"/{fake.version}/{fake.phone_number_id}/messages":
                return self._error(400, 100, "Unsupported post request", "GraphMethodException")
            body = self._json()
            if body.get("type") == "template":
                names = {(t["name"], t["language"]): t for t in fake.templates}
                template = names.get((body["template"]["name"], body["template"]["language"]["code"]))
                if template is None:
                    return self._error(404, 132001, "(#132001) Template name does not exist in the translation")
                wanted = len(set(re.findall(r"\{\{(\d+)\}\}", template["components"][0]["text"])))
                given = sum(len(c.get("parameters") or []) for c in body["template"].get("components") or [])
                if wanted != given:
                    return self._error(400, 132000, "(#132000) Number of parameters does not match")
            if body.get("type") == "image" and not (
                body["image"].get("link") or body["image"].get("id") in fake.uploads
            ):
                return self._error(400, 131053, "(#131053) Media upload error")
            if fake.throttle:
                return self._error(
                    429, 130429, "Rate limit hit", details="Cloud API message throughput has been reached."
                )
            if body.get("messaging_product") != "whatsapp" or not re.fullmatch(r"\d{8,15}", str(body.get("to") or "")):
                return self._error(400, 131009, "(#131009) Parameter value is not valid", details="to is invalid")
            wamid = "wamid.HBgN" + secrets.token_hex(16).upper()
            fake.sent.append({**body, "id": wamid})
            self._send(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": wamid}],
                },
            )

    return Handler


def cgi_form(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    """A multipart/form-data body as {name: text, or (bytes, content type) for a file}."""
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length)
    head = f"Content-Type: {handler.headers.get('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            form[name] = (payload, part.get_content_type())
        else:
            form[name] = payload.decode()
    return form


class _Server:
    def __init__(self, fake: Any, handler: type[BaseHTTPRequestHandler]) -> None:
        self.fake = fake
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Any:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def fake_waha(api_key: str) -> _Server:
    fake = FakeWaha(api_key=api_key)
    return _Server(fake, _waha_handler(fake))


def fake_graph(token: str, phone_number_id: str) -> _Server:
    fake = FakeGraph(token=token, phone_number_id=phone_number_id)
    return _Server(fake, _graph_handler(fake))
