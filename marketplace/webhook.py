"""`POST /api/webhooks/shopee`, `/api/webhooks/lazada`, `/api/webhooks/tiktokshop`: platform
pushes through the webhook base, one generic handler per platform.

The channel checks the signature over the raw body (`verify_push`: Shopee's HMAC over
`url|body` in `Authorization`, Lazada's and TikTok Shop's per their docs) before anything is
parsed; a bad or missing signature answers 403 and changes nothing. The channel's
`parse_push` says what the push means; order pushes fetch the order and record it once per
platform order id, so a redelivered push answers 200 and does nothing twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils.translation import gettext_lazy as _

from marketplace.channels.base import ChannelError
from marketplace.services import get_channel, push_received
from tokoblitar.errors import DomainError, ValidationFailed
from webhooks.base import WebhookHandler, WebhookResult

WEBHOOK_PATHS = {
    "shopee": "/api/webhooks/shopee",
    "lazada": "/api/webhooks/lazada",
    "tokopedia": "/api/webhooks/tiktokshop",
}


class MarketplaceWebhook(WebhookHandler):
    """Generic platform push handler; subclasses name the `platform`."""

    platform: ClassVar[str] = ""

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        try:
            self.channel = get_channel(self.platform)
        except DomainError:
            return False  # the platform is not set up here: nothing can be verified
        url = settings.SITE_URL.rstrip("/") + WEBHOOK_PATHS[self.platform]
        headers = {k: v for k, v in request.headers.items()}
        try:
            return bool(self.channel.verify_push(url=url, headers=headers, body=raw))
        except ChannelError:
            return False

    def parse(self, raw: bytes) -> Any:
        try:
            return self.channel.parse_push(raw)
        except ChannelError as exc:
            raise ValidationFailed(_("Malformed webhook body"), code="malformed") from exc

    def describe(self, payload: Any) -> tuple[str, str]:
        first = payload[0] if payload else None
        return (first.external_id or first.shop_id, first.kind) if first else ("", "")

    def dispatch(self, payload: Any) -> WebhookResult:
        outcome = push_received(platform=self.platform, events=payload)
        return WebhookResult(outcome=outcome, data={"outcome": outcome})

    def respond(self, result: WebhookResult) -> HttpResponse:
        # Shopee wants a 2xx with an empty body; the others accept it too.
        return HttpResponse(status=result.status)


class ShopeeWebhook(MarketplaceWebhook):
    provider = "shopee"
    platform = "shopee"


class LazadaWebhook(MarketplaceWebhook):
    provider = "lazada"
    platform = "lazada"


class TikTokShopWebhook(MarketplaceWebhook):
    provider = "tiktokshop"
    platform = "tokopedia"


HANDLERS = {"shopee": ShopeeWebhook, "lazada": LazadaWebhook, "tokopedia": TikTokShopWebhook}


def in_process_push_transport(platform: str):
    """A simulator push transport that calls our webhook handler in this process (the dashboard's
    simulate buttons and tests; a web process need not call itself over HTTP)."""

    def transport(url: str, raw: bytes, headers: dict[str, str]) -> int:
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}
        request = RequestFactory().post(WEBHOOK_PATHS[platform], data=raw, content_type="application/json", **extra)
        return HANDLERS[platform]()(request).status_code

    return transport
