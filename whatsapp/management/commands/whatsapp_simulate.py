"""`manage.py whatsapp_simulate <action> <seller email or store slug> [value]`: the offline
gateway's phone-side controls until the dashboard has buttons for them.

Actions: `scan` (the phone scans the QR the seller currently sees), `buyer [text]` (the simulated
buyer writes), `photo [caption]` (the buyer sends a photo of a product), `unlink` (phone-side
unlink → FAILED), `stale` (unlink while the state keeps saying WORKING), `stall <0..1>` (share
of sends whose ticks stop), `lid on|off` (the buyer arrives as an
`@lid` without phone), `pump` (deliver due events now). Events go through our real WAHA webhook
handler in-process (same signature check, raw log and services as over HTTP).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.test import RequestFactory

from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError
from whatsapp.gateways.simulator import SimulatorGateway
from whatsapp.models import WhatsAppSession
from whatsapp.webhook import WahaWebhook


def in_process_transport(url: str, raw: bytes, headers: dict[str, str]) -> int:
    """A simulator transport that calls the WAHA webhook handler in this process."""
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}
    request = RequestFactory().post(url, data=raw, content_type="application/json", **extra)
    return WahaWebhook()(request).status_code


class Command(BaseCommand):
    help = "Drive the offline WhatsApp gateway (scan, buyer, photo, unlink, stale, stall, lid, pump)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["scan", "buyer", "photo", "unlink", "stale", "stall", "lid", "pump"])
        parser.add_argument("store", help="The seller's email or the store's slug")
        parser.add_argument("value", nargs="?", default="")

    def handle(self, *args, **options):
        live = get_whatsapp_gateway()
        if not isinstance(live, SimulatorGateway):
            raise CommandError("WhatsApp runs live here; the simulator controls are off")
        gateway = SimulatorGateway(hmac_key=live.hmac_key, webhook_url=live.webhook_url, transport=in_process_transport)
        ref = options["store"].strip()
        session = WhatsAppSession.objects.filter(Q(store__slug=ref) | Q(store__owner__email__iexact=ref)).first()
        if session is None:
            raise CommandError(f"No WhatsApp session for {ref} (create it first: POST /api/session/create)")
        action, value = options["action"], options["value"]
        try:
            if action == "scan":
                session.refresh_from_db()
                gateway.scan(session.name, session.qr)
            elif action == "buyer":
                gateway.buyer_write(session.name, value)
            elif action == "photo":
                gateway.buyer_send_photo(session.name, *([value] if value else []))
            elif action in ("unlink", "stale"):
                gateway.unlink_phone(session.name, stale=action == "stale")
            elif action == "stall":
                gateway.configure(session.name, stall_rate=float(value or 0))
            elif action == "lid":
                gateway.configure(session.name, buyer_lid=value == "on")
        except (GatewayError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        delivered = gateway.pump()
        session.refresh_from_db()
        self.stdout.write(f"{action}: {delivered} event(s) delivered; session {session.name} is {session.state}")
