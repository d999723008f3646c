"""Live Midtrans client: QRIS through the Core API with the official `midtransclient` SDK."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import midtransclient
import requests
from django.utils import timezone
from midtransclient.error_midtrans import JSONDecodeError, MidtransAPIError

from orders.payments.base import ChargeRequest, PaymentProviderError, QrisCharge, notification_signature_valid

logger = logging.getLogger(__name__)
JAKARTA = ZoneInfo("Asia/Jakarta")
PROVIDER = "Midtrans"


class _TimeoutSession(requests.Session):
    """The SDK calls `requests.request` with no timeout; a hung Midtrans must not hang checkout."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, **kwargs)


class MidtransPaymentProvider:
    name = "midtrans"

    def __init__(
        self,
        *,
        server_key: str,
        client_key: str = "",
        is_production: bool = False,
        base_url: str | None = None,
        timeout: float = 10.0,
    ):
        self.core = midtransclient.CoreApi(is_production=is_production, server_key=server_key, client_key=client_key)
        if base_url:
            # The SDK has no base_url argument; its URLs are ApiConfig attributes (providers.md §1).
            self.core.api_config.CORE_SANDBOX_BASE_URL = base_url
            self.core.api_config.CORE_PRODUCTION_BASE_URL = base_url
        self.core.http_client.http_client = _TimeoutSession(timeout)
        self._server_key = server_key

    def verify_notification(self, notification: dict) -> bool:
        return notification_signature_valid(notification, key=self._server_key)

    def confirm_notification(self, notification: dict) -> dict:
        """Midtrans recommends confirming every notification with `GET /v2/{order_id}/status`
        ("HTTP(s) Notification / Webhooks": "best practice"): the signature does not cover
        transaction_status, so the status is taken from Midtrans itself."""
        body = self.status(str(notification.get("order_id") or ""))
        if not isinstance(body, dict):
            raise PaymentProviderError(PROVIDER, "Midtrans status answered no object")
        return {
            "transaction_status": str(body.get("transaction_status") or ""),
            "status_code": str(body.get("status_code") or ""),
            "gross_amount": str(body.get("gross_amount") or ""),
            "fraud_status": str(body.get("fraud_status") or ""),
        }

    def charge_qris(self, request: ChargeRequest) -> QrisCharge:
        body = {
            "payment_type": "qris",
            "transaction_details": {"order_id": request.order_ref, "gross_amount": request.gross_amount},
            "item_details": [
                {"id": item.id, "price": item.price, "quantity": item.quantity, "name": item.name[:50]}
                for item in request.items
            ],
            "customer_details": {
                "first_name": request.customer_name[:50],
                "email": request.customer_email,
                "phone": request.customer_phone,
            },
            "qris": {"acquirer": "gopay"},
            "custom_expiry": {"expiry_duration": request.expiry_minutes, "unit": "minute"},
        }
        try:
            response = self.core.charge(body)
        except MidtransAPIError as exc:
            logger.warning("Midtrans charge refused for %s: %s", request.order_ref, exc)
            raise PaymentProviderError(PROVIDER, f"Midtrans refused the payment (HTTP {exc.http_status_code})") from exc
        except (requests.RequestException, JSONDecodeError) as exc:
            logger.warning("Midtrans charge failed for %s: %s", request.order_ref, exc)
            raise PaymentProviderError(PROVIDER, "Midtrans could not be reached") from exc
        qr_string = response.get("qr_string") or ""
        if not qr_string:
            raise PaymentProviderError(PROVIDER, "Midtrans answered without a QRIS code")
        return QrisCharge(
            provider=self.name,
            transaction_id=str(response.get("transaction_id", "")),
            status=str(response.get("transaction_status", "pending")),
            qr_string=qr_string,
            expires_at=_parse_expiry(response.get("expiry_time"), request.expiry_minutes),
            raw=response,
        )

    def cancel(self, order_ref: str) -> None:
        try:
            self.core.transactions.cancel(order_ref)
        except MidtransAPIError as exc:
            raise PaymentProviderError(PROVIDER, f"Midtrans refused the cancel (HTTP {exc.http_status_code})") from exc
        except (requests.RequestException, JSONDecodeError) as exc:
            raise PaymentProviderError(PROVIDER, "Midtrans could not be reached") from exc

    def status(self, order_ref: str) -> dict:
        try:
            return self.core.transactions.status(order_ref)
        except MidtransAPIError as exc:
            raise PaymentProviderError(PROVIDER, f"Midtrans status failed (HTTP {exc.http_status_code})") from exc
        except (requests.RequestException, JSONDecodeError) as exc:
            raise PaymentProviderError(PROVIDER, "Midtrans could not be reached") from exc


def _parse_expiry(value: object, minutes: int) -> datetime:
    """Midtrans gives `expiry_time` as "YYYY-MM-DD HH:MM:SS" in Jakarta time."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
        except ValueError:
            logger.info("Unparseable Midtrans expiry_time %r; using our own window", value)
    return timezone.now() + timedelta(minutes=minutes)
