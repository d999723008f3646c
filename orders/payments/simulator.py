"""Payment simulator: keeps Midtrans-like QRIS state in the database and delivers notifications
signed exactly as Midtrans signs them, over HTTP, to our real `/api/webhooks/midtrans`.

Rules it follows (as Midtrans does): an order_id can be charged once; only a pending charge can
be paid or expired; a charge past its expiry time cannot be paid any more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import SimulatedCharge
from orders.payments.base import (
    STATUS_CODES,
    ChargeRequest,
    PaymentProviderError,
    QrisCharge,
    format_gross_amount,
    notification_signature,
    notification_signature_valid,
)

logger = logging.getLogger(__name__)
PROVIDER = "Payment simulator"
MERCHANT_ID = "G000TOKOBLITAR"


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE, the checksum EMVCo QR codes (and QRIS) end with (tag 63)."""
    crc = 0xFFFF
    for byte in data.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def qris_string(*, order_ref: str, amount: int, merchant_name: str = "TOKOBLITAR", city: str = "BLITAR") -> str:
    """A dynamic QRIS-shaped EMV payload (point of initiation 12 = single use) with a valid CRC."""
    payload = "".join(
        [
            _tlv("00", "01"),
            _tlv("01", "12"),
            _tlv("26", _tlv("00", "ID.CO.TOKOBLITAR.SIM") + _tlv("01", "936009990000000001") + _tlv("03", "UMI")),
            _tlv("51", _tlv("00", "ID.CO.QRIS.WWW") + _tlv("02", "ID1026000000001") + _tlv("03", "UMI")),
            _tlv("52", "5499"),
            _tlv("53", "360"),
            _tlv("54", str(amount)),
            _tlv("58", "ID"),
            _tlv("59", merchant_name[:25]),
            _tlv("60", city[:15]),
            _tlv("61", "66111"),
            _tlv("62", _tlv("05", order_ref[:25])),
        ]
    )
    payload += "6304"
    return payload + _crc16_ccitt(payload)


Transport = Callable[[str, dict], int]


def http_transport(url: str, body: dict) -> int:
    """POST a notification as Midtrans does (JSON, 15 s timeout); returns the HTTP status.
    Raises requests.RequestException when the webhook cannot be reached."""
    return requests.post(url, json=body, timeout=15).status_code


class SimulatorPaymentProvider:
    """Midtrans QRIS offline. Keeps charges in the database, signs notifications with this
    installation's secret and delivers them to our real webhook.

    Args:
        server_key: the key notifications are signed with (settings.SIMULATOR_SECRET).
        webhook_url: where notifications go (SITE_URL + /api/webhooks/midtrans).
        transport: how a notification is delivered (`http_transport` by default; the demo
            seeder passes one that calls the webhook in-process)."""

    name = "simulator"

    def __init__(self, *, server_key: str, webhook_url: str, transport: Transport | None = None):
        self.server_key = server_key
        self.webhook_url = webhook_url
        self.transport = transport or http_transport

    def verify_notification(self, notification: dict) -> bool:
        return notification_signature_valid(notification, key=self.server_key)

    def confirm_notification(self, notification: dict) -> dict:
        """The simulator's own record of the charge, like Midtrans' status API."""
        charge = SimulatedCharge.objects.filter(order_ref=str(notification.get("order_id") or "")).first()
        if charge is None:
            raise PaymentProviderError(PROVIDER, "Transaction doesn't exist")
        status = charge.status
        return {
            "transaction_status": status,
            "status_code": STATUS_CODES.get(status, "404"),
            "gross_amount": format_gross_amount(charge.gross_amount),
            "fraud_status": "accept",
        }

    def charge_qris(self, request: ChargeRequest) -> QrisCharge:
        expires_at = timezone.now() + timedelta(minutes=request.expiry_minutes)
        try:
            with transaction.atomic():
                charge = SimulatedCharge.objects.create(
                    order_ref=request.order_ref,
                    gross_amount=request.gross_amount,
                    qr_string=qris_string(order_ref=request.order_ref, amount=request.gross_amount),
                    expires_at=expires_at,
                )
        except IntegrityError as exc:
            # Midtrans answers 406 "order_id has already been taken".
            raise PaymentProviderError(PROVIDER, f"order_id {request.order_ref} has already been taken") from exc
        return QrisCharge(
            provider=self.name,
            transaction_id=str(charge.transaction_id),
            status="pending",
            qr_string=charge.qr_string,
            expires_at=charge.expires_at,
            raw={"status_code": "201", "transaction_status": "pending", "order_id": charge.order_ref},
        )

    def cancel(self, order_ref: str) -> None:
        # Our side is already cancelled when this is called, so no notification is delivered.
        SimulatedCharge.objects.filter(order_ref=order_ref, status="pending").update(
            status="cancel", updated_at=timezone.now()
        )

    # --- Development controls (the "Bayar" / "Kedaluwarsa" buttons) ------------------------

    def pay(self, order_ref: str) -> int:
        """The buyer scans and pays: settlement, then the signed notification. Returns the webhook's HTTP status."""
        charge = self._move(order_ref, to="settlement")
        return self.deliver(charge)

    def expire(self, order_ref: str) -> int:
        charge = self._move(order_ref, to="expire")
        return self.deliver(charge)

    def _move(self, order_ref: str, *, to: str) -> SimulatedCharge:
        with transaction.atomic():
            charge = SimulatedCharge.objects.select_for_update().filter(order_ref=order_ref).first()
            if charge is None:
                raise PaymentProviderError(PROVIDER, f"No payment for order {order_ref}")
            if charge.status == to:
                return charge  # a retry re-delivers the same notification (the webhook is idempotent)
            if charge.status != "pending":
                raise PaymentProviderError(PROVIDER, f"The payment is already {charge.status}")
            if to == "settlement" and timezone.now() >= charge.expires_at:
                to = "expire"  # a QR past its expiry cannot be paid; Midtrans expires it instead
            charge.status = to
            charge.save(update_fields=["status", "updated_at"])
        return charge

    def notification_for(self, charge: SimulatedCharge, transaction_status: str | None = None) -> dict:
        """The notification body Midtrans would POST for this charge's state."""
        status = transaction_status or charge.status
        status_code = STATUS_CODES[status]
        gross = format_gross_amount(charge.gross_amount)
        now = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M:%S")
        body = {
            "transaction_time": timezone.localtime(charge.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            "transaction_status": status,
            "transaction_id": str(charge.transaction_id),
            "status_message": "midtrans payment notification",
            "status_code": status_code,
            "signature_key": notification_signature(
                order_id=charge.order_ref, status_code=status_code, gross_amount=gross, key=self.server_key
            ),
            "payment_type": "qris",
            "order_id": charge.order_ref,
            "merchant_id": MERCHANT_ID,
            "gross_amount": gross,
            "fraud_status": "accept",
            "currency": "IDR",
            "acquirer": "gopay",
        }
        if status == "settlement":
            body["settlement_time"] = now
        if status == "expire":
            body["expiry_time"] = timezone.localtime(charge.expires_at).strftime("%Y-%m-%d %H:%M:%S")
        return body

    def deliver(self, charge: SimulatedCharge) -> int:
        """POST the signed notification to our real webhook, as Midtrans does (15 s timeout)."""
        try:
            status = self.transport(self.webhook_url, self.notification_for(charge))
        except requests.RequestException as exc:
            logger.warning("Simulator could not deliver the notification for %s: %s", charge.order_ref, exc)
            raise PaymentProviderError(PROVIDER, "The payment notification could not be delivered") from exc
        if status >= 300:
            raise PaymentProviderError(PROVIDER, f"Our webhook answered HTTP {status}")
        return status
